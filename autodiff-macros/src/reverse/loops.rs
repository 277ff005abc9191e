//! The reverse of a loop: a loop over the same indices, backwards, carrying the
//! cotangents; what it needs from the forward iterations comes from `residuals.rs`.

use super::*;

impl Reverser<'_> {
    /// The reverse of a loop; returns ops to insert before the forward loop.
    pub(super) fn loop_op(
        &self,
        b: &mut Builder,
        op: &mut Op,
        later: &[Op],
        adj: &mut Adjoints,
    ) -> Vec<Op> {
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
        // Not for `#[grad(graph)]`: fusion moves the reverse of the ops after
        // the loop before their forward, and the recorder pairs adjoints with
        // values in order.
        let may_fuse = self.graph.is_none()
            && matches!(lp.kind, LoopKind::Range { rev: false, .. })
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

    /// The trip count of a range loop as a compile-time length, if it has one.
    pub(super) fn trip_len(&self, lp: &Loop) -> Option<String> {
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

/// `op` with only the results in `keep` if it is an `if` (its branches cleaned
/// of what only the others needed); any other op as it is.
pub(super) fn pruned(op: &Op, keep: &[Value]) -> Op {
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

/// Whether any of `values` (the reverse loop's initial values) depends on the
/// `results` of its forward loop, through the forward ops after it (`later`)
/// and the reverse ops built so far (`rev`). `reads` keeps what each op with
/// regions reads (those ops are final once here; computing it is the costly part).
pub(super) fn waits_for(
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
pub(super) fn calls_user_code(r: &Region) -> bool {
    r.ops.iter().any(|o| {
        matches!(o.kind, OpKind::CallFn(..)) || o.regions().iter().any(|r| calls_user_code(r))
    })
}

/// A copy of `op` defining fresh values (inside its regions too), reading
/// through `map`; `map` learns the renaming of what it defines.
pub(super) fn clone_fresh(func: &mut Func, op: &Op, map: &mut IdMap<Value>) -> Op {
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
pub(super) fn index_ops(func: &mut Func, kind: &LoopKind, idx: Value, ops: &mut Vec<Op>) -> Value {
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
