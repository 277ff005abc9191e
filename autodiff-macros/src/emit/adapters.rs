//! Methods called on a struct value of the body (`b.step(dt)` where `b` is a
//! `mut` copy, a call's result or a struct a loop carries) take their receiver
//! by value at the call, but the method may be written with `&self` or with
//! `self`, and the caller cannot see which: the two companions differ in shape
//! (`&self` has a `&mut Self` shadow, `self` returns its gradient). So every
//! `#[grad]` method with a receiver also emits hidden *by-value adapters*
//! `__autodiff_v_<name>`, `__autodiff_v_<name>_backward` (and `_forward`,
//! `_backward_forward` where those are emitted) with the shape of a `self`
//! method, each calling the method's own function or companion. A caller with
//! a receiver of its own calls these; one with a `self` or `&self` parameter as
//! receiver keeps calling the method as written.

use super::header::{
    companion_name, d_out_name, direction_name, header, shadow_name, tangent_name,
};
use crate::attr::Mode;
use crate::signature::{ParamKind, Signature};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::ext::IdentExt;
use syn::ItemFn;

/// The prefix of an adapter's name.
pub(crate) const PREFIX: &str = "__autodiff_v_";

/// The adapters of method `item` for `modes` (none for a function without a
/// `self` or `&self` receiver, or with a parameter that is not a plain name).
pub fn by_value_adapters(item: &ItemFn, sig: &Signature, modes: &[Mode]) -> TokenStream {
    let Some(recv) = sig.params.first().filter(|p| p.receiver) else {
        return TokenStream::new();
    };
    let by_ref = match &recv.ty {
        syn::Type::Reference(r) if r.mutability.is_some() => return TokenStream::new(),
        syn::Type::Reference(_) => true,
        _ => false,
    };
    if sig.params.iter().any(|p| p.ident.is_none()) {
        return TokenStream::new();
    }
    // The same signature with `self` by value.
    let mut by_value = sig.clone();
    by_value.params[0].ty = syn::parse_quote!(Self);
    if by_value.params[0].kind == ParamKind::FloatRef {
        by_value.params[0].kind = ParamKind::Float;
    }
    let mut out = primal(item, sig, by_ref);
    for &mode in modes {
        if matches!(mode, Mode::Reverse | Mode::Forward | Mode::BackwardForward) {
            out.extend(adapter(item, sig, &by_value, mode, by_ref));
        }
        if mode == Mode::Reverse {
            let own = adapter_name(&item.sig.ident);
            out.extend(super::uniform::uniform_self_companion(
                item, &by_value, &own,
            ));
        }
    }
    out
}

fn adapter_name(name: &Ident) -> Ident {
    format_ident!("{PREFIX}{}", name.unraw(), span = name.span())
}

/// `fn __autodiff_v_f(self, a…) -> R { Self::f(&self, a…) }`.
fn primal(item: &ItemFn, sig: &Signature, by_ref: bool) -> TokenStream {
    let mut f = item.clone();
    f.sig.ident = adapter_name(&item.sig.ident);
    if let Some(syn::FnArg::Receiver(r)) = f.sig.inputs.first_mut() {
        r.reference = None;
        r.mutability = None;
        *r.ty = syn::parse_quote!(Self);
    }
    // The parameters are only passed on: no `mut`.
    for a in f.sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(pt) = a {
            if let syn::Pat::Ident(pi) = &mut *pt.pat {
                pi.mutability = None;
            }
        }
    }
    f.attrs
        .retain(|a| a.path().is_ident("cfg") || a.path().is_ident("inline"));
    let name = &item.sig.ident;
    let args = sig.params.iter().skip(1).map(|p| p.ident.to_token_stream());
    let recv = if by_ref { quote!(&self) } else { quote!(self) };
    let sig_tokens = &f.sig;
    let vis = &f.vis;
    let attrs = &f.attrs;
    quote! {
        #(#attrs)*
        #[doc(hidden)]
        #[allow(dead_code, clippy::too_many_arguments, clippy::type_complexity)]
        #vis #sig_tokens { Self::#name(#recv #(, #args)*) }
    }
}

/// The adapter of one companion.
fn adapter(
    item: &ItemFn,
    sig: &Signature,
    by_value: &Signature,
    mode: Mode,
    by_ref: bool,
) -> TokenStream {
    let head = header(item, by_value, mode);
    let own = companion_name(sig, mode);
    let name = adapter_name(&own);
    // `fn <name>_backward` in the header: renamed to the adapter's.
    let head: TokenStream = head
        .into_iter()
        .map(|t| match t {
            proc_macro2::TokenTree::Ident(id) if id == own => {
                proc_macro2::TokenTree::Ident(name.clone())
            }
            t => t,
        })
        .collect();
    let active = by_ref && sig.params[0].kind == ParamKind::FloatRef;
    let t_self = tangent_name(0, sig);
    let (z_d, z_t) = (format_ident!("__d_self"), format_ident!("__t_d_self"));
    // The companion's arguments: the adapter's own, the receiver and its
    // shadows by reference.
    let mut args = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let id = p.ident.to_token_stream();
        if i == 0 {
            args.push(if by_ref { quote!(&self) } else { quote!(self) });
        } else {
            args.push(id);
        }
        let act = p.active();
        match (mode, &p.kind) {
            (Mode::Reverse, ParamKind::FloatRef | ParamKind::Out) if i == 0 && active => {
                args.push(quote!(&mut #z_d))
            }
            (Mode::Reverse, ParamKind::FloatRef | ParamKind::Out) => {
                args.push(shadow_name(i, sig).into_token_stream())
            }
            (Mode::Forward, _) if act && i == 0 && active => args.push(quote!(&#t_self)),
            (Mode::Forward, _) if act => args.push(tangent_name(i, sig).into_token_stream()),
            (Mode::BackwardForward, ParamKind::FloatRef) if i == 0 && active => {
                args.push(quote!(&#t_self));
                args.push(quote!(&mut #z_d));
                args.push(quote!(&mut #z_t));
            }
            (Mode::BackwardForward, ParamKind::FloatRef) => {
                args.push(tangent_name(i, sig).into_token_stream());
                args.push(shadow_name(i, sig).into_token_stream());
                args.push(direction_name(i, sig, "t_d").into_token_stream());
            }
            (Mode::BackwardForward, ParamKind::Float | ParamKind::Out) => {
                args.push(tangent_name(i, sig).into_token_stream())
            }
            _ => {}
        }
    }
    let d_out = d_out_name(sig);
    match mode {
        Mode::Reverse if sig.outputs > 0 => args.push(d_out.to_token_stream()),
        Mode::BackwardForward => {
            let t_d_out = super::hyg(&format!("t_{d_out}"));
            args.push(d_out.to_token_stream());
            args.push(t_d_out.to_token_stream());
        }
        _ => {}
    }
    let call = quote!(Self::#own(#(#args),*));
    // The results: the receiver's gradient (and its tangent) put where a
    // `self` method returns it, after the result.
    let body = if !active || mode == Mode::Forward {
        call
    } else {
        let grads = sig
            .params
            .iter()
            .filter(|p| p.kind == ParamKind::Float)
            .count();
        let n = usize::from(sig.outputs > 0) + grads;
        let at = usize::from(sig.outputs > 0);
        let reshape = |r: TokenStream, extra: &Ident| {
            let mut parts: Vec<TokenStream> = if n == 1 {
                vec![r.clone()]
            } else {
                (0..n)
                    .map(|k| {
                        let k = syn::Index::from(k);
                        quote!(#r.#k)
                    })
                    .collect()
            };
            parts.insert(at, extra.to_token_stream());
            quote!((#(#parts),*))
        };
        let zero = quote!(::autodiff::Tangent::zero_like(&self));
        match mode {
            Mode::Reverse => {
                let r = reshape(quote!(__r), &z_d);
                quote!({ let mut #z_d = #zero; let __r = #call; #r })
            }
            _ => {
                let (p, t) = (reshape(quote!(__r.0), &z_d), reshape(quote!(__r.1), &z_t));
                quote!({
                    let mut #z_d = #zero;
                    let mut #z_t = #zero;
                    let __r = #call;
                    (#p, #t)
                })
            }
        }
    };
    quote! {
        #[doc(hidden)]
        #[allow(dead_code)]
        #head { #body }
    }
}
