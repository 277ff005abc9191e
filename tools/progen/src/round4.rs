//! The constructs the macro learned from corpus round 4 (issue 12; the forms of
//! `tests/early_exits.rs`, `tests/library_calls.rs` and `tests/field_rows.rs`):
//!
//! - `loop-returns`: a `return` from inside `for` (over a range or an array),
//!   `while` and `loop` bodies, also from a loop nested in another;
//! - `loop-breaks`: `loop { … }` left by `break` (a counter guards every one);
//! - `struct-patterns`: `let Lp { a, v } = s;` of a struct literal, `let Body {
//!   m, w: bw, .. } = *st;` of a struct parameter (by `&`, by value, `*self`);
//! - `result-patterns`: `let [u, v] = upair(x, y);`, `let [u, v] = cpair2(&a);`;
//! - `range-contains`: `(lo..=hi).contains(&x)` / `(lo..hi).contains(&x)` as the
//!   condition of an `if` (negated too) and of a loop's exit;
//! - `array-from-fn`: `std::array::from_fn(|i| …)`, its length from the
//!   annotation or the turbofish (`core::array::from_fn` too);
//! - `first-last`: `a.first().copied().unwrap_or(d)`, `*a.last().unwrap()`, `if
//!   let Some(v) = a.first()`, `a.last().map_or(d, |v| …)`;
//! - `array-aliases`: parameters typed by the header's `type V3 = [f64; 3];` (`ga:
//!   V3`, `gb: &V3`, `gp: &[V3]`), taken apart by array patterns, indexed,
//!   iterated, and a local annotated `let u: V3 = […];`;
//! - `local-methods`: `let q = Uq { … }; q.umix(x)` (`self` by value), `q.ulen(x)`
//!   (`&self`), or `Uq::umix(q, x)`: `#[grad(wrt(self, x))]` methods of the
//!   header's struct called on a struct the body builds;
//! - `field-rows`: rows of a struct's 2-D field read in place (`let r: [f64; 2] =
//!   st.w[k];`, in a loop over `k` too, passed on to `cdot2(&r, &h)`), rows of
//!   `st.w` and of the `Vec<Vec<f64>>` field `lin.m` walked with `.enumerate()` and
//!   zipped with `lin.w`.
//!
//! As `records.rs`, each is a short segment after the body, drawn from a
//! generator of its own so that a program without them is the program the stream
//! had before they existed; a parameter it needs is added after the others. The
//! aliases, the struct `Uq` and the callee `upair` are in the file's header
//! (`header`); the model is `r4_ast.rs`, printed by `r4_print.rs`, tagged by
//! `r4_tags.rs`.

use crate::ast::*;
use crate::gen::*;
use crate::{Options, Rng};

/// The constructs of this module, as named in `CONSTRUCTS`.
pub(crate) const ROUND4: &[&str] = &[
    "loop-returns",
    "loop-breaks",
    "struct-patterns",
    "result-patterns",
    "range-contains",
    "array-from-fn",
    "first-last",
    "array-aliases",
    "local-methods",
    "field-rows",
];

/// The aliases, the struct `Uq` with its methods and the callee `upair`, each as
/// the original and as the oracle. `hvp`: `ulen` (`&self`) gets `hvp` too.
pub(crate) fn header(hvp: bool) -> String {
    let ulen_modes = if hvp {
        "reverse, forward, hvp"
    } else {
        "reverse, forward"
    };
    format!(
        "
// ---------------------------------------------------------------- the aliases, the struct and the callee of round4.rs

/// Aliases of arrays (`ga: V3`, `gb: &V3`, `gp: &[V3]`), the struct whose methods
/// the programs call on a struct they build, and a callee with an array result
/// taken apart by an array pattern.
mod r4_shared {{
#![allow(dead_code, unused, clippy::all)]
use super::*;

pub type V2 = [f64; 2];
pub type V3 = [f64; 3];

#[derive(Clone, Copy, Debug, Default, autodiff::Tangent)]
pub struct Uq {{
    pub a: f64,
    pub v: [f64; 2],
}}

/// `Uq` in the oracle.
#[derive(Clone, Copy, Debug)]
pub struct UqD<D> {{
    pub a: D,
    pub v: [D; 2],
}}

impl Uq {{
    /// `self` by value.
    #[grad(reverse, forward, wrt(self, x))]
    pub fn umix(self, x: f64) -> f64 {{
        self.a * x.tanh() + self.v[0] * (self.v[1] * x).sin()
    }}

    /// `&self`.
    #[grad({ulen_modes}, wrt(self, x))]
    pub fn ulen(&self, x: f64) -> f64 {{
        (self.a * self.a + self.v[1] * x).tanh() + self.v[0]
    }}
}}

impl<D: Dn> UqD<D> {{
    pub fn umix_dual(self, x: D, tr_: &mut Tr) -> D {{
        self.a * dx_tanh(x, tr_) + self.v[0] * (self.v[1] * x).sin()
    }}

    pub fn ulen_dual(&self, x: D, tr_: &mut Tr) -> D {{
        dx_tanh(self.a * self.a + self.v[1] * x, tr_) + self.v[0]
    }}
}}

/// An array result.
#[grad(reverse, forward)]
pub fn upair(x: f64, y: f64) -> [f64; 2] {{
    [x * y.tanh(), (x - y).sin()]
}}

pub fn upair_dual<D: Dn>(x: D, y: D, tr_: &mut Tr) -> [D; 2] {{
    [x * dx_tanh(y, tr_), (x - y).sin()]
}}
}}

use r4_shared::*;
"
    )
}

/// What a program gets from this module.
pub(crate) struct Round4 {
    segments: usize,
    rng: Rng,
}

impl Round4 {
    pub(crate) fn draw(opts: &Options, index: usize) -> Round4 {
        let (segments, rng) =
            crate::gen::own_stream(opts, index, 0x8EBC_6AF0_9C88_C6E3, ROUND4, 0.35);
        Round4 { segments, rng }
    }

    /// Appends the segments to `body`, their parameters to `params` (the names
    /// written with an alias to `aliases`), their terms to the result.
    /// `ret`: the function's result (a `Vec<f64>` one is `RetKind::Vec` here, an
    /// array in the generator's state).
    pub(crate) fn apply(
        self,
        g: &mut Gen,
        params: &mut Vec<Param>,
        aliases: &mut Vec<String>,
        ret: RetKind,
        body: &mut Vec<S>,
        tail: R,
    ) -> R {
        if self.segments == 0 {
            return tail;
        }
        let main = std::mem::replace(&mut g.rng, self.rng);
        let saved = std::mem::replace(&mut g.ret, ret);
        let mut terms = Vec::new();
        for _ in 0..self.segments {
            terms.extend(g.r4_segment(params, aliases, body));
        }
        g.ret = saved;
        let tail = g.add_terms(terms, body, tail);
        g.rng = main;
        tail
    }
}

fn r4(s: R4S) -> S {
    S::R4(bx(s))
}

fn r4_e(e: R4E) -> E {
    E::R4(bx(e))
}

fn mul(a: E, b: E) -> E {
    E::Bin('*', bx(a), bx(b))
}

fn add(a: E, b: E) -> E {
    E::Bin('+', bx(a), bx(b))
}

fn at(a: &str, idx: Vec<I>) -> E {
    E::Idx(a.to_string(), idx)
}

fn arr_kind(len: usize) -> VK {
    VK::Arr {
        len,
        inner: None,
        slice: false,
    }
}

/// The kinds of loop a loop-exit segment may write.
#[derive(Clone, Copy, PartialEq)]
enum LoopKind {
    Range,
    Iter,
    While,
    Loop,
}

impl Gen<'_> {
    /// One segment of a construct of this module that is on; terms for the result.
    fn r4_segment(
        &mut self,
        params: &mut Vec<Param>,
        aliases: &mut Vec<String>,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let on: Vec<&str> = ROUND4.iter().copied().filter(|f| self.on(f)).collect();
        if on.is_empty() {
            return Vec::new();
        }
        match *self.rng.pick(&on) {
            "loop-returns" | "loop-breaks" => self.loop_exit(out),
            "struct-patterns" => self.struct_pattern(params, out),
            "result-patterns" => self.result_pattern(out),
            "range-contains" => self.range_contains(out),
            "array-from-fn" => self.array_from_fn(out),
            "first-last" => self.first_last(out),
            "array-aliases" => self.alias_params(params, aliases, out),
            "local-methods" => self.local_method(out),
            _ => self.field_rows(params, out),
        }
    }

    /// The bound of a visible variable (2 if unknown).
    fn bound_of(&self, name: &str) -> f64 {
        self.visible()
            .into_iter()
            .find(|v| v.name == name)
            .map_or(2.0, |v| v.bound)
    }

    /// A 1-D array of length `n` (not a field; if `reuse`), or a new local `let
    /// ra: [f64; n] = […];` of the parameters (an argument `&ra` of a callee).
    fn r4_array(&mut self, n: usize, reuse: bool, out: &mut Vec<S>) -> (String, f64) {
        let ok: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| {
                !is_field(&v.name) && matches!(v.kind, VK::Arr { inner: None, len, .. } if len == n)
            })
            .collect();
        if reuse && !ok.is_empty() && self.rng.chance(0.6) {
            let v = self.rng.pick(&ok).clone();
            return (v.name, v.bound);
        }
        let name = self.fresh("ra");
        let mut es = Vec::new();
        let mut b = 0.0f64;
        for _ in 0..n {
            let (e, eb) = self.input_expr(2.0);
            b = b.max(eb);
            es.push(e);
        }
        out.push(S::LetArr {
            name: name.clone(),
            mutable: false,
            annot: Some(format!("[f64; {n}]")),
            init: AInit::Lit(es),
        });
        self.declare(&name, arr_kind(n), false, b);
        (name, b)
    }

    /// An exit condition on `acc`: a comparison with a threshold, or `acc` out of
    /// a range (`!(lo..=hi).contains(&acc)`).
    fn exit_cond(&mut self, acc: &str) -> C {
        if self.on("range-contains") && self.rng.chance(0.3) {
            let (lo, hi) = self.range_bounds();
            let c = C::Contains(E::Var(acc.to_string()), lo, hi, self.rng.chance(0.5));
            return C::Not(bx(c));
        }
        let op = if self.rng.chance(0.5) { ">" } else { "<" };
        C::Cmp(op, E::Var(acc.to_string()), self.threshold())
    }

    /// The bounds of a range: two thresholds, literals in order.
    fn range_bounds(&mut self) -> (E, E) {
        let (a, b) = (self.threshold(), self.threshold());
        let val = |e: &E| match e {
            E::Lit(v) => Some(*v),
            E::Neg(x) => match **x {
                E::Lit(v) => Some(-v),
                _ => None,
            },
            _ => None,
        };
        match (val(&a), val(&b)) {
            (Some(x), Some(y)) if x > y => (b, a),
            (Some(x), Some(y)) if x == y => (a, lit(y + 0.75)),
            _ => (a, b),
        }
    }

    /// `let mut acc = e;` then a loop updating it, left by `return` (or `break`)
    /// when it crosses a threshold; maybe a loop nested in another. The term is
    /// `acc`.
    fn loop_exit(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let acc = self.fresh("acc");
        let (init, ib) = self.input_expr(1.5);
        let (init, ib) = self.no_alias(init, ib);
        out.push(S::Let {
            name: acc.clone(),
            mutable: true,
            annot: true,
            init,
        });
        let bound = ib.max(3.0) + 1.0;
        self.declare(&acc, VK::F, true, bound);
        // a `Vec` returned from inside a loop: bug 10 of
        // /work/notes/progen-bugs.md (those loops are left by `break`); a tuple
        // (bug 9) since cefed16
        let returns = self.on("loop-returns")
            && (self.opts.known_bugs || !matches!(self.ret, RetKind::Vec(_)));
        let nested = returns && self.rng.chance(0.3);
        self.exit_loop(&acc, returns, nested, out);
        vec![(E::Var(acc), bound)]
    }

    /// A loop kind that may go here.
    fn loop_kind(&mut self) -> LoopKind {
        let rt = self.runtime_loop_ok();
        let w = [
            2.0,
            2.0,
            if rt && self.on("while") && self.on("loop-returns") {
                1.2
            } else {
                0.0
            },
            if rt && self.on("loop-breaks") {
                1.5
            } else {
                0.0
            },
        ];
        if !self.on("loop-returns") {
            return LoopKind::Loop;
        }
        [
            LoopKind::Range,
            LoopKind::Iter,
            LoopKind::While,
            LoopKind::Loop,
        ][self.rng.weighted(&w)]
    }

    /// One loop updating `acc` (`acc = c * acc + term`), with an exit (`return`
    /// when `ret`, else `break`); `nested`: the exit is in a loop inside it.
    fn exit_loop(&mut self, acc: &str, ret: bool, nested: bool, out: &mut Vec<S>) {
        let kind = self.loop_kind();
        let n = self.rng.int(2, 5);
        let counter = matches!(kind, LoopKind::While | LoopKind::Loop).then(|| self.fresh("k"));
        if let Some(k) = &counter {
            out.push(S::Counter(k.clone()));
        }
        // the array an iterating loop walks (declared before the loop's scope)
        let iter_src = if kind == LoopKind::Iter {
            let rt = self.runtime_loop_ok();
            let ok: Vec<Var> = self
                .arrays()
                .into_iter()
                .filter(|v| {
                    matches!(v.kind, VK::Arr { inner: None, .. })
                        && !is_field(&v.name)
                        && (rt || !is_slice(v))
                })
                .collect();
            Some(if !ok.is_empty() && self.rng.chance(0.6) {
                let v = self.rng.pick(&ok).clone();
                (v.name, v.bound)
            } else {
                let m = self.rng.int(2, 4) as usize;
                self.r4_array(m, true, out)
            })
        } else {
            None
        };
        self.scopes.push(Vec::new());
        self.loop_depth += 1;
        let mut body = Vec::new();
        let head = match kind {
            LoopKind::Range => {
                let i = self.fresh("i");
                self.declare(
                    &i,
                    VK::Int {
                        max: n - 1,
                        i32: false,
                    },
                    false,
                    0.0,
                );
                Some(Head::Range(i, I::Lit(0), I::Lit(n), false))
            }
            LoopKind::Iter => {
                let (a, ab) = iter_src.clone().unwrap_or_default();
                let e = self.fresh("e");
                self.declare(&e, VK::FRef, false, ab);
                Some(Head::Iter(e, a, false))
            }
            LoopKind::While | LoopKind::Loop => {
                let k = counter.clone().unwrap_or_default();
                body.push(S::Inc(k.clone()));
                self.declare(&k, VK::Int { max: n, i32: false }, false, 0.0);
                None
            }
        };
        // the update: `acc = c * acc + term`, |term| <= 1.5
        let term = match &head {
            Some(Head::Iter(e, _, _)) => {
                let eb = self.bound_of(e);
                let (t, tb) = self.item_body(e, eb, true);
                self.squash(t, tb, 1.5).0
            }
            Some(Head::Range(i, ..)) => {
                let (t, tb) = self.input_expr(1.0);
                let (t, _) = self.squash(t, tb, 1.0);
                let step = add(mul(lit(0.25), E::Cast(I::Var(i.clone()))), lit(0.5));
                let (s, _) = self.squash(step, 1.5, 1.5);
                mul(t, s)
            }
            _ => self.input_expr(1.5).0,
        };
        let c = if self.rng.chance(0.5) { 0.5 } else { 0.6 };
        let update = S::Assign(
            LV::Var(acc.to_string()),
            '=',
            add(mul(lit(c), E::Var(acc.to_string())), term),
        );
        let exit_cond = self.exit_cond(acc);
        let exit = if ret && (!nested) && (kind != LoopKind::Loop || self.rng.chance(0.7)) {
            S::Return(self.result(2))
        } else if ret && nested {
            // the exit is in the inner loop
            S::Break
        } else {
            S::Break
        };
        let exit_if = S::If(vec![(exit_cond, vec![exit])], None);
        if nested {
            body.push(update);
            // the inner loop, with the `return`, then a step of the outer one
            self.exit_loop(acc, true, false, &mut body);
            body.push(S::Assign(LV::Var(acc.to_string()), '*', lit(0.9)));
        } else if self.rng.chance(0.3) {
            body.push(exit_if);
            body.push(update);
        } else {
            body.push(update);
            body.push(exit_if);
        }
        if kind == LoopKind::Loop {
            let k = counter.clone().unwrap_or_default();
            let guard = S::If(
                vec![(C::ICmp(">=", I::Var(k), I::Lit(n)), vec![S::Break])],
                None,
            );
            if self.rng.chance(0.5) {
                body.insert(1, guard);
            } else {
                body.push(guard);
            }
        }
        self.loop_depth -= 1;
        self.scopes.pop();
        out.push(match (kind, head) {
            (LoopKind::While, _) => {
                let k = counter.unwrap_or_default();
                S::While(C::ICmp("<", I::Var(k), I::Lit(n)), body)
            }
            (LoopKind::Loop, _) | (_, None) => r4(R4S::Loop(body)),
            (_, Some(h)) => S::For(h, body),
        });
    }

    /// A binding name: the field's own (the shorthand) when no variable of that
    /// name is visible, else a fresh one.
    fn binding(&mut self, field: &str, prefix: &str) -> String {
        if self.rng.chance(0.4) && !self.visible().iter().any(|v| v.name == field) {
            field.to_string()
        } else {
            self.fresh(prefix)
        }
    }

    /// Reads of the bindings of a pattern (name, kind, bound): terms.
    fn read_bindings(&mut self, bound: &[(String, VK, f64)]) -> Vec<(E, f64)> {
        let mut terms = Vec::new();
        for (name, kind, b) in bound {
            let e = match kind {
                VK::Arr { len, inner, .. } => {
                    let mut idx = vec![I::Lit(self.rng.below(*len) as i64)];
                    if let Some(m) = inner {
                        idx.push(I::Lit(self.rng.below(*m) as i64));
                    }
                    at(name, idx)
                }
                _ => E::Var(name.clone()),
            };
            terms.push((e, *b));
        }
        // one product of two of them, the others as they are
        if terms.len() >= 2 && self.rng.chance(0.6) {
            let (a, ab) = terms.remove(0);
            let (b, bb) = terms.remove(0);
            terms.insert(0, (mul(a, b), ab * bb));
        }
        terms
    }

    /// `let Lp { a, v } = s;` of a struct literal, or `let Body { m, w: bw, .. } =
    /// *st;` of the struct parameter.
    fn struct_pattern(&mut self, params: &[Param], out: &mut Vec<S>) -> Vec<(E, f64)> {
        let body = params.iter().find_map(|q| match q.kind {
            PK::Body(mode, _) => Some((q.name.clone(), mode)),
            _ => None,
        });
        let late = crate::late::LATE.iter().any(|c| self.on(c));
        let use_body = body.is_some() && (!late || self.rng.chance(0.6));
        let mut bound = Vec::new();
        if let (true, Some((st, mode))) = (use_body, body) {
            let src = match mode {
                BodyMode::Value => st.clone(),
                BodyMode::Ref | BodyMode::SelfRef => format!("*{st}"),
            };
            let all = [
                ("pos", arr_kind(2)),
                ("vel", arr_kind(2)),
                ("m", VK::F),
                (
                    "w",
                    VK::Arr {
                        len: 2,
                        inner: Some(2),
                        slice: false,
                    },
                ),
            ];
            let k = self.rng.int(1, 4) as usize;
            let mut picked: Vec<usize> = (0..4).collect();
            while picked.len() > k {
                let j = self.rng.below(picked.len());
                picked.remove(j);
            }
            let nested = self.visible().iter().any(|v| v.name.contains(".inner."));
            let rest = picked.len() < 4 || nested || self.rng.chance(0.3);
            let mut fields = Vec::new();
            for j in picked {
                let (f, kind) = all[j].clone();
                let b = self.binding(f, "pb");
                let fb = self.bound_of(&format!("{st}.{f}"));
                fields.push((f.to_string(), b.clone()));
                bound.push((b, kind, fb));
            }
            out.push(r4(R4S::StructPat("Body", fields, rest, src)));
        } else if late {
            let s = self.fresh("ps");
            let (a, ab) = self.input_expr(2.0);
            let (v0, b0) = self.input_expr(2.0);
            let (v1, b1) = self.input_expr(2.0);
            out.push(S::Late(bx(LateS::LetStruct(s.clone(), false, a, [v0, v1]))));
            let vb = b0.max(b1);
            let (fa, fv) = (self.binding("a", "pa"), self.binding("v", "pv"));
            let (fields, rest) = match self.rng.below(3) {
                0 => {
                    bound.push((fa.clone(), VK::F, ab));
                    bound.push((fv.clone(), arr_kind(2), vb));
                    (vec![("a".into(), fa), ("v".into(), fv)], false)
                }
                1 => {
                    bound.push((fa.clone(), VK::F, ab));
                    (vec![("a".into(), fa)], true)
                }
                _ => {
                    bound.push((fv.clone(), arr_kind(2), vb));
                    (vec![("v".into(), fv)], true)
                }
            };
            out.push(r4(R4S::StructPat("Lp", fields, rest, s)));
        } else {
            return Vec::new();
        }
        for (n, k, b) in &bound {
            self.declare(n, k.clone(), false, *b);
        }
        self.read_bindings(&bound)
    }

    /// `let [u, v] = upair(x, y);` or `let [u, v] = cpair2(&a);`.
    fn result_pattern(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let (u, v) = (self.fresh("u"), self.fresh("u"));
        let (call, ub, vb) = if crate::calls_on(self.opts) && self.rng.chance(0.4) {
            let (a, ab) = self.r4_array(2, false, out);
            (
                E::Call("cpair2", vec![Arg::Ref(a, Vec::new(), true)], Style::User),
                ab,
                2.0 * ab,
            )
        } else {
            let (x, xb) = self.input_expr(2.0);
            let (y, _) = self.input_expr(2.0);
            (
                E::Call("upair", vec![Arg::F(x), Arg::F(y)], Style::User),
                xb,
                1.0,
            )
        };
        out.push(r4(R4S::ArrPat(vec![u.clone(), v.clone()], call)));
        self.declare(&u, VK::F, false, ub);
        self.declare(&v, VK::F, false, vb);
        let (k, kb) = self.input_expr(1.5);
        vec![if self.rng.chance(0.5) {
            (mul(E::Var(u), E::Var(v)), ub * vb)
        } else {
            (add(E::Var(u), mul(k, E::Var(v))), ub + kb * vb)
        }]
    }

    /// `if (lo..=hi).contains(&v) { a } else { b }` (negated too) of a bound
    /// value.
    fn range_contains(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let (x, xb) = self.input_expr(2.0);
        // an element of a struct's field bound to a local that only `contains`
        // reads: bug 12 of /work/notes/progen-bugs.md, fixed in 03fb345
        let (x, _) = self.bind_idiom(x, xb, out);
        let (lo, hi) = self.range_bounds();
        let c = C::Contains(x, lo, hi, self.rng.chance(0.5));
        let c = if self.rng.chance(0.3) {
            C::Not(bx(c))
        } else {
            c
        };
        let (a, ab) = self.input_expr(2.0);
        let (b, bb) = self.input_expr(2.0);
        vec![(E::If(bx(c), bx(a), bx(b)), ab.max(bb))]
    }

    /// `let t: [f64; n] = std::array::from_fn(|i| …a[i]…);` (or the turbofish),
    /// then indexed.
    fn array_from_fn(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let n = self.rng.int(2, 4) as usize;
        let (arr, ab) = self.r4_array(n, true, out);
        let (name, i, z) = (self.fresh("ff"), self.fresh("i"), self.fresh("z"));
        let (body, bb) = self.item_body(&z, ab, false);
        let (body, bb) = if self.rng.chance(0.4) {
            let step = mul(lit(0.25), E::Cast(I::Var(i.clone())));
            (add(body, step), bb + 0.25 * n as f64)
        } else {
            (body, bb)
        };
        let form = match self.rng.below(4) {
            0 | 1 => FromFnForm::Annotated,
            2 => FromFnForm::Turbofish,
            _ => FromFnForm::Core,
        };
        out.push(r4(R4S::FromFn {
            name: name.clone(),
            len: n,
            form,
            i,
            body,
            z,
            arr,
        }));
        self.declare(&name, arr_kind(n), false, bb);
        let j = self.rng.below(n) as i64;
        vec![if self.rng.chance(0.5) {
            (
                mul(
                    at(&name, vec![I::Lit(0)]),
                    at(&name, vec![I::Lit(n as i64 - 1)]),
                ),
                bb * bb,
            )
        } else {
            let (k, kb) = self.input_expr(1.5);
            (mul(at(&name, vec![I::Lit(j)]), k), bb * kb)
        }]
    }

    /// `.first()` / `.last()` of a slice or an array, as `Option`s.
    fn first_last(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let ok: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| matches!(v.kind, VK::Arr { inner: None, .. }) && !is_field(&v.name))
            .collect();
        let slices: Vec<Var> = ok.iter().filter(|v| is_slice(v)).cloned().collect();
        let (a, ab) = if !slices.is_empty() && self.rng.chance(0.6) {
            let v = self.rng.pick(&slices).clone();
            (v.name, v.bound)
        } else if !ok.is_empty() && self.rng.chance(0.7) {
            let v = self.rng.pick(&ok).clone();
            (v.name, v.bound)
        } else {
            let n = self.rng.int(1, 3) as usize;
            self.r4_array(n, true, out)
        };
        let last = self.rng.chance(0.5);
        let (d, db) = self.input_expr(2.0);
        let v = self.fresh("fv");
        let (e, b) = match self.rng.below(4) {
            0 => (R4E::EndOr(a, last, bx(d)), ab.max(db)),
            1 => (R4E::EndUnwrap(a, last), ab),
            2 => {
                let (body, bb) = self.item_body(&v, ab, true);
                (R4E::EndIfLet(a, last, v, bx(body), bx(d)), bb.max(db))
            }
            _ => {
                let (body, bb) = self.item_body(&v, ab, true);
                (R4E::EndMapOr(a, last, v, bx(body), bx(d)), bb.max(db))
            }
        };
        let (x, xb) = self.bind_idiom(r4_e(e), b, out);
        let (k, kb) = self.input_expr(1.5);
        vec![(mul(x, k), xb * kb)]
    }

    /// A new differentiated parameter written with an alias (`V2`, `V3`).
    fn alias_param(
        &mut self,
        params: &mut Vec<Param>,
        aliases: &mut Vec<String>,
        prefix: &str,
        kind: PK,
    ) -> String {
        let name = self.fresh(prefix);
        params.push(Param {
            name: name.clone(),
            kind,
            mutable: false,
            active: true,
        });
        aliases.push(name.clone());
        self.inputs.push(name.clone());
        name
    }

    /// Parameters typed by an alias: `ga: V3` and `gb: &V3` taken apart by array
    /// patterns or indexed, `gp: &[V3]` walked (`for p in gp.iter()`, `let [x, y,
    /// z] = *p;`) and indexed; maybe a local `let u: V3 = […];`.
    fn alias_params(
        &mut self,
        params: &mut Vec<Param>,
        aliases: &mut Vec<String>,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let n = self.rng.int(2, 3) as usize;
        let mut terms = Vec::new();
        let mut elems: Vec<E> = Vec::new();
        let k0 = self.rng.below(3);
        let count = 1 + usize::from(self.rng.chance(0.4));
        for k in k0..k0 + count {
            match k % 3 {
                0 | 1 => {
                    let by_ref = k % 3 == 1;
                    let (prefix, kind) = if by_ref {
                        ("gb", PK::RefArr(n))
                    } else {
                        ("ga", PK::Arr(n))
                    };
                    let g = self.alias_param(params, aliases, prefix, kind);
                    self.declare(&g, arr_kind(n), false, 2.0);
                    let j = self.rng.below(n) as i64;
                    elems.push(at(&g, vec![I::Lit(j)]));
                    if self.rng.chance(0.6) {
                        let names: Vec<String> = (0..n).map(|_| self.fresh("g")).collect();
                        let src = if by_ref {
                            E::RVar(g.clone())
                        } else {
                            E::Var(g.clone())
                        };
                        // indexed first: the body says it is an array
                        let (s, sb) = self.input_expr(1.5);
                        terms.push((mul(at(&g, vec![I::Lit(0)]), s), 2.0 * sb));
                        out.push(r4(R4S::ArrPat(names.clone(), src)));
                        let bound: Vec<(String, VK, f64)> =
                            names.iter().map(|m| (m.clone(), VK::F, 2.0)).collect();
                        for m in &names {
                            self.declare(m, VK::F, false, 2.0);
                        }
                        terms.extend(self.read_bindings(&bound));
                    } else {
                        let (s, sb) = self.input_expr(1.5);
                        terms.push((mul(at(&g, vec![I::Lit(j)]), s), 2.0 * sb));
                    }
                }
                _ => {
                    let r = self.rng.int(1, 3) as usize;
                    let g = self.alias_param(params, aliases, "gp", PK::Arr2(r, n));
                    let kind = VK::Arr {
                        len: r,
                        inner: Some(n),
                        slice: true,
                    };
                    self.declare(&g, kind, false, 2.0);
                    elems.push(at(&g, vec![I::Lit(0), I::Lit(n as i64 - 1)]));
                    let acc = self.fresh("acc");
                    let p = self.fresh("p");
                    out.push(S::Let {
                        name: acc.clone(),
                        mutable: true,
                        annot: true,
                        init: lit(0.0),
                    });
                    let mut body = Vec::new();
                    let t = if self.rng.chance(0.5) {
                        let names: Vec<String> = (0..n).map(|_| self.fresh("g")).collect();
                        body.push(r4(R4S::ArrPat(names.clone(), E::RVar(p.clone()))));
                        add(
                            mul(E::Var(names[0].clone()), E::Var(names[n - 1].clone())),
                            E::Var(names[1].clone()),
                        )
                    } else {
                        add(
                            mul(at(&p, vec![I::Lit(0)]), at(&p, vec![I::Lit(n as i64 - 1)])),
                            at(&p, vec![I::Lit(1)]),
                        )
                    };
                    body.push(S::Assign(LV::Var(acc.clone()), '+', t));
                    out.push(S::For(Head::Iter(p, g.clone(), false), body));
                    self.declare(&acc, VK::F, true, 6.0 * r as f64);
                    terms.push((E::Var(acc), 6.0 * r as f64));
                    let (i, j) = (self.rng.below(r) as i64, self.rng.below(n) as i64);
                    terms.push((at(&g, vec![I::Lit(i), I::Lit(j)]), 2.0));
                }
            }
        }
        if self.rng.chance(0.4) {
            // a local annotated with the alias
            let u = self.fresh("gu");
            let mut es = Vec::new();
            for j in 0..n {
                let (e, _) = self.input_expr(1.0);
                es.push(match elems.get(j) {
                    Some(x) => E::Bin('-', bx(x.clone()), bx(e)),
                    None => e,
                });
            }
            out.push(r4(R4S::LetAlias(u.clone(), es)));
            self.declare(&u, arr_kind(n), false, 3.0);
            let j = self.rng.below(n) as i64;
            terms.push((mul(at(&u, vec![I::Lit(0)]), at(&u, vec![I::Lit(j)])), 9.0));
        }
        terms
    }

    /// `let q = Uq { a: e, v: [e0, e1] };` then `q.umix(x)`, `q.ulen(x)` or
    /// `Uq::umix(q, x)`.
    fn local_method(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let q = self.fresh("uq");
        let (a, ab) = self.input_expr(2.0);
        let (v0, b0) = self.input_expr(2.0);
        let (v1, b1) = self.input_expr(2.0);
        out.push(r4(R4S::LetUq(q.clone(), a, [v0, v1])));
        let vb = b0.max(b1);
        let mut terms = Vec::new();
        for _ in 0..1 + usize::from(self.rng.chance(0.3)) {
            let (x, _) = self.input_expr(2.0);
            let m = if self.rng.chance(0.5) { "umix" } else { "ulen" };
            let b = if m == "umix" { ab + vb } else { 1.0 + vb };
            let path = self.rng.chance(0.3);
            terms.push((r4_e(R4E::Method(q.clone(), m, bx(x), path)), b));
        }
        terms
    }

    /// Rows of a struct's 2-D field read in place: `let r: [f64; 2] = st.w[k];`
    /// (in a loop over `k` too), `for (k, row) in st.w.iter().enumerate()`, rows
    /// of `lin.m` enumerated and zipped with `lin.w`.
    fn field_rows(&mut self, params: &mut Vec<Param>, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let lv = params.iter().find_map(|q| match q.kind {
            PK::VecStruct(_, n, r) => Some((q.name.clone(), n, r)),
            _ => None,
        });
        let mut st = params.iter().find_map(|q| match q.kind {
            PK::Body(..) => Some(q.name.clone()),
            _ => None,
        });
        // rows of a by-value struct's field walked after the field was assigned:
        // bug 11 of /work/notes/progen-bugs.md, fixed in 03fb345
        let walk_rows = true;
        if st.is_none() && (lv.is_none() || self.rng.chance(0.5)) && crate::structs_on(self.opts) {
            // the struct `Body` by `&`
            let nested = self.on("nested-structs");
            params.push(Param {
                name: "st".into(),
                kind: PK::Body(BodyMode::Ref, nested),
                mutable: false,
                active: true,
            });
            self.declare_fields("st", false, nested);
            st = Some("st".into());
        }
        let use_lv = lv.is_some() && (st.is_none() || self.rng.chance(0.5));
        let acc = self.fresh("acc");
        let k = self.fresh("k");
        let row = self.fresh("row");
        if use_lv {
            let (lin, n, r) = lv.unwrap_or_default();
            let (m, w) = (format!("{lin}.m"), format!("{lin}.w"));
            out.push(S::Let {
                name: acc.clone(),
                mutable: true,
                annot: true,
                init: lit(0.0),
            });
            let j = I::Lit(self.rng.below(2) as i64);
            // no `if` in a body over a field's items (bug 7): a leaf of the inputs
            let x = self.input_leaf();
            let (head, t, b) = if self.rng.chance(0.5) || n == 0 {
                let cast = add(E::Cast(I::Var(k.clone())), lit(0.5));
                (
                    Head::Enum(k, row.clone(), m),
                    mul(mul(at(&row, vec![j]), cast), lit(0.5)),
                    (r as f64 + 0.5) * 2.0 * r as f64,
                )
            } else {
                let wv = self.fresh("wv");
                let wb = self.bound_of(&w);
                (
                    Head::Zip(row.clone(), wv.clone(), m, w),
                    add(mul(at(&row, vec![j]), E::RVar(wv)), x),
                    (2.0 * wb + 2.0) * r as f64,
                )
            };
            out.push(r4(R4S::Tagged(
                "row of a struct field read in place",
                vec![S::For(head, vec![S::Assign(LV::Var(acc.clone()), '+', t)])],
            )));
            self.declare(&acc, VK::F, true, b);
            return vec![(E::Var(acc), b)];
        }
        let Some(st) = st else {
            return Vec::new();
        };
        let w = format!("{st}.w");
        let wb = self.bound_of(&w);
        let h = crate::calls_on(self.opts).then(|| self.r4_array(2, false, out));
        let dot = |r: &str, h: &Option<(String, f64)>, j: i64| -> (E, f64) {
            match h {
                Some((h, hb)) => (
                    E::Call(
                        "cdot2",
                        vec![
                            Arg::Ref(r.to_string(), Vec::new(), true),
                            Arg::Ref(h.clone(), Vec::new(), true),
                        ],
                        Style::User,
                    ),
                    2.0 * wb * hb,
                ),
                None => (at(r, vec![I::Lit(j)]), wb),
            }
        };
        match self.rng.below(3) {
            k if k == 0 || (k == 2 && !walk_rows) => {
                let r = self.fresh("r");
                let ki = I::Lit(self.rng.below(2) as i64);
                out.push(r4(R4S::RowCopy(r.clone(), self.rng.chance(0.6), w, ki)));
                self.declare(&r, arr_kind(2), false, wb);
                let (d, db) = dot(&r, &h, self.rng.below(2) as i64);
                vec![(mul(d, at(&r, vec![I::Lit(1)])), db * wb)]
            }
            1 => {
                // `for k in 0..2 { let r = st.w[k]; acc += … }`
                out.push(S::Let {
                    name: acc.clone(),
                    mutable: true,
                    annot: true,
                    init: lit(0.0),
                });
                let r = self.fresh("r");
                let (d, db) = dot(&r, &h, 0);
                let t = mul(d, at(&r, vec![I::Lit(1)]));
                let body = vec![
                    r4(R4S::RowCopy(r, self.rng.chance(0.5), w, I::Var(k.clone()))),
                    S::Assign(LV::Var(acc.clone()), '+', t),
                ];
                out.push(S::For(Head::Range(k, I::Lit(0), I::Lit(2), false), body));
                let b = 2.0 * db * wb;
                self.declare(&acc, VK::F, true, b);
                vec![(E::Var(acc), b)]
            }
            _ => {
                // `for (k, row) in st.w.iter().enumerate() { acc += row[j] * … }`
                out.push(S::Let {
                    name: acc.clone(),
                    mutable: true,
                    annot: true,
                    init: lit(0.0),
                });
                let j = I::Lit(self.rng.below(2) as i64);
                let cast = add(E::Cast(I::Var(k.clone())), lit(0.5));
                let t = mul(at(&row, vec![j]), cast);
                out.push(r4(R4S::Tagged(
                    "row of a struct field read in place",
                    vec![S::For(
                        Head::Enum(k, row, w),
                        vec![S::Assign(LV::Var(acc.clone()), '+', t)],
                    )],
                )));
                let b = 4.0 * wb;
                self.declare(&acc, VK::F, true, b);
                vec![(E::Var(acc), b)]
            }
        }
    }
}
