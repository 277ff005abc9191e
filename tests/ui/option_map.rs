use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let o = if x > 0.0 { Some(x) } else { None };
    o.map(|v| v * 2.0).unwrap_or(0.0)
}

fn main() {}
