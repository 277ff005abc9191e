use autodiff::grad;

const C: [f64; 3] = [1.0, 2.0, 3.0];

#[grad]
fn f(x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += C[i] * x[i];
    }
    s
}

fn main() {}
