use autodiff::grad;

#[grad]
fn f(x: f64, n: i32) -> f64 {
    let y = x * x;
    let _tag = "square";
    y * f64::from(n)
}

fn main() {
    let (_value, _dx) = f_backward(1.0, 0, 1.0);
}
