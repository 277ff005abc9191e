//! The pipeline, start to end: attribute → signature → lowering → reverse →
//! optimisation → emission, or the fallback on error.

use crate::error::Errors;
use crate::ir::{verify, Func};
use crate::opt::{self, FloatKind};
use crate::reverse::{self, Companion};
use crate::signature::{self, Signature};
use crate::{attr, emit, fallback, lower};
use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

/// Expands `#[grad(attr)] item` into the item and its companion.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let e = syn::Error::new(e.span(), "#[grad] applies to a `fn` item with a body");
            let e = e.to_compile_error();
            return quote!(#e #item);
        }
    };
    match companion(attr, &item) {
        Ok((sig, comp)) => {
            let companion = emit::companion(&item, &sig, &comp);
            quote!(#item #companion)
        }
        Err((sig, errors)) => fallback::fallback(&item, sig.as_ref(), errors),
    }
}

/// The stages up to the optimised companion IR.
pub fn companion(
    attr: TokenStream,
    item: &ItemFn,
) -> Result<(Signature, Companion), (Option<Signature>, Errors)> {
    let (sig, func) = forward(attr, item)?;
    let active: Vec<bool> = sig.params.iter().map(|p| p.active()).collect();
    let mut comp = reverse::reverse(func, &active);
    if let Err(e) = verify(&comp.func) {
        debug_assert!(false, "reverse produced invalid IR: {e}\n{}", comp.func);
    }
    let kind = match sig.float_name().as_str() {
        "f64" => FloatKind::F64,
        "f32" => FloatKind::F32,
        _ => FloatKind::Generic,
    };
    opt::run(&mut comp.func, kind);
    Ok((sig, comp))
}

/// The stages up to the forward IR of the body.
pub fn forward(
    attr: TokenStream,
    item: &ItemFn,
) -> Result<(Signature, Func), (Option<Signature>, Errors)> {
    let mut errors = Errors::default();
    let attr = attr::parse(attr, &mut errors);
    let sig = signature::model(item, &attr, &mut errors);
    let Some(sig) = sig else {
        return Err((None, errors));
    };
    if sig.has_receiver {
        return Err((None, errors));
    }
    let func = lower::lower(&sig, &item.block, &mut errors);
    if !errors.is_empty() {
        return Err((Some(sig), errors));
    }
    if let Err(e) = verify(&func) {
        debug_assert!(false, "lowering produced invalid IR: {e}\n{func}");
    }
    Ok((sig, func))
}
