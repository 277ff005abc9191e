use autodiff::grad;

#[grad]
fn f(x: &[f64]) -> f64 {
    x.iter()
        .filter(|v| v.is_finite())
        .copied()
        .max_by(|a, b| a.total_cmp(b))
        .unwrap()
}

fn main() {}
