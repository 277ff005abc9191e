//! Round 5, statistics: written as a statistician writes Rust, before reading the
//! support table (a Beta log-likelihood through `libm::lgamma`, Poisson regression over
//! `Vec` rows, a GP kernel matrix built by nested `collect`, Huber regression with IRLS
//! weights given as data).
#![allow(clippy::ptr_arg)]

use autodiff::grad;

/// Log-likelihood of i.i.d. Beta(a, b) observations in (0, 1).
#[grad(wrt(a, b))]
pub fn beta_loglik(a: f64, b: f64, xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let log_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    let mut ll = -n * log_beta;
    for &x in xs {
        ll += (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln();
    }
    ll
}

/// Negative log-likelihood of a Poisson GLM with log link, plus a ridge penalty.
#[grad(wrt(beta))]
pub fn poisson_nll(beta: &[f64], x: &Vec<Vec<f64>>, y: &[f64], lambda: f64) -> f64 {
    let mut nll = 0.0;
    for (row, &yi) in x.iter().zip(y.iter()) {
        let eta: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
        nll += eta.exp() - yi * eta;
    }
    nll + 0.5 * lambda * beta.iter().map(|b| b * b).sum::<f64>()
}

/// The quadratic form αᵀ K α of a squared-exponential kernel matrix, K built as a
/// `Vec<Vec<f64>>` (the data-fit term of a GP's marginal likelihood for fixed α).
#[grad(wrt(lengthscale, variance))]
pub fn kernel_quad_form(xs: &[f64], alpha: &[f64], lengthscale: f64, variance: f64) -> f64 {
    // First attempt rejected (at fcd9efa): the matrix built by a nested `collect`,
    //     let k: Vec<Vec<f64>> = xs
    //         .iter()
    //         .map(|&a| {
    //             xs.iter()
    //                 .map(|&b| variance * (-(a - b).powi(2) / (2.0 * lengthscale * lengthscale)).exp())
    //                 .collect()
    //         })
    //         .collect();
    // gave "only floats are collected into a `Vec` here" (and "too many indices for this
    // array" at `k[i][j]` below), still at 5e8c305 and 8e522dc; kept with the matrix filled
    // by a loop.
    let n = xs.len();
    let mut k = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            k[i][j] =
                variance * (-(xs[i] - xs[j]).powi(2) / (2.0 * lengthscale * lengthscale)).exp();
        }
    }
    let mut q = 0.0;
    for i in 0..xs.len() {
        for j in 0..xs.len() {
            q += alpha[i] * k[i][j] * alpha[j];
        }
    }
    q
}

/// Weighted Huber loss of a linear model; the weights are those of the current IRLS
/// iteration, treated as data.
#[grad(wrt(beta))]
pub fn weighted_huber(beta: &[f64], x: &[Vec<f64>], y: &[f64], weights: &[f64], delta: f64) -> f64 {
    let huber = |r: f64| {
        if r.abs() <= delta {
            0.5 * r * r
        } else {
            delta * (r.abs() - 0.5 * delta)
        }
    };
    x.iter()
        .zip(y)
        .zip(weights)
        .map(|((row, yi), w)| {
            let pred: f64 = row.iter().zip(beta.iter()).map(|(a, b)| a * b).sum();
            w * huber(yi - pred)
        })
        .sum()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r5_beta_loglik() {
    let xs = [0.2, 0.45, 0.7, 0.33, 0.9, 0.15];
    for (a, b) in [(2.0, 3.0), (0.7, 1.4)] {
        let (ll, da, db) = beta_loglik_backward(a, b, &xs, 1.0);
        assert_bits(ll, beta_loglik(a, b, &xs), "value");
        assert_fd(|p| beta_loglik(p[0], p[1], &xs), &[a, b], &[da, db]);
    }
}

#[test]
fn r5_poisson_nll() {
    let x = vec![
        vec![1.0, 0.5, -0.2],
        vec![1.0, -1.0, 0.3],
        vec![1.0, 0.2, 0.9],
        vec![1.0, 1.5, -0.7],
    ];
    let y = [2.0, 0.0, 3.0, 5.0];
    let beta = [0.3, 0.4, -0.1];
    let mut db = [0.0; 3];
    let l = poisson_nll_backward(&beta, &mut db, &x, &y, 0.1, 1.0);
    assert_bits(l, poisson_nll(&beta, &x, &y, 0.1), "value");
    assert_fd(|p| poisson_nll(p, &x, &y, 0.1), &beta, &db);
}

#[test]
fn r5_kernel_quad_form() {
    let xs = [0.0, 0.4, 1.1, 1.7, 2.5];
    let alpha = [0.5, -0.3, 0.8, 0.1, -0.6];
    let (q, dl, dv) = kernel_quad_form_backward(&xs, &alpha, 0.8, 1.3, 1.0);
    assert_bits(q, kernel_quad_form(&xs, &alpha, 0.8, 1.3), "value");
    assert_fd(
        |p| kernel_quad_form(&xs, &alpha, p[0], p[1]),
        &[0.8, 1.3],
        &[dl, dv],
    );
    // Linear in the variance: dq/dv = q / v.
    assert_near(dv, q / 1.3, 1e-12, "dq/dvariance");
}

#[test]
fn r5_weighted_huber() {
    let x = vec![
        vec![1.0, 0.2],
        vec![1.0, 1.1],
        vec![1.0, -0.5],
        vec![1.0, 2.0],
        vec![1.0, 0.8],
    ];
    let y = [0.5, 1.9, -0.4, 6.0, 1.2];
    let w = [1.0, 0.8, 1.0, 0.3, 0.9];
    let beta = [0.1, 0.9];
    let mut db = [0.0; 2];
    let l = weighted_huber_backward(&beta, &mut db, &x, &y, &w, 1.0, 1.0);
    assert_bits(l, weighted_huber(&beta, &x, &y, &w, 1.0), "value");
    assert_fd(|p| weighted_huber(p, &x, &y, &w, 1.0), &beta, &db);
}
