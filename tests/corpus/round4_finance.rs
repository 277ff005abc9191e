//! Round 4, finance: written as a quant writes Rust, before reading the support
//! table (a hedging simulation over `windows(2)` with a closure for the normal
//! CDF, a Heston path with a parameter struct destructured, a bootstrapped curve
//! as a `Vec` result, risk parity over a covariance of `Vec` rows, a bond struct
//! with a pricing method and Kahan summation).
#![allow(clippy::ptr_arg)]

use autodiff::{grad, Tangent};

/// P&L of delta-hedging a short call along a given price path, rebalanced at each
/// step with the Black–Scholes delta at volatility `sigma`.
#[grad(wrt(sigma, premium))]
pub fn hedge_pnl(
    path: &[f64],
    strike: f64,
    maturity: f64,
    r: f64,
    sigma: f64,
    premium: f64,
) -> f64 {
    let norm_cdf = |x: f64| 0.5 * (1.0 + libm::erf(x / std::f64::consts::SQRT_2));
    let n = path.len() - 1;
    let dt = maturity / n as f64;
    let mut cash = premium;
    let mut shares = 0.0;
    for (i, w) in path.windows(2).enumerate() {
        let tau = maturity - i as f64 * dt;
        let d1 = ((w[0] / strike).ln() + (r + 0.5 * sigma * sigma) * tau) / (sigma * tau.sqrt());
        let delta = norm_cdf(d1);
        cash -= (delta - shares) * w[0];
        shares = delta;
        cash *= (r * dt).exp();
    }
    // First attempt rejected at 1812d67 ("unsupported array method `last` in #[grad]
    // fn; …"); accepted as first written since db76099.
    let s_t = *path.last().unwrap();
    cash + shares * s_t - (s_t - strike).max(0.0)
}

#[derive(Tangent, Clone, Copy, Debug)]
pub struct Heston {
    pub kappa: f64,
    pub theta: f64,
    pub xi: f64,
    pub rho: f64,
    pub v0: f64,
}

/// Discounted call payoff along one Euler path of the Heston model (full truncation),
/// the normals fixed (common random numbers).
#[grad(wrt(params))]
pub fn heston_call_path(
    params: &Heston,
    s0: f64,
    strike: f64,
    r: f64,
    t: f64,
    z1: &[f64],
    z2: &[f64],
) -> f64 {
    let n = z1.len();
    let dt = t / n as f64;
    let sq = dt.sqrt();
    // First attempt rejected at 1812d67 ("unsupported pattern in #[grad] body; bind a
    // plain name (`let x = ...`) or a tuple of names"; it was a tuple of the fields);
    // accepted as first written since 3d0c484.
    let Heston {
        kappa,
        theta,
        xi,
        rho,
        v0,
    } = *params;
    let mut ln_s = s0.ln();
    let mut v = v0;
    for (&a, &b) in z1.iter().zip(z2) {
        let vp = v.max(0.0);
        let zv = rho * a + (1.0 - rho * rho).sqrt() * b;
        ln_s += (r - 0.5 * vp) * dt + vp.sqrt() * sq * a;
        v += kappa * (theta - vp) * dt + xi * vp.sqrt() * sq * zv;
    }
    (-r * t).exp() * (ln_s.exp() - strike).max(0.0)
}

/// Zero rates bootstrapped from annual par swap rates (annual fixed leg).
#[grad]
pub fn bootstrap_zeros(par: &[f64]) -> Vec<f64> {
    let mut dfs: Vec<f64> = Vec::with_capacity(par.len());
    for &s in par {
        let annuity: f64 = dfs.iter().sum();
        dfs.push((1.0 - s * annuity) / (1.0 + s));
    }
    dfs.iter()
        .enumerate()
        .map(|(i, df)| -df.ln() / (i + 1) as f64)
        .collect()
}

/// Risk-parity objective: squared deviations of each asset's risk contribution from
/// an equal share; weights are the softmax of unconstrained logits.
#[grad(wrt(logits))]
pub fn risk_parity(logits: &[f64], cov: &[Vec<f64>]) -> f64 {
    let m = logits.iter().cloned().fold(f64::MIN, f64::max);
    let e: Vec<f64> = logits.iter().map(|l| (l - m).exp()).collect();
    let z: f64 = e.iter().sum();
    let w: Vec<f64> = e.iter().map(|x| x / z).collect();
    let sigma_w: Vec<f64> = cov
        .iter()
        .map(|row| row.iter().zip(&w).map(|(c, wi)| c * wi).sum())
        .collect();
    let var: f64 = w.iter().zip(&sigma_w).map(|(a, b)| a * b).sum();
    let target = var / w.len() as f64;
    w.iter()
        .zip(&sigma_w)
        .map(|(wi, sw)| (wi * sw - target).powi(2))
        .sum::<f64>()
        * 1e4
}

/// A fixed-coupon bullet bond.
pub struct Bond {
    pub face: f64,
    pub coupon_rate: f64,
    pub years: u32,
    pub freq: u32,
}

impl Bond {
    /// Price at yield `y` (compounded `freq` times a year), summed with Kahan's
    /// compensated summation.
    #[grad(wrt(y))]
    pub fn price(&self, y: f64) -> f64 {
        // First attempt rejected at 1812d67: `for i in 1..=n` gave "range bounds must be
        // integers" (a `u32` product of fields of a struct without `Tangent`); accepted as
        // first written since db76099.
        let n = self.years * self.freq;
        let f = self.freq as f64;
        let cpn = self.face * self.coupon_rate / f;
        let disc = 1.0 / (1.0 + y / f);
        let mut sum = 0.0;
        let mut comp = 0.0;
        let mut df = 1.0;
        for i in 1..=n {
            df *= disc;
            let cf = if i == n { cpn + self.face } else { cpn };
            let term = cf * df - comp;
            let t = sum + term;
            comp = (t - sum) - term;
            sum = t;
        }
        sum
    }
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r4_hedge_pnl() {
    let path = [100.0, 101.5, 99.8, 102.3, 103.1, 101.9, 104.2, 105.0];
    let (strike, maturity, r) = (102.0, 0.25, 0.03);
    for (sigma, premium) in [(0.2, 3.5), (0.35, 5.0)] {
        let (pnl, ds, dp) = hedge_pnl_backward(&path, strike, maturity, r, sigma, premium, 1.0);
        assert_bits(
            pnl,
            hedge_pnl(&path, strike, maturity, r, sigma, premium),
            "value",
        );
        assert_fd(
            |p| hedge_pnl(&path, strike, maturity, r, p[0], p[1]),
            &[sigma, premium],
            &[ds, dp],
        );
    }
}

fn heston(p: &[f64]) -> Heston {
    Heston {
        kappa: p[0],
        theta: p[1],
        xi: p[2],
        rho: p[3],
        v0: p[4],
    }
}

#[test]
fn r4_heston_call_path() {
    let z1 = [0.3, -1.1, 0.8, 0.2, -0.4, 1.3, 0.5, -0.2];
    let z2 = [-0.6, 0.4, 1.0, -0.9, 0.1, 0.7, -1.2, 0.3];
    let p = [1.5, 0.04, 0.5, -0.7, 0.05];
    let mut dh = heston(&[0.0; 5]);
    let c = heston_call_path_backward(&heston(&p), &mut dh, 100.0, 95.0, 0.02, 1.0, &z1, &z2, 1.0);
    assert_bits(
        c,
        heston_call_path(&heston(&p), 100.0, 95.0, 0.02, 1.0, &z1, &z2),
        "value",
    );
    assert!(c > 0.0, "in the money on this path: {c}");
    assert_fd(
        |q| heston_call_path(&heston(q), 100.0, 95.0, 0.02, 1.0, &z1, &z2),
        &p,
        &[dh.kappa, dh.theta, dh.xi, dh.rho, dh.v0],
    );
}

#[test]
fn r4_bootstrap_zeros() {
    let par = [0.02, 0.025, 0.028, 0.031, 0.033];
    let c = [1.0, -0.5, 2.0, 0.3, -1.2];
    let mut dpar = [0.0; 5];
    let z = bootstrap_zeros_backward(&par, &mut dpar, &c);
    let want = bootstrap_zeros(&par);
    for (a, b) in z.iter().zip(&want) {
        assert_bits(*a, *b, "zero rate");
    }
    // The one-year zero rate of annual compounding at par: -ln(1 / (1 + s)).
    assert_near(z[0], (1.0f64 + 0.02).ln(), 1e-15, "first zero rate");
    assert_fd(|p| dot(&bootstrap_zeros(p), &c), &par, &dpar);
}

#[test]
fn r4_risk_parity() {
    let cov = vec![
        vec![0.04, 0.006, 0.002],
        vec![0.006, 0.09, -0.01],
        vec![0.002, -0.01, 0.0225],
    ];
    let logits = [0.2, -0.4, 0.5];
    let mut dl = [0.0; 3];
    let v = risk_parity_backward(&logits, &mut dl, &cov, 1.0);
    assert_bits(v, risk_parity(&logits, &cov), "value");
    assert_fd(|p| risk_parity(p, &cov), &logits, &dl);
}

#[test]
fn r4_bond_price() {
    let bond = Bond {
        face: 100.0,
        coupon_rate: 0.05,
        years: 10,
        freq: 2,
    };
    for y in [0.03, 0.05, 0.07] {
        let (p, dy) = bond.price_backward(y, 1.0);
        assert_bits(p, bond.price(y), "value");
        assert_fd(|q| bond.price(q[0]), &[y], &[dy]);
    }
    // At a yield equal to the coupon the bond prices at par.
    assert_near(bond.price(0.05), 100.0, 1e-9, "par");
}
