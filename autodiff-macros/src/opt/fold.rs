//! Constant folding and exact algebraic identities.
//!
//! Float arithmetic on constants is folded only where it gives the bits the program
//! would compute at run time: `+ - * /` and `sqrt` in the function's own float type
//! (IEEE operations are correctly rounded), never for a generic `T`. Identities are
//! those exact for every input, NaN and infinities included: `x * 1`, `x / 1`,
//! `x - 0`, `-(-x)`, `x * -1 → -x`. `x * 0` is not folded (`inf * 0` is NaN).
//! An `if` on a constant condition is replaced by its taken branch. A store of an
//! element plus something (`a[i] = a[i] + t`, how `a[i] += t` is lowered) becomes
//! an add-at (`a[i] += t`, the same bits), whose reverse leaves the array's
//! cotangent as it is instead of zeroing the element and adding it back.

use super::{FloatKind, Replace};
use crate::ir::{BinOp, CastTo, CmpOp, Func, LoopKind, Op, OpKind, Region, UnOp, Value};
use crate::prim::Prim;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Known {
    F(f64),
    I(i64),
    B(bool),
}

struct Folder {
    kind: FloatKind,
    known: super::ValueMap<Known>,
    /// `l + r` results, and element loads, for the store of a sum.
    sums: super::ValueMap<(Value, Value)>,
    loads: super::ValueMap<(Value, Vec<Value>)>,
    /// The type suffix of integer literals (`4usize`): kept by what they fold into,
    /// so that a folded length stays typed (`5usize`, not `5`).
    suffixes: super::ValueMap<&'static str>,
    rep: Replace,
}

pub fn run(func: &mut Func, kind: FloatKind) {
    let mut f = Folder {
        kind,
        known: super::ValueMap::default(),
        sums: super::ValueMap::default(),
        loads: super::ValueMap::default(),
        suffixes: super::ValueMap::default(),
        rep: Replace::default(),
    };
    let mut body = std::mem::take(&mut func.body);
    f.region(&mut body);
    func.body = body;
}

/// Rounds `x` to the function's float type, or `None` if that is not known.
fn round(kind: FloatKind, x: f64) -> Option<f64> {
    match kind {
        FloatKind::F64 => Some(x),
        FloatKind::F32 => Some(x as f32 as f64),
        FloatKind::Generic => None,
    }
}

fn arith(kind: FloatKind, op: BinOp, a: f64, b: f64) -> Option<f64> {
    let r = match kind {
        FloatKind::F64 => match op {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
            _ => return None,
        },
        FloatKind::F32 => {
            let (a, b) = (a as f32, b as f32);
            (match op {
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a * b,
                BinOp::Div => a / b,
                _ => return None,
            }) as f64
        }
        FloatKind::Generic => return None,
    };
    Some(r)
}

/// The value of an integer literal, suffixed or not (`3`, `3usize`, `-1i32`).
const SUFFIXES: &[&str] = &[
    "usize", "isize", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64",
];

/// The type suffix of an integer literal, if it has one.
fn int_suffix(s: &str) -> Option<&'static str> {
    SUFFIXES.iter().copied().find(|x| s.ends_with(x))
}

fn int_literal(s: &str) -> Result<i64, std::num::ParseIntError> {
    let digits = SUFFIXES.iter().find_map(|x| s.strip_suffix(x)).unwrap_or(s);
    digits.replace('_', "").parse::<i64>()
}

fn int_arith(op: BinOp, a: i64, b: i64) -> Option<i64> {
    match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        _ => None,
    }
}

fn compare<T: PartialOrd>(op: CmpOp, a: T, b: T) -> bool {
    match op {
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
    }
}

/// The outcome of folding one op.
enum Fold {
    Keep,
    To(OpKind),
    Same(Value),
    /// An `if` on a constant: splice the taken region.
    Splice(Region),
}

impl Folder {
    fn region(&mut self, r: &mut Region) {
        let mut out = Vec::with_capacity(r.ops.len());
        for mut op in std::mem::take(&mut r.ops) {
            op.map_uses(&mut |v| self.rep.get(v));
            match &mut op.kind {
                OpKind::If(_, t, e) => {
                    self.region(t);
                    self.region(e);
                }
                OpKind::Loop(l) => {
                    if let LoopKind::While(c) = &mut l.kind {
                        self.region(c);
                    }
                    self.region(&mut l.body);
                }
                _ => {}
            }
            match self.fold(&mut op) {
                Fold::Keep => out.push(op),
                Fold::To(kind) => {
                    op.kind = kind;
                    self.learn(&op);
                    out.push(op);
                }
                Fold::Same(v) => {
                    self.rep.0.insert(op.result(), v);
                }
                Fold::Splice(taken) => {
                    for (res, y) in op.results.iter().zip(&taken.yields) {
                        self.rep.0.insert(*res, *y);
                    }
                    out.extend(taken.ops);
                }
            }
            if let Some(last) = out.last() {
                self.learn(last);
            }
        }
        r.ops = out;
        for y in &mut r.yields {
            *y = self.rep.get(*y);
        }
    }

    fn learn(&mut self, op: &Op) {
        match &op.kind {
            OpKind::Binary(BinOp::Add, l, r) => self.sums.insert(op.results[0], (*l, *r)),
            OpKind::Load(a, idx) => self.loads.insert(op.results[0], (*a, idx.clone())),
            _ => {}
        }
        let k = match &op.kind {
            OpKind::Const(c) => Known::F(*c),
            OpKind::Verbatim(s) if s == "true" => Known::B(true),
            OpKind::Verbatim(s) if s == "false" => Known::B(false),
            OpKind::Verbatim(s) => match int_literal(s) {
                Ok(i) => {
                    if let Some(x) = int_suffix(s) {
                        self.suffixes.insert(op.results[0], x);
                    }
                    Known::I(i)
                }
                Err(_) => return,
            },
            _ => return,
        };
        self.known.insert(op.results[0], k);
    }

    fn f(&self, v: Value) -> Option<f64> {
        match self.known.get(&v) {
            Some(Known::F(x)) => Some(*x),
            _ => None,
        }
    }

    fn fold(&mut self, op: &mut Op) -> Fold {
        let kind = self.kind;
        match &mut op.kind {
            OpKind::Unary(UnOp::Neg, a) => {
                let a = *a;
                if let Some(x) = self.f(a) {
                    return Fold::To(OpKind::Const(-x));
                }
                if let Some(Known::I(i)) = self.known.get(&a) {
                    if let Some(n) = i.checked_neg() {
                        return Fold::To(OpKind::Verbatim(n.to_string()));
                    }
                }
                Fold::Keep
            }
            OpKind::Unary(UnOp::Not, a) => match self.known.get(a) {
                Some(Known::B(b)) => Fold::To(OpKind::Verbatim((!b).to_string())),
                _ => Fold::Keep,
            },
            OpKind::Binary(bop, a, b) => {
                let (bop, a, b) = (*bop, *a, *b);
                match (self.known.get(&a).copied(), self.known.get(&b).copied()) {
                    (Some(Known::F(x)), Some(Known::F(y))) => {
                        if let Some(r) = arith(kind, bop, x, y) {
                            return Fold::To(OpKind::Const(r));
                        }
                    }
                    (Some(Known::I(x)), Some(Known::I(y))) => {
                        if let Some(r) = int_arith(bop, x, y) {
                            let suffix = self.suffixes.get(&a).or(self.suffixes.get(&b));
                            // A negative value of an unsigned type is no literal.
                            let ok = r >= 0 || !suffix.is_some_and(|x| x.starts_with('u'));
                            if ok {
                                let suffix = suffix.copied().unwrap_or("");
                                return Fold::To(OpKind::Verbatim(format!("{r}{suffix}")));
                            }
                        }
                    }
                    _ => {}
                }
                let (fa, fb) = (self.f(a), self.f(b));
                match bop {
                    BinOp::Mul if fb == Some(1.0) => Fold::Same(a),
                    BinOp::Mul if fa == Some(1.0) => Fold::Same(b),
                    BinOp::Mul if fb == Some(-1.0) => Fold::To(OpKind::Unary(UnOp::Neg, a)),
                    BinOp::Mul if fa == Some(-1.0) => Fold::To(OpKind::Unary(UnOp::Neg, b)),
                    BinOp::Div if fb == Some(1.0) => Fold::Same(a),
                    // `x - 0.0` is `x` for every `x`; `x - (-0.0)` is not (at `x = -0.0`).
                    BinOp::Sub if fb.is_some_and(|c| c == 0.0 && c.is_sign_positive()) => {
                        Fold::Same(a)
                    }
                    BinOp::Sub | BinOp::Add if self.known.get(&b) == Some(&Known::I(0)) => {
                        Fold::Same(a)
                    }
                    _ => Fold::Keep,
                }
            }
            OpKind::Cmp(cop, a, b) => {
                let (cop, a, b) = (*cop, *a, *b);
                match (self.known.get(&a).copied(), self.known.get(&b).copied()) {
                    (Some(Known::F(x)), Some(Known::F(y))) => {
                        match (round(kind, x), round(kind, y)) {
                            (Some(x), Some(y)) => {
                                Fold::To(OpKind::Verbatim(compare(cop, x, y).to_string()))
                            }
                            _ => Fold::Keep,
                        }
                    }
                    (Some(Known::I(x)), Some(Known::I(y))) => {
                        Fold::To(OpKind::Verbatim(compare(cop, x, y).to_string()))
                    }
                    _ => Fold::Keep,
                }
            }
            OpKind::Cast(a, CastTo::Other(t)) => match self.known.get(a) {
                // An integer literal cast to an integer type: the literal, of that
                // type (`3 as usize` is `3usize`, not an untyped `3`).
                Some(Known::I(i)) => {
                    let t = t.trim_start_matches("::core::primitive::");
                    match SUFFIXES.iter().find(|x| **x == t) {
                        Some(x) if *i >= 0 || !x.starts_with('u') => {
                            Fold::To(OpKind::Verbatim(format!("{i}{x}")))
                        }
                        Some(_) => Fold::Keep,
                        None => Fold::To(OpKind::Verbatim(i.to_string())),
                    }
                }
                _ => Fold::Keep,
            },
            OpKind::Cast(a, CastTo::Float) => match self.known.get(a) {
                // Small integers are exact in every float type.
                Some(Known::I(i)) if i.unsigned_abs() <= 1 << 24 => {
                    Fold::To(OpKind::Const(*i as f64))
                }
                _ => Fold::Keep,
            },
            OpKind::Call(Prim::Sqrt, args) => match self.f(args[0]).and_then(|x| round(kind, x)) {
                Some(x) if kind != FloatKind::Generic => {
                    let r = if kind == FloatKind::F32 {
                        (x as f32).sqrt() as f64
                    } else {
                        x.sqrt()
                    };
                    Fold::To(OpKind::Const(r))
                }
                _ => Fold::Keep,
            },
            OpKind::Call(Prim::Powi, args) => match self.known.get(&args[1]) {
                Some(Known::I(1)) => Fold::Same(args[0]),
                _ => Fold::Keep,
            },
            OpKind::Select(c, a, b) => {
                let (c, a, b) = (*c, *a, *b);
                match self.known.get(&c) {
                    Some(Known::B(true)) => Fold::Same(a),
                    Some(Known::B(false)) => Fold::Same(b),
                    _ if a == b => Fold::Same(a),
                    _ => Fold::Keep,
                }
            }
            OpKind::If(c, t, e) => match self.known.get(c) {
                Some(Known::B(true)) => Fold::Splice(std::mem::take(t)),
                Some(Known::B(false)) => Fold::Splice(std::mem::take(e)),
                _ => Fold::Keep,
            },
            OpKind::Method(m, args) if m == "saturating_sub" && args.len() == 2 => {
                let suffix = self
                    .suffixes
                    .get(&args[0])
                    .or(self.suffixes.get(&args[1]))
                    .copied();
                match (self.known.get(&args[0]), self.known.get(&args[1])) {
                    (Some(Known::I(x)), Some(Known::I(y))) => match x.checked_sub(*y) {
                        Some(r) if r >= i64::from(i32::MIN) => {
                            // Lengths are `usize`: an unsigned difference stops at 0.
                            let unsigned = !matches!(suffix, Some(x) if !x.starts_with('u'));
                            let r = if unsigned { r.max(0) } else { r };
                            let suffix = suffix.unwrap_or("");
                            Fold::To(OpKind::Verbatim(format!("{r}{suffix}")))
                        }
                        _ => Fold::Keep,
                    },
                    _ => Fold::Keep,
                }
            }
            OpKind::Const(_) | OpKind::Verbatim(_) | OpKind::Extern(_) | OpKind::Method(..) => {
                Fold::Keep
            }
            OpKind::Call(..) => Fold::Keep,
            OpKind::Store(a, idx, x) => {
                let (a, x) = (*a, *x);
                match self.sums.get(&x) {
                    Some(&(l, t)) if self.loads.get(&l) == Some(&(a, idx.clone())) => {
                        Fold::To(OpKind::AddAt(a, std::mem::take(idx), t))
                    }
                    _ => Fold::Keep,
                }
            }
            OpKind::Loop(_)
            | OpKind::Load(..)
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
            | OpKind::SumAll(_)
            | OpKind::ZerosLike(_)
            | OpKind::StopGrad(_)
            | OpKind::View(..)
            | OpKind::CallFn(..)
            | OpKind::CallBack(..)
            | OpKind::Effect(_) => Fold::Keep,
        }
    }
}
