//! Round 9, physics: written as a physicist writes Rust, before reading the support table
//! (a softened N-body leapfrog shot at a target, a driven Duffing oscillator stepped by
//! a generic RK4 helper, a black-body temperature fit, a classical XY spin chain).

use autodiff::{grad, Tangent};
use std::ops::{Add, AddAssign, Mul, Sub, SubAssign};

// ---------------------------------------------------------------- N-body

/// A 3-vector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Vec3 {
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

#[grad]
impl Vec3 {
    /// A vector from its components.
    pub fn new(x: f64, y: f64, z: f64) -> Self {
        Self { x, y, z }
    }

    /// `|self|²`.
    pub fn norm_sq(self) -> f64 {
        self.x * self.x + self.y * self.y + self.z * self.z
    }
}

#[grad]
impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}

#[grad]
impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

#[grad]
impl Mul<f64> for Vec3 {
    type Output = Vec3;
    fn mul(self, k: f64) -> Vec3 {
        Vec3::new(self.x * k, self.y * k, self.z * k)
    }
}

#[grad]
impl AddAssign for Vec3 {
    // first written: `*self = *self + o;`; rejected at 4d10a14 in the generated code:
    // rustc E0599 "no associated item named `__autodiff_v_autodiff_op_add_vec3` found for
    // struct `Vec3`" (an operator impl using the type's own `#[grad]` operator). Field by
    // field instead:
    fn add_assign(&mut self, o: Vec3) {
        self.x += o.x;
        self.y += o.y;
        self.z += o.z;
    }
}

#[grad]
impl SubAssign for Vec3 {
    // first written: `*self = *self - o;` (the same E0599 as `add_assign`).
    fn sub_assign(&mut self, o: Vec3) {
        self.x -= o.x;
        self.y -= o.y;
        self.z -= o.z;
    }
}

/// A point mass.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Body {
    pub pos: Vec3,
    pub vel: Vec3,
    pub mass: f64,
}

// first written:
//
//     /// Plummer-softened gravitational accelerations (G = 1).
//     #[grad]
//     pub fn accelerations(bodies: &[Body], softening: f64) -> Vec<Vec3> {
//         let n = bodies.len();
//         let eps2 = softening * softening;
//         let mut acc = vec![Vec3::ZERO; n];
//         for i in 0..n {
//             for j in (i + 1)..n {
//                 let d = bodies[j].pos - bodies[i].pos;
//                 let r2 = d.norm_sq() + eps2;
//                 let inv_r3 = 1.0 / (r2 * r2.sqrt());
//                 acc[i] += d * (bodies[j].mass * inv_r3);
//                 acc[j] -= d * (bodies[i].mass * inv_r3);
//             }
//         }
//         acc
//     }
//
//     #[grad(wrt(bodies))]
//     pub fn nbody_miss(bodies: &[Body], target: Vec3, softening: f64, dt: f64, steps: usize) -> f64 {
//         let mut state = bodies.to_vec();
//         let mut acc = accelerations(&state, softening);
//         for _ in 0..steps {
//             for (b, a) in state.iter_mut().zip(&acc) {
//                 b.vel += *a * (0.5 * dt);
//                 b.pos += b.vel * dt;
//             }
//             acc = accelerations(&state, softening);
//             for (b, a) in state.iter_mut().zip(&acc) {
//                 b.vel += *a * (0.5 * dt);
//             }
//         }
//         (state[0].pos - target).norm_sq()
//     }
//
// rejected at 4d10a14: "a #[grad] function must return a float …, a `Vec`, or a
// `#[derive(Tangent)]` struct, not `Vec<Vec3>`" at `accelerations`; in `nbody_miss`
// "field access is only supported on tuples (`t.0`) in #[grad] bodies" at each `b.vel`,
// `b.pos`, `state[0].pos`, "unsupported assignment target in #[grad] body" at each
// `b.vel +=`, and "an operator with a number on the left of a struct (`2.0 * v`) is not
// differentiated" at `state[0].pos - target` (a local `Vec` of structs, from
// `bodies.to_vec()`); and the `AddAssign`/`SubAssign` impls above. Rewritten with the
// state in flat `Vec<f64>`s `[x0, y0, z0, x1, …]` (and `Vec3::ZERO`, a `pub const` in
// the `#[grad] impl Vec3` that only `accelerations` used, removed):

/// The `i`-th 3-vector of a flat `[x0, y0, z0, x1, …]` array.
#[grad]
pub fn vec3_at(v: &[f64], i: usize) -> Vec3 {
    Vec3::new(v[3 * i], v[3 * i + 1], v[3 * i + 2])
}

/// Plummer-softened gravitational accelerations (G = 1), flat.
#[grad]
pub fn accelerations(pos: &[f64], mass: &[f64], softening: f64) -> Vec<f64> {
    let n = mass.len();
    let eps2 = softening * softening;
    let mut acc = vec![0.0; 3 * n];
    for i in 0..n {
        for j in (i + 1)..n {
            // `let d = vec3_at(pos, j) - vec3_at(pos, i);` (an operator on two struct-valued
            // call results) is rejected: "unsupported method `norm_sq`" at `d.norm_sq()`,
            // and with `d` built by `Vec3::new(…)`, `let on_i = d * (mass[j] * inv_r3);`
            // gives "field access is only supported on tuples" at `on_i.x` (an operator on
            // a call result). Components instead:
            let d = Vec3::new(
                pos[3 * j] - pos[3 * i],
                pos[3 * j + 1] - pos[3 * i + 1],
                pos[3 * j + 2] - pos[3 * i + 2],
            );
            let r2 = d.norm_sq() + eps2;
            let inv_r3 = 1.0 / (r2 * r2.sqrt());
            let (s_i, s_j) = (mass[j] * inv_r3, mass[i] * inv_r3);
            acc[3 * i] += d.x * s_i;
            acc[3 * i + 1] += d.y * s_i;
            acc[3 * i + 2] += d.z * s_i;
            acc[3 * j] -= d.x * s_j;
            acc[3 * j + 1] -= d.y * s_j;
            acc[3 * j + 2] -= d.z * s_j;
        }
    }
    acc
}

/// Squared miss distance of body 0 from `target` after `steps` kick-drift-kick leapfrog
/// steps: the shooting objective for the initial conditions.
#[grad(wrt(bodies))]
pub fn nbody_miss(bodies: &[Body], target: Vec3, softening: f64, dt: f64, steps: usize) -> f64 {
    let mut pos = Vec::with_capacity(3 * bodies.len());
    let mut vel = Vec::with_capacity(3 * bodies.len());
    let mut mass = Vec::with_capacity(bodies.len());
    for b in bodies {
        pos.push(b.pos.x);
        pos.push(b.pos.y);
        pos.push(b.pos.z);
        vel.push(b.vel.x);
        vel.push(b.vel.y);
        vel.push(b.vel.z);
        mass.push(b.mass);
    }
    let mut acc: Vec<f64> = accelerations(&pos, &mass, softening);
    for _ in 0..steps {
        for k in 0..pos.len() {
            vel[k] += 0.5 * dt * acc[k];
            pos[k] += dt * vel[k];
        }
        acc = accelerations(&pos, &mass, softening);
        for k in 0..vel.len() {
            vel[k] += 0.5 * dt * acc[k];
        }
    }
    (vec3_at(&pos, 0) - target).norm_sq()
}

// ---------------------------------------------------------------- Duffing + RK4

/// Position and velocity.
pub type State = [f64; 2];

/// `y + h k`.
#[grad]
pub fn axpy(y: State, h: f64, k: State) -> State {
    [y[0] + h * k[0], y[1] + h * k[1]]
}

/// Physical parameters of a driven Duffing oscillator
/// `x'' + δ x' + α x + β x³ = γ cos(ω t)`.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Duffing {
    pub delta: f64,
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub omega: f64,
}

/// Displacement of the Duffing oscillator after `steps` RK4 steps from `(x0, v0)`.
#[grad(wrt(p, x0, v0))]
pub fn duffing_displacement(p: Duffing, x0: f64, v0: f64, dt: f64, steps: usize) -> f64 {
    let rhs = |t: f64, y: State| -> State {
        [
            y[1],
            -p.delta * y[1] - p.alpha * y[0] - p.beta * y[0].powi(3)
                + p.gamma * (p.omega * t).cos(),
        ]
    };
    // first written: a generic step, called as `y = rk4_step(rhs, t, y, dt);`:
    //
    //     /// One classical Runge–Kutta step of `y' = f(t, y)`.
    //     #[grad]
    //     pub fn rk4_step(f: impl Fn(f64, State) -> State, t: f64, y: State, h: f64) -> State {
    //         let k1 = f(t, y);
    //         let k2 = f(t + 0.5 * h, axpy(y, 0.5 * h, k1));
    //         let k3 = f(t + 0.5 * h, axpy(y, 0.5 * h, k2));
    //         let k4 = f(t + h, axpy(y, h, k3));
    //         [
    //             y[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
    //             y[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
    //         ]
    //     }
    //
    // rejected at 4d10a14: "`impl Fn(f64, State) -> State` parameters are not
    // differentiated yet; …" at `rk4_step`, and "expected a single number as an
    // argument, found a closure; call it: `f(x)`" at `rk4_step(rhs, …)`. The step as a
    // closure in the body instead:
    let rk4_step = |t: f64, y: State, h: f64| -> State {
        let k1 = rhs(t, y);
        let k2 = rhs(t + 0.5 * h, axpy(y, 0.5 * h, k1));
        let k3 = rhs(t + 0.5 * h, axpy(y, 0.5 * h, k2));
        let k4 = rhs(t + h, axpy(y, h, k3));
        [
            y[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
            y[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
        ]
    };
    let mut y = [x0, v0];
    let mut t = 0.0;
    for _ in 0..steps {
        y = rk4_step(t, y, dt);
        t += dt;
    }
    y[0]
}

// ---------------------------------------------------------------- black body

const PLANCK: f64 = 6.626_070_15e-34;
const LIGHT: f64 = 2.997_924_58e8;
const BOLTZMANN: f64 = 1.380_649e-23;

/// Planck's spectral radiance `B_λ(T)` in W sr⁻¹ m⁻³.
#[grad]
pub fn planck(wavelength: f64, temperature: f64) -> f64 {
    let a = 2.0 * PLANCK * LIGHT * LIGHT / wavelength.powi(5);
    let x = PLANCK * LIGHT / (wavelength * BOLTZMANN * temperature);
    a / x.exp_m1()
}

/// A flux measurement at one wavelength (m), with its standard error.
#[derive(Clone, Copy, Debug)]
pub struct Measurement {
    pub wavelength: f64,
    pub flux: f64,
    pub sigma: f64,
}

/// χ² of a scaled black body (scale `10^log_scale`, for the unknown solid angle) against
/// a measured spectrum.
#[grad(wrt(temperature, log_scale))]
pub fn blackbody_chi2(temperature: f64, log_scale: f64, spectrum: &[Measurement]) -> f64 {
    let scale = 10f64.powf(log_scale);
    spectrum
        .iter()
        .map(|m| {
            let model = scale * planck(m.wavelength, temperature);
            ((model - m.flux) / m.sigma).powi(2)
        })
        .sum()
}

// ---------------------------------------------------------------- XY chain

/// Boundary condition of a spin chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    Open,
    Periodic,
}

/// Energy of a classical XY chain with exchange `coupling`, an in-plane field and an
/// easy-axis anisotropy: `-J Σ cos(θᵢ - θᵢ₊₁) - h Σ cos θᵢ - D Σ cos² θᵢ`.
#[grad(wrt(theta, coupling, field, anisotropy))]
pub fn xy_chain_energy(
    theta: &[f64],
    coupling: f64,
    field: f64,
    anisotropy: f64,
    boundary: Boundary,
) -> f64 {
    let n = theta.len();
    let bonds = match boundary {
        Boundary::Open => n - 1,
        Boundary::Periodic => n,
    };
    let exchange: f64 = (0..bonds)
        .map(|i| (theta[i] - theta[(i + 1) % n]).cos())
        .sum();
    let zeeman: f64 = theta.iter().map(|t| t.cos()).sum();
    let easy_axis: f64 = theta.iter().map(|t| t.cos().powi(2)).sum();
    -coupling * exchange - field * zeeman - anisotropy * easy_axis
}

// ---------------------------------------------------------------- tests

use crate::common::*;

fn flat_bodies(bs: &[Body]) -> Vec<f64> {
    bs.iter()
        .flat_map(|b| [b.pos.x, b.pos.y, b.pos.z, b.vel.x, b.vel.y, b.vel.z, b.mass])
        .collect()
}

fn bodies_from(p: &[f64]) -> Vec<Body> {
    p.chunks(7)
        .map(|c| Body {
            pos: Vec3::new(c[0], c[1], c[2]),
            vel: Vec3::new(c[3], c[4], c[5]),
            mass: c[6],
        })
        .collect()
}

#[test]
fn r9_nbody_miss() {
    let bodies = vec![
        Body {
            pos: Vec3::new(1.0, 0.0, 0.0),
            vel: Vec3::new(0.0, 0.8, 0.1),
            mass: 0.1,
        },
        Body {
            pos: Vec3::new(0.0, 0.0, 0.0),
            vel: Vec3::new(0.0, -0.05, 0.0),
            mass: 1.0,
        },
        Body {
            pos: Vec3::new(-1.5, 0.5, 0.2),
            vel: Vec3::new(0.1, -0.4, 0.0),
            mass: 0.3,
        },
    ];
    let target = Vec3::new(0.2, 0.9, 0.1);
    let mut db = vec![Body::default(); 3];
    let l = nbody_miss_backward(&bodies, &mut db, target, 0.05, 0.01, 150, 1.0);
    assert_bits(l, nbody_miss(&bodies, target, 0.05, 0.01, 150), "value");
    assert_fd(
        |p| nbody_miss(&bodies_from(p), target, 0.05, 0.01, 150),
        &flat_bodies(&bodies),
        &flat_bodies(&db),
    );
}

#[test]
fn r9_duffing_displacement() {
    let p = Duffing {
        delta: 0.2,
        alpha: -1.0,
        beta: 1.0,
        gamma: 0.3,
        omega: 1.2,
    };
    let (x, dp, dx0, dv0) = duffing_displacement_backward(p, 0.5, 0.0, 0.02, 250, 1.0);
    assert_bits(x, duffing_displacement(p, 0.5, 0.0, 0.02, 250), "value");
    assert_fd(
        |q| {
            let d = Duffing {
                delta: q[0],
                alpha: q[1],
                beta: q[2],
                gamma: q[3],
                omega: q[4],
            };
            duffing_displacement(d, q[5], q[6], 0.02, 250)
        },
        &[p.delta, p.alpha, p.beta, p.gamma, p.omega, 0.5, 0.0],
        &[dp.delta, dp.alpha, dp.beta, dp.gamma, dp.omega, dx0, dv0],
    );
}

#[test]
fn r9_blackbody_chi2() {
    // A synthetic spectrum of a 5800 K body at scale 1e-12, perturbed.
    let spectrum: Vec<Measurement> = (0..8)
        .map(|i| {
            let wavelength = 300e-9 + 100e-9 * i as f64;
            let truth = 1e-12 * planck(wavelength, 5800.0);
            let flux = truth * (1.0 + 0.03 * (i as f64 * 2.3).sin());
            Measurement {
                wavelength,
                flux,
                sigma: 0.02 * truth,
            }
        })
        .collect();
    for (t, s) in [(5600.0, -12.05), (6100.0, -11.9)] {
        let (c, dt, ds) = blackbody_chi2_backward(t, s, &spectrum, 1.0);
        assert_bits(c, blackbody_chi2(t, s, &spectrum), "value");
        assert_fd(
            |p| blackbody_chi2(p[0], p[1], &spectrum),
            &[t, s],
            &[dt, ds],
        );
    }
}

#[test]
fn r9_xy_chain_energy() {
    let theta = [0.1, 0.7, -0.4, 1.9, 2.5, -2.2];
    for boundary in [Boundary::Open, Boundary::Periodic] {
        let mut dth = [0.0; 6];
        let (e, dj, dh, dd) =
            xy_chain_energy_backward(&theta, &mut dth, 1.0, 0.3, 0.2, boundary, 1.0);
        assert_bits(e, xy_chain_energy(&theta, 1.0, 0.3, 0.2, boundary), "value");
        assert_fd(
            |p| xy_chain_energy(&p[..6], p[6], p[7], p[8], boundary),
            &cat(&[&theta, &[1.0, 0.3, 0.2]]),
            &cat(&[&dth, &[dj, dh, dd]]),
        );
    }
}
