//! The attribute's arguments: `#[grad]`, `#[grad(wrt(a, b))]`, the modes
//! (`reverse`, `forward`, `hvp`, `jacobian`, `hessian`, `graph`) and `custom`.

use crate::error::Errors;
use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

/// What the attribute asked for.
#[derive(Default, Debug)]
pub struct Attr {
    /// The parameters to differentiate; `None` means every float parameter.
    pub wrt: Option<Vec<Ident>>,
    /// `#[grad(custom)]`: the user writes `<name>_backward`; the macro checks its
    /// signature against the contract instead of differentiating the body.
    pub custom: bool,
    /// `reverse` was written.
    pub reverse: bool,
    /// `forward` was written: emit `<name>_forward` (forward mode).
    pub forward: bool,
    /// `hvp` was written: emit `<name>_hvp` (Hessian-vector products).
    pub hvp: bool,
    /// `jacobian` was written: emit `<name>_jacobian` (dense Jacobians).
    pub jacobian: bool,
    /// `hessian` was written: emit `<name>_hessian` (dense Hessians).
    pub hessian: bool,
    /// `graph` was written: emit `<name>_graph` (the computational graph of a
    /// call, with values and gradients).
    pub graph: bool,
}

/// The companions a function gets.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// `<name>_backward`: reverse mode (a gradient, a vector-Jacobian product).
    Reverse,
    /// `<name>_forward`: forward mode (a directional derivative, a Jacobian-vector product).
    Forward,
    /// `<name>_hvp`: the gradient and a Hessian-vector product (forward over reverse).
    Hvp,
    /// `<name>_backward_forward`: the forward mode of `_backward` (its
    /// parameters and `d_out` with tangents), for nested differentiation.
    BackwardForward,
    /// `<name>_jacobian`: the dense Jacobian of an array result, by the cheaper sweep.
    Jacobian,
    /// `<name>_hessian`: the dense Hessian of a loss of one array, by `_hvp`.
    Hessian,
    /// `<name>_graph`: the computational graph of one call, each operation
    /// with its value and gradient (`autodiff::Graph`).
    Graph,
}

impl Attr {
    /// The modes asked for, in emission order: `reverse` alone when no mode is
    /// written. `hvp` brings every companion second-order code and nested
    /// differentiation call: `_backward`, `_forward`, `_hvp` and
    /// `_backward_forward`.
    pub fn modes(&self) -> Vec<Mode> {
        let mut m = Vec::new();
        let hvp = self.hvp || self.hessian;
        if self.reverse || hvp || self.jacobian || !self.forward {
            m.push(Mode::Reverse);
        }
        if self.forward || hvp || self.jacobian {
            m.push(Mode::Forward);
        }
        if hvp {
            m.push(Mode::Hvp);
            m.push(Mode::BackwardForward);
        }
        if self.jacobian {
            m.push(Mode::Jacobian);
        }
        if self.hessian {
            m.push(Mode::Hessian);
        }
        if self.graph {
            m.push(Mode::Graph);
        }
        m
    }
}

/// Parses the attribute's arguments, reporting junk into `errors`.
pub fn parse(tokens: TokenStream, errors: &mut Errors) -> Attr {
    let mut attr = Attr::default();
    if tokens.is_empty() {
        return attr;
    }
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("wrt") {
            if attr.wrt.is_some() {
                return Err(
                    meta.error("`wrt` given twice; list every parameter in one `wrt(a, b)`")
                );
            }
            if !meta.input.peek(syn::token::Paren) {
                return Err(meta.error("`wrt` lists the parameters to differentiate: `wrt(a, b)`"));
            }
            let content;
            syn::parenthesized!(content in meta.input);
            // `parse_any`: `self` is a name here too.
            let names =
                Punctuated::<Ident, Token![,]>::parse_terminated_with(&content, Ident::parse_any)?;
            attr.wrt = Some(names.into_iter().collect());
            Ok(())
        } else if meta.path.is_ident("custom") {
            attr.custom = true;
            Ok(())
        } else if meta.path.is_ident("forward") {
            attr.forward = true;
            Ok(())
        } else if meta.path.is_ident("reverse") {
            attr.reverse = true;
            Ok(())
        } else if meta.path.is_ident("hvp") {
            attr.hvp = true;
            Ok(())
        } else if meta.path.is_ident("jacobian") {
            attr.jacobian = true;
            Ok(())
        } else if meta.path.is_ident("hessian") {
            attr.hessian = true;
            Ok(())
        } else if meta.path.is_ident("graph") {
            attr.graph = true;
            Ok(())
        } else {
            Err(meta.error(
                "unknown #[grad] argument; the arguments are `wrt(a, b)`, naming the parameters to differentiate, the modes `reverse` (`<name>_backward`, the default), `forward` (`<name>_forward`), `hvp` (`<name>_hvp`), `jacobian` (`<name>_jacobian`), `hessian` (`<name>_hessian`) and `graph` (`<name>_graph`), and `custom`, for companions written by hand",
            ))
        }
    });
    if let Err(e) = parser.parse2(tokens) {
        errors.push(e);
    }
    attr
}
