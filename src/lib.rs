#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate self as autodiff;

/// Emits next to a numeric function its derivatives, computed at compile time:
/// `<name>_backward` (reverse mode) by default, `_forward`, `_hvp`, `_hessian`
/// or `_jacobian` as the attribute's arguments ask.
///
/// See the [crate documentation](crate) for what a body may contain and for the
/// companions' signatures.
pub use chainrule_macros::grad;
/// Derives [`Tangent`] for a struct of float parameters, so that it can be a
/// parameter of a `#[grad]` function.
pub use chainrule_macros::Tangent;

pub use chainrule_core::{no_grad, Real, Tangent};

pub use chainrule_core::{
    digamma, elu, erf, erfc, gamma, leaky_relu, ln_gamma, relu, sigmoid, softplus, trigamma,
};

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use chainrule_core::{
    check_gradient, check_gradient_with, GradientCheck, GradientCheckOptions,
};

/// The computational graph of a call, drawn with its values and gradients
/// (`#[grad(graph)]`, `Graph::to_dot`, `Graph::to_svg`).
#[cfg(feature = "graph")]
#[cfg_attr(docsrs, doc(cfg(feature = "graph")))]
pub use chainrule_core::graph::{self, Graph};

/// The primitives under their module path: `#[grad]` bodies may write
/// `autodiff::primitives::relu(x)` as well as `autodiff::relu(x)`.
#[doc(hidden)]
pub use chainrule_core::primitives;

/// Support for the code `#[grad]` generates; not a stable API.
#[doc(hidden)]
pub use chainrule_core::__private;
