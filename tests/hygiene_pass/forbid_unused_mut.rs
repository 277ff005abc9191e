//! A crate that forbids a lint the companion allows: `#[allow(unused_mut)]` on
//! the companion is a hard error (E0453) under `#![forbid(unused_mut)]`.
#![forbid(unused_mut)]

use autodiff::grad;

#[grad]
fn square(x: f64) -> f64 {
    x * x
}

fn main() {
    assert_eq!(square_backward(3.0, 1.0), (9.0, 6.0));
    assert_eq!(square(3.0), 9.0);
}
