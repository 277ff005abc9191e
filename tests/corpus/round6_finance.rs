//! Round 6, finance: written as a quant writes Rust, before reading the support table
//! (Margrabe's exchange option over a recursive normal CDF, a Sortino ratio with
//! `filter`, a Vasicek curve struct with a `zero_yield` method fitted to market
//! yields, a Monte Carlo down-and-out call with `break` and `continue`).
#![allow(clippy::ptr_arg)]

use autodiff::{grad, Tangent};

/// Standard normal CDF by Abramowitz & Stegun 26.2.17 (absolute error < 7.5e-8).
#[grad]
pub fn norm_cdf(x: f64) -> f64 {
    if x < 0.0 {
        return 1.0 - norm_cdf(-x);
    }
    let t = 1.0 / (1.0 + 0.231_641_9 * x);
    let poly = t
        * (0.319_381_530
            + t * (-0.356_563_782
                + t * (1.781_477_937 + t * (-1.821_255_978 + t * 1.330_274_429))));
    let pdf = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    1.0 - pdf * poly
}

/// Margrabe's price of the option to exchange asset 2 for asset 1 at time `t`:
/// `S₁ N(d₁) - S₂ N(d₂)` with `σ² = σ₁² + σ₂² - 2ρσ₁σ₂`.
#[grad]
pub fn margrabe(s1: f64, s2: f64, sigma1: f64, sigma2: f64, rho: f64, t: f64) -> f64 {
    let sigma = (sigma1.powi(2) + sigma2.powi(2) - 2.0 * rho * sigma1 * sigma2).sqrt();
    let d1 = ((s1 / s2).ln() + 0.5 * sigma * sigma * t) / (sigma * t.sqrt());
    let d2 = d1 - sigma * t.sqrt();
    s1 * norm_cdf(d1) - s2 * norm_cdf(d2)
}

/// Sortino ratio of a portfolio over historical periods: mean excess return over the
/// target divided by the downside deviation (root mean square of the shortfalls).
#[grad(wrt(weights))]
pub fn sortino_ratio(weights: &[f64], returns: &[Vec<f64>], target: f64) -> f64 {
    let port: Vec<f64> = returns
        .iter()
        .map(|r| r.iter().zip(weights).map(|(a, w)| a * w).sum())
        .collect();
    let n = port.len() as f64;
    let mean = port.iter().sum::<f64>() / n;
    let downside = port
        .iter()
        .filter(|&&r| r < target)
        .map(|r| (target - r).powi(2))
        .sum::<f64>()
        / n;
    (mean - target) / downside.sqrt()
}

/// Vasicek short-rate model: mean reversion speed, long-run level, volatility and
/// today's short rate.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct Vasicek {
    pub kappa: f64,
    pub theta: f64,
    pub sigma: f64,
    pub r0: f64,
}

impl Vasicek {
    /// Continuously compounded zero-coupon yield for maturity `t`.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default): rejected at 7cb23e9, at d4b6ca5 and at 5e8c305's parent
    // 9d384e5 with E0080 "`Vasicek::zero_yield` does not differentiate its first parameter
    // (a method's `self` is data unless …)", with a stray E0061 beside it. The rewrite had
    // `#[grad(wrt(self, t))]`.
    #[grad]
    pub fn zero_yield(&self, t: f64) -> f64 {
        let b = (1.0 - (-self.kappa * t).exp()) / self.kappa;
        let ln_a = (self.theta - self.sigma.powi(2) / (2.0 * self.kappa.powi(2))) * (b - t)
            - self.sigma.powi(2) * b * b / (4.0 * self.kappa);
        (b * self.r0 - ln_a) / t
    }
}

/// Sum of squared errors, in basis points, of a Vasicek zero curve against market
/// zero yields.
#[grad(wrt(model))]
pub fn vasicek_fit_error(model: &Vasicek, maturities: &[f64], market: &[f64]) -> f64 {
    maturities
        .iter()
        .zip(market)
        .map(|(&t, &y)| ((model.zero_yield(t) - y) * 1e4).powi(2))
        .sum()
}

/// Monte Carlo price of a down-and-out call under geometric Brownian motion from fixed
/// standard normal draws (one row per path); a path that touches the barrier is out.
#[grad(wrt(s0, sigma))]
pub fn down_and_out_call(
    s0: f64,
    strike: f64,
    barrier: f64,
    r: f64,
    sigma: f64,
    t: f64,
    draws: &[Vec<f64>],
) -> f64 {
    let steps = draws[0].len();
    let dt = t / steps as f64;
    let drift = (r - 0.5 * sigma * sigma) * dt;
    let vol = sigma * dt.sqrt();
    let mut total = 0.0;
    for path in draws {
        let mut s = s0;
        let mut knocked_out = false;
        for z in path {
            s *= (drift + vol * z).exp();
            if s <= barrier {
                knocked_out = true;
                break;
            }
        }
        if knocked_out {
            continue;
        }
        total += (s - strike).max(0.0);
    }
    (-r * t).exp() * total / draws.len() as f64
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r6_margrabe() {
    // N(0) = 1/2 and N(-x) = 1 - N(x) by construction; N(1.96) ≈ 0.975 (A&S 7.5e-8).
    assert_near(norm_cdf(1.96), 0.975_002_104_851_780, 1e-7, "N(1.96)");
    let args = [100.0, 95.0, 0.25, 0.3, 0.4, 0.75];
    let (v, d1, d2, d3, d4, d5, d6) =
        margrabe_backward(args[0], args[1], args[2], args[3], args[4], args[5], 1.0);
    assert_bits(
        v,
        margrabe(args[0], args[1], args[2], args[3], args[4], args[5]),
        "value",
    );
    assert_fd(
        |p| margrabe(p[0], p[1], p[2], p[3], p[4], p[5]),
        &args,
        &[d1, d2, d3, d4, d5, d6],
    );
}

#[test]
fn r6_sortino_ratio() {
    let returns = vec![
        vec![0.02, -0.01, 0.005],
        vec![-0.03, 0.015, 0.002],
        vec![0.04, 0.01, -0.004],
        vec![-0.01, -0.02, 0.006],
        vec![0.015, 0.03, 0.001],
        vec![-0.025, 0.005, 0.003],
    ];
    let w = [0.5, 0.3, 0.2];
    let mut dw = [0.0; 3];
    let s = sortino_ratio_backward(&w, &mut dw, &returns, 0.0, 1.0);
    assert_bits(s, sortino_ratio(&w, &returns, 0.0), "value");
    assert_fd(|p| sortino_ratio(p, &returns, 0.0), &w, &dw);
}

#[test]
fn r6_vasicek_fit_error() {
    let model = Vasicek {
        kappa: 0.3,
        theta: 0.04,
        sigma: 0.015,
        r0: 0.025,
    };
    let mats = [0.5, 1.0, 2.0, 5.0, 10.0];
    let market = [0.027, 0.029, 0.032, 0.036, 0.038];
    let mut dm = Tangent::zero_like(&model);
    let e = vasicek_fit_error_backward(&model, &mut dm, &mats, &market, 1.0);
    assert_bits(e, vasicek_fit_error(&model, &mats, &market), "value");
    assert_fd(
        |p| {
            let m = Vasicek {
                kappa: p[0],
                theta: p[1],
                sigma: p[2],
                r0: p[3],
            };
            vasicek_fit_error(&m, &mats, &market)
        },
        &[model.kappa, model.theta, model.sigma, model.r0],
        &[dm.kappa, dm.theta, dm.sigma, dm.r0],
    );
}

#[test]
fn r6_down_and_out_call() {
    // Deterministic "normal" draws: 200 paths of 12 steps.
    let draws: Vec<Vec<f64>> = (0..200)
        .map(|i| {
            (0..12)
                .map(|j| ((i * 12 + j) as f64 * 0.618_034).fract() * 3.0 - 1.5)
                .collect()
        })
        .collect();
    let (s0, sigma) = (100.0, 0.3);
    let (v, ds0, dsigma) =
        down_and_out_call_backward(s0, 100.0, 85.0, 0.03, sigma, 1.0, &draws, 1.0);
    assert_bits(
        v,
        down_and_out_call(s0, 100.0, 85.0, 0.03, sigma, 1.0, &draws),
        "value",
    );
    assert!(v > 0.0);
    assert_fd(
        |p| down_and_out_call(p[0], 100.0, 85.0, 0.03, p[1], 1.0, &draws),
        &[s0, sigma],
        &[ds0, dsigma],
    );
}
