//! The model of the constructs of `seqs.rs`: `fold` with a tuple accumulator,
//! `filter` at a chain's tail, the inactive reductions (`count`, `any`, `all`,
//! `position`), `iter_mut` loops, and patterns on `Option` / `Result` (`if let`,
//! `let … else`, `match`, `checked_sub`). Expressions, conditions and statements of
//! the main model carry them as `E::Seq`, `C::Seq` and `S::Seq`.

use crate::ast::*;

/// An `Option` / `Result` parameter, inactive data: one float of the point (drawn
/// as the others, never differentiated) gives its value (`opt_usize` … of the
/// file's header).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum OptTy {
    /// `Option<usize>`: `None` or `Some(0..=max)`
    Usize(i64),
    /// `Option<f64>`: `None`, `Some(0.0)` or `Some(0.25..=1.25)`
    F64,
    /// `Result<f64, String>`: `Err("none")` or `Ok(-1.0..=2.0)`
    ResF64,
}

/// The source of a chain: `a.iter()`, `.copied()`, then one adapter.
#[derive(Clone, Debug)]
pub(crate) struct Src {
    pub(crate) arr: String,
    pub(crate) copied: bool,
    pub(crate) adapter: Option<(&'static str, usize)>,
}

impl Src {
    /// How many `&` an item has.
    pub(crate) fn depth(&self) -> usize {
        usize::from(!self.copied)
    }
}

/// A predicate `|v| *v > t` (`pat`: `|&v| v > t`) comparing an item with `t`.
#[derive(Clone, Debug)]
pub(crate) struct Pred {
    pub(crate) v: String,
    pub(crate) pat: bool,
    pub(crate) op: &'static str,
    pub(crate) t: E,
}

/// The reduction after a `filter`, over items named `e` (the map's and the
/// fold's parameter).
#[derive(Clone, Debug)]
pub(crate) enum FRed {
    /// `.map(|e| body)` (or none), `.sum::<f64>()`
    Sum(Option<E>),
    /// `.map(|e| body).product::<f64>()`
    Product(E),
    /// `.fold(init, |acc, e| step)`
    Fold(f64, String, E),
}

/// `src.filter(pred).map(…).sum::<f64>()` and friends.
#[derive(Clone, Debug)]
pub(crate) struct Filt {
    pub(crate) src: Src,
    pub(crate) pred: Pred,
    pub(crate) e: String,
    pub(crate) red: FRed,
}

/// What a pattern tests.
#[derive(Clone, Debug)]
pub(crate) enum Scrut {
    /// An `Option` / `Result` parameter.
    Var(String),
    /// `n.checked_sub(k)`
    CheckedSub(I, i64),
}

#[derive(Clone, Debug)]
pub(crate) enum Pat {
    /// `Some(j)`, `Some(_)`
    Some(Option<String>),
    /// `Some(0.0)`
    SomeLit(f64),
    None,
    /// `Ok(c)`, `Ok(_)`
    Ok(Option<String>),
    /// `Err(_)`
    Err,
}

#[derive(Clone, Debug)]
pub(crate) enum SeqE {
    /// `*o`: an item of `iter_mut`
    Deref(String),
    /// A float of data bound by a pattern (`f` of `Some(f)`): `D::from(f)` in the
    /// oracle
    Data(String),
    Filter(Box<Filt>),
    /// `match scrut { pat if guard => e, … }`
    Match(Scrut, Vec<(Pat, Option<C>, E)>),
    /// `if let pat = scrut { a } else { b }`
    IfLet(Pat, Scrut, Box<E>, Box<E>),
}

#[derive(Clone, Debug)]
pub(crate) enum SeqC {
    /// `src.any(pred)` (`all` when the flag is set)
    Any(Src, Pred, bool),
    /// `a.iter().all(|v| v.is_finite())`
    AllFinite(String),
}

/// Integer (`usize`) values.
#[derive(Clone, Debug)]
pub(crate) enum SeqI {
    /// `src.filter(pred).count()`
    Count(Src, Pred),
    /// `src.position(pred).unwrap()` (`.unwrap_or(i)`)
    Position(Src, Pred, Option<i64>),
    /// `if let Some(j) = k { j } else { d }`
    IfLet(Scrut, String, i64),
}

/// A buffer for `iter_mut`.
#[derive(Clone, Debug)]
pub(crate) enum Buf {
    /// `a.to_vec()`
    ToVec(String),
    /// `vec![0.0; n]`
    VecZeros(usize),
}

/// `for … in y.iter_mut()…` (inside `for _ in 0..reps` when `reps > 0`).
#[derive(Clone, Debug)]
pub(crate) struct IterMut {
    pub(crate) y: String,
    pub(crate) o: String,
    /// `.zip(a.iter())`, its item `xi`
    pub(crate) zip: Option<(String, String)>,
    /// `.enumerate().skip(1)`, the index
    pub(crate) enumerate: Option<String>,
    pub(crate) reps: usize,
    pub(crate) body: Vec<S>,
}

/// `let (c, s1, s2) = a.iter().fold((0usize, 0.0, 0.0), |(c, p, q), &v| (c + 1, …))`
#[derive(Clone, Debug)]
pub(crate) struct TupFold {
    /// The names bound (the count first when `count`).
    pub(crate) outs: Vec<String>,
    pub(crate) arr: String,
    /// The item is `v` (a `&f64`), not `&v`.
    pub(crate) by_ref: bool,
    pub(crate) v: String,
    /// The accumulators' names (the count first when `count`).
    pub(crate) accs: Vec<String>,
    pub(crate) count: bool,
    /// The float components' new values.
    pub(crate) bodies: Vec<E>,
}

#[derive(Clone, Debug)]
pub(crate) enum SeqS {
    /// `let k = …;` of an integer
    LetInt(String, SeqI),
    TupFold(Box<TupFold>),
    /// `*o op= e;`
    DerefAssign(String, char, E),
    IterMut(Box<IterMut>),
    /// `let mut y = …;`
    LetBuf(String, Buf),
    /// `let pat = scrut else { return …; / continue };`
    LetElse(Pat, Scrut, Box<S>),
    /// `if let pat = scrut { … } else { … }`
    IfLet(Pat, Scrut, Vec<S>, Option<Vec<S>>),
}

/// Whether `e` reads one of `inputs` (see `ast::reads`).
pub(crate) fn seq_reads(s: &SeqE, inputs: &[String]) -> bool {
    match s {
        SeqE::Deref(_) | SeqE::Data(_) => false,
        SeqE::Filter(f) => {
            inputs.contains(&f.src.arr)
                || match &f.red {
                    FRed::Sum(Some(e)) | FRed::Product(e) | FRed::Fold(_, _, e) => reads(e, inputs),
                    FRed::Sum(None) => false,
                }
        }
        SeqE::Match(_, arms) => arms.iter().any(|(_, _, e)| reads(e, inputs)),
        SeqE::IfLet(_, _, a, b) => reads(a, inputs) || reads(b, inputs),
    }
}

/// Whether `e` has the type `f64` for sure (see `ast::anchored`).
pub(crate) fn seq_anchored(s: &SeqE) -> bool {
    match s {
        SeqE::Deref(_) | SeqE::Data(_) => true,
        SeqE::Filter(f) => !matches!(f.red, FRed::Fold(..)),
        SeqE::Match(_, arms) => arms.iter().any(|(_, _, e)| anchored(e)),
        SeqE::IfLet(_, _, a, b) => anchored(a) || anchored(b),
    }
}

/// The names a statement declares and the outer names it assigns (see
/// `ast::assigns_outer`).
pub(crate) fn seq_walk(
    s: &SeqS,
    declared: &mut Vec<String>,
    assigned: &mut Vec<String>,
    walk: fn(&[S], &mut Vec<String>, &mut Vec<String>),
) {
    match s {
        SeqS::LetInt(n, _) | SeqS::LetBuf(n, _) => declared.push(n.clone()),
        SeqS::TupFold(t) => declared.extend(t.outs.iter().cloned()),
        SeqS::DerefAssign(o, ..) => assigned.push(o.clone()),
        SeqS::IterMut(m) => assigned.push(m.y.clone()),
        SeqS::LetElse(p, ..) => {
            if let Pat::Some(Some(n)) | Pat::Ok(Some(n)) = p {
                declared.push(n.clone());
            }
        }
        SeqS::IfLet(_, _, a, b) => {
            walk(a, declared, assigned);
            if let Some(b) = b {
                walk(b, declared, assigned);
            }
        }
    }
}

/// A statement of `seqs.rs` in the main model.
pub(crate) fn seq(s: SeqS) -> S {
    S::Seq(bx(s))
}

/// An expression of `seqs.rs` in the main model.
pub(crate) fn seq_e(s: SeqE) -> E {
    E::Seq(bx(s))
}
