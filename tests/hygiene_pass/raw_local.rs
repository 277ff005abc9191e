//! `r#y` and `y` are the same name in Rust, but the macro compares names as
//! written: a local declared `r#y` and read as `y` becomes an unknown outer value
//! in the companion (error E0425).

use autodiff::grad;

#[grad]
fn local(x: f64) -> f64 {
    let r#y = x * 3.0;
    y * 2.0
}

fn main() {
    assert_eq!(local_backward(1.5, 1.0), (9.0, 6.0));
    assert_eq!(local(1.5), 9.0);
}
