use autodiff::grad;

#[grad]
fn f(x: f64, n: i32) -> f64 {
    match n {
        0 => x,
        _ => x * x,
    }
}

fn main() {
    let (_value, _dx) = f_backward(1.0, 0, 1.0);
}
