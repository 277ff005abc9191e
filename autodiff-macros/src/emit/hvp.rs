//! Emission of `<name>_hvp`: the reverse companion differentiated in forward
//! mode (`expand::hvp_mode`) → Rust tokens. Its parameters, in the IR: the
//! original ones, `d_out` (here the constant 1), the shadows of the `&`
//! parameters, the directions of the differentiated parameters, the shadows of
//! the Hessian-vector product. Its yields: the companion's (value, gradients,
//! updated shadows), then their tangents (the Hessian-vector product).

use super::header::{direction_name, shadow_name};
use super::*;
use crate::attr::Mode;

/// The whole `<name>_hvp` function, or with `general` the whole
/// `<name>_backward_forward` (`d_out` and its tangent are parameters; the
/// tangents are named `t_x`, `t_d_x`; it returns `_backward`'s result and its
/// tangent).
pub fn hvp_companion(
    item: &ItemFn,
    sig: &Signature,
    comp: &Companion,
    general: bool,
) -> TokenStream {
    let func = &comp.func;
    let (mut e, used) = Emitter::new(sig, func);
    let mut body = Vec::new();
    let n = sig.params.len();
    let active: Vec<usize> = (0..n).filter(|i| sig.params[*i].active()).collect();
    // The `&` parameters with a shadow buffer (arrays, structs).
    let shadowed: Vec<usize> = active
        .iter()
        .copied()
        .filter(|i| sig.params[*i].kind == ParamKind::FloatRef && e.in_place(func.params[*i]))
        .collect();
    let s = shadowed.len();
    // The name of each IR parameter, and the original parameter it stands for
    // (its type, for the binding).
    let (dir, hv) = if general { ("t", "t_d") } else { ("v", "h") };
    let d_out = header::d_out_name(sig);
    let mut names: Vec<Option<Ident>> = sig.params.iter().map(|p| p.ident.clone()).collect();
    names.push(general.then(|| d_out.clone()));
    for &i in &shadowed {
        names.push(Some(shadow_name(i, sig)));
    }
    for &i in &active {
        names.push(Some(direction_name(i, sig, dir)));
    }
    if general {
        names.push(Some(hyg(&format!("t_{d_out}"))));
    }
    for &i in &shadowed {
        names.push(Some(direction_name(i, sig, hv)));
    }
    let tangents_at = n + 1 + s;
    let shadow_tangents_at = tangents_at + active.len() + usize::from(general);
    for (k, v) in func.params.iter().enumerate() {
        // `d_out` and its tangent: by value, like a float parameter.
        if general && (k == n || k == shadow_tangents_at - 1) {
            let id = names[k].clone().unwrap_or_else(|| d_out.clone());
            if used.contains(v) {
                let name = val(*v);
                let ann = e.annotation(*v);
                body.push(quote!(let #name #ann = #id;));
            }
            continue;
        }
        let Some(Some(id)) = names.get(k) else {
            // `d_out`: the gradient of a loss, seeded with 1.
            if k == n && used.contains(v) {
                let one = e.constant(1.0);
                let name = val(*v);
                let ann = e.annotation(*v);
                body.push(quote!(let #name #ann = #one;));
            }
            continue;
        };
        let is_shadow = (k > n && k < tangents_at) || k >= shadow_tangents_at;
        if is_shadow {
            // Added into in place; `mut` when a call reborrows it.
            let name = val(*v);
            body.push(quote!(let #name = #id;));
            e.mut_refs.insert(name.to_string());
            e.bufs.insert(*v, name.to_token_stream());
            continue;
        }
        let p = if k < n { k } else { active[k - tangents_at] };
        e.bind_param(&sig.params[p], id, *v, &used, &mut body);
    }
    e.bind_views(&names);
    e.ops(&func.body.ops, &mut body);

    let yields = &func.body.yields;
    let m = comp.outputs;
    let out = e.by_value(yields[0]);
    let mut grads = Vec::new();
    let mut hvps = Vec::new();
    for (j, &i) in active.iter().enumerate() {
        let (g, h) = (yields[1 + j], yields[m + 1 + j]);
        match sig.params[i].kind {
            ParamKind::FloatRef => {
                if !e.in_place(g) {
                    // A `&f64`: added into its shadows.
                    let (d, hd) = (shadow_name(i, sig), direction_name(i, sig, hv));
                    let (g, h) = (e.name(g), e.name(h));
                    body.push(quote!(*#d += #g;));
                    body.push(quote!(*#hd += #h;));
                }
            }
            _ => {
                grads.push(e.by_value(g));
                hvps.push(e.by_value(h));
            }
        }
    }
    let body = flat::block(body);
    let (mode, ret) = if general {
        // `_backward`'s result, and its tangent.
        let t_out = e.by_value(yields[m]);
        let (v, t) = if grads.is_empty() {
            (out, t_out)
        } else {
            (quote!((#out, #(#grads),*)), quote!((#t_out, #(#hvps),*)))
        };
        (Mode::BackwardForward, quote!((#v, #t)))
    } else {
        let ret = if grads.is_empty() {
            out
        } else {
            quote!((#out, #(#grads,)* #(#hvps),*))
        };
        (Mode::Hvp, ret)
    };
    let uses = body_uses(item);
    let head = header(item, sig, mode);
    quote! {
        #head {
            #(#uses)*
            #(#body)*
            #ret
        }
    }
}
