use autodiff::grad;

#[grad]
fn f(x: f64, _name: &str) -> f64 {
    x * x
}

fn main() {}
