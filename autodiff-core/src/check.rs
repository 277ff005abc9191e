//! Gradient checking by central finite differences (requires `std`).

use core::fmt;
use std::vec::Vec;

/// Options of a gradient check: finite-difference step scale and tolerances.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradientCheckOptions {
    /// Relative step: component `i` is perturbed by
    /// `h_i = step * max(1, |x_i|)`. Defaults to `cbrt(f64::EPSILON)`
    /// (about `6.06e-6`), which balances truncation and rounding error of
    /// central differences.
    pub step: f64,
    /// Maximum relative difference between analytic and numeric component.
    /// Defaults to `1e-6`.
    pub rel_tol: f64,
    /// Maximum absolute difference between analytic and numeric component
    /// (for components near zero). Defaults to `1e-8`.
    pub abs_tol: f64,
}

impl Default for GradientCheckOptions {
    fn default() -> Self {
        Self {
            step: f64::EPSILON.cbrt(),
            rel_tol: 1e-6,
            abs_tol: 1e-8,
        }
    }
}

/// Outcome of one gradient check, from [`check_gradient`] or
/// [`check_gradient_with`].
///
/// Its [`Display`](fmt::Display) form is a one-line summary naming the worst
/// component.
#[derive(Clone, Debug)]
pub struct GradientCheck {
    /// The gradient under test, as passed in.
    pub analytic: Vec<f64>,
    /// The central finite-difference estimate, one entry per component.
    pub numeric: Vec<f64>,
    /// Index of the worst component: the failing component with the largest
    /// relative error if any fails, else the component with the largest
    /// relative error. `None` when there are no components.
    pub worst_index: Option<usize>,
    /// Relative error `|a - n| / max(|a|, |n|)` of the worst component (`0`
    /// if both are `0`, infinite if either is NaN; `0` with no components).
    pub worst_error: f64,
    /// The options the check ran with.
    pub options: GradientCheckOptions,
}

impl GradientCheck {
    /// Returns `true` if every component of the analytic gradient agrees with
    /// its numeric estimate within the tolerances. A NaN never agrees.
    pub fn passed(&self) -> bool {
        self.analytic.len() == self.numeric.len()
            && self
                .analytic
                .iter()
                .zip(&self.numeric)
                .all(|(&a, &n)| component_ok(a, n, &self.options))
    }

    /// Panics with the [`Display`](fmt::Display) summary unless
    /// [`passed`](Self::passed).
    #[track_caller]
    pub fn assert_ok(&self) {
        if !self.passed() {
            panic!("{self}");
        }
    }
}

impl fmt::Display for GradientCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = if self.passed() { "passed" } else { "FAILED" };
        write!(
            f,
            "gradient check {status}: {} components",
            self.analytic.len()
        )?;
        if let Some(i) = self.worst_index {
            write!(
                f,
                ", worst component {i}: analytic {:?}, numeric {:?}, relative error {:?}",
                self.analytic[i], self.numeric[i], self.worst_error
            )?;
        }
        write!(
            f,
            " (tolerance rel {:?}, abs {:?})",
            self.options.rel_tol, self.options.abs_tol
        )
    }
}

/// Checks `analytic` against the central finite-difference gradient of `f`
/// at `x`, with [`GradientCheckOptions::default`].
///
/// See [`check_gradient_with`].
///
/// ```
/// use chainrule_core::check_gradient;
///
/// let f = |x: &[f64]| x[0] * x[0] * x[1];
/// let x = [3.0, 2.0];
/// let analytic = [2.0 * x[0] * x[1], x[0] * x[0]];
/// check_gradient(f, &x, &analytic).assert_ok();
/// ```
///
/// # Panics
///
/// Panics if `analytic.len() != x.len()`.
#[track_caller]
pub fn check_gradient<F: FnMut(&[f64]) -> f64>(f: F, x: &[f64], analytic: &[f64]) -> GradientCheck {
    check_gradient_with(f, x, analytic, GradientCheckOptions::default())
}

/// Checks `analytic` against the central finite-difference gradient of `f`
/// at `x`.
///
/// Component `i` of the numeric gradient is
/// `(f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i)` with
/// `h_i = options.step * max(1, |x_i|)`; `f` is called `2 * x.len()` times on
/// a perturbed copy of `x`. A component passes if the analytic and numeric
/// values are within `options.abs_tol` absolutely or `options.rel_tol`
/// relatively (as `approx::relative_eq!`); NaN never passes.
///
/// # Panics
///
/// Panics if `analytic.len() != x.len()`: that is a bug in the caller.
#[track_caller]
pub fn check_gradient_with<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    x: &[f64],
    analytic: &[f64],
    options: GradientCheckOptions,
) -> GradientCheck {
    assert_eq!(
        analytic.len(),
        x.len(),
        "check_gradient: the analytic gradient has {} components but x has {}",
        analytic.len(),
        x.len()
    );

    let mut scratch = x.to_vec();
    let mut numeric = Vec::with_capacity(x.len());
    for (i, &xi) in x.iter().enumerate() {
        let h = options.step * xi.abs().max(1.0);
        scratch[i] = xi + h;
        let forward = f(&scratch);
        scratch[i] = xi - h;
        let backward = f(&scratch);
        scratch[i] = xi;
        numeric.push((forward - backward) / (2.0 * h));
    }

    // Worst component: failing before passing, then by relative error; the
    // first index wins ties.
    let mut worst: Option<(usize, bool, f64)> = None;
    for (i, (&a, &n)) in analytic.iter().zip(&numeric).enumerate() {
        let failed = !component_ok(a, n, &options);
        let error = relative_error(a, n);
        let worse = match worst {
            None => true,
            Some((_, worst_failed, worst_error)) => (failed, error) > (worst_failed, worst_error),
        };
        if worse {
            worst = Some((i, failed, error));
        }
    }

    GradientCheck {
        analytic: analytic.to_vec(),
        numeric,
        worst_index: worst.map(|(i, _, _)| i),
        worst_error: worst.map_or(0.0, |(_, _, e)| e),
        options,
    }
}

fn component_ok(analytic: f64, numeric: f64, options: &GradientCheckOptions) -> bool {
    approx::relative_eq!(
        analytic,
        numeric,
        epsilon = options.abs_tol,
        max_relative = options.rel_tol
    )
}

/// `|a - n| / max(|a|, |n|)`: `0` if equal (including both `0`), infinite if
/// either is NaN or exactly one is infinite.
fn relative_error(a: f64, n: f64) -> f64 {
    if a == n {
        return 0.0;
    }
    let error = (a - n).abs() / a.abs().max(n.abs());
    if error.is_nan() {
        f64::INFINITY
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    fn f(x: &[f64]) -> f64 {
        x[0] * x[0] * x[1] + x[2].sin()
    }

    fn grad(x: &[f64]) -> [f64; 3] {
        [2.0 * x[0] * x[1], x[0] * x[0], x[2].cos()]
    }

    #[test]
    fn correct_gradient_passes() {
        for x in [[1.5, -2.0, 0.7], [0.0, 0.0, 0.0], [-300.0, 1e-3, 12.0]] {
            let check = check_gradient(f, &x, &grad(&x));
            assert!(check.passed(), "{check}");
            check.assert_ok();
            assert_eq!(check.numeric.len(), 3);
            assert!(check
                .to_string()
                .starts_with("gradient check passed: 3 components"));
        }
    }

    #[test]
    fn wrong_component_fails_and_is_reported() {
        let x = [1.5, -2.0, 0.7];
        let mut g = grad(&x);
        g[1] *= 1.001;
        let check = check_gradient(f, &x, &g);
        assert!(!check.passed());
        assert_eq!(check.worst_index, Some(1));
        assert!((check.worst_error - 0.001 / 1.001).abs() < 1e-6, "{check}");
        let text = check.to_string();
        assert!(
            text.starts_with("gradient check FAILED: 3 components, worst component 1:"),
            "{text}"
        );
    }

    #[test]
    fn failing_component_outranks_passing_one() {
        // Component 0 is tiny and passes by the absolute tolerance although
        // its relative error is 1; component 1 fails with a smaller one.
        let x = [0.0, 1.0];
        let check = check_gradient(|x| 1e-12 * x[0] + x[1] * x[1], &x, &[0.0, 2.01]);
        assert!(!check.passed());
        assert_eq!(check.worst_index, Some(1));
    }

    #[test]
    #[should_panic(expected = "gradient check FAILED")]
    fn assert_ok_panics_on_failure() {
        check_gradient(|x| x[0] * x[0], &[1.0], &[3.0]).assert_ok();
    }

    #[test]
    fn nan_fails() {
        let x = [1.0, 2.0];
        let check = check_gradient(|x| x[0] + x[1], &x, &[1.0, f64::NAN]);
        assert!(!check.passed());
        assert_eq!(check.worst_index, Some(1));
        assert_eq!(check.worst_error, f64::INFINITY);

        let check = check_gradient(|x| (x[0] - 1.0).sqrt(), &[1.0], &[0.5]);
        assert!(!check.passed());
        assert_eq!(check.worst_index, Some(0));
    }

    #[test]
    fn empty_input_passes() {
        let check = check_gradient(|_| 1.0, &[], &[]);
        assert!(check.passed());
        assert_eq!(check.worst_index, None);
        assert_eq!(check.worst_error, 0.0);
        assert_eq!(
            check.to_string(),
            "gradient check passed: 0 components (tolerance rel 1e-6, abs 1e-8)"
        );
    }

    #[test]
    #[should_panic(expected = "analytic gradient has 1 components but x has 2")]
    fn length_mismatch_panics() {
        check_gradient(|x| x[0], &[1.0, 2.0], &[1.0]);
    }

    #[test]
    fn custom_options_and_restored_input() {
        let options = GradientCheckOptions {
            step: 1e-4,
            rel_tol: 1e-4,
            abs_tol: 0.0,
        };
        let x = [0.5, 2.0];
        let mut seen = Vec::new();
        let check = check_gradient_with(
            |v| {
                seen.push(v.to_vec());
                v[0].exp() * v[1]
            },
            &x,
            &[0.5f64.exp() * 2.0, 0.5f64.exp()],
            options,
        );
        assert!(check.passed(), "{check}");
        assert_eq!(check.options, options);
        // Only one component is perturbed per call.
        assert_eq!(seen.len(), 4);
        assert_eq!(seen[0][1], 2.0);
        assert_eq!(seen[2][0], 0.5);
    }

    #[test]
    fn default_step() {
        let step = GradientCheckOptions::default().step;
        assert!((step - 6.055e-6).abs() < 1e-9);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn correct_gradients_pass(
                a in -3.0f64..3.0,
                b in -3.0f64..3.0,
                c in -10.0f64..10.0,
            ) {
                let x = [a, b, c];
                let check = check_gradient(f, &x, &grad(&x));
                prop_assert!(check.passed(), "{}", check);
            }
        }
    }
}
