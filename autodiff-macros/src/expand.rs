//! The pipeline, start to end: attribute → signature → lowering → reverse →
//! optimisation → emission, or the fallback on error.

use crate::attr::Mode;
use crate::error::Errors;
use crate::ir::Ty;
use crate::ir::{verify, Func};
use crate::opt::{self, FloatKind};
use crate::reverse::{self, Activity, Companion};
use crate::signature::{self, ParamKind, Signature};
use crate::{attr, emit, fallback, lower};
use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

/// What the stages return when they reject the input: the signature model if
/// it was built (for the stub companion), and the errors.
pub type Failure = Box<(Option<Signature>, Errors)>;

/// Expands `#[grad(attr)] item` into the item and its companion.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    if let Ok(i) = syn::parse2::<syn::ItemImpl>(item.clone()) {
        return crate::impls::expand(attr, i);
    }
    // A free function named like a primitive: bare calls below it call it.
    if let Ok(f) = syn::parse2::<ItemFn>(item.clone()) {
        let name = f.sig.ident.to_string();
        let free = !matches!(f.sig.inputs.first(), Some(syn::FnArg::Receiver(_)));
        if free && crate::prim::Prim::bare_callable(&name) {
            crate::own::record(&name);
        }
    }
    if let Some(e) = crate::impls::operator_method_error(&item) {
        return quote!(#item #e);
    }
    if let Some(t) = crate::impls::mut_self_twin(&attr, &item) {
        return quote!(#[allow(dead_code)] #t);
    }
    let out = expand_item(attr.clone(), item.clone());
    // The uniform companion (`emit::uniform`), whatever became of the rest:
    // callers' companions call it.
    let uniform = syn::parse2::<ItemFn>(item).ok().and_then(|f| {
        let mut quiet = Errors::default();
        let parsed = attr::parse(attr, &mut quiet);
        let modes = parsed.modes();
        let sig = signature::model(&f, &parsed, &mut quiet)?;
        // Against the stub the fallback emits on an error.
        let sig = fallback::stub_signature(&sig);
        let reverse = modes
            .contains(&Mode::Reverse)
            .then(|| emit::uniform_companion(&f, &sig));
        let forward = modes
            .contains(&Mode::Forward)
            .then(|| emit::uniform_forward_companion(&f, &sig));
        Some(quote!(#reverse #forward))
    });
    quote!(#out #uniform)
}

fn expand_item(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let e = syn::Error::new(e.span(), "#[grad] applies to a `fn` item with a body");
            let e = e.to_compile_error();
            return quote!(#e #item);
        }
    };
    let mut errors = Errors::default();
    let parsed = attr::parse(attr.clone(), &mut errors);
    let modes = parsed.modes();
    if parsed.custom {
        return custom(attr, &item);
    }
    let mut out = Vec::new();
    for &mode in &modes {
        let made =
            match mode {
                Mode::Reverse => companion(attr.clone(), &item)
                    .map(|(sig, comp)| emit::companion(&item, &sig, &comp)),
                Mode::Forward => forward_mode(attr.clone(), &item)
                    .map(|(sig, comp)| emit::forward_companion(&item, &sig, &comp)),
                Mode::Hvp => hvp_mode(attr.clone(), &item)
                    .map(|(sig, comp)| emit::hvp_companion(&item, &sig, &comp, false)),
                // With the companions of the companions (nested differentiation).
                Mode::BackwardForward => {
                    backward_forward_mode(attr.clone(), &item).map(|(sig, comp)| {
                        let bf = emit::hvp_companion(&item, &sig, &comp, true);
                        let nested = emit::nested_companions(&item, &sig);
                        quote!(#bf #nested)
                    })
                }
                Mode::Hessian => forward_with(attr.clone(), &item, cfg!(feature = "alloc"))
                    .and_then(|(sig, _)| match emit::hessian(&item, &sig) {
                        Ok(t) => Ok(t),
                        Err(errors) => Err(Box::new((Some(sig), errors))),
                    }),
                Mode::Graph => graph_mode(attr.clone(), &item)
                    .map(|(sig, comp, hook)| emit::graph_companion(&item, &sig, &comp, &hook)),
                // Plain Rust over `_forward` and `_backward`, from the signature.
                Mode::Jacobian => forward_with(attr.clone(), &item, cfg!(feature = "alloc"))
                    .and_then(|(sig, _)| match emit::jacobian(&item, &sig) {
                        Ok(t) => Ok(t),
                        Err(errors) => Err(Box::new((Some(sig), errors))),
                    }),
            };
        match made {
            Ok(tokens) => out.push(tokens),
            Err(failure) => {
                let (sig, errors) = *failure;
                return fallback::fallback(&item, sig.as_ref(), &modes, errors);
            }
        }
    }
    // A method's by-value adapters, for callers with a receiver of their own.
    let mut quiet = Errors::default();
    if let Some(sig) = signature::model(&item, &parsed, &mut quiet) {
        out.push(emit::by_value_adapters(&item, &sig, &modes));
    }
    // Calling only a companion must not make the original dead code; an
    // unused pair is still reported, on the companion.
    quote!(#[allow(dead_code)] #item #(#out)*)
}

/// `#[grad(custom)]`: the function as written, and a check that the hand-written
/// `<name>_backward` has the companion's signature.
fn custom(attr: TokenStream, item: &ItemFn) -> TokenStream {
    let mut errors = Errors::default();
    let parsed = attr::parse(attr, &mut errors);
    if parsed.graph {
        errors.push(syn::Error::new(
            item.sig.ident.span(),
            "`custom` and `graph` do not go together: the graph is that of the body the macro differentiates; drop `graph`, or `custom`",
        ));
    }
    if let Some(first) = parsed.wrt.as_ref().and_then(|w| w.first()) {
        errors.push(syn::Error::new(
            first.span(),
            "`custom` and `wrt` do not go together: a hand-written companion decides what it differentiates; write the signature for the parameters you differentiate",
        ));
    }
    let sig = signature::model(item, &parsed, &mut errors);
    match sig {
        Some(sig) if errors.is_empty() => {
            let checks = parsed.modes().into_iter();
            let check = checks.map(|m| emit::signature_check(item, &sig, m));
            let adapters = emit::by_value_adapters(item, &sig, &parsed.modes());
            let check = quote!(#(#check)* #adapters);
            // Used through its hand-written companion only, it is not dead code.
            quote!(#[allow(dead_code)] #item #check)
        }
        _ => {
            let errors = errors.into_compile_errors();
            quote!(#item #errors)
        }
    }
}

/// The stages up to the optimised companion IR.
pub fn companion(attr: TokenStream, item: &ItemFn) -> Result<(Signature, Companion), Failure> {
    companion_with(attr, item, cfg!(feature = "alloc"))
}

/// [`companion`], saying whether tapes may live in a `Vec`.
pub fn companion_with(
    attr: TokenStream,
    item: &ItemFn,
    alloc: bool,
) -> Result<(Signature, Companion), Failure> {
    let (sig, func, activity, kind) = prepared(attr, item, alloc)?;
    let mut comp = match reverse::reverse(func, &activity, alloc) {
        Ok(c) => c,
        Err(errors) => return Err(Box::new((Some(sig), errors))),
    };
    // The reverse sweep reads forward values (its residuals) after the forward
    // sweep has gone on to update them: the same pass as after lowering copies
    // what is still read.
    crate::linearity::linearize_companion(&mut comp.func);
    finish(item, sig, comp, kind)
}

/// The stages up to the IR of `<name>_graph`'s sweeps: the companion of the
/// forward IR instrumented by `graph::instrument`, its reverse sweep reporting
/// adjoints (`reverse::reverse_graph`).
pub fn graph_mode(
    attr: TokenStream,
    item: &ItemFn,
) -> Result<(Signature, Companion, crate::graph::Hook), Failure> {
    let alloc = cfg!(feature = "alloc");
    let (sig, mut func, activity, kind) = prepared(attr, item, alloc)?;
    let mut errors = Errors::default();
    crate::graph::check(item, &sig, &mut errors);
    if !errors.is_empty() {
        return Err(Box::new((Some(sig), errors)));
    }
    let hook = crate::graph::instrument(&mut func, &sig);
    let mut comp = match reverse::reverse_graph(func, &activity, alloc, &hook) {
        Ok(c) => c,
        Err(errors) => return Err(Box::new((Some(sig), errors))),
    };
    crate::linearity::linearize_companion(&mut comp.func);
    let (sig, comp) = finish(item, sig, comp, kind)?;
    crate::graph::check_feature(item, &mut errors);
    if !errors.is_empty() {
        return Err(Box::new((Some(sig), errors)));
    }
    Ok((sig, comp, hook))
}

/// The stages up to the optimised IR of `<name>_forward`.
pub fn forward_mode(attr: TokenStream, item: &ItemFn) -> Result<(Signature, Companion), Failure> {
    // `Vec`s the body builds need `alloc`; forward mode itself never allocates.
    let (sig, func, activity, kind) = prepared(attr, item, cfg!(feature = "alloc"))?;
    let mut comp = match crate::jvp::jvp(func, &activity) {
        Ok(c) => c,
        Err(errors) => return Err(Box::new((Some(sig), errors))),
    };
    // Tangent views are fields of the caller's tangents: read, never updated.
    crate::linearity::linearize(&mut comp.func);
    finish(item, sig, comp, kind)
}

/// The stages up to the optimised IR of `<name>_hvp`: the reverse companion
/// with `d_out = 1`, differentiated again in forward mode (a Hessian-vector
/// product costs a small constant times the gradient). Its parameters: the
/// original ones, `d_out`, the shadows, then the directions (`v_x`) and the
/// shadows of the Hessian-vector product (`h_x`); its yields: the companion's,
/// then their tangents.
pub fn hvp_mode(attr: TokenStream, item: &ItemFn) -> Result<(Signature, Companion), Failure> {
    second_order(attr, item, false)
}

/// The stages up to the optimised IR of `<name>_backward_forward`: the forward
/// mode of `_backward` itself, `d_out` differentiated too (its tangent follows
/// it). Nested differentiation goes through it: a call of `f_backward` in a
/// forward-mode body calls it, and the reverse sweep of a body that calls
/// `f_backward` or `f_forward` calls it too (the VJP of a gradient is a
/// Hessian-vector product).
pub fn backward_forward_mode(
    attr: TokenStream,
    item: &ItemFn,
) -> Result<(Signature, Companion), Failure> {
    second_order(attr, item, true)
}

fn second_order(
    attr: TokenStream,
    item: &ItemFn,
    general: bool,
) -> Result<(Signature, Companion), Failure> {
    let alloc = cfg!(feature = "alloc");
    let (sig, func, activity, kind) = prepared(attr, item, alloc)?;
    let text = |t: &syn::Type| quote!(#t).to_string();
    let scalar = sig.outputs == 1 && text(&sig.ret) == text(&sig.float_ty);
    if !scalar || activity.contains(&Activity::Out) {
        let mut errors = Errors::default();
        errors.push(syn::Error::new(
            item.sig.ident.span(),
            "`hvp` is for a function with one float result (a loss) and no output parameters: for a vector result, put `hvp` on a function returning a weighted sum of its outputs (a scalar)",
        ));
        return Err(Box::new((Some(sig), errors)));
    }
    // A struct by value: its gradient is a struct the reverse sweep builds
    // field by field, whose tangent (its part of H·v) forward mode does not
    // build yet. Rejected rather than a wrong H·v.
    let by_value_struct = sig
        .params
        .iter()
        .find(|p| p.is_struct && p.active() && !matches!(p.ty, syn::Type::Reference(_)));
    if let Some(p) = by_value_struct {
        let mut errors = Errors::default();
        let at = p
            .ident
            .as_ref()
            .map_or_else(|| item.sig.ident.span(), |i| i.span());
        errors.push(syn::Error::new(
            at,
            format!(
                "`hvp` (and nested differentiation) takes a struct parameter by reference: write `{}: &{}` (by value, its part of H·v is not supported yet)",
                p.ident.as_ref().map_or_else(|| "p".to_string(), ToString::to_string),
                crate::signature::type_text(p.value_ty()),
            ),
        ));
        return Err(Box::new((Some(sig), errors)));
    }
    let mut comp = match reverse::reverse(func, &activity, alloc) {
        Ok(c) => c,
        Err(errors) => return Err(Box::new((Some(sig), errors))),
    };
    crate::linearity::linearize_companion(&mut comp.func);
    opt::run(&mut comp.func, kind);
    // The companion's parameters: the originals, `d_out` (fixed to 1 without a
    // tangent for `_hvp`), the shadows (whose tangents receive H·v).
    let mut outer = activity.clone();
    outer.push(if general {
        Activity::Active
    } else {
        Activity::Inactive
    });
    let shadows = comp.func.params.len() - outer.len();
    outer.extend(std::iter::repeat_n(Activity::Active, shadows));
    let mut hv = match crate::jvp::jvp(comp.func, &outer) {
        Ok(c) => c,
        Err(errors) => return Err(Box::new((Some(sig), errors))),
    };
    crate::linearity::linearize_companion(&mut hv.func);
    finish(item, sig, hv, kind)
}

/// The forward IR, folded and cleaned, and how each parameter is differentiated.
fn prepared(
    attr: TokenStream,
    item: &ItemFn,
    alloc: bool,
) -> Result<(Signature, Func, Vec<Activity>, FloatKind), Failure> {
    let (sig, mut func) = forward_with(attr, item, alloc)?;
    // Fold and clean the forward code first: a branch on a constant condition
    // is gone before the reverse sweep would keep residuals for it.
    let kind = match sig.float_name().as_str() {
        "f64" => FloatKind::F64,
        "f32" => FloatKind::F32,
        _ => FloatKind::Generic,
    };
    opt::run(&mut func, kind);
    let activity: Vec<Activity> = sig
        .params
        .iter()
        .zip(&func.params)
        .map(|(p, v)| match p.kind {
            ParamKind::Float => Activity::Active,
            ParamKind::FloatRef if matches!(func.ty(*v), Ty::Array(_) | Ty::Struct(_)) => {
                Activity::Shadowed
            }
            ParamKind::FloatRef => Activity::Active,
            ParamKind::Inactive { .. } => Activity::Inactive,
            ParamKind::Out => Activity::Out,
        })
        .collect();
    Ok((sig, func, activity, kind))
}

/// A companion's IR, verified, optimised and checked.
fn finish(
    item: &ItemFn,
    sig: Signature,
    mut comp: Companion,
    kind: FloatKind,
) -> Result<(Signature, Companion), Failure> {
    if cfg!(debug_assertions) {
        if let Err(e) = verify(&comp.func) {
            return Err(internal(
                item,
                sig,
                &format!("a mode produced invalid IR: {e}"),
            ));
        }
    }
    opt::run(&mut comp.func, kind);
    // Never a wrong gradient: checked in release builds of the macro too.
    if let Err(e) = crate::ir::linear(&comp.func) {
        let mut errors = Errors::default();
        errors.push(syn::Error::new(
            item.sig.ident.span(),
            format!("autodiff cannot show this function's companion right (internal: {e}); please report it. Until then, copy arrays before updating them (`let mut b = a;`)"),
        ));
        return Err(Box::new((Some(sig), errors)));
    }
    Ok((sig, comp))
}

/// The stages up to the forward IR of the body.
#[cfg(test)]
pub fn forward(attr: TokenStream, item: &ItemFn) -> Result<(Signature, Func), Failure> {
    forward_with(attr, item, cfg!(feature = "alloc"))
}

/// [`forward`], saying whether the companion may allocate.
pub fn forward_with(
    attr: TokenStream,
    item: &ItemFn,
    alloc: bool,
) -> Result<(Signature, Func), Failure> {
    let mut errors = Errors::default();
    let attr = attr::parse(attr, &mut errors);
    let sig = signature::model(item, &attr, &mut errors);
    let Some(sig) = sig else {
        return Err(Box::new((None, errors)));
    };
    if sig.has_receiver {
        return Err(Box::new((None, errors)));
    }
    let func = lower::lower(&sig, &item.block, &mut errors, alloc);
    if !errors.is_empty() {
        return Err(Box::new((Some(sig), errors)));
    }
    // Checked in debug builds of the macro (every pass keeps the IR valid); an
    // invalid one is a compile error, never a panic.
    if cfg!(debug_assertions) {
        if let Err(e) = verify(&func) {
            return Err(internal(
                item,
                sig,
                &format!("lowering produced invalid IR: {e}"),
            ));
        }
    }
    Ok((sig, func))
}

/// An internal error at the function's name: the macro's own bug, reported as a
/// compile error (never a panic, never a companion it cannot stand behind).
fn internal(item: &ItemFn, sig: Signature, what: &str) -> Failure {
    let mut errors = Errors::default();
    errors.push(syn::Error::new(
        item.sig.ident.span(),
        format!("autodiff cannot differentiate this function (internal: {what}); please report it"),
    ));
    Box::new((Some(sig), errors))
}
