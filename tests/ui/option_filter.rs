use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let o = if x > 0.0 { Some(x) } else { None };
    o.filter(|v| *v < 2.0).unwrap_or(0.0)
}

fn main() {}
