//! Macros in a body. The macro cannot see what a macro expands to, so it knows
//! a fixed set by name and keeps each as an effect (`OpKind::Effect`) of the
//! forward sweep, its arguments lowered as values:
//!
//! - `assert!`, `assert_eq!`, `assert_ne!` and their `debug_` forms check as
//!   written (a failed `assert!(x > 0.0)` still says `x > 0.0`);
//! - `panic!`, `unreachable!`, `todo!`, `unimplemented!` diverge: a branch that
//!   ends in one gives whatever value the other branch's type needs;
//! - `println!`, `eprintln!`, `print!`, `eprint!` print; `dbg!(e)` prints and is
//!   `e`;
//! - `matches!` is a condition (`patterns.rs`).
//!
//! A format string's inline arguments (`"{x}"`) become named ones (`x = v7`),
//! since the companion's values have other names. Any other macro is an error
//! that names it.

use super::{Lowering, Val};
use crate::ir::{Effect, EffectArg, Op, OpKind, Ty, Value};
use quote::{quote, ToTokens};
use syn::punctuated::Punctuated;
use syn::{Expr, Lit};

impl Lowering<'_, '_> {
    /// A macro call in a body, as an expression or a statement.
    #[inline(never)]
    pub(super) fn macro_call(&mut self, mac: &syn::Macro) -> Val {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let std = mac.path.segments.len() == 1
            || mac
                .path
                .segments
                .first()
                .is_some_and(|s| s.ident == "std" || s.ident == "core");
        if !std {
            return self.unknown_macro(mac, &name);
        }
        if name == "matches" {
            return self.matches_macro(mac);
        }
        if name == "vec" {
            return self.vec_macro(mac);
        }
        let args = match mac.parse_body_with(Punctuated::<Expr, syn::Token![,]>::parse_terminated) {
            Ok(a) => a.into_iter().collect::<Vec<_>>(),
            Err(e) => {
                self.errors.push(e);
                return self.poison();
            }
        };
        match name.as_str() {
            "assert" | "debug_assert" => {
                let Some((cond, rest)) = args.split_first() else {
                    self.errors.at(mac, format!("`{name}!` needs a condition"));
                    return self.poison();
                };
                let c = self.cond(cond);
                let mut out = vec![EffectArg::Value(c)];
                if rest.is_empty() {
                    // The message the macro would have given.
                    let text = format!("assertion failed: {}", cond.to_token_stream());
                    out.push(EffectArg::Tokens(quote!("{}")));
                    out.push(EffectArg::Tokens(text.to_token_stream()));
                } else {
                    out.extend(self.format_args(rest));
                }
                self.effect(mac, out);
                Val::Unit
            }
            "assert_eq" | "assert_ne" | "debug_assert_eq" | "debug_assert_ne" => {
                if args.len() < 2 {
                    self.errors
                        .at(mac, format!("`{name}!` needs two values to compare"));
                    return self.poison();
                }
                let mut out = Vec::new();
                for a in &args[..2] {
                    let v = self.expr(a, None);
                    out.push(EffectArg::Value(self.scalar(v, a, "a value to compare")));
                }
                out.extend(self.format_args(&args[2..]));
                self.effect(mac, out);
                Val::Unit
            }
            "println" | "eprintln" | "print" | "eprint" => {
                let out = self.format_args(&args);
                self.effect(mac, out);
                Val::Unit
            }
            "panic" | "unreachable" | "todo" | "unimplemented" => {
                let out = self.format_args(&args);
                self.effect(mac, out);
                Val::Never
            }
            "dbg" => {
                let [e] = args.as_slice() else {
                    self.errors.at(
                        mac,
                        "`dbg!` takes one expression here; write one `dbg!` per value",
                    );
                    return self.poison();
                };
                let v = self.expr(e, None);
                let s = self.scalar(v, e, "the value of `dbg!`");
                // What `dbg!` prints, with the expression as written.
                let text = e.to_token_stream().to_string();
                let eprintln: syn::Path = syn::parse_quote!(::std::eprintln);
                let args = vec![
                    EffectArg::Tokens(quote!("[{}:{}:{}] {} = {:#?}")),
                    EffectArg::Tokens(quote!(::core::file!())),
                    EffectArg::Tokens(quote!(::core::line!())),
                    EffectArg::Tokens(quote!(::core::column!())),
                    EffectArg::Tokens(text.to_token_stream()),
                    EffectArg::Value(s),
                ];
                self.push_effect(eprintln, args, false);
                Val::Scalar(s)
            }
            _ => self.unknown_macro(mac, &name),
        }
    }

    /// `vec![x; n]` and `vec![a, b, c]`: a `Vec` local.
    fn vec_macro(&mut self, mac: &syn::Macro) -> Val {
        if !self.heap(mac, "`vec!`") {
            return self.poison();
        }
        let splat = mac.parse_body_with(|input: syn::parse::ParseStream<'_>| {
            let x: Expr = input.parse()?;
            input.parse::<syn::Token![;]>()?;
            let n: Expr = input.parse()?;
            Ok((x, n))
        });
        if let Ok((x, n)) = splat {
            let xv = self.expr(&x, Some(Ty::Float));
            let xv = self.scalar(xv, &x, "the repeated element");
            let nv = self.expr(&n, Some(Ty::Int));
            let nv = self.scalar(nv, &n, "a length");
            let ty = self.func.array_ty(self.ty(xv), crate::ir::Len::Vec);
            return Val::Scalar(self.push(OpKind::VecSplat(xv, nv), ty));
        }
        let elems = match mac.parse_body_with(Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        {
            Ok(e) => e,
            Err(e) => {
                self.errors.push(e);
                return self.poison();
            }
        };
        let mut xs = Vec::new();
        for e in &elems {
            let v = self.expr(e, Some(Ty::Float));
            xs.push(self.scalar(v, e, "an element"));
        }
        let Some(&first) = xs.first() else {
            self.errors.at(
                mac,
                "an empty `vec![]` has no element type here; write `vec![0.0; n]`",
            );
            return self.poison();
        };
        let elem = self.ty(first);
        if xs.iter().any(|x| self.ty(*x) != elem) {
            self.errors
                .at(mac, "the elements of this `vec!` have different types");
            return self.poison();
        }
        let ty = self.func.array_ty(elem, crate::ir::Len::Vec);
        Val::Scalar(self.push(OpKind::ArrayLit(xs), ty))
    }

    fn unknown_macro(&mut self, mac: &syn::Macro, name: &str) -> Val {
        self.errors.at(
            &mac.path,
            format!("the macro `{name}!` is not supported in #[grad] bodies: the macro cannot see what it expands to; write the code out (known: `assert!`, `assert_eq!`, `assert_ne!`, `debug_assert*!`, `panic!`, `unreachable!`, `todo!`, `println!`, `eprintln!`, `dbg!`, `matches!`)"),
        );
        self.poison()
    }

    fn effect(&mut self, mac: &syn::Macro, args: Vec<EffectArg>) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        let diverges = matches!(
            name.as_deref(),
            Some("panic" | "unreachable" | "todo" | "unimplemented")
        );
        self.push_effect(mac.path.clone(), args, diverges);
    }

    fn push_effect(&mut self, path: syn::Path, args: Vec<EffectArg>, diverges: bool) {
        self.ops.push(Op {
            results: Vec::new(),
            kind: OpKind::Effect(Box::new(Effect {
                path,
                args,
                diverges,
            })),
        });
    }

    /// A format string and its arguments: the string kept, each argument a
    /// value, inline `{name}`s made named arguments.
    fn format_args(&mut self, args: &[Expr]) -> Vec<EffectArg> {
        let mut out = Vec::new();
        let Some((first, rest)) = args.split_first() else {
            return out;
        };
        let Expr::Lit(syn::ExprLit {
            lit: Lit::Str(fmt), ..
        }) = first
        else {
            self.errors
                .at(first, "a format string literal is needed here: `\"{}\"`");
            return out;
        };
        out.push(EffectArg::Tokens(fmt.to_token_stream()));
        let mut named = Vec::new();
        for a in rest {
            match a {
                Expr::Assign(asg) => {
                    let name = asg.left.to_token_stream().to_string();
                    let v = self.expr(&asg.right, None);
                    let v = self.scalar(v, &asg.right, "a value to format");
                    named.push(name.clone());
                    out.push(EffectArg::Named(name, v));
                }
                e => {
                    let v = self.expr(e, None);
                    out.push(EffectArg::Value(self.scalar(v, e, "a value to format")));
                }
            }
        }
        for name in inline_names(&fmt.value()) {
            if named.contains(&name) {
                continue;
            }
            let path: syn::ExprPath = match syn::parse_str(&name) {
                Ok(p) => p,
                Err(_) => continue,
            };
            let v = self.path(&path, None);
            let v = self.scalar(v, fmt, "a value to format");
            named.push(name.clone());
            out.push(EffectArg::Named(name, v));
        }
        out
    }

    /// Values of the types of `like`'s scalars, for a branch that diverged (it
    /// never yields them): pushed onto `ops`.
    pub(super) fn placeholders(&mut self, like: &Val, ops: &mut Vec<Op>) -> Val {
        let mut it = like.flat().into_iter().map(|v| {
            let ty = self.ty(v);
            let kind = match ty {
                Ty::Float => OpKind::Const(0.0),
                Ty::Bool => OpKind::Verbatim("false".into()),
                Ty::Int => OpKind::Verbatim("::core::default::Default::default()".into()),
                Ty::Array(_) | Ty::Struct(_) => OpKind::Zeros,
            };
            let r = self.func.new_value(ty);
            ops.push(Op {
                results: vec![r],
                kind,
            });
            r
        });
        let v: Vec<Value> = it.by_ref().collect();
        like.rebuild(&mut v.into_iter())
    }
}

/// The names a format string captures inline: `x` in `"{x}"`, `"{x:.3}"`.
fn inline_names(fmt: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '{' {
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            continue;
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '}' || c == ':' {
                break;
            }
            name.push(c);
            chars.next();
        }
        let name = name.trim().to_string();
        let is_ident = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if is_ident && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}
