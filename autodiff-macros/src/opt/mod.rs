//! Optimisation passes over the companion's IR, one small pass per file. Each keeps
//! the IR valid; in debug builds the verifier runs after every pass.

mod cse;
mod dce;
pub use dce::has_effects;
mod fold;

use crate::ir::{verify, Func, Value};

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
    dce::region(r, &mut dce::Live::default());
}

/// A map from values, as a vector indexed by their dense ids: the passes run
/// in the macro, built at opt-level 0 by default, where hashing is slow.
pub(crate) struct ValueMap<T>(Vec<Option<T>>);

impl<T> Default for ValueMap<T> {
    fn default() -> Self {
        ValueMap(Vec::new())
    }
}

impl<T> ValueMap<T> {
    pub(crate) fn get(&self, v: &Value) -> Option<&T> {
        self.0.get(v.0 as usize).and_then(Option::as_ref)
    }

    pub(crate) fn insert(&mut self, v: Value, t: T) {
        let i = v.0 as usize;
        if i >= self.0.len() {
            self.0.resize_with(i + 1, || None);
        }
        self.0[i] = Some(t);
    }
}

/// Value replacements found by a pass, applied to every later use.
#[derive(Default)]
struct Replace(ValueMap<Value>);

impl Replace {
    fn get(&self, v: Value) -> Value {
        let mut v = v;
        while let Some(&w) = self.0.get(&v) {
            v = w;
        }
        v
    }
}
