//! Differentiable activation functions that are not inherent float methods.
//!
//! Each function is generic over [`Real`], propagates NaN, and is written to
//! stay finite and accurate for large `|x|`. The documented derivative is the
//! one the `#[grad]` attribute uses, including its convention at kinks.

use crate::Real;

/// Logistic sigmoid, `σ(x) = 1 / (1 + e^-x)`.
///
/// Derivative: `σ'(x) = σ(x) (1 - σ(x))`. Smooth everywhere, no kinks.
///
/// Computed without overflow: `1 / (1 + e^-x)` for `x >= 0` and
/// `e^x / (1 + e^x)` otherwise, so `σ(±1000)` is `1` and `0`.
/// `σ(NaN)` is NaN.
#[inline]
pub fn sigmoid<T: Real>(x: T) -> T {
    if x >= T::ZERO {
        T::ONE / (T::ONE + Real::exp(-x))
    } else {
        let e = Real::exp(x);
        e / (T::ONE + e)
    }
}

/// Rectified linear unit, `relu(x) = max(x, 0)`.
///
/// Derivative: `1` for `x > 0`, `0` for `x < 0`; at the kink the convention
/// is `relu'(0) = 0`. `relu(NaN)` is NaN.
#[inline]
pub fn relu<T: Real>(x: T) -> T {
    if x <= T::ZERO {
        T::ZERO
    } else {
        x
    }
}

/// Leaky rectified linear unit: `x` if `x > 0`, else `alpha * x`.
///
/// Derivative with respect to `x`: `1` for `x > 0`, `alpha` for `x < 0`; at
/// the kink the convention is `alpha` (the `x <= 0` branch). Derivative with
/// respect to `alpha`: `0` for `x > 0`, else `x`. `leaky_relu(NaN, alpha)` is
/// NaN.
#[inline]
pub fn leaky_relu<T: Real>(x: T, alpha: T) -> T {
    if x > T::ZERO {
        x
    } else {
        alpha * x
    }
}

/// Softplus, `softplus(x) = ln(1 + e^x)`, a smooth approximation of
/// [`relu`].
///
/// Derivative: `softplus'(x) = σ(x)` (see [`sigmoid`]). Smooth everywhere, no
/// kinks.
///
/// Computed as `max(x, 0) + ln_1p(e^-|x|)`, which does not overflow:
/// `softplus(1000) = 1000` and `softplus(-1000) = 0`. `softplus(NaN)` is NaN.
#[inline]
pub fn softplus<T: Real>(x: T) -> T {
    Real::max(x, T::ZERO) + Real::ln_1p(Real::exp(-Real::abs(x)))
}

/// Exponential linear unit: `x` if `x > 0`, else `alpha * (e^x - 1)`.
///
/// Derivative with respect to `x`: `1` for `x > 0`, `alpha * e^x` for
/// `x < 0`; at the kink the convention is `alpha` (the `x <= 0` branch), which
/// is continuous when `alpha = 1`. Derivative with respect to `alpha`: `0` for
/// `x > 0`, else `e^x - 1`. `elu(NaN, alpha)` is NaN.
#[inline]
pub fn elu<T: Real>(x: T, alpha: T) -> T {
    if x > T::ZERO {
        x
    } else {
        alpha * Real::exp_m1(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `actual` (any precision) is within `tol` relative error of `expected`.
    #[track_caller]
    fn assert_close<T: Real>(actual: T, expected: f64, tol: f64) {
        let a = actual.to_f64();
        let ok = if expected.is_nan() {
            a.is_nan()
        } else {
            a == expected
                || Real::abs(a - expected)
                    <= tol * Real::max(Real::abs(expected), f64::MIN_POSITIVE)
        };
        assert!(ok, "got {a:?}, expected {expected:?}");
    }

    const E: f64 = core::f64::consts::E;

    fn check_all<T: Real>(tol: f64) {
        let t = T::from_f64;
        let inv_e = 1.0 / E;
        // Inputs that underflow to 0 in T (1e-300 in f32) still have these results.
        let tiny = t(1e-300).to_f64();

        // sigmoid
        assert_close(sigmoid(t(0.0)), 0.5, tol);
        assert_close(sigmoid(t(1.0)), 1.0 / (1.0 + inv_e), tol);
        assert_close(sigmoid(t(-1.0)), inv_e / (1.0 + inv_e), tol);
        assert_close(sigmoid(t(1000.0)), 1.0, tol);
        assert_close(sigmoid(t(-1000.0)), 0.0, tol);
        assert_close(sigmoid(t(1e-300)), 0.5, tol);
        assert_close(sigmoid(t(-1e-300)), 0.5, tol);
        assert_close(sigmoid(t(f64::NAN)), f64::NAN, tol);

        // relu
        assert_close(relu(t(0.0)), 0.0, tol);
        assert_close(relu(t(1.0)), 1.0, tol);
        assert_close(relu(t(-1.0)), 0.0, tol);
        assert_close(relu(t(1000.0)), 1000.0, tol);
        assert_close(relu(t(-1000.0)), 0.0, tol);
        assert_close(relu(t(1e-300)), tiny, tol);
        assert_close(relu(t(-1e-300)), 0.0, tol);
        assert_close(relu(t(f64::NAN)), f64::NAN, tol);

        // leaky_relu
        let alpha = t(0.01);
        let a = alpha.to_f64();
        assert_close(leaky_relu(t(0.0), alpha), 0.0, tol);
        assert_close(leaky_relu(t(1.0), alpha), 1.0, tol);
        assert_close(leaky_relu(t(-1.0), alpha), -a, tol);
        assert_close(leaky_relu(t(1000.0), alpha), 1000.0, tol);
        assert_close(leaky_relu(t(-1000.0), alpha), -1000.0 * a, tol);
        assert_close(leaky_relu(t(1e-300), alpha), tiny, tol);
        assert_close(leaky_relu(t(-1e-300), alpha), -a * tiny, tol);
        assert_close(leaky_relu(t(f64::NAN), alpha), f64::NAN, tol);

        // softplus
        assert_close(softplus(t(0.0)), core::f64::consts::LN_2, tol);
        assert_close(softplus(t(1.0)), Real::ln(1.0 + E), tol);
        assert_close(softplus(t(-1.0)), Real::ln(1.0 + inv_e), tol);
        assert_close(softplus(t(1000.0)), 1000.0, tol);
        assert_close(softplus(t(-1000.0)), 0.0, tol);
        assert_close(softplus(t(1e-300)), core::f64::consts::LN_2, tol);
        assert_close(softplus(t(-1e-300)), core::f64::consts::LN_2, tol);
        assert_close(softplus(t(f64::NAN)), f64::NAN, tol);

        // elu
        let alpha = t(1.5);
        assert_close(elu(t(0.0), alpha), 0.0, tol);
        assert_close(elu(t(1.0), alpha), 1.0, tol);
        assert_close(elu(t(-1.0), alpha), 1.5 * (inv_e - 1.0), tol);
        assert_close(elu(t(1000.0), alpha), 1000.0, tol);
        assert_close(elu(t(-1000.0), alpha), -1.5, tol);
        assert_close(elu(t(1e-300), alpha), tiny, tol);
        assert_close(elu(t(-1e-300), alpha), -1.5 * tiny, tol);
        assert_close(elu(t(f64::NAN), alpha), f64::NAN, tol);

        // Finite at the extremes.
        for x in [t(1000.0), t(-1000.0)] {
            assert!(sigmoid(x).is_finite());
            assert!(relu(x).is_finite());
            assert!(leaky_relu(x, t(0.01)).is_finite());
            assert!(softplus(x).is_finite());
            assert!(elu(x, t(1.0)).is_finite());
        }
    }

    #[test]
    fn values_f64() {
        check_all::<f64>(1e-15);
    }

    #[test]
    fn values_f32() {
        check_all::<f32>(1e-6);
    }

    #[test]
    fn signed_zero_and_small_negative() {
        assert_eq!(relu(-0.0f64).to_bits(), 0.0f64.to_bits());
        // ln_1p keeps full relative accuracy where 1 + e^x rounds to 1.
        assert_close(softplus(-40.0f64), Real::exp(-40.0f64), 1e-15);
        assert_close(sigmoid(-40.0f32), Real::exp(-40.0f64), 1e-6);
    }

    #[cfg(feature = "std")]
    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn sigmoid_symmetry(x in -50.0f64..50.0) {
                prop_assert!((sigmoid(x) + sigmoid(-x) - 1.0).abs() <= 1e-15);
            }

            #[test]
            fn softplus_difference_is_identity(x in -30.0f64..30.0) {
                prop_assert!((softplus(x) - softplus(-x) - x).abs() <= 1e-13 * x.abs().max(1.0));
            }

            #[test]
            fn relu_matches_max(x in -1e6f64..1e6) {
                prop_assert_eq!(relu(x), x.max(0.0));
            }
        }
    }
}
