use autodiff::grad;

// A closure that changes what it captured (`FnMut`) is not inlined.
#[grad]
fn f(x: f64) -> f64 {
    let mut total = 0.0;
    let mut add = |t: f64| total += t * t;
    add(x);
    add(2.0 * x);
    total
}

fn main() {}
