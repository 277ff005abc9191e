//! Lowering of control flow: statement lists, `if` (as an expression, and with an
//! early `return` / `break` / `continue` inside: continuation lowering), and the
//! values a region yields to the op around it.

use super::*;

impl Lowering<'_, '_> {
    // ------------------------------------------------------------ statements

    /// Lowers a statement list. At function level, an `if` that returns takes the
    /// rest of the list, and of the `frames` around it, into its branches.
    pub(super) fn seq(&mut self, stmts: &[Stmt], frames: &[Frame<'_>], level: Level) -> Flow {
        let mut tail = Val::Unit;
        for (i, s) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            if let Stmt::Expr(e @ (Expr::Break(_) | Expr::Continue(_)), _) = s {
                if level == Level::Loop {
                    if let Expr::Break(b) = e {
                        if b.label.is_some() || b.expr.is_some() {
                            self.errors.at(b, "`break` with a label or a value is not supported in #[grad] bodies; use a plain `break`");
                        }
                    }
                    return Flow::Return(self.loop_exit(matches!(e, Expr::Break(_))));
                }
                self.errors.at(s, "`break` and `continue` are supported as statements of a loop body or of the branches of its `if`s");
                tail = self.poison();
                continue;
            }
            if let Stmt::Expr(Expr::Return(r), _) = s {
                if level != Level::Fn {
                    self.errors.at(
                        s,
                        if self.in_closure > 0 {
                            RETURN_IN_CLOSURE
                        } else if level == Level::Loop || !self.loops.is_empty() {
                            RETURN_IN_LOOP
                        } else {
                            RETURN_HERE
                        },
                    );
                    // `return` has type `!`: it fits any branch, so poison fits too.
                    tail = self.poison();
                    continue;
                }
                let v = match &r.expr {
                    Some(e) => self.expr(e, Some(Ty::Float)),
                    None => Val::Unit,
                };
                return Flow::Return(self.fn_exit(v));
            }
            if let Stmt::Local(local) = s {
                if let Some(init) = local.init.as_ref().filter(|i| i.diverge.is_some()) {
                    let rest = Frame {
                        stmts: &stmts[i + 1..],
                        depth: self.scopes.len(),
                    };
                    if let Some(flow) = self.let_else(local, init, frames, rest, level) {
                        return flow;
                    }
                    continue;
                }
            }
            // A loop that returns from inside: a `break` and a `return` after it.
            if let Stmt::Expr(e @ (Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_)), _) = s {
                if level == Level::Fn && super::exits::returns_inside(e) {
                    let ret = (self.sig.outputs > 0).then_some(&self.sig.ret);
                    let tail = last && frames.is_empty() && matches!(e, Expr::Loop(_));
                    let rewritten = super::exits::lowered_returns(e, ret, tail);
                    let mut cont = frames.to_vec();
                    if !last {
                        cont.push(Frame {
                            stmts: &stmts[i + 1..],
                            depth: self.scopes.len(),
                        });
                    }
                    return self.seq(&rewritten, &cont, level);
                }
            }
            if level != Level::Block {
                if let Stmt::Expr(Expr::If(ife), _) = s {
                    if contains_exit(ife, level) {
                        let mut cont = frames.to_vec();
                        cont.push(Frame {
                            stmts: &stmts[i + 1..],
                            depth: self.scopes.len(),
                        });
                        return Flow::Return(self.if_return(ife, &cont, level));
                    }
                }
            }
            tail = self.stmt(s, last);
        }
        if let Some((top, rest)) = frames.split_last() {
            self.scopes.truncate(top.depth);
            return self.seq(top.stmts, rest, level);
        }
        Flow::Value(tail)
    }

    /// The condition of an `if`, and for `if let P = e` the pattern and the
    /// scrutinee, whose bindings the `then` branch sees.
    pub(super) fn if_cond<'p>(&mut self, cond: &'p Expr) -> (Value, Option<(&'p Pat, Val)>) {
        let Expr::Let(l) = cond else {
            return (self.cond(cond), None);
        };
        let s = self.expr(&l.expr, None);
        let c = match self.pat_cond(&s, &l.pat) {
            Some(c) => c,
            None => self.push(OpKind::Verbatim("true".into()), Ty::Bool),
        };
        (c, Some((&l.pat, s)))
    }

    /// `let P = e else { d };` then `rest`: when `d` exits (a `return`, or a
    /// `break` / `continue` of the loop), an `if` whose `then` branch binds `P`
    /// and runs on into `rest` (continuation lowering) — its flow is returned;
    /// otherwise (`d` panics) `if !matches { d }` and `P` bound here (`None`).
    fn let_else(
        &mut self,
        local: &syn::Local,
        init: &syn::LocalInit,
        frames: &[Frame<'_>],
        rest: Frame<'_>,
        level: Level,
    ) -> Option<Flow> {
        let Some((_, d)) = &init.diverge else {
            return None;
        };
        let Expr::Block(d) = &**d else {
            self.errors
                .at(d, "the `else` of `let … else` must be a block");
            return None;
        };
        let pat = match &local.pat {
            Pat::Type(pt) => &*pt.pat,
            p => p,
        };
        let s = self.expr(&init.expr, None);
        let c = match self.pat_cond(&s, pat) {
            Some(c) => c,
            None => self.push(OpKind::Verbatim("true".into()), Ty::Bool),
        };
        if level != Level::Block && block_exits(&d.block, level) {
            let mut cont = frames.to_vec();
            cont.push(rest);
            let snapshot = self.scopes.clone();
            let (t_ops, t_outs) = self.region(|l| {
                // In the current scope, which the rest of the list keeps.
                l.bind_match(pat, &s);
                let flow = l.seq(&[], &cont, level);
                l.flow_outs(flow, level)
            });
            self.scopes = snapshot.clone();
            let (e_ops, e_outs) = self.region(|l| {
                l.scopes.push(Vec::new());
                let flow = l.seq(&d.block.stmts, &cont, level);
                l.flow_outs(flow, level)
            });
            self.scopes = snapshot;
            if t_outs.len() != e_outs.len() {
                self.errors.at(
                    d,
                    "the `else` of this `let … else` returns a different number of values",
                );
                return Some(Flow::Return(t_outs));
            }
            if !self.same_exit_types(&t_outs, &e_outs, d) {
                return Some(Flow::Return(t_outs));
            }
            return Some(Flow::Return(self.push_if(
                c,
                (t_ops, t_outs),
                (e_ops, e_outs),
            )));
        }
        self.branch(c, &mut |_| Val::Unit, &mut |l| l.block(&d.block), false, d);
        self.bind_match(pat, &s);
        None
    }

    /// Whether the values two branches exit with have one type each (a value
    /// typed by a guess takes the other's); otherwise an error at `node`.
    fn same_exit_types(&mut self, t: &[Value], e: &[Value], node: &dyn ToTokens) -> bool {
        for (&a, &b) in t.iter().zip(e) {
            let (ta, tb) = (self.ty(a), self.ty(b));
            if ta == tb {
                continue;
            }
            if self.guessed.contains(&a) {
                self.settle(a, tb);
            } else if self.guessed.contains(&b) {
                self.settle(b, ta);
            }
            // A copy of a struct field (an array of a shape not seen here,
            // `let y: [f64; 2] = st.a;`) meeting an array of that element type:
            // the field's array has the other's shape.
            let view = |l: &Self, v: Value| {
                l.func
                    .array(l.ty(v))
                    .is_some_and(|t| t.len == crate::ir::Len::View)
            };
            let elem = |l: &Self, v: Value| l.func.array(l.ty(v)).map(|t| t.elem);
            if self.ty(a) != self.ty(b) && elem(self, a).is_some() && elem(self, a) == elem(self, b)
            {
                if view(self, a) && !view(self, b) {
                    self.func.values[a.0 as usize].ty = self.ty(b);
                } else if view(self, b) && !view(self, a) {
                    self.func.values[b.0 as usize].ty = self.ty(a);
                }
            }
            if self.ty(a) != self.ty(b) {
                self.errors.at(
                    node,
                    "the branches of this `if` return values of different types",
                );
                return false;
            }
        }
        true
    }

    /// An `if` with an exit inside (a `return` at function level, a `break` or
    /// `continue` at loop level): each branch runs on into the continuation, so
    /// every branch ends by producing the exit's values.
    pub(super) fn if_return(
        &mut self,
        ife: &ExprIf,
        cont: &[Frame<'_>],
        level: Level,
    ) -> Vec<Value> {
        let (c, bound) = self.if_cond(&ife.cond);
        let snapshot = self.scopes.clone();
        let (t_ops, t_outs) = self.region(|l| {
            l.scopes.push(Vec::new());
            if let Some((pat, s)) = &bound {
                l.bind_match(pat, s);
            }
            let flow = l.seq(&ife.then_branch.stmts, cont, level);
            l.flow_outs(flow, level)
        });
        self.scopes = snapshot.clone();
        let (e_ops, e_outs) = self.region(|l| {
            l.scopes.push(Vec::new());
            match ife.else_branch.as_ref().map(|(_, e)| &**e) {
                None => {
                    let flow = l.seq(&[], cont, level);
                    l.flow_outs(flow, level)
                }
                Some(Expr::Block(b)) => {
                    let flow = l.seq(&b.block.stmts, cont, level);
                    l.flow_outs(flow, level)
                }
                Some(Expr::If(inner)) => l.if_return(inner, cont, level),
                Some(other) => {
                    l.errors.at(other, "unsupported `else` branch");
                    Vec::new()
                }
            }
        });
        self.scopes = snapshot;
        if t_outs.len() != e_outs.len() {
            self.errors.at(
                ife,
                "the branches of this `if` return different numbers of values",
            );
            return t_outs;
        }
        if !self.same_exit_types(&t_outs, &e_outs, ife) {
            return t_outs;
        }
        self.push_if(c, (t_ops, t_outs), (e_ops, e_outs))
    }

    /// The exit values of a statement list that fell through: the function's
    /// results, or the next iteration's carried values.
    /// Pushes `if c { t } else { e }` and returns its results, typed like the yields.
    pub(super) fn push_if(
        &mut self,
        c: Value,
        t: (Vec<Op>, Vec<Value>),
        e: (Vec<Op>, Vec<Value>),
    ) -> Vec<Value> {
        let results: Vec<Value> =
            t.1.iter()
                .map(|v| self.func.new_value(self.ty(*v)))
                .collect();
        let region = |(ops, yields)| Region {
            args: Vec::new(),
            ops,
            yields,
        };
        self.ops.push(Op {
            results: results.clone(),
            kind: OpKind::If(c, region(t), region(e)),
        });
        results
    }

    pub(super) fn flow_outs(&mut self, flow: Flow, level: Level) -> Vec<Value> {
        match flow {
            Flow::Value(v) if level == Level::Loop => {
                let _ = v;
                self.loop_exit(false)
            }
            Flow::Value(v) if level == Level::Fn => self.fn_exit(v),
            Flow::Value(v) => v.flat(),
            Flow::Return(o) => o,
        }
    }

    /// The yields that end this iteration: the carried values, then (if the
    /// loop can break) whether to go on.
    pub(super) fn loop_exit(&mut self, is_break: bool) -> Vec<Value> {
        let Some(ctx) = self.loops.last() else {
            return Vec::new();
        };
        let has_break = ctx.has_break;
        let mut ys = Vec::new();
        for &(si, bi) in &ctx.carried {
            self.scopes[si][bi].val.flatten(&mut ys);
        }
        if has_break {
            let go_on = if is_break { "false" } else { "true" };
            ys.push(self.push(OpKind::Verbatim(go_on.into()), Ty::Bool));
        }
        ys
    }

    /// `if` as an expression or a statement (without `return` inside): the `if` op
    /// yields the branch value and the new values of the outer names it assigns.
    pub(super) fn if_expr(&mut self, ife: &ExprIf) -> Val {
        let (c, bound) = self.if_cond(&ife.cond);
        let has_else = ife.else_branch.is_some();
        self.branch(
            c,
            &mut |l| match &bound {
                Some((pat, s)) => {
                    l.scopes.push(Vec::new());
                    l.bind_match(pat, s);
                    let v = l.block(&ife.then_branch);
                    l.scopes.pop();
                    v
                }
                None => l.block(&ife.then_branch),
            },
            &mut |l| match ife.else_branch.as_ref().map(|(_, e)| &**e) {
                None => Val::Unit,
                Some(Expr::Block(b)) => l.block(&b.block),
                Some(Expr::If(inner)) => l.if_expr(inner),
                Some(other) => l.expr(other, None),
            },
            has_else,
            ife,
        )
    }

    /// An `if` on `c` whose branches `then` and `els` lower to values of one
    /// shape (`has_value`: the `if` is an expression); the outer names either
    /// branch assigns are yielded too.
    pub(super) fn branch(
        &mut self,
        c: Value,
        then: &mut dyn FnMut(&mut Self) -> Val,
        els: &mut dyn FnMut(&mut Self) -> Val,
        has_value: bool,
        node: &dyn ToTokens,
    ) -> Val {
        let snapshot = self.scopes.clone();
        let (t_ops, t_val) = self.region(|l| then(l));
        let t_env = std::mem::replace(&mut self.scopes, snapshot.clone());
        let (e_ops, e_val) = self.region(|l| els(l));
        let mut t_env = t_env;
        let e_env = std::mem::replace(&mut self.scopes, snapshot);
        let mut e_env = e_env;
        let (mut t_ops, mut e_ops) = (t_ops, e_ops);
        // A branch whose value was rejected: the `if`'s value is too (its
        // uses report nothing more); the names the branches assign still merge.
        let rejected = has_value && (t_val == Val::Poisoned || e_val == Val::Poisoned);
        let (t_val, e_val) = match (has_value, t_val, e_val) {
            (false, _, _) => (Val::Unit, Val::Unit),
            _ if rejected => (Val::Unit, Val::Unit),
            (_, Val::Never, Val::Never) => return Val::Never,
            // A branch that diverges yields stand-ins it never reaches.
            (_, Val::Never, e) => (self.placeholders(&e, &mut t_ops), e),
            (_, t, Val::Never) => {
                let e = self.placeholders(&t, &mut e_ops);
                (t, e)
            }
            (_, t, e) => (t, e),
        };
        // A `None` meeting a `Some`: the same shape on both sides.
        let (t_val, e_val) = self.unify_opts(t_val, e_val, &mut t_ops, &mut e_ops);

        // The outer names either branch assigned, in a fixed order.
        let mut changed = Vec::new();
        for (si, scope) in self.scopes.iter().enumerate() {
            for (bi, b) in scope.iter().enumerate() {
                if t_env[si][bi].val != b.val || e_env[si][bi].val != b.val {
                    changed.push((si, bi));
                }
            }
        }
        for &(si, bi) in &changed {
            let (t, e) = (t_env[si][bi].val.clone(), e_env[si][bi].val.clone());
            let (t, e) = self.unify_opts(t, e, &mut t_ops, &mut e_ops);
            t_env[si][bi].val = t;
            e_env[si][bi].val = e;
        }
        let mut t_yields = t_val.flat();
        let mut e_yields = e_val.flat();
        for &(si, bi) in &changed {
            t_env[si][bi].val.flatten(&mut t_yields);
            e_env[si][bi].val.flatten(&mut e_yields);
        }
        let same = t_yields.len() == e_yields.len()
            && t_yields
                .iter()
                .zip(&e_yields)
                .all(|(a, b)| self.ty(*a) == self.ty(*b));
        if !same {
            self.errors.at(
                node,
                "the branches of this `if` (or the arms of this `match`) give values of different types",
            );
            return self.poison();
        }
        let results = self.push_if(c, (t_ops, t_yields), (e_ops, e_yields));
        let mut it = results.into_iter();
        let value = t_val.rebuild(&mut it);
        for (si, bi) in changed {
            let shape = t_env[si][bi].val.clone();
            self.scopes[si][bi].val = shape.rebuild(&mut it);
        }
        if rejected {
            return Val::Poisoned;
        }
        value
    }
}

/// Whether `e` contains what exits at `level`: a `return` at function level, a
/// `break` or `continue` of this loop (not of a nested one) at loop level.
pub(super) fn contains_exit(e: &ExprIf, level: Level) -> bool {
    exits(level, |f| f.visit_expr_if(e))
}

/// Whether block `b` contains what exits at `level` (see `contains_exit`).
pub(super) fn block_exits(b: &Block, level: Level) -> bool {
    exits(level, |f| f.visit_block(b))
}

fn exits<'a>(level: Level, visit: impl FnOnce(&mut dyn Visit<'a>)) -> bool {
    struct Finder {
        level: Level,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            if self.level == Level::Fn {
                self.found = true;
            }
        }
        fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
            self.found |= self.level == Level::Loop;
        }
        fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
            self.found |= self.level == Level::Loop;
        }
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            if self.level == Level::Fn {
                syn::visit::visit_expr_for_loop(self, f);
            }
        }
        fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
            if self.level == Level::Fn {
                syn::visit::visit_expr_while(self, w);
            }
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder {
        level,
        found: false,
    };
    visit(&mut f);
    f.found
}
