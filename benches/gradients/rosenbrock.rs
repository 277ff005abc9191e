//! The generalised Rosenbrock function over 64 inputs: one loop.

use crate::common::{assert_close, central_differences, Rng};
use autodiff::grad;
use criterion::Criterion;
use easy_ml::differentiation::record_operations::SwappedOperations;
use easy_ml::differentiation::{Record, WengertList};
use nalgebra::SVector;
use num_dual::{gradient, Dual64, DualNum, DualSVec64};
use std::hint::black_box;

pub const N: usize = 64;

/// sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.
#[grad]
pub fn rosenbrock(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// One fused loop: each term's value and its contributions to `dx[i]` and
/// `dx[i + 1]`.
pub fn hand(x: &[f64; N], dx: &mut [f64; N], d_out: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        let da = 200.0 * a * d_out;
        dx[i + 1] += da;
        dx[i] -= 2.0 * (x[i] * da + b * d_out);
    }
    s
}

fn dual<D: DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
    let mut s = D::from(0.0);
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = -x[i] + 1.0;
        s += a * a * 100.0 + b * b;
    }
    s
}

/// `num_dual::gradient` over `SVector<DualSVec64<64>, 64>`: one forward pass
/// carrying 64 partials per value.
pub fn num_dual_svec(x: &[f64; N]) -> (f64, SVector<f64, N>) {
    let v = SVector::from(*x);
    gradient(|v: SVector<DualSVec64<N>, N>| dual(v.as_slice()), &v)
}

/// `Dual64`, one forward pass per input.
pub fn num_dual_passes(x: &[f64; N], g: &mut [f64; N]) -> f64 {
    let mut d = x.map(Dual64::from);
    let mut value = 0.0;
    for i in 0..N {
        d[i] = d[i].derivative();
        let r = dual(&d);
        d[i].eps = 0.0;
        value = r.re;
        g[i] = r.eps;
    }
    value
}

pub fn easy_ml(list: &WengertList<f64>, x: &[f64; N], g: &mut [f64; N]) -> f64 {
    list.clear();
    let x = x.map(|v| Record::variable(v, list));
    let mut s = Record::constant(0.0);
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = x[i].sub_swapped(1.0);
        s = s + a * a * 100.0 + b * b;
    }
    let d = s.derivatives();
    for i in 0..N {
        g[i] = d[&x[i]];
    }
    s.number
}

/// Central finite differences: 128 evaluations.
pub fn fd(x: &[f64; N], g: &mut [f64; N]) {
    let mut p = *x;
    central_differences(&mut p, g, |p, i| &mut p[i], rosenbrock);
}

fn input() -> [f64; N] {
    let mut rng = Rng::new(1);
    std::array::from_fn(|_| rng.range(-1.5, 1.5))
}

pub fn check() {
    let x = input();
    let mut g = [0.0; N];
    let v = rosenbrock_backward(&x, &mut g, 1.0);
    let mut h = [0.0; N];
    assert_eq!(hand(&x, &mut h, 1.0), v);
    assert_close("rosenbrock hand", &h, &g, 1e-13);
    let (dv, dg) = num_dual_svec(&x);
    assert!((dv - v).abs() <= 1e-12 * v.abs());
    assert_close("rosenbrock num-dual svec", dg.as_slice(), &g, 1e-13);
    let mut d = [0.0; N];
    num_dual_passes(&x, &mut d);
    assert_close("rosenbrock num-dual passes", &d, &g, 1e-13);
    let list = WengertList::new();
    easy_ml(&list, &x, &mut d);
    assert_close("rosenbrock easy-ml", &d, &g, 1e-13);
    fd(&x, &mut d);
    assert_close("rosenbrock fd", &d, &g, 1e-7);
}

pub fn bench(c: &mut Criterion) {
    let x = input();
    let mut group = c.benchmark_group("rosenbrock");
    group.bench_function("primal", |b| b.iter(|| rosenbrock(black_box(&x))));
    // The caller zeroes the gradient (the contract); that is timed too.
    let mut g = [0.0; N];
    group.bench_function("grad", |b| {
        b.iter(|| {
            g = [0.0; N];
            let v = rosenbrock_backward(black_box(&x), &mut g, black_box(1.0));
            black_box(&g);
            v
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            g = [0.0; N];
            let v = hand(black_box(&x), &mut g, black_box(1.0));
            black_box(&g);
            v
        })
    });
    group.bench_function("num_dual_svec", |b| b.iter(|| num_dual_svec(black_box(&x))));
    group.bench_function("num_dual_dual64", |b| {
        b.iter(|| {
            let v = num_dual_passes(black_box(&x), &mut g);
            black_box(&g);
            v
        })
    });
    let list = WengertList::new();
    group.bench_function("easy_ml", |b| {
        b.iter(|| {
            let v = easy_ml(&list, black_box(&x), &mut g);
            black_box(&g);
            v
        })
    });
    group.bench_function("fd", |b| {
        b.iter(|| {
            fd(black_box(&x), &mut g);
            black_box(&g);
        })
    });
    group.finish();
}
