//! `r#x` and `x` are the same name in Rust, but `wrt(r#x)` does not find the
//! parameter `x` (and the stub companion then returns no gradient, so the call
//! below is also a type error).

use autodiff::grad;

#[grad(wrt(r#x))]
fn wrt_raw(x: f64, y: f64) -> f64 {
    x * y
}

fn main() {
    assert_eq!(wrt_raw_backward(1.5, 2.0, 1.0), (3.0, 2.0));
    assert_eq!(wrt_raw(1.5, 2.0), 3.0);
}
