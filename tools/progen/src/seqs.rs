//! Iterator forms and patterns of the README's support table that came after the
//! rest of the generator: `fold` with a tuple accumulator (`(0.0, 0.0)`,
//! `(0usize, 0.0, 0.0)`), `filter` at a chain's tail (then `map` and `sum`,
//! `product`, `fold` or `count`), the inactive reductions `count`, `any`, `all`,
//! `position(…).unwrap()` / `.unwrap_or(i)` (their results choose branches, count
//! in float expressions, index arrays), `iter_mut` loops over a local array or
//! `Vec` (alone, zipped, enumerated and skipped, inside another loop), and patterns
//! on `Option` / `Result`: `if let`, `let … else` (returning at the function's level,
//! `continue` in a loop), `match` with guards on an `Option<usize>` parameter, on
//! `Option<f64>` and `Result<f64, String>` data (under `wrt`), and on
//! `n.checked_sub(1)`.
//!
//! As `idioms.rs`, each is a short segment after the body, drawn from a generator of
//! its own so that a program without them is the program the stream had before
//! they existed; an `Option` / `Result` parameter is added after the others, its
//! value drawn per point from a float of the point (`header`). The thresholds of
//! predicates are parameters or literals off the grid of the generator's literals
//! (`0.363`, never `0.35`), so that no constant element ties with one; the oracle
//! reports each comparison to the tracker (`seq_print.rs`).

use crate::ast::*;
use crate::gen::*;
use crate::segments::Segments;
use crate::Options;

/// The constructs of this module, as named in `CONSTRUCTS`.
pub(crate) const SEQS: &[&str] = &[
    "tuple-folds",
    "filters",
    "inactive-reductions",
    "iter-mut",
    "option-params",
    "option-data",
    "checked-sub",
];

/// The helpers that give the `Option` / `Result` parameters their value at a point.
pub(crate) fn header() -> String {
    "
/// An `Option` / `Result` parameter is one float `s` of the point (drawn in
/// (-2, 2) as the others, never differentiated nor perturbed) mapped to a value.
pub trait Sel {
    fn sel(&self) -> f64;
}
impl Sel for f64 {
    fn sel(&self) -> f64 {
        *self
    }
}
impl Sel for Dual64 {
    fn sel(&self) -> f64 {
        self.re
    }
}
impl Sel for HyperDual64 {
    fn sel(&self) -> f64 {
        self.re
    }
}
/// `None` or `Some(0..=max)`.
fn opt_usize(s: impl Sel, max: usize) -> Option<usize> {
    let s = s.sel();
    if s < -1.2 {
        None
    } else {
        Some((((s + 1.2) / 3.2 * (max + 1) as f64) as usize).min(max))
    }
}
/// `None`, `Some(0.0)` or `Some(0.25..=1.25)` (steps of 0.125).
fn opt_f64(s: impl Sel) -> Option<f64> {
    let s = s.sel();
    if s < -1.2 {
        None
    } else if s < -0.6 {
        Some(0.0)
    } else {
        Some(0.25 + ((s + 0.6) * 3.0).floor() / 8.0)
    }
}
/// `Err` or `Ok(-1.0..=2.0)` (steps of 0.25, plus 0.013).
fn res_f64(s: impl Sel) -> Result<f64, String> {
    let s = s.sel();
    if s < -1.0 {
        Err(\"none\".to_string())
    } else {
        Ok(((s + 1.0) * 4.0).floor() / 4.0 - 0.987)
    }
}
"
    .to_string()
}

/// The segments a program gets from this module.
pub(crate) fn draw(opts: &Options, index: usize) -> Segments {
    Segments::draw(opts, index, 0x8EBC_6AF0_9C88_C6E3, SEQS, 0.3)
}

impl Gen<'_> {
    pub(crate) fn pred(&mut self) -> Pred {
        Pred {
            v: self.fresh("v"),
            pat: self.rng.chance(0.5),
            op: self.cmp_op(),
            t: self.threshold(),
        }
    }

    /// `a.iter()`, maybe `.copied()`, maybe an adapter.
    pub(crate) fn seq_src(&mut self, a: &str, n: usize, adapters: bool) -> Src {
        let adapter = if adapters && n >= 2 && self.rng.chance(0.35) {
            Some(match self.rng.below(4) {
                0 => ("rev", 0),
                1 => ("skip", self.rng.int(1, n as i64 - 1) as usize),
                2 => ("take", self.rng.int(1, n as i64 - 1) as usize),
                _ => ("step_by", 2),
            })
        } else {
            None
        };
        Src {
            arr: a.to_string(),
            copied: self.rng.chance(0.3),
            adapter,
        }
    }

    /// The `Option` / `Result` parameter of kind `want`, added if the program has
    /// none.
    pub(crate) fn opt_param(&mut self, params: &mut Vec<Param>, want: OptTy) -> String {
        let same = |k: PK| match (k, want) {
            (PK::Opt(OptTy::Usize(_)), OptTy::Usize(_)) => true,
            (PK::Opt(a), b) => a == b,
            _ => false,
        };
        if let Some(p) = params.iter().find(|p| same(p.kind)) {
            return p.name.clone();
        }
        let prefix = match want {
            OptTy::Usize(_) => "ok",
            OptTy::F64 => "ow",
            OptTy::ResF64 => "oc",
        };
        self.new_param(params, prefix, PK::Opt(want), false, false)
    }

    pub(crate) fn max_of(params: &[Param], name: &str) -> i64 {
        params
            .iter()
            .find(|p| p.name == name)
            .map_or(3, |p| match p.kind {
                PK::Opt(OptTy::Usize(m)) => m,
                _ => 3,
            })
    }

    /// A term reading an integer `k` (at most `max`): `k as f64 * e` or `a[k % n]`.
    pub(crate) fn int_term(
        &mut self,
        k: &str,
        max: i64,
        arr: Option<(&str, usize, f64)>,
    ) -> (E, f64) {
        match arr {
            Some((a, n, ab)) if self.rng.chance(0.5) => {
                let i = I::Bin('%', bx(I::Var(k.into())), bx(I::Lit(n as i64)));
                let (e, b) = self.input_expr(2.0);
                (add(E::Idx(a.into(), vec![i]), e), ab + b)
            }
            _ => {
                let (e, b) = self.input_expr(2.0);
                (mul(cast(k), e), (max + 1) as f64 * b)
            }
        }
    }

    /// One segment of a construct of this module that is on; terms for the result.
    pub(crate) fn seq_segment(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let on: Vec<&str> = SEQS.iter().copied().filter(|f| self.on(f)).collect();
        if on.is_empty() {
            return Vec::new();
        }
        match *self.rng.pick(&on) {
            "tuple-folds" => self.tuple_fold(out),
            "filters" => self.filter_segment(out),
            "inactive-reductions" => self.inactive_segment(out),
            "iter-mut" => {
                // `a.to_vec()` of an array by value: E0308 (see CONSTRUCTS)
                let values: Vec<String> = params
                    .iter()
                    .filter(|p| matches!(p.kind, PK::Arr(_)) && !self.on("to-vec-of-array-values"))
                    .map(|p| p.name.clone())
                    .collect();
                self.iter_mut_segment(&values, out)
            }
            "option-params" => self.option_segment(params, out),
            "option-data" => {
                *wrt = true;
                self.data_segment(params, out)
            }
            _ => self.checked_segment(params, out),
        }
    }

    fn tuple_fold(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let (a, ab) = self.idiom_array(f64::INFINITY, out);
        let n = self.len_of(&a) as f64;
        let by_ref = self.rng.chance(0.4);
        let v = self.fresh("v");
        let (b1, bb1) = self.item_body(&v, ab, by_ref);
        let (b2, bb2) = self.item_body(&v, ab, by_ref);
        let (b2, bb2) = self.squash(b2, bb2, 1.0);
        let count = self.rng.chance(0.4);
        let (c, p, q) = (self.fresh("c"), self.fresh("p"), self.fresh("q"));
        let (cn, s1, s2) = (self.fresh("n"), self.fresh("s"), self.fresh("s"));
        let first = add(E::Var(p.clone()), b1);
        let (second, b2s) = if count {
            (add(E::Var(q.clone()), mul(b2, cast(&c))), n * n * bb2)
        } else if self.rng.chance(0.5) {
            (
                add(E::Var(q.clone()), mul(b2, E::Var(p.clone()))),
                n * n * bb1 * bb2,
            )
        } else {
            (add(E::Var(q.clone()), b2), n * bb2)
        };
        let (mut outs, mut accs) = (vec![s1.clone(), s2.clone()], vec![p, q]);
        if count {
            outs.insert(0, cn.clone());
            accs.insert(0, c);
        }
        out.push(seq(SeqS::TupFold(bx(TupFold {
            outs,
            arr: a,
            by_ref,
            v,
            accs,
            count,
            bodies: vec![first, second],
        }))));
        self.declare(&s1, VK::F, false, n * bb1);
        self.declare(&s2, VK::F, false, b2s);
        if count {
            self.declare(
                &cn,
                VK::Int {
                    max: n as i64,
                    i32: false,
                },
                false,
                0.0,
            );
            // the mean, and the second sum
            let mean = E::Bin('/', bx(E::Var(s1)), bx(cast(&cn)));
            return vec![(mean, bb1), (E::Var(s2), b2s)];
        }
        vec![(E::Var(s1), n * bb1), (E::Var(s2), b2s)]
    }

    fn filter_segment(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let (a, ab) = self.idiom_array(f64::INFINITY, out);
        let n = self.len_of(&a);
        let nf = n as f64;
        let src = self.seq_src(&a, n, true);
        let pred = self.pred();
        let e = self.fresh("e");
        let by_ref = !src.copied;
        let (red, b) = match self.rng.weighted(&[5.0, 1.5, 1.5]) {
            0 if self.rng.chance(0.25) => (FRed::Sum(None), nf * ab),
            0 => {
                let (body, bb) = self.item_body(&e, ab, by_ref);
                (FRed::Sum(Some(body)), nf * bb)
            }
            1 => {
                let (body, bb) = self.item_body(&e, ab, by_ref);
                let (body, bb) = self.squash(body, bb, 1.5);
                (FRed::Product(body), bb.max(1.0).powi(n as i32))
            }
            _ => {
                let (body, bb) = self.item_body(&e, ab, by_ref);
                let init = self.lit_value(0.0, 1.0);
                let acc = self.fresh("acc");
                let step = add(mul(E::Lit(0.5), E::Var(acc.clone())), body);
                (FRed::Fold(init, acc, step), init + 2.0 * bb)
            }
        };
        let f = seq_e(SeqE::Filter(bx(Filt { src, pred, e, red })));
        vec![self.bind_idiom(f, b, out)]
    }

    fn inactive_segment(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let (a, ab) = self.idiom_array(f64::INFINITY, out);
        let n = self.len_of(&a);
        match self.rng.below(4) {
            0 => {
                // `let k = a.iter().filter(|&&v| v < t).count();`
                let src = self.seq_src(&a, n, true);
                let pred = self.pred();
                let k = self.fresh("k");
                out.push(seq(SeqS::LetInt(k.clone(), SeqI::Count(src, pred))));
                let int = VK::Int {
                    max: n as i64,
                    i32: false,
                };
                self.declare(&k, int, false, 0.0);
                vec![self.int_term(&k, n as i64, Some((&a, n, ab)))]
            }
            1 => {
                // `if a.iter().any(|&v| v > t) { … } else { … }`
                let src = self.seq_src(&a, n, false);
                let pred = self.pred();
                let all = self.rng.chance(0.4);
                let mut c = C::Seq(bx(SeqC::Any(src, pred, all)));
                if self.rng.chance(0.3) {
                    c = C::Not(bx(c));
                }
                if self.rng.chance(0.25) {
                    c = C::And(bx(C::Seq(bx(SeqC::AllFinite(a.clone())))), bx(c));
                }
                let (x, xb) = self.input_expr(2.0);
                let (y, yb) = self.input_expr(2.0);
                let e = E::If(bx(c), bx(x), bx(y));
                vec![self.bind_idiom(e, xb.max(yb), out)]
            }
            2 => {
                // `if a.iter().any(p) { let j = a.iter().position(p).unwrap(); v += a[j] … }`
                let src = self.seq_src(&a, n, false);
                let pred = self.pred();
                let (x, xb) = self.input_expr(2.0);
                let v = self.fresh("v");
                out.push(let_f(v.clone(), true, x));
                let j = self.fresh("j");
                let (k, kb) = self.input_expr(1.0);
                let at = E::Idx(a.clone(), vec![I::Var(j.clone())]);
                let then = vec![
                    seq(SeqS::LetInt(
                        j.clone(),
                        SeqI::Position(src.clone(), pred.clone(), None),
                    )),
                    S::Assign(LV::Var(v.clone()), '+', mul(at, k)),
                ];
                let c = C::Seq(bx(SeqC::Any(src, pred, false)));
                out.push(S::If(vec![(c, then)], None));
                let b = xb + ab * kb;
                self.declare(&v, VK::F, true, b);
                vec![(E::Var(v), b)]
            }
            _ => {
                // `let j = a.iter().position(p).unwrap_or(0);`
                let src = self.seq_src(&a, n, false);
                let pred = self.pred();
                let j = self.fresh("j");
                let or = self.rng.int(0, n as i64 - 1);
                out.push(seq(SeqS::LetInt(
                    j.clone(),
                    SeqI::Position(src, pred, Some(or)),
                )));
                let int = VK::Int {
                    max: n as i64 - 1,
                    i32: false,
                };
                self.declare(&j, int, false, 0.0);
                if self.rng.chance(0.5) {
                    let (e, b) = self.input_expr(2.0);
                    let at = E::Idx(a, vec![I::Var(j)]);
                    vec![(mul(at, e), ab * b)]
                } else {
                    vec![self.int_term(&j, n as i64 - 1, None)]
                }
            }
        }
    }
}
