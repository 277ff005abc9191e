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
//! (`header`); the forms other than loop exits are written by `r4_forms.rs`;
//! the model is `r4_ast.rs`, printed by `r4_print.rs`, tagged by `r4_tags.rs`.

use crate::ast::*;
use crate::gen::*;
use crate::segments::{shared_module, struct_with_oracle, Segments};
use crate::Options;

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
    let uq = struct_with_oracle(
        "",
        "Clone, Copy, Debug, Default, autodiff::Tangent",
        "Uq",
        &[("a", "F"), ("v", "[F; 2]")],
        "",
    );
    let items = format!(
        "
pub type V2 = [f64; 2];
pub type V3 = [f64; 3];

{uq}
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
"
    );
    shared_module(
        "the aliases, the struct and the callee of round4.rs",
        "Aliases of arrays (`ga: V3`, `gb: &V3`, `gp: &[V3]`), the struct whose methods\nthe programs call on a struct they build, and a callee with an array result\ntaken apart by an array pattern.",
        "r4_shared",
        &items,
    )
}

/// The segments a program gets from this module.
pub(crate) fn draw(opts: &Options, index: usize) -> Segments {
    Segments::draw(opts, index, 0x8EBC_6AF0_9C88_C6E3, ROUND4, 0.35)
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
    pub(crate) fn r4_segment(
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
                self.array_of_len("ra", m, true, out)
            })
        } else {
            None
        };
        self.scopes.push(Vec::new());
        self.loop_depth += 1;
        let mut body = Vec::new();
        let head = match kind {
            LoopKind::Range => Some(self.range_head(n)),
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
}
