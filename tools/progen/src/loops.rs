//! `for` and `while` loops, and the closing sum loop.

use crate::ast::*;
use crate::gen::*;

impl Gen<'_> {
    /// On entry to a loop of at most `trips` iterations: the outer floats it may
    /// update grow by bounded steps, so their bounds grow with the trip count.
    pub(crate) fn enter_loop(&mut self, trips: i64) {
        let grow = 2.0 * trips as f64;
        for s in &mut self.scopes {
            for v in s.iter_mut() {
                if v.mutable && matches!(v.kind, VK::F | VK::Arr { .. }) {
                    v.bound += grow;
                }
            }
        }
        self.loop_depth += 1;
    }

    pub(crate) fn loop_body(
        &mut self,
        ctx: Ctx,
        head_vars: &[(String, VK, f64)],
        trips: i64,
    ) -> Vec<S> {
        self.enter_loop(trips);
        self.scopes.push(Vec::new());
        for (n, k, b) in head_vars {
            self.declare(n, k.clone(), false, *b);
        }
        let inner = Ctx {
            fn_level: false,
            in_loop: true,
            nest: ctx.nest + 1,
        };
        let n = self.rng.int(1, 4) as usize;
        let body = self.block_with(inner, n, true);
        self.scopes.pop();
        self.loop_depth -= 1;
        body
    }

    /// `let mut acc = 0.0; for … { acc += term; }` at the top level, the term a
    /// bounded expression of the loop's variables and the function's values; the
    /// accumulator as an expression for the result, or `None` if nothing was added.
    pub(crate) fn sum_loop(&mut self, out: &mut Vec<S>) -> Option<E> {
        let one_d: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| matches!(v.kind, VK::Arr { inner: None, .. }) && !is_field(&v.name))
            .collect();
        let (head, vars, trips) = if !one_d.is_empty() && self.rng.chance(0.6) {
            let a = self.rng.pick(&one_d).clone();
            let VK::Arr { len, .. } = a.kind else {
                return None;
            };
            let v = self.fresh("e");
            (
                Head::Iter(v.clone(), a.name, false),
                vec![(v, VK::FRef, a.bound)],
                len as i64,
            )
        } else {
            let i = self.fresh("i");
            let hi = self.rng.int(1, 5);
            (
                Head::Range(i.clone(), I::Lit(0), I::Lit(hi), false),
                vec![(
                    i,
                    VK::Int {
                        max: hi - 1,
                        i32: false,
                    },
                    0.0,
                )],
                hi,
            )
        };
        let acc = self.fresh("acc");
        out.push(let_f(acc.clone(), true, E::Lit(0.0)));
        self.scopes.push(Vec::new());
        self.loop_depth += 1;
        for (n, k, b) in &vars {
            self.declare(n, k.clone(), false, *b);
        }
        // The term does not read the accumulator (declared after it).
        let (t, tb) = self.fexpr(2);
        let (t, tb) = self.squash(t, tb, 4.0);
        self.loop_depth -= 1;
        self.scopes.pop();
        let body = vec![S::Assign(LV::Var(acc.clone()), '+', t)];
        out.push(S::For(head, body));
        self.declare(&acc, VK::F, true, tb * trips as f64);
        Some(E::Var(acc))
    }

    /// Whether a loop with a run-time trip count may go here (see CONSTRUCTS).
    pub(crate) fn runtime_loop_ok(&self) -> bool {
        self.loop_depth == 0 || self.on("runtime-loop-in-loop")
    }

    pub(crate) fn for_loop(&mut self, ctx: Ctx, out: &mut Vec<S>) {
        let arrays = self.arrays();
        let rt_ok = self.runtime_loop_ok();
        let one_d: Vec<Var> = arrays
            .iter()
            .filter(|v| matches!(v.kind, VK::Arr { inner: None, .. }) && !is_field(&v.name))
            .filter(|v| rt_ok || !is_slice(v))
            .cloned()
            .collect();
        let two_d: Vec<Var> = arrays
            .iter()
            .filter(|v| matches!(v.kind, VK::Arr { inner: Some(_), .. }) && !is_field(&v.name))
            .cloned()
            .collect();
        let usizes: Vec<Var> = if rt_ok {
            self.params_usize()
        } else {
            Vec::new()
        };
        let w = [
            3.0,
            if one_d.is_empty() { 0.0 } else { 2.0 },
            if one_d.is_empty() || !self.on("enumerate") {
                0.0
            } else {
                1.0
            },
            if one_d.len() < 2 || !self.on("zip") {
                0.0
            } else {
                0.8
            },
            if two_d.is_empty() { 0.0 } else { 0.6 },
        ];
        let (head, vars, trips) = match self.rng.weighted(&w) {
            0 => {
                let i = self.fresh("i");
                let (lo, hi, incl, max, trips) = match self.rng.below(5) {
                    0 if !usizes.is_empty() => {
                        let n = self.rng.pick(&usizes).clone();
                        let VK::Int { max, .. } = n.kind else {
                            unreachable!()
                        };
                        (I::Lit(0), I::Var(n.name), false, max - 1, max)
                    }
                    1 if !one_d.is_empty() => {
                        let a = self.rng.pick(&one_d).clone();
                        let VK::Arr { len, .. } = a.kind else {
                            unreachable!()
                        };
                        (I::Lit(0), I::Len(a.name), false, len as i64 - 1, len as i64)
                    }
                    2 => {
                        let hi = self.rng.int(1, 4);
                        (I::Lit(0), I::Lit(hi), true, hi, hi + 1)
                    }
                    3 => {
                        let hi = self.rng.int(2, 5);
                        (I::Lit(1), I::Lit(hi), false, hi - 1, hi - 1)
                    }
                    _ => {
                        let hi = self.rng.int(1, 5);
                        (I::Lit(0), I::Lit(hi), false, hi - 1, hi)
                    }
                };
                (
                    Head::Range(i.clone(), lo, hi, incl),
                    vec![(
                        i,
                        VK::Int {
                            max: max.max(0),
                            i32: false,
                        },
                        0.0,
                    )],
                    trips,
                )
            }
            1 => {
                let a = self.rng.pick(&one_d).clone();
                let VK::Arr { len, .. } = a.kind else {
                    unreachable!()
                };
                let v = self.fresh("e");
                let by_pat = self.rng.chance(0.25);
                let kind = if by_pat { VK::F } else { VK::FRef };
                (
                    Head::Iter(v.clone(), a.name, by_pat),
                    vec![(v, kind, a.bound)],
                    len as i64,
                )
            }
            2 => {
                let a = self.rng.pick(&one_d).clone();
                let VK::Arr { len, .. } = a.kind else {
                    unreachable!()
                };
                let (i, v) = (self.fresh("i"), self.fresh("e"));
                (
                    Head::Enum(i.clone(), v.clone(), a.name),
                    vec![
                        (
                            i,
                            VK::Int {
                                max: len as i64 - 1,
                                i32: false,
                            },
                            0.0,
                        ),
                        (v, VK::FRef, a.bound),
                    ],
                    len as i64,
                )
            }
            3 => {
                let a = self.rng.pick(&one_d).clone();
                let others: Vec<&Var> = one_d
                    .iter()
                    .filter(|v| v.name != a.name)
                    .filter(|v| self.on("zip-fixed-arrays") || is_slice(&a) || is_slice(v))
                    .collect();
                if others.is_empty() {
                    return;
                }
                let b = (*self.rng.pick(&others)).clone();
                let (VK::Arr { len: la, .. }, VK::Arr { len: lb, .. }) = (&a.kind, &b.kind) else {
                    unreachable!()
                };
                let (p, q) = (self.fresh("p"), self.fresh("q"));
                (
                    Head::Zip(p.clone(), q.clone(), a.name, b.name),
                    vec![(p, VK::FRef, a.bound), (q, VK::FRef, b.bound)],
                    (*la).min(*lb) as i64,
                )
            }
            _ => {
                let w = self.rng.pick(&two_d).clone();
                let VK::Arr {
                    len,
                    inner: Some(m),
                    ..
                } = w.kind
                else {
                    unreachable!()
                };
                let row = self.fresh("row");
                (
                    Head::Rows(row.clone(), w.name),
                    vec![(
                        row,
                        VK::Arr {
                            len: m,
                            inner: None,
                            slice: false,
                        },
                        w.bound,
                    )],
                    len as i64,
                )
            }
        };
        let iterated: Vec<String> = match &head {
            Head::Range(..) => vec![],
            Head::Iter(_, a, _) | Head::Enum(_, _, a) | Head::Rows(_, a) => vec![a.clone()],
            Head::Rev(..) => vec![],
            Head::Zip(_, _, a, b) => vec![a.clone(), b.clone()],
        };
        let n_frozen = self.frozen.len();
        self.frozen.extend(iterated);
        let body = self.loop_body(ctx, &vars, trips);
        self.frozen.truncate(n_frozen);
        if body.is_empty() || (!self.on("dead-blocks") && !assigns_outer(&body)) {
            return;
        }
        out.push(S::For(head, body));
    }

    pub(crate) fn params_usize(&self) -> Vec<Var> {
        self.visible()
            .into_iter()
            .filter(|v| v.name.starts_with('n') && matches!(v.kind, VK::Int { i32: false, .. }))
            .collect()
    }

    pub(crate) fn while_loop(&mut self, ctx: Ctx, out: &mut Vec<S>) {
        let c = self.fresh("c");
        let lim = self.rng.int(2, 6);
        let counter = I::Var(c.clone());
        let bound = C::ICmp("<", counter, I::Lit(lim));
        let cands = self.assignable();
        let cond = if !cands.is_empty() && self.rng.chance(0.5) {
            let v = self.rng.pick(&cands).clone();
            let t = lit(self.lit_value(-1.0, 3.0));
            let op = *self.rng.pick(&["<", ">"]);
            let fv = self.not_constant(E::Var(v.name));
            let fc = C::Cmp(op, fv, t);
            if self.rng.chance(0.5) {
                C::And(bx(fc), bx(bound))
            } else {
                C::And(bx(bound), bx(fc))
            }
        } else {
            bound
        };
        out.push(S::Counter(c.clone()));
        // the counter is visible in the body (and after it)
        self.declare(
            &c,
            VK::Int {
                max: lim,
                i32: false,
            },
            true,
            0.0,
        );
        let mut body = vec![S::Inc(c)];
        body.extend(self.loop_body(ctx, &[], lim));
        out.push(S::While(cond, body));
    }
}
