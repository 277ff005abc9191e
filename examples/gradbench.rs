//! A GradBench tool: this crate speaks the protocol of the cross-language AD
//! benchmark suite <https://github.com/gradbench/gradbench> (JSON lines on
//! stdin and stdout) for the evals `hello`, `lse`, `llsq`, `gmm`, `ba`,
//! `ht`, `lstm`, `ode`, `det`, `kmeans`, `saddle` and `particle`, with every
//! derivative written by `#[grad]`.
//!
//! Run it with
//!
//! ```text
//! cargo run --release --example gradbench
//! ```
//!
//! and either type messages, e.g.
//!
//! ```text
//! {"id": 0, "kind": "start"}
//! {"id": 1, "kind": "define", "module": "hello"}
//! {"id": 2, "kind": "evaluate", "module": "hello", "function": "double", "input": 3.0}
//! ```
//!
//! or let GradBench drive it, from a clone of the GradBench repository:
//!
//! ```text
//! ./gradbench run --eval "./gradbench repo eval det" \
//!     --tool "cargo run --release --manifest-path /path/to/autodiff/Cargo.toml --example gradbench"
//! ```
//!
//! The modules and the message handler are in `gradbench/modules.rs`, which
//! `tests/gradbench.rs` includes too. The same tool without this crate's
//! dev-dependencies (a faster first build) is the workspace member
//! `tools/gradbench-tool`: `cargo run --release -p gradbench-tool`;
//! `tools/gradbench.sh` runs every GradBench eval against it.

#[path = "gradbench/modules.rs"]
mod modules;

fn main() -> std::io::Result<()> {
    modules::serve()
}
