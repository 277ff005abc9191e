//! Round 5, finance: written as a quant writes Rust, before reading the support table
//! (a Nelson-Siegel fit taking its parameters as an array, a Rockafellar-Uryasev CVaR
//! over scenario rows, Black-Scholes implied volatility by Newton's method).
#![allow(clippy::ptr_arg)]

use autodiff::grad;
use std::f64::consts::SQRT_2;

/// Squared fitting error of a Nelson-Siegel yield curve to observed yields.
#[grad(wrt(params))]
pub fn nelson_siegel_error(params: [f64; 4], maturities: &[f64], yields: &[f64]) -> f64 {
    let [b0, b1, b2, tau] = params;
    maturities
        .iter()
        .zip(yields)
        .map(|(&m, &y)| {
            let x = m / tau;
            let loading = (1.0 - (-x).exp()) / x;
            let fitted = b0 + b1 * loading + b2 * (loading - (-x).exp());
            (fitted - y).powi(2)
        })
        .sum()
}

/// Rockafellar-Uryasev estimate of CVaR at level `alpha` of a portfolio's loss over
/// equally likely return scenarios, for a given VaR threshold.
#[grad(wrt(weights, var))]
pub fn cvar(weights: &[f64], scenarios: &Vec<Vec<f64>>, alpha: f64, var: f64) -> f64 {
    let n = scenarios.len() as f64;
    let excess: f64 = scenarios
        .iter()
        .map(|r| {
            let loss = -r.iter().zip(weights).map(|(ri, wi)| ri * wi).sum::<f64>();
            (loss - var).max(0.0)
        })
        .sum();
    var + excess / ((1.0 - alpha) * n)
}

#[grad]
fn norm_cdf(x: f64) -> f64 {
    0.5 * (1.0 + libm::erf(x / SQRT_2))
}

/// Black-Scholes implied volatility of a call price by Newton's method on the vega.
#[grad(wrt(price, spot, strike))]
pub fn implied_vol(price: f64, spot: f64, strike: f64, t: f64, r: f64) -> f64 {
    let mut sigma = 0.3;
    for _ in 0..50 {
        let sqrt_t = t.sqrt();
        let d1 = ((spot / strike).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t);
        let d2 = d1 - sigma * sqrt_t;
        let model = spot * norm_cdf(d1) - strike * (-r * t).exp() * norm_cdf(d2);
        let vega = spot * sqrt_t * (-0.5 * d1 * d1).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let diff = model - price;
        if diff.abs() < 1e-14 {
            break;
        }
        sigma -= diff / vega;
    }
    sigma
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r5_nelson_siegel_error() {
    let mats = [0.25, 1.0, 2.0, 5.0, 10.0, 30.0];
    let ys = [0.031, 0.034, 0.036, 0.039, 0.042, 0.044];
    let params = [0.045, -0.015, 0.01, 1.8];
    let (e, dp) = nelson_siegel_error_backward(params, &mats, &ys, 1.0);
    assert_bits(e, nelson_siegel_error(params, &mats, &ys), "value");
    assert_fd(|p| nelson_siegel_error(arr(p), &mats, &ys), &params, &dp);
}

#[test]
fn r5_cvar() {
    let scenarios = vec![
        vec![0.02, -0.01, 0.03],
        vec![-0.05, 0.01, -0.02],
        vec![0.01, 0.04, -0.01],
        vec![-0.08, -0.03, 0.02],
        vec![0.03, -0.02, -0.06],
        vec![-0.01, 0.00, 0.01],
    ];
    let w = [0.5, 0.3, 0.2];
    let mut dw = [0.0; 3];
    let (c, dvar) = cvar_backward(&w, &mut dw, &scenarios, 0.8, 0.01, 1.0);
    assert_bits(c, cvar(&w, &scenarios, 0.8, 0.01), "value");
    assert_fd(
        |p| cvar(&p[..3], &scenarios, 0.8, p[3]),
        &[w[0], w[1], w[2], 0.01],
        &[dw[0], dw[1], dw[2], dvar],
    );
}

fn bs_call(s: f64, k: f64, t: f64, r: f64, sigma: f64) -> f64 {
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * t.sqrt());
    let d2 = d1 - sigma * t.sqrt();
    let n = |x: f64| 0.5 * (1.0 + libm::erf(x / SQRT_2));
    s * n(d1) - k * (-r * t).exp() * n(d2)
}

#[test]
fn r5_implied_vol() {
    for (s, k, vol) in [(100.0, 100.0, 0.25), (100.0, 110.0, 0.4)] {
        let price = bs_call(s, k, 0.5, 0.02, vol);
        let (iv, dp, ds, dk) = implied_vol_backward(price, s, k, 0.5, 0.02, 1.0);
        assert_bits(iv, implied_vol(price, s, k, 0.5, 0.02), "value");
        assert_near(iv, vol, 1e-10, "implied vol recovers the input");
        assert_fd(
            |p| implied_vol(p[0], p[1], p[2], 0.5, 0.02),
            &[price, s, k],
            &[dp, ds, dk],
        );
    }
}
