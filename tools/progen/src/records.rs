//! Run-time sized data and records (issues 11 and 12, the constructs of
//! `tests/vec_params.rs`, `tests/record_slices.rs` and `tests/defaults_options.rs`):
//!
//! - `vec-params`: a `&Vec<f64>` parameter, indexed, measured, summed through
//!   `iter().map(…)`, passed on to a `&[f64]` callee (`lsum(v)`);
//! - `vec-rows`: a `&[Vec<f64>]` parameter, differentiated or data under `wrt`:
//!   `w[i][j]`, `w.len()`, `w[i].len()`, `for row in w.iter()`, a row zipped with an
//!   array, a row summed, a row passed on (`lsum(&w[i])`);
//! - `vec-fields`: the header's `#[derive(Tangent)] struct Lv { b: f64, w: Vec<f64>,
//!   m: Vec<Vec<f64>> }` by `&` or by value (`mut`, a `w[j]` updated): fields read,
//!   `lin.w.iter()`, `lin.w.len()`, rows of `lin.m` walked and iterated;
//! - `struct-slices`: `ps: &[Pt]` of the header's `Pt { x: f64, f: [f64; 2] }`:
//!   `ps[i].x`, `ps[i].f[j]`, `for p in ps`, `ps.iter().map(|p| …)`;
//! - `tuple-slices`: `pts: &[(f64, f64)]`, differentiated or data: `pts[i].0`, `for
//!   &(a, b) in pts`, `let (a, b) = pts[i];`, `pts.iter().map(|&(a, b)| …)`;
//! - `default-records`: `Lp::default()`, `let s: Lp = Default::default();`, `Lp { a:
//!   e, ..Default::default() }`, `Lp { v: […], ..Lp::default() }`, fields assigned
//!   and read, passed on whole (`lnorm(&s)`); `Acc::default()` with an integer
//!   field counted and an array field summed into in a loop;
//! - `option-combinators`: `map(…).unwrap_or(…)`, `map_or`, `and_then`,
//!   `unwrap_or_else`, `map(f64::sin)` on an `Option<f64>` the body builds and on an
//!   `Option<f64>` parameter (data, under `wrt`);
//! - `vec-returns`: an array result returned as `Vec<f64>` (`vec![…]`, `a.to_vec()`,
//!   its cotangent `d_out: &[f64]`).
//!
//! As `late.rs`, each is a short segment after the body, drawn from a generator of
//! its own so that a program without them is the program the stream had before
//! they existed; a parameter it needs is added after the others. The structs and
//! their flat forms are in the file's header (`rec_header.rs`); the model is
//! `rec_ast.rs`, printed by `rec_print.rs`, tagged by `rec_tags.rs`. An item body
//! over a field's items has no `if` while bug 7 of `/work/notes/progen-bugs.md` is
//! open (`KNOWN_BUGS`).

use crate::ast::*;
use crate::gen::*;
use crate::segments::{own_stream, Segments};
use crate::Options;

pub(crate) use crate::rec_header::header;

/// The constructs of this module, as named in `CONSTRUCTS`.
pub(crate) const RECORDS: &[&str] = &[
    "vec-params",
    "vec-rows",
    "vec-fields",
    "struct-slices",
    "tuple-slices",
    "default-records",
    "option-combinators",
    "vec-returns",
];

/// What a program gets from this module: its segments, and whether an array
/// result becomes a `Vec<f64>` (drawn from a stream of its own).
pub(crate) fn draw(opts: &Options, index: usize) -> (Segments, bool) {
    let segs: Vec<&str> = RECORDS
        .iter()
        .copied()
        .filter(|c| *c != "vec-returns")
        .collect();
    let segments = Segments::draw(opts, index, 0x9FB2_1C65_1E98_DF25, &segs, 0.35);
    let (_, mut vr) = own_stream(opts, index, 0x6C8E_9CF5_7093_2BD5, &["vec-returns"], 0.0);
    (segments, opts.on("vec-returns") && vr.chance(0.3))
}

/// Whether the header of `late.rs` (the struct `Lp`, the callee `lsum`) is in the
/// file.
fn late_header(g: &Gen) -> bool {
    crate::late::LATE.iter().any(|c| g.on(c))
}

impl Gen<'_> {
    /// One segment of a construct of this module that is on; terms for the result.
    pub(crate) fn rec_segment(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let late = late_header(self);
        let on: Vec<&str> = RECORDS
            .iter()
            .copied()
            .filter(|f| self.on(f) && *f != "vec-returns")
            .filter(|f| *f != "default-records" || late)
            .collect();
        if on.is_empty() {
            return Vec::new();
        }
        match *self.rng.pick(&on) {
            "vec-params" => self.vec_param(params),
            "vec-rows" => self.vec_rows(params, wrt, out),
            "vec-fields" => self.vec_fields(params, wrt, out),
            "struct-slices" => self.struct_slice(params, out),
            "tuple-slices" => self.tuple_slice(params, wrt, out),
            "default-records" => self.default_record(out),
            _ => self.option_combinator(params, wrt, out),
        }
    }

    /// A new parameter `name` of `kind` (data when not `active`: the program is
    /// then under `wrt`), its floats among the inputs.
    fn rec_param(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        prefix: &str,
        kind: PK,
        active: bool,
    ) -> String {
        let mutable = matches!(kind, PK::VecStruct(false, ..));
        let name = self.new_param(params, prefix, kind, mutable, active);
        if !active {
            *wrt = true;
        }
        name
    }

    /// A differentiated parameter may be data when the program has another
    /// differentiated one.
    pub(crate) fn may_be_data(&mut self, params: &[Param], p: f64) -> bool {
        params
            .iter()
            .any(|q| q.active && q.kind.floats() > 0 && !matches!(q.kind, PK::Body(..)))
            && self.rng.chance(p)
    }

    /// `src.iter().map(|e| body).sum::<f64>()` of `n` items bounded by `eb` (over
    /// the items of a struct's field too, with an `if`: bug 7, fixed in 7cb23e9).
    fn iter_sum(&mut self, src: &str, idx: Vec<I>, n: usize, eb: f64) -> (E, f64) {
        let e = self.fresh("e");
        let (body, bb) = self.item_body(&e, eb, true);
        (
            rec_e(RecE::IterSum(src.to_string(), idx, e, body)),
            n as f64 * bb,
        )
    }

    /// `let mut acc = 0.0; for row in rows.iter() { let t = row[j]; acc += body; }`
    fn rows_loop(&mut self, rows: &str, r: usize, c: usize, out: &mut Vec<S>) -> (E, f64) {
        let acc = self.fresh("acc");
        let row = self.fresh("row");
        let t = self.fresh("t");
        let j = self.rng.below(c) as i64;
        let (body, bb) = self.item_body(&t, 2.0, false);
        out.push(rec_s(RecS::RowsLoop(
            acc.clone(),
            row,
            rows.to_string(),
            j,
            t,
            body,
        )));
        let b = r as f64 * bb;
        self.declare(&acc, VK::F, true, b);
        (E::Var(acc), b)
    }

    /// `&Vec<f64>`: indexed, measured, summed, passed on to `lsum`.
    fn vec_param(&mut self, params: &mut Vec<Param>) -> Vec<(E, f64)> {
        let n = self.rng.int(1, 4) as usize;
        let mut wrt = false;
        let v = self.rec_param(params, &mut wrt, "vx", PK::VecRef(n), true);
        let kind = VK::Arr {
            len: n,
            inner: None,
            slice: true,
        };
        self.declare(&v, kind, false, 2.0);
        self.inputs.push(v.clone());
        let mut terms = Vec::new();
        for _ in 0..1 + usize::from(self.rng.chance(0.5)) {
            let t = match self.rng.below(5) {
                0 => self.iter_sum(&v, Vec::new(), n, 2.0),
                1 => {
                    let i = self.index(n, Some(&v));
                    self.scaled(E::Idx(v.clone(), vec![i]), 2.0)
                }
                2 => self.scaled(rec_e(RecE::Len(v.clone(), Vec::new())), n as f64),
                3 if late_header(self) => {
                    let call = E::Call(
                        "lsum",
                        vec![Arg::Ref(v.clone(), Vec::new(), false)],
                        Style::User,
                    );
                    let nf = n as f64;
                    (call, nf * (0.5 + 0.25 * nf) * 2.0)
                }
                _ => self.input_expr(2.0),
            };
            terms.push(t);
        }
        terms
    }

    /// `&[Vec<f64>]`, differentiated or data: elements, lengths, rows walked,
    /// zipped, summed and passed on.
    fn vec_rows(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let (r, c) = (self.rng.int(1, 3) as usize, self.rng.int(1, 3) as usize);
        let active = !self.may_be_data(params, 0.35);
        let w = self.rec_param(params, wrt, "wv", PK::VecRows(r, c), active);
        let kind = VK::Arr {
            len: r,
            inner: Some(c),
            slice: true,
        };
        self.declare(&w, kind, false, 2.0);
        self.inputs.push(w.clone());
        let mut terms = Vec::new();
        for _ in 0..1 + usize::from(self.rng.chance(0.5)) {
            let i = self.index(r, Some(&w));
            let k = self.rng.below(6);
            let t = match k {
                0 => {
                    let j = self.index(c, None);
                    self.scaled(E::Idx(w.clone(), vec![i, j]), 2.0)
                }
                1 => {
                    let (x, xb) = self.array_of_len("ia", c, true, out);
                    let (p, q) = (self.fresh("p"), self.fresh("q"));
                    (
                        rec_e(RecE::RowDot(w.clone(), i, x, p, q)),
                        c as f64 * 2.0 * xb,
                    )
                }
                2 => self.rows_loop(&w, r, c, out),
                3 => self.iter_sum(&w, vec![i], c, 2.0),
                4 => {
                    let len = if self.rng.chance(0.5) {
                        rec_e(RecE::Len(w.clone(), Vec::new()))
                    } else {
                        rec_e(RecE::Len(w.clone(), vec![i]))
                    };
                    self.scaled(len, r.max(c) as f64)
                }
                _ if late_header(self) => {
                    let call = E::Call(
                        "lsum",
                        vec![Arg::Ref(w.clone(), vec![i], true)],
                        Style::User,
                    );
                    let cf = c as f64;
                    (call, cf * (0.5 + 0.25 * cf) * 2.0)
                }
                _ => self.iter_sum(&w, vec![i], c, 2.0),
            };
            terms.push(t);
        }
        terms
    }

    /// The header's `Lv` by `&` or by value (`mut`, an element of `w` updated).
    fn vec_fields(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let existing = params.iter().find_map(|q| match q.kind {
            PK::VecStruct(by_ref, n, r) => Some((q.name.clone(), by_ref, n, r)),
            _ => None,
        });
        let (lin, by_ref, n, r) = match existing {
            Some(e) => e,
            None => {
                let (n, r) = (self.rng.int(1, 3) as usize, self.rng.int(1, 2) as usize);
                let by_ref = self.rng.chance(0.6);
                let lin = self.rec_param(params, wrt, "lin", PK::VecStruct(by_ref, n, r), true);
                for (f, kind) in [
                    ("b", VK::F),
                    (
                        "w",
                        VK::Arr {
                            len: n,
                            inner: None,
                            slice: false,
                        },
                    ),
                    (
                        "m",
                        VK::Arr {
                            len: r,
                            inner: Some(2),
                            slice: false,
                        },
                    ),
                ] {
                    let path = format!("{lin}.{f}");
                    self.declare(&path, kind, !by_ref, 2.0);
                    self.inputs.push(path);
                }
                (lin, by_ref, n, r)
            }
        };
        let (w, m, b) = (format!("{lin}.w"), format!("{lin}.m"), format!("{lin}.b"));
        if !by_ref && self.rng.chance(0.5) {
            // `lin.w[j] = lin.w[j] * e;` (or `+`), bounded; not `*=`, whose place an
            // oracle's `IndexMut` of a `Vec<D>` borrows before the right side is read
            let j = I::Lit(self.rng.below(n) as i64);
            let (e, eb) = self.input_expr(1.0);
            let op = if self.rng.chance(0.5) { '*' } else { '+' };
            let cur = E::Idx(w.clone(), vec![j.clone()]);
            out.push(S::Assign(
                LV::Idx(w.clone(), vec![j]),
                '=',
                E::Bin(op, bx(cur), bx(e)),
            ));
            let nb = if op == '*' { 2.0 * eb } else { 2.0 + eb };
            self.raise(&w, nb);
        }
        let wb = self.bound_of(&w);
        let mut terms = Vec::new();
        for _ in 0..1 + usize::from(self.rng.chance(0.5)) {
            let t = match self.rng.below(7) {
                0 => self.iter_sum(&w, Vec::new(), n, wb),
                1 => self.scaled(rec_e(RecE::Len(w.clone(), Vec::new())), n as f64),
                2 => self.rows_loop(&m, r, 2, out),
                3 => {
                    let i = I::Lit(self.rng.below(r) as i64);
                    self.iter_sum(&m, vec![i], 2, 2.0)
                }
                4 => {
                    let i = I::Lit(self.rng.below(r) as i64);
                    let (x, xb) = self.array_of_len("ia", 2, true, out);
                    let (p, q) = (self.fresh("p"), self.fresh("q"));
                    (rec_e(RecE::RowDot(m.clone(), i, x, p, q)), 4.0 * xb)
                }
                5 => {
                    let j = I::Lit(self.rng.below(n) as i64);
                    let e = add(E::Idx(w.clone(), vec![j]), E::Var(b.clone()));
                    self.scaled(e, wb + 2.0)
                }
                _ => {
                    let (i, j) = (self.rng.below(r) as i64, self.rng.below(2) as i64);
                    let e = mul(
                        E::Idx(m.clone(), vec![I::Lit(i), I::Lit(j)]),
                        E::Var(b.clone()),
                    );
                    (e, 4.0)
                }
            };
            terms.push(t);
        }
        terms
    }

    /// `ps: &[Pt]` read field by field.
    fn struct_slice(&mut self, params: &mut Vec<Param>, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let n = self.rng.int(1, 3) as usize;
        let mut wrt = false;
        let ps = self.rec_param(
            params,
            &mut wrt,
            "ps",
            PK::Rec(Rec::Pt, Pass::Slice(n)),
            true,
        );
        let mut terms = Vec::new();
        for _ in 0..1 + usize::from(self.rng.chance(0.5)) {
            let t = match self.rng.below(4) {
                0 => {
                    let i = I::Lit(self.rng.below(n) as i64);
                    let j = self
                        .rng
                        .chance(0.5)
                        .then(|| I::Lit(self.rng.below(2) as i64));
                    self.scaled(rec_e(RecE::PtField(ps.clone(), i, j)), 2.0)
                }
                1 => {
                    let p = self.fresh("p");
                    let (body, bb) = self.pt_body(&p);
                    (rec_e(RecE::PtSum(ps.clone(), p, body)), n as f64 * bb)
                }
                2 => {
                    let (acc, p) = (self.fresh("acc"), self.fresh("p"));
                    let (body, bb) = self.pt_body(&p);
                    let bare = self.rng.chance(0.5);
                    out.push(rec_s(RecS::PtLoop(acc.clone(), p, ps.clone(), bare, body)));
                    let b = n as f64 * bb;
                    self.declare(&acc, VK::F, true, b);
                    (E::Var(acc), b)
                }
                _ => self.scaled(rec_e(RecE::Len(ps.clone(), Vec::new())), n as f64),
            };
            terms.push(t);
        }
        terms
    }

    /// A body reading a record `p`'s fields (`p.x`, `p.f[j]`), bounded by 4.
    fn pt_body(&mut self, p: &str) -> (E, f64) {
        let (bx_, b1) = self.item_body(&format!("{p}.x"), 2.0, false);
        let j = self.rng.below(2);
        let (bf, b2) = self.item_body(&format!("{p}.f[{j}]"), 2.0, false);
        if self.rng.chance(0.5) {
            (mul(bx_, bf), b1 * b2)
        } else {
            (add(bx_, bf), b1 + b2)
        }
    }

    /// A body reading a pair's `a` and `b`, bounded by 4.
    fn pair_body(&mut self, a: &str, b: &str) -> (E, f64) {
        let (ba, b1) = self.item_body(a, 2.0, false);
        let (bb, b2) = self.item_body(b, 2.0, false);
        if self.rng.chance(0.5) {
            (mul(ba, bb), b1 * b2)
        } else {
            (add(ba, bb), b1 + b2)
        }
    }

    /// `pts: &[(f64, f64)]`, differentiated or data.
    fn tuple_slice(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let n = self.rng.int(1, 4) as usize;
        let active = !self.may_be_data(params, 0.3);
        let pts = self.rec_param(params, wrt, "pts", PK::Pairs(n), active);
        let mut terms = Vec::new();
        for _ in 0..1 + usize::from(self.rng.chance(0.5)) {
            let t = match self.rng.below(4) {
                0 => {
                    let i = I::Lit(self.rng.below(n) as i64);
                    let f = self.rng.below(2) as u8;
                    self.scaled(rec_e(RecE::PairField(pts.clone(), i, f)), 2.0)
                }
                1 => {
                    let (a, b) = (self.fresh("qa"), self.fresh("qb"));
                    let (body, bb) = self.pair_body(&a, &b);
                    (rec_e(RecE::PairSum(pts.clone(), a, b, body)), n as f64 * bb)
                }
                2 => {
                    let (acc, a, b) = (self.fresh("acc"), self.fresh("qa"), self.fresh("qb"));
                    let (body, bb) = self.pair_body(&a, &b);
                    let bare = self.rng.chance(0.5);
                    out.push(rec_s(RecS::PairLoop(
                        acc.clone(),
                        a,
                        b,
                        pts.clone(),
                        bare,
                        body,
                    )));
                    let bnd = n as f64 * bb;
                    self.declare(&acc, VK::F, true, bnd);
                    (E::Var(acc), bnd)
                }
                _ => {
                    let (a, b) = (self.fresh("qa"), self.fresh("qb"));
                    let i = I::Lit(self.rng.below(n) as i64);
                    out.push(rec_s(RecS::LetPair(a.clone(), b.clone(), pts.clone(), i)));
                    self.declare(&a, VK::F, false, 2.0);
                    self.declare(&b, VK::F, false, 2.0);
                    let (body, bb) = self.pair_body(&a, &b);
                    (body, bb)
                }
            };
            terms.push(t);
        }
        terms
    }

    /// `Lp` from its defaults, fields assigned and read, passed on whole; or an
    /// `Acc::default()` counted in a loop.
    fn default_record(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        if self.rng.chance(0.3) {
            return self.acc_loop(out);
        }
        let s = self.fresh("ld");
        let form = *self.rng.pick(&[
            DefaultForm::Path,
            DefaultForm::Annotated,
            DefaultForm::UpdateA,
            DefaultForm::UpdateV,
        ]);
        let (mut ab, mut vb) = (0.0f64, 0.0f64);
        let vals = match form {
            DefaultForm::UpdateA => {
                let (e, b) = self.input_expr(2.0);
                ab = b;
                vec![e]
            }
            DefaultForm::UpdateV => {
                let (e0, b0) = self.input_expr(2.0);
                let (e1, b1) = self.input_expr(2.0);
                vb = b0.max(b1);
                vec![e0, e1]
            }
            _ => Vec::new(),
        };
        out.push(rec_s(RecS::LetDefault(s.clone(), form, vals)));
        let (a, v) = (format!("{s}.a"), format!("{s}.v"));
        // one or two fields assigned
        for _ in 0..1 + usize::from(self.rng.chance(0.5)) {
            let (e, eb) = self.input_expr(1.5);
            let op = if self.rng.chance(0.5) { '=' } else { '+' };
            if self.rng.chance(0.5) {
                out.push(S::Assign(LV::Var(a.clone()), op, e));
                ab = if op == '=' { eb } else { ab + eb };
            } else {
                let j = self.rng.below(2) as i64;
                out.push(S::Assign(LV::Idx(v.clone(), vec![I::Lit(j)]), op, e));
                vb = if op == '=' { vb.max(eb) } else { vb + eb };
            }
        }
        let j = self.rng.below(2) as i64;
        let mut terms = vec![self.scaled(add(E::Var(a), E::Idx(v, vec![I::Lit(j)])), ab + vb)];
        if self.rng.chance(0.6) {
            let by_ref = self.rng.chance(0.6);
            let bound = if by_ref { ab + vb * vb } else { 1.0 + vb };
            terms.push((E::Late(bx(LateE::Whole(s, by_ref))), bound));
        }
        terms
    }

    /// `let mut acc = Acc::default(); for e in a.iter() { acc.sum += …; acc.n += 1;
    /// acc.h[k] += …; }`, then `acc.sum / acc.n as f64 + c * acc.h[k]`.
    fn acc_loop(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let (a, ab) = self.idiom_array(f64::INFINITY, out);
        let n = self.len_of(&a).max(1);
        let acc = self.fresh("acc");
        let e = self.fresh("e");
        let (s1, b1) = self.item_body(&e, ab, true);
        let (s2, b2) = self.item_body(&e, ab, true);
        let k = self.rng.below(3) as i64;
        let c = self.lit_value(0.25, 1.0);
        // an array field updated in the loop (bug 2 of /work/notes/progen-bugs.md,
        // fixed in 6ea5c55), in most programs
        let h = self.rng.chance(0.7).then_some((k, s2));
        let with_h = h.is_some();
        out.push(rec_s(RecS::AccLoop(acc.clone(), a, e, s1, h)));
        let mean = E::Bin(
            '/',
            bx(E::Var(format!("{acc}.sum"))),
            bx(E::Cast(I::Var(format!("{acc}.n")))),
        );
        if !with_h {
            return vec![(mean, b1)];
        }
        let h = E::Idx(format!("{acc}.h"), vec![I::Lit(k)]);
        vec![(add(mean, mul(E::Lit(c), h)), b1 + c * n as f64 * b2)]
    }

    /// An `Option<f64>` the body builds, or an `Option<f64>` parameter (data),
    /// read by a combinator.
    fn option_combinator(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let data = self.on("option-data") && self.rng.chance(0.35);
        let (src, sb) = if data {
            let w = self.opt_param(params, OptTy::F64);
            *wrt = true;
            (OptSrc::Data(w), 1.25)
        } else {
            let o = self.fresh("oc");
            let (x, xb) = self.input_expr(2.0);
            let (y, _) = self.input_expr(2.0);
            let op = self.cmp_op();
            let t = self.threshold();
            out.push(rec_s(RecS::LetOpt(o.clone(), C::Cmp(op, y, t), x)));
            (OptSrc::Local(o), xb)
        };
        let v = self.fresh("ov");
        let (d, db) = self.input_expr(2.0);
        let (e, b) = match self.rng.below(5) {
            0 => {
                let (body, bb) = self.opt_arm(&v, sb);
                (RecE::OptMap(src, v, bx(body), bx(d)), bb.max(db))
            }
            1 => {
                let (body, bb) = self.opt_arm(&v, sb);
                (RecE::OptMapOr(src, v, bx(body), bx(d)), bb.max(db))
            }
            2 => {
                let (body, bb) = self.opt_arm(&v, sb);
                let op = self.cmp_op();
                let t = self.threshold();
                let c = C::Cmp(op, E::Var(v.clone()), t);
                (RecE::OptAndThen(src, v, bx(c), bx(body), bx(d)), bb.max(db))
            }
            3 => (RecE::OptUnwrapOrElse(src, bx(d)), sb.max(db)),
            _ => {
                let f = *self.rng.pick(&["sin", "tanh", "atan"]);
                (RecE::OptMapPath(src, f, bx(d)), 1.6f64.max(db))
            }
        };
        vec![self.bind_idiom(rec_e(e), b, out)]
    }
}
