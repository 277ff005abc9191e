use autodiff::grad;

// `xor` is not one of the `Option` methods a #[grad] body supports.
#[grad]
fn f(x: f64) -> f64 {
    let o = if x > 0.0 { Some(x) } else { None };
    o.xor(Some(1.0)).unwrap_or(0.0)
}

fn main() {}
