//! log-sum-exp over 10,000 values of a slice: two loops, 10,000 inputs.
//!
//! Forward mode and finite differences need one (two) evaluations per input,
//! 10,000 (20,000) passes over 10,000 values: about a second per gradient.
//! They are timed over the first `PASSES` inputs only; PERFORMANCE.md scales
//! those times by `N / PASSES` (every pass costs the same).

use crate::common::{assert_close, FD_STEP};
use autodiff::grad;
use criterion::Criterion;
use easy_ml::differentiation::{Record, WengertList};
use easy_ml::numeric::extra::{Exp, Ln};
use num_dual::{Dual64, DualNum};
use std::hint::black_box;

pub const N: usize = 10_000;
/// Inputs whose derivative the forward-mode and finite-difference benchmarks
/// compute.
pub const PASSES: usize = 100;

/// As in the README.
#[grad]
pub fn log_sum_exp(x: &[f64]) -> f64 {
    let mut m = x[0];
    for v in x.iter() {
        m = m.max(*v);
    }
    let z: f64 = x.iter().map(|v| (v - m).exp()).sum();
    m + z.ln()
}

/// The gradient is the softmax: a pass for the maximum, one for the sum, and
/// one that recomputes each `exp` to add `d_out * exp(x_i - m) / z` (the
/// shadow is added into, so it cannot hold the `exp`s in the meantime).
pub fn hand(x: &[f64], dx: &mut [f64], d_out: f64) -> f64 {
    let m = x.iter().fold(x[0], |m, v| m.max(*v));
    let z: f64 = x.iter().map(|v| (v - m).exp()).sum();
    let s = d_out / z;
    for (d, v) in dx.iter_mut().zip(x) {
        *d += (v - m).exp() * s;
    }
    m + z.ln()
}

fn dual<D: DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
    let m = x
        .iter()
        .fold(x[0], |m, v| if v.re() > m.re() { *v } else { m });
    let mut z = D::from(0.0);
    for v in x {
        z += (*v - m).exp();
    }
    m + z.ln()
}

/// `Dual64`, one forward pass per input, for the first `g.len()` inputs.
pub fn num_dual_passes(x: &[f64], d: &mut [Dual64], g: &mut [f64]) -> f64 {
    for (di, xi) in d.iter_mut().zip(x) {
        *di = Dual64::from(*xi);
    }
    let mut value = 0.0;
    for (i, gi) in g.iter_mut().enumerate() {
        d[i].eps = 1.0;
        let r = dual(d);
        d[i].eps = 0.0;
        value = r.re;
        *gi = r.eps;
    }
    value
}

pub fn easy_ml(list: &WengertList<f64>, x: &[f64], g: &mut [f64]) -> f64 {
    list.clear();
    let r: Vec<Record<f64>> = x.iter().map(|v| Record::variable(*v, list)).collect();
    let m = r
        .iter()
        .fold(r[0], |m, v| if v.number > m.number { *v } else { m });
    let mut z = Record::constant(0.0);
    for v in &r {
        z = z + (*v - m).exp();
    }
    let y = m + z.ln();
    let d = y.derivatives();
    for (gi, v) in g.iter_mut().zip(&r) {
        *gi = d[v];
    }
    y.number
}

/// Central finite differences for the first `g.len()` inputs.
pub fn fd(x: &mut [f64], g: &mut [f64]) {
    for (i, gi) in g.iter_mut().enumerate() {
        let xi = x[i];
        let h = FD_STEP * xi.abs().max(1.0);
        x[i] = xi + h;
        let up = log_sum_exp(x);
        x[i] = xi - h;
        let down = log_sum_exp(x);
        x[i] = xi;
        *gi = (up - down) / (2.0 * h);
    }
}

/// Logits of a wide range, so that the maximum matters.
fn input() -> Vec<f64> {
    let mut rng = crate::common::Rng::new(5);
    (0..N).map(|_| rng.range(-30.0, 30.0)).collect()
}

pub fn check() {
    let x = input();
    let mut g = vec![0.0; N];
    let v = log_sum_exp_backward(&x, &mut g, 1.0);
    let mut h = vec![0.0; N];
    assert_eq!(hand(&x, &mut h, 1.0), v);
    assert_close("lse hand", &h, &g, 1e-14);
    let mut d = vec![Dual64::from(0.0); N];
    let mut p = vec![0.0; PASSES];
    num_dual_passes(&x, &mut d, &mut p);
    assert_close("lse num-dual passes", &p, &g[..PASSES], 1e-14);
    let list = WengertList::new();
    let mut e = vec![0.0; N];
    easy_ml(&list, &x, &mut e);
    assert_close("lse easy-ml", &e, &g, 1e-14);
    let mut x = x;
    fd(&mut x, &mut p);
    assert_close("lse fd", &p, &g[..PASSES], 1e-6);
}

pub fn bench(c: &mut Criterion) {
    let mut x = input();
    let mut group = c.benchmark_group("log_sum_exp");
    group.bench_function("primal", |b| b.iter(|| log_sum_exp(black_box(&x))));
    let mut g = vec![0.0; N];
    group.bench_function("grad", |b| {
        b.iter(|| {
            g.fill(0.0);
            log_sum_exp_backward(black_box(&x), &mut g, black_box(1.0))
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            g.fill(0.0);
            hand(black_box(&x), &mut g, black_box(1.0))
        })
    });
    let mut d = vec![Dual64::from(0.0); N];
    let mut p = vec![0.0; PASSES];
    group.bench_function("num_dual_dual64_100", |b| {
        b.iter(|| num_dual_passes(black_box(&x), &mut d, &mut p))
    });
    let list = WengertList::new();
    group.bench_function("easy_ml", |b| {
        b.iter(|| easy_ml(&list, black_box(&x), &mut g))
    });
    group.bench_function("fd_100", |b| b.iter(|| fd(black_box(&mut x), &mut p)));
    group.finish();
}
