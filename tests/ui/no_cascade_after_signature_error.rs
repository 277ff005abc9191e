use autodiff::grad;

// The stub companion has the signature the contract gives an output parameter
// (a `&mut` shadow after it), so a call written for it adds no error.
#[grad]
fn f(x: &mut f64) -> f64 {
    *x * 2.0
}

fn main() {
    let mut x = 1.0;
    let mut d_x = 0.0;
    let _value = f_backward(&mut x, &mut d_x, 1.0);
}
