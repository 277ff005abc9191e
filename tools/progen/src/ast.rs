//! The program model: expressions, statements, parameters, results, and small
//! helpers over them.

pub(crate) use crate::late_ast::*;
pub(crate) use crate::r4_ast::*;
pub(crate) use crate::rec_ast::*;
pub(crate) use crate::seq_ast::*;
pub(crate) use crate::val_ast::*;

/// A float expression.
#[derive(Clone, Debug)]
pub(crate) enum E {
    /// A non-negative literal (negative ones are `Neg(Lit)`).
    Lit(f64),
    /// A literal with the `f64` suffix (the `init` of `fold`).
    LitF64(f64),
    /// A float local or parameter.
    Var(String),
    /// A `&f64`: a `&f64` parameter or an element bound by an iterator.
    RVar(String),
    Neg(Box<E>),
    Bin(char, Box<E>, Box<E>),
    /// A float method or primitive.
    Call(&'static str, Vec<Arg>, Style),
    /// `a[i]`, `w[i][j]`.
    Idx(String, Vec<I>),
    /// `i as f64`.
    Cast(I),
    If(Box<C>, Box<E>, Box<E>),
    /// `{ let t = …; e }`.
    Block(Vec<S>, Box<E>),
    Red(Box<Red>),
    /// `std::f64::consts::PI`
    Const(&'static str),
    /// `match i { 0 => a, 1 => b, _ => c }` on an integer
    Match(I, Vec<(i64, E)>, Box<E>),
    /// `f(e)`: a closure of the body called
    Apply(String, Box<E>),
    /// An iterator chain with adapters, mapped and reduced.
    Chain(Box<Chain>),
    /// `unreachable!()` (the value of a branch never taken)
    Unreachable,
    /// `match e { t if t < k => a, _ => b }`: the binding, the guard, the arms
    FMatch(Box<E>, String, Box<C>, Box<E>, Box<E>),
    /// An idiom of `idioms.rs`: function paths and closures by name in `map` /
    /// `fold`, `max_by` / `min_by`.
    Idiom(Box<Idiom>),
    /// `autodiff::no_grad(e)`
    NoGrad(Box<E>),
    /// A construct of `seqs.rs` (filters, patterns on `Option` …)
    Seq(Box<SeqE>),
    /// A construct of `late.rs` (`Option` locals, structs passed whole …)
    Late(Box<LateE>),
    /// A construct of `records.rs` (`Vec` parameters, slices of structs …)
    Rec(Box<RecE>),
    /// A construct of `round4.rs` (`.first()` / `.last()`, methods on a local …)
    R4(Box<R4E>),
    /// A construct of `values.rs` (methods of `Sv`, `const` tables …)
    Val(Box<ValE>),
}

/// The iterator idioms of `idioms.rs`, each over an array `a` (`a.iter()`).
#[derive(Clone, Debug)]
pub(crate) enum Idiom {
    /// `a.iter().map(|&v| k * v).map(f64::name).sum::<f64>()`
    MapPath(String, String, f64, &'static str),
    /// `a.iter().copied().fold(f64::NEG_INFINITY, f64::max)` (`min`: `INFINITY`)
    FoldPath(String, bool),
    /// `a.iter().copied().map(f).sum::<f64>()`: a closure by name
    MapNamed(String, String),
    /// `a.iter().copied().fold(init, g)`: a closure `|acc, z|` by name
    FoldNamed(String, f64, String),
    /// `a.iter().copied().max_by(|p, q| p.total_cmp(q)).unwrap()`: max (or min),
    /// `total_cmp` (or `partial_cmp(q).unwrap()`), the closure's parameters
    MaxBy(String, bool, bool, String, String),
}

/// `a.iter()[.cloned()].rev().skip(1)….map(|v| body).sum::<f64>()`, or from a
/// range `(0..n)`, or reduced with `.reduce(|p, q| 0.5 * p + q).unwrap()`.
#[derive(Clone, Debug)]
pub(crate) struct Chain {
    /// An array (cloned or not), or a range `0..n`.
    pub(crate) src: ChainSrc,
    /// `rev`, `skip`, `take`, `step_by`, with their argument.
    pub(crate) adapters: Vec<(&'static str, usize)>,
    pub(crate) param: String,
    pub(crate) body: E,
    /// `reduce` instead of `sum`.
    pub(crate) reduce: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum ChainSrc {
    Arr(String, bool),
    Range(usize),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Style {
    /// `x.exp()`
    Method,
    /// `f64::exp(x)`
    Path,
    /// `autodiff::sigmoid(x)`
    Prim,
    /// A `#[grad]` callee of the file header: `cdot3(&a, &b)` (`cdot3_dual(…, tr_)`
    /// in the oracle).
    User,
}

#[derive(Clone, Debug)]
pub(crate) enum Arg {
    F(E),
    I(I),
    /// An array by reference: `&a`, `&w[i]`, `&st.w[i]` (`&` left out for a
    /// parameter that is already a reference).
    Ref(String, Vec<I>, bool),
}

/// An integer expression (indices, bounds, exponents).
#[derive(Clone, Debug)]
pub(crate) enum I {
    Lit(i64),
    /// `2_i32`
    LitI32(i64),
    Var(String),
    /// `a.len()`
    Len(String),
    Bin(char, Box<I>, Box<I>),
    /// `i as i32`
    AsI32(Box<I>),
}

/// A condition.
#[derive(Clone, Debug)]
pub(crate) enum C {
    Cmp(&'static str, E, E),
    ICmp(&'static str, I, I),
    And(Box<C>, Box<C>),
    Or(Box<C>, Box<C>),
    Not(Box<C>),
    /// `e.is_sign_positive()` (true) / `e.is_sign_negative()` (false).
    Sign(bool, E),
    Bool(String),
    /// `!e.is_nan()`, `e.is_finite()`, `!e.is_infinite()` (always true here)
    Class(&'static str, E),
    /// `matches!(i, 0 | 2)`
    Matches(I, Vec<i64>),
    /// `c == 'a'` on a `char` parameter
    CharIs(String, char),
    /// `any` / `all` (`seqs.rs`)
    Seq(Box<SeqC>),
    /// `a.is_empty()` of a slice or a `Vec` (`late.rs`)
    IsEmpty(String),
    /// `(lo..=hi).contains(&x)` (`lo..hi` when the flag is not set; `round4.rs`):
    /// `x`, `lo`, `hi`, inclusive
    Contains(E, E, E, bool),
}

/// An iterator reduction.
#[derive(Clone, Debug)]
pub(crate) struct Red {
    /// One array, or two zipped.
    pub(crate) arrs: Vec<String>,
    pub(crate) copied: bool,
    pub(crate) enumerate: bool,
    /// Closure parameter names: `[v]`, `[i, v]` (enumerate) or `[p, q]` (zip).
    pub(crate) params: Vec<String>,
    /// The closure binds `&v` (single array, not copied).
    pub(crate) ref_pat: bool,
    pub(crate) kind: RK,
}

#[derive(Clone, Debug)]
pub(crate) enum RK {
    Sum,
    Product,
    MapSum(E),
    MapProduct(E),
    /// `fold(init, |acc, item| body)`
    Fold(E, String, E),
}

#[derive(Clone, Debug)]
pub(crate) enum S {
    Let {
        name: String,
        mutable: bool,
        annot: bool,
        init: E,
    },
    LetTup(String, String, E, E),
    LetArr {
        name: String,
        mutable: bool,
        annot: Option<String>,
        init: AInit,
    },
    /// `let mut c = 0;`
    Counter(String),
    Const(String, f64),
    Assign(LV, char, E),
    /// `c += 1;`
    Inc(String),
    If(Vec<(C, Vec<S>)>, Option<Vec<S>>),
    For(Head, Vec<S>),
    While(C, Vec<S>),
    Break,
    Continue,
    Return(R),
    /// `std::mem::swap(&mut a, &mut b);`
    MemSwap(String, String),
    /// `let (s, c) = e.sin_cos();`
    SinCos(String, String, E),
    /// `let f = |z: f64| body;`
    Closure(String, String, E),
    /// `assert!(c);` (`debug_assert!` when the flag is set)
    Assert(bool, C),
    /// `let (p, q) = csplit(a, b);`: a callee's tuple result
    TupCall(String, String, E),
    /// `let g = |acc: f64, z: f64| body;`
    Closure2(String, String, String, E),
    /// `println!("{}", e);`, `eprintln!`, `dbg!(e);` (in a branch never taken)
    Print(&'static str, E),
    /// A statement of `seqs.rs` (tuple folds, `iter_mut` loops, `let … else` …)
    Seq(Box<SeqS>),
    /// A statement of `late.rs` (`Option` locals, struct literals, `push` …)
    Late(Box<LateS>),
    /// A statement of `records.rs` (loops over rows and records, defaults …)
    Rec(Box<RecS>),
    /// A statement of `round4.rs` (`loop`, patterns, `from_fn` …)
    R4(Box<R4S>),
    /// A statement of `values.rs` (struct values, closures with `return` …)
    Val(Box<ValS>),
}

#[derive(Clone, Debug)]
pub(crate) enum AInit {
    /// `[0.0; n]` or `[[0.0; m]; n]`
    Zeros(usize, Option<usize>),
    Lit(Vec<E>),
    /// `a` or `*a`
    Copy(String, bool),
    /// `[e; n]`
    Splat(E, usize),
    /// `std::mem::replace(&mut a, b)`
    Replace(String, String),
    /// A callee's array result: `cpair2(&a)` (annotated)
    Call(E),
}

#[derive(Clone, Debug)]
pub(crate) enum LV {
    Var(String),
    Idx(String, Vec<I>),
}

#[derive(Clone, Debug)]
pub(crate) enum Head {
    /// `for i in lo..hi` (`..=` when inclusive)
    Range(String, I, I, bool),
    /// `for v in a.iter()` (`for &v in …` when the flag is set)
    Iter(String, String, bool),
    /// `for (i, v) in a.iter().enumerate()`
    Enum(String, String, String),
    /// `for (p, q) in a.iter().zip(b.iter())`
    Zip(String, String, String, String),
    /// `for row in w.iter()` over a 2-D array
    Rows(String, String),
    /// `for i in (lo..hi).rev()`
    Rev(String, I, I),
}

/// A result: scalar, array literal, array local, or pair.
#[derive(Clone, Debug)]
pub(crate) enum R {
    S(E),
    A(Vec<E>),
    AVar(String),
    T(E, E),
}

// ------------------------------------------------------------------ signatures

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum PK {
    F,
    RefF,
    Arr(usize),
    RefArr(usize),
    Slice(usize),
    /// `&[[f64; m]; n]`
    Arr2(usize, usize),
    Usize(i64),
    I32(i64),
    Bool(bool),
    /// A struct `Body` of the file header (see `structs.rs`): how it is passed,
    /// and whether it has its nested field `inner`.
    Body(BodyMode, bool),
    /// `c: char`, passed through (its value at every point)
    Char(char),
    /// `[[f64; m]; n]` by value
    Arr2V(usize, usize),
    /// `Option<usize>`, `Option<f64>`, `Result<f64, String>`: inactive data, its
    /// value drawn per point from one float of the point (`seq_ast.rs`)
    Opt(OptTy),
    /// `&Vec<f64>` of `n` elements (`records.rs`)
    VecRef(usize),
    /// `&[Vec<f64>]` of `r` rows of `c` elements
    VecRows(usize, usize),
    /// The header's `Lv { b: f64, w: Vec<f64>, m: Vec<Vec<f64>> }` (`w` of `n`
    /// elements, `m` of `r` rows of 2), by `&` (true) or by value (`mut`)
    VecStruct(bool, usize, usize),
    /// A struct of the header the harness reads from a flat point, and how it
    /// is passed (`ps: &[Pt]`, `sp: &Sv`, `sv: Sv`, `ss: &[Sv]`)
    Rec(Rec, Pass),
    /// `&[(f64, f64)]` of `n` pairs
    Pairs(usize),
}

/// A struct of the file's header a parameter may have, with the names the
/// harness knows it by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Rec {
    /// `Pt { x: f64, f: [f64; 2] }` of `records.rs`
    Pt,
    /// `Sv { a: f64, v: [f64; 2] }` of `values.rs`
    Sv,
}

impl Rec {
    /// The struct's name in the original, and its twin's in the oracle.
    pub(crate) fn names(self) -> (&'static str, &'static str) {
        match self {
            Rec::Pt => ("Pt", "PtD"),
            Rec::Sv => ("Sv", "SvD"),
        }
    }

    /// Its floats.
    pub(crate) fn floats(self) -> usize {
        3
    }

    /// The header's readers of one (`take_sv`) and of a slice (`take_pts`; a
    /// `Pt` is only ever a slice's) from a flat point, `_d` for the oracle's
    /// twin; and its constructor filled with one value (`pt_filled`).
    pub(crate) fn take(self, slice: bool) -> &'static str {
        match (self, slice) {
            (Rec::Pt, _) => "take_pts",
            (Rec::Sv, true) => "take_svs",
            (Rec::Sv, false) => "take_sv",
        }
    }

    pub(crate) fn filled(self) -> &'static str {
        match self {
            Rec::Pt => "pt_filled",
            Rec::Sv => "sv_filled",
        }
    }
}

/// How a `Rec` parameter is passed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Pass {
    /// `sp: &Sv`
    Ref,
    /// `sv: Sv`
    Value,
    /// `ss: &[Sv]` of `n` records
    Slice(usize),
}

/// How a `Body` parameter is passed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum BodyMode {
    /// `mut st: Body`
    Value,
    /// `st: &Body`
    Ref,
    /// `&self` of a method
    SelfRef,
}

impl PK {
    pub(crate) fn floats(self) -> usize {
        match self {
            PK::F | PK::RefF => 1,
            PK::Arr(n) | PK::RefArr(n) | PK::Slice(n) => n,
            PK::Arr2(n, m) | PK::Arr2V(n, m) => n * m,
            PK::Usize(_) | PK::I32(_) | PK::Bool(_) | PK::Char(_) => 0,
            PK::Body(_, nested) => crate::structs::floats(nested),
            PK::Opt(_) => 1,
            PK::VecRef(n) => n,
            PK::VecRows(r, c) => r * c,
            PK::VecStruct(_, n, r) => 1 + n + 2 * r,
            PK::Rec(r, Pass::Slice(n)) => r.floats() * n,
            PK::Rec(r, _) => r.floats(),
            PK::Pairs(n) => 2 * n,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) kind: PK,
    pub(crate) mutable: bool,
    /// Differentiated (listed in `wrt`, or no `wrt`).
    pub(crate) active: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum RetKind {
    Scalar,
    Array(usize),
    Pair,
    /// `Vec<f64>` of `n` elements (an array result written `vec![…]`, `records.rs`)
    Vec(usize),
    /// The header's struct `Sv` (`values.rs`)
    Sv,
}

impl RetKind {
    pub(crate) fn outputs(self) -> usize {
        match self {
            RetKind::Scalar => 1,
            RetKind::Array(n) | RetKind::Vec(n) => n,
            RetKind::Pair => 2,
            RetKind::Sv => 3,
        }
    }
}

pub(crate) struct Program {
    pub(crate) name: String,
    pub(crate) params: Vec<Param>,
    pub(crate) wrt: bool,
    pub(crate) ret: RetKind,
    pub(crate) body: Vec<S>,
    pub(crate) tail: R,
    /// Parameters whose type is written with the header's alias of an array
    /// (`ga: V3`, `gb: &V3`, `gp: &[V3]`; `round4.rs`)
    pub(crate) aliases: Vec<String>,
    /// A method of `Body` with `self` and every other parameter differentiated
    /// is written under a plain `#[grad]`, without `wrt` (`values.rs`)
    pub(crate) plain_self: bool,
}

/// Limit on a value's bound before products and `exp`-like calls squash it.
pub(crate) const BIG: f64 = 60.0;

pub(crate) fn lit(v: f64) -> E {
    if v < 0.0 {
        E::Neg(Box::new(E::Lit(-v)))
    } else {
        E::Lit(v)
    }
}

pub(crate) fn bx<T>(t: T) -> Box<T> {
    Box::new(t)
}

/// `let [mut] name: f64 = init;`
pub(crate) fn let_f(name: String, mutable: bool, init: E) -> S {
    S::Let {
        name,
        mutable,
        annot: true,
        init,
    }
}

/// `a * b`
pub(crate) fn mul(a: E, b: E) -> E {
    E::Bin('*', bx(a), bx(b))
}

/// `a + b`
pub(crate) fn add(a: E, b: E) -> E {
    E::Bin('+', bx(a), bx(b))
}

/// `n as f64`
pub(crate) fn cast(n: &str) -> E {
    E::Cast(I::Var(n.to_string()))
}

/// `a[i]`
pub(crate) fn at(a: &str, i: I) -> E {
    E::Idx(a.to_string(), vec![i])
}

pub(crate) fn call(name: &'static str, args: Vec<E>) -> E {
    E::Call(name, args.into_iter().map(Arg::F).collect(), Style::Method)
}

/// Whether `e` has a definite type `f64` in Rust (a literal alone is `{float}`,
/// on which no method can be called).
pub(crate) fn anchored(e: &E) -> bool {
    match e {
        E::Lit(_) => false,
        E::LitF64(_)
        | E::Var(_)
        | E::RVar(_)
        | E::Idx(..)
        | E::Cast(_)
        | E::Red(_)
        | E::Const(_)
        | E::Apply(..)
        | E::Chain(_)
        | E::Idiom(_) => true,
        E::NoGrad(x) => anchored(x),
        E::Seq(s) => seq_anchored(s),
        E::Late(_) | E::Rec(_) | E::R4(_) | E::Val(_) => true,
        E::Unreachable => false,
        E::FMatch(_, _, _, a, b) => anchored(a) || anchored(b),
        E::Match(_, arms, d) => anchored(d) || arms.iter().any(|(_, e)| anchored(e)),
        E::Neg(x) => anchored(x),
        E::Bin(_, a, b) => anchored(a) || anchored(b),
        E::Call(_, args, style) => {
            *style != Style::Prim
                || args.iter().any(|a| match a {
                    Arg::F(e) => anchored(e),
                    Arg::I(_) | Arg::Ref(..) => false,
                })
        }
        E::If(_, a, b) => anchored(a) || anchored(b),
        E::Block(_, e) => anchored(e),
    }
}

pub(crate) fn is_leaf(e: &E) -> bool {
    matches!(e, E::Lit(_) | E::Var(_) | E::RVar(_) | E::Idx(..))
}

/// Whether `e` reads one of `inputs` (so that no constant folding removes it).
pub(crate) fn reads(e: &E, inputs: &[String]) -> bool {
    let i = |n: &String| inputs.contains(n);
    match e {
        E::Lit(_) | E::LitF64(_) | E::Cast(_) => false,
        E::Var(n) | E::RVar(n) | E::Idx(n, _) => i(n),
        E::Neg(x) => reads(x, inputs),
        E::Bin(_, a, b) => reads(a, inputs) || reads(b, inputs),
        E::Call(_, args, _) => args.iter().any(|a| match a {
            Arg::F(e) => reads(e, inputs),
            Arg::I(_) => false,
            Arg::Ref(n, ..) => i(n),
        }),
        E::If(_, a, b) => reads(a, inputs) || reads(b, inputs),
        E::Block(_, e) => reads(e, inputs),
        E::Red(r) => r.arrs.iter().any(i),
        E::Const(_) => false,
        E::Match(_, arms, d) => reads(d, inputs) || arms.iter().any(|(_, e)| reads(e, inputs)),
        E::Apply(_, e) => reads(e, inputs),
        E::Chain(c) => reads(&c.body, inputs) || matches!(&c.src, ChainSrc::Arr(a, _) if i(a)),
        E::Unreachable => false,
        E::FMatch(s, _, _, a, b) => reads(s, inputs) || reads(a, inputs) || reads(b, inputs),
        E::Idiom(d) => match &**d {
            Idiom::MapPath(a, ..)
            | Idiom::FoldPath(a, _)
            | Idiom::MapNamed(a, _)
            | Idiom::FoldNamed(a, ..)
            | Idiom::MaxBy(a, ..) => i(a),
        },
        E::NoGrad(x) => reads(x, inputs),
        E::Seq(s) => seq_reads(s, inputs),
        E::Late(l) => late_reads(l, inputs),
        // every one is built from the parameters
        E::Rec(_) | E::R4(_) | E::Val(_) => true,
    }
}

/// Whether `body` assigns a variable it does not declare (a loop that does not
/// is dead code).
pub(crate) fn assigns_outer(body: &[S]) -> bool {
    pub(crate) fn walk(ss: &[S], declared: &mut Vec<String>, assigned: &mut Vec<String>) {
        for s in ss {
            match s {
                S::Let { name, .. }
                | S::LetArr { name, .. }
                | S::Counter(name)
                | S::Const(name, _) => declared.push(name.clone()),
                S::LetTup(p, q, ..) => {
                    declared.push(p.clone());
                    declared.push(q.clone());
                }
                S::Assign(LV::Var(n) | LV::Idx(n, _), ..) => assigned.push(n.clone()),
                S::Inc(_) | S::Break | S::Continue | S::Return(_) => {}
                S::SinCos(p, q, _) => {
                    declared.push(p.clone());
                    declared.push(q.clone());
                }
                S::Closure(f, ..) => declared.push(f.clone()),
                S::Assert(..) => {}
                S::TupCall(p, q, _) => {
                    declared.push(p.clone());
                    declared.push(q.clone());
                }
                S::Closure2(f, ..) => declared.push(f.clone()),
                S::Print(..) => {}
                S::Seq(s) => seq_walk(s, declared, assigned, walk),
                S::Late(s) => late_walk(s, declared, assigned, walk),
                S::Rec(s) => rec_walk(s, declared, assigned),
                S::R4(s) => r4_walk(s, declared, assigned, walk),
                S::Val(s) => val_walk(s, declared, assigned, walk),
                S::MemSwap(a, b) => {
                    assigned.push(a.clone());
                    assigned.push(b.clone());
                }
                S::If(arms, els) => {
                    for (_, b) in arms {
                        walk(b, declared, assigned);
                    }
                    if let Some(b) = els {
                        walk(b, declared, assigned);
                    }
                }
                S::For(_, b) | S::While(_, b) => walk(b, declared, assigned),
            }
        }
    }
    let (mut declared, mut assigned) = (Vec::new(), Vec::new());
    walk(body, &mut declared, &mut assigned);
    assigned.iter().any(|a| !declared.contains(a))
}

pub(crate) fn call_any(name: &'static str, e: E) -> E {
    let style = if anchored(&e) {
        Style::Method
    } else {
        Style::Path
    };
    E::Call(name, vec![Arg::F(e)], style)
}
