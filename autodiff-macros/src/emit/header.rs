//! The companions' signatures, one layout per mode: the name, the header
//! (attributes, parameters with their shadows or tangents, result, doc), and for
//! `#[grad(custom)]` the check that a hand-written companion has that signature.

use super::hyg;
use crate::attr::Mode;
use crate::signature::{ParamKind, Signature};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::ext::IdentExt;
use syn::ItemFn;

/// The companion's name: `<name>_backward` or `<name>_forward`, spanned like
/// the original's name.
pub fn companion_name(sig: &Signature, mode: Mode) -> Ident {
    let suffix = match mode {
        Mode::Reverse => "backward",
        Mode::Forward => "forward",
        Mode::Hvp => "hvp",
        Mode::BackwardForward => "backward_forward",
        Mode::Jacobian => "jacobian",
        Mode::Hessian => "hessian",
        Mode::Graph => "graph",
    };
    format_ident!("{}_{suffix}", sig.name.unraw(), span = sig.name.span())
}

pub(super) fn shadow_name(i: usize, sig: &Signature) -> Ident {
    match &sig.params[i].ident {
        Some(id) => hyg(&format!("d_{}", id.unraw())),
        None => hyg(&format!("d_unnamed{i}")),
    }
}

/// The name of parameter `i`'s tangent in `<name>_forward`: `t_x`.
pub(super) fn tangent_name(i: usize, sig: &Signature) -> Ident {
    match &sig.params[i].ident {
        Some(id) => hyg(&format!("t_{}", id.unraw())),
        None => hyg(&format!("t_unnamed{i}")),
    }
}

/// The name of parameter `i`'s direction in `<name>_hvp`: `v_x`; and of the
/// shadow its Hessian-vector product is added into: `h_x`.
pub(super) fn direction_name(i: usize, sig: &Signature, prefix: &str) -> Ident {
    match &sig.params[i].ident {
        Some(id) => hyg(&format!("{prefix}_{}", id.unraw())),
        None => hyg(&format!("{prefix}_unnamed{i}")),
    }
}

/// A companion's signature, one mode's layout of the original's: its
/// parameters (pattern and type) and its result type. The header and the check
/// of a hand-written companion both read it, so they cannot disagree.
pub(super) struct Layout {
    /// Pattern, type, and whether it is the receiver (written without its type).
    pub(super) params: Vec<(TokenStream, TokenStream, bool)>,
    pub(super) output: TokenStream,
}

pub(super) fn layout(sig: &Signature, mode: Mode) -> Layout {
    let mut params = Vec::new();
    let mut grad_tys = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let ty = &p.ty;
        let id = match &p.ident {
            Some(id) => id.to_token_stream(),
            None => quote!(_),
        };
        let pat = if p.receiver && matches!(ty, syn::Type::Reference(_)) {
            quote!(&#id)
        } else {
            id
        };
        params.push((pat, quote!(#ty), p.receiver));
        match (mode, &p.kind) {
            (Mode::Reverse, ParamKind::FloatRef) => {
                let vt = p.value_ty();
                params.push((
                    shadow_name(i, sig).into_token_stream(),
                    quote!(&mut #vt),
                    false,
                ));
            }
            // An output array's shadow has its type: `d_out: &mut [f64]`.
            (Mode::Reverse, ParamKind::Out) => {
                params.push((shadow_name(i, sig).into_token_stream(), quote!(#ty), false));
            }
            (Mode::Reverse, ParamKind::Float) => grad_tys.push(ty.clone()),
            // A tangent has its parameter's type: `t_x: f64`, `t_v: &[f64]`,
            // `t_out: &mut [f64]`.
            (Mode::Forward, ParamKind::Float | ParamKind::FloatRef | ParamKind::Out) => {
                params.push((tangent_name(i, sig).into_token_stream(), quote!(#ty), false));
            }
            // The direction, then (for a `&` parameter) the shadows the
            // gradient and the Hessian-vector product are added into.
            (Mode::Hvp, ParamKind::Float | ParamKind::Out) => {
                params.push((
                    direction_name(i, sig, "v").into_token_stream(),
                    quote!(#ty),
                    false,
                ));
                grad_tys.push(ty.clone());
            }
            (Mode::Hvp, ParamKind::FloatRef) => {
                let vt = p.value_ty();
                params.push((
                    direction_name(i, sig, "v").into_token_stream(),
                    quote!(#ty),
                    false,
                ));
                params.push((
                    shadow_name(i, sig).into_token_stream(),
                    quote!(&mut #vt),
                    false,
                ));
                params.push((
                    direction_name(i, sig, "h").into_token_stream(),
                    quote!(&mut #vt),
                    false,
                ));
            }
            // `_backward`'s parameters, each differentiable one followed by
            // its tangent.
            (Mode::BackwardForward, ParamKind::Float | ParamKind::Out) => {
                params.push((tangent_name(i, sig).into_token_stream(), quote!(#ty), false));
                grad_tys.push(ty.clone());
            }
            (Mode::BackwardForward, ParamKind::FloatRef) => {
                let vt = p.value_ty();
                params.push((tangent_name(i, sig).into_token_stream(), quote!(#ty), false));
                params.push((
                    shadow_name(i, sig).into_token_stream(),
                    quote!(&mut #vt),
                    false,
                ));
                params.push((
                    direction_name(i, sig, "t_d").into_token_stream(),
                    quote!(&mut #vt),
                    false,
                ));
            }
            // The Jacobian's blocks: `[[T; N]; M]` for a `[T; N]`, `[T; M]` for a float.
            (Mode::Jacobian, ParamKind::Float | ParamKind::FloatRef | ParamKind::Out) => {
                let f = &sig.float_ty;
                let float = |t: &syn::Type| quote!(#t).to_string() == quote!(#f).to_string();
                let block: Option<syn::Type> = match (p.value_ty(), &sig.ret) {
                    (syn::Type::Array(a), syn::Type::Array(r)) if float(&a.elem) => {
                        let (e, n, m) = (&a.elem, &a.len, &r.len);
                        Some(syn::parse_quote!([[#e; #n]; #m]))
                    }
                    (t, syn::Type::Array(r)) if float(t) => {
                        let m = &r.len;
                        Some(syn::parse_quote!([#t; #m]))
                    }
                    _ => None,
                };
                grad_tys.extend(block);
            }
            // The gradient and the Hessian of the one parameter.
            (Mode::Hessian, ParamKind::Float | ParamKind::FloatRef | ParamKind::Out) => {
                if let syn::Type::Array(a) = p.value_ty() {
                    let (e, n) = (&a.elem, &a.len);
                    grad_tys.push(syn::parse_quote!([#e; #n]));
                    grad_tys.push(syn::parse_quote!([[#e; #n]; #n]));
                }
            }
            (_, ParamKind::Inactive { .. }) => {}
            // The parameters as they are (shadows are made inside).
            (Mode::Graph, _) => {}
        }
    }
    let output = match mode {
        Mode::Reverse => {
            if sig.outputs > 0 {
                params.push((d_out_name(sig).into_token_stream(), d_out_type(sig), false));
            }
            result_type(sig, &grad_tys)
        }
        Mode::Forward => {
            let ret = &sig.ret;
            if sig.outputs > 0 {
                quote!((#ret, #ret))
            } else {
                quote!(())
            }
        }
        // The value, the gradients, then the Hessian-vector products of the
        // by-value parameters.
        Mode::Hvp => {
            let ret = &sig.ret;
            if grad_tys.is_empty() {
                // Only `&` parameters: the value alone, like `_backward`'s.
                quote!(#ret)
            } else {
                quote!((#ret, #(#grad_tys,)* #(#grad_tys),*))
            }
        }
        Mode::Jacobian | Mode::Hessian => {
            let ret = &sig.ret;
            quote!((#ret, #(#grad_tys),*))
        }
        // `_backward`'s `d_out`, and the graph.
        Mode::Graph => {
            if sig.outputs > 0 {
                params.push((d_out_name(sig).into_token_stream(), d_out_type(sig), false));
            }
            quote!(::autodiff::Graph)
        }
        // `_backward`'s result and its tangent.
        Mode::BackwardForward => {
            let d_out = d_out_name(sig);
            let t_d_out = hyg(&format!("t_{d_out}"));
            let ret = &sig.ret;
            params.push((d_out.into_token_stream(), quote!(#ret), false));
            params.push((t_d_out.into_token_stream(), quote!(#ret), false));
            let v = result_type(sig, &grad_tys);
            quote!((#v, #v))
        }
    };
    Layout { params, output }
}

/// The companion's attributes, signature and doc, without its body.
pub fn header(item: &ItemFn, sig: &Signature, mode: Mode) -> TokenStream {
    let name = companion_name(sig, mode);
    let vis = &item.vis;
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let attrs = item.attrs.iter().filter(|a| {
        // The user's lint allowances hold for the companion too.
        matches!(a.style, syn::AttrStyle::Outer)
            && (a.path().is_ident("inline")
                || a.path().is_ident("cfg")
                || a.path().is_ident("allow"))
    });
    let Layout { params, output } = layout(sig, mode);
    // A receiver is written `&self` / `self`, without its type.
    let params = params.iter().map(|(pat, ty, receiver)| {
        if *receiver {
            pat.clone()
        } else {
            quote!(#pat: #ty)
        }
    });
    let orig = &sig.name;
    let doc = match mode {
        Mode::Reverse => format!(
            " Reverse-mode gradient of [`{orig}`], generated by `#[grad]`.\n\n \
             Takes `{orig}`'s parameters, a `&mut` shadow after each differentiable `&` parameter \
             (its gradient is *added* into it), and `d_out`, the cotangent of the result \
             (`1.0` for a scalar loss). Returns the result of `{orig}` followed by the gradient \
             of each differentiable by-value parameter, in order."
        ),
        Mode::Forward => format!(
            " Forward-mode derivative of [`{orig}`], generated by `#[grad(forward)]`.\n\n \
             Takes `{orig}`'s parameters, each differentiable one followed by its tangent \
             `t_<name>` of the same type (the direction). Returns the result of `{orig}` and its \
             directional derivative (the Jacobian-vector product); an output parameter's \
             tangent (`t_out: &mut [_]`) receives the derivative of what `{orig}` writes."
        ),
        Mode::Hvp => format!(
            " Gradient and Hessian-vector product of [`{orig}`], generated by `#[grad(hvp)]` \
             (forward mode over reverse mode).\n\n \
             Takes `{orig}`'s parameters, each differentiable one followed by its part `v_<name>` \
             of the direction v (and, for a `&` parameter, the shadows `d_<name>` and `h_<name>` \
             into which its gradient and its part of H·v are *added*). Returns the result of \
             `{orig}`, the gradient of each differentiable by-value parameter, then its part of H·v \
             (the result alone when every differentiable parameter is a `&` reference)."
        ),
        Mode::Jacobian => format!(
            " The Jacobian of [`{orig}`], generated by `#[grad(jacobian)]`."
        ),
        Mode::Hessian => format!(
            " The value, gradient and Hessian of [`{orig}`], generated by `#[grad(hessian)]`."
        ),
        Mode::Graph => format!(
            " The computational graph of one call of [`{orig}`], generated by `#[grad(graph)]`.\n\n \
             Takes `{orig}`'s parameters and `d_out`, the cotangent of the result (`1.0` for a \
             scalar loss), runs the sweeps of `{orig}_backward`, and returns every operation \
             with its value and its gradient: `to_dot()` and `to_svg()` draw it."
        ),
        Mode::BackwardForward => format!(
            " Forward mode of `{orig}_backward`, generated by `#[grad(hvp)]`: nested \
             differentiation calls it.\n\n \
             Takes `{orig}_backward`'s parameters, each differentiable one (and `d_out`) followed \
             by its tangent `t_<name>`; returns `{orig}_backward`'s result and its tangent."
        ),
    };
    quote! {
        #(#attrs)*
        #[doc = #doc]
        #[allow(clippy::too_many_arguments, clippy::type_complexity, clippy::approx_constant, clippy::float_cmp, clippy::ptr_arg)]
        #vis fn #name #generics (#(#params),*) -> #output #where_clause
    }
}

/// The companion's parameter and result types, as a fn pointer type.
fn fn_pointer(sig: &Signature, mode: Mode) -> TokenStream {
    let Layout { params, output } = layout(sig, mode);
    let tys = params.iter().map(|(_, ty, _)| ty);
    quote!(fn(#(#tys),*) -> #output)
}

/// The name of the result's cotangent: `d_out`, or `d_result` when a
/// parameter named `out` has the shadow `d_out`.
pub(super) fn d_out_name(sig: &Signature) -> Ident {
    let taken = sig
        .params
        .iter()
        .any(|p| p.ident.as_ref().is_some_and(|id| id.unraw() == "out"));
    hyg(if taken { "d_result" } else { "d_out" })
}

/// The type of `d_out`: the result's, except `&[F]` for a `Vec<F>` result (so
/// that the caller never allocates to call the companion).
pub(super) fn d_out_type(sig: &Signature) -> TokenStream {
    let ret = &sig.ret;
    match crate::signature::vec_elem(ret) {
        Some(elem) => quote!(&[#elem]),
        None => quote!(#ret),
    }
}

/// The companion's result type: the result, then the gradients of the
/// by-value parameters; a function that returns `()` (its results are in
/// output parameters) returns only those gradients (one alone, several as a
/// tuple, none as `()`).
fn result_type(sig: &Signature, grad_tys: &[syn::Type]) -> TokenStream {
    let ret = &sig.ret;
    match (sig.outputs, grad_tys) {
        (0, [g]) => quote!(#g),
        (0, gs) => quote!((#(#gs),*)),
        (_, []) => quote!(#ret),
        (_, gs) => quote!((#ret, #(#gs),*)),
    }
}

/// For `#[grad(custom)]`: a compile-time check that the hand-written
/// `<name>_backward` has exactly the companion's signature.
pub fn signature_check(item: &ItemFn, sig: &Signature, mode: Mode) -> TokenStream {
    let name = companion_name(sig, mode);
    let ptr = fn_pointer(sig, mode);
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let turbofish: Vec<TokenStream> = generics
        .params
        .iter()
        .filter_map(|g| match g {
            syn::GenericParam::Type(t) => Some(t.ident.to_token_stream()),
            syn::GenericParam::Const(c) => Some(c.ident.to_token_stream()),
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    let path = if turbofish.is_empty() {
        quote!(#name)
    } else {
        quote!(#name::<#(#turbofish),*>)
    };
    if sig.params.iter().any(|p| p.receiver) {
        // In an `impl`: an associated fn (an `impl` has no `const _`).
        let check = format_ident!("__autodiff_check_{}_{}", sig.name.unraw(), name.unraw());
        return quote! {
            #[doc(hidden)]
            #[allow(dead_code, non_snake_case, clippy::type_complexity)]
            fn #check #generics () #where_clause {
                let _: #ptr = Self::#path;
            }
        };
    }
    let check = hyg("check");
    quote! {
        const _: () = {
            #[allow(dead_code, clippy::type_complexity)]
            fn #check #generics () #where_clause {
                let _: #ptr = #path;
            }
        };
    }
}
