//! Linearity: every array (and struct value) version is used linearly, established after lowering
//! and again on the companion (`linearize_companion`).
//!
//! The emitter keeps all versions of an array in one mutable Rust variable and
//! updates it in place (`store a[i], x` writes into `a`'s buffer). That is only
//! right when nothing reads a version after an op consumed it (a store, an add-at,
//! a push, or a loop that carries it and so updates its buffer). Lowering binds
//! names to values, so the same version can be reachable twice: `let start =
//! b.pos;` then `b.pos[0] += …`; `u = v;` then `v[0] = …`; one array as the
//! initial value of two carried variables. This pass finds each consuming op
//! whose operand is still read afterwards (later in its region, by the region's
//! yields, or after the enclosing op) and gives the op a fresh copy to consume:
//! `c = copy a; a' = store c[i], x`. Readers of `a` keep reading `a`.
//!
//! A view (a field path of a struct parameter, `p.w`) or a `no_grad` of an array
//! shares storage with what it was taken from, so an op never consumes one
//! directly: it consumes a copy (`let mut out = self.b; out[i] += …`).
//!
//! `ir::verify` checks the result: no value is read after it is consumed.

use crate::ir::{Func, Op, OpKind, Region, Ty, Value};
use crate::ir::{IdMap, IdSet, Len};

/// Makes every array version of `func` used linearly (see the module doc).
pub fn linearize(func: &mut Func) {
    linearize_with(func, true);
}

/// The same for a companion: its views are the shadows of struct parameters,
/// which the reverse sweep accumulates into in place, so only reads after a
/// consuming op get copies (a residual the forward sweep went on to update).
pub fn linearize_companion(func: &mut Func) {
    linearize_with(func, false);
}

fn linearize_with(func: &mut Func, views_alias: bool) {
    // `r = if c { x } else { x }`: `r` is `x` (the emitter would keep both in one
    // buffer), so its readers read `x` and the analysis below sees them.
    let mut same = IdMap::default();
    let mut body = std::mem::take(&mut func.body);
    forward_same_yields(func, &mut body, &mut same);
    if !same.is_empty() {
        let resolve = |mut v: Value| {
            while let Some(&x) = same.get(&v) {
                v = x;
            }
            v
        };
        body.map_uses(&mut |v| resolve(v));
    }
    func.body = body;
    let mut aliases = IdSet::default();
    if views_alias {
        aliases.extend(func.views.iter().map(|v| v.0));
        collect_aliases(&func.body, &mut aliases);
    }
    let body = std::mem::take(&mut func.body);
    func.body = region(func, body, &IdSet::default(), &aliases);
}

/// Removes from their `if`s the array results that both branches yield as one
/// value, recording `r → x` in `out`.
fn forward_same_yields(func: &Func, r: &mut Region, out: &mut IdMap<Value>) {
    for op in &mut r.ops {
        if let OpKind::If(_, t, e) = &mut op.kind {
            let same: Vec<bool> = (0..op.results.len())
                .map(|k| t.yields[k] == e.yields[k] && copyable(func, op.results[k]))
                .collect();
            for (k, res) in op.results.iter().enumerate() {
                if same[k] {
                    out.insert(*res, t.yields[k]);
                }
            }
            for reg in [&mut *t, &mut *e] {
                let mut k = 0..;
                reg.yields.retain(|_| !same[k.next().unwrap_or(0)]);
            }
            let mut k = 0..;
            op.results.retain(|_| !same[k.next().unwrap_or(0)]);
        }
        match &mut op.kind {
            OpKind::If(_, t, e) => {
                forward_same_yields(func, t, out);
                forward_same_yields(func, e, out);
            }
            OpKind::Loop(l) => {
                forward_same_yields(func, &mut l.body, out);
                if let crate::ir::LoopKind::While(c) = &mut l.kind {
                    forward_same_yields(func, c, out);
                }
            }
            _ => {}
        }
    }
}

/// Values that share storage with another value: `View`s and `StopGrad`s of
/// arrays (the emitter gives them the buffer of their operand).
fn collect_aliases(r: &Region, out: &mut IdSet) {
    for op in &r.ops {
        if matches!(op.kind, OpKind::View(..) | OpKind::StopGrad(_)) {
            out.extend(op.results.iter().copied());
        }
        for reg in op.regions() {
            collect_aliases(reg, out);
        }
    }
}

/// Whether `v` is an array or a struct value the emitter updates in place
/// (and can copy: a struct is cloned).
fn copyable(func: &Func, v: Value) -> bool {
    matches!(func.ty(v), Ty::Struct(_))
        || func
            .array(func.ty(v))
            .is_some_and(|t| matches!(t.len, Len::Const(_) | Len::View | Len::Vec))
}

/// The arrays `op` reads, in its regions too (those defined outside them).
fn array_reads(func: &Func, op: &Op, out: &mut IdSet) {
    out.extend(op.operands().into_iter().filter(|v| copyable(func, *v)));
    for reg in op.regions() {
        out.extend(reg.free_uses().into_iter().filter(|v| copyable(func, *v)));
    }
}

/// `r` with a copy before each op that would consume a version read after it.
/// `live_out`: the arrays read after the op that owns `r`.
fn region(func: &mut Func, r: Region, live_out: &IdSet, aliases: &IdSet) -> Region {
    // Backwards: the arrays read after each op.
    let mut live = live_out.clone();
    live.extend(r.yields.iter().copied().filter(|v| copyable(func, *v)));
    let mut after = Vec::with_capacity(r.ops.len());
    for op in r.ops.iter().rev() {
        after.push(live.clone());
        array_reads(func, op, &mut live);
    }
    after.reverse();

    let mut ops = Vec::with_capacity(r.ops.len());
    for (mut op, live) in r.ops.into_iter().zip(after) {
        let must_copy = |func: &Func, v: Value, taken: &IdSet| {
            copyable(func, v) && (live.contains(&v) || aliases.contains(&v) || taken.contains(&v))
        };
        match &mut op.kind {
            OpKind::Store(a, ..)
            | OpKind::AddAt(a, ..)
            | OpKind::Push(a, _)
            | OpKind::PushAt(a, ..)
                if must_copy(func, *a, &IdSet::default()) =>
            {
                *a = copy(func, *a, &mut ops);
            }
            OpKind::Loop(l) => {
                // The loop carries each array in its init's buffer: an init still
                // read afterwards, read inside the loop as itself, or carried
                // twice gets a buffer of its own.
                let mut reads = IdSet::default();
                for reg in op_regions(&l.body, &l.kind) {
                    reads.extend(reg.free_uses());
                }
                let mut taken = IdSet::default();
                for init in &mut l.inits {
                    if must_copy(func, *init, &taken)
                        || (copyable(func, *init) && reads.contains(init))
                    {
                        *init = copy(func, *init, &mut ops);
                    }
                    taken.insert(*init);
                }
                // Outer arrays the body reads stay live through every iteration.
                let mut inner_live = live.clone();
                inner_live.extend(reads.iter().copied().filter(|v| copyable(func, *v)));
                let body = std::mem::take(&mut l.body);
                l.body = region(func, body, &inner_live, aliases);
                if let crate::ir::LoopKind::While(c) = &mut l.kind {
                    let cond = std::mem::take(c);
                    *c = region(func, cond, &inner_live, aliases);
                }
            }
            OpKind::If(_, t, e) => {
                let (tr, er) = (std::mem::take(t), std::mem::take(e));
                *t = region(func, tr, &live, aliases);
                *e = region(func, er, &live, aliases);
            }
            // An output array passed on (`f(x, &mut u)` after `u = v;`): the
            // callee writes it in place, so it gets a copy when still read.
            OpKind::CallFn(c, args) => {
                let mut taken = IdSet::default();
                for (a, _) in args.iter_mut().zip(&c.outs).filter(|(_, o)| **o) {
                    if must_copy(func, *a, &taken) {
                        *a = copy(func, *a, &mut ops);
                    }
                    taken.insert(*a);
                }
            }
            _ => {}
        }
        ops.push(op);
    }
    Region {
        args: r.args,
        ops,
        yields: r.yields,
    }
}

/// The regions of a loop, its condition first.
fn op_regions<'a>(body: &'a Region, kind: &'a crate::ir::LoopKind) -> Vec<&'a Region> {
    match kind {
        crate::ir::LoopKind::While(c) => vec![c, body],
        crate::ir::LoopKind::Range { .. } => vec![body],
    }
}

/// `copy a`, pushed onto `ops`; its result.
fn copy(func: &mut Func, a: Value, ops: &mut Vec<Op>) -> Value {
    let ty: Ty = func.ty(a);
    let c = func.new_value(ty);
    ops.push(Op {
        results: vec![c],
        kind: OpKind::Copy(a),
    });
    c
}
