//! The reverse-mode transformation: the forward IR → the companion's IR.
//!
//! The companion runs the forward ops unchanged, then the reverse sweep: ops in
//! reverse order, each asking the derivative table (`rules.rs`) for the
//! contributions to its operands' cotangents. This driver owns what rules do not:
//! symbolic zeros (a value without a cotangent is skipped), accumulation where a
//! value fans out, and activity (contributions to values that do not depend on an
//! active input are dropped).
//!
//! An `if` reverses into an `if` on the same condition whose branches run the
//! reverse of the forward branches and yield the cotangents of the outer values
//! they touched. Values the reverse branch needs from inside the forward branch
//! become extra results of the forward `if` (its residuals): the forward pass keeps
//! what the backward pass needs, and nothing else.

use crate::activity;
use crate::ir::{Builder, Func, Op, OpKind, Region, Ty, Value};
use crate::rules;
use std::collections::{HashMap, HashSet};

/// The companion's IR and how its body's yields map onto the contract.
pub struct Companion {
    /// Parameters: the original ones, then one cotangent per output.
    /// Body yields: the primal outputs, then one gradient per active parameter.
    pub func: Func,
    pub outputs: usize,
}

struct Reverser<'v> {
    varied: &'v HashSet<Value>,
}

type Adjoints = HashMap<Value, Value>;

impl Reverser<'_> {
    /// Adds `c` to the cotangent of `v`; the first contribution is the cotangent.
    fn accumulate(&self, b: &mut Builder, adj: &mut Adjoints, v: Value, c: Value) {
        if !self.varied.contains(&v) || b.ty(v) != Ty::Float {
            return;
        }
        let sum = match adj.get(&v) {
            Some(&a) => b.add(a, c),
            None => c,
        };
        adj.insert(v, sum);
    }

    fn ops(&self, b: &mut Builder, ops: &mut [Op], adj: &mut Adjoints) {
        for op in ops.iter_mut().rev() {
            if matches!(op.kind, OpKind::If(..)) {
                self.if_op(b, op, adj);
                continue;
            }
            let out = op.result();
            let Some(g) = adj.remove(&out) else { continue };
            for (v, c) in rules::vjp(b, &op.kind, out, g) {
                self.accumulate(b, adj, v, c);
            }
        }
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
        let (mut t_rev, t_adj) = self.branch(b, then_r, &gs);
        let (mut e_rev, e_adj) = self.branch(b, else_r, &gs);

        // The outer values whose cotangents either branch contributes to.
        let mut touched: Vec<Value> = t_adj.keys().chain(e_adj.keys()).copied().collect();
        touched.sort();
        touched.dedup();
        for (rev, local) in [(&mut t_rev, &t_adj), (&mut e_rev, &e_adj)] {
            for u in &touched {
                let y = match local.get(u) {
                    Some(&c) => c,
                    None => {
                        let z = b.func.new_value(Ty::Float);
                        rev.ops.push(Op {
                            results: vec![z],
                            kind: OpKind::Const(0.0),
                        });
                        z
                    }
                };
                rev.yields.push(y);
            }
        }

        // Residuals: what the reverse branches read from inside the forward ones.
        hoist(b.func, then_r, else_r, &mut op.results, &mut t_rev);
        hoist(b.func, else_r, then_r, &mut op.results, &mut e_rev);

        let results: Vec<Value> = touched
            .iter()
            .map(|_| b.func.new_value(Ty::Float))
            .collect();
        b.ops.push(Op {
            results: results.clone(),
            kind: OpKind::If(cond, t_rev, e_rev),
        });
        for (u, r) in touched.into_iter().zip(results) {
            self.accumulate(b, adj, u, r);
        }
    }

    /// The reverse of one branch, and the cotangents it gives to outer values.
    fn branch(
        &self,
        b: &mut Builder,
        fwd: &mut Region,
        gs: &[Option<Value>],
    ) -> (Region, Adjoints) {
        let mut local = Adjoints::new();
        let (ops, ()) = b.region(|b| {
            for (y, g) in fwd.yields.iter().zip(gs) {
                if let Some(g) = g {
                    self.accumulate(b, &mut local, *y, *g);
                }
            }
            self.ops(b, &mut fwd.ops, &mut local);
        });
        let mut inner = HashSet::new();
        fwd.defined(&mut inner);
        local.retain(|v, _| !inner.contains(v));
        (
            Region {
                ops,
                yields: Vec::new(),
            },
            local,
        )
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
    let mut inner = HashSet::new();
    fwd.defined(&mut inner);
    let mut map = HashMap::new();
    for v in rev.free_uses().into_iter().filter(|v| inner.contains(v)) {
        let ty = func.ty(v);
        let placeholder = func.new_value(ty);
        other.ops.push(Op {
            results: vec![placeholder],
            kind: match ty {
                Ty::Float => OpKind::Const(0.0),
                Ty::Int => OpKind::Verbatim("::core::default::Default::default()".into()),
                Ty::Bool => OpKind::Verbatim("false".into()),
            },
        });
        other.yields.push(placeholder);
        fwd.yields.push(v);
        let r = func.new_value(ty);
        results.push(r);
        map.insert(v, r);
    }
    if !map.is_empty() {
        rev.map_uses(&mut |v| map.get(&v).copied().unwrap_or(v));
    }
}

/// Builds the companion of `func`. `active[i]` says whether parameter `i` is
/// differentiated.
pub fn reverse(mut func: Func, active: &[bool]) -> Companion {
    let active_params: Vec<Value> = func
        .params
        .iter()
        .zip(active)
        .filter(|(_, a)| **a)
        .map(|(p, _)| *p)
        .collect();
    let varied = activity::varied(&func, &active_params);
    let outs = std::mem::take(&mut func.body.yields);
    let mut fwd = std::mem::take(&mut func.body.ops);
    let d_outs: Vec<Value> = outs.iter().map(|_| func.new_value(Ty::Float)).collect();
    func.params.extend(&d_outs);

    let r = Reverser { varied: &varied };
    let mut b = Builder::new(&mut func);
    let mut adj = Adjoints::new();
    for (o, d) in outs.iter().zip(&d_outs) {
        r.accumulate(&mut b, &mut adj, *o, *d);
    }
    r.ops(&mut b, &mut fwd, &mut adj);
    let grads: Vec<Value> = active_params
        .iter()
        .map(|p| adj.get(p).copied().unwrap_or_else(|| b.constant(0.0)))
        .collect();
    let rev = std::mem::take(&mut b.ops);
    fwd.extend(rev);
    let outputs = outs.len();
    func.body = Region {
        ops: fwd,
        yields: outs.into_iter().chain(grads).collect(),
    };
    Companion { func, outputs }
}
