//! Round 3, robotics: written as a roboticist writes Rust, before reading the
//! support table (a target tuple, controls as tuples, a struct state copied
//! and updated, a PID loop).

use autodiff::{grad, Tangent};

/// Forward kinematics of a planar arm: end-effector distance to a target.
#[grad(wrt(angles))]
pub fn reach_error(angles: &[f64], lengths: &[f64], target: (f64, f64)) -> f64 {
    let mut x = 0.0;
    let mut y = 0.0;
    let mut theta = 0.0;
    for (a, l) in angles.iter().zip(lengths) {
        theta += a;
        x += l * theta.cos();
        y += l * theta.sin();
    }
    (x - target.0).powi(2) + (y - target.1).powi(2)
}

#[derive(Tangent, Clone, Copy, Debug, Default)]
pub struct State {
    pub x: f64,
    pub y: f64,
    pub heading: f64,
}

/// Unicycle model rolled out over controls; final distance to origin.
#[grad]
pub fn rollout(s0: State, controls: &[(f64, f64)], dt: f64) -> f64 {
    let mut s = s0;
    for &(v, w) in controls {
        s.x += v * s.heading.cos() * dt;
        s.y += v * s.heading.sin() * dt;
        s.heading += w * dt;
    }
    (s.x * s.x + s.y * s.y).sqrt()
}

/// Smoothness cost of waypoints (second differences) plus an obstacle penalty.
#[grad(wrt(waypoints))]
pub fn path_cost(waypoints: &[[f64; 2]], obstacle: [f64; 2], radius: f64) -> f64 {
    let mut cost = 0.0;
    for i in 1..waypoints.len() - 1 {
        for d in 0..2 {
            let acc = waypoints[i + 1][d] - 2.0 * waypoints[i][d] + waypoints[i - 1][d];
            cost += acc * acc;
        }
    }
    for p in waypoints {
        let dist = ((p[0] - obstacle[0]).powi(2) + (p[1] - obstacle[1]).powi(2)).sqrt();
        if dist < radius {
            cost += (radius - dist).powi(2);
        }
    }
    cost
}

/// PID controller simulation: integrated squared tracking error.
#[grad(wrt(kp, ki, kd))]
pub fn pid_cost(kp: f64, ki: f64, kd: f64, setpoint: f64, steps: usize) -> f64 {
    let dt = 0.05;
    let mut pos = 0.0;
    let mut vel = 0.0;
    let mut integral = 0.0;
    let mut prev_err = setpoint;
    let mut cost = 0.0;
    for _ in 0..steps {
        let err = setpoint - pos;
        integral += err * dt;
        let deriv = (err - prev_err) / dt;
        let u = kp * err + ki * integral + kd * deriv;
        vel += u * dt;
        pos += vel * dt;
        prev_err = err;
        cost += err * err * dt;
    }
    cost
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r3_reach_error() {
    let angles = [0.3, -0.5, 0.8];
    let lengths = [1.0, 0.7, 0.4];
    let mut da = [0.0; 3];
    let e = reach_error_backward(&angles, &mut da, &lengths, (1.2, 0.6), 1.0);
    assert_bits(e, reach_error(&angles, &lengths, (1.2, 0.6)), "value");
    assert_fd(|p| reach_error(p, &lengths, (1.2, 0.6)), &angles, &da);
}

#[test]
fn r3_rollout() {
    let s0 = State {
        x: 0.5,
        y: -0.25,
        heading: 0.3,
    };
    let controls = [(1.0, 0.2), (0.8, -0.5), (1.2, 0.1)];
    let mut dc = [(0.0, 0.0); 3];
    let (d, ds, ddt) = rollout_backward(s0, &controls, &mut dc, 0.1, 1.0);
    assert_bits(d, rollout(s0, &controls, 0.1), "value");
    let mut g = vec![ds.x, ds.y, ds.heading];
    g.extend(dc.iter().flat_map(|&(a, b)| [a, b]));
    g.push(ddt);
    let mut point = vec![0.5, -0.25, 0.3];
    point.extend(controls.iter().flat_map(|&(a, b)| [a, b]));
    point.push(0.1);
    assert_fd(
        |q| {
            let s = State {
                x: q[0],
                y: q[1],
                heading: q[2],
            };
            let c: Vec<(f64, f64)> = q[3..9].chunks(2).map(|c| (c[0], c[1])).collect();
            rollout(s, &c, q[9])
        },
        &point,
        &g,
    );
}

#[test]
fn r3_path_cost() {
    let wp = [[0.0, 0.0], [0.9, 0.3], [2.1, 0.2], [3.0, 1.1]];
    let mut dwp = [[0.0; 2]; 4];
    let c = path_cost_backward(&wp, &mut dwp, [1.0, 0.5], 0.8, 1.0);
    assert_bits(c, path_cost(&wp, [1.0, 0.5], 0.8), "value");
    assert_fd(
        |p| {
            let w: Vec<[f64; 2]> = p.chunks(2).map(|c| [c[0], c[1]]).collect();
            path_cost(&w, [1.0, 0.5], 0.8)
        },
        &flat2(&wp),
        &flat2(&dwp),
    );
}

#[test]
fn r3_pid_cost() {
    let (c, dkp, dki, dkd) = pid_cost_backward(2.0, 0.5, 0.1, 1.0, 40, 1.0);
    assert_bits(c, pid_cost(2.0, 0.5, 0.1, 1.0, 40), "value");
    assert_fd(
        |p| pid_cost(p[0], p[1], p[2], 1.0, 40),
        &[2.0, 0.5, 0.1],
        &[dkp, dki, dkd],
    );
}
