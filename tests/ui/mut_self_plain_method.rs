use autodiff::{grad, Tangent};

#[derive(Tangent, Clone, Copy, Default)]
pub struct Body {
    pub x: f64,
    pub v: f64,
}

impl Body {
    // No `#[grad]`: the call below has no companion to differentiate through.
    pub fn step(&mut self, dt: f64) {
        self.x += self.v * dt;
    }
}

#[grad]
fn f(v: f64) -> f64 {
    let mut b = Body { x: 0.0, v };
    b.step(0.1);
    b.x
}

fn main() {}
