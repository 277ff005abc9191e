use autodiff::grad;

/// A hand-written companion has no body for the macro to draw.
#[grad(custom, graph)]
fn cube(x: f64) -> f64 {
    x * x * x
}

fn cube_backward(x: f64, d_out: f64) -> (f64, f64) {
    (x * x * x, 3.0 * x * x * d_out)
}

fn main() {}
