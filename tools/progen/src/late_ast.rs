//! The model of the constructs of `late.rs`: `Option` locals built in the body and
//! read by `if let`, `unwrap_or` and `match`; struct literals of the header's
//! `Lp` (`#[derive(Tangent)]`) read by field and passed on whole; struct results of
//! the header's callees passed on whole; `Vec::new()` / `Vec::with_capacity(n)`
//! grown by `push`; `Vec<f64>` results of callees; output parameters
//! (`&mut [f64; 2]`, `&mut [f64]`) of callees given local arrays; `a.map(|t| …)` of
//! a fixed-size array; `.is_empty()` (a condition, `C::IsEmpty`). Expressions and
//! statements of the main model carry them as `E::Late` and `S::Late`.

use crate::ast::*;

/// Expressions of `late.rs`.
#[derive(Clone, Debug)]
pub(crate) enum LateE {
    /// `m.unwrap_or(e)` of an `Option` local
    UnwrapOr(String, Box<E>),
    /// `if let Some(v) = m { a } else { b }`
    IfLet(String, String, Box<E>, Box<E>),
    /// `match m { Some(v) if guard => a, Some(v) => b, None => c }`: the option,
    /// the binding, the guard, the arms
    Match(String, String, Box<C>, Box<E>, Box<E>, Box<E>),
    /// A struct local passed on whole to a callee of the header: `lnorm(&s)` (by
    /// reference, when the flag is set) or `lnormv(s)`
    Whole(String, bool),
}

/// Statements of `late.rs`.
#[derive(Clone, Debug)]
pub(crate) enum LateS {
    /// `let m = if c { Some(e) } else { None };`
    LetOpt(String, C, E),
    /// `let mut m = None; for v in a.iter() { if c { m = Some(e); } }`: the
    /// option, the item, the array, the condition, the content
    OptLoop(String, String, String, C, E),
    /// `let [mut] s = Lp { a: e, v: [e0, e1] };`
    LetStruct(String, bool, E, [E; 2]),
    /// `let q[: Lp] = lmake(x, y);` (annotated when the flag is set)
    LetStructCall(String, bool, E, E),
    /// `let q2 = lshift(q, k);`: a struct result passed on by value
    LetShift(String, String, E),
    /// `let mut v[: Vec<f64>] = Vec::new();` or `Vec::with_capacity(n)`
    LetVec(String, bool, Option<I>),
    /// `v.push(e);`
    Push(String, E),
    /// `let h[: Vec<f64>] = lvec(&a, k);` (or `lpush`): the local, annotated, the
    /// callee, the array argument, the scale
    LetVecCall(String, bool, &'static str, Arg, E),
    /// `[let r: f64 = ]lscale(s, &mut o);` (or `lfill2`, `lfill`): the result
    /// (for `lscale`), the callee, the scalar argument, the output array
    OutCall(Option<String>, &'static str, E, String),
    /// `let m[: [f64; n]] = a.map(|t| body);`: the local, its annotation's length,
    /// the array, the closure's parameter, its body
    Map(String, Option<usize>, String, String, E),
}

/// Whether `e` reads one of `inputs` (see `ast::reads`): every one of them is
/// built from the parameters.
pub(crate) fn late_reads(_e: &LateE, _inputs: &[String]) -> bool {
    true
}

/// The names a statement declares and the outer names it assigns (see
/// `ast::assigns_outer`).
pub(crate) fn late_walk(
    s: &LateS,
    declared: &mut Vec<String>,
    assigned: &mut Vec<String>,
    _walk: fn(&[S], &mut Vec<String>, &mut Vec<String>),
) {
    match s {
        LateS::LetOpt(n, ..)
        | LateS::OptLoop(n, ..)
        | LateS::LetStruct(n, ..)
        | LateS::LetStructCall(n, ..)
        | LateS::LetShift(n, ..)
        | LateS::LetVec(n, ..)
        | LateS::LetVecCall(n, ..)
        | LateS::Map(n, ..) => declared.push(n.clone()),
        LateS::Push(n, _) => assigned.push(n.clone()),
        LateS::OutCall(r, _, _, o) => {
            if let Some(r) = r {
                declared.push(r.clone());
            }
            assigned.push(o.clone());
        }
    }
}

/// A statement of `late.rs` in the main model.
pub(crate) fn late(s: LateS) -> S {
    S::Late(bx(s))
}

/// An expression of `late.rs` in the main model.
pub(crate) fn late_e(e: LateE) -> E {
    E::Late(bx(e))
}
