//! Optimisation passes over the companion's IR, one small pass per file. Each keeps
//! the IR valid; in debug builds the verifier runs after every pass.

mod cse;
mod dce;
mod fold;

use crate::ir::{verify, Func, Value};
use std::collections::HashMap;

/// Which float arithmetic constant folding may do at compile time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FloatKind {
    F32,
    F64,
    /// A generic `T: Real`: only exact rewrites (negation, identities).
    Generic,
}

/// Runs the pipeline: fold, CSE, DCE, twice (folding exposes twins, CSE exposes
/// dead code).
pub fn run(func: &mut Func, kind: FloatKind) {
    for _ in 0..2 {
        fold::run(func, kind);
        check(func, "fold");
        cse::run(func);
        check(func, "cse");
        dce::run(func);
        check(func, "dce");
    }
}

fn check(func: &Func, pass: &str) {
    if cfg!(debug_assertions) {
        if let Err(e) = verify(func) {
            debug_assert!(false, "IR invalid after {pass}: {e}\n{func}");
        }
    }
}

/// Removes the ops of one region (and its nested ones) that nothing reads; its
/// yields are live.
pub fn dce_region(r: &mut crate::ir::Region) {
    dce::region(r, &mut std::collections::HashSet::new());
}

/// Value replacements found by a pass, applied to every later use.
#[derive(Default)]
struct Replace(HashMap<Value, Value>);

impl Replace {
    fn get(&self, v: Value) -> Value {
        let mut v = v;
        while let Some(&w) = self.0.get(&v) {
            v = w;
        }
        v
    }
}
