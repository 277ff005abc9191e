//! `match` and `matches!`: patterns as conditions.
//!
//! A `match` lowers to a chain of `if`s, one per arm, in order: the arm's
//! pattern becomes a condition on the scrutinee (`==` a literal or a constant,
//! `lo <= s && s <= hi` for a range, `|` of alternatives, element-wise for a
//! tuple), its guard is tested (with the pattern's bindings) only when the
//! pattern matches, and the last arm is the `else` (Rust checked that the match is
//! exhaustive). Arms give values of one shape, or assign outer names, like the
//! branches of an `if`. Scrutinees are values of the body: integers, `bool`s,
//! `char`s, floats (with guards or float ranges), tuples of them, and `Option`s
//! and `Result`s of data (`Some(p)` is `s.is_some()`, then `p` matched against
//! `s.unwrap()`); nothing a condition reads carries a gradient. The same
//! patterns serve `if let` and `let … else` (`flow.rs`).

use super::{Lowering, Val};
use crate::ir::{BinOp, CmpOp, OpKind, Ty, Value};
use quote::ToTokens;
use syn::visit::Visit;
use syn::{Arm, Expr, ExprMatch, Pat};

impl Lowering<'_, '_> {
    pub(super) fn match_expr(&mut self, m: &ExprMatch) -> Val {
        if let Some(at) = m.arms.iter().find_map(|a| exit_in(&a.body)) {
            self.errors.at(
                at,
                "`return`, `break` and `continue` inside a `match` arm are not supported; write this `match` as an `if` / `else if` chain",
            );
            return self.poison();
        }
        let s = self.expr(&m.expr, None);
        if matches!(s, Val::Poisoned | Val::Closure(_) | Val::Unit) {
            if !matches!(s, Val::Poisoned) {
                self.errors.at(
                    &m.expr,
                    "match on a number, a `bool`, a `char` or a tuple of them",
                );
            }
            return self.poison();
        }
        let hint = self.tail_hint;
        self.arms(&s, &m.arms, m, hint)
    }

    fn arms(&mut self, s: &Val, arms: &[Arm], whole: &ExprMatch, hint: Option<Ty>) -> Val {
        let Some((arm, rest)) = arms.split_first() else {
            // A `match` with no arms has an uninhabited scrutinee.
            self.errors
                .at(whole, "a `match` without arms cannot be differentiated");
            return self.poison();
        };
        let mut body = |l: &mut Self| {
            l.scopes.push(Vec::new());
            l.bind_match(&arm.pat, s);
            let v = l.expr(&arm.body, hint);
            l.scopes.pop();
            v
        };
        // The last arm matches whatever reaches it.
        let cond = if rest.is_empty() {
            None
        } else {
            self.arm_cond(s, arm)
        };
        match cond {
            None => body(self),
            Some(c) => self.branch(
                c,
                &mut body,
                &mut |l| l.arms(s, rest, whole, hint),
                true,
                whole,
            ),
        }
    }

    /// The condition under which `arm` is taken (`None`: always).
    fn arm_cond(&mut self, s: &Val, arm: &Arm) -> Option<Value> {
        let pc = self.pat_cond(s, &arm.pat);
        let Some((_, guard)) = &arm.guard else {
            return pc;
        };
        // The guard sees the pattern's bindings, and runs only if it matched.
        let (ops, g) = self.region(|l| {
            l.scopes.push(Vec::new());
            l.bind_match(&arm.pat, s);
            let g = l.cond(guard);
            l.scopes.pop();
            g
        });
        match pc {
            None => {
                self.ops.extend(ops);
                Some(g)
            }
            Some(c) => {
                let (f_ops, f) =
                    self.region(|l| l.push(OpKind::Verbatim("false".into()), Ty::Bool));
                self.push_if(c, (ops, vec![g]), (f_ops, vec![f]))
                    .first()
                    .copied()
            }
        }
    }

    /// The condition under which `s` matches `p` (`None`: always).
    pub(super) fn pat_cond(&mut self, s: &Val, p: &Pat) -> Option<Value> {
        // An `Option` of the body: its tag, and its content's pattern.
        if let (Val::Opt { tag, payload }, Some(variant)) = (s, variant_of(p)) {
            return match variant {
                Variant::Some => match variant_inner(p).and_then(|q| self.pat_cond(payload, q)) {
                    Some(c) => Some(self.push(OpKind::Binary(BinOp::BitAnd, *tag, c), Ty::Bool)),
                    None => Some(*tag),
                },
                Variant::None => Some(self.not(*tag)),
                _ => {
                    self.errors.at(p, "an `Option` matches `Some(…)` or `None`");
                    Some(self.push(OpKind::Verbatim("false".into()), Ty::Bool))
                }
            };
        }
        if let Some(variant) = variant_of(p) {
            return self.variant_cond(s, p, variant);
        }
        match p {
            Pat::Wild(_) | Pat::Rest(_) => None,
            Pat::Ident(pi) => pi.subpat.as_ref().and_then(|(_, sp)| self.pat_cond(s, sp)),
            Pat::Paren(pp) => self.pat_cond(s, &pp.pat),
            Pat::Reference(r) => self.pat_cond(s, &r.pat),
            Pat::Type(t) => self.pat_cond(s, &t.pat),
            Pat::Lit(l) => {
                let sv = self.scrutinee(s, p)?;
                // A guessed scrutinee (a field of data, `o.event`): the
                // literal says its type (`true`, `3`).
                let guessed = self.guessed.contains(&sv);
                let hint = (!guessed).then(|| self.ty(sv));
                let v = self.lit(&l.lit, hint);
                let v = self.scalar(v, l, "a pattern");
                if guessed && self.ty(v) != self.ty(sv) {
                    self.settle(sv, self.ty(v));
                }
                Some(self.cmp(CmpOp::Eq, sv, v))
            }
            Pat::Path(pp) => {
                let sv = self.scrutinee(s, p)?;
                let hint = Some(self.ty(sv));
                let v = self.path(pp, hint);
                let v = self.scalar(v, pp, "a pattern");
                Some(self.cmp(CmpOp::Eq, sv, v))
            }
            Pat::Range(r) => {
                let sv = self.scrutinee(s, p)?;
                let hint = Some(self.ty(sv));
                let mut conds = Vec::new();
                if let Some(lo) = &r.start {
                    let v = self.expr(lo, hint);
                    let v = self.scalar(v, lo, "a range bound");
                    conds.push(self.cmp(CmpOp::Ge, sv, v));
                }
                if let Some(hi) = &r.end {
                    let v = self.expr(hi, hint);
                    let v = self.scalar(v, hi, "a range bound");
                    let op = match r.limits {
                        syn::RangeLimits::Closed(_) => CmpOp::Le,
                        syn::RangeLimits::HalfOpen(_) => CmpOp::Lt,
                    };
                    conds.push(self.cmp(op, sv, v));
                }
                self.all(conds, BinOp::BitAnd)
            }
            Pat::Or(o) => {
                let mut conds = Vec::new();
                for case in &o.cases {
                    // One alternative that always matches: the whole does.
                    conds.push(self.pat_cond(s, case)?);
                }
                self.all(conds, BinOp::BitOr)
            }
            Pat::Tuple(t) => {
                let Val::Tuple(vs) = s else {
                    self.errors.at(t, "a tuple pattern needs a tuple to match");
                    return Some(self.push(OpKind::Verbatim("false".into()), Ty::Bool));
                };
                if vs.len() != t.elems.len() {
                    self.errors
                        .at(t, "this tuple pattern does not match the value's shape");
                    return Some(self.push(OpKind::Verbatim("false".into()), Ty::Bool));
                }
                let conds: Vec<Value> = t
                    .elems
                    .iter()
                    .zip(vs)
                    .filter_map(|(p, v)| self.pat_cond(v, p))
                    .collect();
                self.all(conds, BinOp::BitAnd)
            }
            other => {
                self.errors.at(
                    other,
                    "unsupported pattern in a #[grad] `match`; use literals, ranges, `|`, constants, `_`, names, tuples of them and `Some` / `None` / `Ok` / `Err` of data, or an `if` chain",
                );
                Some(self.push(OpKind::Verbatim("false".into()), Ty::Bool))
            }
        }
    }

    /// The condition under which `s` (an `Option` or a `Result` of data) is
    /// `variant`, and its content matches the inner pattern: that is tested
    /// only when the variant matched (`unwrap` would panic otherwise).
    fn variant_cond(&mut self, s: &Val, p: &Pat, variant: Variant) -> Option<Value> {
        let sv = self.scrutinee(s, p)?;
        let test = match variant {
            Variant::Some => "is_some",
            Variant::None => "is_none",
            Variant::Ok => "is_ok",
            Variant::Err => "is_err",
        };
        let tag = self.push(OpKind::Method(test.into(), vec![sv]), Ty::Bool);
        let Some(inner) = variant_inner(p) else {
            return Some(tag);
        };
        let (ops, c) = self.region(|l| {
            let v = l.unwrapped(sv, variant);
            l.pat_cond(&v, inner)
        });
        match c {
            // The content matches whatever it is: the variant decides.
            None => Some(tag),
            Some(c) => {
                let (f_ops, f) =
                    self.region(|l| l.push(OpKind::Verbatim("false".into()), Ty::Bool));
                self.push_if(tag, (ops, vec![c]), (f_ops, vec![f]))
                    .first()
                    .copied()
            }
        }
    }

    /// The content of `sv` known to be `variant`: an inactive value typed by its use.
    fn unwrapped(&mut self, sv: Value, variant: Variant) -> Val {
        let get = if variant == Variant::Err {
            "unwrap_err"
        } else {
            "unwrap"
        };
        // On a clone: `unwrap` takes its receiver, which other patterns and
        // uses still read (`if let Ok(c) = cap` twice).
        let c = self.push(OpKind::Method("clone".into(), vec![sv]), Ty::Int);
        self.guessed.insert(c);
        // An `Option<f64>` or `Option<usize>` parameter says its content's type.
        let known = (variant == Variant::Some)
            .then(|| self.option_param_content(sv))
            .flatten();
        let r = self.push(
            OpKind::Method(get.into(), vec![c]),
            known.unwrap_or(Ty::Int),
        );
        if known.is_none() {
            self.guessed.insert(r);
        }
        Val::Scalar(r)
    }

    /// The content's type of an `Option` parameter of data: a float of the
    /// function's type or an integer (`None`: another type, or not a parameter).
    fn option_param_content(&self, v: Value) -> Option<Ty> {
        let i = self.func.params.iter().position(|p| *p == v)?;
        let mut t = &self.sig.params.get(i)?.ty;
        while let syn::Type::Reference(r) = t {
            t = &r.elem;
        }
        let inner = super::opt::option_inner(t)?.to_token_stream().to_string();
        const INTS: [&str; 12] = [
            "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
        ];
        if inner == self.sig.float_name() {
            Some(Ty::Float)
        } else if INTS.contains(&inner.as_str()) {
            Some(Ty::Int)
        } else {
            None
        }
    }

    /// The scrutinee as one value (for a literal, a path or a range pattern).
    fn scrutinee(&mut self, s: &Val, p: &Pat) -> Option<Value> {
        match s {
            Val::Scalar(v) => Some(*v),
            _ => {
                self.errors
                    .at(p, "this pattern needs a single value to match");
                None
            }
        }
    }

    fn cmp(&mut self, op: CmpOp, a: Value, b: Value) -> Value {
        self.push(OpKind::Cmp(op, a, b), Ty::Bool)
    }

    /// `a & b & …` (or `|`) of boolean conditions; `None` for none (always).
    fn all(&mut self, conds: Vec<Value>, op: BinOp) -> Option<Value> {
        let mut it = conds.into_iter();
        let first = it.next()?;
        Some(it.fold(first, |acc, c| {
            self.push(OpKind::Binary(op, acc, c), Ty::Bool)
        }))
    }

    /// Binds the names of pattern `p` matched by `s` (`n`, `n @ 1..=3`, tuples).
    pub(super) fn bind_match(&mut self, p: &Pat, s: &Val) {
        if let (Val::Opt { payload, .. }, Some(_)) = (s, variant_of(p)) {
            if let Some(inner) = variant_inner(p) {
                let payload = (**payload).clone();
                self.bind_match(inner, &payload);
            }
            return;
        }
        if let Some(variant) = variant_of(p) {
            if let (Some(inner), Val::Scalar(sv)) = (variant_inner(p), s) {
                let v = self.unwrapped(*sv, variant);
                self.bind_match(inner, &v);
            }
            return;
        }
        match p {
            Pat::Ident(pi) => {
                self.bind(pi.ident.to_string(), s.clone());
                if let Some((_, sp)) = &pi.subpat {
                    self.bind_match(sp, s);
                }
            }
            Pat::Paren(pp) => self.bind_match(&pp.pat, s),
            Pat::Reference(r) => self.bind_match(&r.pat, s),
            Pat::Type(t) => self.bind_match(&t.pat, s),
            Pat::Tuple(t) => {
                if let Val::Tuple(vs) = s {
                    for (p, v) in t.elems.iter().zip(vs) {
                        self.bind_match(p, v);
                    }
                }
            }
            // Alternatives bind the same names to the same value.
            Pat::Or(o) => {
                if let Some(first) = o.cases.first() {
                    self.bind_match(first, s);
                }
            }
            _ => {}
        }
    }

    /// `matches!(e, pat)` and `matches!(e, pat if guard)`.
    pub(super) fn matches_macro(&mut self, m: &syn::Macro) -> Val {
        let parsed = m.parse_body_with(|input: syn::parse::ParseStream<'_>| {
            let e: Expr = input.parse()?;
            input.parse::<syn::Token![,]>()?;
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            let guard = if input.peek(syn::Token![if]) {
                input.parse::<syn::Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            let _ = input.parse::<Option<syn::Token![,]>>()?;
            Ok((e, pat, guard))
        });
        let (e, pat, guard) = match parsed {
            Ok(x) => x,
            Err(err) => {
                self.errors.push(err);
                return self.poison();
            }
        };
        let s = self.expr(&e, None);
        if matches!(s, Val::Poisoned) {
            return s;
        }
        let arm = Arm {
            attrs: Vec::new(),
            pat,
            guard: guard.map(|g| (Default::default(), Box::new(g))),
            fat_arrow_token: Default::default(),
            body: Box::new(Expr::Verbatim(Default::default())),
            comma: None,
        };
        let c = match self.arm_cond(&s, &arm) {
            Some(c) => c,
            None => self.push(OpKind::Verbatim("true".into()), Ty::Bool),
        };
        Val::Scalar(c)
    }
}

/// A variant of `Option` or `Result`, matched on data.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Some,
    None,
    Ok,
    Err,
}

/// `Some(p)`, `None`, `Ok(p)`, `Err(p)` (also as `Option::Some(p)` …).
fn variant_of(p: &Pat) -> Option<Variant> {
    let last = |path: &syn::Path| path.segments.last().map(|s| s.ident.to_string());
    let (name, arity) = match p {
        Pat::TupleStruct(t) => (last(&t.path)?, t.elems.len()),
        Pat::Path(pp) => (last(&pp.path)?, 0),
        Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() && pi.mutability.is_none() => {
            (pi.ident.to_string(), 0)
        }
        _ => return None,
    };
    match (name.as_str(), arity) {
        ("Some", 1) => Some(Variant::Some),
        ("None", 0) => Some(Variant::None),
        ("Ok", 1) => Some(Variant::Ok),
        ("Err", 1) => Some(Variant::Err),
        _ => None,
    }
}

/// The pattern inside `Some(p)`, `Ok(p)`, `Err(p)`.
fn variant_inner(p: &Pat) -> Option<&Pat> {
    match p {
        Pat::TupleStruct(t) if t.elems.len() == 1 => t.elems.first(),
        _ => None,
    }
}

/// A `return`, `break` or `continue` in `e` (not inside a nested loop or closure).
fn exit_in(e: &Expr) -> Option<proc_macro2::TokenStream> {
    struct Finder(Option<proc_macro2::TokenStream>);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
            self.0
                .get_or_insert_with(|| quote::ToTokens::to_token_stream(r));
        }
        fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
            self.0
                .get_or_insert_with(|| quote::ToTokens::to_token_stream(b));
        }
        fn visit_expr_continue(&mut self, c: &'ast syn::ExprContinue) {
            self.0
                .get_or_insert_with(|| quote::ToTokens::to_token_stream(c));
        }
        fn visit_expr_for_loop(&mut self, _: &'ast syn::ExprForLoop) {}
        fn visit_expr_while(&mut self, _: &'ast syn::ExprWhile) {}
        fn visit_expr_loop(&mut self, _: &'ast syn::ExprLoop) {}
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder(None);
    f.visit_expr(e);
    f.0
}
