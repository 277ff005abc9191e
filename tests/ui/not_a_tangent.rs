use autodiff::grad;

pub struct Params {
    pub w: [f64; 2],
}

#[grad]
fn f(p: Params, x: f64) -> f64 {
    p.w[0] * x + p.w[1]
}

fn main() {}
