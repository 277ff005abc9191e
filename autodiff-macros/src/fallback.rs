//! Fallback on error: the user's function unchanged, every error as a
//! `compile_error!`, and a stub companion with the right signature, so the user
//! sees the errors that matter and not a cascade of "cannot find `f_backward`".

use crate::emit;
use crate::error::Errors;
use crate::signature::Signature;
use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

pub fn fallback(item: &ItemFn, sig: Option<&Signature>, errors: Errors) -> TokenStream {
    let errors = errors.into_compile_errors();
    let stub = sig.map(|sig| {
        let head = emit::header(item, sig);
        quote! {
            #[allow(unused_variables)]
            #head {
                ::core::unimplemented!("#[grad] could not differentiate this function")
            }
        }
    });
    quote! {
        #item
        #errors
        #stub
    }
}
