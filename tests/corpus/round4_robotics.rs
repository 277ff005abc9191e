//! Round 4, robotics: written as a roboticist writes Rust, before reading the
//! support table (closed-form IK returning a tuple, a quaternion struct with a
//! method, a car model whose method returns the next state).

use autodiff::{grad, Tangent};

/// Closed-form inverse kinematics of a planar two-link arm (elbow down): the joint
/// angles that put the tip at (x, y).
#[grad]
pub fn two_link_ik(x: f64, y: f64, l1: f64, l2: f64) -> (f64, f64) {
    let c2 = ((x * x + y * y - l1 * l1 - l2 * l2) / (2.0 * l1 * l2)).clamp(-1.0, 1.0);
    let q2 = c2.acos();
    let q1 = y.atan2(x) - (l2 * q2.sin()).atan2(l1 + l2 * c2);
    (q1, q2)
}

#[derive(Tangent, Clone, Copy, Debug)]
pub struct Quat {
    pub w: f64,
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

impl Quat {
    /// Rotates `v` by this (unit) quaternion: v' = v + 2w (u × v) + 2 u × (u × v).
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default). At 1812d67 `#[grad]` compiled with `self` as data (its
    // gradient not computed), and `attitude_cost`'s call failed in the generated code
    // (E0308: expected a tuple with 2 elements, found one with 3); since edbdd66, and
    // still at 5e8c305's parent 9d384e5, E0080 "`Quat::rotate` does not differentiate its
    // first parameter …". The rewrite had `#[grad(wrt(self, v))]`.
    #[grad]
    pub fn rotate(self, v: [f64; 3]) -> [f64; 3] {
        let cross = |a: [f64; 3], b: [f64; 3]| {
            [
                a[1] * b[2] - a[2] * b[1],
                a[2] * b[0] - a[0] * b[2],
                a[0] * b[1] - a[1] * b[0],
            ]
        };
        let u = [self.x, self.y, self.z];
        let t = cross(u, v).map(|c| 2.0 * c);
        let ut = cross(u, t);
        [
            v[0] + self.w * t[0] + ut[0],
            v[1] + self.w * t[1] + ut[1],
            v[2] + self.w * t[2] + ut[2],
        ]
    }
}

/// Wahba's problem: weighted misfit of body-frame vectors rotated into the reference
/// frame by the normalised quaternion.
#[grad(wrt(q))]
pub fn attitude_cost(q: Quat, body: &[[f64; 3]], reference: &[[f64; 3]], weights: &[f64]) -> f64 {
    let n = (q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z).sqrt();
    let q = Quat {
        w: q.w / n,
        x: q.x / n,
        y: q.y / n,
        z: q.z / n,
    };
    body.iter()
        .zip(reference)
        .zip(weights)
        .map(|((b, r), w)| {
            // As first written, accepted since 5e8c305 (`Quat::rotate`'s plain `#[grad]`):
            // at 1812d67 "call this method by its path here: `Type::method(p, …)`" (`q` a
            // local struct; fixed in edbdd66, by the round's notes), and `rotate`'s
            // self-as-data error until 5e8c305 (E0080 at its parent 9d384e5). The rewrite
            // called `Quat::rotate(q, *b)`.
            let rb = q.rotate(*b);
            w * rb.iter().zip(r).map(|(p, s)| (p - s).powi(2)).sum::<f64>()
        })
        .sum()
}

#[derive(Tangent, Clone, Copy, Debug, Default)]
pub struct Car {
    pub x: f64,
    pub y: f64,
    pub yaw: f64,
    pub v: f64,
}

const WHEELBASE: f64 = 2.5;

impl Car {
    /// Kinematic bicycle model: one Euler step under (acceleration, steering angle).
    #[grad]
    pub fn step(self, accel: f64, steer: f64, dt: f64) -> Car {
        Car {
            x: self.x + self.v * self.yaw.cos() * dt,
            y: self.y + self.v * self.yaw.sin() * dt,
            yaw: self.yaw + self.v / WHEELBASE * steer.tan() * dt,
            v: self.v + accel * dt,
        }
    }
}

/// MPC objective: track reference positions, penalise effort and steering rate.
#[grad(wrt(controls))]
pub fn mpc_cost(start: Car, controls: &[[f64; 2]], reference: &[[f64; 2]]) -> f64 {
    const DT: f64 = 0.1;
    const W_EFFORT: f64 = 0.1;
    const W_RATE: f64 = 1.0;
    // As first written, accepted since 5e8c305 (`Car::step`'s plain `#[grad]` now
    // differentiates the state). Rejected at 1812d67: "call this method by its path here:
    // `Type::method(p, …)`", "a value carried by this loop changes type in its body" and
    // "field access is only supported on tuples (`t.0`) in #[grad] bodies" (twice); written
    // `car = Car::step(car, …)`: "a local copy of a struct parameter cannot be passed on
    // whole yet …" and "a field of a struct value chosen by an `if` or returned by a call
    // is not supported yet …" (twice). At 5e8c305's parent 9d384e5: E0080 "`Car::step`
    // does not differentiate its first parameter …". The rewrite kept the state as four
    // locals with the model inlined.
    let mut car = start;
    let mut cost = 0.0;
    let mut prev_steer = 0.0;
    for (u, r) in controls.iter().zip(reference) {
        let [accel, steer] = *u;
        car = car.step(accel, steer, DT);
        cost += (car.x - r[0]).powi(2) + (car.y - r[1]).powi(2);
        cost += W_EFFORT * (accel * accel + steer * steer) + W_RATE * (steer - prev_steer).powi(2);
        prev_steer = steer;
    }
    cost
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r4_two_link_ik() {
    let (l1, l2) = (1.0, 0.8);
    for (x, y) in [(1.2, 0.5), (-0.4, 1.1)] {
        let (c1, c2) = (0.7, -1.3);
        let ((q1, q2), dx, dy, dl1, dl2) = two_link_ik_backward(x, y, l1, l2, (c1, c2));
        let (w1, w2) = two_link_ik(x, y, l1, l2);
        assert_bits(q1, w1, "q1");
        assert_bits(q2, w2, "q2");
        // The angles put the tip back at (x, y).
        assert_near(l1 * q1.cos() + l2 * (q1 + q2).cos(), x, 1e-12, "tip x");
        assert_near(l1 * q1.sin() + l2 * (q1 + q2).sin(), y, 1e-12, "tip y");
        assert_fd(
            |p| {
                let (a, b) = two_link_ik(p[0], p[1], p[2], p[3]);
                c1 * a + c2 * b
            },
            &[x, y, l1, l2],
            &[dx, dy, dl1, dl2],
        );
    }
}

fn quat(p: &[f64]) -> Quat {
    Quat {
        w: p[0],
        x: p[1],
        y: p[2],
        z: p[3],
    }
}

#[test]
fn r4_quat_rotate() {
    let q = quat(&[0.8, 0.2, -0.5, 0.26]);
    let v = [0.3, -1.2, 0.7];
    let c = [1.0, -0.5, 2.0];
    let (r, dq, dv) = q.rotate_backward(v, c);
    let want = q.rotate(v);
    for i in 0..3 {
        assert_bits(r[i], want[i], "rotated");
    }
    assert_fd(
        |p| dot(&quat(p).rotate([p[4], p[5], p[6]]), &c),
        &[q.w, q.x, q.y, q.z, v[0], v[1], v[2]],
        &[dq.w, dq.x, dq.y, dq.z, dv[0], dv[1], dv[2]],
    );
}

#[test]
fn r4_attitude_cost() {
    let body = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.3, 0.4, 0.87]];
    let reference = [[0.9, 0.3, -0.1], [-0.35, 0.9, 0.2], [0.1, 0.5, 0.85]];
    let weights = [1.0, 0.5, 2.0];
    let p = [0.95, 0.1, -0.05, 0.2];
    let (c, dq) = attitude_cost_backward(quat(&p), &body, &reference, &weights, 1.0);
    assert_bits(
        c,
        attitude_cost(quat(&p), &body, &reference, &weights),
        "value",
    );
    assert_fd(
        |p| attitude_cost(quat(p), &body, &reference, &weights),
        &p,
        &[dq.w, dq.x, dq.y, dq.z],
    );
}

#[test]
fn r4_car_step() {
    let car = Car {
        x: 1.0,
        y: -0.5,
        yaw: 0.3,
        v: 4.0,
    };
    let c = Car {
        x: 0.5,
        y: -1.0,
        yaw: 2.0,
        v: 0.25,
    };
    let (next, dcar, da, ds, ddt) = car.step_backward(1.5, 0.1, 0.1, c);
    let want = car.step(1.5, 0.1, 0.1);
    for (a, b) in [
        (next.x, want.x),
        (next.y, want.y),
        (next.yaw, want.yaw),
        (next.v, want.v),
    ] {
        assert_bits(a, b, "next state");
    }
    // A plain `#[grad]` differentiates `self` too (since the default changed):
    // the gradient is with respect to the state, the control and the step.
    assert_fd(
        |p| {
            let car = Car {
                x: p[0],
                y: p[1],
                yaw: p[2],
                v: p[3],
            };
            let n = car.step(p[4], p[5], p[6]);
            c.x * n.x + c.y * n.y + c.yaw * n.yaw + c.v * n.v
        },
        &[car.x, car.y, car.yaw, car.v, 1.5, 0.1, 0.1],
        &[dcar.x, dcar.y, dcar.yaw, dcar.v, da, ds, ddt],
    );
}

#[test]
fn r4_mpc_cost() {
    let start = Car {
        x: 0.0,
        y: 0.0,
        yaw: 0.1,
        v: 2.0,
    };
    let controls = [
        [0.5, 0.05],
        [0.3, 0.1],
        [-0.2, 0.15],
        [0.0, 0.1],
        [0.4, -0.05],
    ];
    let reference = [
        [0.2, 0.05],
        [0.45, 0.1],
        [0.7, 0.2],
        [0.95, 0.3],
        [1.2, 0.4],
    ];
    let mut dc = [[0.0; 2]; 5];
    let c = mpc_cost_backward(start, &controls, &mut dc, &reference, 1.0);
    assert_bits(c, mpc_cost(start, &controls, &reference), "value");
    assert_fd(
        |p| mpc_cost(start, &arr2::<2, 5>(p), &reference),
        &flat2(&controls),
        &flat2(&dc),
    );
}
