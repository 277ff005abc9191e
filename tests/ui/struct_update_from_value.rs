use autodiff::grad;

#[derive(Default, Clone, Copy)]
pub struct Acc {
    a: f64,
    b: f64,
}

// `..base` is supported from `Default::default()` only: the macro cannot see
// the fields of another value.
#[grad]
fn f(x: f64) -> f64 {
    let base = Acc { a: 1.0, b: 2.0 };
    let s = Acc { a: x, ..base };
    s.a * s.b
}

fn main() {}
