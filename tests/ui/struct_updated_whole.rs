use autodiff::{grad, Tangent};

#[derive(Clone, Copy, Default, Tangent)]
pub struct Body {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
    pub mass: f64,
}

#[grad]
fn step(mut b: Body, dt: f64) -> Body {
    b.pos[0] += b.vel[0] * dt;
    b
}

#[grad]
fn energy(b: &Body) -> f64 {
    b.mass * b.vel[0] * b.vel[0]
}

#[grad]
fn step_energy(mut b: Body, dt: f64) -> f64 {
    b.vel[0] -= dt;
    energy(&b)
}

fn main() {}
