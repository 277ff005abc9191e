//! Compile-time reverse-mode automatic differentiation for numeric Rust.
#![no_std]

extern crate self as autodiff;

pub use autodiff_core::*;
pub use autodiff_macros::grad;
