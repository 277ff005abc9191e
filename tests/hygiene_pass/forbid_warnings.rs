//! A crate that forbids every warning: the companion's `#[allow(unused_mut,
//! unused_assignments)]` trips the future-incompatibility lint
//! `forbidden_lint_groups` (a warning today, "will become a hard error in a future
//! release"), made an error here to catch it.
#![deny(forbidden_lint_groups)]
#![forbid(warnings)]

use autodiff::grad;

#[grad]
fn square(x: f64) -> f64 {
    x * x
}

fn main() {
    assert_eq!(square_backward(3.0, 1.0), (9.0, 6.0));
    assert_eq!(square(3.0), 9.0);
}
