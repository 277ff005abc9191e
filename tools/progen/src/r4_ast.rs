//! The model of the constructs of `round4.rs`: loops left by `return` (`for`,
//! `while`, `loop`, nested) and `loop { … break … }`, struct and array patterns,
//! `(lo..=hi).contains(&x)` (a condition of the main model, `C::Contains`),
//! `std::array::from_fn`, `.first()` / `.last()`, locals annotated with an alias
//! of an array, methods called on a struct the body builds, and rows of struct
//! fields read in place. Expressions and statements of the main model carry them
//! as `E::R4` and `S::R4`.

use crate::ast::*;

/// Expressions of `round4.rs`.
#[derive(Clone, Debug)]
pub(crate) enum R4E {
    /// `a.first().copied().unwrap_or(d)` (`last` when the flag is set)
    EndOr(String, bool, Box<E>),
    /// `*a.first().unwrap()` (`last` when the flag is set)
    EndUnwrap(String, bool),
    /// `if let Some(v) = a.first() { body } else { d }`: the array, `last`, the
    /// binding (a `&f64`), the body, the default
    EndIfLet(String, bool, String, Box<E>, Box<E>),
    /// `a.last().map_or(d, |v| body)`: the array, `last`, the binding, the body,
    /// the default
    EndMapOr(String, bool, String, Box<E>, Box<E>),
    /// `q.umix(x)` / `q.ulen(x)` of a `Uq` the body builds, or the path form
    /// `Uq::umix(q, x)` (the flag)
    Method(String, &'static str, Box<E>, bool),
}

/// How `std::array::from_fn` gets its length.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum FromFnForm {
    /// `let t: [f64; n] = std::array::from_fn(|i| …);`
    Annotated,
    /// `let t = std::array::from_fn::<f64, n, _>(|i| …);`
    Turbofish,
    /// `let t = core::array::from_fn::<f64, n, _>(|i| …);`
    Core,
}

/// Statements of `round4.rs`.
#[derive(Clone, Debug)]
pub(crate) enum R4S {
    /// `loop { body }`
    Loop(Vec<S>),
    /// Statements of the main model printed as they are, tagged with a construct
    /// of the support table (a `for` or `while` with a `return` inside, rows of a
    /// field walked)
    Tagged(&'static str, Vec<S>),
    /// `let Lp { a: pa, v, .. } = src;`: the struct (`Lp`, `Body`), the fields
    /// with their bindings (the shorthand when equal), `..`, the source (`s`,
    /// `*st`, `*self`)
    StructPat(&'static str, Vec<(String, String)>, bool, String),
    /// `let [u, v] = e;`: the bindings, the value (a call's array result, an
    /// alias parameter `ga` or `*gb`)
    ArrPat(Vec<String>, E),
    /// `let t = std::array::from_fn(|i| body);`: the local, the length, the
    /// form, the closure's parameter, its body, and the name `z` the body reads
    /// for `a[i]` (the array `a`)
    FromFn {
        name: String,
        len: usize,
        form: FromFnForm,
        i: String,
        body: E,
        z: String,
        arr: String,
    },
    /// `let q = Uq { a: e, v: [e0, e1] };`
    LetUq(String, E, [E; 2]),
    /// `let r[: [f64; 2]] = st.w[k];` (annotated when the flag is set)
    RowCopy(String, bool, String, I),
    /// `let u: V3 = [e0, e1, e2];`: a local annotated with the header's alias
    LetAlias(String, Vec<E>),
}

/// The names a statement declares and the outer names it assigns (see
/// `ast::assigns_outer`).
pub(crate) fn r4_walk(
    s: &R4S,
    declared: &mut Vec<String>,
    assigned: &mut Vec<String>,
    walk: fn(&[S], &mut Vec<String>, &mut Vec<String>),
) {
    match s {
        R4S::Loop(b) | R4S::Tagged(_, b) => walk(b, declared, assigned),
        R4S::StructPat(_, fields, ..) => {
            declared.extend(fields.iter().map(|(_, b)| b.clone()));
        }
        R4S::ArrPat(names, _) => declared.extend(names.iter().cloned()),
        R4S::FromFn { name, .. }
        | R4S::LetUq(name, ..)
        | R4S::RowCopy(name, ..)
        | R4S::LetAlias(name, _) => declared.push(name.clone()),
    }
}

/// A statement of `round4.rs` in the main model.
pub(crate) fn r4(s: R4S) -> S {
    S::R4(bx(s))
}

/// An expression of `round4.rs` in the main model.
pub(crate) fn r4_e(e: R4E) -> E {
    E::R4(bx(e))
}
