//! Helpers shared by the gradient-correctness tests (`methods`, `conventions`,
//! `constructs`, `generic`).
#![allow(dead_code)]

use autodiff::{check_gradient_with, GradientCheck, GradientCheckOptions};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Cases per property: 64 (or `PROPTEST_CASES` when set, for a longer run);
/// no failure files written next to the sources.
pub fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Tolerances of the f64 gradient checks: central differences with the default
/// step (`cbrt(eps) * max(1, |x|)`), relative error 1e-6, absolute 1e-8.
pub fn f64_tol() -> GradientCheckOptions {
    GradientCheckOptions {
        rel_tol: 1e-6,
        abs_tol: 1e-8,
        ..GradientCheckOptions::default()
    }
}

/// Tolerances for f32 gradients compared with f64 central differences of the
/// same formula: relative 1e-3, absolute 1e-4 (f32 has ~7 digits).
pub fn f32_tol() -> GradientCheckOptions {
    GradientCheckOptions {
        rel_tol: 1e-3,
        abs_tol: 1e-4,
        ..GradientCheckOptions::default()
    }
}

/// Checks `analytic` against central differences of `f` at `x` with `f64_tol()`.
#[track_caller]
pub fn fd(f: impl FnMut(&[f64]) -> f64, x: &[f64], analytic: &[f64]) -> GradientCheck {
    check_gradient_with(f, x, analytic, f64_tol())
}

/// `fd` as a proptest assertion.
pub fn prop_fd(
    f: impl FnMut(&[f64]) -> f64,
    x: &[f64],
    analytic: &[f64],
) -> Result<(), TestCaseError> {
    prop_fd_with(f, x, analytic, f64_tol())
}

/// Like `prop_fd` with explicit options.
pub fn prop_fd_with(
    f: impl FnMut(&[f64]) -> f64,
    x: &[f64],
    analytic: &[f64],
    options: GradientCheckOptions,
) -> Result<(), TestCaseError> {
    let check = check_gradient_with(f, x, analytic, options);
    if check.passed() {
        Ok(())
    } else {
        Err(TestCaseError::fail(format!("at x = {x:?}: {check}")))
    }
}

/// Asserts `fd` passes, naming the point.
#[track_caller]
pub fn assert_fd(f: impl FnMut(&[f64]) -> f64, x: &[f64], analytic: &[f64]) {
    let check = fd(f, x, analytic);
    assert!(check.passed(), "at x = {x:?}: {check}");
}

/// A cotangent for `d_out`: |d| in [0.25, 2], either sign, so that a companion
/// that ignores or mis-scales `d_out` fails.
pub fn cotangent() -> impl Strategy<Value = f64> {
    (0.25f64..2.0, any::<bool>()).prop_map(|(m, neg)| if neg { -m } else { m })
}

/// `lo..hi` without the points within `gap` of any of `kinks`.
pub fn away_from(lo: f64, hi: f64, kinks: &'static [f64], gap: f64) -> BoxedStrategy<f64> {
    (lo..hi)
        .prop_filter("too close to a kink", move |x| {
            kinks.iter().all(|k| (x - k).abs() >= gap)
        })
        .boxed()
}

/// Distance from `x` to the nearest integer.
pub fn dist_to_int(x: f64) -> f64 {
    (x - x.round()).abs()
}

/// Exact equality of two f64 (bit patterns), with a readable message.
#[track_caller]
pub fn assert_bits(got: f64, want: f64, what: &str) {
    assert!(
        got.to_bits() == want.to_bits(),
        "{what}: got {got:?} ({:#018x}), want {want:?} ({:#018x})",
        got.to_bits(),
        want.to_bits()
    );
}

/// `|a - b| <= tol`, with a readable message.
#[track_caller]
pub fn assert_near(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:?}, want {want:?} (tolerance {tol:e})"
    );
}
