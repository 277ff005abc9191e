#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]

extern crate self as autodiff;

pub use autodiff_core::*;
/// Emits next to a numeric function a companion `<name>_backward` that returns the
/// function's value and its gradient (reverse mode, computed at compile time).
///
/// See the [crate documentation](crate) for what a body may contain and for the
/// companion's signature.
pub use autodiff_macros::grad;
/// Derives [`Tangent`] for a struct of float parameters, so that it can be a
/// parameter of a `#[grad]` function.
pub use autodiff_macros::Tangent;
