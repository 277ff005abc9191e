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
//! * the ops of the function can be reordered so that the fused loop runs after
//!   what the reverse loop reads and before what reads the forward loop's results
//!   (a stable topological sort that keeps every array's readers before the op
//!   that updates it in place). When no such order exists the loops stay apart.
//!
//! The reverse driver (`reverse.rs`) offers each loop as a [`Candidate`] with
//! its reverse body in the form the fused loop needs (reading the forward
//! iteration's values directly); [`fuse`] decides and rewrites.

use crate::ir::{BinOp, Func, Loop, LoopKind, Op, OpKind, Region, Ty, Value};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

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

/// Fuses every candidate pair it can among the top-level ops of the companion.
pub fn fuse(func: &Func, ops: &mut Vec<Op>, candidates: Vec<Candidate>) {
    for c in candidates {
        if let Some(fused) = fuse_one(func, ops, &c) {
            *ops = fused;
        }
    }
}

/// The ops with the pair of `c` fused, or `None` if it cannot be.
fn fuse_one(func: &Func, ops: &[Op], c: &Candidate) -> Option<Vec<Op>> {
    let ia = ops.iter().position(|o| o.results.first() == Some(&c.fwd))?;
    let ib = ops.iter().position(|o| o.results.first() == Some(&c.rev))?;
    let (OpKind::Loop(a), OpKind::Loop(b)) = (&ops[ia].kind, &ops[ib].kind) else {
        return None;
    };
    if ib <= ia || a.has_break || a.track_end || b.has_break || b.track_end {
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
    let mut inner = HashSet::new();
    a.body.defined(&mut inner);
    let top: HashSet<Value> = a
        .body
        .args
        .iter()
        .chain(a.body.ops.iter().flat_map(|o| &o.results))
        .copied()
        .collect();
    let mut updated = HashSet::new();
    a.body.consumed(func, &mut updated);
    if body
        .free_uses()
        .iter()
        .any(|v| inner.contains(v) && (!top.contains(v) || updated.contains(v)))
    {
        return None;
    }
    // The reverse body updates nothing of the forward one in place.
    let mut rev_updated = HashSet::new();
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
    let fused = Op {
        results: ops[ia]
            .results
            .iter()
            .chain(&ops[ib].results)
            .copied()
            .collect(),
        kind: OpKind::Loop(Box::new(Loop {
            kind: a.kind.clone(),
            inits: a.inits.iter().chain(&b.inits).copied().collect(),
            body: fused_body,
            has_break: false,
            track_end: false,
            span: a.span,
        })),
    };
    let mut list: Vec<Op> = Vec::with_capacity(ops.len() - 1);
    for (i, o) in ops.iter().enumerate() {
        if i == ib {
            list.push(fused.clone());
        } else if i != ia {
            list.push(o.clone());
        }
    }
    schedule(func, list)
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
    count: HashMap<Value, usize>,
    reader: HashMap<Value, usize>,
}

impl Uses {
    fn of(r: &Region) -> Uses {
        let mut count = HashMap::new();
        let mut reader = HashMap::new();
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
fn op_reads(op: &Op) -> HashMap<Value, usize> {
    let mut out = HashMap::new();
    for v in op.operands() {
        *out.entry(v).or_insert(0) += 1;
    }
    let branch = |r: &Region, out: &mut HashMap<Value, usize>, max: bool| {
        let mut here: HashMap<Value, usize> = HashMap::new();
        r.visit_uses(&mut |v| *here.entry(v).or_insert(0) += 1);
        for (v, k) in here {
            let e = out.entry(v).or_insert(0);
            *e = if max { (*e).max(k) } else { *e + k };
        }
    };
    match &op.kind {
        OpKind::If(_, t, e) => {
            let mut arms = HashMap::new();
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

/// The values an op reads (inside its regions too) and those it updates in place.
fn reads_and_updates(func: &Func, op: &Op) -> (Vec<Value>, Vec<Value>) {
    let mut reads = op.operands();
    let mut updates = op.consumes();
    let mut inner = HashSet::new();
    let mut nested = HashSet::new();
    for r in op.regions() {
        reads.extend(r.free_uses());
        r.defined(&mut inner);
        r.consumed(func, &mut nested);
    }
    updates.extend(nested.into_iter().filter(|v| !inner.contains(v)));
    // Scalars are copied: only arrays are updated in place.
    updates.retain(|v| matches!(func.ty(*v), Ty::Array(_)));
    (reads, updates)
}

/// A stable topological order of `ops` (the earliest ready op first) in which
/// every value is defined before it is read and every array version is read
/// before the op that updates it in place; `None` if there is none.
fn schedule(func: &Func, ops: Vec<Op>) -> Option<Vec<Op>> {
    let n = ops.len();
    let def: HashMap<Value, usize> = ops
        .iter()
        .enumerate()
        .flat_map(|(i, o)| o.results.iter().map(move |r| (*r, i)))
        .collect();
    let info: Vec<(Vec<Value>, Vec<Value>)> =
        ops.iter().map(|o| reads_and_updates(func, o)).collect();
    let mut readers: HashMap<Value, Vec<usize>> = HashMap::new();
    for (i, (reads, _)) in info.iter().enumerate() {
        for v in reads {
            readers.entry(*v).or_default().push(i);
        }
    }
    // after[j]: the ops waiting for j; waiting[i]: how many i still waits for.
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting = vec![0usize; n];
    for (i, (reads, updates)) in info.iter().enumerate() {
        let mut deps: HashSet<usize> = reads.iter().filter_map(|v| def.get(v).copied()).collect();
        for x in updates {
            deps.extend(readers.get(x).into_iter().flatten().copied());
        }
        deps.remove(&i);
        waiting[i] = deps.len();
        for j in deps {
            after[j].push(i);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&i| waiting[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &k in &after[i] {
            waiting[k] -= 1;
            if waiting[k] == 0 {
                ready.push(Reverse(k));
            }
        }
    }
    if order.len() != n {
        return None;
    }
    let mut slots: Vec<Option<Op>> = ops.into_iter().map(Some).collect();
    Some(order.into_iter().filter_map(|i| slots[i].take()).collect())
}
