//! The uniform companion `__autodiff_w_<name>_backward_<name>_<name>`: what a caller's
//! reverse sweep calls, so that it need not know the callee's `wrt`.
//!
//! A caller sees `f(w, &x, 1e-6)` but not `f`'s attribute: `f_backward`'s
//! layout (a gradient or a shadow for each *differentiated* parameter only)
//! depends on a `wrt` the caller cannot read. The uniform companion has one
//! slot after every parameter (`autodiff::__private::{Want, Skip}` for one by
//! value, a `&mut` shadow or `Skip` for one by `&`, the shadow for an output
//! array) and returns the value and one result per parameter (its gradient,
//! or `()`), whatever `wrt` says; it calls `f_backward`. A parameter that
//! `wrt` leaves out accepts only `Skip` (the runtime's `ExcludedArg`, whose
//! message says what to write), so an argument with a gradient passed there is
//! a compile error, never a lost gradient; a differentiated one passed `Skip`
//! gets a zero scratch shadow or has its gradient dropped.
//!
//! Two kinds, since an attribute on a function cannot tell whether it sits in
//! an `impl` (where the companion is `Self::f_backward`) or not:
//! * [`uniform_companion`], for every `#[grad]` function: it takes the
//!   companion itself as its first argument (the caller names it by the path
//!   it calls `f` by), so its body names nothing;
//! * [`uniform_self_companion`], for a method's by-value adapter (called with
//!   method syntax on a value whose type the caller cannot name): a method,
//!   so it calls `Self::…`.

use super::header::{d_out_name, d_out_type, layout, Layout};
use super::hyg;
use crate::attr::Mode;
use crate::signature::{ParamKind, Signature};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::ext::IdentExt;
use syn::ItemFn;

/// `__autodiff_w_<name>_backward` for the function (or adapter) `name`.
///
/// The name is repeated so that no two are alike: when a callee is no
/// `#[grad]` function (`helper(x)` of a plain `fn helper`), rustc reports its
/// missing `helper_backward` at the call and suggests no other function's
/// uniform companion for the missing one.
pub(crate) fn uniform_name(name: &Ident) -> Ident {
    // Snake case whatever `name` starts with (`__autodiff_v_step`): a crate
    // may `#![forbid(warnings)]`, so no lint is allowed here.
    let n = name.unraw().to_string();
    let n = n.trim_start_matches('_');
    format_ident!("__autodiff_w_{n}_backward_{n}_{n}", span = name.span())
}

/// The uniform companion of `item`, calling the companion it is passed.
pub fn uniform_companion(item: &ItemFn, sig: &Signature) -> TokenStream {
    let Layout { params, output } = layout(sig, Mode::Reverse);
    let tys = params.iter().map(|(_, ty, _)| ty);
    let companion = hyg("__autodiff_companion");
    let first = quote!(#companion: impl ::core::ops::FnOnce(#(#tys),*) -> #output);
    build(
        item,
        sig,
        &sig.name,
        Some(first),
        companion.into_token_stream(),
    )
}

/// The uniform companion of a method's by-value adapter `own` (its signature
/// `sig`, `self` by value), calling `Self::own_backward`.
pub(crate) fn uniform_self_companion(item: &ItemFn, sig: &Signature, own: &Ident) -> TokenStream {
    let companion = format_ident!("{}_backward", own.unraw(), span = own.span());
    build(item, sig, own, None, quote!(Self::#companion))
}

fn build(
    item: &ItemFn,
    sig: &Signature,
    name: &Ident,
    first: Option<TokenStream>,
    call: TokenStream,
) -> TokenStream {
    let adapter = uniform_name(name);
    let vis = &item.vis;
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let attrs = kept_attrs(item);
    let mut params: Vec<TokenStream> = first.into_iter().collect();
    let mut args = Vec::new();
    let mut shadows = Vec::new();
    let mut slots = Vec::new();
    let mut slot_tys = Vec::new();
    let mut grads = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let ty = &p.ty;
        let (pv, mv) = (
            hyg(&format!("__autodiff_p{i}")),
            hyg(&format!("__autodiff_m{i}")),
        );
        // A method's receiver stays one (`self`) in a method; otherwise every
        // parameter is a plain one (after the companion, none can be `self`).
        let recv = p.receiver && params.is_empty();
        if recv {
            params.push(quote!(self));
            args.push(quote!(self));
        } else {
            params.push(quote!(#pv: #ty));
            args.push(pv.to_token_stream());
        }
        let pv = if recv {
            quote!(self)
        } else {
            pv.into_token_stream()
        };
        match &p.kind {
            ParamKind::Float => {
                params.push(quote!(#mv: impl ::autodiff::__private::ValueArg));
                let g = hyg(&format!("__autodiff_g{i}"));
                slots.push(g.to_token_stream());
                slot_tys.push(quote!(#ty));
                grads.push(g);
            }
            ParamKind::FloatRef => {
                let vt = p.value_ty();
                params.push(quote!(#mv: impl ::autodiff::__private::ShadowArg<#vt>));
                let s = hyg(&format!("__autodiff_s{i}"));
                shadows.push(quote! {
                    let mut #s = ::autodiff::__private::ShadowArg::shadow(#mv, #pv);
                });
                args.push(quote!(&mut *#s));
                slots.push(quote!(()));
                slot_tys.push(quote!(()));
            }
            ParamKind::Out => {
                params.push(quote!(#mv: #ty));
                args.push(mv.to_token_stream());
                slots.push(quote!(()));
                slot_tys.push(quote!(()));
            }
            ParamKind::Inactive { .. } => {
                params.push(quote!(#mv: impl ::autodiff::__private::ExcludedArg));
                slots.push(quote!(()));
                slot_tys.push(quote!(()));
            }
        }
    }
    let ret = &sig.ret;
    let value_ty = if sig.outputs > 0 {
        quote!(#ret)
    } else {
        quote!(())
    };
    if sig.outputs > 0 {
        let d = d_out_name(sig);
        let dt = d_out_type(sig);
        params.push(quote!(#d: #dt));
        args.push(d.into_token_stream());
    }
    let (r, v) = (hyg("__autodiff_r"), hyg("__autodiff_v"));
    // The companion's result: the value (unless `()`), then the gradients of
    // the by-value parameters; one alone is not a tuple.
    let unpack = match (sig.outputs, grads.as_slice()) {
        (0, []) => quote!(let #v = #r;),
        (0, [g]) => quote!(let #g = #r; let #v = ();),
        (0, gs) => quote!(let (#(#gs),*) = #r; let #v = ();),
        (_, []) => quote!(let #v = #r;),
        (_, gs) => quote!(let (#v, #(#gs),*) = #r;),
    };
    let doc = format!(
        " `{}`'s companion with a slot for every parameter, whatever its `wrt` (see \
         `autodiff::__private::Want`); called by the companions of its callers.",
        sig.name.unraw()
    );
    quote! {
        #(#attrs)*
        #[doc = #doc]
        #[doc(hidden)]
        #[inline(always)]
        #[allow(dead_code, clippy::too_many_arguments, clippy::type_complexity, clippy::unused_unit)]
        #vis fn #adapter #generics (#(#params),*) -> (#value_ty, #(#slot_tys,)*) #where_clause {
            #(#shadows)*
            let #r = #call(#(#args),*);
            #unpack
            (#v, #(#slots,)*)
        }
    }
}

/// `__autodiff_wf_<name>_forward_…`: the uniform companion of `<name>_forward`.
pub(crate) fn uniform_forward_name(name: &Ident) -> Ident {
    let n = name.unraw().to_string();
    let n = n.trim_start_matches('_');
    format_ident!("__autodiff_wf_{n}_forward_{n}_{n}", span = name.span())
}

/// The uniform companion of `item`'s `_forward` (forward mode): after every
/// parameter its tangent slot (the tangent, or `Skip` for a zero one; `Skip`
/// only where `wrt` leaves the parameter out), calling the companion it is
/// passed. Its result is `_forward`'s.
pub fn uniform_forward_companion(item: &ItemFn, sig: &Signature) -> TokenStream {
    let Layout { params: lp, output } = layout(sig, Mode::Forward);
    let tys = lp.iter().map(|(_, ty, _)| ty);
    let companion = hyg("__autodiff_companion");
    let mut params = vec![quote!(#companion: impl ::core::ops::FnOnce(#(#tys),*) -> #output)];
    let mut args = Vec::new();
    let mut tangents = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let ty = &p.ty;
        let (pv, mv) = (
            hyg(&format!("__autodiff_p{i}")),
            hyg(&format!("__autodiff_m{i}")),
        );
        params.push(quote!(#pv: #ty));
        args.push(pv.to_token_stream());
        let t = hyg(&format!("__autodiff_t{i}"));
        match &p.kind {
            ParamKind::Float => {
                params.push(quote!(#mv: impl ::autodiff::__private::TangentArg<#ty>));
                tangents
                    .push(quote!(let #t = ::autodiff::__private::TangentArg::tangent(#mv, &#pv);));
                args.push(t.to_token_stream());
            }
            ParamKind::FloatRef => {
                let vt = p.value_ty();
                params.push(quote!(#mv: impl ::autodiff::__private::TangentRef<#vt>));
                tangents
                    .push(quote!(let #t = ::autodiff::__private::TangentRef::tangent(#mv, #pv);));
                args.push(quote!(&*#t));
            }
            ParamKind::Out => {
                params.push(quote!(#mv: #ty));
                args.push(mv.to_token_stream());
            }
            ParamKind::Inactive { .. } => {
                params.push(quote!(#mv: impl ::autodiff::__private::ExcludedArg));
            }
        }
    }
    let adapter = uniform_forward_name(&sig.name);
    let vis = &item.vis;
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let attrs = kept_attrs(item);
    let doc = format!(
        " `{}_forward` with a tangent slot after every parameter, whatever its `wrt`; \
         called by the forward-mode companions of its callers.",
        sig.name.unraw()
    );
    quote! {
        #(#attrs)*
        #[doc = #doc]
        #[doc(hidden)]
        #[inline(always)]
        #[allow(dead_code, clippy::too_many_arguments, clippy::type_complexity)]
        #vis fn #adapter #generics (#(#params),*) -> #output #where_clause {
            #(#tangents)*
            #companion(#(#args),*)
        }
    }
}

/// The function's own `cfg` and `allow` attributes, which hold for its uniform
/// companions too.
fn kept_attrs(item: &ItemFn) -> impl Iterator<Item = &syn::Attribute> {
    item.attrs.iter().filter(|a| {
        matches!(a.style, syn::AttrStyle::Outer)
            && (a.path().is_ident("cfg") || a.path().is_ident("allow"))
    })
}
