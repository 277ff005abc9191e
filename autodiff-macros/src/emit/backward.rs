//! Emission of `<name>_backward`: the reverse companion's prologue (the
//! parameters, `d_out`, the shadows) and result (the value, the gradients of
//! by-value parameters, what `&` shadows and output parameters receive). The
//! ops themselves are emitted by `Emitter::ops` as for every mode.

use super::header::shadow_name;
use super::*;

/// The whole companion function.
pub fn companion(item: &ItemFn, sig: &Signature, comp: &Companion) -> TokenStream {
    let func = &comp.func;
    let (mut e, used) = Emitter::new(sig, func);

    let mut body = Vec::new();
    let n = sig.params.len();
    for (p, v) in sig.params.iter().zip(&func.params[..n]) {
        let Some(id) = &p.ident else { continue };
        e.bind_param(p, id, *v, &used, &mut body);
    }
    for (v, p, fields) in &func.views {
        let Some(id) = &sig.params[*p].ident else {
            continue;
        };
        let fields = fields.iter().map(|f| member(f));
        e.bufs.insert(*v, quote!(#id #(.#fields)*));
    }
    let d_out = header::d_out_name(sig);
    let d_outs = &func.params[n..n + comp.outputs];
    let pats: Vec<TokenStream> = d_outs
        .iter()
        .map(|v| {
            if !used.contains(v) {
                return quote!(_);
            }
            let name = val(*v);
            // An array or a struct (`d_out: S`): a buffer, updated in place.
            if e.in_place(*v) {
                e.bufs.insert(*v, name.to_token_stream());
                let m = mut_if(e.muts.updated(*v));
                quote!(#m #name)
            } else {
                name.to_token_stream()
            }
        })
        .collect();
    if comp.outputs == 1 && crate::signature::vec_elem(&sig.ret).is_some() {
        // `d_out: &[F]`: read in place, or copied where the reverse sweep
        // updates it.
        let v = d_outs[0];
        if used.contains(&v) {
            let name = val(v);
            // Updated in place, or yielded by a region (an `if` whose other
            // branch yields an owned `Vec`): a copy.
            if e.muts.updated(v) || e.yielded.contains(&v) {
                let m = mut_if(e.muts.updated(v));
                body.push(quote!(let #m #name = #d_out.to_vec();));
            } else {
                body.push(quote!(let #name = #d_out;));
                e.refs.insert(v);
            }
        }
    } else if comp.outputs == 1 {
        let p = &pats[0];
        body.push(quote!(let #p = #d_out;));
    } else if comp.outputs > 1 {
        body.push(quote!(let (#(#pats),*) = #d_out;));
    }
    // Shadows of `&` arrays: the cotangent accumulates into them in place.
    let mut shadows = func.params[n + comp.outputs..].iter();
    for (i, p) in sig.params.iter().enumerate() {
        let shadowed = p.kind == ParamKind::FloatRef && e.in_place(func.params[i]);
        if shadowed || p.kind == ParamKind::Out {
            if let Some(s) = shadows.next() {
                let d = shadow_name(i, sig);
                let name = val(*s);
                // Reborrowed as `&mut *name` by calls: never `mut`.
                body.push(quote!(let #name = #d;));
                e.mut_refs.insert(name.to_string());
                e.bufs.insert(*s, name.to_token_stream());
            }
        }
    }
    e.ops(&func.body.ops, &mut body);

    let yields = &func.body.yields;
    let outs: Vec<TokenStream> = yields[..comp.outputs]
        .iter()
        .map(|v| e.by_value(*v))
        .collect();
    let mut grads = yields[comp.outputs..].iter();
    let mut returned = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        match p.kind {
            ParamKind::FloatRef => {
                if let Some(g) = grads.next() {
                    if !e.in_place(*g) {
                        let d = shadow_name(i, sig);
                        let g = e.name(*g);
                        body.push(quote!(*#d += #g;));
                    }
                }
            }
            ParamKind::Float => {
                if let Some(g) = grads.next() {
                    returned.push(e.name(*g));
                }
            }
            // Through `write_back` below.
            ParamKind::Out => {
                grads.next();
            }
            ParamKind::Inactive { .. } => {}
        }
    }
    // Output parameters: the final contents, and the gradient of the initial
    // ones, each in its buffer (a copy unless it was updated there in place).
    for &(buf, at) in &comp.write_back {
        let Some(&v) = yields.get(at) else { continue };
        let (dst, src) = (e.name(buf), e.name(v));
        if dst.to_string() != src.to_string() {
            body.push(quote!(#dst.copy_from_slice(&#src[..]);));
        }
    }
    let out = if comp.outputs == 1 {
        outs[0].to_token_stream()
    } else {
        quote!((#(#outs),*))
    };
    let ret = match (comp.outputs, returned.as_slice()) {
        (0, [g]) => g.to_token_stream(),
        (0, []) => TokenStream::new(),
        (0, gs) => quote!((#(#gs),*)),
        (_, []) => out,
        (_, gs) => quote!((#out, #(#gs),*)),
    };
    let body = flat::block(body);
    let uses = body_uses(item);
    let head = header(item, sig, crate::attr::Mode::Reverse);
    quote! {
        #head {
            #(#uses)*
            #(#body)*
            #ret
        }
    }
}
