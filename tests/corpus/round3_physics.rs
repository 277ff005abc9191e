//! Round 3, physics: written as a physicist writes Rust, before reading the
//! support table (a slice of bodies, a slice of points as tuples, a tuple
//! of locals).

use autodiff::{grad, Tangent};

#[derive(Tangent, Clone, Copy, Debug, Default)]
pub struct Body {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
    pub mass: f64,
}

/// Total gravitational potential energy of a set of bodies.
#[grad]
pub fn potential(bodies: &[Body], g: f64) -> f64 {
    let mut e = 0.0;
    for i in 0..bodies.len() {
        for j in (i + 1)..bodies.len() {
            let dx = bodies[i].pos[0] - bodies[j].pos[0];
            let dy = bodies[i].pos[1] - bodies[j].pos[1];
            let r = (dx * dx + dy * dy + 1e-3).sqrt();
            e -= g * bodies[i].mass * bodies[j].mass / r;
        }
    }
    e
}

/// Kinetic energy.
#[grad]
pub fn kinetic(bodies: &[Body]) -> f64 {
    bodies
        .iter()
        .map(|b| 0.5 * b.mass * (b.vel[0] * b.vel[0] + b.vel[1] * b.vel[1]))
        .sum()
}

/// Damped oscillator integrated with semi-implicit Euler; returns final position.
#[grad]
pub fn damped(x0: f64, v0: f64, k: f64, c: f64) -> f64 {
    let dt = 0.01;
    let (mut x, mut v) = (x0, v0);
    for _ in 0..200 {
        let a = -k * x - c * v;
        v += a * dt;
        x += v * dt;
    }
    x
}

/// Work done along a polyline path by a constant force field.
#[grad]
pub fn work(path: &[(f64, f64)], fx: f64, fy: f64) -> f64 {
    path.windows(2)
        .map(|w| fx * (w[1].0 - w[0].0) + fy * (w[1].1 - w[0].1))
        .sum()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

fn bodies(p: &[f64]) -> Vec<Body> {
    p.chunks(5)
        .map(|c| Body {
            pos: [c[0], c[1]],
            vel: [c[2], c[3]],
            mass: c[4],
        })
        .collect()
}

fn flat_bodies(bs: &[Body]) -> Vec<f64> {
    bs.iter()
        .flat_map(|b| [b.pos[0], b.pos[1], b.vel[0], b.vel[1], b.mass])
        .collect()
}

#[test]
fn r3_potential_and_kinetic() {
    let p = [
        0.0, 0.0, 0.1, -0.2, 1.0, 1.0, 0.5, -0.3, 0.4, 2.0, -0.5, 1.5, 0.2, 0.1, 0.5,
    ];
    let bs = bodies(&p);
    let mut d = vec![Body::default(); 3];
    let (e, dg) = potential_backward(&bs, &mut d, 0.7, 1.0);
    assert_bits(e, potential(&bs, 0.7), "value");
    let mut g = flat_bodies(&d);
    g.push(dg);
    let mut point = p.to_vec();
    point.push(0.7);
    assert_fd(|q| potential(&bodies(&q[..15]), q[15]), &point, &g);
    let mut d = vec![Body::default(); 3];
    let k = kinetic_backward(&bs, &mut d, 1.0);
    assert_bits(k, kinetic(&bs), "value");
    assert_fd(|q| kinetic(&bodies(q)), &p, &flat_bodies(&d));
}

#[test]
fn r3_damped() {
    for (x0, v0, k, c) in [(1.0, 0.0, 4.0, 0.3), (-0.5, 1.2, 9.0, 1.1)] {
        let (x, g0, g1, g2, g3) = damped_backward(x0, v0, k, c, 1.0);
        assert_bits(x, damped(x0, v0, k, c), "value");
        assert_fd(
            |p| damped(p[0], p[1], p[2], p[3]),
            &[x0, v0, k, c],
            &[g0, g1, g2, g3],
        );
    }
}

#[test]
fn r3_work() {
    let path = [(0.0, 0.0), (1.0, 0.5), (1.5, 2.0), (0.5, 2.5)];
    let mut dpath = [(0.0, 0.0); 4];
    let (w, dfx, dfy) = work_backward(&path, &mut dpath, 0.3, -1.2, 1.0);
    assert_bits(w, work(&path, 0.3, -1.2), "value");
    let mut g: Vec<f64> = dpath.iter().flat_map(|&(a, b)| [a, b]).collect();
    g.extend([dfx, dfy]);
    let mut point: Vec<f64> = path.iter().flat_map(|&(a, b)| [a, b]).collect();
    point.extend([0.3, -1.2]);
    let pts = |q: &[f64]| -> Vec<(f64, f64)> { q.chunks(2).map(|c| (c[0], c[1])).collect() };
    assert_fd(|q| work(&pts(&q[..8]), q[8], q[9]), &point, &g);
}
