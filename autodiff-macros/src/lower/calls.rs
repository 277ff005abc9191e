//! Lowering of calls: float methods and primitives, calls to `#[grad]` functions
//! (and `#[grad(custom)]` ones), `no_grad`, casts.

use super::*;

impl Lowering<'_, '_> {
    pub(super) fn method(&mut self, m: &syn::ExprMethodCall) -> Val {
        let name = m.method.to_string();
        if matches!(name.as_str(), "sum" | "product" | "fold")
            || (matches!(name.as_str(), "count" | "any" | "all") && is_chain(&m.receiver))
        {
            return self.reduction(m);
        }
        if name == "collect" && m.args.is_empty() {
            return self.collect_vec(m);
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
        let recv = self.scalar(recv, &m.receiver, "a method receiver");
        // A value typed by a guess (a field first read as a number, a call's
        // result) asked for an array's method is an array.
        if self.ty(recv) == Ty::Float
            && matches!(name.as_str(), "len" | "is_empty" | "iter" | "to_vec")
            && self.guessed.remove(&recv)
        {
            let any = self.func.array_ty(Ty::Float, crate::ir::Len::View);
            self.func.values[recv.0 as usize].ty = any;
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
                    None => None,
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
                path.segments.push(m.method.clone().into());
                let mut args = syn::punctuated::Punctuated::new();
                args.push((*m.receiver).clone());
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
                self.user_call(&path, &call, None)
            }
            Ty::Array(_) if name == "len" && m.args.is_empty() => Val::Scalar(self.len_of(recv)),
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
    fn sin_cos(&mut self, x: Value) -> Val {
        let s = self.push(OpKind::Call(Prim::Sin, vec![x]), Ty::Float);
        let c = self.push(OpKind::Call(Prim::Cos, vec![x]), Ty::Float);
        Val::Tuple(vec![Val::Scalar(s), Val::Scalar(c)])
    }

    /// `libm::erf(x)` and the other special functions of `libm` (`erff` … in
    /// an `f32` function): the primitive computed by the same `libm` function.
    /// Any other `libm::` function is rejected: `autodiff` would compute it
    /// with std's method, whose bits may differ from `libm`'s.
    fn libm_call(&mut self, c: &syn::ExprCall, name: &str) -> Val {
        let f32 = self.sig.float_name() == "f32";
        let p = match Prim::libm(name, f32) {
            Some(Ok(p)) => p,
            Some(Err(right)) => {
                self.errors.at(
                    &c.func,
                    format!(
                        "`libm::{name}` is for the other float type; in a #[grad] fn on `{}` write `libm::{right}`",
                        self.sig.float_name()
                    ),
                );
                return self.poison();
            }
            None => {
                self.errors.at(
                    &c.func,
                    format!(
                        "`libm::{name}` is not differentiable in #[grad] bodies; the recognised libm functions are {} (and their `f32` forms ending in `f`); for the others write the float method (`x.exp()`, `f64::exp(x)`)",
                        Prim::libm_list()
                    ),
                );
                return self.poison();
            }
        };
        if c.args.len() != p.arity() {
            self.errors.at(
                &c.func,
                format!("wrong number of arguments to `libm::{name}`; write `libm::{name}(x)`"),
            );
            return self.poison();
        }
        self.prim_call(p, c)
    }

    pub(super) fn prim_arg(&mut self, p: Prim, i: usize, a: &Expr) -> Value {
        let want = if p.int_arg(i) { Ty::Int } else { Ty::Float };
        let v = self.expr(a, Some(want));
        let v = self.scalar(v, a, "an argument");
        // Data of unknown type (`c` of `if let Ok(c) = cap`) is what its use needs.
        self.settle(v, want);
        if self.ty(v) != want {
            let msg = if want == Ty::Int {
                format!("the exponent of `{}` must be an integer (`i32`)", p.name())
            } else {
                format!(
                    "argument {} of `{}` must be a `{}`",
                    i,
                    p.name(),
                    self.sig.float_name()
                )
            };
            self.errors.at(a, msg);
        }
        v
    }

    /// Closure `k` of the body applied to `args`, in the bindings it captured.
    pub(super) fn call_closure(&mut self, k: usize, args: Vec<Val>) -> Val {
        let Some((c, env)) = self.closures.get(k).cloned() else {
            return self.poison();
        };
        let here = std::mem::replace(&mut self.scopes, env);
        let v = self.closure(&c, args);
        self.scopes = here;
        v
    }

    /// `mem::swap(&mut a, &mut b)` (the names exchange their values: clippy's
    /// advice for a swap through a temporary) and `mem::replace(&mut a, v)` (the
    /// old value; `a` is `v` from here on).
    fn mem_call(&mut self, c: &syn::ExprCall, name: &str) -> Val {
        let target = |e: &Expr| match e {
            Expr::Reference(r) if r.mutability.is_some() => Some((*r.expr).clone()),
            _ => None,
        };
        let usage = format!(
            "write `std::mem::{name}(&mut a, {})` with a local `a`",
            if name == "swap" { "&mut b" } else { "value" }
        );
        let (Some(first), Some(second), 2) = (c.args.first(), c.args.last(), c.args.len()) else {
            self.errors.at(c, usage);
            return self.poison();
        };
        let Some(a) = target(first) else {
            self.errors.at(first, usage);
            return self.poison();
        };
        let old = self.expr(&a, None);
        if name == "replace" {
            let new = self.expr(second, None);
            self.assign_to(&a, new);
            return old;
        }
        let Some(b) = target(second) else {
            self.errors.at(second, usage);
            return self.poison();
        };
        let other = self.expr(&b, None);
        self.assign_to(&a, other);
        self.assign_to(&b, old);
        Val::Unit
    }

    /// `f64::exp(x)`, `autodiff::relu(x)`: a call of primitive `p`.
    fn prim_call(&mut self, p: Prim, c: &syn::ExprCall) -> Val {
        if c.args.len() != p.arity() {
            let name = p.name();
            self.errors.at(
                &c.func,
                format!(
                    "wrong number of arguments to `{name}`; write `{}`",
                    p.usage(false)
                ),
            );
            return self.poison();
        }
        let args: Vec<Value> = c
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| self.prim_arg(p, i, a))
            .collect();
        Val::Scalar(self.push(OpKind::Call(p, args), Ty::Float))
    }

    pub(super) fn call(&mut self, c: &syn::ExprCall, hint: Option<Ty>) -> Val {
        let Expr::Path(fp) = &*c.func else {
            self.errors.at(
                &c.func,
                "only calls to named functions are supported in #[grad] bodies",
            );
            return self.poison();
        };
        if let Some(id) = fp.path.get_ident() {
            if id == "Some" && c.args.len() == 1 && self.lookup("Some").is_none() {
                return self.some(&c.args[0], hint);
            }
            match self.lookup(&id.to_string()) {
                // A closure of the body: inlined.
                Some(Val::Closure(k)) => {
                    let k = *k;
                    let args = c.args.iter().map(|a| self.expr(a, None)).collect();
                    return self.call_closure(k, args);
                }
                Some(Val::Poisoned) => return Val::Poisoned,
                Some(_) => {
                    self.errors.at(
                        &c.func,
                        format!("`{id}` is a value, not a function: only closures and functions can be called"),
                    );
                    return self.poison();
                }
                None => {}
            }
        }
        let segs = segments(&fp.path);
        let name = segs.last().cloned().unwrap_or_default();
        let qualified = fp.qself.is_some() || segs.len() > 1;
        // autodiff's own functions, by a path through the crate: `autodiff::relu`,
        // `autodiff::primitives::relu`. A bare `relu(x)` may be any function.
        let from_core = segs.len() >= 2 && (segs[0] == "autodiff" || segs[0] == "autodiff_core");
        if fp.qself.is_none() && segs.len() == 2 && segs[0] == "libm" {
            return self.libm_call(c, &name);
        }
        // `f64::sin_cos(x)`, `T::sin_cos(x)`, `Real::sin_cos(x)`
        if name == "sin_cos" && qualified && c.args.len() == 1 {
            let v = self.expr(&c.args[0], Some(Ty::Float));
            let v = self.scalar(v, &c.args[0], "the argument of `sin_cos`");
            if self.ty(v) != Ty::Float {
                let float = self.sig.float_name();
                self.errors.at(
                    &c.args[0],
                    format!("the argument of `sin_cos` must be a `{float}`"),
                );
            }
            return self.sin_cos(v);
        }
        if let Some(p) = Prim::function(&name) {
            let ok = match p.form() {
                Form::Method => qualified,
                Form::CoreFn => from_core,
            };
            if ok {
                return self.prim_call(p, c);
            }
        }
        if let Some(name) = mem_fn(c) {
            return self.mem_call(c, name);
        }
        // `Vec::new()`, `Vec::with_capacity(n)`: an empty `Vec` of floats, grown
        // by `push`.
        if segs.len() >= 2
            && segs[segs.len() - 2] == "Vec"
            && matches!(name.as_str(), "new" | "with_capacity")
        {
            if !self.heap(c, &format!("`Vec::{name}`")) {
                return self.poison();
            }
            if let Some(n) = c.args.first() {
                let v = self.expr(n, Some(Ty::Int));
                self.scalar(v, n, "a capacity");
            }
            let zero = self.push(OpKind::Const(0.0), Ty::Float);
            let none = self.int("0");
            let vty = self.func.array_ty(Ty::Float, crate::ir::Len::Vec);
            return Val::Scalar(self.push(OpKind::VecSplat(zero, none), vty));
        }
        if segs.len() >= 2 && segs[segs.len() - 2] == "Vec" {
            self.errors.at(
                &c.func,
                "a `Vec` grown by `push` is not supported yet; write `vec![0.0; n]` and assign `v[i] = …`, or `.collect()` an iterator chain",
            );
            return self.poison();
        }
        let conversion = ["from_f64", "from_i32", "from_usize", "from"].contains(&name.as_str());
        if conversion && qualified && c.args.len() == 1 {
            let a = &c.args[0];
            let v = self.expr(a, Some(Ty::Int));
            let v = self.scalar(v, a, "the argument of a conversion");
            return Val::Scalar(match self.ty(v) {
                Ty::Float => v,
                _ => self.push(OpKind::Cast(v, CastTo::Float), Ty::Float),
            });
        }
        // `use autodiff::relu; relu(x)`: autodiff's primitive, if the name is
        // it. A bare name could be any function, so the companion proves at
        // compile time that it is (one fn item type for both paths).
        let bare = Prim::function(&name)
            .filter(|p| segs.len() == 1 && p.form() == Form::CoreFn && !p.internal());
        if let Some(p) = bare {
            let (id, f) = (&fp.path, &self.sig.float_ty);
            let core = quote::format_ident!("{}", name);
            // Spanned at the name, where a mismatch is reported.
            let at = syn::spanned::Spanned::span(&fp.path);
            let check = quote::format_ident!(
                "a_bare_{0}_call_is_autodiffs_{0}__for_your_own_fn_write_self_{0}",
                name
            );
            let proof = quote::quote_spanned!(at=> ::autodiff::__private::bare::#check(#id, ::autodiff::#core::<#f>));
            self.ops.push(Op {
                results: Vec::new(),
                kind: OpKind::Effect(Box::new(crate::ir::Effect {
                    path: syn::parse_quote!(::core::debug_assert),
                    args: vec![crate::ir::EffectArg::Tokens(proof)],
                    diverges: false,
                })),
            });
            return self.prim_call(p, c);
        }
        if from_core && name == "no_grad" && c.args.len() == 1 {
            let v = self.expr(&c.args[0], hint);
            let v = self.scalar(v, &c.args[0], "the argument of `no_grad`");
            return Val::Scalar(self.push(OpKind::StopGrad(v), self.ty(v)));
        }
        if from_core && Prim::ALL.iter().any(|p| p.internal() && p.name() == name) {
            self.errors.at(
                &c.func,
                format!("`autodiff::{name}` is the derivative of `autodiff::digamma` and has no derivative rule of its own, so it cannot be used in a #[grad] body; compute it outside and pass it in as a parameter excluded by `wrt`"),
            );
            return self.poison();
        }
        if from_core {
            self.errors.at(
                &c.func,
                format!(
                    "`{}` is not a differentiable function of autodiff; its primitives are `autodiff::{}` and `autodiff::no_grad`",
                    fp.to_token_stream(),
                    Prim::core_fn_list().replace(", ", "`, `autodiff::"),
                ),
            );
            return self.poison();
        }
        if fp.qself.is_some() {
            self.errors.at(
                &c.func,
                "cannot differentiate through a call with a qualified self type; call a `#[grad]` function by its path",
            );
            return self.poison();
        }
        self.user_call(&fp.path, c, hint)
    }

    /// A call to a function with a companion (`#[grad]`, or written by hand
    /// with `#[grad(custom)]`): the reverse sweep calls `<path>_backward`.
    pub(super) fn user_call(
        &mut self,
        path: &syn::Path,
        c: &syn::ExprCall,
        hint: Option<Ty>,
    ) -> Val {
        // Taken first: a call among the arguments must not see it.
        let shape = self.pending_shape.take();
        let discarded = std::mem::take(&mut self.discarded);
        let mut args = Vec::new();
        let mut refs = Vec::new();
        let mut stop = Vec::new();
        let mut outs = Vec::new();
        // The names of the output arrays passed (`&mut k1`), rebound after.
        let mut out_names = Vec::new();
        for a in &c.args {
            // An output parameter passed on as it is (`scale(x, s)` with
            // `x: &mut [f64; 3]`): an output array too.
            let passed_out = match a {
                Expr::Path(p) => p
                    .path
                    .get_ident()
                    .is_some_and(|id| self.is_out_param(&id.to_string())),
                _ => false,
            };
            let mut_target = match a {
                Expr::Reference(r) if r.mutability.is_some() => Some(&*r.expr),
                _ if passed_out => Some(a),
                _ => None,
            };
            if let Some(target) = mut_target {
                let r = a;
                {
                    let name = match target {
                        Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
                        _ => None,
                    };
                    let v = name.as_deref().and_then(|n| match self.lookup(n) {
                        Some(Val::Scalar(v)) if matches!(self.ty(*v), Ty::Array(_)) => Some(*v),
                        _ => None,
                    });
                    let (Some(name), Some(v)) = (name, v) else {
                        self.errors.at(
                            r,
                            "an output array passed on (`&mut out`) must be a local array or `Vec`, or an output parameter, named as it is",
                        );
                        return self.poison();
                    };
                    if self.refs.contains(&v) && !self.is_out_param(&name) {
                        self.errors.at(
                            r,
                            "a `&` parameter cannot be passed on as `&mut`: copy it into a local first",
                        );
                        return self.poison();
                    }
                    args.push(v);
                    refs.push(true);
                    stop.push(false);
                    outs.push(true);
                    out_names.push(name);
                    continue;
                }
            }
            outs.push(false);
            // `no_grad(&x)` and `&no_grad(x)` alike.
            let (inner, outer_stop) = match no_grad_of(a) {
                Some(e) => (e, true),
                None => (a, false),
            };
            let (inner, by_ref) = match inner {
                Expr::Reference(r) if r.mutability.is_none() => (&*r.expr, true),
                Expr::Reference(r) => {
                    self.errors.at(
                        r,
                        "`no_grad` of an output array: pass the array itself (`&mut out`)",
                    );
                    (&*r.expr, true)
                }
                e => (e, false),
            };
            let (inner, stopped) = match no_grad_of(inner) {
                Some(e) => (e, true),
                None => (inner, outer_stop),
            };
            if let Expr::Path(p) = inner {
                if p.path
                    .get_ident()
                    .is_some_and(|id| self.struct_copies.contains(&id.to_string()))
                {
                    self.errors.at(
                        inner,
                        "a local copy of a struct parameter cannot be passed on whole yet; pass the parameter itself, or the copy's fields",
                    );
                }
            }
            let v = match self.field_path(inner) {
                // A field passed on by `&`: in place, whatever its shape.
                Some(_) if by_ref => {
                    let any = self.func.array_ty(Ty::Float, crate::ir::Len::View);
                    self.field_of(inner, any).map_or(Val::Poisoned, Val::Scalar)
                }
                // A row of a field (`&p.w[l]`): an array of the callee's shape.
                _ => match inner {
                    Expr::Index(ix) if by_ref => match self.field_row(ix) {
                        Some(v) => Val::Scalar(v),
                        None => self.expr(inner, None),
                    },
                    _ => self.expr(inner, None),
                },
            };
            let v = self.scalar(v, inner, "an argument");
            args.push(v);
            // A `&` parameter passed on as it is is a reference too (not `*x`).
            let deref = matches!(inner, Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)));
            refs.push(by_ref || (!deref && self.refs.contains(&v)));
            stop.push(stopped);
        }
        // A call with output arrays whose value is dropped: a callee that
        // returns `()`.
        let unit = discarded && !out_names.is_empty();
        let (tys, tuple) = match shape {
            _ if unit => (Vec::new(), false),
            Some(tys) => (tys, true),
            None => (vec![hint.unwrap_or(Ty::Float)], false),
        };
        let mut results: Vec<Value> = tys.iter().map(|t| self.func.new_value(*t)).collect();
        if hint.is_none() && !tuple && !unit {
            // Typed by its use, like a path: `argmax(&s)` used as an index is an integer.
            self.guessed.insert(results[0]);
            self.untyped_results.insert(results[0]);
        }
        // The new versions of the output arrays, rebound to their names.
        let n_val = results.len();
        for (k, &a) in args.iter().enumerate() {
            if outs[k] {
                let ty = self.ty(a);
                results.push(self.func.new_value(ty));
            }
        }
        self.ops.push(Op {
            results: results.clone(),
            kind: OpKind::CallFn(
                Box::new(crate::ir::Callee {
                    path: path.clone(),
                    refs,
                    stop,
                    tuple,
                    outs,
                    unit,
                }),
                args,
            ),
        });
        for (name, v) in out_names.iter().zip(&results[n_val..]) {
            self.assign(name, Val::Scalar(*v));
        }
        let results = results[..n_val].to_vec();
        if unit {
            return Val::Unit;
        }
        if tuple {
            Val::Tuple(results.into_iter().map(Val::Scalar).collect())
        } else {
            Val::Scalar(results[0])
        }
    }

    pub(super) fn cast(&mut self, c: &syn::ExprCast) -> Val {
        self.pending_shape = None;
        let v = self.expr(&c.expr, None);
        let v = self.scalar(v, &c.expr, "the operand of `as`");
        // `N as f64`: a path cast to a float is not the float itself.
        self.settle(v, Ty::Int);
        if self.sig.is_float(&c.ty) {
            return Val::Scalar(match self.ty(v) {
                Ty::Float => v,
                _ => self.push(OpKind::Cast(v, CastTo::Float), Ty::Float),
            });
        }
        let target = c.ty.to_token_stream().to_string();
        if self.ty(v) == Ty::Float && (target == "f32" || target == "f64") {
            self.errors.at(
                c,
                format!(
                    "casting to `{target}` inside a #[grad] fn on `{}` would drop the gradient; compute in `{}`",
                    self.sig.float_name(),
                    self.sig.float_name()
                ),
            );
            return self.poison();
        }
        match self.type_of(&c.ty) {
            Some(Ty::Int) => {
                let to = CastTo::Other(c.ty.to_token_stream().to_string());
                Val::Scalar(self.push(OpKind::Cast(v, to), Ty::Int))
            }
            _ => {
                self.errors.at(
                    &c.ty,
                    "unsupported cast target in #[grad] body; cast to a float or an integer type",
                );
                self.poison()
            }
        }
    }
}

/// Whether a call's function is `autodiff::no_grad`.
fn is_no_grad(f: &Expr) -> bool {
    match f {
        Expr::Path(p) => {
            let segs = segments(&p.path);
            segs.len() >= 2
                && (segs[0] == "autodiff" || segs[0] == "autodiff_core")
                && segs.last().is_some_and(|s| s == "no_grad")
        }
        _ => false,
    }
}

/// `"swap"` or `"replace"` for a call to `mem::swap` / `mem::replace` (by any path
/// ending in `mem::…`): calls that assign through their `&mut` arguments.
pub(super) fn mem_fn(c: &syn::ExprCall) -> Option<&'static str> {
    let Expr::Path(p) = &*c.func else {
        return None;
    };
    let segs = segments(&p.path);
    match segs.as_slice() {
        [.., m, f] if m == "mem" && f == "swap" => Some("swap"),
        [.., m, f] if m == "mem" && f == "replace" => Some("replace"),
        _ => None,
    }
}

/// Gives the type "array of the callee's shape" to the `untyped` call results
/// that are only passed on by value to other calls (`let m = scale(n); dot(m,
/// l)`): they may be floats or arrays, and the reverse sweep treats such a value
/// through `Tangent` (a zero of its type, `accumulate`), right for both. A result
/// used in any other way keeps the type its use gave it.
pub(super) fn type_passed_results(func: &mut crate::ir::Func, untyped: &IdSet) {
    fn visit(r: &crate::ir::Region, untyped: &IdSet, passed: &mut IdSet, other: &mut IdSet) {
        for op in &r.ops {
            match &op.kind {
                OpKind::CallFn(c, args) => {
                    for (k, a) in args.iter().enumerate() {
                        if untyped.contains(a) {
                            if c.refs[k] || c.stop[k] {
                                other.insert(*a);
                            } else {
                                passed.insert(*a);
                            }
                        }
                    }
                }
                _ => other.extend(op.operands().into_iter().filter(|v| untyped.contains(v))),
            }
            for reg in op.regions() {
                visit(reg, untyped, passed, other);
            }
        }
        other.extend(r.yields.iter().copied().filter(|v| untyped.contains(v)));
    }
    let (mut passed, mut other) = (IdSet::default(), IdSet::default());
    visit(&func.body, untyped, &mut passed, &mut other);
    let any = func.array_ty(Ty::Float, crate::ir::Len::View);
    for v in passed {
        if !other.contains(&v) && func.ty(v) == Ty::Float {
            func.values[v.0 as usize].ty = any;
        }
    }
}

/// `x` of `autodiff::no_grad(x)`.
fn no_grad_of(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Call(nc) if is_no_grad(&nc.func) && nc.args.len() == 1 => Some(&nc.args[0]),
        _ => None,
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
