use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let y = x * 2.0;
    while y > 1.0 {
        let _z = y * 0.5;
    }
    y
}

fn main() {}
