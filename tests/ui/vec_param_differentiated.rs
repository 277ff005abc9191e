use autodiff::grad;

// A `Vec` of floats by value is not differentiated (its gradient would be a
// `Vec` returned by the companion): take it by `&`, with a `&mut` shadow.
#[grad]
fn f(w: &[f64], rows: Vec<f64>) -> f64 {
    w[0] * rows[0]
}

fn main() {}
