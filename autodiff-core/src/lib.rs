//! Runtime support for the `autodiff` crate.
//!
//! The `#[grad]` attribute of `autodiff` turns a numeric Rust function into
//! its reverse-mode derivative at compile time. The code it generates relies
//! on this crate, which provides:
//!
//! - [`Real`]: the scalar trait implemented for [`f32`] and [`f64`]. Generated
//!   code calls its math functions by path, e.g. `::autodiff::Real::exp(x)`.
//! - Differentiable primitives that are not inherent float methods:
//!   [`sigmoid`], [`relu`], [`leaky_relu`], [`softplus`] and [`elu`].
//! - A gradient checker by central finite differences (`check_gradient`,
//!   `check_gradient_with` and the `check` module), available with the `std`
//!   feature.
//!
//! # Features
//!
//! - `std` (default): math functions come from `std` and the gradient checker
//!   is available. Implies `alloc`.
//! - `alloc`: heap buffers for generated code whose loop trip counts are only
//!   known at run time.
//!
//! Without `std` the crate is `no_std` and the math functions of [`Real`]
//! come from [`libm`](https://docs.rs/libm).
#![no_std]
#![deny(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(feature = "std")]
pub mod check;
pub mod primitives;
pub mod real;

#[cfg(feature = "std")]
pub use check::{check_gradient, check_gradient_with, GradientCheck, GradientCheckOptions};
pub use primitives::{elu, leaky_relu, relu, sigmoid, softplus};
pub use real::Real;
