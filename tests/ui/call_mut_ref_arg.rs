use autodiff::grad;

#[grad]
fn dot(w: &[f64; 2], x: &[f64; 2]) -> f64 {
    w[0] * x[0] + w[1] * x[1]
}

#[grad]
fn f(w: &[f64; 2], x: f64) -> f64 {
    let mut v = [x, 2.0 * x];
    dot(w, &mut v)
}

fn main() {}
