//! Emission of calls to `#[grad]` functions: the forward call, and in the reverse
//! sweep the call of the callee's companion with the cotangents, shadows and
//! output arrays.

use super::*;

impl Emitter<'_> {
    pub(super) fn call_args(
        &self,
        c: &Callee,
        args: &[Value],
        shadows: Option<&[TokenStream]>,
    ) -> Vec<TokenStream> {
        let mut out = Vec::new();
        let mut sh = shadows.map(|s| s.iter());
        for (k, a) in args.iter().enumerate() {
            let name = self.name(*a);
            if c.outs[k] {
                // Through a reference already (a buffer that is an output
                // parameter, in any version), or a local.
                out.push(if self.holds_ref(&name) {
                    quote!(&mut *#name)
                } else {
                    quote!(&mut #name)
                });
                if let Some(s) = sh.as_mut().and_then(Iterator::next) {
                    out.push(s.clone());
                }
            } else if c.refs[k] {
                out.push(if self.holds_ref(&name) && self.is_array(*a) {
                    quote!(&*#name)
                } else {
                    quote!(&#name)
                });
                let differentiable = !c.stop[k] && self.func.differentiable(self.func.ty(*a));
                if differentiable {
                    if let Some(s) = sh.as_mut().and_then(Iterator::next) {
                        out.push(s.clone());
                    }
                }
            } else {
                out.push(self.by_value(*a));
            }
        }
        out
    }

    /// `let` patterns for results: `mut` buffers for arrays.
    pub(super) fn result_pats(&mut self, results: &[Value]) -> Vec<TokenStream> {
        results
            .iter()
            .map(|r| {
                let name = val(*r);
                if self.in_place(*r) {
                    self.bufs.insert(*r, name.to_token_stream());
                    let m = mut_if(self.muts.updated(*r));
                    quote!(#m #name)
                } else {
                    quote!(#name)
                }
            })
            .collect()
    }

    /// `path(args…)`, or `args[0].name(args[1..]…)` for a method called on
    /// a value (`Callee::dot`).
    fn invoke(c: &Callee, path: &syn::Path, args: &[TokenStream]) -> TokenStream {
        match (c.dot, args.split_first(), path.segments.last()) {
            (true, Some((recv, rest)), Some(last)) => {
                let name = &last.ident;
                quote!((#recv).#name(#(#rest),*))
            }
            _ => quote!(#path(#(#args),*)),
        }
    }

    pub(super) fn call_fn(&mut self, op: &Op, c: &Callee, args: &[Value]) -> TokenStream {
        let path = &c.path;
        // Output arrays: their new versions live in the buffers passed.
        let n_val = op.results.len() - c.outs.iter().filter(|o| **o).count();
        let outs = args.iter().zip(&c.outs).filter(|(_, o)| **o);
        for ((a, _), r) in outs.zip(&op.results[n_val..]) {
            let buf = self.name(*a);
            self.bufs.insert(*r, buf);
        }
        let args = self.call_args(c, args, None);
        let call = Self::invoke(c, path, &args);
        if c.unit {
            return quote!(#call;);
        }
        let pats = self.result_pats(&op.results[..n_val]);
        if c.forward {
            // `_forward` returns the value and its tangent.
            let (p, t) = pats.split_at(n_val / 2);
            return if c.tuple {
                quote!(let ((#(#p),*), (#(#t),*)) = #call;)
            } else {
                quote!(let (#(#p)*, #(#t)*) = #call;)
            };
        }
        match (c.tuple, pats.as_slice()) {
            (false, [p]) => {
                let ann = self.annotation(op.results[0]);
                quote!(let #p #ann = #call;)
            }
            (_, ps) => quote!(let (#(#ps),*) = #call;),
        }
    }

    pub(super) fn call_back(
        &mut self,
        op: &Op,
        c: &Callee,
        args: &[Value],
        ds: &[Value],
        shadows: &[Value],
        out: &mut Vec<TokenStream>,
    ) {
        let mut path = c.path.clone();
        if let Some(last) = path.segments.last_mut() {
            last.ident = format_ident!("{}_backward", last.ident.unraw(), span = last.ident.span());
        }
        let n_bv = op.results.len() - shadows.len();
        let mut shadow_args = Vec::new();
        for (s, r) in shadows.iter().zip(&op.results[n_bv..]) {
            if self.in_place(*s) {
                let buf = self.name(*s);
                self.bufs.insert(*r, buf.clone());
                shadow_args.push(if self.holds_ref(&buf) {
                    quote!(&mut *#buf)
                } else {
                    quote!(&mut #buf)
                });
            } else {
                let rn = val(*r);
                let sn = self.name(*s);
                let ann = self.annotation(*r);
                out.push(quote!(let mut #rn #ann = #sn;));
                shadow_args.push(quote!(&mut #rn));
            }
        }
        let args = self.call_args(c, args, Some(&shadow_args));
        // A `Vec` result's cotangent goes by reference (`d_out: &[F]`).
        let d: Vec<TokenStream> = ds
            .iter()
            .map(|v| {
                let n = self.name(*v);
                match self.func.array(self.func.ty(*v)).map(|a| a.len.clone()) {
                    Some(Len::Vec) => quote!(&#n[..]),
                    // A result of unknown kind: an array, or a `Vec`.
                    Some(Len::View) => quote!(::autodiff::__private::DOut::d_out(&#n)),
                    _ => n,
                }
            })
            .collect();
        let d_out = if c.tuple {
            quote!((#(#d),*))
        } else {
            quote!(#(#d)*)
        };
        let pats = self.result_pats(&op.results[..n_bv]);
        if c.unit {
            // A `()` callee: no `d_out`; it returns its by-value gradients only.
            let call = Self::invoke(c, &path, &args);
            out.push(match pats.as_slice() {
                [] => quote!(#call;),
                [p] => quote!(let #p = #call;),
                ps => quote!(let (#(#ps),*) = #call;),
            });
            return;
        }
        let mut args = args;
        args.push(d_out);
        let call = Self::invoke(c, &path, &args);
        out.push(if pats.is_empty() {
            quote!(let _ = #call;)
        } else {
            quote!(let (_, #(#pats),*) = #call;)
        });
    }
}
