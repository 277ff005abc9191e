//! Fallback on error: the user's function unchanged, every error as a
//! `compile_error!`, and a stub companion with the right signature, so the user
//! sees the errors that matter and not a cascade of "cannot find `f_backward`".

use crate::attr::Mode;
use crate::emit;
use crate::error::Errors;
use crate::signature::{ParamKind, Signature};
use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

pub fn fallback(
    item: &ItemFn,
    sig: Option<&Signature>,
    modes: &[Mode],
    errors: Errors,
) -> TokenStream {
    let errors = errors.into_compile_errors();
    let stub = sig.map(|sig| {
        let sig = stub_signature(sig);
        // Without autodiff's `graph` feature there is no `Graph` to return:
        // no `_graph` stub (the error says what to enable).
        let graph = cfg!(feature = "graph");
        let modes: Vec<Mode> = modes
            .iter()
            .copied()
            .filter(|m| graph || *m != Mode::Graph)
            .collect();
        let stubs = modes.iter().map(|m| {
            let head = emit::header(item, &sig, *m);
            quote! {
                #[allow(unused_variables)]
                #head {
                    ::core::unimplemented!("#[grad] could not differentiate this function")
                }
            }
        });
        quote!(#(#stubs)*)
    });
    quote! {
        #item
        #errors
        #stub
    }
}

/// The signature of the stubs: a parameter whose type was rejected gets what
/// it would have if it were supported (a gradient, or a `&mut` shadow), so
/// that call sites written for it show no errors of their own.
pub fn stub_signature(sig: &Signature) -> Signature {
    let mut sig = sig.clone();
    for p in sig.params.iter_mut().filter(|p| p.rejected) {
        p.kind = if matches!(p.ty, syn::Type::Reference(_)) {
            ParamKind::FloatRef
        } else {
            ParamKind::Float
        };
    }
    sig
}
