//! Round 5, robotics: written as a roboticist writes Rust, before reading the support
//! table (SE(2) pose-graph residuals over a slice of pose structs and edges as tuples,
//! forward kinematics of an n-link arm, an artificial potential field).

use autodiff::{grad, Tangent};

#[derive(Tangent, Clone, Copy, Debug, Default)]
pub struct Pose2 {
    pub x: f64,
    pub y: f64,
    pub theta: f64,
}

/// Sum of squared SE(2) relative-pose residuals of a pose graph: each edge (i, j, z)
/// says pose j seen from pose i is z = (dx, dy, dtheta).
#[grad(wrt(poses))]
pub fn pose_graph_cost(poses: &[Pose2], edges: &[(usize, usize, [f64; 3])]) -> f64 {
    let mut cost = 0.0;
    for &(i, j, z) in edges {
        let a = poses[i];
        let b = poses[j];
        let (s, c) = a.theta.sin_cos();
        let dx = b.x - a.x;
        let dy = b.y - a.y;
        // relative pose of b in a's frame
        let rx = c * dx + s * dy;
        let ry = -s * dx + c * dy;
        let mut rth = b.theta - a.theta - z[2];
        rth = rth.sin().atan2(rth.cos());
        cost += (rx - z[0]).powi(2) + (ry - z[1]).powi(2) + rth * rth;
    }
    cost
}

/// Distance from the tip of a planar n-link arm to a target.
#[grad(wrt(angles, lengths))]
pub fn tip_distance(angles: &[f64], lengths: &[f64], target: [f64; 2]) -> f64 {
    let mut x = 0.0;
    let mut y = 0.0;
    let mut phi = 0.0;
    for (q, l) in angles.iter().zip(lengths.iter()) {
        phi += q;
        x += l * phi.cos();
        y += l * phi.sin();
    }
    ((x - target[0]).powi(2) + (y - target[1]).powi(2)).sqrt()
}

/// Attractive quadratic potential to the goal plus Khatib's repulsive potential of
/// circular obstacles within an influence distance.
#[grad(wrt(p))]
pub fn potential_field(
    p: [f64; 2],
    goal: [f64; 2],
    obstacles: &[([f64; 2], f64)],
    rho0: f64,
) -> f64 {
    const K_ATT: f64 = 0.5;
    const K_REP: f64 = 0.2;
    let mut u = 0.5 * K_ATT * ((p[0] - goal[0]).powi(2) + (p[1] - goal[1]).powi(2));
    for (center, radius) in obstacles {
        let d = ((p[0] - center[0]).powi(2) + (p[1] - center[1]).powi(2)).sqrt() - radius;
        if d < rho0 {
            u += 0.5 * K_REP * (1.0 / d - 1.0 / rho0).powi(2);
        }
    }
    u
}

// ---------------------------------------------------------------- tests

use crate::common::*;

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
fn r5_pose_graph_cost() {
    let p = [0.0, 0.0, 0.1, 1.1, 0.1, 0.6, 1.6, 1.0, 1.4, 0.7, 1.5, 2.9];
    let ps = poses(&p);
    let edges = [
        (0, 1, [1.0, 0.0, 0.5]),
        (1, 2, [0.9, 0.1, 0.9]),
        (2, 3, [0.8, -0.2, 1.4]),
        (3, 0, [1.0, 0.5, 3.0]),
    ];
    let mut dps = vec![Pose2::default(); 4];
    let c = pose_graph_cost_backward(&ps, &mut dps, &edges, 1.0);
    assert_bits(c, pose_graph_cost(&ps, &edges), "value");
    let g: Vec<f64> = dps.iter().flat_map(|d| [d.x, d.y, d.theta]).collect();
    assert_fd(|q| pose_graph_cost(&poses(q), &edges), &p, &g);
}

#[test]
fn r5_tip_distance() {
    let angles = [0.4, -0.3, 0.8, 0.2];
    let lengths = [1.0, 0.8, 0.6, 0.3];
    let target = [1.2, 1.5];
    let mut dq = [0.0; 4];
    let mut dl = [0.0; 4];
    let d = tip_distance_backward(&angles, &mut dq, &lengths, &mut dl, target, 1.0);
    assert_bits(d, tip_distance(&angles, &lengths, target), "value");
    assert_fd(
        |p| tip_distance(&p[..4], &p[4..], target),
        &cat(&[&angles, &lengths]),
        &cat(&[&dq, &dl]),
    );
}

#[test]
fn r5_potential_field() {
    let goal = [5.0, 4.0];
    let obstacles = [([1.5, 1.0], 0.5), ([3.0, 3.5], 0.4), ([8.0, 0.0], 1.0)];
    for p in [[1.0, 2.0], [2.6, 2.8]] {
        let (u, dp) = potential_field_backward(p, goal, &obstacles, 1.5, 1.0);
        assert_bits(u, potential_field(p, goal, &obstacles, 1.5), "value");
        assert_fd(|q| potential_field(arr(q), goal, &obstacles, 1.5), &p, &dp);
    }
}
