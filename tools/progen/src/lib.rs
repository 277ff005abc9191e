//! Generator of random `#[grad]` programs (issue "Reliability", point 1).
//!
//! `generate` writes `tests/random_programs.rs` of the `autodiff` crate: a seeded,
//! reproducible stream of functions that mix every construct a `#[grad]` body may
//! contain (README, "What a `#[grad]` body may contain"), each emitted twice:
//!
//! - as written, under `#[grad]`, so the macro emits its companion `<name>_backward`;
//! - as an oracle generic over `num_dual` dual numbers (`D: Dn`), with the same
//!   statements, comparisons made on the real parts and every kink, branch and
//!   jump reported to a tracker (`Tr`) so that the driver can tell how far a point
//!   is from a branch boundary.
//!
//! Plus three small wrappers per program (the original, the companion and the
//! oracle, each on a flat `&[f64]` point) and the table the driver walks
//! (`tests/random_programs/driver.rs`).
//!
//! Every generated expression stays inside its domain by construction: arguments
//! of `ln`, `sqrt`, `powf`'s base … are `(u.abs() + 0.5)` or `(1.0 + u * u)`,
//! denominators are bounded away from zero, and a crude bound on `|value|` is kept
//! for every expression and variable so that `exp`-like arguments and products are
//! squashed (`tanh`, `sin`, `sigmoid` …) before they can overflow.
//!
//! Constructs can be left out with `--exclude NAME` (see [`CONSTRUCTS`]); the
//! header of the generated file records the command line, and the `drift` test of
//! this crate regenerates the file from it and compares.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Command-line help.
pub const USAGE: &str = "usage: progen [--seed N] [--count N] [--exclude CONSTRUCT]...
  --seed N         seed of the program stream (default 1)
  --count N        number of programs (default 600)
  --exclude NAME   never generate this construct (repeatable); one of:
                   see progen::CONSTRUCTS";

/// The constructs `--exclude` can leave out, with what each covers.
pub const CONSTRUCTS: &[(&str, &str)] = &[
    ("rem", "float `%` and `%=`"),
    ("steps", "signum floor ceil round trunc fract (piecewise constant)"),
    ("while", "`while` loops"),
    ("break", "`break` / `continue`"),
    ("return", "early `return`"),
    ("fold", "`.fold(init, |acc, v| …)`"),
    ("zip", "`.zip(…)` in loops and reductions"),
    ("enumerate", "`.enumerate()` in loops and reductions"),
    ("slices", "`&[f64]` parameters"),
    ("arrays2d", "`&[[f64; M]; N]` parameters and 2-D local arrays"),
    ("tuples", "tuple results and tuple `let`s"),
    ("wrt", "`#[grad(wrt(…))]`"),
    ("mut-params", "`mut` parameters"),
    ("ref-scalars", "`&f64` parameters"),
    ("if-expr", "`if` as an expression"),
    ("block-expr", "block expressions `{ let t = …; … }`"),
    ("const", "`const` items in the body"),
    ("int-params", "`usize` / `i32` / `bool` parameters"),
    ("array-results", "`[f64; N]` results"),
    (
        "zip-fixed-arrays",
        "`zip` of two fixed-size arrays in a loop or reduction whose reverse sweep records (`for (p, q) in a.iter().zip(b.iter())`, `product`, `fold`, any zip inside a loop); excluded, a zip has a slice on one side",
    ),
    (
        "runtime-loop-in-loop",
        "a loop with a run-time trip count (`while`, `0..n`, over a slice) that records a tape, inside another loop or reduction; excluded, only `sum` reductions run over slices there",
    ),
    (
        "constant-conditions",
        "a float comparison that the macro folds to a constant (literals, or locals bound to literals); excluded, every float comparison reads a parameter",
    ),
    (
        "aliased-loop-init",
        "a variable's value bound under a second name (`let mut s = x;`, `fold(v, …)`), which a loop may then carry while reading the other name (`for … { s += x }`); excluded, a bare variable is never the value of a `let`, an assignment or a `fold`'s init",
    ),
    (
        "dead-blocks",
        "an `if` or a `for` loop that assigns no outer variable (dead code); excluded, such statements are dropped",
    ),
    (
        "untyped-powi-exponent",
        "an untyped literal as `powi`'s exponent (`x.powi(2)`); excluded, it is written `x.powi(2_i32)`",
    ),
    (
        "sum-loops",
        "a last top-level loop summing a term per iteration into a fresh accumulator that the result adds linearly (`acc += …`, then `… + c * acc`): the loops the macro fuses with their reverse",
    ),
];

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub seed: u64,
    pub count: usize,
    pub exclude: BTreeSet<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            count: 600,
            exclude: BTreeSet::new(),
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
                "--exclude" => {
                    let v = val()?;
                    if !CONSTRUCTS.iter().any(|(n, _)| n == v) {
                        return Err(format!("unknown construct `{v}`"));
                    }
                    o.exclude.insert(v.clone());
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(o)
    }

    /// The arguments that reproduce these options, as written in the header.
    pub fn args(&self) -> String {
        let mut s = format!("--seed {} --count {}", self.seed, self.count);
        for e in &self.exclude {
            let _ = write!(s, " --exclude {e}");
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

mod ast;
mod emit;
mod exprs;
mod gen;
mod loops;
mod printer;
mod program;
mod rng;
mod stmts;

pub use rng::Rng;

use emit::{emit_fn, emit_wrappers, excluded_note};
use printer::Flavor;
use program::program;

/// The whole test file.
pub fn generate(opts: &Options) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "//! Random `#[grad]` programs, each checked against forward-mode dual numbers
//! (`num_dual`) and central finite differences at several random points: see
//! `random_programs/driver.rs` for the checks and `tools/progen` for the generator.
//!
//! GENERATED: do not edit. Regenerate with
//!
//! cargo run -p progen -- {} > tests/random_programs.rs
//!
//! (`cargo test -p progen` fails when this file and the generator disagree.)
{}#![cfg_attr(rustfmt, rustfmt::skip)]

#[path = \"random_programs/driver.rs\"]
mod driver;

use autodiff::grad;
use driver::*;
use num_dual::Dual64;

#[test]
fn random_programs() {{
    check_all(PROGRAMS, include_str!(\"random_programs.rs\"));
}}
",
        opts.args(),
        excluded_note(opts)
    );
    let mut table = String::from("\nstatic PROGRAMS: &[Prog] = &[\n");
    for i in 0..opts.count {
        let p = program(opts, i);
        let _ = writeln!(
            s,
            "\n// ---------------------------------------------------------------- {}\n",
            p.name
        );
        s.push_str(&emit_fn(&p, Flavor::F64));
        s.push('\n');
        s.push_str(&emit_fn(&p, Flavor::Dual));
        s.push('\n');
        let (w, entry) = emit_wrappers(&p);
        s.push_str(&w);
        table.push_str(&entry);
    }
    table.push_str("];\n");
    s.push_str(&table);
    s
}
