use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let y = if x > 0.0 { return x } else { x * x };
    y + 1.0
}

fn main() {}
