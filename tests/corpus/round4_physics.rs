//! Round 4, physics: written as a physicist writes Rust, before reading the
//! support table (RK4 with closures, a chain state updated through `&mut`
//! slices, a loop that returns on landing, Simpson's rule with a `match`).

use autodiff::grad;

/// Shooting for a Kepler orbit: integrate with classical RK4 and return the squared
/// miss distance to a target plus the squared energy drift.
#[grad]
pub fn rk4_shoot(
    r0: [f64; 2],
    v0: [f64; 2],
    gm: f64,
    target: [f64; 2],
    dt: f64,
    steps: usize,
) -> f64 {
    let deriv = |s: [f64; 4]| -> [f64; 4] {
        let r3 = (s[0] * s[0] + s[1] * s[1]).sqrt().powi(3);
        [s[2], s[3], -gm * s[0] / r3, -gm * s[1] / r3]
    };
    let energy = |s: [f64; 4]| 0.5 * (s[2] * s[2] + s[3] * s[3]) - gm / s[0].hypot(s[1]);
    let mut s = [r0[0], r0[1], v0[0], v0[1]];
    let e0 = energy(s);
    for _ in 0..steps {
        let k1 = deriv(s);
        // As first written, accepted since 9fb3265 (`from_fn`'s length from the array
        // its closure indexes): rejected at 1812d67 ("expected a single number as an
        // argument, found a closure; call it: `f(x)`", three times) and at 9fb3265's parent
        // edbdd66 (db76099 took the length only from an annotation or a turbofish: "the length of
        // `array::from_fn`'s array is not known here: annotate it …", three times). The
        // rewrite filled a `tmp` array by index loops.
        let k2 = deriv(std::array::from_fn(|i| s[i] + 0.5 * dt * k1[i]));
        let k3 = deriv(std::array::from_fn(|i| s[i] + 0.5 * dt * k2[i]));
        let k4 = deriv(std::array::from_fn(|i| s[i] + dt * k3[i]));
        for i in 0..4 {
            s[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    let miss = (s[0] - target[0]).hypot(s[1] - target[1]);
    miss * miss + (energy(s) - e0).powi(2)
}

/// One symplectic-Euler step of a chain of unit masses joined by springs, the first
/// tied to a wall at 0; positions and velocities updated in place.
#[grad]
pub fn chain_step(x: &mut [f64], v: &mut [f64], k: f64, rest: f64, dt: f64) {
    let n = x.len();
    for i in 0..n {
        let left = if i == 0 { 0.0 } else { x[i - 1] };
        let mut f = -k * (x[i] - left - rest);
        if i + 1 < n {
            f += k * (x[i + 1] - x[i] - rest);
        }
        v[i] += f * dt;
    }
    for (xi, vi) in x.iter_mut().zip(v.iter()) {
        *xi += vi * dt;
    }
}

/// Squared distance of the chain's last mass to a target after `steps` steps.
#[grad(wrt(x0, k))]
pub fn chain_reach(x0: &[f64], k: f64, target: f64, steps: usize) -> f64 {
    let mut x = x0.to_vec();
    let mut v = vec![0.0; x.len()];
    for _ in 0..steps {
        chain_step(&mut x, &mut v, k, 1.0, 0.01);
    }
    // First attempt rejected at 1812d67 ("unsupported array method `last` in #[grad]
    // fn; …"); accepted as first written since db76099.
    let end = *x.last().unwrap();
    (end - target).powi(2)
}

/// Range of a projectile with quadratic drag, Euler steps until it lands; the landing
/// point interpolated linearly between the last two steps.
#[grad]
pub fn drag_range(speed: f64, angle_deg: f64, drag: f64) -> f64 {
    const G: f64 = 9.81;
    const DT: f64 = 1e-3;
    let (sin, cos) = angle_deg.to_radians().sin_cos();
    let (mut x, mut y) = (0.0, 0.0);
    let (mut vx, mut vy) = (speed * cos, speed * sin);
    // First attempt rejected at 1812d67 ("`loop` is not supported; write its exit as a
    // `while` condition …"); it was kept as `while y >= 0.0 { … }` with the previous
    // point in locals declared before the loop and the interpolation after it. Accepted
    // as first written since 0f99aa2. (The record of the first attempt elided the steps
    // inside the loop; they are the workaround's, the previous point bound in the loop.)
    loop {
        let (px, py) = (x, y);
        let v = vx.hypot(vy);
        vx -= drag * v * vx * DT;
        vy -= (G + drag * v * vy) * DT;
        x += vx * DT;
        y += vy * DT;
        if y < 0.0 {
            return px + (x - px) * py / (py - y);
        }
    }
}

/// Variational energy of the Gaussian trial function exp(-a x²) for the anharmonic
/// oscillator V = x²/2 + λx⁴, both integrals by composite Simpson on [-L, L].
#[grad(wrt(a, lambda))]
pub fn variational_energy(a: f64, lambda: f64, half_width: f64, n: usize) -> f64 {
    let h = 2.0 * half_width / n as f64;
    let mut num = 0.0;
    let mut den = 0.0;
    for i in 0..=n {
        let x = -half_width + i as f64 * h;
        let w = match i {
            0 => 1.0,
            i if i == n => 1.0,
            i if i % 2 == 1 => 4.0,
            _ => 2.0,
        };
        let psi = (-a * x * x).exp();
        let dpsi = -2.0 * a * x * psi;
        let v = 0.5 * x * x + lambda * x.powi(4);
        num += w * (0.5 * dpsi * dpsi + v * psi * psi);
        den += w * psi * psi;
    }
    num / den
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r4_rk4_shoot() {
    let (r0, v0, gm, target) = ([1.0, 0.0], [0.1, 1.1], 1.0, [0.2, 0.9]);
    let (c, dr0, dv0, dgm, dtarget, ddt) = rk4_shoot_backward(r0, v0, gm, target, 0.05, 30, 1.0);
    assert_bits(c, rk4_shoot(r0, v0, gm, target, 0.05, 30), "value");
    assert_fd(
        |p| rk4_shoot([p[0], p[1]], [p[2], p[3]], p[4], [p[5], p[6]], p[7], 30),
        &[r0[0], r0[1], v0[0], v0[1], gm, target[0], target[1], 0.05],
        &[
            dr0[0], dr0[1], dv0[0], dv0[1], dgm, dtarget[0], dtarget[1], ddt,
        ],
    );
}

/// `chain_step` as a function of the initial state and parameters: a fixed linear
/// functional of the final positions and velocities.
fn chain_step_functional(p: &[f64], cx: &[f64], cv: &[f64]) -> f64 {
    let n = cx.len();
    let mut x = p[..n].to_vec();
    let mut v = p[n..2 * n].to_vec();
    chain_step(&mut x, &mut v, p[2 * n], p[2 * n + 1], p[2 * n + 2]);
    dot(&x, cx) + dot(&v, cv)
}

#[test]
fn r4_chain_step() {
    let x0 = [0.9, 2.2, 2.9, 4.1];
    let v0 = [0.1, -0.2, 0.05, 0.3];
    let (k, rest, dt) = (3.0, 1.0, 0.05);
    let cx = [0.5, -1.0, 0.25, 2.0];
    let cv = [1.5, 0.3, -0.7, 0.2];
    let (mut x, mut v) = (x0, v0);
    chain_step(&mut x, &mut v, k, rest, dt);
    let (mut xb, mut vb) = (x0, v0);
    let (mut dx, mut dv) = (cx, cv);
    let (dk, drest, ddt) = chain_step_backward(&mut xb, &mut dx, &mut vb, &mut dv, k, rest, dt);
    for i in 0..4 {
        assert_bits(xb[i], x[i], "x");
        assert_bits(vb[i], v[i], "v");
    }
    let mut g = cat(&[&dx, &dv]);
    g.extend([dk, drest, ddt]);
    assert_fd(
        |p| chain_step_functional(p, &cx, &cv),
        &cat(&[&x0, &v0, &[k, rest, dt]]),
        &g,
    );
}

#[test]
fn r4_chain_reach() {
    let x0 = [1.1, 1.9, 3.2];
    let mut dx0 = [0.0; 3];
    let (c, dk) = chain_reach_backward(&x0, &mut dx0, 4.0, 3.5, 60, 1.0);
    assert_bits(c, chain_reach(&x0, 4.0, 3.5, 60), "value");
    assert_fd(
        |p| chain_reach(&p[..3], p[3], 3.5, 60),
        &[x0[0], x0[1], x0[2], 4.0],
        &[dx0[0], dx0[1], dx0[2], dk],
    );
}

#[test]
fn r4_drag_range() {
    for (speed, angle, drag) in [(20.0, 35.0, 0.01), (12.0, 60.0, 0.05)] {
        let (r, ds, da, dd) = drag_range_backward(speed, angle, drag, 1.0);
        assert_bits(r, drag_range(speed, angle, drag), "value");
        assert_fd(
            |p| drag_range(p[0], p[1], p[2]),
            &[speed, angle, drag],
            &[ds, da, dd],
        );
    }
}

#[test]
fn r4_variational_energy() {
    for (a, lambda) in [(0.5, 0.0), (0.7, 0.1)] {
        let (e, da, dl) = variational_energy_backward(a, lambda, 6.0, 200, 1.0);
        assert_bits(e, variational_energy(a, lambda, 6.0, 200), "value");
        assert_fd(
            |p| variational_energy(p[0], p[1], 6.0, 200),
            &[a, lambda],
            &[da, dl],
        );
    }
    // The harmonic oscillator's ground state, a = 1/2, is the minimum: E = 1/2, dE/da = 0.
    let (e, da, _) = variational_energy_backward(0.5, 0.0, 6.0, 200, 1.0);
    assert_near(e, 0.5, 1e-9, "E at a = 1/2");
    assert_near(da, 0.0, 1e-8, "dE/da at a = 1/2");
}
