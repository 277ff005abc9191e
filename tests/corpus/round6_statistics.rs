//! Round 6, statistics: written as a statistician writes Rust, before reading the
//! support table (a negative binomial likelihood over a Lanczos `ln_gamma` with a
//! `const` coefficient table, Tukey's biweight regression loss with an early `return`
//! in a closure, an AR(2) likelihood over `windows(3)`, a zero-inflated Poisson with a
//! `match` on the count and a plain integer helper).
#![allow(clippy::ptr_arg)]

use autodiff::grad;
use std::f64::consts::PI;

/// Lanczos coefficients for `g = 7`, `n = 9`.
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// `ln Γ(x)` for `x > 0.5` by the Lanczos approximation.
#[grad]
pub fn ln_gamma(x: f64) -> f64 {
    let x = x - 1.0;
    let mut a = LANCZOS[0];
    let t = x + 7.5;
    for (i, &c) in LANCZOS.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Negative log-likelihood of counts under a negative binomial with mean `mu` and
/// dispersion `alpha` (variance `mu + alpha mu²`).
#[grad(wrt(mu, alpha))]
pub fn neg_binomial_nll(mu: f64, alpha: f64, ys: &[u32]) -> f64 {
    let r = 1.0 / alpha;
    ys.iter()
        .map(|&y| {
            let y = y as f64;
            // As first written, accepted since 1ccc7c2 (a user's own `#[grad]` function
            // named like a primitive, called bare below it in the same file, is that
            // function): rejected at 7cb23e9, d4b6ca5, 5e8c305 and 1ccc7c2's parent
            // 8430b27 with E0308 "expected fn item `{round6_statistics::ln_gamma}`, found
            // fn item `{autodiff::ln_gamma::<f64>}`" (a bare name was autodiff's
            // primitive). The rewrite called `self::ln_gamma(…)`.
            -(ln_gamma(y + r) - ln_gamma(r) - ln_gamma(y + 1.0)
                + r * (r / (r + mu)).ln()
                + y * (mu / (r + mu)).ln())
        })
        .sum()
}

/// Tukey's biweight (bisquare) loss of the residuals of a linear model with tuning
/// constant `c`: `c²/6 (1 - (1 - (r/c)²)³)` for `|r| < c`, `c²/6` beyond.
#[grad(wrt(beta))]
pub fn tukey_biweight_loss(beta: &[f64], x: &[Vec<f64>], y: &[f64], c: f64) -> f64 {
    // As first written, accepted since 106cba1 (rejected at 7cb23e9 and at 106cba1's
    // parent bc509c9: "`return` from a loop inside a block expression is not supported in
    // #[grad] bodies; …", a `return` in a closure). The rewrite made the tail an
    // `if … else`.
    let rho = |r: f64| -> f64 {
        if r.abs() >= c {
            return c * c / 6.0;
        }
        let u = 1.0 - (r / c).powi(2);
        c * c / 6.0 * (1.0 - u * u * u)
    };
    x.iter()
        .zip(y)
        .map(|(xi, &yi)| {
            let pred: f64 = xi.iter().zip(beta).map(|(a, b)| a * b).sum();
            rho(yi - pred)
        })
        .sum()
}

/// Conditional Gaussian log-likelihood of an AR(2) series
/// `x_t = c + φ₁ x_{t-1} + φ₂ x_{t-2} + ε_t`, `ε ~ N(0, σ²)`, given the first two values.
#[grad(wrt(c, phi, sigma))]
pub fn ar2_loglik(c: f64, phi: [f64; 2], sigma: f64, xs: &[f64]) -> f64 {
    let n = (xs.len() - 2) as f64;
    let ss: f64 = xs
        .windows(3)
        .map(|w| {
            let e = w[2] - c - phi[0] * w[1] - phi[1] * w[0];
            e * e
        })
        .sum();
    -0.5 * n * (2.0 * PI * sigma * sigma).ln() - ss / (2.0 * sigma * sigma)
}

/// `ln k!`.
fn ln_factorial(k: u64) -> f64 {
    (1..=k).map(|i| (i as f64).ln()).sum()
}

/// Negative log-likelihood of counts under a zero-inflated Poisson: a structural zero
/// with probability `π = sigmoid(logit_pi)`, else Poisson with rate `exp(log_lambda)`.
#[grad(wrt(logit_pi, log_lambda))]
pub fn zip_nll(logit_pi: f64, log_lambda: f64, ys: &[u64]) -> f64 {
    let pi = 1.0 / (1.0 + (-logit_pi).exp());
    let lambda = log_lambda.exp();
    let mut nll = 0.0;
    for &y in ys {
        nll -= match y {
            0 => (pi + (1.0 - pi) * (-lambda).exp()).ln(),
            k => (1.0 - pi).ln() + k as f64 * log_lambda - lambda - ln_factorial(k),
        };
    }
    nll
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r6_neg_binomial_nll() {
    // ln Γ(5) = ln 24 (Lanczos is good to ~1e-15 relative).
    assert_near(ln_gamma(5.0), 24f64.ln(), 1e-12, "ln Γ(5)");
    let ys = [0, 3, 1, 7, 2, 0, 5, 12, 4];
    for (mu, alpha) in [(3.5, 0.4), (2.0, 1.5)] {
        let (l, dmu, dalpha) = neg_binomial_nll_backward(mu, alpha, &ys, 1.0);
        assert_bits(l, neg_binomial_nll(mu, alpha, &ys), "value");
        assert_fd(
            |p| neg_binomial_nll(p[0], p[1], &ys),
            &[mu, alpha],
            &[dmu, dalpha],
        );
    }
}

#[test]
fn r6_tukey_biweight_loss() {
    let x = vec![
        vec![1.0, 0.5],
        vec![1.0, -1.2],
        vec![1.0, 2.0],
        vec![1.0, 0.1],
        vec![1.0, 1.4],
    ];
    // The third observation is an outlier, beyond `c` of the fit: it adds a constant.
    let y = [1.3, -0.1, 9.0, 0.9, 1.8];
    let beta = [0.8, 0.6];
    let mut db = [0.0; 2];
    let l = tukey_biweight_loss_backward(&beta, &mut db, &x, &y, 2.5, 1.0);
    assert_bits(l, tukey_biweight_loss(&beta, &x, &y, 2.5), "value");
    assert_fd(|b| tukey_biweight_loss(b, &x, &y, 2.5), &beta, &db);
}

#[test]
fn r6_ar2_loglik() {
    let xs = [0.3, 0.5, 0.2, 0.9, 0.7, 1.1, 0.6, 0.4, 0.8, 1.0, 0.5];
    let (c, phi, sigma) = (0.2, [0.5, -0.2], 0.4);
    let (ll, dc, dphi, ds) = ar2_loglik_backward(c, phi, sigma, &xs, 1.0);
    assert_bits(ll, ar2_loglik(c, phi, sigma, &xs), "value");
    assert_fd(
        |p| ar2_loglik(p[0], arr(&p[1..3]), p[3], &xs),
        &cat(&[&[c], &phi, &[sigma]]),
        &cat(&[&[dc], &dphi, &[ds]]),
    );
}

#[test]
fn r6_zip_nll() {
    let ys = [0, 0, 2, 0, 1, 4, 0, 3, 0, 1];
    let (lp, ll) = (-0.3, 0.6);
    let (l, dlp, dll) = zip_nll_backward(lp, ll, &ys, 1.0);
    assert_bits(l, zip_nll(lp, ll, &ys), "value");
    assert_fd(|p| zip_nll(p[0], p[1], &ys), &[lp, ll], &[dlp, dll]);
}
