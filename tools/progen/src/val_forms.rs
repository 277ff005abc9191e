//! The segments of `values.rs` other than a call's struct result: struct values
//! carried by loops, copies of struct parameters, methods of `Sv` on every kind
//! of receiver, elements of `&[Sv]` read whole, closures with early `return`s,
//! and `const` tables.

use crate::ast::*;
use crate::gen::*;
use crate::values::{fa, fv, Value};

impl Gen<'_> {
    /// `let mut s = …;` carried by a loop that reassigns it whole or updates it
    /// by field, then read.
    pub(crate) fn carried(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let start = if self.rng.chance(0.4) {
            self.sv_lit()
        } else {
            self.sv_start(params, wrt, true)
        };
        // a value from a call or a plain constructor reassigned whole in the
        // loop by a literal or an `if`, or given a whole array after
        // `Sv::default()`: bugs 13 and 15 of /work/notes/progen-bugs.md
        let origin = start.x.origin(&self.svs);
        let bugs = self.opts.known_bugs;
        let whole = bugs || origin.typed();
        let array = bugs || origin != Origin::Default;
        let s = self.let_sv(start, true, out);
        let n = self.rng.int(2, 4);
        let kind = self.rng.below(3);
        let runtime = self.runtime_loop_ok();
        let src = (kind == 1).then(|| self.idiom_array(f64::INFINITY, out));
        let counter = (kind == 2 && runtime && self.on("while")).then(|| self.fresh("k"));
        if let Some(k) = &counter {
            out.push(S::Counter(k.clone()));
        }
        self.scopes.push(Vec::new());
        self.loop_depth += 1;
        let mut body = Vec::new();
        // the loop's own value: an index, an item
        let (item, head) = match (&src, &counter) {
            (Some((a, ab)), _)
                if runtime || !self.visible().iter().any(|v| &v.name == a && is_slice(v)) =>
            {
                let e = self.fresh("e");
                self.declare(&e, VK::FRef, false, *ab);
                (
                    Some((e.clone(), *ab)),
                    Some(Head::Iter(e, a.clone(), false)),
                )
            }
            (_, Some(k)) => {
                body.push(S::Inc(k.clone()));
                self.declare(k, VK::Int { max: n, i32: false }, false, 0.0);
                (None, None)
            }
            _ => (None, Some(self.range_head(n))),
        };
        let steps = 1 + usize::from(self.rng.chance(0.4));
        let mut b = self.bound_of(&format!("{s}.a"));
        for _ in 0..steps {
            // a step bounded by 1: of the item, of the index, of the parameters
            let k = match (&item, &head) {
                (Some((e, eb)), _) => self.item_body(e, *eb, true),
                (None, Some(Head::Range(i, ..))) => {
                    let (t, tb) = self.input_expr(1.0);
                    let step = add(mul(lit(0.25), cast(i)), lit(0.5));
                    (mul(t, step), tb * (0.25 * n as f64 + 0.5))
                }
                _ => self.input_expr(1.0),
            };
            let (k, kb) = self.squash(k.0, k.1, 1.0);
            let cur = Value {
                x: SvX::Var(s.clone()),
                bound: b,
            };
            let form = match self.rng.below(5) {
                1 | 2 if !whole => 4,
                3 if !array => 4,
                f => f,
            };
            match form {
                0 => {
                    let v = self.sv_method(cur, (k, kb));
                    b = v.bound;
                    body.push(val(ValS::Assign(s.clone(), v.x)));
                }
                1 => {
                    // a literal reassigned whole, reading the fields it replaces
                    let (u, ub) = self.input_expr(1.0);
                    let a = add(mul(lit(0.5), fa(&s)), k);
                    let v1 = add(mul(lit(0.5), fv(&s, 0)), u);
                    body.push(val(ValS::Assign(s.clone(), SvX::Lit(a, [fv(&s, 1), v1]))));
                    b = b.max(0.5 * b + kb.max(ub));
                }
                2 => {
                    // chosen by an `if` whose other arm is the value itself
                    let v = self.sv_method(cur.clone(), (k, kb));
                    let c = if self.rng.chance(0.5) {
                        let op = self.cmp_op();
                        let t = self.threshold();
                        C::Cmp(op, fa(&s), t)
                    } else {
                        self.val_cond()
                    };
                    let (x, y) = if self.rng.chance(0.5) {
                        (v.x, cur.x)
                    } else {
                        (cur.x, v.x)
                    };
                    b = v.bound;
                    body.push(val(ValS::Assign(s.clone(), SvX::If(c, bx(x), bx(y)))));
                }
                3 => {
                    // an array assigned whole to the array field
                    let v0 = mul(lit(0.5), fv(&s, 1));
                    let v1 = add(fv(&s, 0), k);
                    body.push(val(ValS::SetArr(format!("{s}.v"), [v0, v1])));
                    b += kb;
                }
                _ => {
                    // a field updated
                    if self.rng.chance(0.5) {
                        let e = add(mul(lit(0.5), fa(&s)), k);
                        body.push(S::Assign(LV::Var(format!("{s}.a")), '=', e));
                    } else {
                        let j = I::Lit(self.rng.below(2) as i64);
                        body.push(S::Assign(
                            LV::Idx(format!("{s}.v"), vec![j]),
                            '+',
                            mul(lit(0.5), k),
                        ));
                    }
                    b += kb;
                }
            }
        }
        self.loop_depth -= 1;
        self.scopes.pop();
        out.push(match (head, counter) {
            (Some(h), _) => S::For(h, body),
            (None, Some(k)) => {
                // until the state leaves a region, or the counter runs out
                let guard = C::ICmp("<", I::Var(k), I::Lit(n));
                let c = if self.rng.chance(0.6) {
                    let op = self.cmp_op();
                    let t = self.threshold();
                    C::And(bx(C::Cmp(op, fa(&s), t)), bx(guard))
                } else {
                    guard
                };
                S::While(c, body)
            }
            (None, None) => S::For(
                Head::Range(self.fresh("i"), I::Lit(0), I::Lit(n), false),
                body,
            ),
        });
        let b = b.max(self.bound_of(&format!("{s}.a"))) * n as f64;
        self.raise(&format!("{s}.a"), b);
        self.raise(&format!("{s}.v"), b);
        self.sv_reads(&SvX::Var(s), b)
    }

    /// `let mut c = *sp;` (or `sq`, a local) updated by field, then used whole
    /// and read beside the original; or `let mut n = *self;` of `Body`.
    pub(crate) fn struct_copy(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let body = params.iter().find_map(|q| match q.kind {
            PK::Body(mode, _) => Some((q.name.clone(), mode)),
            _ => None,
        });
        if let (Some((st, mode)), true) = (body, self.rng.chance(0.5)) {
            return self.body_copy(&st, mode, out);
        }
        let src = match self.rng.below(3) {
            0 => {
                let (p, _) = self.sv_param(params, wrt, Pass::Ref);
                SvX::Deref(p)
            }
            1 => {
                let (p, _) = self.sv_param(params, wrt, Pass::Value);
                SvX::Var(p)
            }
            _ => {
                let v = self.sv_make();
                SvX::Var(self.let_sv(v, false, out))
            }
        };
        let orig = match &src {
            SvX::Var(n) | SvX::Deref(n) => n.clone(),
            _ => unreachable!(),
        };
        let ob = self.bound_of(&format!("{orig}.a"));
        if self.rng.chance(0.25) && (matches!(src, SvX::Var(_)) || self.opts.known_bugs) {
            // a copy used whole as it is (`let c = *sp;`: bug 17)
            let c = self.let_sv(Value { x: src, bound: ob }, false, out);
            return self.sv_reads(&SvX::Var(c), ob);
        }
        let c = self.let_sv(Value { x: src, bound: ob }, true, out);
        let mut b = ob;
        for _ in 0..1 + usize::from(self.rng.chance(0.6)) {
            let (e, eb) = self.input_expr(1.0);
            match self.rng.below(3) {
                0 => {
                    out.push(S::Assign(LV::Var(format!("{c}.a")), '*', e));
                    b *= eb.max(1.0);
                }
                1 => {
                    let j = I::Lit(self.rng.below(2) as i64);
                    out.push(S::Assign(LV::Idx(format!("{c}.v"), vec![j]), '+', e));
                    b += eb;
                }
                _ => {
                    out.push(val(ValS::SetArr(
                        format!("{c}.v"),
                        [fv(&c, 1), add(fv(&orig, 0), e)],
                    )));
                    b += ob + eb;
                }
            }
        }
        self.raise(&format!("{c}.a"), b);
        self.raise(&format!("{c}.v"), b);
        let mut terms = self.sv_reads(&SvX::Var(c.clone()), b);
        // the original is what it was
        let j = self.rng.below(2) as i64;
        terms.push((
            add(fv(&orig, j), mul(fa(&orig), fv(&c, 1 - j))),
            ob + ob * b,
        ));
        terms
    }

    /// `let mut n = *self;` (`*st`, `st`) of `Body`, updated by field, read
    /// beside the original.
    pub(crate) fn body_copy(
        &mut self,
        st: &str,
        mode: BodyMode,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let src = match mode {
            BodyMode::Value => SvX::Var(st.to_string()),
            BodyMode::Ref | BodyMode::SelfRef => SvX::Deref(st.to_string()),
        };
        let n = self.fresh("nb");
        out.push(val(ValS::Let(n.clone(), true, false, src)));
        let (pb, mb) = (
            self.bound_of(&format!("{st}.pos")),
            self.bound_of(&format!("{st}.m")),
        );
        let j = I::Lit(self.rng.below(2) as i64);
        let (e, eb) = self.input_expr(1.0);
        out.push(S::Assign(LV::Idx(format!("{n}.pos"), vec![j]), '+', e));
        let (k, kb) = self.input_expr(1.0);
        out.push(S::Assign(LV::Var(format!("{n}.m")), '*', k));
        let j = I::Lit(self.rng.below(2) as i64);
        let t = add(
            mul(at(&format!("{n}.pos"), j.clone()), E::Var(format!("{n}.m"))),
            at(&format!("{st}.pos"), j),
        );
        vec![((t), (pb + eb) * mb * kb.max(1.0) + pb)]
    }

    /// Methods of `Sv` called on parameters, locals, call results and slice
    /// elements, in the path form and chained.
    pub(crate) fn self_method(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let others = params.iter().any(|q| q.active && q.kind.floats() > 0);
        if others && self.rng.chance(0.15) {
            // the data-`self` method on a data `&Sv` parameter (bug 14 of
            // /work/notes/progen-bugs.md, fixed in 8430b27 and 93f9edc; under `hvp`
            // still open: such programs are not drawn under `hvp`)
            let sp = self.new_param(params, "sp", PK::Rec(Rec::Sv, Pass::Ref), false, false);
            *wrt = true;
            self.declare_sv(&sp, true, false, 2.0, true, Origin::Known);
            let (x, xb) = self.input_expr(2.0);
            let e = val_e(ValE::Call(bx(SvX::Deref(sp)), "scale", bx(x), false));
            return vec![(e, 2.0 * (xb + 1.0))];
        }
        match self.rng.below(5) {
            0 | 1 => {
                // a receiver, maybe a chain, then a float method or `place`
                let recv = match self.rng.below(4) {
                    0 => self.sv_lit(),
                    1 => self.sv_make(),
                    _ => self.sv_start(params, wrt, false),
                };
                let recv = match self.rng.below(3) {
                    0 => {
                        let k = self.input_expr(1.5);
                        self.sv_method(recv, k)
                    }
                    1 => {
                        let o = self.sv_make();
                        self.sv_compose(recv, o)
                    }
                    _ => recv,
                };
                vec![self.float_method(recv)]
            }
            2 => {
                // a `&self` and a `self` method of a local
                let v = self.sv_lit();
                let q = self.let_sv(v, false, out);
                let b = self.bound_of(&format!("{q}.a"));
                let r = Value {
                    x: SvX::Var(q),
                    bound: b,
                };
                vec![self.float_method(r.clone()), self.float_method(r)]
            }
            _ => self.slice_methods(params, wrt, out),
        }
    }

    /// `recv.energy(x)`, `recv.tension(x)` (the path form too) or
    /// `recv.place([e0, e1])[j]`.
    pub(crate) fn float_method(&mut self, recv: Value) -> (E, f64) {
        let b = recv.bound;
        let (x, xb) = self.input_expr(2.0);
        let place = matches!(recv.x, SvX::Var(_) | SvX::Deref(_) | SvX::Elem(..));
        match self.rng.below(5) {
            0 | 1 => {
                let path = place && self.rng.chance(0.3);
                (
                    val_e(ValE::Call(bx(recv.x), "energy", bx(x), path)),
                    1.0 + b * b,
                )
            }
            2 | 3 if self.by_value_ok(&recv.x) => {
                let path = place && self.rng.chance(0.3);
                (
                    val_e(ValE::Call(bx(recv.x), "tension", bx(x), path)),
                    2.0 * b,
                )
            }
            2 | 3 => (
                val_e(ValE::Call(bx(recv.x), "energy", bx(x), false)),
                1.0 + b * b,
            ),
            _ => {
                let (y, yb) = self.input_expr(2.0);
                let j = self.rng.below(2) as i64;
                (
                    val_e(ValE::Place(bx(recv.x), bx([x, y]), j)),
                    b * xb.max(yb) + b + xb.max(yb),
                )
            }
        }
    }

    /// Methods on the elements of `ss: &[Sv]`: indexed, walked, mapped.
    pub(crate) fn slice_methods(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let (ss, n) = self.sv_param(params, wrt, Pass::Slice(0));
        let nf = n as f64;
        let (x, _) = self.input_expr(2.0);
        match self.rng.below(3) {
            0 => {
                let i = self.index(n, Some(&ss));
                vec![self.float_method(Value {
                    x: SvX::Elem(ss, i),
                    bound: 2.0,
                })]
            }
            1 => {
                // `for s in ss.iter() { acc += s.energy(x) + s.tension(x); }`
                let acc = self.fresh("acc");
                let s = self.fresh("s");
                out.push(let_f(acc.clone(), true, lit(0.0)));
                let sx = || bx(SvX::Var(s.clone()));
                let t = add(
                    val_e(ValE::Call(sx(), "energy", bx(x.clone()), false)),
                    val_e(ValE::Call(sx(), "tension", bx(x), false)),
                );
                let body = vec![S::Assign(LV::Var(acc.clone()), '+', t)];
                out.push(S::For(Head::Iter(s.clone(), ss, false), body));
                let b = nf * 9.0;
                self.declare(&acc, VK::F, true, b);
                vec![(E::Var(acc), b)]
            }
            _ => {
                let s = self.fresh("s");
                let m = if self.rng.chance(0.5) {
                    "tension"
                } else {
                    "energy"
                };
                vec![(val_e(ValE::MapCall(ss, s, m, bx(x))), nf * 5.0)]
            }
        }
    }

    /// Elements of `ss: &[Sv]` read whole: bound to a local, carried by a loop
    /// composing them, passed on.
    pub(crate) fn elements(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let (ss, n) = self.sv_param(params, wrt, Pass::Slice(0));
        match self.rng.below(3) {
            0 => {
                let i = self.index(n, Some(&ss));
                let c = self.let_sv(
                    Value {
                        x: SvX::Elem(ss, i),
                        bound: 2.0,
                    },
                    false,
                    out,
                );
                self.sv_reads(&SvX::Var(c), 2.0)
            }
            1 => {
                // `let mut c = ss[0]; for i in 1..ss.len() { c = c.compose(ss[i]); }`
                let c = self.let_sv(
                    Value {
                        x: SvX::Elem(ss.clone(), I::Lit(0)),
                        bound: 2.0,
                    },
                    true,
                    out,
                );
                let i = self.fresh("i");
                let step = SvX::Compose(
                    bx(SvX::Var(c.clone())),
                    bx(SvX::Elem(ss.clone(), I::Var(i.clone()))),
                );
                let head = Head::Range(i, I::Lit(1), I::Len(ss), false);
                out.push(S::For(head, vec![val(ValS::Assign(c.clone(), step))]));
                let b = 2.0 * n as f64;
                self.raise(&format!("{c}.a"), b);
                self.raise(&format!("{c}.v"), b);
                self.sv_reads(&SvX::Var(c), b)
            }
            _ => {
                let i = self.index(n, Some(&ss));
                let e = SvX::Elem(ss, i);
                let j = self.rng.below(2) as i64;
                vec![
                    (val_e(ValE::Norm(bx(e.clone()))), 6.0),
                    (val_e(ValE::Field(bx(e), Some(j))), 2.0),
                ]
            }
        }
    }

    // ---------------------------------------------------------------- closures

    /// One to two early returns of a closure's parameter `t`: (condition,
    /// value), each value bounded by 2.
    pub(crate) fn early_returns(&mut self, t: &str, by_ref: bool) -> Vec<(C, E)> {
        let tv = if by_ref {
            E::RVar(t.to_string())
        } else {
            E::Var(t.to_string())
        };
        let mut rets = Vec::new();
        for _ in 0..1 + usize::from(self.rng.chance(0.35)) {
            let op = self.cmp_op();
            let thr = self.threshold();
            let (e, eb) = self.input_expr(2.0);
            let (e, _) = self.squash(e, eb, 2.0);
            rets.push((C::Cmp(op, tv.clone(), thr), e));
        }
        rets
    }

    /// `let f = |t: f64| -> f64 { if c { return e; } … };` called twice, or a
    /// closure with a `return` in an iterator chain.
    pub(crate) fn closure_return(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        if self.rng.chance(0.55) {
            let f = self.fresh("cf");
            let t = self.fresh("t");
            let rets = self.early_returns(&t, false);
            let (body, _) = self.item_body(&t, 2.0, false);
            let chain = self.rng.chance(0.5);
            out.push(val(ValS::ClosureRet(f.clone(), t, rets, chain, body)));
            let (a, _) = self.input_expr(2.0);
            let (b, _) = self.input_expr(2.0);
            let k = self.lit_value(0.25, 1.5);
            let call = |e: E| E::Apply(f.clone(), bx(e));
            vec![(add(call(a), mul(lit(k), call(b))), 2.0 + 2.0 * k)]
        } else {
            let (a, ab) = self.idiom_array(f64::INFINITY, out);
            let n = self.len_of(&a) as f64;
            let v = self.fresh("v");
            let rets = self.early_returns(&v, false);
            let (body, _) = self.item_body(&v, ab, false);
            let e = val_e(ValE::MapRet(a, v, rets, bx(body)));
            vec![self.bind_idiom(e, 2.0 * n, out)]
        }
    }

    // ------------------------------------------------------------- const tables

    /// A loop over a `const` table (or reads by index) summed into `acc`.
    pub(crate) fn const_table(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let acc = self.fresh("acc");
        let row = self.fresh("row");
        let form = self.rng.below(5);
        if form == 4 {
            // by index, no loop
            let (i, j) = (self.rng.below(4) as i64, self.rng.below(3) as i64);
            let (x, xb) = self.input_expr(2.0);
            let k = self.rng.below(3) as i64;
            let f = if self.rng.chance(0.5) { "a" } else { "b" };
            let t = add(
                mul(val_e(ValE::Tab("TB", I::Lit(i), RowRead::Idx(j))), x),
                val_e(ValE::Tab("ROWS", I::Lit(k), RowRead::Field(f))),
            );
            return vec![(t, xb + 1.0)];
        }
        out.push(let_f(acc.clone(), true, lit(0.0)));
        let (head, body, b) = match form {
            0 => {
                // `for row in TB.iter() { acc += row[j] * e + row[k]; }`
                let (e, eb) = self.input_expr(1.5);
                let (j, k) = (self.rng.below(3) as i64, self.rng.below(3) as i64);
                let t = add(
                    mul(val_e(ValE::Row(row.clone(), RowRead::Idx(j))), e),
                    val_e(ValE::Row(row.clone(), RowRead::Idx(k))),
                );
                (TabHead::Rows(row, "TB"), t, 4.0 * (eb + 1.0))
            }
            1 => {
                // `for (row, q) in ROWS.iter().zip(a.iter()) { acc += row.a * body(q) + row.b * *q; }`
                let (a, ab) = self.idiom_array(f64::INFINITY, out);
                let q = self.fresh("q");
                let (body, bb) = self.item_body(&q, ab, true);
                let t = add(
                    mul(val_e(ValE::Row(row.clone(), RowRead::Field("a"))), body),
                    mul(
                        val_e(ValE::Row(row.clone(), RowRead::Field("b"))),
                        E::RVar(q.clone()),
                    ),
                );
                (TabHead::Zip(row, q, "ROWS", a), t, 3.0 * (bb + ab))
            }
            2 => {
                // `for (i, row) in TB.iter().enumerate() { acc += row[j] * a[i % n]; }`
                let (a, ab) = self.idiom_array(f64::INFINITY, out);
                let n = self.len_of(&a) as i64;
                let i = self.fresh("i");
                let j = self.rng.below(3) as i64;
                let idx = I::Bin('%', bx(I::Var(i.clone())), bx(I::Lit(n)));
                let (x, _) = self.squash(E::Idx(a, vec![idx]), ab, 2.0);
                let t = add(
                    mul(val_e(ValE::Row(row.clone(), RowRead::Idx(j))), x),
                    mul(lit(0.25), cast(&i)),
                );
                (TabHead::Enum(i, row, "TB"), t, 4.0 * 3.0)
            }
            _ => {
                // `for i in 0..3 { acc += ROWS[i].a * e + TB[i][j] * f; }`
                let i = self.fresh("i");
                let (e, eb) = self.input_expr(1.5);
                let (f, fb) = self.input_expr(1.5);
                let j = self.rng.below(3) as i64;
                let fld = if self.rng.chance(0.5) { "a" } else { "b" };
                let t = add(
                    mul(
                        val_e(ValE::Tab("ROWS", I::Var(i.clone()), RowRead::Field(fld))),
                        e,
                    ),
                    mul(
                        val_e(ValE::Tab("TB", I::Var(i.clone()), RowRead::Idx(j))),
                        f,
                    ),
                );
                out.push(S::For(
                    Head::Range(i, I::Lit(0), I::Lit(3), false),
                    vec![S::Assign(LV::Var(acc.clone()), '+', t)],
                ));
                let b = 3.0 * (eb + fb);
                self.declare(&acc, VK::F, true, b);
                return vec![(E::Var(acc), b)];
            }
        };
        out.push(val(ValS::Tab(
            head,
            vec![S::Assign(LV::Var(acc.clone()), '+', body)],
        )));
        self.declare(&acc, VK::F, true, b);
        vec![(E::Var(acc), b)]
    }
}
