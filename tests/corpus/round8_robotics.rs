//! Round 8, robotics: written as a roboticist writes Rust, before reading the support
//! table (two-link inverse kinematics, a unicycle MPC cost, EKF range updates of a
//! belief, quaternion attitude error).

use autodiff::{grad, Tangent};
use std::ops::Mul;

/// End-effector position of a planar two-link arm.
#[grad]
pub fn forward_kinematics(q: [f64; 2], links: [f64; 2]) -> (f64, f64) {
    let (s1, c1) = q[0].sin_cos();
    let (s12, c12) = (q[0] + q[1]).sin_cos();
    (
        links[0] * c1 + links[1] * c12,
        links[0] * s1 + links[1] * s12,
    )
}

/// IK objective: squared reach error plus a small joint-centering term.
#[grad(wrt(q))]
pub fn ik_objective(q: [f64; 2], links: [f64; 2], target: (f64, f64), q_rest: [f64; 2]) -> f64 {
    let (x, y) = forward_kinematics(q, links);
    let (tx, ty) = target;
    let reach = (x - tx).powi(2) + (y - ty).powi(2);
    let posture: f64 = q
        .iter()
        .zip(q_rest.iter())
        .map(|(a, b)| (a - b).powi(2))
        .sum();
    reach + 1e-2 * posture
}

/// A unicycle's planar pose.
#[derive(Clone, Copy, Debug, Tangent)]
pub struct Unicycle {
    pub x: f64,
    pub y: f64,
    pub theta: f64,
}

impl Unicycle {
    /// One Euler step with speed `v` and turn rate `omega`.
    #[grad]
    pub fn step(self, v: f64, omega: f64, dt: f64) -> Self {
        Self {
            x: self.x + dt * v * self.theta.cos(),
            y: self.y + dt * v * self.theta.sin(),
            theta: self.theta + dt * omega,
        }
    }
}

/// Tracking cost of a control sequence (v, ω) against reference positions, with effort.
#[grad(wrt(controls))]
pub fn mpc_cost(
    start: Unicycle,
    controls: &[(f64, f64)],
    reference: &[(f64, f64)],
    dt: f64,
) -> f64 {
    let mut state = start;
    let mut cost = 0.0;
    for (&(v, omega), &(rx, ry)) in controls.iter().zip(reference) {
        state = state.step(v, omega, dt);
        cost += (state.x - rx).powi(2) + (state.y - ry).powi(2);
        cost += 0.1 * v * v + 0.05 * omega * omega;
    }
    cost
}

/// A Gaussian belief over a planar position.
#[derive(Clone, Copy, Debug, Tangent)]
pub struct Belief {
    pub mean: [f64; 2],
    pub cov: [[f64; 2]; 2],
}

impl Belief {
    /// EKF update with a range measurement `z` to a beacon.
    #[grad(wrt(self))]
    pub fn range_update(&self, beacon: [f64; 2], z: f64, noise: f64) -> Belief {
        let dx = self.mean[0] - beacon[0];
        let dy = self.mean[1] - beacon[1];
        let range = dx.hypot(dy);
        let h = [dx / range, dy / range];
        let ph = [
            self.cov[0][0] * h[0] + self.cov[0][1] * h[1],
            self.cov[1][0] * h[0] + self.cov[1][1] * h[1],
        ];
        let s = h[0] * ph[0] + h[1] * ph[1] + noise;
        let k = [ph[0] / s, ph[1] / s];
        let innovation = z - range;
        let mut cov = self.cov;
        for i in 0..2 {
            for j in 0..2 {
                cov[i][j] -= k[i] * ph[j];
            }
        }
        Belief {
            mean: [
                self.mean[0] + k[0] * innovation,
                self.mean[1] + k[1] * innovation,
            ],
            cov,
        }
    }
}

/// Squared error of the posterior mean plus the posterior trace, after sequential updates.
#[grad(wrt(prior))]
pub fn ekf_loss(prior: &Belief, beacons: &[[f64; 2]], ranges: &[f64], truth: [f64; 2]) -> f64 {
    let mut belief = *prior;
    for (b, &z) in beacons.iter().zip(ranges) {
        // As first written, accepted since 8430b27 (arguments without a gradient passed to
        // parameters a callee's `wrt` leaves out): rejected at 520f6f4 and at 8430b27's
        // parent 3fb5f9d with E0308 (rustc, at `#[grad(wrt(prior))]`) expected a tuple with
        // 2 elements, found one with 5 elements (the callee's `wrt(self)` leaves the others
        // out). The rewrite wrapped each argument in `no_grad(…)`.
        belief = belief.range_update(*b, z, 0.01);
    }
    let err = [belief.mean[0] - truth[0], belief.mean[1] - truth[1]];
    err[0] * err[0] + err[1] * err[1] + belief.cov[0][0] + belief.cov[1][1]
}

/// A unit quaternion (w, x, y, z).
#[derive(Clone, Copy, Debug, Tangent)]
pub struct Quat {
    pub w: f64,
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

impl Quat {
    /// Conjugate.
    #[grad]
    pub fn conj(self) -> Self {
        Quat {
            w: self.w,
            x: -self.x,
            y: -self.y,
            z: -self.z,
        }
    }

    /// Euclidean norm.
    #[grad]
    pub fn norm(self) -> f64 {
        (self.w * self.w + self.x * self.x + self.y * self.y + self.z * self.z).sqrt()
    }

    /// The unit quaternion in the same direction.
    #[grad]
    pub fn normalized(self) -> Self {
        let n = self.norm();
        Quat {
            w: self.w / n,
            x: self.x / n,
            y: self.y / n,
            z: self.z / n,
        }
    }
}

// first written: the Hamilton product as `#[grad] fn mul` of this impl, the attribute on
// the method; errors at 520f6f4: E0407 "method `mul_backward` is not a member of trait
// `Mul`" (and `__autodiff_v_mul`, `__autodiff_v_mul_backward`, E0438
// `__AUTODIFF_FIRST_MUL`). Accepted with the attribute moved to the impl block since
// 8430b27 (operators on structs through `#[grad] impl Mul for T`; at its parent 3fb5f9d
// "#[grad] applies to a `fn` item with a body"); `#[grad]` on the
// trait's method is a clear error since 8430b27 ("#[grad] goes on the operator's impl
// block, not on its method …"). The body is as first written. The rewrite kept this impl
// plain, delegating to an inherent `#[grad]` method `hamilton`.
#[grad]
impl Mul for Quat {
    type Output = Quat;
    fn mul(self, r: Quat) -> Quat {
        Quat {
            w: self.w * r.w - self.x * r.x - self.y * r.y - self.z * r.z,
            x: self.w * r.x + self.x * r.w + self.y * r.z - self.z * r.y,
            y: self.w * r.y - self.x * r.z + self.y * r.w + self.z * r.x,
            z: self.w * r.z + self.x * r.y - self.y * r.x + self.z * r.w,
        }
    }
}

/// Hamilton product `a * b`, for `attitude_error` (below).
// The rewrite's inherent `hamilton(self, r)` spelled the product out; written as `self * r`
// it fails to compile at 8e522dc (E0599: the generated code calls
// `Quat::__autodiff_v_autodiff_op_mul_quat`, the operator's copy for a right-hand side of
// another type, inside `impl Quat`), so it is a free function of the operator now (at
// 3fb5f9d "an operator on structs … is not differentiated in #[grad] bodies …" at `a * b`).
#[grad]
pub fn hamilton(a: Quat, b: Quat) -> Quat {
    a * b
}

/// Geodesic angle (rad) between an estimated attitude (not necessarily normalised)
/// and a reference.
#[grad(wrt(estimate))]
pub fn attitude_error(estimate: Quat, reference: Quat) -> f64 {
    // first written: `let q = reference.conj() * estimate.normalized();`; error at 520f6f4
    // and still at 8e522dc: "field access is only supported on tuples (`t.0`)" at each
    // `q.x`, `q.w` (the `*` of two method results is taken for a float product; also
    // with each result bound to a local first, or `let q: Quat = …`). The rewrite called
    // `reference.conj().hamilton(estimate.normalized())`.
    let q = hamilton(reference.conj(), estimate.normalized());
    let v = (q.x * q.x + q.y * q.y + q.z * q.z).sqrt();
    2.0 * v.atan2(q.w.abs())
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r8_ik_objective() {
    let links = [1.0, 0.8];
    let q = [0.4, 0.9];
    let (f, dq) = ik_objective_backward(q, links, (0.9, 1.1), [0.0, 1.0], 1.0);
    assert_bits(f, ik_objective(q, links, (0.9, 1.1), [0.0, 1.0]), "value");
    assert_fd(
        |p| ik_objective(arr(p), links, (0.9, 1.1), [0.0, 1.0]),
        &q,
        &dq,
    );
}

#[test]
fn r8_mpc_cost() {
    let start = Unicycle {
        x: 0.0,
        y: 0.0,
        theta: 0.1,
    };
    let controls: Vec<(f64, f64)> = (0..8)
        .map(|i| (1.0 + 0.05 * i as f64, 0.2 - 0.03 * i as f64))
        .collect();
    let reference: Vec<(f64, f64)> = (1..=8)
        .map(|i| (0.1 * i as f64, 0.02 * (i * i) as f64))
        .collect();
    let mut dc = vec![(0.0, 0.0); 8];
    let c = mpc_cost_backward(start, &controls, &mut dc, &reference, 0.1, 1.0);
    assert_bits(c, mpc_cost(start, &controls, &reference, 0.1), "value");
    let flat = |v: &[(f64, f64)]| -> Vec<f64> { v.iter().flat_map(|&(a, b)| [a, b]).collect() };
    assert_fd(
        |p| {
            let u: Vec<(f64, f64)> = p.chunks(2).map(|c| (c[0], c[1])).collect();
            mpc_cost(start, &u, &reference, 0.1)
        },
        &flat(&controls),
        &flat(&dc),
    );
}

fn belief_from(p: &[f64]) -> Belief {
    Belief {
        mean: arr(&p[..2]),
        cov: arr2(&p[2..6]),
    }
}

#[test]
fn r8_ekf_loss() {
    let p = [0.3, -0.2, 0.5, 0.1, 0.1, 0.4];
    let prior = belief_from(&p);
    let beacons = [[2.0, 0.0], [0.0, 3.0], [-1.5, -1.0]];
    let ranges = [1.9, 3.1, 1.6];
    let truth = [0.1, 0.0];
    let mut d = <Belief as Tangent>::zero();
    let l = ekf_loss_backward(&prior, &mut d, &beacons, &ranges, truth, 1.0);
    assert_bits(l, ekf_loss(&prior, &beacons, &ranges, truth), "value");
    assert_fd(
        |q| ekf_loss(&belief_from(q), &beacons, &ranges, truth),
        &p,
        &cat(&[&d.mean, &flat2(&d.cov)]),
    );
}

#[test]
fn r8_attitude_error() {
    let estimate = Quat {
        w: 0.9,
        x: 0.2,
        y: -0.1,
        z: 0.3,
    };
    let reference = Quat {
        w: 0.8,
        x: 0.1,
        y: 0.5,
        z: -0.2,
    }
    .normalized();
    let (a, dq) = attitude_error_backward(estimate, reference, 1.0);
    assert_bits(a, attitude_error(estimate, reference), "value");
    assert_fd(
        |p| {
            attitude_error(
                Quat {
                    w: p[0],
                    x: p[1],
                    y: p[2],
                    z: p[3],
                },
                reference,
            )
        },
        &[0.9, 0.2, -0.1, 0.3],
        &[dq.w, dq.x, dq.y, dq.z],
    );
}
