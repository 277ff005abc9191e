//! Physics, written as a physicist writes it.
use autodiff::{grad, Tangent};

/// Potential energy of a chain of springs between consecutive masses.
#[grad(wrt(x, k))]
pub fn spring_chain_energy(x: &[f64], k: f64, rest: f64) -> f64 {
    // `windows`: rejected on the first attempt at cce7e0b; accepted as first written since
    // b9a6263.
    x.windows(2)
        .map(|w| 0.5 * k * (w[1] - w[0] - rest).powi(2))
        .sum()
}

const DT: f64 = 0.01;
const STEPS: usize = 200;

/// A pendulum integrated with velocity Verlet; the final angle.
#[grad]
pub fn pendulum_verlet(theta0: f64, omega0: f64, g: f64, l: f64) -> f64 {
    let mut theta = theta0;
    let mut omega = omega0;
    let mut acc = -(g / l) * theta.sin();
    for _ in 0..STEPS {
        theta += omega * DT + 0.5 * acc * DT * DT;
        let new_acc = -(g / l) * theta.sin();
        omega += 0.5 * (acc + new_acc) * DT;
        acc = new_acc;
    }
    theta
}

/// The pendulum's vector field.
#[grad]
pub fn pendulum_rhs(theta: f64, omega: f64, g_over_l: f64) -> (f64, f64) {
    (omega, -g_over_l * theta.sin())
}

/// RK4 on the pendulum; the energy at the end.
#[grad]
pub fn pendulum_rk4(theta0: f64, omega0: f64, g_over_l: f64) -> f64 {
    let h = 0.05;
    let (mut th, mut om) = (theta0, omega0);
    for _ in 0..40 {
        let (k1t, k1o) = pendulum_rhs(th, om, g_over_l);
        let (k2t, k2o) = pendulum_rhs(th + 0.5 * h * k1t, om + 0.5 * h * k1o, g_over_l);
        let (k3t, k3o) = pendulum_rhs(th + 0.5 * h * k2t, om + 0.5 * h * k2o, g_over_l);
        let (k4t, k4o) = pendulum_rhs(th + h * k3t, om + h * k3o, g_over_l);
        th += h / 6.0 * (k1t + 2.0 * k2t + 2.0 * k3t + k4t);
        om += h / 6.0 * (k1o + 2.0 * k2o + 2.0 * k3o + k4o);
    }
    0.5 * om * om + g_over_l * (1.0 - th.cos())
}

const G: f64 = 6.674e-11;

/// Gravitational potential energy of four bodies.
#[grad]
pub fn nbody_potential(pos: &[[f64; 3]; 4], mass: &[f64; 4]) -> f64 {
    let mut e = 0.0;
    for i in 0..4 {
        for j in (i + 1)..4 {
            let dx = pos[i][0] - pos[j][0];
            let dy = pos[i][1] - pos[j][1];
            let dz = pos[i][2] - pos[j][2];
            let r = (dx * dx + dy * dy + dz * dz).sqrt();
            e -= G * mass[i] * mass[j] / r;
        }
    }
    e
}

/// One explicit step of the 1-D heat equation, ends held at zero.
#[grad]
pub fn heat_step(u: [f64; 8], alpha: f64) -> [f64; 8] {
    let mut next = u;
    for i in 1..7 {
        next[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
    }
    next[0] = 0.0;
    next[7] = 0.0;
    next
}

/// Thermal energy after ten steps.
#[grad]
pub fn heat_energy(u0: [f64; 8], alpha: f64) -> f64 {
    let mut u = u0;
    for _ in 0..10 {
        u = heat_step(u, alpha);
    }
    u.iter().map(|v| v * v).sum()
}

/// A projectile with quadratic drag; horizontal distance when it lands.
#[grad]
pub fn projectile_range(v0: f64, angle: f64, drag: f64) -> f64 {
    let g = 9.81;
    let dt = 1e-3;
    let (mut x, mut y) = (0.0, 0.0);
    let (mut vx, mut vy) = (v0 * angle.cos(), v0 * angle.sin());
    let mut steps = 0;
    while y >= 0.0 && steps < 100_000 {
        let speed = (vx * vx + vy * vy).sqrt();
        vx -= drag * speed * vx * dt;
        vy -= (g + drag * speed * vy) * dt;
        x += vx * dt;
        y += vy * dt;
        steps += 1;
    }
    x
}

/// Lennard-Jones energy of particles in 2-D.
#[grad(wrt(pos))]
pub fn lennard_jones(pos: &[[f64; 2]], epsilon: f64, sigma: f64) -> f64 {
    let n = pos.len();
    let mut energy = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            let r2 = (pos[i][0] - pos[j][0]).powi(2) + (pos[i][1] - pos[j][1]).powi(2);
            let s6 = (sigma * sigma / r2).powi(3);
            energy += 4.0 * epsilon * (s6 * s6 - s6);
        }
    }
    energy
}

/// The damped harmonic oscillator, closed form.
#[grad]
pub fn damped_oscillator(amp: f64, gamma: f64, omega: f64, phase: f64, t: f64) -> f64 {
    amp * (-gamma * t).exp() * (omega * t + phase).cos()
}

/// Rotational kinetic energy ½ ωᵀ I ω.
#[grad]
pub fn rotational_energy(inertia: [[f64; 3]; 3], omega: [f64; 3]) -> f64 {
    let mut e = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            e += omega[i] * inertia[i][j] * omega[j];
        }
    }
    0.5 * e
}

/// Van der Waals pressure.
#[grad]
pub fn van_der_waals(v: f64, t: f64, a: f64, b: f64) -> f64 {
    const R: f64 = 8.314;
    R * t / (v - b) - a / (v * v)
}

#[derive(Clone, Copy, Default, Tangent)]
pub struct State {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
}

/// Specific orbital energy of a state around a body of parameter mu.
#[grad]
pub fn orbit_energy(s: State, mu: f64) -> f64 {
    let r = (s.pos[0] * s.pos[0] + s.pos[1] * s.pos[1]).sqrt();
    let v2 = s.vel[0] * s.vel[0] + s.vel[1] * s.vel[1];
    0.5 * v2 - mu / r
}

/// A 2-D spring-mass system stepped with symplectic Euler; the final distance from the origin.
#[grad]
pub fn spring_mass_sim(s: State, k: f64, damping: f64) -> f64 {
    // Rejected on the first attempt at cce7e0b (a field of a local copy assigned);
    // accepted as first written since f4bae05.
    let mut st = s;
    for _ in 0..50 {
        for d in 0..2 {
            let a = -k * st.pos[d] - damping * st.vel[d];
            st.vel[d] += a * 0.02;
            st.pos[d] += st.vel[d] * 0.02;
        }
    }
    (st.pos[0].powi(2) + st.pos[1].powi(2)).sqrt()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn spring_chain() {
    let x = [0.0, 1.1, 1.9, 3.2, 4.0];
    let mut dx = [0.0; 5];
    let (y, dk) = spring_chain_energy_backward(&x, &mut dx, 2.5, 1.0, 1.0);
    assert_bits(y, spring_chain_energy(&x, 2.5, 1.0), "value");
    assert_fd(
        |p| spring_chain_energy(&p[..5], p[5], 1.0),
        &cat(&[&x, &[2.5]]),
        &cat(&[&dx, &[dk]]),
    );
}

#[test]
fn pendulum_velocity_verlet() {
    let x = [0.4, -0.2, 9.81, 1.3];
    let (y, a, b, c, d) = pendulum_verlet_backward(x[0], x[1], x[2], x[3], 1.0);
    assert_bits(y, pendulum_verlet(x[0], x[1], x[2], x[3]), "value");
    assert_fd(
        |p| pendulum_verlet(p[0], p[1], p[2], p[3]),
        &x,
        &[a, b, c, d],
    );
}

#[test]
fn pendulum_runge_kutta() {
    let x = [1.0, 0.3, 4.0];
    let (y, a, b, c) = pendulum_rk4_backward(x[0], x[1], x[2], 1.0);
    assert_bits(y, pendulum_rk4(x[0], x[1], x[2]), "value");
    assert_fd(|p| pendulum_rk4(p[0], p[1], p[2]), &x, &[a, b, c]);
    // The vector field alone, a tuple result.
    let d_out = (0.7, -1.3);
    let ((t, o), a, b, c) = pendulum_rhs_backward(x[0], x[1], x[2], d_out);
    let (wt, wo) = pendulum_rhs(x[0], x[1], x[2]);
    assert_bits(t, wt, "value");
    assert_bits(o, wo, "value");
    assert_fd(
        |p| {
            let (t, o) = pendulum_rhs(p[0], p[1], p[2]);
            d_out.0 * t + d_out.1 * o
        },
        &x,
        &[a, b, c],
    );
}

#[test]
fn gravity_n_body() {
    let pos = [
        [0.0, 0.0, 0.0],
        [1.0, 0.2, -0.1],
        [-0.5, 1.1, 0.3],
        [0.4, -0.8, 0.9],
    ];
    let mass = [3e5, 1e5, 2e5, 1.5e5];
    let (mut dpos, mut dmass) = ([[0.0; 3]; 4], [0.0; 4]);
    let y = nbody_potential_backward(&pos, &mut dpos, &mass, &mut dmass, 1.0);
    assert_bits(y, nbody_potential(&pos, &mass), "value");
    // The masses on their own scale: differences in units of 1e5.
    assert_fd(
        |p| nbody_potential(&arr2(p), &arr(&p[12..])),
        &cat(&[&flat2(&pos), &mass]),
        &cat(&[&flat2(&dpos), &dmass]),
    );
    assert_fd(
        |p| nbody_potential(&arr2(p), &mass),
        &flat2(&pos),
        &flat2(&dpos),
    );
}

#[test]
fn heat_equation() {
    let u = [0.0, 0.3, 0.8, 1.0, 0.9, 0.5, 0.2, 0.0];
    let d_out = [0.1, 1.0, -0.5, 0.25, 2.0, -1.0, 0.5, 0.3];
    let (y, du, da) = heat_step_backward(u, 0.2, d_out);
    let want = heat_step(u, 0.2);
    for i in 0..8 {
        assert_bits(y[i], want[i], "value");
    }
    assert_fd(
        |p| dot(&heat_step(arr(p), p[8]), &d_out),
        &cat(&[&u, &[0.2]]),
        &cat(&[&du, &[da]]),
    );
    let (y, du, da) = heat_energy_backward(u, 0.2, 1.0);
    assert_bits(y, heat_energy(u, 0.2), "value");
    assert_fd(
        |p| heat_energy(arr(p), p[8]),
        &cat(&[&u, &[0.2]]),
        &cat(&[&du, &[da]]),
    );
}

#[test]
fn projectile_with_drag() {
    let x = [20.0, 0.7, 0.01];
    let (y, a, b, c) = projectile_range_backward(x[0], x[1], x[2], 1.0);
    assert_bits(y, projectile_range(x[0], x[1], x[2]), "value");
    assert_fd(|p| projectile_range(p[0], p[1], p[2]), &x, &[a, b, c]);
}

#[test]
fn lennard_jones_cluster() {
    let pos = [[0.0, 0.0], [1.1, 0.1], [0.5, 1.0], [1.6, 1.2]];
    let mut dpos = [[0.0; 2]; 4];
    let y = lennard_jones_backward(&pos, &mut dpos, 1.0, 1.0, 1.0);
    assert_bits(y, lennard_jones(&pos, 1.0, 1.0), "value");
    assert_fd(
        |p| lennard_jones(&arr2::<2, 4>(p), 1.0, 1.0),
        &flat2(&pos),
        &flat2(&dpos),
    );
}

#[test]
fn damped_harmonic_oscillator() {
    let x = [1.5, 0.3, 2.0, 0.4, 1.7];
    let (y, a, b, c, d, e) = damped_oscillator_backward(x[0], x[1], x[2], x[3], x[4], 1.0);
    assert_bits(y, damped_oscillator(x[0], x[1], x[2], x[3], x[4]), "value");
    assert_fd(
        |p| damped_oscillator(p[0], p[1], p[2], p[3], p[4]),
        &x,
        &[a, b, c, d, e],
    );
}

#[test]
fn rigid_body_rotation() {
    let inertia = [[2.0, 0.1, 0.0], [0.1, 1.5, 0.2], [0.0, 0.2, 1.0]];
    let omega = [0.3, -1.2, 0.8];
    let (y, di, dw) = rotational_energy_backward(inertia, omega, 1.0);
    assert_bits(y, rotational_energy(inertia, omega), "value");
    assert_fd(
        |p| rotational_energy(arr2(p), arr(&p[9..])),
        &cat(&[&flat2(&inertia), &omega]),
        &cat(&[&flat2(&di), &dw]),
    );
}

#[test]
fn van_der_waals_gas() {
    let x = [0.5, 300.0, 0.364, 4.27e-2];
    let (y, a, b, c, d) = van_der_waals_backward(x[0], x[1], x[2], x[3], 1.0);
    assert_bits(y, van_der_waals(x[0], x[1], x[2], x[3]), "value");
    assert_fd(|p| van_der_waals(p[0], p[1], p[2], p[3]), &x, &[a, b, c, d]);
}

fn state(p: &[f64]) -> State {
    State {
        pos: arr(p),
        vel: arr(&p[2..]),
    }
}

#[test]
fn orbital_energy() {
    let s = [1.0, 0.5, -0.3, 0.9];
    let (y, ds, dmu) = orbit_energy_backward(state(&s), 1.5, 1.0);
    assert_bits(y, orbit_energy(state(&s), 1.5), "value");
    assert_fd(
        |p| orbit_energy(state(p), p[4]),
        &cat(&[&s, &[1.5]]),
        &cat(&[&ds.pos, &ds.vel, &[dmu]]),
    );
}

#[test]
fn spring_mass_simulation() {
    let s = [1.0, 0.5, -0.3, 0.9];
    let (y, ds, dk, dc) = spring_mass_sim_backward(state(&s), 2.0, 0.3, 1.0);
    assert_bits(y, spring_mass_sim(state(&s), 2.0, 0.3), "value");
    assert_fd(
        |p| spring_mass_sim(state(p), p[4], p[5]),
        &cat(&[&s, &[2.0, 0.3]]),
        &cat(&[&ds.pos, &ds.vel, &[dk, dc]]),
    );
}
