use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let _s = "hello";
    x * x
}

fn main() {}
