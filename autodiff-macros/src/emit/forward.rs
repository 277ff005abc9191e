//! Emission of `<name>_forward`: the forward-mode companion's IR (`jvp.rs`) →
//! Rust tokens. The ops are emitted as for `_backward`; only the prologue (the
//! tangent parameters) and the result (`(out, t_out)`) are this mode's own.

use super::header::tangent_name;
use super::*;
use crate::attr::Mode;

/// The whole `<name>_forward` function.
pub fn forward_companion(item: &ItemFn, sig: &Signature, comp: &Companion) -> TokenStream {
    let func = &comp.func;
    let (mut e, used) = Emitter::new(sig, func);
    let mut body = Vec::new();
    let n = sig.params.len();
    // The name of each of the function's parameters: the originals, then the
    // tangents of the differentiated ones.
    let mut names: Vec<Option<Ident>> = sig.params.iter().map(|p| p.ident.clone()).collect();
    let mut owners = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        if p.active() {
            names.push(Some(tangent_name(i, sig)));
            owners.push(i);
        }
    }
    for (k, v) in func.params.iter().enumerate() {
        let (Some(id), Some(p)) = (&names[k], sig.params.get(owners_or(k, n, &owners))) else {
            continue;
        };
        e.bind_param(p, id, *v, &used, &mut body);
    }
    e.bind_views(&names);
    e.ops(&func.body.ops, &mut body);

    let yields = &func.body.yields;
    let m = comp.outputs;
    let outs: Vec<TokenStream> = yields[..m].iter().map(|v| e.by_value(*v)).collect();
    let t_outs: Vec<TokenStream> = yields[m..2 * m].iter().map(|v| e.by_value(*v)).collect();
    // Output parameters: the final contents and their tangent, each in its
    // buffer (a copy unless it was updated there in place).
    for &(buf, at) in &comp.write_back {
        let Some(&v) = yields.get(at) else { continue };
        let (dst, src) = (e.name(buf), e.name(v));
        if dst.to_string() != src.to_string() {
            body.push(quote!(#dst.copy_from_slice(&#src[..]);));
        }
    }
    let ret = match m {
        0 => TokenStream::new(),
        1 => quote!((#(#outs)*, #(#t_outs)*)),
        _ => quote!(((#(#outs),*), (#(#t_outs),*))),
    };
    let body = flat::block(body);
    let uses = body_uses(item);
    let head = header(item, sig, Mode::Forward);
    quote! {
        #head {
            #(#uses)*
            #(#body)*
            #ret
        }
    }
}

/// The original parameter behind function parameter `k`: itself, or the one
/// whose tangent it is.
fn owners_or(k: usize, n: usize, owners: &[usize]) -> usize {
    if k < n {
        k
    } else {
        owners.get(k - n).copied().unwrap_or(usize::MAX)
    }
}
