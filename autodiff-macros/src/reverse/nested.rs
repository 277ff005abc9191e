//! Nested differentiation: the reverse sweep of a call of another function's
//! companion (`f_backward(…)`, `f_forward(…)`) in a `#[grad]` body.
//!
//! Both are routed through `f_backward_forward` (emitted by `#[grad(hvp)]`):
//! the VJP of a gradient is a Hessian-vector product.
//!
//! * `(v, g…) = f_backward(x…, d)` with cotangents `(v̄, ḡ…)`: the forward mode of
//!   `f_backward` in the direction `(ḡ…, v̄)` gives `d·H·ḡ + v̄·∇f = x̄` (the
//!   Hessian is symmetric) and `∇f·ḡ = d̄`.
//! * `(v, j) = f_forward(x, t, …)` with cotangents `(v̄, j̄)`: `f_backward_forward`
//!   at `(x, t, …)` with `d_out = j̄` and its tangent `v̄` gives `j̄·∇f = t̄` and
//!   `j̄·H·t + v̄·∇f = x̄`.

use super::*;
use quote::format_ident;
use syn::ext::IdentExt;

/// Which companion a call calls.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nested {
    Backward,
    Forward,
}

/// Whether `callee` is another function's companion, and which.
pub(crate) fn nested(callee: &crate::ir::Callee) -> Option<Nested> {
    let name = callee.path.segments.last()?.ident.unraw().to_string();
    if name.ends_with("_backward") {
        Some(Nested::Backward)
    } else if name.ends_with("_forward") {
        Some(Nested::Forward)
    } else {
        None
    }
}

/// The path of `f_backward_forward` for a call of `f_backward` or `f_forward`.
pub(crate) fn backward_forward_path(path: &syn::Path, kind: Nested) -> syn::Path {
    let mut path = path.clone();
    if let Some(last) = path.segments.last_mut() {
        let name = last.ident.unraw().to_string();
        let suffix = match kind {
            Nested::Backward => "_backward",
            Nested::Forward => "_forward",
        };
        let base = name.strip_suffix(suffix).unwrap_or(&name);
        last.ident = format_ident!("{base}_backward_forward", span = last.ident.span());
    }
    path
}

impl Reverser<'_> {
    /// The reverse of a call of a companion (see the module doc). `args` are the
    /// call's arguments, `gs` the cotangents of its results.
    pub(super) fn nested_call(
        &self,
        b: &mut Builder,
        op: &Op,
        kind: Nested,
        args: &[Value],
        gs: &[Option<Value>],
        adj: &mut Adjoints,
    ) {
        let OpKind::CallFn(callee, _) = &op.kind else {
            return;
        };
        if callee.refs.iter().chain(&callee.outs).any(|r| *r) || callee.unit {
            self.errors.borrow_mut().push(syn::Error::new_spanned(
                &callee.path,
                "differentiating a call of a companion is supported for arguments by value: pass arrays by value (`[f64; N]`), not by `&` or `&mut`",
            ));
            return;
        }
        let diff = |b: &Builder, k: usize| !callee.stop[k] && b.func.differentiable(b.ty(args[k]));
        let cot = |b: &mut Builder, k: usize| match gs.get(k).copied().flatten() {
            Some(g) => g,
            None => b.zero_like(op.results[k]),
        };
        // The call's arguments with their tangents, then `d_out` and its tangent;
        // `targets`: which argument each tangent of a gradient goes to, and
        // which argument each gradient goes to (reverse over forward).
        let mut fargs = Vec::new();
        let mut stop = Vec::new();
        let mut grad_of = Vec::new();
        let mut tangent_grad_of = Vec::new();
        match kind {
            Nested::Backward => {
                let Some((&d, params)) = args.split_last() else {
                    return;
                };
                let mut j = 0;
                for (k, &a) in params.iter().enumerate() {
                    fargs.push(a);
                    stop.push(callee.stop[k]);
                    if diff(b, k) {
                        j += 1;
                        fargs.push(cot(b, j));
                        stop.push(false);
                        tangent_grad_of.push(Some(a));
                    }
                }
                let v_bar = cot(b, 0);
                fargs.extend([d, v_bar]);
                stop.extend([false, false]);
                // `d̄ = ∇f·ḡ`: the tangent of the value.
                grad_of.push(Some(d));
            }
            Nested::Forward => {
                let mut k = 0;
                while k < args.len() {
                    let a = args[k];
                    fargs.push(a);
                    stop.push(callee.stop[k]);
                    if diff(b, k) && k + 1 < args.len() {
                        let t = args[k + 1];
                        fargs.push(t);
                        stop.push(false);
                        tangent_grad_of.push(Some(a));
                        grad_of.push(Some(t));
                        k += 2;
                    } else {
                        k += 1;
                    }
                }
                let (v_bar, j_bar) = (cot(b, 0), cot(b, 1));
                fargs.extend([j_bar, v_bar]);
                stop.extend([false, false]);
            }
        }
        let n_grads = tangent_grad_of.len();
        let n = fargs.len();
        let c = crate::ir::Callee {
            path: backward_forward_path(&callee.path, kind),
            refs: vec![false; n],
            stop,
            tuple: n_grads > 0,
            outs: vec![false; n],
            unit: false,
            forward: true,
        };
        // Results: the value and the gradients, then their tangents.
        let out_ty = b.ty(fargs[n - 2]);
        let mut results = vec![b.func.new_value(out_ty)];
        let grad_vals: Vec<Value> = tangent_grad_of
            .iter()
            .map(|a| b.func.new_value(b.ty(a.unwrap_or(fargs[0]))))
            .collect();
        results.extend(&grad_vals);
        let t_value = b.func.new_value(out_ty);
        results.push(t_value);
        let t_grads: Vec<Value> = tangent_grad_of
            .iter()
            .map(|a| b.func.new_value(b.ty(a.unwrap_or(fargs[0]))))
            .collect();
        results.extend(&t_grads);
        b.ops.push(Op {
            results,
            kind: OpKind::CallFn(Box::new(c), fargs),
        });
        for (a, tg) in tangent_grad_of.iter().zip(&t_grads) {
            if let Some(a) = a {
                self.accumulate(b, adj, *a, Grad::Full(*tg));
            }
        }
        match kind {
            Nested::Backward => {
                if let Some(Some(d)) = grad_of.first() {
                    self.accumulate(b, adj, *d, Grad::Full(t_value));
                }
            }
            Nested::Forward => {
                for (t, g) in grad_of.iter().zip(&grad_vals) {
                    if let Some(t) = t {
                        self.accumulate(b, adj, *t, Grad::Full(*g));
                    }
                }
            }
        }
    }
}
