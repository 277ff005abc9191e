//! Constructs the macro learned late (issue 10's last point): `Option` locals built
//! in the body (`let m = if c { Some(e) } else { None };`, or `None` then `Some` in
//! a loop) read by `if let`, `unwrap_or` and `match` with a guard; struct literals
//! of the header's `#[derive(Tangent)]` struct `Lp`, read by field, updated by
//! field and passed on whole (`lnorm(&s)`, `lnormv(s)`); struct results of `#[grad]`
//! callees (`lmake`, `lshift`) passed on whole (a field of a call's struct is not
//! supported yet: the macro says so, see `LATE`); `Vec::new()` /
//! `Vec::with_capacity(n)` grown by `push` (in `for` loops, filtered or not), then
//! summed, mapped, measured and indexed; `Vec<f64>` results of callees (`lvec`,
//! `lpush`; typed, then passed on by `&` to `lsum` too, or not); output parameters
//! of callees (`lfill2(x, &mut o)` with `o: [f64; 2]`, `lscale(s, &mut o)` and
//! `lfill(x, &mut o)` with `&mut [f64]`) given local arrays, new or of the body;
//! `a.map(|t| …)` of a fixed-size array; `.is_empty()` of slices and `Vec`s (in
//! `if` and `assert!`).
//!
//! As `recent.rs`, each is a short segment after the body, drawn from a generator
//! of its own so that a program without them is the program the stream had before
//! they existed. The struct and the callees are written once in the file's
//! header (`header`), each with its oracle (`LpD<D>`, `lmake_dual` …); the model is
//! `late_ast.rs`, printed by `late_print.rs`, tagged by `late_tags.rs`.

use crate::ast::*;
use crate::gen::*;
use crate::segments::{arr_kind, shared_module, struct_with_oracle, Segments};
use crate::Options;

/// The constructs of this module, as named in `CONSTRUCTS`. Left out of
/// generation: a field of a callee's struct result (`let q = lmake(x, y); q.a`),
/// which the macro rejects ("field access is only supported on tuples", or "a
/// field of a struct value … returned by a call is not supported yet" when
/// annotated); a struct result is passed on whole instead.
pub(crate) const LATE: &[&str] = &[
    "option-locals",
    "struct-literals",
    "struct-results",
    "vec-push",
    "vec-results",
    "out-params",
    "array-map",
    "is-empty",
];

/// The struct and the callees of this module, each as the original under
/// `#[grad]` and as the oracle.
pub(crate) fn header() -> String {
    let lp = struct_with_oracle(
        "",
        "Clone, Copy, Debug, Default, autodiff::Tangent",
        "Lp",
        &[("a", "F"), ("v", "[F; 2]")],
        "",
    );
    shared_module(
        "the struct and the callees of late.rs",
        "The struct the programs build (`Lp { a: …, v: […, …] }`) and the callees that\nreturn a struct or a `Vec`, or write output arrays.",
        "late_shared",
        &format!("\n{lp}{CALLEES}"),
    )
}

/// The callees of `header`, each as the original and as the oracle.
const CALLEES: &str = "
/// A struct result.
#[grad(reverse, forward)]
pub fn lmake(x: f64, y: f64) -> Lp {
    Lp { a: x * y.tanh(), v: [x.sin(), x - y] }
}

pub fn lmake_dual<D: Dn>(x: D, y: D, tr_: &mut Tr) -> LpD<D> {
    LpD { a: x * dx_tanh(y, tr_), v: [x.sin(), x - y] }
}

/// A struct by value, a struct result.
#[grad(reverse, forward)]
pub fn lshift(p: Lp, k: f64) -> Lp {
    Lp { a: p.a * k, v: [p.v[1], p.v[0] + k] }
}

pub fn lshift_dual<D: Dn>(p: LpD<D>, k: D, tr_: &mut Tr) -> LpD<D> {
    LpD { a: p.a * k, v: [p.v[1], p.v[0] + k] }
}

/// A struct by reference.
#[grad(reverse, forward)]
pub fn lnorm(p: &Lp) -> f64 {
    p.a * p.a.tanh() + p.v[0] * p.v[1]
}

pub fn lnorm_dual<D: Dn>(p: &LpD<D>, tr_: &mut Tr) -> D {
    p.a * dx_tanh(p.a, tr_) + p.v[0] * p.v[1]
}

/// A struct by value.
#[grad(reverse, forward)]
pub fn lnormv(p: Lp) -> f64 {
    p.a.sin() + p.v[0] * p.v[1].cos()
}

pub fn lnormv_dual<D: Dn>(p: LpD<D>, tr_: &mut Tr) -> D {
    p.a.sin() + p.v[0] * p.v[1].cos()
}

/// A `Vec` result, collected.
#[grad(reverse, forward)]
pub fn lvec(a: &[f64], k: f64) -> Vec<f64> {
    a.iter().map(|v| (v * k).tanh()).collect()
}

pub fn lvec_dual<D: Dn>(a: &[D], k: D, tr_: &mut Tr) -> Vec<D> {
    a.iter().map(|v| dx_tanh(*v * k, tr_)).collect()
}

/// A `Vec` result grown by `push`.
#[grad(reverse, forward)]
pub fn lpush(a: &[f64], k: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(a.len());
    for v in a {
        out.push(v.sin() * k);
    }
    out
}

pub fn lpush_dual<D: Dn>(a: &[D], k: D, tr_: &mut Tr) -> Vec<D> {
    let mut out = Vec::with_capacity(a.len());
    for v in a {
        out.push(v.sin() * k);
    }
    out
}

/// A weighted sum of a slice (a `Vec` passed on by `&`).
#[grad(reverse, forward)]
pub fn lsum(a: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * (0.5 + 0.25 * i as f64);
    }
    s
}

pub fn lsum_dual<D: Dn>(a: &[D], tr_: &mut Tr) -> D {
    let mut s = D::from(0.0);
    for i in 0..a.len() {
        s = s + a[i] * D::from(0.5 + 0.25 * i as f64);
    }
    s
}

/// An output array written and read, no result.
#[grad(reverse, forward)]
pub fn lfill2(x: f64, out: &mut [f64; 2]) {
    out[0] = x.sin();
    out[1] += x * out[0];
}

pub fn lfill2_dual<D: Dn>(x: D, out: &mut [D; 2], tr_: &mut Tr) {
    out[0] = x.sin();
    out[1] = out[1] + x * out[0];
}

/// An output slice updated in place, and a value.
#[grad(reverse, forward)]
pub fn lscale(s: f64, out: &mut [f64]) -> f64 {
    for i in 0..out.len() {
        out[i] = out[i] * s + 0.5;
    }
    out[0]
}

pub fn lscale_dual<D: Dn>(s: D, out: &mut [D], tr_: &mut Tr) -> D {
    for i in 0..out.len() {
        out[i] = out[i] * s + D::from(0.5);
    }
    out[0]
}

/// An output slice updated through `iter_mut`, no result.
#[grad(reverse, forward)]
pub fn lfill(x: f64, out: &mut [f64]) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = *o * 0.5 + (x * (i as f64 + 1.0)).sin();
    }
}

pub fn lfill_dual<D: Dn>(x: D, out: &mut [D], tr_: &mut Tr) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = *o * D::from(0.5) + (x * D::from(i as f64 + 1.0)).sin();
    }
}
";

/// The segments a program gets from this module.
pub(crate) fn draw(opts: &Options, index: usize) -> Segments {
    Segments::draw(opts, index, 0x1656_67B1_9E37_79F9, LATE, 0.3)
}

/// Whether `body` has an early `return` (then the statements after it are
/// lowered inside an `if`; a result of another type is not possible).
pub(crate) fn returns(body: &[S]) -> bool {
    body.iter().any(|s| match s {
        S::Return(_) => true,
        S::If(arms, els) => {
            arms.iter().any(|(_, b)| returns(b)) || els.as_deref().is_some_and(returns)
        }
        S::For(_, b) | S::While(_, b) => returns(b),
        S::Seq(q) => match &**q {
            SeqS::LetElse(_, _, e) => matches!(**e, S::Return(_)),
            SeqS::IfLet(_, _, a, b) => returns(a) || b.as_deref().is_some_and(returns),
            SeqS::IterMut(m) => returns(&m.body),
            _ => false,
        },
        S::R4(r) => match &**r {
            R4S::Loop(b) | R4S::Tagged(_, b) => returns(b),
            _ => false,
        },
        S::Val(v) => matches!(&**v, ValS::Tab(_, b) if returns(b)),
        _ => false,
    })
}

impl Gen<'_> {
    /// One segment of a construct of this module that is on; terms for the result.
    /// `returns`: the body has an early `return` (see `vec_result`).
    pub(crate) fn late_segment(&mut self, returns: bool, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let on: Vec<&str> = LATE.iter().copied().filter(|f| self.on(f)).collect();
        if on.is_empty() {
            return Vec::new();
        }
        match *self.rng.pick(&on) {
            "option-locals" => self.option_local(out),
            "struct-literals" => self.struct_literal(out),
            "struct-results" => self.struct_result(out),
            "vec-push" => self.vec_push(false, out),
            "vec-results" => self.vec_result(returns, out),
            "out-params" => self.out_param(out),
            "array-map" => self.array_map(out),
            _ => self.is_empty_segment(out),
        }
    }

    /// `let m = if c { Some(e) } else { None };` (or `None`, then `Some` in a loop
    /// over an array), read once.
    fn option_local(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let m = self.fresh("lo");
        let cb = if self.rng.chance(0.35) {
            let (a, ab) = self.idiom_array(f64::INFINITY, out);
            let e = self.fresh("e");
            let (body, bb) = self.item_body(&e, ab, true);
            let op = self.cmp_op();
            let t = self.threshold();
            let c = C::Cmp(op, E::RVar(e.clone()), t);
            out.push(late(LateS::OptLoop(m.clone(), e, a, c, body)));
            bb
        } else {
            let (x, xb) = self.input_expr(2.0);
            let (y, _) = self.input_expr(2.0);
            let op = self.cmp_op();
            let t = self.threshold();
            out.push(late(LateS::LetOpt(m.clone(), C::Cmp(op, y, t), x)));
            xb
        };
        let v = self.fresh("ov");
        let (d, db) = self.input_expr(2.0);
        let (e, b) = match self.rng.below(3) {
            0 => (LateE::UnwrapOr(m, bx(d)), cb.max(db)),
            1 => {
                let (a, ab) = self.opt_arm(&v, cb);
                (LateE::IfLet(m, v, bx(a), bx(d)), ab.max(db))
            }
            _ => {
                let (a, ab) = self.opt_arm(&v, cb);
                let (b, bb) = self.opt_arm(&v, cb);
                let op = self.cmp_op();
                let t = self.threshold();
                let g = C::Cmp(op, E::Var(v.clone()), t);
                (
                    LateE::Match(m, v, bx(g), bx(a), bx(b), bx(d)),
                    ab.max(bb).max(db),
                )
            }
        };
        vec![self.bind_idiom(late_e(e), b, out)]
    }

    /// `let [mut] s = Lp { a: …, v: [… , …] };`, its fields updated (if `mut`),
    /// read, and the struct passed on whole.
    fn struct_literal(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let s = self.fresh("ls");
        let mutable = self.rng.chance(0.5);
        let (a, mut ab) = self.input_expr(2.0);
        let (v0, b0) = self.input_expr(2.0);
        let (v1, b1) = self.input_expr(2.0);
        let mut vb = b0.max(b1);
        out.push(late(LateS::LetStruct(s.clone(), mutable, a, [v0, v1])));
        let (fa, fv) = (format!("{s}.a"), format!("{s}.v"));
        if mutable {
            let (e, eb) = self.input_expr(1.5);
            out.push(S::Assign(LV::Var(fa.clone()), '+', e));
            ab += eb;
            if self.rng.chance(0.6) {
                let k = I::Lit(self.rng.below(2) as i64);
                let (e, eb) = self.input_expr(1.0);
                if self.rng.chance(0.5) {
                    out.push(S::Assign(LV::Idx(fv.clone(), vec![k]), '*', e));
                    vb *= eb.max(1.0);
                } else {
                    out.push(S::Assign(LV::Idx(fv.clone(), vec![k]), '-', e));
                    vb += eb;
                }
            }
        }
        let j = self.rng.below(2) as i64;
        let mut terms = vec![if self.rng.chance(0.5) {
            (mul(E::Var(fa.clone()), at(&fv, I::Lit(j))), ab * vb)
        } else {
            (
                add(at(&fv, I::Lit(0)), mul(E::Var(fa), at(&fv, I::Lit(1)))),
                vb + ab * vb,
            )
        }];
        if self.rng.chance(0.6) {
            let by_ref = self.rng.chance(0.5);
            let b = if by_ref { ab + vb * vb } else { 1.0 + vb };
            terms.push((late_e(LateE::Whole(s, by_ref)), b));
        }
        terms
    }

    /// `let q = lmake(x, y);` (maybe then `let q2 = lshift(q, k);`), passed on
    /// whole by `&` or by value.
    fn struct_result(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let q = self.fresh("lq");
        let (x, xb) = self.input_expr(2.0);
        let (y, yb) = self.input_expr(2.0);
        let annot = self.rng.chance(0.3);
        out.push(late(LateS::LetStructCall(q.clone(), annot, x, y)));
        let (mut ab, mut vb) = (xb, (xb + yb).max(1.0));
        let mut q = q;
        if self.rng.chance(0.35) {
            let q2 = self.fresh("lq");
            let (k, kb) = self.input_expr(1.5);
            out.push(late(LateS::LetShift(q2.clone(), q, k)));
            ab *= kb;
            vb += kb;
            q = q2;
        }
        let by_ref = self.rng.chance(0.5);
        let bound = |r: bool| if r { ab + vb * vb } else { 1.0 + vb };
        let mut terms = vec![(late_e(LateE::Whole(q.clone(), by_ref)), bound(by_ref))];
        if self.rng.chance(0.3) {
            terms.push((late_e(LateE::Whole(q, !by_ref)), bound(!by_ref)));
        }
        terms
    }

    /// `let mut v = Vec::new();` (or `Vec::with_capacity(n)`) grown by `push` in a
    /// loop over `0..n` or over an array (filtered or not), then read.
    /// `empty`: a filtered loop, read under `if v.is_empty()`.
    fn vec_push(&mut self, empty: bool, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let v = self.fresh("lv");
        let annot = self.rng.chance(0.4);
        let form = if empty { 1 } else { self.rng.below(3) };
        let (len, n, eb) = if form == 0 {
            let n = self.rng.int(1, 4);
            let cap = self.rng.chance(0.5).then_some(I::Lit(n));
            out.push(late(LateS::LetVec(v.clone(), annot, cap)));
            let i = self.fresh("i");
            self.scopes.push(Vec::new());
            self.loop_depth += 1;
            let int = VK::Int {
                max: n - 1,
                i32: false,
            };
            self.declare(&i, int, false, 0.0);
            let (e, b) = self.input_expr(2.0);
            self.loop_depth -= 1;
            self.scopes.pop();
            let k = self.lit_value(0.25, 1.0);
            let body = add(e, mul(E::Cast(I::Var(i.clone())), E::Lit(k)));
            let head = Head::Range(i, I::Lit(0), I::Lit(n), false);
            out.push(S::For(head, vec![late(LateS::Push(v.clone(), body))]));
            (Some(n as usize), n as usize, b + k * (n - 1) as f64)
        } else {
            let (a, ab) = self.idiom_array(f64::INFINITY, out);
            let n = self.len_of(&a);
            let cap = if self.rng.chance(0.5) {
                Some(if self.rng.chance(0.5) {
                    I::Len(a.clone())
                } else {
                    I::Lit(n as i64)
                })
            } else {
                None
            };
            out.push(late(LateS::LetVec(v.clone(), annot, cap)));
            let e = self.fresh("e");
            let (body, bb) = self.item_body(&e, ab, true);
            if form == 1 {
                let i = self.fresh("i");
                let k = self.lit_value(0.25, 1.0);
                let body = add(body, mul(E::Cast(I::Var(i.clone())), E::Lit(k)));
                let op = self.cmp_op();
                let t = self.threshold();
                let c = C::Cmp(op, E::RVar(e.clone()), t);
                let push = late(LateS::Push(v.clone(), body));
                out.push(S::For(
                    Head::Enum(i, e, a),
                    vec![S::If(vec![(c, vec![push])], None)],
                ));
                (None, n, bb + k * n as f64)
            } else {
                let push = late(LateS::Push(v.clone(), body));
                out.push(S::For(Head::Iter(e, a, false), vec![push]));
                (Some(n), n, bb)
            }
        };
        self.vec_reads(&v, len, n, eb, empty, out)
    }

    /// Terms reading a `Vec` `v` of `len` elements (at most `n` when not known)
    /// bounded by `eb`: summed, mapped and summed, measured, indexed (under `if
    /// v.is_empty()` when its length is not known, or when `empty`).
    fn vec_reads(
        &mut self,
        v: &str,
        len: Option<usize>,
        n: usize,
        eb: f64,
        empty: bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let nf = n.max(1) as f64;
        let red = |kind: RK, params: Vec<String>| {
            E::Red(bx(Red {
                arrs: vec![v.to_string()],
                copied: false,
                enumerate: false,
                params,
                ref_pat: true,
                kind,
            }))
        };
        let guarded = self.on("is-empty") && (empty || (len.is_none() && self.rng.chance(0.6)));
        if guarded {
            // `if v.is_empty() { d } else { v[0] * k + v[v.len() - 1] }`
            let (d, db) = self.input_expr(2.0);
            let (k, kb) = self.input_expr(1.5);
            let last = I::Bin('-', bx(I::Len(v.to_string())), bx(I::Lit(1)));
            let e = add(mul(at(v, I::Lit(0)), k), at(v, last));
            let c = C::IsEmpty(v.to_string());
            let e = E::If(bx(c), bx(d), bx(e));
            return vec![self.bind_idiom(e, db.max(eb * kb + eb), out)];
        }
        match (self.rng.below(4), len) {
            (0, _) => vec![(red(RK::Sum, vec!["t_".into()]), nf * eb)],
            (1, _) => {
                let t = self.fresh("t");
                let (body, bb) = self.item_body(&t, eb, false);
                vec![(red(RK::MapSum(body), vec![t]), nf * bb)]
            }
            (2, _) => {
                let (k, kb) = self.input_expr(1.5);
                let first = (mul(E::Cast(I::Len(v.to_string())), k), nf * kb);
                let (s, sb) = (red(RK::Sum, vec!["t_".into()]), nf * eb);
                vec![first, (s, sb)]
            }
            (_, Some(len)) if len > 0 => {
                let j = self.rng.below(len) as i64;
                let (k, kb) = self.input_expr(1.5);
                vec![(mul(at(v, I::Lit(j)), k), eb * kb)]
            }
            _ => vec![(red(RK::Sum, vec!["t_".into()]), nf * eb)],
        }
    }

    /// An array as the argument of a `&[f64]` parameter: `&a`, or `s` of a
    /// parameter that is a reference already.
    fn slice_arg(&self, a: &str) -> Arg {
        let is_ref =
            self.visible().iter().any(|v| v.name == a && is_slice(v)) || self.visible_param_ref(a);
        Arg::Ref(a.to_string(), Vec::new(), !is_ref)
    }

    /// `let h: Vec<f64> = lvec(&a, k);` (or `lpush`, typed or not), read, and when
    /// typed maybe passed on by `&` (`lsum(&h)`). Typed always after an early
    /// `return` (`returns`): an untyped `Vec` result there does not compile (E0277
    /// `Vec<f64>` is not a `Tangent`: the `if` that the code after a `return` is
    /// lowered into yields the result, and its placeholder in the branch that
    /// returns is `Tangent::zero()`), a bug of the macro left out here (p790, p1088
    /// and p1105 of seed 1). A `&[f64; N]` parameter is never
    /// the argument: passed as it is to a `&[f64]` parameter of a callee, the
    /// companion does not compile (E0308: `lsum(&v0)` with `v0: &[f64; N]` is a
    /// `&&[f64; N]`, which does not coerce to `&[f64]`, nor its shadow `&mut v8`
    /// to `&mut [f64]`), a bug of the macro left out here.
    fn vec_result(&mut self, returns: bool, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let (mut a, _) = self.idiom_array(f64::INFINITY, out);
        while self.visible_param_ref(&a) {
            a = self.idiom_array(f64::INFINITY, out).0;
        }
        let n = self.len_of(&a);
        let arg = self.slice_arg(&a);
        let h = self.fresh("lh");
        let annot = self.rng.chance(0.6) || returns;
        let (k, kb) = self.input_expr(1.5);
        let (callee, eb) = if self.rng.chance(0.5) {
            ("lvec", 1.0)
        } else {
            ("lpush", kb)
        };
        out.push(late(LateS::LetVecCall(h.clone(), annot, callee, arg, k)));
        let mut terms = self.vec_reads(&h, Some(n), n, eb, false, out);
        if annot && self.rng.chance(0.5) {
            let nf = n as f64;
            let call = E::Call("lsum", vec![Arg::Ref(h, Vec::new(), true)], Style::User);
            terms.push((call, nf * (0.5 + 0.25 * nf) * eb));
        }
        terms
    }

    /// A local array the body declared that can be passed on as `&mut`: 1-D, of a
    /// fixed length, `mut`, not a field nor a reference.
    fn mut_locals(&self, len: Option<usize>) -> Vec<Var> {
        self.arrays()
            .into_iter()
            .filter(|v| {
                v.mutable
                    && !is_field(&v.name)
                    && !self.visible_param_ref(&v.name)
                    && matches!(v.kind, VK::Arr { inner: None, slice: false, len: l }
                        if len.is_none_or(|n| n == l))
            })
            .collect()
    }

    /// `let mut o = …;` of `len` elements (`len` from 2 to 4 when `None`): a
    /// new local, or a local of the body (40%).
    fn out_array(&mut self, len: Option<usize>, out: &mut Vec<S>) -> (String, usize, f64) {
        let old = self.mut_locals(len);
        if !old.is_empty() && self.rng.chance(0.4) {
            let v = self.rng.pick(&old).clone();
            return (v.name.clone(), v.kind_len(), v.bound);
        }
        let n = len.unwrap_or_else(|| self.rng.int(2, 4) as usize);
        if !self.rng.chance(0.4) {
            let (o, b) = self.let_array("lo", n, 1.5, true, out);
            return (o, n, b);
        }
        let o = self.fresh("lo");
        out.push(S::LetArr {
            name: o.clone(),
            mutable: true,
            annot: Some(format!("[f64; {n}]")),
            init: AInit::Zeros(n, None),
        });
        self.declare(&o, arr_kind(n), true, 0.0);
        (o, n, 0.0)
    }

    /// A local array passed as `&mut` to a callee with an output parameter:
    /// `lfill2(x, &mut o)`, `let r: f64 = lscale(s, &mut o);`, `lfill(x, &mut o)`;
    /// then read.
    fn out_param(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let form = self.rng.below(3);
        let (o, n, ob) = self.out_array((form == 0).then_some(2), out);
        let (x, xb) = self.input_expr(1.5);
        let (r, nb) = match form {
            0 => {
                out.push(late(LateS::OutCall(None, "lfill2", x, o.clone())));
                (None, ob + xb)
            }
            1 => {
                let r = self.fresh("r");
                out.push(late(LateS::OutCall(
                    Some(r.clone()),
                    "lscale",
                    x,
                    o.clone(),
                )));
                let b = ob * xb + 0.5;
                self.declare(&r, VK::F, false, b);
                (Some((r, b)), b)
            }
            _ => {
                out.push(late(LateS::OutCall(None, "lfill", x, o.clone())));
                (None, 0.5 * ob + 1.0)
            }
        };
        self.raise(&o, nb);
        let j = self.rng.below(n) as i64;
        let mut terms = vec![if n >= 2 && self.rng.chance(0.5) {
            let i = (j + 1) % n as i64;
            (mul(at(&o, I::Lit(j)), at(&o, I::Lit(i))), nb * nb)
        } else {
            (at(&o, I::Lit(j)), nb)
        }];
        if let Some((r, b)) = r {
            terms.push((E::Var(r), b));
        }
        terms
    }

    /// `let m = a.map(|t| …);` of a fixed-size array (by value or local), read.
    /// Not of a copy of a struct field (`let snap = st.pos;`, and even `let mut
    /// out: [f64; 2] = st.pos;`, annotated): its length is not known to the macro,
    /// which rejects `.map` on it ("`.map(f)` is supported on a fixed-size array
    /// with a literal length"; the annotation's length is not used).
    fn array_map(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let ok: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| {
                !is_field(&v.name)
                    && !v.name.starts_with("snap")
                    && !v.name.starts_with("out")
                    && !self.visible_param_ref(&v.name)
                    && matches!(
                        v.kind,
                        VK::Arr {
                            inner: None,
                            slice: false,
                            ..
                        }
                    )
            })
            .collect();
        let (a, n, ab) = if !ok.is_empty() && self.rng.chance(0.7) {
            let v = self.rng.pick(&ok).clone();
            (v.name.clone(), v.kind_len(), v.bound)
        } else {
            let n = self.rng.int(2, 4) as usize;
            let (name, b) = self.let_array("la", n, 2.0, false, out);
            (name, n, b)
        };
        let m = self.fresh("lm");
        let t = self.fresh("t");
        let (body, bb) = self.item_body(&t, ab, false);
        let annot = self.rng.chance(0.4).then_some(n);
        out.push(late(LateS::Map(m.clone(), annot, a, t, body)));
        self.declare(&m, arr_kind(n), false, bb);
        let j = self.rng.below(n) as i64;
        let (k, kb) = self.input_expr(1.5);
        vec![(mul(at(&m, I::Lit(j)), k), bb * kb)]
    }

    /// `assert!(!s.is_empty());` and `if s.is_empty() { … } else { … }` of a slice
    /// parameter, or a filtered `Vec` read under `if v.is_empty()`.
    fn is_empty_segment(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let slices: Vec<Var> = self.arrays().into_iter().filter(is_slice).collect();
        if slices.is_empty() || self.rng.chance(0.3) {
            if !self.on("vec-push") && slices.is_empty() {
                return Vec::new();
            }
            if !slices.is_empty() && !self.on("vec-push") {
                return self.slice_empty(&slices, out);
            }
            return self.vec_push(true, out);
        }
        self.slice_empty(&slices, out)
    }

    fn slice_empty(&mut self, slices: &[Var], out: &mut Vec<S>) -> Vec<(E, f64)> {
        let s = self.rng.pick(slices).clone();
        if self.rng.chance(0.5) {
            let c = C::Not(bx(C::IsEmpty(s.name.clone())));
            out.push(S::Assert(false, c));
        }
        let (d, db) = self.input_expr(2.0);
        let (k, kb) = self.input_expr(1.5);
        let i = if self.rng.chance(0.5) {
            I::Lit(0)
        } else {
            I::Bin('-', bx(I::Len(s.name.clone())), bx(I::Lit(1)))
        };
        let e = E::If(
            bx(C::IsEmpty(s.name.clone())),
            bx(d),
            bx(mul(at(&s.name, i), k)),
        );
        vec![self.bind_idiom(e, db.max(s.bound * kb), out)]
    }
}
