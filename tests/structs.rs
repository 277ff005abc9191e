//! Struct parameters (`#[derive(autodiff::Tangent)]`) and `#[grad]` methods.
//!
//! - by value (the gradient is returned as a struct of the same type) and by
//!   `&` (a `d_p: &mut S` shadow the gradient is *added* into);
//! - nested structs, scalar and array fields, field reads `p.w[i][j]`,
//!   `p.l1.b[i]`, `p.scale`;
//! - fields (`&p.w`, `&p.l1`) and whole structs (`p`, `&p`) passed on to other
//!   `#[grad]` functions; accumulation into the shadow across calls;
//! - `&self` methods with `self` left out by `wrt` (data; the gradient of `x`),
//!   plain `#[grad]` `&self` methods (`self` differentiated, a `d_self` shadow) and
//!   `#[grad(wrt(self, x))]` methods (a `d_self: &mut Self` shadow).
//!
//! Gradients are checked against central finite differences (relative 1e-6,
//! absolute 1e-8) or exact values (1e-12).
#![deny(warnings)]
#![allow(clippy::needless_range_loop)]

use autodiff::{grad, Real, Tangent};

mod common;
use common::*;

/// Flattening structs to points for finite differences, and back.
trait Flat: Sized {
    fn flat(&self) -> Vec<f64>;
    fn read(p: &[f64]) -> (Self, usize);
    fn from_flat(p: &[f64]) -> Self {
        let (s, n) = Self::read(p);
        assert_eq!(n, p.len(), "wrong length");
        s
    }
}

impl Flat for f64 {
    fn flat(&self) -> Vec<f64> {
        vec![*self]
    }
    fn read(p: &[f64]) -> (Self, usize) {
        (p[0], 1)
    }
}

impl<A: Flat + Copy + Default, const N: usize> Flat for [A; N] {
    fn flat(&self) -> Vec<f64> {
        self.iter().flat_map(Flat::flat).collect()
    }
    fn read(p: &[f64]) -> (Self, usize) {
        let mut out = [A::default(); N];
        let mut at = 0;
        for o in out.iter_mut() {
            let (a, n) = A::read(&p[at..]);
            *o = a;
            at += n;
        }
        (out, at)
    }
}

// ---------------------------------------------------------------- the structs

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Lin {
    pub w: [[f64; 2]; 3],
    pub b: [f64; 3],
    pub scale: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Head {
    pub v: [f64; 3],
    pub c: f64,
}

/// Nested: two `Tangent` structs and a scalar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Net {
    pub l1: Lin,
    pub head: Head,
    pub temp: f64,
}

impl Flat for Lin {
    fn flat(&self) -> Vec<f64> {
        cat(&[&self.w.flat(), &self.b, &[self.scale]])
    }
    fn read(p: &[f64]) -> (Self, usize) {
        let (w, a) = <[[f64; 2]; 3]>::read(p);
        let (b, c) = <[f64; 3]>::read(&p[a..]);
        (
            Lin {
                w,
                b,
                scale: p[a + c],
            },
            a + c + 1,
        )
    }
}

impl Flat for Head {
    fn flat(&self) -> Vec<f64> {
        cat(&[&self.v, &[self.c]])
    }
    fn read(p: &[f64]) -> (Self, usize) {
        (Head { v: arr(p), c: p[3] }, 4)
    }
}

impl Flat for Net {
    fn flat(&self) -> Vec<f64> {
        cat(&[&self.l1.flat(), &self.head.flat(), &[self.temp]])
    }
    fn read(p: &[f64]) -> (Self, usize) {
        let (l1, a) = Lin::read(p);
        let (head, b) = Head::read(&p[a..]);
        (
            Net {
                l1,
                head,
                temp: p[a + b],
            },
            a + b + 1,
        )
    }
}

fn lin() -> Lin {
    Lin {
        w: [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]],
        b: [0.1, -0.2, 0.3],
        scale: 1.5,
    }
}

fn net() -> Net {
    Net {
        l1: lin(),
        head: Head {
            v: [0.7, -1.2, 0.4],
            c: 0.25,
        },
        temp: 0.8,
    }
}

const X: [f64; 2] = [0.7, -1.1];

// ---------------------------------------------------------------- by reference

/// Field reads `p.w[i][j]`, `p.b[i]`, `p.scale`.
#[grad]
fn lin_ref(p: &Lin, x: &[f64; 2]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        let mut h = p.b[i];
        for j in 0..2 {
            h += p.w[i][j] * x[j];
        }
        s += h.tanh();
    }
    s * p.scale
}

#[test]
fn struct_by_reference() {
    let p = lin();
    let mut dp = <Lin as Tangent>::zero();
    let mut dx = [0.0; 2];
    let v = lin_ref_backward(&p, &mut dp, &X, &mut dx, 1.0);
    assert_eq!(v, lin_ref(&p, &X));
    assert_fd(
        |q| lin_ref(&Lin::from_flat(&q[..10]), &arr(&q[10..])),
        &cat(&[&p.flat(), &X]),
        &cat(&[&dp.flat(), &dx]),
    );
    // The shadow is added into: a second call doubles it; the caller zeroes it.
    let first = dp;
    lin_ref_backward(&p, &mut dp, &X, &mut dx, 1.0);
    assert_all_near(
        &dp.flat(),
        &first.flat().iter().map(|g| 2.0 * g).collect::<Vec<_>>(),
        1e-15,
        "accumulated",
    );
}

// ---------------------------------------------------------------- by value

#[grad]
fn lin_val(p: Lin, x: [f64; 2]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += p.b[i] * x[0] + p.w[i][1] * x[1] * x[1];
    }
    s * p.scale
}

#[test]
fn struct_by_value() {
    let p = lin();
    let (v, g, gx) = lin_val_backward(p, X, 1.0);
    assert_eq!(v, lin_val(p, X));
    // Exact: d/db_i = x0 s, d/dw_i1 = x1² s, d/dw_i0 = 0, d/dscale = Σ …
    let want = Lin {
        w: [[0.0, X[1] * X[1] * 1.5]; 3],
        b: [X[0] * 1.5; 3],
        scale: (0.1 - 0.2 + 0.3) * X[0] + (0.2 - 0.4 + 0.6) * X[1] * X[1],
    };
    assert_all_near(&g.flat(), &want.flat(), 1e-12, "d_p");
    assert_near(gx[0], (0.1 - 0.2 + 0.3) * 1.5, 1e-12, "dx0");
    assert_near(gx[1], 2.0 * X[1] * (0.2 - 0.4 + 0.6) * 1.5, 1e-12, "dx1");
    // d_out scales the struct gradient.
    let (_, g2, _) = lin_val_backward(p, X, -2.0);
    assert_all_near(
        &g2.flat(),
        &g.flat().iter().map(|a| -2.0 * a).collect::<Vec<_>>(),
        1e-12,
        "d_out",
    );
}

// ---------------------------------------------------------------- nested

#[grad]
fn net_ref(n: &Net, x: &[f64; 2]) -> f64 {
    let mut s = n.head.c;
    for i in 0..3 {
        let mut a = n.l1.b[i];
        for j in 0..2 {
            a += n.l1.w[i][j] * x[j];
        }
        s += n.head.v[i] * (a * n.l1.scale).tanh();
    }
    s * n.temp
}

#[grad]
fn net_val(n: Net, x: [f64; 2]) -> f64 {
    let mut s = n.head.c;
    for i in 0..3 {
        let mut a = n.l1.b[i];
        for j in 0..2 {
            a += n.l1.w[i][j] * x[j];
        }
        s += n.head.v[i] * (a * n.l1.scale).tanh();
    }
    s * n.temp
}

#[test]
fn nested_structs() {
    let n = net();
    let mut dn = <Net as Tangent>::zero();
    let mut dx = [0.0; 2];
    let v = net_ref_backward(&n, &mut dn, &X, &mut dx, 1.0);
    assert_eq!(v, net_ref(&n, &X));
    let len = n.flat().len();
    assert_fd(
        |q| net_ref(&Net::from_flat(&q[..len]), &arr(&q[len..])),
        &cat(&[&n.flat(), &X]),
        &cat(&[&dn.flat(), &dx]),
    );
    // By value: the same gradient, returned.
    let (v2, g, gx) = net_val_backward(n, X, 1.0);
    assert_eq!(v2, v);
    assert_all_near(&g.flat(), &dn.flat(), 1e-12, "by value vs by reference");
    assert_all_near(&gx, &dx, 1e-12, "dx");
}

// ---------------------------------------------------------------- fields and structs passed on

#[grad]
fn dot3(w: &[f64; 3], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += w[i] * x[i];
    }
    s
}

#[grad]
fn sq(x: f64) -> f64 {
    x * x
}

/// `tanh(scale (W x + b))` of a `&Lin`: an array result.
#[grad]
fn lin_fwd(p: &Lin, x: &[f64; 2]) -> [f64; 3] {
    let mut h = [0.0; 3];
    for i in 0..3 {
        let mut a = p.b[i];
        for j in 0..2 {
            a += p.w[i][j] * x[j];
        }
        h[i] = (a * p.scale).tanh();
    }
    h
}

#[grad]
fn head(h: &Head, z: &[f64; 3]) -> f64 {
    dot3(&h.v, z) + h.c
}

/// Nested fields and struct fields passed on: `&n.l1` (a struct), `&n.head`,
/// `&n.head.v` (an array), `n.temp` read; the head called twice.
#[grad]
fn net_composed(n: &Net, x: &[f64; 2]) -> f64 {
    let h: [f64; 3] = lin_fwd(&n.l1, x);
    let s = head(&n.head, &h);
    s * n.temp + 0.1 * dot3(&n.head.v, &n.l1.b) + sq(n.l1.b[2])
}

/// The same value written with the struct passed whole.
#[grad]
fn net_whole(n: &Net, x: &[f64; 2]) -> f64 {
    net_ref(n, x) + 0.1 * dot3(&n.head.v, &n.l1.b) + sq(n.l1.b[2])
}

#[test]
fn fields_and_structs_passed_on() {
    let n = net();
    let len = n.flat().len();
    let mut dn = <Net as Tangent>::zero();
    let mut dx = [0.0; 2];
    let v = net_composed_backward(&n, &mut dn, &X, &mut dx, 1.0);
    assert_eq!(v, net_composed(&n, &X));
    assert_fd(
        |q| net_composed(&Net::from_flat(&q[..len]), &arr(&q[len..])),
        &cat(&[&n.flat(), &X]),
        &cat(&[&dn.flat(), &dx]),
    );
    let mut dn2 = <Net as Tangent>::zero();
    let mut dx2 = [0.0; 2];
    let v2 = net_whole_backward(&n, &mut dn2, &X, &mut dx2, 1.0);
    assert_near(v2, v, 1e-12, "same value");
    assert_all_near(&dn2.flat(), &dn.flat(), 1e-12, "whole struct vs its fields");
    assert_all_near(&dx2, &dx, 1e-12, "dx, whole struct vs its fields");
    assert_fd(
        |q| net_whole(&Net::from_flat(&q[..len]), &arr(&q[len..])),
        &cat(&[&n.flat(), &X]),
        &cat(&[&dn2.flat(), &dx2]),
    );
}

/// `&p` of a by-value struct passed to a `&` parameter; a by-value struct's
/// fields passed on by `&`.
#[grad]
fn ref_of_by_value(p: Lin, x: [f64; 2]) -> f64 {
    let h: [f64; 3] = lin_fwd(&p, &x);
    h[0] * h[2] + dot3(&p.b, &h)
}

#[test]
fn reference_to_a_by_value_struct() {
    let p = lin();
    let (v, g, gx) = ref_of_by_value_backward(p, X, 1.0);
    assert_eq!(v, ref_of_by_value(p, X));
    assert_fd(
        |q| ref_of_by_value(Lin::from_flat(&q[..10]), arr(&q[10..])),
        &cat(&[&p.flat(), &X]),
        &cat(&[&g.flat(), &gx]),
    );
}

/// Accumulation across calls inside one body: the same `&` struct reaches
/// three callees, and the caller's shadow gets the sum.
#[grad]
fn three_calls(p: &Lin, x: &[f64; 2]) -> f64 {
    let x2 = [x[1], x[0]];
    let h: [f64; 3] = lin_fwd(p, x);
    lin_ref(p, x) + lin_ref(p, &x2) * 0.5 + h[1]
}

#[test]
fn accumulation_across_calls() {
    let p = lin();
    let mut dp = <Lin as Tangent>::zero();
    let mut dx = [0.0; 2];
    let v = three_calls_backward(&p, &mut dp, &X, &mut dx, 1.0);
    assert_eq!(v, three_calls(&p, &X));
    assert_fd(
        |q| three_calls(&Lin::from_flat(&q[..10]), &arr(&q[10..])),
        &cat(&[&p.flat(), &X]),
        &cat(&[&dp.flat(), &dx]),
    );
    // Equal to the sum of the callees' own companions.
    let mut want = <Lin as Tangent>::zero();
    let (mut sx, mut sx2) = ([0.0; 2], [0.0; 2]);
    lin_ref_backward(&p, &mut want, &X, &mut sx, 1.0);
    lin_ref_backward(&p, &mut want, &[X[1], X[0]], &mut sx2, 0.5);
    lin_fwd_backward(&p, &mut want, &X, &mut sx, [0.0, 1.0, 0.0]);
    assert_all_near(&dp.flat(), &want.flat(), 1e-12, "sum of callees");
}

// ---------------------------------------------------------------- generic and f32 structs

#[derive(Clone, Copy, Debug, Tangent)]
pub struct Affine<T> {
    pub a: T,
    pub b: [T; 2],
}

#[grad]
fn affine<T: Real>(p: &Affine<T>, x: T) -> T {
    (p.a * x + p.b[0]).sin() * p.b[1]
}

#[grad]
fn affine_val<T: Real>(p: Affine<T>, x: T) -> T {
    (p.a * x + p.b[0]).sin() * p.b[1]
}

#[test]
fn generic_struct() {
    let p = Affine {
        a: 0.7,
        b: [0.2, -1.3],
    };
    let x = 0.9;
    let mut dp = <Affine<f64> as Tangent>::zero();
    let (v, dx) = affine_backward(&p, &mut dp, x, 1.0);
    assert_eq!(v, affine(&p, x));
    let f = |q: &[f64]| {
        affine(
            &Affine {
                a: q[0],
                b: [q[1], q[2]],
            },
            q[3],
        )
    };
    assert_fd(f, &[p.a, p.b[0], p.b[1], x], &[dp.a, dp.b[0], dp.b[1], dx]);
    let (_, g, gx) = affine_val_backward(p, x, 1.0);
    assert_eq!([g.a, g.b[0], g.b[1], gx], [dp.a, dp.b[0], dp.b[1], dx]);
    // f32.
    let p32 = Affine {
        a: 0.7f32,
        b: [0.2, -1.3],
    };
    let mut dp32 = <Affine<f32> as Tangent>::zero();
    let (_, dx32) = affine_backward(&p32, &mut dp32, 0.9f32, 1.0);
    assert_near(f64::from(dp32.a), dp.a, 1e-5, "f32 a");
    assert_near(f64::from(dp32.b[1]), dp.b[1], 1e-5, "f32 b1");
    assert_near(f64::from(dx32), dx, 1e-5, "f32 x");
}

// ---------------------------------------------------------------- methods, self inactive

/// Not a `Tangent`: its `&self` methods leave `self` out (`wrt(x)`), as data.
pub struct Model {
    k: f64,
    w: [f64; 3],
    n: usize,
}

impl Model {
    #[grad(wrt(x))]
    pub fn apply(&self, x: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..3 {
            s += (self.w[i] * x).sin();
        }
        s * self.k
    }

    /// An associated `#[grad]` fn called through `Self::`.
    #[grad]
    pub fn square(x: f64) -> f64 {
        x * x
    }

    #[grad(wrt(x))]
    pub fn apply_twice(&self, x: &[f64; 2]) -> f64 {
        Self::square(x[0] * self.k) + sq(x[1]) * self.w[2] + Model::square(self.w[0])
    }

    /// An integer argument next to self (an integer *field* of self is
    /// rejected, see `macro_bugs::integer_field_of_self`).
    #[grad(wrt(x))]
    pub fn powered(&self, x: f64, n: usize) -> f64 {
        let mut s = 1.0;
        for _ in 0..n {
            s *= x * self.k;
        }
        s
    }
}

#[test]
fn methods_with_inactive_self() {
    let m = Model {
        k: 0.5,
        w: [1.0, -2.0, 0.3],
        n: 3,
    };
    for &x in &[0.4, -1.2] {
        let (v, dx) = m.apply_backward(x, 1.0);
        assert_eq!(v, m.apply(x));
        let want: f64 = m.w.iter().map(|w| w * (w * x).cos()).sum::<f64>() * m.k;
        assert_near(dx, want, 1e-12, "dx");
        let (v, dx) = m.powered_backward(x, m.n, 1.0);
        assert_eq!(v, m.powered(x, m.n));
        assert_near(dx, 3.0 * m.k.powi(3) * x * x, 1e-12, "powered");
    }
    let (v, d) = Model::square_backward(3.0, 1.0);
    assert_eq!((v, d), (9.0, 6.0));
    let x = [0.8, -0.6];
    let mut dx = [0.0; 2];
    let v = m.apply_twice_backward(&x, &mut dx, 1.0);
    assert_eq!(v, m.apply_twice(&x));
    assert_all_near(
        &dx,
        &[2.0 * x[0] * m.k * m.k, 2.0 * x[1] * m.w[2]],
        1e-12,
        "dx",
    );
}

// ---------------------------------------------------------------- methods, differentiable self

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Poly {
    c: [f64; 3],
}

impl Poly {
    #[grad(wrt(self, x))]
    pub fn eval(&self, x: f64) -> f64 {
        self.c[0] + self.c[1] * x + self.c[2] * x * x
    }

    /// Only self: the companion returns the value alone.
    #[grad(wrt(self))]
    pub fn eval_at(&self, x: f64) -> f64 {
        self.c[0] + self.c[1] * x + self.c[2] * x * x
    }

    /// Self's fields passed on to a free `#[grad]` fn.
    #[grad(wrt(self, x))]
    pub fn composed(&self, x: f64) -> f64 {
        let v = [x, x * x, 1.0];
        dot3(&self.c, &v) + sq(self.c[1])
    }

    /// Another `#[grad]` method called as `Self::eval(self, x)`: self's
    /// shadow passed on.
    #[grad(wrt(self, x))]
    pub fn calls_eval(&self, x: f64) -> f64 {
        Self::eval(self, x) * x
    }

    /// `self` by value: its gradient is returned, as a `Poly`.
    #[grad(wrt(self, x))]
    pub fn owned(self, x: f64) -> f64 {
        self.c[0] * x + self.c[2] * x.sin()
    }
}

/// Self of a nested struct: `self.l1.w[i][j]`, `&self.head` passed on.
impl Net {
    #[grad(wrt(self, x))]
    pub fn loss(&self, x: &[f64; 2]) -> f64 {
        let h: [f64; 3] = lin_fwd(&self.l1, x);
        head(&self.head, &h) * self.temp
    }
}

#[test]
fn methods_with_differentiable_self() {
    let p = Poly { c: [1.0, 2.0, 3.0] };
    let mut dp = <Poly as Tangent>::zero();
    let (v, dx) = p.eval_backward(&mut dp, 0.5, 1.0);
    assert_eq!(v, p.eval(0.5));
    assert_eq!(dx, 2.0 + 6.0 * 0.5);
    assert_eq!(dp.c, [1.0, 0.5, 0.25]);

    let mut dq = <Poly as Tangent>::zero();
    let v: f64 = p.eval_at_backward(&mut dq, 2.0, 1.0);
    assert_eq!(v, p.eval_at(2.0));
    assert_eq!(dq.c, [1.0, 2.0, 4.0]);

    let mut dc = <Poly as Tangent>::zero();
    let (v, dx) = p.composed_backward(&mut dc, 0.7, 1.0);
    assert_eq!(v, p.composed(0.7));
    assert_all_near(&dc.c, &[0.7, 0.49 + 2.0 * 2.0, 1.0], 1e-12, "d_self");
    // c0 x + c1 x² + c2 + c1²
    assert_near(dx, 1.0 + 2.0 * 2.0 * 0.7, 1e-12, "dx");

    let mut dc = <Poly as Tangent>::zero();
    let (v, dx) = p.calls_eval_backward(&mut dc, 0.7, 1.0);
    assert_eq!(v, p.calls_eval(0.7));
    assert_all_near(
        &dc.c,
        &[0.7, 0.49, 0.343],
        1e-12,
        "d_self through Self::eval",
    );
    assert_near(
        dx,
        1.0 + 2.0 * 2.0 * 0.7 + 3.0 * 3.0 * 0.49,
        1e-12,
        "dx through Self::eval",
    );

    let (v, g, dx) = p.owned_backward(0.7, 1.0);
    assert_eq!(v, p.owned(0.7));
    assert_all_near(
        &g.c,
        &[0.7, 0.0, 0.7f64.sin()],
        1e-12,
        "gradient of self by value",
    );
    assert_near(dx, 1.0 + 3.0 * 0.7f64.cos(), 1e-12, "dx, self by value");

    let n = net();
    let len = n.flat().len();
    let mut dn = <Net as Tangent>::zero();
    let mut dx = [0.0; 2];
    let v = n.loss_backward(&mut dn, &X, &mut dx, 1.0);
    assert_eq!(v, n.loss(&X));
    assert_fd(
        |q| Net::from_flat(&q[..len]).loss(&arr(&q[len..])),
        &cat(&[&n.flat(), &X]),
        &cat(&[&dn.flat(), &dx]),
    );
}

// ---------------------------------------------------------------- macro bugs

/// Valid code the macro turns into code that does not compile, or rejects;
/// remove `cfg(any())` once the macro is fixed.
mod natural_forms {
    use super::*;

    /// A by-value struct passed on to a by-value struct parameter: the
    /// companion adds the callee's struct gradient with `+=` (E0368:
    /// "binary assignment operation `+=` cannot be applied to type `Lin`")
    /// instead of `Tangent::accumulate`.
    #[grad]
    fn whole_by_value(p: Lin, x: [f64; 2]) -> f64 {
        lin_val(p, x) * 2.0
    }

    #[test]
    fn struct_by_value_passed_on() {
        let p = lin();
        let (_, g, gx) = whole_by_value_backward(p, X, 1.0);
        let (_, g1, gx1) = lin_val_backward(p, X, 2.0);
        assert_eq!(g, g1);
        assert_eq!(gx, gx1);
    }

    /// A scalar field of a `&` struct passed to a by-value `f64` parameter:
    /// the companion passes `&p.scale` and a shadow (E0308, E0061), as if the
    /// parameter were `&f64`; so does a `let s = p.scale;` bound first.
    /// (`sq(p.scale * 1.0)` and `sq(p.b[1])` work.)
    #[grad]
    fn scalar_field_by_value(p: &Lin) -> f64 {
        sq(p.scale) + sq(p.b[1])
    }

    #[test]
    fn scalar_field_passed_by_value() {
        let p = lin();
        let mut dp = <Lin as Tangent>::zero();
        scalar_field_by_value_backward(&p, &mut dp, 1.0);
        assert_eq!(dp.scale, 3.0);
        assert_eq!(dp.b[1], -0.4);
    }

    /// An array field of a struct that carries no gradient (`&self` of a
    /// non-`Tangent` struct, or a struct excluded with `wrt`) passed by `&`
    /// to a callee that differentiates it: the scratch buffer is emitted as
    /// `compile_error!("autodiff: no zero for a slice")`, spanned on the
    /// attribute.
    impl Model {
        #[grad(wrt(x))]
        pub fn field_of_data(&self, x: f64) -> f64 {
            dot3(&self.w, &[x, x * x, 1.0])
        }
    }

    #[grad(wrt(x))]
    fn field_of_excluded(p: &Lin, x: &[f64; 3]) -> f64 {
        dot3(&p.b, x)
    }

    #[test]
    fn field_of_inactive_struct_by_reference() {
        let m = Model {
            k: 0.5,
            w: [1.0, -2.0, 0.3],
            n: 3,
        };
        let (_, dx) = m.field_of_data_backward(0.5, 1.0);
        assert_eq!(dx, 1.0 - 2.0 * 2.0 * 0.5);
        let mut dx = [0.0; 3];
        field_of_excluded_backward(&lin(), &[1.0, 2.0, 3.0], &mut dx, 1.0);
        assert_eq!(dx, lin().b);
    }

    /// A `&` struct passed on to a callee inside a loop: the companion copies
    /// the `&mut Lin` shadow into a loop-carried `Lin` (E0308: expected `Lin`,
    /// found `&mut Lin`). Arrays in the same position work.
    #[grad]
    fn struct_in_loop(p: &Lin, x: &[f64; 2]) -> f64 {
        let mut s = 0.0;
        for k in 0..3 {
            s += lin_ref(p, x) * k as f64;
        }
        s
    }

    /// The same with a by-value struct passed by `&` in a loop (E0596:
    /// cannot borrow as mutable).
    #[grad]
    fn by_value_struct_in_loop(p: Lin, x: [f64; 2]) -> f64 {
        let mut s = 0.0;
        for k in 0..3 {
            s += lin_ref(&p, &x) * k as f64;
        }
        s
    }

    #[test]
    fn struct_passed_on_in_a_loop() {
        let (_, g, _) = by_value_struct_in_loop_backward(lin(), X, 1.0);
        let mut want = <Lin as Tangent>::zero();
        lin_ref_backward(&lin(), &mut want, &X, &mut [0.0; 2], 3.0);
        assert_all_near(&g.flat(), &want.flat(), 1e-12, "by value");
        let p = lin();
        let (mut a, mut b) = (<Lin as Tangent>::zero(), <Lin as Tangent>::zero());
        let (mut dx, mut dx2) = ([0.0; 2], [0.0; 2]);
        struct_in_loop_backward(&p, &mut a, &X, &mut dx, 1.0);
        lin_ref_backward(&p, &mut b, &X, &mut dx2, 3.0);
        assert_all_near(&a.flat(), &b.flat(), 1e-12, "d_p");
    }

    /// An integer field of self is rejected: "loop bounds must be integers".
    impl Model {
        #[grad(wrt(x))]
        pub fn powered_by_field(&self, x: f64) -> f64 {
            let mut s = 1.0;
            for _ in 0..self.n {
                s *= x * self.k;
            }
            s
        }
    }

    /// A method of a generic `impl<T: Real>`: "a #[grad] function must return
    /// a float (`f64`, `f32` or a `T: Real`) or a tuple of them, not `T`"
    /// (the macro does not see the impl's bound).
    impl<T: Real> Affine<T> {
        #[grad(wrt(self, x))]
        pub fn at(&self, x: T) -> T {
            self.a * x + self.b[1]
        }
    }
}

/// Fields of a by-value struct parameter assigned in the body: an array field
/// element by element (in a loop too), a float field whole.
mod field_assignment {
    use autodiff::{grad, Tangent};

    #[derive(Clone, Copy, Debug, Tangent)]
    pub struct State {
        pub v: [f64; 3],
        pub t: f64,
    }

    /// Three steps of a damped update, written in place on the parameter.
    #[grad]
    pub fn evolve(mut s: State, k: f64) -> f64 {
        for step in 0..3 {
            for i in 0..3 {
                s.v[i] = s.v[i] * k + s.t * (step as f64);
            }
            s.t *= 0.5;
        }
        s.v[0] * s.v[1] + s.v[2] + s.t
    }

    #[test]
    fn gradients_match_finite_differences() {
        let s = State {
            v: [0.5, -1.0, 2.0],
            t: 0.3,
        };
        let k = 0.9;
        let (value, ds, dk) = evolve_backward(s, k, 1.0);
        assert_eq!(value, evolve(s, k));
        let h = 1e-6;
        let fd = |f: &dyn Fn(f64) -> f64| (f(h) - f(-h)) / (2.0 * h);
        let want_k = fd(&|e| evolve(s, k + e));
        assert!((dk - want_k).abs() < 1e-7, "dk {dk} vs {want_k}");
        for i in 0..3 {
            let want = fd(&|e| {
                let mut q = s;
                q.v[i] += e;
                evolve(q, k)
            });
            assert!(
                (ds.v[i] - want).abs() < 1e-7,
                "dv[{i}] {} vs {want}",
                ds.v[i]
            );
        }
        let want_t = fd(&|e| {
            let mut q = s;
            q.t += e;
            evolve(q, k)
        });
        assert!((ds.t - want_t).abs() < 1e-7, "dt {} vs {want_t}", ds.t);
    }
}

// ------------------------------------------------ structs built in the body

/// A plain struct the body builds (no `Tangent`: it never crosses the signature).
#[derive(Clone, Copy)]
pub struct State {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
    pub t: f64,
}

/// Nested literals.
#[derive(Clone, Copy)]
pub struct World {
    pub s: State,
    pub g: f64,
}

/// A spring integrated with its state in a struct literal: fields read,
/// assigned by element, carried by loops; a copy `let mut c = start;` updated
/// on its own; a nested literal.
#[grad]
pub fn spring_state(x0: [f64; 2], k: f64, dt: f64) -> f64 {
    let mut s = State {
        pos: x0,
        vel: [0.0; 2],
        t: 0.0,
    };
    for _ in 0..10 {
        for d in 0..2 {
            let a = -k * s.pos[d];
            s.vel[d] += a * dt;
            s.pos[d] += s.vel[d] * dt;
        }
        s.t += dt;
    }
    let start = State {
        pos: x0,
        vel: [1.0, 0.0],
        t: 0.0,
    };
    let mut c = start;
    c.pos[0] += k;
    c.vel = [s.vel[1], start.vel[0]];
    let w = World {
        s: State {
            pos: [k, dt],
            vel: s.vel,
            t: s.t,
        },
        g: 9.81,
    };
    if s.t > 0.5 {
        s.pos[0] * s.pos[1]
            + s.t
            + start.pos[0] * c.pos[0]
            + c.vel[0]
            + w.s.pos[0] * w.g
            + w.s.vel[1]
    } else {
        0.0
    }
}

#[test]
fn a_struct_built_in_the_body() {
    for (x0, k, dt) in [([0.3, -0.7], 2.0, 0.1), ([1.2, 0.4], 0.5, 0.06)] {
        let (y, dx, dk, ddt) = spring_state_backward(x0, k, dt, 1.0);
        assert_eq!(y.to_bits(), spring_state(x0, k, dt).to_bits());
        assert_fd(
            |q| spring_state([q[0], q[1]], q[2], q[3]),
            &[x0[0], x0[1], k, dt],
            &[dx[0], dx[1], dk, ddt],
        );
    }
}

// ------------------------------------ rows of a 2-D field, iterated

#[derive(Clone, Copy, Default, Debug, PartialEq, Tangent)]
pub struct Mlp {
    pub w1: [[f64; 2]; 3],
    pub b1: [f64; 3],
    pub w2: [f64; 3],
}

/// The rows of a 2-D field walked by an iterator (`net.w1.iter().zip(…)`) and
/// indexed (`row[0]`), into a hidden layer written through `iter_mut` (the
/// corpus round's `mlp_loss` as first written).
#[grad(wrt(net))]
pub fn mlp_loss(net: Mlp, x: [f64; 2], y: f64) -> f64 {
    let mut hidden = [0.0; 3];
    for (h, (row, b)) in hidden.iter_mut().zip(net.w1.iter().zip(net.b1.iter())) {
        *h = (row[0] * x[0] + row[1] * x[1] + b).tanh();
    }
    let out: f64 = hidden.iter().zip(net.w2.iter()).map(|(h, w)| h * w).sum();
    let mut s = 0.0;
    for b in net.b1.iter() {
        s += b * b;
    }
    (out - y).powi(2) + 0.01 * s
}

#[test]
fn rows_of_a_field_iterated() {
    let net = Mlp {
        w1: [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]],
        b1: [0.1, 0.2, -0.3],
        w2: [0.7, -0.8, 0.9],
    };
    let flat = |n: &Mlp| -> Vec<f64> {
        n.w1.iter()
            .flatten()
            .chain(&n.b1)
            .chain(&n.w2)
            .copied()
            .collect()
    };
    let unflat = |q: &[f64]| Mlp {
        w1: [[q[0], q[1]], [q[2], q[3]], [q[4], q[5]]],
        b1: [q[6], q[7], q[8]],
        w2: [q[9], q[10], q[11]],
    };
    let (l, g) = mlp_loss_backward(net, [0.5, -1.0], 0.3, 1.0);
    assert_eq!(l.to_bits(), mlp_loss(net, [0.5, -1.0], 0.3).to_bits());
    assert_fd(
        |q| mlp_loss(unflat(q), [0.5, -1.0], 0.3),
        &flat(&net),
        &flat(&g),
    );
}

// ------------------------------------------------------------ struct results

#[derive(Clone, Copy, Default, Debug, PartialEq, Tangent)]
pub struct Pose2 {
    pub x: f64,
    pub y: f64,
    pub th: f64,
}

/// Differential-drive odometry returning a struct (`d_out: Pose2`), built by a
/// literal with a shorthand field (the corpus round's first attempt).
#[grad]
pub fn odometry(p: Pose2, v: f64, w: f64, dt: f64) -> Pose2 {
    let th = p.th + w * dt;
    Pose2 {
        x: p.x + v * dt * th.cos(),
        y: p.y + v * dt * th.sin(),
        th,
    }
}

/// A struct built in the body, updated field by field in a loop, returned
/// whole; and passed whole by `&` to a `#[grad]` callee.
#[grad]
pub fn spring_step(x: [f64; 2], k: f64) -> State2 {
    let mut s = State2 {
        pos: x,
        vel: [0.0; 2],
    };
    for d in 0..2 {
        s.vel[d] = -k * s.pos[d];
        s.pos[d] += 0.1 * s.vel[d];
    }
    s
}

#[derive(Clone, Copy, Default, Debug, PartialEq, Tangent)]
pub struct State2 {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
}

#[grad]
pub fn kinetic(s: &State2) -> f64 {
    s.vel[0] * s.vel[0] + s.pos[1]
}

#[grad]
pub fn passed_whole(x: [f64; 2]) -> f64 {
    let s = State2 {
        pos: x,
        vel: [x[1], 0.0],
    };
    kinetic(&s) * x[0]
}

#[test]
fn struct_results() {
    let p = Pose2 {
        x: 1.0,
        y: 2.0,
        th: 0.3,
    };
    let seed = Pose2 {
        x: 1.0,
        y: -0.5,
        th: 0.25,
    };
    let dot = |q: Pose2| seed.x * q.x + seed.y * q.y + seed.th * q.th;
    let (q, dp, dv, dw, ddt) = odometry_backward(p, 2.0, 0.5, 0.1, seed);
    assert_eq!(q, odometry(p, 2.0, 0.5, 0.1));
    let at = |q: &[f64]| Pose2 {
        x: q[0],
        y: q[1],
        th: q[2],
    };
    assert_fd(
        |q| dot(odometry(at(q), q[3], q[4], q[5])),
        &[1.0, 2.0, 0.3, 2.0, 0.5, 0.1],
        &[dp.x, dp.y, dp.th, dv, dw, ddt],
    );

    let seed = State2 {
        pos: [1.0, 0.5],
        vel: [0.0, -1.0],
    };
    let dot = |s: State2| {
        seed.pos[0] * s.pos[0]
            + seed.pos[1] * s.pos[1]
            + seed.vel[0] * s.vel[0]
            + seed.vel[1] * s.vel[1]
    };
    let (s, dx, dk) = spring_step_backward([1.0, -2.0], 3.0, seed);
    assert_eq!(s, spring_step([1.0, -2.0], 3.0));
    assert_fd(
        |q| dot(spring_step([q[0], q[1]], q[2])),
        &[1.0, -2.0, 3.0],
        &[dx[0], dx[1], dk],
    );

    let (y, dx) = passed_whole_backward([1.0, -2.0], 1.0);
    assert_eq!(y.to_bits(), passed_whole([1.0, -2.0]).to_bits());
    assert_fd(|q| passed_whole([q[0], q[1]]), &[1.0, -2.0], &dx);
}

/// A callee's struct result (and an array and a float result), untyped or
/// annotated, passed on by `&` to other `#[grad]` callees: the companion's
/// scratch shadow is a zero shaped like the value (`zero_of`), not a float
/// (E0308 in the companion before: the result was typed `f64`, its shadow
/// `&mut f64`; found writing the struct results of tools/progen).
#[grad]
pub fn pose_cost(p: &Pose2) -> f64 {
    p.x * p.x + p.y * p.th.sin()
}

#[grad]
pub fn pair(x: f64) -> [f64; 2] {
    [x.sin(), x * x]
}

#[grad]
pub fn pair_dot(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    a[0] * b[1] + a[1] * b[0].cos()
}

#[grad]
pub fn cube_ref(x: &f64) -> f64 {
    x * x * x
}

#[grad]
pub fn struct_result_by_reference(v: f64, w: f64) -> f64 {
    let p0 = Pose2 {
        x: v,
        y: w,
        th: 0.2,
    };
    let q = odometry(p0, v, w, 0.1);
    let r: Pose2 = odometry(q, w, v, 0.2);
    let m = pair(v);
    let c = kinetic(&spring_step([v, w], 0.5));
    let s = w.sin();
    let t = cube_ref(&s);
    pose_cost(&q) * v + pose_cost(&r) + pair_dot(&m, &m) + c + t
}

#[test]
fn struct_results_passed_by_reference() {
    for (v, w) in [(0.7, -0.4), (1.3, 0.9)] {
        let (y, dv, dw) = struct_result_by_reference_backward(v, w, 1.0);
        assert_eq!(y.to_bits(), struct_result_by_reference(v, w).to_bits());
        assert_fd(
            |q| struct_result_by_reference(q[0], q[1]),
            &[v, w],
            &[dv, dw],
        );
    }
}

/// A copy of a `&` struct's field, annotated (`let mut y: [f64; 2] = st.a;`),
/// returned after an early `return` of an array literal: the field's array (of a
/// shape the macro does not see) takes the literal's shape where the two exits
/// meet ("the branches of this `if` return values of different types" before;
/// p770 of seed 7001 in tools/progen's batch run).
#[grad]
pub fn field_copy_after_return(st: &State2, x: f64) -> [f64; 2] {
    if x > 0.5 {
        return [x, 2.0 * x];
    }
    let mut y: [f64; 2] = st.vel;
    y[0] += x * y[1];
    y
}

#[test]
fn field_copy_returned_after_an_early_return() {
    let st = State2 {
        pos: [0.1, 0.2],
        vel: [0.3, -0.7],
    };
    let seed = [1.0, 0.5];
    for x in [0.2, 0.9] {
        let mut d = State2::default();
        let (y, dx) = field_copy_after_return_backward(&st, &mut d, x, seed);
        assert_eq!(y, field_copy_after_return(&st, x));
        let at = |q: &[f64]| State2 {
            pos: [q[0], q[1]],
            vel: [q[2], q[3]],
        };
        assert_fd(
            |q| {
                let y = field_copy_after_return(&at(q), q[4]);
                seed[0] * y[0] + seed[1] * y[1]
            },
            &[0.1, 0.2, 0.3, -0.7, x],
            &[d.pos[0], d.pos[1], d.vel[0], d.vel[1], dx],
        );
    }
}
