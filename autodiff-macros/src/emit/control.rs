//! Control flow: an `if` op becomes a Rust `if` expression yielding a tuple, a loop
//! a Rust `for` or `loop` whose carried values move as one parallel copy at the
//! end of each iteration.

use super::buffers::{mut_if, parallel_copy};
use super::{flat, val, Emitter};
use crate::ir::{Loop, LoopKind, Op, OpKind, Region, Value};
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use std::collections::HashSet;

impl Emitter<'_> {
    pub(super) fn if_op(&mut self, op: &Op, c: Value, t: &Region, e: &Region) -> TokenStream {
        let c = self.name(c);
        let outer: HashSet<String> = self.bufs.values().map(ToString::to_string).collect();
        let (t_ops, t_ys, t_dead) = self.region_parts(t);
        let (e_ops, e_ys, e_dead) = self.region_parts(e);
        // An array result updated in place in both branches stays in its buffer;
        // any other value leaves the `if` in a tuple.
        // One result keeps a buffer; another ending in it is copied. The version
        // the buffer held before the `if` is dead after it (the IR is linear).
        let mut pats = Vec::new();
        let (mut t_tail, mut e_tail) = (Vec::new(), Vec::new());
        let mut kept = HashSet::new();
        for (k, r) in op.results.iter().enumerate() {
            if self.in_place(*r) {
                let (bt, be) = (self.name(t_ys[k]), self.name(e_ys[k]));
                let key = bt.to_string();
                if key == be.to_string() && outer.contains(&key) && kept.insert(key) {
                    self.bufs.insert(*r, bt);
                    continue;
                }
                let name = val(*r);
                self.bufs.insert(*r, name.to_token_stream());
                let m = mut_if(self.muts.updated(*r));
                pats.push(quote!(#m #name));
            } else {
                pats.push(val(*r).to_token_stream());
            }
            t_tail.push(self.name(t_ys[k]));
            e_tail.push(self.name(e_ys[k]));
        }
        let tuple = |xs: &[TokenStream]| match xs {
            [x] => quote!(#x),
            xs => quote!((#(#xs),*)),
        };
        // A branch that ends in `panic!` yields nothing: the macro is its value.
        let tt = if t_dead {
            TokenStream::new()
        } else {
            tuple(&t_tail)
        };
        let et = if e_dead {
            TokenStream::new()
        } else {
            tuple(&e_tail)
        };
        match pats.as_slice() {
            [] => quote!(if #c { #(#t_ops)* } else { #(#e_ops)* }),
            [p] => {
                let ann = match op.results.iter().find(|r| !self.in_place(**r)) {
                    Some(r) if pats.len() == 1 && !self.in_place(*r) => self.annotation(*r),
                    _ => TokenStream::new(),
                };
                quote!(let #p #ann = if #c { #(#t_ops)* #tt } else { #(#e_ops)* #et };)
            }
            ps => quote!(let (#(#ps),*) = if #c { #(#t_ops)* #tt } else { #(#e_ops)* #et };),
        }
    }

    /// A branch's statements and yields, and whether it diverges: then its
    /// statements end with the diverging macro as the block's value, and what
    /// would follow it (dead stand-ins for the yields) is not written.
    fn region_parts(&mut self, r: &Region) -> (Vec<TokenStream>, Vec<Value>, bool) {
        let mut body = Vec::new();
        let end = r
            .ops
            .iter()
            .position(|o| matches!(&o.kind, OpKind::Effect(e) if e.diverges));
        match end {
            Some(k) => {
                self.ops(&r.ops[..k], &mut body);
                if let OpKind::Effect(e) = &r.ops[k].kind {
                    body.push(self.effect(e));
                }
                (flat::block(body), r.yields.clone(), true)
            }
            None => {
                self.ops(&r.ops, &mut body);
                (flat::block(body), r.yields.clone(), false)
            }
        }
    }

    /// A loop: the carried values' `let`s, then the loop, each statement
    /// pushed into `out`.
    pub(super) fn loop_op(&mut self, op: &Op, l: &Loop, out: &mut Vec<TokenStream>) {
        let n = l.inits.len();
        let pre = out;
        let mut arg_binds = Vec::new();
        let mut updates = Vec::new();
        for j in 0..n {
            let (init, arg, res) = (l.inits[j], l.body.args[j + 1], op.results[j]);
            if self.in_place(init) {
                let buf = self.name(init);
                self.bufs.insert(arg, buf.clone());
                self.bufs.insert(res, buf);
            } else {
                let r = val(res);
                let i = self.name(init);
                let ann = self.annotation(res);
                pre.push(quote!(let mut #r #ann = #i;));
                let a = val(arg);
                arg_binds.push(quote!(let #a = #r;));
            }
        }
        if let LoopKind::While(c) = &l.kind {
            for (a, init) in c.args.iter().zip(&l.inits) {
                if self.in_place(*init) {
                    let buf = self.name(*init);
                    self.bufs.insert(*a, buf);
                }
            }
        }
        let mut body = Vec::new();
        self.ops(&l.body.ops, &mut body);
        let moves = (0..n)
            .map(|j| (self.name(op.results[j]), self.name(l.body.yields[j])))
            .collect();
        updates.extend(parallel_copy(moves));
        let brk = if l.has_break {
            let flag = self.name(l.body.yields[n]);
            quote!(if !#flag { break; })
        } else {
            TokenStream::new()
        };
        let idx = val(l.body.args[0]);
        match &l.kind {
            LoopKind::Range {
                lo,
                hi,
                inclusive,
                rev,
            } => {
                let (lo, hi) = (self.name(*lo), self.name(*hi));
                let range = if *inclusive {
                    quote!(#lo..=#hi)
                } else {
                    quote!(#lo..#hi)
                };
                let range = if *rev { quote!((#range).rev()) } else { range };
                let mut stmts = Vec::new();
                if l.track_end {
                    let end = val(*op.results.last().unwrap_or(&l.body.args[0]));
                    pre.push(quote!(let mut #end = #lo;));
                    stmts.push(quote!(#end = #idx + 1;));
                }
                stmts.extend(arg_binds);
                stmts.extend(body);
                stmts.extend(updates);
                stmts.push(brk);
                let stmts = flat::block(stmts);
                pre.push(quote! {
                    for #idx in #range {
                        #(#stmts)*
                    }
                });
            }
            LoopKind::While(c) => {
                let count = val(*op.results.last().unwrap_or(&l.body.args[0]));
                pre.push(quote!(let mut #count: ::core::primitive::usize = 0;));
                let mut cond_binds = Vec::new();
                for (j, (a, init)) in c.args.iter().zip(&l.inits).enumerate() {
                    if !self.in_place(*init) {
                        let a = val(*a);
                        let r = self.name(op.results[j]);
                        cond_binds.push(quote!(let #a = #r;));
                    }
                }
                let mut cond_ops = Vec::new();
                self.ops(&c.ops, &mut cond_ops);
                let cv = self.name(c.yields[0]);
                let mut stmts = cond_binds;
                stmts.extend(cond_ops);
                stmts.push(quote!(if !#cv { break; }));
                stmts.push(quote!(let #idx = #count;));
                stmts.push(quote!(#count += 1;));
                stmts.extend(arg_binds);
                stmts.extend(body);
                stmts.extend(updates);
                stmts.push(brk);
                let stmts = flat::block(stmts);
                pre.push(quote! {
                    loop {
                        #(#stmts)*
                    }
                });
            }
        }
    }
}
