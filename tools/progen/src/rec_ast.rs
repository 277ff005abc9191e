//! The model of the constructs of `records.rs`: `Vec` parameters (`&Vec<f64>`,
//! `&[Vec<f64>]`), a `#[derive(Tangent)]` struct with `Vec` fields (`Lv`), slices of
//! structs (`&[Pt]`) and of tuples (`&[(f64, f64)]`) read field by field, structs
//! made by `Lp::default()` / `Default::default()` / `..Default::default()`, and
//! `Option` combinators. Expressions and statements of the main model carry them
//! as `E::Rec` and `S::Rec`; the parameters are `PK::VecRef` … of `ast.rs`.

use crate::ast::*;

/// Expressions of `records.rs`.
#[derive(Clone, Debug)]
pub(crate) enum RecE {
    /// `w[i].iter().zip(x.iter()).map(|(p, q)| p * q).sum::<f64>()`: a row of a
    /// `&[Vec<f64>]` (or a `Vec` field of rows) against an array of its length
    RowDot(String, I, String, String, String),
    /// `a.iter().map(|v| body).sum::<f64>()` of a `Vec` or a row `w[i]` (the
    /// indices), or of a field (`lin.w`): the source, its indices, the item, the body
    IterSum(String, Vec<I>, String, E),
    /// `src.len() as f64` (`w[i].len()`, `lin.w.len()`, `ps.len()`)
    Len(String, Vec<I>),
    /// `ps[i].x` or `ps[i].f[j]`
    PtField(String, I, Option<I>),
    /// `ps.iter().map(|p| body).sum::<f64>()`: the item `p` is read as `p.x`,
    /// `p.f[j]` (the body's variables `px` / `pf0` / `pf1` stand for them)
    PtSum(String, String, E),
    /// `pts[i].0` / `pts[i].1`
    PairField(String, I, u8),
    /// `pts.iter().map(|&(a, b)| body).sum::<f64>()`
    PairSum(String, String, String, E),
    /// `o.map(|v| body).unwrap_or(d)`
    OptMap(OptSrc, String, Box<E>, Box<E>),
    /// `o.map_or(d, |v| body)`
    OptMapOr(OptSrc, String, Box<E>, Box<E>),
    /// `o.and_then(|v| if c { Some(body) } else { None }).unwrap_or(d)`: the
    /// option, the binding, the condition, the body, the default
    OptAndThen(OptSrc, String, Box<C>, Box<E>, Box<E>),
    /// `o.unwrap_or_else(|| e)`
    OptUnwrapOrElse(OptSrc, Box<E>),
    /// `o.map(f64::name).unwrap_or(d)`: a function path (`sin`, `tanh`, `atan`)
    OptMapPath(OptSrc, &'static str, Box<E>),
}

/// The `Option` a combinator reads.
#[derive(Clone, Debug)]
pub(crate) enum OptSrc {
    /// An `Option<f64>` local the body builds (`RecS::LetOpt`)
    Local(String),
    /// An `Option<f64>` parameter (data, under `wrt`): `ow.map(D::from)` in the
    /// oracle, so that its content is a dual number there too
    Data(String),
}

/// How a struct local of `Lp` is made from its defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum DefaultForm {
    /// `let mut s = Lp::default();`
    Path,
    /// `let mut s: Lp = Default::default();`
    Annotated,
    /// `let mut s = Lp { a: e, ..Default::default() };`
    UpdateA,
    /// `let mut s = Lp { v: [e0, e1], ..Lp::default() };`
    UpdateV,
}

/// Statements of `records.rs`.
#[derive(Clone, Debug)]
pub(crate) enum RecS {
    /// `let mut acc = 0.0; for row in w.iter() { let t = row[j]; acc += body; }`:
    /// the accumulator, the row, the rows (a parameter or a field), `j`, `t`, the
    /// body (reading `t`)
    RowsLoop(String, String, String, i64, String, E),
    /// `let mut acc = 0.0; for p in ps.iter() { acc += body; }` (`for p in ps`
    /// when the flag is set)
    PtLoop(String, String, String, bool, E),
    /// `let mut acc = 0.0; for &(a, b) in pts.iter() { acc += body; }` (`in pts`
    /// when the flag is set)
    PairLoop(String, String, String, String, bool, E),
    /// `let (a, b) = pts[i];`
    LetPair(String, String, String, I),
    /// `let mut s = …;` of `Lp` from its defaults (the fields are then assigned by
    /// `S::Assign` of `s.a`, `s.v[j]`): the local, the form, the literal's values
    /// (`UpdateA`: the `a`, `UpdateV`: `v[0]`, `v[1]`)
    LetDefault(String, DefaultForm, Vec<E>),
    /// `let mut acc = Acc::default(); for v in a.iter() { acc.sum += …; acc.n += 1;
    /// [acc.h[k] += …;] }`: the local, the array, the item (`&f64`), the terms of
    /// `sum` and of `h[k]` (or none)
    AccLoop(String, String, String, E, Option<(i64, E)>),
    /// `let o = if c { Some(e) } else { None };`
    LetOpt(String, C, E),
}

/// The names a statement declares and the outer names it assigns (see
/// `ast::assigns_outer`).
pub(crate) fn rec_walk(s: &RecS, declared: &mut Vec<String>, _assigned: &mut [String]) {
    match s {
        RecS::RowsLoop(n, ..)
        | RecS::PtLoop(n, ..)
        | RecS::PairLoop(n, ..)
        | RecS::LetDefault(n, ..)
        | RecS::AccLoop(n, ..)
        | RecS::LetOpt(n, ..) => declared.push(n.clone()),
        RecS::LetPair(a, b, ..) => {
            declared.push(a.clone());
            declared.push(b.clone());
        }
    }
}

/// A statement of `records.rs` in the main model.
pub(crate) fn rec_s(s: RecS) -> S {
    S::Rec(bx(s))
}

/// An expression of `records.rs` in the main model.
pub(crate) fn rec_e(e: RecE) -> E {
    E::Rec(bx(e))
}
