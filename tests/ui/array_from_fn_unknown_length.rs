use autodiff::grad;

// The length of `from_fn`'s array comes from an annotation or the turbofish.
#[grad]
fn f(s: [f64; 3]) -> f64 {
    let t = std::array::from_fn(|i| s[i] * 2.0);
    t[0]
}

fn main() {}
