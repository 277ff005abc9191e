//! Large blocks: bindings declared up front.
//!
//! Each `let` statement opens a scope that lasts to the end of its block, nested in
//! the scope of the `let` before it; with debuginfo (the dev profile's default,
//! `debug = 1` too, not `line-tables-only`) every one of them becomes a DWARF
//! lexical block inside the previous one, and LLVM recurses once per level when it
//! writes them (`DwarfCompileUnit::createAndAddScopeChildren`). A companion has
//! about five `let`s per operation of the original, so a straight-line function of
//! some 500 operations overflowed rustc's stack in a debug build, and below that the
//! nesting still cost build time (a 1,000-statement companion: 3.6 s with
//! debuginfo, 0.7 s without, on a larger stack).
//!
//! A block with more than [`NESTED`] `let`s is therefore written as a few `let`s
//! without initialisers, each declaring up to [`GROUP`] bindings as one tuple pattern
//! with their types (`let (v1, mut v2, …): (f64, [f64; 3], …);`), followed by the
//! statements with each `let` turned into an assignment (`v1 = …;`, `(v5, _) = …;`).
//! Every value is still assigned once (a `mut` buffer is then updated in place, as
//! before), so this is the same program: LLVM sees the same loads and stores. The
//! nesting depth of a block is then its number of groups. The types are written
//! where the `let` wrote one: a binding declared with `_` whose type comes from
//! later arithmetic makes type checking slow (3 s instead of 0.7 s on the same
//! 1,000-statement companion). Groups stay small because one tuple pattern of
//! 10,000 bindings costs rustc 1.3 GB.
//!
//! Each statement the emitter pushes into a block is exactly one statement, so a
//! `let` is recognised by its first tokens: `let PAT [: TY] = RHS;` with `PAT` a
//! name (`mut` or not) or a tuple of names and `_`. A statement of any other shape
//! is kept as it is (one more level of nesting, never a different program).

use proc_macro2::{Delimiter, Ident, Spacing, TokenStream, TokenTree};
use quote::quote;
use std::collections::HashSet;

/// Blocks with at most this many `let`s are written as they are.
pub(super) const NESTED: usize = 128;

/// Bindings declared by one `let` of a flattened block.
const GROUP: usize = 512;

/// One binding of a `let`: its name, `mut` or not, and its type (`_` when the
/// `let` wrote none).
struct Binding {
    name: Ident,
    mutable: bool,
    ty: TokenStream,
}

/// The statements of one block, with its bindings declared up front when it has
/// more than [`NESTED`] `let`s.
pub(super) fn block(stmts: Vec<TokenStream>) -> Vec<TokenStream> {
    let lets = stmts.iter().filter(|s| is_let(s)).count();
    if lets <= NESTED {
        return stmts;
    }
    let mut bindings: Vec<Binding> = Vec::with_capacity(lets);
    let mut names = HashSet::with_capacity(lets);
    let mut body = Vec::with_capacity(stmts.len());
    for s in stmts {
        match split_let(&s) {
            // A name bound twice in a block (shadowing) keeps its `let`.
            Some((bs, assign)) if bs.iter().all(|b| !names.contains(&b.name.to_string())) => {
                names.extend(bs.iter().map(|b| b.name.to_string()));
                bindings.extend(bs);
                body.push(assign);
            }
            _ => body.push(s),
        }
    }
    let mut out = Vec::with_capacity(bindings.len() / GROUP + 1 + body.len());
    for group in bindings.chunks(GROUP) {
        let pats = group.iter().map(|b| {
            let name = &b.name;
            if b.mutable {
                quote!(mut #name)
            } else {
                quote!(#name)
            }
        });
        let tys = group.iter().map(|b| &b.ty);
        out.push(quote!(let (#(#pats,)*): (#(#tys,)*);));
    }
    out.extend(body);
    out
}

fn is_let(s: &TokenStream) -> bool {
    matches!(s.clone().into_iter().next(), Some(TokenTree::Ident(i)) if i == "let")
}

fn is_punct(t: &TokenTree, c: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == c)
}

/// One element of a pattern: `name`, `mut name` or `_` (`None` for `_`); the
/// tokens it takes.
fn binding(ts: &[TokenTree]) -> Option<(Option<(Ident, bool)>, usize)> {
    match ts {
        [TokenTree::Ident(m), TokenTree::Ident(n), ..] if m == "mut" && n != "_" => {
            Some((Some((n.clone(), true)), 2))
        }
        [TokenTree::Ident(n), ..] if n == "_" => Some((None, 1)),
        [TokenTree::Ident(n), ..] if n != "mut" && n != "ref" => {
            Some((Some((n.clone(), false)), 1))
        }
        _ => None,
    }
}

/// `let PAT [: TY] = RHS;` as its bindings and the assignment `PLACE = RHS;`;
/// `None` for any other statement, and for a `let` that binds nothing.
fn split_let(s: &TokenStream) -> Option<(Vec<Binding>, TokenStream)> {
    let ts: Vec<TokenTree> = s.clone().into_iter().collect();
    let (first, rest) = ts.split_first()?;
    if !matches!(first, TokenTree::Ident(i) if i == "let") {
        return None;
    }
    let (last, rest) = rest.split_last()?;
    if !is_punct(last, ';') {
        return None;
    }
    // The pattern: one binding, or a tuple of bindings and `_`.
    let (elems, place, used) = match rest.first()? {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => {
            let inner: Vec<TokenTree> = g.stream().into_iter().collect();
            let mut elems = Vec::new();
            let mut places = Vec::new();
            let mut k = 0;
            while k < inner.len() {
                let (b, n) = binding(&inner[k..])?;
                k += n;
                match b {
                    Some((name, m)) => {
                        places.push(quote!(#name));
                        elems.push((name, m));
                    }
                    None => places.push(quote!(_)),
                }
                match inner.get(k) {
                    None => {}
                    Some(t) if is_punct(t, ',') => k += 1,
                    Some(_) => return None,
                }
            }
            // A destructuring assignment (Rust 1.59); the comma keeps `(a,)` a tuple.
            (elems, quote!((#(#places,)*)), 1)
        }
        _ => {
            let (b, n) = binding(rest)?;
            let (name, m) = b?;
            let place = quote!(#name);
            (vec![(name, m)], place, n)
        }
    };
    if elems.is_empty() {
        return None;
    }
    let rest = &rest[used..];
    // An annotation (`: TY`, one `:` alone, not the first of a `::`), up to `=`.
    let eq = rest.iter().position(|t| is_punct(t, '='))?;
    let ty: Option<TokenStream> = match &rest[..eq] {
        [] => None,
        [TokenTree::Punct(c), ty @ ..] if c.as_char() == ':' && c.spacing() == Spacing::Alone => {
            if ty.is_empty() || elems.len() > 1 {
                return None;
            }
            Some(ty.iter().cloned().collect())
        }
        _ => return None,
    };
    // `=` alone: not `==`, `=>` (no pattern holds one; this is a guard).
    if matches!(&rest[eq], TokenTree::Punct(p) if p.spacing() != Spacing::Alone) {
        return None;
    }
    let rhs: TokenStream = rest[eq + 1..].iter().cloned().collect();
    if rhs.is_empty() {
        return None;
    }
    let bindings = elems
        .into_iter()
        .map(|(name, mutable)| Binding {
            name,
            mutable,
            ty: ty.clone().unwrap_or_else(|| quote!(_)),
        })
        .collect();
    Some((bindings, quote!(#place = #rhs;)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(stmts: Vec<TokenStream>) -> String {
        block(stmts)
            .into_iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn small_blocks_are_unchanged() {
        let stmts = vec![quote!(let v1: f64 = x;), quote!(let v2 = v1 * v1;)];
        assert_eq!(
            flat(stmts.clone()),
            stmts
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn large_blocks_declare_their_bindings_up_front() {
        let mut stmts = vec![quote!(let _ = unused;), quote!(let mut v0: [f64; 3] = x;)];
        for k in 1..=NESTED {
            let (v, p) = (
                quote::format_ident!("v{k}"),
                quote::format_ident!("v{}", k - 1),
            );
            stmts.push(quote!(let #v: ::core::primitive::f64 = #p[0] * 2.0;));
        }
        stmts.push(quote!(let (a, _, mut b) = if c { (1, 2, 3) } else { (4, 5, 6) };));
        stmts.push(quote!(let v1 = shadowed;));
        stmts.push(quote!(v0[1] += a;));
        let out = flat(stmts);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("let (mut v0 , v1 , v2 ,"), "{out}");
        assert!(
            lines[0].contains("mut b ,) : ([f64 ; 3] , :: core :: primitive :: f64 ,"),
            "{out}"
        );
        assert!(lines[0].ends_with("_ , _ ,) ;"), "{out}");
        assert_eq!(lines[1], "let _ = unused ;");
        assert_eq!(lines[2], "v0 = x ;");
        assert_eq!(lines[3], "v1 = v0 [0] * 2.0 ;");
        assert!(out.contains("\n(a , _ , b ,) = if c"), "{out}");
        assert!(out.contains("\nlet v1 = shadowed ;"), "{out}");
        assert!(out.ends_with("v0 [1] += a ;"), "{out}");
    }

    #[test]
    fn bindings_come_in_groups() {
        let stmts: Vec<TokenStream> = (0..GROUP * 2 + 1)
            .map(|k| {
                let v = quote::format_ident!("v{k}");
                quote!(let #v: f64 = 1.0;)
            })
            .collect();
        let out = block(stmts);
        assert_eq!(out.iter().filter(|s| is_let(s)).count(), 3);
    }
}
