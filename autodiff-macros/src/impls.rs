//! `#[grad]` on an `impl` block.
//!
//! On an inherent `impl`, it is `#[grad]` on each of its functions. On an
//! operator trait's `impl` (`#[grad] impl Sub for Vec3 { fn sub(self, o: Vec3)
//! -> Vec3 { … } }`) the trait's method cannot carry companions (a trait impl
//! holds the trait's items only), so the impl stays as written and an inherent
//! `impl Vec3` gets a hidden copy of each method, `#[grad]` applied:
//! `autodiff_op_sub`, whose companions the bodies that write `a - b` on
//! `Vec3` values call (`lower::exprs`). The copy's name says which operator and
//! right-hand side: [`op_method`]. A compound assignment's method
//! (`add_assign(&mut self, o)`) becomes a by-value one returning the new value
//! (`autodiff_op_add_assign(mut self, o) -> Self`), so that `a += b` is
//! `a = a.autodiff_op_add_assign(b)`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::{ImplItem, ItemFn, ItemImpl};

/// The operator traits whose impls `#[grad]` differentiates, by method name.
const OPERATORS: &[&str] = &[
    "add",
    "sub",
    "mul",
    "div",
    "rem",
    "neg",
    "add_assign",
    "sub_assign",
    "mul_assign",
    "div_assign",
    "rem_assign",
];

/// The hidden method of operator `op` (`"sub"`, `"add_assign"`) with a
/// right-hand side of kind `rhs`: `autodiff_op_sub` for a right-hand side of
/// the same type (or none: `neg`), `autodiff_op_mul_scalar` for a float,
/// `autodiff_op_mul_mat3` for another struct type.
pub fn op_method(op: &str, rhs: &Rhs, span: Span) -> syn::Ident {
    match rhs {
        Rhs::Same => format_ident!("autodiff_op_{op}", span = span),
        Rhs::Scalar => format_ident!("autodiff_op_{op}_scalar", span = span),
        Rhs::Other(name) => {
            format_ident!("autodiff_op_{op}_{}", name.to_lowercase(), span = span)
        }
    }
}

/// The kind of an operator's right-hand side.
#[derive(Clone, Debug)]
pub enum Rhs {
    /// The same type as the left-hand side, or none.
    Same,
    /// A float.
    Scalar,
    /// A struct of another type, by the last segment of its name.
    Other(String),
}

/// The by-value twin of `&mut self` method `name`: `autodiff_mut_step` for
/// `step`, emitted next to it by `#[grad]` ([`mut_self_twin`]), which a body's
/// `s.step(dt);` calls as `s = s.autodiff_mut_step(dt);`.
pub fn mut_twin(name: &syn::Ident) -> syn::Ident {
    format_ident!(
        "autodiff_mut_{}",
        syn::ext::IdentExt::unraw(name),
        span = name.span()
    )
}

/// For a `#[grad]` method taking `&mut self` and returning `()`: the method as
/// written, and its twin `autodiff_mut_<name>(mut self, …) -> Self` with the
/// same body on a copy of `self`, `#[grad]` applied (its companions are the
/// twin's; the method itself has none).
pub fn mut_self_twin(attr: &TokenStream, item: &TokenStream) -> Option<TokenStream> {
    let f = syn::parse2::<ItemFn>(item.clone()).ok()?;
    let Some(syn::FnArg::Receiver(r)) = f.sig.inputs.first() else {
        return None;
    };
    if r.reference.is_none() || r.mutability.is_none() {
        return None;
    }
    let unit = match &f.sig.output {
        syn::ReturnType::Default => true,
        syn::ReturnType::Type(_, t) => matches!(&**t, syn::Type::Tuple(tt) if tt.elems.is_empty()),
    };
    if !unit {
        return None;
    }
    let mut copy = f.clone();
    copy.sig.ident = mut_twin(&f.sig.ident);
    copy.vis = syn::parse_quote!(pub);
    copy.attrs.push(syn::parse_quote!(#[doc(hidden)]));
    by_value_twin(&mut copy);
    let twin = crate::expand::expand(attr.clone(), copy.to_token_stream());
    Some(quote!(#f #twin))
}

/// `#[grad]` written on an operator trait's method (`fn sub(self, o: Vec3)`
/// without `pub`, inside `impl Sub for Vec3`): its companions could not be
/// members of the trait, so the attribute belongs on the impl block. An
/// attribute on a method cannot see its `impl`; a method with an operator's
/// name, a receiver and no visibility is taken for one.
pub fn operator_method_error(item: &TokenStream) -> Option<TokenStream> {
    let f = syn::parse2::<syn::ImplItemFn>(item.clone()).ok()?;
    let name = f.sig.ident.to_string();
    let receiver = matches!(f.sig.inputs.first(), Some(syn::FnArg::Receiver(_)));
    if !OPERATORS.contains(&name.as_str())
        || !receiver
        || !matches!(f.vis, syn::Visibility::Inherited)
    {
        return None;
    }
    let upper = trait_name(&name);
    Some(
        syn::Error::new_spanned(
            &f.sig.ident,
            format!("#[grad] goes on the operator's impl block, not on its method (the method of a trait impl cannot have companions beside it): write `#[grad] impl {upper} for …` (for a method of your own named `{name}`, give it a visibility, e.g. `pub(crate)`)"),
        )
        .to_compile_error(),
    )
}

/// `#[grad(attr)]` on an `impl` block.
pub fn expand(attr: TokenStream, item: ItemImpl) -> TokenStream {
    if item.trait_.is_none() {
        return inherent(attr, item);
    }
    let mut hidden = Vec::new();
    let mut markers = Vec::new();
    let mut errors = TokenStream::new();
    let output = item.items.iter().find_map(|i| match i {
        ImplItem::Type(t) if t.ident == "Output" => Some(t.ty.clone()),
        _ => None,
    });
    let rhs_ty = trait_rhs(&item);
    for i in &item.items {
        let ImplItem::Fn(f) = i else {
            continue;
        };
        let name = f.sig.ident.to_string();
        if !OPERATORS.contains(&name.as_str()) {
            errors.extend(
                syn::Error::new_spanned(
                    &f.sig.ident,
                    format!("#[grad] on a trait's impl differentiates the operators (`Add`, `Sub`, `Mul`, `Div`, `Rem`, `Neg` and their `…Assign`), not `{name}`: write it as an inherent method (`impl {} {{ #[grad] fn {name}(…) }}`) and call that", item.self_ty.to_token_stream()),
                )
                .to_compile_error(),
            );
            continue;
        }
        let rhs = match &rhs_ty {
            None => Rhs::Same,
            Some(t) => rhs_kind(t, &item.self_ty),
        };
        let mut copy = ItemFn {
            attrs: f
                .attrs
                .iter()
                .filter(|a| !a.path().is_ident("inline"))
                .cloned()
                .collect(),
            vis: syn::parse_quote!(pub),
            sig: f.sig.clone(),
            block: Box::new(f.block.clone()),
        };
        copy.sig.ident = op_method(&name, &rhs, f.sig.ident.span());
        copy.attrs.push(syn::parse_quote!(#[doc(hidden)]));
        // `-> Self::Output` names the impl's `Output`, which an inherent impl
        // has not.
        if let (syn::ReturnType::Type(_, t), Some(out)) = (&mut copy.sig.output, &output) {
            if is_self_output(t) {
                **t = out.clone();
            }
        }
        if name.ends_with("_assign") {
            by_value_twin(&mut copy);
        }
        hidden.push(crate::expand::expand(attr.clone(), copy.to_token_stream()));
        // What a body's check of the operator asks (`autodiff::__private::GradOperator`).
        let marker = syn::Ident::new(&trait_name(&name), f.sig.ident.span());
        let self_ty = &item.self_ty;
        let rhs = rhs_ty.clone().unwrap_or_else(|| (**self_ty).clone());
        let (impl_generics, _, where_clause) = item.generics.split_for_impl();
        markers.push(quote! {
            impl #impl_generics ::autodiff::__private::GradOperator<::autodiff::__private::ops::#marker, #rhs> for #self_ty #where_clause {}
        });
    }
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    quote! {
        #item
        #errors
        impl #impl_generics #self_ty #where_clause {
            #(#hidden)*
        }
        #(#markers)*
    }
}

/// `#[grad]` on each function of an inherent `impl`.
fn inherent(attr: TokenStream, mut item: ItemImpl) -> TokenStream {
    let mut items = Vec::new();
    for i in std::mem::take(&mut item.items) {
        match i {
            ImplItem::Fn(f) => {
                let f = ItemFn {
                    attrs: f.attrs,
                    vis: f.vis,
                    sig: f.sig,
                    block: Box::new(f.block),
                };
                let tokens = crate::expand::expand(attr.clone(), f.to_token_stream());
                items.push(ImplItem::Verbatim(tokens));
            }
            other => items.push(other),
        }
    }
    item.items = items;
    item.to_token_stream()
}

/// `Rhs` in `impl Mul<Rhs> for T`, if written.
fn trait_rhs(item: &ItemImpl) -> Option<syn::Type> {
    let (_, path, _) = item.trait_.as_ref()?;
    let last = path.segments.last()?;
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        }),
        _ => None,
    }
}

fn rhs_kind(t: &syn::Type, self_ty: &syn::Type) -> Rhs {
    let last = |t: &syn::Type| match t {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    match last(t) {
        Some(n) if n == "Self" => Rhs::Same,
        Some(n) if last(self_ty).as_ref() == Some(&n) => Rhs::Same,
        Some(n) if n == "f64" || n == "f32" => Rhs::Scalar,
        // A generic float parameter (`impl<T: Real> Mul<T> for V<T>`).
        Some(n) if n.len() == 1 && n.chars().all(|c| c.is_ascii_uppercase()) => Rhs::Scalar,
        Some(n) => Rhs::Other(n),
        None => Rhs::Same,
    }
}

fn is_self_output(t: &syn::Type) -> bool {
    matches!(t, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.len() == 2
        && p.path.segments[0].ident == "Self"
        && p.path.segments[1].ident == "Output")
}

/// The operator trait of method `name`: `AddAssign` for `add_assign`.
fn trait_name(name: &str) -> String {
    name.split('_')
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect()
}

/// A `&mut self` method made by-value: `mut self` in, the new value out, the
/// body run on a copy of `self` (`self.x += o.x`, `*self = …`).
fn by_value_twin(f: &mut ItemFn) {
    if let Some(syn::FnArg::Receiver(r)) = f.sig.inputs.first_mut() {
        r.reference = None;
        r.mutability = Some(Default::default());
        *r.ty = syn::parse_quote!(Self);
    }
    f.sig.output = syn::parse_quote!(-> Self);
    let copy_of = syn::Ident::new("__autodiff_self", Span::call_site());
    let block = renamed_self(f.block.to_token_stream(), &copy_of);
    *f.block = syn::parse_quote!({
        let mut #copy_of = self;
        #block
        #copy_of
    });
}

/// `tokens` with every `self` (and `*self`) renamed `to`.
fn renamed_self(tokens: TokenStream, to: &syn::Ident) -> TokenStream {
    use proc_macro2::TokenTree;
    let mut out: Vec<TokenTree> = Vec::new();
    let mut it = tokens.into_iter().peekable();
    while let Some(t) = it.next() {
        // A prefix `*` (a deref), not a product (`k * self.x`): no operand
        // right before it.
        let prefix = match out.last() {
            None => true,
            Some(TokenTree::Punct(q)) => q.as_char() != '?',
            Some(TokenTree::Ident(i)) => [
                "return", "in", "let", "if", "match", "while", "else", "break",
            ]
            .contains(&i.to_string().as_str()),
            Some(_) => false,
        };
        match t {
            TokenTree::Punct(p)
                if p.as_char() == '*'
                    && prefix
                    && matches!(it.peek(), Some(TokenTree::Ident(i)) if i == "self") =>
            {
                // `*self`: the copy itself.
                it.next();
                let mut id = to.clone();
                id.set_span(p.span());
                out.push(TokenTree::Ident(id));
            }
            TokenTree::Ident(i) if i == "self" => {
                let mut id = to.clone();
                id.set_span(i.span());
                out.push(TokenTree::Ident(id));
            }
            TokenTree::Group(g) => {
                let mut ng = proc_macro2::Group::new(g.delimiter(), renamed_self(g.stream(), to));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            t => out.push(t),
        }
    }
    out.into_iter().collect()
}
