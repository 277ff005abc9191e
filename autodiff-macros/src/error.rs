//! Collected errors: every phase reports into one [`Errors`], so a single compile
//! shows every unsupported construct (serde's `Ctxt` pattern).

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::fmt::Display;

/// The errors found so far, in source order of discovery.
#[derive(Default)]
pub struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    /// Records an error spanning the tokens of `node`.
    pub fn at(&mut self, node: impl ToTokens, msg: impl Display) {
        self.errors.push(syn::Error::new_spanned(node, msg));
    }

    /// Records an error already built.
    pub fn push(&mut self, e: syn::Error) {
        self.errors.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// How many errors were recorded.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// All errors combined into one, or `None`.
    pub fn combined(self) -> Option<syn::Error> {
        let mut it = self.errors.into_iter();
        let mut first = it.next()?;
        for e in it {
            first.combine(e);
        }
        Some(first)
    }

    /// The `compile_error!` invocations of all errors.
    pub fn into_compile_errors(self) -> TokenStream {
        self.combined()
            .map(|e| e.to_compile_error())
            .unwrap_or_default()
    }
}
