//! The derivative table: one local rule per primitive.
//!
//! A rule sees an op, its result `out` and the cotangent `g` flowing into that result,
//! and returns the contribution to the cotangent of each operand. It builds IR through
//! the [`Builder`], so constant folding and CSE apply to what it writes. Rules reuse
//! the primal result where that saves work (`exp`: `g * out`). Accumulation on
//! fan-out and symbolic zeros are not a rule's business: the reverse driver
//! (`reverse/`) owns them, and drops contributions to inactive operands.
//!
//! Array ops have rules too: a load sends its cotangent to one element of the
//! array ([`Grad::At`]), a store takes the element's cotangent back out of the new
//! version's cotangent array and zeroes it there. Only the ops that own regions
//! (`if`, loops) are the driver's own business.
//!
//! The `match`es on [`OpKind`] and [`Prim`] have no wildcard arm: a new op or
//! primitive without a rule does not compile.

use crate::ir::{BinOp, Builder, CastTo, CmpOp, OpKind, Ty, UnOp, Value};
use crate::prim::Prim;
use std::f64::consts::{FRAC_2_SQRT_PI, LN_10, LN_2};

/// A contribution to an operand's cotangent.
pub enum Grad {
    /// The whole cotangent (a scalar, or an array of the operand's type).
    Full(Value),
    /// A cotangent for one element (or sub-array) of an array operand.
    At(Vec<Value>, Value),
}

/// Contributions `(operand, cotangent)` of one op whose result `out` has cotangent
/// `g`. Contributions are listed in the order they must be built: a rule that
/// updates `g` in place (a store) reads it first.
pub fn vjp(b: &mut Builder, kind: &OpKind, out: Value, g: Value) -> Vec<(Value, Grad)> {
    let full = |v: Vec<(Value, Value)>| v.into_iter().map(|(x, c)| (x, Grad::Full(c))).collect();
    match kind {
        OpKind::Const(_)
        | OpKind::Verbatim(_)
        | OpKind::Extern(_)
        | OpKind::Cmp(..)
        | OpKind::Method(..)
        | OpKind::Cast(..)
        | OpKind::Zeros
        | OpKind::VecNew(_)
        | OpKind::Push(..) => vec![],
        // No gradient flows through these.
        OpKind::ZerosLike(_) | OpKind::StopGrad(_) | OpKind::View(..) | OpKind::Effect(_) => {
            vec![]
        }
        // Regions and calls (several results at once): the reverse driver builds
        // their adjoints; a companion call only appears in the reverse sweep.
        OpKind::If(..) | OpKind::Loop(_) | OpKind::CallFn(..) | OpKind::CallBack(..) => vec![],
        OpKind::Unary(UnOp::Neg, a) => full(vec![(*a, b.neg(g))]),
        OpKind::Unary(UnOp::Not, _) => vec![],
        OpKind::Binary(op, x, y) => full(binary(b, *op, *x, *y, out, g)),
        OpKind::Select(c, x, y) => {
            let zero = b.zero_like(*x);
            let gx = b.select(*c, g, zero);
            let gy = b.select(*c, zero, g);
            full(vec![(*x, gx), (*y, gy)])
        }
        OpKind::Call(p, args) => full(call(b, *p, args, out, g)),
        OpKind::Load(a, idx) => vec![(*a, Grad::At(idx.clone(), g))],
        OpKind::Store(a, idx, x) => {
            // The element's cotangent goes to `x`; the overwritten element of `a`
            // had no influence, so its cotangent is zero. (Typed as `x`: a field
            // path of a struct reaches any type.)
            let gx = b.push(OpKind::Load(g, idx.clone()), b.ty(*x));
            let zero = b.zero_like(*x);
            let ga = b.store(g, idx, zero);
            vec![(*x, Grad::Full(gx)), (*a, Grad::Full(ga))]
        }
        OpKind::AddAt(a, idx, x) => {
            let gx = b.push(OpKind::Load(g, idx.clone()), b.ty(*x));
            vec![(*x, Grad::Full(gx)), (*a, Grad::Full(g))]
        }
        OpKind::Splat(x) | OpKind::VecSplat(x, _) => {
            let s = b.push(OpKind::SumAll(g), Ty::Float);
            vec![(*x, Grad::Full(s))]
        }
        OpKind::ArrayLit(xs) => xs
            .iter()
            .enumerate()
            .map(|(k, x)| {
                let i = b.push(OpKind::Verbatim(format!("{k}usize")), Ty::Int);
                (*x, Grad::Full(b.load(g, &[i])))
            })
            .collect(),
        // `a.to_vec()` of an array: its cotangent back as an array.
        OpKind::Copy(a)
            if b.ty(*a) != b.ty(out)
                && matches!(
                    b.func.array(b.ty(*a)).map(|t| &t.len),
                    Some(crate::ir::Len::Const(_))
                ) =>
        {
            let ty = b.ty(*a);
            let c = b.push(OpKind::Copy(g), ty);
            vec![(*a, Grad::Full(c))]
        }
        OpKind::Copy(a) => vec![(*a, Grad::Full(g))],
        // `v.push(x)`: `x`'s cotangent is element `at` of the new `Vec`'s,
        // which then holds `v`'s (that element zeroed, so that a sum over it,
        // the reverse of `vec![a; n]`, does not count it again).
        OpKind::PushAt(v, x, at) => {
            let gx = b.load(g, &[*at]);
            let zero = b.constant(0.0);
            let ty = b.ty(*v);
            let gv = b.push(OpKind::Store(g, vec![*at], zero), ty);
            vec![(*x, Grad::Full(gx)), (*v, Grad::Full(gv))]
        }
        // Each field's cotangent is that field of the struct's: a number read
        // from it, an array copied out of it (its own buffer).
        OpKind::StructLit(_, fs) => fs
            .iter()
            .map(|(name, v)| {
                let ty = b.ty(*v);
                let view = b.push(OpKind::View(g, vec![name.clone()]), ty);
                let c = if matches!(ty, Ty::Array(_)) {
                    b.push(OpKind::Copy(view), ty)
                } else {
                    view
                };
                (*v, Grad::Full(c))
            })
            .collect(),
        OpKind::SumAll(a) => {
            let s = b.push(OpKind::Splat(g), b.ty(*a));
            vec![(*a, Grad::Full(s))]
        }
    }
}

fn binary(
    b: &mut Builder,
    op: BinOp,
    x: Value,
    y: Value,
    out: Value,
    g: Value,
) -> Vec<(Value, Value)> {
    match op {
        BinOp::Add => vec![(x, g), (y, g)],
        BinOp::Sub => vec![(x, g), (y, b.neg(g))],
        BinOp::Mul => vec![(x, b.mul(g, y)), (y, b.mul(g, x))],
        BinOp::Div => {
            // Through the reciprocal: quotients by one divisor share it (CSE),
            // and a multiplication is cheaper than a division.
            let one = b.constant(1.0);
            let r = b.div(one, y);
            let t = b.mul(g, r);
            let u = b.mul(t, out);
            vec![(x, t), (y, b.neg(u))]
        }
        BinOp::Rem => {
            // x % y = x - y * trunc(x / y)
            let q = b.div(x, y);
            let q = b.call(Prim::Trunc, &[q]);
            let u = b.mul(g, q);
            vec![(x, g), (y, b.neg(u))]
        }
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::Shl | BinOp::Shr => vec![],
    }
}

/// `g` where `out` came from `a`, split equally where it came from both: the
/// routing of `max`, `min` and `clamp` (ties split the cotangent, as in JAX).
fn route(b: &mut Builder, out: Value, a: Value, c: Value, g: Value) -> (Value, Value) {
    let zero = b.constant(0.0);
    let half = b.constant(0.5);
    let half_g = b.mul(g, half);
    let from_a = b.cmp(CmpOp::Eq, out, a);
    let from_c = b.cmp(CmpOp::Eq, out, c);
    let a_share = b.select(from_c, half_g, g);
    let ga = b.select(from_a, a_share, zero);
    let c_share = b.select(from_a, half_g, g);
    let gc = b.select(from_c, c_share, zero);
    (ga, gc)
}

fn call(b: &mut Builder, p: Prim, args: &[Value], out: Value, g: Value) -> Vec<(Value, Value)> {
    let x = args[0];
    match p {
        Prim::Exp => vec![(x, b.mul(g, out))],
        Prim::Exp2 => {
            let ln2 = b.constant(LN_2);
            let t = b.mul(g, out);
            vec![(x, b.mul(t, ln2))]
        }
        Prim::ExpM1 => {
            let one = b.constant(1.0);
            let e = b.add(out, one);
            vec![(x, b.mul(g, e))]
        }
        Prim::Ln => vec![(x, b.div(g, x))],
        Prim::Log => {
            let base = args[1];
            let lb = b.call(Prim::Ln, &[base]);
            let xl = b.mul(x, lb);
            let gx = b.div(g, xl);
            let bl = b.mul(base, lb);
            let t = b.mul(g, out);
            let t = b.div(t, bl);
            vec![(x, gx), (base, b.neg(t))]
        }
        Prim::Log2 | Prim::Log10 => {
            let c = b.constant(if p == Prim::Log2 { LN_2 } else { LN_10 });
            let d = b.mul(x, c);
            vec![(x, b.div(g, d))]
        }
        Prim::Ln1p => {
            let one = b.constant(1.0);
            let d = b.add(one, x);
            vec![(x, b.div(g, d))]
        }
        Prim::Sqrt => {
            // g / (2 sqrt x), through the reciprocal of sqrt x (shared with a
            // `1.0 / x.sqrt()` the function may compute).
            let one = b.constant(1.0);
            let half = b.constant(0.5);
            let r = b.div(one, out);
            let t = b.mul(g, r);
            vec![(x, b.mul(t, half))]
        }
        Prim::Cbrt => {
            let three = b.constant(3.0);
            let d = b.mul(three, out);
            let d = b.mul(d, out);
            vec![(x, b.div(g, d))]
        }
        Prim::Powi => {
            // d/dx x^n = n x^(n-1); 0 where n == 0 (x^0 is constant, even at x = 0)
            let n = args[1];
            let zero_i = b.push(OpKind::Verbatim("0".into()), Ty::Int);
            let one_i = b.push(OpKind::Verbatim("1i32".into()), Ty::Int);
            let n_zero = b.cmp(CmpOp::Eq, n, zero_i);
            // x^(n-1), exact even at n = i32::MIN, where n - 1 overflows.
            // Typed: on an untyped literal `saturating_sub` would be ambiguous.
            let n32 = b.push(OpKind::Cast(n, CastTo::Other("i32".into())), Ty::Int);
            let nm1 = b.push(
                OpKind::Method("saturating_sub".into(), vec![n32, one_i]),
                Ty::Int,
            );
            let p = b.call(Prim::Powi, &[x, nm1]);
            let min_i = b.push(OpKind::Verbatim(i32::MIN.to_string()), Ty::Int);
            let at_min = b.cmp(CmpOp::Eq, n, min_i);
            let p_over_x = b.div(p, x);
            let p = b.select(at_min, p_over_x, p);
            let nf = b.push(OpKind::Cast(n, CastTo::Float), Ty::Float);
            let d = b.mul(nf, p);
            let gd = b.mul(g, d);
            let zero = b.constant(0.0);
            vec![(x, b.select(n_zero, zero, gd))]
        }
        Prim::Powf => {
            // d/dx = y x^(y-1) (0 where y == 0); d/dy = x^y ln x (0 where x == 0)
            let y = args[1];
            let zero = b.constant(0.0);
            let one = b.constant(1.0);
            let ym1 = b.sub(y, one);
            let p = b.call(Prim::Powf, &[x, ym1]);
            let d = b.mul(y, p);
            let gd = b.mul(g, d);
            let y_zero = b.cmp(CmpOp::Eq, y, zero);
            let gx = b.select(y_zero, zero, gd);
            let lx = b.call(Prim::Ln, &[x]);
            let t = b.mul(g, out);
            let t = b.mul(t, lx);
            let x_zero = b.cmp(CmpOp::Eq, x, zero);
            let gy = b.select(x_zero, zero, t);
            vec![(x, gx), (y, gy)]
        }
        Prim::Recip => {
            let t = b.mul(g, out);
            let t = b.mul(t, out);
            vec![(x, b.neg(t))]
        }
        Prim::Sin => {
            let c = b.call(Prim::Cos, &[x]);
            vec![(x, b.mul(g, c))]
        }
        Prim::Cos => {
            let s = b.call(Prim::Sin, &[x]);
            let t = b.mul(g, s);
            vec![(x, b.neg(t))]
        }
        Prim::Tan => {
            let one = b.constant(1.0);
            let sq = b.mul(out, out);
            let d = b.add(one, sq);
            vec![(x, b.mul(g, d))]
        }
        Prim::Asin | Prim::Acos => {
            let one = b.constant(1.0);
            let sq = b.mul(x, x);
            let d = b.sub(one, sq);
            let d = b.call(Prim::Sqrt, &[d]);
            let t = b.div(g, d);
            vec![(x, if p == Prim::Asin { t } else { b.neg(t) })]
        }
        Prim::Atan => {
            let one = b.constant(1.0);
            let sq = b.mul(x, x);
            let d = b.add(one, sq);
            vec![(x, b.div(g, d))]
        }
        Prim::Atan2 => {
            // atan2(y, x): the receiver is y. d/dy = x / r², d/dx = -y / r² with
            // r = hypot(y, x), divided twice by r so that r² cannot under- or
            // overflow (finite at 1e-300, zero towards infinity).
            let (y, xx) = (args[0], args[1]);
            let r = b.call(Prim::Hypot, &[y, xx]);
            let t = b.div(g, r);
            let xr = b.div(xx, r);
            let yr = b.div(y, r);
            let gy = b.mul(t, xr);
            let gx = b.mul(t, yr);
            let gx = b.neg(gx);
            // Towards infinity both derivatives vanish (x / r would be inf / inf).
            let inf = b.constant(f64::INFINITY);
            let at_inf = b.cmp(CmpOp::Eq, r, inf);
            let zero = b.constant(0.0);
            // At the origin atan2 has no derivative; the convention is 0 (as
            // abs'(0) = 0): 0 / 0 would make the whole gradient NaN, also where
            // the arguments are constant there (`atan2(0.0 * x, …)`).
            let at_origin = b.cmp(CmpOp::Eq, r, zero);
            let vanish = b.push(
                OpKind::Binary(crate::ir::BinOp::BitOr, at_inf, at_origin),
                Ty::Bool,
            );
            let gy = b.select(vanish, zero, gy);
            let gx = b.select(vanish, zero, gx);
            vec![(y, gy), (xx, gx)]
        }
        Prim::Sinh => {
            let c = b.call(Prim::Cosh, &[x]);
            vec![(x, b.mul(g, c))]
        }
        Prim::Cosh => {
            let s = b.call(Prim::Sinh, &[x]);
            vec![(x, b.mul(g, s))]
        }
        Prim::Tanh => {
            let one = b.constant(1.0);
            let sq = b.mul(out, out);
            let d = b.sub(one, sq);
            vec![(x, b.mul(g, d))]
        }
        Prim::Asinh | Prim::Acosh => {
            let one = b.constant(1.0);
            let sq = b.mul(x, x);
            let d = if p == Prim::Asinh {
                b.add(sq, one)
            } else {
                b.sub(sq, one)
            };
            let d = b.call(Prim::Sqrt, &[d]);
            vec![(x, b.div(g, d))]
        }
        Prim::Atanh => {
            let one = b.constant(1.0);
            let sq = b.mul(x, x);
            let d = b.sub(one, sq);
            vec![(x, b.div(g, d))]
        }
        Prim::Hypot => {
            // 0 at the origin, like abs'(0)
            let y = args[1];
            let zero = b.constant(0.0);
            let at_origin = b.cmp(CmpOp::Eq, out, zero);
            // g * (x / out): x / out is at most 1, where g / out may overflow.
            let xo = b.div(x, out);
            let yo = b.div(y, out);
            let gx = b.mul(g, xo);
            let gy = b.mul(g, yo);
            let gx = b.select(at_origin, zero, gx);
            let gy = b.select(at_origin, zero, gy);
            vec![(x, gx), (y, gy)]
        }
        Prim::Abs => {
            // abs'(0) = 0
            let zero = b.constant(0.0);
            let pos = b.cmp(CmpOp::Gt, x, zero);
            let neg = b.cmp(CmpOp::Lt, x, zero);
            let ng = b.neg(g);
            let inner = b.select(neg, ng, zero);
            vec![(x, b.select(pos, g, inner))]
        }
        Prim::Max | Prim::Min => {
            let (ga, gb) = route(b, out, args[0], args[1], g);
            vec![(args[0], ga), (args[1], gb)]
        }
        Prim::Clamp => {
            // clamp(x, lo, hi) routes as min(max(x, lo), hi)
            let (lo, hi) = (args[1], args[2]);
            let m = b.call(Prim::Max, &[x, lo]);
            let (gm, ghi) = route(b, out, m, hi, g);
            let (gx, glo) = route(b, m, x, lo, gm);
            vec![(x, gx), (lo, glo), (hi, ghi)]
        }
        Prim::MulAdd => {
            let (y, z) = (args[1], args[2]);
            vec![(x, b.mul(g, y)), (y, b.mul(g, x)), (z, g)]
        }
        Prim::Signum | Prim::Floor | Prim::Ceil | Prim::Round | Prim::Trunc => vec![],
        Prim::Fract => vec![(x, g)],
        // x.rem_euclid(y) = x - y * x.div_euclid(y), the quotient flat between jumps.
        Prim::RemEuclid => {
            let y = args[1];
            let q = b.call(Prim::DivEuclid, &[x, y]);
            let u = b.mul(g, q);
            vec![(x, g), (y, b.neg(u))]
        }
        Prim::DivEuclid => vec![],
        Prim::ToDegrees | Prim::ToRadians => {
            // The factor std multiplies by (in f64; rounded once for f32).
            let c = b.constant(if p == Prim::ToDegrees {
                180.0 / std::f64::consts::PI
            } else {
                std::f64::consts::PI / 180.0
            });
            vec![(x, b.mul(g, c))]
        }
        Prim::Copysign => {
            // |x| with the sign of y: d/dx = abs'(x) · sign(y), with abs'(0) = 0
            // (so the derivative at x = ±0 is 0, whatever y); d/dy = 0 (a jump
            // at y = 0, flat elsewhere). sign(y) is y's sign bit: copysign(1, y).
            let y = args[1];
            let zero = b.constant(0.0);
            let one = b.constant(1.0);
            let pos = b.cmp(CmpOp::Gt, x, zero);
            let neg = b.cmp(CmpOp::Lt, x, zero);
            let ng = b.neg(g);
            let inner = b.select(neg, ng, zero);
            let ga = b.select(pos, g, inner);
            let sy = b.call(Prim::Copysign, &[one, y]);
            vec![(x, b.mul(ga, sy))]
        }
        Prim::Sigmoid => {
            let one = b.constant(1.0);
            let c = b.sub(one, out);
            let d = b.mul(out, c);
            vec![(x, b.mul(g, d))]
        }
        Prim::Relu => {
            // relu'(0) = 0
            let zero = b.constant(0.0);
            let pos = b.cmp(CmpOp::Gt, x, zero);
            vec![(x, b.select(pos, g, zero))]
        }
        Prim::LeakyRelu => {
            let alpha = args[1];
            let zero = b.constant(0.0);
            let pos = b.cmp(CmpOp::Gt, x, zero);
            let ga = b.mul(g, alpha);
            let gx = b.select(pos, g, ga);
            let gxa = b.mul(g, x);
            let galpha = b.select(pos, zero, gxa);
            vec![(x, gx), (alpha, galpha)]
        }
        Prim::Softplus => {
            let s = b.call(Prim::Sigmoid, &[x]);
            vec![(x, b.mul(g, s))]
        }
        Prim::Elu => {
            // x > 0: 1; else alpha e^x (not out + alpha: exact for tiny alpha too)
            let alpha = args[1];
            let zero = b.constant(0.0);
            let pos = b.cmp(CmpOp::Gt, x, zero);
            let e = b.call(Prim::Exp, &[x]);
            let ga = b.mul(g, alpha);
            let gae = b.mul(ga, e);
            let gx = b.select(pos, g, gae);
            let em1 = b.call(Prim::ExpM1, &[x]);
            let gem1 = b.mul(g, em1);
            let galpha = b.select(pos, zero, gem1);
            vec![(x, gx), (alpha, galpha)]
        }
        Prim::Erf | Prim::Erfc => {
            // ±2/√π e^(−x²): underflows to 0 for |x| > 27, never NaN
            let c = b.constant(FRAC_2_SQRT_PI);
            let sq = b.mul(x, x);
            let nsq = b.neg(sq);
            let e = b.call(Prim::Exp, &[nsq]);
            let d = b.mul(c, e);
            let t = b.mul(g, d);
            vec![(x, if p == Prim::Erf { t } else { b.neg(t) })]
        }
        Prim::LnGamma => {
            // d/dx ln|Γ(x)| = ψ(x), for x < 0 too
            let psi = b.call(Prim::Digamma, &[x]);
            vec![(x, b.mul(g, psi))]
        }
        Prim::Gamma => {
            let psi = b.call(Prim::Digamma, &[x]);
            let t = b.mul(g, out);
            vec![(x, b.mul(t, psi))]
        }
        Prim::Digamma => {
            let d = b.call(Prim::Trigamma, &[x]);
            vec![(x, b.mul(g, d))]
        }
        Prim::Trigamma => {
            // Never reached: trigamma is internal (`Prim::internal`), written only
            // by the rule of digamma into a companion, and companions are not
            // differentiated again. Should that change, the gradient is NaN
            // rather than silently wrong (ψ'' would need a tetragamma).
            let nan = b.constant(f64::NAN);
            vec![(x, b.mul(g, nan))]
        }
    }
}
