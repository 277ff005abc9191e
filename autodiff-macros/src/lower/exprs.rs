//! Lowering of expressions: literals, paths, unary and binary operators,
//! conditions, blocks and assignment targets.

use super::*;
use syn::spanned::Spanned;

impl Lowering<'_, '_> {
    // ------------------------------------------------------------ expressions

    pub(super) fn expr(&mut self, e: &Expr, hint: Option<Ty>) -> Val {
        match e {
            Expr::Lit(l) => self.lit(&l.lit, hint),
            Expr::Paren(p) => self.expr(&p.expr, hint),
            Expr::Group(g) => self.expr(&g.expr, hint),
            Expr::Path(p) => self.path(p, hint),
            Expr::Unary(u) => self.unary(u, hint),
            Expr::Binary(b) => self.binary(b, hint),
            Expr::Closure(c) => self.closure_value(c),
            Expr::Match(m) => self.match_with_hint(m, hint),
            Expr::Macro(m) => self.macro_call(&m.mac),
            Expr::Assign(a) => {
                let target_ty = match &*a.left {
                    Expr::Path(p) => {
                        p.path
                            .get_ident()
                            .and_then(|id| match self.lookup(&id.to_string()) {
                                Some(Val::Scalar(v)) => Some(self.ty(*v)),
                                _ => None,
                            })
                    }
                    _ => None,
                };
                let v = self.expr(&a.right, target_ty);
                self.assign_to(&a.left, v);
                Val::Unit
            }
            Expr::MethodCall(m) => {
                self.method_hint = hint;
                self.method(m)
            }
            Expr::Call(c) => self.call(c, hint),
            Expr::Cast(c) => self.cast(c),
            Expr::If(ife) => {
                let saved = std::mem::replace(&mut self.tail_hint, hint);
                let v = self.if_expr(ife);
                self.tail_hint = saved;
                v
            }
            Expr::Block(b) => {
                if let Some(label) = &b.label {
                    self.errors
                        .at(label, "labeled blocks are not supported in #[grad] bodies");
                }
                self.block(&b.block)
            }
            Expr::Tuple(t) => Val::Tuple(t.elems.iter().map(|e| self.expr(e, hint)).collect()),
            // A field of a struct built in the body, or an assigned field.
            Expr::Field(_) if field_name(e).is_some_and(|n| self.lookup(&n).is_some()) => {
                let n = field_name(e).unwrap_or_default();
                match self.lookup(&n) {
                    Some(Val::Record) => self.record_value(&n, e),
                    Some(v) => v.clone(),
                    None => self.poison(),
                }
            }
            // A field of a struct made by `S::default()`, not assigned yet.
            Expr::Field(_) if field_name(e).is_some_and(|n| self.defaults_hold(&n)) => {
                let n = field_name(e).unwrap_or_default();
                self.default_field(&n, hint).unwrap_or(Val::Poisoned)
            }
            Expr::Field(f) if self.field_path(e).is_some() => {
                let want = match hint {
                    Some(t @ (Ty::Array(_) | Ty::Int | Ty::Bool)) => t,
                    _ => Ty::Float,
                };
                self.field_of(e, want).map_or(Val::Poisoned, Val::Scalar)
            }
            Expr::Field(f) => self.field_access(f),
            Expr::Return(_) => {
                let msg = if self.in_closure > 0 {
                    RETURN_IN_CLOSURE
                } else {
                    RETURN_HERE
                };
                self.errors.at(e, msg);
                self.poison()
            }
            Expr::Index(ix) => match &*ix.index {
                Expr::Range(r) => self.sub_slice(&ix.expr, r),
                _ => self.index_expr(ix, hint),
            },
            // A shared reference reads the value (`&x[1..]`, `let y = &x;`).
            Expr::Reference(r) if r.mutability.is_none() => match self.expr(&r.expr, hint) {
                // `&p.w[i]`: a row of a struct field, borrowed.
                Val::Row { base, idx } => Val::Scalar(self.row_value(base, idx)),
                Val::Scalar(v) if self.rows.contains_key(&v) => {
                    Val::Scalar(self.as_row(v).unwrap_or(v))
                }
                // `let v = &e[c];` of an array: a reference, passed on by `&`.
                Val::Scalar(v) if matches!(self.ty(v), Ty::Array(_)) => {
                    self.refs.insert(v);
                    Val::Scalar(v)
                }
                v => v,
            },
            Expr::Repeat(r) => self.repeat(r),
            Expr::Struct(st) => self.struct_value(st),
            Expr::Array(a) => self.array_lit(a),
            Expr::ForLoop(f) => self.for_loop(f),
            Expr::While(w) => self.while_loop(w),
            Expr::Loop(l) => self.loop_expr(l),
            other => {
                let msg = unsupported(other);
                self.errors.at(smallest(other), msg);
                Val::Poisoned
            }
        }
    }

    // `expr` recurses once per level of nesting (a 2,000-term sum is 2,000
    // levels): what its arms do out of line keeps its frame small.

    /// `loop { … }`: `while true { … }`, its exits its `break`s.
    #[inline(never)]
    fn loop_expr(&mut self, l: &syn::ExprLoop) -> Val {
        self.while_loop(&super::exits::as_while(l))
    }

    #[inline(never)]
    pub(super) fn closure_value(&mut self, c: &syn::ExprClosure) -> Val {
        self.closures.push((c.clone(), self.scopes.clone()));
        Val::Closure(self.closures.len() - 1)
    }

    #[inline(never)]
    pub(super) fn match_with_hint(&mut self, m: &syn::ExprMatch, hint: Option<Ty>) -> Val {
        let saved = std::mem::replace(&mut self.tail_hint, hint);
        let v = self.match_expr(m);
        self.tail_hint = saved;
        v
    }

    pub(super) fn block(&mut self, b: &Block) -> Val {
        self.scopes.push(Vec::new());
        let v = match self.seq(&b.stmts, &[], Level::Block) {
            Flow::Value(v) => v,
            Flow::Return(_) => Val::Unit,
        };
        self.scopes.pop();
        v
    }

    pub(super) fn lit(&mut self, l: &Lit, hint: Option<Ty>) -> Val {
        match l {
            Lit::Float(f) => {
                let suffix = f.suffix();
                let matches = suffix.is_empty() || suffix == self.sig.float_name();
                // Parse in the function's own float type: an f32 literal rounds once.
                let parsed = if self.sig.float_name() == "f32" {
                    f.base10_parse::<f32>().map(f64::from)
                } else {
                    f.base10_parse::<f64>()
                };
                match parsed {
                    Ok(x) if matches && hint != Some(Ty::Int) => {
                        Val::Scalar(self.push(OpKind::Const(x), Ty::Float))
                    }
                    Ok(_) => Val::Scalar(self.push(OpKind::Verbatim(f.to_string()), Ty::Int)),
                    Err(err) => {
                        self.errors.push(err);
                        self.poison()
                    }
                }
            }
            // `2f64` is a float literal written without a point.
            Lit::Int(i) if matches!(i.suffix(), "f32" | "f64") => {
                let own = i.suffix() == self.sig.float_name();
                match i.base10_parse::<f64>() {
                    Ok(x) if own && hint != Some(Ty::Int) => {
                        Val::Scalar(self.push(OpKind::Const(x), Ty::Float))
                    }
                    Ok(_) => Val::Scalar(self.push(OpKind::Verbatim(i.to_string()), Ty::Int)),
                    Err(err) => {
                        self.errors.push(err);
                        self.poison()
                    }
                }
            }
            Lit::Int(i) => Val::Scalar(self.push(OpKind::Verbatim(i.to_string()), Ty::Int)),
            Lit::Bool(b) => Val::Scalar(self.push(OpKind::Verbatim(b.value.to_string()), Ty::Bool)),
            // Inactive data, as in a `match` on a `char`.
            Lit::Char(_) | Lit::Byte(_) => {
                Val::Scalar(self.push(OpKind::Verbatim(l.to_token_stream().to_string()), Ty::Int))
            }
            other => {
                self.errors.at(
                    other,
                    "only number, `bool` and `char` literals can appear in a #[grad] body; strings have no derivative",
                );
                self.poison()
            }
        }
    }

    pub(super) fn path(&mut self, p: &syn::ExprPath, hint: Option<Ty>) -> Val {
        if p.qself.is_none() {
            if let Some(id) = p.path.get_ident() {
                if let Some(v) = self.lookup(&id.to_string()) {
                    // An item of `iter_mut`: what it holds now.
                    if let Val::Place { at, idx } = *v {
                        return self.place_load(at, idx);
                    }
                    if *v == Val::Record {
                        let prefix = format!("\u{0}{}", super::unraw(&id.to_string()));
                        return self.record_value(&prefix, p);
                    }
                    let v = v.clone();
                    if let Val::Scalar(root) = v {
                        let e = syn::Expr::Path(p.clone());
                        if self.structs.contains_key(&root)
                            && !self.struct_copy_init
                            && self.reject_updated_whole(&e)
                        {
                            return self.poison();
                        }
                    }
                    return v;
                }
                if id == "None" {
                    return self.none();
                }
            }
        }
        // A constant from outside the body: its type from its path, else from context.
        let segs = segments(&p.path);
        let float = self.sig.float_name();
        let is_typed_path = segs
            .iter()
            .any(|s| s == "f32" || s == "f64" || is_int_type(s))
            || (segs.len() > 1 && segs[0] == float);
        let ty = if segs.iter().any(|s| s == "f32" || s == "f64") {
            if segs.contains(&float) {
                Ty::Float
            } else {
                Ty::Int
            }
        } else if segs.len() > 1 && segs[0] == float {
            Ty::Float
        } else if segs.len() > 1 && is_int_type(&segs[0]) {
            Ty::Int
        } else {
            hint.unwrap_or(Ty::Float)
        };
        let guessed = hint.is_none() && !is_typed_path;
        let text = p.to_token_stream().to_string();
        let v = self.push(OpKind::Extern(text), ty);
        if guessed {
            self.guessed.insert(v);
        }
        Val::Scalar(v)
    }

    /// `e.member` of a tuple or of an element of a slice of records (kept out
    /// of `expr`, whose stack frame deep expressions multiply).
    #[inline(never)]
    fn field_access(&mut self, f: &syn::ExprField) -> Val {
        let base = self.expr(&f.base, None);
        // A field of an element of a slice of structs or tuples.
        if let Some((b, idx)) = self.elem_of(&base) {
            return self.elem_field(b, idx, &f.member);
        }
        match (&f.member, base) {
            (syn::Member::Unnamed(i), Val::Tuple(vs)) if (i.index as usize) < vs.len() => {
                vs[i.index as usize].clone()
            }
            (_, Val::Poisoned) => Val::Poisoned,
            (_, Val::Scalar(v)) if self.poisoned.contains(&v) => Val::Poisoned,
            // A struct value returned by a call (or carried by a loop, chosen
            // by an `if`): its fields read like an element's (`elems.rs`).
            (m, Val::Scalar(v)) if self.as_struct(v) => {
                self.record_slices
                    .entry(v)
                    .or_insert_with(|| syn::parse_quote!(_));
                self.elem_field(v, Vec::new(), m)
            }
            _ => {
                self.errors.at(
                    &f.member,
                    "field access is only supported on tuples (`t.0`) in #[grad] bodies",
                );
                self.poison()
            }
        }
    }

    pub(super) fn unary(&mut self, u: &syn::ExprUnary, hint: Option<Ty>) -> Val {
        match u.op {
            syn::UnOp::Deref(_) => self.expr(&u.expr, hint),
            syn::UnOp::Neg(_) | syn::UnOp::Not(_) => {
                let (op, what, wrong, msg) = match u.op {
                    syn::UnOp::Neg(_) => (
                        UnOp::Neg,
                        "the operand of `-`",
                        Ty::Bool,
                        "cannot negate a `bool`",
                    ),
                    _ => (
                        UnOp::Not,
                        "the operand of `!`",
                        Ty::Float,
                        "`!` does not apply to a float",
                    ),
                };
                let v = self.expr(&u.expr, hint);
                let v = self.scalar(v, &u.expr, what);
                // An operand already reported: nothing more to say.
                if self.poisoned.contains(&v) {
                    return self.poison();
                }
                // `!o.event` of a guessed field: a `bool`.
                if op == UnOp::Not && self.ty(v) == Ty::Float && self.guessed.contains(&v) {
                    self.settle(v, Ty::Bool);
                }
                let ty = self.ty(v);
                if ty == wrong {
                    self.errors.at(u, msg);
                }
                // `-v` of a struct: its `#[grad] impl Neg`.
                if matches!(ty, Ty::Struct(_)) && op == UnOp::Neg {
                    let span = u.op.span();
                    self.operator_check("Neg", v, v, span);
                    let m = crate::impls::op_method("neg", &crate::impls::Rhs::Same, span);
                    let operand = &u.expr;
                    let v = self.expr(&syn::parse_quote_spanned!(span=> (#operand).#m()), hint);
                    return self.operator_result(v, hint);
                }
                Val::Scalar(self.push(OpKind::Unary(op, v), ty))
            }
            _ => {
                self.errors
                    .at(u, "unsupported unary operator in #[grad] body");
                self.poison()
            }
        }
    }

    pub(super) fn cond(&mut self, e: &Expr) -> Value {
        if let Expr::Let(l) = e {
            self.errors.at(
                l,
                "`while let` and `let` inside a condition are not supported in #[grad] bodies; use `if let` / `match`, or a `while` loop with a comparison",
            );
            return self.push(OpKind::Verbatim("false".into()), Ty::Bool);
        }
        let v = self.expr(e, Some(Ty::Bool));
        let v = self.scalar(v, e, "a condition");
        // A guess (a field of data, `o.event`): a condition says it is a `bool`.
        if self.ty(v) != Ty::Bool && self.guessed.contains(&v) {
            self.settle(v, Ty::Bool);
        }
        if self.ty(v) != Ty::Bool && !self.poisoned.contains(&v) {
            self.errors.at(e, "a condition must be a `bool`");
        }
        v
    }

    pub(super) fn binary(&mut self, b: &syn::ExprBinary, hint: Option<Ty>) -> Val {
        use syn::BinOp as S;
        let arith = |op: &S| -> Option<(BinOp, bool)> {
            Some(match op {
                S::Add(_) => (BinOp::Add, false),
                S::Sub(_) => (BinOp::Sub, false),
                S::Mul(_) => (BinOp::Mul, false),
                S::Div(_) => (BinOp::Div, false),
                S::Rem(_) => (BinOp::Rem, false),
                S::BitAnd(_) => (BinOp::BitAnd, false),
                S::BitOr(_) => (BinOp::BitOr, false),
                S::BitXor(_) => (BinOp::BitXor, false),
                S::Shl(_) => (BinOp::Shl, false),
                S::Shr(_) => (BinOp::Shr, false),
                S::AddAssign(_) => (BinOp::Add, true),
                S::SubAssign(_) => (BinOp::Sub, true),
                S::MulAssign(_) => (BinOp::Mul, true),
                S::DivAssign(_) => (BinOp::Div, true),
                S::RemAssign(_) => (BinOp::Rem, true),
                S::BitAndAssign(_) => (BinOp::BitAnd, true),
                S::BitOrAssign(_) => (BinOp::BitOr, true),
                S::BitXorAssign(_) => (BinOp::BitXor, true),
                S::ShlAssign(_) => (BinOp::Shl, true),
                S::ShrAssign(_) => (BinOp::Shr, true),
                _ => return None,
            })
        };
        let cmp = match b.op {
            S::Lt(_) => Some(CmpOp::Lt),
            S::Le(_) => Some(CmpOp::Le),
            S::Gt(_) => Some(CmpOp::Gt),
            S::Ge(_) => Some(CmpOp::Ge),
            S::Eq(_) => Some(CmpOp::Eq),
            S::Ne(_) => Some(CmpOp::Ne),
            _ => None,
        };
        if let Some(op) = cmp {
            let (l, r) = self.operands(b, None);
            if self.ty(l) != self.ty(r) {
                let lt = self.ty(l);
                self.mixed(b, lt);
            }
            return Val::Scalar(self.push(OpKind::Cmp(op, l, r), Ty::Bool));
        }
        if matches!(b.op, S::And(_) | S::Or(_)) {
            // Short-circuit: the right operand runs in a region of an `if`.
            let l = self.cond(&b.left);
            let (r_ops, r) = self.region(|s| s.cond(&b.right));
            let (k_ops, k) = self.region(|s| {
                let text = if matches!(b.op, S::And(_)) {
                    "false"
                } else {
                    "true"
                };
                s.push(OpKind::Verbatim(text.into()), Ty::Bool)
            });
            let rhs = Region {
                args: Vec::new(),
                ops: r_ops,
                yields: vec![r],
            };
            let konst = Region {
                args: Vec::new(),
                ops: k_ops,
                yields: vec![k],
            };
            let (t, e) = if matches!(b.op, S::And(_)) {
                (rhs, konst)
            } else {
                (konst, rhs)
            };
            let res = self.func.new_value(Ty::Bool);
            self.ops.push(Op {
                results: vec![res],
                kind: OpKind::If(l, t, e),
            });
            return Val::Scalar(res);
        }
        let Some((op, compound)) = arith(&b.op) else {
            self.errors.at(b.op, "unsupported operator in #[grad] body");
            return self.poison();
        };
        let (l, r) = self.operands(b, hint);
        // An element of a slice of structs in an operator (`ps[i] - ps[j]`):
        // a struct value.
        for v in [l, r] {
            if self.elems.contains_key(&v) {
                self.whole_struct_elem(v);
            }
        }
        let (lt, rt) = (self.ty(l), self.ty(r));
        if matches!(lt, Ty::Array(_)) || matches!(rt, Ty::Array(_)) {
            self.errors.at(b, "arithmetic on whole arrays is not supported in #[grad] bodies; write a loop over the elements");
            return self.poison();
        }
        if matches!(lt, Ty::Struct(_)) || matches!(rt, Ty::Struct(_)) {
            return self.struct_operator(b, lt, rt, hint);
        }
        if lt != rt {
            self.mixed(b, lt);
        } else if lt == Ty::Float
            && !matches!(
                op,
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
            )
        {
            self.errors
                .at(b.op, "bitwise operators do not apply to floats");
        }
        let res = self.push(OpKind::Binary(op, l, r), lt);
        // Two guesses make a guess (`self.years * self.freq` of data): the use
        // of the result settles the operands too.
        if self.guessed.contains(&l) && self.guessed.contains(&r) {
            self.guessed.insert(res);
            self.guessed_from.insert(res, (l, r));
        }
        let v = Val::Scalar(res);
        if compound {
            self.assign_to(&b.left, v);
            Val::Unit
        } else {
            v
        }
    }

    /// Reports a float mixed with an integer, at the integer operand.
    pub(super) fn mixed(&mut self, b: &syn::ExprBinary, left_ty: Ty) {
        if self.poisoned.contains(&self.last_operands.0)
            || self.poisoned.contains(&self.last_operands.1)
        {
            return;
        }
        let int_side = if left_ty == Ty::Float {
            &b.right
        } else {
            &b.left
        };
        let msg = match &**int_side {
            Expr::Lit(syn::ExprLit { lit: Lit::Int(i), .. }) => format!(
                "cannot mix a float and the integer literal `{}`; write it as a float literal: `{}.0`",
                i,
                i.base10_digits()
            ),
            _ => MIXED.to_string(),
        };
        self.errors.at(int_side, msg);
    }

    /// Gives a guessed path the type `ty` that its use requires.
    /// Whether `v` is a struct value: typed as one, or a call's result of
    /// unseen type whose field is read (typed a struct now, of a type that a
    /// loop's or an `if`'s other value may name).
    pub(super) fn as_struct(&mut self, v: Value) -> bool {
        match self.ty(v) {
            Ty::Struct(_) => true,
            Ty::Float
                if self.guessed.contains(&v)
                    && (self.untyped_results.contains(&v) || self.unseen_elems.contains(&v)) =>
            {
                self.func.values[v.0 as usize].ty = self.func.struct_ty("_".into());
                true
            }
            _ => false,
        }
    }

    /// `v` typed `ty` if it is a struct value of unnamed type (`Ty::Struct("_")`,
    /// a call's result) or a guess (`settle`): where a loop's init or an `if`'s
    /// other branch names the struct.
    pub(super) fn name_struct(&mut self, v: Value, ty: Ty) {
        let unnamed = matches!(self.ty(v), Ty::Struct(i)
            if self.func.structs.get(i as usize).is_some_and(|t| t == "_"));
        if unnamed && matches!(ty, Ty::Struct(_)) {
            self.func.values[v.0 as usize].ty = ty;
        } else {
            self.settle(v, ty);
        }
    }

    pub(super) fn settle(&mut self, v: Value, ty: Ty) {
        if self.guessed.remove(&v) && !matches!(ty, Ty::Array(_)) {
            self.func.values[v.0 as usize].ty = ty;
            if let Some((a, b)) = self.guessed_from.remove(&v) {
                self.settle(a, ty);
                self.settle(b, ty);
            }
        }
    }

    pub(super) fn operands(&mut self, b: &syn::ExprBinary, hint: Option<Ty>) -> (Value, Value) {
        let l = self.expr(&b.left, hint);
        let l = self.scalar(l, &b.left, "an operand");
        let lt = self.ty(l);
        // A guessed type (data unwrapped, a call's result) is no hint: the
        // right operand may be what types it (`m * (-1.05 + v)`).
        let r_hint = if self.guessed.contains(&l) {
            hint
        } else {
            Some(lt)
        };
        let r = self.expr(&b.right, r_hint);
        let r = self.scalar(r, &b.right, "an operand");
        self.last_operands = (l, r);
        let rt = self.ty(r);
        if lt != rt {
            let (gl, gr) = (self.guessed.contains(&l), self.guessed.contains(&r));
            if gl && gr {
                // Both typed by a guess (a field read and unwrapped data): a
                // number that meets a float is a float.
                if lt == Ty::Float {
                    self.settle(r, lt);
                } else {
                    self.settle(l, rt);
                }
            } else if gl {
                self.settle(l, rt);
            } else {
                self.settle(r, lt);
            }
        }
        (l, r)
    }

    pub(super) fn assign_to(&mut self, target: &Expr, v: Val) {
        match target {
            Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                let name = p.path.segments[0].ident.to_string();
                if !self.assign(&name, v) {
                    self.errors.at(
                        target,
                        format!("cannot assign to `{name}`: it is not a local of this function"),
                    );
                }
            }
            Expr::Paren(p) => self.assign_to(&p.expr, v),
            Expr::Index(ix) => self.store_to(ix, v),
            Expr::Field(_) if field_name(target).is_some_and(|n| self.lookup(&n).is_some()) => {
                if let Some(n) = field_name(target) {
                    self.assign(&n, v);
                }
            }
            // A field of a local struct value: a new version of the struct.
            Expr::Field(_) if self.struct_value_path(target).is_some() => {
                if let Some((name, s, path)) = self.struct_value_path(target) {
                    self.store_field(&name, s, path, v, target);
                }
            }
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                let place = match &*u.expr {
                    Expr::Path(p) => p.path.get_ident().and_then(|i| match self.lookup(&i.to_string()) {
                        Some(Val::Place { at, idx }) => Some((*at, *idx)),
                        _ => None,
                    }),
                    _ => None,
                };
                match place {
                    Some((at, idx)) => {
                        let x = self.scalar(v, target, "the value to store");
                        self.place_store(at, idx, x);
                    }
                    None => self.errors.at(
                        target,
                        "cannot assign through a reference in a #[grad] body; compute a new local instead (or write through the items of `y.iter_mut()` of a local array)",
                    ),
                }
            }
            _ => self.errors.at(
                target,
                "unsupported assignment target in #[grad] body; assign to a local variable (or an element `a[i]`, or a field of a struct parameter)",
            ),
        }
    }
}

pub(super) const RECORD_WHOLE: &str = "a struct built in the body is used field by field (`s.pos[0]`, `s.vel = …`); passing it on, returning it or choosing it in an `if` whole is not supported yet";

impl Lowering<'_, '_> {
    /// `a - b`, `v * 2.0`, `a += b` on structs: the call of the operator's
    /// hidden method that `#[grad] impl Sub for Vec3` adds (`impls`), by
    /// method syntax (`a.autodiff_op_sub(b)`; `a = a.autodiff_op_add_assign(b)`).
    fn struct_operator(&mut self, b: &syn::ExprBinary, lt: Ty, rt: Ty, hint: Option<Ty>) -> Val {
        use crate::impls::{op_method, Rhs};
        use syn::BinOp as S;
        // A call's result of unseen type on the left (`let mut c =
        // V3::default(); … c + p`): a struct, like the right.
        let (l0, _) = self.last_operands;
        let lt = if !matches!(lt, Ty::Struct(_))
            && self.guessed.contains(&l0)
            && self.untyped_results.contains(&l0)
            && self.as_struct(l0)
        {
            self.guessed.remove(&l0);
            self.name_struct(l0, rt);
            self.ty(l0)
        } else {
            lt
        };
        if !matches!(lt, Ty::Struct(_)) {
            self.errors.at(b, "an operator with a number on the left of a struct (`2.0 * v`) is not differentiated: write the struct first (`v * 2.0`, with `#[grad] impl Mul<f64> for …`)");
            return self.poison();
        }
        let name = |t: Ty, func: &crate::ir::Func| match t {
            Ty::Struct(i) => func.structs.get(i as usize).cloned(),
            _ => None,
        };
        let rhs = match rt {
            Ty::Struct(_) => match (name(lt, &self.func), name(rt, &self.func)) {
                (Some(l), Some(r)) => {
                    let last = |t: &str| t.rsplit("::").next().unwrap_or(t).trim().to_string();
                    let (l, r) = (last(&l), last(&r));
                    // `Self` (in an `impl`) and an unnamed struct are the
                    // other side's type.
                    let same = l == r || [&l, &r].iter().any(|t| *t == "_" || *t == "Self");
                    if same {
                        Rhs::Same
                    } else {
                        Rhs::Other(r)
                    }
                }
                _ => Rhs::Same,
            },
            _ => Rhs::Scalar,
        };
        let op = match b.op {
            S::Add(_) | S::AddAssign(_) => "add",
            S::Sub(_) | S::SubAssign(_) => "sub",
            S::Mul(_) | S::MulAssign(_) => "mul",
            S::Div(_) | S::DivAssign(_) => "div",
            S::Rem(_) | S::RemAssign(_) => "rem",
            _ => {
                self.errors.at(
                    b.op,
                    "this operator does not apply to structs in #[grad] bodies",
                );
                return self.poison();
            }
        };
        let compound = matches!(
            b.op,
            S::AddAssign(_) | S::SubAssign(_) | S::MulAssign(_) | S::DivAssign(_) | S::RemAssign(_)
        );
        let span = b.op.span();
        let marker = format!(
            "{}{}",
            op[..1].to_uppercase() + &op[1..],
            if compound { "Assign" } else { "" }
        );
        let (lv, rv) = self.last_operands;
        self.operator_check(&marker, lv, rv, span);
        let (l, r) = (&b.left, &b.right);
        if compound {
            let m = op_method(&format!("{op}_assign"), &rhs, span);
            let v = self.expr(&syn::parse_quote_spanned!(span=> (#l).#m(#r)), None);
            let v = self.operator_result(v, Some(lt));
            self.assign_to(l, v);
            Val::Unit
        } else {
            // A struct, whatever a float context guessed (`c = c + p` where
            // `c` was a guess).
            let hint = hint.filter(|t| matches!(t, Ty::Struct(_)));
            let m = op_method(op, &rhs, span);
            let v = self.expr(&syn::parse_quote_spanned!(span=> (#l).#m(#r)), hint);
            self.operator_result(v, hint)
        }
    }

    /// The compile-time check that the operator is differentiated (its impl
    /// has `#[grad]`), reported at the operator when it is not.
    fn operator_check(&mut self, op: &str, l: Value, r: Value, span: proc_macro2::Span) {
        let op = syn::Ident::new(op, span);
        self.ops.push(Op {
            results: Vec::new(),
            kind: OpKind::Effect(Box::new(crate::ir::Effect {
                path: syn::parse_quote_spanned!(span=> ::autodiff::__private::grad_operator_check),
                args: vec![
                    crate::ir::EffectArg::Tokens(op.to_token_stream()),
                    crate::ir::EffectArg::Value(l),
                    crate::ir::EffectArg::Value(r),
                ],
                diverges: false,
            })),
        });
    }

    /// An operator's result on structs: a struct (`Output` is nearly always the
    /// type itself; an unnamed one, so that nothing names a wrong type), unless
    /// the context says otherwise.
    pub(super) fn operator_result(&mut self, v: Val, hint: Option<Ty>) -> Val {
        let Val::Scalar(r) = v else {
            return v;
        };
        if !matches!(hint, None | Some(Ty::Struct(_))) {
            return v;
        }
        if self.guessed.contains(&r) && self.untyped_results.contains(&r) && self.as_struct(r) {
            // Typed now: a float operand it meets does not retype it.
            self.guessed.remove(&r);
            if let Some(t) = hint {
                self.name_struct(r, t);
            }
        }
        v
    }
}
