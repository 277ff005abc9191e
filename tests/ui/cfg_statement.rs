use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let mut y = x;
    #[cfg(any())]
    {
        y *= 100.0;
    }
    y * 2.0
}

fn main() {}
