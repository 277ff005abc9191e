//! The forms of `round4.rs` other than loop exits: struct patterns (`let Lp {
//! a, v } = s;`, `let Body { m, w: bw, .. } = *st;`) and array patterns on call
//! results (`let [u, v] = upair(x, y);`), `std::array::from_fn`, `.first()` /
//! `.last()`, parameters typed by an alias of an array, methods called on a
//! struct the body builds, and rows of struct fields read in place.

use crate::ast::*;
use crate::gen::*;
use crate::segments::arr_kind;

impl Gen<'_> {
    /// A binding name: the field's own (the shorthand) when no variable of that
    /// name is visible, else a fresh one.
    pub(crate) fn binding(&mut self, field: &str, prefix: &str) -> String {
        if self.rng.chance(0.4) && !self.visible().iter().any(|v| v.name == field) {
            field.to_string()
        } else {
            self.fresh(prefix)
        }
    }

    /// Reads of the bindings of a pattern (name, kind, bound): terms.
    pub(crate) fn read_bindings(&mut self, bound: &[(String, VK, f64)]) -> Vec<(E, f64)> {
        let mut terms = Vec::new();
        for (name, kind, b) in bound {
            let e = match kind {
                VK::Arr { len, inner, .. } => {
                    let mut idx = vec![I::Lit(self.rng.below(*len) as i64)];
                    if let Some(m) = inner {
                        idx.push(I::Lit(self.rng.below(*m) as i64));
                    }
                    E::Idx(name.clone(), idx)
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
    pub(crate) fn struct_pattern(&mut self, params: &[Param], out: &mut Vec<S>) -> Vec<(E, f64)> {
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
    pub(crate) fn result_pattern(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let (u, v) = (self.fresh("u"), self.fresh("u"));
        let (call, ub, vb) = if crate::calls_on(self.opts) && self.rng.chance(0.4) {
            let (a, ab) = self.array_of_len("ra", 2, false, out);
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

    /// `let t: [f64; n] = std::array::from_fn(|i| …a[i]…);` (or the turbofish),
    /// then indexed.
    pub(crate) fn array_from_fn(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let n = self.rng.int(2, 4) as usize;
        let (arr, ab) = self.array_of_len("ra", n, true, out);
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
                mul(at(&name, I::Lit(0)), at(&name, I::Lit(n as i64 - 1))),
                bb * bb,
            )
        } else {
            let (k, kb) = self.input_expr(1.5);
            (mul(at(&name, I::Lit(j)), k), bb * kb)
        }]
    }

    /// `.first()` / `.last()` of a slice or an array, as `Option`s.
    pub(crate) fn first_last(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
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
            self.array_of_len("ra", n, true, out)
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
    pub(crate) fn alias_param(
        &mut self,
        params: &mut Vec<Param>,
        aliases: &mut Vec<String>,
        prefix: &str,
        kind: PK,
    ) -> String {
        let name = self.new_param(params, prefix, kind, false, true);
        aliases.push(name.clone());
        self.inputs.push(name.clone());
        name
    }

    /// Parameters typed by an alias: `ga: V3` and `gb: &V3` taken apart by array
    /// patterns or indexed, `gp: &[V3]` walked (`for p in gp.iter()`, `let [x, y,
    /// z] = *p;`) and indexed; maybe a local `let u: V3 = […];`.
    pub(crate) fn alias_params(
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
                    elems.push(at(&g, I::Lit(j)));
                    if self.rng.chance(0.6) {
                        let names: Vec<String> = (0..n).map(|_| self.fresh("g")).collect();
                        let src = if by_ref {
                            E::RVar(g.clone())
                        } else {
                            E::Var(g.clone())
                        };
                        // indexed first: the body says it is an array
                        let (s, sb) = self.input_expr(1.5);
                        terms.push((mul(at(&g, I::Lit(0)), s), 2.0 * sb));
                        out.push(r4(R4S::ArrPat(names.clone(), src)));
                        let bound: Vec<(String, VK, f64)> =
                            names.iter().map(|m| (m.clone(), VK::F, 2.0)).collect();
                        for m in &names {
                            self.declare(m, VK::F, false, 2.0);
                        }
                        terms.extend(self.read_bindings(&bound));
                    } else {
                        let (s, sb) = self.input_expr(1.5);
                        terms.push((mul(at(&g, I::Lit(j)), s), 2.0 * sb));
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
                    elems.push(E::Idx(g.to_string(), vec![I::Lit(0), I::Lit(n as i64 - 1)]));
                    let acc = self.fresh("acc");
                    let p = self.fresh("p");
                    out.push(let_f(acc.clone(), true, lit(0.0)));
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
                            mul(at(&p, I::Lit(0)), at(&p, I::Lit(n as i64 - 1))),
                            at(&p, I::Lit(1)),
                        )
                    };
                    body.push(S::Assign(LV::Var(acc.clone()), '+', t));
                    out.push(S::For(Head::Iter(p, g.clone(), false), body));
                    self.declare(&acc, VK::F, true, 6.0 * r as f64);
                    terms.push((E::Var(acc), 6.0 * r as f64));
                    let (i, j) = (self.rng.below(r) as i64, self.rng.below(n) as i64);
                    terms.push((E::Idx(g.to_string(), vec![I::Lit(i), I::Lit(j)]), 2.0));
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
            terms.push((mul(at(&u, I::Lit(0)), at(&u, I::Lit(j))), 9.0));
        }
        terms
    }

    /// `let q = Uq { a: e, v: [e0, e1] };` then `q.umix(x)`, `q.ulen(x)` or
    /// `Uq::umix(q, x)`.
    pub(crate) fn local_method(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
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
    pub(crate) fn field_rows(
        &mut self,
        params: &mut Vec<Param>,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
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
            out.push(let_f(acc.clone(), true, lit(0.0)));
            let j = I::Lit(self.rng.below(2) as i64);
            // no `if` in a body over a field's items (bug 7): a leaf of the inputs
            let x = self.input_leaf();
            let (head, t, b) = if self.rng.chance(0.5) || n == 0 {
                let cast = add(E::Cast(I::Var(k.clone())), lit(0.5));
                (
                    Head::Enum(k, row.clone(), m),
                    mul(mul(at(&row, j), cast), lit(0.5)),
                    (r as f64 + 0.5) * 2.0 * r as f64,
                )
            } else {
                let wv = self.fresh("wv");
                let wb = self.bound_of(&w);
                (
                    Head::Zip(row.clone(), wv.clone(), m, w),
                    add(mul(at(&row, j), E::RVar(wv)), x),
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
        let h = crate::calls_on(self.opts).then(|| self.array_of_len("ra", 2, false, out));
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
                None => (at(r, I::Lit(j)), wb),
            }
        };
        match self.rng.below(3) {
            k if k == 0 || (k == 2 && !walk_rows) => {
                let r = self.fresh("r");
                let ki = I::Lit(self.rng.below(2) as i64);
                out.push(r4(R4S::RowCopy(r.clone(), self.rng.chance(0.6), w, ki)));
                self.declare(&r, arr_kind(2), false, wb);
                let (d, db) = dot(&r, &h, self.rng.below(2) as i64);
                vec![(mul(d, at(&r, I::Lit(1))), db * wb)]
            }
            1 => {
                // `for k in 0..2 { let r = st.w[k]; acc += … }`
                out.push(let_f(acc.clone(), true, lit(0.0)));
                let r = self.fresh("r");
                let (d, db) = dot(&r, &h, 0);
                let t = mul(d, at(&r, I::Lit(1)));
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
                out.push(let_f(acc.clone(), true, lit(0.0)));
                let j = I::Lit(self.rng.below(2) as i64);
                let cast = add(E::Cast(I::Var(k.clone())), lit(0.5));
                let t = mul(at(&row, j), cast);
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
