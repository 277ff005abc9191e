use autodiff::grad;

#[grad]
fn f(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    a + b
}

fn main() {}
