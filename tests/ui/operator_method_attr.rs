use autodiff::{grad, Tangent};

#[derive(Tangent, Clone, Copy, Default)]
pub struct Vec2 {
    pub x: f64,
    pub y: f64,
}

// `#[grad]` on the method of an operator's impl: it belongs on the impl block.
impl std::ops::Add for Vec2 {
    type Output = Vec2;
    #[grad]
    fn add(self, o: Vec2) -> Vec2 {
        Vec2 {
            x: self.x + o.x,
            y: self.y + o.y,
        }
    }
}

fn main() {}
