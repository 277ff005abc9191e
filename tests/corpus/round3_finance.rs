//! Round 3, finance: written as a quant writes Rust, before reading the support
//! table (cash flows as tuples, a covariance as rows, a closure for the
//! normal CDF, a `&Vec` of returns).
#![allow(clippy::ptr_arg)]

use autodiff::grad;

/// Present value of cash flows given as (time, amount), continuous compounding.
#[grad(wrt(rate))]
pub fn present_value(cashflows: &[(f64, f64)], rate: f64) -> f64 {
    cashflows.iter().map(|(t, cf)| cf * (-rate * t).exp()).sum()
}

/// Portfolio variance w' Σ w with the covariance as rows.
#[grad(wrt(weights))]
pub fn portfolio_variance(weights: &[f64], cov: &[Vec<f64>]) -> f64 {
    let n = weights.len();
    let mut var = 0.0;
    for i in 0..n {
        for j in 0..n {
            var += weights[i] * cov[i][j] * weights[j];
        }
    }
    var
}

/// Black–Scholes call price.
#[grad]
pub fn bs_call(spot: f64, strike: f64, vol: f64, rate: f64, t: f64) -> f64 {
    let sqrt_t = t.sqrt();
    let d1 = ((spot / strike).ln() + (rate + 0.5 * vol * vol) * t) / (vol * sqrt_t);
    let d2 = d1 - vol * sqrt_t;
    let n = |x: f64| 0.5 * (1.0 + autodiff::erf(x / std::f64::consts::SQRT_2));
    spot * n(d1) - strike * (-rate * t).exp() * n(d2)
}

/// Exponentially weighted moving average volatility of returns.
#[grad(wrt(returns))]
pub fn ewma_vol(returns: &Vec<f64>, lambda: f64) -> f64 {
    let mut var = returns[0] * returns[0];
    for r in returns.iter().skip(1) {
        var = lambda * var + (1.0 - lambda) * r * r;
    }
    var.sqrt()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r3_present_value() {
    let cf = [(0.5, 10.0), (1.0, 10.0), (2.0, 110.0)];
    let (pv, dr) = present_value_backward(&cf, 0.04, 1.0);
    assert_bits(pv, present_value(&cf, 0.04), "value");
    assert_fd(|p| present_value(&cf, p[0]), &[0.04], &[dr]);
}

#[test]
fn r3_portfolio_variance() {
    let cov = vec![
        vec![0.04, 0.01, 0.0],
        vec![0.01, 0.09, -0.02],
        vec![0.0, -0.02, 0.16],
    ];
    let w = [0.5, 0.3, 0.2];
    let mut dw = [0.0; 3];
    let v = portfolio_variance_backward(&w, &mut dw, &cov, 1.0);
    assert_bits(v, portfolio_variance(&w, &cov), "value");
    assert_fd(|p| portfolio_variance(p, &cov), &w, &dw);
}

#[test]
fn r3_bs_call() {
    let x = [100.0, 95.0, 0.2, 0.03, 0.5];
    let (c, g0, g1, g2, g3, g4) = bs_call_backward(x[0], x[1], x[2], x[3], x[4], 1.0);
    assert_bits(c, bs_call(x[0], x[1], x[2], x[3], x[4]), "value");
    assert_fd(
        |p| bs_call(p[0], p[1], p[2], p[3], p[4]),
        &x,
        &[g0, g1, g2, g3, g4],
    );
}

#[test]
fn r3_ewma_vol() {
    let r = vec![0.01, -0.02, 0.015, 0.003, -0.01];
    let mut dr = vec![0.0; 5];
    let v = ewma_vol_backward(&r, &mut dr, 0.94, 1.0);
    assert_bits(v, ewma_vol(&r, 0.94), "value");
    assert_fd(|p| ewma_vol(&p.to_vec(), 0.94), &r, &dr);
}
