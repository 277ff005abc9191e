//! Round 8, finance: written as a quant writes Rust, before reading the support table
//! (a Heston Monte Carlo price on fixed shocks, a Nelson-Siegel curve fit, the
//! Rockafellar-Uryasev CVaR objective, Black-Scholes prices whose gradient is the Greeks).

use autodiff::{grad, Tangent};
use std::f64::consts::SQRT_2;

/// Heston stochastic-volatility parameters (mean reversion, long-run variance, vol of
/// vol, correlation, initial variance).
#[derive(Clone, Copy, Debug, Tangent)]
pub struct Heston {
    pub kappa: f64,
    pub theta: f64,
    pub xi: f64,
    pub rho: f64,
    pub v0: f64,
}

/// Monte Carlo price of a European call under Heston, full-truncation Euler on the log
/// price, on given standard normal shock pairs (one `Vec` per path).
// As first written, accepted since 8e522dc (a tuple pattern over a row of data of unseen
// shape): rejected at 520f6f4 and at 8e522dc's parent 1ccc7c2 with "this tuple pattern
// does not match the value's shape" (at `&(z1, z2)`; `for z in path` with `z.0`, or
// `path[j].0`, gave E0508 "cannot move out of type `[Vec<(f64, f64)>]`" in the generated
// code at 520f6f4). The rewrite took the pairs as arrays (`shocks: &[Vec<[f64; 2]>]`,
// `for &[z1, z2] in path`).
#[grad(wrt(model, spot))]
pub fn heston_call_mc(
    model: &Heston,
    spot: f64,
    strike: f64,
    rate: f64,
    maturity: f64,
    shocks: &[Vec<(f64, f64)>],
) -> f64 {
    let steps = shocks[0].len();
    let dt = maturity / steps as f64;
    let sqrt_dt = dt.sqrt();
    let mut payoff_sum = 0.0;
    for path in shocks {
        let mut log_s = spot.ln();
        let mut v = model.v0;
        for &(z1, z2) in path {
            let v_pos = v.max(0.0);
            let w2 = model.rho * z1 + (1.0 - model.rho * model.rho).sqrt() * z2;
            log_s += (rate - 0.5 * v_pos) * dt + v_pos.sqrt() * sqrt_dt * z1;
            v += model.kappa * (model.theta - v_pos) * dt + model.xi * v_pos.sqrt() * sqrt_dt * w2;
        }
        payoff_sum += (log_s.exp() - strike).max(0.0);
    }
    (-rate * maturity).exp() * payoff_sum / shocks.len() as f64
}

/// A Nelson-Siegel zero curve.
#[derive(Clone, Copy, Debug, Tangent)]
pub struct NelsonSiegel {
    pub beta0: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub tau: f64,
}

impl NelsonSiegel {
    /// Zero yield at maturity `t` (years).
    #[grad]
    pub fn yield_at(&self, t: f64) -> f64 {
        let x = t / self.tau;
        let decay = (-x).exp();
        let loading = (1.0 - decay) / x;
        self.beta0 + self.beta1 * loading + self.beta2 * (loading - decay)
    }

    /// Sum of squared yield errors against observed zero yields.
    #[grad(wrt(self))]
    pub fn sse(&self, maturities: &[f64], observed: &[f64]) -> f64 {
        maturities
            .iter()
            .zip(observed)
            .map(|(&t, &y)| (self.yield_at(t) - y).powi(2))
            .sum()
    }
}

/// Rockafellar-Uryasev objective: minimised over (weights, var) it gives the CVaR at
/// level `alpha` of the portfolio loss over return scenarios.
#[grad(wrt(weights, var))]
pub fn cvar_objective(weights: &[f64], var: f64, scenarios: &[Vec<f64>], alpha: f64) -> f64 {
    let tail: f64 = scenarios
        .iter()
        .map(|r| {
            let loss = -weights.iter().zip(r).map(|(w, ri)| w * ri).sum::<f64>();
            (loss - var).max(0.0)
        })
        .sum();
    var + tail / ((1.0 - alpha) * scenarios.len() as f64)
}

/// Call or put.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Call,
    Put,
}

/// The standard normal CDF.
#[grad]
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * (1.0 + libm::erf(x / SQRT_2))
}

/// Black-Scholes price; its gradient is (delta, rho, vega, -theta).
#[grad(wrt(spot, rate, vol, maturity))]
pub fn black_scholes(
    kind: OptionKind,
    spot: f64,
    strike: f64,
    rate: f64,
    vol: f64,
    maturity: f64,
) -> f64 {
    let sqrt_t = maturity.sqrt();
    let d1 = ((spot / strike).ln() + (rate + 0.5 * vol * vol) * maturity) / (vol * sqrt_t);
    let d2 = d1 - vol * sqrt_t;
    let df = (-rate * maturity).exp();
    match kind {
        OptionKind::Call => spot * norm_cdf(d1) - strike * df * norm_cdf(d2),
        OptionKind::Put => strike * df * norm_cdf(-d2) - spot * norm_cdf(-d1),
    }
}

// ---------------------------------------------------------------- tests

use crate::common::*;

/// Deterministic standard normal pairs (an LCG and Box-Muller).
fn normal_pairs(paths: usize, steps: usize, seed: u64) -> Vec<Vec<(f64, f64)>> {
    let mut state = seed;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    (0..paths)
        .map(|_| {
            (0..steps)
                .map(|_| {
                    let (u1, u2) = (uniform(), uniform());
                    let r = (-2.0 * u1.ln()).sqrt();
                    let a = 2.0 * std::f64::consts::PI * u2;
                    (r * a.cos(), r * a.sin())
                })
                .collect()
        })
        .collect()
}

#[test]
fn r8_heston_call_mc() {
    let model = Heston {
        kappa: 1.5,
        theta: 0.04,
        xi: 0.25,
        rho: -0.6,
        v0: 0.05,
    };
    let shocks = normal_pairs(24, 12, 7);
    let mut dm = <Heston as Tangent>::zero();
    let (price, dspot) =
        heston_call_mc_backward(&model, &mut dm, 100.0, 100.0, 0.02, 1.0, &shocks, 1.0);
    assert_bits(
        price,
        heston_call_mc(&model, 100.0, 100.0, 0.02, 1.0, &shocks),
        "value",
    );
    assert!(
        price > 1.0,
        "an at-the-money call is worth something: {price}"
    );
    assert_fd(
        |p| {
            let m = Heston {
                kappa: p[0],
                theta: p[1],
                xi: p[2],
                rho: p[3],
                v0: p[4],
            };
            heston_call_mc(&m, p[5], 100.0, 0.02, 1.0, &shocks)
        },
        &[1.5, 0.04, 0.25, -0.6, 0.05, 100.0],
        &[dm.kappa, dm.theta, dm.xi, dm.rho, dm.v0, dspot],
    );
}

#[test]
fn r8_nelson_siegel_sse() {
    let curve = NelsonSiegel {
        beta0: 0.04,
        beta1: -0.02,
        beta2: 0.01,
        tau: 1.8,
    };
    let maturities = [0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0];
    let observed = [0.021, 0.023, 0.026, 0.030, 0.034, 0.037, 0.039];
    let mut d = <NelsonSiegel as Tangent>::zero();
    let s = curve.sse_backward(&mut d, &maturities, &observed, 1.0);
    assert_bits(s, curve.sse(&maturities, &observed), "value");
    assert_fd(
        |p| {
            NelsonSiegel {
                beta0: p[0],
                beta1: p[1],
                beta2: p[2],
                tau: p[3],
            }
            .sse(&maturities, &observed)
        },
        &[0.04, -0.02, 0.01, 1.8],
        &[d.beta0, d.beta1, d.beta2, d.tau],
    );
}

#[test]
fn r8_cvar_objective() {
    let scenarios: Vec<Vec<f64>> = (0..40)
        .map(|i| {
            let s = i as f64;
            vec![
                0.05 * (s * 1.7).sin(),
                0.08 * (s * 0.9 + 1.0).cos(),
                0.03 * (s * 2.3).sin() - 0.005,
            ]
        })
        .collect();
    let w = [0.5, 0.3, 0.2];
    let var = 0.02;
    // Away from the kinks: no scenario's loss is within 1e-4 of var.
    for r in &scenarios {
        let loss = -dot(&w, r);
        assert!((loss - var).abs() > 1e-4, "loss {loss} at the kink");
    }
    let mut dw = [0.0; 3];
    let (c, dvar) = cvar_objective_backward(&w, &mut dw, var, &scenarios, 0.9, 1.0);
    assert_bits(c, cvar_objective(&w, var, &scenarios, 0.9), "value");
    assert_fd(
        |p| cvar_objective(&p[..3], p[3], &scenarios, 0.9),
        &[0.5, 0.3, 0.2, var],
        &cat(&[&dw, &[dvar]]),
    );
}

#[test]
fn r8_black_scholes() {
    let (s, k, r, v, t) = (105.0, 100.0, 0.03, 0.25, 0.75);
    for kind in [OptionKind::Call, OptionKind::Put] {
        let (price, delta, rho, vega, dt) = black_scholes_backward(kind, s, k, r, v, t, 1.0);
        assert_bits(price, black_scholes(kind, s, k, r, v, t), "value");
        assert_fd(
            |p| black_scholes(kind, p[0], k, p[1], p[2], p[3]),
            &[s, r, v, t],
            &[delta, rho, vega, dt],
        );
        // The closed forms: delta N(d1) (call) or N(d1) - 1 (put), vega S φ(d1) √T.
        let d1 = ((s / k).ln() + (r + 0.5 * v * v) * t) / (v * t.sqrt());
        let n_d1 = 0.5 * (1.0 + libm::erf(d1 / SQRT_2));
        let want_delta = if kind == OptionKind::Call {
            n_d1
        } else {
            n_d1 - 1.0
        };
        let phi = (-0.5 * d1 * d1).exp() / (2.0 * std::f64::consts::PI).sqrt();
        assert_near(delta, want_delta, 1e-12, "delta");
        assert_near(vega, s * phi * t.sqrt(), 1e-10, "vega");
    }
}
