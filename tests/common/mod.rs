//! Helpers shared by the gradient-correctness tests (`methods`, `conventions`,
//! `constructs`, `generic`, `arrays`, `loops`, `cs231n`).
#![allow(dead_code)]

pub mod prims;

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

/// Like `config` with `cases` cases per property (or `PROPTEST_CASES`), for
/// the properties whose every case runs a larger program or many calls.
pub fn config_cases(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(cases);
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

// ---------------------------------------------------------------- arrays

/// `[f64; N]` from the first `N` entries of `p`.
pub fn arr<const N: usize>(p: &[f64]) -> [f64; N] {
    core::array::from_fn(|i| p[i])
}

/// `[[f64; M]; N]` from the first `N * M` entries of `p`, row by row.
pub fn arr2<const M: usize, const N: usize>(p: &[f64]) -> [[f64; M]; N] {
    core::array::from_fn(|i| core::array::from_fn(|j| p[i * M + j]))
}

/// The entries of a 2-D array, row by row (the inverse of `arr2`).
pub fn flat2<const M: usize, const N: usize>(a: &[[f64; M]; N]) -> Vec<f64> {
    a.iter().flatten().copied().collect()
}

/// The concatenation of `parts`: several parameters as one point for `fd`.
pub fn cat(parts: &[&[f64]]) -> Vec<f64> {
    parts.concat()
}

/// `Σ a[i] * b[i]`.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "dot of slices of different lengths");
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `[f64; N]` with entries in `lo..hi`.
pub fn floats<const N: usize>(lo: f64, hi: f64) -> impl Strategy<Value = [f64; N]> {
    proptest::collection::vec(lo..hi, N).prop_map(|v| arr::<N>(&v))
}

/// `[[f64; M]; N]` with entries in `lo..hi`.
pub fn floats2<const M: usize, const N: usize>(
    lo: f64,
    hi: f64,
) -> impl Strategy<Value = [[f64; M]; N]> {
    proptest::collection::vec(lo..hi, N * M).prop_map(|v| arr2::<M, N>(&v))
}

/// A `Vec<f64>` of a length in `len` (a run-time length for slices), entries in `lo..hi`.
pub fn float_vec(lo: f64, hi: f64, len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(lo..hi, len)
}

/// Element-wise `|got - want| <= tol * max(1, |want|)`, with a readable message.
#[track_caller]
pub fn assert_all_near(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: got {g:?}, want {w:?} (tolerance {tol:e})\n got  {got:?}\n want {want:?}"
        );
    }
}

/// `assert_all_near` as a proptest assertion.
pub fn prop_all_near(got: &[f64], want: &[f64], tol: f64, what: &str) -> Result<(), TestCaseError> {
    if got.len() != want.len() {
        return Err(TestCaseError::fail(format!("{what}: lengths differ")));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g - w).abs() <= tol * w.abs().max(1.0);
        if !ok {
            return Err(TestCaseError::fail(format!(
                "{what}[{i}]: got {g:?}, want {w:?} (tolerance {tol:e})\n got  {got:?}\n want {want:?}"
            )));
        }
    }
    Ok(())
}

/// `[f64; N]` of `cotangent()`s: a random `d_out` for an array result.
pub fn cotangents<const N: usize>() -> impl Strategy<Value = [f64; N]> {
    proptest::collection::vec(cotangent(), N).prop_map(|v| arr::<N>(&v))
}

/// Central differences with one Richardson extrapolation, `(4 D(h/2) - D(h)) / 3`
/// with `D(h)` the central difference of step `h = cbrt(eps) * max(1, |x_i|)`
/// (the step of `fd`): truncation error `O(h⁴)` instead of `O(h²)`, on a stencil
/// no wider than `fd`'s.
pub fn richardson(mut f: impl FnMut(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let mut p = x.to_vec();
    let mut at = |p: &mut Vec<f64>, i: usize, v: f64| {
        p[i] = v;
        let y = f(p);
        p[i] = x[i];
        y
    };
    (0..x.len())
        .map(|i| {
            let h = f64::EPSILON.cbrt() * x[i].abs().max(1.0);
            let d1 = (at(&mut p, i, x[i] + h) - at(&mut p, i, x[i] - h)) / (2.0 * h);
            let d2 = (at(&mut p, i, x[i] + h / 2.0) - at(&mut p, i, x[i] - h / 2.0)) / h;
            (4.0 * d2 - d1) / 3.0
        })
        .collect()
}

/// `prop_fd` for deep compositions (long recurrences), whose third derivatives
/// can make plain central differences miss by a few 1e-6: when `prop_fd`
/// fails, `analytic` must match `richardson` with the same tolerances.
pub fn prop_fd_deep(
    mut f: impl FnMut(&[f64]) -> f64,
    x: &[f64],
    analytic: &[f64],
) -> Result<(), TestCaseError> {
    let check = check_gradient_with(&mut f, x, analytic, f64_tol());
    if check.passed() {
        return Ok(());
    }
    let tol = f64_tol();
    let numeric = richardson(f, x);
    for (i, (a, n)) in analytic.iter().zip(&numeric).enumerate() {
        let diff = (a - n).abs();
        let ok = diff <= tol.abs_tol || diff <= tol.rel_tol * a.abs().max(n.abs());
        if !ok {
            return Err(TestCaseError::fail(format!(
                "at x = {x:?}: {check}; with Richardson extrapolation component {i}: analytic {a:?}, numeric {n:?}"
            )));
        }
    }
    Ok(())
}

/// The dot-product test of the two modes: `⟨ȳ, J·ẋ⟩ = ⟨Jᵀ·ȳ, ẋ⟩`, where
/// `jvp` is `J·ẋ` (from `_forward`), `vjp` is `Jᵀ·ȳ` (from `_backward`), both
/// flattened. Relative to the size of the terms (1e-12): the two sides sum the
/// same products in another order.
pub fn prop_dot(ybar: &[f64], jvp: &[f64], vjp: &[f64], xdot: &[f64]) -> Result<(), TestCaseError> {
    let lhs = dot(ybar, jvp);
    let rhs = dot(vjp, xdot);
    let scale: f64 = ybar
        .iter()
        .zip(jvp)
        .map(|(a, b)| (a * b).abs())
        .sum::<f64>()
        + vjp
            .iter()
            .zip(xdot)
            .map(|(a, b)| (a * b).abs())
            .sum::<f64>();
    prop_assert!(
        (lhs - rhs).abs() <= 1e-12 * scale.max(1e-300),
        "⟨ȳ, Jẋ⟩ = {lhs} but ⟨Jᵀȳ, ẋ⟩ = {rhs}"
    );
    Ok(())
}

/// A tangent direction: a random float in [-2, 2].
pub fn tangent() -> impl Strategy<Value = f64> {
    -2.0f64..2.0
}
