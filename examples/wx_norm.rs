//! `‖W x‖²`, the matrix example of CS231n's backpropagation notes, drawn as a
//! computational graph with its values and gradients.
//!
//! At `W = [[0.1, 0.5], [-0.3, 0.8]]`, `x = [0.2, 0.4]` the notes work out
//! `f = 0.116`, `dW = 2 q xᵀ = [[0.088, 0.176], [0.104, 0.208]]` and
//! `dx = 2 Wᵀ q = [-0.112, 0.636]` (with `q = W x`). `#[grad(graph)]` writes
//! `wx_norm_graph`, which returns every operation of the function with its
//! value and gradient, the loops unrolled: this example checks the notes'
//! numbers on it and draws it to `docs/wx_norm_graph.svg`.
//!
//! Run it with
//!
//! ```text
//! cargo run --example wx_norm
//! ```

use autodiff::grad;
use std::path::Path;

/// `‖W x‖²` with the product written as loops.
#[grad(graph)]
pub fn wx_norm(w: [[f64; 2]; 2], x: [f64; 2]) -> f64 {
    let mut q = [0.0; 2];
    for i in 0..2 {
        for j in 0..2 {
            q[i] += w[i][j] * x[j];
        }
    }
    q[0] * q[0] + q[1] * q[1]
}

fn main() {
    let w = [[0.1, 0.5], [-0.3, 0.8]];
    let x = [0.2, 0.4];
    let graph = wx_norm_graph(w, x, 1.0);

    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-12);
    let output = graph.nodes().iter().find(|n| n.output).expect("an output");
    let input = |name: &str| {
        graph
            .nodes()
            .iter()
            .find(|n| n.input && n.name.as_deref() == Some(name))
            .expect("an input")
    };
    let (dw, dx) = (input("w").grad.clone(), input("x").grad.clone());
    println!("f  = {:.3}", output.value[0]);
    println!("dW = {:?}", dw.as_deref().unwrap_or_default());
    println!("dx = {:?}", dx.as_deref().unwrap_or_default());
    assert!(close(&output.value, &[0.116]));
    assert!(close(&dw.unwrap(), &[0.088, 0.176, 0.104, 0.208]));
    assert!(close(&dx.unwrap(), &[-0.112, 0.636]));

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/wx_norm_graph.svg");
    std::fs::write(&path, graph.to_svg()).expect("write docs/wx_norm_graph.svg");
    println!(
        "wrote docs/wx_norm_graph.svg ({} nodes)",
        graph.nodes().len()
    );
}
