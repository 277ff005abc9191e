use autodiff::grad;

// Enum variants with data (`Some(k)`) are not patterns a #[grad] `match` knows.
#[grad]
fn f(x: f64, n: i32) -> f64 {
    match n.checked_sub(1) {
        Some(k) => x * f64::from(k),
        None => x,
    }
}

fn main() {}
