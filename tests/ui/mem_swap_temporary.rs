use autodiff::grad;

// `mem::swap` exchanges two locals; a temporary is nothing to swap with.
#[grad]
fn f(x: [f64; 2]) -> f64 {
    let mut a = x;
    std::mem::swap(&mut a, &mut [1.0, 2.0]);
    a[0]
}

fn main() {}
