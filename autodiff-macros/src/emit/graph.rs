//! Emission of `<name>_graph` (`#[grad(graph)]`): a function with the
//! original's parameters and `d_out` whose body is `_backward`'s body for the
//! instrumented companion (the same sweeps, reporting to a recorder), after a
//! zeroed shadow for each `&` parameter; it returns the recorder's graph.

use super::header::{header, shadow_name};
use super::*;
use crate::attr::Mode;
use crate::graph::{rec_ident, Hook};

/// The whole `<name>_graph` function.
pub fn graph_companion(
    item: &ItemFn,
    sig: &Signature,
    comp: &Companion,
    hook: &Hook,
) -> TokenStream {
    let rec = rec_ident();
    // The sweeps: `_backward`'s body for the instrumented companion. It reads
    // the parameters, `d_out` and the shadows by their names, and returns
    // nowhere but at its end.
    let sweep: syn::ItemFn = match syn::parse2(companion(item, sig, comp)) {
        Ok(f) => f,
        Err(e) => return e.to_compile_error(),
    };
    let body = &sweep.block;
    let mut shadows = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        if p.kind != ParamKind::FloatRef {
            continue;
        }
        let Some(id) = &p.ident else { continue };
        // Zeros shaped like the parameter (a `Vec` for a slice), lent as
        // `_backward`'s shadow would be.
        let store = hyg(&format!("__autodiff_shadow{i}"));
        let zero = if matches!(p.value_ty(), syn::Type::Slice(_)) {
            quote!(::autodiff::__private::zeros_like(#id))
        } else {
            quote!(::autodiff::__private::zero_of(#id))
        };
        let d = shadow_name(i, sig);
        let vt = p.value_ty();
        shadows.push(quote! {
            let mut #store = #zero;
            let #d: &mut #vt = &mut #store;
        });
    }
    let outputs = hook.outputs.iter().map(|v| Literal::u32_suffixed(v.0));
    let head = header(item, sig, Mode::Graph);
    quote! {
        #head {
            let mut #rec = ::autodiff::__private::graph::Recorder::new();
            #(#shadows)*
            let _ = #body;
            #rec.finish(&[#(#outputs),*])
        }
    }
}
