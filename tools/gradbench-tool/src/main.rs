//! The GradBench tool as a small workspace member: the same modules as
//! `examples/gradbench.rs` (the file `examples/gradbench/modules.rs`, which
//! `tests/gradbench.rs` includes too), built with only `autodiff` and
//! `serde_json` — not the dev-dependencies (criterion, proptest, trybuild …)
//! that `cargo run --example gradbench` builds first.
//!
//! ```text
//! cargo run --release -p gradbench-tool
//! ```
//!
//! `tools/gradbench.sh` runs every GradBench eval against it and against
//! GradBench's C++ tool `manual`.

#[path = "../../../examples/gradbench/modules.rs"]
mod modules;

fn main() -> std::io::Result<()> {
    modules::serve()
}
