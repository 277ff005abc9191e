//! Round 2, physics: integrators, potentials, springs, orbits, stencils, written as a
//! physicist writes Rust, before reading the support table.

use autodiff::grad;
use std::f64::consts::PI;

/// Velocity-Verlet integration of a harmonic oscillator; returns the final total energy.
#[grad(wrt(x0, v0, k, dt))]
pub fn verlet_energy(x0: f64, v0: f64, k: f64, dt: f64, steps: usize) -> f64 {
    let mut x = x0;
    let mut v = v0;
    let mut a = -k * x;
    for _ in 0..steps {
        x += v * dt + 0.5 * a * dt * dt;
        let a_new = -k * x;
        v += 0.5 * (a + a_new) * dt;
        a = a_new;
    }
    0.5 * v * v + 0.5 * k * x * x
}

/// Total Lennard-Jones energy of a cluster of atoms.
#[grad]
pub fn lennard_jones(pos: &[[f64; 3]], epsilon: f64, sigma: f64) -> f64 {
    let mut energy = 0.0;
    for i in 0..pos.len() {
        for j in (i + 1)..pos.len() {
            let r2: f64 = (0..3).map(|d| (pos[i][d] - pos[j][d]).powi(2)).sum();
            let s6 = (sigma * sigma / r2).powi(3);
            energy += 4.0 * epsilon * (s6 * s6 - s6);
        }
    }
    energy
}

/// Elastic energy of a 1-D chain of springs between consecutive masses.
#[grad]
pub fn spring_chain(x: &[f64], k: f64, rest: f64) -> f64 {
    x.windows(2)
        .map(|w| {
            let stretch = (w[1] - w[0]) - rest;
            0.5 * k * stretch * stretch
        })
        .sum()
}

/// Solve Kepler's equation M = E - e sin E by Newton's method, return the true anomaly.
#[grad]
pub fn kepler_true_anomaly(mean_anomaly: f64, ecc: f64) -> f64 {
    let mut e_anom = if ecc < 0.8 { mean_anomaly } else { PI };
    for _ in 0..50 {
        let f = e_anom - ecc * e_anom.sin() - mean_anomaly;
        let fp = 1.0 - ecc * e_anom.cos();
        let delta = f / fp;
        e_anom -= delta;
        if delta.abs() < 1e-14 {
            break;
        }
    }
    let half = e_anom / 2.0;
    2.0 * ((1.0 + ecc).sqrt() * half.sin()).atan2((1.0 - ecc).sqrt() * half.cos())
}

/// Explicit heat-equation steps with fixed ends; returns the thermal "energy" sum u^2.
#[grad(wrt(u0, alpha))]
pub fn heat_energy(u0: &[f64], alpha: f64, steps: usize) -> f64 {
    let n = u0.len();
    let mut u = u0.to_vec();
    for _ in 0..steps {
        let prev = u.clone();
        for i in 1..n - 1 {
            u[i] = prev[i] + alpha * (prev[i - 1] - 2.0 * prev[i] + prev[i + 1]);
        }
    }
    u.iter().map(|x| x * x).sum()
}

/// Ten RK4 steps of a nonlinear pendulum; returns (theta, omega).
#[grad]
pub fn pendulum_rk4(theta0: f64, omega0: f64, g_over_l: f64, dt: f64) -> (f64, f64) {
    let deriv = |th: f64, om: f64| (om, -g_over_l * th.sin());
    let (mut th, mut om) = (theta0, omega0);
    for _ in 0..10 {
        let (k1t, k1o) = deriv(th, om);
        let (k2t, k2o) = deriv(th + 0.5 * dt * k1t, om + 0.5 * dt * k1o);
        let (k3t, k3o) = deriv(th + 0.5 * dt * k2t, om + 0.5 * dt * k2o);
        let (k4t, k4o) = deriv(th + dt * k3t, om + dt * k3o);
        th += dt / 6.0 * (k1t + 2.0 * k2t + 2.0 * k3t + k4t);
        om += dt / 6.0 * (k1o + 2.0 * k2o + 2.0 * k3o + k4o);
    }
    (th, om)
}

const G: f64 = 6.674e-11;

#[derive(Clone, Copy, Default, autodiff::Tangent)]
pub struct Body {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
    pub mass: f64,
}

/// Total mechanical energy (kinetic + gravitational) of a two-body system.
#[grad]
pub fn two_body_energy(a: Body, b: Body) -> f64 {
    let kinetic = |body: &Body| 0.5 * body.mass * (body.vel[0].powi(2) + body.vel[1].powi(2));
    let dx = a.pos[0] - b.pos[0];
    let dy = a.pos[1] - b.pos[1];
    let r = dx.hypot(dy);
    kinetic(&a) + kinetic(&b) - G * a.mass * b.mass / r
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r2_verlet_energy() {
    let (x0, v0, k, dt) = (1.0, -0.3, 2.5, 0.05);
    for steps in [0, 1, 40] {
        let (y, dx0, dv0, dk, ddt) = verlet_energy_backward(x0, v0, k, dt, steps, 1.0);
        assert_bits(y, verlet_energy(x0, v0, k, dt, steps), "value");
        assert_fd(
            |p| verlet_energy(p[0], p[1], p[2], p[3], steps),
            &[x0, v0, k, dt],
            &[dx0, dv0, dk, ddt],
        );
    }
}

#[test]
fn r2_lennard_jones() {
    let pos = [
        [0.0, 0.0, 0.0],
        [1.1, 0.1, -0.05],
        [0.4, 1.0, 0.2],
        [0.6, 0.5, 1.05],
    ];
    let (eps, sigma) = (0.8, 0.95);
    let mut dpos = [[0.0; 3]; 4];
    let (y, de, ds) = lennard_jones_backward(&pos, &mut dpos, eps, sigma, 1.0);
    assert_bits(y, lennard_jones(&pos, eps, sigma), "value");
    assert_fd(
        |p| {
            let q: [[f64; 3]; 4] = arr2(p);
            lennard_jones(&q, p[12], p[13])
        },
        &cat(&[&flat2(&pos), &[eps, sigma]]),
        &cat(&[&flat2(&dpos), &[de, ds]]),
    );
}

#[test]
fn r2_spring_chain() {
    let x = [0.0, 1.2, 1.9, 3.3, 4.0];
    let (k, rest) = (3.0, 1.0);
    let mut dx = [0.0; 5];
    let (y, dk, drest) = spring_chain_backward(&x, &mut dx, k, rest, 1.0);
    assert_bits(y, spring_chain(&x, k, rest), "value");
    assert_fd(
        |p| spring_chain(&p[..5], p[5], p[6]),
        &cat(&[&x, &[k, rest]]),
        &cat(&[&dx, &[dk, drest]]),
    );
}

#[test]
fn r2_kepler_true_anomaly() {
    // Both starting guesses (ecc below and above 0.8).
    for (m, e) in [(1.2, 0.3), (0.4, 0.85), (2.5, 0.1)] {
        let (y, dm, de) = kepler_true_anomaly_backward(m, e, 1.0);
        assert_bits(y, kepler_true_anomaly(m, e), "value");
        assert_fd(|p| kepler_true_anomaly(p[0], p[1]), &[m, e], &[dm, de]);
        // Closed form: dnu/dM = (1 + e cos nu)^2 / (1 - e^2)^(3/2).
        let want = (1.0 + e * y.cos()).powi(2) / (1.0 - e * e).powf(1.5);
        assert_near(dm, want, 1e-9, "dnu/dM");
    }
}

#[test]
fn r2_heat_energy() {
    let u0 = [0.0, 0.4, 1.0, 0.7, 0.2, 0.0];
    let alpha = 0.2;
    for steps in [0, 1, 5] {
        let mut du = [0.0; 6];
        let (y, da) = heat_energy_backward(&u0, &mut du, alpha, steps, 1.0);
        assert_bits(y, heat_energy(&u0, alpha, steps), "value");
        assert_fd(
            |p| heat_energy(&p[..6], p[6], steps),
            &cat(&[&u0, &[alpha]]),
            &cat(&[&du, &[da]]),
        );
    }
}

#[test]
fn r2_pendulum_rk4() {
    let (th, om, g, dt) = (0.9, -0.2, 9.81, 0.02);
    let d_out = (1.0, -0.5);
    let ((t1, o1), dth, dom, dg, ddt) = pendulum_rk4_backward(th, om, g, dt, d_out);
    let (wt, wo) = pendulum_rk4(th, om, g, dt);
    assert_bits(t1, wt, "theta");
    assert_bits(o1, wo, "omega");
    assert_fd(
        |p| {
            let (a, b) = pendulum_rk4(p[0], p[1], p[2], p[3]);
            d_out.0 * a + d_out.1 * b
        },
        &[th, om, g, dt],
        &[dth, dom, dg, ddt],
    );
}

fn r2_body(p: &[f64]) -> Body {
    Body {
        pos: arr(p),
        vel: arr(&p[2..]),
        mass: p[4],
    }
}

fn r2_body_flat(b: &Body) -> Vec<f64> {
    cat(&[&b.pos, &b.vel, &[b.mass]])
}

#[test]
fn r2_two_body_energy() {
    // Masses large enough that the gravitational term is not negligible.
    let a = r2_body(&[0.0, 0.0, 0.1, -0.2, 3.0e5]);
    let b = r2_body(&[1.5, 0.5, -0.3, 0.05, 2.0e5]);
    let (y, da, db) = two_body_energy_backward(a, b, 1.0);
    assert_bits(y, two_body_energy(a, b), "value");
    assert_fd(
        |p| two_body_energy(r2_body(p), r2_body(&p[5..])),
        &cat(&[&r2_body_flat(&a), &r2_body_flat(&b)]),
        &cat(&[&r2_body_flat(&da), &r2_body_flat(&db)]),
    );
}
