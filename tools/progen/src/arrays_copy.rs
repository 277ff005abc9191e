//! Whole-array assignment between arrays (issue 10, bug 1): double buffers
//! (`next[j] = …; cur = next;`), swaps through a temporary (`let t = cur; cur =
//! next; next = t;`), Verlet histories (`prev = cur; cur = next;`) with the `next`
//! buffer persistent or local to the loop, and snapshots (`let s = a;` then `a`
//! updated while `s` is read), in straight-line code, `for` loops with constant and
//! run-time trip counts, `while` loops and the branches of an `if`.

use crate::ast::*;
use crate::gen::*;

/// How the statements of a segment repeat.
#[derive(Clone, Copy, PartialEq)]
enum Rep {
    Once,
    /// `for i in 0..n` (a literal).
    For(i64),
    /// `for i in 0..nt` (a `usize` parameter with its largest value).
    ForParam(i64),
    /// `let mut c = 0; while c < n { c += 1; … }`
    While(i64),
}

impl Rep {
    fn trips(self) -> i64 {
        match self {
            Rep::Once => 1,
            Rep::For(n) | Rep::ForParam(n) | Rep::While(n) => n,
        }
    }
}

impl Gen<'_> {
    fn array_ty(len: usize) -> VK {
        VK::Arr {
            len,
            inner: None,
            slice: false,
        }
    }

    /// A bounded expression that reads a parameter.
    pub(crate) fn input_expr(&mut self, target: f64) -> (E, f64) {
        let (e, b) = self.fexpr(2);
        let (e, b) = if reads(&e, &self.inputs) {
            (e, b)
        } else {
            let p = self.input_leaf();
            (E::Bin('+', bx(e), bx(p)), b + 2.0)
        };
        self.squash(e, b, target)
    }

    fn zeros(&mut self, prefix: &str, len: usize, out: &mut Vec<S>) -> String {
        let name = self.fresh(prefix);
        out.push(S::LetArr {
            name: name.clone(),
            mutable: true,
            annot: Some(format!("[f64; {len}]")),
            init: AInit::Zeros(len, None),
        });
        self.declare(&name, Self::array_ty(len), true, 0.0);
        name
    }

    fn pick_rep(&mut self) -> Rep {
        let param = self.params_usize().into_iter().find_map(|v| match v.kind {
            VK::Int { max, .. } => Some(max),
            _ => None,
        });
        let w = [
            1.0,
            2.0,
            if param.is_some() && self.runtime_loop_ok() {
                1.5
            } else {
                0.0
            },
            if self.on("while") { 1.5 } else { 0.0 },
        ];
        match self.rng.weighted(&w) {
            0 => Rep::Once,
            1 => Rep::For(self.rng.int(1, 4)),
            2 => Rep::ForParam(param.unwrap_or(1)),
            _ => Rep::While(self.rng.int(1, 4)),
        }
    }

    /// Runs `build` for the body of `rep` (in a scope of its own, with the loop's
    /// index declared) and appends the statements.
    fn repeat(&mut self, rep: Rep, out: &mut Vec<S>, build: impl FnOnce(&mut Self, &mut Vec<S>)) {
        if rep == Rep::Once {
            build(self, out);
            return;
        }
        let counter = if let Rep::While(_) = rep {
            let c = self.fresh("c");
            out.push(S::Counter(c.clone()));
            self.declare(
                &c,
                VK::Int {
                    max: rep.trips(),
                    i32: false,
                },
                true,
                0.0,
            );
            Some(c)
        } else {
            None
        };
        self.scopes.push(Vec::new());
        self.loop_depth += 1;
        let i = self.fresh("i");
        let mut body = Vec::new();
        if let Some(c) = &counter {
            body.push(S::Inc(c.clone()));
        } else {
            self.declare(
                &i,
                VK::Int {
                    max: rep.trips() - 1,
                    i32: false,
                },
                false,
                0.0,
            );
        }
        build(self, &mut body);
        self.loop_depth -= 1;
        self.scopes.pop();
        match (rep, counter) {
            (Rep::While(n), Some(c)) => {
                out.push(S::While(C::ICmp("<", I::Var(c), I::Lit(n)), body));
            }
            (Rep::ForParam(_), _) => {
                let n = self
                    .params_usize()
                    .first()
                    .map(|v| v.name.clone())
                    .unwrap_or_default();
                out.push(S::For(Head::Range(i, I::Lit(0), I::Var(n), false), body));
            }
            (r, _) => out.push(S::For(
                Head::Range(i, I::Lit(0), I::Lit(r.trips()), false),
                body,
            )),
        }
    }

    /// `next[j] = k * cur[j'] + e` for every `j`: the next state from the current.
    fn step_into(&mut self, next: &str, cur: &str, len: usize, body: &mut Vec<S>) {
        for j in 0..len {
            let j2 = self.rng.int(0, len as i64 - 1);
            let (e, _) = self.input_expr(1.5);
            let k = self.lit_value(0.25, 0.75);
            let e = E::Bin(
                '+',
                bx(E::Bin(
                    '*',
                    bx(E::Lit(k)),
                    bx(E::Idx(cur.to_string(), vec![I::Lit(j2)])),
                )),
                bx(e),
            );
            body.push(S::Assign(
                LV::Idx(next.to_string(), vec![I::Lit(j as i64)]),
                '=',
                e,
            ));
        }
    }

    /// `let t = a; a = b; b = t;`, or with `mem-swap` on, sometimes
    /// `std::mem::swap(&mut a, &mut b);` or `let t = std::mem::replace(&mut a, b); b = t;`
    fn swap(&mut self, a: &str, b: &str, body: &mut Vec<S>) {
        if self.on("mem-swap") && self.rng.chance(0.4) {
            if self.rng.chance(0.5) {
                body.push(S::MemSwap(a.to_string(), b.to_string()));
            } else {
                let t = self.fresh("tmp");
                body.push(S::LetArr {
                    name: t.clone(),
                    mutable: false,
                    annot: None,
                    init: AInit::Replace(a.to_string(), b.to_string()),
                });
                body.push(S::Assign(LV::Var(b.to_string()), '=', E::Var(t)));
            }
            return;
        }
        let t = self.fresh("tmp");
        body.push(S::LetArr {
            name: t.clone(),
            mutable: false,
            annot: None,
            init: AInit::Copy(a.to_string(), false),
        });
        body.push(S::Assign(
            LV::Var(a.to_string()),
            '=',
            E::Var(b.to_string()),
        ));
        body.push(S::Assign(LV::Var(b.to_string()), '=', E::Var(t)));
    }

    /// One segment of whole-array assignments; terms for the result.
    pub(crate) fn array_segment(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let copies = self.on("array-copies");
        let swaps = self.on("array-swaps");
        let snaps = self.on("array-snapshots");
        let kind = self.rng.weighted(&[
            if copies || swaps { 3.0 } else { 0.0 },
            if copies { 1.5 } else { 0.0 },
            if snaps { 2.0 } else { 0.0 },
        ]);
        let len = self.rng.int(1, 3) as usize;
        let rep = self.pick_rep();
        let idx = |g: &mut Self, a: &str, len: usize| {
            E::Idx(a.to_string(), vec![I::Lit(g.rng.int(0, len as i64 - 1))])
        };
        match kind {
            0 => {
                // double buffer: next computed from cur, then copied or swapped
                let (cur, b0) = self.let_array("u", len, 1.5, true, out);
                // `next[j] = k cur[j'] + e`, k <= 0.75, |e| <= 1.5
                let bound = b0.max(6.0);
                self.raise(&cur, bound);
                let local_next = copies && rep != Rep::Once && self.rng.chance(0.3);
                let next = if local_next {
                    String::new()
                } else {
                    let z = self.zeros("z", len, out);
                    self.raise(&z, bound);
                    z
                };
                let both = copies && swaps && self.rng.chance(0.25);
                self.repeat(rep, out, |g, body| {
                    let next = if local_next {
                        let z = g.zeros("z", len, body);
                        g.raise(&z, bound);
                        z
                    } else {
                        next.clone()
                    };
                    g.step_into(&next, &cur, len, body);
                    let copy = S::Assign(LV::Var(cur.clone()), '=', E::Var(next.clone()));
                    if both {
                        let c = g.cond(1);
                        let mut sw = Vec::new();
                        g.swap(&cur, &next, &mut sw);
                        body.push(S::If(vec![(c, vec![copy])], Some(sw)));
                    } else if copies && (local_next || !swaps || g.rng.chance(0.5)) {
                        body.push(copy);
                    } else {
                        g.swap(&cur, &next, body);
                    }
                });
                let mut terms = vec![(idx(self, &cur, len), bound)];
                if !local_next {
                    terms.push((idx(self, &next, len), bound));
                }
                terms
            }
            1 => {
                // Verlet: prev = cur; cur = next;
                let (prev, b0) = self.let_array("old", len, 1.5, true, out);
                let (cur, b1) = self.let_array("u", len, 1.5, true, out);
                let mut bound = b0.max(b1);
                for _ in 0..rep.trips() {
                    bound = 1.5 * bound + 0.25 * bound + 0.25;
                }
                self.raise(&prev, bound);
                self.raise(&cur, bound);
                let local_next = rep != Rep::Once && self.rng.chance(0.5);
                let next = if local_next {
                    String::new()
                } else {
                    let z = self.zeros("z", len, out);
                    self.raise(&z, bound);
                    z
                };
                self.repeat(rep, out, |g, body| {
                    let next = if local_next {
                        let z = g.zeros("z", len, body);
                        g.raise(&z, bound);
                        z
                    } else {
                        next.clone()
                    };
                    for j in 0..len {
                        let at = |a: &str| E::Idx(a.to_string(), vec![I::Lit(j as i64)]);
                        let (f, _) = g.input_expr(1.0);
                        let vel = E::Bin('-', bx(at(&cur)), bx(at(&prev)));
                        let e = E::Bin(
                            '+',
                            bx(E::Bin(
                                '+',
                                bx(at(&cur)),
                                bx(E::Bin('*', bx(E::Lit(0.25)), bx(vel))),
                            )),
                            bx(E::Bin('*', bx(E::Lit(0.25)), bx(f))),
                        );
                        body.push(S::Assign(
                            LV::Idx(next.clone(), vec![I::Lit(j as i64)]),
                            '=',
                            e,
                        ));
                    }
                    if g.on("mem-swap") && g.rng.chance(0.3) {
                        // `let t = std::mem::replace(&mut cur, next); prev = t;`
                        let t = g.fresh("tmp");
                        body.push(S::LetArr {
                            name: t.clone(),
                            mutable: false,
                            annot: None,
                            init: AInit::Replace(cur.clone(), next.clone()),
                        });
                        body.push(S::Assign(LV::Var(prev.clone()), '=', E::Var(t)));
                    } else {
                        body.push(S::Assign(LV::Var(prev.clone()), '=', E::Var(cur.clone())));
                        body.push(S::Assign(LV::Var(cur.clone()), '=', E::Var(next.clone())));
                    }
                });
                vec![
                    (idx(self, &cur, len), bound),
                    (idx(self, &prev, len), bound),
                ]
            }
            _ => {
                // snapshot: `let s = a;` then `a` updated, reading `s`
                let cands: Vec<Var> = self
                    .arrays()
                    .into_iter()
                    .filter(|v| {
                        v.mutable
                            && !is_field(&v.name)
                            && matches!(v.kind, VK::Arr { inner: None, slice: false, len: l } if l <= 4)
                            && !self.frozen.contains(&v.name)
                    })
                    .collect();
                let (a, len, b0) = if !cands.is_empty() && self.rng.chance(0.6) {
                    let v = self.rng.pick(&cands).clone();
                    let VK::Arr { len, .. } = v.kind else {
                        unreachable!()
                    };
                    (v.name, len, v.bound)
                } else {
                    let (a, b) = self.let_array("u", len, 1.5, true, out);
                    (a, len, b)
                };
                let bound = b0.max(6.0);
                self.raise(&a, bound);
                let inside = rep != Rep::Once && self.rng.chance(0.6);
                let snap_of = |g: &mut Self, body: &mut Vec<S>| {
                    let s = g.fresh("snap");
                    body.push(S::LetArr {
                        name: s.clone(),
                        mutable: false,
                        annot: None,
                        init: AInit::Copy(a.clone(), false),
                    });
                    g.declare(&s, Self::array_ty(len), false, bound);
                    s
                };
                let outer_snap = if inside {
                    None
                } else {
                    Some(snap_of(self, out))
                };
                self.repeat(rep, out, |g, body| {
                    let s = match &outer_snap {
                        Some(s) => s.clone(),
                        None => snap_of(g, body),
                    };
                    for _ in 0..g.rng.int(1, len as i64) {
                        let j = g.rng.int(0, len as i64 - 1);
                        g.step_one(&a, &s, j, len, body);
                    }
                });
                let mut terms = vec![(idx(self, &a, len), bound)];
                if let Some(s) = outer_snap {
                    terms.push((idx(self, &s, len), bound));
                }
                terms
            }
        }
    }

    /// `a[j] = k * s[j'] + e`: an element of `a` from its snapshot `s`.
    fn step_one(&mut self, a: &str, s: &str, j: i64, len: usize, body: &mut Vec<S>) {
        let j2 = self.rng.int(0, len as i64 - 1);
        let (e, _) = self.input_expr(1.5);
        let k = self.lit_value(0.25, 0.75);
        let e = E::Bin(
            '+',
            bx(E::Bin(
                '*',
                bx(E::Lit(k)),
                bx(E::Idx(s.to_string(), vec![I::Lit(j2)])),
            )),
            bx(e),
        );
        body.push(S::Assign(LV::Idx(a.to_string(), vec![I::Lit(j)]), '=', e));
    }
}
