//! Emission: the companion's IR → Rust tokens.
//!
//! Every IR value becomes one `let` (names carry mixed-site hygiene, so they never
//! collide with the user's names); an `if` op becomes a Rust `if` expression that
//! yields a tuple. The runtime is reached by absolute paths (`::autodiff::…`).

use crate::ir::{
    ArrayTy, BinOp, Callee, CastTo, CmpOp, Effect, EffectArg, Func, Len, Op, OpKind, Ty, UnOp,
    Value,
};
use crate::ir::{IdMap, IdSet};
use crate::prim::Form;
use crate::reverse::Companion;
use crate::signature::{ParamKind, Signature};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::ext::IdentExt;
use syn::ItemFn;

mod adapters;
mod backward;
mod buffers;
mod calls;
mod control;
mod flat;
mod forward;
mod graph;
mod header;
mod hessian;
mod hvp;
mod jacobian;
mod nested;
mod uniform;
pub use adapters::by_value_adapters;
pub(crate) use adapters::PREFIX as ADAPTER_PREFIX;
pub use backward::companion;
use buffers::{holds_vec, mut_if, unseen, Mutation};
pub use forward::forward_companion;
pub use graph::graph_companion;
pub use header::{header, signature_check};
pub use hessian::hessian;
pub use hvp::hvp_companion;
pub use jacobian::jacobian;
pub use nested::nested_companions;
pub use uniform::{uniform_companion, uniform_forward_companion};
pub(crate) use uniform::{uniform_forward_name, uniform_name};

/// The constants of `core::f64::consts` that rules and users write.
const NAMED_CONSTS: &[(&str, f64)] = &[
    ("PI", std::f64::consts::PI),
    ("E", std::f64::consts::E),
    ("LN_2", std::f64::consts::LN_2),
    ("LN_10", std::f64::consts::LN_10),
    ("LOG2_E", std::f64::consts::LOG2_E),
    ("LOG10_E", std::f64::consts::LOG10_E),
    ("FRAC_PI_2", std::f64::consts::FRAC_PI_2),
    ("FRAC_PI_4", std::f64::consts::FRAC_PI_4),
    ("FRAC_1_PI", std::f64::consts::FRAC_1_PI),
    ("FRAC_2_PI", std::f64::consts::FRAC_2_PI),
    ("SQRT_2", std::f64::consts::SQRT_2),
    ("FRAC_1_SQRT_2", std::f64::consts::FRAC_1_SQRT_2),
    ("TAU", std::f64::consts::TAU),
];

/// A field of a path: `w` or, for a tuple's element, `0`.
fn member(f: &str) -> TokenStream {
    match f.parse::<usize>() {
        Ok(i) => syn::Index::from(i).to_token_stream(),
        Err(_) => Ident::new(f, Span::call_site()).to_token_stream(),
    }
}

fn hyg(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

fn val(v: Value) -> Ident {
    hyg(&format!("v{}", v.0))
}

struct Emitter<'a> {
    sig: &'a Signature,
    func: &'a Func,
    /// The Rust variable holding each array value: every version of an array
    /// lives in the variable of its first version (updates are in place).
    bufs: IdMap<TokenStream>,
    /// Array parameters passed by reference (a copy dereferences them).
    refs: IdSet,
    /// Which buffers are updated in place:
    /// those, and only those, are declared `mut`.
    muts: Mutation,
    /// The float type, as tokens and as text (asked for at every `let`).
    float_tokens: TokenStream,
    float_name: String,
    /// The names of the bindings that hold a `&mut` parameter (shadows):
    /// passed on as `&mut *name`, so that a `&mut [f64; N]` reaches a
    /// `&mut [f64]` parameter too, and never declared `mut`.
    mut_refs: std::collections::HashSet<String>,
    /// Values an `if` or a loop yields to its parent: a row of a field or of
    /// data among them is cloned, not borrowed (the other branch of an early
    /// return yields a placeholder, which has no borrowed form).
    yielded: IdSet,
}

/// The values the regions of `r` (at any depth) yield to their parent ops.
fn yielded_values(r: &crate::ir::Region, out: &mut IdSet) {
    for op in &r.ops {
        for sub in op.regions() {
            out.extend(sub.yields.iter().copied());
            yielded_values(sub, out);
        }
    }
}

impl<'a> Emitter<'a> {
    /// An emitter for the companion `func` of `sig`, and the values its body
    /// reads (a parameter nobody reads is bound to `_`).
    fn new(sig: &'a Signature, func: &'a Func) -> (Self, IdSet) {
        let e = Emitter {
            sig,
            func,
            bufs: IdMap::default(),
            refs: IdSet::default(),
            muts: Mutation::of(func),
            float_tokens: sig.float_ty.to_token_stream(),
            float_name: sig.float_name(),
            mut_refs: Default::default(),
            yielded: {
                let mut y = IdSet::default();
                yielded_values(&func.body, &mut y);
                y
            },
        };
        let mut used = IdSet::default();
        func.body.visit_uses(&mut |v| {
            used.insert(v);
        });
        (e, used)
    }

    /// The views of struct parameters (`Func::views`) as field paths of the
    /// parameter they belong to, `names[i]` naming the function's parameter `i`
    /// (an original, a tangent, a direction).
    fn bind_views(&mut self, names: &[Option<Ident>]) {
        for (v, p, fields) in &self.func.views {
            let Some(Some(id)) = names.get(*p) else {
                continue;
            };
            let fields = fields.iter().map(|f| member(f));
            self.bufs.insert(*v, quote!(#id #(.#fields)*));
        }
    }
}

impl Emitter<'_> {
    /// Binds parameter `p`, named `id` (a tangent's name for a tangent), to its
    /// value `v`: structs and output arrays are used in place, `&` arrays stay
    /// references, arrays by value become owned buffers, scalars locals.
    fn bind_param(
        &mut self,
        p: &crate::signature::Param,
        id: &Ident,
        v: Value,
        used: &IdSet,
        body: &mut Vec<TokenStream>,
    ) {
        if p.is_struct {
            // Read field by field, in place: `p.w[i]`; `*p` when passed by value.
            self.bufs.insert(v, id.to_token_stream());
            if matches!(p.ty, syn::Type::Reference(_)) {
                self.refs.insert(v);
            }
            return;
        }
        if !used.contains(&v) {
            body.push(quote!(let _ = #id;));
            return;
        }
        let name = val(v);
        if p.kind == ParamKind::Out {
            // Written in place, through the caller's `&mut`.
            body.push(quote!(let #name = #id;));
            self.refs.insert(v);
            self.bufs.insert(v, name.to_token_stream());
            return;
        }
        if self.is_array(v) {
            // `&` arrays stay references; arrays by value become owned buffers.
            if matches!(p.ty, syn::Type::Reference(_)) {
                body.push(quote!(let #name = #id;));
                self.refs.insert(v);
            } else {
                let m = mut_if(self.muts.updated(v));
                body.push(quote!(let #m #name = #id;));
            }
            self.bufs.insert(v, name.to_token_stream());
            return;
        }
        let by_ref = matches!(p.ty, syn::Type::Reference(_));
        let src = if by_ref { quote!(*#id) } else { quote!(#id) };
        let ann = self.annotation(v);
        body.push(quote!(let #name #ann = #src;));
    }

    fn float_ty(&self) -> TokenStream {
        self.float_tokens.clone()
    }

    /// Whether the binding `name` holds a reference (a `&` or `&mut`
    /// parameter, or a shadow): passed on reborrowed (`&*name`, `&mut *name`),
    /// which coerces to a slice where `&name` would not.
    fn holds_ref(&self, name: &TokenStream) -> bool {
        let text = name.to_string();
        self.mut_refs.contains(&text) || self.refs.iter().any(|r| self.name(*r).to_string() == text)
    }

    /// Whether `v` is a `Vec` (its length known at run time).
    fn is_vec(&self, v: Value) -> bool {
        matches!(
            self.func.array(self.func.ty(v)),
            Some(ArrayTy { len: Len::Vec, .. })
        )
    }

    fn is_array(&self, v: Value) -> bool {
        matches!(self.func.ty(v), Ty::Array(_))
    }

    /// Whether a value is a buffer updated in place (an array or a struct).
    fn in_place(&self, v: Value) -> bool {
        matches!(self.func.ty(v), Ty::Array(_) | Ty::Struct(_))
    }

    /// The Rust name of a value: its buffer for arrays (a variable, or a field
    /// path of one for the fields of a struct).
    fn name(&self, v: Value) -> TokenStream {
        self.bufs
            .get(&v)
            .cloned()
            .unwrap_or_else(|| val(v).to_token_stream())
    }

    /// A value used by value: a `&` array parameter is dereferenced (`*x`).
    fn by_value(&self, v: Value) -> TokenStream {
        let name = self.name(v);
        if self.refs.contains(&v) {
            quote!(*#name)
        } else {
            name
        }
    }

    /// The Rust type of `ty`, where one can be written (`_` for integers).
    fn rust_ty(&self, ty: Ty) -> Option<TokenStream> {
        match ty {
            Ty::Float => Some(self.float_ty()),
            Ty::Int | Ty::Bool => None,
            Ty::Struct(i) => self.func.structs.get(i as usize)?.parse().ok(),
            Ty::Array(_) => match self.func.array(ty)? {
                ArrayTy {
                    elem,
                    len: Len::Const(n),
                } => {
                    let e = self.rust_ty(*elem).unwrap_or_else(|| quote!(_));
                    let n: TokenStream = n.parse().ok()?;
                    Some(quote!([#e; #n]))
                }
                _ => None,
            },
        }
    }

    fn annotation(&self, v: Value) -> TokenStream {
        match self.rust_ty(self.func.ty(v)) {
            Some(t) if !self.in_place(v) => quote!(: #t),
            _ => TokenStream::new(),
        }
    }

    /// An expression of type `ty` that is zero.
    fn zero(&self, ty: Ty) -> TokenStream {
        match ty {
            Ty::Float => self.constant(0.0),
            Ty::Int => quote!(::core::default::Default::default()),
            Ty::Bool => quote!(false),
            Ty::Struct(_) => {
                let t = self.rust_ty(ty).unwrap_or_else(|| quote!(_));
                quote!(<#t as ::autodiff::Tangent>::zero())
            }
            Ty::Array(_) => match self.func.array(ty) {
                Some(ArrayTy {
                    elem,
                    len: Len::Const(n),
                }) => {
                    let z = self.zero(*elem);
                    let n: TokenStream = n.parse().unwrap_or_else(|_| quote!(0));
                    if holds_vec(self.func, *elem) || unseen(self.func, *elem) {
                        // `[Vec::new(); N]` needs `Copy`.
                        quote!(::core::array::from_fn::<_, #n, _>(|_| #z))
                    } else {
                        quote!([#z; #n])
                    }
                }
                Some(ArrayTy { len: Len::Vec, .. }) => quote!(::autodiff::__private::Vec::new()),
                // A value of unknown shape (a field, a call's result): its type
                // comes from its use; a `Vec` has no zero of its own.
                Some(ArrayTy { len: Len::View, .. }) => {
                    quote!(::autodiff::__private::Placeholder::placeholder())
                }
                _ => quote!(::core::compile_error!("autodiff: no zero for a slice")),
            },
        }
    }

    /// The statements of `ops`, one statement per element of `out` (so that
    /// `flat::block` can tell a `let` by its first token).
    fn ops(&mut self, ops: &[Op], out: &mut Vec<TokenStream>) {
        for op in ops {
            match &op.kind {
                OpKind::Loop(l) => self.loop_op(op, l, out),
                OpKind::CallBack(c, args, ds, shadows) => {
                    self.call_back(op, c, args, ds, shadows, out)
                }
                _ => {
                    let t = self.op(op);
                    out.push(t);
                }
            }
        }
    }

    fn index(&self, idx: &[Value]) -> TokenStream {
        let idx = idx.iter().map(|i| {
            let n = self.name(*i);
            // A field step (`.x` of an element of a slice of structs).
            match n.clone().into_iter().next() {
                Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '.' => n,
                _ => quote!([#n]),
            }
        });
        quote!(#(#idx)*)
    }

    fn op(&mut self, op: &Op) -> TokenStream {
        match &op.kind {
            OpKind::If(c, t, e) => return self.if_op(op, *c, t, e),
            // Several statements: `ops` pushes them one by one.
            OpKind::Loop(_) | OpKind::CallBack(..) => {
                let mut out = Vec::new();
                self.ops(std::slice::from_ref(op), &mut out);
                return quote!(#(#out)*);
            }
            OpKind::Store(a, idx, x) => {
                let buf = self.name(*a);
                self.bufs.insert(op.result(), buf.clone());
                let i = self.index(idx);
                // A `Vec` whose buffer is updated later (a carried local written
                // in place) is recorded as a copy, not moved into the tape.
                let xv = *x;
                let x = self.by_value(xv);
                // A value of unseen shape (maybe a `Vec`, read again after
                // this): recorded as a copy too.
                if holds_vec(self.func, self.func.ty(xv)) && self.muts.updated(xv)
                    || unseen(self.func, self.func.ty(xv)) && !self.func.params.contains(&xv)
                {
                    return quote!(#buf #i = ::core::clone::Clone::clone(&#x););
                }
                return quote!(#buf #i = #x;);
            }
            OpKind::AddAt(a, idx, x) => {
                let buf = self.name(*a);
                self.bufs.insert(op.result(), buf.clone());
                let i = self.index(idx);
                let xn = self.name(*x);
                let run_time = |v: Value| {
                    matches!(
                        self.func.array(self.func.ty(v)).map(|t| &t.len),
                        Some(Len::Slice | Len::Vec)
                    )
                };
                return if idx.is_empty() && (run_time(*a) || run_time(*x)) {
                    // A slice or `Vec` is no `Tangent`: element by element.
                    quote!(::autodiff::__private::accumulate(&mut #buf[..], &#xn[..]);)
                } else if run_time(*x) {
                    // A row of a `&[Vec<f64>]` shadow.
                    quote!(::autodiff::__private::accumulate(&mut #buf #i[..], &#xn[..]);)
                } else if self.in_place(*x) {
                    // A method call, so that a `&mut` buffer is reborrowed.
                    // `AddInto`: a `Tangent`, or a `Vec` (a row of a struct's
                    // `Vec<Vec<f64>>` field).
                    quote!({ use ::autodiff::__private::AddInto as _; #buf #i.add_into(&#xn); })
                } else {
                    quote!(#buf #i += #xn;)
                };
            }
            OpKind::PushAt(a, x, _) => {
                let buf = self.name(*a);
                self.bufs.insert(op.result(), buf.clone());
                let x = self.by_value(*x);
                return quote!(#buf.push(#x););
            }
            OpKind::Push(a, x) => {
                let buf = self.name(*a);
                self.bufs.insert(op.result(), buf.clone());
                // A `Vec` of the body recorded per iteration is cloned (it lives
                // on); an inner tape is moved into its outer one.
                let xn = self.name(*x);
                let x = if self.is_vec(*x) && !self.muts.tape(*x)
                    || unseen(self.func, self.func.ty(*x)) && !self.func.params.contains(x)
                {
                    quote!(#xn.clone())
                } else {
                    xn
                };
                return quote!(#buf.push(#x););
            }
            // A field step of an index path: written where the path is.
            OpKind::Verbatim(s) if s.starts_with('.') => {
                if let Ok(t) = s.parse::<TokenStream>() {
                    self.bufs.insert(op.result(), t);
                }
                return TokenStream::new();
            }
            OpKind::View(a, fields) => {
                let base = self.name(*a);
                let fields = fields.iter().map(|f| member(f));
                self.bufs.insert(op.result(), quote!(#base #(.#fields)*));
                return TokenStream::new();
            }
            OpKind::StopGrad(a) if self.is_array(*a) => {
                let buf = self.name(*a);
                self.bufs.insert(op.result(), buf);
                return TokenStream::new();
            }
            OpKind::CallFn(c, args) => return self.call_fn(op, c, args),
            // A row of a struct field of unseen shape, only read: borrowed (a
            // `Vec` row cannot be copied out).
            OpKind::Load(a, idx)
                if self
                    .func
                    .array(self.func.ty(op.result()))
                    .is_some_and(|t| t.len == Len::View)
                    // A row of a view, or of data of an unseen shape (a
                    // `&[Vec<(f64, f64)>]` parameter): in place, never moved.
                    && (self.func.views.iter().any(|(v, _, _)| v == a)
                        || self.func.params.contains(a))
                    && !self.muts.updated(op.result()) =>
            {
                let r = op.result();
                let (a, i, name) = (self.name(*a), self.index(idx), val(r));
                self.bufs.insert(r, name.to_token_stream());
                if self.yielded.contains(&r) {
                    return quote!(let #name = ::core::clone::Clone::clone(&#a #i););
                }
                self.refs.insert(r);
                return quote!(let #name = &#a #i;);
            }
            OpKind::Effect(e) => {
                let call = self.effect(e);
                return quote!(#call;);
            }
            _ => {}
        }
        let r = op.result();
        let rhs = self.expr(&op.kind, r);
        let name = val(r);
        if self.in_place(r) {
            self.bufs.insert(r, name.to_token_stream());
            let ann = self.rust_ty(self.func.ty(r)).map(|t| quote!(: #t));
            let m = mut_if(self.muts.updated(r));
            return quote!(let #m #name #ann = #rhs;);
        }
        let ann = self.annotation(r);
        quote!(let #name #ann = #rhs;)
    }

    /// `path!(args…)`, without a semicolon.
    fn effect(&self, e: &Effect) -> TokenStream {
        let path = &e.path;
        let args = e.args.iter().map(|a| match a {
            EffectArg::Tokens(t) => t.clone(),
            EffectArg::Value(v) => self.by_value(*v),
            EffectArg::Named(n, v) => {
                let n = Ident::new(n, Span::call_site());
                let v = self.by_value(*v);
                quote!(#n = #v)
            }
        });
        // Spanned like the path: an error inside is reported there.
        let at = syn::spanned::Spanned::span(path);
        quote::quote_spanned!(at=> #path!(#(#args),*))
    }

    fn constant(&self, c: f64) -> TokenStream {
        let f = self.float_ty();
        let name = self.float_name.as_str();
        let (lit_ty, generic) = match name {
            "f32" => ("f32", false),
            "f64" => ("f64", false),
            _ => ("f64", true),
        };
        let lit_ty = hyg(lit_ty);
        let named = NAMED_CONSTS.iter().find(|(_, v)| *v == c);
        let lit = if let Some((name, _)) = named {
            // Named, so that clippy's `approx_constant` has nothing to say.
            let name = hyg(name);
            quote!(::core::#lit_ty::consts::#name)
        } else if c.is_nan() {
            quote!(::core::primitive::#lit_ty::NAN)
        } else if c.is_infinite() {
            if c > 0.0 {
                quote!(::core::primitive::#lit_ty::INFINITY)
            } else {
                quote!(::core::primitive::#lit_ty::NEG_INFINITY)
            }
        } else {
            let l = if lit_ty == "f32" {
                Literal::f32_suffixed((c as f32).abs())
            } else {
                Literal::f64_suffixed(c.abs())
            };
            if c.is_sign_negative() {
                quote!(-#l)
            } else {
                quote!(#l)
            }
        };
        if generic {
            quote!(<#f as ::autodiff::Real>::from_f64(#lit))
        } else {
            lit
        }
    }

    fn expr(&self, kind: &OpKind, r: Value) -> TokenStream {
        match kind {
            OpKind::Const(c) => self.constant(*c),
            OpKind::Verbatim(s) | OpKind::Extern(s) => s
                .parse()
                .unwrap_or_else(|_| quote!(::core::default::Default::default())),
            OpKind::Unary(op, a) => {
                let a = self.name(*a);
                match op {
                    UnOp::Neg => quote!(-#a),
                    UnOp::Not => quote!(!#a),
                }
            }
            OpKind::Binary(op, a, b) => {
                let (a, b) = (self.name(*a), self.name(*b));
                let op = match op {
                    BinOp::Add => quote!(+),
                    BinOp::Sub => quote!(-),
                    BinOp::Mul => quote!(*),
                    BinOp::Div => quote!(/),
                    BinOp::Rem => quote!(%),
                    BinOp::BitAnd => quote!(&),
                    BinOp::BitOr => quote!(|),
                    BinOp::BitXor => quote!(^),
                    BinOp::Shl => quote!(<<),
                    BinOp::Shr => quote!(>>),
                };
                quote!(#a #op #b)
            }
            OpKind::Cmp(op, a, b) => {
                let (a, b) = (self.name(*a), self.name(*b));
                let op = match op {
                    CmpOp::Lt => quote!(<),
                    CmpOp::Le => quote!(<=),
                    CmpOp::Gt => quote!(>),
                    CmpOp::Ge => quote!(>=),
                    CmpOp::Eq => quote!(==),
                    CmpOp::Ne => quote!(!=),
                };
                quote!(#a #op #b)
            }
            OpKind::Call(p, args) => {
                let name = hyg(p.name());
                let args = args.iter().map(|a| self.name(*a));
                match p.form() {
                    Form::Method => quote!(::autodiff::Real::#name(#(#args),*)),
                    Form::CoreFn => quote!(::autodiff::#name(#(#args),*)),
                }
            }
            OpKind::Method(m, args) => {
                let recv = self.name(args[0]);
                let m = Ident::new(m, Span::call_site());
                let rest = args[1..].iter().map(|a| self.name(*a));
                quote!(#recv.#m(#(#rest),*))
            }
            OpKind::Cast(a, CastTo::Float) => {
                let a = self.name(*a);
                let f = self.float_ty();
                if self.sig.generic_float {
                    quote!(<#f as ::autodiff::Real>::from_f64(#a as f64))
                } else {
                    quote!(#a as #f)
                }
            }
            OpKind::Cast(a, CastTo::Other(t)) => {
                let a = self.name(*a);
                let t: TokenStream = t.parse().unwrap_or_else(|_| quote!(_));
                quote!(#a as #t)
            }
            OpKind::Select(c, a, b) => {
                let (c, a, b) = (self.name(*c), self.name(*a), self.name(*b));
                quote!(if #c { #a } else { #b })
            }
            // A `Vec` row of data (`cov[i]` of `cov: &[Vec<f64>]`): borrowed.
            OpKind::Load(a, idx)
                if holds_vec(self.func, self.func.ty(r)) && self.func.params.contains(a) =>
            {
                let a = self.name(*a);
                let i = self.index(idx);
                if self.yielded.contains(&r) {
                    quote!(::core::clone::Clone::clone(&#a #i))
                } else {
                    quote!(&#a #i)
                }
            }
            OpKind::Load(a, idx) if holds_vec(self.func, self.func.ty(r)) => {
                // A recorded tape read once, backwards: taken, not copied.
                let a = self.name(*a);
                let i = self.index(idx);
                quote!(::core::mem::take(&mut #a #i))
            }
            // A whole struct (an element of a slice of structs passed on):
            // cloned, since it may hold `Vec`s.
            OpKind::Load(a, idx) if matches!(self.func.ty(r), Ty::Struct(_)) => {
                let a = self.name(*a);
                let i = self.index(idx);
                quote!(::core::clone::Clone::clone(&#a #i))
            }
            // A recorded value of unseen shape (maybe a `Vec`): cloned out.
            OpKind::Load(a, idx)
                if unseen(self.func, self.func.ty(r))
                    && !self.func.params.contains(a)
                    && self
                        .func
                        .array(self.func.ty(*a))
                        .is_some_and(|t| t.elem == self.func.ty(r)) =>
            {
                let a = self.name(*a);
                let i = self.index(idx);
                quote!(::core::clone::Clone::clone(&#a #i))
            }
            OpKind::Load(a, idx) => {
                let a = self.name(*a);
                let i = self.index(idx);
                quote!(#a #i)
            }
            OpKind::Zeros => self.zero(self.func.ty(r)),
            OpKind::Splat(x) => {
                let x = self.name(*x);
                match self.func.array(self.func.ty(r)) {
                    Some(ArrayTy {
                        len: Len::Const(n),
                        elem,
                    }) => {
                        let n: TokenStream = n.parse().unwrap_or_else(|_| quote!(0));
                        if holds_vec(self.func, *elem) {
                            // `[v; N]` of a `Vec` needs `Copy`: N clones instead.
                            quote!(::core::array::from_fn::<_, #n, _>(|_| ::core::clone::Clone::clone(&#x)))
                        } else {
                            quote!([#x; #n])
                        }
                    }
                    _ => quote!(::core::compile_error!("autodiff: splat of unknown length")),
                }
            }
            OpKind::VecSplat(x, n) => {
                let (x, n) = (self.name(*x), self.name(*n));
                quote!(::autodiff::__private::vec_splat(#x, #n))
            }
            OpKind::ArrayLit(xs) if self.is_vec(r) => {
                let xs = xs.iter().map(|x| self.name(*x));
                quote!(::autodiff::__private::Vec::from([#(#xs),*]))
            }
            OpKind::ArrayLit(xs) => {
                let xs = xs.iter().map(|x| self.name(*x));
                quote!([#(#xs),*])
            }
            OpKind::StructLit(path, fs) => {
                // A path ending in ` ..`: the other fields are the default's
                // (written through a closure: `S { a, ..Default::default() }`
                // of every field is clippy's `needless_update`).
                if let Some(path) = path.strip_suffix(" ..") {
                    let path: TokenStream = path.parse().unwrap_or_else(|_| quote!(_));
                    let s = quote::format_ident!("__autodiff_default");
                    let fs = fs.iter().map(|(n, v)| {
                        let n = member(n);
                        let v = self.by_value(*v);
                        quote!(#s.#n = #v;)
                    });
                    return quote!(::autodiff::__private::with_default(|#s: &mut #path| { #(#fs)* }));
                }
                let path: TokenStream = path.parse().unwrap_or_else(|_| quote!(_));
                let fs = fs.iter().map(|(n, v)| {
                    let n = member(n);
                    let v = self.by_value(*v);
                    quote!(#n: #v)
                });
                quote!(#path { #(#fs),* })
            }
            // A `Vec` is no `Copy`: its copy is a clone (of a slice too).
            OpKind::Copy(a) if self.is_vec(r) => {
                let a = self.name(*a);
                quote!(#a.to_vec())
            }
            // A `Vec` back to a fixed-size array (the cotangent of `a.to_vec()`).
            OpKind::Copy(a) if self.is_vec(*a) && !self.is_vec(r) => {
                let a = self.name(*a);
                quote!(::autodiff::__private::to_array(&#a[..]))
            }
            // A copy of a slice (an output parameter as it was): a `Vec`.
            OpKind::Copy(a)
                if matches!(
                    self.func.array(self.func.ty(*a)),
                    Some(ArrayTy {
                        len: Len::Slice,
                        ..
                    })
                ) =>
            {
                let a = self.name(*a);
                quote!(#a.to_vec())
            }
            OpKind::Copy(a) if self.refs.contains(a) => {
                let a = self.name(*a);
                quote!(*#a)
            }
            // A field of unseen shape (a `Vec` field of a struct by value,
            // updated): cloned, so that the struct is not partially moved.
            OpKind::Copy(a)
                if matches!(
                    self.func.array(self.func.ty(*a)),
                    Some(ArrayTy { len: Len::View, .. })
                ) =>
            {
                let a = self.name(*a);
                quote!(::core::clone::Clone::clone(&#a))
            }
            // A struct (a `mut` copy of a parameter): cloned, since it may
            // hold `Vec`s and the parameter is read again.
            OpKind::Copy(a) if matches!(self.func.ty(*a), Ty::Struct(_)) => {
                let a = self.by_value(*a);
                quote!(::core::clone::Clone::clone(&#a))
            }
            OpKind::Copy(a) => {
                let a = self.name(*a);
                quote!(#a)
            }
            OpKind::VecNew(None) => quote!(::autodiff::__private::Vec::new()),
            OpKind::VecNew(Some(n)) => {
                let n = self.name(*n);
                quote!(::autodiff::__private::Vec::with_capacity(#n))
            }
            OpKind::ZerosLike(a)
                if matches!(
                    self.func.array(self.func.ty(r)),
                    Some(ArrayTy { len: Len::Vec, .. })
                ) =>
            {
                let a = self.name(*a);
                quote!(::autodiff::__private::zeros_like(&#a[..]))
            }
            // A struct's (whose `Vec` fields have a length): `Tangent`'s.
            OpKind::ZerosLike(a) if matches!(self.func.ty(*a), Ty::Struct(_)) => {
                let a = self.by_value(*a);
                quote!(::autodiff::Tangent::zero_like(&#a))
            }
            OpKind::ZerosLike(a) => {
                let a = self.by_value(*a);
                quote!(::autodiff::__private::zero_of(&#a))
            }
            OpKind::StopGrad(a) => {
                let a = self.name(*a);
                quote!(#a)
            }
            OpKind::SumAll(a) => {
                let a = self.name(*a);
                quote!(::autodiff::__private::sum_all(&#a[..]))
            }
            // Emitted by `op` itself.
            OpKind::If(..)
            | OpKind::Loop(_)
            | OpKind::Store(..)
            | OpKind::AddAt(..)
            | OpKind::Push(..)
            | OpKind::PushAt(..)
            | OpKind::CallFn(..)
            | OpKind::CallBack(..)
            | OpKind::Effect(_)
            | OpKind::View(..) => TokenStream::new(),
        }
    }
}

/// The `use` items of the body (`use std::f64::consts::PI;`), for the
/// companions' bodies: the paths the body writes resolve there too.
pub(crate) fn body_uses(item: &ItemFn) -> Vec<TokenStream> {
    struct Uses(Vec<TokenStream>);
    impl<'a> syn::visit::Visit<'a> for Uses {
        fn visit_item_use(&mut self, u: &'a syn::ItemUse) {
            self.0.push(u.to_token_stream());
        }
        // A closure or nested fn item has its own scope; `use` there is rare.
    }
    let mut uses = Uses(Vec::new());
    syn::visit::Visit::visit_block(&mut uses, &item.block);
    uses.0
}
