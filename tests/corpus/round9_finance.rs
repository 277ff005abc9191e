//! Round 9, finance: written as a quant writes Rust, before reading the support table
//! (SABR calibration with Hagan's implied-volatility expansion, a payer swaption priced
//! with Black-76 off an interpolated zero curve, CDS hazard-rate calibration,
//! Almgren–Chriss execution cost).

use autodiff::{grad, Tangent};

// ---------------------------------------------------------------- SABR

/// SABR parameters.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Sabr {
    pub alpha: f64,
    pub beta: f64,
    pub rho: f64,
    pub nu: f64,
}

#[grad]
impl Sabr {
    /// Hagan et al. (2002) lognormal implied volatility.
    pub fn implied_vol(&self, forward: f64, strike: f64, expiry: f64) -> f64 {
        let Sabr {
            alpha,
            beta,
            rho,
            nu,
        } = *self;
        let one_minus_beta = 1.0 - beta;
        let fk = forward * strike;
        let fk_pow = fk.powf(0.5 * one_minus_beta);
        let log_fk = (forward / strike).ln();
        let z = nu / alpha * fk_pow * log_fk;
        let z_over_x = if z.abs() < 1e-7 {
            1.0
        } else {
            let x = (((1.0 - 2.0 * rho * z + z * z).sqrt() + z - rho) / (1.0 - rho)).ln();
            z / x
        };
        let denom = fk_pow
            * (1.0
                + one_minus_beta.powi(2) / 24.0 * log_fk.powi(2)
                + one_minus_beta.powi(4) / 1920.0 * log_fk.powi(4));
        let correction = 1.0
            + (one_minus_beta.powi(2) / 24.0 * alpha * alpha / fk.powf(one_minus_beta)
                + 0.25 * rho * beta * nu * alpha / fk_pow
                + (2.0 - 3.0 * rho * rho) / 24.0 * nu * nu)
                * expiry;
        alpha / denom * z_over_x * correction
    }
}

/// Sum of squared implied-volatility errors against market quotes `(strike, vol)`.
#[grad(wrt(params))]
pub fn sabr_calibration_error(
    params: &Sabr,
    forward: f64,
    expiry: f64,
    quotes: &[(f64, f64)],
) -> f64 {
    quotes
        .iter()
        .map(|&(strike, market_vol)| {
            let err = params.implied_vol(forward, strike, expiry) - market_vol;
            err * err
        })
        .sum()
}

// ---------------------------------------------------------------- swaption

/// Abramowitz–Stegun 7.1.26 coefficients.
const ERF_COEFFS: [f64; 5] = [
    0.254_829_592,
    -0.284_496_736,
    1.421_413_741,
    -1.453_152_027,
    1.061_405_429,
];

/// `erf(x)` to about 1e-7 (Abramowitz–Stegun 7.1.26).
#[grad]
pub fn erf(x: f64) -> f64 {
    let sign = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = ERF_COEFFS.iter().rev().fold(0.0, |acc, &a| acc * t + a) * t;
    sign * (1.0 - poly * (-x * x).exp())
}

/// Standard normal CDF.
#[grad]
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

/// Undiscounted Black-76 call on a forward.
#[grad]
pub fn black76_call(forward: f64, strike: f64, vol: f64, expiry: f64) -> f64 {
    let sd = vol * expiry.sqrt();
    let d1 = ((forward / strike).ln() + 0.5 * sd * sd) / sd;
    let d2 = d1 - sd;
    forward * norm_cdf(d1) - strike * norm_cdf(d2)
}

/// Continuously compounded zero rate at `t`, linear between pillars and flat outside.
#[grad(wrt(zeros))]
pub fn zero_rate(pillars: &[f64], zeros: &[f64], t: f64) -> f64 {
    // first written:
    //     if t <= pillars[0] {
    //         return zeros[0];
    //     }
    //     match pillars.windows(2).position(|w| t <= w[1]) {
    //         Some(i) => {
    //             let w = (t - pillars[i]) / (pillars[i + 1] - pillars[i]);
    //             zeros[i] * (1.0 - w) + zeros[i + 1] * w
    //         }
    //         None => zeros[zeros.len() - 1],
    //     }
    // rejected at 4d10a14: "unsupported array method `windows` in #[grad] fn; arrays
    // support indexing, …" at `windows` (a `match` on the `Option` of `position`). The
    // `None` case tested first and `unwrap_or` instead:
    let last = pillars.len() - 1;
    if t <= pillars[0] {
        return zeros[0];
    }
    if t > pillars[last] {
        return zeros[last];
    }
    let i = pillars
        .windows(2)
        .position(|w| t <= w[1])
        .unwrap_or(last - 1);
    let w = (t - pillars[i]) / (pillars[i + 1] - pillars[i]);
    zeros[i] * (1.0 - w) + zeros[i + 1] * w
}

/// Discount factor to `t`.
#[grad(wrt(zeros))]
pub fn discount(pillars: &[f64], zeros: &[f64], t: f64) -> f64 {
    (-zero_rate(pillars, zeros, t) * t).exp()
}

/// Price of a payer swaption (semi-annual fixed leg) under Black-76 on the forward swap
/// rate, off a zero curve given at `pillars`.
#[grad(wrt(zeros, vol))]
pub fn payer_swaption(
    pillars: &[f64],
    zeros: &[f64],
    expiry: f64,
    tenor: f64,
    strike: f64,
    vol: f64,
) -> f64 {
    let periods = (tenor * 2.0).round() as usize;
    let annuity: f64 = (1..=periods)
        .map(|i| 0.5 * discount(pillars, zeros, expiry + 0.5 * i as f64))
        .sum();
    let forward =
        (discount(pillars, zeros, expiry) - discount(pillars, zeros, expiry + tenor)) / annuity;
    annuity * black76_call(forward, strike, vol, expiry)
}

// ---------------------------------------------------------------- CDS calibration

/// A quoted CDS: maturity in years and par spread (as a rate, 0.01 = 100 bp).
#[derive(Clone, Copy, Debug)]
pub struct CdsQuote {
    pub maturity: f64,
    pub spread: f64,
}

/// Survival probability to `t` under hazard rates piecewise constant between the
/// `knots` (flat after the last).
#[grad(wrt(hazards))]
pub fn survival(hazards: &[f64], knots: &[f64], t: f64) -> f64 {
    let mut integral = 0.0;
    let mut prev = 0.0;
    for (&knot, &h) in knots.iter().zip(hazards) {
        if t <= knot {
            integral += h * (t - prev);
            return (-integral).exp();
        }
        integral += h * (knot - prev);
        prev = knot;
    }
    integral += hazards[hazards.len() - 1] * (t - prev);
    (-integral).exp()
}

/// Squared par-spread errors (in bp²) of a hazard curve whose knots are the quotes'
/// maturities, with quarterly premiums, default settled at the end of the quarter.
#[grad(wrt(hazards))]
pub fn cds_calibration_error(
    hazards: &[f64],
    quotes: &[CdsQuote],
    rate: f64,
    recovery: f64,
) -> f64 {
    let knots: Vec<f64> = quotes.iter().map(|q| q.maturity).collect();
    let mut error = 0.0;
    for q in quotes {
        let periods = (q.maturity * 4.0).round() as usize;
        let mut premium = 0.0;
        let mut protection = 0.0;
        let mut s_prev = 1.0;
        for i in 1..=periods {
            let t = 0.25 * i as f64;
            let df = (-rate * t).exp();
            let s = survival(hazards, &knots, t);
            premium += 0.25 * df * s;
            protection += df * (s_prev - s);
            s_prev = s;
        }
        let model_spread = (1.0 - recovery) * protection / premium;
        error += ((model_spread - q.spread) * 1e4).powi(2);
    }
    error
}

// ---------------------------------------------------------------- Almgren–Chriss

/// Market impact and risk parameters of an execution problem.
#[derive(Clone, Copy, Debug)]
pub struct Market {
    pub sigma: f64,
    /// Temporary impact per unit trading rate.
    pub eta: f64,
    /// Permanent impact per share.
    pub gamma: f64,
    pub risk_aversion: f64,
    /// Length of a trading interval.
    pub tau: f64,
}

/// Almgren–Chriss mean-variance cost of selling `initial_shares` with the trade list
/// `trades` (shares sold per interval), plus a penalty on shares left unsold.
#[grad(wrt(trades))]
pub fn execution_cost(trades: &[f64], initial_shares: f64, market: &Market) -> f64 {
    // first written:
    //     let holdings: Vec<f64> = trades
    //         .iter()
    //         .scan(initial_shares, |x, &n| {
    //             *x -= n;
    //             Some(*x)
    //         })
    //         .collect();
    // rejected at 4d10a14: "unsupported iterator adapter `scan` in #[grad] fn; the
    // supported adapters are …". A loop pushing the running holdings instead:
    let mut holdings = Vec::with_capacity(trades.len());
    let mut x = initial_shares;
    for n in trades {
        x -= n;
        holdings.push(x);
    }
    let permanent = 0.5 * market.gamma * initial_shares * initial_shares;
    let temporary: f64 = trades.iter().map(|n| market.eta / market.tau * n * n).sum();
    let variance: f64 =
        market.sigma.powi(2) * market.tau * holdings.iter().map(|x| x * x).sum::<f64>();
    let leftover = holdings.last().copied().unwrap_or(initial_shares);
    permanent + temporary + market.risk_aversion * variance + 100.0 * leftover * leftover
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r9_sabr_calibration_error() {
    let params = Sabr {
        alpha: 0.035,
        beta: 0.5,
        rho: -0.25,
        nu: 0.45,
    };
    let forward = 0.03;
    // No strike at the forward (z = 0 takes the ATM branch).
    let quotes = [
        (0.02, 0.245),
        (0.025, 0.215),
        (0.0325, 0.19),
        (0.04, 0.185),
        (0.05, 0.195),
    ];
    let mut dp = Sabr::default();
    let e = sabr_calibration_error_backward(&params, &mut dp, forward, 2.0, &quotes, 1.0);
    assert_bits(
        e,
        sabr_calibration_error(&params, forward, 2.0, &quotes),
        "value",
    );
    assert_fd(
        |p| {
            let s = Sabr {
                alpha: p[0],
                beta: p[1],
                rho: p[2],
                nu: p[3],
            };
            sabr_calibration_error(&s, forward, 2.0, &quotes)
        },
        &[params.alpha, params.beta, params.rho, params.nu],
        &[dp.alpha, dp.beta, dp.rho, dp.nu],
    );
}

#[test]
fn r9_payer_swaption() {
    let pillars = [0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0];
    let zeros = [0.030, 0.031, 0.033, 0.034, 0.036, 0.037, 0.038];
    for (expiry, tenor, strike) in [(1.25, 5.0, 0.037), (2.0, 3.0, 0.035)] {
        let mut dz = [0.0; 7];
        let (p, dvol) =
            payer_swaption_backward(&pillars, &zeros, &mut dz, expiry, tenor, strike, 0.2, 1.0);
        assert_bits(
            p,
            payer_swaption(&pillars, &zeros, expiry, tenor, strike, 0.2),
            "value",
        );
        assert_fd(
            |q| payer_swaption(&pillars, &q[..7], expiry, tenor, strike, q[7]),
            &cat(&[&zeros, &[0.2]]),
            &cat(&[&dz, &[dvol]]),
        );
    }
}

#[test]
fn r9_cds_calibration_error() {
    let quotes = [
        CdsQuote {
            maturity: 1.0,
            spread: 0.0060,
        },
        CdsQuote {
            maturity: 3.0,
            spread: 0.0085,
        },
        CdsQuote {
            maturity: 5.0,
            spread: 0.0110,
        },
        CdsQuote {
            maturity: 7.0,
            spread: 0.0120,
        },
    ];
    let hazards = [0.012, 0.016, 0.022, 0.019];
    let mut dh = [0.0; 4];
    let e = cds_calibration_error_backward(&hazards, &mut dh, &quotes, 0.03, 0.4, 1.0);
    assert_bits(
        e,
        cds_calibration_error(&hazards, &quotes, 0.03, 0.4),
        "value",
    );
    assert_fd(
        |p| cds_calibration_error(p, &quotes, 0.03, 0.4),
        &hazards,
        &dh,
    );
}

#[test]
fn r9_execution_cost() {
    let market = Market {
        sigma: 0.3,
        eta: 0.05,
        gamma: 0.01,
        risk_aversion: 0.2,
        tau: 0.5,
    };
    let trades = [3.0, 2.5, 1.8, 1.2, 0.9, 0.4];
    let mut dt = [0.0; 6];
    let c = execution_cost_backward(&trades, &mut dt, 10.0, &market, 1.0);
    assert_bits(c, execution_cost(&trades, 10.0, &market), "value");
    assert_fd(|p| execution_cost(p, 10.0, &market), &trades, &dt);
}
