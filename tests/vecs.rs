//! `Vec` locals (issue 11, point 2): `vec![x; n]`, `vec![a, b, c]`,
//! `.collect::<Vec<f64>>()` (and `let v: Vec<f64> = ….collect()`) from chains,
//! `.to_vec()`, `.clone()`; indexed, assigned, `+=`, measured, iterated, and
//! passed by `&` to `#[grad]` callees. Gradients against central finite
//! differences (relative 1e-6, absolute 1e-8).
#![deny(warnings)]
// `vec![a, b, c]` is what is tested, where an array would do.
#![allow(clippy::needless_range_loop, clippy::useless_vec)]

use autodiff::grad;

mod common;
use common::*;

#[grad]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| x * y).sum()
}

/// A hidden layer of run-time width: `vec![0.0; n]`, filled, then passed on.
#[grad]
pub fn mlp(w: &[f64], x: &[f64], v: &[f64]) -> f64 {
    let h = v.len();
    let mut hidden = vec![0.0; h];
    for j in 0..h {
        let mut z = 0.0;
        for i in 0..x.len() {
            z += w[j * x.len() + i] * x[i];
        }
        hidden[j] = z.tanh();
    }
    dot(&hidden, v)
}

/// `collect` from a map, `to_vec`, `clone`, `vec![a, b, c]` and `+=`.
#[grad]
pub fn normalized(x: &[f64]) -> f64 {
    let e: Vec<f64> = x.iter().map(|v| v.exp()).collect();
    let z: f64 = e.iter().sum();
    let p = e.iter().map(|v| v / z).collect::<Vec<f64>>();
    let mut q = p.to_vec();
    let c = vec![1.0, 2.0, x[0]];
    for i in 0..q.len() {
        q[i] += c[i % 3] * p[i];
    }
    let r = q.clone();
    r.iter()
        .enumerate()
        .map(|(i, v)| v * (i as f64 + 1.0))
        .sum::<f64>()
        + q[0] * q.len() as f64
}

fn check3(
    f: impl Fn(&[f64], &[f64], &[f64]) -> f64,
    g: impl Fn(&[f64], &mut [f64], &[f64], &mut [f64], &[f64], &mut [f64]) -> f64,
    w: &[f64],
    x: &[f64],
    v: &[f64],
) {
    let (mut dw, mut dx, mut dv) = (vec![0.0; w.len()], vec![0.0; x.len()], vec![0.0; v.len()]);
    let y = g(w, &mut dw, x, &mut dx, v, &mut dv);
    assert_bits(y, f(w, x, v), "value");
    let (nw, nx) = (w.len(), x.len());
    assert_fd(
        |p| f(&p[..nw], &p[nw..nw + nx], &p[nw + nx..]),
        &cat(&[w, x, v]),
        &cat(&[&dw, &dx, &dv]),
    );
}

#[test]
fn hidden_layer_of_run_time_width() {
    let w = [0.3, -1.2, 0.8, 0.5, -0.4, 0.9];
    let x = [0.7, -0.3];
    let v = [1.5, -0.5, 0.25];
    check3(
        mlp,
        |w, dw, x, dx, v, dv| mlp_backward(w, dw, x, dx, v, dv, 1.0),
        &w,
        &x,
        &v,
    );
}

#[test]
fn collect_to_vec_clone_and_literals() {
    let x = [0.3, -1.1, 2.2, 0.7];
    let mut dx = [0.0; 4];
    let y = normalized_backward(&x, &mut dx, 1.0);
    assert_bits(y, normalized(&x), "value");
    assert_fd(normalized, &x, &dx);
}

/// Double buffering with `Vec`s and `std::mem::swap`, over a run-time count.
#[grad]
pub fn diffuse(u0: &[f64], k: f64, steps: usize) -> f64 {
    let n = u0.len();
    let mut u = u0.to_vec();
    let mut next = vec![0.0; n];
    for _ in 0..steps {
        for i in 0..n {
            let l = if i > 0 { u[i - 1] } else { u[i] };
            let r = if i + 1 < n { u[i + 1] } else { u[i] };
            next[i] = u[i] + k * (l - 2.0 * u[i] + r) + 0.01 * u[i] * u[i];
        }
        std::mem::swap(&mut u, &mut next);
    }
    u.iter()
        .enumerate()
        .map(|(i, v)| v * (i as f64 + 1.0))
        .sum::<f64>()
        + next[0]
}

/// The same `Vec` passed twice to a callee.
#[grad]
pub fn self_dot(x: &[f64]) -> f64 {
    let y: Vec<f64> = x.iter().map(|v| v.sin()).collect();
    dot(&y, &y)
}

#[test]
fn vec_double_buffers_and_aliased_arguments() {
    let u = [0.3, -1.1, 2.2, 0.7, 0.1];
    for steps in [0, 1, 3] {
        let mut du = [0.0; 5];
        let (y, dk) = diffuse_backward(&u, &mut du, 0.2, steps, 1.0);
        assert_bits(y, diffuse(&u, 0.2, steps), "value");
        assert_fd(
            |p| diffuse(&p[..5], p[5], steps),
            &cat(&[&u, &[0.2]]),
            &cat(&[&du, &[dk]]),
        );
    }
    let mut dx = [0.0; 5];
    let y = self_dot_backward(&u, &mut dx, 1.0);
    assert_bits(y, self_dot(&u), "value");
    assert_fd(self_dot, &u, &dx);
}

// ------------------------------------------------------------- Vec results

/// Layer normalisation returning a `Vec` (collected), its cotangent `&[f64]`.
#[grad]
pub fn layer_norm(x: &[f64], g: f64) -> Vec<f64> {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / n;
    let s = (v + 1e-5).sqrt();
    x.iter().map(|a| g * (a - m) / s).collect()
}

/// A `Vec` result built by element assignment, updated after, returned from
/// one of two branches.
#[grad]
pub fn scaled(x: &[f64], k: f64) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    for i in 0..x.len() {
        out[i] += x[i] * k;
    }
    if k > 2.0 {
        return x.to_vec();
    }
    out[0] += k * out[0];
    out
}

#[test]
fn vec_results() {
    let x = [0.3, -1.2, 2.0, 0.7];
    let seed = [1.0, 0.5, -0.25, 2.0];
    let dot = |v: &[f64]| v.iter().zip(&seed).map(|(a, b)| a * b).sum::<f64>();
    let mut dx = [0.0; 4];
    let (y, dg) = layer_norm_backward(&x, &mut dx, 1.5, &seed);
    assert_eq!(y, layer_norm(&x, 1.5));
    let mut g = dx.to_vec();
    g.push(dg);
    assert_fd(
        |q| dot(&layer_norm(&q[..4], q[4])),
        &[x[0], x[1], x[2], x[3], 1.5],
        &g,
    );
    for k in [1.5, 2.5] {
        let mut dx = [0.0; 4];
        let (y, dk) = scaled_backward(&x, &mut dx, k, &seed);
        assert_eq!(y, scaled(&x, k));
        let mut g = dx.to_vec();
        g.push(dk);
        assert_fd(
            |q| dot(&scaled(&q[..4], q[4])),
            &[x[0], x[1], x[2], x[3], k],
            &g,
        );
    }
}

/// A `Vec` result used by a caller, typed and untyped (its cotangent passed
/// as `&[f64]` either way).
#[grad]
pub fn through_callee(x: &[f64], k: f64) -> f64 {
    let h: Vec<f64> = layer_norm(x, k);
    let u = scaled(x, k);
    h[0] * h[1] + u[2] + dot(&h, &h)
}

#[test]
fn vec_results_of_callees() {
    let x = [0.3, -1.2, 2.0, 0.7];
    let mut dx = [0.0; 4];
    let (y, dk) = through_callee_backward(&x, &mut dx, 1.5, 1.0);
    assert_eq!(y.to_bits(), through_callee(&x, 1.5).to_bits());
    let mut g = dx.to_vec();
    g.push(dk);
    assert_fd(
        |q| through_callee(&q[..4], q[4]),
        &[x[0], x[1], x[2], x[3], 1.5],
        &g,
    );
}

/// `to_vec()` of an array parameter by value: its gradient is the `Vec`'s
/// cotangent back as an array (the random programs' p465).
#[grad]
pub fn to_vec_of_value(a: [f64; 2]) -> f64 {
    let u = a.to_vec();
    u[1] * u[0] + u.iter().map(|v| v.sin()).sum::<f64>()
}

#[test]
fn to_vec_of_an_array_by_value() {
    let (y, d) = to_vec_of_value_backward([2.0, 3.0], 1.0);
    assert_eq!(y.to_bits(), to_vec_of_value([2.0, 3.0]).to_bits());
    assert_fd(|q| to_vec_of_value([q[0], q[1]]), &[2.0, 3.0], &d);
}

// ------------------------------------------------------------ Vec grown by push

/// `Vec::new()` grown by `push` in a filtered loop, and a `vec![a; n]` pushed
/// onto: the pushed element's cotangent is read at its index, and the splat's
/// sum does not count it again.
#[grad]
pub fn pushed(x: &[f64], a: f64) -> f64 {
    let mut v = Vec::new();
    for xi in x {
        if *xi > 0.0 {
            v.push(xi * a);
        }
    }
    let mut w = vec![a; 2];
    w.push(a * a);
    let mut u: Vec<f64> = Vec::with_capacity(x.len());
    for (i, xi) in x.iter().enumerate() {
        u.push(xi * v.len() as f64 + i as f64 * a);
    }
    v.iter().map(|t| t.sin()).sum::<f64>() + w.iter().sum::<f64>() + u[u.len() - 1] * u[0]
}

#[test]
fn vecs_grown_by_push() {
    for (x, a) in [
        ([0.3, -1.2, 2.0, 0.7], 1.5),
        ([-0.3, -1.2, -2.0, -0.7], -0.5),
    ] {
        let mut dx = [0.0; 4];
        let (y, da) = pushed_backward(&x, &mut dx, a, 1.0);
        assert_eq!(y.to_bits(), pushed(&x, a).to_bits());
        let p = [x[0], x[1], x[2], x[3], a];
        assert_fd(
            |q| pushed(&q[..4], q[4]),
            &p,
            &[dx[0], dx[1], dx[2], dx[3], da],
        );
    }
}

/// An untyped `Vec` result of a call after an early return: the branch that
/// returned early carries a placeholder of the result's type (an empty `Vec`,
/// `Tangent::zero()` had none: E0277 before). Found by progen's batch run.
#[grad]
pub fn scaled_vec(a: &[f64], k: f64) -> Vec<f64> {
    a.iter().map(|v| v * k).collect()
}

#[grad]
pub fn sum_after_early_return(a: &[f64], k: f64) -> f64 {
    if k > 5.0 {
        return k;
    }
    let h = scaled_vec(a, k);
    h.iter().sum::<f64>()
}

#[test]
fn an_untyped_vec_result_after_an_early_return() {
    for k in [2.0, 6.0] {
        let a = [1.0, 2.0];
        let mut d = [0.0; 2];
        let (v, dk) = sum_after_early_return_backward(&a, &mut d, k, 1.0);
        assert_eq!(v, sum_after_early_return(&a, k));
        let f = |p: &[f64]| sum_after_early_return(&p[..2], p[2]);
        assert_fd(f, &[a[0], a[1], k], &[d[0], d[1], dk]);
    }
}

#[grad]
pub fn cubes(z: &[f64]) -> Vec<f64> {
    z.iter().map(|x| x * x * x).collect()
}

#[grad]
pub fn pair_of(z: &[f64]) -> [f64; 2] {
    [z[0] * z[1], z[1].sin()]
}

/// Helpers returning a `Vec` (or an array) called in loops, their results
/// indexed (corpus round 6, B: E0277 `Vec<f64>: Copy`, E0507 and E0382 in the
/// generated code; each iteration's result is now recorded as a copy).
#[grad]
pub fn helper_results_in_loops(z: &[f64], rows: &[Vec<f64>], n: usize) -> f64 {
    let mut t = 0.0;
    for _ in 0..3 {
        let v = cubes(z);
        t += v[0] * v[1];
    }
    for r in rows {
        let v = cubes(r);
        t += v[0] * v[1];
    }
    for _ in 0..n {
        let v: Vec<f64> = cubes(z);
        let p = pair_of(&v);
        t += v[1] * v[2] + p[0] * p[1];
    }
    t
}

#[test]
fn helper_results_in_loops_against_differences() {
    let z = [0.3, -0.7, 1.1];
    let rows = vec![vec![0.3, 0.2], vec![-0.5, 0.9, 0.4]];
    let mut dz = [0.0; 3];
    let mut dr = vec![vec![0.0; 2], vec![0.0; 3]];
    let v = helper_results_in_loops_backward(&z, &mut dz, &rows, &mut dr, 4, 1.0);
    assert_eq!(v, helper_results_in_loops(&z, &rows, 4));
    let f = |p: &[f64]| {
        let rows = vec![p[3..5].to_vec(), p[5..8].to_vec()];
        helper_results_in_loops(&p[..3], &rows, 4)
    };
    let x: Vec<f64> = z.iter().chain(rows.iter().flatten()).copied().collect();
    let g: Vec<f64> = dz.iter().chain(dr.iter().flatten()).copied().collect();
    assert_fd(f, &x, &g);
}
