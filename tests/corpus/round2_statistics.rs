//! Round 2, statistics: log-likelihoods, robust losses, kernel density, online
//! estimators, written as a statistician writes Rust, before reading the support table.

use autodiff::grad;
use std::f64::consts::{LN_2, PI};

/// Gaussian negative log-likelihood, parameterised by the log of the scale.
#[grad(wrt(mu, log_sigma))]
pub fn gaussian_nll(x: &[f64], mu: f64, log_sigma: f64) -> f64 {
    let sigma = log_sigma.exp();
    let n = x.len() as f64;
    let sq: f64 = x.iter().map(|xi| ((xi - mu) / sigma).powi(2)).sum();
    0.5 * sq + n * log_sigma + 0.5 * n * (2.0 * PI).ln()
}

const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// ln Gamma(x) for x > 0.5 by the Lanczos approximation.
#[grad]
pub fn ln_gamma(x: f64) -> f64 {
    let x = x - 1.0;
    let mut a = LANCZOS[0];
    let t = x + LANCZOS_G + 0.5;
    for (i, &c) in LANCZOS.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

// As first written, accepted since 1ccc7c2 (a user's own `#[grad]` function named like
// a primitive, called bare below it in the same file, is that function). Rejected at
// a5b95ac, fcef2ea and 1ccc7c2's parent 8430b27 (a bare `ln_gamma` was autodiff's
// primitive), once per call:
//
// error[E0308]: mismatched types
//     expected fn item, found a different fn item
//     = note: expected fn item `fn(_) -> _ {round2_statistics::ln_gamma}`
//                found fn item `fn(_) -> _ {autodiff::ln_gamma::<f64>}`
//     note: function defined here: autodiff-core/src/lib.rs
//         a_bare_ln_gamma_call_is_autodiffs_ln_gamma__for_your_own_fn_write_self_ln_gamma,
//
// (`bare_name_is_the_autodiff_primitive` in the note before 7bfe1c5). The rewrite called
// `self::ln_gamma(…)`.
/// Student-t log-likelihood with location, scale and degrees of freedom.
#[grad(wrt(mu, scale, nu))]
pub fn student_t_loglik(x: &[f64], mu: f64, scale: f64, nu: f64) -> f64 {
    let n = x.len() as f64;
    let norm = ln_gamma((nu + 1.0) / 2.0) - ln_gamma(nu / 2.0) - 0.5 * (nu * PI).ln() - scale.ln();
    let body: f64 = x
        .iter()
        .map(|&xi| {
            let z = (xi - mu) / scale;
            -(nu + 1.0) / 2.0 * (1.0 + z * z / nu).ln()
        })
        .sum();
    n * norm + body
}

/// Huber-loss linear regression, rows stored as Vecs.
#[grad(wrt(w))]
pub fn huber_regression(w: &[f64], xs: &[Vec<f64>], ys: &[f64], delta: f64) -> f64 {
    let mut total = 0.0;
    for (row, y) in xs.iter().zip(ys) {
        let pred: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
        let r = pred - y;
        total += match r.abs() {
            a if a <= delta => 0.5 * r * r,
            a => delta * (a - 0.5 * delta),
        };
    }
    total / ys.len() as f64
}

/// Log of a Gaussian kernel density estimate, by log-sum-exp.
#[grad(wrt(x, bandwidth))]
pub fn kde_log_density(x: f64, samples: &[f64], bandwidth: f64) -> f64 {
    let log_k: Vec<f64> = samples
        .iter()
        .map(|s| -0.5 * ((x - s) / bandwidth).powi(2))
        .collect();
    let m = log_k.iter().fold(f64::MIN, |a, &b| a.max(b));
    let lse = m + log_k.iter().map(|l| (l - m).exp()).sum::<f64>().ln();
    lse - (samples.len() as f64).ln() - bandwidth.ln() - 0.5 * (LN_2 + PI.ln())
}

/// Welford's online variance (unbiased).
#[grad]
pub fn welford_variance(xs: &[f64]) -> f64 {
    assert!(xs.len() >= 2, "need at least two samples");
    let (mut n, mut mean, mut m2) = (0.0, 0.0, 0.0);
    for &x in xs {
        n += 1.0;
        let delta = x - mean;
        mean += delta / n;
        m2 += delta * (x - mean);
    }
    m2 / (n - 1.0)
}

/// Exponentially weighted moving average: the last smoothed value.
#[grad]
pub fn ewma_last(xs: &[f64], alpha: f64) -> f64 {
    xs.iter()
        .skip(1)
        .fold(xs[0], |acc, &x| alpha * x + (1.0 - alpha) * acc)
}

/// Logistic-regression negative log-likelihood with boolean labels.
#[grad(wrt(beta))]
pub fn logistic_nll(beta: [f64; 3], x: &[[f64; 2]], y: &[bool]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(xi, &label)| {
            let z = beta[0] + beta[1] * xi[0] + beta[2] * xi[1];
            // log(1 + e^z), stable
            let softplus = if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            };
            if label {
                softplus - z
            } else {
                softplus
            }
        })
        .sum::<f64>()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

const DATA: [f64; 7] = [0.3, -1.2, 2.1, 0.8, 0.05, 1.6, -0.4];

#[test]
fn r2_gaussian_nll() {
    let (mu, ls) = (0.4, 0.1);
    let (y, dmu, dls) = gaussian_nll_backward(&DATA, mu, ls, 1.0);
    assert_bits(y, gaussian_nll(&DATA, mu, ls), "value");
    assert_fd(|p| gaussian_nll(&DATA, p[0], p[1]), &[mu, ls], &[dmu, dls]);
}

#[test]
fn r2_ln_gamma() {
    for x in [0.7, 1.5, 3.0, 7.25] {
        let (y, dx) = ln_gamma_backward(x, 1.0);
        assert_bits(y, ln_gamma(x), "value");
        assert_fd(|p| ln_gamma(p[0]), &[x], &[dx]);
    }
    // Gamma(5) = 24.
    assert_near(ln_gamma(5.0), 24f64.ln(), 1e-12, "ln Gamma(5)");
}

#[test]
fn r2_student_t_loglik() {
    let (mu, scale, nu) = (0.3, 0.9, 4.5);
    let (y, dmu, ds, dnu) = student_t_loglik_backward(&DATA, mu, scale, nu, 1.0);
    assert_bits(y, student_t_loglik(&DATA, mu, scale, nu), "value");
    assert_fd(
        |p| student_t_loglik(&DATA, p[0], p[1], p[2]),
        &[mu, scale, nu],
        &[dmu, ds, dnu],
    );
}

#[test]
fn r2_huber_regression() {
    let xs = vec![
        vec![1.0, 0.5, -0.2],
        vec![1.0, -1.3, 0.8],
        vec![1.0, 2.2, 0.1],
        vec![1.0, 0.0, -1.5],
    ];
    let ys = [0.4, -2.0, 3.5, 0.9];
    let w = [0.1, 0.6, -0.3];
    // Residuals on both sides of delta.
    let mut dw = [0.0; 3];
    let y = huber_regression_backward(&w, &mut dw, &xs, &ys, 1.0, 1.0);
    assert_bits(y, huber_regression(&w, &xs, &ys, 1.0), "value");
    assert_fd(|p| huber_regression(p, &xs, &ys, 1.0), &w, &dw);
}

#[test]
fn r2_kde_log_density() {
    let (bw, d_out) = (0.6, 0.8);
    for x in [0.5, -3.0, 10.0] {
        let (y, dx, dbw) = kde_log_density_backward(x, &DATA, bw, d_out);
        assert_bits(y, kde_log_density(x, &DATA, bw), "value");
        assert_fd(
            |p| d_out * kde_log_density(p[0], &DATA, p[1]),
            &[x, bw],
            &[dx, dbw],
        );
    }
}

#[test]
fn r2_welford_variance() {
    let mut dx = [0.0; 7];
    let y = welford_variance_backward(&DATA, &mut dx, 1.0);
    assert_bits(y, welford_variance(&DATA), "value");
    assert_fd(welford_variance, &DATA, &dx);
    // d var / d x_i = 2 (x_i - mean) / (n - 1).
    let mean = DATA.iter().sum::<f64>() / 7.0;
    for i in 0..7 {
        assert_near(dx[i], 2.0 * (DATA[i] - mean) / 6.0, 1e-12, "closed form");
    }
}

#[test]
fn r2_ewma_last() {
    let alpha = 0.3;
    let mut dx = [0.0; 7];
    let (y, da) = ewma_last_backward(&DATA, &mut dx, alpha, 1.0);
    assert_bits(y, ewma_last(&DATA, alpha), "value");
    assert_fd(
        |p| ewma_last(&p[..7], p[7]),
        &cat(&[&DATA, &[alpha]]),
        &cat(&[&dx, &[da]]),
    );
}

#[test]
fn r2_logistic_nll() {
    let x = [
        [0.5, -1.2],
        [1.5, 0.2],
        [-0.3, 0.8],
        [0.9, -0.4],
        [-2.0, 1.0],
    ];
    let y = [true, false, true, false, true];
    // Logits of both signs (both branches of the stable softplus).
    let beta = [0.2, 1.5, -0.7];
    let (v, db) = logistic_nll_backward(beta, &x, &y, 1.0);
    assert_bits(v, logistic_nll(beta, &x, &y), "value");
    assert_fd(|p| logistic_nll(arr(p), &x, &y), &beta, &db);
}
