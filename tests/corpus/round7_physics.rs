//! Round 7, physics: written as a physicist writes Rust, before reading the support
//! table (a charge pushed by the Boris scheme as a state struct with a method, mean-field
//! Ising by fixed-point iteration with an early exit, radiative cooling with a physical
//! constant and an early return, a spring network given as edge tuples).

use autodiff::{grad, Tangent};

/// A point charge in the plane.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct Particle {
    /// Position.
    pub pos: [f64; 2],
    /// Velocity.
    pub vel: [f64; 2],
}

impl Particle {
    /// Kinetic energy for mass `mass`.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default): rejected at d4b6ca5 and at 5e8c305's parent 9d384e5 with
    // E0080 "`Particle::kinetic_energy` does not differentiate its first parameter …" and
    // a stray E0061/E0308 at the caller. The rewrite had `#[grad(wrt(self, mass))]`.
    #[grad]
    pub fn kinetic_energy(&self, mass: f64) -> f64 {
        0.5 * mass * (self.vel[0] * self.vel[0] + self.vel[1] * self.vel[1])
    }
}

/// A charge in crossed fields (magnetic B ẑ, electric E x̂) pushed with the Boris scheme;
/// returns the final y coordinate (the E×B drift) plus the kinetic energy per unit mass.
#[grad(wrt(p0, q_over_m, b_field, e_field))]
pub fn boris_drift(
    p0: Particle,
    q_over_m: f64,
    b_field: f64,
    e_field: f64,
    dt: f64,
    steps: usize,
) -> f64 {
    let mut p = p0;
    let half = 0.5 * q_over_m * e_field * dt;
    let t = 0.5 * q_over_m * b_field * dt;
    let s = 2.0 * t / (1.0 + t * t);
    for _ in 0..steps {
        // Half electric kick, magnetic rotation, half kick, drift.
        let vx = p.vel[0] + half;
        let vy = p.vel[1];
        let vpx = vx + vy * t;
        let vpy = vy - vx * t;
        let vx2 = vx + vpy * s;
        let vy2 = vy - vpx * s;
        // As first written, accepted since 70ca09f (the function as a whole since
        // 5e8c305, with `kinetic_energy`'s plain `#[grad]`): at d4b6ca5 and at 70ca09f's
        // parent a1adccf a bug, an array assigned whole to an array field of a local
        // struct copy gave E0308 "expected `f64`, found `[f64; 2]`" and E0608 "cannot
        // index into a value of type `f64`" in the generated code. The rewrite assigned
        // `p.vel[0]` and `p.vel[1]`.
        p.vel = [vx2 + half, vy2];
        p.pos[0] += dt * p.vel[0];
        p.pos[1] += dt * p.vel[1];
    }
    p.pos[1] + p.kinetic_energy(1.0)
}

/// Mean-field Ising model on a lattice of coordination number `z`: the magnetisation by
/// fixed-point iteration m ← tanh(β(zJm + h)) from m = 1 (stopping once it has
/// converged), then the free energy per spin at that m.
#[grad(wrt(beta, coupling, field))]
pub fn mean_field_free_energy(beta: f64, coupling: f64, field: f64, z: usize, iters: usize) -> f64 {
    let zj = z as f64 * coupling;
    let mut m = 1.0;
    for _ in 0..iters {
        let next = (beta * (zj * m + field)).tanh();
        if (next - m).abs() < 1e-14 {
            m = next;
            break;
        }
        m = next;
    }
    let h_eff = beta * (zj * m + field);
    0.5 * zj * m * m - (2.0 * h_eff.cosh()).ln() / beta
}

/// Stefan–Boltzmann constant, W m⁻² K⁻⁴.
const STEFAN_BOLTZMANN: f64 = 5.670_374_419e-8;

/// Temperature of a small body cooling by radiation into surroundings at `t_env`
/// (explicit Euler, `steps` steps of `dt`), returned as soon as it is within a kelvin of
/// the surroundings.
#[grad(wrt(t0, emissivity, area))]
pub fn radiative_cooling(
    t0: f64,
    t_env: f64,
    emissivity: f64,
    area: f64,
    heat_capacity: f64,
    dt: f64,
    steps: usize,
) -> f64 {
    let k = emissivity * STEFAN_BOLTZMANN * area / heat_capacity;
    let mut t = t0;
    for _ in 0..steps {
        if t - t_env < 1.0 {
            return t;
        }
        t -= dt * k * (t.powi(4) - t_env.powi(4));
    }
    t
}

/// Potential energy of a 2-D spring network with unit masses under gravity `g`; each
/// edge is (i, j, rest length, stiffness).
#[grad(wrt(pos, g))]
pub fn spring_network_energy(pos: &[[f64; 2]], edges: &[(usize, usize, f64, f64)], g: f64) -> f64 {
    let elastic: f64 = edges
        .iter()
        .map(|&(i, j, rest, k)| {
            let dx = pos[j][0] - pos[i][0];
            let dy = pos[j][1] - pos[i][1];
            let stretch = (dx * dx + dy * dy).sqrt() - rest;
            0.5 * k * stretch * stretch
        })
        .sum();
    let gravity: f64 = pos.iter().map(|p| g * p[1]).sum();
    elastic + gravity
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r7_boris_drift() {
    let p0 = Particle {
        pos: [0.0, 0.0],
        vel: [1.0, 0.5],
    };
    let (v, dp, dq, db, de) = boris_drift_backward(p0, 1.0, 2.0, 0.3, 0.05, 100, 1.0);
    assert_bits(v, boris_drift(p0, 1.0, 2.0, 0.3, 0.05, 100), "value");
    assert_fd(
        |p| {
            let q = Particle {
                pos: [p[0], p[1]],
                vel: [p[2], p[3]],
            };
            boris_drift(q, p[4], p[5], p[6], 0.05, 100)
        },
        &[0.0, 0.0, 1.0, 0.5, 1.0, 2.0, 0.3],
        &[dp.pos[0], dp.pos[1], dp.vel[0], dp.vel[1], dq, db, de],
    );
}

#[test]
fn r7_mean_field_free_energy() {
    // Disordered (βzJ = 0.8) and ordered (βzJ = 1.28) phases, both in a small field.
    for (beta, j) in [(0.5, 0.4), (0.8, 0.4)] {
        let (f, db, dj, dh) = mean_field_free_energy_backward(beta, j, 0.1, 4, 500, 1.0);
        assert_bits(f, mean_field_free_energy(beta, j, 0.1, 4, 500), "value");
        assert_fd(
            |p| mean_field_free_energy(p[0], p[1], p[2], 4, 500),
            &[beta, j, 0.1],
            &[db, dj, dh],
        );
    }
}

#[test]
fn r7_radiative_cooling() {
    // (t0, heat capacity, dt, steps): the first runs all its steps, the second returns
    // early. The area enters as 0.01 * s at s = 1 so that the difference step is relative.
    for (t0, c, dt, steps) in [(800.0, 50.0, 1.0, 100), (310.0, 0.5, 0.5, 200)] {
        let (t, dt0, deps, darea) =
            radiative_cooling_backward(t0, 300.0, 0.9, 0.01, c, dt, steps, 1.0);
        assert_bits(
            t,
            radiative_cooling(t0, 300.0, 0.9, 0.01, c, dt, steps),
            "value",
        );
        assert!(t > 301.0 || c < 1.0, "the first case ran all its steps");
        assert_fd(
            |p| radiative_cooling(p[0], 300.0, p[1], 0.01 * p[2], c, dt, steps),
            &[t0, 0.9, 1.0],
            &[dt0, deps, 0.01 * darea],
        );
    }
    let early = radiative_cooling(310.0, 300.0, 0.9, 0.01, 0.5, 0.5, 200);
    assert!(early - 300.0 < 1.0, "the second case returned early");
}

#[test]
fn r7_spring_network_energy() {
    let pos = [[0.0, 0.0], [1.1, 0.1], [0.4, 0.9], [1.5, 1.2]];
    let edges = [
        (0, 1, 1.0, 10.0),
        (1, 2, 1.0, 10.0),
        (0, 2, 1.0, 5.0),
        (2, 3, 1.2, 8.0),
        (1, 3, 1.0, 8.0),
    ];
    let mut dpos = [[0.0; 2]; 4];
    let (e, dg) = spring_network_energy_backward(&pos, &mut dpos, &edges, 9.81, 1.0);
    assert_bits(e, spring_network_energy(&pos, &edges, 9.81), "value");
    assert_fd(
        |p| spring_network_energy(&arr2::<2, 4>(p), &edges, p[8]),
        &cat(&[&flat2(&pos), &[9.81]]),
        &cat(&[&flat2(&dpos), &[dg]]),
    );
}
