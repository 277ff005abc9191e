use autodiff::grad;

#[derive(Default, Clone, Copy, autodiff::Tangent)]
pub struct Acc {
    a: f64,
    b: f64,
}

#[grad]
fn total(a: Acc) -> f64 {
    a.a + a.b
}

// A struct made by `S::default()` is read and assigned field by field; passed
// on whole, it is rejected (its other fields are not visible to the macro).
#[grad]
fn f(x: f64) -> f64 {
    let mut s = Acc::default();
    s.a = x;
    total(s)
}

fn main() {}
