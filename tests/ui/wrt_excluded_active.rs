use autodiff::grad;

// `k` is left out by `wrt`: its gradient is never computed.
#[grad(wrt(x))]
fn scaled(x: f64, k: f64) -> f64 {
    x * k
}

// The caller differentiates `k` and passes it there: the gradient through
// that argument would be lost, so the build stops and says what to write.
#[grad]
fn f(x: f64, k: f64) -> f64 {
    scaled(x, k * 2.0)
}

fn main() {}
