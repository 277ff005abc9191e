//! Snapshot tests of the IR and of the emitted code, driven by `check`, plus the
//! errors that only the macro's own entry points can provoke.

use crate::expand;
use proc_macro2::TokenStream;
use quote::quote;

fn item(src: TokenStream) -> syn::ItemFn {
    syn::parse2(src).expect("test input is a fn")
}

/// The forward IR of `src`, printed.
fn forward_ir(src: TokenStream) -> String {
    match expand::forward(quote!(), &item(src)) {
        Ok((_, f)) => f.to_string(),
        Err(_) => "error".into(),
    }
}

/// The optimised companion IR of `src`, printed.
fn companion_ir(src: TokenStream) -> String {
    match expand::companion_with(quote!(), &item(src), true) {
        Ok((_, c)) => c.func.to_string(),
        Err(e) => format!("error: {:?}", e.1.combined().map(|e| e.to_string())),
    }
}

/// The emitted companion alone, pretty-printed.
fn emitted(src: TokenStream) -> String {
    let f = item(src);
    let (sig, comp) = match expand::companion_with(quote!(), &f, true) {
        Ok(x) => x,
        Err(_) => return "error".into(),
    };
    let tokens = crate::emit::companion(&f, &sig, &comp);
    let mut file: syn::File = syn::parse2(tokens).expect("companion parses as Rust");
    // The doc and lint attributes are the same for every companion.
    for it in &mut file.items {
        if let syn::Item::Fn(f) = it {
            f.attrs.clear();
        }
    }
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
fn ir_of_mutation_and_if() {
    check(
        &forward_ir(quote! {
            fn f(x: f64, y: f64) -> f64 {
                let mut s = x * y;
                if s > 1.0 { s = s.sin(); }
                s.max(y)
            }
        }),
        "
fn(v0: f, v1: f) {
  v2: f = mul v0, v1
  v3: f = const 1.0
  v4: b = gt v2, v3
  v6: f = if v4 {
    v5: f = sin v2
    yield v5
  } else {
    yield v2
  }
  v7: f = max v6, v1
  return v7
}",
    );
}

#[test]
fn companion_ir_routes_max_and_reverses_the_if() {
    check(
        &companion_ir(quote! {
            fn f(x: f64, y: f64) -> f64 {
                let mut s = x * y;
                if s > 1.0 { s = s.sin(); }
                s.max(y)
            }
        }),
        "
fn(v0: f, v1: f, v8: f) {
  v2: f = mul v0, v1
  v3: f = const 1.0
  v4: b = gt v2, v3
  v6: f = if v4 {
    v5: f = sin v2
    yield v5
  } else {
    yield v2
  }
  v7: f = max v6, v1
  v9: f = const 0.0
  v10: f = const 0.5
  v11: f = mul v8, v10
  v12: b = eq v7, v6
  v13: b = eq v7, v1
  v14: f = select v13, v11, v8
  v15: f = select v12, v14, v9
  v16: f = select v12, v11, v8
  v17: f = select v13, v16, v9
  v20: f = if v4 {
    v18: f = cos v2
    v19: f = mul v15, v18
    yield v19
  } else {
    yield v15
  }
  v21: f = mul v20, v1
  v22: f = mul v20, v0
  v23: f = add v17, v22
  return v7, v21, v23
}",
    );
}

#[test]
fn early_return_takes_the_rest_into_the_branch() {
    check(
        &forward_ir(quote! {
            fn f(x: f64) -> f64 {
                if x < 0.0 { return 0.0; }
                x * x
            }
        }),
        "
fn(v0: f) {
  v1: f = const 0.0
  v2: b = lt v0, v1
  v5: f = if v2 {
    v3: f = const 0.0
    yield v3
  } else {
    v4: f = mul v0, v0
    yield v4
  }
  return v5
}",
    );
}

#[test]
fn emitted_code_of_the_cs231n_gate() {
    check(
        &emitted(quote! {
            fn gate(x: f64, y: f64, z: f64) -> f64 { (x + y) * z }
        }),
        "
fn gate_backward(x: f64, y: f64, z: f64, d_out: f64) -> (f64, f64, f64, f64) {
    let v0: f64 = x;
    let v1: f64 = y;
    let v2: f64 = z;
    let v5 = d_out;
    let v3: f64 = v0 + v1;
    let v4: f64 = v3 * v2;
    let v6: f64 = v5 * v2;
    let v7: f64 = v5 * v3;
    (v4, v6, v6, v7)
}",
    );
}

#[test]
fn accumulation_loop_fuses_with_its_reverse() {
    // `s`'s cotangent is `d_out` before the loop runs: one loop does each
    // iteration's forward and reverse, reading its own values.
    let ir = companion_ir(quote! {
        fn dot(w: &[f64], x: &[f64]) -> f64 {
            let mut s = 0.0;
            for i in 0..w.len() { s += w[i] * x[i]; }
            s
        }
    });
    assert!(
        !ir.contains("vec_new") && !ir.contains("zeros") && !ir.contains("push"),
        "{ir}"
    );
    assert_eq!(ir.matches("= for").count(), 1, "one fused loop:\n{ir}");
    assert!(!ir.contains("rev carry"), "{ir}");
    assert_eq!(ir.matches("load v0").count(), 1, "w[i] read once:\n{ir}");
}

#[test]
fn loops_stay_apart_when_the_cotangent_needs_the_result() {
    // `d_s = d_out / s`: the reverse loop waits for the forward one.
    let ir = companion_ir(quote! {
        fn log_norm(x: &[f64]) -> f64 {
            let mut s = 0.0;
            for i in 0..x.len() { s += x[i] * x[i]; }
            s.ln()
        }
    });
    assert_eq!(ir.matches("= for").count(), 2, "{ir}");
    assert!(
        ir.contains("rev carry"),
        "the reverse loop runs backwards:\n{ir}"
    );
}

#[test]
fn loops_stay_apart_when_the_reverse_does_not_only_accumulate() {
    // The reverse of a running product scales its carried cotangent: its
    // iterations do not commute.
    let ir = companion_ir(quote! {
        fn prod(x: &[f64; 4]) -> f64 {
            let mut p = 1.0;
            for i in 0..4 { p *= x[i]; }
            p
        }
    });
    assert!(
        ir.contains("rev carry"),
        "the reverse loop runs backwards:\n{ir}"
    );
}

#[test]
fn running_product_records_into_a_fixed_tape() {
    check(
        &companion_ir(quote! {
            fn prod(x: &[f64; 8]) -> f64 {
                let mut p = 1.0;
                for i in 0..x.len() { p = p * x[i]; }
                p
            }
        }),
        "
fn(v0: [f; 8], v9: f, v10: [f; 8]) {
  v1: f = const 1.0
  v2: i = verbatim `0`
  v3: i = verbatim `8usize`
  v21: [f; 8] = zeros
  v8: f, v24: [f; 8] = for v2..v3 carry(v1, v21) {
    args v4: i, v5: f, v22: [f; 8]
    v18: i = cast v4 as ::core::primitive::usize
    v23: [f; 8] = store v22[v18], v5
    v6: f = load v0[v4]
    v7: f = mul v5, v6
    yield v7, v23
  }
  v27: f, v28: [f; 8] = for v2..v3 rev carry(v9, v10) {
    args v11: i, v12: f, v13: [f; 8]
    v20: i = cast v11 as ::core::primitive::usize
    v25: f = load v24[v20]
    v26: f = load v0[v11]
    v14: f = mul v12, v26
    v15: f = mul v12, v25
    v16: [f; 8] = add_at v13[v11], v15
    yield v14, v16
  }
  return v8, v28
}",
    );
}

#[test]
fn a_runtime_loop_that_records_needs_alloc() {
    let f = item(quote! {
        fn prod(x: &[f64]) -> f64 {
            let mut p = 1.0;
            for v in x.iter() { p = p * *v; }
            p
        }
    });
    let Err(failure) = expand::companion_with(quote!(), &f, false) else {
        panic!("accepted without alloc");
    };
    let msg = failure
        .1
        .combined()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.contains("enable the `alloc` feature"), "{msg}");
    assert!(expand::companion_with(quote!(), &f, true).is_ok());
}

/// Without `alloc`, each construct that builds a `Vec` is an error at its span
/// that names it and says what to do; with `alloc` the same functions are fine.
#[test]
fn vec_locals_need_alloc() {
    let cases = [
        (
            quote!(
                fn f(x: f64, n: usize) -> f64 {
                    let h = vec![x; n];
                    h[0]
                }
            ),
            "`vec!`",
        ),
        (
            quote!(
                fn f(x: &[f64]) -> f64 {
                    let v: Vec<f64> = x.iter().map(|a| a * a).collect();
                    v[0]
                }
            ),
            "`.collect()`",
        ),
        (
            quote!(
                fn f(x: &[f64]) -> f64 {
                    let v = x.to_vec();
                    v[0]
                }
            ),
            "`.to_vec()`",
        ),
    ];
    for (src, what) in cases {
        let f = item(src);
        let Err(failure) = expand::companion_with(quote!(), &f, false) else {
            panic!("accepted without alloc: {what}");
        };
        let msg = failure
            .1
            .combined()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            msg.contains(what) && msg.contains("needs the heap") && msg.contains("`alloc` feature"),
            "{msg}"
        );
        assert!(expand::companion_with(quote!(), &f, true).is_ok(), "{what}");
    }
}

#[test]
fn every_expansion_parses_even_on_bad_input() {
    let inputs = [
        quote!(
            fn f(x: f64) -> f64 {
                x.frobnicate()
            }
        ),
        quote!(
            fn f(x: &mut f64) -> i32 {
                0
            }
        ),
        quote!(
            struct S;
        ),
        quote!(
            fn f(self) -> f64 {
                1.0
            }
        ),
        quote!(
            fn f<T: Real>(x: T, (a, b): (T, T)) -> T {
                match x {
                    _ => x,
                }
            }
        ),
        quote!(
            fn f(x: f64) -> f64 {
                loop {}
            }
        ),
        quote!(
            fn f(x: f64) -> f64 {
                let y = |t: f64| t;
                y(x) + 1e400
            }
        ),
    ];
    for src in inputs {
        let out = expand::expand(quote!(wrt(x, nope)), src.clone());
        let parsed: Result<syn::File, _> = syn::parse2(out.clone());
        assert!(parsed.is_ok(), "expansion of {src} does not parse: {out}");
    }
}

/// Prints the IR and emitted companion of `wip/dump.rs` (a scratch file, not
/// committed): `cargo test -p autodiff-macros dump -- --ignored --nocapture`.
#[test]
#[ignore = "a tool for looking at expansions, not a test"]
fn dump() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../wip/dump.rs");
    let Ok(src) = std::fs::read_to_string(path) else {
        return;
    };
    // `#[grad(…)]` on the first line: its arguments are the attribute's.
    let (attr, src) = match src.strip_prefix("#[grad(") {
        Some(rest) => match rest.split_once(")]") {
            Some((a, body)) => (a.parse().expect("attribute parses"), body.to_string()),
            None => (TokenStream::new(), src.clone()),
        },
        None => (TokenStream::new(), src.clone()),
    };
    let item = item(src.parse().expect("wip/dump.rs parses"));
    match expand::forward(attr.clone(), &item) {
        Ok((_, f)) => println!("{f}"),
        Err(_) => println!("error"),
    }
    match expand::companion_with(attr.clone(), &item, true) {
        Ok((sig, c)) => {
            println!("{}", c.func);
            let tokens = crate::emit::companion(&item, &sig, &c);
            match syn::parse2::<syn::File>(tokens) {
                Ok(file) => println!("{}", prettyplease::unparse(&file)),
                Err(e) => println!("unparsable: {e}"),
            }
        }
        Err(e) => println!("error: {:?}", e.1.combined().map(|e| e.to_string())),
    }
    // `hvp` (and the modes it implies): the whole expansion.
    if attr.to_string().contains("hvp") {
        let tokens = expand::expand(attr.clone(), src.parse().expect("wip/dump.rs parses"));
        match syn::parse2::<syn::File>(tokens) {
            Ok(file) => println!("{}", prettyplease::unparse(&file)),
            Err(e) => println!("unparsable: {e}"),
        }
    }
    if attr.to_string().contains("forward") {
        match expand::forward_mode(attr.clone(), &item) {
            Ok((sig, c)) => {
                println!("{}", c.func);
                let tokens = crate::emit::forward_companion(&item, &sig, &c);
                match syn::parse2::<syn::File>(tokens) {
                    Ok(file) => println!("{}", prettyplease::unparse(&file)),
                    Err(e) => println!("unparsable: {e}"),
                }
            }
            Err(e) => println!("error: {:?}", e.1.combined().map(|e| e.to_string())),
        }
    }
}

#[test]
fn quotients_by_one_divisor_share_its_reciprocal() {
    // Two divisions forward (the value is the function's, bit for bit), one
    // reciprocal backward, shared by both quotients.
    let ir = companion_ir(quote! {
        fn f(a: f64, b: f64, c: f64) -> f64 { a / c + b / c }
    });
    assert_eq!(ir.matches("div").count(), 3, "{ir}");
}

#[test]
fn literals_are_written_again_in_a_reverse_branch() {
    // The indices the reverse branch needs stay literals (no residual through
    // the `if`, which would make them run-time values with bounds checks).
    let out = emitted(quote! {
        fn f(x: [f64; 2], c: f64) -> f64 {
            let mut y = 0.0;
            if c > 0.0 { y = x[0] * x[1]; }
            y
        }
    });
    assert!(!out.contains("Default"), "{out}");
    assert!(out.contains("[0usize]") || out.contains("= 0;"), "{out}");
}

#[test]
fn costly_scalars_of_a_short_inner_loop_are_recorded() {
    // The outer loop fuses with its reverse; the inner one cannot (its reverse
    // starts from `d_z = d_s / z`), so its reverse needs each `exp`: recorded in
    // a 4-element stack tape, not computed a second time.
    let ir = companion_ir(quote! {
        fn f(x: &[f64], w: &[f64; 4]) -> f64 {
            let mut s = 0.0;
            for i in 0..x.len() {
                let mut z = 0.0;
                for k in 0..4 { z += (w[k] * x[i]).exp(); }
                s += z.ln();
            }
            s
        }
    });
    assert_eq!(ir.matches("exp").count(), 1, "{ir}");
    assert!(ir.contains("zeros") && !ir.contains("vec_new"), "{ir}");
    assert_eq!(
        ir.matches("= for").count(),
        3,
        "one fused outer loop, two inner:\n{ir}"
    );
}

#[test]
fn element_plus_equals_is_an_add_at() {
    // `a[i] += t` (lowered as a store of `a[i] + t`) folds to an add-at: the same
    // bits, and a reverse that leaves the array's cotangent as it is.
    let ir = companion_ir(quote! {
        fn f(x: [f64; 2]) -> f64 {
            let mut y = [0.0; 2];
            for i in 0..2 { y[i] += x[1 - i] * x[i]; }
            y[0] * y[1]
        }
    });
    assert!(!ir.contains("store"), "{ir}");
    assert!(ir.contains("add_at"), "{ir}");
}

#[test]
fn nested_accumulation_loops_fuse_at_both_levels() {
    // The outer loop fuses with its reverse; in its body the inner loop meets
    // its own reverse (`d_bl = d_total / 4` is known before it) and fuses too:
    // two loops in all, each element read once.
    let ir = companion_ir(quote! {
        fn batches(x: &[[f64; 4]], w: f64) -> f64 {
            let mut total = 0.0;
            for b in 0..x.len() {
                let mut bl = 0.0;
                for i in 0..4 { bl += (x[b][i] * w).sin(); }
                total += bl * 0.25;
            }
            total
        }
    });
    assert_eq!(ir.matches("= for").count(), 2, "{ir}");
    assert!(!ir.contains("rev carry"), "{ir}");
    assert_eq!(ir.matches("= sin ").count(), 1, "{ir}");
}

#[test]
fn a_snapshot_of_an_array_keeps_its_own_buffer() {
    // `u = v` then `v` updated: the store updates a copy, `u` keeps reading `v`'s
    // version (one `let` for both gave a wrong value and gradient).
    let ir = forward_ir(quote! {
        fn f(x: f64) -> f64 {
            let mut v = [x, 1.0];
            let u = [0.0; 2];
            let mut u = u;
            u = v;
            v[0] = 3.0 * x;
            u[0] + v[0]
        }
    });
    check(
        &ir,
        "
fn(v0: f) {
  v1: f = const 1.0
  v2: [f; 2] = array [v0, v1]
  v4: [f; 2] = zeros
  v5: [f; 2] = copy v4
  v6: f = const 3.0
  v7: f = mul v6, v0
  v8: i = verbatim `0`
  v15: [f; 2] = copy v2
  v9: [f; 2] = store v15[v8], v7
  v10: i = verbatim `0`
  v11: f = load v2[v10]
  v12: i = verbatim `0`
  v13: f = load v9[v12]
  v14: f = add v11, v13
  return v14
}",
    );
}

#[test]
fn the_verifier_rejects_a_read_after_an_update() {
    use crate::ir::{Func, Len, Op, OpKind, Region, Ty};
    let mut f = Func::default();
    let arr = f.array_ty(Ty::Float, Len::Const("2".into()));
    let (a, i, x, a2, y) = (
        f.new_value(arr),
        f.new_value(Ty::Int),
        f.new_value(Ty::Float),
        f.new_value(arr),
        f.new_value(Ty::Float),
    );
    f.params = vec![a, x];
    let op = |results, kind| Op { results, kind };
    f.body = Region {
        args: Vec::new(),
        ops: vec![
            op(vec![i], OpKind::Verbatim("0".into())),
            op(vec![a2], OpKind::Store(a, vec![i], x)),
            op(vec![y], OpKind::Load(a, vec![i])),
        ],
        yields: vec![y],
    };
    let err = crate::ir::linear(&f).expect_err("a read after an update is not linear");
    assert!(err.contains("read after it was updated in place"), "{err}");
    // Reading the new version instead is linear.
    f.body.ops[2] = op(vec![y], OpKind::Load(a2, vec![i]));
    assert_eq!(crate::ir::linear(&f), Ok(()));
}

#[test]
fn effects_stay_in_the_forward_sweep_once() {
    // A print in a loop whose values the reverse sweep needs: the loop is
    // recorded, not run again, so the companion prints once per iteration.
    let out = emitted(quote! {
        fn f(x: [f64; 3]) -> f64 {
            let mut s = 0.0;
            for i in 0..3 {
                let t = (x[i] * s).sin();
                println!("{i}: {t}");
                s += t;
            }
            assert!(s.is_finite());
            s
        }
    });
    assert_eq!(out.matches("println!").count(), 1, "{out}");
    assert_eq!(out.matches("assert!").count(), 1, "{out}");
    assert!(
        out.contains("i = "),
        "inline arguments become named ones: {out}"
    );
}

#[test]
fn types_in_messages_read_as_written() {
    let text = |t: syn::Type| crate::signature::type_text(&t);
    assert_eq!(text(syn::parse_quote!(&[Vec<f64>])), "&[Vec<f64>]");
    assert_eq!(
        text(syn::parse_quote!(&'a mut [f64; 3])),
        "&'a mut [f64; 3]"
    );
    assert_eq!(text(syn::parse_quote!((f64, [f64; 2]))), "(f64, [f64; 2])");
    assert_eq!(
        text(syn::parse_quote!(&std::collections::HashMap<String, Vec<f64>>)),
        "&std::collections::HashMap<String, Vec<f64>>"
    );
}
