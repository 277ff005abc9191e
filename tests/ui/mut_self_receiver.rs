use autodiff::grad;

struct Model {
    w: f64,
}

impl Model {
    #[grad]
    fn predict(&mut self, x: f64) -> f64 {
        self.w * x
    }
}

fn main() {}
