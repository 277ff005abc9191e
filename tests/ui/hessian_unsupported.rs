use autodiff::grad;

#[grad(hessian)]
fn two_params(x: [f64; 2], y: f64) -> f64 {
    x[0] * x[1] * y
}

fn main() {}
