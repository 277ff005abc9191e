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

mod loops;
mod residuals;

/// The companion's IR and how its body's yields map onto the contract.
pub struct Companion {
    /// Parameters: the original ones, then one cotangent per output, then one
    /// shadow per `&` array parameter that is differentiated.
    /// Body yields: the primal outputs, then one gradient per active parameter.
    pub func: Func,
    pub outputs: usize,
    /// Per output parameter, in order: its buffer (a parameter) and the index
    /// of the yield it must hold when the companion returns (the final
    /// contents), then its shadow and the yield of the gradient of the initial
    /// contents. The emitter copies each into its buffer unless it is updated
    /// there in place already.
    pub write_back: Vec<(Value, usize)>,
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
    /// An output array (`&mut`): the forward body's last yields are its final
    /// contents; its shadow carries in their cotangent and leaves holding the
    /// gradient of the initial contents.
    Out,
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
    /// `#[grad(graph)]`: the values whose adjoints are reported.
    graph: Option<&'v crate::graph::Hook>,
}

impl Reverser<'_> {
    /// For `#[grad(graph)]`: reports `g`, the complete cotangent of `v`.
    fn report(&self, b: &mut Builder, v: Value, g: Value) {
        if let Some(hook) = self.graph.filter(|h| h.nodes.contains(&v)) {
            b.ops.push(crate::graph::grad_effect(hook, v, g));
        }
    }

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
                    self.report(b, out, g);
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
        for (r, g) in op.results.iter().zip(&gs) {
            if let Some(g) = g {
                self.report(b, *r, *g);
            }
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
        // The value's results first, then the new versions of output arrays.
        let n_outs = callee.outs.iter().filter(|o| **o).count();
        let n_val = op.results.len() - n_outs;
        let d_outs: Vec<Value> = gs[..n_val]
            .iter()
            .zip(&op.results[..n_val])
            .map(|(g, r)| match g {
                Some(g) => *g,
                None => b.zero_like(*r),
            })
            .collect();
        // An output array's shadow carries in the cotangent of what the callee
        // wrote (zero if nothing reads it) and leaves with its initial one.
        let mut out_incoming = IdMap::default();
        let mut k_out = n_val;
        for (k, &a) in fwd_args.iter().enumerate() {
            if callee.outs[k] {
                let r = op.results[k_out];
                let g = match gs[k_out] {
                    Some(g) => g,
                    None => b.zero_like(r),
                };
                out_incoming.insert(a, g);
                k_out += 1;
            }
        }
        // An argument without a gradient (a constant, data) is passed as
        // `Skip`: the callee may leave its parameter out with `wrt`.
        let mut callee = callee.clone();
        if callee.uniform() {
            callee.skip = fwd_args
                .iter()
                .zip(&callee.outs)
                .map(|(a, &o)| !o && !self.varied.contains(a))
                .collect();
        }
        let callee = &callee;
        // The arguments that get a gradient: by value and by `&`.
        let mut by_value = Vec::new();
        let mut by_ref = Vec::new();
        // Cotangents go to the forward arguments, not to their copies.
        for (k, &a) in fwd_args.iter().enumerate() {
            let skip = callee.skip.get(k).copied().unwrap_or(false);
            if callee.stop[k] || skip || !b.func.differentiable(b.ty(a)) {
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
            if let Some(&g) = out_incoming.get(&a) {
                scratch_of.push(None);
                shadows.push(g);
                continue;
            }
            let ty = b.ty(a);
            let first = seen.insert(a);
            scratch_of.push((!first && self.varied.contains(&a)).then_some(a));
            let incoming = match adj.get(&a) {
                Some(&g) if first && self.varied.contains(&a) => g,
                // Scratch: the callee adds into it, nobody reads it.
                _ => {
                    let slice = matches!(
                        b.func.array(ty).map(|t| t.len.clone()),
                        Some(Len::Slice | Len::Vec)
                    );
                    if slice && !self.alloc {
                        self.errors.borrow_mut().push(syn::Error::new_spanned(
                            &callee.path,
                            "this call passes the same slice twice, whose second shadow needs a scratch gradient buffer, which needs the `alloc` feature of autodiff",
                        ));
                    }
                    scratch_zero(b, a)
                }
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
            if scratch.is_some() || out_incoming.contains_key(a) {
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
pub fn reverse(func: Func, activity: &[Activity], alloc: bool) -> Result<Companion, Errors> {
    reverse_with(func, activity, alloc, None)
}

/// [`reverse`] for `#[grad(graph)]`: the complete cotangent of each of the
/// hook's nodes is reported where the sweep has it (`graph::grad_effect`).
pub fn reverse_graph(
    func: Func,
    activity: &[Activity],
    alloc: bool,
    hook: &crate::graph::Hook,
) -> Result<Companion, Errors> {
    reverse_with(func, activity, alloc, Some(hook))
}

fn reverse_with(
    mut func: Func,
    activity: &[Activity],
    alloc: bool,
    graph: Option<&crate::graph::Hook>,
) -> Result<Companion, Errors> {
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

    let mut outs = std::mem::take(&mut func.body.yields);
    // The final contents of the output parameters come last.
    let n_out = activity.iter().filter(|a| **a == Activity::Out).count();
    let finals = outs.split_off(outs.len().saturating_sub(n_out));
    let mut fwd = std::mem::take(&mut func.body.ops);
    let d_outs: Vec<Value> = outs.iter().map(|o| func.new_value(func.ty(*o))).collect();
    func.params.extend(&d_outs);

    // `&` arrays: their cotangent is the caller's shadow, updated in place. An
    // output array's shadow is the cotangent of its final contents.
    let mut adj = Adjoints::default();
    let params = func.params.clone();
    let mut out_shadows = Vec::new();
    for (p, a) in params.iter().zip(activity) {
        let shadowed =
            *a == Activity::Shadowed && matches!(func.ty(*p), Ty::Array(_) | Ty::Struct(_));
        if shadowed || *a == Activity::Out {
            let shadow = func.new_value(func.ty(*p));
            func.params.push(shadow);
            if shadowed {
                adj.insert(*p, shadow);
            } else {
                out_shadows.push((*p, shadow));
            }
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
        graph,
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
    for (fin, (_, shadow)) in finals.iter().zip(&out_shadows) {
        r.accumulate(&mut b, &mut adj, *fin, Grad::Full(*shadow));
    }
    r.ops(&mut b, &mut fwd, &mut adj);
    // The parameters' (and fields') gradients are complete now.
    for v in params.iter().chain(active_views.iter().map(|(v, _, _)| v)) {
        if let Some(&g) = adj.get(v) {
            r.report(&mut b, *v, g);
        }
    }
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
    // Output parameters: the final contents into the buffer, the gradient of
    // the initial contents into the shadow (yields, so that DCE keeps them and
    // the passes after this one rename them consistently).
    let mut write_back = Vec::new();
    for ((p, shadow), fin) in out_shadows.iter().zip(&finals) {
        let at = outs.len() + grads.len() + in_place.len();
        write_back.push((*p, at));
        in_place.push(*fin);
        if let Some(k) = active_params.iter().position(|a| a == p) {
            write_back.push((*shadow, outs.len() + k));
        }
    }
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
    Ok(Companion {
        func,
        outputs,
        write_back,
    })
}

/// A zero shadow shaped like `a` (a scratch the callee adds into and nobody
/// reads): a `Vec` for a slice, a zero of its type otherwise.
pub(crate) fn scratch_zero(b: &mut Builder, a: Value) -> Value {
    let ty = b.ty(a);
    match b.func.array(ty).map(|t| t.len.clone()) {
        Some(Len::Slice | Len::Vec) => {
            let vty = b
                .func
                .array_ty(b.func.index_ty(ty, 1).unwrap_or(Ty::Float), Len::Vec);
            b.push(OpKind::ZerosLike(a), vty)
        }
        // A call's result of unknown type (a struct, a `Vec`, an array)
        // passed on by `&`: a zero shaped like it.
        Some(Len::View) => b.zero_like(a),
        _ => b.zero(ty),
    }
}
