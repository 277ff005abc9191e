use autodiff::grad;

#[grad]
fn f(x: &[f64]) -> f64 {
    (0..x.len()).map(|i| x[i] * i as f64).sum()
}

fn main() {}
