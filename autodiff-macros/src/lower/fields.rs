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
        // A struct value of its own (`let mut n = *self;`): updated in it.
        if let Expr::Path(p) = e {
            let own = p
                .path
                .get_ident()
                .and_then(|id| match self.lookup(&id.to_string()) {
                    Some(Val::Scalar(v)) => Some(!self.structs.contains_key(v)),
                    _ => None,
                });
            if own == Some(true) {
                return false;
            }
        }
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
    pub(super) fn struct_copy(&mut self, name: &str, root: Value, source: &Expr, mutable: bool) {
        self.bind(name.to_string(), Val::Scalar(root));
        // A `mut` copy of a struct whose fields the body never assigns as
        // locals (`let mut n = *self;`, `let mut car = start;`): a struct value
        // of its own, its fields updated in it (`n.v[i] = …`), passed on,
        // returned and carried whole.
        let src_assigned = field_name(source).is_some_and(|src| {
            let prefix = format!("{src}.");
            self.assigned.iter().any(|(n, _, _)| n.starts_with(&prefix))
        });
        if mutable && !src_assigned {
            let ty = self.ty(root);
            let c = self.push(OpKind::Copy(root), ty);
            self.bind(name.to_string(), Val::Scalar(c));
            return;
        }
        let (Some(src), Some(dst)) = (field_name(source), Some(format!("\u{0}{}", unraw(name))))
        else {
            self.struct_copies.insert(name.to_string());
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
        // A copy whose fields (and its source's) are never assigned is the
        // parameter's value for good: passed on whole as it is.
        if suffixes.is_empty() {
            return;
        }
        self.struct_copies.insert(name.to_string());
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

    /// `n.a.b` where `n` is a local struct value (a `mut` copy of a parameter,
    /// a call's result, a struct a loop carries): its name, its value and the
    /// field steps of the path (`elems.rs`); `None` for anything else.
    pub(super) fn struct_value_path(&mut self, e: &Expr) -> Option<(String, Value, Vec<Value>)> {
        let mut names = Vec::new();
        let mut cur = e;
        let id = loop {
            match cur {
                Expr::Field(f) => {
                    names.push(match &f.member {
                        syn::Member::Named(n) => unraw(&n.to_string()).to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    });
                    cur = &f.base;
                }
                Expr::Paren(p) => cur = &p.expr,
                Expr::Path(p) if p.qself.is_none() => break p.path.get_ident()?.to_string(),
                _ => return None,
            }
        };
        let Some(Val::Scalar(v)) = self.lookup(&id).cloned() else {
            return None;
        };
        if names.is_empty() || self.structs.contains_key(&v) || !self.as_struct(v) {
            return None;
        }
        let steps = names
            .into_iter()
            .rev()
            .map(|n| {
                let step = self.push(OpKind::Verbatim(format!(".{n}")), Ty::Int);
                self.steps.insert(step, n);
                step
            })
            .collect();
        Some((id, v, steps))
    }

    /// `n.a.b[i]… = x` of a local struct value `s` bound to `name`: a new
    /// version of it (updated in place, as an array's element is).
    pub(super) fn store_field(
        &mut self,
        name: &str,
        s: Value,
        path: Vec<Value>,
        x: Val,
        at: &Expr,
    ) {
        let x = self.scalar(x, at, "the assigned value");
        let ty = self.ty(s);
        let new = self.push(OpKind::Store(s, path, x), ty);
        self.assign(name, Val::Scalar(new));
    }

    /// `let s = State { a: …, b: … };` (fields nested as literals too), or
    /// `let t = s;` of such an `s`: binds `s` as a record and each field as a
    /// local (`s.a`, `s.b.c`). Returns whether `init` was one of those.
    pub(super) fn record(&mut self, name: &str, init: &Expr) -> bool {
        let prefix = format!("\u{0}{}", unraw(name));
        match init {
            // Assigned whole later (`h = h.rebalance(p);` in a loop): a struct
            // value from the start, its fields stores on it.
            Expr::Struct(st) if st.rest.is_none() && self.whole_assigned.contains(unraw(name)) => {
                let v = self.struct_value(st);
                self.bind(name.to_string(), v);
                true
            }
            Expr::Struct(st) => {
                let mut fields = Vec::new();
                self.defaults.remove(&prefix);
                self.record_fields(&prefix, st, &mut fields);
                self.bind(name.to_string(), Val::Record);
                let written: Vec<String> = fields.iter().map(|f| f.0.clone()).collect();
                for (n, v) in fields {
                    self.bind(n, v);
                }
                if self.defaults.contains_key(&prefix) {
                    self.bind_default_fields(&prefix, &written);
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
                match self.defaults.get(&from[..from.len() - 1]).cloned() {
                    Some(ty) => self.defaults.insert(prefix.clone(), ty),
                    None => self.defaults.remove(&prefix),
                };
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

    /// `let mut s = S::default();` (or `let s: S = Default::default();`): a
    /// record whose fields are read from a fresh `S::default()` (inactive: it
    /// depends on no input) until the body assigns them. The fields the body
    /// assigns anywhere are locals from here (loops carry them); the others
    /// are read where used (`default_field`). Returns whether `init` was one.
    pub(super) fn default_record(
        &mut self,
        name: &str,
        annotated: Option<&Type>,
        init: &Expr,
    ) -> bool {
        let Expr::Call(c) = init else {
            return false;
        };
        let Expr::Path(p) = &*c.func else {
            return false;
        };
        // Assigned whole later (`c = c + p;`, `s.step(dt);`): a struct value
        // from a plain constructor, not fields as locals.
        if !c.args.is_empty() || p.qself.is_some() || self.whole_assigned.contains(unraw(name)) {
            return false;
        }
        let segs: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
        let ty = match segs.as_slice() {
            [.., t, d] if d.ident == "default" && t.ident != "Default" => {
                let mut path = p.path.clone();
                path.segments.pop();
                let path = path.to_token_stream().to_string();
                path.trim_end_matches(':').trim().to_string()
            }
            [.., d] if d.ident == "default" => match annotated {
                Some(t) => t.to_token_stream().to_string(),
                None => return false,
            },
            _ => return false,
        };
        // A struct: a type name that is no number, `Vec` or other std type.
        let last = ty.rsplit("::").next().unwrap_or("").trim();
        let std_ty = matches!(last, "Vec" | "String" | "Option" | "HashMap" | "BTreeMap")
            || last.starts_with("Vec <")
            || last.starts_with("HashMap <")
            || self
                .type_of(&syn::parse_str::<Type>(&ty).unwrap_or(Type::Verbatim(Default::default())))
                .is_some();
        if std_ty || !last.chars().next().is_some_and(char::is_uppercase) {
            return false;
        }
        let prefix = format!("\u{0}{}", unraw(name));
        self.bind(name.to_string(), Val::Record);
        self.defaults.insert(prefix.clone(), ty);
        self.bind_default_fields(&prefix, &[]);
        true
    }

    /// The fields of the record at `prefix` that the body assigns somewhere,
    /// but for those `written` (a literal's): locals holding their default, so
    /// that loops and `if`s carry them.
    fn bind_default_fields(&mut self, prefix: &str, written: &[String]) {
        let own = format!("{prefix}.");
        let assigned: Vec<(String, bool)> = self
            .assigned
            .iter()
            .map(|a| (a.0.clone(), a.2))
            .filter(|(n, _)| n.starts_with(&own))
            .collect();
        for (n, indexed) in assigned {
            if written.contains(&n) {
                continue;
            }
            // An array field assigned element by element (`acc.h[1] += …`): an
            // array of its default's length, copied into a local buffer.
            let hint = indexed.then(|| self.func.array_ty(Ty::Float, crate::ir::Len::View));
            match self.default_field(&n, hint) {
                Some(Val::Scalar(v)) if indexed => {
                    let c = self.push(OpKind::Copy(v), self.ty(v));
                    self.bind(n, Val::Scalar(c));
                }
                Some(v) => self.bind(n, v),
                None => {}
            }
        }
    }

    /// Field `n` (`\0s.a.b`) of a struct made by `S::default()` and not
    /// assigned yet: `S::default().a.b`, inactive, of the type `hint` or, without
    /// one, of a type settled by its first use. `None` when `n` is no such field,
    /// or when the body assigns a field inside it (`s.a.b = …` and `s.a` read
    /// whole: an error says so).
    pub(super) fn default_field(&mut self, n: &str, hint: Option<Ty>) -> Option<Val> {
        let (prefix, ty) = self
            .defaults
            .iter()
            .filter(|(p, _)| {
                n.len() > p.len() && n.starts_with(p.as_str()) && n.as_bytes()[p.len()] == b'.'
            })
            .max_by_key(|(p, _)| p.len())
            .map(|(p, t)| (p.clone(), t.clone()))?;
        let inner = format!("{n}.");
        if self.assigned.iter().any(|a| a.0.starts_with(&inner)) {
            return None;
        }
        let rest = &n[prefix.len()..];
        let text = format!("<{ty} as ::core::default::Default>::default(){rest}");
        let v = self.push(OpKind::Extern(text), hint.unwrap_or(Ty::Float));
        if hint.is_none() {
            self.guessed.insert(v);
        }
        Some(Val::Scalar(v))
    }

    /// Whether `n` names a field of a struct made by `S::default()`.
    pub(super) fn defaults_hold(&self, n: &str) -> bool {
        self.defaults.keys().any(|p| {
            n.len() > p.len() && n.starts_with(p.as_str()) && n.as_bytes()[p.len()] == b'.'
        })
    }

    /// The fields of struct literal `st` as (local name, value), nested ones
    /// flattened.
    fn record_fields(&mut self, prefix: &str, st: &syn::ExprStruct, out: &mut Vec<(String, Val)>) {
        if let Some(rest) = &st.rest {
            if is_default_call(rest) {
                // `S { a: x, ..Default::default() }`: the other fields are
                // `S::default()`'s (`default_field`).
                let ty = st.path.to_token_stream().to_string();
                self.defaults.insert(prefix.to_string(), ty);
            } else {
                self.errors.at(
                    rest,
                    "struct update syntax is supported with `..Default::default()` (or `..S::default()`) in a #[grad] body; write every field",
                );
                // Its other fields read nothing more (no second error).
                let ty = st.path.to_token_stream().to_string();
                self.defaults.insert(prefix.to_string(), ty);
            }
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
        if let Some(ty) = self.defaults.get(prefix).cloned() {
            return self.default_record_value(prefix, ty, at);
        }
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

    /// A struct made by `S::default()` (or `..Default::default()`) used whole:
    /// `S::default()` with the fields it has as locals (those the body assigns
    /// or wrote in the literal) set, the others `S`'s defaults (which depend on
    /// no input). The literal's path ends in ` ..`, which the emitter writes
    /// as `__private::with_default(|s: &mut S| { s.a = x; … })`.
    fn default_record_value(&mut self, prefix: &str, ty: String, at: &dyn ToTokens) -> Val {
        let own = format!("{prefix}.");
        let mut vals: Vec<(String, Value)> = Vec::new();
        let mut nested = false;
        for scope in &self.scopes {
            for b in scope {
                let Some(rest) = b.name.strip_prefix(own.as_str()) else {
                    continue;
                };
                match (&b.val, rest.contains('.')) {
                    (Val::Scalar(v), false) => {
                        vals.retain(|(n, _)| n != rest);
                        vals.push((rest.to_string(), *v));
                    }
                    _ => nested = true,
                }
            }
        }
        if nested {
            self.errors.at(at, super::exprs::RECORD_WHOLE);
            return self.poison();
        }
        let sty = self.func.struct_ty(ty.clone());
        Val::Scalar(self.push(OpKind::StructLit(format!("{ty} .."), vals), sty))
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

/// `Default::default()` or `S::default()` (the base of `..base`).
fn is_default_call(e: &Expr) -> bool {
    match e {
        Expr::Call(c) if c.args.is_empty() => match &*c.func {
            Expr::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "default"),
            _ => false,
        },
        Expr::Paren(p) => is_default_call(&p.expr),
        _ => false,
    }
}

/// The names a body assigns whole (`h = …;`; `v += w;` and `s.step(dt);`,
/// which are whole assignments of a struct: an operator's `…Assign`, a
/// `&mut self` method), closures and items aside.
pub(super) fn assigned_whole(block: &Block) -> std::collections::HashSet<String> {
    struct Finder(std::collections::HashSet<String>);
    impl Finder {
        fn name(&mut self, e: &Expr) {
            if let Expr::Path(p) = e {
                if let Some(id) = p.path.get_ident() {
                    self.0.insert(unraw(&id.to_string()).to_string());
                }
            }
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            self.name(&a.left);
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            use syn::BinOp as S;
            if matches!(
                b.op,
                S::AddAssign(_) | S::SubAssign(_) | S::MulAssign(_) | S::DivAssign(_)
            ) {
                self.name(&b.left);
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_stmt(&mut self, st: &'ast syn::Stmt) {
            if let syn::Stmt::Expr(Expr::MethodCall(m), Some(_)) = st {
                if mut_self_call(m).is_some() {
                    self.name(&m.receiver);
                }
            }
            syn::visit::visit_stmt(self, st);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder(Default::default());
    syn::visit::Visit::visit_block(&mut f, block);
    f.0
}

/// The receiver's name of `s.step(dt);` as a statement, when it may be a call
/// of a `&mut self` method: a plain name, no `&mut` argument (an output
/// parameter), not a method of `Vec`, slices or floats that works in place.
pub(super) fn mut_self_call(m: &syn::ExprMethodCall) -> Option<String> {
    const IN_PLACE: &[&str] = &[
        "push",
        "pop",
        "clear",
        "extend",
        "extend_from_slice",
        "insert",
        "remove",
        "truncate",
        "resize",
        "sort",
        "sort_by",
        "sort_unstable",
        "sort_unstable_by",
        "reverse",
        "swap",
        "fill",
        "copy_from_slice",
        "clone_from_slice",
        "rotate_left",
        "rotate_right",
        "retain",
        "dedup",
        "append",
        "drain",
        "for_each",
        "iter_mut",
        "shrink_to_fit",
        "reserve",
        "split_off",
        "swap_remove",
        "clone_from",
    ];
    let Expr::Path(p) = &*m.receiver else {
        return None;
    };
    let id = p.path.get_ident()?;
    let name = m.method.to_string();
    let out_param = m
        .args
        .iter()
        .any(|a| matches!(a, Expr::Reference(r) if r.mutability.is_some()));
    (!IN_PLACE.contains(&name.as_str()) && !out_param && m.turbofish.is_none())
        .then(|| unraw(&id.to_string()).to_string())
}
