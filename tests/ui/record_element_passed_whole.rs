use autodiff::{grad, Tangent};

#[derive(Tangent, Clone, Copy)]
pub struct Particle {
    x: f64,
    v: f64,
}

#[grad]
fn kinetic(p: &Particle) -> f64 {
    0.5 * p.v * p.v
}

// An element of a slice of structs is read field by field; passed on whole
// to a callee it is rejected (pass its fields, or the slice).
#[grad]
fn total(ps: &[Particle]) -> f64 {
    let mut e = 0.0;
    for i in 0..ps.len() {
        e += kinetic(&ps[i]) + ps[i].x;
    }
    e
}

fn main() {}
