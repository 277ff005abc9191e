use autodiff::grad;

// The length of `from_fn`'s array comes from an annotation, the turbofish, or
// an array of known length the closure indexes; here none of them.
#[grad]
fn f(x: f64) -> f64 {
    let t = std::array::from_fn(|i| i as f64 * x);
    t[0]
}

fn main() {}
