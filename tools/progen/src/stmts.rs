//! Statements: `let`s, assignments, element updates, local arrays, `if`s,
//! early exits, and the result.

use crate::ast::*;
use crate::gen::*;

impl Gen<'_> {
    // -------------------------------------------------------------- statements

    pub(crate) fn block(&mut self, ctx: Ctx, n: usize) -> Vec<S> {
        self.block_with(ctx, n, false)
    }

    /// A block of `n` statements; `live`: one of them updates a variable from
    /// outside the block (a loop body or branch that does nothing is dead code).
    pub(crate) fn block_with(&mut self, ctx: Ctx, n: usize, live: bool) -> Vec<S> {
        self.scopes.push(Vec::new());
        let outer = self.scopes.len() - 1;
        let mut out = Vec::new();
        for _ in 0..n {
            if self.budget == 0 {
                break;
            }
            self.budget -= 1;
            self.stmt(ctx, &mut out);
        }
        if live && !assigns_outer(&out) {
            self.outer_update(outer, &mut out);
        }
        self.scopes.pop();
        out
    }

    /// Appends an update of a mutable float or array element declared in
    /// `scopes[..k]` (and not hidden by a binding of `scopes[k..]`), if any.
    pub(crate) fn outer_update(&mut self, k: usize, out: &mut Vec<S>) {
        let inner: Vec<String> = self.scopes[k..]
            .iter()
            .flat_map(|s| s.iter().map(|v| v.name.clone()))
            .collect();
        let cands: Vec<Var> = self
            .visible()
            .into_iter()
            .filter(|v| !inner.contains(&v.name) && v.mutable)
            .filter(|v| match v.kind {
                VK::F => true,
                VK::Arr { .. } => !self.frozen.contains(&v.name),
                _ => false,
            })
            .collect();
        if cands.is_empty() {
            return;
        }
        let v = self.rng.pick(&cands).clone();
        let outer = v.depth < self.loop_depth;
        match v.kind {
            VK::Arr { len, inner, .. } => {
                let mut idx = vec![self.index(len, Some(&v.name))];
                if let Some(m) = inner {
                    idx.push(self.index(m, None));
                }
                let target = E::Idx(v.name.clone(), idx.clone());
                let (op, e, b) = self.update(target, v.bound, outer);
                self.raise(&v.name, b);
                out.push(S::Assign(LV::Idx(v.name, idx), op, e));
            }
            _ => {
                let (op, e, b) = self.update(E::Var(v.name.clone()), v.bound, outer);
                self.raise(&v.name, b);
                out.push(S::Assign(LV::Var(v.name), op, e));
            }
        }
    }

    /// Appends one statement (or a few that belong together) to `out`.
    pub(crate) fn stmt(&mut self, ctx: Ctx, out: &mut Vec<S>) {
        let deep = ctx.nest >= 3;
        let arrays = self.arrays();
        let w = [
            4.0,                          // 0 let
            3.0,                          // 1 assign / compound
            if deep { 0.0 } else { 2.0 }, // 2 if statement
            if deep { 0.0 } else { 2.2 }, // 3 for loop
            if deep || !self.on("while") || !self.runtime_loop_ok() {
                0.0
            } else {
                0.6
            }, // 4 while loop
            1.0,                          // 5 local array
            if arrays.iter().any(|a| a.mutable) {
                3.0
            } else {
                0.0
            }, // 6 element update
            0.8,                          // 7 shadowing
            if self.on("tuples") { 0.3 } else { 0.0 }, // 8 tuple let
            if ctx.fn_level && self.on("return") && !deep {
                0.8
            } else {
                0.0
            }, // 9 early return
            if ctx.in_loop && self.on("break") && !deep {
                1.2
            } else {
                0.0
            }, // 10 break/continue
        ];
        match self.rng.weighted(&w) {
            0 => self.let_stmt(out),
            1 => self.assign(out),
            2 => self.if_stmt(ctx, out, None),
            3 => self.for_loop(ctx, out),
            4 => self.while_loop(ctx, out),
            5 => self.local_array(out),
            6 => self.elem_update(out),
            7 => self.shadow(out),
            8 => {
                let (mut a, mut ba) = self.fexpr(2);
                let (mut b, mut bb) = self.fexpr(2);
                if !anchored(&a) || !anchored(&b) {
                    // `let (p, q) = (1.5, x)` leaves `p` a `{float}`: give it a variable
                    let (u, bu) = self.var_leaf();
                    a = E::Bin('+', bx(a), bx(u.clone()));
                    b = E::Bin('-', bx(b), bx(u));
                    ba += bu;
                    bb += bu;
                }
                let (a, ba) = self.no_alias(a, ba);
                let (b, bb) = self.no_alias(b, bb);
                let (p, q) = (self.fresh("v"), self.fresh("v"));
                self.declare(&p, VK::F, false, ba);
                self.declare(&q, VK::F, false, bb);
                out.push(S::LetTup(p, q, a, b));
            }
            9 => {
                let mut ctx2 = ctx;
                ctx2.nest += 1;
                let exit = S::Return(self.result(2));
                self.if_stmt(ctx2, out, Some(exit));
            }
            _ => {
                let exit = if self.rng.chance(0.5) {
                    S::Break
                } else {
                    S::Continue
                };
                let mut ctx2 = ctx;
                ctx2.nest += 1;
                self.if_stmt(ctx2, out, Some(exit));
            }
        }
    }

    pub(crate) fn let_stmt(&mut self, out: &mut Vec<S>) {
        let name = self.fresh("v");
        let mutable = self.rng.chance(0.6);
        let (init, b) = self.fexpr(3);
        let (init, b) = self.no_alias(init, b);
        let annot = !anchored(&init) || self.rng.chance(0.15);
        self.declare(&name, VK::F, mutable, b);
        out.push(S::Let {
            name,
            mutable,
            annot,
            init,
        });
    }

    pub(crate) fn shadow(&mut self, out: &mut Vec<S>) {
        let cands: Vec<Var> = self
            .scalars()
            .into_iter()
            .filter(|v| matches!(v.kind, VK::F) && !v.name.starts_with('K') && !is_field(&v.name))
            .collect();
        if cands.is_empty() {
            return self.let_stmt(out);
        }
        let v = self.rng.pick(&cands).clone();
        let (e, b) = self.fexpr(2);
        let (e, b) = self.squash(e, b, BIG);
        let init = match self.rng.below(3) {
            0 => E::Bin('*', bx(E::Var(v.name.clone())), bx(e)),
            1 => E::Bin('+', bx(E::Var(v.name.clone())), bx(e)),
            _ => self.no_alias(e, b).0,
        };
        let bound = (v.bound + 1.0) * (b + 1.0);
        let mutable = self.rng.chance(0.4);
        self.declare(&v.name, VK::F, mutable, bound);
        let annot = !anchored(&init);
        out.push(S::Let {
            name: v.name,
            mutable,
            annot,
            init,
        });
    }

    /// A float that a statement here may assign: mutable, and (in a loop) its step.
    pub(crate) fn assignable(&self) -> Vec<Var> {
        self.visible()
            .into_iter()
            .filter(|v| v.mutable && matches!(v.kind, VK::F))
            .collect()
    }

    /// The new value for `target` (a float whose bound is `tb`), as an assignment
    /// operator and expression; `outer`: declared outside the current loop, so it
    /// changes only by bounded steps.
    pub(crate) fn update(&mut self, target: E, tb: f64, outer: bool) -> (char, E, f64) {
        let (e, b) = self.fexpr(3);
        if outer {
            match self.rng.below(7) {
                0 | 1 => {
                    let (e, _) = self.squash(e, b, 1.0);
                    (if self.rng.chance(0.6) { '+' } else { '-' }, e, tb)
                }
                2 => {
                    let f = if self.rng.chance(0.5) {
                        E::Lit(self.lit_value(0.3, 0.95))
                    } else {
                        E::Call("sigmoid", vec![Arg::F(e)], Style::Prim)
                    };
                    ('*', f, tb)
                }
                3 => {
                    let (p, _) = self.positive_from(e, b);
                    let p = E::Bin('+', bx(p), bx(E::Lit(0.5)));
                    ('/', p, tb)
                }
                4 if self.on("rem") => {
                    let (p, _) = self.positive_from(e, b);
                    ('%', p, tb)
                }
                5 => {
                    let (e, _) = self.squash(e, b, tb.max(1.0));
                    let name = if self.rng.chance(0.5) { "max" } else { "min" };
                    ('=', call(name, vec![target, e]), tb)
                }
                _ => {
                    let (e, _) = self.squash(e, b, 3.0);
                    let inner = E::Bin('+', bx(target), bx(e));
                    let (s, _) = self.squash(inner, f64::INFINITY, 1.0);
                    ('=', s, tb.max(1.0))
                }
            }
        } else {
            match self.rng.below(6) {
                0 => {
                    let (e, b) = self.no_alias(e, b);
                    ('=', e, b)
                }
                1 | 2 => {
                    let op = if self.rng.chance(0.5) { '+' } else { '-' };
                    (op, e, tb + b)
                }
                3 => {
                    let (e, b) = self.squash(e, b, 4.0);
                    if tb > 15.0 {
                        let prod = E::Bin('*', bx(target), bx(e));
                        ('=', call("tanh", vec![prod]), 1.0)
                    } else {
                        ('*', e, tb * b)
                    }
                }
                4 => {
                    let (p, _) = self.positive_from(e, b);
                    ('/', p, tb * 2.0)
                }
                _ if self.on("rem") => {
                    let (p, _) = self.positive_from(e, b);
                    ('%', p, tb)
                }
                _ => ('-', e, tb + b),
            }
        }
    }

    pub(crate) fn assign(&mut self, out: &mut Vec<S>) {
        let cands = self.assignable();
        if cands.is_empty() {
            return self.let_stmt(out);
        }
        let v = self.rng.pick(&cands).clone();
        let outer = v.depth < self.loop_depth;
        let (op, e, b) = self.update(E::Var(v.name.clone()), v.bound, outer);
        self.raise(&v.name, b);
        out.push(S::Assign(LV::Var(v.name), op, e));
    }

    pub(crate) fn elem_update(&mut self, out: &mut Vec<S>) {
        let cands: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| v.mutable && !self.frozen.contains(&v.name))
            .collect();
        if cands.is_empty() {
            return self.local_array(out);
        }
        let a = self.rng.pick(&cands).clone();
        let VK::Arr { len, inner, .. } = a.kind else {
            unreachable!()
        };
        let mut idx = vec![self.index(len, Some(&a.name))];
        if let Some(m) = inner {
            idx.push(self.index(m, None));
        }
        let outer = a.depth < self.loop_depth;
        let target = E::Idx(a.name.clone(), idx.clone());
        let (op, e, b) = self.update(target, a.bound, outer);
        self.raise(&a.name, b);
        out.push(S::Assign(LV::Idx(a.name, idx), op, e));
    }

    pub(crate) fn local_array(&mut self, out: &mut Vec<S>) {
        let name = self.fresh("y");
        let want = match self.ret {
            RetKind::Array(n) if self.rng.chance(0.6) => Some(n),
            _ => None,
        };
        let len = want.unwrap_or_else(|| self.rng.int(1, 4) as usize);
        let arrays = self.arrays();
        let copyable: Vec<Var> = arrays
            .iter()
            .filter(|v| matches!(v.kind, VK::Arr { len: l, inner: None, slice: false } if l == len))
            .filter(|v| !is_field(&v.name) || self.field_copy_ok(v))
            .cloned()
            .collect();
        let two_d = want.is_none() && self.on("arrays2d") && self.rng.chance(0.12);
        let (init, bound, inner, annot) = if two_d {
            let m = self.rng.int(2, 3) as usize;
            (
                AInit::Zeros(len, Some(m)),
                0.0,
                Some(m),
                Some(format!("[[f64; {m}]; {len}]")),
            )
        } else {
            match self.rng.below(4) {
                0 => (AInit::Zeros(len, None), 0.0, None, None),
                1 if !copyable.is_empty() => {
                    let src = self.rng.pick(&copyable).clone();
                    let by_ref = self.visible_param_ref(&src.name);
                    // a field of a `&` struct is copied with its type written
                    // (as the macro asks: `let w: [f64; N] = p.w;`)
                    let annot =
                        (is_field(&src.name) && !src.mutable).then(|| format!("[f64; {len}]"));
                    (AInit::Copy(src.name, by_ref), src.bound, None, annot)
                }
                2 => {
                    let (e, b) = self.fexpr(2);
                    (AInit::Splat(e, len), b, None, None)
                }
                _ => {
                    let mut es = Vec::new();
                    let mut b = 0.0f64;
                    for _ in 0..len {
                        let (e, be) = self.fexpr(2);
                        b = b.max(be);
                        es.push(e);
                    }
                    (AInit::Lit(es), b, None, None)
                }
            }
        };
        let unanchored = match &init {
            AInit::Zeros(..) => true,
            AInit::Splat(e, _) => !anchored(e),
            AInit::Lit(es) => !es.iter().any(anchored),
            AInit::Copy(..) | AInit::Replace(..) | AInit::Call(_) => false,
        };
        let annot =
            annot.or_else(|| (unanchored || self.rng.chance(0.1)).then(|| format!("[f64; {len}]")));
        self.declare(
            &name,
            VK::Arr {
                len,
                inner,
                slice: false,
            },
            true,
            bound,
        );
        out.push(S::LetArr {
            name,
            mutable: true,
            annot,
            init,
        });
    }

    /// Whether `name` is a `&[f64; N]` parameter (copied with `*name`).
    pub(crate) fn visible_param_ref(&self, name: &str) -> bool {
        name.starts_with('b') || name.starts_with("row")
    }

    /// `if c { … [exit] } [else if c { … }] [else { … }]`. With `exit`, the first
    /// branch ends with it and the `else` (if any) does not, so the code after the
    /// `if` stays reachable.
    pub(crate) fn if_stmt(&mut self, ctx: Ctx, out: &mut Vec<S>, exit: Option<S>) {
        let inner = Ctx {
            nest: ctx.nest + 1,
            ..ctx
        };
        let mut arms = Vec::new();
        let n_arms = if self.rng.chance(0.3) { 2 } else { 1 };
        for k in 0..n_arms {
            let c = self.cond(2);
            let n = self.rng.int(if exit.is_some() { 0 } else { 1 }, 3) as usize;
            let mut body = self.block_with(inner, n, exit.is_none() && k == 0);
            if k == 0 {
                if let Some(x) = &exit {
                    body.push(x.clone());
                }
            } else if exit.is_some() && self.rng.chance(0.3) {
                // a second exit of the same kind in an `else if`
                if let Some(x) = &exit {
                    body.push(x.clone());
                }
            }
            arms.push((c, body));
        }
        let els = if self.rng.chance(0.5) {
            let n = self.rng.int(1, 3) as usize;
            Some(self.block(inner, n))
        } else {
            None
        };
        let stmt = S::If(arms, els);
        if exit.is_none() && !self.on("dead-blocks") && !assigns_outer(std::slice::from_ref(&stmt))
        {
            return;
        }
        out.push(stmt);
    }

    /// A result of the function's type.
    pub(crate) fn result(&mut self, d: u32) -> R {
        match self.ret {
            // a struct result is a float one until `values.rs` makes it one
            RetKind::Scalar | RetKind::Sv => R::S(self.mix(d)),
            RetKind::Pair => R::T(self.mix(d), self.mix(d)),
            // `Vec` results are arrays turned into `Vec`s after the body (`records.rs`)
            RetKind::Array(n) | RetKind::Vec(n) => {
                let locals: Vec<Var> = self
                    .arrays()
                    .into_iter()
                    .filter(|v| {
                        v.name.starts_with('y')
                            && matches!(v.kind, VK::Arr { len, inner: None, .. } if len == n)
                    })
                    .collect();
                if !locals.is_empty() && self.rng.chance(0.6) {
                    R::AVar(self.rng.pick(&locals).name.clone())
                } else {
                    R::A((0..n).map(|_| self.mix(d)).collect())
                }
            }
        }
    }

    /// A result value mixing several variables (so that most of the program
    /// reaches it) with a random expression.
    pub(crate) fn mix(&mut self, d: u32) -> E {
        let (mut e, mut b) = self.fexpr(d);
        let scalars = self.scalars();
        let k = self.rng.int(1, 3);
        for _ in 0..k {
            let term = if !scalars.is_empty() && self.rng.chance(0.7) {
                let v = self.rng.pick(&scalars).clone();
                match v.kind {
                    VK::FRef => (E::RVar(v.name), v.bound),
                    _ => (E::Var(v.name), v.bound),
                }
            } else {
                self.leaf()
            };
            let (t, tb) = self.squash(term.0, term.1, BIG);
            match self.rng.below(3) {
                0 => {
                    e = E::Bin('+', bx(e), bx(t));
                    b += tb;
                }
                1 => {
                    e = E::Bin('-', bx(e), bx(t));
                    b += tb;
                }
                _ => {
                    let (t, tb) = self.squash(t, tb, 4.0);
                    let (e2, b2) = self.squash(e, b, 10.0);
                    e = E::Bin('*', bx(e2), bx(t));
                    b = b2 * tb;
                }
            }
        }
        e
    }
}
