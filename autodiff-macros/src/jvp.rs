//! The forward-mode transformation: the forward IR → the IR of `<name>_forward`.
//!
//! Every op is followed by the op computing its result's tangent from its
//! operands' tangents: one pass, in program order, no tape and no storage
//! beyond the tangents. Which values have a tangent is the forward half of
//! activity analysis (`activity.rs`): a value has one exactly when it depends on
//! a differentiated parameter; an operand without one contributes zero (a zero
//! is built only where a tangent must exist: a store's array, a carried value,
//! a call's argument).
//!
//! * **One rule table for both modes.** A scalar op's tangent is built from its
//!   reverse rule (`rules::vjp`): every rule is linear in the incoming
//!   cotangent, so asking it with the tangent of operand `x` in place of the
//!   cotangent gives `∂out/∂x · ẋ`, and the tangent is the sum of that over the
//!   op's operands. What the rule builds for the other operands is dead and DCE
//!   removes it. The two directions cannot disagree (`tests/modes.rs` checks
//!   ⟨ȳ, J·ẋ⟩ = ⟨Jᵀ·ȳ, ẋ⟩ for every primitive and op).
//! * **Structural ops** (add, select, loads and stores, array and struct
//!   literals, copies, pushes) are linear: their tangent is the same op on the
//!   tangents.
//! * **`if`** yields the tangents of its results beside them; a **loop** carries
//!   the tangents of its carried values beside them.
//! * **Calls** of `#[grad]` functions call their `_forward` companion, each
//!   differentiable argument followed by its tangent.

use crate::activity;
use crate::error::Errors;
use crate::ir::{
    BinOp, Builder, Func, IdMap, IdSet, Loop, LoopKind, Op, OpKind, Region, UnOp, Value,
};
use crate::reverse::{Activity, Companion};
use crate::rules::{self, Grad};
use quote::format_ident;
use syn::ext::IdentExt;

/// The tangent of each value that has one (absent: zero).
type Tangents = IdMap<Value>;

struct Jvp<'v> {
    varied: &'v IdSet,
    /// The new, empty `Vec`s (`Vec::new()`, `with_capacity(n)`: tapes), each
    /// with its capacity.
    fresh: IdMap<Option<Value>>,
    errors: std::cell::RefCell<Errors>,
}

/// Builds `<name>_forward`'s IR from the forward IR of `func`.
///
/// Parameters: the original ones, then one tangent per differentiated
/// parameter (in order). Views of a differentiated struct parameter get a view
/// of its tangent (`Func::views`, with the tangent's index among the params).
/// Body yields: the primal outputs, their tangents, then per output parameter
/// its final contents and their tangent (`Companion::write_back` says which
/// buffer each goes to).
pub fn jvp(mut func: Func, activity: &[Activity]) -> Result<Companion, Errors> {
    let n = func.params.len();
    let params = func.params.clone();
    let mut t = Tangents::default();
    let mut tangent_params = Vec::new();
    let mut param_tangent = vec![None; n];
    for (i, (p, a)) in params.iter().zip(activity).enumerate() {
        if *a != Activity::Inactive {
            let tv = func.new_value(func.ty(*p));
            func.params.push(tv);
            t.insert(*p, tv);
            tangent_params.push(*p);
            param_tangent[i] = Some(func.params.len() - 1);
        }
    }
    let mut seeds: Vec<Value> = tangent_params.clone();
    for (v, p, fields) in func.views.clone() {
        if let Some(k) = param_tangent[p] {
            let tv = func.new_value(func.ty(v));
            func.views.push((tv, k, fields));
            t.insert(v, tv);
            seeds.push(v);
        }
    }
    let varied = activity::varied(&func, &seeds);
    let body = std::mem::take(&mut func.body);
    let mut fresh = IdMap::default();
    new_vecs(&body, &mut fresh);
    let mut outs = body.yields;
    let n_out = activity.iter().filter(|a| **a == Activity::Out).count();
    let finals = outs.split_off(outs.len().saturating_sub(n_out));
    let j = Jvp {
        varied: &varied,
        fresh,
        errors: Default::default(),
    };
    let mut b = Builder::new(&mut func);
    j.ops(&mut b, body.ops, &mut t);
    let t_outs: Vec<Value> = outs.iter().map(|o| j.tangent(&mut b, &t, *o)).collect();
    let mut yields: Vec<Value> = outs.iter().chain(&t_outs).copied().collect();
    let mut write_back = Vec::new();
    let out_params = params.iter().zip(activity).enumerate();
    let out_params = out_params.filter(|(_, (_, a))| **a == Activity::Out);
    for ((i, (p, _)), fin) in out_params.zip(&finals) {
        write_back.push((*p, yields.len()));
        yields.push(*fin);
        let tf = j.tangent(&mut b, &t, *fin);
        if let Some(k) = param_tangent[i] {
            write_back.push((b.func.params[k], yields.len()));
        }
        yields.push(tf);
    }
    let ops = std::mem::take(&mut b.ops);
    let errors = j.errors.into_inner();
    if !errors.is_empty() {
        return Err(errors);
    }
    let outputs = outs.len();
    func.body = Region {
        args: Vec::new(),
        ops,
        yields,
    };
    Ok(Companion {
        func,
        outputs,
        write_back,
    })
}

/// The results of `Vec::new()` / `Vec::with_capacity(n)` in `r` and the
/// regions inside it, with their capacities.
fn new_vecs(r: &Region, out: &mut IdMap<Option<Value>>) {
    for op in &r.ops {
        if let (OpKind::VecNew(cap), [v]) = (&op.kind, &op.results[..]) {
            out.insert(*v, *cap);
        }
        for inner in op.regions() {
            new_vecs(inner, out);
        }
    }
}

impl Jvp<'_> {
    /// The tangent of `v`, a zero of its type where it has none: of a new,
    /// empty `Vec`, another (a zero shaped like it would need its elements to
    /// be `Tangent`s, which the tape of a loop of `Vec`s is not).
    fn tangent(&self, b: &mut Builder, t: &Tangents, v: Value) -> Value {
        match (t.get(&v), self.fresh.get(&v)) {
            (Some(&tv), _) => tv,
            (None, Some(cap)) => {
                let ty = b.ty(v);
                b.push(OpKind::VecNew(*cap), ty)
            }
            (None, None) => b.zero_like(v),
        }
    }

    /// `ops` and their tangents, appended to `b`.
    fn ops(&self, b: &mut Builder, ops: Vec<Op>, t: &mut Tangents) {
        for op in ops {
            match op.kind {
                OpKind::If(c, then_r, else_r) => self.if_op(b, op.results, c, then_r, else_r, t),
                OpKind::Loop(l) => self.loop_op(b, op.results, *l, t),
                OpKind::CallFn(..) => self.call_op(b, op, t),
                // In a companion (`hvp`): the callee's `_backward_forward`.
                OpKind::CallBack(..) if op.operands().iter().any(|v| self.varied.contains(v)) => {
                    self.call_back(b, op, t)
                }
                _ => {
                    let out = (op.results.len() == 1).then(|| op.results[0]);
                    let kind = op.kind.clone();
                    b.ops.push(op);
                    let Some(out) = out else { continue };
                    if !self.varied.contains(&out) {
                        continue;
                    }
                    if let Some(tv) = self.op(b, &kind, out, t) {
                        t.insert(out, tv);
                    }
                }
            }
        }
    }

    /// The tangent of a single-result op's result (`None`: zero).
    fn op(&self, b: &mut Builder, kind: &OpKind, out: Value, t: &Tangents) -> Option<Value> {
        let ty = b.ty(out);
        let get = |v: &Value| t.get(v).copied();
        Some(match kind {
            OpKind::Unary(UnOp::Neg, a) => {
                let ta = get(a)?;
                b.neg(ta)
            }
            OpKind::Binary(op @ (BinOp::Add | BinOp::Sub), x, y) => match (get(x), get(y)) {
                (Some(tx), Some(ty)) => b.bin(*op, tx, ty),
                (Some(tx), None) => tx,
                (None, Some(ty)) if *op == BinOp::Add => ty,
                (None, Some(ty)) => b.neg(ty),
                (None, None) => return None,
            },
            OpKind::Select(c, x, y) => {
                if get(x).is_none() && get(y).is_none() {
                    return None;
                }
                let tx = self.tangent(b, t, *x);
                let ty = self.tangent(b, t, *y);
                b.select(*c, tx, ty)
            }
            // The primal's type: a row of a field of unknown shape is an array,
            // which the tangent's own type (unknown shape) would not say.
            OpKind::Load(a, idx) => {
                let ta = get(a)?;
                b.push(OpKind::Load(ta, idx.clone()), ty)
            }
            // The stored element's tangent replaces the old element's.
            OpKind::Store(a, idx, x) => {
                let ta = self.tangent(b, t, *a);
                let tx = self.tangent(b, t, *x);
                b.push(OpKind::Store(ta, idx.clone(), tx), ty)
            }
            OpKind::AddAt(a, idx, x) => match get(x) {
                None => get(a)?,
                Some(tx) => {
                    let ta = self.tangent(b, t, *a);
                    b.push(OpKind::AddAt(ta, idx.clone(), tx), ty)
                }
            },
            OpKind::Splat(x) => {
                let tx = get(x)?;
                b.push(OpKind::Splat(tx), ty)
            }
            OpKind::VecSplat(x, len) => {
                let tx = get(x)?;
                b.push(OpKind::VecSplat(tx, *len), ty)
            }
            OpKind::ArrayLit(xs) => {
                let txs = xs.iter().map(|x| self.tangent(b, t, *x)).collect();
                b.push(OpKind::ArrayLit(txs), ty)
            }
            OpKind::Copy(a) => {
                let ta = get(a)?;
                b.push(OpKind::Copy(ta), ty)
            }
            OpKind::Push(v, x) => {
                let tv = self.tangent(b, t, *v);
                let tx = self.tangent(b, t, *x);
                b.push(OpKind::Push(tv, tx), ty)
            }
            OpKind::PushAt(v, x, at) => {
                let tv = self.tangent(b, t, *v);
                let tx = self.tangent(b, t, *x);
                b.push(OpKind::PushAt(tv, tx, *at), ty)
            }
            // A field without a float in it (a count, a flag) has its own zero.
            OpKind::StructLit(name, fs) => {
                let tfs = fs
                    .iter()
                    .map(|(f, v)| (f.clone(), self.tangent(b, t, *v)))
                    .collect();
                b.push(OpKind::StructLit(name.clone(), tfs), ty)
            }
            OpKind::SumAll(a) => {
                let ta = get(a)?;
                b.push(OpKind::SumAll(ta), ty)
            }
            // A field of a struct's tangent (of a gradient, under `hvp`).
            OpKind::View(a, fields) => {
                let ta = get(a)?;
                b.push(OpKind::View(ta, fields.clone()), ty)
            }
            // Values without a derivative (by the same conventions as the
            // reverse rules: casts, methods of data, `no_grad`) or zeros.
            OpKind::Const(_)
            | OpKind::Verbatim(_)
            | OpKind::Extern(_)
            | OpKind::Cmp(..)
            | OpKind::Method(..)
            | OpKind::Cast(..)
            | OpKind::Zeros
            | OpKind::ZerosLike(_)
            | OpKind::VecNew(_)
            | OpKind::StopGrad(_)
            | OpKind::Unary(UnOp::Not, _)
            | OpKind::Effect(_) => return None,
            // Regions and calls are `ops`' business; a companion call appears
            // only in a companion, which `hvp` differentiates when it has none.
            OpKind::If(..) | OpKind::Loop(_) | OpKind::CallFn(..) | OpKind::CallBack(..) => {
                return None
            }
            // The scalar ops, through their reverse rules: Σ ∂out/∂x · ẋ over
            // the distinct operands x with a tangent.
            OpKind::Binary(..) | OpKind::Call(..) => {
                let mut seen = IdSet::default();
                let mut sum: Option<Value> = None;
                for x in kind_operands(kind) {
                    let Some(tx) = get(&x) else { continue };
                    if !seen.insert(x) {
                        continue;
                    }
                    for (w, g) in rules::vjp(b, kind, out, tx) {
                        if let (true, Grad::Full(c)) = (w == x, g) {
                            sum = Some(match sum {
                                Some(s) => b.add(s, c),
                                None => c,
                            });
                        }
                    }
                }
                sum?
            }
        })
    }

    /// An `if`: each branch followed by its tangents, which it yields beside
    /// its results.
    fn if_op(
        &self,
        b: &mut Builder,
        results: Vec<Value>,
        c: Value,
        then_r: Region,
        else_r: Region,
        t: &mut Tangents,
    ) {
        let with: Vec<usize> = (0..results.len())
            .filter(|k| self.varied.contains(&results[*k]))
            .collect();
        let then_r = self.branch(b, then_r, &with, t);
        let else_r = self.branch(b, else_r, &with, t);
        let mut all = results.clone();
        for &k in &with {
            let tr = b.func.new_value(b.ty(results[k]));
            all.push(tr);
            t.insert(results[k], tr);
        }
        b.ops.push(Op {
            results: all,
            kind: OpKind::If(c, then_r, else_r),
        });
    }

    fn branch(&self, b: &mut Builder, r: Region, with: &[usize], t: &mut Tangents) -> Region {
        let Region { args, ops, yields } = r;
        let (ops, yields) = b.region(|b| {
            self.ops(b, ops, t);
            let ts: Vec<Value> = with
                .iter()
                .map(|k| self.tangent(b, t, yields[*k]))
                .collect();
            yields.into_iter().chain(ts).collect()
        });
        Region { args, ops, yields }
    }

    /// A loop carrying the tangents of its carried values beside them (after
    /// them: args `[i, carried…, tangents…]`, yields `[next…, tangents…, go?]`,
    /// results `[carried…, tangents…, end?]`).
    fn loop_op(&self, b: &mut Builder, results: Vec<Value>, mut l: Loop, t: &mut Tangents) {
        let n = l.inits.len();
        let with: Vec<usize> = (0..n)
            .filter(|j| self.varied.contains(&l.body.args[j + 1]))
            .collect();
        for &j in &with {
            let ti = self.tangent(b, t, l.inits[j]);
            l.inits.push(ti);
        }
        for &j in &with {
            let arg = l.body.args[j + 1];
            let ta = b.func.new_value(b.ty(arg));
            l.body.args.push(ta);
            t.insert(arg, ta);
        }
        if let LoopKind::While(c) = &mut l.kind {
            // The condition reads the carried values only; its tangent args are
            // there for the arity.
            for &j in &with {
                let ty = b.ty(c.args[j]);
                c.args.push(b.func.new_value(ty));
            }
        }
        let body = std::mem::take(&mut l.body);
        let Region { args, ops, yields } = body;
        let (ops, yields) = b.region(|b| {
            self.ops(b, ops, t);
            let ts: Vec<Value> = with
                .iter()
                .map(|j| self.tangent(b, t, yields[*j]))
                .collect();
            let mut ys = yields[..n].to_vec();
            ys.extend(ts);
            ys.extend(&yields[n..]);
            ys
        });
        l.body = Region { args, ops, yields };
        let mut all = results[..n].to_vec();
        for &j in &with {
            let tr = b.func.new_value(b.ty(results[j]));
            all.push(tr);
            t.insert(results[j], tr);
        }
        all.extend(&results[n..]);
        b.ops.push(Op {
            results: all,
            kind: OpKind::Loop(Box::new(l)),
        });
    }

    /// A call of a `#[grad]` function: its `_forward` companion, each
    /// differentiable argument followed by its tangent.
    fn call_op(&self, b: &mut Builder, op: Op, t: &mut Tangents) {
        let OpKind::CallFn(callee, args) = op.kind else {
            return;
        };
        // A call whose results carry no tangent (none depends on a
        // differentiated value, or they are integers: `argmax(&x)`) is only
        // the call.
        if !op.results.iter().any(|r| self.varied.contains(r)) {
            b.ops.push(Op {
                results: op.results,
                kind: OpKind::CallFn(callee, args),
            });
            return;
        }
        let mut c = (*callee).clone();
        if let Some(last) = c.path.segments.last_mut() {
            last.ident = format_ident!("{}_forward", last.ident.unraw(), span = last.ident.span());
        }
        c.forward = true;
        let (mut refs, mut stop, mut outs, mut fargs) = (vec![], vec![], vec![], vec![]);
        // Per argument: the index of its tangent among the call's args.
        let mut out_tangents = Vec::new();
        // The uniform forward companion: an argument without a tangent (a
        // constant, data) is `Skip`, whatever the callee's `wrt`.
        let uniform = callee.uniform_forward();
        let mut skip = Vec::new();
        for (k, &a) in args.iter().enumerate() {
            fargs.push(a);
            refs.push(callee.refs[k]);
            stop.push(callee.stop[k]);
            outs.push(callee.outs[k]);
            let active = callee.outs[k] || self.varied.contains(&a);
            if uniform {
                skip.push(!(active && !callee.stop[k] && b.func.differentiable(b.ty(a))));
            }
            if !callee.stop[k] && b.func.differentiable(b.ty(a)) && (active || !uniform) {
                let ta = self.tangent(b, t, a);
                fargs.push(ta);
                refs.push(callee.refs[k]);
                stop.push(false);
                outs.push(callee.outs[k]);
                if callee.outs[k] {
                    out_tangents.push(Some(ta));
                }
            } else if callee.outs[k] {
                out_tangents.push(None);
            }
        }
        c.refs = refs;
        c.stop = stop;
        c.outs = outs;
        c.skip = skip;
        let n_outs = callee.outs.iter().filter(|o| **o).count();
        let n_val = op.results.len() - n_outs;
        let mut results = op.results[..n_val].to_vec();
        for &r in &op.results[..n_val] {
            let tr = b.func.new_value(b.ty(r));
            results.push(tr);
            t.insert(r, tr);
        }
        for (&r, tangent) in op.results[n_val..].iter().zip(&out_tangents) {
            results.push(r);
            if let Some(ta) = tangent {
                let tr = b.func.new_value(b.ty(*ta));
                results.push(tr);
                t.insert(r, tr);
            }
        }
        b.ops.push(Op {
            results,
            kind: OpKind::CallFn(Box::new(c), fargs),
        });
    }
}

impl Jvp<'_> {
    /// A call of a callee's `_backward` in a companion differentiated again
    /// (`hvp`): its `_backward_forward`, each differentiable argument followed by
    /// its tangent (a `&` one also by its shadow and the shadow's tangent), then
    /// `d_out` and its tangent. Results: the callee's value and by-value
    /// gradients, their tangents, then each shadow and its tangent.
    fn call_back(&self, b: &mut Builder, op: Op, t: &mut Tangents) {
        let OpKind::CallBack(callee, args, ds, shadows) = &op.kind else {
            return;
        };
        if callee.unit || callee.tuple || callee.outs.iter().any(|o| *o) || ds.len() != 1 {
            self.errors.borrow_mut().push(syn::Error::new_spanned(
                &callee.path,
                "`hvp` through this call needs the callee's second-order companion, which exists for functions with one float result and no output parameters: write the callee's body inline",
            ));
            b.ops.push(op);
            return;
        }
        let mut c = (**callee).clone();
        if let Some(last) = c.path.segments.last_mut() {
            last.ident = format_ident!(
                "{}_backward_forward",
                last.ident.unraw(),
                span = last.ident.span()
            );
        }
        c.forward = true;
        let (mut refs, mut stop, mut outs, mut fargs) = (vec![], vec![], vec![], vec![]);
        let mut push = |a: Value, r: bool, s: bool, o: bool| {
            fargs.push(a);
            refs.push(r);
            stop.push(s);
            outs.push(o);
        };
        let mut sh = shadows.iter();
        // Per `&` argument: its shadow and the shadow's tangent, and whether
        // they are scratch (an argument the reverse sweep passed as `Skip`:
        // `_backward_forward` has the plain layout, a slot for every
        // differentiable argument).
        let mut shadow_pairs = Vec::new();
        // Per by-value slot: the reverse sweep's gradient, or none (skipped).
        let mut by_value: Vec<(Value, Option<Value>)> = Vec::new();
        let mut grads = op.results.iter();
        for (k, &a) in args.iter().enumerate() {
            let diff = !callee.stop[k] && b.func.differentiable(b.ty(a));
            push(a, callee.refs[k], callee.stop[k], false);
            if !diff {
                continue;
            }
            let skipped = callee.skip.get(k).copied().unwrap_or(false);
            let ta = self.tangent(b, t, a);
            push(ta, callee.refs[k], false, false);
            if callee.refs[k] {
                let pair = if skipped {
                    let s = crate::reverse::scratch_zero(b, a);
                    let ts = crate::reverse::scratch_zero(b, a);
                    Some((s, ts, true))
                } else {
                    sh.next().map(|&s| (s, self.tangent(b, t, s), false))
                };
                if let Some((s, ts, scratch)) = pair {
                    push(s, false, false, true);
                    push(ts, false, false, true);
                    shadow_pairs.push((s, ts, scratch));
                }
            } else if skipped {
                by_value.push((a, None));
            } else {
                by_value.push((a, grads.next().copied()));
            }
        }
        let d = ds[0];
        let td = self.tangent(b, t, d);
        push(d, false, false, false);
        push(td, false, false, false);
        c.refs = refs;
        c.stop = stop;
        c.outs = outs;
        c.tuple = !by_value.is_empty();
        c.skip = Vec::new();
        // The value (unused by the reverse sweep), the by-value gradients, their
        // tangents, then the shadows and their tangents.
        let n_grads = by_value.iter().filter(|(_, g)| g.is_some()).count();
        let updated = &op.results[n_grads..];
        let ty_out = b.ty(d);
        let value = b.func.new_value(ty_out);
        let t_value = b.func.new_value(ty_out);
        let grads: Vec<Value> = by_value
            .iter()
            .map(|&(a, g)| g.unwrap_or_else(|| b.func.new_value(b.ty(a))))
            .collect();
        let mut results = vec![value];
        results.extend(&grads);
        results.push(t_value);
        for &g in &grads {
            let tg = b.func.new_value(b.ty(g));
            results.push(tg);
            t.insert(g, tg);
        }
        let mut updated = updated.iter();
        for &(s, ts, scratch) in &shadow_pairs {
            let r = if scratch {
                b.func.new_value(b.ty(s))
            } else {
                updated
                    .next()
                    .copied()
                    .unwrap_or_else(|| b.func.new_value(b.ty(s)))
            };
            results.push(r);
            let tr = b.func.new_value(b.ty(ts));
            results.push(tr);
            t.insert(r, tr);
        }
        b.ops.push(Op {
            results,
            kind: OpKind::CallFn(Box::new(c), fargs),
        });
    }
}

/// The operands of a non-region op (in `Op::operands` order).
fn kind_operands(kind: &OpKind) -> Vec<Value> {
    Op {
        results: Vec::new(),
        kind: kind.clone(),
    }
    .operands()
}
