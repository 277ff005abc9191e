//! The oracle's numbers (dual numbers with a tracker of branch boundaries), its
//! float functions `dx_*` (exact to second order, so that the same oracle over
//! `HyperDual64` checks Hessian-vector products), and flat points.

use super::SHADOW;
use num_dual::{Dual64, DualNum, HyperDual64};

// ------------------------------------------------------------------ the oracle's numbers

/// The dual numbers the oracles are generic over.
pub trait Dn: DualNum<Primitive = f64> + Copy + Eps {}
impl<T: DualNum<Primitive = f64> + Copy + Eps> Dn for T {}

/// The derivative part of a dual number: zero for a value that does not depend
/// on the inputs (a kink or a comparison of constants is no boundary to avoid).
pub trait Eps {
    fn eps_part(&self) -> f64;
}
impl Eps for Dual64 {
    fn eps_part(&self) -> f64 {
        self.eps
    }
}
/// The second-order oracle (`second_order.rs`) seeds the direction in `eps1`.
impl Eps for HyperDual64 {
    fn eps_part(&self) -> f64 {
        self.eps1
    }
}

/// What an oracle run saw: how close it came to a branch boundary, and a hash of
/// every decision it took (two runs with the same hash took the same branches).
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub margin: f64,
    pub sig: u64,
}

impl Default for Tr {
    fn default() -> Self {
        Tr {
            margin: f64::INFINITY,
            sig: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl Tr {
    /// A decision `decision` taken where `dist` (a dual number) is the signed
    /// distance to its boundary. The oracle's first run seeds a random direction
    /// in every input: a distance whose derivative along it is zero does not
    /// move with the inputs (`x.max(x)`, `abs` of a constant), so it is no
    /// boundary that a perturbation could cross.
    fn note<D: Dn>(&mut self, dist: D, decision: u64) {
        let d = dist.re().abs();
        if d.is_nan() {
            self.margin = 0.0;
        } else if dist.eps_part() != 0.0 {
            self.margin = self.margin.min(d);
        }
        self.sig = (self.sig ^ decision).wrapping_mul(0x0100_0000_01b3);
    }

    /// A piecewise-constant step at the integers: `x`'s distance to the nearest one.
    fn step<D: Dn>(&mut self, x: D) {
        let r = x.re();
        self.note(x - k::<D>(r.round()), r.floor().to_bits());
    }

    /// A step at the nonzero integers (`trunc`, `fract`: continuous at 0).
    fn step_nonzero<D: Dn>(&mut self, x: D) {
        let r = x.re();
        let n = r.abs().round().max(1.0).copysign(r);
        self.note(x - k::<D>(n), r.trunc().to_bits());
    }
}

fn k<D: Dn>(v: f64) -> D {
    D::from(v)
}

pub fn dx_lt<D: Dn>(a: D, b: D, t: &mut Tr) -> bool {
    let (x, y) = (a.re(), b.re());
    t.note(a - b, u64::from(x < y));
    x < y
}
pub fn dx_gt<D: Dn>(a: D, b: D, t: &mut Tr) -> bool {
    dx_lt(b, a, t)
}
pub fn dx_le<D: Dn>(a: D, b: D, t: &mut Tr) -> bool {
    !dx_lt(b, a, t)
}
pub fn dx_ge<D: Dn>(a: D, b: D, t: &mut Tr) -> bool {
    !dx_lt(a, b, t)
}
pub fn dx_is_sign_positive<D: Dn>(x: D, t: &mut Tr) -> bool {
    t.note(x, u64::from(x.re() >= 0.0));
    x.re().is_sign_positive()
}
pub fn dx_is_sign_negative<D: Dn>(x: D, t: &mut Tr) -> bool {
    !dx_is_sign_positive(x, t)
}

pub fn dx_exp<D: Dn>(x: D, _: &mut Tr) -> D {
    x.exp()
}
pub fn dx_exp2<D: Dn>(x: D, _: &mut Tr) -> D {
    (x * k::<D>(std::f64::consts::LN_2)).exp()
}
pub fn dx_exp_m1<D: Dn>(x: D, _: &mut Tr) -> D {
    x.exp_m1()
}
pub fn dx_ln<D: Dn>(x: D, _: &mut Tr) -> D {
    x.ln()
}
pub fn dx_log2<D: Dn>(x: D, _: &mut Tr) -> D {
    x.ln() / k::<D>(std::f64::consts::LN_2)
}
pub fn dx_log10<D: Dn>(x: D, _: &mut Tr) -> D {
    x.ln() / k::<D>(std::f64::consts::LN_10)
}
pub fn dx_log<D: Dn>(x: D, base: D, _: &mut Tr) -> D {
    x.ln() / base.ln()
}
pub fn dx_ln_1p<D: Dn>(x: D, _: &mut Tr) -> D {
    x.ln_1p()
}
pub fn dx_sqrt<D: Dn>(x: D, _: &mut Tr) -> D {
    x.sqrt()
}
pub fn dx_cbrt<D: Dn>(x: D, _: &mut Tr) -> D {
    x.cbrt()
}
pub fn dx_recip<D: Dn>(x: D, _: &mut Tr) -> D {
    k::<D>(1.0) / x
}
pub fn dx_powi<D: Dn>(x: D, n: i32, _: &mut Tr) -> D {
    x.powi(n)
}
pub fn dx_powf<D: Dn>(x: D, y: D, _: &mut Tr) -> D {
    (y * x.ln()).exp()
}
pub fn dx_sin<D: Dn>(x: D, _: &mut Tr) -> D {
    x.sin()
}
pub fn dx_cos<D: Dn>(x: D, _: &mut Tr) -> D {
    x.cos()
}
pub fn dx_tan<D: Dn>(x: D, _: &mut Tr) -> D {
    x.sin() / x.cos()
}
pub fn dx_asin<D: Dn>(x: D, _: &mut Tr) -> D {
    x.asin()
}
pub fn dx_acos<D: Dn>(x: D, _: &mut Tr) -> D {
    x.acos()
}
pub fn dx_atan<D: Dn>(x: D, _: &mut Tr) -> D {
    x.atan()
}
/// `atan2(y, x)`: the value from `f64` and its Taylor polynomial of degree 2
/// (num-dual's `atan2` gives NaN derivatives at `x = 0`).
pub fn dx_atan2<D: Dn>(y: D, x: D, t: &mut Tr) -> D {
    let (ry, rx) = (y.re(), x.re());
    if rx < 0.0 {
        // the branch cut of atan2 is the negative x axis
        t.note(y, u64::from(ry >= 0.0));
    }
    // atan2(0, 0) has no derivative; a program reaches it only with constant
    // arguments (as `atan2(z[1], z[1])` of a zero array), whose tangents are 0.
    if rx == 0.0 && ry == 0.0 {
        return k::<D>(ry.atan2(rx));
    }
    let r2 = rx * rx + ry * ry;
    let r4 = r2 * r2;
    let (hy, hx) = (y - k::<D>(ry), x - k::<D>(rx));
    // d/dy = x / r², d/dx = -y / r²; d²/dy² = -2xy / r⁴ = -d²/dx², d²/dxdy = (y² - x²) / r⁴
    k::<D>(ry.atan2(rx)) + hy * k::<D>(rx / r2) - hx * k::<D>(ry / r2)
        + (hy * hy - hx * hx) * k::<D>(-rx * ry / r4)
        + hy * hx * k::<D>((ry * ry - rx * rx) / r4)
}
pub fn dx_sinh<D: Dn>(x: D, _: &mut Tr) -> D {
    x.sinh()
}
pub fn dx_cosh<D: Dn>(x: D, _: &mut Tr) -> D {
    x.cosh()
}
/// `tanh` with `f64::tanh`'s value and the derivatives `1 - tanh²` and
/// `-2 tanh (1 - tanh²)`: `num-dual`'s `sinh / cosh` gives `0.9999999999999999` and a
/// zero derivative where `tanh` saturates (`cosh² - sinh²` cancels), so a `floor` of
/// it there was no boundary and differed from the original (p745 of seed 7003). At
/// `±0` it is `x` itself (`tanh(x) = x + O(x³)`): the sum below would turn
/// `tanh(-0.0) = -0.0` into `+0.0`, and `atan2(t, t)` of it gave `0` where the
/// original's is `-π` (p473 of seed 1001).
pub fn dx_tanh<D: Dn>(x: D, _: &mut Tr) -> D {
    if x.re() == 0.0 {
        return x;
    }
    let t = x.re().tanh();
    let d = 1.0 - t * t;
    taylor(x, t, d, -2.0 * t * d)
}
pub fn dx_asinh<D: Dn>(x: D, _: &mut Tr) -> D {
    x.asinh()
}
pub fn dx_acosh<D: Dn>(x: D, _: &mut Tr) -> D {
    x.acosh()
}
pub fn dx_atanh<D: Dn>(x: D, _: &mut Tr) -> D {
    x.atanh()
}
pub fn dx_hypot<D: Dn>(a: D, b: D, _: &mut Tr) -> D {
    if a.re() == 0.0 && b.re() == 0.0 {
        // the convention at the origin (like abs'(0) = 0); sqrt would give 0 / 0
        return k(0.0);
    }
    (a * a + b * b).sqrt()
}
pub fn dx_abs<D: Dn>(x: D, t: &mut Tr) -> D {
    t.note(x, u64::from(x.re() < 0.0));
    if x.re() < 0.0 {
        -x
    } else {
        x
    }
}
pub fn dx_max<D: Dn>(a: D, b: D, t: &mut Tr) -> D {
    t.note(a - b, u64::from(a.re() >= b.re()));
    if a.re() >= b.re() {
        a
    } else {
        b
    }
}
pub fn dx_min<D: Dn>(a: D, b: D, t: &mut Tr) -> D {
    t.note(a - b, u64::from(a.re() <= b.re()));
    if a.re() <= b.re() {
        a
    } else {
        b
    }
}
pub fn dx_clamp<D: Dn>(x: D, lo: D, hi: D, t: &mut Tr) -> D {
    let below = dx_lt(x, lo, t);
    let above = dx_gt(x, hi, t);
    if below {
        lo
    } else if above {
        hi
    } else {
        x
    }
}
pub fn dx_copysign<D: Dn>(x: D, y: D, t: &mut Tr) -> D {
    // |x| with the sign of y: a kink at x = 0, a jump at y = 0
    let neg = y.re().is_sign_negative();
    t.note(y, u64::from(neg));
    let ax = dx_abs(x, t);
    if neg {
        -ax
    } else {
        ax
    }
}
pub fn dx_to_degrees<D: Dn>(x: D, _: &mut Tr) -> D {
    x * k::<D>(180.0 / std::f64::consts::PI)
}
pub fn dx_to_radians<D: Dn>(x: D, _: &mut Tr) -> D {
    x * k::<D>(std::f64::consts::PI / 180.0)
}
pub fn dx_is_nan<D: Dn>(x: D, _: &mut Tr) -> bool {
    x.re().is_nan()
}
pub fn dx_is_finite<D: Dn>(x: D, _: &mut Tr) -> bool {
    x.re().is_finite()
}
pub fn dx_is_infinite<D: Dn>(x: D, _: &mut Tr) -> bool {
    x.re().is_infinite()
}
/// `f(x)` with derivatives `df` and `ddf` at `x.re()`: the Taylor polynomial of
/// degree 2 in `h = x - x.re()`, exact for `Dual64` (`h² = 0`) and `HyperDual64`
/// (`h³ = 0`), with `f` as the value (the special functions have no dual-number
/// version in `num_dual`).
fn taylor<D: Dn>(x: D, f: f64, df: f64, ddf: f64) -> D {
    let h = x - k::<D>(x.re());
    k::<D>(f) + h * k::<D>(df) + h * h * k::<D>(0.5 * ddf)
}
pub fn dx_erf<D: Dn>(x: D, _: &mut Tr) -> D {
    let r = x.re();
    let d = 2.0 / std::f64::consts::PI.sqrt() * (-r * r).exp();
    taylor(x, autodiff::erf(r), d, -2.0 * r * d)
}
pub fn dx_erfc<D: Dn>(x: D, _: &mut Tr) -> D {
    let r = x.re();
    let d = -2.0 / std::f64::consts::PI.sqrt() * (-r * r).exp();
    taylor(x, autodiff::erfc(r), d, -2.0 * r * d)
}
/// `Γ' = Γ ψ`, `Γ'' = Γ (ψ² + ψ₁)`.
pub fn dx_gamma<D: Dn>(x: D, _: &mut Tr) -> D {
    let r = x.re();
    let g = autodiff::gamma(r);
    let psi = autodiff::digamma(r);
    taylor(x, g, g * psi, g * (psi * psi + autodiff::trigamma(r)))
}
pub fn dx_ln_gamma<D: Dn>(x: D, _: &mut Tr) -> D {
    let r = x.re();
    taylor(
        x,
        autodiff::ln_gamma(r),
        autodiff::digamma(r),
        autodiff::trigamma(r),
    )
}
pub fn dx_mul_add<D: Dn>(a: D, b: D, c: D, _: &mut Tr) -> D {
    a * b + c
}
pub fn dx_signum<D: Dn>(x: D, t: &mut Tr) -> D {
    t.note(x, u64::from(x.re() >= 0.0));
    k(x.re().signum())
}
pub fn dx_floor<D: Dn>(x: D, t: &mut Tr) -> D {
    t.step(x);
    k(x.re().floor())
}
pub fn dx_ceil<D: Dn>(x: D, t: &mut Tr) -> D {
    t.step(x);
    k(x.re().ceil())
}
pub fn dx_trunc<D: Dn>(x: D, t: &mut Tr) -> D {
    t.step_nonzero(x);
    k(x.re().trunc())
}
pub fn dx_round<D: Dn>(x: D, t: &mut Tr) -> D {
    // jumps at the half-integers
    t.step(x - k::<D>(0.5));
    k(x.re().round())
}
pub fn dx_fract<D: Dn>(x: D, t: &mut Tr) -> D {
    t.step_nonzero(x);
    x - k::<D>(x.re().trunc())
}
/// `a % b = a - b * trunc(a / b)`, which jumps where `a / b` crosses a nonzero
/// integer.
pub fn dx_rem<D: Dn>(a: D, b: D, t: &mut Tr) -> D {
    let q = a.re() / b.re();
    let n = q.abs().round().max(1.0).copysign(q);
    // how far `a` is from the nearest jump, to first order
    t.note(a - b * k::<D>(n), q.trunc().to_bits());
    a - b * k::<D>(q.trunc())
}
pub fn dx_sigmoid<D: Dn>(x: D, _: &mut Tr) -> D {
    let one = k::<D>(1.0);
    if x.re() >= 0.0 {
        one / (one + (-x).exp())
    } else {
        let e = x.exp();
        e / (one + e)
    }
}
pub fn dx_relu<D: Dn>(x: D, t: &mut Tr) -> D {
    t.note(x, u64::from(x.re() > 0.0));
    if x.re() > 0.0 {
        x
    } else {
        k(0.0)
    }
}
pub fn dx_softplus<D: Dn>(x: D, _: &mut Tr) -> D {
    // ln(1 + e^x), both forms smooth
    if x.re() > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}
pub fn dx_elu<D: Dn>(x: D, alpha: D, t: &mut Tr) -> D {
    t.note(x, u64::from(x.re() > 0.0));
    if x.re() > 0.0 {
        x
    } else {
        alpha * x.exp_m1()
    }
}
pub fn dx_leaky_relu<D: Dn>(x: D, alpha: D, t: &mut Tr) -> D {
    t.note(x, u64::from(x.re() > 0.0));
    if x.re() > 0.0 {
        x
    } else {
        alpha * x
    }
}

// ------------------------------------------------------------------ flat points

/// The next scalar of a flat point.
pub fn take1<T: Copy>(x: &[T], k: &mut usize) -> T {
    *k += 1;
    x[*k - 1]
}

/// The next `N` scalars of a flat point.
pub fn take<T: Copy, const N: usize>(x: &[T], k: &mut usize) -> [T; N] {
    core::array::from_fn(|_| take1(x, k))
}

/// The next `N * M` scalars, row by row.
pub fn take2<T: Copy, const M: usize, const N: usize>(x: &[T], k: &mut usize) -> [[T; M]; N] {
    core::array::from_fn(|_| take(x, k))
}

/// The next `n` scalars, as a `Vec` (a slice argument).
pub fn take_vec<T: Copy>(x: &[T], k: &mut usize, n: usize) -> Vec<T> {
    (0..n).map(|_| take1(x, k)).collect()
}

/// Results and gradients as flat lists of scalars.
pub trait Flat<T> {
    fn put(&self, out: &mut Vec<T>);
}
impl Flat<f64> for f64 {
    fn put(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
}
impl Flat<Dual64> for Dual64 {
    fn put(&self, out: &mut Vec<Dual64>) {
        out.push(*self);
    }
}
impl Flat<HyperDual64> for HyperDual64 {
    fn put(&self, out: &mut Vec<HyperDual64>) {
        out.push(*self);
    }
}
impl<T, A: Flat<T>, const N: usize> Flat<T> for [A; N] {
    fn put(&self, out: &mut Vec<T>) {
        self.iter().for_each(|a| a.put(out));
    }
}
impl<T, A: Flat<T>> Flat<T> for Vec<A> {
    fn put(&self, out: &mut Vec<T>) {
        self.iter().for_each(|a| a.put(out));
    }
}
impl<T, A: Flat<T>, B: Flat<T>> Flat<T> for (A, B) {
    fn put(&self, out: &mut Vec<T>) {
        self.0.put(out);
        self.1.put(out);
    }
}

pub fn flat<T, A: Flat<T>>(a: &A) -> Vec<T> {
    let mut out = Vec::new();
    a.put(&mut out);
    out
}

/// What the companion added into a shadow that held [`SHADOW`].
pub fn shadow<A: Flat<f64>>(a: &A) -> Vec<f64> {
    flat(a).into_iter().map(|v| v - SHADOW).collect()
}
