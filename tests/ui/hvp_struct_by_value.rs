use autodiff::{grad, Tangent};

#[derive(Clone, Copy, Default, Tangent)]
pub struct S {
    pub a: f64,
    pub v: [f64; 2],
}

// By value, a struct's part of H·v is not built yet: rejected, not wrong.
#[grad(hvp)]
fn f(x: &[f64], s: S) -> f64 {
    s.a * x[0] * s.v[1]
}

fn main() {}
