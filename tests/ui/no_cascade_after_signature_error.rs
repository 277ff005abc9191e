use autodiff::grad;

#[grad]
fn f(x: &mut f64) -> f64 {
    *x * 2.0
}

fn main() {
    let mut x = 1.0;
    let _value = f_backward(&mut x, 1.0);
}
