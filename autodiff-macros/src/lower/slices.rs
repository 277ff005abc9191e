//! Sub-slices: `&x[a..b]`, `&x[a..]`, `&x[..n]`, `&x[a..=b]`, `x.split_at(k)`,
//! and the items of `windows(k)`, `chunks(k)`, `chunks_exact(k)`.
//!
//! A sub-slice is not an IR value: it is `Val::Sub { base, start, len }`, a part
//! of an array or slice, and reading it reads the base (`w[i]` is a load of
//! `base[start + i]`), so its gradient lands in the right part of the base's
//! cotangent with no new op. It can be indexed, measured (`.len()`), iterated and
//! reduced, sliced again, bound to names and passed through `if`s and loops.
//! Creating one checks its bounds as Rust does (an `assert!` effect).

use super::{Lowering, Val};
use crate::ir::{BinOp, CmpOp, Effect, EffectArg, Op, OpKind, Ty, Value};
use quote::quote;
use syn::{Expr, ExprRange};

impl Lowering<'_, '_> {
    /// The sub-slice `e` denotes without lowering anything (a name bound to
    /// one), if it is one.
    pub(super) fn sub_of(&self, e: &Expr) -> Option<(Value, Value, Value)> {
        match e {
            Expr::Path(p) => match self.lookup(&p.path.get_ident()?.to_string())? {
                Val::Sub { base, start, len } => Some((*base, *start, *len)),
                _ => None,
            },
            Expr::Paren(p) => self.sub_of(&p.expr),
            Expr::Reference(r) => self.sub_of(&r.expr),
            _ => None,
        }
    }

    /// `base[range]`: a sub-slice of an array, a slice or a sub-slice.
    #[inline(never)]
    pub(super) fn sub_slice(&mut self, base: &Expr, r: &ExprRange) -> Val {
        let (arr, start0, n) = match self.sub_of(base) {
            Some(s) => s,
            None => {
                let Some(a) = self.array_value(base) else {
                    return self.poison();
                };
                let zero = self.int("0");
                let n = self.len_of(a);
                (a, zero, n)
            }
        };
        let bound = |l: &mut Self, e: &Option<Box<Expr>>| -> Option<Value> {
            let e = e.as_ref()?;
            let v = l.expr(e, Some(Ty::Int));
            Some(l.scalar(v, e, "a slice bound"))
        };
        let lo = bound(self, &r.start);
        let hi = bound(self, &r.end);
        let lo = lo.unwrap_or_else(|| self.int("0"));
        let hi = match (hi, &r.limits) {
            (Some(h), syn::RangeLimits::Closed(_)) => {
                let one = self.int("1");
                self.bin(BinOp::Add, h, one)
            }
            (Some(h), _) => h,
            (None, _) => n,
        };
        // Rust panics on `lo > hi` or `hi > len`; so does the companion.
        let ok_lo = self.push(OpKind::Cmp(CmpOp::Le, lo, hi), Ty::Bool);
        let ok_hi = self.push(OpKind::Cmp(CmpOp::Le, hi, n), Ty::Bool);
        let ok = self.push(OpKind::Binary(BinOp::BitAnd, ok_lo, ok_hi), Ty::Bool);
        self.ops.push(Op {
            results: Vec::new(),
            kind: OpKind::Effect(Box::new(Effect {
                path: syn::parse_quote!(::core::assert),
                args: vec![
                    EffectArg::Value(ok),
                    EffectArg::Tokens(quote!("range {}..{} out of range for slice of length {}")),
                    EffectArg::Value(lo),
                    EffectArg::Value(hi),
                    EffectArg::Value(n),
                ],
                diverges: false,
            })),
        });
        let start = self.bin(BinOp::Add, start0, lo);
        let len = self.bin(BinOp::Sub, hi, lo);
        Val::Sub {
            base: arr,
            start,
            len,
        }
    }

    /// `x.split_at(k)`: the two sub-slices.
    pub(super) fn split_at(&mut self, recv: &Expr, k: &Expr) -> Val {
        let r = |start, end| ExprRange {
            attrs: Vec::new(),
            start,
            limits: syn::RangeLimits::HalfOpen(Default::default()),
            end,
        };
        let k = Some(Box::new(k.clone()));
        let head = self.sub_slice(recv, &r(None, k.clone()));
        let tail = self.sub_slice(recv, &r(k, None));
        Val::Tuple(vec![head, tail])
    }

    pub(super) fn int(&mut self, text: &str) -> Value {
        self.push(OpKind::Verbatim(text.into()), Ty::Int)
    }

    pub(super) fn bin(&mut self, op: BinOp, a: Value, b: Value) -> Value {
        self.push(OpKind::Binary(op, a, b), Ty::Int)
    }
}
