//! Dead-code elimination: drops ops whose results nothing reads, and `if` results
//! (with their yields) that nothing reads. All ops are pure but effects (`assert!`,
//! `println!`), which stay, with the `if`s and loops around them.

use crate::ir::{Func, LoopKind, OpKind, Region, Value};

/// The live values: one flag per value id (ids are dense), grown on demand.
#[derive(Default)]
pub(super) struct Live(Vec<bool>);

impl Live {
    fn insert(&mut self, v: Value) {
        let i = v.0 as usize;
        if i >= self.0.len() {
            self.0.resize(i + 1, false);
        }
        self.0[i] = true;
    }
    fn contains(&self, v: &Value) -> bool {
        self.0.get(v.0 as usize).copied().unwrap_or(false)
    }
    fn extend(&mut self, vs: impl IntoIterator<Item = Value>) {
        for v in vs {
            self.insert(v);
        }
    }
}

pub fn run(func: &mut Func) {
    let mut live = Live::default();
    region(&mut func.body, &mut live);
}

pub(super) fn region(r: &mut Region, live: &mut Live) {
    live.extend(r.yields.iter().copied());
    let mut kept = Vec::with_capacity(r.ops.len());
    for mut op in std::mem::take(&mut r.ops).into_iter().rev() {
        let effects = has_effects(&op);
        if let OpKind::If(c, t, e) = &mut op.kind {
            let keep: Vec<bool> = op.results.iter().map(|v| live.contains(v)).collect();
            if !keep.contains(&true) && !effects {
                continue;
            }
            let mut i = 0;
            op.results.retain(|_| {
                i += 1;
                keep[i - 1]
            });
            for reg in [&mut *t, &mut *e] {
                let mut i = 0;
                reg.yields.retain(|_| {
                    i += 1;
                    keep[i - 1]
                });
                region(reg, live);
            }
            live.insert(*c);
        } else if let OpKind::Loop(l) = &mut op.kind {
            // A loop stays whole while any result is read (or it has effects).
            if !op.results.iter().any(|v| live.contains(v)) && !effects {
                continue;
            }
            region(&mut l.body, live);
            if let LoopKind::While(c) = &mut l.kind {
                region(c, live);
            }
            live.extend(op.operands());
        } else {
            if !effects && !op.results.iter().any(|v| live.contains(v)) {
                continue;
            }
            live.extend(op.operands());
        }
        kept.push(op);
    }
    kept.reverse();
    r.ops = kept;
}

/// Whether `op` is an effect or owns one (in a region, at any depth).
pub fn has_effects(op: &crate::ir::Op) -> bool {
    matches!(op.kind, OpKind::Effect(_))
        || op.regions().iter().any(|r| r.ops.iter().any(has_effects))
}
