use autodiff::grad;

#[grad]
fn dot(w: &[f64; 2], x: &[f64; 2]) -> f64 {
    w[0] * x[0] + w[1] * x[1]
}

// An output array passed on must be named as it is (a local or an output
// parameter), not a part of one.
#[grad]
fn f(w: &[f64; 2], x: f64) -> f64 {
    let mut v = [[x, 2.0 * x], [x, x]];
    dot(w, &mut v[0])
}

fn main() {}
