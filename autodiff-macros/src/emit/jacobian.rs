//! `<name>_jacobian` (`#[grad(jacobian)]`): the dense Jacobian of a function
//! with a fixed-size array result, built from the other companions by the
//! cheaper sweep: one `_forward` pass per input component when the inputs are
//! no more than the outputs, one `_backward` pass per output component
//! otherwise (the choice is between constants: the compiler keeps one branch).
//!
//! Plain Rust over the companions, not IR: a Jacobian is that many
//! directional derivatives or gradients, nothing more.

use super::header::companion_name;
use super::hyg;
use crate::attr::Mode;
use crate::error::Errors;
use crate::signature::{ParamKind, Signature};
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{ItemFn, Type};

/// The shape of a differentiated parameter: a float, or an array of `n`
/// floats, by value or by `&`.
enum Shape {
    Scalar,
    Array(Box<syn::Expr>),
}

/// The whole `<name>_jacobian`, or the errors that say why it cannot be built.
pub fn jacobian(item: &ItemFn, sig: &Signature) -> Result<TokenStream, Errors> {
    let mut errors = Errors::default();
    let f = &sig.float_ty;
    let is_float = |t: &Type| t.to_token_stream().to_string() == f.to_token_stream().to_string();
    let array_of_float = |t: &Type| match t {
        Type::Array(a) if is_float(&a.elem) => Some(Box::new(a.len.clone())),
        _ => None,
    };
    let Some(m) = array_of_float(&sig.ret) else {
        errors.at(
            &item.sig.output,
            "`jacobian` is for functions whose result is a fixed-size array of floats (`-> [f64; M]`); for a scalar result the gradient (`_backward`) is the Jacobian",
        );
        return Err(errors);
    };
    let mut shapes = Vec::new();
    for p in &sig.params {
        let shape = match p.kind {
            ParamKind::Inactive { .. } => None,
            ParamKind::Out => {
                errors.at(
                    &p.ty,
                    "`jacobian` takes no output parameters: return the result",
                );
                None
            }
            ParamKind::Float | ParamKind::FloatRef => {
                let vt = p.value_ty();
                if is_float(vt) {
                    Some(Shape::Scalar)
                } else if let Some(n) = array_of_float(vt) {
                    Some(Shape::Array(n))
                } else {
                    errors.at(
                        &p.ty,
                        "`jacobian` differentiates floats and fixed-size arrays of floats (`[f64; N]`, by value or by `&`); exclude this parameter with `wrt`",
                    );
                    None
                }
            }
        };
        shapes.push(shape);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let orig = &item.sig.ident;
    let fwd = companion_name(sig, Mode::Forward);
    let bwd = companion_name(sig, Mode::Reverse);
    let name = companion_name(sig, Mode::Jacobian);
    let one = quote!(<#f as ::autodiff::Real>::from_f64(1.0));
    let zero = |t: TokenStream| quote!(<#t as ::autodiff::Tangent>::zero());
    let ids: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| match &p.ident {
            Some(id) => id.to_token_stream(),
            None => quote!(_),
        })
        .collect();
    // Per differentiated parameter: its Jacobian block's name and type, the
    // number of its components.
    let mut blocks = Vec::new();
    let mut sizes = Vec::new();
    for (i, shape) in shapes.iter().enumerate() {
        let Some(shape) = shape else { continue };
        let j = hyg(&format!("j{i}"));
        let ty = match shape {
            Shape::Scalar => quote!([#f; #m]),
            Shape::Array(n) => quote!([[#f; #n]; #m]),
        };
        sizes.push(match shape {
            Shape::Scalar => quote!(1usize),
            Shape::Array(n) => quote!((#n)),
        });
        blocks.push((i, j, ty));
    }
    let decls = blocks.iter().map(|(_, j, ty)| {
        let z = zero(ty.clone());
        quote!(let mut #j: #ty = #z;)
    });
    let (c, r, value) = (hyg("c"), hyg("r"), hyg("value"));
    let (v, t_out) = (hyg("v"), hyg("t_out"));
    // Forward passes: the unit tangent of each input component.
    let mut forward_passes = Vec::new();
    for (i, j, _) in &blocks {
        let shape = shapes[*i].as_ref();
        let mut args = Vec::new();
        for (k, p) in sig.params.iter().enumerate() {
            let id = &ids[k];
            args.push(id.clone());
            let Some(sk) = &shapes[k] else { continue };
            let by_ref = matches!(p.ty, Type::Reference(_));
            let t = hyg(&format!("t{k}"));
            let tv = match sk {
                Shape::Scalar if k == *i => one.clone(),
                Shape::Scalar => zero(quote!(#f)),
                Shape::Array(n) => {
                    let z = zero(quote!([#f; #n]));
                    let set = if k == *i {
                        quote!(#t[#c] = #one;)
                    } else {
                        quote!()
                    };
                    quote!({ let mut #t: [#f; #n] = #z; #set #t })
                }
            };
            args.push(if by_ref { quote!(&#tv) } else { tv });
        }
        let (range, store) = match shape {
            Some(Shape::Array(n)) => (quote!(0..(#n)), quote!(#j[#r][#c] = #t_out[#r];)),
            _ => (quote!(0..1usize), quote!(#j[#r] = #t_out[#r];)),
        };
        forward_passes.push(quote! {
            for #c in #range {
                let _ = #c;
                let (#v, #t_out) = #fwd(#(#args),*);
                for #r in 0..(#m) {
                    #store
                }
                #value = ::core::option::Option::Some(#v);
            }
        });
    }
    // Reverse passes: the unit cotangent of each output component.
    let mut args = Vec::new();
    let mut shadows = Vec::new();
    let mut returned = Vec::new();
    for (k, p) in sig.params.iter().enumerate() {
        args.push(ids[k].clone());
        let Some(sk) = &shapes[k] else { continue };
        let j = hyg(&format!("j{k}"));
        if p.kind == ParamKind::FloatRef {
            let s = hyg(&format!("s{k}"));
            let vt = p.value_ty();
            let z = zero(quote!(#vt));
            shadows.push(quote!(let mut #s: #vt = #z;));
            args.push(quote!(&mut #s));
            returned.push((None, quote!(#j[#r] = #s;)));
        } else {
            let _ = sk;
            let g = hyg(&format!("g{k}"));
            returned.push((Some(g.clone()), quote!(#j[#r] = #g;)));
        }
    }
    let pats: Vec<_> = returned.iter().filter_map(|(g, _)| g.clone()).collect();
    let stores = returned.iter().map(|(_, s)| s);
    let d = hyg("d");
    let dz = zero(quote!([#f; #m]));
    let call = quote!(#bwd(#(#args,)* #d));
    let bind = if pats.is_empty() {
        quote!(let #v = #call;)
    } else {
        quote!(let (#v, #(#pats),*) = #call;)
    };
    let reverse_passes = quote! {
        for #r in 0..(#m) {
            #(#shadows)*
            let mut #d: [#f; #m] = #dz;
            #d[#r] = #one;
            #bind
            #(#stores)*
            #value = ::core::option::Option::Some(#v);
        }
    };
    let js = blocks.iter().map(|(_, j, _)| j);
    let tys = blocks.iter().map(|(_, _, t)| t);
    let vis = &item.vis;
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let params = &item.sig.inputs;
    let ret = &sig.ret;
    let doc = format!(
        " The Jacobian of [`{orig}`], generated by `#[grad(jacobian)]`: its result and, per \
         differentiable parameter, the block ∂result/∂parameter (row i: output i; a `[T; N]` \
         parameter's block is `[[T; N]; M]`, a scalar's `[T; M]`). Built by forward passes \
         (`{fwd}`, one per input component) when the inputs are no more than the outputs, \
         by reverse passes (`{bwd}`, one per output component) otherwise."
    );
    let orig_args = &ids;
    Ok(quote! {
        #[doc = #doc]
        #[allow(clippy::too_many_arguments, clippy::type_complexity, clippy::needless_range_loop, clippy::int_plus_one, clippy::identity_op, clippy::absurd_extreme_comparisons)]
        #vis fn #name #generics (#params) -> (#ret, #(#tys),*) #where_clause {
            #(#decls)*
            let mut #value: ::core::option::Option<#ret> = ::core::option::Option::None;
            if 0usize #(+ #sizes)* <= (#m) {
                #(#forward_passes)*
            } else {
                #reverse_passes
            }
            let #v = match #value {
                ::core::option::Option::Some(#v) => #v,
                ::core::option::Option::None => #orig(#(#orig_args),*),
            };
            (#v, #(#js),*)
        }
    })
}
