//! Common-subexpression elimination: an op identical to one that dominates it
//! (earlier in its region or in an enclosing one) is replaced by that op's result.

use super::Replace;
use crate::ir::{BinOp, CastTo, CmpOp, Func, IdHasher, LoopKind, OpKind, Region, Ty, UnOp, Value};
use crate::prim::Prim;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// What makes two ops twins: their kind and operands.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Const(u64),
    Extern(String),
    Unary(UnOp, Value),
    Binary(BinOp, Value, Value),
    Cmp(CmpOp, Value, Value),
    Call(Prim, Vec<Value>),
    Method(String, Vec<Value>),
    Cast(Value, CastTo),
    Select(Value, Value, Value),
    Load(Value, Vec<Value>),
    SumAll(Value),
    StopGrad(Value),
}

/// The key of an op that may be shared, or `None`. Untyped literals (`0`,
/// `Default::default()`) take their type from their use, so two of them are not
/// interchangeable; calls run user code; ops that make or update a buffer are
/// never one.
fn key(kind: &OpKind) -> Option<Key> {
    Some(match kind {
        OpKind::Const(c) => Key::Const(c.to_bits()),
        OpKind::Extern(s) => Key::Extern(s.clone()),
        OpKind::Unary(op, a) => Key::Unary(*op, *a),
        OpKind::Binary(op, a, b) => Key::Binary(*op, *a, *b),
        OpKind::Cmp(op, a, b) => Key::Cmp(*op, *a, *b),
        OpKind::Call(p, args) => Key::Call(*p, args.clone()),
        OpKind::Method(m, args) => Key::Method(m.clone(), args.clone()),
        OpKind::Cast(a, to) => Key::Cast(*a, to.clone()),
        OpKind::Select(c, a, b) => Key::Select(*c, *a, *b),
        OpKind::Load(a, idx) => Key::Load(*a, idx.clone()),
        OpKind::SumAll(a) => Key::SumAll(*a),
        OpKind::StopGrad(a) => Key::StopGrad(*a),
        OpKind::Verbatim(_)
        | OpKind::If(..)
        | OpKind::Loop(_)
        | OpKind::Store(..)
        | OpKind::AddAt(..)
        | OpKind::Zeros
        | OpKind::Splat(_)
        | OpKind::VecSplat(..)
        | OpKind::ArrayLit(_)
        | OpKind::StructLit(..)
        | OpKind::Copy(_)
        | OpKind::VecNew(_)
        | OpKind::Push(..)
        | OpKind::PushAt(..)
        | OpKind::ZerosLike(_)
        | OpKind::CallFn(..)
        | OpKind::CallBack(..)
        | OpKind::Effect(_)
        | OpKind::View(..) => return None,
    })
}

/// The ops seen so far in the regions around the current point: one table and a
/// log of what each region added, undone when it closes.
struct Seen {
    table: HashMap<Key, Value, BuildHasherDefault<IdHasher>>,
    log: Vec<Key>,
}

pub fn run(func: &mut Func) {
    let mut rep = Replace::default();
    let tys: Vec<Ty> = func.values.iter().map(|v| v.ty).collect();
    let mut seen = Seen {
        table: HashMap::default(),
        log: Vec::new(),
    };
    region(&mut func.body, &mut seen, &mut rep, &tys);
}

fn region(r: &mut Region, seen: &mut Seen, rep: &mut Replace, tys: &[Ty]) {
    let mark = seen.log.len();
    let mut kept = Vec::with_capacity(r.ops.len());
    for mut op in std::mem::take(&mut r.ops) {
        op.map_uses(&mut |v| rep.get(v));
        match &mut op.kind {
            OpKind::If(_, t, e) => {
                region(t, seen, rep, tys);
                region(e, seen, rep, tys);
            }
            OpKind::Loop(l) => {
                if let LoopKind::While(c) = &mut l.kind {
                    region(c, seen, rep, tys);
                }
                region(&mut l.body, seen, rep, tys);
            }
            kind => {
                // Arrays are buffers updated in place: two are never one.
                let array_result = op
                    .results
                    .iter()
                    .any(|r| matches!(tys.get(r.0 as usize), Some(Ty::Array(_))));
                if let Some(k) = key(kind).filter(|_| !array_result) {
                    // The same op of another type (an extern path typed by two
                    // uses) is not its twin.
                    let ty = |v: Value| tys.get(v.0 as usize).copied();
                    let twin = seen.table.get(&k).copied();
                    if let Some(twin) = twin.filter(|t| ty(*t) == ty(op.result())) {
                        rep.0.insert(op.result(), twin);
                        continue;
                    }
                    seen.table.insert(k.clone(), op.result());
                    seen.log.push(k);
                }
            }
        }
        kept.push(op);
    }
    r.ops = kept;
    for y in &mut r.yields {
        *y = rep.get(*y);
    }
    for k in seen.log.drain(mark..) {
        seen.table.remove(&k);
    }
}
