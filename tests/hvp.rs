//! `#[grad(hvp)]`: `<name>_hvp` returns the value, the gradient and the
//! Hessian-vector product H·v, checked against central differences of the
//! gradient (`_backward`) along v, and the symmetry of the Hessian
//! (⟨u, H·v⟩ = ⟨v, H·u⟩).

mod common;

use autodiff::grad;
use common::dot;

/// Rosenbrock in two variables: a Hessian known in closed form.
#[grad(reverse, hvp)]
fn rosen(x: f64, y: f64) -> f64 {
    (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
}

/// A slice, a loop with a branch, transcendental functions.
#[grad(reverse, hvp)]
fn energy(x: &[f64], k: f64) -> f64 {
    let mut e = 0.0;
    for i in 0..x.len() {
        let d = x[i] - if i > 0 { x[i - 1] } else { 0.0 };
        e += k * d * d + (x[i] * k).sin();
        if x[i] > 1.0 {
            e += (x[i] - 1.0).exp();
        }
    }
    e.ln_1p()
}

/// A fixed-size array and a tape (a loop whose reverse needs its values).
#[grad(reverse, hvp)]
fn chain(x: [f64; 3]) -> f64 {
    let mut s = x[0];
    for i in 0..3 {
        s = (s * x[i]).tanh() + x[(i + 1) % 3];
    }
    s * s
}

#[test]
fn rosenbrock_closed_form() {
    let (x, y) = (0.7, 1.3);
    let (v, gx, gy, hx, hy) = rosen_hvp(x, 0.25, y, -1.5);
    assert_eq!(v, rosen(x, y));
    let (_, wx, wy) = rosen_backward(x, y, 1.0);
    assert_eq!((gx, gy), (wx, wy));
    // H = [[2 - 400 (y - x²) + 800 x², -400 x], [-400 x, 200]]
    let h = [
        [2.0 - 400.0 * (y - x * x) + 800.0 * x * x, -400.0 * x],
        [-400.0 * x, 200.0],
    ];
    let want = [
        h[0][0] * 0.25 + h[0][1] * -1.5,
        h[1][0] * 0.25 + h[1][1] * -1.5,
    ];
    assert!(
        (hx - want[0]).abs() < 1e-10 * want[0].abs().max(1.0),
        "{hx} {want:?}"
    );
    assert!(
        (hy - want[1]).abs() < 1e-10 * want[1].abs().max(1.0),
        "{hy} {want:?}"
    );
}

fn grad_energy(x: &[f64], k: f64) -> (Vec<f64>, f64) {
    let mut d = vec![0.0; x.len()];
    let (_, dk) = energy_backward(x, &mut d, k, 1.0);
    (d, dk)
}

#[test]
fn slices_against_differences_of_the_gradient() {
    let x = [0.3, 1.4, -0.8, 2.1];
    let k = 0.9;
    let vx = [0.5, -1.0, 0.25, 0.75];
    let vk = -0.4;
    let (mut d, mut h) = ([0.0; 4], [0.0; 4]);
    let (v, dk, hk) = energy_hvp(&x, &vx, &mut d, &mut h, k, vk);
    assert_eq!(v, energy(&x, k));
    let (gd, gk) = grad_energy(&x, k);
    assert_eq!(d.to_vec(), gd);
    assert_eq!(dk, gk);
    let eps = 1e-5;
    let shifted = |s: f64| {
        let xs: Vec<f64> = x.iter().zip(&vx).map(|(a, b)| a + s * b).collect();
        grad_energy(&xs, k + s * vk)
    };
    let (p, pk) = shifted(eps);
    let (m, mk) = shifted(-eps);
    for i in 0..4 {
        let fd = (p[i] - m[i]) / (2.0 * eps);
        assert!(
            (h[i] - fd).abs() < 1e-6 * fd.abs().max(1.0),
            "{i}: {} {fd}",
            h[i]
        );
    }
    let fd = (pk - mk) / (2.0 * eps);
    assert!((hk - fd).abs() < 1e-6 * fd.abs().max(1.0), "{hk} {fd}");
}

#[test]
fn hessian_is_symmetric() {
    let x = [0.4, -0.9, 0.6];
    let u = [1.0, 0.3, -0.7];
    let w = [-0.2, 0.8, 0.5];
    let (_, _, hu) = chain_hvp(x, u);
    let (_, g, hw) = chain_hvp(x, w);
    let (_, g2) = chain_backward(x, 1.0);
    assert_eq!(g, g2);
    let (a, b) = (dot(&w, &hu), dot(&u, &hw));
    assert!((a - b).abs() < 1e-12 * a.abs().max(1.0), "{a} {b}");
}

#[test]
fn backward_forward_is_the_forward_mode_of_backward() {
    let (x, y) = (0.7, 1.3);
    let (tx, ty, d, td) = (0.25, -1.5, 2.0, 0.5);
    let ((v, gx, gy), (tv, tgx, tgy)) = rosen_backward_forward(x, tx, y, ty, d, td);
    let (w, wx, wy) = rosen_backward(x, y, d);
    assert_eq!((v, gx, gy), (w, wx, wy));
    // t_value = ∇f·t; t_grads = d·H·t + t_d·∇f
    let (_, g1x, g1y) = rosen_backward(x, y, 1.0);
    let (_, _, _, hx, hy) = rosen_hvp(x, tx, y, ty);
    assert!((tv - (g1x * tx + g1y * ty)).abs() < 1e-12 * tv.abs().max(1.0));
    assert!((tgx - (d * hx + td * g1x)).abs() < 1e-10 * tgx.abs().max(1.0));
    assert!((tgy - (d * hy + td * g1y)).abs() < 1e-10 * tgy.abs().max(1.0));
    // A `&` parameter: its shadow and the shadow's tangent.
    let xs = [0.3, 1.4, -0.8, 2.1];
    let txs = [0.5, -1.0, 0.25, 0.75];
    let (mut dx, mut tdx) = ([0.0; 4], [0.0; 4]);
    let ((_, dk), (_, tdk)) =
        energy_backward_forward(&xs, &txs, &mut dx, &mut tdx, 0.9, -0.4, 1.0, 0.0);
    let (mut hdx, mut hx) = ([0.0; 4], [0.0; 4]);
    let (_, hk_g, hk) = energy_hvp(&xs, &txs, &mut hdx, &mut hx, 0.9, -0.4);
    assert_eq!((dx, dk), (hdx, hk_g));
    for i in 0..4 {
        assert!((tdx[i] - hx[i]).abs() < 1e-12 * hx[i].abs().max(1.0));
    }
    assert!((tdk - hk).abs() < 1e-12 * hk.abs().max(1.0));
}

/// `hvp` through calls: the callees' `_forward` and `_backward_forward`.
#[grad(hvp)]
fn pair_energy(a: f64, b: f64) -> f64 {
    (a - b).powi(2) * (a * b).cos()
}

#[grad(hvp)]
fn ring(x: &[f64], k: f64) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>() * k
}

#[grad(hvp)]
fn composed(x: [f64; 3]) -> f64 {
    let mut e = 0.0;
    for i in 0..3 {
        e += pair_energy(x[i], x[(i + 1) % 3]);
    }
    e + ring(&x, x[0]).sqrt()
}

#[test]
fn through_calls() {
    let x = [0.4, -0.9, 0.6];
    let v = [1.0, 0.3, -0.7];
    let (val, g, hv) = composed_hvp(x, v);
    assert_eq!(val, composed(x));
    let (_, g2) = composed_backward(x, 1.0);
    assert_eq!(g, g2);
    let eps = 1e-6;
    let at = |s: f64| composed_backward(std::array::from_fn(|i| x[i] + s * v[i]), 1.0).1;
    let (p, m) = (at(eps), at(-eps));
    for i in 0..3 {
        let fd = (p[i] - m[i]) / (2.0 * eps);
        assert!(
            (hv[i] - fd).abs() < 1e-6 * fd.abs().max(1.0),
            "{i}: {} {fd}",
            hv[i]
        );
    }
}

/// The dense Hessian, column by column from `_hvp`.
#[grad(hessian)]
fn quartic(x: [f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..4 {
        s += x[i].powi(4) * (i as f64 + 1.0) + x[i] * x[(i + 1) % 4];
    }
    s.exp().ln_1p()
}

#[test]
fn dense_hessian() {
    let x = [0.3, -0.5, 0.8, -0.1];
    let (v, g, h) = quartic_hessian(x);
    assert_eq!(v, quartic(x));
    let (_, g2) = quartic_backward(x, 1.0);
    assert_eq!(g, g2);
    let eps = 1e-5;
    for c in 0..4 {
        let at = |s: f64| {
            let mut y = x;
            y[c] += s;
            quartic_backward(y, 1.0).1
        };
        let (p, m) = (at(eps), at(-eps));
        for r in 0..4 {
            let fd = (p[r] - m[r]) / (2.0 * eps);
            assert!(
                (h[r][c] - fd).abs() < 1e-6 * fd.abs().max(1.0),
                "{r} {c}: {} {fd}",
                h[r][c]
            );
            assert!((h[r][c] - h[c][r]).abs() < 1e-12 * h[r][c].abs().max(1.0));
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, autodiff::Tangent)]
pub struct Spring {
    pub k: f64,
    pub x: [f64; 2],
}

/// A `Tangent` struct by `&`: its gradient and its part of H·v are added into
/// struct shadows, and with only `&` parameters `_hvp` returns the value alone.
#[grad(hvp)]
pub fn spring_energy(s: &Spring, x0: &[f64]) -> f64 {
    let d = s.x[0] - s.x[1] - x0[0];
    0.5 * s.k * d * d + s.k.sin() * s.x[1] * s.x[1]
}

fn spring_grad(s: &Spring, x0: &[f64]) -> [f64; 4] {
    let (mut ds, mut dx0) = (Spring::default(), [0.0]);
    spring_energy_backward(s, &mut ds, x0, &mut dx0, 1.0);
    [ds.k, ds.x[0], ds.x[1], dx0[0]]
}

#[test]
fn struct_by_reference_against_differences_of_the_gradient() {
    let s = Spring {
        k: 1.3,
        x: [0.4, -0.9],
    };
    let x0 = [0.25];
    let vs = Spring {
        k: -0.6,
        x: [0.3, 0.8],
    };
    let vx0 = [0.5];
    let (mut ds, mut hs) = (Spring::default(), Spring::default());
    let (mut dx0, mut hx0) = ([0.0], [0.0]);
    let v = spring_energy_hvp(&s, &vs, &mut ds, &mut hs, &x0, &vx0, &mut dx0, &mut hx0);
    assert_eq!(v, spring_energy(&s, &x0));
    assert_eq!([ds.k, ds.x[0], ds.x[1], dx0[0]], spring_grad(&s, &x0));
    let eps = 1e-5;
    let shifted = |t: f64| {
        let st = Spring {
            k: s.k + t * vs.k,
            x: [s.x[0] + t * vs.x[0], s.x[1] + t * vs.x[1]],
        };
        spring_grad(&st, &[x0[0] + t * vx0[0]])
    };
    let (p, m) = (shifted(eps), shifted(-eps));
    let got = [hs.k, hs.x[0], hs.x[1], hx0[0]];
    for i in 0..4 {
        let fd = (p[i] - m[i]) / (2.0 * eps);
        assert!(
            (got[i] - fd).abs() < 1e-6 * fd.abs().max(1.0),
            "{i}: {} {fd}",
            got[i]
        );
    }
}

/// A fold over a slice zipped with a carried array, in a `for` inside a
/// `while`: the reverse sweep records a `Vec` per iteration of the `for`,
/// whose tangent `_backward_forward` carries (E0277 before: a zero shaped like
/// the tape needed `Vec<f64>: Tangent`; progen's bug 8).
#[grad(hvp)]
fn tape_of_vecs(a: [f64; 3], s: &[f64]) -> f64 {
    let mut y = [s[0]; 2];
    let mut c = 0;
    while c < 2 {
        c += 1;
        for e in a.iter() {
            y[0] = y[0].min(s.iter().zip(y.iter()).fold(*e, |acc, (p, q)| acc * q + p));
        }
    }
    y[0]
}

#[test]
fn tape_of_vecs_against_differences_of_the_gradient() {
    let grad = |a: [f64; 3], s: &[f64]| {
        let mut d_s = vec![0.0; s.len()];
        let (_, d_a) = tape_of_vecs_backward(a, s, &mut d_s, 1.0);
        (d_a, d_s)
    };
    let (a, s) = ([-0.9, 0.4, -1.3], [1.5, -0.7, 0.4]);
    let (va, vs) = ([0.3, -0.8, 0.5], [-0.2, 0.6, 0.9]);
    let (mut d_s, mut h_s) = ([0.0; 3], [0.0; 3]);
    let (v, d_a, h_a) = tape_of_vecs_hvp(a, va, &s, &vs, &mut d_s, &mut h_s);
    assert_eq!(v.to_bits(), tape_of_vecs(a, &s).to_bits());
    let (ga, gs) = grad(a, &s);
    assert_eq!((d_a.to_vec(), d_s.to_vec()), (ga.to_vec(), gs));
    let eps = 1e-5;
    let at = |t: f64| {
        let a: [f64; 3] = std::array::from_fn(|i| a[i] + t * va[i]);
        let s: Vec<f64> = s.iter().zip(&vs).map(|(x, v)| x + t * v).collect();
        grad(a, &s)
    };
    let ((pa, ps), (ma, ms)) = (at(eps), at(-eps));
    let fd: Vec<f64> = pa
        .iter()
        .chain(&ps)
        .zip(ma.iter().chain(&ms))
        .map(|(p, m)| (p - m) / (2.0 * eps))
        .collect();
    let got: Vec<f64> = h_a.iter().chain(&h_s).copied().collect();
    assert!(got.iter().any(|h| h.abs() > 1e-3), "{got:?}");
    for (k, (g, f)) in got.iter().zip(&fd).enumerate() {
        assert!((g - f).abs() < 1e-6 * f.abs().max(1.0), "{k}: {g} {f}");
    }
}
