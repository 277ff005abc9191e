//! Compile-time cost of `#[grad]`: the macro's expansion time, in process, for
//! generated straight-line functions of 100, 1,000 and 10,000 operations, and
//! for functions of 10, 100 and 300 loops.
//!
//! `cargo test -p autodiff-macros --release tests_compile -- --ignored --nocapture`
//!
//! prints one line per size and writes each generated function to
//! `target/compile_time/`: `ops_<n>.rs` with `#[autodiff::grad]` on it,
//! `ops_<n>_primal.rs` without, and `ops_<n>_expanded.rs`, the expansion, so
//! that the build time of the result can be measured in a scratch crate;
//! PERFORMANCE.md has the figures and the commands.

use crate::expand;
use proc_macro2::TokenStream;
use quote::quote;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Inputs of every generated function.
const INPUTS: usize = 8;

/// A deterministic straight-line function of `ops` operations over `[f64; 8]`:
/// each statement is one binary arithmetic operation or one unary float method
/// on earlier values, reading the value just before it and one up to 16
/// further back, so the graph is deep and wide. The result adds the last
/// eight values (seven more operations; they are not counted).
pub(crate) fn generated(ops: usize) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut src = format!("pub fn ops_{ops}(x: [f64; {INPUTS}]) -> f64 {{\n");
    for i in 0..INPUTS {
        let _ = writeln!(src, "    let v{i} = x[{i}];");
    }
    for k in 0..ops {
        let i = INPUTS + k;
        let a = i - 1;
        // The first operations read every input; later ones an earlier value.
        let b = if k < INPUTS { k } else { i - 1 - next(16) };
        let line = match next(8) {
            0 => format!("v{a} + v{b}"),
            1 => format!("v{a} - v{b}"),
            2 | 3 => format!("v{a} * v{b}"),
            4 => format!("v{a} / (1.5 + v{b} * v{b})"),
            5 => format!("v{a}.sin()"),
            6 => format!("v{a}.tanh()"),
            _ => format!("0.5 * v{a}"),
        };
        let _ = writeln!(src, "    let v{i} = {line};");
    }
    let last = INPUTS + ops - 1;
    let sum: Vec<String> = (0..8).map(|j| format!("v{}", last - j)).collect();
    let _ = writeln!(src, "    {}\n}}", sum.join(" + "));
    src
}

/// A function of `loops` loops over a slice, one after the other: each sums
/// `x[i] * c * k` into its own accumulator, which the result adds either as it
/// is (the loop fuses with its reverse) or squared (its reverse waits for it).
pub(crate) fn generated_loops(loops: usize) -> String {
    let mut src = format!(
        "pub fn loops_{loops}(x: &[f64], c: f64) -> f64 {{
    let mut total = 0.0;
"
    );
    for k in 0..loops {
        let _ = writeln!(src, "    let mut s{k} = 0.0;");
        let _ = writeln!(
            src,
            "    for i in 0..x.len() {{ s{k} += x[i] * c * {}.0; }}",
            k + 1
        );
        let term = if k % 2 == 0 {
            format!("s{k} * s{k}")
        } else {
            format!("s{k}")
        };
        let _ = writeln!(src, "    total += {term};");
    }
    src.push_str(
        "    total
}
",
    );
    src
}

/// The fastest of `reps` expansions of `#[grad] src` (the expansion is
/// deterministic; the minimum is the least disturbed by other work on the
/// machine), and the expanded tokens.
fn time_expansion(src: &str, reps: usize) -> (Duration, TokenStream) {
    let item: TokenStream = src.parse().expect("generated code parses");
    let mut best = Duration::MAX;
    let mut out = TokenStream::new();
    for _ in 0..reps {
        let item = item.clone();
        let start = Instant::now();
        out = expand::expand(quote!(), item);
        best = best.min(start.elapsed());
    }
    (best, out)
}

/// The fastest of `reps` runs of each phase: parsing the item, lowering to
/// the forward IR, lowering + reverse sweep + optimisation, emission.
fn time_phases(src: &str, reps: usize) -> [Duration; 4] {
    let tokens: TokenStream = src.parse().expect("generated code parses");
    let mut best = [Duration::MAX; 4];
    for _ in 0..reps {
        let start = Instant::now();
        let item: syn::ItemFn = syn::parse2(tokens.clone()).expect("a fn");
        best[0] = best[0].min(start.elapsed());
        let start = Instant::now();
        let forward = expand::forward(quote!(), &item);
        best[1] = best[1].min(start.elapsed());
        assert!(forward.is_ok());
        let start = Instant::now();
        let Ok((sig, comp)) = expand::companion_with(quote!(), &item, true) else {
            panic!("the macro rejected the generated function");
        };
        best[2] = best[2].min(start.elapsed());
        let start = Instant::now();
        let out = crate::emit::companion(&item, &sig, &comp);
        best[3] = best[3].min(start.elapsed());
        drop(out);
    }
    best
}

#[test]
fn generated_functions_expand_to_a_companion() {
    let src = generated(50);
    let (_, out) = time_expansion(&src, 1);
    let text = out.to_string();
    assert!(text.contains("ops_50_backward"), "{text}");
    assert!(!text.contains("compile_error"), "{text}");
    let (_, out) = time_expansion(&generated_loops(4), 1);
    let text = out.to_string();
    assert!(text.contains("loops_4_backward"), "{text}");
    assert!(!text.contains("compile_error"), "{text}");
}

#[test]
#[ignore = "a measurement, not a test: run it in release with --nocapture"]
fn expansion_time() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/compile_time");
    let _ = std::fs::create_dir_all(dir);
    println!(
        "   ops    expansion      per op   output   | parse    lower  lower+reverse+opt  emit (ms)"
    );
    let mut per_op = Vec::new();
    for (ops, reps) in [(100, 20), (1_000, 5), (10_000, 3)] {
        let src = generated(ops);
        let (t, out) = time_expansion(&src, reps);
        let text = out.to_string();
        assert!(
            !text.contains("compile_error"),
            "the macro rejected the generated function of {ops} ops"
        );
        let ns = t.as_nanos() as f64 / ops as f64;
        per_op.push(ns);
        let [p, l, c, e] = time_phases(&src, reps).map(|d| d.as_secs_f64() * 1e3);
        println!(
            "{ops:>6}  {:>9.3} ms  {:>7.2} us  {:>5} KiB | {p:>6.2} {l:>8.2} {c:>12.2} {e:>12.2}",
            t.as_secs_f64() * 1e3,
            ns / 1e3,
            text.len() / 1024,
        );
        let _ = std::fs::write(
            format!("{dir}/ops_{ops}.rs"),
            format!("#[autodiff::grad]\n{src}"),
        );
        let _ = std::fs::write(format!("{dir}/ops_{ops}_primal.rs"), &src);
        let _ = std::fs::write(format!("{dir}/ops_{ops}_expanded.rs"), &text);
    }
    println!(
        "growth of the time per op from 100 to 10,000 ops: x{:.2} (1.00 is linear)",
        per_op[2] / per_op[0]
    );
    // Many loops: the reverse sweep asks for each whether its reverse waits for
    // it, and fusion reorders the ops between each fused pair.
    println!(" loops    expansion    per loop   output");
    for (loops, reps) in [(10, 20), (100, 5), (300, 3)] {
        let (t, out) = time_expansion(&generated_loops(loops), reps);
        let text = out.to_string();
        assert!(!text.contains("compile_error"), "{loops} loops rejected");
        println!(
            "{loops:>6}  {:>9.3} ms  {:>7.2} ms  {:>5} KiB",
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() * 1e3 / loops as f64,
            text.len() / 1024,
        );
    }
}

/// Prints the expansion of the file named by `AUTODIFF_EXPAND` (a scratch
/// file with one `#[grad]` function, written without the attribute; the
/// attribute's arguments, if any, go in `AUTODIFF_EXPAND_ATTR`):
/// `AUTODIFF_EXPAND=/tmp/f.rs cargo test -p autodiff-macros expand_file -- --ignored --nocapture`.
#[test]
#[ignore = "a tool for looking at expansions, not a test"]
fn expand_file() {
    let Ok(path) = std::env::var("AUTODIFF_EXPAND") else {
        return;
    };
    let src = std::fs::read_to_string(path).expect("AUTODIFF_EXPAND names a file");
    let attr: TokenStream = std::env::var("AUTODIFF_EXPAND_ATTR")
        .unwrap_or_default()
        .parse()
        .expect("AUTODIFF_EXPAND_ATTR parses");
    let item: TokenStream = src.parse().expect("the file parses");
    let out = expand::expand(attr, item);
    match syn::parse2::<syn::File>(out.clone()) {
        Ok(file) => println!("{}", prettyplease::unparse(&file)),
        Err(_) => println!("{out}"),
    }
}
