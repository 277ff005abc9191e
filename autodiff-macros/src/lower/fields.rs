//! Lowering of struct fields: field paths of struct parameters (read as views
//! defined on entry), and the fields a body assigns (locals of their own).

use super::*;

impl Lowering<'_, '_> {
    /// `p.a.b` where `p` is a struct parameter: the parameter's value and the
    /// field path (no side effects; `None` for anything else).
    pub(super) fn field_path(&self, e: &Expr) -> Option<(Value, Vec<String>)> {
        match e {
            Expr::Field(f) => {
                let (root, mut fields) = self.field_path(&f.base)?;
                fields.push(match &f.member {
                    syn::Member::Named(name) => name.to_string(),
                    // A tuple parameter's element (`p.0`).
                    syn::Member::Unnamed(i) => i.index.to_string(),
                });
                Some((root, fields))
            }
            Expr::Path(p) if p.qself.is_none() => {
                let id = p.path.get_ident()?;
                match self.lookup(&id.to_string())? {
                    Val::Scalar(v) if self.structs.contains_key(v) => Some((*v, Vec::new())),
                    _ => None,
                }
            }
            Expr::Paren(p) => self.field_path(&p.expr),
            _ => None,
        }
    }

    /// A struct parameter (or a local copy of one) used whole (returned, passed
    /// on) whose fields the body assigns: its value is not the parameter's, and
    /// a struct is never rebuilt from its fields, so that use is rejected
    /// rather than given the parameter's old contents. Returns whether it was.
    pub(super) fn reject_updated_whole(&mut self, e: &Expr) -> bool {
        let Some(prefix) = field_name(e).map(|n| format!("{n}.")) else {
            return false;
        };
        if !self.assigned.iter().any(|(n, _, _)| n.starts_with(&prefix)) {
            return false;
        }
        self.errors.at(
            e,
            "this struct's fields are assigned in the body, and a struct is not rebuilt from its fields yet: return or pass a new struct built from them (`S { pos: b.pos, vel: b.vel, ..}`, every field written out), or its fields one by one",
        );
        true
    }

    /// `let mut st = s;` where `s` is a struct parameter (or a copy of one):
    /// `st` reads `s`'s fields, and each field that `st` or `s` has as a local
    /// (assigned somewhere) gets a local of `st`'s holding its value now, so
    /// that `st` and `s` change separately (lowering copies arrays on write).
    pub(super) fn struct_copy(&mut self, name: &str, root: Value, source: &Expr) {
        self.bind(name.to_string(), Val::Scalar(root));
        self.struct_copies.insert(name.to_string());
        let (Some(src), Some(dst)) = (field_name(source), Some(format!("\u{0}{}", unraw(name))))
        else {
            return;
        };
        let mut suffixes: Vec<(String, bool)> = Vec::new();
        for (fname, _, indexed) in &self.assigned {
            for base in [&src, &dst] {
                if let Some(rest) = fname.strip_prefix(base.as_str()) {
                    if rest.starts_with('.') && !suffixes.iter().any(|(s, _)| s == rest) {
                        suffixes.push((rest.to_string(), *indexed));
                    }
                }
            }
        }
        for (rest, indexed) in suffixes {
            // The source's current value: its local if it has one, else the
            // parameter's field (through `st`'s path, which leads to it).
            let value = match self.lookup(&format!("{src}{rest}")).cloned() {
                Some(v) => Some(v),
                None => {
                    let path: Expr = match syn::parse_str(&format!("{}{}", unraw(name), rest)) {
                        Ok(e) => e,
                        Err(_) => continue,
                    };
                    let want = if indexed {
                        self.func.array_ty(Ty::Float, crate::ir::Len::View)
                    } else {
                        Ty::Float
                    };
                    self.field_of(&path, want).map(Val::Scalar)
                }
            };
            if let Some(v) = value {
                self.bind(format!("{dst}{rest}"), v);
            }
        }
    }

    /// `let s = State { a: …, b: … };` (fields nested as literals too), or
    /// `let t = s;` of such an `s`: binds `s` as a record and each field as a
    /// local (`s.a`, `s.b.c`). Returns whether `init` was one of those.
    pub(super) fn record(&mut self, name: &str, init: &Expr) -> bool {
        let prefix = format!("\u{0}{}", unraw(name));
        match init {
            Expr::Struct(st) => {
                let mut fields = Vec::new();
                self.record_fields(&prefix, st, &mut fields);
                self.bind(name.to_string(), Val::Record);
                for (n, v) in fields {
                    self.bind(n, v);
                }
                true
            }
            Expr::Path(p) if p.qself.is_none() => {
                let Some(id) = p.path.get_ident() else {
                    return false;
                };
                if !matches!(self.lookup(&id.to_string()), Some(Val::Record)) {
                    return false;
                }
                // A copy: each field's current value, under the new name.
                let from = format!("\u{0}{}.", unraw(&id.to_string()));
                let mut fields: Vec<(String, Val)> = Vec::new();
                for scope in &self.scopes {
                    for b in scope {
                        if let Some(rest) = b.name.strip_prefix(from.as_str()) {
                            let n = format!("{prefix}.{rest}");
                            fields.retain(|(k, _)| *k != n);
                            fields.push((n, b.val.clone()));
                        }
                    }
                }
                self.bind(name.to_string(), Val::Record);
                for (n, v) in fields {
                    let v = match v {
                        // Arrays are values: linearity keeps the two apart.
                        Val::Scalar(a) if matches!(self.ty(a), Ty::Array(_)) => {
                            Val::Scalar(self.copy_array(a, init))
                        }
                        v => v,
                    };
                    self.bind(n, v);
                }
                true
            }
            _ => false,
        }
    }

    /// The fields of struct literal `st` as (local name, value), nested ones
    /// flattened.
    fn record_fields(&mut self, prefix: &str, st: &syn::ExprStruct, out: &mut Vec<(String, Val)>) {
        if let Some(rest) = &st.rest {
            self.errors.at(
                rest,
                "struct update syntax (`..base`) is not supported in a #[grad] body; write every field",
            );
        }
        for f in &st.fields {
            let syn::Member::Named(m) = &f.member else {
                self.errors
                    .at(&f.member, "name the fields of this struct literal");
                continue;
            };
            let path = st.path.to_token_stream().to_string();
            let entry = self
                .records
                .entry(prefix.to_string())
                .or_insert_with(|| (path, Vec::new()));
            if !entry.1.contains(&m.to_string()) {
                entry.1.push(m.to_string());
            }
            let n = format!("{prefix}.{m}");
            if let Expr::Struct(inner) = &f.expr {
                out.push((n.clone(), Val::Record));
                self.record_fields(&n, inner, out);
                continue;
            }
            let v = self.expr(&f.expr, None);
            let ok = match &v {
                Val::Scalar(x) => !matches!(self.ty(*x), Ty::Struct(_)),
                Val::Poisoned => true,
                _ => false,
            };
            if !ok {
                self.errors.at(
                    &f.expr,
                    "a field of a struct literal here is a number or an array (or a struct literal)",
                );
                continue;
            }
            out.push((n, v));
        }
    }

    /// A struct built in the body, used whole (returned, passed on): a value
    /// of its type from its fields' current values (`S { a: x, b: y }`).
    pub(super) fn record_value(&mut self, prefix: &str, at: &dyn ToTokens) -> Val {
        let Some((path, fields)) = self.records.get(prefix).cloned() else {
            self.errors.at(at, super::exprs::RECORD_WHOLE);
            return self.poison();
        };
        let mut vals = Vec::new();
        for f in fields {
            let n = format!("{prefix}.{f}");
            let v = match self.lookup(&n).cloned() {
                Some(Val::Record) => match self.record_value(&n, at) {
                    Val::Scalar(v) => v,
                    _ => return self.poison(),
                },
                Some(Val::Scalar(v)) => v,
                _ => {
                    self.errors.at(at, super::exprs::RECORD_WHOLE);
                    return self.poison();
                }
            };
            vals.push((f, v));
        }
        let ty = self.func.struct_ty(path.clone());
        Val::Scalar(self.push(OpKind::StructLit(path, vals), ty))
    }

    /// `S { a: x, b: y }` as a value (a struct result): its fields lowered in
    /// order (nested literals too).
    pub(super) fn struct_value(&mut self, st: &syn::ExprStruct) -> Val {
        let prefix = format!("\u{0}lit{}", self.func.values.len());
        let mut fields = Vec::new();
        self.record_fields(&prefix, st, &mut fields);
        self.scopes.push(Vec::new());
        for (n, v) in fields {
            self.bind(n, v);
        }
        let v = self.record_value(&prefix, st);
        self.scopes.pop();
        v
    }

    /// `let (a, b) = p;` for a tuple parameter `p`: the views of its elements
    /// (arrays where the tuple's type says so).
    pub(super) fn tuple_elements(&mut self, root: Value, n: usize) -> Option<Vec<Val>> {
        let param = self.sig.params.get(*self.structs.get(&root)?)?;
        let syn::Type::Tuple(tt) = param.value_ty() else {
            return None;
        };
        if tt.elems.len() != n {
            return None;
        }
        let id = param.ident.clone()?;
        let elems: Vec<bool> = tt
            .elems
            .iter()
            .map(|t| matches!(t, syn::Type::Array(_)))
            .collect();
        let mut out = Vec::new();
        for (i, is_array) in elems.into_iter().enumerate() {
            let index = syn::Index::from(i);
            let e: Expr = syn::parse_quote!(#id.#index);
            let want = if is_array {
                self.func.array_ty(Ty::Float, crate::ir::Len::View)
            } else {
                Ty::Float
            };
            out.push(Val::Scalar(self.field_of(&e, want)?));
        }
        Some(out)
    }

    /// The value of a field of a struct parameter, of type `want` (a float, or
    /// an array whose shape the struct knows): defined on entry, like a
    /// parameter, and shared by every read of that field.
    pub(super) fn field_of(&mut self, e: &Expr, want: Ty) -> Option<Value> {
        // An assigned field reads its current value.
        if let Some(Val::Scalar(v)) = field_name(e).and_then(|n| self.lookup(&n).cloned()) {
            return Some(v);
        }
        let (root, fields) = self.field_path(e)?;
        if fields.is_empty() {
            return Some(root);
        }
        let param = self.structs[&root];
        if let Some((v, _, _)) = self
            .func
            .views
            .iter()
            .find(|(_, p, f)| *p == param && *f == fields)
        {
            let v = *v;
            // The body is valid Rust, so a field is a number or an array, not
            // both: a first read that took it for a number (`let y = p.w;`, no
            // annotation) was a guess, which an indexed read corrects.
            if matches!(want, Ty::Array(_)) && self.ty(v) == Ty::Float {
                self.func.values[v.0 as usize].ty =
                    self.func.array_ty(Ty::Float, crate::ir::Len::View);
            }
            let _ = e;
            return Some(v);
        }
        let ty = match want {
            Ty::Array(_) => self.func.array_ty(Ty::Float, crate::ir::Len::View),
            t => t,
        };
        let v = self.func.new_value(ty);
        self.func.views.push((v, param, fields));
        if ty == Ty::Float {
            // Typed by its first use: indexing it later makes it an array.
            self.guessed.insert(v);
        }
        Some(v)
    }
}

/// The name under which an assigned field `p.a.b` lives as a local (no user
/// name can collide: it starts with a NUL).
pub(super) fn field_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Field(f) => {
            let syn::Member::Named(m) = &f.member else {
                return None;
            };
            Some(format!("{}.{m}", field_name(&f.base)?))
        }
        Expr::Path(p) if p.qself.is_none() => {
            Some(format!("\u{0}{}", unraw(&p.path.get_ident()?.to_string())))
        }
        Expr::Paren(p) => field_name(&p.expr),
        _ => None,
    }
}

/// The fields `p.a.b` a body assigns (`p.w[i] = …`, `p.b += …`): their local
/// name, the field expression, and whether it is assigned by element.
pub(super) fn assigned_fields(block: &Block) -> Vec<(String, Expr, bool)> {
    struct Finder(Vec<(String, Expr, bool)>);
    impl Finder {
        fn target(&mut self, t: &Expr) {
            let mut e = t;
            let mut indexed = false;
            while let Expr::Index(ix) = e {
                e = &ix.expr;
                indexed = true;
            }
            if let (Expr::Field(_), Some(name)) = (e, field_name(e)) {
                if let Some(entry) = self.0.iter_mut().find(|x| x.0 == name) {
                    entry.2 |= indexed;
                } else {
                    self.0.push((name, e.clone(), indexed));
                }
            }
        }
    }
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            self.target(&a.left);
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            use syn::BinOp as B;
            if matches!(
                b.op,
                B::AddAssign(_)
                    | B::SubAssign(_)
                    | B::MulAssign(_)
                    | B::DivAssign(_)
                    | B::RemAssign(_)
            ) {
                self.target(&b.left);
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder(Vec::new());
    f.visit_block(block);
    f.0
}
