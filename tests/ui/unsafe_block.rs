use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    unsafe { core::ptr::read(&x) }
}

fn main() {}
