//! Lowering of loops: `for` over ranges and arrays, `while`, and the iterator
//! reductions `sum`, `product` and `fold`.
//!
//! A loop carries the outer names its body assigns: they become the body's
//! arguments and yields, and the loop's results are their values after it.
//! `break` and `continue` end the iteration early (continuation lowering, as for
//! `return`); a loop that can break also yields whether to go on.

use super::iters::{Callable, Chain, Walk};
use super::{Level, LoopCtx, Lowering, Val};
use crate::ir::{BinOp, Loop, LoopKind, Op, OpKind, Region, Ty, Value};
use crate::prim::Prim;
use proc_macro2::Span;
use std::collections::HashSet;
use syn::visit::Visit;
use syn::{Expr, ExprClosure, ExprForLoop, ExprMethodCall, ExprWhile, Pat};

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
        // `mem::swap(&mut a, &mut b)`, `mem::replace(&mut a, v)`.
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if super::calls::mem_fn(c).is_some() {
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
        fn visit_expr_closure(&mut self, _: &'ast ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder(HashSet::new());
    f.visit_block(body);
    f.0
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
enum Head {
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
    fn build_loop(
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
        let ok = yields.len() == inits.len() + usize::from(has_break)
            && yields
                .iter()
                .zip(&inits)
                .all(|(y, i)| self.ty(*y) == self.ty(*i));
        self.scopes = snapshot;
        if !ok {
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
        let names = assigned_names(body);
        let mut out = Vec::new();
        for name in names {
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
        let carried = self.carried_by(&f.body);
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
                l.loop_body(&f.body, &mut |l| {
                    let item = l.chain_item(&chain, idx);
                    l.bind_pat(pat, item);
                })
            },
        );
        Val::Unit
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

    /// `chain.sum()`, `chain.product()`, `chain.fold(init, f)`.
    pub(super) fn reduction(&mut self, m: &ExprMethodCall) -> Val {
        let name = m.method.to_string();
        let Some(mut chain) = self.chain(&m.receiver) else {
            return self.poison();
        };
        let (init, fold) = match name.as_str() {
            "fold" if m.args.len() == 2 => {
                let Some(f) = Callable::of(&m.args[1]) else {
                    self.errors.at(
                        &m.args[1],
                        "`fold` takes a closure or a function path here: `.fold(init, |acc, v| …)`, `.fold(f64::NEG_INFINITY, f64::max)`",
                    );
                    return self.poison();
                };
                let v = self.expr(&m.args[0], Some(Ty::Float));
                (
                    self.scalar(v, &m.args[0], "the initial value of `fold`"),
                    Some(f),
                )
            }
            "sum" | "product" if m.args.is_empty() => {
                let c = if name == "sum" { 0.0 } else { 1.0 };
                (self.push(OpKind::Const(c), Ty::Float), None)
            }
            _ => {
                self.errors.at(
                    &m.method,
                    format!("unsupported form of `{name}`; write `.{name}()`"),
                );
                return self.poison();
            }
        };
        let walk = self.prepare(&mut chain);
        let op = if name == "product" {
            BinOp::Mul
        } else {
            BinOp::Add
        };
        self.accumulate(&chain, walk, init, m, &mut |l, acc, item| match fold {
            Some(f) => l.apply(f, vec![Val::Scalar(acc), item]),
            None => {
                let x = l.scalar(item, &m.receiver, "an element to reduce");
                Val::Scalar(l.push(OpKind::Binary(op, acc, x), Ty::Float))
            }
        })
    }

    /// `chain.max_by(cmp).unwrap()`, `.min_by(cmp)`, `.reduce(f)` (then `unwrap`
    /// or `expect`): the first item, combined with each of the others. `cmp`
    /// must be the float order (`|a, b| a.total_cmp(b)`, `a.partial_cmp(b).unwrap()`,
    /// or reversed), read here so that a reversed order is never taken for
    /// the other extremum.
    pub(super) fn reduce_first(&mut self, m: &ExprMethodCall) -> Val {
        let name = m.method.to_string();
        enum Combine<'e> {
            Apply(Callable<'e>),
            Extremum(Prim),
        }
        let combine = match (name.as_str(), m.args.first()) {
            ("reduce", Some(f)) if m.args.len() == 1 => match Callable::of(f) {
                Some(f) => Combine::Apply(f),
                None => {
                    self.errors.at(
                        f,
                        "`reduce` takes a closure `|a, b| …` or a function path `f64::max` here",
                    );
                    return self.poison();
                }
            },
            ("max_by" | "min_by", Some(Expr::Closure(c))) if m.args.len() == 1 => {
                match float_order(c) {
                    // `max_by` with the reversed order is the minimum.
                    Some(natural) if (name == "max_by") == natural => Combine::Extremum(Prim::Max),
                    Some(_) => Combine::Extremum(Prim::Min),
                    None => {
                        self.errors.at(c, format!("write the float order here: `.{name}(|a, b| a.total_cmp(b))` (or `a.partial_cmp(b).unwrap()`)"));
                        return self.poison();
                    }
                }
            }
            _ => {
                self.errors.at(&m.method, format!("unsupported form of `{name}`; write `.{name}(|a, b| a.total_cmp(b))`, or `.fold(f64::NEG_INFINITY, f64::max)`"));
                return self.poison();
            }
        };
        let Some(mut chain) = self.chain(&m.receiver) else {
            return self.poison();
        };
        let mut walk = self.prepare_indexed(&mut chain);
        // The first item starts the accumulator (an empty chain panics, as
        // `unwrap` on `None` does); the loop combines the others.
        let zero = self.push(OpKind::Verbatim("0".into()), Ty::Int);
        let first = self.chain_item(&chain, zero);
        let first = self.scalar(first, &m.receiver, "an element to reduce");
        walk.lo = self.push(OpKind::Verbatim("1".into()), Ty::Int);
        self.accumulate(&chain, walk, first, m, &mut |l, acc, item| match combine {
            Combine::Apply(f) => l.apply(f, vec![Val::Scalar(acc), item]),
            Combine::Extremum(p) => {
                let x = l.scalar(item, &m.receiver, "an element to compare");
                Val::Scalar(l.push(OpKind::Call(p, vec![acc, x]), Ty::Float))
            }
        })
    }

    /// `chain.collect::<Vec<_>>()` (or typed by its `let`): a `Vec` as long as
    /// the chain, each item stored at its position.
    pub(super) fn collect_vec(&mut self, m: &ExprMethodCall) -> Val {
        let Some(mut chain) = self.chain(&m.receiver) else {
            return self.poison();
        };
        let walk = self.prepare_indexed(&mut chain);
        let zero = self.push(OpKind::Const(0.0), Ty::Float);
        let vty = self.func.array_ty(Ty::Float, crate::ir::Len::Vec);
        let init = self.push(OpKind::VecSplat(zero, walk.hi), vty);
        let name = format!("\u{0}collect{}", self.func.values.len());
        self.bind(name, Val::Scalar(init));
        let si = self.scopes.len() - 1;
        let bi = self.scopes[si].len() - 1;
        self.build_loop(
            Head::Range {
                lo: walk.lo,
                hi: walk.hi,
                inclusive: false,
                rev: false,
            },
            vec![(si, bi)],
            false,
            m.method.span(),
            None,
            &mut |l, idx| {
                let item = l.chain_item(&chain, idx);
                let x = l.scalar(item, &m.receiver, "an element to collect");
                if l.ty(x) != Ty::Float {
                    l.errors
                        .at(&m.receiver, "only floats are collected into a `Vec` here");
                }
                let Val::Scalar(v) = l.scopes[si][bi].val else {
                    return Vec::new();
                };
                vec![l.push(OpKind::Store(v, vec![idx], x), vty)]
            },
        );
        let out = self.scopes[si][bi].val.clone();
        self.scopes[si].pop();
        out
    }

    /// A loop over `chain` carrying a float accumulator from `init`, the next
    /// value given by `step(acc, item)`.
    fn accumulate(
        &mut self,
        chain: &Chain<'_>,
        walk: Walk,
        init: Value,
        m: &ExprMethodCall,
        step: &mut dyn FnMut(&mut Self, Value, Val) -> Val,
    ) -> Val {
        // The accumulator is a binding of its own, carried by the loop.
        let acc_name = format!("\u{0}acc{}", self.func.values.len());
        self.bind(acc_name, Val::Scalar(init));
        let si = self.scopes.len() - 1;
        let bi = self.scopes[si].len() - 1;
        self.build_loop(
            Head::Range {
                lo: walk.lo,
                hi: walk.hi,
                inclusive: walk.inclusive,
                rev: walk.rev,
            },
            vec![(si, bi)],
            false,
            m.method.span(),
            None,
            &mut |l, idx| {
                let item = l.chain_item(chain, idx);
                let acc = match l.scopes[si][bi].val {
                    Val::Scalar(a) => a,
                    _ => return Vec::new(),
                };
                let next = step(l, acc, item);
                let next = l.scalar(next, &m.receiver, "the reduced value");
                if l.ty(next) != Ty::Float {
                    l.errors.at(&m.receiver, "a reduction must produce a float");
                }
                vec![next]
            },
        );
        let out = self.scopes[si][bi].val.clone();
        self.scopes[si].pop();
        out
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
        let v = self.expr(&f.body, Some(Ty::Float));
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

/// Whether closure `c` is the float order of its two parameters: `Some(true)`
/// for `|a, b| a.total_cmp(b)` / `a.partial_cmp(b).unwrap()` (also with `&`,
/// `*` and `expect`), `Some(false)` for the same with `a` and `b` exchanged.
fn float_order(c: &ExprClosure) -> Option<bool> {
    fn name(e: &Expr) -> Option<String> {
        match e {
            Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
            Expr::Reference(r) => name(&r.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => name(&u.expr),
            Expr::Paren(p) => name(&p.expr),
            _ => None,
        }
    }
    fn param(p: &Pat) -> Option<String> {
        match p {
            Pat::Ident(i) => Some(i.ident.to_string()),
            Pat::Reference(r) => param(&r.pat),
            Pat::Type(t) => param(&t.pat),
            _ => None,
        }
    }
    let [a, b] = [c.inputs.first()?, c.inputs.get(1)?].map(param);
    let (a, b) = (a?, b?);
    let mut body = &*c.body;
    if let Expr::Block(bl) = body {
        match bl.block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => body = e,
            _ => return None,
        }
    }
    let cmp = match body {
        Expr::MethodCall(u) if (u.method == "unwrap" || u.method == "expect") => match &*u.receiver
        {
            Expr::MethodCall(p) if p.method == "partial_cmp" => p,
            _ => return None,
        },
        Expr::MethodCall(t) if t.method == "total_cmp" => t,
        _ => return None,
    };
    let (x, y) = (name(&cmp.receiver)?, name(cmp.args.first()?)?);
    match (x == a && y == b, x == b && y == a) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}
