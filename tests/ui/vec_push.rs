use autodiff::grad;

// `push` onto a `Vec` of floats is supported; a `Vec` of arrays is not yet.
#[grad]
fn f(x: [f64; 2]) -> f64 {
    let mut rows = Vec::new();
    rows.push(x);
    rows[0][1]
}

fn main() {}
