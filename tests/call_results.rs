//! Values whose type or shape the body does not write (corpus round 8): a
//! method's tuple result destructured, a method's or a function's array result
//! carried by a loop, annotated or not, `.map` over a struct's array field.
//! Values bit for bit, gradients against central differences.

mod common;

use autodiff::{grad, Tangent};
use common::assert_fd;

#[derive(Clone, Copy, Debug, Tangent)]
pub struct Pendulum {
    pub g: f64,
    pub l: f64,
}

impl Pendulum {
    /// The angular acceleration and the energy rate, as a tuple.
    #[grad]
    pub fn rates(&self, theta: f64, omega: f64) -> (f64, f64) {
        let acc = -self.g / self.l * theta.sin();
        (acc, omega * acc * self.l * self.l)
    }

    /// One semi-implicit Euler step of `[theta, omega]`.
    #[grad]
    pub fn step(&self, s: [f64; 2], dt: f64) -> [f64; 2] {
        let (acc, _) = self.rates(s[0], s[1]);
        let omega = s[1] + dt * acc;
        [s[0] + dt * omega, omega]
    }

    /// The angle after `n` steps: the method's array result carried by the
    /// loop, unannotated.
    #[grad]
    pub fn angle_after(&self, theta0: f64, n: usize) -> f64 {
        let mut s = [theta0, 0.0];
        for _ in 0..n {
            s = self.step(s, 0.05);
        }
        s[0]
    }
}

/// A method's tuple result destructured in a `let`.
#[grad]
pub fn power(p: &Pendulum, theta: f64, omega: f64) -> f64 {
    let (acc, rate) = p.rates(theta, omega);
    acc * acc + rate
}

/// A point on a curve.
#[grad]
pub fn pt(c: [f64; 2], t: f64) -> [f64; 2] {
    [c[0] * t.cos(), c[1] * t.sin() + t]
}

/// A polyline's length: the previous point carried, from an unannotated call.
#[grad]
pub fn length(c: [f64; 2], n: usize) -> f64 {
    let mut prev = pt(c, 0.0);
    let mut s = 0.0;
    for i in 1..=n {
        let cur = pt(c, i as f64 * 0.1);
        s += ((cur[0] - prev[0]).powi(2) + (cur[1] - prev[1]).powi(2)).sqrt();
        prev = cur;
    }
    s
}

/// The same with the carried point starting as a literal.
#[grad]
pub fn length_from_zero(c: [f64; 2], n: usize) -> f64 {
    let mut prev = [0.0; 2];
    let mut s = 0.0;
    for i in 0..n {
        let cur = pt(c, i as f64 * 0.1);
        s += (cur[0] - prev[0]).abs() + (cur[1] - prev[1]).powi(2);
        prev = cur;
    }
    s
}

#[test]
fn a_methods_tuple_result_destructured() {
    let p = Pendulum { g: 9.81, l: 1.3 };
    for (th, om) in [(0.4, -0.2), (-1.1, 0.7)] {
        let mut dp = Pendulum { g: 0.0, l: 0.0 };
        let (v, dth, dom) = power_backward(&p, &mut dp, th, om, 1.0);
        assert_eq!(v, power(&p, th, om));
        assert_fd(
            |x| power(&Pendulum { g: x[0], l: x[1] }, x[2], x[3]),
            &[p.g, p.l, th, om],
            &[dp.g, dp.l, dth, dom],
        );
    }
}

#[test]
fn a_methods_array_result_carried_by_a_loop() {
    let p = Pendulum { g: 9.81, l: 0.8 };
    let mut dp = Pendulum { g: 0.0, l: 0.0 };
    let (v, dth) = p.angle_after_backward(&mut dp, 0.6, 12, 1.0);
    assert_eq!(v, p.angle_after(0.6, 12));
    assert_fd(
        |x| Pendulum { g: x[0], l: x[1] }.angle_after(x[2], 12),
        &[p.g, p.l, 0.6],
        &[dp.g, dp.l, dth],
    );
}

#[test]
fn a_functions_array_result_carried_by_a_loop() {
    let c = [1.5, 0.7];
    let (v, dc) = length_backward(c, 8, 1.0);
    assert_eq!(v, length(c, 8));
    assert_fd(|x| length([x[0], x[1]], 8), &c, &dc);
    let (v, dc) = length_from_zero_backward(c, 8, 1.0);
    assert_eq!(v, length_from_zero(c, 8));
    assert_fd(|x| length_from_zero([x[0], x[1]], 8), &c, &dc);
}

#[derive(Clone, Copy, Debug, Tangent)]
pub struct Material {
    pub diffuse: [f64; 3],
    pub shine: f64,
}

/// Diffuse colour scaled by a light intensity: `.map` over a field whose
/// length the body does not see.
#[grad]
pub fn lit(m: &Material, intensity: f64) -> [f64; 3] {
    m.diffuse.map(|c| (c * intensity).powf(m.shine))
}

#[test]
fn map_over_a_structs_array_field() {
    let m = Material {
        diffuse: [0.8, 0.3, 0.5],
        shine: 1.3,
    };
    for (j, k) in [(0, 0.9), (2, 1.7)] {
        let mut dm = Material {
            diffuse: [0.0; 3],
            shine: 0.0,
        };
        let mut d_out = [0.0; 3];
        d_out[j] = 1.0;
        let (v, dk) = lit_backward(&m, &mut dm, k, d_out);
        assert_eq!(v, lit(&m, k));
        let f = |x: &[f64]| {
            let mm = Material {
                diffuse: [x[0], x[1], x[2]],
                shine: x[3],
            };
            lit(&mm, x[4])[j]
        };
        let x = [m.diffuse[0], m.diffuse[1], m.diffuse[2], m.shine, k];
        let g = [dm.diffuse[0], dm.diffuse[1], dm.diffuse[2], dm.shine, dk];
        assert_fd(f, &x, &g);
    }
}

/// Signed-distance primitives as a `const` table of tuples (centre, radius).
const BALLS: [(f64, f64); 3] = [(0.0, 1.0), (2.5, 0.5), (-1.5, 0.75)];

/// A soft union of distances, the table's tuples destructured three ways.
#[grad]
pub fn scene(x: f64, k: f64) -> f64 {
    let near: f64 = BALLS
        .iter()
        .map(|(c, r)| (-k * ((x - c).abs() - r)).exp())
        .sum();
    let mut far = 0.0;
    for &(c, r) in BALLS.iter() {
        far += (x - c) * (x - c) * r;
    }
    -near.ln() / k + 1e-3 * far + BALLS[1].0 * x * 1e-2
}

#[test]
fn a_const_table_of_tuples_destructured() {
    for (x, k) in [(0.3, 4.0), (1.7, 2.5)] {
        let (v, dx, dk) = scene_backward(x, k, 1.0);
        assert_eq!(v, scene(x, k));
        assert_fd(|p| scene(p[0], p[1]), &[x, k], &[dx, dk]);
    }
}

/// A dot product of two slices.
#[grad]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[derive(Clone, Debug, Default, Tangent)]
pub struct Linear {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

/// Rows of a struct's `Vec<Vec<f64>>` field from `.iter()` passed on, and a
/// row of a `&[Vec<f64>]` parameter bound by `let` (corpus round 9).
#[grad]
pub fn layer_score(l: &Linear, e: &[Vec<f64>], c: usize, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (row, b) in l.w.iter().zip(&l.b) {
        s += (dot(row, x) + b).tanh();
    }
    let v = &e[c];
    s + dot(v, x)
}

/// Cable anchors as a `const` 2-D table, rows passed on by value.
const ANCHORS: [[f64; 2]; 3] = [[0.0, 1.0], [1.0, 0.0], [-1.0, -0.5]];

#[grad]
pub fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

#[grad]
pub fn cable_lengths(p: [f64; 2]) -> f64 {
    let mut s = 0.0;
    for a in ANCHORS.iter() {
        s += dist(*a, p).powi(2);
    }
    s + dist(ANCHORS[1], p)
}

#[test]
fn rows_passed_on_as_written() {
    let l = Linear {
        w: vec![vec![0.3, -0.5, 0.8], vec![1.1, 0.2, -0.4]],
        b: vec![0.1, -0.2],
    };
    let e = vec![vec![0.5, 0.5, -1.0], vec![2.0, -0.3, 0.7]];
    let x = [0.9, -0.4, 0.6];
    let mut dl = Linear {
        w: vec![vec![0.0; 3]; 2],
        b: vec![0.0; 2],
    };
    let mut de = vec![vec![0.0; 3]; 2];
    let mut dx = [0.0; 3];
    let v = layer_score_backward(&l, &mut dl, &e, &mut de, 1, &x, &mut dx, 1.0);
    assert_eq!(v, layer_score(&l, &e, 1, &x));
    let f = |p: &[f64]| {
        let l = Linear {
            w: vec![p[0..3].to_vec(), p[3..6].to_vec()],
            b: p[6..8].to_vec(),
        };
        let e = vec![p[8..11].to_vec(), p[11..14].to_vec()];
        layer_score(&l, &e, 1, &p[14..17])
    };
    let p = [&l.w[0][..], &l.w[1], &l.b, &e[0], &e[1], &x].concat();
    let g = [&dl.w[0][..], &dl.w[1], &dl.b, &de[0], &de[1], &dx].concat();
    assert_fd(f, &p, &g);

    for q in [[0.2, 0.3], [-0.4, 0.9]] {
        let (v, dq) = cable_lengths_backward(q, 1.0);
        assert_eq!(v, cable_lengths(q));
        assert_fd(|p| cable_lengths([p[0], p[1]]), &q, &dq);
    }
}
