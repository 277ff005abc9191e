//! Every float method and every primitive `#[grad]` supports, differentiated in
//! a function of its own and checked against central finite differences at
//! random points of a per-function domain (as JAX's test utilities restrict
//! them): away from poles, branch cuts and kinks (at least 1e-3 from a kink or
//! a tie, so the finite-difference stencil never straddles one).
//!
//! For each function the properties are (the last one makes this file the
//! dot-product test of the two modes for every row of the derivative table):
//! - the gradient, for a random cotangent `d_out`, equals central differences
//!   of `d_out * f` (relative 1e-6, absolute 1e-8);
//! - the primal value returned by the companion is the original's, bit for bit;
//! - the method form (`x.exp()`) and the path form (`f64::exp(x)`) of a method,
//!   or the two paths (`autodiff::relu(x)`, `autodiff::primitives::relu(x)`) of a
//!   primitive, give bit-identical companions;
//! - `_forward` returns the primal bit for bit, and its directional derivative
//!   agrees with `_backward`'s gradient: ⟨ȳ, J·ẋ⟩ = ⟨Jᵀ·ȳ, ẋ⟩ (relative 1e-12).

mod common;

use autodiff::grad;
use common::*;
use proptest::prelude::*;

// ---------------------------------------------------------------- domains

fn any_x() -> BoxedStrategy<f64> {
    (-5.0f64..5.0).boxed()
}
fn positive() -> BoxedStrategy<f64> {
    (0.1f64..10.0).boxed()
}
fn unit_open() -> BoxedStrategy<f64> {
    (-0.9f64..0.9).boxed()
}
fn nonzero(lo: f64, hi: f64) -> BoxedStrategy<f64> {
    away_from(lo, hi, &[0.0], 0.1)
}
fn off_integers() -> BoxedStrategy<f64> {
    (-5.0f64..5.0)
        .prop_filter("too close to an integer", |x| dist_to_int(*x) >= 1e-3)
        .boxed()
}
fn off_half_integers() -> BoxedStrategy<f64> {
    (-5.0f64..5.0)
        .prop_filter("too close to a half-integer", |x| {
            dist_to_int(*x + 0.5) >= 1e-3
        })
        .boxed()
}
fn pair(a: BoxedStrategy<f64>, b: BoxedStrategy<f64>) -> BoxedStrategy<(f64, f64)> {
    (a, b).boxed()
}
/// Two values at least 1e-3 apart (no max/min tie).
fn untied() -> BoxedStrategy<(f64, f64)> {
    (any_x(), any_x())
        .prop_filter("tie", |(x, y)| (x - y).abs() >= 1e-3)
        .boxed()
}

// ---------------------------------------------------------------- stamps

/// A one-argument float method `$m`, inputs from `$dom`.
macro_rules! unary {
    ($(#[$attr:meta])* $m:ident, $dom:expr) => {
        $(#[$attr])*
        mod $m {
            use super::*;

            #[grad(reverse, forward)]
            pub fn method(x: f64) -> f64 {
                x.$m()
            }

            #[grad]
            pub fn path(x: f64) -> f64 {
                f64::$m(x)
            }

            proptest! {
                #![proptest_config(config())]

                #[test]
                fn gradient_matches_central_differences(x in $dom, d in cotangent()) {
                    let (v, dx) = method_backward(x, d);
                    prop_assert_eq!(v.to_bits(), method(x).to_bits(), "primal {} vs {}", v, method(x));
                    prop_assert_eq!(v.to_bits(), x.$m().to_bits());
                    prop_fd(|p| d * method(p[0]), &[x], &[dx])?;
                }

                #[test]
                fn forward_agrees_with_reverse(x in $dom, d in cotangent(), tx in tangent()) {
                    let (v, t) = method_forward(x, tx);
                    prop_assert_eq!(v.to_bits(), method(x).to_bits());
                    let (_, dx) = method_backward(x, d);
                    prop_dot(&[d], &[t], &[dx], &[tx])?;
                }

                #[test]
                fn method_and_path_forms_agree(x in $dom, d in cotangent()) {
                    let (va, da) = method_backward(x, d);
                    let (vb, db) = path_backward(x, d);
                    prop_assert_eq!(vb.to_bits(), path(x).to_bits());
                    prop_assert_eq!((va.to_bits(), da.to_bits()), (vb.to_bits(), db.to_bits()));
                }
            }
        }
    };
}

/// A two-argument float method `x.$m(y)`, both arguments differentiated.
macro_rules! binary {
    ($m:ident, $dom:expr) => {
        mod $m {
            use super::*;

            #[grad(reverse, forward)]
            pub fn method(x: f64, y: f64) -> f64 {
                x.$m(y)
            }

            #[grad]
            pub fn path(x: f64, y: f64) -> f64 {
                f64::$m(x, y)
            }

            proptest! {
                #![proptest_config(config())]

                #[test]
                fn gradient_matches_central_differences((x, y) in $dom, d in cotangent()) {
                    let (v, dx, dy) = method_backward(x, y, d);
                    prop_assert_eq!(v.to_bits(), method(x, y).to_bits(), "primal {} vs {}", v, method(x, y));
                    prop_assert_eq!(v.to_bits(), x.$m(y).to_bits());
                    prop_fd(|p| d * method(p[0], p[1]), &[x, y], &[dx, dy])?;
                }

                #[test]
                fn forward_agrees_with_reverse((x, y) in $dom, d in cotangent(), tx in tangent(), ty in tangent()) {
                    let (v, t) = method_forward(x, tx, y, ty);
                    prop_assert_eq!(v.to_bits(), method(x, y).to_bits());
                    let (_, dx, dy) = method_backward(x, y, d);
                    prop_dot(&[d], &[t], &[dx, dy], &[tx, ty])?;
                }

                #[test]
                fn method_and_path_forms_agree((x, y) in $dom, d in cotangent()) {
                    let a = method_backward(x, y, d);
                    let b = path_backward(x, y, d);
                    prop_assert_eq!(b.0.to_bits(), path(x, y).to_bits());
                    prop_assert_eq!(
                        (a.0.to_bits(), a.1.to_bits(), a.2.to_bits()),
                        (b.0.to_bits(), b.1.to_bits(), b.2.to_bits())
                    );
                }
            }
        }
    };
}

/// A three-argument float method `x.$m(y, z)`, all arguments differentiated.
macro_rules! ternary {
    ($m:ident, $dom:expr) => {
        mod $m {
            use super::*;

            #[grad(reverse, forward)]
            pub fn method(x: f64, y: f64, z: f64) -> f64 {
                x.$m(y, z)
            }

            #[grad]
            pub fn path(x: f64, y: f64, z: f64) -> f64 {
                f64::$m(x, y, z)
            }

            proptest! {
                #![proptest_config(config())]

                #[test]
                fn gradient_matches_central_differences((x, y, z) in $dom, d in cotangent()) {
                    let (v, dx, dy, dz) = method_backward(x, y, z, d);
                    prop_assert_eq!(v.to_bits(), method(x, y, z).to_bits(), "primal {} vs {}", v, method(x, y, z));
                    prop_assert_eq!(v.to_bits(), x.$m(y, z).to_bits());
                    prop_fd(|p| d * method(p[0], p[1], p[2]), &[x, y, z], &[dx, dy, dz])?;
                }

                #[test]
                fn forward_agrees_with_reverse(
                    (x, y, z) in $dom,
                    d in cotangent(),
                    t in (tangent(), tangent(), tangent()),
                ) {
                    let (v, jv) = method_forward(x, t.0, y, t.1, z, t.2);
                    prop_assert_eq!(v.to_bits(), method(x, y, z).to_bits());
                    let (_, dx, dy, dz) = method_backward(x, y, z, d);
                    prop_dot(&[d], &[jv], &[dx, dy, dz], &[t.0, t.1, t.2])?;
                }

                #[test]
                fn method_and_path_forms_agree((x, y, z) in $dom, d in cotangent()) {
                    let a = method_backward(x, y, z, d);
                    let b = path_backward(x, y, z, d);
                    prop_assert_eq!(b.0.to_bits(), path(x, y, z).to_bits());
                    prop_assert_eq!(
                        (a.0.to_bits(), a.1.to_bits(), a.2.to_bits(), a.3.to_bits()),
                        (b.0.to_bits(), b.1.to_bits(), b.2.to_bits(), b.3.to_bits())
                    );
                }
            }
        }
    };
}

/// A one-argument primitive of `autodiff`, called by its two paths.
macro_rules! prim1 {
    ($p:ident, $dom:expr) => {
        mod $p {
            use super::*;
            use autodiff::$p;

            #[grad(reverse, forward)]
            pub fn qualified(x: f64) -> f64 {
                autodiff::$p(x)
            }

            #[grad]
            pub fn imported(x: f64) -> f64 {
                autodiff::primitives::$p(x)
            }

            proptest! {
                #![proptest_config(config())]

                #[test]
                fn gradient_matches_central_differences(x in $dom, d in cotangent()) {
                    let (v, dx) = qualified_backward(x, d);
                    prop_assert_eq!(v.to_bits(), qualified(x).to_bits());
                    prop_assert_eq!(v.to_bits(), $p(x).to_bits());
                    prop_fd(|p| d * qualified(p[0]), &[x], &[dx])?;
                }

                #[test]
                fn forward_agrees_with_reverse(x in $dom, d in cotangent(), tx in tangent()) {
                    let (v, t) = qualified_forward(x, tx);
                    prop_assert_eq!(v.to_bits(), qualified(x).to_bits());
                    let (_, dx) = qualified_backward(x, d);
                    prop_dot(&[d], &[t], &[dx], &[tx])?;
                }

                #[test]
                fn crate_and_module_paths_agree(x in $dom, d in cotangent()) {
                    let (va, da) = qualified_backward(x, d);
                    let (vb, db) = imported_backward(x, d);
                    prop_assert_eq!(vb.to_bits(), imported(x).to_bits());
                    prop_assert_eq!((va.to_bits(), da.to_bits()), (vb.to_bits(), db.to_bits()));
                }
            }
        }
    };
}

/// A two-argument primitive `$p(x, alpha)`, both arguments differentiated.
macro_rules! prim2 {
    ($p:ident, $dom:expr) => {
        mod $p {
            use super::*;
            use autodiff::$p;

            #[grad(reverse, forward)]
            pub fn qualified(x: f64, a: f64) -> f64 {
                autodiff::$p(x, a)
            }

            #[grad]
            pub fn imported(x: f64, a: f64) -> f64 {
                autodiff::primitives::$p(x, a)
            }

            proptest! {
                #![proptest_config(config())]

                #[test]
                fn gradient_matches_central_differences((x, a) in $dom, d in cotangent()) {
                    let (v, dx, da) = qualified_backward(x, a, d);
                    prop_assert_eq!(v.to_bits(), qualified(x, a).to_bits());
                    prop_assert_eq!(v.to_bits(), $p(x, a).to_bits());
                    prop_fd(|p| d * qualified(p[0], p[1]), &[x, a], &[dx, da])?;
                }

                #[test]
                fn forward_agrees_with_reverse((x, a) in $dom, d in cotangent(), tx in tangent(), ta in tangent()) {
                    let (v, t) = qualified_forward(x, tx, a, ta);
                    prop_assert_eq!(v.to_bits(), qualified(x, a).to_bits());
                    let (_, dx, da) = qualified_backward(x, a, d);
                    prop_dot(&[d], &[t], &[dx, da], &[tx, ta])?;
                }

                #[test]
                fn crate_and_module_paths_agree((x, a) in $dom, d in cotangent()) {
                    let p = qualified_backward(x, a, d);
                    let q = imported_backward(x, a, d);
                    prop_assert_eq!(q.0.to_bits(), imported(x, a).to_bits());
                    prop_assert_eq!(
                        (p.0.to_bits(), p.1.to_bits(), p.2.to_bits()),
                        (q.0.to_bits(), q.1.to_bits(), q.2.to_bits())
                    );
                }
            }
        }
    };
}

// ---------------------------------------------------------------- exponentials and logarithms

unary!(exp, (-10.0f64..10.0).boxed());
unary!(exp2, (-10.0f64..10.0).boxed());
unary!(exp_m1, (-10.0f64..10.0).boxed());
unary!(ln, positive());
binary!(
    log,
    // base kept away from 1, where ln(base) = 0 is a pole
    pair(positive(), away_from(0.1, 10.0, &[1.0], 0.1))
);
unary!(log2, positive());
unary!(log10, positive());
unary!(ln_1p, (-0.9f64..10.0).boxed());

// ---------------------------------------------------------------- powers and roots

unary!(sqrt, positive());
unary!(cbrt, nonzero(-10.0, 10.0));
unary!(recip, nonzero(-10.0, 10.0));
binary!(powf, pair((0.1f64..5.0).boxed(), (-3.0f64..3.0).boxed()));

/// `powi`: the exponent is an `i32`, inactive; only the base has a gradient.
mod powi {
    use super::*;

    #[grad(reverse, forward)]
    pub fn method(x: f64, n: i32) -> f64 {
        x.powi(n)
    }

    #[grad]
    pub fn path(x: f64, n: i32) -> f64 {
        f64::powi(x, n)
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn gradient_matches_central_differences(
            x in nonzero(-5.0, 5.0),
            n in -4i32..=5,
            d in cotangent(),
        ) {
            let (v, dx) = method_backward(x, n, d);
            prop_assert_eq!(v.to_bits(), method(x, n).to_bits());
            prop_assert_eq!(v.to_bits(), x.powi(n).to_bits());
            prop_fd(|p| d * method(p[0], n), &[x], &[dx])?;
        }

        #[test]
        fn forward_agrees_with_reverse(x in nonzero(-5.0, 5.0), n in -4i32..=5, d in cotangent(), tx in tangent()) {
            let (v, t) = method_forward(x, tx, n);
            prop_assert_eq!(v.to_bits(), method(x, n).to_bits());
            let (_, dx) = method_backward(x, n, d);
            prop_dot(&[d], &[t], &[dx], &[tx])?;
        }

        #[test]
        fn method_and_path_forms_agree(x in nonzero(-5.0, 5.0), n in -4i32..=5, d in cotangent()) {
            let (va, da) = method_backward(x, n, d);
            let (vb, db) = path_backward(x, n, d);
            prop_assert_eq!(vb.to_bits(), path(x, n).to_bits());
            prop_assert_eq!((va.to_bits(), da.to_bits()), (vb.to_bits(), db.to_bits()));
        }
    }
}

// ---------------------------------------------------------------- trigonometry

unary!(sin, any_x());
unary!(cos, any_x());
unary!(tan, (-1.4f64..1.4).boxed());
unary!(asin, unit_open());
unary!(acos, unit_open());
unary!(atan, any_x());
binary!(
    atan2,
    // away from the origin and from the branch cut on the negative x axis
    // (the receiver is y: `y.atan2(x)`)
    (any_x(), any_x())
        .prop_filter("origin or branch cut", |(y, x)| {
            y.abs() >= 1e-3 || *x >= 1e-3
        })
        .boxed()
);

// ---------------------------------------------------------------- hyperbolic

unary!(sinh, any_x());
unary!(cosh, any_x());
unary!(tanh, any_x());
unary!(asinh, any_x());
unary!(acosh, (1.1f64..10.0).boxed());
unary!(atanh, unit_open());

// ---------------------------------------------------------------- piecewise

binary!(
    hypot,
    (any_x(), any_x())
        .prop_filter("origin", |(x, y)| x.hypot(*y) >= 1e-3)
        .boxed()
);
unary!(abs, away_from(-5.0, 5.0, &[0.0], 1e-3));
binary!(max, untied());
binary!(min, untied());
ternary!(
    clamp,
    // lo in (-3, 0), hi in (0.5, 3), x at least 1e-3 from both bounds
    ((-4.0f64..4.0), (-3.0f64..0.0), (0.5f64..3.0))
        .prop_filter("at a bound", |(x, lo, hi)| {
            (x - lo).abs() >= 1e-3 && (x - hi).abs() >= 1e-3
        })
        .boxed()
);
ternary!(mul_add, (any_x(), any_x(), any_x()).boxed());
unary!(signum, away_from(-5.0, 5.0, &[0.0], 1e-3));
unary!(floor, off_integers());
unary!(ceil, off_integers());
unary!(round, off_half_integers());
unary!(trunc, off_integers());
unary!(fract, off_integers());
binary!(
    rem_euclid,
    // y away from 0, x / y at least 1e-3 from an integer (where the result jumps)
    (any_x(), nonzero(-5.0, 5.0))
        .prop_filter("at a jump", |(x, y)| {
            let q = x / y;
            (q - q.round()).abs() >= 1e-3
        })
        .boxed()
);
binary!(
    div_euclid,
    (any_x(), nonzero(-5.0, 5.0))
        .prop_filter("at a jump", |(x, y)| {
            let q = x / y;
            (q - q.round()).abs() >= 1e-3
        })
        .boxed()
);
unary!(to_degrees, any_x());
unary!(to_radians, (-300.0f64..300.0).boxed());
binary!(
    copysign,
    // x away from 0 (abs' kink), y away from 0 (the sign jumps)
    pair(nonzero(-5.0, 5.0), nonzero(-5.0, 5.0))
);

/// `x.sin_cos()` is the tuple `(x.sin(), x.cos())`, bit for bit, in its three
/// forms: destructured, a tuple local read by field, and `f64::sin_cos(x)`.
mod sin_cos {
    use super::*;

    #[grad(reverse, forward)]
    pub fn destructured(x: f64) -> f64 {
        let (s, c) = x.sin_cos();
        s * c + 2.0 * s
    }

    #[grad]
    pub fn fields(x: f64) -> f64 {
        let t = x.sin_cos();
        t.0 * t.1 + 2.0 * x.sin_cos().0
    }

    #[grad]
    pub fn path(x: f64) -> f64 {
        let (s, c) = f64::sin_cos(x);
        s * c + 2.0 * s
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn gradient_matches_central_differences(x in any_x(), d in cotangent()) {
            let (v, dx) = destructured_backward(x, d);
            let (s, c) = x.sin_cos();
            prop_assert_eq!(v.to_bits(), (s * c + 2.0 * s).to_bits());
            prop_assert_eq!(v.to_bits(), destructured(x).to_bits());
            prop_fd(|p| d * destructured(p[0]), &[x], &[dx])?;
        }

        #[test]
        fn forward_agrees_with_reverse(x in any_x(), d in cotangent(), tx in tangent()) {
            let (v, t) = destructured_forward(x, tx);
            prop_assert_eq!(v.to_bits(), destructured(x).to_bits());
            let (_, dx) = destructured_backward(x, d);
            prop_dot(&[d], &[t], &[dx], &[tx])?;
        }

        #[test]
        fn all_forms_agree(x in any_x(), d in cotangent()) {
            let a = destructured_backward(x, d);
            let b = fields_backward(x, d);
            let c = path_backward(x, d);
            prop_assert_eq!((a.0.to_bits(), a.1.to_bits()), (b.0.to_bits(), b.1.to_bits()));
            prop_assert_eq!((a.0.to_bits(), a.1.to_bits()), (c.0.to_bits(), c.1.to_bits()));
        }
    }
}

// ---------------------------------------------------------------- primitives

prim1!(sigmoid, (-20.0f64..20.0).boxed());
prim1!(relu, away_from(-5.0, 5.0, &[0.0], 1e-3));
prim1!(softplus, (-20.0f64..20.0).boxed());
prim2!(
    leaky_relu,
    pair(away_from(-5.0, 5.0, &[0.0], 1e-3), (0.0f64..0.5).boxed())
);
prim2!(
    elu,
    pair(away_from(-5.0, 5.0, &[0.0], 1e-3), (0.1f64..2.0).boxed())
);

// ---------------------------------------------------------------- special functions

/// Away from the poles of Γ, ψ (0, −1, −2, …): at least 0.1 from an integer
/// below 0.1, up to 10 (Γ(10) = 9! stays well within the tolerance).
fn off_poles() -> BoxedStrategy<f64> {
    (-4.9f64..10.0)
        .prop_filter("near a pole", |x| *x >= 0.1 || dist_to_int(*x) >= 0.1)
        .boxed()
}

prim1!(erf, (-6.0f64..6.0).boxed());
prim1!(erfc, (-6.0f64..6.0).boxed());
prim1!(ln_gamma, off_poles());
prim1!(gamma, off_poles());
prim1!(digamma, off_poles());

// ---------------------------------------------------------------- operators

/// The float operators, the other rows of the derivative table.
mod operators {
    use super::*;

    #[grad(reverse, forward)]
    pub fn arith(x: f64, y: f64) -> f64 {
        -(x + y) * (x - y) / (x * y)
    }

    #[grad(reverse, forward)]
    pub fn rem(x: f64, y: f64) -> f64 {
        x % y
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn add_sub_mul_div_neg((x, y) in (nonzero(-5.0, 5.0), nonzero(-5.0, 5.0)), d in cotangent()) {
            let (v, dx, dy) = arith_backward(x, y, d);
            prop_assert_eq!(v.to_bits(), arith(x, y).to_bits());
            prop_fd(|p| d * arith(p[0], p[1]), &[x, y], &[dx, dy])?;
        }

        #[test]
        fn operators_forward_agrees_with_reverse(
            (x, y) in (nonzero(-5.0, 5.0), nonzero(-5.0, 5.0)),
            d in cotangent(),
            (tx, ty) in (tangent(), tangent()),
        ) {
            let (v, t) = arith_forward(x, tx, y, ty);
            prop_assert_eq!(v.to_bits(), arith(x, y).to_bits());
            let (_, dx, dy) = arith_backward(x, y, d);
            prop_dot(&[d], &[t], &[dx, dy], &[tx, ty])?;
            let (v, t) = rem_forward(x, tx, y, ty);
            prop_assert_eq!(v.to_bits(), rem(x, y).to_bits());
            let (_, dx, dy) = rem_backward(x, y, d);
            prop_dot(&[d], &[t], &[dx, dy], &[tx, ty])?;
        }

        #[test]
        fn remainder(
            (x, y) in (any_x(), nonzero(-3.0, 3.0))
                // x / y at least 1e-3 from an integer: x % y jumps there
                .prop_filter("at a jump", |(x, y)| dist_to_int(x / y) >= 1e-3),
            d in cotangent(),
        ) {
            let (v, dx, dy) = rem_backward(x, y, d);
            prop_assert_eq!(v.to_bits(), rem(x, y).to_bits());
            prop_fd(|p| d * rem(p[0], p[1]), &[x, y], &[dx, dy])?;
        }
    }
}

/// The primal is bit-exact at signed zero too: `x - (-0.0)` at `x = -0.0` is
/// `+0.0` in IEEE arithmetic (round to nearest), not `x`.
mod signed_zero {
    use super::*;

    #[grad]
    pub fn minus_neg_zero(x: f64) -> f64 {
        x - -0.0
    }

    #[test]
    fn subtracting_negative_zero_keeps_the_primal_bits() {
        for x in [-0.0, 0.0, 1.5, -2.0] {
            let (v, dx) = minus_neg_zero_backward(x, 1.0);
            assert_bits(v, minus_neg_zero(x), "primal of x - -0.0");
            assert_eq!(dx, 1.0);
        }
    }
}
