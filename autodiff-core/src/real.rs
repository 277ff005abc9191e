//! The [`Real`] scalar trait, implemented for [`f32`] and [`f64`].

use core::fmt::{Debug, Display};
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, Sub, SubAssign};

/// A real floating-point scalar: [`f32`] or [`f64`].
///
/// Every math function has exactly the semantics of the inherent `std` method
/// of the same name. With the `std` feature the implementations forward to
/// those methods; without it they are computed with `libm`.
///
/// Generated code calls these functions by fully qualified path, e.g.
/// `::autodiff::Real::exp(x)` or `<T as ::autodiff::Real>::from_f64(c)`, so
/// they work whether or not the scalar type is known concretely. Write
/// `T: Real` on a generic `#[grad]` function to differentiate it for both
/// float types.
///
/// # Sealed
///
/// `Real` is implemented for `f32` and `f64` and cannot be implemented
/// outside this crate. Every primitive `#[grad]` differentiates is a method
/// of `Real` (or a function over it), and new primitives are added as new
/// methods in minor releases, which would break any implementation written
/// elsewhere; and each derivative rule relies on its method having exactly
/// `std`'s semantics. A float type of your own (`f16`, a fixed-point type, a
/// newtype carrying units) is converted to `f32` or `f64` before the call of
/// a `#[grad]` function and back after it. Structs of floats are not scalars:
/// for them the extension point is [`Tangent`](crate::Tangent), which
/// `#[derive(Tangent)]` implements.
pub trait Real:
    sealed::Sealed
    + Copy
    + Clone
    + crate::Tangent
    + PartialEq
    + PartialOrd
    + Debug
    + Display
    + Default
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Rem<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
{
    /// Additive identity, `0.0`.
    const ZERO: Self;
    /// Multiplicative identity, `1.0`.
    const ONE: Self;

    /// Converts from `f64` with an `as` cast (rounds to nearest for `f32`).
    fn from_f64(v: f64) -> Self;
    /// Converts to `f64` with an `as` cast (exact for `f32`).
    fn to_f64(self) -> f64;
    /// Converts from `i32` with an `as` cast.
    fn from_i32(v: i32) -> Self;
    /// Converts from `usize` with an `as` cast.
    fn from_usize(v: usize) -> Self;
    /// Returns `true` if `self` is NaN.
    fn is_nan(self) -> bool;
    /// Returns `true` if `self` is neither infinite nor NaN.
    fn is_finite(self) -> bool;

    /// `e^self`.
    fn exp(self) -> Self;
    /// `2^self`.
    fn exp2(self) -> Self;
    /// `e^self - 1`, accurate for `self` near zero.
    fn exp_m1(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Logarithm with respect to an arbitrary `base`, computed as
    /// `self.ln() / base.ln()`.
    fn log(self, base: Self) -> Self;
    /// Base-2 logarithm.
    fn log2(self) -> Self;
    /// Base-10 logarithm.
    fn log10(self) -> Self;
    /// `ln(1 + self)`, accurate for `self` near zero.
    fn ln_1p(self) -> Self;
    /// Square root; NaN for negative inputs other than `-0.0`.
    fn sqrt(self) -> Self;
    /// Cube root.
    fn cbrt(self) -> Self;
    /// `self^n` for an integer exponent.
    fn powi(self, n: i32) -> Self;
    /// `self^n` for a floating-point exponent.
    fn powf(self, n: Self) -> Self;
    /// Reciprocal, `1 / self`.
    fn recip(self) -> Self;
    /// Sine (radians).
    fn sin(self) -> Self;
    /// Cosine (radians).
    fn cos(self) -> Self;
    /// Tangent (radians).
    fn tan(self) -> Self;
    /// Arcsine, in `[-pi/2, pi/2]`; NaN outside `[-1, 1]`.
    fn asin(self) -> Self;
    /// Arccosine, in `[0, pi]`; NaN outside `[-1, 1]`.
    fn acos(self) -> Self;
    /// Arctangent, in `[-pi/2, pi/2]`.
    fn atan(self) -> Self;
    /// Four-quadrant arctangent of `self / other` (`self` is `y`, `other` is
    /// `x`), in `[-pi, pi]`.
    fn atan2(self, other: Self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Inverse hyperbolic sine.
    fn asinh(self) -> Self;
    /// Inverse hyperbolic cosine; NaN below `1`.
    fn acosh(self) -> Self;
    /// Inverse hyperbolic tangent; NaN outside `[-1, 1]`.
    fn atanh(self) -> Self;
    /// `sqrt(self^2 + other^2)` without undue overflow or underflow.
    fn hypot(self, other: Self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// Maximum of two numbers; if one of them is NaN, the other is returned.
    fn max(self, other: Self) -> Self;
    /// Minimum of two numbers; if one of them is NaN, the other is returned.
    fn min(self, other: Self) -> Self;
    /// Restricts `self` to `[min, max]`; NaN stays NaN.
    ///
    /// # Panics
    ///
    /// Panics if `min > max` or either bound is NaN.
    fn clamp(self, min: Self, max: Self) -> Self;
    /// Fused multiply-add, `self * a + b` with a single rounding.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `1.0` if `self` is positive (including `+0.0` and `+inf`), `-1.0` if
    /// negative (including `-0.0` and `-inf`), NaN if NaN.
    fn signum(self) -> Self;
    /// Largest integer less than or equal to `self`.
    fn floor(self) -> Self;
    /// Smallest integer greater than or equal to `self`.
    fn ceil(self) -> Self;
    /// Nearest integer, rounding half-way cases away from zero.
    fn round(self) -> Self;
    /// Integer part of `self`, rounding toward zero.
    fn trunc(self) -> Self;
    /// Fractional part, `self - self.trunc()`.
    fn fract(self) -> Self;
    /// The least non-negative remainder of `self / rhs` (std's `rem_euclid`:
    /// `self % rhs`, plus `|rhs|` when that is negative).
    fn rem_euclid(self, rhs: Self) -> Self;
    /// The quotient of Euclidean division, so that
    /// `self == rhs * self.div_euclid(rhs) + self.rem_euclid(rhs)` (std's `div_euclid`).
    fn div_euclid(self, rhs: Self) -> Self;
    /// `(self.sin(), self.cos())`, as std computes it.
    fn sin_cos(self) -> (Self, Self) {
        (Real::sin(self), Real::cos(self))
    }
    /// Converts radians to degrees (`self * (180 / π)`, as `std` computes it).
    fn to_degrees(self) -> Self;
    /// Converts degrees to radians (`self * (π / 180)`, as `std` computes it).
    fn to_radians(self) -> Self;
    /// The magnitude of `self` with the sign of `sign` (its sign bit: `-0.0`
    /// and a NaN with the sign bit set count as negative).
    fn copysign(self, sign: Self) -> Self;

    // The special functions below are unstable inherent methods of the std
    // floats (`f64::erf`, `f64::gamma`, …): a `Real` method of the same name
    // would collide with them (`unstable_name_collisions`). They are reached
    // through the free functions `autodiff::erf` etc. instead.

    /// The error function, by `libm` (std or not). Call [`crate::erf`].
    #[doc(hidden)]
    fn libm_erf(self) -> Self;
    /// The complementary error function, by `libm`. Call [`crate::erfc`].
    #[doc(hidden)]
    fn libm_erfc(self) -> Self;
    /// `ln |Γ(self)|`, by `libm`. Call [`crate::ln_gamma`].
    #[doc(hidden)]
    fn libm_lgamma(self) -> Self;
    /// `Γ(self)`, by `libm`. Call [`crate::gamma`].
    #[doc(hidden)]
    fn libm_tgamma(self) -> Self;
}

mod sealed {
    /// The seal of [`Real`](super::Real): only this crate implements it.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not `f32` or `f64`: `Real` is sealed",
        label = "`Real` is implemented for `f32` and `f64` only",
        note = "convert a float type of your own to `f32` or `f64` at the boundary of the `#[grad]` function; structs of floats derive `Tangent` instead"
    )]
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

macro_rules! impl_real {
    (
        $t:ident {
            $($name:ident($($arg:ident),*) => $libm:ident;)*
        }
        fma: $fma:ident, copysign: $copysign:ident,
        special: $erf:ident, $erfc:ident, $lgamma:ident, $tgamma:ident
    ) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;

            #[inline]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_i32(v: i32) -> Self {
                v as $t
            }
            #[inline]
            fn from_usize(v: usize) -> Self {
                v as $t
            }
            #[inline]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }

            $(
                #[inline]
                fn $name(self $(, $arg: Self)*) -> Self {
                    #[cfg(feature = "std")]
                    {
                        <$t>::$name(self $(, $arg)*)
                    }
                    #[cfg(not(feature = "std"))]
                    {
                        libm::$libm(self $(, $arg)*)
                    }
                }
            )*

            #[inline]
            fn log(self, base: Self) -> Self {
                #[cfg(feature = "std")]
                {
                    <$t>::log(self, base)
                }
                #[cfg(not(feature = "std"))]
                {
                    Real::ln(self) / Real::ln(base)
                }
            }

            #[inline]
            fn powi(self, n: i32) -> Self {
                #[cfg(feature = "std")]
                {
                    <$t>::powi(self, n)
                }
                #[cfg(not(feature = "std"))]
                {
                    let mut base = self;
                    let mut e = n.unsigned_abs();
                    let mut acc: $t = 1.0;
                    while e > 0 {
                        if e & 1 == 1 {
                            acc *= base;
                        }
                        e >>= 1;
                        if e > 0 {
                            base *= base;
                        }
                    }
                    if n < 0 {
                        1.0 / acc
                    } else {
                        acc
                    }
                }
            }

            #[inline]
            fn recip(self) -> Self {
                1.0 / self
            }

            #[inline]
            fn clamp(self, min: Self, max: Self) -> Self {
                #[cfg(feature = "std")]
                {
                    <$t>::clamp(self, min, max)
                }
                #[cfg(not(feature = "std"))]
                {
                    assert!(
                        min <= max,
                        "min > max, or either was NaN. min = {min:?}, max = {max:?}"
                    );
                    if self < min {
                        min
                    } else if self > max {
                        max
                    } else {
                        self
                    }
                }
            }

            #[inline]
            fn mul_add(self, a: Self, b: Self) -> Self {
                #[cfg(feature = "std")]
                {
                    <$t>::mul_add(self, a, b)
                }
                #[cfg(not(feature = "std"))]
                {
                    libm::$fma(self, a, b)
                }
            }

            #[inline]
            fn signum(self) -> Self {
                #[cfg(feature = "std")]
                {
                    <$t>::signum(self)
                }
                #[cfg(not(feature = "std"))]
                {
                    if <$t>::is_nan(self) {
                        self
                    } else {
                        libm::$copysign(1.0, self)
                    }
                }
            }

            #[inline]
            fn fract(self) -> Self {
                self - Real::trunc(self)
            }

            // std's formulas, with or without std.
            #[inline]
            fn rem_euclid(self, rhs: Self) -> Self {
                let r = self % rhs;
                if r < 0.0 {
                    r + Real::abs(rhs)
                } else {
                    r
                }
            }

            #[inline]
            fn div_euclid(self, rhs: Self) -> Self {
                let q = Real::trunc(self / rhs);
                if self % rhs < 0.0 {
                    return if rhs > 0.0 { q - 1.0 } else { q + 1.0 };
                }
                q
            }

            // Inherent in `core` too: the same formula with or without std.
            #[inline]
            fn to_degrees(self) -> Self {
                <$t>::to_degrees(self)
            }

            #[inline]
            fn to_radians(self) -> Self {
                <$t>::to_radians(self)
            }

            #[inline]
            fn copysign(self, sign: Self) -> Self {
                #[cfg(feature = "std")]
                {
                    <$t>::copysign(self, sign)
                }
                #[cfg(not(feature = "std"))]
                {
                    libm::$copysign(self, sign)
                }
            }

            #[inline]
            fn libm_erf(self) -> Self {
                libm::$erf(self)
            }

            #[inline]
            fn libm_erfc(self) -> Self {
                libm::$erfc(self)
            }

            #[inline]
            fn libm_lgamma(self) -> Self {
                libm::$lgamma(self)
            }

            #[inline]
            fn libm_tgamma(self) -> Self {
                libm::$tgamma(self)
            }
        }
    };
}

impl_real! {
    f64 {
        exp() => exp;
        exp2() => exp2;
        exp_m1() => expm1;
        ln() => log;
        log2() => log2;
        log10() => log10;
        ln_1p() => log1p;
        sqrt() => sqrt;
        cbrt() => cbrt;
        powf(n) => pow;
        sin() => sin;
        cos() => cos;
        tan() => tan;
        asin() => asin;
        acos() => acos;
        atan() => atan;
        atan2(other) => atan2;
        sinh() => sinh;
        cosh() => cosh;
        tanh() => tanh;
        asinh() => asinh;
        acosh() => acosh;
        atanh() => atanh;
        hypot(other) => hypot;
        abs() => fabs;
        max(other) => fmax;
        min(other) => fmin;
        floor() => floor;
        ceil() => ceil;
        round() => round;
        trunc() => trunc;
    }
    fma: fma, copysign: copysign,
    special: erf, erfc, lgamma, tgamma
}

impl_real! {
    f32 {
        exp() => expf;
        exp2() => exp2f;
        exp_m1() => expm1f;
        ln() => logf;
        log2() => log2f;
        log10() => log10f;
        ln_1p() => log1pf;
        sqrt() => sqrtf;
        cbrt() => cbrtf;
        powf(n) => powf;
        sin() => sinf;
        cos() => cosf;
        tan() => tanf;
        asin() => asinf;
        acos() => acosf;
        atan() => atanf;
        atan2(other) => atan2f;
        sinh() => sinhf;
        cosh() => coshf;
        tanh() => tanhf;
        asinh() => asinhf;
        acosh() => acoshf;
        atanh() => atanhf;
        hypot(other) => hypotf;
        abs() => fabsf;
        max(other) => fmaxf;
        min(other) => fminf;
        floor() => floorf;
        ceil() => ceilf;
        round() => roundf;
        trunc() => truncf;
    }
    fma: fmaf, copysign: copysignf,
    special: erff, erfcf, lgammaf, tgammaf
}

#[cfg(test)]
mod tests {
    //! These tests compare against the inherent `std` methods, so with
    //! `--no-default-features` they check the `libm` implementations.
    extern crate std;

    use super::Real;

    const SAMPLES: [f64; 14] = [
        0.0, -0.0, 0.3, -0.3, 0.5, -0.5, 1.0, -1.5, 2.5, -2.5, 7.25, -40.0, 1e-300, -1e300,
    ];

    fn close(actual: f64, expected: f64, tol: f64) -> bool {
        if expected.is_nan() {
            return actual.is_nan();
        }
        actual == expected
            || (actual - expected).abs() <= tol * expected.abs().max(f64::MIN_POSITIVE)
    }

    macro_rules! compare {
        ($t:ident, $tol:expr) => {{
            let tol: f64 = $tol;
            for &a in SAMPLES.iter() {
                let x = a as $t;
                let y = (a * 0.75 - 0.25) as $t;
                let z = (1.0 - a) as $t;
                let unary: [(&str, $t, $t); 33] = [
                    ("exp", Real::exp(x), x.exp()),
                    ("exp2", Real::exp2(x), x.exp2()),
                    ("exp_m1", Real::exp_m1(x), x.exp_m1()),
                    ("ln", Real::ln(x), x.ln()),
                    ("log", Real::log(x, y), x.log(y)),
                    ("log2", Real::log2(x), x.log2()),
                    ("log10", Real::log10(x), x.log10()),
                    ("ln_1p", Real::ln_1p(x), x.ln_1p()),
                    ("sqrt", Real::sqrt(x), x.sqrt()),
                    ("cbrt", Real::cbrt(x), x.cbrt()),
                    ("powf", Real::powf(x, y), x.powf(y)),
                    ("recip", Real::recip(x), x.recip()),
                    ("sin", Real::sin(x), x.sin()),
                    ("cos", Real::cos(x), x.cos()),
                    ("sin_cos.0", Real::sin_cos(x).0, x.sin_cos().0),
                    ("sin_cos.1", Real::sin_cos(x).1, x.sin_cos().1),
                    ("tan", Real::tan(x), x.tan()),
                    ("asin", Real::asin(x), x.asin()),
                    ("acos", Real::acos(x), x.acos()),
                    ("atan", Real::atan(x), x.atan()),
                    ("atan2", Real::atan2(x, y), x.atan2(y)),
                    ("sinh", Real::sinh(x), x.sinh()),
                    ("cosh", Real::cosh(x), x.cosh()),
                    ("tanh", Real::tanh(x), x.tanh()),
                    ("asinh", Real::asinh(x), x.asinh()),
                    ("acosh", Real::acosh(x), x.acosh()),
                    ("atanh", Real::atanh(x), x.atanh()),
                    ("hypot", Real::hypot(x, y), x.hypot(y)),
                    ("mul_add", Real::mul_add(x, y, z), x.mul_add(y, z)),
                    ("powi 3", Real::powi(x, 3), x.powi(3)),
                    ("powi -2", Real::powi(x, -2), x.powi(-2)),
                    ("powi 0", Real::powi(x, 0), x.powi(0)),
                    ("powi 7", Real::powi(y, 7), y.powi(7)),
                ];
                for (name, actual, expected) in unary {
                    assert!(
                        close(actual as f64, expected as f64, tol),
                        "{}::{name}({x:?}, {y:?}): {actual:?} != {expected:?}",
                        stringify!($t)
                    );
                }
                let exact: [(&str, $t, $t); 19] = [
                    ("to_degrees", Real::to_degrees(x), x.to_degrees()),
                    ("to_radians", Real::to_radians(x), x.to_radians()),
                    ("copysign", Real::copysign(x, y), x.copysign(y)),
                    ("copysign -0", Real::copysign(x, -0.0), x.copysign(-0.0)),
                    (
                        "copysign -nan",
                        Real::copysign(x, -<$t>::NAN),
                        x.copysign(-<$t>::NAN),
                    ),
                    ("abs", Real::abs(x), x.abs()),
                    ("max", Real::max(x, y), x.max(y)),
                    ("min", Real::min(x, y), x.min(y)),
                    ("clamp", Real::clamp(x, -1.0, 2.0), x.clamp(-1.0, 2.0)),
                    ("signum", Real::signum(x), x.signum()),
                    ("floor", Real::floor(x), x.floor()),
                    ("ceil", Real::ceil(x), x.ceil()),
                    ("round", Real::round(x), x.round()),
                    ("trunc", Real::trunc(x), x.trunc()),
                    ("fract", Real::fract(x), x.fract()),
                    ("rem_euclid", Real::rem_euclid(x, y), x.rem_euclid(y)),
                    ("rem_euclid -y", Real::rem_euclid(x, -y), x.rem_euclid(-y)),
                    ("div_euclid", Real::div_euclid(x, y), x.div_euclid(y)),
                    ("div_euclid -y", Real::div_euclid(x, -y), x.div_euclid(-y)),
                ];
                for (name, actual, expected) in exact {
                    assert_eq!(
                        actual.to_bits(),
                        expected.to_bits(),
                        "{}::{name}({x:?}, {y:?})",
                        stringify!($t)
                    );
                }
            }
        }};
    }

    #[test]
    fn matches_std_f64() {
        compare!(f64, 1e-14);
    }

    #[test]
    fn matches_std_f32() {
        compare!(f32, 1e-6);
    }

    #[test]
    fn nan_handling() {
        let nan = f64::NAN;
        assert_eq!(Real::max(nan, 1.0), 1.0);
        assert_eq!(Real::min(1.0, nan), 1.0);
        assert!(Real::is_nan(Real::clamp(nan, 0.0, 1.0)));
        assert!(Real::is_nan(Real::signum(nan)));
        assert!(Real::is_nan(Real::signum(f32::NAN)));
        assert!(!Real::is_finite(f32::INFINITY));
        assert_eq!(Real::signum(-0.0f64), -1.0);
        assert_eq!(Real::signum(0.0f32), 1.0);
    }

    #[test]
    #[should_panic]
    fn clamp_rejects_inverted_bounds() {
        Real::clamp(0.5f64, 1.0, 0.0);
    }

    #[test]
    fn conversions() {
        assert_eq!(<f32 as Real>::from_f64(0.1), 0.1f32);
        assert_eq!(Real::to_f64(0.5f32), 0.5);
        assert_eq!(<f64 as Real>::from_i32(-3), -3.0);
        assert_eq!(<f32 as Real>::from_usize(7), 7.0);
        assert_eq!(<f64 as Real>::ZERO + <f64 as Real>::ONE, 1.0);
    }

    #[test]
    fn powi_extremes() {
        assert_eq!(Real::powi(2.0f64, -10), 1.0 / 1024.0);
        assert_eq!(Real::powi(-3.0f64, 5), -243.0);
        assert_eq!(Real::powi(1.0f64, i32::MIN), 1.0);
        assert_eq!(Real::powi(-1.0f32, i32::MAX), -1.0);
        assert_eq!(Real::powi(0.0f64, -1), f64::INFINITY);
    }
}
