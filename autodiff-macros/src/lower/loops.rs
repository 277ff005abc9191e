//! Lowering of loops: `for` over ranges, arrays and iterator chains, and `while`.
//!
//! A loop carries the outer names its body assigns: they become the body's
//! arguments and yields, and the loop's results are their values after it.
//! `break` and `continue` end the iteration early (continuation lowering, as for
//! `return`); a loop that can break also yields whether to go on.

use super::iters::Tail;
use super::{Level, LoopCtx, Lowering, Val};
use crate::ir::{Loop, LoopKind, Op, OpKind, Region, Ty, Value};
use proc_macro2::Span;
use std::collections::HashSet;
use syn::visit::Visit;
use syn::{Expr, ExprClosure, ExprForLoop, ExprWhile, Pat};

/// The names a loop body assigns (`x = …`, `x += …`, `x[i] = …`).
fn assigned_names(body: &syn::Block) -> HashSet<String> {
    struct Finder(HashSet<String>);
    fn root(e: &Expr) -> Option<String> {
        match e {
            Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
            Expr::Field(_) => super::field_name(e),
            Expr::Index(i) => root(&i.expr),
            Expr::Paren(p) => root(&p.expr),
            _ => None,
        }
    }
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            self.0.extend(root(&a.left));
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            use syn::BinOp as B;
            if matches!(
                b.op,
                B::AddAssign(_)
                    | B::SubAssign(_)
                    | B::MulAssign(_)
                    | B::DivAssign(_)
                    | B::RemAssign(_)
                    | B::BitAndAssign(_)
                    | B::BitOrAssign(_)
                    | B::BitXorAssign(_)
                    | B::ShlAssign(_)
                    | B::ShrAssign(_)
            ) {
                self.0.extend(root(&b.left));
            }
            syn::visit::visit_expr_binary(self, b);
        }
        // `mem::swap(&mut a, &mut b)`, `mem::replace(&mut a, v)`, and output
        // arrays passed to a `#[grad]` callee (`rhs(&y, &p, &mut k1)`).
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            {
                for a in &c.args {
                    if let Expr::Reference(r) = a {
                        if r.mutability.is_some() {
                            self.0.extend(root(&r.expr));
                        }
                    }
                }
            }
            syn::visit::visit_expr_call(self, c);
        }
        // `for o in y.iter_mut() { *o = … }` assigns `y`.
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if m.method == "iter_mut" || m.method == "push" {
                self.0.extend(root(&m.receiver));
            }
            syn::visit::visit_expr_method_call(self, m);
        }
        // `s.step(dt);`: a `&mut self` method's call assigns `s` whole
        // (`stmts.rs` lowers it so); carried like any assigned name.
        fn visit_stmt(&mut self, st: &'ast syn::Stmt) {
            if let syn::Stmt::Expr(Expr::MethodCall(m), Some(_)) = st {
                self.0.extend(super::fields::mut_self_call(m));
            }
            syn::visit::visit_stmt(self, st);
        }
        fn visit_expr_closure(&mut self, _: &'ast ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder(HashSet::new());
    f.visit_block(body);
    f.0
}

/// The arrays a chain walks with `iter_mut` (`y` of `y.iter_mut().zip(…)`).
fn iter_mut_roots(e: &Expr) -> HashSet<String> {
    let mut block = syn::Block {
        brace_token: Default::default(),
        stmts: Vec::new(),
    };
    block.stmts.push(syn::Stmt::Expr(e.clone(), None));
    assigned_names(&block)
}

/// Whether the body breaks out of this loop (not out of a nested one).
fn breaks(body: &syn::Block) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
            self.0 = true;
        }
        fn visit_expr_for_loop(&mut self, _: &'ast ExprForLoop) {}
        fn visit_expr_while(&mut self, _: &'ast ExprWhile) {}
        fn visit_expr_loop(&mut self, _: &'ast syn::ExprLoop) {}
        fn visit_expr_closure(&mut self, _: &'ast ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder(false);
    f.visit_block(body);
    f.0
}

/// How a loop is built.
pub(super) enum Head {
    Range {
        lo: Value,
        hi: Value,
        inclusive: bool,
        rev: bool,
    },
    While,
}

impl Lowering<'_, '_> {
    /// Builds a loop op. `carried` are binding positions; `body` lowers the body
    /// given the index and returns its yields; `cond` (for `while`) the condition.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn build_loop(
        &mut self,
        head: Head,
        carried: Vec<(usize, usize)>,
        has_break: bool,
        span: Span,
        cond: Option<&Expr>,
        body: &mut dyn FnMut(&mut Self, Value) -> Vec<Value>,
    ) {
        let mut inits = Vec::new();
        for &(si, bi) in &carried {
            self.scopes[si][bi].val.flatten(&mut inits);
        }
        // A whole element of a slice of structs carried (`let mut s = incs[0];`):
        // a struct value of the element's type.
        for init in &inits {
            if self.elems.contains_key(init) {
                self.whole_struct_elem(*init);
            }
        }
        let snapshot = self.scopes.clone();
        let shapes: Vec<Val> = carried
            .iter()
            .map(|&(si, bi)| self.scopes[si][bi].val.clone())
            .collect();
        let bind_args = |l: &mut Self, args: &[Value]| {
            let mut it = args.iter().copied();
            for (k, &(si, bi)) in carried.iter().enumerate() {
                l.scopes[si][bi].val = shapes[k].rebuild(&mut it);
            }
        };

        // A carried value that starts as a `const` of unknown type takes the
        // type its uses in the loop give it (`let mut i = N; while i < 4 {…}`).
        let guess_args = |l: &mut Self, args: &[Value]| {
            for (init, arg) in inits.iter().zip(args) {
                if l.guessed.contains(init) {
                    l.guessed.insert(*arg);
                }
                // A call's result, an element of unseen data: so is the arg.
                if l.untyped_results.contains(init) {
                    l.untyped_results.insert(*arg);
                }
                if l.unseen_elems.contains(init) {
                    l.unseen_elems.insert(*arg);
                }
            }
        };
        let settle_inits = |l: &mut Self, args: &[Value]| {
            for (init, arg) in inits.iter().zip(args) {
                let t = l.ty(*arg);
                if t != l.ty(*init) {
                    l.settle(*init, t);
                }
            }
        };
        let cond_region = cond.map(|c| {
            let args: Vec<Value> = inits
                .iter()
                .map(|v| self.func.new_value(self.ty(*v)))
                .collect();
            guess_args(self, &args);
            bind_args(self, &args);
            let (ops, cv) = self.region(|l| l.cond(c));
            settle_inits(self, &args);
            self.scopes = snapshot.clone();
            Region {
                args,
                ops,
                yields: vec![cv],
            }
        });

        let idx_ty = Ty::Int;
        let idx = self.func.new_value(idx_ty);
        let args: Vec<Value> = inits
            .iter()
            .map(|v| self.func.new_value(self.ty(*v)))
            .collect();
        guess_args(self, &args);
        bind_args(self, &args);
        self.loops.push(LoopCtx {
            carried: carried.clone(),
            has_break,
        });
        let (ops, yields) = self.region(|l| body(l, idx));
        self.loops.pop();
        settle_inits(self, &args);
        // A call's result of unseen type carried on as an array (`let mut prev
        // = pt(p, 0.0); … prev = cur;`): the type the body gives it; and an
        // array result of any shape yielded where the loop carries an array:
        // the carried array's type (which the compiler then checks).
        for (y, i) in yields.iter().zip(&inits) {
            let (yt, it) = (self.ty(*y), self.ty(*i));
            if yt == it {
                continue;
            }
            let any = |l: &Self, t: Ty| {
                matches!(
                    l.func.array(t),
                    Some(crate::ir::ArrayTy {
                        len: crate::ir::Len::View,
                        ..
                    })
                )
            };
            let untyped = self.guessed.contains(i) || self.untyped_results.contains(i);
            if untyped && it == Ty::Float && matches!(yt, Ty::Array(_) | Ty::Struct(_)) {
                self.guessed.remove(i);
                self.func.values[i.0 as usize].ty = yt;
            } else if any(self, yt) && matches!(it, Ty::Array(_)) {
                self.func.values[y.0 as usize].ty = it;
            }
        }
        // A call's result of unseen type carried on as a struct (`car =
        // car.step(a);`): of the struct's type.
        for (y, i) in yields.iter().zip(&inits) {
            if matches!(self.ty(*i), Ty::Struct(_)) && self.ty(*y) != self.ty(*i) {
                self.name_struct(*y, self.ty(*i));
            }
        }
        let ok = yields.len() == inits.len() + usize::from(has_break)
            && yields
                .iter()
                .zip(&inits)
                .all(|(y, i)| self.ty(*y) == self.ty(*i));
        self.scopes = snapshot;
        if !ok {
            let dbg: Vec<String> = yields
                .iter()
                .zip(&inits)
                .map(|(y, i)| {
                    format!(
                        "y {:?} {:?} i {:?} {:?} g={} u={}",
                        y,
                        self.ty(*y),
                        i,
                        self.ty(*i),
                        self.guessed.contains(i),
                        self.untyped_results.contains(i)
                    )
                })
                .collect();
            std::fs::write(
                "/tmp/dbg-loop.txt",
                format!("{:?}\n{}", self.func.structs, dbg.join("\n")),
            )
            .ok();
            self.errors.push(syn::Error::new(
                span,
                "a value carried by this loop changes type in its body",
            ));
            return;
        }
        let track_end = has_break || cond.is_some();
        let mut results: Vec<Value> = inits
            .iter()
            .map(|v| self.func.new_value(self.ty(*v)))
            .collect();
        if track_end {
            let end_ty = if cond.is_some() { Ty::Int } else { idx_ty };
            results.push(self.func.new_value(end_ty));
        }
        let kind = match head {
            Head::Range {
                lo,
                hi,
                inclusive,
                rev,
            } => LoopKind::Range {
                lo,
                hi,
                inclusive,
                rev,
            },
            Head::While => LoopKind::While(cond_region.unwrap_or_default()),
        };
        self.ops.push(Op {
            results: results.clone(),
            kind: OpKind::Loop(Box::new(Loop {
                kind,
                inits,
                body: Region {
                    args: std::iter::once(idx).chain(args).collect(),
                    ops,
                    yields,
                },
                has_break,
                track_end,
                span,
            })),
        });
        let mut it = results.into_iter();
        for (k, &(si, bi)) in carried.iter().enumerate() {
            self.scopes[si][bi].val = shapes[k].rebuild(&mut it);
        }
    }

    /// The positions of the outer bindings that `body` assigns.
    fn carried_by(&self, body: &syn::Block) -> Vec<(usize, usize)> {
        self.binding_positions(assigned_names(body))
    }

    /// Where the innermost bindings of `names` are (scope, position), sorted.
    fn binding_positions(&self, names: HashSet<String>) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for name in names {
            // A field of a struct value that is no local of its own (`n.v[i] =
            // …` of a `let mut n = *self;`): the struct is assigned.
            let mut name = name;
            while !self
                .scopes
                .iter()
                .flatten()
                .any(|b| b.name == super::unraw(&name))
            {
                match name.rsplit_once('.') {
                    Some((head, _)) => name = head.to_string(),
                    None if name.starts_with('\u{0}') => name = name[1..].to_string(),
                    None => break,
                }
            }
            // The innermost binding of that name is the one assigned.
            let pos = self
                .scopes
                .iter()
                .enumerate()
                .rev()
                .find_map(|(si, scope)| {
                    scope
                        .iter()
                        .rposition(|b| b.name == super::unraw(&name))
                        .map(|bi| (si, bi))
                });
            out.extend(pos);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Lowers a loop body in its own scope; returns its yields.
    fn loop_body(&mut self, body: &syn::Block, bind: &mut dyn FnMut(&mut Self)) -> Vec<Value> {
        self.scopes.push(Vec::new());
        bind(self);
        let flow = self.seq(&body.stmts, &[], Level::Loop);
        let ys = self.flow_outs(flow, Level::Loop);
        self.scopes.pop();
        ys
    }

    pub(super) fn for_loop(&mut self, f: &ExprForLoop) -> Val {
        if let Some(label) = &f.label {
            self.errors
                .at(label, "labeled loops are not supported in #[grad] bodies");
        }
        let span = f.for_token.span;
        // The body and the chain's `iter_mut` sources (`for o in y.iter_mut()`).
        let mut names = assigned_names(&f.body);
        names.extend(iter_mut_roots(&f.expr));
        let carried = self.binding_positions(names);
        let has_break = breaks(&f.body);
        let Some(mut chain) = self.chain(&f.expr) else {
            return Val::Unit;
        };
        let walk = self.prepare(&mut chain);
        if walk.rev && has_break {
            self.errors.at(
                &f.expr,
                "`break` in a loop over a reversed range is not supported; loop over `x.iter().rev()` or the indices forwards (`for k in 0..n` with `i = n - 1 - k`)",
            );
            return Val::Unit;
        }
        let pat = &*f.pat;
        self.build_loop(
            Head::Range {
                lo: walk.lo,
                hi: walk.hi,
                inclusive: walk.inclusive,
                rev: walk.rev,
            },
            carried,
            has_break,
            span,
            None,
            &mut |l, idx| {
                let (item, tail) = l.chain_head_item(&chain, idx);
                l.filtered_body(&tail, item, pat, &f.body)
            },
        );
        Val::Unit
    }

    /// The body of a `for` loop over a chain whose tail (`iters.rs`) has
    /// `map`s and `filter`s: each `filter` an `if` whose other branch goes on
    /// to the next iteration, as `continue` does.
    fn filtered_body(
        &mut self,
        tail: &[Tail<'_>],
        item: Val,
        pat: &Pat,
        body: &syn::Block,
    ) -> Vec<Value> {
        let Some((first, rest)) = tail.split_first() else {
            return self.loop_body(body, &mut |l| l.bind_pat(pat, item.clone()));
        };
        match first {
            Tail::Map(f) => {
                let item = self.apply(*f, vec![item]);
                self.filtered_body(rest, item, pat, body)
            }
            Tail::Filter(p, node) => {
                let c = self.predicate(*p, item.clone(), node);
                let snapshot = self.scopes.clone();
                let (t_ops, t_outs) = self.region(|l| l.filtered_body(rest, item, pat, body));
                self.scopes = snapshot.clone();
                let (e_ops, e_outs) = self.region(|l| l.loop_exit(false));
                self.scopes = snapshot;
                if t_outs.len() != e_outs.len() {
                    return t_outs;
                }
                self.push_if(c, (t_ops, t_outs), (e_ops, e_outs))
            }
        }
    }

    pub(super) fn while_loop(&mut self, w: &ExprWhile) -> Val {
        if let Some(label) = &w.label {
            self.errors
                .at(label, "labeled loops are not supported in #[grad] bodies");
        }
        let carried = self.carried_by(&w.body);
        if carried.is_empty() {
            self.errors.at(&w.cond, "this `while` loop assigns no outer variable, so its condition never changes: it would never end");
            return Val::Unit;
        }
        let has_break = breaks(&w.body);
        self.build_loop(
            Head::While,
            carried,
            has_break,
            w.while_token.span,
            Some(&w.cond),
            &mut |l, _| l.loop_body(&w.body, &mut |_| {}),
        );
        Val::Unit
    }

    /// The value of a closure's body with its parameters bound to `args`.
    pub(super) fn closure(&mut self, f: &ExprClosure, args: Vec<Val>) -> Val {
        if f.inputs.len() != args.len() {
            let (a, b) = (&f.or1_token, &f.or2_token);
            self.errors.at(
                quote::quote!(#a #b),
                format!("this closure must take {} parameter(s)", args.len()),
            );
            return self.poison();
        }
        let snapshot = self.scopes.clone();
        self.scopes.push(Vec::new());
        for (p, a) in f.inputs.iter().zip(args) {
            let p = match p {
                Pat::Type(pt) => &*pt.pat,
                p => p,
            };
            self.bind_pat(p, a);
        }
        // Early `return`s of the closure: its `if`s as expressions.
        self.in_closure += 1;
        let v = match super::exits::closure_returns(&f.body) {
            Some(body) => self.expr(&body, Some(Ty::Float)),
            None => self.expr(&f.body, Some(Ty::Float)),
        };
        self.in_closure -= 1;
        self.scopes.pop();
        let changed = self
            .scopes
            .iter()
            .zip(&snapshot)
            .any(|(a, b)| a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x.val != y.val));
        if changed {
            self.errors.at(
                &f.body,
                "a closure cannot assign outer variables in a #[grad] body; return the new value from it, or use a `for` loop",
            );
        }
        self.scopes = snapshot;
        v
    }
}
