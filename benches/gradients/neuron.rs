//! The sigmoid neuron of CS231n, lecture 4: 5 inputs, straight-line code.

use crate::common::{assert_close, central_differences};
use autodiff::grad;
use criterion::Criterion;
use easy_ml::differentiation::record_operations::SwappedOperations;
use easy_ml::differentiation::{Record, WengertList};
use easy_ml::numeric::extra::Exp;
use nalgebra::SVector;
use num_dual::{gradient, Dual64, DualNum, DualSVec64};
use std::hint::black_box;

#[grad]
pub fn neuron(w: [f64; 3], x: [f64; 2]) -> f64 {
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    1.0 / (1.0 + (-dot).exp())
}

/// The gradient as a person writes it: sigma' = sigma (1 - sigma).
pub fn hand(w: [f64; 3], x: [f64; 2], d_out: f64) -> (f64, [f64; 3], [f64; 2]) {
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    let s = 1.0 / (1.0 + (-dot).exp());
    let d = d_out * s * (1.0 - s);
    (s, [d * x[0], d * x[1], d], [d * w[0], d * w[1]])
}

/// The neuron over any dual number of `num-dual`.
fn dual<D: DualNum<Primitive = f64> + Copy>(w: [D; 3], x: [D; 2]) -> D {
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    ((-dot).exp() + 1.0).recip()
}

/// `num_dual::gradient` over `SVector<DualSVec64<5>, 5>`: one forward pass
/// that carries all 5 partial derivatives.
pub fn num_dual_svec(w: [f64; 3], x: [f64; 2]) -> (f64, SVector<f64, 5>) {
    let v = SVector::from([w[0], w[1], w[2], x[0], x[1]]);
    gradient(
        |v: SVector<DualSVec64<5>, 5>| dual([v[0], v[1], v[2]], [v[3], v[4]]),
        &v,
    )
}

/// `Dual64`, one forward pass per input.
pub fn num_dual_passes(w: [f64; 3], x: [f64; 2]) -> (f64, [f64; 5]) {
    let v = [w[0], w[1], w[2], x[0], x[1]];
    let mut g = [0.0; 5];
    let mut value = 0.0;
    for (i, gi) in g.iter_mut().enumerate() {
        let d: [Dual64; 5] = std::array::from_fn(|j| {
            let e = Dual64::from(v[j]);
            if i == j {
                e.derivative()
            } else {
                e
            }
        });
        let r = dual([d[0], d[1], d[2]], [d[3], d[4]]);
        value = r.re;
        *gi = r.eps;
    }
    (value, g)
}

/// easy-ml's runtime tape: record the forward pass, then one backward pass.
pub fn easy_ml(list: &WengertList<f64>, w: [f64; 3], x: [f64; 2]) -> (f64, [f64; 5]) {
    list.clear();
    let w = w.map(|v| Record::variable(v, list));
    let x = x.map(|v| Record::variable(v, list));
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    let y = ((-dot).exp() + 1.0).div_swapped(1.0);
    let d = y.derivatives();
    (y.number, [d[&w[0]], d[&w[1]], d[&w[2]], d[&x[0]], d[&x[1]]])
}

/// Central finite differences: 10 evaluations.
pub fn fd(w: [f64; 3], x: [f64; 2]) -> [f64; 5] {
    let mut p = (w, x);
    let mut g = [0.0; 5];
    central_differences(
        &mut p,
        &mut g,
        |p, i| if i < 3 { &mut p.0[i] } else { &mut p.1[i - 3] },
        |p| neuron(p.0, p.1),
    );
    g
}

const W: [f64; 3] = [2.0, -3.0, -3.0];
const X: [f64; 2] = [-1.0, -2.0];

pub fn check() {
    let (v, dw, dx) = neuron_backward(W, X, 1.0);
    let g = [dw[0], dw[1], dw[2], dx[0], dx[1]];
    let (hv, hw, hx) = hand(W, X, 1.0);
    assert_eq!(v, hv);
    assert_close(
        "neuron hand",
        &[hw[0], hw[1], hw[2], hx[0], hx[1]],
        &g,
        1e-14,
    );
    let (dv, dg) = num_dual_svec(W, X);
    assert!((dv - v).abs() < 1e-15);
    assert_close("neuron num-dual svec", dg.as_slice(), &g, 1e-14);
    assert_close(
        "neuron num-dual passes",
        &num_dual_passes(W, X).1,
        &g,
        1e-14,
    );
    let list = WengertList::new();
    assert_close("neuron easy-ml", &easy_ml(&list, W, X).1, &g, 1e-14);
    assert_close("neuron fd", &fd(W, X), &g, 1e-8);
}

pub fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("neuron");
    group.bench_function("primal", |b| b.iter(|| neuron(black_box(W), black_box(X))));
    group.bench_function("grad", |b| {
        b.iter(|| neuron_backward(black_box(W), black_box(X), black_box(1.0)))
    });
    group.bench_function("hand", |b| {
        b.iter(|| hand(black_box(W), black_box(X), black_box(1.0)))
    });
    group.bench_function("num_dual_svec", |b| {
        b.iter(|| num_dual_svec(black_box(W), black_box(X)))
    });
    group.bench_function("num_dual_dual64", |b| {
        b.iter(|| num_dual_passes(black_box(W), black_box(X)))
    });
    let list = WengertList::new();
    group.bench_function("easy_ml", |b| {
        b.iter(|| easy_ml(&list, black_box(W), black_box(X)))
    });
    group.bench_function("fd", |b| b.iter(|| fd(black_box(W), black_box(X))));
    group.finish();
}
