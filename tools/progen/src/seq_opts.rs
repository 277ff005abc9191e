//! The segments of `seqs.rs` that write through `iter_mut` and that test
//! `Option` / `Result` patterns.

use crate::ast::*;
use crate::gen::*;

fn deref(o: &str) -> E {
    seq_e(SeqE::Deref(o.to_string()))
}

impl Gen<'_> {
    /// A local buffer `y` (`[0.0; n]`, `vec![0.0; n]` or `a.to_vec()`) written
    /// through `iter_mut` in one to three loops, then summed or indexed.
    /// `a.to_vec()` is not written of the arrays `no_to_vec`.
    pub(crate) fn iter_mut_segment(
        &mut self,
        no_to_vec: &[String],
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let (a, ab) = self.idiom_array(f64::INFINITY, out);
        let n = self.len_of(&a);
        let y = self.fresh("u");
        let mut yb = match self.rng.below(3) {
            0 | 2 if no_to_vec.contains(&a) => {
                out.push(seq(SeqS::LetBuf(y.clone(), Buf::VecZeros(n))));
                0.0
            }
            0 => {
                out.push(S::LetArr {
                    name: y.clone(),
                    mutable: true,
                    annot: Some(format!("[f64; {n}]")),
                    init: AInit::Zeros(n, None),
                });
                0.0
            }
            1 => {
                out.push(seq(SeqS::LetBuf(y.clone(), Buf::VecZeros(n))));
                0.0
            }
            _ => {
                out.push(seq(SeqS::LetBuf(y.clone(), Buf::ToVec(a.clone()))));
                ab
            }
        };
        let loops = self.rng.int(1, 3);
        for _ in 0..loops {
            let o = self.fresh("o");
            let mut m = IterMut {
                y: y.clone(),
                o: o.clone(),
                zip: None,
                enumerate: None,
                reps: 0,
                body: Vec::new(),
            };
            match self.rng.below(4) {
                0 => {
                    // `for (o, xi) in y.iter_mut().zip(a.iter()) { *o = f(xi); }`
                    let xi = self.fresh("xi");
                    let (b, bb) = self.item_body(&xi, ab, true);
                    let op = if self.rng.chance(0.5) { '=' } else { '+' };
                    m.body.push(seq(SeqS::DerefAssign(o.clone(), op, b)));
                    yb = if op == '=' { yb.max(bb) } else { yb + bb };
                    m.zip = Some((xi, a.clone()));
                }
                1 => {
                    // `for o in y.iter_mut() { *o *= 0.5; *o += 0.25 * *o * *o; }`
                    if yb > 4.0 {
                        let t = call_any("tanh", deref(&o));
                        m.body.push(seq(SeqS::DerefAssign(o.clone(), '=', t)));
                        yb = 1.0;
                    }
                    let k = self.lit_value(0.3, 0.9);
                    let c = self.lit_value(0.1, 0.3);
                    m.body
                        .push(seq(SeqS::DerefAssign(o.clone(), '*', E::Lit(k))));
                    let sq = mul(mul(E::Lit(c), deref(&o)), deref(&o));
                    m.body.push(seq(SeqS::DerefAssign(o.clone(), '+', sq)));
                    yb = k * yb + c * (k * yb) * (k * yb);
                }
                2 if n >= 2 => {
                    // `for (i, o) in y.iter_mut().enumerate().skip(1) { *o -= k * i as f64 * a[i - 1]; }`
                    let i = self.fresh("i");
                    let prev = E::Idx(
                        a.clone(),
                        vec![I::Bin('-', bx(I::Var(i.clone())), bx(I::Lit(1)))],
                    );
                    let (prev, pb) = self.squash(prev, ab, 2.0);
                    let k = self.lit_value(0.05, 0.3);
                    let step = mul(mul(E::Lit(k), cast(&i)), prev);
                    m.body.push(seq(SeqS::DerefAssign(o.clone(), '-', step)));
                    yb += k * n as f64 * pb;
                    m.enumerate = Some(i);
                }
                _ => {
                    // steps of gradient descent: `for _ in 0..r { for (o, xi) in
                    // y.iter_mut().zip(a.iter()) { *o -= lr * (*o - f(xi)); } }`
                    let xi = self.fresh("xi");
                    let (b, bb) = self.item_body(&xi, ab, true);
                    let lr = self.lit_value(0.1, 0.6);
                    let d = E::Bin('-', bx(deref(&o)), bx(b));
                    m.body
                        .push(seq(SeqS::DerefAssign(o.clone(), '-', mul(E::Lit(lr), d))));
                    yb = yb.max(bb);
                    m.zip = Some((xi, a.clone()));
                    m.reps = self.rng.int(2, 3) as usize;
                }
            }
            out.push(seq(SeqS::IterMut(bx(m))));
        }
        let nf = n as f64;
        if self.rng.chance(0.6) {
            let red = E::Red(bx(Red {
                arrs: vec![y],
                copied: false,
                enumerate: false,
                params: vec![self.fresh("t")],
                ref_pat: false,
                kind: RK::Sum,
            }));
            vec![(red, nf * yb)]
        } else {
            let j = self.rng.below(n) as i64;
            vec![(E::Idx(y, vec![I::Lit(j)]), yb)]
        }
    }

    /// Patterns on an `Option<usize>` parameter `k`.
    pub(crate) fn option_segment(
        &mut self,
        params: &mut Vec<Param>,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let max = self.rng.int(2, 4);
        let k = self.opt_param(params, OptTy::Usize(max));
        let max = Self::max_of(params, &k);
        let some = |j: &str| Pat::Some(Some(j.to_string()));
        let sk = || Scrut::Var(k.clone());
        let int = |max: i64| VK::Int { max, i32: false };
        match self.rng.below(5) {
            0 => {
                // `let n = if let Some(j) = k { j } else { 2 };`
                let (n, j) = (self.fresh("n"), self.fresh("j"));
                let d = self.rng.int(0, max);
                out.push(seq(SeqS::LetInt(n.clone(), SeqI::IfLet(sk(), j, d))));
                self.declare(&n, int(max), false, 0.0);
                let arr = self.arrays().into_iter().find(|v| {
                    matches!(v.kind, VK::Arr { inner: None, len, .. } if len as i64 > max)
                        && !is_field(&v.name)
                });
                let arr = arr.map(|v| (v.name, v.bound));
                let arr = arr
                    .as_ref()
                    .map(|(a, b)| (a.as_str(), max as usize + 1, *b));
                vec![self.int_term(&n, max, arr)]
            }
            1 => {
                // `let Some(m) = k else { return …; };` at the function's level
                let m = self.fresh("m");
                let r = self.result(2);
                out.push(seq(SeqS::LetElse(some(&m), sk(), bx(S::Return(r)))));
                self.declare(&m, int(max), false, 0.0);
                vec![self.int_term(&m, max, None)]
            }
            2 => {
                // `for v in a.iter() { let Some(m) = k else { continue }; acc += … }`
                let (acc, b) = self.continue_loop(some, sk(), max, false, out);
                vec![(acc, b)]
            }
            3 => {
                // `match k { Some(j) if j > 2 => …, Some(_) => …, None => … }`
                let j = self.fresh("j");
                let g = self.rng.int(0, max - 1);
                let (e1, b1) = self.input_expr(2.0);
                let (e2, b2) = self.input_expr(2.0);
                let (e3, b3) = self.input_expr(2.0);
                let guard = C::ICmp(">", I::Var(j.clone()), I::Lit(g));
                let arms = vec![
                    (some(&j), Some(guard), mul(e1, cast(&j))),
                    (Pat::Some(None), None, e2),
                    (Pat::None, None, e3),
                ];
                let e = seq_e(SeqE::Match(sk(), arms));
                vec![self.bind_idiom(e, (b1 * max as f64).max(b2).max(b3), out)]
            }
            _ => {
                // `if let Some(j) = k { v += … } else { v -= … }`
                let (x, xb) = self.input_expr(2.0);
                let v = self.fresh("v");
                out.push(let_f(v.clone(), true, x));
                let j = self.fresh("j");
                let (e1, b1) = self.input_expr(1.0);
                let (e2, b2) = self.input_expr(1.0);
                let then = vec![S::Assign(
                    LV::Var(v.clone()),
                    '+',
                    mul(e1, add(cast(&j), E::Lit(0.5))),
                )];
                let els =
                    (self.rng.chance(0.7)).then(|| vec![S::Assign(LV::Var(v.clone()), '-', e2)]);
                out.push(seq(SeqS::IfLet(some(&j), sk(), then, els)));
                let b = xb + b1 * (max as f64 + 0.5) + b2;
                self.declare(&v, VK::F, true, b);
                vec![(E::Var(v), b)]
            }
        }
    }

    /// `let mut acc = 0.0; for v in a.iter() { let PAT = s else { continue }; acc += w * f(v); }`
    /// where `w` is the binding as a float (`data`) or its cast.
    fn continue_loop(
        &mut self,
        pat: impl Fn(&str) -> Pat,
        s: Scrut,
        max: i64,
        data: bool,
        out: &mut Vec<S>,
    ) -> (E, f64) {
        let (a, ab) = self.idiom_array(f64::INFINITY, out);
        let n = self.len_of(&a) as f64;
        let acc = self.fresh("acc");
        out.push(let_f(acc.clone(), true, E::Lit(0.0)));
        let v = self.fresh("v");
        let m = self.fresh("m");
        let (b, bb) = self.item_body(&v, ab, true);
        let w = if data {
            seq_e(SeqE::Data(m.clone()))
        } else {
            add(cast(&m), E::Lit(0.5))
        };
        let body = vec![
            seq(SeqS::LetElse(pat(&m), s, bx(S::Continue))),
            S::Assign(LV::Var(acc.clone()), '+', mul(w, b)),
        ];
        out.push(S::For(Head::Iter(v, a, false), body));
        let b = n * bb * (max as f64 + 0.5);
        self.declare(&acc, VK::F, true, b);
        (E::Var(acc), b)
    }

    /// Patterns on an `Option<f64>` or `Result<f64, String>` parameter (data: the
    /// program is under `wrt`).
    pub(crate) fn data_segment(
        &mut self,
        params: &mut Vec<Param>,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        // a `Result` tested twice: E0382 (see CONSTRUCTS)
        let has_result = params
            .iter()
            .any(|p| matches!(p.kind, PK::Opt(OptTy::ResF64)));
        let result_ok = !has_result || self.on("reused-results");
        if self.rng.chance(0.6) || !result_ok {
            let w = self.opt_param(params, OptTy::F64);
            let some = |f: &str| Pat::Some(Some(f.to_string()));
            match self.rng.below(3) {
                0 => {
                    // `match w { Some(0.0) => …, Some(f) => … * f, None => … }`
                    let f = self.fresh("f");
                    let (e1, b1) = self.input_expr(2.0);
                    let (e2, b2) = self.input_expr(2.0);
                    let (e3, b3) = self.input_expr(2.0);
                    let arms = vec![
                        (Pat::SomeLit(0.0), None, e1),
                        (some(&f), None, mul(e2, seq_e(SeqE::Data(f.clone())))),
                        (Pat::None, None, e3),
                    ];
                    let e = seq_e(SeqE::Match(Scrut::Var(w), arms));
                    vec![self.bind_idiom(e, b1.max(b2 * 1.25).max(b3), out)]
                }
                1 => {
                    // `for v in a.iter() { let Some(s) = w else { continue }; acc += s * … }`
                    vec![self.continue_loop(some, Scrut::Var(w), 1, true, out)]
                }
                _ => {
                    // `if let Some(f) = w { … * f } else { … }`
                    let f = self.fresh("f");
                    let (e1, b1) = self.input_expr(2.0);
                    let (e2, b2) = self.input_expr(2.0);
                    let e = seq_e(SeqE::IfLet(
                        some(&f),
                        Scrut::Var(w),
                        bx(mul(e1, seq_e(SeqE::Data(f)))),
                        bx(e2),
                    ));
                    vec![self.bind_idiom(e, (b1 * 1.25).max(b2), out)]
                }
            }
        } else {
            let cap = self.opt_param(params, OptTy::ResF64);
            let c = self.fresh("c");
            if self.rng.chance(0.5) {
                // `let mut v = …; if let Ok(c) = cap { v = v.min(c); }`
                let (x, xb) = self.input_expr(3.0);
                let v = self.fresh("v");
                out.push(let_f(v.clone(), true, x));
                let m = if self.rng.chance(0.5) { "min" } else { "max" };
                let e = E::Call(
                    m,
                    vec![
                        Arg::F(E::Var(v.clone())),
                        Arg::F(seq_e(SeqE::Data(c.clone()))),
                    ],
                    Style::Method,
                );
                let then = vec![S::Assign(LV::Var(v.clone()), '=', e)];
                out.push(seq(SeqS::IfLet(
                    Pat::Ok(Some(c)),
                    Scrut::Var(cap),
                    then,
                    None,
                )));
                let b = xb.max(2.0);
                self.declare(&v, VK::F, true, b);
                vec![(E::Var(v), b)]
            } else {
                // `match cap { Ok(c) => … * c, Err(_) => … }`
                let (e1, b1) = self.input_expr(2.0);
                let (e2, b2) = self.input_expr(2.0);
                let arms = vec![
                    (
                        Pat::Ok(Some(c.clone())),
                        None,
                        mul(e1, seq_e(SeqE::Data(c))),
                    ),
                    (Pat::Err, None, e2),
                ];
                let e = seq_e(SeqE::Match(Scrut::Var(cap), arms));
                vec![self.bind_idiom(e, (2.0 * b1).max(b2), out)]
            }
        }
    }

    /// `match n.checked_sub(1) { Some(j) => … * j as f64, None => … }` on an
    /// integer of the program (or `if let`).
    /// The integer is a `usize` parameter or a new count (a counter `let mut c = 0;`
    /// has no type yet: E0689 on `c.checked_sub(1)`).
    pub(crate) fn checked_segment(&mut self, params: &[Param], out: &mut Vec<S>) -> Vec<(E, f64)> {
        let ints: Vec<Var> = self
            .ints()
            .into_iter()
            .filter(|v| {
                params
                    .iter()
                    .any(|p| p.name == v.name && matches!(p.kind, PK::Usize(_)))
            })
            .collect();
        let (n, max) = if let Some(v) = (!ints.is_empty()).then(|| self.rng.pick(&ints).clone()) {
            let VK::Int { max, .. } = v.kind else {
                unreachable!()
            };
            (v.name, max)
        } else {
            // a count of the items above a threshold
            let (a, _) = self.idiom_array(f64::INFINITY, out);
            let len = self.len_of(&a);
            let src = self.seq_src(&a, len, false);
            let pred = self.pred();
            let k = self.fresh("k");
            out.push(seq(SeqS::LetInt(k.clone(), SeqI::Count(src, pred))));
            let int = VK::Int {
                max: len as i64,
                i32: false,
            };
            self.declare(&k, int, false, 0.0);
            (k, len as i64)
        };
        let by = self.rng.int(1, 2);
        let s = Scrut::CheckedSub(I::Var(n), by);
        let j = self.fresh("j");
        let (e1, b1) = self.input_expr(2.0);
        let (e2, b2) = self.input_expr(2.0);
        let b = (b1 * max as f64).max(b2);
        let then = mul(e1, cast(&j));
        let e = if self.rng.chance(0.6) {
            let arms = vec![(Pat::Some(Some(j)), None, then), (Pat::None, None, e2)];
            seq_e(SeqE::Match(s, arms))
        } else {
            seq_e(SeqE::IfLet(Pat::Some(Some(j)), s, bx(then), bx(e2)))
        };
        vec![self.bind_idiom(e, b, out)]
    }
}
