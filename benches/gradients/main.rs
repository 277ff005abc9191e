//! Gradient benchmarks: for each function, in one run, the primal alone, the
//! `#[grad]` companion, a hand-written gradient, forward mode with `num-dual`,
//! the runtime tape of `easy-ml`, and central finite differences.
//! See PERFORMANCE.md for how to run them and read the results.
#![allow(clippy::needless_range_loop)]

mod ba;
mod common;
mod gmm;
mod lse;
mod net;
mod neuron;
mod rosenbrock;
mod wx;

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;

/// Every method of every function is checked against the companion before
/// anything is timed.
fn check(_: &mut Criterion) {
    neuron::check();
    rosenbrock::check();
    wx::check();
    net::check();
    ba::check();
    gmm::check();
    lse::check();
    println!("every method agrees with the #[grad] companion on every function");
}

criterion_group! {
    name = gradients;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    targets = check, neuron::bench, rosenbrock::bench, wx::bench, net::bench, ba::bench,
        gmm::bench, lse::bench
}
criterion_main!(gradients);
