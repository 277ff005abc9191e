//! Lowering of statements: `let` (with patterns, annotations, struct literals
//! and copies), expression statements, `const` items, and the binding of patterns.

use super::*;

impl Lowering<'_, '_> {
    pub(super) fn stmt(&mut self, s: &Stmt, last: bool) -> Val {
        let attrs: &[syn::Attribute] = match s {
            Stmt::Local(l) => &l.attrs,
            Stmt::Macro(m) => &m.attrs,
            Stmt::Expr(e, _) => expr_attrs(e),
            Stmt::Item(_) => &[],
        };
        if let Some(a) = attrs
            .iter()
            .find(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
        {
            self.errors.at(
                a,
                "`#[cfg]` on a statement of a #[grad] body is not supported: the macro cannot tell whether it is compiled in; put the configured code in its own #[grad] function",
            );
            return Val::Unit;
        }
        if let Stmt::Expr(Expr::Verbatim(v), _) = s {
            if v.is_empty() {
                return Val::Unit; // an empty statement: `;`
            }
        }
        match s {
            Stmt::Local(local) => {
                // `let P2 { a, b } = *p;`: one `let` per field.
                if let (Pat::Struct(ps), Some(init)) = (&local.pat, &local.init) {
                    if init.diverge.is_none() {
                        if let Some(base) = struct_base(&init.expr) {
                            for fp in &ps.fields {
                                let (sub, member) = (&fp.pat, &fp.member);
                                let field: Stmt = syn::parse_quote!(let #sub = #base.#member;);
                                self.stmt(&field, false);
                            }
                            return Val::Unit;
                        }
                    }
                }
                if let Some(init) = &local.init {
                    let (pat, hint, tuple_tys) = match &local.pat {
                        Pat::Type(pt) => {
                            let tys = match &*pt.ty {
                                Type::Tuple(tt) => Some(
                                    tt.elems
                                        .iter()
                                        .map(|t| self.type_of(t).unwrap_or(Ty::Float))
                                        .collect(),
                                ),
                                _ => None,
                            };
                            (&*pt.pat, self.type_of(&pt.ty), tys)
                        }
                        Pat::Tuple(tp) => (&local.pat, None, Some(vec![Ty::Float; tp.elems.len()])),
                        p => (p, None, None),
                    };
                    match &*init.expr {
                        Expr::Call(_) => self.pending_shape = tuple_tys,
                        Expr::MethodCall(_) => self.pending_method_shape = tuple_tys,
                        _ => {}
                    }
                    // A struct literal, or a copy of one: its fields as locals.
                    if let Pat::Ident(pi) = pat {
                        if pi.subpat.is_none() && self.record(&pi.ident.to_string(), &init.expr) {
                            return Val::Unit;
                        }
                        // `let mut s = S::default();`: its fields as locals too.
                        let annotated = match &local.pat {
                            Pat::Type(pt) => Some(&*pt.ty),
                            _ => None,
                        };
                        if pi.subpat.is_none()
                            && self.default_record(&pi.ident.to_string(), annotated, &init.expr)
                        {
                            return Val::Unit;
                        }
                    }
                    // `let mut c = b;` of a struct: a copy field by field
                    // (below), not a use of `b` whole.
                    let copy = matches!(&*init.expr, Expr::Path(_));
                    let saved = std::mem::replace(&mut self.struct_copy_init, copy);
                    let v = self.expr(&init.expr, hint);
                    self.struct_copy_init = saved;
                    // `let mut acc = *b;` of an item of a struct field: a number
                    // the body goes on to update (loops carry it as one).
                    let v = match (v, pat) {
                        (Val::Row { base, idx }, Pat::Ident(pi)) if pi.mutability.is_some() => {
                            Val::Scalar(self.row_copy(base, idx))
                        }
                        (v, _) => v,
                    };
                    // `let b = a;` copies an array: `b` and `a` change separately.
                    let named = match &*init.expr {
                        Expr::Path(_) => true,
                        Expr::Unary(u) => {
                            matches!((&u.op, &*u.expr), (syn::UnOp::Deref(_), Expr::Path(_)))
                        }
                        _ => false,
                    };
                    let v = match (named, v) {
                        (true, Val::Scalar(a)) if matches!(self.ty(a), Ty::Array(_)) => {
                            Val::Scalar(self.copy_array(a, &init.expr))
                        }
                        // A struct value (not a parameter: `struct_copy` below):
                        // its own buffer too.
                        (true, Val::Scalar(a))
                            if matches!(self.ty(a), Ty::Struct(_))
                                && !self.structs.contains_key(&a) =>
                        {
                            let ty = self.ty(a);
                            Val::Scalar(self.push(OpKind::Copy(a), ty))
                        }
                        (_, v) => v,
                    };
                    // `let mut best = None;`: the content's type from the
                    // annotation (`Option<[f64; 3]>`), else a float.
                    let v = if matches!(v, Val::Opt { .. }) {
                        let inner = match &local.pat {
                            Pat::Type(pt) => opt::option_inner(&pt.ty).cloned(),
                            _ => None,
                        };
                        self.settle_opt(v, inner.as_ref())
                    } else {
                        v
                    };
                    // `let mut st = s;` of a struct parameter: a copy field by field.
                    if let (Val::Scalar(root), Pat::Ident(pi)) = (&v, pat) {
                        if self.structs.contains_key(root) && pi.subpat.is_none() {
                            let root = *root;
                            self.struct_copy(
                                &pi.ident.to_string(),
                                root,
                                &init.expr,
                                pi.mutability.is_some(),
                            );
                            return Val::Unit;
                        }
                    }
                    self.bind_pat(pat, v);
                } else {
                    self.errors.at(
                        &local.pat,
                        "declare a local with its value (`let x = ...;`): #[grad] bodies do not support deferred initialisation",
                    );
                }
                Val::Unit
            }
            Stmt::Item(syn::Item::Const(c)) => {
                let hint = self.type_of(&c.ty);
                let v = self.expr(&c.expr, hint);
                self.bind(c.ident.to_string(), v);
                Val::Unit
            }
            // `use std::f64::consts::PI;`: repeated at the top of each
            // companion's body (`emit::body_uses`).
            Stmt::Item(syn::Item::Use(_)) => Val::Unit,
            Stmt::Item(item) => {
                let at = match item {
                    syn::Item::Fn(f) => {
                        let (fn_token, ident) = (&f.sig.fn_token, &f.sig.ident);
                        // Calls to it would only repeat this error.
                        self.bind(ident.to_string(), Val::Poisoned);
                        quote::quote!(#fn_token #ident)
                    }
                    other => other.to_token_stream(),
                };
                self.errors.at(
                    at,
                    "items inside a #[grad] body are not supported (only `const`); move this item out of the function",
                );
                Val::Unit
            }
            Stmt::Macro(m) => {
                let v = self.macro_call(&m.mac);
                if m.semi_token.is_none() && last || v == Val::Never {
                    v
                } else {
                    Val::Unit
                }
            }
            Stmt::Expr(e, semi) => {
                let hint = if semi.is_none() && last {
                    self.tail_hint
                } else {
                    None
                };
                // `s.step(dt);` on a struct value: a `&mut self` method, whose
                // `#[grad]` emits a by-value twin (`expand.rs`): `s =
                // s.autodiff_mut_step(dt);`.
                if let (Expr::MethodCall(m), Some(_)) = (e, semi) {
                    let name = super::fields::mut_self_call(m);
                    let is_struct = name.as_ref().is_some_and(|n| {
                        matches!(self.lookup(n), Some(Val::Scalar(v))
                            if matches!(self.ty(*v), Ty::Struct(_)))
                    });
                    if is_struct {
                        let twin = crate::impls::mut_twin(&m.method);
                        let (recv, args) = (&m.receiver, &m.args);
                        let e: Expr = syn::parse_quote!(#recv = (#recv).#twin(#args));
                        return {
                            self.expr(&e, None);
                            Val::Unit
                        };
                    }
                }
                // `rhs(&y, &p, &mut dy);`: a call whose value is dropped (a
                // callee that returns `()` when it writes output arrays).
                self.discarded = semi.is_some() && matches!(e, Expr::Call(_));
                let v = self.expr(e, hint);
                self.discarded = false;
                if semi.is_none() && last {
                    v
                } else {
                    Val::Unit
                }
            }
        }
    }

    pub(super) fn bind_pat(&mut self, pat: &Pat, v: Val) {
        match pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                self.bind(pi.ident.to_string(), v);
            }
            Pat::Wild(_) => {}
            Pat::Type(pt) => self.bind_pat(&pt.pat, v),
            // `&row`, `&(p, t)`: by value, whatever is bound inside (an
            // array read from an element is otherwise held by reference).
            Pat::Reference(r) => {
                if let Val::Scalar(x) = &v {
                    if self.elems.contains_key(x) {
                        self.refs.remove(x);
                    }
                }
                self.bind_pat(&r.pat, v);
                let mut names = Vec::new();
                pat_names(&r.pat, &mut names);
                for n in names {
                    if let Some(Val::Scalar(x)) = self.lookup(&n).cloned() {
                        if self.elems.contains_key(&x) {
                            self.refs.remove(&x);
                        }
                    }
                }
            }
            Pat::Paren(pp) => self.bind_pat(&pp.pat, v),
            Pat::Tuple(pt) => match v {
                Val::Tuple(vs) if vs.len() == pt.elems.len() => {
                    for (p, v) in pt.elems.iter().zip(vs) {
                        self.bind_pat(p, v);
                    }
                }
                // An element of a slice of tuples: its fields.
                Val::Scalar(x) if self.elems.contains_key(&x) => {
                    if let Some((b, idx)) = self.elems.get(&x).cloned() {
                        let vs = self.elem_tuple(b, idx, pt.elems.len());
                        for (p, v) in pt.elems.iter().zip(vs) {
                            self.bind_pat(p, v);
                        }
                    }
                }
                // An element of data of a shape not seen here (a `const` table
                // of tuples): its fields, read like a struct value's.
                Val::Scalar(x) if self.unseen_elems.contains(&x) && self.as_struct(x) => {
                    self.record_slices
                        .entry(x)
                        .or_insert_with(|| syn::parse_quote!(_));
                    let vs = self.elem_tuple(x, Vec::new(), pt.elems.len());
                    for (p, v) in pt.elems.iter().zip(vs) {
                        self.bind_pat(p, v);
                    }
                }
                // A tuple parameter: its elements.
                Val::Scalar(root) if self.structs.contains_key(&root) => {
                    match self.tuple_elements(root, pt.elems.len()) {
                        Some(vs) => {
                            for (p, v) in pt.elems.iter().zip(vs) {
                                self.bind_pat(p, v);
                            }
                        }
                        None => self.errors.at(pt, "this tuple pattern does not match the value's shape"),
                    }
                }
                _ => self.errors.at(pt, "this tuple pattern does not match the value's shape"),
            },
            // `let [x, y, z] = a;`: each name an element.
            Pat::Slice(ps) => {
                let a = match v {
                    Val::Scalar(a) if matches!(self.ty(a), Ty::Array(_)) => a,
                    // A row of a struct field (`let [x, y] = p.w[i];`).
                    Val::Scalar(a) if self.rows.contains_key(&a) => self.as_row(a).unwrap_or(a),
                    // An element of a slice of an array alias (`let [x, y, z] = *p;`
                    // of `p` in `points: &[Vec3]`): read through its index path.
                    Val::Scalar(a) if self.elems.contains_key(&a) && !ps.elems.iter().any(|p| matches!(p, Pat::Rest(_))) => {
                        let (b, at) = self.elems[&a].clone();
                        for (i, p) in ps.elems.iter().enumerate() {
                            let k = self.push(OpKind::Verbatim(format!("{i}usize")), Ty::Int);
                            let mut path = at.clone();
                            path.push(k);
                            let x = self.elem_load(b, path);
                            self.bind_pat(p, Val::Scalar(x));
                        }
                        return;
                    }
                    // A call's result not typed yet (`let [u, v] = cam.project(p);`):
                    // an array of as many numbers as the pattern names.
                    Val::Scalar(a)
                        if !ps.elems.iter().any(|p| matches!(p, Pat::Rest(_)))
                            && self.guessed.remove(&a) =>
                    {
                        let n = crate::ir::Len::Const(ps.elems.len().to_string());
                        self.func.values[a.0 as usize].ty = self.func.array_ty(Ty::Float, n);
                        a
                    }
                    Val::Poisoned => return,
                    _ => {
                        self.errors.at(ps, "an array pattern needs an array");
                        return;
                    }
                };
                if ps.elems.iter().any(|p| matches!(p, Pat::Rest(_))) {
                    self.errors.at(ps, "name every element here (`let [x, y, z] = a;`), or index the array");
                    return;
                }
                for (i, p) in ps.elems.iter().enumerate() {
                    let k = self.push(OpKind::Verbatim(format!("{i}usize")), Ty::Int);
                    let ty = self.func.index_ty(self.ty(a), 1).unwrap_or(Ty::Float);
                    let x = self.push(OpKind::Load(a, vec![k]), ty);
                    self.bind_pat(p, Val::Scalar(x));
                }
            }
            p => self.errors.at(
                p,
                "unsupported pattern in #[grad] body; bind a plain name (`let x = ...`) or a tuple of names",
            ),
        }
    }
}

/// The struct a struct pattern takes apart, as a place to read fields from:
/// `p`, `*p`, `self.state` (`None`: a value that is not a named place).
fn struct_base(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Path(_) | Expr::Field(_) => Some(e),
        Expr::Paren(p) => struct_base(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => struct_base(&u.expr),
        Expr::Reference(r) => struct_base(&r.expr),
        _ => None,
    }
}

/// The attributes of an expression statement.
pub(super) fn expr_attrs(e: &Expr) -> &[syn::Attribute] {
    match e {
        Expr::Block(b) => &b.attrs,
        Expr::If(i) => &i.attrs,
        Expr::ForLoop(f) => &f.attrs,
        Expr::While(w) => &w.attrs,
        Expr::Assign(a) => &a.attrs,
        Expr::Binary(b) => &b.attrs,
        Expr::Call(c) => &c.attrs,
        Expr::MethodCall(m) => &m.attrs,
        Expr::Unsafe(u) => &u.attrs,
        _ => &[],
    }
}

/// The names a pattern binds.
fn pat_names(p: &Pat, out: &mut Vec<String>) {
    match p {
        Pat::Ident(pi) => {
            out.push(pi.ident.to_string());
            if let Some((_, sp)) = &pi.subpat {
                pat_names(sp, out);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|e| pat_names(e, out)),
        Pat::Slice(s) => s.elems.iter().for_each(|e| pat_names(e, out)),
        Pat::Reference(r) => pat_names(&r.pat, out),
        Pat::Paren(pp) => pat_names(&pp.pat, out),
        Pat::Type(t) => pat_names(&t.pat, out),
        _ => {}
    }
}
