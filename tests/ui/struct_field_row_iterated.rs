use autodiff::{grad, Tangent};

#[derive(Tangent, Clone)]
pub struct Dense {
    weights: Vec<Vec<f64>>,
    bias: Vec<f64>,
}

// A row of a struct field of unknown shape is indexed (`row[k]`), not iterated yet.
#[grad]
fn energy(layer: &Dense, input: &[f64]) -> f64 {
    let mut total = 0.0;
    for (row, b) in layer.weights.iter().zip(layer.bias.iter()) {
        let pre: f64 = row.iter().zip(input).map(|(w, x)| w * x).sum::<f64>() + b;
        total += pre.tanh();
    }
    total
}

fn main() {}
