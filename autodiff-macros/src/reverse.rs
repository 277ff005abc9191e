//! The reverse-mode transformation: the forward IR → the companion's IR.
//!
//! The companion runs the forward ops unchanged, then the reverse sweep: ops in
//! reverse order, each asking the derivative table (`rules.rs`) for the
//! contributions to its operands' cotangents. This driver owns what rules do not:
//! symbolic zeros (a value without a cotangent is skipped), accumulation where a
//! value fans out, activity (contributions to values that do not depend on an
//! active input are dropped), and the ops that own regions.
//!
//! * An `if` reverses into an `if` on the same condition whose branches run the
//!   reverse of the forward branches. The cotangents of outer values pass through
//!   it (in, updated, out). Values the reverse branch needs from inside the
//!   forward branch become extra results of the forward `if`: its residuals.
//! * A loop reverses into a loop over the same indices, backwards. Its carried
//!   values are the cotangents of the forward carried values and of the outer
//!   values the body reads. What a reverse iteration needs from its forward
//!   iteration is recomputed when that is cheap (pure scalar ops of the index and
//!   of values fixed during the loop: `x[i] * w[i]`), and recorded otherwise, in a
//!   tape that the forward loop fills: a fixed-size array when the trip count is
//!   known at compile time, a `Vec` when it is not. A loop whose reverse needs
//!   nothing per iteration records nothing. Where the tape is a small array, a
//!   scalar that costs a math-library call or an inner loop is recorded too.
//! * A loop whose reverse only accumulates and does not wait for its results is
//!   offered to `fusion.rs`, which runs both as one forward loop.

use crate::activity;
use crate::error::Errors;
use crate::fusion::Candidate;
use crate::ir::{Builder, CastTo, Func, Len, Loop, LoopKind, Op, OpKind, Region, Ty, Value};
use crate::ir::{IdMap, IdSet};
use crate::prim::Cost;
use crate::rules::{self, Grad};
use std::collections::{HashMap, HashSet};

/// The companion's IR and how its body's yields map onto the contract.
pub struct Companion {
    /// Parameters: the original ones, then one cotangent per output, then one
    /// shadow per `&` array parameter that is differentiated.
    /// Body yields: the primal outputs, then one gradient per active parameter.
    pub func: Func,
    pub outputs: usize,
}

/// How a parameter enters the reverse sweep.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Inactive,
    /// Differentiated; its gradient is a yield of the companion.
    Active,
    /// Differentiated, and its gradient accumulates into a shadow parameter of the
    /// companion (a `&` array: the adjoint is updated in place).
    Shadowed,
}

type Adjoints = IdMap<Value>;

struct Reverser<'v> {
    varied: &'v IdSet,
    /// Array versions that something updates in place: not readable later.
    consumed: &'v IdSet,
    /// The text of values defined by literals and const paths.
    consts: &'v IdMap<String>,
    alloc: bool,
    errors: std::cell::RefCell<Errors>,
    /// Loops whose reverse could run fused with them (`fusion.rs`).
    fusable: std::cell::RefCell<Vec<Candidate>>,
    /// What each op with regions reads, by its first result (for `waits_for`).
    region_reads: std::cell::RefCell<IdMap<Vec<Value>>>,
}

impl Reverser<'_> {
    /// Adds a contribution to the cotangent of `v`.
    fn accumulate(&self, b: &mut Builder, adj: &mut Adjoints, v: Value, g: Grad) {
        let ty = b.ty(v);
        if !self.varied.contains(&v) || !b.func.differentiable(ty) {
            return;
        }
        let sum = match g {
            Grad::Full(c) => match adj.get(&v) {
                None => c,
                Some(&a) if ty == Ty::Float => b.add(a, c),
                Some(&a) => b.add_at(a, &[], c),
            },
            Grad::At(idx, c) => {
                let base = match adj.get(&v) {
                    Some(&a) => a,
                    None => b.zero_like(v),
                };
                b.add_at(base, &idx, c)
            }
        };
        adj.insert(v, sum);
    }

    /// The reverse of `ops`, appended to `b`. Loops may ask for ops to be inserted
    /// into the forward list (the initial values of their tapes).
    fn ops(&self, b: &mut Builder, ops: &mut Vec<Op>, adj: &mut Adjoints) {
        let mut inserts: Vec<(usize, Vec<Op>)> = Vec::new();
        for i in (0..ops.len()).rev() {
            let op = &mut ops[i];
            match op.kind {
                OpKind::If(..) => self.if_op(b, op, adj),
                OpKind::CallFn(..) => {
                    let pre = self.call_op(b, op, adj);
                    if !pre.is_empty() {
                        inserts.push((i, pre));
                    }
                }
                // No value, no cotangent: an effect stays in the forward sweep.
                OpKind::Effect(_) => {}
                OpKind::Loop(_) => {
                    let (head, later) = ops.split_at_mut(i + 1);
                    let pre = self.loop_op(b, &mut head[i], later, adj);
                    if !pre.is_empty() {
                        inserts.push((i, pre));
                    }
                }
                _ => {
                    let out = op.result();
                    let Some(g) = adj.remove(&out) else { continue };
                    for (v, c) in rules::vjp(b, &op.kind, out, g) {
                        self.accumulate(b, adj, v, c);
                    }
                }
            }
        }
        // `inserts` is in decreasing index order, so earlier indices stay valid.
        for (i, pre) in inserts {
            ops.splice(i..i, pre);
        }
    }

    /// A call of a function with a companion: in the reverse sweep, call the
    /// companion with the cotangents of the results (the callee's forward runs
    /// again inside it: Tapenade's joint mode, checkpointing at the call).
    /// Returns ops to insert before the forward call: copies of array arguments
    /// that are updated in place later, so the companion sees them as they were.
    fn call_op(&self, b: &mut Builder, op: &mut Op, adj: &mut Adjoints) -> Vec<Op> {
        let OpKind::CallFn(callee, fwd_args) = &op.kind else {
            return Vec::new();
        };
        let gs: Vec<Option<Value>> = op.results.iter().map(|r| adj.remove(r)).collect();
        if gs.iter().all(Option::is_none) {
            return Vec::new();
        }
        let mut pre = Vec::new();
        let args: Vec<Value> = fwd_args
            .iter()
            .map(|&a| {
                if matches!(b.ty(a), Ty::Array(_)) && self.consumed.contains(&a) {
                    let ty = b.ty(a);
                    let copy = b.func.new_value(ty);
                    pre.push(Op {
                        results: vec![copy],
                        kind: OpKind::Copy(a),
                    });
                    copy
                } else {
                    a
                }
            })
            .collect();
        let args = &args;
        let d_outs: Vec<Value> = gs
            .iter()
            .zip(&op.results)
            .map(|(g, r)| match g {
                Some(g) => *g,
                None => b.zero_like(*r),
            })
            .collect();
        // The callee's signature: by-value and `&` differentiable parameters.
        let mut by_value = Vec::new();
        let mut by_ref = Vec::new();
        // Cotangents go to the forward arguments, not to their copies.
        for (k, &a) in fwd_args.iter().enumerate() {
            if callee.stop[k] || !b.func.differentiable(b.ty(a)) {
                continue;
            }
            if callee.refs[k] {
                by_ref.push(a);
            } else {
                by_value.push(a);
            }
        }
        let mut shadows = Vec::new();
        // The same array twice (`dot(v, v)`): the second gets a scratch buffer,
        // added in after the call (two `&mut` of one buffer cannot coexist).
        let mut seen = IdSet::default();
        let mut scratch_of: Vec<Option<Value>> = Vec::new();
        for &a in &by_ref {
            let ty = b.ty(a);
            let first = seen.insert(a);
            scratch_of.push((!first && self.varied.contains(&a)).then_some(a));
            let incoming = match adj.get(&a) {
                Some(&g) if first && self.varied.contains(&a) => g,
                // Scratch: the callee adds into it, nobody reads it.
                _ => match b.func.array(ty).map(|t| t.len.clone()) {
                    Some(Len::Slice | Len::Vec) => {
                        if !self.alloc {
                            self.errors.borrow_mut().push(syn::Error::new_spanned(
                                &callee.path,
                                "this call passes a slice that needs a scratch gradient buffer, which needs the `alloc` feature of autodiff; or wrap the argument in `autodiff::no_grad(…)` if the callee excludes it with `wrt`",
                            ));
                        }
                        let vty = b
                            .func
                            .array_ty(b.func.index_ty(ty, 1).unwrap_or(Ty::Float), Len::Vec);
                        b.push(OpKind::ZerosLike(a), vty)
                    }
                    _ => b.zero(ty),
                },
            };
            shadows.push(incoming);
        }
        let mut results = Vec::new();
        for &a in &by_value {
            results.push(b.func.new_value(b.ty(a)));
        }
        for &sh in &shadows {
            results.push(b.func.new_value(b.ty(sh)));
        }
        b.ops.push(Op {
            results: results.clone(),
            kind: OpKind::CallBack(callee.clone(), args.clone(), d_outs, shadows),
        });
        for (a, g) in by_value.iter().zip(&results) {
            self.accumulate(b, adj, *a, Grad::Full(*g));
        }
        for ((a, g), scratch) in by_ref
            .iter()
            .zip(&results[by_value.len()..])
            .zip(&scratch_of)
        {
            if scratch.is_some() {
                self.accumulate(b, adj, *a, Grad::Full(*g));
            } else if self.varied.contains(a) {
                adj.insert(*a, *g);
            }
        }
        pre
    }

    /// The outer values (free in `regions`) that may receive cotangents there.
    fn outer_targets(&self, func: &Func, regions: &[&Region]) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        for r in regions {
            for v in r.free_uses() {
                if self.varied.contains(&v) && func.differentiable(func.ty(v)) && !out.contains(&v)
                {
                    out.push(v);
                }
            }
        }
        out
    }

    fn if_op(&self, b: &mut Builder, op: &mut Op, adj: &mut Adjoints) {
        let gs: Vec<Option<Value>> = op.results.iter().map(|r| adj.remove(r)).collect();
        if gs.iter().all(Option::is_none) {
            return;
        }
        let OpKind::If(cond, then_r, else_r) = &mut op.kind else {
            return;
        };
        let cond = *cond;
        let outer = self.outer_targets(b.func, &[then_r, else_r]);
        let (mut t_rev, t_adj) = self.branch(b, then_r, &gs, &outer, adj);
        let (mut e_rev, e_adj) = self.branch(b, else_r, &gs, &outer, adj);

        // The outer values whose cotangents either branch touched, passed through.
        let touched: Vec<Value> = outer
            .iter()
            .copied()
            .filter(|u| t_adj.contains_key(u) || e_adj.contains_key(u))
            .collect();
        for (rev, local) in [(&mut t_rev, &t_adj), (&mut e_rev, &e_adj)] {
            for u in &touched {
                let y = match local.get(u) {
                    Some(&c) => c,
                    None => {
                        let (ops, z) = b.region(|b| b.zero_like(*u));
                        rev.ops.extend(ops);
                        z
                    }
                };
                rev.yields.push(y);
            }
        }

        // A primitive the forward branch computed already (`cos θ` beside
        // `sin θ`) is taken from it as a residual rather than computed again.
        reuse_calls(then_r, &mut t_rev);
        reuse_calls(else_r, &mut e_rev);
        // Residuals: what the reverse branches read from inside the forward ones
        // (and still use: dead contributions are dropped first).
        crate::opt::dce_region(&mut t_rev);
        crate::opt::dce_region(&mut e_rev);
        hoist(b.func, then_r, else_r, &mut op.results, &mut t_rev);
        hoist(b.func, else_r, then_r, &mut op.results, &mut e_rev);

        let results: Vec<Value> = touched
            .iter()
            .map(|u| b.func.new_value(b.func.ty(*u)))
            .collect();
        b.ops.push(Op {
            results: results.clone(),
            kind: OpKind::If(cond, t_rev, e_rev),
        });
        for (u, r) in touched.into_iter().zip(results) {
            adj.insert(u, r);
        }
    }

    /// The reverse of one branch, and the cotangents of outer values after it.
    fn branch(
        &self,
        b: &mut Builder,
        fwd: &mut Region,
        gs: &[Option<Value>],
        outer: &[Value],
        adj: &Adjoints,
    ) -> (Region, Adjoints) {
        let mut local: Adjoints = outer
            .iter()
            .filter_map(|u| adj.get(u).map(|a| (*u, *a)))
            .collect();
        let (ops, ()) = b.region(|b| {
            for (y, g) in fwd.yields.iter().zip(gs) {
                if let Some(g) = g {
                    self.accumulate(b, &mut local, *y, Grad::Full(*g));
                }
            }
            self.ops(b, &mut fwd.ops, &mut local);
        });
        local.retain(|v, _| outer.contains(v));
        (
            Region {
                args: Vec::new(),
                ops,
                yields: Vec::new(),
            },
            local,
        )
    }

    /// The reverse of a loop; returns ops to insert before the forward loop.
    fn loop_op(&self, b: &mut Builder, op: &mut Op, later: &[Op], adj: &mut Adjoints) -> Vec<Op> {
        let OpKind::Loop(lp) = &mut op.kind else {
            return Vec::new();
        };
        let n = lp.inits.len();
        let gs: Vec<Option<Value>> = op.results[..n].iter().map(|r| adj.remove(r)).collect();
        if gs.iter().all(Option::is_none) {
            return Vec::new();
        }
        let outer = self.outer_targets(b.func, &[&lp.body]);
        let slots: Vec<usize> = (0..n)
            .filter(|&j| {
                let a = lp.body.args[j + 1];
                self.varied.contains(&a) && b.func.differentiable(b.func.ty(a))
            })
            .collect();

        // Initial cotangents of the reverse loop, built before it.
        let mut inits = Vec::new();
        for &j in &slots {
            let g = gs[j].unwrap_or_else(|| b.zero_like(op.results[j]));
            inits.push(g);
        }
        for &u in &outer {
            let g = adj.get(&u).copied().unwrap_or_else(|| b.zero_like(u));
            inits.push(g);
        }

        // The reverse body, reading forward values of its iteration.
        let idx_f = lp.body.args[0];
        let idx_r = b.func.new_value(b.func.ty(idx_f));
        let args: Vec<Value> = inits
            .iter()
            .map(|v| b.func.new_value(b.func.ty(*v)))
            .collect();
        let (body_ops, yields) = b.region(|b| {
            let mut local = Adjoints::default();
            for (m, &u) in outer.iter().enumerate() {
                local.insert(u, args[slots.len() + m]);
            }
            for (k, &j) in slots.iter().enumerate() {
                self.accumulate(b, &mut local, lp.body.yields[j], Grad::Full(args[k]));
            }
            self.ops(b, &mut lp.body.ops, &mut local);
            let mut ys = Vec::new();
            for &j in &slots {
                let a = lp.body.args[j + 1];
                let y = match local.remove(&a) {
                    Some(y) => y,
                    None => b.zero_like(a),
                };
                ys.push(y);
            }
            for &u in &outer {
                let y = match local.get(&u) {
                    Some(&y) => y,
                    None => b.zero_like(u),
                };
                ys.push(y);
            }
            ys
        });
        let mut rev = Region {
            args: std::iter::once(idx_r).chain(args.iter().copied()).collect(),
            ops: body_ops,
            yields,
        };

        // Recompute or record what the reverse body reads from the forward one;
        // or, if the two loops fuse, read it where it is (the body as it is now).
        // A loop that may fuse records nothing it could recompute: a tape would
        // keep it apart.
        crate::opt::dce_region(&mut rev);
        let direct = rev.clone();
        let carried = n;
        let may_fuse = matches!(lp.kind, LoopKind::Range { rev: false, .. })
            && !lp.has_break
            && !lp.track_end
            && crate::fusion::commutes(&direct)
            && !waits_for(
                &op.results,
                later,
                &b.ops,
                &inits,
                &mut self.region_reads.borrow_mut(),
            );
        let pre = self.resolve(b.func, op, idx_r, &mut rev, !may_fuse);

        let OpKind::Loop(lp) = &op.kind else {
            return pre;
        };
        let kind = match &lp.kind {
            LoopKind::Range {
                lo,
                hi,
                inclusive,
                rev,
            } => {
                // Lowering rejects `break` in a reversed loop: its end marker
                // counts the indices it ran from `lo` upwards.
                let (hi, inclusive) = if lp.track_end {
                    (*op.results.last().unwrap_or(hi), false)
                } else {
                    (*hi, *inclusive)
                };
                LoopKind::Range {
                    lo: *lo,
                    hi,
                    inclusive,
                    rev: !rev,
                }
            }
            LoopKind::While(_) => {
                let zero = b.push(OpKind::Verbatim("0usize".into()), Ty::Int);
                let count = *op.results.last().unwrap_or(&zero);
                LoopKind::Range {
                    lo: zero,
                    hi: count,
                    inclusive: false,
                    rev: true,
                }
            }
        };
        let results: Vec<Value> = inits
            .iter()
            .map(|v| b.func.new_value(b.func.ty(*v)))
            .collect();
        if may_fuse && pre.is_empty() && lp.inits.len() == carried && !results.is_empty() {
            self.fusable.borrow_mut().push(Candidate {
                fwd: op.results[0],
                rev: results[0],
                body: direct,
            });
        }
        b.ops.push(Op {
            results: results.clone(),
            kind: OpKind::Loop(Box::new(Loop {
                kind,
                inits,
                body: rev,
                has_break: false,
                track_end: false,
                span: lp.span,
            })),
        });
        // Outer cotangents passed through the loop first; then the initial values
        // of carried ones add in (an initial value may be an outer value too).
        for (m, &u) in outer.iter().enumerate() {
            adj.insert(u, results[slots.len() + m]);
        }
        let lp_inits = lp.inits.clone();
        for (k, &j) in slots.iter().enumerate() {
            self.accumulate(b, adj, lp_inits[j], Grad::Full(results[k]));
        }
        pre
    }

    /// Makes every forward value the reverse body `rev` reads available in it:
    /// the index maps to the reverse index, cheap pure ops are recomputed, the
    /// rest is recorded per iteration in a tape that the forward loop fills.
    /// Returns the ops creating the tapes, to go before the forward loop.
    /// With `record_costly`, math-library calls and inner loops are recorded
    /// rather than run again, when the tape is a small array on the stack.
    fn resolve(
        &self,
        func: &mut Func,
        op: &mut Op,
        idx_r: Value,
        rev: &mut Region,
        record_costly: bool,
    ) -> Vec<Op> {
        let Op { results, kind } = op;
        let OpKind::Loop(lp) = kind else {
            return Vec::new();
        };
        // What the reverse body built but does not use (contributions to
        // inactive operands) must not make the forward loop record anything.
        crate::opt::dce_region(rev);
        let mut inner = IdSet::default();
        lp.body.defined(&mut inner);
        let needed: Vec<Value> = rev
            .free_uses()
            .into_iter()
            .filter(|v| inner.contains(v))
            .collect();
        if needed.is_empty() {
            return Vec::new();
        }
        let idx_f = lp.body.args[0];
        let def_at: IdMap<usize> = lp
            .body
            .ops
            .iter()
            .enumerate()
            .flat_map(|(i, o)| o.results.iter().map(move |r| (*r, i)))
            .collect();

        // Decide for each value the reverse body reads: recompute it (with what
        // it reads), or record it per iteration.
        let mut memo: IdMap<How> = IdMap::default();
        let small_tape = self.trip_len(lp).is_some_and(|l| small_len(func, &l));
        let ctx = Resolve {
            record_costly: record_costly && small_tape,
            func,
            body: &lp.body,
            inner: &inner,
            def_at: &def_at,
            idx: idx_f,
            consumed: self.consumed,
        };
        let mut recompute: HashSet<usize> = HashSet::new();
        // The results of each recomputed op that are needed (an `if` is pruned to them).
        let mut wanted: HashMap<usize, Vec<Value>> = HashMap::new();
        let mut roots: Vec<Value> = Vec::new();
        let mut seen: IdSet = IdSet::default();
        let mut stack: Vec<Value> = needed;
        while let Some(v) = stack.pop() {
            if !seen.insert(v) {
                continue;
            }
            match ctx.how(v, &mut memo) {
                How::Free => {}
                How::Recompute => {
                    let i = def_at[&v];
                    let keep = wanted.entry(i).or_default();
                    if !keep.contains(&v) {
                        keep.push(v);
                        recompute.insert(i);
                        stack.extend(ctx.reads(&pruned(&lp.body.ops[i], &[v])));
                    }
                }
                // A carried array is recorded as it was on entry, if nothing cheaper exists.
                How::Record | How::Avoid => roots.push(v),
            }
        }
        roots.sort();

        // The ops to recompute, in forward order, taken before records go in.
        let mut order: Vec<usize> = recompute.into_iter().collect();
        order.sort_unstable();
        let originals: Vec<Op> = order
            .iter()
            .map(|&i| pruned(&lp.body.ops[i], wanted.get(&i).map_or(&[][..], |w| &w[..])))
            .collect();

        let mut map: IdMap<Value> = IdMap::default();
        map.insert(idx_f, idx_r);
        let mut prefix: Vec<Op> = Vec::new();
        let mut pre: Vec<Op> = Vec::new();

        // A tape per root: filled by the forward body, read by the reverse one.
        if !roots.is_empty() {
            let len = self.trip_len(lp);
            if len.is_none() && !self.alloc {
                self.errors.borrow_mut().push(syn::Error::new(
                    lp.span,
                    "the reverse sweep of this loop must record values per iteration, and its trip count is only known at run time; enable the `alloc` feature of autodiff, or bound the loop with a constant (`for i in 0..N`)",
                ));
                return Vec::new();
            }
            // A `Vec` tape gets its trip count as capacity when the loop knows it
            // on entry (a range that cannot break): one allocation, no regrowth.
            let capacity = match (&len, &lp.kind) {
                (
                    None,
                    LoopKind::Range {
                        lo,
                        hi,
                        inclusive: false,
                        ..
                    },
                ) if !lp.has_break => {
                    // max(hi - lo, 0) in i64: typed even where the bounds are
                    // untyped literals, and never negative.
                    let mut push = |kind: OpKind| {
                        let v = func.new_value(Ty::Int);
                        pre.push(Op {
                            results: vec![v],
                            kind,
                        });
                        v
                    };
                    let hi64 = push(OpKind::Cast(*hi, CastTo::Other("i64".into())));
                    let lo64 = push(OpKind::Cast(*lo, CastTo::Other("i64".into())));
                    let diff = push(OpKind::Binary(crate::ir::BinOp::Sub, hi64, lo64));
                    let zero = push(OpKind::Verbatim("0i64".into()));
                    let d = push(OpKind::Method("max".into(), vec![diff, zero]));
                    let n = func.new_value(Ty::Int);
                    pre.push(Op {
                        results: vec![n],
                        kind: OpKind::Cast(d, CastTo::Other("::core::primitive::usize".into())),
                    });
                    Some(n)
                }
                _ => None,
            };
            let mut k_ops_f = Vec::new();
            let k_f = len
                .as_ref()
                .map(|_| index_ops(func, &lp.kind, idx_f, &mut k_ops_f));
            let k_r = index_ops(func, &lp.kind, idx_r, &mut prefix);
            let mut records: Vec<(usize, Op)> = Vec::new();
            for r in &roots {
                let ty = func.ty(*r);
                let tape_ty = match &len {
                    Some(l) => func.array_ty(ty, Len::Const(l.clone())),
                    None => func.array_ty(ty, Len::Vec),
                };
                let init = func.new_value(tape_ty);
                pre.push(Op {
                    results: vec![init],
                    kind: if len.is_some() {
                        OpKind::Zeros
                    } else {
                        OpKind::VecNew(capacity)
                    },
                });
                let arg = func.new_value(tape_ty);
                let next = func.new_value(tape_ty);
                let fin = func.new_value(tape_ty);
                let kind = match k_f {
                    Some(k) => OpKind::Store(arg, vec![k], *r),
                    None => OpKind::Push(arg, *r),
                };
                let at = def_at.get(r).map_or(0, |&i| i + 1);
                records.push((
                    at,
                    Op {
                        results: vec![next],
                        kind,
                    },
                ));
                let n = lp.inits.len();
                lp.inits.push(init);
                lp.body.args.push(arg);
                if let LoopKind::While(c) = &mut lp.kind {
                    // The condition sees every carried value, the tape too.
                    c.args.push(func.new_value(tape_ty));
                }
                lp.body.yields.insert(n, next);
                results.insert(n, fin);
                let loaded = func.new_value(ty);
                prefix.push(Op {
                    results: vec![loaded],
                    kind: OpKind::Load(fin, vec![k_r]),
                });
                map.insert(*r, loaded);
            }
            // Records go right after their value's definition (later ones first),
            // then the iteration number goes first of all.
            records.sort_by_key(|r| std::cmp::Reverse(r.0));
            for (at, o) in records {
                lp.body.ops.insert(at, o);
            }
            lp.body.ops.splice(0..0, k_ops_f);
        }

        for o in &originals {
            prefix.push(clone_fresh(func, o, &mut map));
        }
        rev.map_uses(&mut |v| map.get(&v).copied().unwrap_or(v));
        prefix.append(&mut rev.ops);
        rev.ops = prefix;
        pre
    }

    /// The trip count of a range loop as a compile-time length, if it has one.
    fn trip_len(&self, lp: &Loop) -> Option<String> {
        let LoopKind::Range {
            lo, hi, inclusive, ..
        } = &lp.kind
        else {
            return None;
        };
        let lo_text = self.consts.get(lo)?;
        let lo_num: u64 = lo_text
            .trim_end_matches(|c: char| c.is_alphabetic())
            .parse()
            .ok()?;
        let _ = lo_num;
        let hi_text = self.consts.get(hi)?;
        let hi_digits = hi_text.trim_end_matches(|c: char| c.is_alphabetic() || c == '_');
        if *inclusive {
            let h: u64 = hi_digits.parse().ok()?;
            return Some((h + 1).to_string());
        }
        if hi_text.starts_with('-') {
            return None;
        }
        // `hi` bounds the iteration number `i - lo` for any `lo >= 0`.
        Some(match hi_digits.parse::<u64>() {
            Ok(h) => h.to_string(),
            Err(_) => hi_text.clone(),
        })
    }
}

/// Whether an op builds a new array (not worth recomputing per iteration).
/// How a reverse iteration gets a value of its forward iteration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum How {
    /// It is there: the index, or a value fixed during the loop.
    Free,
    /// Its op runs again, reading values got the same way.
    Recompute,
    /// The forward iteration records it.
    Record,
    /// Only at a high price (a whole array per iteration): let its reader be
    /// recorded instead.
    Avoid,
}

/// What `resolve` looks at to decide.
struct Resolve<'a> {
    /// Whether costly scalars are recorded (a small fixed-size tape) rather
    /// than recomputed.
    record_costly: bool,
    func: &'a Func,
    body: &'a Region,
    inner: &'a IdSet,
    def_at: &'a IdMap<usize>,
    idx: Value,
    consumed: &'a IdSet,
}

impl Resolve<'_> {
    fn is_array(&self, v: Value) -> bool {
        matches!(self.func.ty(v), Ty::Array(_))
    }

    /// The values an op reads, inside its regions too.
    fn reads(&self, op: &Op) -> Vec<Value> {
        let mut out = op.operands();
        for r in op.regions() {
            out.extend(r.free_uses());
        }
        out
    }

    fn how(&self, v: Value, memo: &mut IdMap<How>) -> How {
        if let Some(h) = memo.get(&v) {
            return *h;
        }
        let h = self.decide(v, memo);
        memo.insert(v, h);
        h
    }

    fn decide(&self, v: Value, memo: &mut IdMap<How>) -> How {
        if v == self.idx {
            return How::Free;
        }
        if !self.inner.contains(&v) {
            // From before the loop: still there, unless an array updated later.
            return if self.is_array(v) && self.consumed.contains(&v) {
                How::Avoid
            } else {
                How::Free
            };
        }
        let Some(&i) = self.def_at.get(&v) else {
            // A carried value, as it was when the iteration began.
            return if self.is_array(v) {
                How::Avoid
            } else {
                How::Record
            };
        };
        let op = &self.body.ops[i];
        if matches!(op.kind, OpKind::CallFn(..) | OpKind::CallBack(..)) {
            // User code runs once.
            return How::Record;
        }
        // An `if` or loop that calls user code is recorded, not run again
        // (the reverse sweep calls the companion, which runs it once more);
        // one with effects (`println!`) too: they belong to the forward sweep.
        if op.regions().iter().any(|r| calls_user_code(r)) || crate::opt::has_effects(op) {
            return How::Record;
        }
        // A scalar that costs a math-library call or a loop is worth a store
        // and a load, where the tape is a small array.
        let costly = match &op.kind {
            OpKind::Call(p, _) => p.cost() == Cost::Call,
            OpKind::Loop(_) => true,
            _ => false,
        };
        if costly && self.record_costly && !self.is_array(v) {
            return How::Record;
        }
        // An `if` is rerun for this result only: what its other results read
        // (the rest of the iteration's state) is not needed.
        let reads = self.reads(&pruned(op, &[v]));
        if reads.iter().all(|r| self.how(*r, memo) != How::Avoid) {
            How::Recompute
        } else if op.has_regions() || !self.is_array(v) {
            How::Record
        } else {
            How::Avoid
        }
    }
}

/// `op` with only the results in `keep` if it is an `if` (its branches cleaned
/// of what only the others needed); any other op as it is.
fn pruned(op: &Op, keep: &[Value]) -> Op {
    let mut o = op.clone();
    if let OpKind::If(_, t, e) = &mut o.kind {
        let mask: Vec<bool> = op.results.iter().map(|r| keep.contains(r)).collect();
        let filter = |v: &mut Vec<Value>| {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                mask[i - 1]
            });
        };
        filter(&mut o.results);
        filter(&mut t.yields);
        filter(&mut e.yields);
        crate::opt::dce_region(t);
        crate::opt::dce_region(e);
    }
    o
}

/// Whether a tape of this compile-time length is small enough for the stack:
/// a literal up to 4,096, or a constant the function already sizes arrays with.
fn small_len(func: &Func, len: &str) -> bool {
    match len.parse::<u64>() {
        Ok(n) => n <= 4096,
        Err(_) => func
            .arrays
            .iter()
            .any(|a| matches!(&a.len, Len::Const(l) if l == len)),
    }
}

/// Whether any of `values` (the reverse loop's initial values) depends on the
/// `results` of its forward loop, through the forward ops after it (`later`)
/// and the reverse ops built so far (`rev`). `reads` keeps what each op with
/// regions reads (those ops are final once here; computing it is the costly part).
fn waits_for(
    results: &[Value],
    later: &[Op],
    rev: &[Op],
    values: &[Value],
    reads: &mut IdMap<Vec<Value>>,
) -> bool {
    let mut tainted: IdSet = results.iter().copied().collect();
    for op in later.iter().chain(rev) {
        let hit = op.operands().iter().any(|v| tainted.contains(v))
            || match op.results.first() {
                Some(r) if op.has_regions() => reads
                    .entry(*r)
                    .or_insert_with(|| op.regions().iter().flat_map(|g| g.free_uses()).collect())
                    .iter()
                    .any(|v| tainted.contains(v)),
                _ => false,
            };
        if hit {
            tainted.extend(op.results.iter().copied());
        }
    }
    values.iter().any(|v| tainted.contains(v))
}

/// Whether a region (or one nested in it) calls a function with a companion.
fn calls_user_code(r: &Region) -> bool {
    r.ops.iter().any(|o| {
        matches!(o.kind, OpKind::CallFn(..)) || o.regions().iter().any(|r| calls_user_code(r))
    })
}

/// A copy of `op` defining fresh values (inside its regions too), reading
/// through `map`; `map` learns the renaming of what it defines.
fn clone_fresh(func: &mut Func, op: &Op, map: &mut IdMap<Value>) -> Op {
    let mut o = op.clone();
    let mut defs = IdSet::default();
    for r in o.regions() {
        r.defined(&mut defs);
    }
    defs.extend(o.results.iter().copied());
    let mut defs: Vec<Value> = defs.into_iter().collect();
    defs.sort();
    for d in defs {
        let fresh = func.new_value(func.ty(d));
        map.insert(d, fresh);
    }
    let mut rename = |v: Value| map.get(&v).copied().unwrap_or(v);
    o.map_defs(&mut rename);
    o.map_uses(&mut rename);
    o
}

/// Ops computing the iteration number (`usize`) of a loop from its index.
fn index_ops(func: &mut Func, kind: &LoopKind, idx: Value, ops: &mut Vec<Op>) -> Value {
    let mut int = |kind: OpKind| {
        let d = func.new_value(Ty::Int);
        ops.push(Op {
            results: vec![d],
            kind,
        });
        d
    };
    use crate::ir::BinOp::Sub;
    let diff = match kind {
        LoopKind::Range { lo, rev: false, .. } => int(OpKind::Binary(Sub, idx, *lo)),
        // Backwards: iteration k runs index hi - 1 - k (hi for `lo..=hi`), so
        // that a `Vec` tape filled by `push` is read where it was written.
        LoopKind::Range {
            hi,
            inclusive,
            rev: true,
            ..
        } => {
            let top = if *inclusive {
                *hi
            } else {
                let one = int(OpKind::Verbatim("1".into()));
                int(OpKind::Binary(Sub, *hi, one))
            };
            int(OpKind::Binary(Sub, top, idx))
        }
        LoopKind::While(_) => idx,
    };
    let k = func.new_value(Ty::Int);
    ops.push(Op {
        results: vec![k],
        kind: OpKind::Cast(diff, CastTo::Other("::core::primitive::usize".into())),
    });
    k
}

/// Points the float primitives of `rev` that `fwd` also computes, on the same
/// operands, at `fwd`'s results (then hoisted as residuals).
fn reuse_calls(fwd: &Region, rev: &mut Region) {
    let computed: HashMap<String, Value> = fwd
        .ops
        .iter()
        .filter(|o| matches!(o.kind, OpKind::Call(..)))
        .map(|o| (crate::ir::op_text(&o.kind), o.results[0]))
        .collect();
    let mut map: IdMap<Value> = IdMap::default();
    rev.ops.retain(|o| {
        if matches!(o.kind, OpKind::Call(..)) {
            if let Some(&f) = computed.get(&crate::ir::op_text(&o.kind)) {
                map.insert(o.results[0], f);
                return false;
            }
        }
        true
    });
    if !map.is_empty() {
        rev.map_uses(&mut |v| map.get(&v).copied().unwrap_or(v));
    }
}

/// Makes the values `rev` reads from inside `fwd` extra results of their `if`
/// (with a placeholder from the other branch) and points `rev` at those results.
fn hoist(
    func: &mut Func,
    fwd: &mut Region,
    other: &mut Region,
    results: &mut Vec<Value>,
    rev: &mut Region,
) {
    let mut inner = IdSet::default();
    fwd.defined(&mut inner);
    // Literals and constant paths are written again in the reverse branch, not
    // passed out: an index that stays a literal keeps its bounds check away.
    let literals: IdMap<&OpKind> = fwd
        .ops
        .iter()
        .filter(|o| {
            matches!(
                o.kind,
                OpKind::Const(_) | OpKind::Verbatim(_) | OpKind::Extern(_)
            )
        })
        .map(|o| (o.results[0], &o.kind))
        .collect();
    let mut map = IdMap::default();
    let mut written = Vec::new();
    for v in rev.free_uses().into_iter().filter(|v| inner.contains(v)) {
        let ty = func.ty(v);
        if let Some(kind) = literals.get(&v) {
            let fresh = func.new_value(ty);
            written.push(Op {
                results: vec![fresh],
                kind: (*kind).clone(),
            });
            map.insert(v, fresh);
            continue;
        }
        let mut b = Builder::new(func);
        let placeholder = match func_array_len(&b, ty) {
            Some(Len::Vec) => b.push(OpKind::VecNew(None), ty),
            _ => b.zero(ty),
        };
        other.ops.append(&mut b.ops);
        other.yields.push(placeholder);
        fwd.yields.push(v);
        let r = func.new_value(ty);
        results.push(r);
        map.insert(v, r);
    }
    if !map.is_empty() {
        rev.map_uses(&mut |v| map.get(&v).copied().unwrap_or(v));
    }
    rev.ops.splice(0..0, written);
}

fn func_array_len(b: &Builder, ty: Ty) -> Option<Len> {
    b.func.array(ty).map(|a| a.len.clone())
}

/// Values defined by literals and const paths, with their text.
fn consts(r: &Region, out: &mut IdMap<String>) {
    for op in &r.ops {
        match &op.kind {
            OpKind::Verbatim(s) | OpKind::Extern(s) => {
                out.insert(op.results[0], s.clone());
            }
            _ => {}
        }
        for reg in op.regions() {
            consts(reg, out);
        }
    }
}

/// Builds the companion of `func`. `activity[i]` says how parameter `i` is
/// differentiated; `alloc` whether tapes may live in a `Vec`.
pub fn reverse(mut func: Func, activity: &[Activity], alloc: bool) -> Result<Companion, Errors> {
    let active_params: Vec<Value> = func
        .params
        .iter()
        .zip(activity)
        .filter(|(_, a)| **a != Activity::Inactive)
        .map(|(p, _)| *p)
        .collect();
    // Fields of a differentiated struct parameter are differentiated too.
    let active_views: Vec<(Value, usize, Vec<String>)> = func
        .views
        .iter()
        .filter(|(_, p, _)| activity[*p] != Activity::Inactive)
        .cloned()
        .collect();
    let seeds: Vec<Value> = active_params
        .iter()
        .copied()
        .chain(active_views.iter().map(|v| v.0))
        .collect();
    let varied = activity::varied(&func, &seeds);
    let mut consumed_set = IdSet::default();
    func.body.consumed(&func, &mut consumed_set);
    let mut const_set = IdMap::default();
    consts(&func.body, &mut const_set);

    let outs = std::mem::take(&mut func.body.yields);
    let mut fwd = std::mem::take(&mut func.body.ops);
    let d_outs: Vec<Value> = outs.iter().map(|o| func.new_value(func.ty(*o))).collect();
    func.params.extend(&d_outs);

    // `&` arrays: their cotangent is the caller's shadow, updated in place.
    let mut adj = Adjoints::default();
    let params = func.params.clone();
    for (p, a) in params.iter().zip(activity) {
        if *a == Activity::Shadowed && matches!(func.ty(*p), Ty::Array(_) | Ty::Struct(_)) {
            let shadow = func.new_value(func.ty(*p));
            func.params.push(shadow);
            adj.insert(*p, shadow);
        }
    }

    let r = Reverser {
        varied: &varied,
        consumed: &consumed_set,
        consts: &const_set,
        alloc,
        errors: std::cell::RefCell::new(Errors::default()),
        fusable: std::cell::RefCell::new(Vec::new()),
        region_reads: std::cell::RefCell::new(IdMap::default()),
    };
    let mut b = Builder::new(&mut func);
    // A struct by value: its gradient is a zero struct the fields add into.
    for (p, a) in params.iter().zip(activity) {
        if *a == Activity::Active && matches!(b.ty(*p), Ty::Struct(_)) {
            let z = b.zero_like(*p);
            adj.insert(*p, z);
        }
    }
    // An array field's cotangent is that field of the struct's cotangent.
    let struct_params: Vec<Value> = params.clone();
    for (v, p, fields) in &active_views {
        if matches!(b.ty(*v), Ty::Array(_)) {
            if let Some(&base) = adj.get(&struct_params[*p]) {
                let ty = b.ty(*v);
                let view = b.push(OpKind::View(base, fields.clone()), ty);
                adj.insert(*v, view);
            }
        }
    }
    for (o, d) in outs.iter().zip(&d_outs) {
        r.accumulate(&mut b, &mut adj, *o, Grad::Full(*d));
    }
    r.ops(&mut b, &mut fwd, &mut adj);
    // A float field's cotangent is added into that field at the end. The final
    // versions of the fields' cotangents are yielded (after the gradients, where
    // the emitter does not look) so that DCE keeps what updates them in place.
    let mut in_place = Vec::new();
    for (v, p, fields) in &active_views {
        if b.ty(*v) == Ty::Float {
            if let (Some(&g), Some(&base)) = (adj.get(v), adj.get(&struct_params[*p])) {
                let view = b.push(OpKind::View(base, fields.clone()), Ty::Float);
                in_place.push(b.push(OpKind::AddAt(view, Vec::new(), g), Ty::Float));
            }
        } else if let Some(&g) = adj.get(v) {
            in_place.push(g);
        }
    }
    let grads: Vec<Value> = active_params
        .iter()
        .map(|p| match adj.get(p) {
            Some(&g) => g,
            None => b.zero_like(*p),
        })
        .collect();
    let rev = std::mem::take(&mut b.ops);
    let errors = r.errors.into_inner();
    if !errors.is_empty() {
        return Err(errors);
    }
    fwd.extend(rev);
    crate::fusion::fuse(&func, &mut fwd, r.fusable.into_inner());
    let outputs = outs.len();
    func.body = Region {
        args: Vec::new(),
        ops: fwd,
        yields: outs.into_iter().chain(grads).chain(in_place).collect(),
    };
    Ok(Companion { func, outputs })
}
