//! `#[grad(custom)]`: functions whose bodies `#[grad]` cannot differentiate (bit
//! tricks, iterative solvers), with a companion `<name>_backward` written by
//! hand. The macro checks the hand-written signature against the contract at
//! compile time; `#[grad]` callers call the hand-written companion in their
//! reverse sweeps.
//!
//! - a fast inverse square root (`to_bits`/`from_bits`) whose companion uses the
//!   analytic derivative of `1/sqrt(x)`: checked against central differences of
//!   the *true* `1/sqrt`, with tolerances derived from the approximation error;
//! - solvers (Kepler's equation, the real root of a cubic, a polynomial root
//!   with coefficients by `&`, a generic cube root) whose derivatives come from
//!   the implicit function theorem, used inside `#[grad]` callers and checked
//!   against central differences of the solver itself.
#![deny(warnings)]
#![allow(clippy::needless_range_loop)]

use autodiff::{check_gradient_with, grad, GradientCheckOptions, Real};

// ---------------------------------------------------------------- helpers

fn opts(rel_tol: f64, abs_tol: f64) -> GradientCheckOptions {
    GradientCheckOptions {
        rel_tol,
        abs_tol,
        ..GradientCheckOptions::default()
    }
}

/// Asserts that `analytic` matches central differences of `f` at `x`.
#[track_caller]
fn assert_fd_with(
    f: impl FnMut(&[f64]) -> f64,
    x: &[f64],
    analytic: &[f64],
    o: GradientCheckOptions,
) {
    let check = check_gradient_with(f, x, analytic, o);
    assert!(check.passed(), "at x = {x:?}: {check}");
}

/// Central differences, relative 1e-6, absolute 1e-8.
#[track_caller]
fn assert_fd(f: impl FnMut(&[f64]) -> f64, x: &[f64], analytic: &[f64]) {
    assert_fd_with(f, x, analytic, opts(1e-6, 1e-8));
}

#[track_caller]
fn assert_rel(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        (got - want).abs() <= rel * want.abs().max(1e-300),
        "{what}: got {got:?}, want {want:?} (relative tolerance {rel:e})"
    );
}

/// Points from 1e-3 to 1e3, with irregular mantissas (the fast inverse square
/// root's error depends on the mantissa and the parity of the exponent).
fn log_grid() -> Vec<f64> {
    (0..61)
        .map(|i| 10f64.powf(-3.0 + 0.1 * i as f64) * 1.0137)
        .collect()
}

// ---------------------------------------------------------------- fast inverse square root

/// Quake III's fast inverse square root (one Newton step): relative error at
/// most 1.75e-3. `to_bits`/`from_bits` are not differentiable by `#[grad]`.
#[grad(custom)]
fn fast_inv_sqrt(x: f32) -> f32 {
    let i = 0x5f37_59df - (x.to_bits() >> 1);
    let y = f32::from_bits(i);
    y * (1.5 - 0.5 * x * y * y)
}

/// The derivative of the function approximated: d/dx x^(-1/2) = -x^(-3/2) / 2.
fn fast_inv_sqrt_backward(x: f32, d_out: f32) -> (f32, f32) {
    (fast_inv_sqrt(x), -0.5 * d_out / (x * x.sqrt()))
}

/// The f64 version (magic constant of Lomont / Robertson), two Newton steps:
/// relative error below 5e-6.
#[grad(custom)]
fn fast_inv_sqrt64(x: f64) -> f64 {
    let i = 0x5fe6_eb50_c7b5_37a9 - (x.to_bits() >> 1);
    let mut y = f64::from_bits(i);
    y *= 1.5 - 0.5 * x * y * y;
    y * (1.5 - 0.5 * x * y * y)
}

fn fast_inv_sqrt64_backward(x: f64, d_out: f64) -> (f64, f64) {
    (fast_inv_sqrt64(x), -0.5 * d_out * x.powf(-1.5))
}

fn inv_sqrt(x: f64) -> f64 {
    1.0 / x.sqrt()
}

#[test]
fn fast_inv_sqrt_companion() {
    for x in log_grid() {
        let x32 = x as f32;
        let xf = f64::from(x32);
        let (v, g) = fast_inv_sqrt_backward(x32, 1.0);
        assert_eq!(v.to_bits(), fast_inv_sqrt(x32).to_bits(), "value at {x}");
        // The value approximates 1/sqrt within the method's error …
        assert_rel(f64::from(v), inv_sqrt(xf), 1.8e-3, "fast 1/sqrt");
        // … and the gradient is that of the true 1/sqrt, to f32 rounding.
        // (A step relative to x: below 1 the default step, 6e-6, is too
        // coarse for x^(-1/2), whose third derivative grows like x^(-7/2).)
        let rel_step = GradientCheckOptions {
            step: f64::EPSILON.cbrt() * xf.min(1.0),
            ..opts(1e-5, 0.0)
        };
        assert_fd_with(|p| inv_sqrt(p[0]), &[xf], &[f64::from(g)], rel_step);
        // d_out scales it.
        let (_, g2) = fast_inv_sqrt_backward(x32, -3.0);
        assert_rel(f64::from(g2), -3.0 * f64::from(g), 1e-6, "d_out = -3");

        let (v, g) = fast_inv_sqrt64_backward(x, 1.0);
        assert_eq!(v.to_bits(), fast_inv_sqrt64(x).to_bits());
        assert_rel(v, inv_sqrt(x), 5e-6, "fast 1/sqrt, f64");
        let rel_step = GradientCheckOptions {
            step: f64::EPSILON.cbrt() * x.min(1.0),
            ..opts(1e-6, 0.0)
        };
        assert_fd_with(|p| inv_sqrt(p[0]), &[x], &[g], rel_step);
    }
}

/// A `#[grad]` caller: the cosine of the angle between `v` and `u`, with the
/// norm from the fast inverse square root.
#[grad]
fn cosine32(v: [f32; 3], u: [f32; 3]) -> f32 {
    let vv = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    let uu = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
    let vu = v[0] * u[0] + v[1] * u[1] + v[2] * u[2];
    vu * fast_inv_sqrt(vv) * fast_inv_sqrt(uu)
}

#[grad]
fn cosine64(v: [f64; 3], u: [f64; 3]) -> f64 {
    let vv = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    let uu = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
    let vu = v[0] * u[0] + v[1] * u[1] + v[2] * u[2];
    vu * fast_inv_sqrt64(vv) * fast_inv_sqrt64(uu)
}

/// The exact cosine, in f64.
fn cosine_exact(p: &[f64]) -> f64 {
    let (v, u) = (&p[0..3], &p[3..6]);
    let vv: f64 = v.iter().map(|a| a * a).sum();
    let uu: f64 = u.iter().map(|a| a * a).sum();
    let vu: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
    vu / (vv.sqrt() * uu.sqrt())
}

#[test]
fn fast_inv_sqrt_in_a_grad_caller() {
    let points: [[f64; 6]; 4] = [
        [0.3, -1.2, 0.8, 1.5, 0.4, -0.7],
        [2.0, 0.1, 0.0, -0.3, 0.9, 1.1],
        [0.05, 0.02, -0.04, 3.0, -2.0, 1.0],
        [1.0, 1.0, 1.0, 1.0, -1.0, 0.5],
    ];
    for p in points {
        let v32 = [p[0] as f32, p[1] as f32, p[2] as f32];
        let u32 = [p[3] as f32, p[4] as f32, p[5] as f32];
        let (c, dv, du) = cosine32_backward(v32, u32, 1.0);
        assert_eq!(c, cosine32(v32, u32));
        let at: Vec<f64> = v32.iter().chain(&u32).map(|a| f64::from(*a)).collect();
        let g: Vec<f64> = dv.iter().chain(&du).map(|a| f64::from(*a)).collect();
        // Each term of the gradient carries at most two factors of the
        // approximation (relative error 1.75e-3 each) and the cosine is bounded
        // by 1: a relative tolerance of 4e-3 and an absolute one of 4e-3 (the
        // gradient has entries of order 1/|v|) cover them.
        let scale = 1.0 / (at[0..3].iter().map(|a| a * a).sum::<f64>()).sqrt();
        assert_fd_with(cosine_exact, &at, &g, opts(4e-3, 4e-3 * scale.max(1.0)));
        assert!((f64::from(c) - cosine_exact(&at)).abs() < 4e-3);

        let (v64, u64_) = ([p[0], p[1], p[2]], [p[3], p[4], p[5]]);
        let (c, dv, du) = cosine64_backward(v64, u64_, 1.0);
        assert_eq!(c, cosine64(v64, u64_));
        // Two Newton steps: 5e-6 per factor.
        let g: Vec<f64> = dv.iter().chain(&du).copied().collect();
        assert_fd_with(cosine_exact, &p, &g, opts(1e-5, 1e-5 * scale.max(1.0)));
    }
}

// ---------------------------------------------------------------- Kepler's equation

/// The eccentric anomaly `E` of Kepler's equation `E - e sin E = M`, by
/// Newton's method (`loop` + `break`, not differentiable by `#[grad]`).
#[grad(custom)]
fn kepler(m: f64, e: f64) -> f64 {
    let mut ea = if e < 0.8 { m } else { std::f64::consts::PI };
    let mut n = 0;
    loop {
        let step = (ea - e * ea.sin() - m) / (1.0 - e * ea.cos());
        ea -= step;
        n += 1;
        if step.abs() < 1e-15 || n == 100 {
            break;
        }
    }
    ea
}

/// The implicit function theorem on `F(E, M, e) = E - e sin E - M = 0`:
/// `dE/dM = 1 / (1 - e cos E)`, `dE/de = sin E / (1 - e cos E)`.
fn kepler_backward(m: f64, e: f64, d_out: f64) -> (f64, f64, f64) {
    let ea = kepler(m, e);
    let k = d_out / (1.0 - e * ea.cos());
    (ea, k, k * ea.sin())
}

/// Position on the orbit at mean anomaly `m`: a tuple result.
#[grad]
fn orbit(m: f64, e: f64, a: f64) -> (f64, f64) {
    let ea = kepler(m, e);
    (a * (ea.cos() - e), a * (1.0 - e * e).sqrt() * ea.sin())
}

/// The orbit sampled at `n` mean anomalies: a call in a loop, its result a
/// tuple; the squared distance from a point, summed.
#[grad(wrt(e, a))]
fn orbit_fit(e: f64, a: f64, px: f64, py: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for k in 0..n {
        let m = 0.3 + 0.7 * k as f64;
        let (x, y) = orbit(m, e, a);
        s += (x - px) * (x - px) + (y - py) * (y - py);
    }
    s
}

#[test]
fn kepler_solver_companion() {
    for &(m, e) in &[(0.2, 0.1), (1.0, 0.3), (2.5, 0.6), (5.9, 0.9), (-1.3, 0.45)] {
        let (ea, dm, de) = kepler_backward(m, e, 1.0);
        assert_eq!(ea, kepler(m, e));
        assert!(
            (ea - e * ea.sin() - m).abs() < 1e-12,
            "not solved at {m}, {e}"
        );
        assert_fd(|p| kepler(p[0], p[1]), &[m, e], &[dm, de]);
    }
}

#[test]
fn kepler_in_grad_callers() {
    for &(m, e, a) in &[(1.0, 0.3, 1.5), (2.2, 0.7, 0.8), (4.0, 0.05, 2.0)] {
        let x_of = |p: &[f64]| orbit(p[0], p[1], p[2]).0;
        let y_of = |p: &[f64]| orbit(p[0], p[1], p[2]).1;
        let (xy, dm, de, da) = orbit_backward(m, e, a, (1.0, 0.0));
        assert_eq!(xy, orbit(m, e, a));
        assert_fd(x_of, &[m, e, a], &[dm, de, da]);
        let (_, dm, de, da) = orbit_backward(m, e, a, (0.0, 1.0));
        assert_fd(y_of, &[m, e, a], &[dm, de, da]);
    }
    for n in [1usize, 4, 9] {
        let (e, a) = (0.4, 1.3);
        let (v, de, da) = orbit_fit_backward(e, a, 0.2, -0.5, n, 1.0);
        assert_eq!(v, orbit_fit(e, a, 0.2, -0.5, n));
        assert_fd(|p| orbit_fit(p[0], p[1], 0.2, -0.5, n), &[e, a], &[de, da]);
    }
}

// ---------------------------------------------------------------- the real root of a cubic

/// The real root of `x³ + a x + b = 0` for `a > 0` (the cubic is increasing,
/// so the root is unique), by Newton's method from `-b / a`.
#[grad(custom)]
fn cubic_root(a: f64, b: f64) -> f64 {
    let mut x = -b / a;
    loop {
        let step = (x * x * x + a * x + b) / (3.0 * x * x + a);
        x -= step;
        if step.abs() <= 1e-15 * x.abs().max(1.0) {
            break;
        }
    }
    x
}

/// Implicit function theorem on `F = x³ + a x + b`:
/// `dx/da = -x / F_x`, `dx/db = -1 / F_x` with `F_x = 3x² + a`.
fn cubic_root_backward(a: f64, b: f64, d_out: f64) -> (f64, f64, f64) {
    let x = cubic_root(a, b);
    let k = -d_out / (3.0 * x * x + a);
    (x, k * x, k)
}

/// A caller: the root's square times a smooth function of the coefficients,
/// the root called twice, once inside an `if`.
#[grad]
fn cubic_user(a: f64, b: f64) -> f64 {
    let r = cubic_root(a, b);
    let mut s = r * r * a.ln();
    if b > 0.0 {
        s += cubic_root(a * a, b - 1.0).sin();
    } else {
        s -= b.exp() * r;
    }
    s
}

#[test]
fn cubic_root_companion_and_caller() {
    for &(a, b) in &[(1.0, 0.5), (0.3, -2.0), (4.0, 10.0), (2.5, -0.1)] {
        let (x, da, db) = cubic_root_backward(a, b, 1.0);
        assert_eq!(x, cubic_root(a, b));
        assert!((x * x * x + a * x + b).abs() < 1e-12 * b.abs().max(1.0));
        assert_fd(|p| cubic_root(p[0], p[1]), &[a, b], &[da, db]);

        let (v, da, db) = cubic_user_backward(a, b, 1.0);
        assert_eq!(v, cubic_user(a, b));
        assert_fd(|p| cubic_user(p[0], p[1]), &[a, b], &[da, db]);
    }
}

// ---------------------------------------------------------------- a root with coefficients by reference

/// A root of `c0 + c1 x + c2 x² + c3 x³` by `iters` Newton steps from `x0`:
/// coefficients by `&` (a `&mut` shadow in the companion), an inactive `usize`.
#[grad(custom)]
fn poly_root(c: &[f64; 4], x0: f64, iters: usize) -> f64 {
    let mut x = x0;
    for _ in 0..iters {
        let p = c[0] + x * (c[1] + x * (c[2] + x * c[3]));
        let dp = c[1] + x * (2.0 * c[2] + 3.0 * x * c[3]);
        x -= p / dp;
    }
    x
}

/// `dx/dc_k = -x^k / p'(x)`, *added* into `d_c`; a converged root does not
/// depend on the starting point: its gradient is 0.
fn poly_root_backward(
    c: &[f64; 4],
    d_c: &mut [f64; 4],
    x0: f64,
    iters: usize,
    d_out: f64,
) -> (f64, f64) {
    let x = poly_root(c, x0, iters);
    let dp = c[1] + x * (2.0 * c[2] + 3.0 * x * c[3]);
    let mut xk = 1.0;
    for k in 0..4 {
        d_c[k] -= d_out * xk / dp;
        xk *= x;
    }
    (x, 0.0)
}

/// Two roots of the same polynomial's neighbours: the caller's shadow `d_c`
/// receives the sum of both callees' contributions.
#[grad]
fn two_roots(c: &[f64; 4], shift: f64) -> f64 {
    let d = [c[0] + shift, c[1], c[2], c[3]];
    let r1 = poly_root(c, 0.5, 40);
    let r2 = poly_root(&d, 0.5, 40);
    r1 * r2 + shift * r1
}

#[test]
fn root_with_coefficients_by_reference() {
    // (x - 0.7)(x² + 1) = x³ - 0.7x² + x - 0.7: one real root, 0.7.
    let c = [-0.7, 1.0, -0.7, 1.0];
    let mut dc = [0.0; 4];
    let (x, dx0) = poly_root_backward(&c, &mut dc, 0.5, 40, 1.0);
    assert!((x - 0.7).abs() < 1e-14);
    assert_eq!(dx0, 0.0);
    assert_fd(|p| poly_root(&[p[0], p[1], p[2], p[3]], 0.5, 40), &c, &dc);
    // Added into, not overwritten.
    let before = dc;
    poly_root_backward(&c, &mut dc, 0.5, 40, 1.0);
    for k in 0..4 {
        assert_eq!(dc[k], 2.0 * before[k]);
    }

    for shift in [0.0, 0.3, -0.2] {
        let mut dc = [0.0; 4];
        let (v, dshift) = two_roots_backward(&c, &mut dc, shift, 1.0);
        assert_eq!(v, two_roots(&c, shift));
        let f = |p: &[f64]| two_roots(&[p[0], p[1], p[2], p[3]], p[4]);
        let mut at = c.to_vec();
        at.push(shift);
        let mut g = dc.to_vec();
        g.push(dshift);
        assert_fd(f, &at, &g);
    }
}

// ---------------------------------------------------------------- generic, slices, tuples

/// The cube root by Newton's method, for any float type.
#[grad(custom)]
fn cbrt_newton<T: Real>(a: T) -> T {
    let mut x = if a > T::ONE { a } else { T::ONE };
    let mut n = 0;
    loop {
        let next = x - (x * x * x - a) / (T::from_f64(3.0) * x * x);
        n += 1;
        if next == x || n == 200 {
            break;
        }
        x = next;
    }
    x
}

fn cbrt_newton_backward<T: Real>(a: T, d_out: T) -> (T, T) {
    let x = cbrt_newton(a);
    (x, d_out / (T::from_f64(3.0) * x * x))
}

#[grad]
fn uses_cbrt<T: Real>(a: T, b: T) -> T {
    cbrt_newton(a * a + b) * b
}

/// A slice in, its gradient added into the shadow.
#[grad(custom)]
fn soft_max_norm(x: &[f64]) -> f64 {
    // log Σ exp(x_i²), computed with a sort (not differentiable by #[grad]).
    let mut sq: Vec<f64> = x.iter().map(|v| v * v).collect();
    sq.sort_by(|a, b| b.partial_cmp(a).unwrap());
    let m = sq[0];
    m + sq.iter().map(|s| (s - m).exp()).sum::<f64>().ln()
}

fn soft_max_norm_backward(x: &[f64], d_x: &mut [f64], d_out: f64) -> f64 {
    let v = soft_max_norm(x);
    for (d, xi) in d_x.iter_mut().zip(x) {
        *d += d_out * (xi * xi - v).exp() * 2.0 * xi;
    }
    v
}

/// A tuple result: `(sin x, cos x)` from one `sin_cos` call.
#[grad(custom)]
fn sin_cos(x: f64) -> (f64, f64) {
    x.sin_cos()
}

fn sin_cos_backward(x: f64, d_out: (f64, f64)) -> ((f64, f64), f64) {
    let (s, c) = x.sin_cos();
    ((s, c), d_out.0 * c - d_out.1 * s)
}

#[grad]
fn uses_slices_and_tuples(x: &[f64], t: f64) -> f64 {
    let (s, c) = sin_cos(t);
    soft_max_norm(x) * s + c * c
}

#[test]
fn generic_slice_and_tuple_customs() {
    for &(a, b) in &[(0.5, 2.0), (1.7, -0.4), (3.0, 0.25)] {
        let (v, da, db) = uses_cbrt_backward(a, b, 1.0);
        assert_eq!(v, uses_cbrt(a, b));
        assert_fd(|p| uses_cbrt(p[0], p[1]), &[a, b], &[da, db]);
        let (v32, da32, db32) = uses_cbrt_backward(a as f32, b as f32, 1.0f32);
        assert!((f64::from(v32) - v).abs() < 1e-5 * v.abs().max(1.0));
        assert!((f64::from(da32) - da).abs() < 1e-4 * da.abs().max(1.0));
        assert!((f64::from(db32) - db).abs() < 1e-4 * db.abs().max(1.0));
    }
    for n in [1usize, 3, 6] {
        let x: Vec<f64> = (0..n).map(|i| 0.4 * i as f64 - 0.9).collect();
        let mut dx = vec![0.0; n];
        let (v, dt) = uses_slices_and_tuples_backward(&x, &mut dx, 0.8, 1.0);
        assert_eq!(v, uses_slices_and_tuples(&x, 0.8));
        let mut at = x.clone();
        at.push(0.8);
        let mut g = dx.clone();
        g.push(dt);
        assert_fd(|p| uses_slices_and_tuples(&p[..n], p[n]), &at, &g);
    }
}

// ---------------------------------------------------------------- macro bugs

/// Valid code the macro turns into code that does not compile; remove
/// `cfg(any())` once the macro is fixed.
mod natural_forms {
    use super::*;

    /// `#[grad(custom)]` on a method: the signature check is emitted as a
    /// `const _: () = { fn check() { let _: fn(..) = m_backward; } };` inside
    /// the `impl` block, which is not allowed there ("`const` items in this
    /// context need a name", "can't use `Self` from outer item", "cannot find
    /// value `m_backward`"). It should work (`Self::m_backward`, a named or
    /// outer const) or say that `custom` is for free functions.
    pub struct Scaled {
        k: f64,
    }

    impl Scaled {
        #[grad(custom)]
        pub fn apply(&self, x: f64) -> f64 {
            self.k * fast_inv_sqrt64(x)
        }

        pub fn apply_backward(&self, x: f64, d_out: f64) -> (f64, f64) {
            (self.apply(x), -0.5 * self.k * d_out * x.powf(-1.5))
        }
    }

    #[test]
    fn custom_method() {
        let s = Scaled { k: 2.0 };
        let (_, g) = s.apply_backward(4.0, 1.0);
        assert_eq!(g, -0.5 * 2.0 / 8.0);
    }
}
