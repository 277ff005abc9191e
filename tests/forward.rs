//! `#[grad(forward)]`: `<name>_forward` against finite differences and `_backward`.

use autodiff::grad;

#[grad(reverse, forward)]
fn poly(x: f64, y: f64) -> f64 {
    let z = x * y + x.sin();
    z * z / (1.0 + y.exp())
}

#[grad(forward)]
fn arr(x: [f64; 3], s: f64) -> [f64; 3] {
    let mut out = [0.0; 3];
    for i in 0..3 {
        out[i] = x[i] * s + (x[i] * x[(i + 1) % 3]).tanh();
    }
    out
}

#[grad(reverse, forward)]
fn sl(x: &[f64], w: f64) -> f64 {
    let mut acc = 0.0;
    for (i, v) in x.iter().enumerate() {
        if *v > 0.0 {
            acc += w * v * v;
        } else {
            acc -= (i as f64) * v.exp();
        }
    }
    acc
}

#[grad(reverse, forward)]
fn caller(x: f64, y: f64) -> f64 {
    poly(x, y) * 2.0 + poly(y, x)
}

#[test]
fn scalars() {
    let (x, y) = (0.7, -0.3);
    let (v, t) = poly_forward(x, 1.0, y, 0.0);
    let (v2, gx, gy) = poly_backward(x, y, 1.0);
    assert_eq!(v, v2);
    assert!((t - gx).abs() < 1e-12, "{t} {gx}");
    let (_, t) = poly_forward(x, 0.0, y, 1.0);
    assert!((t - gy).abs() < 1e-12, "{t} {gy}");
    let (_, t) = caller_forward(x, 0.3, y, -0.4);
    let (_, gx, gy) = caller_backward(x, y, 1.0);
    assert!((t - (0.3 * gx - 0.4 * gy)).abs() < 1e-12);
}

#[test]
fn arrays_and_slices() {
    let x = [0.3, -0.5, 1.2];
    let tx = [0.1, 0.2, -0.3];
    let (v, t) = arr_forward(x, tx, 1.5, 0.5);
    let h = 1e-6;
    let mut xp = x;
    let mut xm = x;
    for i in 0..3 {
        xp[i] += h * tx[i];
        xm[i] -= h * tx[i];
    }
    let p = arr(xp, 1.5 + 0.5 * h);
    let m = arr(xm, 1.5 - 0.5 * h);
    for i in 0..3 {
        assert_eq!(v[i], arr(x, 1.5)[i]);
        assert!((t[i] - (p[i] - m[i]) / (2.0 * h)).abs() < 1e-7);
    }
    let xs = [0.5, -1.0, 2.0];
    let ts = [1.0, 0.5, -0.25];
    let (_, t) = sl_forward(&xs, &ts, 0.7, 0.2);
    let mut d = [0.0; 3];
    let (_, gw) = sl_backward(&xs, &mut d, 0.7, 1.0);
    let dot: f64 = d.iter().zip(&ts).map(|(a, b)| a * b).sum::<f64>() + gw * 0.2;
    assert!((t - dot).abs() < 1e-12, "{t} {dot}");
}

// ------------------------------------------------------------- everything `_backward` supports

mod common;
use autodiff::Tangent;
use common::{dot, prop_dot};

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Body {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
    pub mass: f64,
}

/// A struct by `&`, read field by field.
#[grad(reverse, forward)]
fn energy(b: &Body, g: f64) -> f64 {
    0.5 * b.mass * (b.vel[0] * b.vel[0] + b.vel[1] * b.vel[1]) + b.mass * g * b.pos[1]
}

/// A struct by value, updated by field, returned as a new struct.
#[grad(forward)]
fn step(mut b: Body, dt: f64) -> Body {
    let start = b.pos;
    for k in 0..2 {
        b.pos[k] += b.vel[k] * dt;
    }
    b.vel[1] -= 9.81 * dt * (start[1] - b.pos[1]).abs().sqrt();
    Body {
        pos: b.pos,
        vel: b.vel,
        mass: b.mass,
    }
}

/// An ODE right-hand side into an output parameter, and a caller passing it
/// a local array.
#[grad(reverse, forward)]
fn rhs(y: &[f64], p: &[f64], dy: &mut [f64]) {
    dy[0] = p[0] * y[0] - p[1] * y[0] * y[1];
    dy[1] = p[2] * y[0] * y[1] - p[3] * y[1];
}

#[grad(reverse, forward)]
fn euler(y0: [f64; 2], p: &[f64], h: f64) -> f64 {
    let mut y = y0;
    let mut dy = [0.0; 2];
    for _ in 0..10 {
        rhs(&y, p, &mut dy);
        y[0] += h * dy[0];
        y[1] += h * dy[1];
    }
    y[0] + 2.0 * y[1]
}

/// `Vec` locals, a `while` loop with `break`, `wrt`, `no_grad`, effects.
#[grad(reverse, forward, wrt(x))]
fn newtonish(x: f64, scale: f64) -> f64 {
    let n = if scale > 0.0 { 4 } else { 2 };
    let mut v = vec![0.0; n];
    let mut i = 0;
    let mut z = x;
    while i < 20 {
        z = z - (z * z - scale) / (2.0 * z);
        v[i % 4] += z;
        if (z * z - scale).abs() < 1e-12 {
            break;
        }
        i += 1;
    }
    assert!(z.is_finite());
    let s: f64 = v.iter().sum();
    s + autodiff::no_grad(z) * x
}

/// A `Vec` result.
#[grad(reverse, forward)]
fn softmax(x: &[f64]) -> Vec<f64> {
    let m = x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// A generic float type.
#[grad(reverse, forward)]
fn generic<T: autodiff::Real>(x: T, y: [T; 2]) -> T {
    (x * y[0]).sin() + y[1].powi(3) / x
}

/// A hand-written `_forward` beside `_backward`, checked against the contract.
#[grad(custom, reverse, forward)]
fn cube(x: f64) -> f64 {
    x * x * x
}

fn cube_backward(x: f64, d_out: f64) -> (f64, f64) {
    (cube(x), 3.0 * x * x * d_out)
}

fn cube_forward(x: f64, t_x: f64) -> (f64, f64) {
    (cube(x), 3.0 * x * x * t_x)
}

#[grad(reverse, forward)]
fn uses_cube(x: f64, y: f64) -> f64 {
    cube(x * y) + cube(y)
}

fn fd(f: impl Fn(f64) -> f64) -> f64 {
    let h = 1e-6;
    (f(h) - f(-h)) / (2.0 * h)
}

#[test]
fn structs() {
    let b = Body {
        pos: [0.5, 2.0],
        vel: [1.5, -0.5],
        mass: 3.0,
    };
    let tb = Body {
        pos: [0.1, -0.2],
        vel: [0.3, 0.7],
        mass: -0.4,
    };
    let (v, t) = energy_forward(&b, &tb, 9.81, 0.5);
    assert_eq!(v, energy(&b, 9.81));
    let mut db = Body::default();
    let (_, dg) = energy_backward(&b, &mut db, 9.81, 1.0);
    let flat = |b: &Body| [b.pos[0], b.pos[1], b.vel[0], b.vel[1], b.mass];
    let rhs = dot(&flat(&db), &flat(&tb)) + dg * 0.5;
    assert!((t - rhs).abs() < 1e-12, "{t} {rhs}");

    let (v, t) = step_forward(b, tb, 0.1, 0.2);
    assert_eq!(v, step(b, 0.1));
    let along = |e: f64| {
        let mut p = b;
        for k in 0..2 {
            p.pos[k] += e * tb.pos[k];
            p.vel[k] += e * tb.vel[k];
        }
        p.mass += e * tb.mass;
        step(p, 0.1 + 0.2 * e)
    };
    let want = [
        fd(|e| along(e).pos[0]),
        fd(|e| along(e).pos[1]),
        fd(|e| along(e).vel[0]),
        fd(|e| along(e).vel[1]),
        fd(|e| along(e).mass),
    ];
    let got = flat(&t);
    for k in 0..5 {
        assert!((got[k] - want[k]).abs() < 1e-7, "{k}: {got:?} {want:?}");
    }
}

#[test]
fn output_parameters_and_calls_passing_them() {
    let y = [1.0, 0.5];
    let p = [1.1, 0.4, 0.1, 0.4];
    let (ty, tp) = ([0.2, -0.1], [0.05, 0.1, -0.2, 0.3]);
    let mut dy = [0.0; 2];
    let mut tdy = [0.0; 2];
    rhs_forward(&y, &ty, &p, &tp, &mut dy, &mut tdy);
    let mut want = [0.0; 2];
    rhs(&y, &p, &mut want);
    assert_eq!(dy, want);
    // The dot-product test against the reverse companion.
    let ybar = [0.7, -1.3];
    let (mut gy, mut gp, mut dybar) = ([0.0; 2], [0.0; 4], ybar);
    let mut scratch = [0.0; 2];
    rhs_backward(&y, &mut gy, &p, &mut gp, &mut scratch, &mut dybar);
    prop_dot(
        &ybar,
        &tdy,
        &[gy[0], gy[1], gp[0], gp[1], gp[2], gp[3]],
        &[ty[0], ty[1], tp[0], tp[1], tp[2], tp[3]],
    )
    .unwrap();

    let (v, t) = euler_forward(y, ty, &p, &tp, 0.05, 0.3);
    assert_eq!(v, euler(y, &p, 0.05));
    let mut gp = [0.0; 4];
    let (_, gy0, gh) = euler_backward(y, &p, &mut gp, 0.05, 1.0);
    let rhs = dot(&gy0, &ty) + dot(&gp, &tp) + gh * 0.3;
    assert!((t - rhs).abs() < 1e-12 * (1.0 + t.abs()), "{t} {rhs}");
}

#[test]
fn vecs_while_wrt_no_grad_effects() {
    for x in [0.5, 1.0, 3.0] {
        let (v, t) = newtonish_forward(x, 0.7, 2.0);
        assert_eq!(v, newtonish(x, 2.0));
        let (_, gx) = newtonish_backward(x, 2.0, 1.0);
        assert!((t - 0.7 * gx).abs() < 1e-12 * (1.0 + t.abs()), "{t} {gx}");
    }
    let x = [0.3, -1.0, 2.0, 0.5];
    let tx = [1.0, 0.2, -0.5, 0.0];
    let (v, t) = softmax_forward(&x, &tx);
    assert_eq!(v, softmax(&x));
    let ybar = [0.5, -1.0, 0.25, 2.0];
    let mut gx = [0.0; 4];
    softmax_backward(&x, &mut gx, &ybar);
    prop_dot(&ybar, &t, &gx, &tx).unwrap();
}

#[test]
fn generic_and_custom() {
    let (x, y) = (0.8f32, [1.5f32, -0.5]);
    let (v, t) = generic_forward(x, 1.0, y, [0.0, 0.0]);
    assert_eq!(v, generic(x, y));
    let (_, gx, _) = generic_backward(x, y, 1.0);
    assert!((t - gx).abs() < 1e-5);
    let (v, t) = uses_cube_forward(0.7, 1.0, -1.2, 0.5);
    assert_eq!(v, uses_cube(0.7, -1.2));
    let (_, gx, gy) = uses_cube_backward(0.7, -1.2, 1.0);
    assert!((t - (gx + 0.5 * gy)).abs() < 1e-12);
}

/// Methods: `&self` as data, and `wrt(self, x)` with a tangent of `self`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Spring {
    pub k: f64,
    pub rest: [f64; 2],
}

impl Spring {
    /// `self` left out by `wrt`: data.
    #[grad(reverse, forward, wrt(x))]
    pub fn energy(&self, x: [f64; 2]) -> f64 {
        let dx = x[0] - self.rest[0];
        let dy = x[1] - self.rest[1];
        0.5 * self.k * (dx * dx + dy * dy).sqrt()
    }

    #[grad(reverse, forward, wrt(self, x))]
    pub fn stretched(&self, x: f64) -> f64 {
        (self.k * x - self.rest[1]).tanh()
    }
}

#[test]
fn methods() {
    let s = Spring {
        k: 2.0,
        rest: [0.5, -0.25],
    };
    let (v, t) = s.energy_forward([1.0, 0.3], [0.2, -0.7]);
    assert_eq!(v, s.energy([1.0, 0.3]));
    let (_, g) = s.energy_backward([1.0, 0.3], 1.0);
    assert!((t - (0.2 * g[0] - 0.7 * g[1])).abs() < 1e-12);
    let ts = Spring {
        k: 0.3,
        rest: [0.0, 1.0],
    };
    let (v, t) = s.stretched_forward(&ts, 0.4, -0.5);
    assert_eq!(v, s.stretched(0.4));
    let mut ds = Spring::default();
    let (_, gx) = s.stretched_backward(&mut ds, 0.4, 1.0);
    let want = ds.k * ts.k + ds.rest[0] * ts.rest[0] + ds.rest[1] * ts.rest[1] - 0.5 * gx;
    assert!((t - want).abs() < 1e-12, "{t} {want}");
}

/// A plain function returning an index, called from a forward-mode body: its
/// result is an integer, so the call stays as written (no `argmax_forward`).
fn argmax(x: &[f64]) -> usize {
    let mut best = 0;
    for i in 1..x.len() {
        if x[i] > x[best] {
            best = i;
        }
    }
    best
}

#[grad(reverse, forward, hvp)]
fn peak_energy(x: &[f64]) -> f64 {
    let j = argmax(x);
    x[j] * x[j] + x[0].sin()
}

#[test]
fn integer_results_of_calls() {
    let x = [0.5, 2.0, -1.0];
    let t = [0.1, 0.3, 0.7];
    let (v, d) = peak_energy_forward(&x, &t);
    assert_eq!(v, peak_energy(&x));
    let mut g = [0.0; 3];
    peak_energy_backward(&x, &mut g, 1.0);
    assert!((d - dot(&g, &t)).abs() < 1e-12);
    let (mut dg, mut h) = ([0.0; 3], [0.0; 3]);
    peak_energy_hvp(&x, &t, &mut dg, &mut h);
    assert_eq!(dg, g);
    // H = diag(2 at the peak, -sin x0 at 0)
    let want = [-(0.5f64.sin()) * 0.1, 2.0 * 0.3, 0.0];
    for i in 0..3 {
        assert!((h[i] - want[i]).abs() < 1e-12, "{h:?} {want:?}");
    }
}

/// A row of a struct's 2-D field passed on by `&` in forward mode: its tangent
/// is the row of the tangent's field (typed as a float before: E0308). Found by
/// progen's forward-mode checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Grid {
    pub w: [[f64; 2]; 2],
}

#[grad(reverse, forward)]
pub fn row_dot(w: &[f64; 2], h: &[f64; 2]) -> f64 {
    w[0] * h[0] + w[1] * h[1]
}

#[grad(reverse, forward)]
fn grid_rows(st: Grid, h: [f64; 2]) -> f64 {
    row_dot(&st.w[0], &h) * row_dot(&st.w[1], &h)
}

#[test]
fn rows_of_a_struct_field_passed_on() {
    let st = Grid {
        w: [[0.5, -1.0], [2.0, 0.25]],
    };
    let ts = Grid {
        w: [[0.1, 0.2], [-0.3, 0.4]],
    };
    let (h, th) = ([1.5, -0.5], [0.7, 0.2]);
    let (v, t) = grid_rows_forward(st, ts, h, th);
    assert_eq!(v, grid_rows(st, h));
    let (_, gs, gh) = grid_rows_backward(st, h, 1.0);
    let mut want = dot(&gh, &th);
    for r in 0..2 {
        want += dot(&gs.w[r], &ts.w[r]);
    }
    assert!((t - want).abs() < 1e-12, "{t} {want}");
}
