use autodiff::grad;

#[grad]
fn f(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in (0..x.len()).rev() {
        if x[i] < 0.0 {
            break;
        }
        s += x[i];
    }
    s
}

fn main() {}
