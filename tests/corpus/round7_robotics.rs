//! Round 7, robotics: written as a roboticist writes Rust, before reading the support
//! table (SE(2) poses as a struct with `self` and `&self` methods composed by dead
//! reckoning, joint-limit penalties matched with guards, a PD-controlled link whose state
//! steps itself, scan matching against a wall with a robust kernel).

use autodiff::{grad, Tangent};

/// A planar pose.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct Pose2 {
    /// x coordinate.
    pub x: f64,
    /// y coordinate.
    pub y: f64,
    /// Heading, radians.
    pub theta: f64,
}

impl Pose2 {
    /// This pose followed by `delta`, given in this pose's frame.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default): with `self` as data, `landmark_error`'s calls failed (at
    // d4b6ca5 behind the errors there, see it; at 5e8c305's parent 9d384e5 E0308 "expected
    // a tuple with 2 elements, found one with 3 elements" in the generated code, for this
    // and `transform`). The rewrite had `#[grad(wrt(self, delta))]`.
    #[grad]
    pub fn compose(self, delta: Pose2) -> Pose2 {
        let (s, c) = self.theta.sin_cos();
        Pose2 {
            x: self.x + c * delta.x - s * delta.y,
            y: self.y + s * delta.x + c * delta.y,
            theta: self.theta + delta.theta,
        }
    }

    /// A point given in this pose's frame, in the world frame.
    // As first written (`#[grad]`), accepted since 5e8c305, as `compose` (see there). The
    // rewrite had `#[grad(wrt(self, p))]`.
    #[grad]
    pub fn transform(&self, p: [f64; 2]) -> [f64; 2] {
        let (s, c) = self.theta.sin_cos();
        [self.x + c * p[0] - s * p[1], self.y + s * p[0] + c * p[1]]
    }

    /// The origin, facing along x.
    pub fn identity() -> Pose2 {
        Pose2 {
            x: 0.0,
            y: 0.0,
            theta: 0.0,
        }
    }
}

/// Dead reckoning: odometry increments composed from the origin; returns the squared
/// distance between where a landmark seen from the final pose lands and where the map
/// puts it.
#[grad(wrt(increments))]
pub fn landmark_error(increments: &[Pose2], seen: [f64; 2], mapped: [f64; 2]) -> f64 {
    // As first written, accepted since 5e8c305 (with `compose`'s and `transform`'s plain
    // `#[grad]`). Rejected at d4b6ca5: "unsupported method `compose` in #[grad] fn; the
    // supported float methods are …" and the same for `transform` (the struct from the
    // plain `Pose2::identity()`, used in a loop; accepted since 89071f7), and, with a
    // literal, "a value carried by this loop changes type in its body" (accepted since
    // 70ca09f); at 5e8c305's parent 9d384e5 only the methods' self-as-data errors remained.
    // The rewrite started from a literal and copied `compose`'s result field by field.
    let mut pose = Pose2::identity();
    for inc in increments {
        pose = pose.compose(*inc);
    }
    let w = pose.transform(seen);
    (w[0] - mapped[0]).powi(2) + (w[1] - mapped[1]).powi(2)
}

/// Cost of a joint-space trajectory (one row of joint angles per time step): squared
/// joint velocities plus a quadratic penalty within `margin` of each joint's limits.
#[grad(wrt(traj))]
pub fn joint_limit_cost(traj: &[Vec<f64>], limits: &[(f64, f64)], margin: f64, weight: f64) -> f64 {
    let mut cost = 0.0;
    for t in 0..traj.len() {
        for (j, &(lo, hi)) in limits.iter().enumerate() {
            let q = traj[t][j];
            let penalty = match q {
                q if q < lo + margin => (lo + margin - q).powi(2),
                q if q > hi - margin => (q - hi + margin).powi(2),
                _ => 0.0,
            };
            cost += weight * penalty;
            if t > 0 {
                let dq = q - traj[t - 1][j];
                cost += dq * dq;
            }
        }
    }
    cost
}

/// Angle and angular velocity of a single link.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct Joint {
    /// Angle from the hanging position, radians.
    pub q: f64,
    /// Angular velocity.
    pub qd: f64,
}

impl Joint {
    /// A semi-implicit Euler step of the link under `torque`.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default): rejected at d4b6ca5 and at 5e8c305's parent 9d384e5 with
    // E0080 "`Joint::step` does not differentiate its first parameter …" and a stray
    // E0061/E0308 at the caller. The rewrite had `#[grad(wrt(self, torque, inertia,
    // gravity, dt))]`.
    #[grad]
    pub fn step(self, torque: f64, inertia: f64, gravity: f64, dt: f64) -> Joint {
        let qdd = (torque - gravity * self.q.sin()) / inertia;
        let qd = self.qd + dt * qdd;
        Joint {
            q: self.q + dt * qd,
            qd,
        }
    }
}

/// Tracking cost of a PD controller with torque saturation swinging a link from rest to
/// `setpoint`: integrated squared error plus a small torque penalty.
#[grad(wrt(kp, kd))]
pub fn pd_tracking_cost(kp: f64, kd: f64, setpoint: f64, max_torque: f64, steps: usize) -> f64 {
    let mut joint = Joint { q: 0.0, qd: 0.0 };
    let dt = 0.01;
    let mut cost = 0.0;
    for _ in 0..steps {
        let u = (kp * (setpoint - joint.q) - kd * joint.qd).clamp(-max_torque, max_torque);
        // As first written, accepted since 5e8c305 (with `step`'s plain `#[grad]`): at
        // d4b6ca5 "a value carried by this loop changes type in its body" (accepted since
        // 70ca09f), and `step`'s E0080 until 5e8c305. The rewrite copied the next state
        // field by field.
        joint = joint.step(u, 0.5, 4.9, dt);
        cost += dt * ((joint.q - setpoint).powi(2) + 1e-3 * u * u);
    }
    cost
}

/// Scan matching against a known wall (the line n·p = offset, n at `normal_angle`):
/// laser returns (range, bearing) placed in the world by the pose (x, y, θ), their
/// distances to the wall summed under a Cauchy kernel of scale `c`.
#[grad(wrt(pose))]
pub fn scan_to_wall(
    pose: [f64; 3],
    scan: &[(f64, f64)],
    normal_angle: f64,
    offset: f64,
    c: f64,
) -> f64 {
    let [x, y, theta] = pose;
    let (nx, ny) = (normal_angle.cos(), normal_angle.sin());
    scan.iter()
        .map(|&(range, bearing)| {
            let a = theta + bearing;
            let px = x + range * a.cos();
            let py = y + range * a.sin();
            let r = nx * px + ny * py - offset;
            c * c * (1.0 + (r / c).powi(2)).ln()
        })
        .sum()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

/// Poses from (x, y, θ) triples.
fn poses(p: &[f64]) -> Vec<Pose2> {
    p.chunks(3)
        .map(|c| Pose2 {
            x: c[0],
            y: c[1],
            theta: c[2],
        })
        .collect()
}

#[test]
fn r7_landmark_error() {
    let flat = [1.0, 0.0, 0.1, 0.8, 0.1, -0.2, 1.2, -0.1, 0.3];
    let incs = poses(&flat);
    let mut dincs = poses(&[0.0; 9]);
    let v = landmark_error_backward(&incs, &mut dincs, [2.0, 0.5], [4.5, 1.5], 1.0);
    assert_bits(v, landmark_error(&incs, [2.0, 0.5], [4.5, 1.5]), "value");
    let g: Vec<f64> = dincs.iter().flat_map(|d| [d.x, d.y, d.theta]).collect();
    assert_fd(
        |p| landmark_error(&poses(p), [2.0, 0.5], [4.5, 1.5]),
        &flat,
        &g,
    );
}

#[test]
fn r7_joint_limit_cost() {
    // Joint 0 enters its upper margin, joint 1 starts in its lower and ends in its upper.
    let q0 = [0.0, 0.5, 0.9, 0.95, 0.7];
    let q1 = [0.1, 0.3, 0.5, 1.0, 1.9];
    let traj: Vec<Vec<f64>> = (0..5).map(|t| vec![q0[t], q1[t]]).collect();
    let limits = [(-1.0, 1.0), (0.0, 2.0)];
    let mut dtraj = vec![vec![0.0; 2]; 5];
    let v = joint_limit_cost_backward(&traj, &mut dtraj, &limits, 0.2, 50.0, 1.0);
    assert_bits(v, joint_limit_cost(&traj, &limits, 0.2, 50.0), "value");
    assert_fd(
        |p| {
            let t: Vec<Vec<f64>> = p.chunks(2).map(|c| c.to_vec()).collect();
            joint_limit_cost(&t, &limits, 0.2, 50.0)
        },
        &traj.concat(),
        &dtraj.concat(),
    );
}

#[test]
fn r7_pd_tracking_cost() {
    // Saturated at the start, and never saturated.
    for max_torque in [8.0, 100.0] {
        let (v, dkp, dkd) = pd_tracking_cost_backward(20.0, 3.0, 1.0, max_torque, 300, 1.0);
        assert_bits(
            v,
            pd_tracking_cost(20.0, 3.0, 1.0, max_torque, 300),
            "value",
        );
        assert_fd(
            |p| pd_tracking_cost(p[0], p[1], 1.0, max_torque, 300),
            &[20.0, 3.0],
            &[dkp, dkd],
        );
    }
}

#[test]
fn r7_scan_to_wall() {
    let scan: Vec<(f64, f64)> = [-0.6f64, -0.3, 0.0, 0.3, 0.6]
        .iter()
        .enumerate()
        .map(|(k, &b)| (3.0 / b.cos() + 0.05 * (k as f64 - 2.0), b))
        .collect();
    let pose = [0.2, -0.1, 0.05];
    let (v, dpose) = scan_to_wall_backward(pose, &scan, 0.0, 3.0, 0.5, 1.0);
    assert_bits(v, scan_to_wall(pose, &scan, 0.0, 3.0, 0.5), "value");
    assert_fd(
        |p| scan_to_wall(arr(p), &scan, 0.0, 3.0, 0.5),
        &pose,
        &dpose,
    );
}
