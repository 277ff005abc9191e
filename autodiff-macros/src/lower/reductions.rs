//! Reductions of iterator chains: `sum`, `product`, `fold` (with a number or a
//! tuple as the accumulator), `max_by` / `min_by` / `reduce` (then `unwrap`),
//! `collect` into a `Vec`, and the inactive ones `count`, `any`, `all` and
//! `position` (then `unwrap`, `expect`, `unwrap_or`).
//!
//! Each is a loop over the chain carrying an accumulator (a binding of its own,
//! so that the loop carries it like any name): the next value is a function of
//! the accumulator and the item. The `filter`s and `map`s at the end of a chain
//! (`iters.rs`: its tail) run in the loop body, a `filter` as an `if` that keeps
//! the accumulator when its predicate fails, so that nothing after it is
//! computed for an item it drops.

use super::iters::{Callable, Chain, Tail, Walk};
use super::loops::Head;
use super::{Lowering, Val};
use crate::ir::{BinOp, OpKind, Ty, Value};
use crate::prim::Prim;
use syn::{Expr, ExprClosure, ExprMethodCall, Pat};

impl Lowering<'_, '_> {
    /// `chain.sum()`, `chain.product()`, `chain.fold(init, f)`, `chain.count()`,
    /// `chain.any(p)`, `chain.all(p)`.
    pub(super) fn reduction(&mut self, m: &ExprMethodCall) -> Val {
        let name = m.method.to_string();
        let Some(mut chain) = self.chain(&m.receiver) else {
            return self.poison();
        };
        enum Step<'e> {
            Fold(Callable<'e>),
            Arith(BinOp),
            Count,
            Any(Callable<'e>),
            All(Callable<'e>),
        }
        let (init, step) = match (name.as_str(), m.args.len()) {
            ("fold", 2) => {
                let Some(f) = Callable::of(&m.args[1]) else {
                    self.errors.at(
                        &m.args[1],
                        "`fold` takes a closure or a function path here: `.fold(init, |acc, v| …)`, `.fold(f64::NEG_INFINITY, f64::max)`",
                    );
                    return self.poison();
                };
                // A number (a float unless it says otherwise), a tuple of
                // them, or a fixed-size array (`[0.0; 2]`: a state carried).
                let hint = match &m.args[0] {
                    Expr::Tuple(_) | Expr::Array(_) | Expr::Repeat(_) => None,
                    _ => Some(Ty::Float),
                };
                let init = self.expr(&m.args[0], hint);
                if !self.is_numbers(&init) {
                    if init != Val::Poisoned {
                        self.errors.at(
                            &m.args[0],
                            "the initial value of `fold` must be a number, a tuple of numbers or a fixed-size array",
                        );
                    }
                    return self.poison();
                }
                (init, Step::Fold(f))
            }
            ("sum" | "product", 0) => {
                // std's float `Sum` starts from -0.0 (so an empty sum is -0.0, and
                // -0.0 + x is x for every x).
                let c = if name == "sum" { -0.0 } else { 1.0 };
                let op = if name == "sum" {
                    BinOp::Add
                } else {
                    BinOp::Mul
                };
                (
                    Val::Scalar(self.push(OpKind::Const(c), Ty::Float)),
                    Step::Arith(op),
                )
            }
            ("count", 0) => (
                Val::Scalar(self.push(OpKind::Verbatim("0usize".into()), Ty::Int)),
                Step::Count,
            ),
            ("any" | "all", 1) => {
                let Some(p) = Callable::of(&m.args[0]) else {
                    self.errors.at(
                        &m.args[0],
                        format!("`{name}` takes a closure here: `.{name}(|v| …)`"),
                    );
                    return self.poison();
                };
                let start = if name == "any" { "false" } else { "true" };
                let init = Val::Scalar(self.push(OpKind::Verbatim(start.into()), Ty::Bool));
                (
                    init,
                    if name == "any" {
                        Step::Any(p)
                    } else {
                        Step::All(p)
                    },
                )
            }
            _ => {
                let form = match name.as_str() {
                    "fold" => ".fold(init, |acc, v| …)",
                    "any" | "all" => "(|v| …)",
                    _ => "()",
                };
                let form = if form.starts_with('.') {
                    form.to_string()
                } else {
                    format!(".{name}{form}")
                };
                self.errors.at(
                    &m.method,
                    format!("unsupported form of `{name}`; write `{form}`"),
                );
                return self.poison();
            }
        };
        let walk = self.prepare(&mut chain);
        self.accumulate(&chain, walk, init, m, &mut |l, acc, item, _| match &step {
            Step::Fold(f) => l.apply(*f, vec![acc, item]),
            Step::Arith(op) => {
                let Val::Scalar(acc) = acc else {
                    return l.poison();
                };
                let x = l.scalar(item, &m.receiver, "an element to reduce");
                Val::Scalar(l.push(OpKind::Binary(*op, acc, x), Ty::Float))
            }
            Step::Count => {
                let Val::Scalar(acc) = acc else {
                    return l.poison();
                };
                let one = l.int("1");
                Val::Scalar(l.bin(BinOp::Add, acc, one))
            }
            Step::Any(p) | Step::All(p) => {
                let Val::Scalar(acc) = acc else {
                    return l.poison();
                };
                let c = l.predicate(*p, item, &m.args[0]);
                let op = if matches!(step, Step::Any(_)) {
                    BinOp::BitOr
                } else {
                    BinOp::BitAnd
                };
                Val::Scalar(l.push(OpKind::Binary(op, acc, c), Ty::Bool))
            }
        })
    }

    /// `chain.position(p)` then `unwrap()`, `expect(…)` or `unwrap_or(d)`
    /// (`outer`): the index of the first item `p` holds for. Without one,
    /// `unwrap_or` gives `d`; `unwrap` and `expect` give the chain's length,
    /// which panics where it is used as an index, as the primal panics.
    pub(super) fn position(&mut self, m: &ExprMethodCall, outer: &ExprMethodCall) -> Val {
        let Some(p) = m
            .args
            .first()
            .and_then(Callable::of)
            .filter(|_| m.args.len() == 1)
        else {
            self.errors
                .at(&m.method, "write `.position(|v| …)` with a closure");
            return self.poison();
        };
        let Some(mut chain) = self.chain(&m.receiver) else {
            return self.poison();
        };
        if chain.tail_filters() {
            self.errors.at(&m.method, "`.position(…)` after `.filter(…)` is not supported; test both conditions in `position`'s closure");
            return self.poison();
        }
        let walk = self.prepare_indexed(&mut chain);
        let found = self.push(OpKind::Verbatim("false".into()), Ty::Bool);
        let at = self.push(OpKind::Verbatim("0usize".into()), Ty::Int);
        let init = Val::Tuple(vec![Val::Scalar(found), Val::Scalar(at)]);
        let out = self.accumulate(&chain, walk, init, m, &mut |l, acc, item, idx| {
            let Val::Tuple(parts) = &acc else {
                return l.poison();
            };
            let (Val::Scalar(found), Val::Scalar(at)) = (&parts[0], &parts[1]) else {
                return l.poison();
            };
            let (found, at) = (*found, *at);
            let c = l.predicate(p, item, &m.args[0]);
            // The first match only: `!found & p(v)`.
            let not = l.push(OpKind::Verbatim("true".into()), Ty::Bool);
            let not_found = l.push(OpKind::Binary(BinOp::BitXor, found, not), Ty::Bool);
            let take = l.push(OpKind::Binary(BinOp::BitAnd, not_found, c), Ty::Bool);
            let now = l.push(OpKind::Binary(BinOp::BitOr, found, take), Ty::Bool);
            let at = l.push(OpKind::Select(take, idx, at), Ty::Int);
            Val::Tuple(vec![Val::Scalar(now), Val::Scalar(at)])
        });
        let Val::Tuple(parts) = out else {
            return self.poison();
        };
        let (Val::Scalar(found), Val::Scalar(at)) = (&parts[0], &parts[1]) else {
            return self.poison();
        };
        let (found, at) = (*found, *at);
        let otherwise = match (outer.method.to_string().as_str(), outer.args.first()) {
            ("unwrap_or", Some(d)) if outer.args.len() == 1 => {
                let d = self.expr(d, Some(Ty::Int));
                self.scalar(d, &outer.args[0], "the default index")
            }
            ("unwrap" | "expect", _) => walk_len(&chain),
            _ => {
                self.errors.at(
                    &outer.method,
                    "use the position with `.unwrap()`, `.expect(…)` or `.unwrap_or(i)`",
                );
                return self.poison();
            }
        };
        Val::Scalar(self.push(OpKind::Select(found, at, otherwise), Ty::Int))
    }

    /// Whether `v` is a number or a tuple of numbers.
    fn is_numbers(&self, v: &Val) -> bool {
        match v {
            Val::Scalar(x) => match self.func.array(self.ty(*x)) {
                Some(a) => matches!(a.len, crate::ir::Len::Const(_)),
                None => !matches!(self.ty(*x), Ty::Struct(_)),
            },
            Val::Tuple(vs) => !vs.is_empty() && vs.iter().all(|v| self.is_numbers(v)),
            _ => false,
        }
    }

    /// `p(item)` as a condition.
    pub(super) fn predicate(&mut self, p: Callable<'_>, item: Val, node: &Expr) -> Value {
        let c = self.apply(p, vec![item]);
        let c = self.scalar(c, node, "a condition");
        if self.ty(c) != Ty::Bool {
            self.errors.at(node, "this predicate must give a `bool`");
        }
        c
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
        if chain.tail_filters() {
            self.errors.at(&m.method, format!("`.{name}(…)` after `.filter(…)` is not supported: its first item is not known before the loop; use `.fold(f64::NEG_INFINITY, f64::max)` or `.fold(f64::INFINITY, f64::min)`"));
            return self.poison();
        }
        let mut walk = self.prepare_indexed(&mut chain);
        // The first item starts the accumulator (an empty chain panics, as
        // `unwrap` on `None` does); the loop combines the others.
        let zero = self.push(OpKind::Verbatim("0".into()), Ty::Int);
        let first = self.chain_item(&chain, zero);
        let first = self.scalar(first, &m.receiver, "an element to reduce");
        walk.lo = self.push(OpKind::Verbatim("1".into()), Ty::Int);
        self.accumulate(
            &chain,
            walk,
            Val::Scalar(first),
            m,
            &mut |l, acc, item, _| match combine {
                Combine::Apply(f) => l.apply(f, vec![acc, item]),
                Combine::Extremum(p) => {
                    let Val::Scalar(acc) = acc else {
                        return l.poison();
                    };
                    let x = l.scalar(item, &m.receiver, "an element to compare");
                    Val::Scalar(l.push(OpKind::Call(p, vec![acc, x]), Ty::Float))
                }
            },
        )
    }

    /// `chain.collect::<Vec<_>>()` (or typed by its `let`): a `Vec` as long as
    /// the chain, each item stored at its position.
    pub(super) fn collect_vec(&mut self, m: &ExprMethodCall) -> Val {
        if !self.heap(m, "`.collect()`") {
            return self.poison();
        }
        let Some(mut chain) = self.chain(&m.receiver) else {
            return self.poison();
        };
        if chain.tail_filters() {
            self.errors.at(&m.method, "`.collect()` after `.filter(…)` is not supported: the `Vec`'s length is not known before the loop; compute the items into a `Vec` as long as the source and skip the others in the loops that read it");
            return self.poison();
        }
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

    /// A loop over `chain` carrying an accumulator from `init` (a number or a
    /// tuple of them), the next value given by `step(acc, item, index)` for
    /// each item the chain's `filter`s keep.
    fn accumulate(
        &mut self,
        chain: &Chain<'_>,
        walk: Walk,
        init: Val,
        m: &ExprMethodCall,
        step: &mut dyn FnMut(&mut Self, Val, Val, Value) -> Val,
    ) -> Val {
        let types = |l: &Self, v: &Val| -> Vec<Ty> { v.flat().iter().map(|x| l.ty(*x)).collect() };
        let want = types(self, &init);
        // The accumulator is a binding of its own, carried by the loop.
        let acc_name = format!("\u{0}acc{}", self.func.values.len());
        self.bind(acc_name, init);
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
                let acc = l.scopes[si][bi].val.clone();
                let (item, tail) = l.chain_head_item(chain, idx);
                let next = l.through_tail(&tail, item, acc.clone(), m, &mut |l, acc, item| {
                    step(l, acc, item, idx)
                });
                if next == Val::Poisoned {
                    return acc.flat();
                }
                let got = types(l, &next);
                if got.len() != want.len() {
                    l.errors.at(
                        &m.receiver,
                        "a reduction must give a value of its accumulator's shape",
                    );
                    return acc.flat();
                }
                // A call's result of unseen type (`|h, x| step(h, x)` with an
                // array accumulator): of the accumulator's type.
                for (v, w) in next.flat().iter().zip(&want) {
                    let untyped = l.call_results.contains(v) && l.ty(*v) == Ty::Float;
                    if untyped && matches!(w, Ty::Array(_) | Ty::Struct(_)) {
                        l.guessed.remove(v);
                        l.func.values[v.0 as usize].ty = *w;
                    }
                }
                let got = types(l, &next);
                for (g, w) in got.iter().zip(&want) {
                    if g != w {
                        let what = if *w == Ty::Float {
                            "a float"
                        } else {
                            "a value of its initial type"
                        };
                        l.errors
                            .at(&m.receiver, format!("a reduction must produce {what}"));
                        return acc.flat();
                    }
                }
                next.flat()
            },
        );
        let out = self.scopes[si][bi].val.clone();
        self.scopes[si].pop();
        out
    }

    /// Runs an item through the `filter`s and `map`s of a chain's tail, then
    /// `step`; an item a filter drops leaves `acc` as it is.
    fn through_tail(
        &mut self,
        tail: &[Tail<'_>],
        item: Val,
        acc: Val,
        m: &ExprMethodCall,
        step: &mut dyn FnMut(&mut Self, Val, Val) -> Val,
    ) -> Val {
        let Some((first, rest)) = tail.split_first() else {
            return step(self, acc, item);
        };
        match first {
            Tail::Map(f) => {
                let item = self.apply(*f, vec![item]);
                self.through_tail(rest, item, acc, m, step)
            }
            Tail::Filter(p, node) => {
                let c = self.predicate(*p, item.clone(), node);
                let keep = acc.clone();
                self.branch(
                    c,
                    &mut |l| l.through_tail(rest, item.clone(), acc.clone(), m, step),
                    &mut |_| keep.clone(),
                    true,
                    m,
                )
            }
        }
    }
}

/// The number of items of a chain walked by index (after `prepare_indexed`).
fn walk_len(c: &Chain<'_>) -> Value {
    c.len()
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
