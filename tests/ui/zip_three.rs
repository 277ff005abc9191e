use autodiff::grad;

#[grad]
fn f(x: &[f64], y: &[f64], z: &[f64]) -> f64 {
    let mut s = 0.0;
    for ((a, b), c) in x.iter().zip(y.iter()).zip(z.iter()) {
        s += a * b * c;
    }
    s
}

fn main() {}
