//! Common-subexpression elimination: an op identical to one that dominates it
//! (earlier in its region or in an enclosing one) is replaced by that op's result.

use super::Replace;
use crate::ir::{op_text, Func, OpKind, Region, Value};
use std::collections::HashMap;

pub fn run(func: &mut Func) {
    let mut rep = Replace::default();
    region(&mut func.body, &HashMap::new(), &mut rep);
}

fn region(r: &mut Region, outer: &HashMap<String, Value>, rep: &mut Replace) {
    let mut seen = outer.clone();
    let mut kept = Vec::with_capacity(r.ops.len());
    for mut op in std::mem::take(&mut r.ops) {
        op.map_uses(&mut |v| rep.get(v));
        match &mut op.kind {
            OpKind::If(_, t, e) => {
                region(t, &seen, rep);
                region(e, &seen, rep);
            }
            // Untyped literals (`0`, `Default::default()`) take their type from
            // their use: two of them are not interchangeable.
            OpKind::Verbatim(_) => {}
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
