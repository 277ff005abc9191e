//! A `#[derive(Tangent)]` struct passed by value to another `#[grad]` function:
//! as a by-value parameter (its gradient is accumulated with `Tangent`), and as
//! `*p` from a `&` parameter (passed by value, no shadow).

use autodiff::{grad, Tangent};

#[derive(Tangent, Clone, Copy)]
pub struct A {
    pub b: f64,
}

#[grad]
fn by_value(p: A, x: f64) -> f64 {
    p.b * x
}

#[grad]
fn passes_value(p: A, x: f64) -> f64 {
    by_value(p, x)
}

#[grad]
fn passes_deref(p: &A, x: f64) -> f64 {
    by_value(*p, x)
}

fn main() {
    let a = A { b: 2.0 };
    let (v, dp, dx) = passes_value_backward(a, 3.0, 1.0);
    assert_eq!((v, dp.b, dx), (6.0, 3.0, 2.0));
    let mut dp = <A as Tangent>::zero();
    let (v, dx) = passes_deref_backward(&a, &mut dp, 3.0, 1.0);
    assert_eq!((v, dp.b, dx), (6.0, 3.0, 2.0));
    assert_eq!(passes_value(a, 3.0) + passes_deref(&a, 3.0), 12.0);
}
