use autodiff::grad;

#[derive(Default, Clone, Copy, autodiff::Tangent)]
pub struct Inner {
    a: f64,
}

#[derive(Default, Clone, Copy, autodiff::Tangent)]
pub struct Acc {
    inner: Inner,
    b: f64,
}

#[grad]
fn total(a: Acc) -> f64 {
    a.inner.a + a.b
}

// A struct made by `S::default()` is passed on whole with its assigned fields
// and the others' defaults; a field of a nested struct assigned is not
// supported yet there.
#[grad]
fn f(x: f64) -> f64 {
    let mut s = Acc::default();
    s.inner.a = x;
    total(s)
}

fn main() {}
