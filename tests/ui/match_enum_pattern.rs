use autodiff::grad;

pub enum Kind {
    Linear(usize),
    Flat,
}

// Variants of the user's enums are not patterns a #[grad] `match` knows (`Option`
// and `Result` are).
#[grad(wrt(x))]
fn f(x: f64, k: &Kind) -> f64 {
    match k {
        Kind::Linear(n) => x * *n as f64,
        Kind::Flat => x,
    }
}

fn main() {}
