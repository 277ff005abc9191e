use autodiff::{grad, Tangent};

#[derive(Clone, Tangent)]
pub struct Lin {
    pub w: [[f64; 2]; 2],
    pub b: [f64; 2],
}

#[grad]
fn f(mut p: Lin, x: f64) -> f64 {
    p.w[1][0] = x;
    p.w[0][0] * x + p.w[1][0] + p.b[1]
}

fn main() {}
