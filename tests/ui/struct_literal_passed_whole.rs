use autodiff::{grad, Tangent};

#[derive(Clone, Copy, Default, Tangent)]
pub struct State {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
}

#[grad]
pub fn energy(s: &State) -> f64 {
    s.vel[0] * s.vel[0] + s.pos[1]
}

#[grad]
pub fn step(x: [f64; 2]) -> f64 {
    let s = State { pos: x, vel: [x[1], 0.0] };
    energy(&s)
}

fn main() {}
