//! The squared norm of a matrix-vector product, ||W x||^2 with a 32 x 32 `W`:
//! a nested loop, 1,056 inputs.

use crate::common::{assert_close, central_differences, Rng};
use autodiff::grad;
use criterion::Criterion;
use easy_ml::differentiation::{Record, WengertList};
use num_dual::{Dual64, DualNum};
use std::hint::black_box;

pub const N: usize = 32;
const INPUTS: usize = N * N + N;

#[grad]
pub fn wx_norm(w: &[[f64; N]; N], x: &[f64; N]) -> f64 {
    let mut q = [0.0; N];
    for i in 0..N {
        for j in 0..N {
            q[i] += w[i][j] * x[j];
        }
    }
    let mut s = 0.0;
    for i in 0..N {
        s += q[i] * q[i];
    }
    s
}

/// One pass over the rows: q_i = w_i . x, then dW_i += 2 q_i x and
/// dx += 2 q_i w_i while the row is in cache.
pub fn hand(
    w: &[[f64; N]; N],
    dw: &mut [[f64; N]; N],
    x: &[f64; N],
    dx: &mut [f64; N],
    d_out: f64,
) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        let mut q = 0.0;
        for j in 0..N {
            q += w[i][j] * x[j];
        }
        s += q * q;
        let g = 2.0 * q * d_out;
        for j in 0..N {
            dw[i][j] += g * x[j];
            dx[j] += g * w[i][j];
        }
    }
    s
}

fn dual<D: DualNum<Primitive = f64> + Copy>(w: &[[D; N]; N], x: &[D; N]) -> D {
    let mut s = D::from(0.0);
    for row in w {
        let mut q = D::from(0.0);
        for j in 0..N {
            q += row[j] * x[j];
        }
        s += q * q;
    }
    s
}

/// `Dual64`, one forward pass per input (1,056 passes). The one-pass
/// `gradient` would need `DualSVec64<1056>` values of 8 KiB each, 9 MiB of
/// inputs on the stack, and `DualDVec64` allocates on every operation.
pub fn num_dual_passes(w: &[[f64; N]; N], x: &[f64; N], g: &mut [f64]) -> f64 {
    let mut dw = w.map(|r| r.map(Dual64::from));
    let mut dx = x.map(Dual64::from);
    let mut value = 0.0;
    for k in 0..INPUTS {
        let slot = if k < N * N {
            &mut dw[k / N][k % N]
        } else {
            &mut dx[k - N * N]
        };
        slot.eps = 1.0;
        let r = dual(&dw, &dx);
        let slot = if k < N * N {
            &mut dw[k / N][k % N]
        } else {
            &mut dx[k - N * N]
        };
        slot.eps = 0.0;
        value = r.re;
        g[k] = r.eps;
    }
    value
}

pub fn easy_ml(list: &WengertList<f64>, w: &[[f64; N]; N], x: &[f64; N], g: &mut [f64]) -> f64 {
    list.clear();
    let w = w.map(|r| r.map(|v| Record::variable(v, list)));
    let x = x.map(|v| Record::variable(v, list));
    let mut s = Record::constant(0.0);
    for row in &w {
        let mut q = Record::constant(0.0);
        for j in 0..N {
            q = q + row[j] * x[j];
        }
        s = s + q * q;
    }
    let d = s.derivatives();
    for k in 0..INPUTS {
        g[k] = if k < N * N {
            d[&w[k / N][k % N]]
        } else {
            d[&x[k - N * N]]
        };
    }
    s.number
}

/// Central finite differences: 2,112 evaluations.
pub fn fd(w: &[[f64; N]; N], x: &[f64; N], g: &mut [f64]) {
    let mut p = (*w, *x);
    central_differences(
        &mut p,
        g,
        |p, k| {
            if k < N * N {
                &mut p.0[k / N][k % N]
            } else {
                &mut p.1[k - N * N]
            }
        },
        |p| wx_norm(&p.0, &p.1),
    );
}

fn input() -> ([[f64; N]; N], [f64; N]) {
    let mut rng = Rng::new(2);
    let w = std::array::from_fn(|_| std::array::from_fn(|_| rng.range(-0.2, 0.2)));
    let x = std::array::from_fn(|_| rng.range(-1.0, 1.0));
    (w, x)
}

fn flat(dw: &[[f64; N]; N], dx: &[f64; N]) -> Vec<f64> {
    dw.iter().flatten().chain(dx).copied().collect()
}

pub fn check() {
    let (w, x) = input();
    let (mut dw, mut dx) = ([[0.0; N]; N], [0.0; N]);
    let v = wx_norm_backward(&w, &mut dw, &x, &mut dx, black_box(1.0));
    let g = flat(&dw, &dx);
    let (mut hw, mut hx) = ([[0.0; N]; N], [0.0; N]);
    let hv = hand(&w, &mut hw, &x, &mut hx, 1.0);
    assert!((hv - v).abs() <= 1e-14 * v);
    assert_close("wx hand", &flat(&hw, &hx), &g, 1e-13);
    let mut d = vec![0.0; INPUTS];
    num_dual_passes(&w, &x, &mut d);
    assert_close("wx num-dual passes", &d, &g, 1e-13);
    let list = WengertList::new();
    easy_ml(&list, &w, &x, &mut d);
    assert_close("wx easy-ml", &d, &g, 1e-13);
    fd(&w, &x, &mut d);
    assert_close("wx fd", &d, &g, 1e-7);
}

pub fn bench(c: &mut Criterion) {
    let (w, x) = input();
    let mut group = c.benchmark_group("wx_norm");
    group.bench_function("primal", |b| {
        b.iter(|| wx_norm(black_box(&w), black_box(&x)))
    });
    // The caller zeroes the gradient (the contract); that is timed too.
    let (mut dw, mut dx) = ([[0.0; N]; N], [0.0; N]);
    group.bench_function("grad", |b| {
        b.iter(|| {
            (dw, dx) = ([[0.0; N]; N], [0.0; N]);
            let v = wx_norm_backward(
                black_box(&w),
                &mut dw,
                black_box(&x),
                &mut dx,
                black_box(1.0),
            );
            black_box((&dw, &dx));
            v
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            (dw, dx) = ([[0.0; N]; N], [0.0; N]);
            let v = hand(
                black_box(&w),
                &mut dw,
                black_box(&x),
                &mut dx,
                black_box(1.0),
            );
            black_box((&dw, &dx));
            v
        })
    });
    let mut g = vec![0.0; INPUTS];
    group.bench_function("num_dual_dual64", |b| {
        b.iter(|| num_dual_passes(black_box(&w), black_box(&x), &mut g))
    });
    let list = WengertList::new();
    group.bench_function("easy_ml", |b| {
        b.iter(|| easy_ml(&list, black_box(&w), black_box(&x), &mut g))
    });
    group.bench_function("fd", |b| {
        b.iter(|| fd(black_box(&w), black_box(&x), &mut g))
    });
    group.finish();
}
