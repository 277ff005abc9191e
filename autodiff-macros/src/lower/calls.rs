//! Lowering of calls: primitives called as functions, calls to `#[grad]` functions
//! (and `#[grad(custom)]` ones, with output arrays passed `&mut`), closures, `no_grad`,
//! `mem::swap` / `replace`, casts.

use super::*;

impl Lowering<'_, '_> {
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
        // `std::array::from_fn(|i| …)`, `core::array::from_fn`, `array::from_fn`.
        if name == "from_fn"
            && segs.len() >= 2
            && segs[segs.len() - 2] == "array"
            && c.args.len() == 1
        {
            return self.array_from_fn(c, &fp.path, hint);
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
        let own = segs.len() == 1 && crate::own::is_own(&name);
        if own {
            // The user's own: unless the name is autodiff's here after all
            // (`use autodiff::sigmoid;` over a glob import of the user's),
            // where the value would be the primitive's and the gradient the
            // user's: then the companion stops, never a wrong gradient.
            let (id, f) = (&fp.path, &self.sig.float_ty);
            let core = quote::format_ident!("{}", name);
            let at = syn::spanned::Spanned::span(&fp.path);
            let msg = format!("`{name}` here is autodiff's primitive, but the gradient would be that of your own `#[grad] fn {name}` (imported by a glob): call one of them by its path (`autodiff::{name}(…)` or `crate::…::{name}(…)`)");
            let check = match Prim::function(&name).map(Prim::arity) {
                Some(2) => quote::format_ident!("different_fns2"),
                _ => quote::format_ident!("different_fns1"),
            };
            let proof = quote::quote_spanned!(at=> ::autodiff::__private::#check::<#f, _, _>(#id, ::autodiff::#core::<#f>), #msg);
            self.ops.push(Op {
                results: Vec::new(),
                kind: OpKind::Effect(Box::new(crate::ir::Effect {
                    path: syn::parse_quote!(::core::assert),
                    args: vec![crate::ir::EffectArg::Tokens(proof)],
                    diverges: false,
                })),
            });
        }
        let bare = Prim::function(&name)
            .filter(|p| segs.len() == 1 && p.form() == Form::CoreFn && !p.internal() && !own);
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
        let bare_no_grad = segs.len() == 1 && name == "no_grad" && c.args.len() == 1;
        if bare_no_grad {
            self.prove_no_grad(&Expr::Call(c.clone()));
        }
        if (from_core || bare_no_grad) && name == "no_grad" && c.args.len() == 1 {
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
        let dot = std::mem::take(&mut self.pending_dot);
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
                Some(e) => {
                    self.prove_no_grad(a);
                    (e, true)
                }
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
                Some(e) => {
                    self.prove_no_grad(inner);
                    (e, true)
                }
                None => (inner, outer_stop),
            };
            let copy = match inner {
                Expr::Path(p) => p
                    .path
                    .get_ident()
                    .is_some_and(|id| self.struct_copies.contains(&id.to_string())),
                _ => false,
            };
            if copy {
                self.errors.at(
                    inner,
                    "a local copy of a struct parameter cannot be passed on whole yet; pass the parameter itself, or the copy's fields",
                );
            } else if matches!(self.field_path(inner), Some((_, ref f)) if f.is_empty())
                && self.reject_updated_whole(inner)
            {
                return self.poison();
            }
            let v = match self.field_path(inner) {
                // A field passed on by `&`: in place, whatever its shape.
                Some(_) if by_ref => {
                    let any = self.func.array_ty(Ty::Float, crate::ir::Len::View);
                    self.field_of(inner, any).map_or(Val::Poisoned, Val::Scalar)
                }
                // A `const` from outside the body by `&` (`f(&TABLE)`): data
                // of the callee's shape.
                _ if by_ref && self.is_outer_path(inner) => self
                    .array_value_or(inner, "")
                    .map_or(Val::Poisoned, Val::Scalar),
                // A row of a field (`&p.w[l]`): an array of the callee's shape.
                _ => match inner {
                    Expr::Index(ix) if by_ref => match self.field_row(ix) {
                        Some(v) => Val::Scalar(v),
                        None => self.expr(inner, None),
                    },
                    _ => self.expr(inner, None),
                },
            };
            // A row of a struct field passed on by `&` (`f(&r)` of `let r = p.w[i];`).
            // A name bound to a row (`for row in l.w.iter()`) holds a
            // reference to it: passed on as written, by `&`.
            let row_ref = matches!(v, Val::Row { .. }) && matches!(inner, Expr::Path(_));
            let by_ref = by_ref || row_ref;
            let v = match v {
                Val::Row { base, idx } if by_ref => Val::Scalar(self.row_value(base, idx)),
                Val::Scalar(r)
                    if (by_ref || self.refs.contains(&r)) && self.rows.contains_key(&r) =>
                {
                    Val::Scalar(self.as_row(r).unwrap_or(r))
                }
                v => v,
            };
            let v = self.scalar(v, inner, "an argument");
            self.no_whole_elem(v, inner);
            args.push(v);
            // A `&` parameter passed on as it is is a reference too (not `*x`).
            let deref = matches!(super::methods::unparen(inner), Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)));
            refs.push(by_ref || (!deref && self.refs.contains(&v)));
            stop.push(stopped);
        }
        // A call with output arrays whose value is dropped: a callee that
        // returns `()`.
        let unit = discarded && !out_names.is_empty();
        // A call of another function's `_backward` (nested differentiation):
        // its result is `d_out`'s type, then each by-value gradient's, which an
        // unannotated tuple pattern did not say.
        let shape = match (shape, self.backward_shape(path, &args, &refs, &stop)) {
            (Some(s), Some(c)) if s.len() == c.len() && s.iter().all(|t| *t == Ty::Float) => {
                Some(c)
            }
            (s, _) => s,
        };
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
        if !tuple && !unit {
            self.call_results.insert(results[0]);
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
                    forward: false,
                    dot,
                    skip: Vec::new(),
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

/// Whether a call's function is `autodiff::no_grad` (or `no_grad` imported:
/// `Lowering::prove_no_grad` proves it is autodiff's).
fn is_no_grad(f: &Expr) -> bool {
    match f {
        Expr::Path(p) => {
            let segs = segments(&p.path);
            (segs.len() >= 2
                && (segs[0] == "autodiff" || segs[0] == "autodiff_core")
                && segs.last().is_some_and(|s| s == "no_grad"))
                || (segs.len() == 1 && segs[0] == "no_grad" && p.qself.is_none())
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

impl Lowering<'_, '_> {
    /// The result types of a call of `f_backward`: `d_out`'s (its last
    /// argument), then the gradient of each differentiable by-value argument.
    fn backward_shape(
        &self,
        path: &syn::Path,
        args: &[Value],
        refs: &[bool],
        stop: &[bool],
    ) -> Option<Vec<Ty>> {
        let last = path.segments.last()?.ident.to_string();
        if !last.ends_with("_backward") {
            return None;
        }
        let (&d, params) = args.split_last()?;
        let mut tys = vec![self.func.ty(d)];
        for (k, &a) in params.iter().enumerate() {
            let ty = self.func.ty(a);
            if !refs[k] && !stop[k] && self.func.differentiable(ty) {
                tys.push(ty);
            }
        }
        Some(tys)
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
                            if c.stop[k] {
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
impl Lowering<'_, '_> {
    /// For a bare `no_grad(…)` call: a check at compile time that the name is
    /// autodiff's (one fn item type for both paths), as for bare primitives.
    fn prove_no_grad(&mut self, e: &Expr) {
        let Expr::Call(c) = e else { return };
        let Expr::Path(p) = &*c.func else { return };
        if p.path.segments.len() != 1 {
            return;
        }
        let id = &p.path;
        let at = syn::spanned::Spanned::span(id);
        let check = quote::format_ident!(
            "a_bare_no_grad_call_is_autodiffs_no_grad__for_your_own_fn_write_self_no_grad"
        );
        let proof = quote::quote_spanned!(at=> ::autodiff::__private::bare::#check(#id::<()>, ::autodiff::no_grad::<()>));
        self.ops.push(Op {
            results: Vec::new(),
            kind: OpKind::Effect(Box::new(crate::ir::Effect {
                path: syn::parse_quote!(::core::debug_assert),
                args: vec![crate::ir::EffectArg::Tokens(proof)],
                diverges: false,
            })),
        });
    }
}

fn no_grad_of(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Call(nc) if is_no_grad(&nc.func) && nc.args.len() == 1 => Some(&nc.args[0]),
        _ => None,
    }
}

impl Lowering<'_, '_> {
    /// The length of `from_fn(|i| … s[i] …)` passed straight on (`deriv(from_fn(…))`):
    /// that of the first array of known length the closure indexes by `i`. (A
    /// wrong guess is a type error in the companion, never a wrong value.)
    fn len_from_fn_body(&self, f: &Expr) -> Option<usize> {
        let Expr::Closure(c) = f else {
            return None;
        };
        let Some(syn::Pat::Ident(pi)) = c.inputs.first() else {
            return None;
        };
        struct Finder<'a, 'b, 'c> {
            l: &'a Lowering<'b, 'c>,
            i: &'a syn::Ident,
            n: Option<usize>,
        }
        impl<'e> syn::visit::Visit<'e> for Finder<'_, '_, '_> {
            fn visit_expr_index(&mut self, ix: &'e syn::ExprIndex) {
                let by_i = matches!(&*ix.index, Expr::Path(p) if p.path.is_ident(self.i));
                if let (true, None, Expr::Path(p)) = (by_i, self.n, &*ix.expr) {
                    let arr =
                        p.path
                            .get_ident()
                            .and_then(|id| match self.l.lookup(&id.to_string()) {
                                Some(Val::Scalar(v)) => self.l.func.array(self.l.ty(*v)),
                                _ => None,
                            });
                    if let Some(crate::ir::ArrayTy {
                        len: crate::ir::Len::Const(n),
                        ..
                    }) = arr
                    {
                        self.n = n.parse().ok();
                    }
                }
                syn::visit::visit_expr_index(self, ix);
            }
        }
        let mut finder = Finder {
            l: self,
            i: &pi.ident,
            n: None,
        };
        syn::visit::Visit::visit_expr(&mut finder, &c.body);
        finder.n
    }

    /// `std::array::from_fn(f)`: the array `[f(0), f(1), …]`, its length from
    /// the annotation (`let t: [f64; 4] = …`), the turbofish
    /// (`from_fn::<_, 4, _>`) or the arrays the closure indexes.
    fn array_from_fn(&mut self, c: &syn::ExprCall, path: &syn::Path, hint: Option<Ty>) -> Val {
        let from_hint = hint.and_then(|h| match self.func.array(h) {
            Some(crate::ir::ArrayTy {
                len: crate::ir::Len::Const(n),
                ..
            }) => n.parse::<usize>().ok(),
            _ => None,
        });
        let from_turbofish = path.segments.last().and_then(|s| match &s.arguments {
            syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                syn::GenericArgument::Const(Expr::Lit(l)) => match &l.lit {
                    syn::Lit::Int(i) => i.base10_parse::<usize>().ok(),
                    _ => None,
                },
                _ => None,
            }),
            _ => None,
        });
        let from_body = || self.len_from_fn_body(&c.args[0]);
        let Some(n) = from_hint.or(from_turbofish).or_else(from_body) else {
            self.errors.at(
                c,
                "the length of `array::from_fn`'s array is not known here: annotate it (`let t: [f64; N] = std::array::from_fn(|i| …);`) or give it by the turbofish (`from_fn::<_, N, _>`)",
            );
            return self.poison();
        };
        let Some(f) = super::iters::Callable::of(&c.args[0]) else {
            self.errors.at(
                &c.args[0],
                "`array::from_fn` takes a closure (`|i| …`) or a function path",
            );
            return self.poison();
        };
        let mut xs = Vec::with_capacity(n);
        for i in 0..n {
            let k = self.push(OpKind::Verbatim(format!("{i}usize")), Ty::Int);
            let v = self.apply(f, vec![Val::Scalar(k)]);
            xs.push(self.scalar(v, &c.args[0], "an array element"));
        }
        let Some(&first) = xs.first() else {
            self.errors
                .at(c, "empty arrays are not supported; write `[0.0; 0]`");
            return self.poison();
        };
        let elem = self.ty(first);
        if xs.iter().any(|x| self.ty(*x) != elem) {
            self.errors
                .at(c, "the elements of this array have different types");
            return self.poison();
        }
        let ty = self
            .func
            .array_ty(elem, crate::ir::Len::Const(n.to_string()));
        Val::Scalar(self.push(OpKind::ArrayLit(xs), ty))
    }
}
