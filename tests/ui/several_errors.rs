use autodiff::grad;

macro_rules! trace {
    ($e:expr) => {
        let _ = $e;
    };
}

#[grad]
fn f(x: f64, n: i32) -> f64 {
    let a = x.frobnicate();
    let b = match n {
        0 => x,
        _ => a,
    };
    trace!(b);
    a * 2 + b
}

fn main() {}
