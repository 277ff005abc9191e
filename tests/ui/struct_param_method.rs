use autodiff::{grad, Tangent};

#[derive(Clone, Tangent)]
pub struct Poly {
    pub c: [f64; 3],
}

impl Poly {
    pub fn eval(&self, x: f64) -> f64 {
        self.c[0] + self.c[1] * x + self.c[2] * x * x
    }
}

#[grad]
fn f(p: &Poly, x: f64) -> f64 {
    p.eval(x) * x
}

fn main() {}
