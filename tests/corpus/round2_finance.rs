//! Round 2, finance: option pricing, portfolio risk, yield curves, GARCH, written as a
//! quant writes Rust, before reading the support table.

use autodiff::grad;
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7).
#[grad]
pub fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    sign * (1.0 - poly * (-x * x).exp())
}

// As first written, accepted since 1ccc7c2 (a user's own `#[grad]` function named like
// a primitive, called bare below it in the same file, is that function). Rejected at
// a5b95ac, fcef2ea and 1ccc7c2's parent 8430b27 (a bare `erf` was autodiff's primitive):
//
// error[E0308]: mismatched types
//     expected fn item, found a different fn item
//     = note: expected fn item `fn(_) -> _ {round2_finance::erf}`
//                found fn item `fn(_) -> _ {autodiff::erf::<f64>}`
//     note: function defined here: autodiff-core/src/lib.rs
//         a_bare_erf_call_is_autodiffs_erf__for_your_own_fn_write_self_erf,
//
// (`bare_name_is_the_autodiff_primitive` in the note before 7bfe1c5). The rewrite called
// `self::erf(…)`.
#[grad]
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x * FRAC_1_SQRT_2))
}

/// Black-Scholes price of a European call; the gradient holds delta, vega, rho, theta.
#[grad]
pub fn black_scholes_call(s: f64, k: f64, t: f64, r: f64, sigma: f64) -> f64 {
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    s * norm_cdf(d1) - k * (-r * t).exp() * norm_cdf(d2)
}

/// Portfolio variance w' C w, covariance rows as Vecs.
#[grad(wrt(w))]
pub fn portfolio_variance(w: &[f64], cov: &[Vec<f64>]) -> f64 {
    w.iter()
        .enumerate()
        .map(|(i, wi)| cov[i].iter().zip(w).map(|(c, wj)| wi * c * wj).sum::<f64>())
        .sum()
}

/// GARCH(1,1) Gaussian negative log-likelihood of a return series.
#[grad(wrt(omega, alpha, beta))]
pub fn garch_nll(returns: &[f64], omega: f64, alpha: f64, beta: f64) -> f64 {
    let n = returns.len() as f64;
    let mean_sq = returns.iter().map(|r| r * r).sum::<f64>() / n;
    let mut var = mean_sq;
    let mut nll = 0.0;
    for &r in returns {
        nll += 0.5 * ((2.0 * PI).ln() + var.ln() + r * r / var);
        var = omega + alpha * r * r + beta * var;
    }
    nll
}

/// Price of a bond from (time, cashflow) pairs under a flat continuously compounded yield.
// First attempt rejected at a5b95ac and still at fcef2ea (a tuple pattern over a data
// slice of tuples: "this tuple pattern does not match the value's shape"); accepted as
// first written since 604caf3 (slices of tuples, elements read field by field).
#[grad(wrt(yield_rate))]
pub fn bond_price(cashflows: &[(f64, f64)], yield_rate: f64) -> f64 {
    cashflows
        .iter()
        .map(|&(t, cf)| cf * (-yield_rate * t).exp())
        .sum()
}

/// Nelson-Siegel zero rate at maturity tau; params = [beta0, beta1, beta2, lambda].
#[grad]
pub fn nelson_siegel(params: [f64; 4], tau: f64) -> f64 {
    let [b0, b1, b2, lambda] = params;
    if tau < 1e-8 {
        return b0 + b1;
    }
    let x = tau / lambda;
    let factor = (1.0 - (-x).exp()) / x;
    b0 + b1 * factor + b2 * (factor - (-x).exp())
}

/// American put on a Cox-Ross-Rubinstein binomial tree.
#[grad(wrt(s0, k, r, sigma, t))]
pub fn american_put_crr(s0: f64, k: f64, r: f64, sigma: f64, t: f64, steps: usize) -> f64 {
    let dt = t / steps as f64;
    let u = (sigma * dt.sqrt()).exp();
    let d = 1.0 / u;
    let disc = (-r * dt).exp();
    let p = ((r * dt).exp() - d) / (u - d);
    let mut values: Vec<f64> = (0..=steps)
        .map(|j| (k - s0 * u.powi(j as i32) * d.powi((steps - j) as i32)).max(0.0))
        .collect();
    for i in (0..steps).rev() {
        for j in 0..=i {
            let cont = disc * (p * values[j + 1] + (1.0 - p) * values[j]);
            let exercise = k - s0 * u.powi(j as i32) * d.powi((i - j) as i32);
            values[j] = cont.max(exercise);
        }
    }
    values[0]
}

/// Annualised Sharpe ratio of a return series against a risk-free rate.
#[grad]
pub fn sharpe_ratio(returns: &[f64], risk_free: f64) -> f64 {
    // `.is_empty()`: rejected on the first attempt at a5b95ac ("unsupported array method
    // `is_empty`", then "`!` does not apply to a float", "a condition must be a `bool`");
    // accepted as first written since 94d1d4e.
    assert!(!returns.is_empty());
    let n = returns.len() as f64;
    let excess: Vec<f64> = returns.iter().map(|r| r - risk_free).collect();
    let mean = excess.iter().sum::<f64>() / n;
    let var = excess.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0);
    mean / var.sqrt() * 252f64.sqrt()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r2_black_scholes_call() {
    // In, at and out of the money.
    for s in [80.0, 100.0, 125.0] {
        let (k, t, r, sigma) = (100.0, 0.75, 0.03, 0.25);
        let (y, ds, dk, dt, dr, dsig) = black_scholes_call_backward(s, k, t, r, sigma, 1.0);
        assert_bits(y, black_scholes_call(s, k, t, r, sigma), "value");
        assert_fd(
            |p| black_scholes_call(p[0], p[1], p[2], p[3], p[4]),
            &[s, k, t, r, sigma],
            &[ds, dk, dt, dr, dsig],
        );
    }
}

#[test]
fn r2_erf_norm_cdf() {
    for x in [-1.3, -0.2, 0.4, 2.1] {
        let (y, dx) = norm_cdf_backward(x, 1.0);
        assert_bits(y, norm_cdf(x), "value");
        assert_fd(|p| norm_cdf(p[0]), &[x], &[dx]);
        let (y, dx) = erf_backward(x, 1.0);
        assert_bits(y, erf(x), "value");
        assert_fd(|p| erf(p[0]), &[x], &[dx]);
    }
}

#[test]
fn r2_portfolio_variance() {
    let cov = vec![
        vec![0.04, 0.006, -0.002],
        vec![0.006, 0.09, 0.01],
        vec![-0.002, 0.01, 0.0225],
    ];
    let w = [0.5, 0.2, 0.3];
    let mut dw = [0.0; 3];
    let y = portfolio_variance_backward(&w, &mut dw, &cov, 1.0);
    assert_bits(y, portfolio_variance(&w, &cov), "value");
    assert_fd(|p| portfolio_variance(p, &cov), &w, &dw);
    // 2 C w.
    for i in 0..3 {
        assert_near(dw[i], 2.0 * dot(&cov[i], &w), 1e-15, "2 C w");
    }
}

#[test]
fn r2_garch_nll() {
    let returns = [0.01, -0.02, 0.015, -0.03, 0.005, 0.025, -0.01, 0.0];
    let (omega, alpha, beta) = (1e-5, 0.1, 0.85);
    let (y, dom, da, db) = garch_nll_backward(&returns, omega, alpha, beta, 1.0);
    assert_bits(y, garch_nll(&returns, omega, alpha, beta), "value");
    // omega is checked in units of 1e-5: the default difference step, 6e-6 for |x| < 1,
    // is the size of omega itself (differences of step 1e-9 agree with `dom`).
    assert_fd(
        |p| garch_nll(&returns, p[0] * 1e-5, p[1], p[2]),
        &[omega * 1e5, alpha, beta],
        &[dom * 1e-5, da, db],
    );
}

#[test]
fn r2_bond_price() {
    let cashflows = [(0.5, 2.5), (1.0, 2.5), (1.5, 2.5), (2.0, 102.5)];
    let y0 = 0.04;
    let (y, dy) = bond_price_backward(&cashflows, y0, 1.0);
    assert_bits(y, bond_price(&cashflows, y0), "value");
    assert_fd(|p| bond_price(&cashflows, p[0]), &[y0], &[dy]);
}

#[test]
fn r2_nelson_siegel() {
    let params = [0.04, -0.02, 0.01, 1.8];
    for tau in [0.25, 2.0, 10.0] {
        let (y, dp, dt) = nelson_siegel_backward(params, tau, 1.0);
        assert_bits(y, nelson_siegel(params, tau), "value");
        assert_fd(
            |p| nelson_siegel(arr(p), p[4]),
            &cat(&[&params, &[tau]]),
            &cat(&[&dp, &[dt]]),
        );
    }
    // The early return at tau = 0: b0 + b1.
    let (y, dp, dt) = nelson_siegel_backward(params, 0.0, 1.0);
    assert_bits(y, params[0] + params[1], "tau = 0");
    assert_eq!(dp, [1.0, 1.0, 0.0, 0.0]);
    assert_eq!(dt, 0.0);
}

#[test]
fn r2_american_put_crr() {
    let (s0, k, r, sigma, t) = (100.0, 105.0, 0.05, 0.3, 1.0);
    for steps in [1, 4, 25] {
        let (y, ds, dk, dr, dsig, dt) = american_put_crr_backward(s0, k, r, sigma, t, steps, 1.0);
        assert_bits(y, american_put_crr(s0, k, r, sigma, t, steps), "value");
        assert_fd(
            |p| american_put_crr(p[0], p[1], p[2], p[3], p[4], steps),
            &[s0, k, r, sigma, t],
            &[ds, dk, dr, dsig, dt],
        );
    }
}

#[test]
fn r2_sharpe_ratio() {
    let returns = [0.01, -0.004, 0.007, 0.012, -0.009, 0.003, 0.0055];
    let rf = 0.0002;
    let mut dr = [0.0; 7];
    let (y, drf) = sharpe_ratio_backward(&returns, &mut dr, rf, 1.0);
    assert_bits(y, sharpe_ratio(&returns, rf), "value");
    assert_fd(
        |p| sharpe_ratio(&p[..7], p[7]),
        &cat(&[&returns, &[rf]]),
        &cat(&[&dr, &[drf]]),
    );
}
