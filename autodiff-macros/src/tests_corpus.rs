//! Robustness of the whole expansion (issue "Reliability"): whatever tokens
//! `#[grad]` is given, `expand` returns — it never panics — and what it returns
//!
//! - parses as a Rust file (when the input item itself is valid Rust syntax; an
//!   input that is not is re-emitted unchanged after one `compile_error!`),
//! - starts with the user's item, unchanged,
//! - has every `compile_error!` spanned inside the macro's input (the item or
//!   the attribute's arguments), never at a location of its own.
//!
//! Two sources of input: every function of some crates of the local cargo
//! registry (real code, most of it outside what `#[grad]` accepts), run with
//! several attributes; and generated hostile input: malformed attributes,
//! unusual syntax, extreme literals, deep nesting, random token soups and random
//! programs in the accepted subset, from a fixed-seed PRNG.
//!
//! Every token comes from parsed source text, so with proc-macro2's
//! `span-locations` every span has a line and column: the input item is parsed
//! from a file whose first line is blank (so that the call-site span, line 1
//! column 0, is outside every item) and the attribute from a text whose first
//! `ATTR_LINE - 1` lines are blank (so that its spans are on lines no item reaches).
//!
//! Both tests run on a thread with rustc's stack (8 MiB), the stack a proc-macro
//! gets from the compiler.

use crate::expand::expand;
use proc_macro2::{LineColumn, Span, TokenStream, TokenTree};
use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Once;
use std::time::Instant;
use syn::visit::Visit;

/// The line of the attribute's arguments; no item of the corpus is this long.
const ATTR_LINE: usize = 100_000;

/// The stack rustc runs the compiler (and the proc-macros it calls) on.
const RUSTC_STACK: usize = 8 * 1024 * 1024;

/// The fewest functions the registry corpus must yield when the registry exists.
const MIN_CORPUS_ITEMS: usize = 2_000;

// ------------------------------------------------------------------ harness

thread_local! {
    /// Set while `expand` runs: the panic hook records instead of printing.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// The message and location of the last panic under `CAPTURING`.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// A panic hook that records panics of `expand` (with their location) and
/// leaves every other panic to the previous hook.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(Cell::get) {
                LAST_PANIC.with(|p| *p.borrow_mut() = info.to_string());
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f` on a thread with `stack` bytes of stack.
fn on_stack<R: Send>(stack: usize, f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn_scoped(s, f)
            .expect("spawn test thread")
            .join()
            .unwrap_or_else(|e| panic::resume_unwind(e))
    })
}

/// `expand`, with any panic turned into its message and location.
fn expand_caught(attr: &TokenStream, item: &TokenStream) -> Result<TokenStream, String> {
    install_panic_hook();
    CAPTURING.with(|c| c.set(true));
    let r = panic::catch_unwind(AssertUnwindSafe(|| expand(attr.clone(), item.clone())));
    CAPTURING.with(|c| c.set(false));
    r.map_err(|_| LAST_PANIC.with(|p| p.borrow().clone()))
}

type Extent = (LineColumn, LineColumn);

fn pos(lc: LineColumn) -> (usize, usize) {
    (lc.line, lc.column)
}

fn show(e: Extent) -> String {
    format!("{}:{}-{}:{}", e.0.line, e.0.column, e.1.line, e.1.column)
}

/// The smallest range of lines and columns that covers every token of `ts`.
fn extent(ts: &TokenStream) -> Option<Extent> {
    let mut acc: Option<Extent> = None;
    let mut add = |s: Span| {
        let (a, b) = (s.start(), s.end());
        acc = Some(match acc {
            None => (a, b),
            Some((lo, hi)) => (
                if pos(a) < pos(lo) { a } else { lo },
                if pos(b) > pos(hi) { b } else { hi },
            ),
        });
    };
    fn walk(ts: &TokenStream, add: &mut dyn FnMut(Span)) {
        for tt in ts.clone() {
            match &tt {
                TokenTree::Group(g) => {
                    add(g.span_open());
                    add(g.span_close());
                    walk(&g.stream(), add);
                }
                t => add(t.span()),
            }
        }
    }
    walk(ts, &mut add);
    acc
}

fn inside(s: Extent, region: Option<Extent>) -> bool {
    region.is_some_and(|(lo, hi)| pos(s.0) >= pos(lo) && pos(s.1) <= pos(hi))
}

/// One `compile_error!` invocation found in an expansion.
struct CompileError {
    /// The spans of its tokens: the path, `!`, the group and the message.
    spans: Vec<Span>,
    message: String,
}

fn is_punct(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn is_path_ident(t: Option<&TokenTree>) -> bool {
    matches!(t, Some(TokenTree::Ident(i)) if i == "core" || i == "std")
}

/// Every `compile_error! { … }` in `ts`, at any depth, and `ts` without them
/// (their tokens and a `;` that follows).
fn compile_errors(ts: &TokenStream, found: &mut Vec<CompileError>) -> TokenStream {
    let tts: Vec<TokenTree> = ts.clone().into_iter().collect();
    let mut keep: Vec<TokenTree> = Vec::new();
    let mut i = 0;
    while i < tts.len() {
        let is_invocation = matches!(&tts[i], TokenTree::Ident(id) if id == "compile_error")
            && is_punct(tts.get(i + 1), '!')
            && matches!(tts.get(i + 2), Some(TokenTree::Group(_)));
        if is_invocation {
            // The leading `::core::` / `core::` path, already in `keep`.
            let mut start = keep.len();
            let colons = |k: &[TokenTree], at: usize| {
                at >= 2 && is_punct(k.get(at - 1), ':') && is_punct(k.get(at - 2), ':')
            };
            if colons(&keep, start) && start >= 3 && is_path_ident(keep.get(start - 3)) {
                start -= 3;
                if colons(&keep, start) {
                    start -= 2;
                }
            }
            let mut spans: Vec<Span> = keep.drain(start..).map(|t| t.span()).collect();
            spans.push(tts[i].span());
            spans.push(tts[i + 1].span());
            let mut message = String::new();
            if let TokenTree::Group(g) = &tts[i + 2] {
                spans.push(g.span_open());
                spans.push(g.span_close());
                for t in g.stream() {
                    spans.push(t.span());
                    message.push_str(&t.to_string());
                }
            }
            found.push(CompileError { spans, message });
            i += 3;
            continue;
        }
        match &tts[i] {
            TokenTree::Group(g) => {
                let inner = compile_errors(&g.stream(), found);
                let mut ng = proc_macro2::Group::new(g.delimiter(), inner);
                ng.set_span(g.span());
                keep.push(TokenTree::Group(ng));
            }
            t => keep.push(t.clone()),
        }
        i += 1;
    }
    keep.into_iter().collect()
}

/// The attribute's arguments, parsed on line `ATTR_LINE`.
struct Attr {
    text: String,
    tokens: TokenStream,
    extent: Option<Extent>,
}

impl Attr {
    fn new(text: &str) -> Attr {
        let src = format!("{}{text}", "\n".repeat(ATTR_LINE - 1));
        let tokens = TokenStream::from_str(&src).expect("attribute text lexes");
        let extent = extent(&tokens);
        Attr {
            text: text.to_string(),
            tokens,
            extent,
        }
    }
}

/// An item given to the macro.
struct Item {
    label: String,
    tokens: TokenStream,
    extent: Option<Extent>,
    /// Whether the item is valid Rust syntax (then the expansion must be too).
    parses: bool,
}

impl Item {
    fn new(label: String, tokens: TokenStream) -> Item {
        let extent = extent(&tokens);
        let parses = syn::parse2::<syn::Item>(tokens.clone()).is_ok();
        Item {
            label,
            tokens,
            extent,
            parses,
        }
    }

    /// Lexes `src` (after a blank first line); `None` if it does not lex.
    fn from_source(label: String, src: &str) -> Option<Item> {
        let tokens = TokenStream::from_str(&format!("\n{src}")).ok()?;
        Some(Item::new(label, tokens))
    }
}

/// The tokens of `ts` as text, one entry per token and delimiter, without the
/// spacing of punctuation (`&&` and `& &` are the same two tokens).
fn flat(ts: TokenStream, out: &mut Vec<String>) {
    for tt in ts {
        match tt {
            TokenTree::Group(g) => {
                let (o, c) = match g.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                    proc_macro2::Delimiter::Bracket => ("[", "]"),
                    proc_macro2::Delimiter::Brace => ("{", "}"),
                    proc_macro2::Delimiter::None => ("«", "»"),
                };
                out.push(o.into());
                flat(g.stream(), out);
                out.push(c.into());
            }
            TokenTree::Punct(p) => out.push(p.as_char().to_string()),
            t => out.push(t.to_string()),
        }
    }
}

/// `ts`, and `ts` without each number of the `#[allow(…)]` attributes it
/// starts with.
fn without_leading_allows(ts: TokenStream) -> Vec<TokenStream> {
    let tts: Vec<TokenTree> = ts.into_iter().collect();
    let mut out = vec![tts.iter().cloned().collect()];
    let mut i = 0;
    while is_punct(tts.get(i), '#') {
        let is_allow = matches!(tts.get(i + 1), Some(TokenTree::Group(g))
            if g.delimiter() == proc_macro2::Delimiter::Bracket
                && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(id)) if id == "allow"));
        if !is_allow {
            break;
        }
        i += 2;
        out.push(tts[i..].iter().cloned().collect());
    }
    out
}

fn flattened(ts: TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    flat(ts, &mut out);
    out
}

/// What an expansion that passed the checks had.
#[derive(Default)]
struct Passed {
    /// `compile_error!`s in the output.
    errors: usize,
    /// Of those, errors at the call site for an input that is not an item.
    at_call_site: usize,
}

/// What is wrong with the expansion of `#[grad(attr)] item`, if anything.
///
/// An input that is not a Rust item (`fn f`, `pub`, nothing at all) may get its
/// error at the call site: rustc parses an item before it calls an attribute
/// macro on it, so such an input never reaches the macro from a compiler.
fn check(attr: &Attr, item: &Item) -> Result<Passed, String> {
    let out = expand_caught(&attr.tokens, &item.tokens).map_err(|p| format!("PANIC {p}"))?;

    let mut errors = Vec::new();
    let rest = compile_errors(&out, &mut errors);
    let call_site = (Span::call_site().start(), Span::call_site().end());
    let mut passed = Passed {
        errors: errors.len(),
        at_call_site: 0,
    };
    for e in &errors {
        let mut at_call_site = false;
        for s in &e.spans {
            let s = (s.start(), s.end());
            if inside(s, item.extent) || inside(s, attr.extent) {
                continue;
            }
            let is_call_site = pos(s.0) == pos(call_site.0) && pos(s.1) == pos(call_site.1);
            if is_call_site && !item.parses {
                at_call_site = true;
                continue;
            }
            let what = if is_call_site {
                "at the call site (no location)".to_string()
            } else {
                format!("at {}", show(s))
            };
            return Err(format!(
                "SPAN compile_error!{{{}}} {what}, outside the item ({}) and the attribute",
                e.message,
                item.extent.map_or("empty".into(), show),
            ));
        }
        passed.at_call_site += usize::from(at_call_site);
    }

    // The user's item, as written or as syn prints it (syn drops an empty
    // `where`), must come first (the user's own `compile_error!`s aside), after
    // any lint attributes the macro puts on it (`#[allow(dead_code)]`).
    let candidates: Vec<Vec<String>> = without_leading_allows(rest.clone())
        .into_iter()
        .map(flattened)
        .collect();
    let rest = flattened(rest);
    let input = flattened(compile_errors(&item.tokens, &mut Vec::new()));
    let starts_with_item = candidates.iter().any(|r| r.starts_with(&input)) || {
        let reprinted = syn::parse2::<syn::ItemFn>(item.tokens.clone())
            .map(|f| {
                flattened(compile_errors(
                    &quote::ToTokens::to_token_stream(&f),
                    &mut Vec::new(),
                ))
            })
            .unwrap_or_else(|_| input.clone());
        candidates.iter().any(|r| r.starts_with(&reprinted))
    };
    match syn::parse2::<syn::File>(out.clone()) {
        Ok(_) => {}
        Err(e) if item.parses => {
            return Err(format!("UNPARSABLE output ({e}): {out}"));
        }
        Err(_) => {
            // Not Rust to begin with: it must come back unchanged, after an error.
            if errors.is_empty() || rest != input {
                return Err(format!(
                    "UNPARSABLE input not re-emitted unchanged after an error: {out}"
                ));
            }
        }
    }
    // `#[grad]` on an `impl` block marks each of its functions: each comes
    // back as written, its companions beside it.
    let impl_items_kept = syn::parse2::<syn::ItemImpl>(item.tokens.clone()).is_ok_and(|imp| {
        let flat_out = flattened(out.clone());
        imp.items.iter().all(|it| {
            let needle = flattened(quote::ToTokens::to_token_stream(it));
            needle.is_empty()
                || flat_out
                    .windows(needle.len())
                    .any(|w| w == needle.as_slice())
        })
    });
    if !starts_with_item && !impl_items_kept {
        return Err(format!("CHANGED the user's item: {out}"));
    }
    Ok(passed)
}

/// Failures that come from a known macro bug with a minimal reproduction among
/// the ignored tests below: a fragment of the failure's text and the test. The
/// sweeps count and print them, and fail on anything else. None are open; the
/// `regression_*` tests keep the ones fixed so far.
const KNOWN_BUGS: &[(&str, &str)] = &[];

/// The tally of a run: expansions, those with errors, and what went wrong.
#[derive(Default)]
struct Tally {
    expansions: usize,
    with_errors: usize,
    /// Errors at the call site for inputs that are not items (allowed).
    at_call_site: usize,
    failures: Vec<String>,
    /// Failures of known bugs: (test name, count, first failure).
    known: Vec<(&'static str, usize, String)>,
}

impl Tally {
    fn run(&mut self, attr: &Attr, item: &Item) {
        self.expansions += 1;
        match check(attr, item) {
            Ok(p) => {
                self.with_errors += usize::from(p.errors > 0);
                self.at_call_site += p.at_call_site;
            }
            Err(mut e) => {
                if e.len() > 1500 {
                    let mut cut = 1500;
                    while !e.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    e.truncate(cut);
                    e.push_str(" …");
                }
                let e = format!("{} with #[grad({})]: {e}", item.label, attr.text);
                match KNOWN_BUGS.iter().find(|(frag, _)| e.contains(frag)) {
                    Some((_, test)) => match self.known.iter_mut().find(|k| k.0 == *test) {
                        Some(k) => k.1 += 1,
                        None => self.known.push((test, 1, e)),
                    },
                    None => self.failures.push(e),
                }
            }
        }
    }

    /// Failures (known or not) whose text contains `kind`.
    fn count(&self, kind: &str) -> usize {
        let known = self
            .known
            .iter()
            .filter(|k| k.2.contains(kind))
            .map(|k| k.1)
            .sum::<usize>();
        known + self.failures.iter().filter(|f| f.contains(kind)).count()
    }

    /// `N expansions, P panics, E with errors, <spans>`, and the known bugs.
    fn summary(&self) -> String {
        let spans = match self.count(": SPAN") {
            0 => "all spans inside the input".to_string(),
            n => format!("{n} with a span outside the input"),
        };
        let mut s = format!(
            "{} expansions, {} panics, {} with errors, {spans}",
            self.expansions,
            self.count(": PANIC"),
            self.with_errors,
        );
        let unparsable = self.count(": UNPARSABLE");
        let changed = self.count(": CHANGED");
        if unparsable + changed > 0 {
            let _ = write!(s, ", {unparsable} unparsable, {changed} changed the item");
        }
        if self.at_call_site > 0 {
            let _ = write!(
                s,
                " ({} errors at the call site for inputs that are not items)",
                self.at_call_site
            );
        }
        for (test, n, first) in &self.known {
            let _ = write!(
                s,
                "\n  known macro bug `{test}`: {n} expansions, e.g. {first}"
            );
        }
        s
    }

    fn assert_clean(&self, what: &str) {
        if self.failures.is_empty() {
            return;
        }
        let mut msg = format!("{what}: {} failures\n", self.failures.len());
        for f in self.failures.iter().take(40) {
            let _ = writeln!(msg, "- {f}");
        }
        panic!("{msg}");
    }
}

// ------------------------------------------------------------------ registry corpus

/// The crate sources of the local cargo registry, if there is one.
fn registry_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(home) = home else { return Vec::new() };
    let Ok(rd) = std::fs::read_dir(home.join("registry").join("src")) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// `num-traits-0.2.19` → (`num-traits`, [0, 2, 19]).
fn crate_name_version(dir: &str) -> Option<(&str, Vec<u64>)> {
    let bytes = dir.as_bytes();
    let at = (1..bytes.len()).find(|&i| bytes[i - 1] == b'-' && bytes[i].is_ascii_digit())?;
    let version = dir[at..]
        .split(|c: char| !c.is_ascii_digit())
        .take(3)
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    Some((&dir[..at - 1], version))
}

/// The newest version of crate `name` in the registry.
fn newest(registries: &[PathBuf], name: &str) -> Option<PathBuf> {
    let mut best: Option<(Vec<u64>, PathBuf)> = None;
    for reg in registries {
        let Ok(rd) = std::fs::read_dir(reg) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let file_name = e.file_name();
            let Some(dir) = file_name.to_str() else {
                continue;
            };
            let Some((n, v)) = crate_name_version(dir) else {
                continue;
            };
            let newer = match &best {
                None => true,
                Some((bv, _)) => v > *bv,
            };
            if n == name && newer {
                best = Some((v, e.path()));
            }
        }
    }
    best.map(|(_, p)| p)
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Every function with a body: free functions (at any depth, nested ones too) and
/// methods of impl and trait blocks, as `ItemFn`s with the same signature and body.
#[derive(Default)]
struct FnCollector {
    fns: Vec<syn::ItemFn>,
}

impl<'ast> Visit<'ast> for FnCollector {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.fns.push(f.clone());
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.fns.push(syn::ItemFn {
            attrs: f.attrs.clone(),
            vis: f.vis.clone(),
            sig: f.sig.clone(),
            block: Box::new(f.block.clone()),
        });
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.fns.push(syn::ItemFn {
                attrs: f.attrs.clone(),
                vis: syn::Visibility::Inherited,
                sig: f.sig.clone(),
                block: Box::new(block.clone()),
            });
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

/// The functions of one crate, each labelled `crate/file:line`.
fn crate_items(dir: &Path) -> (Vec<Item>, usize, usize) {
    let mut files = Vec::new();
    rs_files(dir, &mut files);
    let name = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let (mut items, mut parsed, mut skipped) = (Vec::new(), 0, 0);
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            skipped += 1;
            continue;
        };
        if text.lines().count() + 2 >= ATTR_LINE {
            skipped += 1;
            continue;
        }
        // A blank first line: no item starts where the call-site span is.
        let Ok(file) = syn::parse_file(&format!("\n{text}")) else {
            skipped += 1;
            continue;
        };
        parsed += 1;
        let mut c = FnCollector::default();
        c.visit_file(&file);
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        for f in c.fns {
            let line = f.sig.ident.span().start().line - 1;
            let label = format!("{name}/{rel}:{line} `{}`", f.sig.ident);
            items.push(Item::new(label, quote::ToTokens::to_token_stream(&f)));
        }
    }
    (items, parsed, skipped)
}

#[test]
fn registry_corpus_never_panics() {
    on_stack(RUSTC_STACK, registry_corpus);
}

fn registry_corpus() {
    let registries = registry_dirs();
    if registries.is_empty() {
        println!("corpus: no cargo registry at $CARGO_HOME or ~/.cargo: skipped");
        return;
    }
    let started = Instant::now();
    // libm and num-traits first; more crates while there are too few functions.
    let primary = ["libm", "num-traits"];
    let extra = ["regex-syntax", "proptest", "syn"];
    let mut items = Vec::new();
    let mut crates = Vec::new();
    let (mut files, mut skipped) = (0, 0);
    for (k, name) in primary.iter().chain(&extra).enumerate() {
        if k >= primary.len() && items.len() >= MIN_CORPUS_ITEMS {
            break;
        }
        let Some(dir) = newest(&registries, name) else {
            continue;
        };
        let (its, parsed, skip) = crate_items(&dir);
        crates.push(format!(
            "{} ({})",
            dir.file_name().unwrap_or_default().to_string_lossy(),
            its.len()
        ));
        items.extend(its);
        files += parsed;
        skipped += skip;
    }
    if crates.is_empty() {
        println!("corpus: none of the corpus crates is in the registry: skipped");
        return;
    }
    let attrs: Vec<Attr> = ["", "wrt(x)", "wrt(nonexistent)", "foo = 3"]
        .into_iter()
        .map(Attr::new)
        .collect();
    let mut tally = Tally::default();
    for item in &items {
        for attr in &attrs {
            tally.run(attr, item);
        }
    }
    println!(
        "corpus: {} items (from crates {}; {files} files, {skipped} skipped), {}; {:.1?}",
        items.len(),
        crates.join(", "),
        tally.summary(),
        started.elapsed(),
    );
    assert!(
        items.len() >= MIN_CORPUS_ITEMS,
        "the registry corpus has only {} functions (at least {MIN_CORPUS_ITEMS} expected)",
        items.len()
    );
    tally.assert_clean("registry corpus");
}

// ------------------------------------------------------------------ hostile input

/// A small, fixed-seed PRNG (SplitMix64): the same inputs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Malformed attribute arguments.
const JUNK_ATTRS: &[&str] = &[
    "wrt",
    "wrt(1)",
    "wrt(x,,)",
    "=",
    "wrt()",
    "wrt(x,)",
    "wrt(x), wrt(y)",
    "wrt(x, x)",
    "wrt = x",
    "wrt(x)(y)",
    "wrt(x) junk",
    "wrt(x) = 3",
    "wrt[x]",
    "wrt{x}",
    "wrt(self)",
    "wrt(d_out)",
    "wrt(r#x)",
    "wrt(x::y)",
    "wrt(\"x\")",
    "wrt(_)",
    "#",
    "\"str\"",
    "1e400",
    "inline",
    "wrt(x),",
    ",",
    "wrt::x(y)",
    "r#wrt(x)",
    "WRT(x)",
    "wrt(x y)",
    "foo = 3",
    "wrt(nonexistent)",
    "custom",
    "custom, wrt(x)",
    "wrt(x), custom",
    "custom = 1",
    "custom(x)",
    "custom, custom",
];

/// Items the junk attributes are applied to.
const ATTR_TARGETS: &[&str] = &[
    "fn f(x: f64, y: f64) -> f64 { x * y }",
    "fn f(x: &[f64], n: usize) -> f64 { x[0] * n as f64 }",
    "struct S;",
];

/// Unusual or malformed items, one construct each.
const HOSTILE_ITEMS: &[&str] = &[
    // generics, lifetimes, where-clauses
    "fn f<'a>(x: &'a f64) -> f64 { *x * 2.0 }",
    "fn f<'a, T: Real>(x: &'a T) -> T { *x }",
    "fn f<T: Real, const N: usize>(x: [T; N]) -> T { x[0] }",
    "fn f<T>(x: T) -> T where T: autodiff::Real + Copy { x * x }",
    "fn f<T: Real>(x: T) -> T where for<'a> &'a T: Sized { x }",
    "fn f<T>(x: T) -> T where { x }",
    "fn f<T: Real>(x: T) -> T where T: Real, T: Copy, { x }",
    "fn f<T, U: Real>(x: T, y: U) -> U { y }",
    "fn f<T: Real + Real>(x: T) -> T { x }",
    "fn f<T: ?Sized + Real>(x: &T) -> f64 { 1.0 }",
    "fn f<T: Iterator<Item = f64>>(x: f64) -> f64 { x }",
    "fn f<'a: 'b, 'b>(x: &'a f64, y: &'b f64) -> f64 { *x * *y }",
    "fn f<const N: usize>(x: [f64; N]) -> [f64; N] { x }",
    "fn f<T: Real = f64>(x: T) -> T { x }",
    "fn f<T>(x: T) -> T where T: Real<Output = T> { x }",
    "fn f<T: autodiff::Real>(x: T) -> (T, T) { (x, x) }",
    // patterns in parameters
    "fn f((a, b): (f64, f64)) -> f64 { a * b }",
    "fn f([a, b]: [f64; 2]) -> f64 { a * b }",
    "fn f(ref x: f64) -> f64 { *x }",
    "fn f(mut x: f64) -> f64 { x += 1.0; x }",
    "fn f(x @ _: f64) -> f64 { x }",
    "fn f(_: f64, _: f64) -> f64 { 1.0 }",
    "fn f(S { a }: S) -> f64 { a }",
    "fn f(&x: &f64) -> f64 { x }",
    "fn f(S(a): S) -> f64 { a }",
    "fn f(x: f64, x: f64) -> f64 { x }",
    "fn f(#[cfg(any())] x: f64, y: f64) -> f64 { y }",
    "fn f(#[allow(unused)] x: f64) -> f64 { x }",
    // nested items
    "fn f(x: f64) -> f64 { fn g(y: f64) -> f64 { y * 2.0 } g(x) }",
    "fn f(x: f64) -> f64 { struct S; impl S {} const K: f64 = 2.0; static Z: f64 = 1.0; x * K * Z }",
    "fn f(x: f64) -> f64 { use std::f64::consts::PI; x * PI }",
    "fn f(x: f64) -> f64 { mod m {} x }",
    "fn f(x: f64) -> f64 { #[grad] fn inner(y: f64) -> f64 { y } x }",
    "fn f(x: f64) -> f64 { macro_rules! m { () => { 1.0 } } x * m!() }",
    "fn f(x: f64) -> f64 { trait T {} enum E { A } x }",
    "fn f(x: f64) -> f64 { extern \"C\" { fn g(); } x }",
    "fn f(x: f64) -> f64 { const K: usize = 3; let a = [x; K]; a[2] }",
    "fn f(x: f64) -> f64 { impl S { fn g() {} } x }",
    // macros
    "fn f(x: f64) -> f64 { println!(\"{}\", x); x }",
    "fn f(x: f64) -> f64 { vec![x][0] }",
    "fn f(x: f64) -> f64 { assert!(x > 0.0); x }",
    "fn f(x: f64) -> f64 { m!(x) }",
    "fn f(x: f64) -> f64 { compile_error!(\"the user's own\"); x }",
    "fn f(x: m!()) -> f64 { 1.0 }",
    "fn f(x: f64) -> m!() { x }",
    "fn f(x: f64) -> f64 { let m!() = x; x }",
    "fn f(x: f64) -> f64 { include!(\"nope.rs\") }",
    "fn f(x: f64) -> f64 { debug_assert!(x.is_finite()); x * x }",
    "m!{}",
    "m!();",
    // qualifiers
    "async fn f(x: f64) -> f64 { x }",
    "unsafe fn f(x: f64) -> f64 { x }",
    "const fn f(x: f64) -> f64 { x }",
    "extern \"C\" fn f(x: f64) -> f64 { x }",
    "extern fn f(x: f64) -> f64 { x }",
    "extern \"Rust\" fn f(x: f64) -> f64 { x }",
    "async unsafe extern \"C\" fn f(x: f64) -> f64 { x }",
    "const unsafe fn f(x: f64) -> f64 { x }",
    "unsafe extern \"C\" fn f(x: f64, args: ...) -> f64 { x }",
    "unsafe extern \"C\" fn f(x: f64, ...) -> f64 { x }",
    "pub(crate) fn f(x: f64) -> f64 { x }",
    "pub(in crate::m) fn f(x: f64) -> f64 { x }",
    "pub(self) fn f(x: f64) -> f64 { x }",
    "#[inline] #[cfg(test)] #[must_use] #[doc = \"d\"] fn f(x: f64) -> f64 { x }",
    "/// doc\n#[inline(always)]\npub fn f(x: f64) -> f64 { x }",
    "#[cfg_attr(test, inline)] fn f(x: f64) -> f64 { #![allow(unused)] x }",
    "#[grad] fn f(x: f64) -> f64 { x }",
    "#[grad(wrt(x))] fn f(x: f64) -> f64 { x }",
    "default fn f(x: f64) -> f64 { x }",
    // huge and odd literals
    "fn f(x: f64) -> f64 { x * 1e400 }",
    "fn f(x: f64) -> f64 { x * 1e-400 }",
    "fn f(x: f64) -> f64 { -1e400 * x }",
    "fn f(x: f32) -> f32 { x * 1e40 }",
    "fn f(x: f32) -> f32 { x * 1e400f32 }",
    "fn f(x: f64) -> f64 { x * 0x1F as f64 }",
    "fn f(x: f64) -> f64 { x * u128::MAX as f64 }",
    "fn f(x: f64) -> f64 { x * 340282366920938463463374607431768211455u128 as f64 }",
    "fn f(x: f64) -> f64 { x * 999999999999999999999999999999999999999999 as f64 }",
    "fn f(x: f64) -> f64 { x + 1_000_000_000_000_000_000_000_000.0 }",
    "fn f(x: f64) -> f64 { x * 1.7976931348623157e308 * 10.0 }",
    "fn f(x: f64) -> f64 { x * 4.9e-324 }",
    "fn f(x: f64) -> f64 { x * 2.4703282292062328e-324 }",
    "fn f(x: f64) -> f64 { x + 0.0 / 0.0 }",
    "fn f(x: f64) -> f64 { x * -0.0 }",
    "fn f(x: f64) -> f64 { x * 1f64 }",
    "fn f(x: f64) -> f64 { x * 1f32 }",
    "fn f(x: f64) -> f64 { x * 1.0f32 as f64 }",
    "fn f(x: f64) -> f64 { x * 0b1010 as f64 + 0o777 as f64 }",
    "fn f(x: f64) -> f64 { x * 1_u8 as f64 }",
    "fn f(x: f64) -> f64 { x * 'c' as u8 as f64 }",
    "fn f(x: f64) -> f64 { x * b'c' as f64 }",
    "fn f(x: f64) -> f64 { x * \"str\".len() as f64 }",
    "fn f(x: f64) -> f64 { x * 1e+308 }",
    "fn f(x: f64) -> f64 { x.powi(i32::MAX) }",
    "fn f(x: f64) -> f64 { x.powi(-2147483648) }",
    "fn f(x: f64) -> f64 { x.powi(99999999999999999999) }",
    "fn f(x: f64) -> f64 { x.powi(2.5) }",
    "fn f(x: f64) -> f64 { let n = 1 / 0; x * n as f64 }",
    "fn f(x: f64) -> f64 { let n = i32::MAX + 1; x * n as f64 }",
    "fn f(x: f64) -> f64 { let n = 1 << 70; x * n as f64 }",
    "fn f(x: f64) -> f64 { let n = 0usize - 1; x * n as f64 }",
    "fn f(x: f64) -> f64 { let n = 9223372036854775807 * 2; x * n as f64 }",
    "fn f(x: f64) -> f64 { let n = -9223372036854775808i64; x * n as f64 }",
    "fn f(x: f64) -> f64 { let n = i64::MIN / -1; x * n as f64 }",
    "fn f(x: f64) -> f64 { let n = 7 % 0; x * n as f64 }",
    "fn f(x: f64) -> f64 { x % 0.0 + 1.0 / 0.0 }",
    "fn f(x: f64) -> f64 { x * f64::NAN + f64::INFINITY }",
    "fn f(x: f64) -> f64 { x * f64::MAX * f64::MAX }",
    "fn f(x: f64) -> f64 { x * (f64::MIN_POSITIVE / 4.0) }",
    // arrays with weird lengths
    "fn f(x: [f64; 0]) -> f64 { 1.0 }",
    "fn f(x: [f64; 0]) -> [f64; 0] { x }",
    "fn f(x: &[f64; 0]) -> f64 { x.len() as f64 }",
    "fn f(x: [f64; usize::MAX]) -> f64 { x[0] }",
    "fn f(x: [f64; 18446744073709551616]) -> f64 { x[0] }",
    "fn f(x: [f64; 1 + 2]) -> f64 { x[2] }",
    "fn f(x: [f64; { 3 }]) -> f64 { x[2] }",
    "fn f(x: [f64; -1]) -> f64 { x[0] }",
    "fn f(x: [f64; 1e3]) -> f64 { x[0] }",
    "fn f(x: [f64; \"3\"]) -> f64 { x[0] }",
    "fn f(x: [[f64; 0]; 3]) -> f64 { 1.0 }",
    "fn f(x: [f64; 3]) -> f64 { x[5] }",
    "fn f(x: [f64; 3]) -> f64 { x[usize::MAX] }",
    "fn f(x: [f64; 3]) -> f64 { x[-1] }",
    "fn f(x: [f64; 3]) -> f64 { x[1.5] }",
    "fn f(x: f64) -> f64 { let a = [x; 0]; 1.0 }",
    "fn f(x: f64) -> f64 { let a = [x; 100000]; a[99999] }",
    "fn f(x: f64) -> f64 { let a: [f64; 3] = [x; 4]; a[0] }",
    "fn f(x: f64) -> f64 { let a = []; x }",
    "fn f(x: f64) -> f64 { let a = [x, 1]; a[0] }",
    "fn f(x: f64) -> [f64; 3] { [x, x] }",
    "fn f(x: &[f64]) -> f64 { x[0..2][0] }",
    "fn f(x: &[&[f64]]) -> f64 { x[0][0] }",
    "fn f(x: [f64; 3]) -> f64 { let mut s = 0.0; for i in 0..usize::MAX { s += x[i % 3] * s.sin(); } s }",
    "fn f(x: [f64; 3]) -> f64 { let mut s = 1.0; for i in 0..1000000 { s *= x[i % 3].sin(); } s }",
    // deep nesting: see `deep_inputs`
    // empty and degenerate bodies
    "fn f(x: f64) -> f64 {}",
    "fn f() -> f64 { 1.0 }",
    "fn f(x: f64) {}",
    "fn f(x: f64) -> () {}",
    "fn f(x: f64) -> f64 { ; }",
    "fn f(x: f64) -> f64 { ;;; x }",
    "fn f(x: f64) -> f64 { loop {} }",
    "fn f(x: f64) -> f64 { unimplemented!() }",
    "fn f(x: f64) -> f64 { todo!() }",
    "fn f(x: f64) -> f64 { return x; }",
    "fn f(x: f64) -> f64 { return; }",
    "fn f(x: f64) -> f64 { return x; x * 2.0 }",
    "fn f(x: f64) -> f64 { {} x }",
    "fn f(x: f64) -> f64 { let _ = x; 0.0 }",
    "fn f(x: f64) -> f64 { let y; y = x; y }",
    "fn f(x: f64) -> f64 { let y: f64; if x > 0.0 { y = x } else { y = -x } y }",
    "fn f(x: f64) -> f64 { let y: f64; y }",
    "fn f(x: f64) -> f64 { x = 3.0; x }",
    "fn f(x: f64) -> f64 { f(x) }",
    "fn f(x: f64) -> f64 { f_backward(x, 1.0).0 }",
    // not a fn
    "struct S;",
    "struct S { x: f64 }",
    "enum E { A, B }",
    "impl S { fn f(x: f64) -> f64 { x } }",
    "impl Tr for S {}",
    "mod m { fn f(x: f64) -> f64 { x } }",
    "mod m;",
    "trait T { fn f(x: f64) -> f64; }",
    "const K: f64 = 1.0;",
    "static K: f64 = 1.0;",
    "use std::f64;",
    "type T = f64;",
    "macro_rules! m { () => {} }",
    "extern crate core;",
    "union U { a: f64, b: u64 }",
    "extern \"C\" { fn f(x: f64) -> f64; }",
    "",
    "fn",
    "fn f",
    "fn f(x: f64) -> f64;",
    "fn f(x: f64) -> f64 { x } fn g() {}",
    "fn f(x: f64) -> f64 { x };",
    "x + y",
    ";",
    "pub",
    "#[inline]",
    "{ x }",
    // receivers
    "fn f(self) -> f64 { 1.0 }",
    "fn f(&self, x: f64) -> f64 { x }",
    "fn f(&mut self) -> f64 { 1.0 }",
    "fn f(self: Box<Self>) -> f64 { 1.0 }",
    "fn f(mut self, x: f64) -> f64 { x }",
    "fn f<'a>(&'a self, x: f64) -> f64 { x }",
    "fn f(x: f64) -> f64 { self.g(x) }",
    "fn f(x: f64) -> f64 { Self::g(x) }",
    // impl Trait, dyn, odd parameter types
    "fn f(x: impl Real) -> f64 { 1.0 }",
    "fn f(g: impl Fn(f64) -> f64, x: f64) -> f64 { g(x) }",
    "fn f(x: &dyn Any) -> f64 { 1.0 }",
    "fn f(x: Self) -> f64 { 1.0 }",
    "fn f(x: <T as Tr>::Out) -> f64 { 1.0 }",
    "fn f(x: [f64]) -> f64 { x[0] }",
    "fn f(x: &&f64) -> f64 { **x }",
    "fn f(x: &mut f64) -> f64 { *x }",
    "fn f(x: *const f64) -> f64 { 1.0 }",
    "fn f(x: Box<f64>) -> f64 { *x }",
    "fn f(x: &'static [f64]) -> f64 { x[0] }",
    "fn f(x: &[[f64; 2]]) -> f64 { x[0][1] }",
    "fn f(x: [&f64; 2]) -> f64 { *x[0] }",
    "fn f(x: (f64, f64)) -> f64 { x.0 }",
    "fn f(g: fn(f64) -> f64, x: f64) -> f64 { g(x) }",
    "fn f(x: _) -> f64 { 1.0 }",
    "fn f(x: !) -> f64 { x }",
    "fn f(x: f64<>) -> f64 { x }",
    "fn f(x: ((f64))) -> ((f64)) { x }",
    "fn f(x: std::primitive::f64) -> f64 { x }",
    "fn f(x: f64, n: i128, b: bool, c: char, s: &str) -> f64 { x }",
    "fn f(x: &[bool], y: &[usize; 2], z: [u8; 4]) -> f64 { 1.0 }",
    "fn f(x: f32, y: f64) -> f64 { y * x as f64 }",
    "fn f(x: f64) -> f32 { x as f32 }",
    // odd return types
    "fn f(x: f64) -> ! { loop {} }",
    "fn f(x: f64) -> ! { panic!() }",
    "fn f(x: f64) -> impl Fn(f64) -> f64 { move |y| x * y }",
    "fn f(x: f64) -> impl Real { x }",
    "fn f(x: f64) -> Box<dyn Fn()> { Box::new(|| ()) }",
    "fn f(x: f64) -> Self { x }",
    "fn f(x: f64) -> _ { x }",
    "fn f(x: f64) -> (f64,) { (x,) }",
    "fn f(x: f64) -> ((f64, f64), f64) { ((x, x), x) }",
    "fn f(x: f64) -> (f64, f32) { (x, x as f32) }",
    "fn f(x: f64) -> () { }",
    "fn f(x: f64) -> [f64; 0] { [] }",
    "fn f(x: f64) -> [[f64; 2]; 2] { [[x, x], [x, x]] }",
    "fn f(x: &f64) -> &f64 { x }",
    "fn f(x: f64) -> Option<f64> { Some(x) }",
    "fn f(x: f64) -> fn(f64) -> f64 { |y| y }",
    "fn f(x: f64) -> (dyn Real) { x }",
    "fn f(x: f64) -> (f64) { x }",
    "fn f(x: f64) -> (f64, f64) { x }",
    "fn f(x: f64) -> f64 { (x, x) }",
    "fn f(x: f64) -> [f64; 2] { x }",
    "fn f(x: f64) -> bool { x > 0.0 }",
    "fn f(x: f64) -> usize { 3 }",
    // labels
    "fn f(x: f64) -> f64 { let mut s = x; 'outer: for i in 0..3 { 'inner: loop { s *= x; break 'outer; } } s }",
    "fn f(x: f64) -> f64 { let y = 'a: { if x > 0.0 { break 'a x; } 2.0 }; y }",
    "fn f(x: f64) -> f64 { let mut s = x; 'o: for i in 0..3 { for j in 0..3 { if j > i { continue 'o; } s *= x; } } s }",
    "fn f(x: f64) -> f64 { let mut s = x; 'w: while s < 10.0 { s *= 2.0; if s > 5.0 { break 'w; } } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for i in 0..3 { break 'nope; } s }",
    "fn f(x: f64) -> f64 { loop { break x * 2.0; } }",
    "fn f(x: f64) -> f64 { let y = loop { break x; }; y }",
    // closures
    "fn f(x: f64) -> f64 { let g = |y: f64| y * x; g(x) }",
    "fn f(x: f64) -> f64 { (|y| y)(x) }",
    "fn f(x: f64) -> f64 { let g = move || x; g() }",
    "fn f(x: f64) -> f64 { let g = |y: f64| move |z: f64| y * z; g(x)(x) }",
    "fn f(x: f64) -> f64 { x.iter().map(|v| v).sum() }",
    "fn f(x: &[f64]) -> f64 { x.iter().map(|v| { let w = v * v; w }).sum() }",
    "fn f(x: &[f64]) -> f64 { x.iter().map(|&v| v).sum() }",
    "fn f(x: &[f64]) -> f64 { x.iter().fold(0.0, |a, b| a + b * b) }",
    "fn f(x: &[f64]) -> f64 { x.iter().fold(0.0, |a| a) }",
    "fn f(x: &[f64]) -> f64 { x.iter().map(|| 1.0).sum() }",
    "fn f(x: &[f64]) -> f64 { x.iter().sum::<f64>() }",
    "fn f(x: &[f64]) -> f64 { x.iter().product() }",
    "fn f(x: &[f64]) -> f64 { x.iter().rev().sum() }",
    "fn f(x: &[f64]) -> f64 { x.iter().zip(x).map(|(a, b)| a * b).sum() }",
    "fn f(x: &[f64]) -> f64 { x.iter().enumerate().map(|(i, v)| v * i as f64).sum() }",
    "fn f(x: &[f64]) -> f64 { x.iter().skip(1).sum() }",
    "fn f(x: &[f64]) -> f64 { x.iter().max() }",
    "fn f(x: &[f64]) -> f64 { x.iter().cloned().sum() }",
    "fn f(x: &[f64]) -> f64 { async move { 1.0 }; x[0] }",
    // other expressions
    "fn f(x: f64) -> f64 { match x { _ => x } }",
    "fn f(x: f64) -> f64 { if let Some(y) = Some(x) { y } else { 0.0 } }",
    "fn f(x: f64) -> f64 { let Some(y) = Some(x) else { return 0.0 }; y }",
    "fn f(x: f64) -> f64 { unsafe { x } }",
    "fn f(x: f64) -> f64 { x? }",
    "fn f(x: f64) -> f64 { x.await }",
    "fn f(x: f64) -> f64 { try { x } }",
    "fn f(x: f64) -> f64 { yield x; x }",
    "fn f(x: f64) -> f64 { &&x }",
    "fn f(x: f64) -> f64 { *x }",
    "fn f(x: f64) -> f64 { ***&&&x }",
    "fn f(x: f64) -> f64 { x as i32 as f64 }",
    "fn f(x: f64) -> f64 { x as T }",
    "fn f(x: f64) -> f64 { x as f32 as f64 }",
    "fn f(x: f64) -> f64 { (x, x).0 }",
    "fn f(x: f64) -> f64 { [x, x][1] }",
    "fn f(x: f64) -> f64 { [x][5] }",
    "fn f(x: f64) -> f64 { x[0] }",
    "fn f(x: f64, y: f64) -> f64 { let [a, b] = [x, y]; a * b }",
    "fn f(x: f64, y: f64) -> f64 { let (a, b) = (x, y); a * b }",
    "fn f(x: f64, y: f64) -> f64 { let (a, b): (f64, f64) = (x, y); a * b }",
    "fn f(x: f64) -> f64 { S { a: x }.a }",
    "fn f(x: f64) -> f64 { let r = 0..3; x }",
    "fn f(x: f64) -> f64 { let mut s = x; for i in (0..6).step_by(2) { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for i in 0.. { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for _ in 0..0 { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for i in 3..0 { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for i in (0..3).rev() { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for i in 0..=usize::MAX { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for i in x..3.0 { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for (i, j) in [(1, 2)] { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for v in [x, x] { s *= v; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; while true { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; while s { s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; while let Some(y) = None { s *= y; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; loop { s *= x; if s > 10.0 { break; } } s }",
    "fn f(x: f64) -> f64 { let mut s = x; loop { s *= x; if s > 10.0 { return s; } } }",
    "fn f(x: f64) -> f64 { let mut s = x; for i in 0..3 { if i == 1 { return s; } s *= x; } s }",
    "fn f(x: f64) -> f64 { let mut s = x; for i in 0..3 { s *= x; continue; s = 0.0; } s }",
    "fn f(x: f64) -> f64 { break; x }",
    "fn f(x: f64) -> f64 { continue; x }",
    "fn f(x: f64) -> f64 { <f64 as Real>::exp(x) }",
    "fn f(x: f64) -> f64 { f64::exp(x) + ::core::f64::consts::PI }",
    "fn f(x: f64) -> f64 { core::f64::EPSILON * x }",
    "fn f(x: f64) -> f64 { x.exp::<f64>() }",
    "fn f(x: f64) -> f64 { x.clamp(1.0) }",
    "fn f(x: f64) -> f64 { x.max() }",
    "fn f(x: f64) -> f64 { x.mul_add(x, x, x) }",
    "fn f(x: f64, n: i32) -> f64 { x.powi(n) }",
    "fn f(x: f64) -> f64 { autodiff::sigmoid() }",
    "fn f(x: f64) -> f64 { autodiff::sigmoid(x, x, x) }",
    "fn f(x: f64) -> f64 { autodiff::nonexistent(x) }",
    "fn f(x: f64) -> f64 { sigmoid(x) }",
    "fn f(x: f64) -> f64 { x.sigmoid() }",
    "fn f(x: f64) -> f64 { ::autodiff::relu(x) + autodiff::primitives::softplus(x) }",
    "fn f(x: f64, y: f64) -> f64 { x.max(y).min() }",
    "fn f(x: f64) -> f64 { x + true }",
    "fn f(x: f64, y: f64) -> f64 { x && y }",
    "fn f(x: f64) -> f64 { !x }",
    "fn f(x: f64) -> f64 { x << 2 }",
    "fn f(x: f64, y: f64) -> f64 { x & y }",
    "fn f(x: f64, y: f64) -> f64 { x == y }",
    "fn f(x: f64) -> f64 { if x { x } else { 0.0 } }",
    "fn f(x: f64) -> f64 { if x > 0.0 { x } }",
    "fn f(x: f64) -> f64 { if x > 0.0 { x } else { 1 } }",
    "fn f(x: f64) -> f64 { if x > 0.0 { return 1; } x }",
    "fn f(x: f64) -> f64 { let y = if x > 0.0 { x }; x }",
    "fn f(x: f64) -> f64 { if x.is_nan() || x > 1.0 && !(x < 2.0) { x } else { -x } }",
    "fn f(x: f64) -> f64 { let y = x > 0.0; if y == true { x } else { 0.0 } }",
    "fn f(x: f64) -> f64 { let n: usize = 3; let m = n.pow(40); x * m as f64 }",
    "fn f(x: f64) -> f64 { let n = 3usize; x * n.is_power_of_two() as u8 as f64 }",
    "fn f(x: f64) -> f64 { let mut a = [x; 3]; a[0] = a; a[0] }",
    "fn f(x: f64) -> f64 { let mut a = [x; 3]; a = [1.0; 4]; a[0] }",
    "fn f(x: f64) -> f64 { let a = [[x; 2]; 2]; a[1][1] * a[0][0] }",
    "fn f(x: f64) -> f64 { let a = [[x; 2]; 2]; a[1] }",
    "fn f(x: f64) -> f64 { let mut a = [[x; 2]; 2]; a[1] = [x, x]; a[1][0] }",
    "fn f(x: &[f64]) -> f64 { let mut a = x; a[0] }",
    "fn f(x: &[f64]) -> f64 { x.len() as f64 * x[x.len() - 1] }",
    "fn f(x: &[f64]) -> f64 { let mut s = 0.0; let mut i = 0; while i < x.len() { s += x[i] * s.sin(); i += 1; } s }",
    "fn f(x: &[f64]) -> f64 { let mut s = 1.0; for v in x.iter() { s *= v; } s }",
    "fn f(x: &[f64]) -> f64 { let mut s = 1.0; for v in x { s *= v; } s }",
    "fn f(x: &[f64]) -> f64 { let mut s = 1.0; for v in x.iter_mut() { s *= *v; } s }",
    "fn f(x: &[f64]) -> f64 { x.to_vec()[0] }",
    "fn f(x: f64) -> f64 { x + { let y = x; y } + { x } }",
    "fn f(x: f64) -> f64 { (((x))) }",
    "fn f(x: f64) -> f64 { x.exp().ln().sin().cos().tanh().sqrt().abs().cbrt() }",
    "fn f(x: f64, y: f64) -> f64 { x.atan2(y).hypot(x).powf(y).max(x).min(y).clamp(x, y) }",
    "fn f(x: f64) -> f64 { let v0 = x; let d_out = v0 * 2.0; let __ad = d_out; __ad }",
    "fn f(v0: f64, d_out: f64, d_v0: &f64) -> f64 { v0 * d_out * *d_v0 }",
    // raw and unicode identifiers
    "fn r#fn(r#x: f64) -> f64 { r#x * r#x }",
    "fn r#match(x: &f64) -> f64 { *x }",
    "fn f(r#x: &f64) -> f64 { *r#x * 2.0 }",
    "fn f(r#type: &[f64]) -> f64 { r#type[0] }",
    "fn f(λ: f64, ñ: &f64) -> f64 { λ * *ñ }",
    "fn f(_x: f64, _: &f64) -> f64 { _x }",
    "fn f(_: &[f64], y: f64) -> f64 { y }",
    "fn f(x: f64) -> f64 { let r#let = x; r#let }",
];

/// `fn f(x: f64) -> f64 { … }` around deeply nested or very long bodies.
fn deep_inputs() -> Vec<(String, String)> {
    let wrap = |body: String| format!("fn f(x: f64, y: f64) -> f64 {{ {body} }}");
    let mut v = Vec::new();
    v.push((
        "500 nested parentheses".into(),
        wrap(format!("{}x{}", "(".repeat(500), ")".repeat(500))),
    ));
    v.push(("2,000-term sum".into(), wrap(vec!["x"; 2000].join(" + "))));
    v.push((
        "2,000-term product of mixed terms".into(),
        wrap(
            (0..2000)
                .map(|i| {
                    if i % 2 == 0 {
                        "x".to_string()
                    } else {
                        format!("{i}.0")
                    }
                })
                .collect::<Vec<_>>()
                .join(" * "),
        ),
    ));
    v.push((
        "2,000 statements".into(),
        wrap(format!(
            "let mut s = x; {} s",
            "s = s * y + x; ".repeat(2000)
        )),
    ));
    v.push((
        "200 nested blocks".into(),
        wrap(format!("{}x{}", "{ ".repeat(200), " }".repeat(200))),
    ));
    v.push((
        "200 nested ifs".into(),
        wrap(format!(
            "{}x{}",
            "if x > 0.0 { ".repeat(200),
            " } else { y }".repeat(200)
        )),
    ));
    v.push((
        "30 nested loops".into(),
        wrap(format!(
            "let mut s = x; {} s = s * x; {} s",
            (0..30)
                .map(|i| format!("for i{i} in 0..2 {{ "))
                .collect::<String>(),
            "}".repeat(30)
        )),
    ));
    v.push((
        "300 negations".into(),
        wrap(format!("{}x", "-".repeat(300))),
    ));
    v.push((
        "300 chained methods".into(),
        wrap(format!("x{}", ".sin()".repeat(300))),
    ));
    v.push((
        "200 nested calls".into(),
        wrap(format!(
            "{}x{}",
            "autodiff::sigmoid(".repeat(200),
            ")".repeat(200)
        )),
    ));
    v.push((
        "300 params".into(),
        format!(
            "fn f({}) -> f64 {{ {} }}",
            (0..300)
                .map(|i| format!("x{i}: f64"))
                .collect::<Vec<_>>()
                .join(", "),
            (0..300)
                .map(|i| format!("x{i}"))
                .collect::<Vec<_>>()
                .join(" * ")
        ),
    ));
    v.push((
        "1,000-element array literal".into(),
        wrap(format!("let a = [{}]; a[999]", vec!["x"; 1000].join(", "))),
    ));
    v
}

/// Random token soup: idents, keywords, punctuation, literals and groups.
fn soup(rng: &mut Rng, depth: usize, out: &mut String) {
    const IDENTS: &[&str] = &[
        "x", "y", "f64", "f32", "T", "let", "mut", "if", "else", "for", "in", "while", "loop",
        "return", "break", "continue", "fn", "self", "Self", "true", "false", "match", "as", "exp",
        "sin", "iter", "sum", "map", "autodiff", "sigmoid", "v0", "d_out", "usize", "i", "_",
        "move", "ref", "struct", "impl", "where", "const", "static", "unsafe", "async", "await",
        "dyn", "crate", "super", "mod", "use", "r#x", "max", "powi",
    ];
    const PUNCT: &[&str] = &[
        "+", "-", "*", "/", "%", "=", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "!", ".", "..",
        "..=", ",", ";", ":", "::", "&", "|", "^", "?", "#", "@", "->", "=>", "+=", "-=", "*=",
        "/=", "<<", ">>", "$", "~", "'a", "'static",
    ];
    const LITS: &[&str] = &[
        "0",
        "1",
        "2.5",
        "1e400",
        "1e-400",
        "0x1F",
        "340282366920938463463374607431768211455u128",
        "\"s\"",
        "'c'",
        "b\"x\"",
        "1.0f32",
        "3usize",
        "-1",
        "0.0",
        "1_000",
        "4.9e-324",
        "1e308",
        "2",
        "3",
        "0b101",
    ];
    let n = 1 + rng.below(if depth == 0 { 14 } else { 6 });
    for _ in 0..n {
        match rng.below(10) {
            0..=3 => out.push_str(rng.pick(IDENTS)),
            4..=6 => out.push_str(rng.pick(PUNCT)),
            7 | 8 => out.push_str(rng.pick(LITS)),
            _ if depth < 3 => {
                let (o, c) = [("(", ")"), ("[", "]"), ("{", "}")][rng.below(3)];
                out.push_str(o);
                soup(rng, depth + 1, out);
                out.push_str(c);
            }
            _ => out.push_str(rng.pick(IDENTS)),
        }
        out.push(' ');
    }
}

/// A random program in (and around) the subset `#[grad]` accepts: scalars, a
/// slice, an array, lets, assignments, `if`, loops with `break`/`continue`/`return`,
/// array stores, primitives, casts — and now and then something it rejects.
struct ProgramGen<'a> {
    rng: &'a mut Rng,
    /// Float locals in scope, innermost scope last.
    floats: Vec<Vec<String>>,
    /// Integer locals in scope (loop indices).
    ints: Vec<String>,
    next: usize,
    in_loop: bool,
}

impl ProgramGen<'_> {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn float_var(&mut self) -> String {
        let all: Vec<&String> = self.floats.iter().flatten().collect();
        all[self.rng.below(all.len())].clone()
    }

    fn int(&mut self) -> String {
        if !self.ints.is_empty() && self.rng.chance(60) {
            let i = self.rng.below(self.ints.len());
            return self.ints[i].clone();
        }
        ["0", "1", "2", "n", "(n % 3)"][self.rng.below(5)].to_string()
    }

    fn index3(&mut self) -> String {
        let i = self.int();
        format!("({i} % 3)")
    }

    fn cond(&mut self, depth: usize) -> String {
        match self.rng.below(6) {
            0 => format!("{} > {}", self.expr(depth + 1), self.expr(depth + 1)),
            1 => format!("{} <= 0.5", self.expr(depth + 1)),
            2 => format!("{} < {}", self.int(), self.int()),
            3 => format!("{} && {}", self.cond(depth + 1), self.cond(depth + 1)),
            4 => format!("!({})", self.cond(depth + 1)),
            _ => format!("{}.is_finite()", self.float_var()),
        }
    }

    fn expr(&mut self, depth: usize) -> String {
        if depth > 4 || self.rng.chance(25) {
            return match self.rng.below(7) {
                0 => "x".into(),
                1 => "y".into(),
                2 => format!("{:.2}", (self.rng.below(400) as f64) / 100.0 - 2.0),
                3 => {
                    let i = self.index3();
                    format!("w[{i}]")
                }
                4 => "xs[0]".into(),
                5 => format!("({} as f64)", self.int()),
                _ => self.float_var(),
            };
        }
        let d = depth + 1;
        match self.rng.below(16) {
            0..=3 => {
                let op = self.rng.pick(&["+", "-", "*", "/", "%"]);
                format!("({} {op} {})", self.expr(d), self.expr(d))
            }
            4 => format!("-{}", self.expr(d)),
            5 | 6 => {
                let m = self.rng.pick(&[
                    "exp", "ln", "sin", "cos", "tanh", "sqrt", "abs", "cbrt", "exp_m1", "ln_1p",
                    "sinh", "atan", "recip", "signum", "floor", "fract",
                ]);
                format!("{}.{m}()", self.expr(d))
            }
            7 => {
                let m = self.rng.pick(&["max", "min", "powf", "atan2", "hypot"]);
                format!("{}.{m}({})", self.expr(d), self.expr(d))
            }
            8 => format!("{}.powi({})", self.expr(d), self.rng.below(5) as i64 - 2),
            9 => format!("{}.clamp(-1.0, 1.0)", self.expr(d)),
            10 => {
                let p = self.rng.pick(&["sigmoid", "relu", "softplus"]);
                format!("autodiff::{p}({})", self.expr(d))
            }
            11 => format!(
                "(if {} {{ {} }} else {{ {} }})",
                self.cond(d),
                self.expr(d),
                self.expr(d)
            ),
            12 => {
                let r = self.rng.pick(&[
                    "xs.iter().sum::<f64>()",
                    "xs.iter().map(|v| v * v).sum::<f64>()",
                    "w.iter().product::<f64>()",
                    "xs.iter().fold(0.0, |a, v| a * 0.5 + v)",
                ]);
                r.to_string()
            }
            13 => format!(
                "{}.mul_add({}, {})",
                self.expr(d),
                self.expr(d),
                self.expr(d)
            ),
            14 if self.rng.chance(15) => {
                // Something outside the subset.
                self.rng
                    .pick(&[
                        "x.frobnicate()",
                        "(\"s\".len() as f64)",
                        "vec![x][0]",
                        "match x { _ => y }",
                        "(x, y).0",
                        "g(x)",
                        "unsafe { x }",
                        "xs[0..1][0]",
                    ])
                    .to_string()
            }
            _ => format!("({})", self.expr(d)),
        }
    }

    fn stmts(&mut self, depth: usize, out: &mut String) {
        let n = 1 + self.rng.below(4);
        for _ in 0..n {
            self.stmt(depth, out);
        }
    }

    fn block(&mut self, depth: usize, out: &mut String) {
        out.push_str("{ ");
        self.floats.push(Vec::new());
        self.stmts(depth + 1, out);
        self.floats.pop();
        out.push_str("} ");
    }

    fn stmt(&mut self, depth: usize, out: &mut String) {
        let deep = depth > 3;
        match self.rng.below(12) {
            0..=2 => {
                let v = self.fresh("t");
                let e = self.expr(0);
                let _ = write!(out, "let mut {v} = {e}; ");
                self.floats.last_mut().expect("a scope").push(v);
            }
            3 | 4 => {
                let v = self.float_var();
                let op = self.rng.pick(&["=", "+=", "-=", "*=", "/="]);
                let e = self.expr(0);
                let _ = write!(out, "{v} {op} {e}; ");
            }
            5 => {
                let i = self.index3();
                let op = self.rng.pick(&["=", "+=", "*="]);
                let e = self.expr(0);
                let _ = write!(out, "w[{i}] {op} {e}; ");
            }
            6 if !deep => {
                let c = self.cond(0);
                let _ = write!(out, "if {c} ");
                self.block(depth, out);
                if self.rng.chance(50) {
                    out.push_str("else ");
                    self.block(depth, out);
                }
            }
            7 if !deep => {
                let i = self.fresh("i");
                let range = self
                    .rng
                    .pick(&["0..3", "0..n", "1..=2", "2..4", "0..xs.len()"]);
                let _ = write!(out, "for {i} in {range} ");
                self.ints.push(i);
                let was = std::mem::replace(&mut self.in_loop, true);
                self.block(depth, out);
                self.in_loop = was;
                self.ints.pop();
            }
            8 if !deep => {
                let c = self.fresh("c");
                let _ = write!(out, "let mut {c} = 0; while {c} < n && {} ", self.cond(1));
                let was = std::mem::replace(&mut self.in_loop, true);
                out.push_str("{ ");
                let _ = write!(out, "{c} += 1; ");
                self.floats.push(Vec::new());
                self.stmts(depth + 1, out);
                self.floats.pop();
                out.push_str("} ");
                self.in_loop = was;
            }
            9 if self.in_loop => {
                let c = self.cond(0);
                let k = self.rng.pick(&["break", "continue"]);
                let _ = write!(out, "if {c} {{ {k}; }} ");
            }
            10 if depth == 0 && self.rng.chance(30) => {
                let c = self.cond(0);
                let e = self.expr(0);
                let _ = write!(out, "if {c} {{ return {e}; }} ");
            }
            _ => {
                let v = self.float_var();
                let e = self.expr(1);
                let _ = write!(out, "{v} += {e}; ");
            }
        }
    }

    fn program(rng: &mut Rng) -> String {
        let mut g = ProgramGen {
            rng,
            floats: vec![vec!["x".into(), "y".into()]],
            ints: Vec::new(),
            next: 0,
            in_loop: false,
        };
        let mut body = String::from("let mut w = w; ");
        g.floats.push(vec!["acc".into()]);
        body.push_str("let mut acc = x * y; ");
        g.stmts(0, &mut body);
        let tail = g.expr(1);
        let _ = write!(body, "acc + {tail}");
        format!("fn f(x: f64, y: f64, xs: &[f64], w: [f64; 3], n: usize) -> f64 {{ {body} }}")
    }
}

#[test]
fn hostile_input_never_panics() {
    on_stack(RUSTC_STACK, hostile_input);
}

fn hostile_input() {
    let started = Instant::now();
    let empty = Attr::new("");
    let wrt_x = Attr::new("wrt(x)");
    let mut tally = Tally::default();
    let mut lex_errors = Vec::new();
    let mut counts = Vec::new();

    // Junk attributes on a few targets.
    let junk: Vec<Attr> = JUNK_ATTRS.iter().map(|a| Attr::new(a)).collect();
    let mut n = 0;
    for (k, src) in ATTR_TARGETS.iter().enumerate() {
        let item = Item::from_source(format!("attribute target {k}"), src).expect("target lexes");
        for a in &junk {
            tally.run(a, &item);
            n += 1;
        }
    }
    counts.push(format!("{n} junk attributes"));

    // One construct each, with and without `wrt(x)`.
    for (k, src) in HOSTILE_ITEMS.iter().enumerate() {
        match Item::from_source(format!("hostile item {k} `{src}`"), src) {
            Some(item) => {
                tally.run(&empty, &item);
                tally.run(&wrt_x, &item);
            }
            None => lex_errors.push(*src),
        }
    }
    counts.push(format!("{} constructs", HOSTILE_ITEMS.len()));

    let deep = deep_inputs();
    for (label, src) in &deep {
        let item = Item::from_source(label.clone(), src).expect("deep input lexes");
        tally.run(&empty, &item);
    }
    counts.push(format!("{} deep", deep.len()));

    // Random token soups in a function body.
    let mut rng = Rng(0x5EED_0001);
    let (mut soups, mut soups_lexed, mut soups_parsed) = (0, 0, 0);
    for k in 0..400 {
        let mut body = String::new();
        soup(&mut rng, 0, &mut body);
        soups += 1;
        let src = format!("fn f(x: f64) -> f64 {{ {body} }}");
        if let Some(item) = Item::from_source(format!("soup {k} `{src}`"), &src) {
            soups_lexed += 1;
            soups_parsed += usize::from(item.parses);
            tally.run(&empty, &item);
        }
    }
    counts.push(format!(
        "{soups} token soups ({soups_lexed} lex, {soups_parsed} parse)"
    ));

    // Random programs in and around the accepted subset.
    let mut rng = Rng(0x5EED_0002);
    let before = tally.with_errors;
    let programs = 400;
    for k in 0..programs {
        let src = ProgramGen::program(&mut rng);
        let item = Item::from_source(format!("program {k} `{src}`"), &src).expect("program lexes");
        assert!(item.parses, "generated program does not parse: {src}");
        tally.run(&empty, &item);
    }
    counts.push(format!(
        "{programs} random programs ({} differentiated)",
        programs - (tally.with_errors - before)
    ));

    // The same programs and constructs under `#[grad(graph)]`: instrumented,
    // reversed with the reports, emitted (without autodiff's `graph` feature
    // the macro says so after all that).
    let graph = Attr::new("graph");
    let mut rng = Rng(0x5EED_0002);
    for k in 0..programs {
        let src = ProgramGen::program(&mut rng);
        let item =
            Item::from_source(format!("graph program {k} `{src}`"), &src).expect("program lexes");
        tally.run(&graph, &item);
    }
    for (k, src) in HOSTILE_ITEMS.iter().enumerate() {
        if let Some(item) = Item::from_source(format!("graph hostile item {k} `{src}`"), src) {
            tally.run(&graph, &item);
        }
    }
    counts.push(format!("{} under graph", programs + HOSTILE_ITEMS.len()));

    assert!(
        lex_errors.is_empty(),
        "hostile inputs that do not lex: {lex_errors:?}"
    );
    println!(
        "hostile: {} inputs ({}), {}; {:.1?}",
        n + 2 * HOSTILE_ITEMS.len() + deep.len() + soups + 2 * programs,
        counts.join(", "),
        tally.summary(),
        started.elapsed(),
    );
    tally.assert_clean("hostile input");
}

// ------------------------------------------------------------------ known bugs

/// The expansion of `#[grad(attr)] item`, checked like the sweeps check it.
fn check_one(attr: &str, item: &str) -> Result<Passed, String> {
    let item = Item::from_source(format!("`{item}`"), item).expect("test input lexes");
    check(&Attr::new(attr), &item)
}

/// Found by the sweep above (a panic), fixed in f6b2570: a regression test.
#[test]
fn raw_ref_param_does_not_panic() {
    let r = check_one("", "fn f(r#x: &f64) -> f64 { *r#x * 2.0 }");
    assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
    let r = check_one("", "fn f(r#type: &[f64]) -> f64 { r#type[0] }");
    assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
}

#[test]
fn regression_empty_statement_rejected_at_call_site() {
    let r = check_one("", "fn f(x: f64) -> f64 { ; x }");
    match r {
        Ok(p) => assert_eq!(p.errors, 0, "`;` is an empty statement, not an error"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn regression_closure_arity_error_at_call_site() {
    let r = check_one("", "fn f(x: &[f64]) -> f64 { x.iter().map(|| 1.0).sum() }");
    assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
}

/// Found by the sweep above (an error at the call site), fixed in f6b2570: a
/// regression test.
#[test]
fn attribute_eof_error_points_into_the_attribute() {
    let r = check_one("wrt", "fn f(x: f64) -> f64 { x }");
    assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
}

#[test]
fn regression_custom_with_wrt_error_at_call_site() {
    let r = check_one("custom, wrt(x)", "fn f(x: f64) -> f64 { x }");
    assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
}
