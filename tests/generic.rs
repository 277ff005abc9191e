//! `#[grad]` on `f32` functions and on functions generic over
//! `T: autodiff::Real` (bound inline or in a where-clause), instantiated with
//! both `f32` and `f64`.
//!
//! f64 gradients are checked against central differences with `f64_tol`
//! (relative 1e-6); f32 gradients against central differences computed in f64
//! on the same formula, with `f32_tol` (relative 1e-3, absolute 1e-4).

mod common;

use autodiff::{grad, Real};
use common::*;
use proptest::prelude::*;

/// The same body as an `f32` `#[grad]` fn and a plain `f64` fn.
macro_rules! twin {
    ($f32:ident, $f64:ident, ($($p:ident),*) $body:block) => {
        #[grad]
        pub fn $f32($($p: f32),*) -> f32 $body

        pub fn $f64($($p: f64),*) -> f64 $body
    };
}

twin!(poly32, poly64, (x, y) {
    x * x * y + x.sin() - y.exp() / (1.0 + x * x)
});

mod mixed {
    use super::*;

    twin!(mixed32, mixed64, (x, y) {
        let r = x.hypot(y) + 0.5;
        let t = (x * 0.7).tanh() * y.cos() + r.ln();
        t.powi(2) + r.sqrt() * x.exp2() - y.atan2(r) + autodiff::sigmoid(x - y)
    });
}
use mixed::{mixed32, mixed32_backward, mixed64};

twin!(branchy32, branchy64, (x, y) {
    let mut s = x * y;
    if s > 0.5 {
        s = s.powf(1.5);
    } else if x < -1.0 {
        return (x * y).exp() + y;
    }
    s + x.max(y) * 2.0
});

fn branchy_clear(x: f64, y: f64) -> bool {
    (x * y - 0.5).abs() >= 1e-2 && (x + 1.0).abs() >= 1e-2 && (x - y).abs() >= 1e-2
}

/// Checks an f32 companion's gradient against f64 central differences.
fn check_f32(
    f64_twin: impl Fn(&[f64]) -> f64,
    x: &[f32],
    analytic: &[f32],
) -> Result<(), TestCaseError> {
    let x: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let analytic: Vec<f64> = analytic.iter().map(|&v| f64::from(v)).collect();
    prop_fd_with(f64_twin, &x, &analytic, f32_tol())
}

fn xy32() -> impl Strategy<Value = (f32, f32)> {
    (-2.0f32..2.0, -2.0f32..2.0)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn f32_polynomial_and_transcendentals((x, y) in xy32(), d in cotangent()) {
        let d = d as f32;
        let (v, dx, dy) = poly32_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), poly32(x, y).to_bits());
        check_f32(|p| f64::from(d) * poly64(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn f32_composite(
        // hypot has a cone at the origin
        (x, y) in xy32().prop_filter("near the origin", |(x, y)| x.hypot(*y) >= 0.05),
        d in cotangent(),
    ) {
        let d = d as f32;
        let (v, dx, dy) = mixed32_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), mixed32(x, y).to_bits());
        check_f32(|p| f64::from(d) * mixed64(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn f32_branches_and_early_return(
        (x, y) in xy32().prop_filter("at a boundary", |(x, y)| branchy_clear(f64::from(*x), f64::from(*y))),
        d in cotangent(),
    ) {
        let d = d as f32;
        let (v, dx, dy) = branchy32_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), branchy32(x, y).to_bits());
        check_f32(|p| f64::from(d) * branchy64(p[0], p[1]), &[x, y], &[dx, dy])?;
    }
}

// ---------------------------------------------------------------- generic over T: Real

#[grad]
fn g<T: Real>(x: T, y: T) -> T {
    let two = T::from_f64(2.0);
    two * x.sin() + T::exp(y) * x - y.powi(2) / T::from_f64(3.0) + autodiff::sigmoid(x * y)
}

#[grad]
fn g_where<T>(x: T, y: T, n: i32) -> T
where
    T: Real,
{
    let k = T::from_i32(n);
    let mut s = T::ONE + k * <T as Real>::ln_1p(x * x);
    if x > T::ZERO {
        s *= y.cosh();
    } else {
        s -= y.powf(T::from_f64(0.5) + x * x);
    }
    s + T::from_f64(n as f64) * T::ZERO
}

#[grad]
fn g_ref<T: autodiff::Real>(x: &T, y: T) -> (T, T) {
    (*x * y, x.tanh() + y.abs())
}

/// `g` written for f64 only: the generic and the concrete companion agree.
#[grad]
fn g_concrete(x: f64, y: f64) -> f64 {
    let two = 2.0;
    two * x.sin() + f64::exp(y) * x - y.powi(2) / 3.0 + autodiff::sigmoid(x * y)
}

fn positive_y() -> impl Strategy<Value = (f64, f64)> {
    (-2.0f64..2.0, 0.1f64..2.0)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn generic_fn_with_f64((x, y) in (-2.0f64..2.0, -2.0f64..2.0), d in cotangent()) {
        let (v, dx, dy) = g_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), g(x, y).to_bits());
        prop_fd(|p| d * g(p[0], p[1]), &[x, y], &[dx, dy])?;

        let (vc, dxc, dyc) = g_concrete_backward(x, y, d);
        prop_assert_eq!(vc.to_bits(), v.to_bits());
        prop_assert!((dx - dxc).abs() <= 1e-14 * dx.abs().max(1.0), "{} vs {}", dx, dxc);
        prop_assert!((dy - dyc).abs() <= 1e-14 * dy.abs().max(1.0), "{} vs {}", dy, dyc);
    }

    #[test]
    fn generic_fn_with_f32((x, y) in xy32(), d in cotangent()) {
        let d32 = d as f32;
        let (v, dx, dy) = g_backward::<f32>(x, y, d32);
        prop_assert_eq!(v.to_bits(), g::<f32>(x, y).to_bits());
        check_f32(|p| f64::from(d32) * g::<f64>(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn where_clause_with_f64(
        (x, y) in positive_y().prop_filter("at the branch", |(x, _)| x.abs() >= 1e-3),
        n in -3i32..=3,
        d in cotangent(),
    ) {
        let (v, dx, dy) = g_where_backward(x, y, n, d);
        prop_assert_eq!(v.to_bits(), g_where(x, y, n).to_bits());
        prop_fd(|p| d * g_where(p[0], p[1], n), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn where_clause_with_f32(
        (x, y) in (-2.0f32..2.0, 0.1f32..2.0).prop_filter("at the branch", |(x, _)| x.abs() >= 1e-2),
        n in -3i32..=3,
        d in cotangent(),
    ) {
        let d32 = d as f32;
        let (v, dx, dy) = g_where_backward::<f32>(x, y, n, d32);
        prop_assert_eq!(v.to_bits(), g_where::<f32>(x, y, n).to_bits());
        check_f32(|p| f64::from(d32) * g_where::<f64>(p[0], p[1], n), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn generic_ref_parameter_and_tuple_result(
        (x, y) in (-2.0f64..2.0, -2.0f64..2.0).prop_filter("at the kink", |(_, y)| y.abs() >= 1e-3),
        d0 in cotangent(),
        d1 in cotangent(),
    ) {
        // f64
        let mut sx = 0.0f64;
        let (out, dy) = g_ref_backward(&x, &mut sx, y, (d0, d1));
        prop_assert_eq!(out, g_ref(&x, y));
        prop_fd(
            |p| {
                let (a, b) = g_ref(&p[0], p[1]);
                d0 * a + d1 * b
            },
            &[x, y],
            &[sx, dy],
        )?;
        // f32
        let (x32, y32, e0, e1) = (x as f32, y as f32, d0 as f32, d1 as f32);
        let mut sx32 = 0.0f32;
        let (out32, dy32) = g_ref_backward(&x32, &mut sx32, y32, (e0, e1));
        prop_assert_eq!(out32, g_ref(&x32, y32));
        check_f32(
            |p| {
                let (a, b) = g_ref(&p[0], p[1]);
                f64::from(e0) * a + f64::from(e1) * b
            },
            &[x32, y32],
            &[sx32, dy32],
        )?;
    }
}

#[test]
fn generic_instantiations_agree_to_f32_precision() {
    for (x, y) in [(0.3, -1.2), (1.7, 0.4), (-0.9, 1.9)] {
        let (v64, dx64, dy64) = g_backward(x, y, 1.0f64);
        let (v32, dx32, dy32) = g_backward(x as f32, y as f32, 1.0f32);
        for (a, b) in [(v64, v32), (dx64, dx32), (dy64, dy32)] {
            assert!(
                (a - f64::from(b)).abs() <= 1e-5 * a.abs().max(1.0),
                "{a} vs {b}"
            );
        }
    }
}

// ---------------------------------------------------------------- macro bugs found

/// A float literal in an f32 body is rounded once, decimal → f32, by rustc.
/// 1.0000001788139343261718749 lies just below the midpoint between the f32
/// values 1 + 2^-23 and 1 + 2^-22, so it rounds to 1 + 2^-23; rounded first to
/// f64 it becomes that midpoint, which then rounds (ties to even) to 1 + 2^-22.
#[allow(clippy::excessive_precision)]
#[grad]
fn f32_literal(x: f32) -> f32 {
    x * 1.0000001788139343261718749
}

#[test]
#[allow(clippy::excessive_precision)]
fn f32_literals_round_like_rustc() {
    let want = 1.0000001788139343261718749f32;
    assert_eq!(want, 1.0 + f32::EPSILON);
    let (v, dx) = f32_literal_backward(1.0, 1.0);
    assert_eq!(
        v.to_bits(),
        f32_literal(1.0).to_bits(),
        "primal {v} vs {}",
        f32_literal(1.0)
    );
    assert_eq!(dx, want);
}
