use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    fn sq(t: f64) -> f64 {
        t * t
    }
    sq(x)
}

fn main() {}
