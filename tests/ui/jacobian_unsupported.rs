use autodiff::grad;

#[grad(jacobian)]
fn scalar(x: [f64; 2]) -> f64 {
    x[0] * x[1]
}

#[grad(jacobian)]
fn slice(x: &[f64]) -> [f64; 2] {
    [x[0] * x[1], x[1].sin()]
}

fn main() {}
