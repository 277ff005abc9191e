//! Calls of helpers whose `#[grad(wrt(…))]` leaves parameters out, as users
//! write them: a model `predict(w, x)` differentiated in its weights only,
//! called over rows of data; a normalisation `rms_norm(x, g, 1e-6)` whose
//! epsilon is a constant; a method whose receiver is data. The caller cannot
//! see the callee's `wrt`, so its companion calls the callee's uniform
//! companion (`Skip` for an argument without a gradient); every gradient is
//! checked against central differences, and the forward companions'
//! tangents against the gradients (⟨∇f, v⟩).

mod common;

use autodiff::{grad, Tangent};
use common::{assert_fd, assert_near};

/// A linear model, differentiated in its weights only (`x` is data).
#[grad(reverse, forward, wrt(w))]
pub fn predict(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>().tanh()
}

/// Least squares over rows of data: `&xs[i]` goes to the excluded `x`.
#[grad(reverse, forward, wrt(w))]
pub fn loss(w: &[f64], xs: &[Vec<f64>], ys: &[f64]) -> f64 {
    let mut l = 0.0;
    for i in 0..ys.len() {
        let r = predict(w, &xs[i]) - ys[i];
        l += r * r;
    }
    l / ys.len() as f64
}

/// The same over an iterator, the row passed as it comes.
#[grad(wrt(w))]
pub fn loss_iter(w: &[f64], xs: &[Vec<f64>], ys: &[f64]) -> f64 {
    xs.iter()
        .zip(ys)
        .map(|(x, y)| (predict(w, x) - y).powi(2))
        .sum()
}

/// RMS normalisation: the gain `g` differentiated, `eps` not.
#[grad(reverse, forward, wrt(x, g))]
pub fn rms_norm(x: &[f64], g: f64, eps: f64) -> f64 {
    let ms = x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64;
    g * x[0] / (ms + eps).sqrt()
}

/// A constant for `eps`.
#[grad(reverse, forward)]
pub fn normed(x: &[f64], g: f64) -> f64 {
    rms_norm(x, g, 1e-6) * 2.0 + rms_norm(x, g * g, 1e-3)
}

/// A plain `#[grad]` callee (every parameter differentiated) passed
/// constants: their gradients are computed and dropped.
#[grad(reverse, forward)]
pub fn scaled(a: f64, k: f64, v: &[f64; 2]) -> f64 {
    a * k + v[0] * v[1] * a
}

const V: [f64; 2] = [0.5, -1.5];

#[grad(reverse, forward)]
pub fn uses_constants(a: f64) -> f64 {
    scaled(a, 2.0, &V) + scaled(a * a, a, &[1.0, 2.0])
}

/// A receiver that is data (`wrt` leaves `self` out), called on a constant.
#[derive(Clone, Copy, Debug, Tangent)]
pub struct Spring {
    pub k: f64,
    pub rest: f64,
}

impl Spring {
    #[grad(wrt(x))]
    pub fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * (x - self.rest).powi(2)
    }
}

#[grad]
pub fn chain(x: f64, y: f64) -> f64 {
    let s = Spring { k: 3.0, rest: 1.0 };
    s.energy(x) + Spring::energy(&s, y - x)
}

/// Data springs from the caller's own excluded parameter.
#[grad(wrt(xs))]
pub fn chain_data(xs: &[f64], springs: &[Spring]) -> f64 {
    let mut e = 0.0;
    for i in 1..xs.len() {
        e += springs[i - 1].energy(xs[i] - xs[i - 1]);
    }
    e
}

/// Second order through a callee passed a constant (`hvp` over `Skip`).
#[grad(reverse, hvp)]
pub fn poly(a: f64, k: f64) -> f64 {
    a * a * k + (a * k).sin()
}

#[grad(reverse, hvp)]
pub fn outer_poly(a: f64) -> f64 {
    poly(a, 0.7) * a
}

fn rows() -> (Vec<Vec<f64>>, Vec<f64>) {
    (
        vec![
            vec![0.5, 1.0, -0.2],
            vec![1.5, -1.0, 0.3],
            vec![-0.4, 0.2, 0.9],
        ],
        vec![0.3, -0.6, 0.1],
    )
}

#[test]
fn a_model_differentiated_in_its_weights_over_rows_of_data() {
    let (xs, ys) = rows();
    for w in [[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]] {
        let mut dw = [0.0; 3];
        let v = loss_backward(&w, &mut dw, &xs, &ys, 1.0);
        assert_eq!(v, loss(&w, &xs, &ys));
        assert_fd(|p| loss(p, &xs, &ys), &w, &dw);
        let mut dw2 = [0.0; 3];
        let v2 = loss_iter_backward(&w, &mut dw2, &xs, &ys, 1.0);
        assert_eq!(v2, loss_iter(&w, &xs, &ys));
        assert_fd(|p| loss_iter(p, &xs, &ys), &w, &dw2);
    }
}

#[test]
fn a_constant_for_a_parameter_left_out_by_wrt() {
    let x = [0.8, -1.2, 0.4];
    for g in [0.5, -1.3] {
        let mut dx = [0.0; 3];
        let (v, dg) = normed_backward(&x, &mut dx, g, 1.0);
        assert_eq!(v, normed(&x, g));
        let mut p = x.to_vec();
        p.push(g);
        let mut grad = dx.to_vec();
        grad.push(dg);
        assert_fd(|p| normed(&p[..3], p[3]), &p, &grad);
    }
}

#[test]
fn constants_for_differentiated_parameters() {
    for a in [0.3, -1.1] {
        let (v, da) = uses_constants_backward(a, 1.0);
        assert_eq!(v, uses_constants(a));
        assert_fd(|p| uses_constants(p[0]), &[a], &[da]);
    }
}

#[test]
fn a_method_whose_receiver_is_data() {
    let (x, y) = (0.4, 1.9);
    let (v, dx, dy) = chain_backward(x, y, 1.0);
    assert_eq!(v, chain(x, y));
    assert_fd(|p| chain(p[0], p[1]), &[x, y], &[dx, dy]);

    let springs = [Spring { k: 2.0, rest: 0.5 }, Spring { k: 0.5, rest: 1.5 }];
    let xs = [0.1, 0.9, 2.0];
    let mut dxs = [0.0; 3];
    let v = chain_data_backward(&xs, &mut dxs, &springs, 1.0);
    assert_eq!(v, chain_data(&xs, &springs));
    assert_fd(|p| chain_data(p, &springs), &xs, &dxs);
}

#[test]
fn second_order_through_a_callee_passed_a_constant() {
    for a in [0.6, -0.9] {
        let (v, g, h) = outer_poly_hvp(a, 1.0);
        assert_eq!(v, outer_poly(a));
        let (_, g2) = outer_poly_backward(a, 1.0);
        assert_eq!(g, g2);
        let e = 1e-5;
        let want =
            (outer_poly_backward(a + e, 1.0).1 - outer_poly_backward(a - e, 1.0).1) / (2.0 * e);
        assert_near(h, want, 1e-6 * (1.0 + want.abs()), "H·v");
    }
}

#[test]
fn forward_mode_through_the_same_calls() {
    let (xs, ys) = rows();
    let w = [0.3, -0.2, 0.5];
    let tw = [0.7, -1.1, 0.4];
    let mut dw = [0.0; 3];
    let v = loss_backward(&w, &mut dw, &xs, &ys, 1.0);
    let (v2, t) = loss_forward(&w, &tw, &xs, &ys);
    assert_eq!(v, v2);
    let want: f64 = dw.iter().zip(&tw).map(|(a, b)| a * b).sum();
    assert_near(
        t,
        want,
        1e-12 * (1.0 + want.abs()),
        "loss: tangent = <grad, v>",
    );

    let x = [0.8, -1.2, 0.4];
    let (tx, tg) = ([0.3, 0.1, -0.5], 0.9);
    let mut dx = [0.0; 3];
    let (_, dg) = normed_backward(&x, &mut dx, 1.3, 1.0);
    let (_, t) = normed_forward(&x, &tx, 1.3, tg);
    let want = dx.iter().zip(&tx).map(|(a, b)| a * b).sum::<f64>() + dg * tg;
    assert_near(
        t,
        want,
        1e-12 * (1.0 + want.abs()),
        "normed: tangent = <grad, v>",
    );

    let (_, da) = uses_constants_backward(0.3, 1.0);
    let (_, t) = uses_constants_forward(0.3, 1.0);
    assert_near(t, da, 1e-12, "uses_constants: tangent = gradient");
}

/// A row of a data table (no `Tangent`), by `&`, to a link function whose
/// `wrt` leaves it out: forward kinematics through Denavit–Hartenberg rows.
#[derive(Clone, Copy, Debug)]
pub struct DhRow {
    pub a: f64,
    pub d: f64,
}

#[grad(wrt(theta))]
pub fn link(row: &DhRow, theta: f64) -> f64 {
    row.a * theta.cos() + row.d * theta.sin()
}

#[grad(wrt(q))]
pub fn reach(q: &[f64], rows: &[DhRow]) -> f64 {
    let mut s = 0.0;
    for (row, &th) in rows.iter().zip(q) {
        s += link(row, th);
    }
    for i in 0..rows.len() {
        s += 0.5 * link(&rows[i], q[i] * 2.0);
    }
    s
}

#[test]
fn data_rows_to_a_parameter_left_out() {
    let rows = [
        DhRow { a: 0.4, d: 0.1 },
        DhRow { a: 0.3, d: -0.2 },
        DhRow { a: 0.2, d: 0.05 },
    ];
    let q = [0.3, -0.8, 1.1];
    let mut dq = [0.0; 3];
    let v = reach_backward(&q, &mut dq, &rows, 1.0);
    assert_eq!(v, reach(&q, &rows));
    assert_fd(|p| reach(p, &rows), &q, &dq);
}
