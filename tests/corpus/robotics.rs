//! Robotics, written as a roboticist writes it.
use autodiff::grad;

/// Forward kinematics of a planar 2-link arm.
#[grad]
pub fn fk2(q: [f64; 2], l: [f64; 2]) -> [f64; 2] {
    let x = l[0] * q[0].cos() + l[1] * (q[0] + q[1]).cos();
    let y = l[0] * q[0].sin() + l[1] * (q[0] + q[1]).sin();
    [x, y]
}

/// Forward kinematics of a planar 3-link arm: end-effector (x, y, heading).
#[grad(wrt(q))]
pub fn fk3(q: &[f64; 3], l: &[f64; 3]) -> (f64, f64, f64) {
    let mut x = 0.0;
    let mut y = 0.0;
    let mut phi = 0.0;
    for i in 0..3 {
        phi += q[i];
        x += l[i] * phi.cos();
        y += l[i] * phi.sin();
    }
    (x, y, phi)
}

/// Squared distance of the 3-link end effector to a target, plus a posture term.
#[grad(wrt(q))]
pub fn reach_cost(q: [f64; 3], target: [f64; 2]) -> f64 {
    let links = [1.0, 0.8, 0.5];
    // `&autodiff::no_grad(links)` into the `wrt(q)` callee: rejected on the first attempt at
    // cce7e0b (rustc E0061 at the callee's `#[grad(wrt(q))]`); accepted as first written
    // since da3bfb5.
    let (x, y, _phi) = fk3(&q, &autodiff::no_grad(links));
    let ex = x - target[0];
    let ey = y - target[1];
    ex * ex + ey * ey + 1e-3 * q.iter().map(|a| a * a).sum::<f64>()
}

/// Wraps an angle into (-π, π].
#[grad]
pub fn wrap_angle(a: f64) -> f64 {
    a.sin().atan2(a.cos())
}

/// SE(2) pose error: position and heading, heading wrapped.
#[grad]
pub fn pose_error(pose: [f64; 3], target: [f64; 3], w_heading: f64) -> f64 {
    let dx = pose[0] - target[0];
    let dy = pose[1] - target[1];
    let dth = wrap_angle(pose[2] - target[2]);
    dx * dx + dy * dy + w_heading * dth * dth
}

/// A unicycle driven by (v, ω) controls; squared distance to the goal at the end.
#[grad(wrt(controls))]
pub fn unicycle_rollout(controls: &[[f64; 2]], x0: [f64; 3], goal: [f64; 2], dt: f64) -> f64 {
    let [mut x, mut y, mut th] = x0;
    for u in controls {
        x += u[0] * th.cos() * dt;
        y += u[0] * th.sin() * dt;
        th += u[1] * dt;
    }
    (x - goal[0]).powi(2) + (y - goal[1]).powi(2)
}

/// A PID controller on a first-order plant; integral of squared error over the run.
#[grad]
pub fn pid_cost(kp: f64, ki: f64, kd: f64) -> f64 {
    let setpoint = 1.0;
    let dt = 0.01;
    let tau = 0.5;
    let mut y = 0.0;
    let mut integral = 0.0;
    let mut prev_err = setpoint - y;
    let mut cost = 0.0;
    for _ in 0..300 {
        let err = setpoint - y;
        integral += err * dt;
        let deriv = (err - prev_err) / dt;
        let u = kp * err + ki * integral + kd * deriv;
        y += (u - y) / tau * dt;
        prev_err = err;
        cost += err * err * dt;
    }
    cost
}

/// Rotates a vector by a (not necessarily unit) quaternion (w, x, y, z).
#[grad]
pub fn quat_rotate(q: [f64; 4], v: [f64; 3]) -> [f64; 3] {
    let n = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).sqrt();
    let (w, x, y, z) = (q[0] / n, q[1] / n, q[2] / n, q[3] / n);
    // t = 2 * cross(q.xyz, v)
    let tx = 2.0 * (y * v[2] - z * v[1]);
    let ty = 2.0 * (z * v[0] - x * v[2]);
    let tz = 2.0 * (x * v[1] - y * v[0]);
    [
        v[0] + w * tx + (y * tz - z * ty),
        v[1] + w * ty + (z * tx - x * tz),
        v[2] + w * tz + (x * ty - y * tx),
    ]
}

/// Differential-drive odometry from wheel speeds; final heading and position norm.
// First attempt rejected at cce7e0b and still at b0bed85 (a slice of tuples as a
// parameter); accepted as first written since 604caf3 (its shadow `&mut [(f64, f64)]`).
#[grad(wrt(wheel_speeds))]
pub fn diff_drive_odometry(wheel_speeds: &[(f64, f64)], radius: f64, base: f64) -> f64 {
    let mut pose = [0.0f64; 3];
    for &(wl, wr) in wheel_speeds {
        let v = radius * (wl + wr) / 2.0;
        let w = radius * (wr - wl) / base;
        pose[0] += v * pose[2].cos() * 0.1;
        pose[1] += v * pose[2].sin() * 0.1;
        pose[2] += w * 0.1;
    }
    pose[0].hypot(pose[1]) + pose[2]
}

/// Attractive-repulsive potential field for a point robot.
#[grad(wrt(p))]
pub fn potential_field(p: [f64; 2], goal: [f64; 2], obstacles: &[[f64; 2]; 3]) -> f64 {
    const ETA: f64 = 0.5;
    const D0: f64 = 1.5;
    let mut u = 0.5 * ((p[0] - goal[0]).powi(2) + (p[1] - goal[1]).powi(2));
    for obs in obstacles.iter() {
        let d = ((p[0] - obs[0]).powi(2) + (p[1] - obs[1]).powi(2)).sqrt();
        if d < D0 {
            u += 0.5 * ETA * (1.0 / d - 1.0 / D0).powi(2);
        }
    }
    u
}

/// Smoothness of a 2-D trajectory: sum of squared accelerations.
#[grad]
pub fn trajectory_smoothness(waypoints: &[[f64; 2]]) -> f64 {
    let mut cost = 0.0;
    // `windows`: rejected on the first attempt at cce7e0b; accepted as first written since
    // b9a6263.
    for w in waypoints.windows(3) {
        for d in 0..2 {
            let acc = w[0][d] - 2.0 * w[1][d] + w[2][d];
            cost += acc * acc;
        }
    }
    cost
}

/// Inverse dynamics of a single link: torque, squared and summed along a trajectory.
#[grad(wrt(params))]
pub fn link_torque_cost(params: [f64; 3], q: &[f64], qd: &[f64], qdd: &[f64]) -> f64 {
    let [inertia, mgl, friction] = params;
    let mut total = 0.0;
    for i in 0..q.len() {
        let tau = inertia * qdd[i] + mgl * q[i].cos() + friction * qd[i];
        total += tau * tau;
    }
    total
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn two_link_arm() {
    let (q, l) = ([0.4, 0.9], [1.0, 0.7]);
    let d_out = [0.6, -1.1];
    let (y, dq, dl) = fk2_backward(q, l, d_out);
    let want = fk2(q, l);
    assert_bits(y[0], want[0], "x");
    assert_bits(y[1], want[1], "y");
    assert_fd(
        |p| dot(&fk2(arr(p), arr(&p[2..])), &d_out),
        &cat(&[&q, &l]),
        &cat(&[&dq, &dl]),
    );
}

#[test]
fn three_link_arm() {
    let (q, l) = ([0.4, 0.9, -0.5], [1.0, 0.8, 0.5]);
    let d_out = (0.6, -1.1, 0.3);
    let mut dq = [0.0; 3];
    let (x, y, phi) = fk3_backward(&q, &mut dq, &l, d_out);
    let want = fk3(&q, &l);
    assert_bits(x, want.0, "x");
    assert_bits(y, want.1, "y");
    assert_bits(phi, want.2, "phi");
    assert_fd(
        |p| {
            let (x, y, phi) = fk3(&arr(p), &l);
            d_out.0 * x + d_out.1 * y + d_out.2 * phi
        },
        &q,
        &dq,
    );
    let target = [1.2, 1.0];
    let (y, dq) = reach_cost_backward(q, target, 1.0);
    assert_bits(y, reach_cost(q, target), "value");
    assert_fd(|p| reach_cost(arr(p), target), &q, &dq);
}

#[test]
fn se2_pose_error() {
    // Headings whose difference wraps around ±π.
    let pose = [1.0, 2.0, 3.0];
    let target = [0.5, 2.5, -3.0];
    let (y, dp, dt, dw) = pose_error_backward(pose, target, 0.5, 1.0);
    assert_bits(y, pose_error(pose, target, 0.5), "value");
    assert_fd(
        |p| pose_error(arr(p), arr(&p[3..]), p[6]),
        &cat(&[&pose, &target, &[0.5]]),
        &cat(&[&dp, &dt, &[dw]]),
    );
    let (y, da) = wrap_angle_backward(7.0, 1.0);
    assert_bits(y, wrap_angle(7.0), "value");
    assert_fd(|p| wrap_angle(p[0]), &[7.0], &[da]);
}

#[test]
fn unicycle() {
    let controls = [[1.0, 0.2], [1.2, -0.1], [0.8, 0.4], [1.1, 0.0], [0.9, -0.3]];
    let x0 = [0.0, 0.0, 0.1];
    let goal = [2.0, 0.8];
    let mut du = [[0.0; 2]; 5];
    let y = unicycle_rollout_backward(&controls, &mut du, x0, goal, 0.5, 1.0);
    assert_bits(y, unicycle_rollout(&controls, x0, goal, 0.5), "value");
    assert_fd(
        |p| unicycle_rollout(&arr2::<2, 5>(p), x0, goal, 0.5),
        &flat2(&controls),
        &flat2(&du),
    );
}

#[test]
fn pid_tuning_cost() {
    let x = [2.0, 1.0, 0.05];
    let (y, a, b, c) = pid_cost_backward(x[0], x[1], x[2], 1.0);
    assert_bits(y, pid_cost(x[0], x[1], x[2]), "value");
    assert_fd(|p| pid_cost(p[0], p[1], p[2]), &x, &[a, b, c]);
}

#[test]
fn quaternion_rotation() {
    let q = [0.9, 0.1, -0.3, 0.2];
    let v = [1.0, -0.5, 0.7];
    let d_out = [0.3, 1.0, -0.6];
    let (y, dq, dv) = quat_rotate_backward(q, v, d_out);
    let want = quat_rotate(q, v);
    for i in 0..3 {
        assert_bits(y[i], want[i], "value");
    }
    assert_fd(
        |p| dot(&quat_rotate(arr(p), arr(&p[4..])), &d_out),
        &cat(&[&q, &v]),
        &cat(&[&dq, &dv]),
    );
}

#[test]
fn differential_drive() {
    let speeds = [(1.0, 1.2), (0.8, 1.1), (1.3, 0.9), (1.0, 1.0)];
    let mut ds = [(0.0, 0.0); 4];
    let y = diff_drive_odometry_backward(&speeds, &mut ds, 0.1, 0.5, 1.0);
    assert_bits(y, diff_drive_odometry(&speeds, 0.1, 0.5), "value");
    let pairs = |p: &[f64]| -> Vec<(f64, f64)> { p.chunks(2).map(|c| (c[0], c[1])).collect() };
    let flat = |t: &[(f64, f64)]| -> Vec<f64> { t.iter().flat_map(|&(a, b)| [a, b]).collect() };
    assert_fd(
        |p| diff_drive_odometry(&pairs(p), 0.1, 0.5),
        &flat(&speeds),
        &flat(&ds),
    );
}

#[test]
fn potential_field_planner() {
    let goal = [3.0, 3.0];
    let obstacles = [[1.0, 1.2], [2.5, 1.0], [0.0, 3.0]];
    let p = [1.2, 0.4];
    let (y, dp) = potential_field_backward(p, goal, &obstacles, 1.0);
    assert_bits(y, potential_field(p, goal, &obstacles), "value");
    assert_fd(|x| potential_field(arr(x), goal, &obstacles), &p, &dp);
}

#[test]
fn smooth_trajectory() {
    let w = [[0.0, 0.0], [1.0, 0.3], [2.1, 0.5], [2.9, 1.2], [4.0, 1.1]];
    let mut dw = [[0.0; 2]; 5];
    let y = trajectory_smoothness_backward(&w, &mut dw, 1.0);
    assert_bits(y, trajectory_smoothness(&w), "value");
    assert_fd(
        |p| trajectory_smoothness(&arr2::<2, 5>(p)),
        &flat2(&w),
        &flat2(&dw),
    );
}

#[test]
fn single_link_dynamics() {
    let q = [0.1, 0.3, 0.6, 0.8];
    let qd = [1.0, 1.5, 1.2, 0.4];
    let qdd = [2.0, 0.5, -1.0, -2.2];
    let params = [0.8, 4.9, 0.1];
    let (y, dp) = link_torque_cost_backward(params, &q, &qd, &qdd, 1.0);
    assert_bits(y, link_torque_cost(params, &q, &qd, &qdd), "value");
    assert_fd(|p| link_torque_cost(arr(p), &q, &qd, &qdd), &params, &dp);
}
