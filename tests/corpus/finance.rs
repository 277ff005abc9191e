//! Finance, written as a quant writes it.
use autodiff::{erfc, grad};
use std::f64::consts::SQRT_2;

/// The standard normal CDF.
// A bare `erfc(…)` imported by `use autodiff::erfc`: rejected on the first attempt at
// cce7e0b ("a bare name could be any function"); accepted as first written since e9e54b3.
#[grad]
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / SQRT_2)
}

/// Black-Scholes price of a European call.
#[grad]
pub fn black_scholes_call(s: f64, k: f64, t: f64, r: f64, sigma: f64) -> f64 {
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    s * norm_cdf(d1) - k * (-r * t).exp() * norm_cdf(d2)
}

/// Portfolio variance wᵀ Σ w.
#[grad]
pub fn portfolio_variance(w: &[f64; 3], cov: &[[f64; 3]; 3]) -> f64 {
    let mut var = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            var += w[i] * cov[i][j] * w[j];
        }
    }
    var
}

/// Net present value of yearly cash flows.
#[grad]
pub fn npv(rate: f64, cashflows: &[f64]) -> f64 {
    cashflows
        .iter()
        .enumerate()
        .map(|(t, cf)| cf / (1.0 + rate).powi(t as i32))
        .sum()
}

const STEPS: usize = 50;

/// A European call on a Cox-Ross-Rubinstein binomial tree.
#[grad]
pub fn binomial_call(s0: f64, k: f64, t: f64, r: f64, sigma: f64) -> f64 {
    let dt = t / STEPS as f64;
    let u = (sigma * dt.sqrt()).exp();
    let d = 1.0 / u;
    let p = ((r * dt).exp() - d) / (u - d);
    let disc = (-r * dt).exp();
    let mut values = [0.0; STEPS + 1];
    for j in 0..=STEPS {
        let st = s0 * u.powi(j as i32) * d.powi((STEPS - j) as i32);
        values[j] = (st - k).max(0.0);
    }
    for step in (0..STEPS).rev() {
        for j in 0..=step {
            values[j] = disc * (p * values[j + 1] + (1.0 - p) * values[j]);
        }
    }
    values[0]
}

/// Price of a bond with annual coupons from its yield.
#[grad]
pub fn bond_price(yield_: f64, coupon: f64, face: f64, years: usize) -> f64 {
    let mut price = 0.0;
    for t in 1..=years {
        price += coupon * face / (1.0 + yield_).powi(t as i32);
    }
    price + face / (1.0 + yield_).powi(years as i32)
}

/// The yield of a bond from its price, by Newton's method.
#[grad(wrt(price))]
pub fn bond_yield(price: f64, coupon: f64, face: f64, years: usize) -> f64 {
    let mut y = coupon;
    for _ in 0..30 {
        let mut p = 0.0;
        let mut dp = 0.0;
        for t in 1..=years {
            let tf = t as f64;
            let cf = if t == years {
                coupon * face + face
            } else {
                coupon * face
            };
            p += cf / (1.0 + y).powf(tf);
            dp -= tf * cf / (1.0 + y).powf(tf + 1.0);
        }
        y -= (p - price) / dp;
    }
    y
}

/// Annualised Sharpe ratio of daily returns.
#[grad]
pub fn sharpe_ratio(returns: &[f64], risk_free: f64) -> f64 {
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n - risk_free;
    let var = returns
        .iter()
        .map(|r| (r - risk_free - mean).powi(2))
        .sum::<f64>()
        / (n - 1.0);
    mean / var.sqrt() * 252f64.sqrt()
}

/// Mean-variance utility of softmax portfolio weights.
#[grad(wrt(scores))]
pub fn mean_variance_utility(
    scores: [f64; 3],
    mu: [f64; 3],
    cov: [[f64; 3]; 3],
    risk_aversion: f64,
) -> f64 {
    // Rejected on the first attempt at cce7e0b (`collect`); accepted as first
    // written since 042d803.
    let e: Vec<f64> = scores.iter().map(|s| s.exp()).collect();
    let total: f64 = e.iter().sum();
    let w: Vec<f64> = e.iter().map(|x| x / total).collect();
    let ret: f64 = w.iter().zip(mu.iter()).map(|(a, b)| a * b).sum();
    let mut var = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            var += w[i] * cov[i][j] * w[j];
        }
    }
    ret - 0.5 * risk_aversion * var
}

/// Monthly payment of an amortising loan.
#[grad]
pub fn annuity_payment(principal: f64, annual_rate: f64, years: u32) -> f64 {
    let r = annual_rate / 12.0;
    let n = (years * 12) as i32;
    principal * r / (1.0 - (1.0 + r).powi(-n))
}

/// Nelson-Siegel zero rate at maturity tau.
#[grad]
pub fn nelson_siegel(beta: [f64; 3], lambda: f64, tau: f64) -> f64 {
    let x = tau / lambda;
    let f = (1.0 - (-x).exp()) / x;
    beta[0] + beta[1] * f + beta[2] * (f - (-x).exp())
}

/// Price of a zero-coupon bond curve's discount factors summed (a fixed-leg annuity).
#[grad(wrt(beta, lambda))]
pub fn swap_annuity(beta: [f64; 3], lambda: f64, maturities: &[f64]) -> f64 {
    maturities
        .iter()
        .map(|&t| (-nelson_siegel(beta, lambda, t) * t).exp())
        .sum()
}

/// An arithmetic-average Asian call by Monte Carlo on fixed normal draws.
#[grad(wrt(s0, sigma))]
pub fn asian_call_mc(s0: f64, k: f64, r: f64, sigma: f64, z: &[[f64; 12]]) -> f64 {
    let dt = 1.0 / 12.0;
    let mut payoff = 0.0;
    for path in z {
        let mut s = s0;
        let mut avg = 0.0;
        for zi in path.iter() {
            s *= ((r - 0.5 * sigma * sigma) * dt + sigma * dt.sqrt() * zi).exp();
            avg += s / 12.0;
        }
        payoff += (avg - k).max(0.0);
    }
    (-r).exp() * payoff / z.len() as f64
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn black_scholes() {
    let x = [100.0, 95.0, 0.75, 0.03, 0.25];
    let (y, a, b, c, d, e) = black_scholes_call_backward(x[0], x[1], x[2], x[3], x[4], 1.0);
    assert_bits(y, black_scholes_call(x[0], x[1], x[2], x[3], x[4]), "value");
    assert_fd(
        |p| black_scholes_call(p[0], p[1], p[2], p[3], p[4]),
        &x,
        &[a, b, c, d, e],
    );
    let (y, d) = norm_cdf_backward(0.3, 1.0);
    assert_bits(y, norm_cdf(0.3), "value");
    assert_fd(|p| norm_cdf(p[0]), &[0.3], &[d]);
}

const COV: [[f64; 3]; 3] = [
    [0.04, 0.006, 0.002],
    [0.006, 0.09, 0.01],
    [0.002, 0.01, 0.0225],
];

#[test]
fn portfolio_risk() {
    let w = [0.5, 0.3, 0.2];
    let (mut dw, mut dc) = ([0.0; 3], [[0.0; 3]; 3]);
    let y = portfolio_variance_backward(&w, &mut dw, &COV, &mut dc, 1.0);
    assert_bits(y, portfolio_variance(&w, &COV), "value");
    assert_fd(
        |p| portfolio_variance(&arr(p), &arr2(&p[3..])),
        &cat(&[&w, &flat2(&COV)]),
        &cat(&[&dw, &flat2(&dc)]),
    );
}

#[test]
fn net_present_value() {
    let cf = [-100.0, 30.0, 40.0, 50.0, 20.0];
    let mut dcf = [0.0; 5];
    let (y, dr) = npv_backward(0.07, &cf, &mut dcf, 1.0);
    assert_bits(y, npv(0.07, &cf), "value");
    assert_fd(
        |p| npv(p[0], &p[1..]),
        &cat(&[&[0.07], &cf]),
        &cat(&[&[dr], &dcf]),
    );
}

#[test]
fn binomial_tree() {
    let x = [100.0, 95.0, 0.75, 0.03, 0.25];
    let (y, a, b, c, d, e) = binomial_call_backward(x[0], x[1], x[2], x[3], x[4], 1.0);
    assert_bits(y, binomial_call(x[0], x[1], x[2], x[3], x[4]), "value");
    assert_fd(
        |p| binomial_call(p[0], p[1], p[2], p[3], p[4]),
        &x,
        &[a, b, c, d, e],
    );
    // Close to Black-Scholes, and so is its delta.
    assert_near(
        y,
        black_scholes_call(x[0], x[1], x[2], x[3], x[4]),
        0.1,
        "price",
    );
}

#[test]
fn bond_price_and_yield() {
    let (y, dy, dc, df) = bond_price_backward(0.045, 0.05, 100.0, 10, 1.0);
    assert_bits(y, bond_price(0.045, 0.05, 100.0, 10), "value");
    assert_fd(
        |p| bond_price(p[0], p[1], p[2], 10),
        &[0.045, 0.05, 100.0],
        &[dy, dc, df],
    );
    let price = bond_price(0.045, 0.05, 100.0, 10);
    let (yld, dp) = bond_yield_backward(price, 0.05, 100.0, 10, 1.0);
    assert_bits(yld, bond_yield(price, 0.05, 100.0, 10), "value");
    assert_near(yld, 0.045, 1e-12, "the yield recovered");
    assert_fd(|p| bond_yield(p[0], 0.05, 100.0, 10), &[price], &[dp]);
    // The implicit function theorem: dy/dP = 1 / (dP/dy).
    assert_near(dp, 1.0 / dy, 1e-9, "inverse derivative");
}

#[test]
fn sharpe() {
    let r = [0.001, -0.002, 0.0035, 0.0005, -0.001, 0.002, 0.0015];
    let mut dr = [0.0; 7];
    let (y, drf) = sharpe_ratio_backward(&r, &mut dr, 0.0001, 1.0);
    assert_bits(y, sharpe_ratio(&r, 0.0001), "value");
    // Returns of order 1e-3 against a difference step of 6e-6 (the step is scaled by
    // max(1, |x|)): the truncation error of plain central differences is a few 1e-6
    // here, so Richardson extrapolation decides when the plain check misses.
    prop_fd_deep(
        |p| sharpe_ratio(&p[..7], p[7]),
        &cat(&[&r, &[0.0001]]),
        &cat(&[&dr, &[drf]]),
    )
    .unwrap();
    // The risk-free rate cancels out of the deviations: d/d rf = -sqrt(252) / sd.
    let n = r.len() as f64;
    let mean = r.iter().sum::<f64>() / n;
    let sd = (r.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert_near(drf, -(252f64.sqrt()) / sd, 1e-9, "d/d risk_free");
}

#[test]
fn mean_variance() {
    let scores = [0.2, -0.5, 0.9];
    let mu = [0.08, 0.12, 0.05];
    let (y, ds) = mean_variance_utility_backward(scores, mu, COV, 3.0, 1.0);
    assert_bits(y, mean_variance_utility(scores, mu, COV, 3.0), "value");
    assert_fd(
        |p| mean_variance_utility(arr(p), mu, COV, 3.0),
        &scores,
        &ds,
    );
}

#[test]
fn mortgage_payment() {
    let (y, dp, dr) = annuity_payment_backward(300_000.0, 0.04, 30, 1.0);
    assert_bits(y, annuity_payment(300_000.0, 0.04, 30), "value");
    assert_fd(
        |p| annuity_payment(p[0], p[1], 30),
        &[300_000.0, 0.04],
        &[dp, dr],
    );
}

#[test]
fn nelson_siegel_curve() {
    let beta = [0.04, -0.02, 0.01];
    let (y, db, dl, dt) = nelson_siegel_backward(beta, 1.8, 5.0, 1.0);
    assert_bits(y, nelson_siegel(beta, 1.8, 5.0), "value");
    assert_fd(
        |p| nelson_siegel(arr(p), p[3], p[4]),
        &cat(&[&beta, &[1.8, 5.0]]),
        &cat(&[&db, &[dl, dt]]),
    );
    let mats = [0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0];
    let (y, db, dl) = swap_annuity_backward(beta, 1.8, &mats, 1.0);
    assert_bits(y, swap_annuity(beta, 1.8, &mats), "value");
    assert_fd(
        |p| swap_annuity(arr(p), p[3], &mats),
        &cat(&[&beta, &[1.8]]),
        &cat(&[&db, &[dl]]),
    );
}

#[test]
fn asian_option_monte_carlo() {
    // Fixed pseudo-normal draws (a linear congruential generator and Box-Muller).
    let mut state = 12345u64;
    let mut uniform = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut z = [[0.0; 12]; 16];
    for path in z.iter_mut() {
        for v in path.iter_mut() {
            let (u1, u2) = (uniform(), uniform());
            *v = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        }
    }
    let (y, ds, dsig) = asian_call_mc_backward(100.0, 100.0, 0.03, 0.25, &z, 1.0);
    assert_bits(y, asian_call_mc(100.0, 100.0, 0.03, 0.25, &z), "value");
    assert_fd(
        |p| asian_call_mc(p[0], 100.0, 0.03, p[1], &z),
        &[100.0, 0.25],
        &[ds, dsig],
    );
}
