//! The special functions (`erf`, `erfc`, `ln_gamma`, `gamma`, `digamma`) in the
//! code that needs them: a Black–Scholes price, whose Greeks have closed forms,
//! and log-likelihoods of the Gamma and negative binomial distributions; their
//! `libm` spellings (`libm::erf(x)`, `libm::lgammaf(x)` in `f32`); their
//! gradients at the extremes and on the negative axis.

mod common;

use autodiff::grad;
use common::*;
use proptest::prelude::*;
use std::f64::consts::{PI, SQRT_2};

// ---------------------------------------------------------------- Black–Scholes

/// The standard normal CDF, `Φ(x) = erfc(−x/√2) / 2` (accurate in both tails).
#[grad]
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * autodiff::erfc(-x / SQRT_2)
}

/// The price of a European call: spot `s`, strike `k`, rate `r`, volatility
/// `sigma`, time to expiry `t`.
#[grad]
pub fn call_price(s: f64, k: f64, r: f64, sigma: f64, t: f64) -> f64 {
    let vol = sigma * t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / vol;
    let d2 = d1 - vol;
    s * norm_cdf(d1) - k * (-r * t).exp() * norm_cdf(d2)
}

/// The standard normal density.
fn phi(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / SQRT_2)
}

/// The closed-form Greeks: (delta, dC/dK, rho, vega, dC/dT).
fn greeks(s: f64, k: f64, r: f64, sigma: f64, t: f64) -> [f64; 5] {
    let vol = sigma * t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / vol;
    let d2 = d1 - vol;
    let disc = (-r * t).exp();
    [
        cdf(d1),
        -disc * cdf(d2),
        k * t * disc * cdf(d2),
        s * phi(d1) * t.sqrt(),
        s * phi(d1) * sigma / (2.0 * t.sqrt()) + r * k * disc * cdf(d2),
    ]
}

#[test]
fn black_scholes_at_the_money() {
    // S = K = 100, r = 5%, σ = 20%, T = 1: the textbook price 10.4506.
    let (c, ds, dk, dr, dsigma, dt) = call_price_backward(100.0, 100.0, 0.05, 0.2, 1.0, 1.0);
    assert_near(c, 10.450_583_572_185_565, 1e-12, "price");
    let want = greeks(100.0, 100.0, 0.05, 0.2, 1.0);
    // delta = N(d1) = N(0.35) = 0.6368…, vega = S φ(d1) √T = 37.52…
    assert_near(ds, 0.636_830_651_175_619, 1e-12, "delta");
    assert_near(dsigma, 37.524_034_691_693_8, 1e-12, "vega");
    assert_all_near(&[ds, dk, dr, dsigma, dt], &want, 1e-12, "greeks");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn black_scholes_greeks_match_closed_forms_and_differences(
        s in 50.0f64..150.0,
        k in 50.0f64..150.0,
        r in 0.0f64..0.1,
        sigma in 0.05f64..0.8,
        t in 0.05f64..3.0,
        d in cotangent(),
    ) {
        let (c, ds, dk, dr, dsigma, dt) = call_price_backward(s, k, r, sigma, t, d);
        prop_assert_eq!(c.to_bits(), call_price(s, k, r, sigma, t).to_bits());
        let want = greeks(s, k, r, sigma, t).map(|g| d * g);
        prop_all_near(&[ds, dk, dr, dsigma, dt], &want, 1e-10, "greeks")?;
        prop_fd(
            |p| d * call_price(p[0], p[1], p[2], p[3], p[4]),
            &[s, k, r, sigma, t],
            &[ds, dk, dr, dsigma, dt],
        )?;
    }

    #[test]
    fn normal_cdf_derivative_is_the_density(x in -30.0f64..30.0) {
        let (v, dx) = norm_cdf_backward(x, 1.0);
        prop_assert_eq!(v.to_bits(), cdf(x).to_bits());
        // (relative 1e-12: x²/2 carries a rounding error of its own into the
        // exponent, ~1e-16 x² relative in the result)
        let want = phi(x);
        prop_assert!((dx - want).abs() <= 1e-12 * want, "{} vs {}", dx, want);
    }
}

// ---------------------------------------------------------------- log-likelihoods

/// The log-likelihood of Gamma(shape `alpha`, rate `beta`) for the data `x`.
#[grad(wrt(alpha, beta))]
pub fn gamma_loglik(alpha: f64, beta: f64, x: &[f64; 6]) -> f64 {
    let mut ll = 0.0;
    for xi in x.iter() {
        ll += alpha * beta.ln() - autodiff::ln_gamma(alpha) + (alpha - 1.0) * xi.ln() - beta * xi;
    }
    ll
}

/// The log-likelihood of a negative binomial (`r` failures, success
/// probability `p`) for counts `k`: `ln Γ(k + r) − ln Γ(k + 1) − ln Γ(r) + …`,
/// as statistics code writes it, through `libm::lgamma`.
#[grad(wrt(r, p))]
pub fn negbin_loglik(r: f64, p: f64, k: &[f64; 5]) -> f64 {
    let mut ll = 0.0;
    for ki in k.iter() {
        ll += libm::lgamma(ki + r) - libm::lgamma(ki + 1.0) - libm::lgamma(r)
            + ki * p.ln()
            + r * (1.0 - p).ln();
    }
    ll
}

const DATA: [f64; 6] = [0.3, 1.2, 2.5, 0.8, 4.1, 1.7];
const COUNTS: [f64; 5] = [0.0, 3.0, 7.0, 1.0, 12.0];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gamma_loglik_gradient(alpha in 0.2f64..8.0, beta in 0.1f64..5.0, d in cotangent()) {
        let (v, da, db) = gamma_loglik_backward(alpha, beta, &DATA, d);
        prop_assert_eq!(v.to_bits(), gamma_loglik(alpha, beta, &DATA).to_bits());
        // closed forms: n ln β − n ψ(α) + Σ ln x, and n α / β − Σ x
        let n = DATA.len() as f64;
        let sum_ln: f64 = DATA.iter().map(|x| x.ln()).sum();
        let sum: f64 = DATA.iter().sum();
        let want = [
            d * (n * beta.ln() - n * autodiff::digamma(alpha) + sum_ln),
            d * (n * alpha / beta - sum),
        ];
        prop_all_near(&[da, db], &want, 1e-12, "score")?;
        prop_fd(|p| d * gamma_loglik(p[0], p[1], &DATA), &[alpha, beta], &[da, db])?;
    }

    #[test]
    fn negbin_loglik_gradient(r in 0.2f64..10.0, p in 0.05f64..0.95, d in cotangent()) {
        let (v, dr, dp) = negbin_loglik_backward(r, p, &COUNTS, d);
        prop_assert_eq!(v.to_bits(), negbin_loglik(r, p, &COUNTS).to_bits());
        prop_fd(|q| d * negbin_loglik(q[0], q[1], &COUNTS), &[r, p], &[dr, dp])?;
    }
}

// ---------------------------------------------------------------- libm spellings

#[grad]
pub fn by_libm(x: f64) -> f64 {
    libm::erf(x) * libm::erfc(0.5 * x) + libm::lgamma(x) - libm::tgamma(x)
}

#[grad]
pub fn by_autodiff(x: f64) -> f64 {
    autodiff::erf(x) * autodiff::erfc(0.5 * x) + autodiff::ln_gamma(x) - autodiff::gamma(x)
}

#[grad]
pub fn by_libm_f32(x: f32) -> f32 {
    libm::erff(x) * libm::erfcf(0.5 * x) + libm::lgammaf(x) - libm::tgammaf(x)
}

#[grad]
pub fn generic<T: autodiff::Real>(x: T) -> T {
    autodiff::erf(x) * autodiff::erfc(T::from_f64(0.5) * x) + autodiff::ln_gamma(x)
        - autodiff::gamma(x)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn libm_and_autodiff_spellings_are_the_same_primitives(x in 0.1f64..6.0, d in cotangent()) {
        let a = by_libm_backward(x, d);
        let b = by_autodiff_backward(x, d);
        prop_assert_eq!(a.0.to_bits(), by_libm(x).to_bits());
        prop_assert_eq!((a.0.to_bits(), a.1.to_bits()), (b.0.to_bits(), b.1.to_bits()));
        let g = generic_backward(x, d);
        prop_assert_eq!((a.0.to_bits(), a.1.to_bits()), (g.0.to_bits(), g.1.to_bits()));
        prop_fd(|p| d * by_libm(p[0]), &[x], &[a.1])?;
    }

    #[test]
    fn f32_spellings(x in 0.5f32..4.0) {
        let (v, dx) = by_libm_f32_backward(x, 1.0);
        prop_assert_eq!(v.to_bits(), by_libm_f32(x).to_bits());
        let (_, want) = by_libm_backward(x as f64, 1.0);
        prop_assert!((dx as f64 - want).abs() <= 1e-4 * want.abs().max(1.0), "{} vs {}", dx, want);
    }
}

// ---------------------------------------------------------------- extremes and the negative axis

#[grad]
fn erf1(x: f64) -> f64 {
    autodiff::erf(x)
}

#[grad]
fn erfc1(x: f64) -> f64 {
    autodiff::erfc(x)
}

#[grad]
fn ln_gamma1(x: f64) -> f64 {
    autodiff::ln_gamma(x)
}

#[grad]
fn gamma1(x: f64) -> f64 {
    autodiff::gamma(x)
}

#[grad]
fn digamma1(x: f64) -> f64 {
    autodiff::digamma(x)
}

#[test]
fn error_functions_saturate_with_zero_gradient() {
    for x in [30.0, -30.0, 1e300, -1e300, f64::INFINITY, f64::NEG_INFINITY] {
        let (v, dx) = erf1_backward(x, 1.0);
        assert_eq!(v, x.signum(), "erf({x})");
        assert_eq!(dx, 0.0, "erf'({x})");
        let (v, dx) = erfc1_backward(x, 1.0);
        assert_eq!(v, 1.0 - x.signum(), "erfc({x})");
        assert_eq!(dx, 0.0, "erfc'({x})");
    }
    // at the origin: 2/√π
    assert_near(erf1_backward(0.0, 1.0).1, 2.0 / PI.sqrt(), 1e-15, "erf'(0)");
}

#[test]
fn ln_gamma_has_finite_gradients_for_large_x() {
    for x in [1e3, 1e6, 1e15, 1e300] {
        let (v, dx) = ln_gamma1_backward(x, 1.0);
        assert!(v.is_finite() && dx.is_finite(), "ln_gamma({x}) = {v}, {dx}");
        // ψ(x) = ln x − 1/(2x) − 1/(12x²) + O(x⁻⁴)
        assert_near(
            dx,
            x.ln() - 0.5 / x - 1.0 / (12.0 * x * x),
            1e-14,
            "ψ(x) for large x",
        );
        let (_, dd) = digamma1_backward(x, 1.0);
        assert!(dd.is_finite() && dd > 0.0, "ψ'({x}) = {dd}");
    }
    // Γ(171) ≈ 7.3e306 and its derivative Γ ψ ≈ 3.7e307 are still finite.
    let (v, dx) = gamma1_backward(171.0, 1.0);
    assert!(v.is_finite() && dx.is_finite(), "Γ(171) = {v}, {dx}");
}

/// `ln_gamma` is `ln |Γ(x)|` (libm's `lgamma`): on the negative axis its
/// derivative is still `ψ(x)`.
#[test]
fn ln_gamma_on_the_negative_axis() {
    const PSI_HALF: f64 = -1.963_510_026_021_423_5; // −γ − 2 ln 2
    for (x, psi) in [
        (-0.5, PSI_HALF + 2.0),
        (-2.5, PSI_HALF + 2.0 + 2.0 / 3.0 + 0.4),
    ] {
        let (v, dx) = ln_gamma1_backward(x, 1.0);
        assert_bits(v, libm::lgamma(x), "ln |Γ(x)|");
        assert_near(dx, psi, 1e-13, "ψ(x), x < 0");
        assert_fd(|p| ln_gamma1(p[0]), &[x], &[dx]);
        // Γ itself changes sign there: Γ'(x) = Γ(x) ψ(x)
        let (g, dg) = gamma1_backward(x, 1.0);
        assert_near(dg, g * psi, 1e-13, "Γ'(x), x < 0");
        assert_fd(|p| gamma1(p[0]), &[x], &[dg]);
    }
}

/// At the poles the values are infinite and the derivatives not finite: no
/// finite but wrong gradient.
#[test]
fn poles_give_no_finite_gradient() {
    for x in [0.0, -1.0, -2.0] {
        let (v, dx) = ln_gamma1_backward(x, 1.0);
        assert_eq!(v, f64::INFINITY, "ln_gamma({x})");
        assert!(!dx.is_finite(), "ln_gamma'({x}) = {dx}");
        let (_, dx) = digamma1_backward(x, 1.0);
        assert!(!dx.is_finite(), "digamma'({x}) = {dx}");
    }
}
