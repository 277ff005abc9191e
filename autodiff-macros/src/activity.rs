//! Activity analysis, forward half: which values depend on an active input
//! ("varied"). The backward half, which values reach the output, is the reverse
//! sweep itself: only values with a cotangent are visited, and dead adjoint code
//! is removed by DCE.

use crate::ir::{Func, OpKind, Region, Ty, Value};
use std::collections::HashSet;

/// The float values that depend on one of `active`.
pub fn varied(func: &Func, active: &[Value]) -> HashSet<Value> {
    let mut set: HashSet<Value> = active.iter().copied().collect();
    region(func, &func.body, &mut set);
    set
}

fn region(func: &Func, r: &Region, set: &mut HashSet<Value>) {
    for op in &r.ops {
        match &op.kind {
            OpKind::If(_, t, e) => {
                region(func, t, set);
                region(func, e, set);
                for (i, res) in op.results.iter().enumerate() {
                    if func.ty(*res) == Ty::Float
                        && (set.contains(&t.yields[i]) || set.contains(&e.yields[i]))
                    {
                        set.insert(*res);
                    }
                }
            }
            _ => {
                let r = op.result();
                if func.ty(r) == Ty::Float && op.operands().iter().any(|v| set.contains(v)) {
                    set.insert(r);
                }
            }
        }
    }
}
