use autodiff::{grad, Tangent};

#[derive(Clone, Copy, Default, Tangent)]
pub struct Body {
    pub pos: [f64; 2],
}

#[grad]
fn height(b: &Body) -> f64 {
    b.pos[1]
}

#[grad]
fn f(b: Body) -> f64 {
    let mut c = b;
    c.pos[1] += 1.0;
    height(&c)
}

fn main() {}
