use autodiff::{grad, Tangent};

#[derive(Tangent, Clone, Copy, Default)]
pub struct Quat {
    pub w: f64,
    pub x: f64,
}

impl Quat {
    // `self` is data: `wrt` leaves it out.
    #[grad(wrt(v))]
    pub fn scale(self, v: f64) -> f64 {
        self.w * v + self.x
    }
}

// The caller differentiates `q`: the check names the fix.
#[grad]
fn f(q: Quat, v: f64) -> f64 {
    q.scale(v)
}

fn main() {}
