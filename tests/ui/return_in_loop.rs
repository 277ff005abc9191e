use autodiff::grad;

#[grad]
fn f(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        if *v < 0.0 {
            return s;
        }
        s += v * v;
    }
    s
}

fn main() {}
