//! The contract's conventions at non-differentiable points (DESIGN.md, Part 1,
//! "Semantics"), checked exactly: the same values as JAX and PyTorch.

mod common;

use autodiff::grad;
use common::prims::*;
use common::*;
use proptest::prelude::*;

#[grad]
fn abs1(x: f64) -> f64 {
    x.abs()
}

#[grad]
fn copysign2(x: f64, y: f64) -> f64 {
    x.copysign(y)
}

#[grad]
fn max2(x: f64, y: f64) -> f64 {
    x.max(y)
}

#[grad]
fn min2(x: f64, y: f64) -> f64 {
    x.min(y)
}

#[grad]
fn clamp3(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi)
}

#[grad]
fn powi1(x: f64, n: i32) -> f64 {
    x.powi(n)
}

#[grad]
fn sqrt1(x: f64) -> f64 {
    x.sqrt()
}

#[grad]
fn floor1(x: f64) -> f64 {
    x.floor()
}

#[grad]
fn ceil1(x: f64) -> f64 {
    x.ceil()
}

#[grad]
fn round1(x: f64) -> f64 {
    x.round()
}

#[grad]
fn trunc1(x: f64) -> f64 {
    x.trunc()
}

#[grad]
fn signum1(x: f64) -> f64 {
    x.signum()
}

#[grad]
fn fract1(x: f64) -> f64 {
    x.fract()
}

// ---------------------------------------------------------------- kinks

#[test]
fn abs_derivative_at_zero_is_zero() {
    for x in [0.0, -0.0] {
        let (v, dx) = abs1_backward(x, 1.0);
        assert_bits(v, x.abs(), "abs value");
        assert_eq!(dx, 0.0, "abs'({x:?})");
    }
    // and the slopes on either side
    assert_eq!(abs1_backward(1e-300, 2.0).1, 2.0);
    assert_eq!(abs1_backward(-1e-300, 2.0).1, -2.0);
}

/// `copysign(x, y) = |x| · sign(y)`: d/dx is `abs'(x) · sign(y)` with the
/// convention of `abs` at zero (`0` at `x = ±0`, whatever `y`); sign(y) is y's
/// sign bit (`-0.0` and `-NaN` count as negative). d/dy is `0` everywhere,
/// the jump at `y = 0` included.
#[test]
fn copysign_derivative_at_zero_is_zero() {
    for x in [0.0, -0.0] {
        for y in [1.0, -1.0, 0.0, -0.0] {
            let (v, dx, dy) = copysign2_backward(x, y, 1.0);
            assert_bits(v, x.copysign(y), "copysign value");
            assert_eq!((dx, dy), (0.0, 0.0), "copysign'({x:?}, {y:?})");
        }
    }
    // the slopes on either side: sign(x) sign(y)
    assert_eq!(copysign2_backward(1e-300, 3.0, 2.0).1, 2.0);
    assert_eq!(copysign2_backward(-1e-300, 3.0, 2.0).1, -2.0);
    assert_eq!(copysign2_backward(1e-300, -3.0, 2.0).1, -2.0);
    assert_eq!(copysign2_backward(-1e-300, -3.0, 2.0).1, 2.0);
    // y's sign bit decides, at y = ±0 and NaN too
    assert_eq!(copysign2_backward(1.5, 0.0, 1.0).1, 1.0);
    assert_eq!(copysign2_backward(1.5, -0.0, 1.0).1, -1.0);
    assert_eq!(copysign2_backward(1.5, -f64::NAN, 1.0).1, -1.0);
    assert_eq!(copysign2_backward(-1.5, f64::NAN, 1.0).1, -1.0);
    assert_eq!(copysign2_backward(1.5, -0.0, 1.0).2, 0.0);
}

#[test]
fn max_min_ties_split_the_cotangent_equally() {
    for (x, d) in [(1.0, 1.0), (-3.5, 2.0), (0.0, -4.0)] {
        assert_eq!(
            max2_backward(x, x, d),
            (x, 0.5 * d, 0.5 * d),
            "max tie at {x}"
        );
        assert_eq!(
            min2_backward(x, x, d),
            (x, 0.5 * d, 0.5 * d),
            "min tie at {x}"
        );
    }
    // off the tie, all of it goes to the winner
    assert_eq!(max2_backward(1.0, 2.0, 3.0), (2.0, 0.0, 3.0));
    assert_eq!(max2_backward(2.0, 1.0, 3.0), (2.0, 3.0, 0.0));
    assert_eq!(min2_backward(1.0, 2.0, 3.0), (1.0, 3.0, 0.0));
    assert_eq!(min2_backward(2.0, 1.0, 3.0), (1.0, 0.0, 3.0));
}

/// `clamp(x, lo, hi)` is `min(max(x, lo), hi)` (JAX's `jnp.clip`), so at a
/// bound the tie rule of `max`/`min` splits the cotangent between `x` and that
/// bound.
#[test]
fn clamp_at_and_around_its_bounds() {
    let (lo, hi) = (-1.0, 2.0);
    // inside, below, above
    assert_eq!(clamp3_backward(0.5, lo, hi, 1.0), (0.5, 1.0, 0.0, 0.0));
    assert_eq!(clamp3_backward(-3.0, lo, hi, 1.0), (lo, 0.0, 1.0, 0.0));
    assert_eq!(clamp3_backward(5.0, lo, hi, 1.0), (hi, 0.0, 0.0, 1.0));
    // at the bounds: a tie
    assert_eq!(clamp3_backward(lo, lo, hi, 1.0), (lo, 0.5, 0.5, 0.0));
    assert_eq!(clamp3_backward(hi, lo, hi, 1.0), (hi, 0.5, 0.0, 0.5));
    assert_eq!(clamp3_backward(hi, lo, hi, -2.0), (hi, -1.0, 0.0, -1.0));
    // lo == hi == x: both ties, max first then min
    assert_eq!(clamp3_backward(1.0, 1.0, 1.0, 1.0), (1.0, 0.25, 0.25, 0.5));
}

#[test]
fn clamp_gradient_sums_to_the_cotangent() {
    // clamp(x + t, lo + t, hi + t) = clamp(x, lo, hi) + t, so the three partials
    // add up to d_out at every point, kinks included.
    for x in [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0] {
        let (_, a, b, c) = clamp3_backward(x, -1.0, 2.0, 1.0);
        assert_eq!(a + b + c, 1.0, "at x = {x}");
    }
}

#[test]
fn relu_derivative_at_zero_is_zero() {
    for x in [0.0, -0.0] {
        assert_eq!(relu1_backward(x, 1.0), (0.0, 0.0), "relu'({x:?})");
    }
    assert_eq!(relu1_backward(1e-300, 3.0), (1e-300, 3.0));
    assert_eq!(relu1_backward(-1e-300, 3.0), (0.0, 0.0));
}

/// At the kink `leaky_relu` takes its `x <= 0` branch (`alpha * x`): the
/// derivative in `x` is `alpha`, in `alpha` it is `x = 0`.
#[test]
fn leaky_relu_at_zero() {
    let (v, dx, dalpha) = leaky2_backward(0.0, 0.01, 1.0);
    assert_eq!((v, dx, dalpha), (0.0, 0.01, 0.0));
    let (_, dx, dalpha) = leaky2_backward(0.0, 0.2, -3.0);
    assert_near(dx, -0.6, 1e-15, "d/dx leaky_relu(0, 0.2) * -3");
    assert_eq!(dalpha, 0.0);
}

/// `elu` at the kink takes its `x <= 0` branch: `alpha * e^0 = alpha`.
#[test]
fn elu_at_zero() {
    assert_eq!(elu2_backward(0.0, 1.5, 1.0), (0.0, 1.5, 0.0));
    assert_eq!(elu2_backward(0.0, 1.0, 2.0), (0.0, 2.0, 0.0));
}

#[test]
fn powf_y_derivative_is_zero_where_x_is_zero() {
    // d/dy x^y = x^y ln x; at x = 0 that is 0 * -inf: the convention is 0.
    for y in [0.5, 1.0, 2.0, 3.5] {
        let (v, _, dy) = powf2_backward(0.0, y, 1.0);
        assert_eq!(v, 0.0);
        assert_eq!(dy, 0.0, "d/dy 0^{y}");
    }
    let (_, dx, _) = powf2_backward(0.0, 2.0, 1.0);
    assert_eq!(dx, 0.0, "d/dx x^2 at 0");
    let (_, dx, _) = powf2_backward(0.0, 1.0, 1.0);
    assert_eq!(dx, 1.0, "d/dx x^1 at 0");
}

#[test]
fn powf_x_derivative_is_zero_where_y_is_zero() {
    // d/dx x^y = y x^(y-1): at x = 0, y = 0 that is 0 * inf; x^0 is constant.
    assert_eq!(powf2_backward(0.0, 0.0, 1.0), (1.0, 0.0, 0.0));
    for x in [0.5, 2.0, 7.0] {
        let (v, dx, dy) = powf2_backward(x, 0.0, 1.0);
        assert_eq!((v, dx), (1.0, 0.0), "x = {x}");
        assert_near(dy, f64::ln(x), 1e-15, "d/dy x^y at y = 0 is ln x");
    }
}

#[test]
fn powi_with_zero_exponent_at_zero() {
    // naively 0 * 0^-1 = 0 * inf = NaN
    assert_eq!(powi1_backward(0.0, 0, 1.0), (1.0, 0.0));
    assert_eq!(powi1_backward(-0.0, 0, 1.0), (1.0, 0.0));
    assert_eq!(powi1_backward(3.0, 0, 1.0), (1.0, 0.0));
    // n = 1 at 0: the derivative is 1
    assert_eq!(powi1_backward(0.0, 1, 2.0), (0.0, 2.0));
}

#[test]
fn step_functions_have_derivative_zero() {
    // at their jumps as well as between them
    for x in [-2.5, -2.0, -0.5, -0.0, 0.0, 0.3, 0.5, 1.0, 1.5, 7.0] {
        for (name, got) in [
            ("floor", floor1_backward(x, 1.0)),
            ("ceil", ceil1_backward(x, 1.0)),
            ("round", round1_backward(x, 1.0)),
            ("trunc", trunc1_backward(x, 1.0)),
            ("signum", signum1_backward(x, 1.0)),
        ] {
            assert_eq!(got.1, 0.0, "{name}'({x})");
        }
        assert_bits(floor1_backward(x, 1.0).0, x.floor(), "floor");
        assert_bits(ceil1_backward(x, 1.0).0, x.ceil(), "ceil");
        assert_bits(round1_backward(x, 1.0).0, x.round(), "round");
        assert_bits(trunc1_backward(x, 1.0).0, x.trunc(), "trunc");
        assert_bits(signum1_backward(x, 1.0).0, x.signum(), "signum");
        // fract = x - trunc(x): slope 1 everywhere by the same convention
        assert_eq!(fract1_backward(x, 1.0).1, 1.0, "fract'({x})");
    }
}

#[test]
fn hypot_at_the_origin_is_zero() {
    assert_eq!(hypot2_backward(0.0, 0.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(hypot2_backward(-0.0, 0.0, 1.0), (0.0, 0.0, 0.0));
    // and |(x, 0)|' = sign x on the axes
    assert_eq!(hypot2_backward(-2.0, 0.0, 1.0), (2.0, -1.0, 0.0));
}

#[test]
fn sqrt_at_zero_is_positive_infinity() {
    let (v, dx) = sqrt1_backward(0.0, 1.0);
    assert_eq!(v, 0.0);
    assert_eq!(dx, f64::INFINITY);
}

#[test]
fn stable_primitives_have_finite_gradients_at_extremes() {
    for x in [1000.0, -1000.0, 1e300, -1e300] {
        let checks = [
            ("sigmoid", sigmoid1_backward(x, 1.0)),
            ("softplus", softplus1_backward(x, 1.0)),
            ("relu", relu1_backward(x, 1.0)),
        ];
        for (name, (v, dx)) in checks {
            assert!(v.is_finite(), "{name}({x}) = {v}");
            assert!(dx.is_finite(), "{name}'({x}) = {dx}");
        }
        for (name, (v, dx, da)) in [
            ("elu", elu2_backward(x, 1.0, 1.0)),
            ("leaky_relu", leaky2_backward(x, 0.01, 1.0)),
        ] {
            assert!(
                v.is_finite() && dx.is_finite() && da.is_finite(),
                "{name} at {x}: {v} {dx} {da}"
            );
        }
    }
    // the limits themselves
    assert_eq!(sigmoid1_backward(1000.0, 1.0), (1.0, 0.0));
    assert_eq!(sigmoid1_backward(-1000.0, 1.0), (0.0, 0.0));
    assert_eq!(softplus1_backward(1000.0, 1.0), (1000.0, 1.0));
    assert_eq!(softplus1_backward(-1000.0, 1.0), (0.0, 0.0));
    assert_eq!(elu2_backward(1000.0, 1.0, 1.0), (1000.0, 1.0, 0.0));
    assert_eq!(elu2_backward(-1000.0, 1.0, 1.0), (-1.0, 0.0, -1.0));
    assert_eq!(relu1_backward(1000.0, 1.0), (1000.0, 1.0));
    assert_eq!(relu1_backward(-1000.0, 1.0), (0.0, 0.0));
}

// ---------------------------------------------------------------- branches

#[grad]
fn branch_lt(x: f64) -> f64 {
    if x < 1.0 {
        x * x
    } else {
        3.0 * x
    }
}

#[grad]
fn branch_le(x: f64) -> f64 {
    if x <= 1.0 {
        x * x
    } else {
        3.0 * x
    }
}

/// The branch taken is the branch differentiated, at the boundary too.
#[test]
fn branch_at_its_boundary_differentiates_the_branch_taken() {
    // x < 1.0 is false at 1.0: the else branch, slope 3
    assert_eq!(branch_lt_backward(1.0, 1.0), (3.0, 3.0));
    // x <= 1.0 is true at 1.0: the then branch, slope 2x = 2
    assert_eq!(branch_le_backward(1.0, 1.0), (1.0, 2.0));
    // either side
    let below = 1.0 - f64::EPSILON;
    assert_eq!(branch_lt_backward(below, 1.0).1, 2.0 * below);
    assert_eq!(branch_le_backward(1.0 + 2.0 * f64::EPSILON, 1.0).1, 3.0);
}

// ---------------------------------------------------------------- powi, negative exponents

proptest! {
    #![proptest_config(config())]

    #[test]
    fn powi_negative_exponents_match_central_differences(
        x in away_from(-4.0, 4.0, &[0.0], 0.2),
        n in -8i32..=-1,
        d in cotangent(),
    ) {
        let (v, dx) = powi1_backward(x, n, d);
        prop_assert_eq!(v.to_bits(), x.powi(n).to_bits());
        prop_fd(|p| d * powi1(p[0], n), &[x], &[dx])?;
        // and the closed form n x^(n-1)
        let want = d * f64::from(n) * x.powi(n - 1);
        prop_assert!((dx - want).abs() <= 1e-12 * want.abs(), "{} vs {}", dx, want);
    }
}

#[test]
fn powi_negative_exponent_known_values() {
    // d/dx x^-1 = -1/x^2, d/dx x^-2 = -2/x^3
    assert_eq!(powi1_backward(2.0, -1, 1.0), (0.5, -0.25));
    assert_eq!(powi1_backward(2.0, -2, 1.0), (0.25, -0.25));
    assert_eq!(powi1_backward(-0.5, -3, 1.0), (-8.0, -48.0));
}

#[test]
fn powi_with_most_negative_exponent() {
    // x^n at x = 1 is 1 for every n, and its derivative is n.
    let n = i32::MIN;
    assert_eq!(powi1(1.0, n), 1.0);
    let (v, dx) = powi1_backward(1.0, n, 1.0);
    assert_eq!(v, 1.0);
    assert_eq!(dx, f64::from(n));
}

#[grad]
fn atan2_of(y: f64, x: f64) -> f64 {
    y.atan2(x)
}

/// atan2 at the origin: both partials are 0 (no derivative exists there); 0 / 0
/// would make the whole gradient NaN, also where the arguments are constant
/// (found by the random programs: `atan2(-v.max(v), elu(y.max(v), …))` with
/// `v = (x - x) / …`, here `(x * 0.0) / …`, made a smooth function's gradient NaN).
#[test]
fn atan2_at_the_origin_is_zero() {
    for (y, x) in [(0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (-0.0, -0.0)] {
        let (_, dy, dx) = atan2_of_backward(y, x, 1.0);
        assert_eq!((dy, dx), (0.0, 0.0), "at ({y}, {x})");
    }
    let (_, dy, dx) = atan2_of_backward(1e-300, 1e-300, 1.0);
    assert!(dy.is_finite() && dx.is_finite());
}

#[grad]
fn through_the_origin(x: f64, y: f64) -> f64 {
    let v = (x * 0.0) / (1.0 + y * y);
    (-v.max(v)).atan2(autodiff::elu(y.max(v), 0.5)) + x.sin() * y
}

#[test]
fn a_constant_atan2_at_the_origin_leaves_the_gradient_finite() {
    let (_, dx, dy) = through_the_origin_backward(-0.72, -0.52, 1.0);
    assert!((dx - (-0.72f64).cos() * -0.52).abs() < 1e-12, "{dx}");
    assert!((dy - (-0.72f64).sin()).abs() < 1e-12, "{dy}");
}
