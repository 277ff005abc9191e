use autodiff::grad;

#[derive(Clone, Copy)]
pub struct State {
    pub pos: [f64; 2],
}

#[grad]
pub fn make(x: [f64; 2]) -> f64 {
    let s = State { pos: x };
    let t = if x[0] > 0.0 { s } else { State { pos: [0.0; 2] } };
    t.pos[0]
}

fn main() {}
