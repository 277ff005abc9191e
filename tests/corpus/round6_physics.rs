//! Round 6, physics: written as a physicist writes Rust, before reading the support
//! table (orbital energy drift under symplectic Euler with closures for the force, a
//! mass-spring mesh of `Spring` structs with an `energy` method, a backward-Euler heat
//! step solved with the Thomas algorithm, a drag-limited flight time found with a
//! `loop` and an early `return`).
#![allow(clippy::ptr_arg)]

use autodiff::{grad, Tangent};

/// Drift of the specific orbital energy `v²/2 - GM/r` of a test particle around a
/// point mass after `steps` steps of symplectic (semi-implicit) Euler.
#[grad(wrt(r0, v0, gm))]
pub fn symplectic_euler_drift(r0: [f64; 2], v0: [f64; 2], gm: f64, dt: f64, steps: usize) -> f64 {
    let energy = |r: [f64; 2], v: [f64; 2]| {
        0.5 * (v[0] * v[0] + v[1] * v[1]) - gm / (r[0] * r[0] + r[1] * r[1]).sqrt()
    };
    let accel = |r: [f64; 2]| {
        let d = (r[0] * r[0] + r[1] * r[1]).sqrt();
        let f = -gm / (d * d * d);
        [f * r[0], f * r[1]]
    };
    let (mut r, mut v) = (r0, v0);
    for _ in 0..steps {
        let a = accel(r);
        v = [v[0] + dt * a[0], v[1] + dt * a[1]];
        r = [r[0] + dt * v[0], r[1] + dt * v[1]];
    }
    energy(r, v) - energy(r0, v0)
}

/// A Hookean spring with stiffness `k` and rest length `rest`.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct Spring {
    pub k: f64,
    pub rest: f64,
}

impl Spring {
    /// Potential energy `k/2 (|a - b| - rest)²` of the spring stretched between `a`
    /// and `b`.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default). With the call in `mesh_energy` back as first written
    // (since af66952), `#[grad]` alone was rejected at d4b6ca5 and at 5e8c305's parent
    // 9d384e5: E0080 "`Spring::energy` does not differentiate its first parameter (a
    // method's `self` is data unless …)" and E0308 "expected a tuple with 3 elements, found
    // one with 4 elements". The rewrite had `#[grad(wrt(self, a, b))]`.
    #[grad]
    pub fn energy(&self, a: [f64; 2], b: [f64; 2]) -> f64 {
        let dx = a[0] - b[0];
        let dy = a[1] - b[1];
        let stretch = (dx * dx + dy * dy).sqrt() - self.rest;
        0.5 * self.k * stretch * stretch
    }
}

/// Total potential energy of a mass-spring mesh of unit masses: spring `s` of
/// `springs` joins the nodes of edge `s`, plus gravity `g` on every node.
#[grad(wrt(pos, springs))]
pub fn mesh_energy(pos: &[[f64; 2]], springs: &[Spring], edges: &[(usize, usize)], g: f64) -> f64 {
    // As first written, accepted since 5e8c305 (`Spring::energy`'s plain `#[grad]`, see
    // there); this call on an element of the slice since af66952: rejected at 7cb23e9 and
    // at af66952's parent 8220c47 with "unsupported method `energy` in #[grad] fn; the
    // supported float methods are …" (a `#[grad]` method called on an element of a slice
    // of structs). The rewrite called a free `spring_energy(s.k, s.rest, pos[i], pos[j])`,
    // removed with it.
    let elastic: f64 = edges
        .iter()
        .zip(springs)
        .map(|(&(i, j), s)| s.energy(pos[i], pos[j]))
        .sum();
    let gravity: f64 = pos.iter().map(|p| g * p[1]).sum();
    elastic + gravity
}

/// One backward-Euler step of the 1-D heat equation with zero Dirichlet boundaries,
/// `(I - r Δ) u¹ = u⁰`, solved with the Thomas algorithm; returns `Σ u¹²`.
#[grad(wrt(u, r))]
pub fn implicit_heat_step(u: &[f64], r: f64) -> f64 {
    let n = u.len();
    let a = -r; // sub- and super-diagonal
    let b = 1.0 + 2.0 * r; // diagonal
    let mut c_prime = vec![0.0; n];
    let mut d_prime = vec![0.0; n];
    c_prime[0] = a / b;
    d_prime[0] = u[0] / b;
    for i in 1..n {
        let m = b - a * c_prime[i - 1];
        c_prime[i] = a / m;
        d_prime[i] = (u[i] - a * d_prime[i - 1]) / m;
    }
    let mut x = vec![0.0; n];
    x[n - 1] = d_prime[n - 1];
    for i in (0..n - 1).rev() {
        x[i] = d_prime[i] - c_prime[i] * x[i + 1];
    }
    x.iter().map(|v| v * v).sum()
}

/// Flight time of a ball thrown straight up from height `h0` with speed `v0` under
/// gravity and quadratic drag, stepped with explicit Euler until it lands; the last
/// step is interpolated linearly to the crossing of `y = 0`.
#[grad(wrt(h0, v0, drag))]
pub fn time_to_ground(h0: f64, v0: f64, drag: f64, dt: f64) -> f64 {
    const G: f64 = 9.81;
    let (mut y, mut v, mut t) = (h0, v0, 0.0);
    loop {
        let a = -G - drag * v * v.abs();
        let y_next = y + dt * v;
        let v_next = v + dt * a;
        if y_next <= 0.0 {
            // landed inside this step
            return t + dt * y / (y - y_next);
        }
        y = y_next;
        v = v_next;
        t += dt;
    }
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r6_symplectic_euler_drift() {
    let (r0, v0, gm) = ([1.0, 0.1], [-0.05, 1.1], 1.2);
    let (e, dr, dv, dgm) = symplectic_euler_drift_backward(r0, v0, gm, 0.02, 150, 1.0);
    assert_bits(e, symplectic_euler_drift(r0, v0, gm, 0.02, 150), "value");
    assert_fd(
        |p| symplectic_euler_drift(arr(&p[..2]), arr(&p[2..4]), p[4], 0.02, 150),
        &cat(&[&r0, &v0, &[gm]]),
        &cat(&[&dr, &dv, &[dgm]]),
    );
}

#[test]
fn r6_mesh_energy() {
    let pos = [[0.0, 0.0], [1.1, 0.1], [0.4, 0.9], [1.3, 1.2]];
    let edges = [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)];
    let springs: Vec<Spring> = (0..5)
        .map(|i| Spring {
            k: 10.0 + i as f64,
            rest: 0.9 + 0.05 * i as f64,
        })
        .collect();
    let mut dpos = [[0.0; 2]; 4];
    let mut ds: Vec<Spring> = springs.iter().map(Tangent::zero_like).collect();
    let e = mesh_energy_backward(&pos, &mut dpos, &springs, &mut ds, &edges, 9.81, 1.0);
    assert_bits(e, mesh_energy(&pos, &springs, &edges, 9.81), "value");
    let flat_s = |s: &[Spring]| -> Vec<f64> { s.iter().flat_map(|s| [s.k, s.rest]).collect() };
    assert_fd(
        |p| {
            let pos: [[f64; 2]; 4] = arr2(&p[..8]);
            let s: Vec<Spring> = p[8..]
                .chunks(2)
                .map(|c| Spring {
                    k: c[0],
                    rest: c[1],
                })
                .collect();
            mesh_energy(&pos, &s, &edges, 9.81)
        },
        &cat(&[&flat2(&pos), &flat_s(&springs)]),
        &cat(&[&flat2(&dpos), &flat_s(&ds)]),
    );
}

#[test]
fn r6_implicit_heat_step() {
    let u: Vec<f64> = (0..8).map(|i| ((i as f64 + 0.5) * 0.4).sin()).collect();
    for r in [0.3, 2.0] {
        let mut du = vec![0.0; 8];
        let (e, dr) = implicit_heat_step_backward(&u, &mut du, r, 1.0);
        assert_bits(e, implicit_heat_step(&u, r), "value");
        assert_fd(
            |p| implicit_heat_step(&p[..8], p[8]),
            &cat(&[&u, &[r]]),
            &cat(&[&du, &[dr]]),
        );
    }
}

#[test]
fn r6_time_to_ground() {
    for (h0, v0, drag) in [(2.0, 5.0, 0.05), (10.0, -1.0, 0.2)] {
        let (t, dh, dv, dd) = time_to_ground_backward(h0, v0, drag, 0.01, 1.0);
        assert_bits(t, time_to_ground(h0, v0, drag, 0.01), "value");
        assert_fd(
            |p| time_to_ground(p[0], p[1], p[2], 0.01),
            &[h0, v0, drag],
            &[dh, dv, dd],
        );
    }
}
