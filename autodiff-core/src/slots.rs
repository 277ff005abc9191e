//! What a caller's companion passes for each argument of a call it
//! differentiates, so that it need not know which parameters the callee's
//! `#[grad(wrt(…))]` names.
//!
//! A `#[grad]` body calls `f(w, &x, 1e-6)`; `f` may differentiate every float
//! parameter or leave some out with `wrt`, and the caller's macro cannot see
//! `f`'s attribute. So every `#[grad]` function also has a hidden *uniform*
//! companion, `__autodiff_w_f_backward`, with one slot after every parameter:
//! the caller passes [`Want`] or a `&mut` shadow for an argument that carries
//! a gradient, [`Skip`] for one that does not (a constant, data, `no_grad`);
//! it gets back the value and one result per parameter (the gradient of a
//! differentiated by-value parameter, `()` for the others). A parameter left
//! out by `wrt` accepts only [`Skip`] ([`ExcludedArg`]): passing it a value
//! with a gradient stops the build with a message, where the gradient would
//! otherwise be lost. A differentiated `&` parameter passed [`Skip`] gets a
//! zero scratch shadow ([`ShadowArg`]).

#[cfg(feature = "alloc")]
use alloc::vec::Vec;
use core::ops::{Deref, DerefMut};

use crate::__private::ZeroLike;

/// The argument carries a gradient, which the caller wants.
#[derive(Clone, Copy, Debug)]
pub struct Want;

/// The argument carries no gradient (a constant, data, `no_grad(…)`).
#[derive(Clone, Copy, Debug)]
pub struct Skip;

/// The slot of a differentiated by-value parameter: [`Want`] or [`Skip`].
pub trait ValueArg {}
impl ValueArg for Want {}
impl ValueArg for Skip {}

/// The slot of a parameter the callee does not differentiate (left out by
/// its `wrt`, or of a type without a gradient): only [`Skip`].
#[diagnostic::on_unimplemented(
    message = "this argument carries a gradient, but the called function does not differentiate its parameter (its `#[grad(wrt(…))]` leaves it out)",
    label = "the gradient through this argument would be lost",
    note = "name the parameter in the callee's `wrt` (a method's receiver is named `self`), or pass the argument as `autodiff::no_grad(…)` if its gradient is not wanted"
)]
pub trait ExcludedArg {}
impl ExcludedArg for Skip {}

/// The slot of a differentiated `&` parameter: the caller's `&mut` shadow, or
/// [`Skip`] (a zero scratch shadow, dropped after the call).
pub trait ShadowArg<T: ?Sized> {
    /// The shadow, as `&mut T` through `DerefMut`.
    type Slot: DerefMut<Target = T>;
    /// The shadow of a parameter shaped like `like`.
    fn shadow(self, like: &T) -> Self::Slot;
}

impl<'a, T: ?Sized> ShadowArg<T> for &'a mut T {
    type Slot = &'a mut T;
    #[inline(always)]
    fn shadow(self, _: &T) -> &'a mut T {
        self
    }
}

/// An array's shadow for a slice parameter (the coercion a plain call makes).
impl<'a, A, const N: usize> ShadowArg<[A]> for &'a mut [A; N] {
    type Slot = &'a mut [A];
    #[inline(always)]
    fn shadow(self, _: &[A]) -> &'a mut [A] {
        self
    }
}

/// A `Vec`'s shadow for a slice parameter.
#[cfg(feature = "alloc")]
impl<'a, A> ShadowArg<[A]> for &'a mut Vec<A> {
    type Slot = &'a mut [A];
    #[inline(always)]
    fn shadow(self, _: &[A]) -> &'a mut [A] {
        self
    }
}

impl<T: ZeroLike> ShadowArg<T> for Skip {
    type Slot = Scratch<T>;
    #[inline(always)]
    fn shadow(self, like: &T) -> Scratch<T> {
        Scratch(like.zero_like())
    }
}

#[cfg(feature = "alloc")]
impl<A: ZeroLike> ShadowArg<[A]> for Skip {
    type Slot = Vec<A>;
    #[inline]
    fn shadow(self, like: &[A]) -> Vec<A> {
        like.iter().map(ZeroLike::zero_like).collect()
    }
}

/// A zero shadow owned by the uniform companion.
#[derive(Debug)]
pub struct Scratch<T>(pub T);

impl<T> Deref for Scratch<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Scratch<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// The operators `#[grad]` differentiates on structs, one marker each, for
/// [`GradOperator`].
pub mod ops {
    /// `+`.
    pub struct Add;
    /// `-`.
    pub struct Sub;
    /// `*`.
    pub struct Mul;
    /// `/`.
    pub struct Div;
    /// `%`.
    pub struct Rem;
    /// Unary `-`.
    pub struct Neg;
    /// `+=`.
    pub struct AddAssign;
    /// `-=`.
    pub struct SubAssign;
    /// `*=`.
    pub struct MulAssign;
    /// `/=`.
    pub struct DivAssign;
    /// `%=`.
    pub struct RemAssign;
}

/// Implemented by `#[grad] impl Sub for Vec3` (for `Op` = [`ops::Sub`],
/// `Rhs` = `Vec3`): the operator is differentiated. A `#[grad]` body that
/// applies an operator to a struct checks it first, so that a plain operator
/// impl is reported with what to write.
#[diagnostic::on_unimplemented(
    message = "this operator on `{Self}` is not differentiated: its impl has no `#[grad]`",
    label = "an operator on a struct in a `#[grad]` body",
    note = "put `#[grad]` on the operator's impl block (`#[grad] impl Sub for Vec3 {{ fn sub(self, o: Vec3) -> Vec3 {{ … }} }}`); its method is then differentiated like a `#[grad]` method"
)]
pub trait GradOperator<Op, Rhs> {}

/// Compiles when `l op r` is differentiated ([`GradOperator`]).
#[inline(always)]
pub fn grad_operator<Op, L: GradOperator<Op, R>, R>(_: &L, _: &R) -> bool {
    true
}

/// `grad_operator!(Sub, l, r)`: [`grad_operator`] for operator `Sub`.
#[doc(hidden)]
#[macro_export]
macro_rules! __grad_operator {
    ($op:ident, $l:expr, $r:expr) => {
        $crate::__private::grad_operator::<$crate::__private::ops::$op, _, _>(&$l, &$r)
    };
}

/// The tangent slot of a differentiated by-value parameter in a uniform
/// forward companion: the caller's tangent, or [`Skip`] (a zero tangent).
pub trait TangentArg<T> {
    /// The tangent of a parameter shaped like `like`.
    fn tangent(self, like: &T) -> T;
}

impl<T> TangentArg<T> for T {
    #[inline(always)]
    fn tangent(self, _: &T) -> T {
        self
    }
}

impl<T: ZeroLike> TangentArg<T> for Skip {
    #[inline(always)]
    fn tangent(self, like: &T) -> T {
        like.zero_like()
    }
}

/// The tangent slot of a differentiated `&` parameter in a uniform forward
/// companion: the caller's `&` tangent, or [`Skip`] (a zero one, owned).
pub trait TangentRef<T: ?Sized> {
    /// The tangent, as `&T` through `Deref`.
    type Slot: Deref<Target = T>;
    /// The tangent of a parameter shaped like `like`.
    fn tangent(self, like: &T) -> Self::Slot;
}

impl<'a, T: ?Sized> TangentRef<T> for &'a T {
    type Slot = &'a T;
    #[inline(always)]
    fn tangent(self, _: &T) -> &'a T {
        self
    }
}

/// An array's tangent for a slice parameter.
impl<'a, A, const N: usize> TangentRef<[A]> for &'a [A; N] {
    type Slot = &'a [A];
    #[inline(always)]
    fn tangent(self, _: &[A]) -> &'a [A] {
        self
    }
}

/// A `Vec`'s tangent for a slice parameter.
#[cfg(feature = "alloc")]
impl<'a, A> TangentRef<[A]> for &'a Vec<A> {
    type Slot = &'a [A];
    #[inline(always)]
    fn tangent(self, _: &[A]) -> &'a [A] {
        self
    }
}

/// A tangent held by reference, passed by reference again (`&t` of a `t:
/// &Vec<f64>`): the plain call's auto-deref.
impl<'b, T: ?Sized> TangentRef<T> for &'b &T {
    type Slot = &'b T;
    #[inline(always)]
    fn tangent(self, _: &T) -> &'b T {
        self
    }
}

impl<'b, A, const N: usize> TangentRef<[A]> for &'b &[A; N] {
    type Slot = &'b [A];
    #[inline(always)]
    fn tangent(self, _: &[A]) -> &'b [A] {
        &self[..]
    }
}

#[cfg(feature = "alloc")]
impl<'b, A> TangentRef<[A]> for &'b &Vec<A> {
    type Slot = &'b [A];
    #[inline(always)]
    fn tangent(self, _: &[A]) -> &'b [A] {
        &self[..]
    }
}

impl<T: ZeroLike> TangentRef<T> for Skip {
    type Slot = Scratch<T>;
    #[inline(always)]
    fn tangent(self, like: &T) -> Scratch<T> {
        Scratch(like.zero_like())
    }
}

#[cfg(feature = "alloc")]
impl<A: ZeroLike> TangentRef<[A]> for Skip {
    type Slot = Vec<A>;
    #[inline]
    fn tangent(self, like: &[A]) -> Vec<A> {
        like.iter().map(ZeroLike::zero_like).collect()
    }
}

/// Whether `a` and `b` are different functions of one float (every fn item
/// has a type of its own). A `#[grad]` body calling a user's own `#[grad] fn
/// sigmoid` by its bare name checks with it that the name does not resolve to
/// autodiff's primitive there (an `use autodiff::sigmoid;` over a glob import
/// of the user's), where the value would be the primitive's and the gradient
/// the user's. Folded away when optimised.
#[inline(always)]
pub fn different_fns1<F: 'static, A: Fn(F) -> F + 'static, B: 'static>(_: A, _: B) -> bool {
    core::any::TypeId::of::<A>() != core::any::TypeId::of::<B>()
}

/// [`different_fns1`] for functions of two floats (`leaky_relu`, `elu`).
#[inline(always)]
pub fn different_fns2<F: 'static, A: Fn(F, F) -> F + 'static, B: 'static>(_: A, _: B) -> bool {
    core::any::TypeId::of::<A>() != core::any::TypeId::of::<B>()
}
