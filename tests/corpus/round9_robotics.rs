//! Round 9, robotics: written as a roboticist writes Rust, before reading the support
//! table (a kinematic bicycle tracking a reference path, a cable-driven two-link arm's
//! cable-length inverse kinematics, a planar quadrotor's hover rollout, the
//! manipulability of a three-link arm).

use autodiff::{grad, Tangent};

// ---------------------------------------------------------------- bicycle model

/// The state of a car: position, heading and speed.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct CarState {
    pub x: f64,
    pub y: f64,
    pub yaw: f64,
    pub v: f64,
}

/// A kinematic bicycle model.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Bicycle {
    pub wheelbase: f64,
}

#[grad]
impl Bicycle {
    /// One explicit Euler step under acceleration `accel` and steering angle `steer`.
    pub fn step(&self, s: CarState, accel: f64, steer: f64, dt: f64) -> CarState {
        CarState {
            x: s.x + s.v * s.yaw.cos() * dt,
            y: s.y + s.v * s.yaw.sin() * dt,
            yaw: s.yaw + s.v / self.wheelbase * steer.tan() * dt,
            v: s.v + accel * dt,
        }
    }
}

/// MPC-style tracking cost of a control sequence `(accel, steer)` against reference
/// positions, with control effort.
#[grad(wrt(controls))]
pub fn tracking_cost(
    car: &Bicycle,
    start: CarState,
    controls: &[(f64, f64)],
    reference: &[[f64; 2]],
    dt: f64,
) -> f64 {
    let mut s = start;
    let mut cost = 0.0;
    for (&(accel, steer), r) in controls.iter().zip(reference) {
        s = car.step(s, accel, steer, dt);
        let ex = s.x - r[0];
        let ey = s.y - r[1];
        cost += ex * ex + ey * ey + 0.1 * accel * accel + 0.5 * steer * steer;
    }
    cost
}

// ---------------------------------------------------------------- cable-driven arm

/// Cable anchor points on the base (m).
const ANCHORS: [[f64; 2]; 3] = [[-0.5, 0.0], [0.5, 0.0], [0.0, -0.4]];

/// A planar two-link arm whose second link is pulled by three cables.
#[derive(Clone, Copy, Debug)]
pub struct CableArm {
    pub l1: f64,
    pub l2: f64,
    /// Where each cable attaches along link 2, as a fraction of its length.
    pub attach: [f64; 3],
}

#[grad]
fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

impl CableArm {
    /// Lengths of the three cables at joint angles `q`.
    #[grad(wrt(q))]
    pub fn cable_lengths(&self, q: [f64; 2]) -> [f64; 3] {
        let elbow = [self.l1 * q[0].cos(), self.l1 * q[0].sin()];
        let dir = [(q[0] + q[1]).cos(), (q[0] + q[1]).sin()];
        // first written: `lengths[k] = dist(*anchor, point);` over
        // `for (k, anchor) in ANCHORS.iter().enumerate()`; rejected at 4d10a14 in the
        // generated code: rustc E0308 "expected `f64`, found `[f64; 2]`" at the
        // attribute and "expected `[f64; 2]`, found `f64`" at `dist` (a row of a `const`
        // 2-D array passed on as an array; also `dist(ANCHORS[k], point)` and an
        // annotated `let a: [f64; 2] = *anchor;`). The row rebuilt from its entries:
        let mut lengths = [0.0; 3];
        for (k, anchor) in ANCHORS.iter().enumerate() {
            let s = self.attach[k] * self.l2;
            let point = [elbow[0] + s * dir[0], elbow[1] + s * dir[1]];
            lengths[k] = dist([anchor[0], anchor[1]], point);
        }
        lengths
    }
}

/// Cable-space inverse kinematics: squared error between the cable lengths at `q` and
/// the lengths the winches report.
#[grad(wrt(q))]
pub fn cable_ik_error(arm: &CableArm, q: [f64; 2], measured: [f64; 3]) -> f64 {
    let lengths = arm.cable_lengths(q);
    lengths
        .iter()
        .zip(measured.iter())
        .map(|(l, m)| (l - m).powi(2))
        .sum()
}

// ---------------------------------------------------------------- planar quadrotor

const MASS: f64 = 0.5;
const INERTIA: f64 = 0.01;
const ARM: f64 = 0.15;
const GRAVITY: f64 = 9.81;

/// State of a planar quadrotor.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Quad2d {
    pub x: f64,
    pub z: f64,
    pub theta: f64,
    pub vx: f64,
    pub vz: f64,
    pub omega: f64,
}

/// Semi-implicit Euler step with left/right rotor thrusts.
#[grad]
pub fn quad_step(s: Quad2d, thrust: [f64; 2], dt: f64) -> Quad2d {
    let total = thrust[0] + thrust[1];
    let ax = -total * s.theta.sin() / MASS;
    let az = total * s.theta.cos() / MASS - GRAVITY;
    let alpha = (thrust[1] - thrust[0]) * ARM / INERTIA;
    let vx = s.vx + ax * dt;
    let vz = s.vz + az * dt;
    let omega = s.omega + alpha * dt;
    Quad2d {
        x: s.x + vx * dt,
        z: s.z + vz * dt,
        theta: s.theta + omega * dt,
        vx,
        vz,
        omega,
    }
}

/// Cost of reaching and holding a hover point `target = [x, z]` with a thrust sequence.
#[grad(wrt(thrusts))]
pub fn hover_cost(start: Quad2d, thrusts: &[[f64; 2]], target: [f64; 2], dt: f64) -> f64 {
    let hover = MASS * GRAVITY / 2.0;
    let mut s = start;
    let mut cost = 0.0;
    for u in thrusts {
        s = quad_step(s, *u, dt);
        let position = (s.x - target[0]).powi(2) + (s.z - target[1]).powi(2);
        let attitude = s.theta * s.theta + 0.1 * s.omega * s.omega;
        let effort = (u[0] - hover).powi(2) + (u[1] - hover).powi(2);
        cost += position + 0.5 * attitude + 0.01 * effort;
    }
    // Terminal cost: come to rest.
    cost + 10.0 * (s.vx * s.vx + s.vz * s.vz)
}

// ---------------------------------------------------------------- manipulability

/// Negative log manipulability `-½ ln det(J Jᵀ)` of a planar three-link arm (a cost that
/// keeps it away from singular configurations).
#[grad(wrt(q))]
pub fn neg_log_manipulability(lengths: [f64; 3], q: [f64; 3]) -> f64 {
    // first written:
    //     let cumulative: Vec<f64> = q
    //         .iter()
    //         .scan(0.0, |acc, &qi| {
    //             *acc += qi;
    //             Some(*acc)
    //         })
    //         .collect();
    // rejected at 4d10a14: "unsupported iterator adapter `scan` in #[grad] fn; the
    // supported adapters are …". A running sum in a loop instead:
    let mut cumulative = [0.0; 3];
    let mut total = 0.0;
    for (c, qi) in cumulative.iter_mut().zip(q.iter()) {
        total += qi;
        *c = total;
    }
    let mut jac = [[0.0; 3]; 2];
    for j in 0..3 {
        for k in j..3 {
            jac[0][j] -= lengths[k] * cumulative[k].sin();
            jac[1][j] += lengths[k] * cumulative[k].cos();
        }
    }
    let a: f64 = jac[0].iter().map(|v| v * v).sum();
    let b: f64 = jac[0].iter().zip(&jac[1]).map(|(u, v)| u * v).sum();
    let c: f64 = jac[1].iter().map(|v| v * v).sum();
    -0.5 * (a * c - b * b).ln()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r9_tracking_cost() {
    let car = Bicycle { wheelbase: 2.7 };
    let start = CarState {
        x: 0.0,
        y: 0.0,
        yaw: 0.1,
        v: 5.0,
    };
    let controls: Vec<(f64, f64)> = (0..12)
        .map(|i| (0.3 * (i as f64 * 0.5).sin(), 0.05 * (i as f64 * 0.3).cos()))
        .collect();
    let reference: Vec<[f64; 2]> = (1..=12)
        .map(|i| [0.5 * i as f64, 0.02 * (i * i) as f64])
        .collect();
    let mut du = vec![(0.0, 0.0); 12];
    let c = tracking_cost_backward(&car, start, &controls, &mut du, &reference, 0.1, 1.0);
    assert_bits(
        c,
        tracking_cost(&car, start, &controls, &reference, 0.1),
        "value",
    );
    let flat = |v: &[(f64, f64)]| -> Vec<f64> { v.iter().flat_map(|&(a, b)| [a, b]).collect() };
    assert_fd(
        |p| {
            let u: Vec<(f64, f64)> = p.chunks(2).map(|c| (c[0], c[1])).collect();
            tracking_cost(&car, start, &u, &reference, 0.1)
        },
        &flat(&controls),
        &flat(&du),
    );
}

#[test]
fn r9_cable_ik_error() {
    let arm = CableArm {
        l1: 0.4,
        l2: 0.3,
        attach: [0.5, 0.8, 1.0],
    };
    let measured = [0.62, 0.55, 0.81];
    for q in [[0.9, 0.4], [1.4, -0.7]] {
        let (e, dq) = cable_ik_error_backward(&arm, q, measured, 1.0);
        assert_bits(e, cable_ik_error(&arm, q, measured), "value");
        assert_fd(|p| cable_ik_error(&arm, [p[0], p[1]], measured), &q, &dq);
    }
}

#[test]
fn r9_hover_cost() {
    let start = Quad2d {
        x: -0.3,
        z: 0.8,
        theta: 0.05,
        ..Quad2d::default()
    };
    let thrusts: Vec<[f64; 2]> = (0..20)
        .map(|i| {
            [
                2.5 + 0.2 * (i as f64 * 0.4).sin(),
                2.4 + 0.15 * (i as f64 * 0.7).cos(),
            ]
        })
        .collect();
    let mut du = vec![[0.0; 2]; 20];
    let c = hover_cost_backward(start, &thrusts, &mut du, [0.0, 1.0], 0.02, 1.0);
    assert_bits(c, hover_cost(start, &thrusts, [0.0, 1.0], 0.02), "value");
    let flat = |v: &[[f64; 2]]| -> Vec<f64> { v.iter().flatten().copied().collect() };
    assert_fd(
        |p| {
            let u: Vec<[f64; 2]> = p.chunks(2).map(|c| [c[0], c[1]]).collect();
            hover_cost(start, &u, [0.0, 1.0], 0.02)
        },
        &flat(&thrusts),
        &flat(&du),
    );
}

#[test]
fn r9_neg_log_manipulability() {
    let lengths = [0.5, 0.4, 0.25];
    for q in [[0.3, 0.9, -0.6], [-1.0, 1.8, 0.4]] {
        let (m, dq) = neg_log_manipulability_backward(lengths, q, 1.0);
        assert_bits(m, neg_log_manipulability(lengths, q), "value");
        assert_fd(|p| neg_log_manipulability(lengths, arr::<3>(p)), &q, &dq);
    }
}
