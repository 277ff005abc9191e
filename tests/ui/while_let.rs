use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let mut y = x;
    let mut k = Some(3);
    while let Some(n) = k {
        y *= 2.0;
        k = if n > 0 { Some(n - 1) } else { None };
    }
    y
}

fn main() {}
