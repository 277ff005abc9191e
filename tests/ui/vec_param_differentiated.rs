use autodiff::grad;

// A parameter of floats in a `Vec` is not differentiated yet; left out of
// `wrt`, it would be data.
#[grad]
fn f(w: &[f64], rows: &[Vec<f64>]) -> f64 {
    w[0] * rows[0][0]
}

fn main() {}
