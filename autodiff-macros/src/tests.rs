//! Snapshot tests of the IR and of the emitted code, driven by `check_*` helpers.

use crate::expand;
use proc_macro2::TokenStream;
use quote::quote;

fn item(src: TokenStream) -> syn::ItemFn {
    syn::parse2(src).expect("test input is a fn")
}

/// The forward IR of `src`, printed.
fn forward_ir(attr: TokenStream, src: TokenStream) -> String {
    match expand::forward(attr, &item(src)) {
        Ok((_, f)) => f.to_string(),
        Err(_) => "error".into(),
    }
}

/// The optimised companion IR of `src`, printed.
fn companion_ir(attr: TokenStream, src: TokenStream) -> String {
    match expand::companion(attr, &item(src)) {
        Ok((_, c)) => c.func.to_string(),
        Err(_) => "error".into(),
    }
}

/// The emitted companion, pretty-printed.
fn emitted(attr: TokenStream, src: TokenStream) -> String {
    let out = expand::expand(attr, src);
    let file: syn::File = syn::parse2(out).expect("expansion parses as Rust");
    prettyplease::unparse(&file)
}

fn check(actual: &str, expected: &str) {
    let norm = |s: &str| {
        s.trim()
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (a, e) = (norm(actual), norm(expected));
    assert!(
        a == e,
        "snapshot mismatch\n--- expected\n{e}\n--- actual\n{a}\n"
    );
}

#[test]
fn dump() {
    let src: TokenStream = std::fs::read_to_string("/work/main/wip/dump.rs")
        .map(|s| s.parse().unwrap())
        .unwrap_or_else(|_| {
            quote!(
                fn f(x: f64) -> f64 {
                    x
                }
            )
        });
    println!("{}", forward_ir(quote!(), src.clone()));
    println!("{}", companion_ir(quote!(), src.clone()));
    println!("{}", emitted(quote!(), src));
    check("a", "a");
}
