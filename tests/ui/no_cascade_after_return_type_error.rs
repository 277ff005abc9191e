use autodiff::grad;

#[grad]
fn f(x: f64) -> i32 {
    x as i32
}

fn main() {
    let _value = f_backward(1.0, 1);
}
