use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    x.powi()
}

fn main() {}
