//! Round 3, statistics: written as a statistician writes Rust, before reading
//! the support table (triples of data, a `Default` accumulator struct,
//! covariates as rows, integer counts).

use autodiff::grad;

/// Gaussian mixture negative log-likelihood, two components.
#[grad(wrt(mu, log_sigma, logit_w))]
pub fn gmm_nll(data: &[f64], mu: [f64; 2], log_sigma: [f64; 2], logit_w: f64) -> f64 {
    let w = 1.0 / (1.0 + (-logit_w).exp());
    let weights = [w, 1.0 - w];
    let mut nll = 0.0;
    for &x in data {
        let mut lik = 0.0;
        for k in 0..2 {
            let s = log_sigma[k].exp();
            let z = (x - mu[k]) / s;
            lik += weights[k] * (-0.5 * z * z).exp() / (s * (2.0 * std::f64::consts::PI).sqrt());
        }
        nll -= lik.ln();
    }
    nll
}

/// Weighted least squares with observations as (x, y, weight).
#[grad(wrt(slope, intercept))]
pub fn wls(obs: &[(f64, f64, f64)], slope: f64, intercept: f64) -> f64 {
    obs.iter()
        .map(|&(x, y, w)| w * (y - slope * x - intercept).powi(2))
        .sum()
}

#[derive(Default)]
pub struct Moments {
    pub n: f64,
    pub mean: f64,
    pub m2: f64,
}

/// Welford's online variance.
#[grad]
pub fn welford_var(xs: &[f64]) -> f64 {
    let mut m = Moments::default();
    for &x in xs {
        m.n += 1.0;
        let delta = x - m.mean;
        m.mean += delta / m.n;
        m.m2 += delta * (x - m.mean);
    }
    m.m2 / (m.n - 1.0)
}

/// Poisson regression log-likelihood with a log link.
#[grad(wrt(beta))]
pub fn poisson_ll(beta: &[f64], xs: &[Vec<f64>], counts: &[u32]) -> f64 {
    let mut ll = 0.0;
    for (x, &k) in xs.iter().zip(counts) {
        let eta: f64 = beta.iter().zip(x).map(|(b, v)| b * v).sum();
        ll += k as f64 * eta - eta.exp() - autodiff::ln_gamma(k as f64 + 1.0);
    }
    ll
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r3_gmm_nll() {
    let data = [-1.2, -0.8, 0.1, 1.5, 2.2, 1.9];
    let (mu, ls, lw) = ([-1.0, 1.8], [-0.3, 0.1], 0.2);
    let (v, dmu, dls, dlw) = gmm_nll_backward(&data, mu, ls, lw, 1.0);
    assert_bits(v, gmm_nll(&data, mu, ls, lw), "value");
    assert_fd(
        |p| gmm_nll(&data, [p[0], p[1]], [p[2], p[3]], p[4]),
        &[mu[0], mu[1], ls[0], ls[1], lw],
        &[dmu[0], dmu[1], dls[0], dls[1], dlw],
    );
}

#[test]
fn r3_wls() {
    let obs = [(0.0, 1.0, 1.0), (1.0, 2.9, 0.5), (2.0, 5.2, 2.0)];
    let (v, ds, di) = wls_backward(&obs, 1.8, 0.9, 1.0);
    assert_bits(v, wls(&obs, 1.8, 0.9), "value");
    assert_fd(|p| wls(&obs, p[0], p[1]), &[1.8, 0.9], &[ds, di]);
}

#[test]
fn r3_welford_var() {
    let xs = [1.0, 2.5, -0.5, 3.0, 0.75];
    let mut dx = [0.0; 5];
    let v = welford_var_backward(&xs, &mut dx, 1.0);
    assert_bits(v, welford_var(&xs), "value");
    assert_fd(welford_var, &xs, &dx);
}

#[test]
fn r3_poisson_ll() {
    let xs = vec![vec![1.0, 0.5], vec![1.0, -0.25], vec![1.0, 1.5]];
    let counts = [2, 0, 5];
    let beta = [0.3, 0.6];
    let mut db = [0.0; 2];
    let v = poisson_ll_backward(&beta, &mut db, &xs, &counts, 1.0);
    assert_bits(v, poisson_ll(&beta, &xs, &counts), "value");
    assert_fd(|p| poisson_ll(p, &xs, &counts), &beta, &db);
}
