use autodiff::grad;

// `max_by` must compare by the float order, which the macro reads off the closure.
#[grad]
fn f(x: &[f64]) -> f64 {
    x.iter().copied().max_by(|a, b| a.abs().total_cmp(&b.abs())).unwrap()
}

fn main() {}
