use autodiff::{grad, Tangent};

#[derive(Clone, Tangent)]
pub struct Lin {
    pub w: [f64; 2],
    pub scale: f64,
}

#[grad]
fn f(mut p: Lin, x: f64) -> f64 {
    p.scale = 2.0 * x;
    p.w[0] * x * p.scale
}

fn main() {}
