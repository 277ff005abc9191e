//! Activity analysis, forward half: which values depend on an active input
//! ("varied"). The backward half, which values reach the output, is the reverse
//! sweep itself: only values with a cotangent are visited, and dead adjoint code
//! is removed by DCE.

use crate::ir::IdSet;
use crate::ir::{Func, LoopKind, OpKind, Region, Value};

/// The differentiable values that depend on one of `active`.
pub fn varied(func: &Func, active: &[Value]) -> IdSet {
    let mut set: IdSet = active.iter().copied().collect();
    region(func, &func.body, &mut set);
    set
}

fn mark(func: &Func, set: &mut IdSet, v: Value, dep: bool) -> bool {
    dep && func.differentiable(func.ty(v)) && set.insert(v)
}

fn region(func: &Func, r: &Region, set: &mut IdSet) {
    for op in &r.ops {
        match &op.kind {
            OpKind::If(_, t, e) => {
                region(func, t, set);
                region(func, e, set);
                for (i, res) in op.results.iter().enumerate() {
                    let dep = set.contains(&t.yields[i]) || set.contains(&e.yields[i]);
                    mark(func, set, *res, dep);
                }
            }
            OpKind::Loop(l) => {
                // Carried values: varied if their initial value is, or if the body
                // makes them so; iterate to the fixed point.
                let n = l.inits.len();
                for j in 0..n {
                    mark(func, set, l.body.args[j + 1], set.contains(&l.inits[j]));
                }
                loop {
                    region(func, &l.body, set);
                    let mut changed = false;
                    for j in 0..n {
                        changed |= mark(
                            func,
                            set,
                            l.body.args[j + 1],
                            set.contains(&l.body.yields[j]),
                        );
                    }
                    if !changed {
                        break;
                    }
                }
                if let LoopKind::While(c) = &l.kind {
                    for j in 0..n {
                        mark(func, set, c.args[j], set.contains(&l.body.args[j + 1]));
                    }
                    region(func, c, set);
                }
                for j in 0..n {
                    mark(func, set, op.results[j], set.contains(&l.body.args[j + 1]));
                }
            }
            OpKind::StopGrad(_) => {}
            OpKind::CallFn(c, args) => {
                let dep = args
                    .iter()
                    .zip(&c.stop)
                    .any(|(a, stop)| !stop && set.contains(a));
                for r in &op.results {
                    mark(func, set, *r, dep);
                }
            }
            _ => {
                let dep = op.operands().iter().any(|v| set.contains(v));
                for r in &op.results {
                    mark(func, set, *r, dep);
                }
            }
        }
    }
}
