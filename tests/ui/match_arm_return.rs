use autodiff::grad;

#[grad]
fn f(x: f64, n: i32) -> f64 {
    let y = match n {
        0 => return x,
        _ => x * x,
    };
    y + 1.0
}

fn main() {}
