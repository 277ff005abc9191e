use autodiff::grad;

#[grad(hvp)]
fn field(x: [f64; 2]) -> [f64; 2] {
    [x[0] * x[1], x[0].sin()]
}

#[grad]
fn sq(x: f64) -> f64 {
    x * x
}

#[grad(hvp)]
fn calls(x: f64) -> f64 {
    sq(x).exp()
}

fn main() {}
