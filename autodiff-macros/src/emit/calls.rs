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
        let call = if c.forward && !c.skip.is_empty() {
            self.forward_uniform_call(c, args)
        } else {
            let args = self.call_args(c, args, None);
            Self::invoke(c, path, &args)
        };
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
        let Some(last) = path.segments.last_mut() else {
            return;
        };
        let name = last.ident.unraw().to_string();
        if c.uniform() {
            let own = c.adapter();
            let companion = {
                let mut p = path.clone();
                if let Some(l) = p.segments.last_mut() {
                    l.ident = format_ident!("{name}_backward", span = l.ident.span());
                }
                p
            };
            if let Some(l) = path.segments.last_mut() {
                // Unresolved with the companion (a callee without `#[grad]`):
                // rustc reports the companion at the call, and no look-alike.
                let at = Span::mixed_site().located_at(l.ident.span());
                l.ident = super::uniform_name(&l.ident);
                l.ident.set_span(at);
            }
            return self.call_uniform(
                op,
                c,
                &path,
                (!own).then_some(&companion),
                args,
                ds,
                shadows,
                out,
            );
        }
        last.ident = format_ident!("{name}_backward", span = last.ident.span());
        let n_bv = op.results.len() - shadows.len();
        let shadow_args = self.shadow_args(op, shadows, out);
        let args = self.call_args(c, args, Some(&shadow_args));
        let d_out = self.d_out_arg(c, ds);
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

    /// The cotangents' argument `d_out` of a call's companion: a `Vec`
    /// result's by reference (`&[F]`), a tuple's as a tuple.
    fn d_out_arg(&self, c: &Callee, ds: &[Value]) -> TokenStream {
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
        if c.tuple {
            quote!((#(#d),*))
        } else {
            quote!(#(#d)*)
        }
    }

    /// The call of a callee's uniform companion (`emit::uniform`): after each
    /// argument its slot (`Want`, a `&mut` shadow, or `Skip` for an argument
    /// without a gradient); back come the value and one result per argument.
    #[allow(clippy::too_many_arguments)]
    fn call_uniform(
        &mut self,
        op: &Op,
        c: &Callee,
        path: &syn::Path,
        companion: Option<&syn::Path>,
        args: &[Value],
        ds: &[Value],
        shadows: &[Value],
        out: &mut Vec<TokenStream>,
    ) {
        let n_bv = op.results.len() - shadows.len();
        let shadow_args = self.shadow_args(op, shadows, out);
        let mut pats = self.result_pats(&op.results[..n_bv]).into_iter();
        let mut sh = shadow_args.into_iter();
        let mut call_args: Vec<TokenStream> = companion.map(|p| quote!(#p)).into_iter().collect();
        let mut slots = Vec::new();
        let skip = quote!(::autodiff::__private::Skip);
        for (k, a) in args.iter().enumerate() {
            let name = self.name(*a);
            let active = !c.stop[k]
                && !c.skip.get(k).copied().unwrap_or(false)
                && self.func.differentiable(self.func.ty(*a));
            if c.outs[k] {
                call_args.push(if self.holds_ref(&name) {
                    quote!(&mut *#name)
                } else {
                    quote!(&mut #name)
                });
                call_args.push(sh.next().unwrap_or_else(|| skip.clone()));
                slots.push(quote!(_));
            } else if c.refs[k] {
                call_args.push(if self.holds_ref(&name) && self.is_array(*a) {
                    quote!(&*#name)
                } else {
                    quote!(&#name)
                });
                call_args.push(match active.then(|| sh.next()).flatten() {
                    Some(s) => s,
                    None => skip.clone(),
                });
                slots.push(quote!(_));
            } else {
                call_args.push(self.by_value(*a));
                match active.then(|| pats.next()).flatten() {
                    Some(p) => {
                        call_args.push(quote!(::autodiff::__private::Want));
                        slots.push(p);
                    }
                    None => {
                        call_args.push(skip.clone());
                        slots.push(quote!(_));
                    }
                }
            }
        }
        if !c.unit {
            call_args.push(self.d_out_arg(c, ds));
        }
        let call = Self::invoke(c, path, &call_args);
        out.push(quote!(let (_, #(#slots,)*) = #call;));
    }

    /// A forward-mode call of a callee's uniform forward companion: the
    /// companion `f_forward` first, then each argument followed by its tangent
    /// or `Skip` (`c.skip`, one per argument; `args` holds the tangents that
    /// are passed after their arguments).
    fn forward_uniform_call(&self, c: &Callee, args: &[Value]) -> TokenStream {
        let companion = &c.path;
        let mut path = c.path.clone();
        if let Some(l) = path.segments.last_mut() {
            // `f_forward` → `__autodiff_wf_f_forward_f_f`, like the reverse's.
            let name = l.ident.unraw().to_string();
            let base = name.strip_suffix("_forward").unwrap_or(&name);
            let at = Span::mixed_site().located_at(l.ident.span());
            l.ident = super::uniform_forward_name(&Ident::new(base, l.ident.span()));
            l.ident.set_span(at);
        }
        let one = |e: &Self, j: usize| -> TokenStream {
            let name = e.name(args[j]);
            if c.outs[j] {
                if e.holds_ref(&name) {
                    quote!(&mut *#name)
                } else {
                    quote!(&mut #name)
                }
            } else if c.refs[j] {
                if e.holds_ref(&name) && e.is_array(args[j]) {
                    quote!(&*#name)
                } else {
                    quote!(&#name)
                }
            } else {
                e.by_value(args[j])
            }
        };
        let mut out = vec![quote!(#companion)];
        let mut j = 0;
        for &skipped in &c.skip {
            out.push(one(self, j));
            j += 1;
            if skipped {
                out.push(quote!(::autodiff::__private::Skip));
            } else {
                // A tangent already held by reference is passed as it is (a
                // generic slot does not coerce `&&T`).
                let name = self.name(args[j]);
                out.push(if c.refs[j] && !c.outs[j] && self.holds_ref(&name) {
                    quote!(&*#name)
                } else {
                    one(self, j)
                });
                j += 1;
            }
        }
        quote!(#path(#(#out),*))
    }

    /// The `&mut` shadows a companion call adds into: a buffer in place, or a
    /// copy bound before the call (`let mut v = s;`), whose new version is the
    /// op's result after the by-value gradients.
    fn shadow_args(
        &mut self,
        op: &Op,
        shadows: &[Value],
        out: &mut Vec<TokenStream>,
    ) -> Vec<TokenStream> {
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
        shadow_args
    }
}
