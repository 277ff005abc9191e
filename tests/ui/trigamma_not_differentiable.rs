use autodiff::grad;

/// trigamma is the derivative of digamma, without a derivative of its own.
#[grad]
fn f(x: f64) -> f64 {
    autodiff::digamma(x) + autodiff::trigamma(x)
}

fn main() {}
