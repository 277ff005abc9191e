//! The modes side by side, in one run: `_forward` against `num-dual`'s
//! `Dual64` (one directional derivative each), and `_hvp` against `_backward`
//! (a Hessian-vector product ÷ a gradient). See PERFORMANCE.md.
#![allow(clippy::needless_range_loop)]

use autodiff::grad;
use criterion::{criterion_group, criterion_main, Criterion};
use num_dual::{hessian, Dual2SVec64, Dual64, DualNum};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 64;

/// The generalised Rosenbrock function over 64 inputs.
#[grad(reverse, forward, hvp)]
fn rosenbrock(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

fn rosenbrock_dual<D: DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
    let mut s = D::from(0.0);
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = -x[i] + 1.0;
        s += a * a * 100.0 + b * b;
    }
    s
}

/// Rosenbrock over 10 inputs, for dense Hessians.
#[grad(hessian)]
fn rosen10(x: [f64; 10]) -> f64 {
    let mut s = 0.0;
    for i in 0..9 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

fn rosen10_dual(x: nalgebra::SVector<Dual2SVec64<10>, 10>) -> Dual2SVec64<10> {
    rosenbrock_dual(x.as_slice())
}

/// The CS231n sigmoid neuron.
#[grad(reverse, forward)]
fn neuron(w: [f64; 3], x: [f64; 2]) -> f64 {
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    1.0 / (1.0 + (-dot).exp())
}

fn neuron_dual<D: DualNum<Primitive = f64> + Copy>(w: [D; 3], x: [D; 2]) -> D {
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    ((-dot).exp() + 1.0).recip()
}

/// log Σ exp over 64 inputs (a running max, then a sum of exponentials).
#[grad(reverse, forward, hvp)]
fn lse(x: &[f64; N]) -> f64 {
    let mut m = x[0];
    for v in x.iter() {
        m = m.max(*v);
    }
    let z: f64 = x.iter().map(|v| (v - m).exp()).sum();
    m + z.ln()
}

fn lse_dual<D: DualNum<Primitive = f64> + Copy + PartialOrd>(x: &[D]) -> D {
    let mut m = x[0];
    for v in x {
        if *v > m {
            m = *v;
        }
    }
    let mut z = D::from(0.0);
    for v in x {
        z += (*v - m).exp();
    }
    m + z.ln()
}

fn input(seed: u64) -> [f64; N] {
    let mut s = seed;
    std::array::from_fn(|_| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 3.0 - 1.5
    })
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * a.abs().max(1.0),
        "{what}: {a} vs {b}"
    );
}

/// Every method agrees before anything is timed.
fn check(_: &mut Criterion) {
    let (x, t) = (input(1), input(2));
    let duals: Vec<Dual64> = x.iter().zip(&t).map(|(a, b)| Dual64::new(*a, *b)).collect();
    let (v, d) = rosenbrock_forward(&x, &t);
    let r = rosenbrock_dual(&duals);
    close(v, r.re, "rosenbrock value");
    close(d, r.eps, "rosenbrock tangent");
    let (v, d) = lse_forward(&x, &t);
    let r = lse_dual(&duals);
    close(v, r.re, "lse value");
    close(d, r.eps, "lse tangent");
    let (w, xx) = ([2.0, -3.0, -3.0], [-1.0, -2.0]);
    let (tw, tx) = ([0.1, 0.2, 0.3], [0.4, 0.5]);
    let (v, d) = neuron_forward(w, tw, xx, tx);
    let r = neuron_dual(
        std::array::from_fn(|i| Dual64::new(w[i], tw[i])),
        std::array::from_fn(|i| Dual64::new(xx[i], tx[i])),
    );
    close(v, r.re, "neuron value");
    close(d, r.eps, "neuron tangent");
    let x10: [f64; 10] = std::array::from_fn(|i| x[i]);
    let (v, g, h) = rosen10_hessian(x10);
    let (dv, dg, dh) = hessian(rosen10_dual, &nalgebra::SVector::from(x10));
    close(v, dv, "rosen10 value");
    for i in 0..10 {
        close(g[i], dg[i], "rosen10 gradient");
        for j in 0..10 {
            close(h[i][j], dh[(i, j)], "rosen10 Hessian");
        }
    }
    println!("_forward agrees with num-dual's Dual64, _hessian with Dual2Vec, on every function");
}

fn forward(c: &mut Criterion) {
    let (x, t) = (input(1), input(2));
    let mut g = c.benchmark_group("rosenbrock64_jvp");
    g.bench_function("forward", |b| {
        b.iter(|| rosenbrock_forward(black_box(&x), black_box(&t)))
    });
    g.bench_function("num_dual_dual64", |b| {
        b.iter(|| {
            let d: [Dual64; N] = std::array::from_fn(|i| Dual64::new(x[i], t[i]));
            rosenbrock_dual(black_box(&d))
        })
    });
    g.bench_function("primal", |b| b.iter(|| rosenbrock(black_box(&x))));
    g.finish();
    let mut g = c.benchmark_group("lse64_jvp");
    g.bench_function("forward", |b| {
        b.iter(|| lse_forward(black_box(&x), black_box(&t)))
    });
    g.bench_function("num_dual_dual64", |b| {
        b.iter(|| {
            let d: [Dual64; N] = std::array::from_fn(|i| Dual64::new(x[i], t[i]));
            lse_dual(black_box(&d))
        })
    });
    g.bench_function("primal", |b| b.iter(|| lse(black_box(&x))));
    g.finish();
    let (w, xx) = ([2.0, -3.0, -3.0], [-1.0, -2.0]);
    let (tw, tx) = ([0.1, 0.2, 0.3], [0.4, 0.5]);
    let mut g = c.benchmark_group("neuron_jvp");
    g.bench_function("forward", |b| {
        b.iter(|| neuron_forward(black_box(w), black_box(tw), black_box(xx), black_box(tx)))
    });
    g.bench_function("num_dual_dual64", |b| {
        b.iter(|| {
            neuron_dual(
                std::array::from_fn(|i| Dual64::new(black_box(w)[i], black_box(tw)[i])),
                std::array::from_fn(|i| Dual64::new(black_box(xx)[i], black_box(tx)[i])),
            )
        })
    });
    g.finish();
}

fn hvp(c: &mut Criterion) {
    let (x, v) = (input(1), input(2));
    let mut g = c.benchmark_group("rosenbrock64_hvp");
    g.bench_function("backward", |b| {
        b.iter(|| {
            let mut d = [0.0; N];
            let r = rosenbrock_backward(black_box(&x), &mut d, 1.0);
            (r, d)
        })
    });
    g.bench_function("hvp", |b| {
        b.iter(|| {
            let (mut d, mut h) = ([0.0; N], [0.0; N]);
            let r = rosenbrock_hvp(black_box(&x), black_box(&v), &mut d, &mut h);
            (r, d, h)
        })
    });
    g.finish();
    let mut g = c.benchmark_group("lse64_hvp");
    g.bench_function("backward", |b| {
        b.iter(|| {
            let mut d = [0.0; N];
            let r = lse_backward(black_box(&x), &mut d, 1.0);
            (r, d)
        })
    });
    g.bench_function("hvp", |b| {
        b.iter(|| {
            let (mut d, mut h) = ([0.0; N], [0.0; N]);
            let r = lse_hvp(black_box(&x), black_box(&v), &mut d, &mut h);
            (r, d, h)
        })
    });
    g.finish();
}

fn dense_hessian(c: &mut Criterion) {
    let x = input(1);
    let x10: [f64; 10] = std::array::from_fn(|i| x[i]);
    let mut g = c.benchmark_group("rosenbrock10_hessian");
    g.bench_function("hessian", |b| b.iter(|| rosen10_hessian(black_box(x10))));
    g.bench_function("num_dual_dual2vec", |b| {
        b.iter(|| hessian(rosen10_dual, &nalgebra::SVector::from(black_box(x10))))
    });
    g.finish();
}

criterion_group! {
    name = modes;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1));
    targets = check, forward, hvp, dense_hessian
}
criterion_main!(modes);
