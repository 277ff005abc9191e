//! Idioms that used to need a workaround (issue 12, points 6–9): a call's array
//! result used without a type annotation (`let y = layer(w, x); y[i]`), array
//! patterns (`let [x, y, z] = a;`), `#[grad]` methods called with method syntax
//! (`self.eval(x)`, `p.eval(x)`), tuple parameters (`p: (f64, f64)`, also
//! destructured with `let (a, b) = p;`) and `2f64` literals. Gradients against
//! central finite differences (relative 1e-6, absolute 1e-8).
#![deny(warnings)]

use autodiff::{grad, Tangent};

mod common;
use common::*;

#[grad]
pub fn layer(w: [[f64; 2]; 3], x: [f64; 2]) -> [f64; 3] {
    let mut h = [0.0; 3];
    for i in 0..3 {
        h[i] = (w[i][0] * x[0] + w[i][1] * x[1]).tanh();
    }
    h
}

#[grad]
pub fn net(w: [[f64; 2]; 3], x: [f64; 2]) -> f64 {
    let y = layer(w, x);
    y[0] * y[1] + y[2]
}

#[test]
fn array_result_of_a_call_without_annotation() {
    let p = [0.3, -1.2, 0.8, 0.5, -0.4, 0.9, 0.7, -0.3];
    let (v, dw, dx) = net_backward(arr2::<2, 3>(&p), arr::<2>(&p[6..]), 1.0);
    assert_bits(v, net(arr2::<2, 3>(&p), arr::<2>(&p[6..])), "value");
    let mut g = flat2(&dw);
    g.extend(dx);
    assert_fd(|q| net(arr2::<2, 3>(q), arr::<2>(&q[6..])), &p, &g);
}

#[grad]
pub fn cross_z(a: [f64; 3], b: [f64; 3]) -> f64 {
    let [ax, ay, az] = a;
    let [bx, by, _] = b;
    ax * by - ay * bx + az
}

#[test]
fn array_patterns() {
    let p = [0.3, -1.2, 0.8, 0.5, -0.4, 0.9];
    let (v, da, db) = cross_z_backward(arr::<3>(&p), arr::<3>(&p[3..]), 1.0);
    assert_bits(v, cross_z(arr::<3>(&p), arr::<3>(&p[3..])), "value");
    assert_fd(
        |q| cross_z(arr::<3>(q), arr::<3>(&q[3..])),
        &p,
        &cat(&[&da, &db]),
    );
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Poly {
    pub c: [f64; 3],
}

impl Poly {
    #[grad(wrt(self, x))]
    pub fn eval(&self, x: f64) -> f64 {
        self.c[0] + self.c[1] * x + self.c[2] * x * x
    }

    #[grad(wrt(self, x))]
    pub fn twice(&self, x: f64) -> f64 {
        self.eval(x) * self.eval(2.0 * x)
    }
}

#[grad]
pub fn fit(p: &Poly, x: f64) -> f64 {
    let y = p.eval(x);
    (y - 1.0).powi(2)
}

#[test]
fn method_call_syntax() {
    let p = Poly {
        c: [0.3, -1.2, 0.8],
    };
    let mut dp = Poly::default();
    let (v, dx) = p.twice_backward(&mut dp, 0.7, 1.0);
    assert_bits(v, p.twice(0.7), "value");
    assert_fd(
        |q| Poly { c: arr::<3>(q) }.twice(q[3]),
        &[0.3, -1.2, 0.8, 0.7],
        &[dp.c[0], dp.c[1], dp.c[2], dx],
    );
    let mut dp = Poly::default();
    let (v, dx) = fit_backward(&p, &mut dp, 0.7, 1.0);
    assert_bits(v, fit(&p, 0.7), "value");
    assert_fd(
        |q| fit(&Poly { c: arr::<3>(q) }, q[3]),
        &[0.3, -1.2, 0.8, 0.7],
        &[dp.c[0], dp.c[1], dp.c[2], dx],
    );
}

/// Float literals written without a point (`2f64`).
#[grad]
pub fn suffixed(x: f64) -> f64 {
    2f64.ln() * x + 3f64 * x * x
}

#[test]
fn float_literals_without_a_point() {
    let (y, dx) = suffixed_backward(0.7, 1.0);
    assert_bits(y, suffixed(0.7), "value");
    assert_near(dx, 2f64.ln() + 6.0 * 0.7, 1e-12, "d/dx");
}

/// Tuple parameters: the gradient of a tuple is a tuple.
#[grad]
pub fn dist(p: (f64, f64), q: &(f64, f64)) -> f64 {
    ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt()
}

#[test]
fn tuple_parameters_by_value_and_by_reference() {
    let mut dq = (0.0, 0.0);
    let (v, dp) = dist_backward((0.3, -1.2), &(1.0, 0.5), &mut dq, 1.0);
    assert_bits(v, dist((0.3, -1.2), &(1.0, 0.5)), "value");
    assert_fd(
        |x| dist((x[0], x[1]), &(x[2], x[3])),
        &[0.3, -1.2, 1.0, 0.5],
        &[dp.0, dp.1, dq.0, dq.1],
    );
}

/// A tuple with an array element, destructured in the body.
#[grad]
pub fn polar(p: (f64, [f64; 2])) -> f64 {
    let (r, angles) = p;
    r * angles[0].cos() * angles[1].sin()
}

#[test]
fn tuple_parameter_destructured() {
    let (v, dp) = polar_backward((1.5, [0.3, 0.9]), 1.0);
    assert_bits(v, polar((1.5, [0.3, 0.9])), "value");
    assert_fd(
        |x| polar((x[0], [x[1], x[2]])),
        &[1.5, 0.3, 0.9],
        &[dp.0, dp.1[0], dp.1[1]],
    );
}

mod imported {
    use autodiff::softplus;
    use autodiff::{digamma, elu, erf, erfc, gamma, grad, leaky_relu, ln_gamma, relu, sigmoid};

    /// autodiff's primitives imported and called by their bare names.
    #[grad]
    pub fn poisson_nll(lambda: f64, k: f64) -> f64 {
        lambda - k * lambda.ln() + ln_gamma(k + 1.0) + 0.1 * erfc(lambda) + sigmoid(k)
    }

    /// Every primitive by its bare name (each has its compile-time proof).
    #[grad]
    pub fn all_bare(x: f64, y: f64) -> f64 {
        sigmoid(x)
            + relu(x - 0.3)
            + leaky_relu(y, 0.1)
            + softplus(x * y)
            + elu(y, 1.5)
            + erf(x)
            + erfc(y)
            + ln_gamma(x + 2.0)
            + gamma(y + 2.5)
            + digamma(x + 1.5)
    }
}

#[test]
fn imported_primitives_by_bare_name() {
    for (x, y) in [(0.7, -0.4), (1.3, 0.6)] {
        let (v, dx, dy) = imported::all_bare_backward(x, y, 1.0);
        assert_bits(v, imported::all_bare(x, y), "value");
        assert_fd(|q| imported::all_bare(q[0], q[1]), &[x, y], &[dx, dy]);
    }
    let (y, dl, dk) = imported::poisson_nll_backward(2.5, 3.0, 1.0);
    assert_bits(y, imported::poisson_nll(2.5, 3.0), "value");
    assert_fd(
        |q| imported::poisson_nll(q[0], q[1]),
        &[2.5, 3.0],
        &[dl, dk],
    );
}

#[grad]
pub fn dot3(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[grad]
pub fn scale2(v: [f64; 3]) -> [f64; 3] {
    [2.0 * v[0], 2.0 * v[1], 2.0 * v[2]]
}

#[grad]
pub fn halve(x: f64) -> f64 {
    0.5 * x
}

#[grad]
pub fn sq(x: f64) -> f64 {
    x * x
}

/// Call results passed on to other calls without a type: arrays and floats.
#[grad]
pub fn chained(n: [f64; 3], l: [f64; 3], t: f64) -> f64 {
    let m = scale2(n);
    let k = scale2(l);
    let h = halve(t);
    let n = scale2(n);
    dot3(m, k) + dot3(n, l) * sq(h) + sq(halve(h))
}

#[test]
fn untyped_call_results_passed_to_calls() {
    let p = [0.3, -1.2, 0.8, 0.5, -0.4, 0.9, 1.7];
    let (v, dn, dl, dt) = chained_backward(arr::<3>(&p), arr::<3>(&p[3..]), p[6], 1.0);
    assert_bits(v, chained(arr::<3>(&p), arr::<3>(&p[3..]), p[6]), "value");
    let mut g = dn.to_vec();
    g.extend(dl);
    g.push(dt);
    assert_fd(|q| chained(arr::<3>(q), arr::<3>(&q[3..]), q[6]), &p, &g);
}

/// A planar arm whose link lengths are data (`wrt(q)`).
#[grad(wrt(q))]
pub fn arm_tip(q: &[f64; 2], l: &[f64; 2]) -> f64 {
    l[0] * q[0].cos() + l[1] * (q[0] + q[1]).cos()
}

/// `&no_grad(x)` and `no_grad(&x)` both pass data to a `wrt` callee.
#[grad]
pub fn reach(q: [f64; 2]) -> f64 {
    let links = [1.0, 0.8];
    let a = arm_tip(&q, &autodiff::no_grad(links));
    let b = arm_tip(&q, autodiff::no_grad(&links));
    (a - 1.2).powi(2) + b
}

#[test]
fn no_grad_inside_or_outside_the_reference() {
    let q = [0.4, -0.7];
    let (y, dq) = reach_backward(q, 1.0);
    assert_bits(y, reach(q), "value");
    assert_fd(|p| reach(arr::<2>(p)), &q, &dq);
}

/// sRGB to linear light by `[f64; 3]::map`, a hue wrapped by `rem_euclid`
/// (with `div_euclid`), and `!x.is_empty()` in an assertion.
#[grad]
pub fn luminance(rgb: [f64; 3], w: f64) -> f64 {
    let lin = rgb.map(|c| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    let hue = (w * 7.0).rem_euclid(6.0) + w.div_euclid(0.3);
    0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] * hue
}

#[grad]
pub fn sharpe(r: &[f64]) -> f64 {
    assert!(!r.is_empty());
    let n = r.len() as f64;
    let m = r.iter().sum::<f64>() / n;
    let v = r.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    m / v.sqrt()
}

#[test]
fn array_map_rem_euclid_and_is_empty() {
    for (rgb, w) in [([0.5, 0.02, 0.8], 1.3), ([0.03, 0.7, 0.2], -0.45)] {
        let (y, d, dw) = luminance_backward(rgb, w, 1.0);
        assert_eq!(y.to_bits(), luminance(rgb, w).to_bits());
        assert_fd(
            |p| luminance([p[0], p[1], p[2]], p[3]),
            &[rgb[0], rgb[1], rgb[2], w],
            &[d[0], d[1], d[2], dw],
        );
    }
    let r = [0.01, -0.02, 0.03, 0.015];
    let mut d = [0.0; 4];
    let y = sharpe_backward(&r, &mut d, 1.0);
    assert_eq!(y.to_bits(), sharpe(&r).to_bits());
    assert_fd(sharpe, &r, &d);
}

#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Quat {
    pub w: f64,
    pub x: f64,
}

impl Quat {
    #[grad(wrt(self, v))]
    pub fn scale2(self, v: f64) -> f64 {
        self.w * v + self.x * self.x
    }
}

/// A method called on a struct built in the body (once "call this method by
/// its path here").
#[grad]
pub fn method_on_local(q: Quat, v: f64) -> f64 {
    let n = Quat {
        w: q.w * 2.0,
        x: q.x.sin(),
    };
    n.scale2(v) * v
}

#[test]
fn method_called_on_a_local_struct() {
    for &(w, x, v) in &[(0.3, -1.2, 0.7), (-0.8, 0.4, 1.9)] {
        let q = Quat { w, x };
        let (val, dq, dv) = method_on_local_backward(q, v, 1.0);
        assert_bits(val, method_on_local(q, v), "value");
        assert_fd(
            |p| method_on_local(Quat { w: p[0], x: p[1] }, p[2]),
            &[w, x, v],
            &[dq.w, dq.x, dv],
        );
    }
}
