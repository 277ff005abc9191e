//! The `#[grad]` attribute and `#[derive(Tangent)]` of
//! [chainrule](https://docs.rs/chainrule): compile-time automatic
//! differentiation of numeric Rust functions.
//!
//! Depend on `chainrule`, not on this crate: it re-exports both macros with the
//! runtime the generated code calls (by the path `::autodiff::…`, the library
//! name of `chainrule`), and its documentation has the examples and the
//! companions' signatures. The pipeline, one phase per module, is described in
//! the repository's `ARCHITECTURE.md`.

mod activity;
mod attr;
mod emit;
mod error;
mod expand;
mod fallback;
mod fusion;
mod graph;
mod impls;
mod ir;
mod jvp;
mod linearity;
mod lower;
mod opt;
mod own;
mod prim;
mod reverse;
mod rules;
mod signature;
mod tangent;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_compile;
#[cfg(test)]
mod tests_corpus;

use proc_macro::TokenStream;

/// Emits, next to the function, a companion `<name>_backward` that returns the
/// function's value and its gradient by reverse-mode differentiation.
///
/// `#[grad(wrt(a, b))]` restricts differentiation to the named parameters;
/// `#[grad(forward)]`, `#[grad(hvp)]`, `#[grad(hessian)]` and `#[grad(jacobian)]`
/// ask for the other companions. See the `chainrule` crate for the contract of
/// the companions' signatures.
#[proc_macro_attribute]
pub fn grad(attr: TokenStream, item: TokenStream) -> TokenStream {
    own::set_file(proc_macro::Span::call_site().file());
    expand::expand(attr.into(), item.into()).into()
}

/// Derives `autodiff::Tangent` for a struct whose fields are floats, arrays of
/// floats, or other `Tangent` structs, so it can be a parameter of a `#[grad]`
/// function: read field by field (`p.w[i][j]`), its gradient is a struct of
/// the same type.
#[proc_macro_derive(Tangent)]
pub fn derive_tangent(item: TokenStream) -> TokenStream {
    tangent::derive(item.into()).into()
}
