//! Round 5, physics: written as a physicist writes Rust, before reading the support
//! table (Lennard-Jones energy over particle pairs with a cutoff, a pendulum stepped
//! with the midpoint rule, an explicit heat-equation solver).

use autodiff::grad;

/// Total Lennard-Jones energy of a cluster with a cutoff radius (pairs beyond it skipped).
#[grad(wrt(pos, epsilon, sigma))]
pub fn lj_energy(pos: &[[f64; 3]], epsilon: f64, sigma: f64, cutoff: f64) -> f64 {
    let n = pos.len();
    let mut energy = 0.0;
    for i in 0..n {
        for j in (i + 1)..n {
            let dx = pos[i][0] - pos[j][0];
            let dy = pos[i][1] - pos[j][1];
            let dz = pos[i][2] - pos[j][2];
            let r2 = dx * dx + dy * dy + dz * dz;
            if r2 > cutoff * cutoff {
                continue;
            }
            let sr6 = (sigma * sigma / r2).powi(3);
            energy += 4.0 * epsilon * (sr6 * sr6 - sr6);
        }
    }
    energy
}

/// A damped pendulum integrated with the midpoint (RK2) rule; returns the final angle.
#[grad]
pub fn pendulum_rk2(
    theta0: f64,
    omega0: f64,
    g_over_l: f64,
    damping: f64,
    dt: f64,
    steps: usize,
) -> f64 {
    let f = |theta: f64, omega: f64| -> (f64, f64) {
        (omega, -g_over_l * theta.sin() - damping * omega)
    };
    let mut theta = theta0;
    let mut omega = omega0;
    for _ in 0..steps {
        let (k1t, k1w) = f(theta, omega);
        let (k2t, k2w) = f(theta + 0.5 * dt * k1t, omega + 0.5 * dt * k1w);
        theta += dt * k2t;
        omega += dt * k2w;
    }
    theta
}

/// Explicit finite differences for u_t = alpha u_xx on a rod with fixed ends; returns
/// the thermal energy (sum of u²) after `steps` steps.
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

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r5_lj_energy() {
    let pos = [
        [0.0, 0.0, 0.0],
        [1.12, 0.05, -0.1],
        [0.5, 1.0, 0.2],
        [0.4, 0.3, 1.05],
        [4.0, 4.0, 4.0],
    ];
    let mut dpos = [[0.0; 3]; 5];
    let (e, de, ds) = lj_energy_backward(&pos, &mut dpos, 1.0, 1.0, 2.5, 1.0);
    assert_bits(e, lj_energy(&pos, 1.0, 1.0, 2.5), "value");
    // The far particle is beyond the cutoff: no force on it.
    assert_eq!(dpos[4], [0.0; 3]);
    let mut g = flat2(&dpos);
    g.extend([de, ds]);
    let mut x = flat2(&pos);
    x.extend([1.0, 1.0]);
    assert_fd(
        |p| {
            let q: [[f64; 3]; 5] = arr2(&p[..15]);
            lj_energy(&q, p[15], p[16], 2.5)
        },
        &x,
        &g,
    );
}

#[test]
fn r5_pendulum_rk2() {
    for (th, om) in [(0.3, 0.0), (2.0, -1.0)] {
        let (t, dth, dom, dg, dd, ddt) = pendulum_rk2_backward(th, om, 9.81, 0.1, 0.01, 200, 1.0);
        assert_bits(t, pendulum_rk2(th, om, 9.81, 0.1, 0.01, 200), "value");
        // The step enters as 0.01 * s at s = 1: the difference step, scaled by
        // max(1, |x|), would be 6e-4 of dt itself (a truncation error of 2e-6).
        assert_fd(
            |p| pendulum_rk2(p[0], p[1], p[2], p[3], 0.01 * p[4], 200),
            &[th, om, 9.81, 0.1, 1.0],
            &[dth, dom, dg, dd, 0.01 * ddt],
        );
    }
}

#[test]
fn r5_heat_energy() {
    let u0 = [0.0, 0.4, 1.0, 0.7, 0.2, -0.3, 0.0];
    let mut du = [0.0; 7];
    let (e, da) = heat_energy_backward(&u0, &mut du, 0.2, 25, 1.0);
    assert_bits(e, heat_energy(&u0, 0.2, 25), "value");
    assert_fd(
        |p| heat_energy(&p[..7], p[7], 25),
        &cat(&[&u0, &[0.2]]),
        &cat(&[&du, &[da]]),
    );
}
