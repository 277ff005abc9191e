//! Statistics, written as a statistician writes it.
// Bare `ln_gamma(…)` calls (student_t_loglik, poisson_loglik, beta_logpdf): rejected on
// the first attempt at cce7e0b ("a bare name could be any function"); accepted as first
// written since e9e54b3.
use autodiff::{grad, ln_gamma};
use std::f64::consts::PI;

/// Gaussian log-likelihood, scale parameterised by its logarithm.
#[grad(wrt(mu, log_sigma))]
pub fn gaussian_loglik(x: &[f64], mu: f64, log_sigma: f64) -> f64 {
    let sigma = log_sigma.exp();
    let n = x.len() as f64;
    let ss: f64 = x.iter().map(|xi| (xi - mu).powi(2)).sum();
    -0.5 * n * (2.0 * PI).ln() - n * log_sigma - ss / (2.0 * sigma * sigma)
}

/// Student-t log-likelihood with location, scale and degrees of freedom.
#[grad(wrt(loc, scale, nu))]
pub fn student_t_loglik(x: &[f64], loc: f64, scale: f64, nu: f64) -> f64 {
    let mut ll = 0.0;
    for &xi in x {
        let z = (xi - loc) / scale;
        ll += ln_gamma((nu + 1.0) / 2.0)
            - ln_gamma(nu / 2.0)
            - 0.5 * (nu * PI).ln()
            - scale.ln()
            - (nu + 1.0) / 2.0 * (1.0 + z * z / nu).ln();
    }
    ll
}

/// Poisson log-likelihood of counts with a log-linear rate.
#[grad]
pub fn poisson_loglik(counts: &[u32], log_rate: f64) -> f64 {
    let rate = log_rate.exp();
    counts
        .iter()
        .map(|&k| k as f64 * log_rate - rate - ln_gamma(k as f64 + 1.0))
        .sum()
}

/// log Σ exp, stable.
#[grad]
pub fn logsumexp(x: &[f64]) -> f64 {
    let max = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    max + x.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// Gaussian kernel density estimate at x with bandwidth h.
#[grad(wrt(x, h))]
pub fn kde(x: f64, data: &[f64], h: f64) -> f64 {
    let norm = 1.0 / ((2.0 * PI).sqrt() * h * data.len() as f64);
    let mut total = 0.0;
    for d in data {
        let u = (x - d) / h;
        total += (-0.5 * u * u).exp();
    }
    norm * total
}

/// Weighted (unbiased, reliability weights) variance.
#[grad]
pub fn weighted_variance(x: &[f64], w: &[f64]) -> f64 {
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|wi| wi * wi).sum();
    let mean = x.iter().zip(w).map(|(xi, wi)| xi * wi).sum::<f64>() / sw;
    let ss: f64 = x
        .iter()
        .zip(w)
        .map(|(xi, wi)| wi * (xi - mean).powi(2))
        .sum();
    ss / (sw - sw2 / sw)
}

/// A two-component 1-D Gaussian mixture log-likelihood.
#[grad(wrt(params))]
pub fn gmm2_loglik(params: [f64; 5], data: &[f64]) -> f64 {
    // params = [logit of weight, mu1, mu2, log sigma1, log sigma2]
    let w1 = 1.0 / (1.0 + (-params[0]).exp());
    let w2 = 1.0 - w1;
    let (mu1, mu2) = (params[1], params[2]);
    let (s1, s2) = (params[3].exp(), params[4].exp());
    let log_norm =
        |x: f64, mu: f64, s: f64| -0.5 * ((x - mu) / s).powi(2) - s.ln() - 0.5 * (2.0 * PI).ln();
    let mut ll = 0.0;
    for &x in data {
        let a = w1.ln() + log_norm(x, mu1, s1);
        let b = w2.ln() + log_norm(x, mu2, s2);
        let m = a.max(b);
        ll += m + ((a - m).exp() + (b - m).exp()).ln();
    }
    ll
}

/// Log density of the Beta distribution.
#[grad]
pub fn beta_logpdf(x: f64, a: f64, b: f64) -> f64 {
    assert!(x > 0.0 && x < 1.0, "x must be in (0, 1)");
    ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln()
}

/// Pearson correlation coefficient.
#[grad]
pub fn pearson(x: &[f64; 6], y: &[f64; 6]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    let mut syy = 0.0;
    for i in 0..x.len() {
        let dx = x[i] - mx;
        let dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    sxy / (sxx * syy).sqrt()
}

/// Holt's linear exponential smoothing: sum of squared one-step-ahead errors.
#[grad(wrt(alpha, beta))]
pub fn holt_sse(alpha: f64, beta: f64, y: &[f64]) -> f64 {
    let mut level = y[0];
    let mut trend = y[1] - y[0];
    let mut sse = 0.0;
    // The sub-slice `&y[1..]`: rejected on the first attempt at cce7e0b; accepted as first
    // written since b9a6263.
    for &obs in &y[1..] {
        let forecast = level + trend;
        let err = obs - forecast;
        sse += err * err;
        let new_level = alpha * obs + (1.0 - alpha) * (level + trend);
        trend = beta * (new_level - level) + (1.0 - beta) * trend;
        level = new_level;
    }
    sse
}

/// The normal CDF through erf.
#[grad]
pub fn normal_cdf(x: f64, mu: f64, sigma: f64) -> f64 {
    0.5 * (1.0 + autodiff::erf((x - mu) / (sigma * std::f64::consts::SQRT_2)))
}

// ---------------------------------------------------------------- tests

use crate::common::*;

const DATA: [f64; 8] = [1.2, 0.4, -0.3, 2.5, 1.9, 0.8, 3.1, -1.0];

#[test]
fn gaussian_likelihood() {
    let (y, dmu, dls) = gaussian_loglik_backward(&DATA, 0.9, 0.2, 1.0);
    assert_bits(y, gaussian_loglik(&DATA, 0.9, 0.2), "value");
    assert_fd(
        |p| gaussian_loglik(&DATA, p[0], p[1]),
        &[0.9, 0.2],
        &[dmu, dls],
    );
}

#[test]
fn student_t_likelihood() {
    let x = [0.9, 1.3, 4.5];
    let (y, a, b, c) = student_t_loglik_backward(&DATA, x[0], x[1], x[2], 1.0);
    assert_bits(y, student_t_loglik(&DATA, x[0], x[1], x[2]), "value");
    assert_fd(
        |p| student_t_loglik(&DATA, p[0], p[1], p[2]),
        &x,
        &[a, b, c],
    );
}

#[test]
fn poisson_likelihood() {
    let counts = [3u32, 0, 5, 2, 7, 1];
    let (y, d) = poisson_loglik_backward(&counts, 1.1, 1.0);
    assert_bits(y, poisson_loglik(&counts, 1.1), "value");
    assert_fd(|p| poisson_loglik(&counts, p[0]), &[1.1], &[d]);
}

#[test]
fn log_sum_exp() {
    for x in [DATA, DATA.map(|v| 800.0 * v)] {
        let mut dx = [0.0; 8];
        let y = logsumexp_backward(&x, &mut dx, 1.0);
        assert_bits(y, logsumexp(&x), "value");
        assert_fd(logsumexp, &x, &dx);
    }
}

#[test]
fn kernel_density() {
    let (y, dx, dh) = kde_backward(0.7, &DATA, 0.6, 1.0);
    assert_bits(y, kde(0.7, &DATA, 0.6), "value");
    assert_fd(|p| kde(p[0], &DATA, p[1]), &[0.7, 0.6], &[dx, dh]);
}

#[test]
fn weighted_var() {
    let w = [0.5, 1.0, 2.0, 0.3, 1.5, 0.8, 1.1, 0.7];
    let (mut dx, mut dw) = ([0.0; 8], [0.0; 8]);
    let y = weighted_variance_backward(&DATA, &mut dx, &w, &mut dw, 1.0);
    assert_bits(y, weighted_variance(&DATA, &w), "value");
    assert_fd(
        |p| weighted_variance(&p[..8], &p[8..]),
        &cat(&[&DATA, &w]),
        &cat(&[&dx, &dw]),
    );
}

#[test]
fn gaussian_mixture() {
    let params = [0.3, -0.2, 2.0, -0.1, 0.3];
    let (y, dp) = gmm2_loglik_backward(params, &DATA, 1.0);
    assert_bits(y, gmm2_loglik(params, &DATA), "value");
    assert_fd(|p| gmm2_loglik(arr(p), &DATA), &params, &dp);
}

#[test]
fn beta_density() {
    let x = [0.3, 2.5, 4.0];
    let (y, a, b, c) = beta_logpdf_backward(x[0], x[1], x[2], 1.0);
    assert_bits(y, beta_logpdf(x[0], x[1], x[2]), "value");
    assert_fd(|p| beta_logpdf(p[0], p[1], p[2]), &x, &[a, b, c]);
}

#[test]
#[should_panic(expected = "x must be in (0, 1)")]
fn beta_density_checks_its_support() {
    beta_logpdf_backward(1.5, 2.0, 2.0, 1.0);
}

#[test]
fn pearson_correlation() {
    let x = [1.0, 2.0, 3.5, 4.0, 5.5, 6.0];
    let y = [1.2, 1.9, 3.0, 4.4, 5.0, 6.8];
    let (mut dx, mut dy) = ([0.0; 6], [0.0; 6]);
    let v = pearson_backward(&x, &mut dx, &y, &mut dy, 1.0);
    assert_bits(v, pearson(&x, &y), "value");
    assert_fd(
        |p| pearson(&arr(p), &arr(&p[6..])),
        &cat(&[&x, &y]),
        &cat(&[&dx, &dy]),
    );
}

#[test]
fn holt_smoothing() {
    let y = [10.0, 11.2, 12.1, 12.9, 14.2, 15.1, 15.8, 17.0];
    let (v, da, db) = holt_sse_backward(0.6, 0.3, &y, 1.0);
    assert_bits(v, holt_sse(0.6, 0.3, &y), "value");
    assert_fd(|p| holt_sse(p[0], p[1], &y), &[0.6, 0.3], &[da, db]);
}

#[test]
fn normal_distribution_function() {
    let x = [0.4, -0.3, 1.7];
    let (y, a, b, c) = normal_cdf_backward(x[0], x[1], x[2], 1.0);
    assert_bits(y, normal_cdf(x[0], x[1], x[2]), "value");
    assert_fd(|p| normal_cdf(p[0], p[1], p[2]), &x, &[a, b, c]);
}
