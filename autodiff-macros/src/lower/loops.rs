//! Lowering of loops: `for` over ranges and arrays, `while`, and the iterator
//! reductions `sum`, `product` and `fold`.
//!
//! A loop carries the outer names its body assigns: they become the body's
//! arguments and yields, and the loop's results are their values after it.
//! `break` and `continue` end the iteration early (continuation lowering, as for
//! `return`); a loop that can break also yields whether to go on.

use super::{Level, LoopCtx, Lowering, Val};
use crate::ir::{Loop, LoopKind, Op, OpKind, Region, Ty, Value};
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

/// What an iterator chain walks: one array, or two zipped, maybe enumerated.
struct Chain<'e> {
    arrays: Vec<Value>,
    enumerate: bool,
    map: Option<&'e ExprClosure>,
}

/// How a loop is built.
enum Head {
    Range {
        lo: Value,
        hi: Value,
        inclusive: bool,
    },
    While,
}

impl Lowering<'_, '_> {
    /// An array-valued expression used as an iterator source: `x`, `&x`, `x.iter()`.
    fn iter_source(&mut self, e: &Expr) -> Option<Value> {
        let e = match e {
            Expr::Reference(r) => &*r.expr,
            Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => &*m.receiver,
            Expr::Paren(p) => return self.iter_source(&p.expr),
            e => e,
        };
        self.array_value_or(e, "expected an array or a slice to iterate over")
    }

    /// Parses `x.iter()[.copied()][.enumerate()][.zip(y)][.map(f)]`.
    fn chain<'e>(&mut self, e: &'e Expr) -> Option<Chain<'e>> {
        match e {
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                match name.as_str() {
                    "iter" | "into_iter" if m.args.is_empty() => {
                        let a = self.iter_source(&m.receiver)?;
                        Some(Chain {
                            arrays: vec![a],
                            enumerate: false,
                            map: None,
                        })
                    }
                    "copied" | "cloned" if m.args.is_empty() => self.chain(&m.receiver),
                    "enumerate" if m.args.is_empty() => {
                        let mut c = self.chain(&m.receiver)?;
                        if c.enumerate || c.map.is_some() {
                            self.errors.at(
                                &m.method,
                                "enumerate only the array itself: `x.iter().enumerate()`",
                            );
                            return None;
                        }
                        c.enumerate = true;
                        Some(c)
                    }
                    "zip" if m.args.len() == 1 => {
                        let mut c = self.chain(&m.receiver)?;
                        let other = match &m.args[0] {
                            Expr::MethodCall(inner)
                                if inner.method == "iter" || inner.method == "copied" =>
                            {
                                self.chain(&m.args[0])
                                    .and_then(|c2| c2.arrays.first().copied())
                            }
                            other => self.iter_source(other),
                        }?;
                        if c.arrays.len() != 1 || c.enumerate || c.map.is_some() {
                            self.errors.at(
                                &m.method,
                                "zip two arrays directly: `x.iter().zip(y.iter())`",
                            );
                            return None;
                        }
                        c.arrays.push(other);
                        Some(c)
                    }
                    "map" if m.args.len() == 1 => {
                        let mut c = self.chain(&m.receiver)?;
                        let Expr::Closure(f) = &m.args[0] else {
                            self.errors
                                .at(&m.args[0], "`map` takes a closure here: `.map(|v| …)`");
                            return None;
                        };
                        if c.map.is_some() {
                            self.errors
                                .at(&m.method, "only one `map` per reduction is supported");
                            return None;
                        }
                        c.map = Some(f);
                        Some(c)
                    }
                    _ => {
                        self.errors.at(
                            &m.method,
                            format!("unsupported iterator adapter `{name}` in #[grad] fn; the supported chain is `x.iter()` with `.copied()`, `.enumerate()`, `.zip(y.iter())`, `.map(|v| …)`"),
                        );
                        None
                    }
                }
            }
            other => {
                let a = self.iter_source(other)?;
                Some(Chain {
                    arrays: vec![a],
                    enumerate: false,
                    map: None,
                })
            }
        }
    }

    /// The trip count of a chain and the item of iteration `k`.
    fn chain_len(&mut self, c: &Chain<'_>) -> Value {
        let lens: Vec<Value> = c.arrays.iter().map(|a| self.len_of(*a)).collect();
        match lens.as_slice() {
            [l] => *l,
            // Arrays of one constant length: that length (a trip count known
            // at compile time); else the shorter.
            [a, b] if self.same_const(*a, *b) => *a,
            [a, b] => self.push(OpKind::Method("min".into(), vec![*a, *b]), Ty::Int),
            _ => self.push(OpKind::Verbatim("0usize".into()), Ty::Int),
        }
    }

    /// Whether two values are the same constant (two `.len()`s of `[T; N]`).
    fn same_const(&self, a: Value, b: Value) -> bool {
        let text = |v: Value| {
            self.ops
                .iter()
                .rev()
                .find(|o| o.results.first() == Some(&v))
                .and_then(|o| match &o.kind {
                    OpKind::Verbatim(t) => Some(t.clone()),
                    _ => None,
                })
        };
        matches!((text(a), text(b)), (Some(x), Some(y)) if x == y)
    }

    fn chain_item(&mut self, c: &Chain<'_>, k: Value) -> Val {
        let elems: Vec<Val> = c
            .arrays
            .iter()
            .map(|a| {
                let ty = self.func.index_ty(self.ty(*a), 1).unwrap_or(Ty::Float);
                Val::Scalar(self.push(OpKind::Load(*a, vec![k]), ty))
            })
            .collect();
        let item = if elems.len() == 1 {
            elems[0].clone()
        } else {
            Val::Tuple(elems)
        };
        if c.enumerate {
            Val::Tuple(vec![Val::Scalar(k), item])
        } else {
            item
        }
    }

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
            Head::Range { lo, hi, inclusive } => LoopKind::Range {
                lo,
                hi,
                inclusive,
                rev: false,
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
        let range = match &*f.expr {
            Expr::Range(r) => Some(r),
            Expr::Paren(p) => match &*p.expr {
                Expr::Range(r) => Some(r),
                _ => None,
            },
            _ => None,
        };
        if let Some(r) = range {
            let (Some(start), Some(end)) = (&r.start, &r.end) else {
                self.errors.at(r, "a `for` range needs both bounds (`a..b`): an unbounded loop cannot be differentiated");
                return Val::Unit;
            };
            let lo = self.expr(start, Some(Ty::Int));
            let lo = self.scalar(lo, start, "a loop bound");
            let hi = self.expr(end, Some(Ty::Int));
            let hi = self.scalar(hi, end, "a loop bound");
            if self.ty(lo) != Ty::Int || self.ty(hi) != Ty::Int {
                self.errors.at(r, "loop bounds must be integers");
                return Val::Unit;
            }
            let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
            let pat = &*f.pat;
            self.build_loop(
                Head::Range { lo, hi, inclusive },
                carried,
                has_break,
                span,
                None,
                &mut |l, idx| l.loop_body(&f.body, &mut |l| l.bind_pat(pat, Val::Scalar(idx))),
            );
            return Val::Unit;
        }
        let Some(chain) = self.chain(&f.expr) else {
            return Val::Unit;
        };
        if chain.map.is_some() {
            self.errors.at(
                &f.expr,
                "`map` in a `for` loop is not supported; compute the value inside the loop body",
            );
            return Val::Unit;
        }
        let lo = self.push(OpKind::Verbatim("0".into()), Ty::Int);
        let hi = self.chain_len(&chain);
        let pat = &*f.pat;
        self.build_loop(
            Head::Range {
                lo,
                hi,
                inclusive: false,
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

    /// `chain.sum()`, `chain.product()`, `chain.fold(init, |acc, v| …)`.
    pub(super) fn reduction(&mut self, m: &ExprMethodCall) -> Val {
        let name = m.method.to_string();
        let Some(chain) = self.chain(&m.receiver) else {
            return self.poison();
        };
        let (init, fold) = match name.as_str() {
            "fold" if m.args.len() == 2 => {
                let Expr::Closure(f) = &m.args[1] else {
                    self.errors.at(
                        &m.args[1],
                        "`fold` takes a closure here: `.fold(init, |acc, v| …)`",
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
        if fold.is_some() && chain.map.is_some() {
            self.errors.at(
                &m.receiver,
                "write the mapping inside the `fold` closure instead of a `map`",
            );
            return self.poison();
        }
        // The accumulator is a binding of its own, carried by the loop.
        let acc_name = format!("\u{0}acc{}", self.func.values.len());
        self.bind(acc_name.clone(), Val::Scalar(init));
        let si = self.scopes.len() - 1;
        let bi = self.scopes[si].len() - 1;
        let lo = self.push(OpKind::Verbatim("0".into()), Ty::Int);
        let hi = self.chain_len(&chain);
        let span = m.method.span();
        let is_sum = name == "sum";
        self.build_loop(
            Head::Range {
                lo,
                hi,
                inclusive: false,
            },
            vec![(si, bi)],
            false,
            span,
            None,
            &mut |l, idx| {
                let item = l.chain_item(&chain, idx);
                let acc = match l.scopes[si][bi].val {
                    Val::Scalar(a) => a,
                    _ => return Vec::new(),
                };
                let next = if let Some(f) = fold {
                    l.closure(f, vec![Val::Scalar(acc), item])
                } else {
                    let x = match chain.map {
                        Some(f) => l.closure(f, vec![item]),
                        None => item,
                    };
                    let x = l.scalar(x, &m.receiver, "an element to reduce");
                    let op = if is_sum {
                        crate::ir::BinOp::Add
                    } else {
                        crate::ir::BinOp::Mul
                    };
                    Val::Scalar(l.push(OpKind::Binary(op, acc, x), Ty::Float))
                };
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
    fn closure(&mut self, f: &ExprClosure, args: Vec<Val>) -> Val {
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
                "a closure in a reduction cannot assign outer variables; use a `for` loop",
            );
        }
        self.scopes = snapshot;
        v
    }
}
