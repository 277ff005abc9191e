//! The runtime of [chainrule](https://docs.rs/chainrule): the `#[grad]`
//! attribute turns a numeric Rust function into its derivatives at compile
//! time, and the code it generates calls this crate.
//!
//! Depend on `chainrule`, not on this crate: `chainrule` re-exports everything
//! here with the attribute (`use autodiff::{grad, Real, Tangent};`), and its
//! version pins this crate's, whose `__private` module the generated code
//! calls and which is not a stable API on its own.
//!
//! What it provides:
//!
//! - [`Real`]: the scalar trait implemented for [`f32`] and [`f64`] (sealed).
//!   Generated code calls its math functions by path, e.g.
//!   `::autodiff::Real::exp(x)`.
//! - [`Tangent`]: a value that carries a gradient of its own type (floats,
//!   arrays, tuples, structs with `#[derive(Tangent)]`).
//! - Differentiable primitives that are not inherent float methods:
//!   [`sigmoid`], [`relu`], [`leaky_relu`], [`softplus`] and [`elu`]; and the
//!   special functions [`erf`], [`erfc`], [`ln_gamma`], [`gamma`] (by `libm`,
//!   with or without `std`) and [`digamma`], with [`trigamma`] (its
//!   derivative, not differentiable itself); [`no_grad`] stops the gradient.
//! - A gradient checker by central finite differences (`check_gradient`,
//!   `check_gradient_with`), with the `std` feature.
//!
//! ```
//! use chainrule_core::{sigmoid, Real};
//!
//! // Generic over f32 and f64, as a `#[grad]` function with `T: Real` is.
//! fn logistic_loss<T: Real>(z: T, label: T) -> T {
//!     let p = sigmoid(z);
//!     -(label * p.ln() + (T::ONE - label) * (T::ONE - p).ln())
//! }
//!
//! assert!((logistic_loss(0.0f64, 1.0) - 2.0f64.ln()).abs() < 1e-15);
//! assert!((logistic_loss(0.0f32, 0.0) - 2.0f32.ln()).abs() < 1e-7);
//! ```
//!
//! # Features
//!
//! - `std` (default): math functions come from `std` and the gradient checker
//!   is available. Implies `alloc`.
//! - `graph`: [`Graph`], the computational graph of a call with its values
//!   and gradients (made by the `_graph` companion of `#[grad(graph)]`),
//!   written as DOT or drawn as SVG. Implies `std`.
//! - `alloc`: heap buffers for generated code whose loop trip counts are only
//!   known at run time.
//!
//! Without `std` the crate is `no_std` and the math functions of [`Real`]
//! come from [`libm`](https://docs.rs/libm).
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(feature = "std")]
mod check;
#[cfg(feature = "graph")]
#[cfg_attr(docsrs, doc(cfg(feature = "graph")))]
pub mod graph;
/// The primitives under their module path: `#[grad]` bodies may write
/// `autodiff::primitives::relu(x)` as well as `autodiff::relu(x)`.
#[doc(hidden)]
pub mod primitives;
mod real;

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use check::{check_gradient, check_gradient_with, GradientCheck, GradientCheckOptions};
pub use primitives::{
    digamma, elu, erf, erfc, gamma, leaky_relu, ln_gamma, relu, sigmoid, softplus, trigamma,
};
pub use real::Real;

/// Stops the gradient: returns `x` unchanged, and inside a `#[grad]` body no
/// gradient flows back through it.
///
/// As an argument of a call to another `#[grad]` function,
/// `autodiff::no_grad(&data)` also says that the callee does not differentiate
/// that parameter (it excludes it with `wrt`), so no gradient buffer is passed.
#[inline]
pub fn no_grad<T>(x: T) -> T {
    x
}
#[cfg(feature = "graph")]
#[cfg_attr(docsrs, doc(cfg(feature = "graph")))]
pub use graph::Graph;

/// A value that carries a gradient of its own type: floats, (nested) arrays of
/// floats, and structs of them with `#[derive(Tangent)]`.
///
/// `#[grad]` uses it for struct parameters: the gradient of `p: Mlp` is an
/// `Mlp`, started at [`Tangent::zero`] and added into field by field.
///
/// This is the extension point for types of your own: `#[derive(Tangent)]`
/// implements it in your crate for a struct whose fields are floats, float
/// arrays, `Vec`s of them or other `Tangent` structs. An implementation by
/// hand must make [`zero`](Tangent::zero) the additive identity and
/// [`accumulate`](Tangent::accumulate) addition, element by element, so that
/// gradients of several uses add up. (Scalars are not an extension point:
/// [`Real`] is sealed.)
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Tangent`: #[grad] cannot differentiate it",
    label = "not a float, a float array, or a `#[derive(Tangent)]` struct",
    note = "derive it: `#[derive(autodiff::Tangent)]` on a struct whose fields are floats, float arrays, `Vec`s of them or `Tangent` structs",
    note = "or, if it is data, leave it out: `#[grad(wrt(…))]` naming only the parameters to differentiate (a method's `self` included), or `autodiff::no_grad(…)` at the call"
)]
pub trait Tangent {
    /// The zero gradient.
    fn zero() -> Self;
    /// `self += other`, element by element.
    fn accumulate(&mut self, other: &Self);
    /// The zero gradient shaped like `self`: field by field for a derived
    /// struct, whose `Vec` fields get zeros as long as `self`'s.
    #[inline]
    fn zero_like(&self) -> Self
    where
        Self: Sized,
    {
        Self::zero()
    }
}

macro_rules! tangent_float {
    ($($t:ty)*) => {$(
        impl Tangent for $t {
            #[inline]
            fn zero() -> Self {
                0.0
            }
            #[inline]
            fn accumulate(&mut self, other: &Self) {
                *self += *other;
            }
        }
    )*};
}
tangent_float!(f32 f64);

impl<A: Tangent, const N: usize> Tangent for [A; N] {
    #[inline]
    fn zero() -> Self {
        core::array::from_fn(|_| A::zero())
    }
    #[inline]
    fn zero_like(&self) -> Self {
        core::array::from_fn(|i| self[i].zero_like())
    }
    #[inline]
    fn accumulate(&mut self, other: &Self) {
        for (d, s) in self.iter_mut().zip(other) {
            d.accumulate(s);
        }
    }
}

/// Tuples of tangents (`(f64, f64)`, `(f64, [f64; 3])`): parameters like
/// `p: (f64, f64)` get their gradient as a tuple.
macro_rules! tangent_tuple {
    ($(($($t:ident $i:tt),+))*) => {$(
        impl<$($t: Tangent),+> Tangent for ($($t,)+) {
            #[inline]
            fn zero() -> Self {
                ($($t::zero(),)+)
            }
            #[inline]
            fn accumulate(&mut self, other: &Self) {
                $(self.$i.accumulate(&other.$i);)+
            }
            #[inline]
            fn zero_like(&self) -> Self {
                ($(self.$i.zero_like(),)+)
            }
        }
    )*};
}
tangent_tuple! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
}

mod dot;
mod placeholder;
mod slots;

/// Support for code generated by `#[grad]`; not a stable API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "alloc")]
    pub use alloc::vec::Vec;

    pub use crate::__grad_operator as grad_operator_check;
    pub use crate::dot::Dot;
    pub use crate::placeholder::Placeholder;
    pub use crate::slots::{
        different_fns1, different_fns2, grad_operator, ops, ExcludedArg, GradOperator, Scratch,
        ShadowArg, Skip, TangentArg, TangentRef, ValueArg, Want,
    };

    /// What `<name>_graph` records with (`#[grad(graph)]`).
    #[cfg(feature = "graph")]
    pub mod graph {
        pub use crate::graph::{GraphValue, Probe, Probed, Recorder, Unprobed, Values};
        pub use crate::{
            __graph_branch as branch, __graph_constant as constant, __graph_end_loop as end_loop,
            __graph_grad as grad, __graph_grad_probed as grad_probed,
            __graph_iteration as iteration, __graph_loop as begin_loop, __graph_value as value,
            __graph_value_probed as value_probed,
        };
    }

    use crate::{Real, Tangent};

    /// `dst += src`, element by element (generated for array cotangents; the
    /// elements may be `Vec`s: a row of a `&[Vec<f64>]` parameter's shadow).
    #[inline]
    pub fn accumulate<A: AddInto>(dst: &mut [A], src: &[A]) {
        for (d, s) in dst.iter_mut().zip(src) {
            d.add_into(s);
        }
    }

    /// `self += other` for a `Tangent` and for `Vec`s of them (which are no
    /// `Tangent`: they have no zero without a length).
    pub trait AddInto {
        /// `self += other`, element by element.
        fn add_into(&mut self, other: &Self);
    }

    impl<T: Tangent> AddInto for T {
        #[inline]
        fn add_into(&mut self, other: &Self) {
            self.accumulate(other);
        }
    }

    #[cfg(feature = "alloc")]
    impl<A: AddInto> AddInto for Vec<A> {
        #[inline]
        fn add_into(&mut self, other: &Self) {
            for (d, s) in self.iter_mut().zip(other) {
                d.add_into(s);
            }
        }
    }

    /// What `#[derive(Tangent)]` asks of a field: a [`Tangent`], or a `Vec`
    /// of them (a run-time shape). A `Vec`'s zero is empty and adding into a
    /// shorter one grows it, so a zero made without a length (`zero()`) still
    /// adds up right; `zero_like` gives one as long as a given `Vec`.
    pub trait FieldTangent {
        /// The zero (an empty `Vec`).
        fn zero() -> Self;
        /// `self += other`, element by element.
        fn accumulate(&mut self, other: &Self);
        /// The zero shaped like `self`.
        fn zero_like(&self) -> Self;
    }

    impl<T: Tangent> FieldTangent for T {
        #[inline]
        fn zero() -> Self {
            T::zero()
        }
        #[inline]
        fn accumulate(&mut self, other: &Self) {
            Tangent::accumulate(self, other);
        }
        #[inline]
        fn zero_like(&self) -> Self {
            Tangent::zero_like(self)
        }
    }

    #[cfg(feature = "alloc")]
    impl<A: FieldTangent> FieldTangent for Vec<A> {
        #[inline]
        fn zero() -> Self {
            Vec::new()
        }
        fn accumulate(&mut self, other: &Self) {
            if self.len() < other.len() {
                self.resize_with(other.len(), A::zero);
            }
            for (d, s) in self.iter_mut().zip(other) {
                d.accumulate(s);
            }
        }
        fn zero_like(&self) -> Self {
            self.iter().map(A::zero_like).collect()
        }
    }

    /// Each compiles only when both arguments are the same function (every fn
    /// item has a type of its own): the companion's proof that a bare `relu(x)`
    /// in a `#[grad]` body is `autodiff::relu`, imported. One function per
    /// primitive, named so that rustc's
    /// "function defined here" note says what a mismatch means and what to
    /// write: a bare `erf(x)` in a `#[grad]` body is autodiff's `erf`; to call
    /// a function of your own with that name, write its path (`self::erf(x)`).
    pub mod bare {
        macro_rules! proofs {
            ($($name:ident),* $(,)?) => {$(
                #[doc(hidden)]
                #[inline]
                #[allow(non_snake_case)]
                pub fn $name<F>(_: F, _: F) -> bool {
                    true
                }
            )*};
        }
        proofs!(
            a_bare_sigmoid_call_is_autodiffs_sigmoid__for_your_own_fn_write_self_sigmoid,
            a_bare_relu_call_is_autodiffs_relu__for_your_own_fn_write_self_relu,
            a_bare_leaky_relu_call_is_autodiffs_leaky_relu__for_your_own_fn_write_self_leaky_relu,
            a_bare_softplus_call_is_autodiffs_softplus__for_your_own_fn_write_self_softplus,
            a_bare_elu_call_is_autodiffs_elu__for_your_own_fn_write_self_elu,
            a_bare_erf_call_is_autodiffs_erf__for_your_own_fn_write_self_erf,
            a_bare_erfc_call_is_autodiffs_erfc__for_your_own_fn_write_self_erfc,
            a_bare_ln_gamma_call_is_autodiffs_ln_gamma__for_your_own_fn_write_self_ln_gamma,
            a_bare_gamma_call_is_autodiffs_gamma__for_your_own_fn_write_self_gamma,
            a_bare_digamma_call_is_autodiffs_digamma__for_your_own_fn_write_self_digamma,
            a_bare_no_grad_call_is_autodiffs_no_grad__for_your_own_fn_write_self_no_grad,
        );
    }

    /// The fixed-size array of a slice's elements (the cotangent of
    /// `a.to_vec()` for an array `a`); the lengths are equal by construction.
    #[inline]
    pub fn to_array<A: Copy, const N: usize>(xs: &[A]) -> [A; N] {
        core::array::from_fn(|i| xs[i])
    }

    /// `vec![x; n]` (a `Vec` local of a `#[grad]` body).
    #[cfg(feature = "alloc")]
    #[inline]
    pub fn vec_splat<T: Clone>(x: T, n: usize) -> Vec<T> {
        alloc::vec![x; n]
    }

    /// Zeros as many as `xs` has elements, each shaped like its element (rows
    /// of a `Vec` of `Vec`s: as long as they): scratch for a cotangent.
    #[cfg(feature = "alloc")]
    pub fn zeros_like<A: ZeroLike>(xs: &[A]) -> Vec<A> {
        xs.iter().map(ZeroLike::zero_like).collect()
    }

    /// The zero of `x`'s type, shaped like `x` (for a value whose type the
    /// macro cannot see: a field, a call's result; a `Vec` as long as `x`).
    #[inline]
    pub fn zero_of<T: ZeroLike>(x: &T) -> T {
        x.zero_like()
    }

    /// A zero shaped like a value: `Tangent::zero()`, or for a `Vec` one as
    /// long as it.
    pub trait ZeroLike {
        /// The zero shaped like `self`.
        fn zero_like(&self) -> Self;
    }

    impl<T: Tangent> ZeroLike for T {
        #[inline]
        fn zero_like(&self) -> Self {
            Tangent::zero_like(self)
        }
    }

    #[cfg(feature = "alloc")]
    impl<A: ZeroLike> ZeroLike for Vec<A> {
        #[inline]
        fn zero_like(&self) -> Self {
            self.iter().map(ZeroLike::zero_like).collect()
        }
    }

    /// The `d_out` a call of a companion passes for a result whose type the
    /// macro cannot see: a float, an array or a struct by value, a `Vec`'s as
    /// `&[F]` (the contract for a `Vec` result).
    pub trait DOut {
        /// What the companion takes.
        type Arg;
        /// The argument.
        fn d_out(self) -> Self::Arg;
    }

    impl<T: Tangent + Clone> DOut for &T {
        type Arg = T;
        #[inline]
        fn d_out(self) -> T {
            self.clone()
        }
    }

    #[cfg(feature = "alloc")]
    impl<'a, A> DOut for &'a Vec<A> {
        type Arg = &'a [A];
        #[inline]
        fn d_out(self) -> &'a [A] {
            self
        }
    }

    /// `T::default()` with `f` applied: a struct made by `S::default()` in a
    /// `#[grad]` body, used whole, with the fields the body assigned.
    #[inline]
    pub fn with_default<T: Default>(f: impl FnOnce(&mut T)) -> T {
        let mut t = T::default();
        f(&mut t);
        t
    }

    /// The sum of all elements of a float array (the cotangent of `[x; N]`).
    #[inline]
    pub fn sum_all<T: Real>(xs: &[T]) -> T {
        xs.iter().fold(T::ZERO, |a, x| a + *x)
    }
}
