//! The attribute's arguments: `#[grad]` or `#[grad(wrt(a, b))]`.

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
        } else {
            Err(meta.error(
                "unknown #[grad] argument; the arguments are `wrt(a, b)`, naming the parameters to differentiate, and `custom`, for a companion written by hand",
            ))
        }
    });
    if let Err(e) = parser.parse2(tokens) {
        errors.push(e);
    }
    attr
}
