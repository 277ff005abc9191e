//! Lowering of method calls: float methods and primitives, array and `Vec`
//! methods (`len`, `push`, `map`, `to_vec` …), the reductions of iterator
//! chains (to `reductions.rs`), methods of data and of `Option`s.

use super::*;

impl Lowering<'_, '_> {
    pub(super) fn method(&mut self, m: &syn::ExprMethodCall) -> Val {
        // What the context says of the result (`let (u, v) = s.pair(x);`,
        // `let h: [f64; 2] = self.step(h, x);`), for a `#[grad]` method's call;
        // taken first, so that calls in the receiver do not see it.
        // Only a shape (an array, a struct): a float context may be a guess
        // that the result's use settles later.
        let hint = self
            .method_hint
            .take()
            .filter(|t| matches!(t, Ty::Array(_) | Ty::Struct(_)));
        let shape = self.pending_method_shape.take();
        let name = m.method.to_string();
        if matches!(name.as_str(), "sum" | "product" | "fold")
            || (matches!(name.as_str(), "count" | "any" | "all") && is_chain(&m.receiver))
        {
            return self.reduction(m);
        }
        if name == "collect" && m.args.is_empty() {
            return self.collect_vec(m);
        }
        // `m.c.map(|v| v * k)` of a struct's array field (or a copy of one):
        // its length is not seen here, so element by element into a copy.
        if name == "map" && m.args.len() == 1 && matches!(m.args[0], Expr::Closure(_)) {
            // A field of a differentiated struct parameter: a `Tangent`
            // struct's fields are numbers, arrays or `Vec`s (never an
            // `Option`, whose `.map` is another thing).
            let unseen = self.field_path(&m.receiver).is_some_and(|(root, f)| {
                !f.is_empty()
                    && self
                        .structs
                        .get(&root)
                        .and_then(|i| self.sig.params.get(*i))
                        .is_some_and(|p| p.active())
            });
            if unseen {
                let (recv, f) = (&m.receiver, &m.args[0]);
                let e: Expr = syn::parse_quote!({
                    let __autodiff_map_f = #f;
                    let mut __autodiff_map_a = #recv;
                    for __autodiff_map_i in 0..__autodiff_map_a.len() {
                        __autodiff_map_a[__autodiff_map_i] =
                            __autodiff_map_f(__autodiff_map_a[__autodiff_map_i]);
                    }
                    __autodiff_map_a
                });
                return self.expr(&e, hint);
            }
        }
        // `(lo..=hi).contains(&x)`, what clippy's `manual_range_contains` asks for.
        if let (true, Expr::Range(r)) = (
            name == "contains" && m.args.len() == 1,
            unparen(&m.receiver),
        ) {
            return self.range_contains(r, &m.args[0]);
        }
        // `.max_by(…).unwrap()`, `.min_by(…).expect("…")`, `.reduce(f).unwrap()`.
        if let (true, Expr::MethodCall(inner)) =
            (name == "unwrap" || name == "expect", &*m.receiver)
        {
            if matches!(
                inner.method.to_string().as_str(),
                "max_by" | "min_by" | "reduce"
            ) {
                return self.reduce_first(inner);
            }
        }
        // `.position(p).unwrap()`, `.expect(…)`, `.unwrap_or(i)`.
        if let (true, Expr::MethodCall(inner)) = (
            matches!(name.as_str(), "unwrap" | "expect" | "unwrap_or"),
            &*m.receiver,
        ) {
            if inner.method == "position" {
                return self.position(inner, m);
            }
        }
        if let Some(t) = &m.turbofish {
            self.errors
                .at(t, "turbofish is not supported on methods in #[grad] bodies");
        }
        if name == "split_at" && m.args.len() == 1 {
            return self.split_at(&m.receiver, &m.args[0]);
        }
        if name == "push" && m.args.len() == 1 {
            return self.vec_push(m);
        }
        let recv = self.expr(&m.receiver, None);
        // A receiver already reported: nothing more to say.
        match recv {
            Val::Poisoned => return recv,
            Val::Scalar(v) if self.poisoned.contains(&v) => return recv,
            Val::Opt { .. } => return self.opt_method(recv, m),
            _ => {}
        }
        if let Val::Sub { len, .. } = recv {
            if name == "len" && m.args.is_empty() {
                return Val::Scalar(len);
            }
            if name == "is_empty" && m.args.is_empty() {
                return Val::Scalar(self.is_zero_len(len));
            }
            self.errors.at(
                &m.method,
                format!("unsupported method `{name}` of a sub-slice; a sub-slice supports indexing, `.len()` and iteration"),
            );
            return self.poison();
        }
        // `p.w[i].len()` of a row of a struct field.
        let recv = match recv {
            Val::Row { base, idx } if matches!(name.as_str(), "len" | "is_empty" | "iter") => {
                Val::Scalar(self.row_value(base, idx))
            }
            v => v,
        };
        let recv = self.scalar(recv, &m.receiver, "a method receiver");
        // A value typed by a guess (a field first read as a number, a call's
        // result) asked for an array's method is an array.
        if matches!(name.as_str(), "len" | "is_empty" | "iter" | "to_vec") {
            let _ = self.as_row(recv);
        }
        if self.ty(recv) == Ty::Float
            && matches!(name.as_str(), "len" | "is_empty" | "iter" | "to_vec")
            && self.guessed.remove(&recv)
        {
            let any = self.func.array_ty(Ty::Float, crate::ir::Len::View);
            self.func.values[recv.0 as usize].ty = any;
        }
        // An `Option` of data with a function (`k.filter(|v| *v > 0.0)`,
        // `w.map_or(x, |s| s * x)`, `w.map(f64::sin)`): the `match` it stands
        // for, so that the function may use differentiated values.
        let option_param = self
            .func
            .params
            .iter()
            .position(|p| *p == recv)
            .is_some_and(|i| {
                let mut t = &self.sig.params[i].ty;
                while let syn::Type::Reference(r) = t {
                    t = &r.elem;
                }
                opt::option_inner(t).is_some()
            });
        if option_param
            && m.args
                .last()
                .is_some_and(|a| super::iters::Callable::of(a).is_some())
            && opt::COMBINATORS.contains(&(name.as_str(), m.args.len()))
        {
            return self.opt_combinator(Val::Scalar(recv), m);
        }
        // A method that no float has on an element of a slice of structs (`for
        // s in springs { s.energy(x) }`): the element as a struct value.
        let float_method = Prim::method(&name).is_some()
            || FLOAT_PREDICATES.contains(&name.as_str())
            || name == "sin_cos";
        if !float_method && self.elems.contains_key(&recv) {
            self.whole_struct_elem(recv);
        }
        // A method that no float has, on a call's result of unseen type: a
        // struct's `#[grad]` method (`let n = step(c, a); n.coast(a)`).
        if self.ty(recv) == Ty::Float
            && self.untyped_results.contains(&recv)
            && self.guessed.contains(&recv)
            && Prim::method(&name).is_none()
            && !FLOAT_PREDICATES.contains(&name.as_str())
            && name != "sin_cos"
        {
            self.as_struct(recv);
        }
        match self.ty(recv) {
            Ty::Float if name == "sin_cos" && m.args.is_empty() => self.sin_cos(recv),
            Ty::Float => {
                if let Some(p) = Prim::method(&name) {
                    let mut args = vec![recv];
                    if m.args.len() + 1 != p.arity() {
                        self.errors.at(
                            &m.method,
                            format!(
                                "wrong number of arguments to `{name}`; write `{}`",
                                p.usage(true)
                            ),
                        );
                        return self.poison();
                    }
                    for (i, a) in m.args.iter().enumerate() {
                        args.push(self.prim_arg(p, i + 1, a));
                    }
                    Val::Scalar(self.push(OpKind::Call(p, args), Ty::Float))
                } else if FLOAT_PREDICATES.contains(&name.as_str()) && m.args.is_empty() {
                    Val::Scalar(self.push(OpKind::Method(name, vec![recv]), Ty::Bool))
                } else if Prim::function(&name).is_some_and(|p| p.form() == Form::CoreFn) {
                    self.errors.at(
                        &m.method,
                        format!(
                            "`{name}` is a function, not a method: write `autodiff::{name}({})`",
                            m.receiver.to_token_stream()
                        ),
                    );
                    self.poison()
                } else {
                    self.errors.at(
                        &m.method,
                        format!(
                            "unsupported method `{name}` in #[grad] fn; the supported float methods are {}",
                            Prim::method_list()
                        ),
                    );
                    self.poison()
                }
            }
            Ty::Int => {
                let mut args = vec![recv];
                for a in &m.args {
                    let v = self.expr(a, Some(Ty::Int));
                    args.push(self.scalar(v, a, "an argument"));
                }
                let ty = if name.starts_with("is_") {
                    Ty::Bool
                } else {
                    Ty::Int
                };
                Val::Scalar(self.push(OpKind::Method(name, args), ty))
            }
            Ty::Bool => {
                self.errors.at(
                    &m.method,
                    "methods on `bool` are not supported in #[grad] bodies",
                );
                self.poison()
            }
            // `self.helper(x)`, `model.forward(x)`: the `#[grad]` method called as
            // `Self::helper(self, x)` / `Model::forward(model, x)`.
            Ty::Struct(_) => {
                let ty = match self
                    .structs
                    .get(&recv)
                    .and_then(|i| self.sig.params.get(*i))
                {
                    Some(p) if p.receiver => Some(syn::parse_quote!(Self)),
                    Some(p) => match p.value_ty() {
                        syn::Type::Path(tp) if tp.qself.is_none() => Some(tp.path.clone()),
                        _ => None,
                    },
                    // A struct built in the body (`let q = Quat { … }; q.rotate(v)`):
                    // its type, as the literal named it.
                    None => match self.ty(recv) {
                        Ty::Struct(i) => self
                            .func
                            .structs
                            .get(i as usize)
                            .and_then(|t| syn::parse_str::<syn::Path>(t).ok()),
                        _ => None,
                    },
                };
                // A struct of a type the body does not name (a call's result):
                // its by-value adapter, with method syntax.
                let unnamed = matches!(self.ty(recv), Ty::Struct(i)
                    if self.func.structs.get(i as usize).is_some_and(|t| t == "_"));
                let ty = if unnamed && !self.refs.contains(&recv) {
                    self.pending_dot = true;
                    Some(syn::Path {
                        leading_colon: None,
                        segments: syn::punctuated::Punctuated::new(),
                    })
                } else {
                    ty
                };
                let Some(mut path): Option<syn::Path> = ty else {
                    self.errors.at(
                        &m.method,
                        "call this method by its path here: `Type::method(p, …)`",
                    );
                    return self.poison();
                };
                // `Affine<T>` → `Affine::<T>::method`.
                if let Some(last) = path.segments.last_mut() {
                    if let syn::PathArguments::AngleBracketed(a) = &mut last.arguments {
                        a.colon2_token = Some(Default::default());
                    }
                }
                // A receiver by value (a struct of the body, a parameter by
                // value): the method's by-value adapter, whether it takes
                // `self` or `&self` (`emit::adapters`).
                // `(*a).m(…)` of a `&` parameter: by value.
                let deref = matches!(unparen(&m.receiver), Expr::Unary(u)
                    if matches!(u.op, syn::UnOp::Deref(_)));
                // An element of a slice (`for s in springs { s.energy(x) }`):
                // by value through the adapter, whatever its receiver.
                if self.refs.contains(&recv) && !deref && !self.elems.contains_key(&recv) {
                    path.segments.push(m.method.clone().into());
                } else {
                    let name = format!(
                        "{}{}",
                        crate::emit::ADAPTER_PREFIX,
                        syn::ext::IdentExt::unraw(&m.method)
                    );
                    path.segments
                        .push(syn::Ident::new(&name, m.method.span()).into());
                }
                let mut args = syn::punctuated::Punctuated::new();
                // A receiver held by reference (an item of a borrowed slice)
                // goes to the by-value adapter by value.
                let through_adapter = path
                    .segments
                    .last()
                    .is_some_and(|l| l.ident.to_string().starts_with(crate::emit::ADAPTER_PREFIX));
                if through_adapter && self.refs.contains(&recv) && !deref {
                    let r = &m.receiver;
                    args.push(syn::parse_quote!(*#r));
                } else {
                    args.push((*m.receiver).clone());
                }
                args.extend(m.args.iter().cloned());
                let call = syn::ExprCall {
                    attrs: Vec::new(),
                    func: Box::new(Expr::Path(syn::ExprPath {
                        attrs: Vec::new(),
                        qself: None,
                        path: path.clone(),
                    })),
                    paren_token: m.paren_token,
                    args,
                };
                self.pending_shape = shape;
                self.user_call(&path, &call, hint)
            }
            Ty::Array(_) if name == "len" && m.args.is_empty() => Val::Scalar(self.len_of(recv)),
            // `x.first()`, `x.last()`: an `Option` of an element.
            Ty::Array(_) if matches!(name.as_str(), "first" | "last") && m.args.is_empty() => {
                self.first_or_last(recv, name == "last", m)
            }
            Ty::Array(_) if name == "is_empty" && m.args.is_empty() => {
                let n = self.len_of(recv);
                Val::Scalar(self.is_zero_len(n))
            }
            // `[a, b, c].map(f)`: an array of `f` of each element.
            Ty::Array(_) if name == "map" && m.args.len() == 1 => self.array_map(recv, m),
            // `x.to_vec()`, `v.clone()`: a copy, of its own buffer.
            Ty::Array(_) if (name == "to_vec" || name == "clone") && m.args.is_empty() => {
                let of_vec = matches!(
                    self.func.array(self.ty(recv)),
                    Some(crate::ir::ArrayTy {
                        len: crate::ir::Len::Vec,
                        ..
                    })
                );
                if (name == "to_vec" || of_vec) && !self.heap(m, &format!("`.{name}()`")) {
                    return self.poison();
                }
                let ty = if name == "to_vec" {
                    let elem = self.func.index_ty(self.ty(recv), 1).unwrap_or(Ty::Float);
                    self.func.array_ty(elem, crate::ir::Len::Vec)
                } else {
                    self.ty(recv)
                };
                Val::Scalar(self.push(OpKind::Copy(recv), ty))
            }
            // A method of data (`opts.unwrap_or(3)`): an inactive value, typed by its use.
            Ty::Array(_) if self.opaque.contains(&recv.0) => {
                // A method that takes its receiver (`opts.unwrap_or(3)`) works on
                // a clone: the parameter is read again later.
                let recv = if TAKES_SELF.contains(&name.as_str()) {
                    let c = self.push(OpKind::Method("clone".into(), vec![recv]), Ty::Int);
                    self.guessed.insert(c);
                    self.opaque.insert(c.0);
                    c
                } else {
                    recv
                };
                let mut args = vec![recv];
                for a in &m.args {
                    let v = self.expr(a, None);
                    args.push(self.scalar(v, a, "an argument"));
                }
                let r = self.push(OpKind::Method(name, args), Ty::Int);
                self.guessed.insert(r);
                Val::Scalar(r)
            }
            Ty::Array(_) => {
                self.errors.at(
                    &m.method,
                    format!("unsupported array method `{name}` in #[grad] fn; arrays support indexing, `.len()`, `for` loops over `.iter()`, and the reductions `.iter().sum()`, `.iter().map(|v| …).sum()` and `.iter().fold(init, |acc, v| …)`"),
                );
                self.poison()
            }
        }
    }

    /// `v.push(x)` of a local `Vec` of floats: a new version of `v`, `x` at
    /// index `v.len()` (the index its cotangent is read from).
    fn vec_push(&mut self, m: &syn::ExprMethodCall) -> Val {
        let name = match &*m.receiver {
            Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
            _ => None,
        };
        let v = name.as_deref().and_then(|n| match self.lookup(n) {
            Some(Val::Scalar(v)) => Some(*v),
            _ => None,
        });
        let (Some(name), Some(v)) = (name, v) else {
            self.errors.at(
                &m.receiver,
                "`push` is supported on a local `Vec` of floats (`let mut v = Vec::new(); v.push(x);`)",
            );
            return self.poison();
        };
        let is_vec = matches!(
            self.func.array(self.ty(v)),
            Some(crate::ir::ArrayTy {
                len: crate::ir::Len::Vec,
                elem: Ty::Float,
            })
        );
        if !is_vec || self.refs.contains(&v) {
            self.errors.at(
                &m.receiver,
                "`push` is supported on a local `Vec` of floats (`let mut v = Vec::new(); v.push(x);`)",
            );
            return self.poison();
        }
        let x = self.expr(&m.args[0], Some(Ty::Float));
        let x = self.scalar(x, &m.args[0], "the pushed value");
        if self.ty(x) != Ty::Float {
            self.errors.at(
                &m.args[0],
                "only floats are pushed here: a `Vec` of arrays is not supported yet (a `Vec<f64>` of `n * k` elements, indexed `v[i * k + j]`, is)",
            );
            // Its uses say nothing more.
            self.assign(&name, Val::Poisoned);
            return Val::Unit;
        }
        let at = self.len_of(v);
        let ty = self.ty(v);
        let nv = self.push(OpKind::PushAt(v, x, at), ty);
        self.assign(&name, Val::Scalar(nv));
        Val::Unit
    }

    /// `x.first()` / `x.last()` of numbers: `Some(x[0])` / `Some(x[n - 1])`
    /// unless `x` is empty, the element read only when it is there.
    fn first_or_last(&mut self, x: Value, last: bool, m: &syn::ExprMethodCall) -> Val {
        if self.func.index_ty(self.ty(x), 1) != Some(Ty::Float) {
            self.errors.at(
                &m.method,
                format!(
                    "`.{}()` is supported on arrays and slices of numbers; index the array here",
                    m.method
                ),
            );
            return self.poison();
        }
        let n = self.len_of(x);
        let empty = self.is_zero_len(n);
        let tag = self.not(empty);
        let (t_ops, t) = self.region(|l| {
            let k = if last {
                let one = l.int("1");
                l.bin(BinOp::Sub, n, one)
            } else {
                l.int("0")
            };
            l.push(OpKind::Load(x, vec![k]), Ty::Float)
        });
        let (e_ops, e) = self.region(|l| l.push(OpKind::Const(0.0), Ty::Float));
        let payload = self.push_if(tag, (t_ops, vec![t]), (e_ops, vec![e]))[0];
        Val::Opt {
            tag,
            payload: Box::new(Val::Scalar(payload)),
        }
    }

    /// `n == 0`, for `.is_empty()`.
    fn is_zero_len(&mut self, n: Value) -> Value {
        let zero = self.int("0");
        self.push(OpKind::Cmp(CmpOp::Eq, n, zero), Ty::Bool)
    }

    /// `a.map(f)` of a fixed-size array: `[f(a[0]), f(a[1]), …]`.
    fn array_map(&mut self, a: Value, m: &syn::ExprMethodCall) -> Val {
        let n = match self.func.array(self.ty(a)) {
            Some(crate::ir::ArrayTy {
                len: crate::ir::Len::Const(n),
                ..
            }) => n.parse::<usize>().ok(),
            _ => None,
        };
        let (Some(n), Some(f)) = (n, super::iters::Callable::of(&m.args[0])) else {
            self.errors.at(
                &m.method,
                "`.map(f)` is supported on a fixed-size array with a literal length (`[f64; 3]`) and a closure or a function path; iterate otherwise (`a.iter().map(f)`)",
            );
            return self.poison();
        };
        let elem = self.func.index_ty(self.ty(a), 1).unwrap_or(Ty::Float);
        let mut xs = Vec::new();
        for k in 0..n {
            let i = self.int(&k.to_string());
            let x = self.push(OpKind::Load(a, vec![i]), elem);
            let y = self.apply(f, vec![Val::Scalar(x)]);
            xs.push(self.scalar(y, &m.args[0], "the result of `map`'s function"));
        }
        let Some(&first) = xs.first() else {
            return Val::Scalar(a);
        };
        let ty = self.ty(first);
        if ty != Ty::Float && !matches!(ty, Ty::Int | Ty::Bool) {
            self.errors
                .at(&m.args[0], "`map`'s function must give a number here");
            return self.poison();
        }
        let len = crate::ir::Len::Const(n.to_string());
        let aty = self.func.array_ty(ty, len);
        Val::Scalar(self.push(OpKind::ArrayLit(xs), aty))
    }

    /// `x.sin_cos()`: the tuple `(x.sin(), x.cos())`, as std computes it (the
    /// same bits), of two primitives the reverse sweep knows.
    pub(super) fn sin_cos(&mut self, x: Value) -> Val {
        let s = self.push(OpKind::Call(Prim::Sin, vec![x]), Ty::Float);
        let c = self.push(OpKind::Call(Prim::Cos, vec![x]), Ty::Float);
        Val::Tuple(vec![Val::Scalar(s), Val::Scalar(c)])
    }
}

/// Methods of `Option` / `Result` data that take their receiver by value.
const TAKES_SELF: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_err",
    "expect_err",
    "ok",
    "err",
];

/// Whether `e` is written as an iterator chain (`x.iter()…`, `(a..b)…`).
fn is_chain(e: &Expr) -> bool {
    match e {
        Expr::Range(_) => true,
        Expr::Paren(p) => is_chain(&p.expr),
        Expr::MethodCall(m) => {
            matches!(
                m.method.to_string().as_str(),
                "iter"
                    | "into_iter"
                    | "copied"
                    | "cloned"
                    | "enumerate"
                    | "zip"
                    | "map"
                    | "filter"
                    | "rev"
                    | "skip"
                    | "take"
                    | "step_by"
                    | "windows"
                    | "chunks"
                    | "chunks_exact"
            )
        }
        _ => false,
    }
}

/// `e` without the parentheses around it.
pub(super) fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        e => e,
    }
}

impl Lowering<'_, '_> {
    /// `(lo..=hi).contains(&x)`: `lo <= x && x <= hi` (`x < hi` for `lo..hi`),
    /// `x` read once.
    fn range_contains(&mut self, r: &syn::ExprRange, arg: &Expr) -> Val {
        // `&x`: the number itself (a reference here is no row of a field).
        let arg = match arg {
            Expr::Reference(rf) if rf.mutability.is_none() => &*rf.expr,
            a => a,
        };
        let x = self.expr(arg, None);
        self.scopes.push(Vec::new());
        self.bind("__autodiff_x".into(), x);
        let x: Expr = syn::parse_quote!(__autodiff_x);
        let lo = r
            .start
            .as_ref()
            .map(|lo| -> Expr { syn::parse_quote!(#lo <= #x) });
        let hi = r.end.as_ref().map(|hi| -> Expr {
            match r.limits {
                syn::RangeLimits::Closed(_) => syn::parse_quote!(#x <= #hi),
                syn::RangeLimits::HalfOpen(_) => syn::parse_quote!(#x < #hi),
            }
        });
        let e: Expr = match (lo, hi) {
            (Some(l), Some(h)) => syn::parse_quote!(#l && #h),
            (Some(c), None) | (None, Some(c)) => c,
            (None, None) => syn::parse_quote!(true),
        };
        let v = self.expr(&e, None);
        self.scopes.pop();
        v
    }
}
