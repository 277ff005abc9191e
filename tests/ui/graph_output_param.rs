use autodiff::grad;

/// `#[grad(graph)]` draws functions that return their result; this one writes
/// it into an output parameter.
#[grad(graph)]
fn scale(x: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] = 2.0 * x[i];
    }
}

fn main() {}
