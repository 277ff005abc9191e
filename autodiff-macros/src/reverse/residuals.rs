//! What a reverse iteration needs from its forward iteration: recomputed when
//! cheap (pure ops of the index and of values fixed during the loop), recorded in
//! a tape otherwise.

use super::loops::{calls_user_code, clone_fresh, index_ops, pruned};
use super::*;

impl Reverser<'_> {
    /// Makes every forward value the reverse body `rev` reads available in it:
    /// the index maps to the reverse index, cheap pure ops are recomputed, the
    /// rest is recorded per iteration in a tape that the forward loop fills.
    /// Returns the ops creating the tapes, to go before the forward loop.
    /// With `record_costly`, math-library calls and inner loops are recorded
    /// rather than run again, when the tape is a small array on the stack.
    pub(super) fn resolve(
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
}

/// How a reverse iteration gets a value of its forward iteration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum How {
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
pub(super) struct Resolve<'a> {
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
    pub(super) fn is_array(&self, v: Value) -> bool {
        matches!(self.func.ty(v), Ty::Array(_))
    }

    /// The values an op reads, inside its regions too.
    pub(super) fn reads(&self, op: &Op) -> Vec<Value> {
        let mut out = op.operands();
        for r in op.regions() {
            out.extend(r.free_uses());
        }
        out
    }

    pub(super) fn how(&self, v: Value, memo: &mut IdMap<How>) -> How {
        if let Some(h) = memo.get(&v) {
            return *h;
        }
        let h = self.decide(v, memo);
        memo.insert(v, h);
        h
    }

    pub(super) fn decide(&self, v: Value, memo: &mut IdMap<How>) -> How {
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
        // An output array a callee wrote: it lives in the caller's buffer,
        // updated later; its readers are recorded instead.
        if let OpKind::CallFn(c, _) = &op.kind {
            let n_val = op.results.len() - c.outs.iter().filter(|o| **o).count();
            if op.results[n_val..].contains(&v) {
                return How::Avoid;
            }
        }
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

/// Whether a tape of this compile-time length is small enough for the stack:
/// a literal up to 4,096, or a constant the function already sizes arrays with.
pub(super) fn small_len(func: &Func, len: &str) -> bool {
    match len.parse::<u64>() {
        Ok(n) => n <= 4096,
        Err(_) => func
            .arrays
            .iter()
            .any(|a| matches!(&a.len, Len::Const(l) if l == len)),
    }
}
