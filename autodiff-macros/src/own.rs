//! A user's own `#[grad]` function named like one of autodiff's primitives
//! (`fn sigmoid`, `fn ln_gamma`), called by its bare name.
//!
//! A bare `sigmoid(x)` in a `#[grad]` body is autodiff's primitive when the
//! name is imported from autodiff (the companion proves it at compile time),
//! but users of five corpus rounds wrote their own `sigmoid` or `ln_gamma` and
//! called it bare. An attribute cannot see which function a name resolves to;
//! what it can see is the expansions before it in the same compilation: every
//! `#[grad]` free function named like a primitive is recorded with its source
//! file, and a later bare call of that name in the same file is a call of the
//! user's function (its companion `sigmoid_backward`, resolved by rustc with
//! `sigmoid` itself). A bare call above the function's definition, or in a
//! file without one, is still the primitive, proved so. Unit tests never see a
//! record (no file).

use std::sync::Mutex;

struct State {
    /// The file of the attribute being expanded.
    file: String,
    /// `(file, name)` of each user `#[grad]` function named like a primitive.
    own: Vec<(String, String)>,
}

static STATE: Mutex<State> = Mutex::new(State {
    file: String::new(),
    own: Vec::new(),
});

/// The file of the attribute about to be expanded.
pub fn set_file(file: String) {
    if let Ok(mut s) = STATE.lock() {
        s.file = file;
    }
}

/// Records a user `#[grad]` function `name` (a primitive's name) in the
/// current file.
pub fn record(name: &str) {
    if let Ok(mut s) = STATE.lock() {
        if s.file.is_empty() {
            return;
        }
        let entry = (s.file.clone(), name.to_string());
        if !s.own.contains(&entry) {
            s.own.push(entry);
        }
    }
}

/// Whether `name`, called bare in the current file, is the user's own
/// `#[grad]` function.
pub fn is_own(name: &str) -> bool {
    STATE
        .lock()
        .is_ok_and(|s| !s.file.is_empty() && s.own.iter().any(|(f, n)| *f == s.file && n == name))
}
