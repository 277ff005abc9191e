//! Common-subexpression elimination: an op identical to one that dominates it
//! (earlier in its region or in an enclosing one) is replaced by that op's result.

use super::Replace;
use crate::ir::{op_text, Func, LoopKind, OpKind, Region, Ty, Value};
use std::collections::HashMap;

pub fn run(func: &mut Func) {
    let mut rep = Replace::default();
    let tys: Vec<Ty> = func.values.iter().map(|v| v.ty).collect();
    region(&mut func.body, &HashMap::new(), &mut rep, &tys);
}

fn func_ty(tys: &[Ty], v: Value) -> Ty {
    tys.get(v.0 as usize).copied().unwrap_or(Ty::Float)
}

fn region(r: &mut Region, outer: &HashMap<String, Value>, rep: &mut Replace, tys: &[Ty]) {
    let mut seen = outer.clone();
    let mut kept = Vec::with_capacity(r.ops.len());
    for mut op in std::mem::take(&mut r.ops) {
        op.map_uses(&mut |v| rep.get(v));
        let array_result = op
            .results
            .iter()
            .any(|r| matches!(func_ty(tys, *r), Ty::Array(_)));
        match &mut op.kind {
            OpKind::If(_, t, e) => {
                region(t, &seen, rep, tys);
                region(e, &seen, rep, tys);
            }
            OpKind::Loop(l) => {
                if let LoopKind::While(c) = &mut l.kind {
                    region(c, &seen, rep, tys);
                }
                region(&mut l.body, &seen, rep, tys);
            }
            // Untyped literals (`0`, `Default::default()`) take their type from
            // their use: two of them are not interchangeable. Arrays are
            // buffers that are updated in place: two are never one.
            OpKind::Verbatim(_) => {}
            // Calls run user code: keep each where it was written.
            OpKind::CallFn(..) | OpKind::CallBack(..) | OpKind::View(..) => {}
            _ if array_result => {}
            kind => {
                let key = op_text(kind);
                if let Some(&twin) = seen.get(&key) {
                    rep.0.insert(op.result(), twin);
                    continue;
                }
                seen.insert(key, op.result());
            }
        }
        kept.push(op);
    }
    r.ops = kept;
    for y in &mut r.yields {
        *y = rep.get(*y);
    }
}
