use autodiff::grad;

/// Not autodiff's relu: twice as steep.
fn relu(x: f64) -> f64 {
    if x > 0.0 {
        2.0 * x
    } else {
        0.0
    }
}

#[grad]
fn f(x: f64) -> f64 {
    relu(x)
}

fn main() {}
