use autodiff::grad;

#[grad]
fn f(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0.. {
        s += x[i];
    }
    s
}

fn main() {}
