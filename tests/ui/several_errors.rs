use autodiff::grad;

#[grad]
fn f(x: f64, n: i32) -> f64 {
    let a = x.frobnicate();
    let b = match n {
        0 => x,
        _ => a,
    };
    println!("{b}");
    a * 2 + b
}

fn main() {}
