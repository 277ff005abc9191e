//! A `#[grad]` method whose `self` is data (left out by `wrt`), called from a body that
//! differentiates the struct (or the other way round), used to fail inside the
//! generated code with E0308/E0061 and nothing saying why. Every `#[grad]`
//! function now carries a hidden constant saying whether its first parameter
//! is differentiated (`__AUTODIFF_FIRST_<NAME>`: an associated constant for a
//! method); a caller's companion checks, for each call through a type path
//! (`Quat::rotate(q, v)`, `q.rotate(v)`), that the callee agrees with how it
//! passes its first argument, and otherwise stops the build with a message
//! that names the fix. Free functions are not checked: their constant would
//! have to be imported along with them.

use crate::ir::{Func, OpKind, Region};
use proc_macro2::TokenStream;
use quote::{format_ident, quote_spanned};
use syn::ext::IdentExt;
use syn::ItemFn;

/// The hidden constant of `item`: whether its first parameter (`self` for a
/// method) is differentiated.
pub(crate) fn first_param_marker(item: &ItemFn, differentiated: bool) -> TokenStream {
    let name = marker_name(&item.sig.ident);
    let vis = &item.vis;
    quote::quote! {
        #[doc(hidden)]
        #[allow(dead_code)]
        #vis const #name: bool = #differentiated;
    }
}

/// `__AUTODIFF_FIRST_ROTATE` for `rotate`: upper case, so that no lint needs
/// allowing (a crate may `#![forbid(warnings)]`).
fn marker_name(fn_name: &syn::Ident) -> syn::Ident {
    let upper = fn_name.unraw().to_string().to_uppercase();
    format_ident!("__AUTODIFF_FIRST_{}", upper, span = fn_name.span())
}

/// The checks of the calls `func` makes through a type path.
pub(crate) fn call_checks(func: &Func) -> TokenStream {
    let mut out = TokenStream::new();
    walk(func, &func.body, &mut out);
    out
}

fn walk(func: &Func, r: &Region, out: &mut TokenStream) {
    for op in &r.ops {
        for sub in op.regions() {
            walk(func, sub, out);
        }
        let OpKind::CallFn(c, args) = &op.kind else {
            continue;
        };
        if c.forward || args.is_empty() || c.outs.first() == Some(&true) {
            continue;
        }
        let segs = &c.path.segments;
        // `Type::method`, `module::Type::method`: a type (capitalised) right
        // before the function, no generic arguments (an item here cannot name
        // them), not `Self` (nor can it name that).
        let typed = segs.len() >= 2
            && segs[segs.len() - 2]
                .ident
                .to_string()
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
            && segs[segs.len() - 2].ident != "Self"
            && segs.iter().all(|s| s.arguments.is_none());
        if !typed || c.path.leading_colon.is_none() && segs[0].ident == "Self" {
            continue;
        }
        let passed = !c.stop[0] && func.differentiable(func.ty(args[0]));
        let mut marker = c.path.clone();
        let last = marker.segments.last_mut().expect("two segments");
        // A by-value adapter's (`emit::adapters`): the method's own marker.
        let method = last.ident.unraw().to_string();
        let method = method
            .strip_prefix(super::ADAPTER_PREFIX)
            .unwrap_or(&method)
            .to_string();
        last.ident = marker_name(&syn::Ident::new(&method, last.ident.span()));
        let ty = segs
            .iter()
            .take(segs.len() - 1)
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::");
        // At the function's name: for `q.rotate(v)`, the method as written.
        let at = segs[segs.len() - 1].ident.span();
        let msg = if passed {
            format!(
                "`{ty}::{method}` does not differentiate its first parameter (its `#[grad(wrt(…))]` leaves it out), but this call differentiates the value passed: name it in `{method}`'s `wrt` (a method's `self` is named `self`), or pass the value as `autodiff::no_grad(…)`"
            )
        } else {
            format!(
                "`{ty}::{method}` differentiates its first parameter, but this call passes it as data (`no_grad`, or a value without a gradient): remove `no_grad`, or name only the other parameters in `{method}`'s `#[grad(wrt(…))]`"
            )
        };
        let want = if passed {
            quote_spanned!(at=> #marker)
        } else {
            quote_spanned!(at=> !#marker)
        };
        out.extend(quote_spanned! {at=>
            const _: () = ::core::assert!(#want, #msg);
        });
    }
}
