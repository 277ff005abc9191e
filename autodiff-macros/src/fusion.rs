//! Loop fusion: a forward loop and its reverse become one loop that does both
//! per iteration, when nothing the reverse loop starts from depends on what the
//! forward loop computes.
//!
//! That is the shape of every loss summed over data points: `loss += f(x_i)`
//! then `loss / n`. The cotangent of `loss` is known before the loop has run
//! (`d_out / n`), so each iteration can run its forward and, at once, its
//! reverse, reading its own forward values where they are: no second pass over
//! the points, nothing recomputed, nothing recorded, as a gradient written by
//! hand does it. Two conditions make it exact:
//!
//! * the reverse loop only accumulates (each carried cotangent is passed through
//!   unchanged or added into, `d += t` or `d[i] += t`), so its iterations may run
//!   forwards, in the forward loop's order;
//! * the ops between the two loops can be reordered so that the fused loop runs
//!   after what the reverse loop reads and before what reads the forward loop's
//!   results, every array still read before the op that updates it in place.
//!   When they cannot, the loops stay apart.
//!
//! The reverse driver (`reverse/`) offers each loop as a [`Candidate`] with
//! its reverse body in the form the fused loop needs (reading the forward
//! iteration's values directly); [`fuse`] decides and rewrites.

use crate::ir::{BinOp, Func, Loop, LoopKind, Op, OpKind, Region, Ty, Value};
use crate::ir::{IdMap, IdSet};

/// A forward loop and its reverse, offered for fusion.
pub struct Candidate {
    /// The forward loop's first result (names the loop).
    pub fwd: Value,
    /// The reverse loop's first result.
    pub rev: Value,
    /// The reverse loop's body reading the forward iteration's values directly
    /// (no recomputation, no tape); its first arg is the reverse index.
    pub body: Region,
}

/// Fuses every candidate pair it can among the ops of the companion's body,
/// and then inside the loops it fused (an inner loop and its reverse meet in
/// the body of the fused outer loop).
pub fn fuse(func: &Func, ops: &mut Vec<Op>, candidates: Vec<Candidate>) {
    if candidates.is_empty() {
        return;
    }
    let by_fwd: IdMap<usize> = candidates
        .iter()
        .enumerate()
        .map(|(k, c)| (c.fwd, k))
        .collect();
    fuse_region(func, ops, &candidates, &by_fwd);
}

/// Fuses the candidates whose forward loop is among `ops` (in the order they
/// were offered), then looks into the regions of `ops`.
fn fuse_region(func: &Func, ops: &mut Vec<Op>, candidates: &[Candidate], by_fwd: &IdMap<usize>) {
    let mut here: Vec<usize> = ops
        .iter()
        .filter_map(|o| o.results.first().and_then(|r| by_fwd.get(r)).copied())
        .collect();
    here.sort_unstable();
    if !here.is_empty() {
        // What each op reads and updates, computed once (nested regions make
        // it the costly part) and kept aligned with `ops`.
        let mut access: Vec<Access> = ops.iter().map(|o| Access::of(func, o)).collect();
        for c in here.into_iter().map(|k| &candidates[k]) {
            let find = |v: Value| ops.iter().position(|o| o.results.first() == Some(&v));
            let (Some(ia), Some(ib)) = (find(c.fwd), find(c.rev)) else {
                continue;
            };
            if ib <= ia {
                continue;
            }
            let Some(fused) = fused_op(func, &ops[ia], &ops[ib], c) else {
                continue;
            };
            // Only the ops between the two loops move: those before stay
            // before, those after stay after.
            let fused_access = Access::of(func, &fused);
            let Some(order) = schedule(&access[ia + 1..ib], &ops[ia].results, &fused_access) else {
                continue;
            };
            let mut moved: Vec<Option<(Op, Access)>> = ops
                .drain(ia..=ib)
                .zip(access.drain(ia..=ib))
                .skip(1)
                .map(Some)
                .collect();
            moved[ib - ia - 1] = Some((fused, fused_access));
            let (new_ops, new_access): (Vec<Op>, Vec<Access>) =
                order.into_iter().filter_map(|k| moved[k].take()).unzip();
            ops.splice(ia..ia, new_ops);
            access.splice(ia..ia, new_access);
        }
    }
    for op in ops.iter_mut() {
        match &mut op.kind {
            OpKind::If(_, t, e) => {
                fuse_region(func, &mut t.ops, candidates, by_fwd);
                fuse_region(func, &mut e.ops, candidates, by_fwd);
            }
            OpKind::Loop(l) => fuse_region(func, &mut l.body.ops, candidates, by_fwd),
            _ => {}
        }
    }
}

/// The fused loop of the pair `fwd`, `rev` offered as `c`, or `None` if the
/// pair cannot fuse.
fn fused_op(func: &Func, fwd: &Op, rev: &Op, c: &Candidate) -> Option<Op> {
    let (OpKind::Loop(a), OpKind::Loop(b)) = (&fwd.kind, &rev.kind) else {
        return None;
    };
    if a.has_break || a.track_end || b.has_break || b.track_end {
        return None;
    }
    let LoopKind::Range { rev: false, .. } = a.kind else {
        return None;
    };
    let body = &c.body;
    if body.args.len() != b.inits.len() + 1 || !commutes(body) {
        return None;
    }
    // What the reverse body reads of the forward iteration is there at the end of
    // it: defined at the top of the forward body, and not updated in place later.
    let mut inner = IdSet::default();
    a.body.defined(&mut inner);
    let top: IdSet = a
        .body
        .args
        .iter()
        .chain(a.body.ops.iter().flat_map(|o| &o.results))
        .copied()
        .collect();
    let mut updated = IdSet::default();
    a.body.consumed(func, &mut updated);
    if body
        .free_uses()
        .iter()
        .any(|v| inner.contains(v) && (!top.contains(v) || updated.contains(v)))
    {
        return None;
    }
    // The reverse body updates nothing of the forward one in place.
    let mut rev_updated = IdSet::default();
    body.consumed(func, &mut rev_updated);
    if rev_updated.iter().any(|v| inner.contains(v)) {
        return None;
    }

    // The fused loop: the forward body, then the reverse one on the same index.
    let idx = a.body.args[0];
    let mut rev_body = body.clone();
    let idx_r = rev_body.args[0];
    rev_body.map_uses(&mut |v| if v == idx_r { idx } else { v });
    let mut fused_body = a.body.clone();
    fused_body.args.extend(rev_body.args.iter().skip(1));
    fused_body.ops.append(&mut rev_body.ops);
    fused_body.yields.extend(rev_body.yields);
    Some(Op {
        results: fwd.results.iter().chain(&rev.results).copied().collect(),
        kind: OpKind::Loop(Box::new(Loop {
            kind: a.kind.clone(),
            inits: a.inits.iter().chain(&b.inits).copied().collect(),
            body: fused_body,
            has_break: false,
            track_end: false,
            span: a.span,
        })),
    })
}

/// Whether the iterations of a loop with this body commute: each carried value
/// passes through unchanged, or each of its versions is read once, by an op
/// adding into it (`+`, `-` on the left, `+=` into an array, or an inner loop or
/// `if` that does only that).
pub fn commutes(body: &Region) -> bool {
    let n = body.args.len().saturating_sub(1);
    if body.yields.len() != n {
        return false;
    }
    let mut uses = Uses::of(body);
    (0..n).all(|k| {
        let (arg, y) = (body.args[k + 1], body.yields[k]);
        y == arg || uses.walk(body, arg) == Some(k)
    })
}

/// How often each value is read in a region (nested regions and yields
/// included), and which top-level op reads it; computed per region on demand.
struct Uses {
    count: IdMap<usize>,
    reader: IdMap<usize>,
}

impl Uses {
    fn of(r: &Region) -> Uses {
        let mut count = IdMap::default();
        let mut reader = IdMap::default();
        for (i, op) in r.ops.iter().enumerate() {
            for (v, k) in op_reads(op) {
                *count.entry(v).or_insert(0) += k;
                reader.insert(v, i);
            }
        }
        for y in &r.yields {
            *count.entry(*y).or_insert(0) += 1;
        }
        Uses { count, reader }
    }

    /// Follows the value `v` (defined outside `r` or as its arg) through `r` while
    /// each version is read once, by an op adding into it; the index of the
    /// yield where the last version leaves `r`, if it gets there that way.
    fn walk(&mut self, r: &Region, v: Value) -> Option<usize> {
        let mut cur = v;
        loop {
            if self.count.get(&cur) != Some(&1) {
                return None;
            }
            let Some(&i) = self.reader.get(&cur) else {
                return r.yields.iter().position(|y| *y == cur);
            };
            let op = &r.ops[i];
            cur = match &op.kind {
                OpKind::Binary(BinOp::Add, ..) => op.result(),
                OpKind::Binary(BinOp::Sub, a, _) if *a == cur => op.result(),
                OpKind::AddAt(a, ..) if *a == cur => op.result(),
                OpKind::Loop(l) if matches!(l.kind, LoopKind::Range { .. }) => {
                    let j = l.inits.iter().position(|x| *x == cur)?;
                    let mut inner = Uses::of(&l.body);
                    if inner.walk(&l.body, l.body.args[j + 1]) != Some(j) {
                        return None;
                    }
                    op.results[j]
                }
                OpKind::If(c, t, e) if *c != cur => {
                    let j = Uses::of(t).walk(t, cur)?;
                    if Uses::of(e).walk(e, cur) != Some(j) {
                        return None;
                    }
                    op.results[j]
                }
                _ => return None,
            };
        }
    }
}

/// How often an op reads each value, inside its regions too; an `if` reads
/// what one of its branches reads (the one that reads it most).
fn op_reads(op: &Op) -> IdMap<usize> {
    let mut out = IdMap::default();
    for v in op.operands() {
        *out.entry(v).or_insert(0) += 1;
    }
    let branch = |r: &Region, out: &mut IdMap<usize>, max: bool| {
        let mut here: IdMap<usize> = IdMap::default();
        r.visit_uses(&mut |v| *here.entry(v).or_insert(0) += 1);
        for (v, k) in here {
            let e = out.entry(v).or_insert(0);
            *e = if max { (*e).max(k) } else { *e + k };
        }
    };
    match &op.kind {
        OpKind::If(_, t, e) => {
            let mut arms = IdMap::default();
            branch(t, &mut arms, true);
            branch(e, &mut arms, true);
            for (v, k) in arms {
                *out.entry(v).or_insert(0) += k;
            }
        }
        _ => {
            for r in op.regions() {
                branch(r, &mut out, false);
            }
        }
    }
    out
}

/// What an op reads (inside its regions too), updates in place, and defines.
#[derive(Clone)]
struct Access {
    reads: Vec<Value>,
    updates: Vec<Value>,
    defines: Vec<Value>,
}

impl Access {
    fn of(func: &Func, op: &Op) -> Access {
        let mut reads = op.operands();
        let mut updates = op.consumes();
        let mut inner = IdSet::default();
        let mut nested = IdSet::default();
        for r in op.regions() {
            reads.extend(r.free_uses());
            r.defined(&mut inner);
            r.consumed(func, &mut nested);
        }
        updates.extend(nested.into_iter().filter(|v| !inner.contains(v)));
        // Scalars are copied: only arrays are updated in place.
        updates.retain(|v| matches!(func.ty(*v), Ty::Array(_)));
        Access {
            reads,
            updates,
            defines: op.results.clone(),
        }
    }
}

/// The order of the ops between the two loops (`between`, then the fused loop
/// as index `between.len()`): those that do not depend on the forward loop's
/// `results` first, in their order, then the fused loop, then those that do.
/// `None` if that breaks a dependency: the fused loop reads what depends on the
/// results, or an array would be updated in place before one of its readers.
fn schedule(between: &[Access], results: &[Value], fused: &Access) -> Option<Vec<usize>> {
    let mut tainted: IdSet = results.iter().copied().collect();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for (i, a) in between.iter().enumerate() {
        if a.reads.iter().any(|v| tainted.contains(v)) {
            tainted.extend(a.defines.iter().copied());
            after.push(i);
        } else {
            before.push(i);
        }
    }
    if fused.reads.iter().any(|v| tainted.contains(v)) {
        return None;
    }
    // Read after it moved: by the ops that move after the fused loop, and by
    // the fused loop itself (its forward part moved past the ops before it).
    let read_later: IdSet = after
        .iter()
        .flat_map(|&i| between[i].reads.iter().copied())
        .collect();
    let early_update = before
        .iter()
        .flat_map(|&i| &between[i].updates)
        .any(|x| read_later.contains(x) || fused.reads.contains(x));
    if early_update || fused.updates.iter().any(|x| read_later.contains(x)) {
        return None;
    }
    Some(
        before
            .into_iter()
            .chain(std::iter::once(between.len()))
            .chain(after)
            .collect(),
    )
}
