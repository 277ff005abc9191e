//! The signature model: which parameters are active, what the float type is, and
//! what the companion's signature will be.

use crate::attr::Attr;
use crate::error::Errors;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{
    FnArg, GenericParam, Ident, ItemFn, Pat, ReturnType, Type, TypeParamBound, WherePredicate,
};

/// How a parameter is passed and whether it carries a gradient.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamKind {
    /// A float by value: its gradient is returned.
    Float,
    /// `&F`: its gradient is added into a `&mut F` shadow.
    FloatRef,
    /// Anything else (integers, `bool`, floats outside `wrt`): passed through.
    Inactive { by_ref: bool, is_bool: bool },
    /// An output array `&mut [F]`, `&mut [F; N]`, `&mut Vec<F>`: the function
    /// writes it (and may read it); its `&mut` shadow carries in the cotangent
    /// of the final contents and leaves holding the gradient of the initial ones.
    Out,
}

/// One parameter of the original function.
#[derive(Clone, Debug)]
pub struct Param {
    /// The binding name; `None` for `_`. `self` for a receiver.
    pub ident: Option<Ident>,
    /// A struct of parameters (`#[derive(Tangent)]`), reached field by field.
    pub is_struct: bool,
    /// The `self` receiver (`&self` or `self`).
    pub receiver: bool,
    pub ty: Type,
    pub kind: ParamKind,
    /// Its type was rejected (an error says so): the body's uses of it report
    /// nothing more.
    pub rejected: bool,
}

impl Param {
    /// Whether this parameter gets a gradient.
    pub fn active(&self) -> bool {
        matches!(
            self.kind,
            ParamKind::Float | ParamKind::FloatRef | ParamKind::Out
        )
    }

    /// The type without its reference, for the `&mut` shadow.
    pub fn value_ty(&self) -> &Type {
        match &self.ty {
            Type::Reference(r) => &r.elem,
            t => t,
        }
    }
}

/// The model of the original signature.
#[derive(Clone, Debug)]
pub struct Signature {
    pub name: Ident,
    /// The function's float type (`f64`, `f32`, or a generic `T: Real`).
    pub float_ty: Type,
    /// Whether `float_ty` is a generic parameter (constants go through `Real::from_f64`).
    pub generic_float: bool,
    pub params: Vec<Param>,
    /// The original return type.
    pub ret: Type,
    /// Number of float results (1 for a scalar, n for an n-tuple).
    pub outputs: usize,
    /// A `self` receiver was rejected: the body is not lowered (its errors would
    /// only repeat that one).
    pub has_receiver: bool,
}

impl Signature {
    /// Whether `ty` is the function's float type.
    pub fn is_float(&self, ty: &Type) -> bool {
        same_type(ty, &self.float_ty)
    }

    /// The name of the float type as a path segment, e.g. `f64` or `T`.
    pub fn float_name(&self) -> String {
        self.float_ty.to_token_stream().to_string()
    }
}

/// A type as people write it, for messages: `&[Vec<f64>]`, not the token
/// stream's `& [Vec < f64 >]`.
pub fn type_text(t: &Type) -> String {
    let mut s = t.to_token_stream().to_string();
    for (from, to) in [
        ("& ", "&"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("[ ", "["),
        (" ]", "]"),
        (" ;", ";"),
        (" ::", "::"),
        (":: ", "::"),
        ("( ", "("),
        (" )", ")"),
        ("' ", "'"),
    ] {
        s = s.replace(from, to);
    }
    s
}

fn same_type(a: &Type, b: &Type) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
}

fn strip_parens(t: &Type) -> &Type {
    match t {
        Type::Paren(p) => strip_parens(&p.elem),
        Type::Group(g) => strip_parens(&g.elem),
        t => t,
    }
}

fn single_ident(t: &Type) -> Option<&Ident> {
    match strip_parens(t) {
        Type::Path(p) if p.qself.is_none() => p.path.get_ident(),
        _ => None,
    }
}

/// Scalar types passed through without a gradient (`char` is data too: a
/// `match` may select on it).
const INT_TYPES: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "char",
];

/// Generic type parameters bounded by `Real` (`T: Real`, `T: autodiff::Real`, in
/// the parameter list or the where-clause).
fn real_generics(item: &ItemFn) -> Vec<Ident> {
    let is_real = |b: &TypeParamBound| match b {
        TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| s.ident == "Real"),
        _ => false,
    };
    let mut out = Vec::new();
    for g in &item.sig.generics.params {
        if let GenericParam::Type(t) = g {
            if t.bounds.iter().any(is_real) {
                out.push(t.ident.clone());
            }
        }
    }
    if let Some(w) = &item.sig.generics.where_clause {
        for p in &w.predicates {
            if let WherePredicate::Type(pt) = p {
                if let Some(id) = single_ident(&pt.bounded_ty) {
                    if pt.bounds.iter().any(is_real) {
                        out.push(id.clone());
                    }
                }
            }
        }
    }
    out
}

/// Builds the signature model, reporting what cannot be differentiated.
pub fn model(item: &ItemFn, attr: &Attr, errors: &mut Errors) -> Option<Signature> {
    let sig = &item.sig;
    let before = errors.len();
    if let Some(a) = &sig.asyncness {
        errors.at(
            a,
            "#[grad] cannot differentiate an `async fn`; make it a plain `fn`",
        );
    }
    if let Some(u) = &sig.unsafety {
        errors.at(
            u,
            "#[grad] cannot differentiate an `unsafe fn`; make it a safe `fn`",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.at(abi, "#[grad] does not support an `extern` ABI; remove it and wrap the function if you need one");
    }
    if let Some(v) = &sig.variadic {
        errors.at(v, "#[grad] cannot differentiate a variadic function");
    }

    let mut generics = real_generics(item);
    // A method of `impl<T: Real> S<T>` returning `T`: `T` is the impl's, not
    // visible here; a bare one-letter type name returned by a method is taken
    // for it.
    let has_receiver_arg = sig.inputs.iter().any(|a| matches!(a, FnArg::Receiver(_)));
    if let (true, ReturnType::Type(_, t)) = (has_receiver_arg, &sig.output) {
        if let Some(id) = single_ident(t) {
            let name = id.to_string();
            let known = name == "f32"
                || name == "f64"
                || name == "bool"
                || name == "Self"
                || INT_TYPES.contains(&name.as_str());
            // One letter (`T`, `F`): a struct may well be called `V3` or `P2`;
            // nor is it one the body builds (`H { … }`).
            if !known && !generics.contains(id) && name.len() == 1 && !builds(item, id) {
                generics.push(id.clone());
            }
        }
    }
    let is_float_name = |id: &Ident| id == "f64" || id == "f32" || generics.contains(id);
    let float_of = |t: &Type| -> Option<Type> {
        let id = single_ident(t)?;
        is_float_name(id).then(|| strip_parens(t).clone())
    };

    // The return type fixes the float type and the number of outputs.
    let (ret, ret_float, outputs) = match &sig.output {
        // `()`: the results are in output parameters (`dy: &mut [f64]`), whose
        // element type is the float type.
        ReturnType::Default => (syn::parse_quote!(()), None, 0),
        ReturnType::Type(_, t) if matches!(strip_parens(t), Type::Tuple(tt) if tt.elems.is_empty()) => {
            (strip_parens(t).clone(), None, 0)
        }
        ReturnType::Type(_, t) => {
            let t = strip_parens(t);
            // `Vec<F>`: its cotangent comes as `d_out: &[F]`.
            let vec_of = vec_elem(t).and_then(|e| leaf(e, false)).and_then(float_of);
            if let Some(f) = vec_of {
                (t.clone(), Some(f), 1)
            } else if let Some(f) = leaf(t, false)
                .and_then(float_of)
                .filter(|_| matches!(t, Type::Array(_)))
            {
                (t.clone(), Some(f), 1)
            } else if let Some(f) = float_of(t) {
                (t.clone(), Some(f), 1)
            } else if let Type::Tuple(tt) = t {
                let fs: Vec<Option<Type>> = tt
                    .elems
                    .iter()
                    .map(|e| leaf(e, false).and_then(float_of))
                    .collect();
                if tt.elems.is_empty() || fs.iter().any(Option::is_none) {
                    errors.at(
                        t,
                        "a #[grad] function must return a float (`f64`, `f32` or a `T: Real`) or a tuple of floats",
                    );
                    (t.clone(), None, 0)
                } else {
                    (t.clone(), fs[0].clone(), fs.len())
                }
            } else if is_struct_type(t, &generics) {
                // A `Tangent` struct: its cotangent comes as `d_out: S`.
                (t.clone(), None, 1)
            } else {
                errors.at(
                    t,
                    format!(
                        "a #[grad] function must return a float (`f64`, `f32` or a `T: Real`), a tuple or an array of them, a `Vec`, or a `#[derive(Tangent)]` struct, not `{}`",
                        type_text(t)
                    ),
                );
                (t.clone(), None, 0)
            }
        }
    };
    let out_float = sig.inputs.iter().find_map(|a| match a {
        FnArg::Typed(pt) => out_elem(&pt.ty).and_then(float_of),
        FnArg::Receiver(_) => None,
    });
    if outputs == 0
        && ret_float.is_none()
        && out_float.is_none()
        && matches!(&ret, Type::Tuple(tt) if tt.elems.is_empty())
    {
        errors.at(
            &sig.ident,
            "a #[grad] function must return a float or a tuple of floats (add a return type such as `-> f64`), or write its results into output parameters (`out: &mut [f64]`)",
        );
    }
    // A struct result: the float type of the parameters.
    let param_float = sig.inputs.iter().find_map(|a| match a {
        FnArg::Typed(pt) => {
            let t = match strip_parens(&pt.ty) {
                Type::Reference(r) => &*r.elem,
                t => t,
            };
            leaf(t, true).and_then(float_of)
        }
        FnArg::Receiver(_) => None,
    });
    let float_ty = ret_float
        .clone()
        .or(out_float)
        .or(param_float)
        .unwrap_or_else(|| syn::parse_quote!(f64));
    if let Type::Tuple(tt) = &ret {
        for e in &tt.elems {
            let l = leaf(e, false).and_then(float_of);
            if l.as_ref().is_some_and(|l| !same_type(l, &float_ty)) {
                errors.at(
                    e,
                    "every result of a #[grad] function must have the same float type",
                );
            }
        }
    }

    let mut params = Vec::new();
    let mut has_receiver = false;
    for arg in &sig.inputs {
        let pt = match arg {
            FnArg::Receiver(r) => {
                if r.mutability.is_some() && r.reference.is_some() || r.colon_token.is_some() {
                    errors.at(
                        r,
                        "#[grad] methods take `&self`, `self`, or `&mut self` returning `()` (`fn step(&mut self, dt: f64)`, called as `s.step(dt);`); a `&mut self` method that returns a value is not supported (return the new state, or split it into a `&mut self` step and a `&self` getter), and `self: Type` is not supported",
                    );
                    has_receiver = true;
                    continue;
                }
                // `self` is differentiated like any struct parameter
                // (`Self: Tangent`), unless a `wrt` leaves it out; a
                // hand-written companion (`custom`, which takes no `wrt`) has
                // it as data.
                let by_ref = r.reference.is_some();
                let ty: Type = if by_ref {
                    syn::parse_quote!(&Self)
                } else {
                    syn::parse_quote!(Self)
                };
                params.push(Param {
                    ident: Some(Ident::new("self", r.self_token.span)),
                    is_struct: true,
                    receiver: true,
                    ty,
                    kind: match (attr.custom, by_ref) {
                        (true, _) => ParamKind::Inactive {
                            by_ref,
                            is_bool: false,
                        },
                        (false, true) => ParamKind::FloatRef,
                        (false, false) => ParamKind::Float,
                    },
                    rejected: false,
                });
                continue;
            }
            FnArg::Typed(pt) => pt,
        };
        let mut pattern_ok = true;
        let ident = match &*pt.pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => Some(pi.ident.clone()),
            Pat::Wild(_) => None,
            p => {
                errors.at(
                    p,
                    "#[grad] parameters must be plain names: write `x: T` and destructure inside the body",
                );
                pattern_ok = false;
                None
            }
        };
        let ty = (*pt.ty).clone();
        // Data: a parameter that `wrt` leaves out, or whose type holds no float,
        // is passed through whatever its type (`&[Vec<f64>]`, `Option<usize>`).
        let excluded = attr.wrt.as_ref().is_some_and(|w| {
            !ident
                .as_ref()
                .is_some_and(|id| w.iter().any(|n| n.unraw() == id.unraw()))
        });
        let floatless = !mentions_float(&ty, &float_ty, &generics);
        let kind_of = |t: &Type, by_ref: bool, errors: &mut Errors| {
            let mut quiet = Errors::default();
            match classify(&ty, t, by_ref, &float_ty, &float_of, &generics, &mut quiet) {
                Some(k) => Some(k),
                None if excluded || floatless => Some(ParamKind::Inactive {
                    by_ref,
                    is_bool: false,
                }),
                None => classify(&ty, t, by_ref, &float_ty, &float_of, &generics, errors),
            }
        };
        let kind = match strip_parens(&ty) {
            _ if !pattern_ok => None,
            Type::Reference(r) if r.mutability.is_some() => {
                match out_elem(&ty).and_then(float_of) {
                    Some(f) if same_type(&f, &float_ty) => Some(ParamKind::Out),
                    _ => {
                        errors.at(
                            &ty,
                            format!("`{}` parameters are not supported: a `&mut` parameter of a #[grad] function is an output array of its float type (`out: &mut [{f}]`, `&mut [{f}; N]`, `&mut Vec<{f}>`); take this one by `&` or by value and return what it computes", type_text(&ty), f = type_text(&float_ty)),
                        );
                        None
                    }
                }
            }
            Type::Reference(r) => kind_of(&r.elem, true, errors),
            t => kind_of(t, false, errors),
        };
        // A rejected parameter stays in the model (inactive) so the stub companion
        // of the fallback keeps the right arity.
        let rejected = kind.is_none();
        let kind = kind.unwrap_or(ParamKind::Inactive {
            by_ref: false,
            is_bool: false,
        });
        let is_struct = !is_array_or_slice(&ty)
            && match strip_parens(&ty) {
                Type::Reference(r) => {
                    is_struct_type(&r.elem, &generics) || is_float_tuple(&r.elem, &float_ty)
                }
                t => is_struct_type(t, &generics) || is_float_tuple(t, &float_ty),
            }
            // A type name the body indexes (`type Vec3 = [f64; 3];`, `a[0]`):
            // an alias of an array, which the macro cannot see, not a struct.
            && !ident.as_ref().is_some_and(|id| indexed_in(&item.block, id));
        params.push(Param {
            ident,
            is_struct,
            receiver: false,
            ty,
            kind,
            rejected,
        });
    }

    // `wrt` restricts differentiation to the named parameters.
    if let Some(wrt) = &attr.wrt {
        for name in wrt {
            match params.iter().find(|p| p.ident.as_ref().is_some_and(|id| id.unraw() == name.unraw())) {
                None => errors.at(
                    name,
                    format!("`wrt` names `{name}`, which is not a parameter of `{}`", sig.ident),
                ),
                Some(p) if !p.active() && !p.receiver => errors.at(
                    name,
                    format!(
                        "`{name}` cannot be differentiated: only float parameters (`{}`, `&{0}`) have gradients; remove it from `wrt`",
                        float_ty.to_token_stream()
                    ),
                ),
                Some(_) => {}
            }
        }
        for p in &mut params {
            let named = p
                .ident
                .as_ref()
                .is_some_and(|id| wrt.iter().any(|w| w.unraw() == id.unraw()));
            if p.receiver && named {
                let by_ref = matches!(p.ty, Type::Reference(_));
                p.kind = if by_ref {
                    ParamKind::FloatRef
                } else {
                    ParamKind::Float
                };
                continue;
            }
            if p.active() && !named {
                p.kind = ParamKind::Inactive {
                    by_ref: p.kind == ParamKind::FloatRef,
                    is_bool: false,
                };
            }
        }
    }

    if errors.len() > before && ret_float.is_none() {
        return None;
    }
    Some(Signature {
        name: sig.ident.clone(),
        generic_float: !matches!(single_ident(&float_ty), Some(id) if id == "f64" || id == "f32"),
        float_ty,
        params,
        ret,
        outputs,
        has_receiver,
    })
}

/// The scalar type at the bottom of arrays and slices (`[[f64; 2]; 3]` → `f64`),
/// or `None` for a slice not behind a reference.
fn leaf(t: &Type, by_ref: bool) -> Option<&Type> {
    match strip_parens(t) {
        Type::Array(a) => leaf(&a.elem, by_ref),
        Type::Slice(s) if by_ref => leaf(&s.elem, false),
        Type::Slice(_) => None,
        t => Some(t),
    }
}

/// Like `leaf`, and through `Vec`s behind the reference (`&Vec<f64>`,
/// `&[Vec<f64>]`: differentiated with a shadow of the same type).
fn ref_leaf(t: &Type) -> Option<&Type> {
    match strip_parens(t) {
        Type::Array(a) => ref_leaf(&a.elem),
        Type::Slice(s) => ref_leaf(&s.elem),
        t => match vec_elem(t) {
            Some(e) => ref_leaf(e),
            None => Some(t),
        },
    }
}

/// `S` of `[S]`, `[S; N]` or `Vec<S>`.
fn record_elem(t: &Type) -> Option<&Type> {
    match strip_parens(t) {
        Type::Slice(s) => Some(&s.elem),
        Type::Array(a) => Some(&a.elem),
        t => vec_elem(t),
    }
}

/// `T` of `Vec<T>`.
pub fn vec_elem(t: &Type) -> Option<&Type> {
    let Type::Path(p) = strip_parens(t) else {
        return None;
    };
    if p.qself.is_some() {
        return None;
    }
    let seg = p.path.segments.last().filter(|s| s.ident == "Vec")?;
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// The element type of an output parameter's type: `F` of `&mut [F]`,
/// `&mut [F; N]` or `&mut Vec<F>`.
fn out_elem(t: &Type) -> Option<&Type> {
    let Type::Reference(r) = strip_parens(t) else {
        return None;
    };
    r.mutability?;
    match strip_parens(&r.elem) {
        Type::Slice(s) => Some(&s.elem),
        Type::Array(a) => Some(&a.elem),
        Type::Path(p) if p.qself.is_none() => {
            let seg = p.path.segments.last().filter(|s| s.ident == "Vec")?;
            match &seg.arguments {
                syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
                    syn::GenericArgument::Type(t) => Some(t),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether the body uses `name` as an array: indexes it (`a[i]`), takes it
/// apart with an array pattern (`let [x, y, z] = a;`) or iterates it.
fn indexed_in(block: &syn::Block, name: &Ident) -> bool {
    struct Finder<'n> {
        name: &'n Ident,
        found: bool,
    }
    impl Finder<'_> {
        fn is_name(&self, e: &syn::Expr) -> bool {
            match e {
                syn::Expr::Path(p) => p.path.is_ident(self.name),
                syn::Expr::Paren(p) => self.is_name(&p.expr),
                syn::Expr::Reference(r) => self.is_name(&r.expr),
                syn::Expr::Unary(u) => self.is_name(&u.expr),
                _ => false,
            }
        }
    }
    impl<'a> syn::visit::Visit<'a> for Finder<'_> {
        fn visit_expr_index(&mut self, ix: &'a syn::ExprIndex) {
            self.found |= self.is_name(&ix.expr);
            syn::visit::visit_expr_index(self, ix);
        }
        fn visit_local(&mut self, l: &'a syn::Local) {
            let slice = match &l.pat {
                Pat::Slice(_) => true,
                Pat::Type(pt) => matches!(&*pt.pat, Pat::Slice(_)),
                _ => false,
            };
            if let (true, Some(init)) = (slice, &l.init) {
                self.found |= self.is_name(&init.expr);
            }
            syn::visit::visit_local(self, l);
        }
        fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
            let array_method = matches!(m.method.to_string().as_str(), "iter" | "len" | "iter_mut");
            self.found |= array_method && self.is_name(&m.receiver);
            syn::visit::visit_expr_method_call(self, m);
        }
        fn visit_expr_for_loop(&mut self, f: &'a syn::ExprForLoop) {
            self.found |= self.is_name(&f.expr);
            syn::visit::visit_expr_for_loop(self, f);
        }
    }
    let mut f = Finder { name, found: false };
    syn::visit::Visit::visit_block(&mut f, block);
    f.found
}

/// Whether `t` names a struct of parameters: a path type that is neither a number
/// nor `bool` nor a generic float, nor a std container.
fn is_struct_type(t: &Type, generics: &[Ident]) -> bool {
    let Type::Path(p) = strip_parens(t) else {
        return false;
    };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    let name = last.ident.to_string();
    let scalar =
        name == "bool" || name == "f32" || name == "f64" || INT_TYPES.contains(&name.as_str());
    let container = matches!(
        name.as_str(),
        "Vec" | "String" | "Box" | "Option" | "Result" | "Rc" | "Arc"
    );
    !scalar
        && !container
        && !generics.contains(&last.ident)
        && name.chars().next().is_some_and(char::is_uppercase)
}

/// Whether `t` is a tuple of floats of the function's type, arrays of them or
/// such tuples (`(f64, f64)`, `(f64, [f64; 3])`): differentiated like a struct,
/// element by element (`p.0`).
fn is_float_tuple(t: &Type, float_ty: &Type) -> bool {
    fn float_ish(t: &Type, float_ty: &Type) -> bool {
        match strip_parens(t) {
            Type::Array(a) => float_ish(&a.elem, float_ty),
            t @ Type::Tuple(_) => is_float_tuple(t, float_ty),
            t => same_type(t, float_ty),
        }
    }
    match strip_parens(t) {
        Type::Tuple(tt) => !tt.elems.is_empty() && tt.elems.iter().all(|e| float_ish(e, float_ty)),
        _ => false,
    }
}

fn is_array_or_slice(t: &Type) -> bool {
    match strip_parens(t) {
        Type::Reference(r) => is_array_or_slice(&r.elem),
        Type::Array(_) | Type::Slice(_) => true,
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn classify(
    written: &Type,
    t: &Type,
    by_ref: bool,
    float_ty: &Type,
    float_of: &dyn Fn(&Type) -> Option<Type>,
    generics: &[Ident],
    errors: &mut Errors,
) -> Option<ParamKind> {
    if is_struct_type(t, generics) || is_float_tuple(t, float_ty) {
        // A struct of parameters (`#[derive(Tangent)]`): differentiated field by field.
        return Some(if by_ref {
            ParamKind::FloatRef
        } else {
            ParamKind::Float
        });
    }
    // A slice (array, `Vec`) of structs or float tuples behind `&`: its
    // shadow `&mut [S]`, added into field by field.
    if by_ref
        && record_elem(t)
            .is_some_and(|e| is_struct_type(e, generics) || is_float_tuple(e, float_ty))
    {
        return Some(ParamKind::FloatRef);
    }
    let leaf_ty = if by_ref { ref_leaf(t) } else { leaf(t, by_ref) };
    if let Some(f) = leaf_ty.and_then(float_of) {
        if same_type(&f, float_ty) {
            return Some(if by_ref {
                ParamKind::FloatRef
            } else {
                ParamKind::Float
            });
        }
        // Floats of another type than the result: passed through, no gradient.
        return Some(ParamKind::Inactive {
            by_ref,
            is_bool: false,
        });
    }
    if let Some(id) = leaf_ty.and_then(single_ident) {
        if id == "bool" || INT_TYPES.iter().any(|n| id == n) {
            return Some(ParamKind::Inactive {
                by_ref,
                is_bool: id == "bool" && matches!(strip_parens(t), Type::Path(_)),
            });
        }
    }
    if !by_ref && vec_elem(t).is_some() && ref_leaf(t).and_then(float_of).is_some() {
        errors.at(
            written,
            format!(
                "a `{}` parameter by value is not differentiated: take it by reference (`&{0}` or a slice), and its gradient is added into a `&mut` shadow",
                type_text(written)
            ),
        );
        return None;
    }
    errors.at(
        written,
        format!(
            "`{}` parameters are not differentiated yet; differentiated parameters are floats (`{}`), fixed-size arrays, slices, `Vec`s behind `&` and tuples of them and `Tangent` structs; to pass this one as data, name only the parameters to differentiate in `#[grad(wrt(…))]`",
            type_text(written),
            type_text(float_ty)
        ),
    );
    None
}

/// Whether type `t` mentions the float type (or a generic float) anywhere:
/// a type that does not is data, passed through without a gradient.
fn mentions_float(t: &Type, float_ty: &Type, generics: &[Ident]) -> bool {
    let float = type_text(float_ty);
    let mut found = false;
    fn walk(ts: proc_macro2::TokenStream, f: &mut dyn FnMut(&proc_macro2::Ident)) {
        for tt in ts {
            match tt {
                proc_macro2::TokenTree::Ident(i) => f(&i),
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), f),
                _ => {}
            }
        }
    }
    walk(t.to_token_stream(), &mut |i| {
        if *i == float || generics.contains(i) {
            found = true;
        }
    });
    found
}

/// Whether `item`'s body has a struct literal of type `name` (`H { cash, shares }`).
fn builds(item: &ItemFn, name: &Ident) -> bool {
    struct Finder<'a>(&'a Ident, bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder<'_> {
        fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
            if e.path.is_ident(self.0) {
                self.1 = true;
            }
            syn::visit::visit_expr_struct(self, e);
        }
    }
    let mut f = Finder(name, false);
    syn::visit::Visit::visit_block(&mut f, &item.block);
    f.1
}
