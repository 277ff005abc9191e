//! Generator of random `#[grad]` programs (issue "Reliability", point 1).
//!
//! `generate` writes `tests/random_programs.rs` of the `autodiff` crate: a seeded,
//! reproducible stream of functions that mix every construct a `#[grad]` body may
//! contain (README, "What a `#[grad]` body may contain"), each emitted twice:
//!
//! - as written, under `#[grad(reverse, forward)]`, so the macro emits its
//!   companions `<name>_backward` and `<name>_forward` (the callees of the file's
//!   header too; `--no-forward` leaves a construct's programs under `#[grad]`);
//! - as an oracle generic over `num_dual` dual numbers (`D: Dn`), with the same
//!   statements, comparisons made on the real parts and every kink, branch and
//!   jump reported to a tracker (`Tr`) so that the driver can tell how far a point
//!   is from a branch boundary.
//!
//! Plus four small wrappers per program (the original, the oracle, the reverse
//! companion and the forward companion, each on a flat `&[f64]` point, the
//! forward one with a flat direction) and the table the driver walks
//! (`tests/random_programs/driver.rs`); for a program under `hvp`, wrappers of its
//! second-order companions and of its oracle over `HyperDual64`, in the table
//! `HVPS`.
//!
//! Every generated expression stays inside its domain by construction: arguments
//! of `ln`, `sqrt`, `powf`'s base … are `(u.abs() + 0.5)` or `(1.0 + u * u)`,
//! denominators are bounded away from zero, and a crude bound on `|value|` is kept
//! for every expression and variable so that `exp`-like arguments and products are
//! squashed (`tanh`, `sin`, `sigmoid` …) before they can overflow.
//!
//! Constructs can be left out with `--exclude NAME` (see [`CONSTRUCTS`]); the
//! header of the generated file records the command line, and the `drift` test of
//! this crate regenerates the file from it and compares. `--first N --count M
//! --file NAME` writes programs `pN` … of the same stream into another file, so
//! that CI's programs are split into files rustc compiles in parallel
//! (`tests/random_programs.rs`, `_2.rs`, `_3.rs`).
//!
//! Besides the main generator (`gen`, `exprs`, `stmts`, `loops`: expressions,
//! statements and loops over the variables in scope), a program may get, from a
//! generator of its own (`extras`) so that the programs without them do not
//! change: a struct parameter `Body` by value, by `&` or as `&self` with its fields
//! snapshotted, copied and updated (`structs`); whole-array copies, swaps,
//! `std::mem::swap` / `replace` and snapshots in straight-line code and loops
//! (`arrays_copy`); calls to `#[grad]` callees with the same array twice and rows of
//! 2-D arrays and fields (`calls`). The struct and the callees are written once in
//! the file's header, each with its dual-number version. The idioms of `idioms`
//! (prints, closures and function paths in `map` / `fold`, `max_by` / `min_by`,
//! `no_grad`, a `char` parameter, a nested array by value) are segments of their own
//! generator too; `typed` adds, after some programs `pN`, a program `pNg` generic
//! over `T: autodiff::Real` with its `f32` twin, appended to the table. `seqs` (with
//! `seq_opts`; the model in `seq_ast`, printed by `seq_print`, tagged by `seq_tags`)
//! adds segments of its own generator too: `fold` with a tuple accumulator, `filter`
//! at a chain's tail, `count` / `any` / `all` / `position`, `iter_mut` loops, and
//! `if let` / `let … else` / `match` on an `Option<usize>` parameter, on
//! `Option<f64>` / `Result<f64, String>` data (under `wrt`) and on `checked_sub`; an
//! `Option` / `Result` parameter is one inactive float of the point, mapped to its
//! value by helpers of the file's header, so that every point draws its own.
//! `recent` adds, from a generator of its own too, the constructs the macro learned
//! last: `x.rem_euclid(y)` / `x.div_euclid(y)`, their oracles in the file's header.
//! `late` (the model in `late_ast`, printed by `late_print`, tagged by `late_tags`)
//! adds, from another, `Option` locals, struct literals and struct results passed
//! on whole, `Vec::new()` / `Vec::with_capacity(n)` grown by `push`, `Vec<f64>`
//! results and output parameters of callees (the struct `Lp` and the callees in the
//! file's header), `a.map(|t| …)` of arrays and `.is_empty()`.
//!
//! `records` (the model in `rec_ast`, printed by `rec_print`, tagged by
//! `rec_tags`) adds, from another, run-time sized data and records: `&Vec<f64>` and
//! `&[Vec<f64>]` parameters (the latter also as data under `wrt`), the header's
//! `#[derive(Tangent)] struct Lv` with `Vec` and `Vec<Vec<f64>>` fields (by `&` and by
//! value), slices of structs `&[Pt]` and of tuples `&[(f64, f64)]` read field by
//! field, `Lp::default()` / `Default::default()` / `..Default::default()` records and
//! an `Acc::default()` counted in a loop, `Option` combinators (`map`, `map_or`,
//! `and_then`, `unwrap_or_else`) on built and data `Option`s, and `Vec<f64>` results.
//!
//! `round4` (the model in `r4_ast`, printed by `r4_print`, tagged by `r4_tags`)
//! adds, from another, what the macro learned from corpus round 4: `return` from
//! inside `for` / `while` / `loop` bodies (nested loops too) and `loop { … break …
//! }`, struct patterns (`let Lp { a, v } = s;`, `let Body { m, .. } = *st;`) and
//! array patterns on call results (`let [u, v] = upair(x, y);`), `(lo..=hi).contains(&x)`,
//! `std::array::from_fn`, `.first()` / `.last()`, parameters typed by an alias of
//! an array (`type V3 = [f64; 3];`: `ga: V3`, `gb: &V3`, `gp: &[V3]`), methods
//! called on a struct the body builds (`q.umix(x)`), and rows of struct fields read
//! in place (`let r: [f64; 2] = st.w[k];`, `st.w.iter().enumerate()`, rows of
//! `lin.m` zipped with `lin.w`).
//!
//! `values` (the model in `val_ast`, printed by `val_print`, tagged by `val_tags`,
//! the header in `val_header`) adds, from another, struct values of the header's
//! `Sv` (`#[derive(Tangent)]`): call results read by field, chosen by `if`,
//! carried by `for` / `while` (reassigned whole by methods, literals and `if`s,
//! updated by field and by whole arrays into an array field), copies of struct
//! parameters used whole, `&self` / `self` methods differentiating `self` on
//! parameters, locals, call results and slice elements (chained too), elements
//! of `&[Sv]` read whole, `-> Sv` results; closures with early `return`s;
//! `const` tables of structs and of rows; and methods of `Body` under a plain
//! `#[grad]`.
//!
//! What those generators of their own share — the stream each draws from and
//! the driver appending its segments, the locals, parameters and bodies a
//! segment adds, the modules and structs of the file's header — is in
//! `segments`; the tables of constructs, of `--no-forward` and of known bugs are
//! in `constructs`.
//!
//! `hvp` puts a share of the programs with one float result under
//! `#[grad(reverse, forward, hvp)]` (all with `--hvp-all`) and writes wrappers of
//! their `_hvp`, `_backward_forward` and nested companions, which the driver checks
//! against the oracle over `HyperDual64` (`tests/random_programs/second_order.rs`).
//!
//! What a known bug of the macro keeps out of generation is listed in
//! [`KNOWN_BUGS`] and generated with `--with-known-bugs`.
//!
//! Each program records which constructs of the README's support table it
//! exercises ([`TABLE`], `tags`); the driver prints how many programs exercise each.
//! `tools/progen/run-batches.sh` runs 10,000 programs (10 batches of 1,000, a seed
//! each) outside the repository and prints the totals and that table.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Command-line help.
pub const USAGE: &str =
    "usage: progen [--seed N] [--first N] [--count N] [--file NAME] [--exclude CONSTRUCT]... [--skip N,M,...]
  --seed N         seed of the program stream (default 1)
  --first N        index of the first program (default 0): programs pN … of the stream
  --count N        number of programs (default 600)
  --file NAME      the file's name under tests/ (default random_programs.rs), for its
                   header and its `include_str!` of itself
  --skip N,M,...   leave out programs pN, pM … (run-batches.sh: those that do not compile)
  --exclude NAME   never generate this construct (repeatable); one of:
                   see progen::CONSTRUCTS
  --no-forward NAME  the programs with this construct get `#[grad]` and are checked in
                   reverse mode only (repeatable; a bug of the forward companion that
                   makes them fail to compile); one of: see progen::NO_FORWARD
  --hvp-all        every program that `#[grad(hvp)]` supports is under `hvp` (not a
                   share of them, progen::HVP_SHARE); `--exclude hvp`: none
  --with-known-bugs  also generate what a known bug of the macro keeps out
                   (progen::KNOWN_BUGS), to see whether it is fixed";

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub seed: u64,
    /// Index of the first program.
    pub first: usize,
    pub count: usize,
    /// The file's name under `tests/`.
    pub file: String,
    pub exclude: BTreeSet<String>,
    /// Programs left out, by index.
    pub skip: BTreeSet<usize>,
    /// Constructs of `NO_FORWARD` whose programs are checked in reverse mode only.
    pub no_forward: BTreeSet<String>,
    /// Every program `hvp` supports is under `hvp`, not a share of them.
    pub hvp_all: bool,
    /// Generate the constructs that a bug of the macro keeps out (see
    /// `KNOWN_BUGS`), to check whether it is fixed.
    pub known_bugs: bool,
}

/// The default `--file`.
pub const DEFAULT_FILE: &str = "random_programs.rs";

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            first: 0,
            count: 600,
            file: DEFAULT_FILE.to_string(),
            exclude: BTreeSet::new(),
            skip: BTreeSet::new(),
            no_forward: BTreeSet::new(),
            hvp_all: false,
            known_bugs: false,
        }
    }
}

impl Options {
    /// Parses the command line (without the program name).
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut val = || it.next().ok_or_else(|| format!("{a} needs a value"));
            match a.as_str() {
                "--seed" => o.seed = val()?.parse().map_err(|e| format!("--seed: {e}"))?,
                "--count" => o.count = val()?.parse().map_err(|e| format!("--count: {e}"))?,
                "--first" => o.first = val()?.parse().map_err(|e| format!("--first: {e}"))?,
                "--file" => {
                    let v = val()?;
                    if !v.ends_with(".rs") || v.contains('/') || v.contains('"') {
                        return Err(format!("--file: `{v}` is not a file name ending in .rs"));
                    }
                    o.file = v.clone();
                }
                "--exclude" => {
                    let v = val()?;
                    if !CONSTRUCTS.iter().any(|(n, _)| n == v) {
                        return Err(format!("unknown construct `{v}`"));
                    }
                    o.exclude.insert(v.clone());
                }
                "--no-forward" => {
                    let v = val()?;
                    if !NO_FORWARD.iter().any(|(n, _, _)| n == v) {
                        return Err(format!("--no-forward: unknown construct `{v}`"));
                    }
                    o.no_forward.insert(v.clone());
                }
                "--hvp-all" => o.hvp_all = true,
                "--with-known-bugs" => o.known_bugs = true,
                "--skip" => {
                    for n in val()?.split(',').filter(|n| !n.is_empty()) {
                        let n = n.trim_start_matches('p');
                        o.skip
                            .insert(n.parse().map_err(|e| format!("--skip {n}: {e}"))?);
                    }
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(o)
    }

    /// The arguments that reproduce these options, as written in the header.
    pub fn args(&self) -> String {
        let mut s = format!("--seed {}", self.seed);
        if self.first != 0 {
            let _ = write!(s, " --first {}", self.first);
        }
        let _ = write!(s, " --count {}", self.count);
        if self.file != DEFAULT_FILE {
            let _ = write!(s, " --file {}", self.file);
        }
        for e in &self.exclude {
            let _ = write!(s, " --exclude {e}");
        }
        for e in &self.no_forward {
            let _ = write!(s, " --no-forward {e}");
        }
        if self.hvp_all {
            s.push_str(" --hvp-all");
        }
        if self.known_bugs {
            s.push_str(" --with-known-bugs");
        }
        if !self.skip.is_empty() {
            let skip: Vec<String> = self.skip.iter().map(|n| n.to_string()).collect();
            let _ = write!(s, " --skip {}", skip.join(","));
        }
        s
    }

    fn on(&self, construct: &str) -> bool {
        debug_assert!(
            CONSTRUCTS.iter().any(|(n, _)| *n == construct),
            "{construct}"
        );
        !self.exclude.contains(construct)
    }
}

mod arrays_copy;
mod ast;
mod calls;
mod constructs;
mod emit;
mod exprs;
mod extras;
mod forms;
mod gen;
mod hvp;
mod idioms;
mod late;
mod late_ast;
mod late_print;
mod loops;
mod printer;
mod program;
mod r4_ast;
mod r4_forms;
mod r4_print;
mod rec_ast;
mod rec_header;
mod rec_print;
mod recent;
mod records;
mod rng;
mod round4;
mod segments;
mod seq_ast;
mod seq_opts;
mod seq_print;
mod seqs;
mod stmts;
mod structs;
mod table;
mod tags;
mod typed;
mod val_ast;
mod val_forms;
mod val_header;
mod val_print;
mod values;

pub use constructs::{CONSTRUCTS, KNOWN_BUGS, NO_FORWARD};
pub use hvp::{HVP_SHARE, NOT_UNDER_HVP};
pub use rng::Rng;
pub use tags::TABLE;

use emit::{emit_fn, emit_wrappers, excluded_note};
use printer::Flavor;
use program::program;

/// Whether the file needs the struct `Body` of its header.
fn structs_on(opts: &Options) -> bool {
    ["struct-values", "struct-refs", "struct-methods"]
        .iter()
        .any(|c| opts.on(c))
}

/// Whether the file needs the callees of its header.
fn calls_on(opts: &Options) -> bool {
    [
        "calls",
        "aliased-call-args",
        "aliased-slice-args",
        "row-args",
        "field-row-args",
    ]
    .iter()
    .chain(forms::CALLING_FORMS)
    .any(|c| opts.on(c))
}

/// Whether a program with these tags gets `#[grad(reverse, forward)]` and is
/// checked in forward mode too (not under `--no-forward`).
fn forward_on(opts: &Options, tags: &BTreeSet<usize>) -> bool {
    !NO_FORWARD
        .iter()
        .any(|(n, tag, _)| opts.no_forward.contains(*n) && tags.contains(&tags::index(tag)))
}

/// The whole test file.
pub fn generate(opts: &Options) -> String {
    let mut s = String::new();
    let file = &opts.file;
    let _ = write!(
        s,
        "//! Random `#[grad]` programs, each checked against forward-mode dual numbers
//! (`num_dual`) and central finite differences at several random points, those
//! under `hvp` also in second order against hyper-dual numbers: see
//! `random_programs/driver.rs` for the checks and `tools/progen` for the generator.
//!
//! GENERATED: do not edit. Regenerate with
//!
//! cargo run -p progen -- {} > tests/{file}
//!
//! (`cargo test -p progen` fails when this file and the generator disagree.)
{}#![cfg_attr(rustfmt, rustfmt::skip)]

#[path = \"random_programs/driver.rs\"]
mod driver;

use autodiff::grad;
use driver::*;
use num_dual::{{Dual64, HyperDual64}};

#[test]
fn random_programs() {{
    check_all(PROGRAMS, HVPS, TAGS, include_str!(\"{file}\"));
}}
",
        opts.args(),
        excluded_note(opts)
    );
    if structs_on(opts) || calls_on(opts) {
        let mut items = String::from("use autodiff::Tangent;\n");
        if structs_on(opts) {
            items.push_str(&structs::header(opts.on("nested-structs")));
        }
        if calls_on(opts) {
            items.push_str(&hvp::header_callees(calls::header(), opts));
        }
        s.push_str(&segments::shared_module(
            "",
            "The struct and the callees the programs share.",
            "shared",
            &items,
        ));
    }
    if opts.on("f32-programs") {
        s.push_str(&typed::header());
    }
    if ["option-params", "option-data"].iter().any(|c| opts.on(c)) {
        s.push_str(&seqs::header());
    }
    if recent::RECENT.iter().any(|c| opts.on(c)) {
        s.push_str(&recent::header());
    }
    if late::LATE.iter().any(|c| opts.on(c)) {
        s.push_str(&hvp::header_callees(late::header(), opts));
    }
    if records::RECORDS.iter().any(|c| opts.on(c)) {
        s.push_str(&records::header());
    }
    if round4::ROUND4.iter().any(|c| opts.on(c)) {
        s.push_str(&round4::header(opts.on("hvp")));
    }
    if values::VALUES.iter().any(|c| opts.on(c)) {
        s.push_str(&values::header(opts.on("hvp")));
    }
    // the typed programs are checked after all others, so that no point moves
    let mut typed_entries = String::new();
    let mut table = String::from("\nstatic PROGRAMS: &[Prog] = &[\n");
    let mut hvps = String::from(
        "\n/// The programs under `hvp`, checked in second order.\nstatic HVPS: &[Hvp] = &[\n",
    );
    for i in opts.first..opts.first + opts.count {
        if opts.skip.contains(&i) {
            continue;
        }
        let p = program(opts, i);
        let _ = writeln!(
            s,
            "\n// ---------------------------------------------------------------- {}\n",
            p.name
        );
        let tags = tags::of(&p);
        let forward = forward_on(opts, &tags);
        let plain = emit_fn(&p, Flavor::F64, forward, false);
        let hvp = hvp::draw(opts, i, &p, &tags, &plain, forward);
        let mut tags = tags;
        if hvp {
            tags.extend(hvp::tags(&p));
        }
        s.push_str(&if hvp {
            emit_fn(&p, Flavor::F64, forward, true)
        } else {
            plain
        });
        s.push('\n');
        s.push_str(&emit_fn(&p, Flavor::Dual, forward, hvp));
        s.push('\n');
        let (w, entry) = emit_wrappers(&p, &tags, forward);
        s.push_str(&w);
        table.push_str(&entry);
        if hvp {
            let (w, entry) = hvp::wrappers(&p);
            s.push_str(&w);
            hvps.push_str(&entry);
        }
        if let Some((text, entry)) = typed::program(opts, i) {
            s.push_str(&text);
            typed_entries.push_str(&entry);
        }
    }
    table.push_str(&typed_entries);
    table.push_str("];\n");
    s.push_str(&table);
    hvps.push_str("];\n");
    s.push_str(&hvps);
    s.push_str("\n/// The constructs of the README's support table, as (row, construct).\nstatic TAGS: &[(&str, &str)] = &[\n");
    for (row, item) in tags::TABLE {
        let _ = writeln!(s, "    ({row:?}, {item:?}),");
    }
    s.push_str("];\n");
    s
}
