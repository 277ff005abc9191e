//! The model of the constructs of `values.rs`: values of the header's struct
//! `Sv` (`#[derive(Tangent)]`, fields `a: f64`, `v: [f64; 2]`) — built by a
//! literal, a call, a plain constructor, a copy or an element of a slice, carried
//! by loops, chosen by an `if`, read by field, passed on whole and returned — its
//! `#[grad]` methods (`&self` and `self`, chained), closures with an early
//! `return`, and the header's `const` tables. Expressions and statements of the
//! main model carry them as `E::Val` and `S::Val`; the parameters are
//! `PK::Rec(Rec::Sv, …)` of `ast.rs`.

use crate::ast::*;

/// A value of the struct `Sv`.
#[derive(Clone, Debug)]
pub(crate) enum SvX {
    /// A local or a parameter by value: `s`
    Var(String),
    /// A `&Sv` parameter read whole: `*sp`
    Deref(String),
    /// An element of a `&[Sv]`: `ss[i]`
    Elem(String, I),
    /// `Sv { a: e, v: [e0, e1] }`
    Lit(E, [E; 2]),
    /// `smake(x, y)`: a `#[grad]` function's struct result
    Make(E, E),
    /// `Sv::unit()`: a plain constructor (no `#[grad]`)
    Unit,
    /// `Sv::default()`
    Default,
    /// `recv.step(k)` (`self` by value) or `recv.nudge(k)` (`&self`): a method's
    /// struct result
    Method(Box<SvX>, &'static str, E),
    /// `recv.compose(o)`: a method taking a second struct
    Compose(Box<SvX>, Box<SvX>),
    /// `if c { a } else { b }`
    If(C, Box<SvX>, Box<SvX>),
}

/// A row of a `const` table the body walks: of structs (`ROWS`, fields `a`,
/// `b`) or of arrays (`TB`, `[[f64; 3]; 4]`).
#[derive(Clone, Debug)]
pub(crate) enum RowRead {
    /// `row.a` / `row.b`
    Field(&'static str),
    /// `row[j]`
    Idx(i64),
}

/// Expressions of `values.rs` (floats).
#[derive(Clone, Debug)]
pub(crate) enum ValE {
    /// `recv.energy(x)` (`&self`) / `recv.tension(x)` (`self` by value) /
    /// `recv.scale(x)` (`self` as data); `Sv::energy(&recv, x)` in the path form
    /// (the flag)
    Call(Box<SvX>, &'static str, Box<E>, bool),
    /// `recv.place([e0, e1])[j]`: a method's array result, indexed
    Place(Box<SvX>, Box<[E; 2]>, i64),
    /// `snorm(&s)`: a struct passed on whole by reference (a place: a local, a
    /// `&` parameter, an element)
    Norm(Box<SvX>),
    /// `s.a` / `s.v[j]` of a struct value that is not a variable (`smake(x,
    /// y).a`, `ss[i].v[1]`)
    Field(Box<SvX>, Option<i64>),
    /// `ss.iter().map(|s| s.tension(x)).sum::<f64>()`: the slice, the item, the
    /// method, its argument
    MapCall(String, String, &'static str, Box<E>),
    /// A read of a row of a `const` table (`row.a`, `row[j]`; `D::from(…)` in the
    /// oracle)
    Row(String, RowRead),
    /// `ROWS[i].a` / `TB[i][j]`
    Tab(&'static str, I, RowRead),
    /// A struct value where the function's result is (`-> Sv`)
    Whole(Box<SvX>),
    /// `a.iter().map(|&v| { if c { return e; } body }).sum::<f64>()`: a closure
    /// with an early `return` in an iterator chain: the array, the item, the
    /// returns (condition, value), the body
    MapRet(String, String, Vec<(C, E)>, Box<E>),
}

/// How a loop walks a `const` table.
#[derive(Clone, Debug)]
pub(crate) enum TabHead {
    /// `for row in T.iter()`
    Rows(String, &'static str),
    /// `for (row, q) in T.iter().zip(a.iter())`
    Zip(String, String, &'static str, String),
    /// `for (i, row) in T.iter().enumerate()`
    Enum(String, String, &'static str),
}

/// Statements of `values.rs`.
#[derive(Clone, Debug)]
pub(crate) enum ValS {
    /// `let [mut] s[: Sv] = value;`: the local, `mut`, annotated, the value
    Let(String, bool, bool, SvX),
    /// `s = value;`
    Assign(String, SvX),
    /// `s.v = [e0, e1];`: an array assigned whole to an array field
    SetArr(String, [E; 2]),
    /// `let f = |t: f64| -> f64 { if c { return e; } … body };`: the closure, its
    /// parameter, the returns (condition, value; an `else if` chain when the
    /// flag is set), the body
    ClosureRet(String, String, Vec<(C, E)>, bool, E),
    /// A loop over a `const` table
    Tab(TabHead, Vec<S>),
}

/// A value of `Sv` the generator declared (its fields are variables `s.a`,
/// `s.v`).
#[derive(Clone, Debug)]
pub(crate) struct SvVar {
    pub(crate) name: String,
    /// A `&Sv` parameter (read whole as `*sp`).
    pub(crate) by_ref: bool,
    /// Where its value came from.
    pub(crate) origin: Origin,
}

/// Where a struct value came from, as the macro types it (bugs 13, 15 and 18
/// of `/work/notes/progen-bugs.md` tell them apart).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Origin {
    /// A parameter, an element of a slice
    Known,
    /// A struct literal
    Literal,
    /// A call (`smake`, a method, `Sv::unit()`)
    Call,
    /// `Sv::default()`
    Default,
}

impl Origin {
    /// Whether the macro knows the value's struct, so that it may be reassigned
    /// whole in a loop or chosen by an `if` (bugs 13 and 15).
    pub(crate) fn typed(self) -> bool {
        matches!(self, Origin::Known | Origin::Literal)
    }
}

impl SvX {
    /// Where this value comes from (a variable: where it came from).
    pub(crate) fn origin(&self, vars: &[SvVar]) -> Origin {
        match self {
            SvX::Lit(..) => Origin::Literal,
            SvX::Deref(_) | SvX::Elem(..) => Origin::Known,
            SvX::Var(n) => vars
                .iter()
                .find(|v| &v.name == n)
                .map_or(Origin::Known, |v| v.origin),
            SvX::Default => Origin::Default,
            SvX::Make(..) | SvX::Unit | SvX::Method(..) | SvX::Compose(..) | SvX::If(..) => {
                Origin::Call
            }
        }
    }
}

/// A statement of `values.rs` in the main model.
pub(crate) fn val(s: ValS) -> S {
    S::Val(bx(s))
}

/// An expression of `values.rs` in the main model.
pub(crate) fn val_e(e: ValE) -> E {
    E::Val(bx(e))
}

/// The names a statement declares and the outer names it assigns (see
/// `ast::assigns_outer`).
pub(crate) fn val_walk(
    s: &ValS,
    declared: &mut Vec<String>,
    assigned: &mut Vec<String>,
    walk: fn(&[S], &mut Vec<String>, &mut Vec<String>),
) {
    match s {
        ValS::Let(n, ..) | ValS::ClosureRet(n, ..) => declared.push(n.clone()),
        ValS::Assign(n, _) => assigned.push(n.clone()),
        ValS::SetArr(n, _) => assigned.push(n.clone()),
        ValS::Tab(_, b) => walk(b, declared, assigned),
    }
}
