//! Round 6, robotics: written as a roboticist writes Rust, before reading the support
//! table (forward kinematics through a `const` Denavit-Hartenberg table of structs, a
//! complementary filter, a scalar Kalman filter whose step returns a tuple, a
//! saturated state-feedback controller on a double integrator).
#![allow(clippy::ptr_arg)]

use autodiff::grad;
use std::f64::consts::PI;

/// One row of a Denavit-Hartenberg table: link length `a`, twist `alpha`, offset `d`.
#[derive(Clone, Copy, Debug)]
pub struct DhRow {
    pub a: f64,
    pub alpha: f64,
    pub d: f64,
}

/// The DH table of a 3-joint arm (shoulder, elbow, twisted wrist).
pub const ARM: [DhRow; 3] = [
    DhRow {
        a: 0.4,
        alpha: 0.0,
        d: 0.1,
    },
    DhRow {
        a: 0.3,
        alpha: std::f64::consts::FRAC_PI_2,
        d: 0.0,
    },
    DhRow {
        a: 0.15,
        alpha: 0.0,
        d: 0.05,
    },
];

/// Product of two homogeneous transforms.
#[grad]
pub fn mat4_mul(a: [[f64; 4]; 4], b: [[f64; 4]; 4]) -> [[f64; 4]; 4] {
    let mut c = [[0.0; 4]; 4];
    for i in 0..4 {
        for j in 0..4 {
            for k in 0..4 {
                c[i][j] += a[i][k] * b[k][j];
            }
        }
    }
    c
}

/// Homogeneous transform of one DH link (length `a`, twist `alpha`, offset `d`) at
/// joint angle `theta`.
// first written (rejected at 7cb23e9 where `dh_reach_error` calls it: E0308 "expected
// `f64`, found `DhRow`", "expected `&DhRow`, found `f64`" and "expected a tuple with 2
// elements, found one with 3 elements" in the generated code; a caller assumes every
// parameter of the callee is differentiated). Still rejected at d4b6ca5 with the same three
// E0308, also with `autodiff::no_grad(row)` at the call; at 5e8c305 the same three, two of
// them with `no_grad(row)`. Still at 8e522dc: 8430b27 made constants and data passed to
// parameters a callee's `wrt` leaves out work, but this argument, an element of a `const`
// table of plain structs (also of a `&[DhRow]` parameter, or `&ARM[i]`), gives the same
// three E0308 in the generated code, with or without `no_grad(row)`:
//     #[grad(wrt(theta))]
//     pub fn dh_transform(row: &DhRow, theta: f64) -> [[f64; 4]; 4] {
//         let (st, ct) = theta.sin_cos();
//         let (sa, ca) = row.alpha.sin_cos();
//         [
//             [ct, -st * ca, st * sa, row.a * ct],
//             [st, ct * ca, -ct * sa, row.a * st],
//             [0.0, sa, ca, row.d],
//             [0.0, 0.0, 0.0, 1.0],
//         ]
//     }
#[grad]
pub fn dh_transform(a: f64, alpha: f64, d: f64, theta: f64) -> [[f64; 4]; 4] {
    let (st, ct) = theta.sin_cos();
    let (sa, ca) = alpha.sin_cos();
    [
        [ct, -st * ca, st * sa, a * ct],
        [st, ct * ca, -ct * sa, a * st],
        [0.0, sa, ca, d],
        [0.0, 0.0, 0.0, 1.0],
    ]
}

/// Squared distance from the end effector of the arm `ARM` at joint angles `q`
/// (forward kinematics, base to tip) to a target point.
#[grad(wrt(q))]
pub fn dh_reach_error(q: &[f64], target: [f64; 3]) -> f64 {
    let mut t = [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ];
    // first written: `t = mat4_mul(t, dh_transform(row, theta));` in this loop (see
    // `dh_transform`: still rejected at 8e522dc). The loop is back as first written since
    // bc509c9, with the fields passed: `row.a` on an element of the `const` table of
    // structs was rejected at 7cb23e9 and at bc509c9's parent d2fe7e6 ("field access is
    // only supported on tuples (`t.0`) in #[grad] bodies"). The rewrite indexed
    // `let row = ARM_ROWS[i];` (a `const` table of rows `[a, alpha, d]`, removed with it)
    // in an index loop.
    for (row, &theta) in ARM.iter().zip(q) {
        t = mat4_mul(t, dh_transform(row.a, row.alpha, row.d, theta));
    }
    (0..3).map(|i| (t[i][3] - target[i]).powi(2)).sum()
}

/// Mean squared error of a complementary filter fusing a gyro rate with an
/// accelerometer tilt, `θ ← α (θ + ω dt) + (1 - α) θ_acc`, against the true angles.
#[grad(wrt(alpha))]
pub fn complementary_filter_mse(
    alpha: f64,
    gyro: &[f64],
    acc_angle: &[f64],
    truth: &[f64],
    dt: f64,
) -> f64 {
    let mut theta = acc_angle[0];
    let mut se = 0.0;
    for ((&w, &a), &t) in gyro.iter().zip(acc_angle).zip(truth) {
        theta = alpha * (theta + w * dt) + (1.0 - alpha) * a;
        se += (theta - t).powi(2);
    }
    se / truth.len() as f64
}

/// One predict-update step of a scalar random-walk Kalman filter: the new mean and
/// variance, and the step's negative log-likelihood term.
#[grad]
pub fn kf_step(x: f64, p: f64, z: f64, q: f64, r: f64) -> (f64, f64, f64) {
    let p_pred = p + q;
    let s = p_pred + r;
    let innov = z - x;
    let k = p_pred / s;
    let nll = 0.5 * ((2.0 * PI * s).ln() + innov * innov / s);
    (x + k * innov, (1.0 - k) * p_pred, nll)
}

/// Negative log-likelihood of a random walk observed in noise, by the prediction
/// error decomposition of a scalar Kalman filter with process variance `q` and
/// measurement variance `r`.
#[grad(wrt(q, r))]
pub fn kalman_nll(zs: &[f64], q: f64, r: f64) -> f64 {
    let (mut x, mut p) = (zs[0], r);
    let mut total = 0.0;
    for &z in &zs[1..] {
        let (x_new, p_new, nll) = kf_step(x, p, z, q, r);
        x = x_new;
        p = p_new;
        total += nll;
    }
    total
}

/// Quadratic cost of a double integrator (position, velocity) driven by the state
/// feedback `u = -k·x`, saturated at `±u_max`, over `steps` Euler steps.
#[grad(wrt(k))]
pub fn saturated_feedback_cost(
    k: [f64; 2],
    x0: [f64; 2],
    u_max: f64,
    dt: f64,
    steps: usize,
) -> f64 {
    let [mut pos, mut vel] = x0;
    let mut cost = 0.0;
    for _ in 0..steps {
        let u = (-(k[0] * pos + k[1] * vel)).clamp(-u_max, u_max);
        cost += (pos * pos + 0.1 * vel * vel + 0.01 * u * u) * dt;
        pos += vel * dt;
        vel += u * dt;
    }
    cost
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r6_dh_reach_error() {
    let q = [0.3, -0.8, 1.1];
    let target = [0.5, 0.2, 0.3];
    let mut dq = [0.0; 3];
    let e = dh_reach_error_backward(&q, &mut dq, target, 1.0);
    assert_bits(e, dh_reach_error(&q, target), "value");
    assert_fd(|p| dh_reach_error(p, target), &q, &dq);
}

#[test]
fn r6_complementary_filter_mse() {
    let truth: Vec<f64> = (0..40).map(|i| (i as f64 * 0.1).sin() * 0.5).collect();
    let gyro: Vec<f64> = (0..40)
        .map(|i| (i as f64 * 0.1).cos() * 0.5 + 0.3) // rate with a bias
        .collect();
    let acc: Vec<f64> = truth
        .iter()
        .enumerate()
        .map(|(i, t)| t + 0.1 * (i as f64 * 2.3).sin()) // noisy tilt
        .collect();
    for alpha in [0.9, 0.98] {
        let (e, da) = complementary_filter_mse_backward(alpha, &gyro, &acc, &truth, 0.1, 1.0);
        assert_bits(
            e,
            complementary_filter_mse(alpha, &gyro, &acc, &truth, 0.1),
            "value",
        );
        assert_fd(
            |p| complementary_filter_mse(p[0], &gyro, &acc, &truth, 0.1),
            &[alpha],
            &[da],
        );
    }
}

#[test]
fn r6_kalman_nll() {
    let zs = [0.1, 0.5, 0.3, 0.9, 1.4, 1.1, 1.6, 2.2, 1.9];
    let (q, r) = (0.2, 0.1);
    let (l, dq, dr) = kalman_nll_backward(&zs, q, r, 1.0);
    assert_bits(l, kalman_nll(&zs, q, r), "value");
    assert_fd(|p| kalman_nll(&zs, p[0], p[1]), &[q, r], &[dq, dr]);
}

#[test]
fn r6_saturated_feedback_cost() {
    // Gains large enough that the actuator saturates in the first steps, then not.
    let k = [4.0, 2.5];
    let x0 = [1.0, 0.0];
    let (c, dk) = saturated_feedback_cost_backward(k, x0, 1.5, 0.05, 100, 1.0);
    assert_bits(c, saturated_feedback_cost(k, x0, 1.5, 0.05, 100), "value");
    assert_fd(
        |p| saturated_feedback_cost(arr(p), x0, 1.5, 0.05, 100),
        &k,
        &dk,
    );
}
