//! The sigmoid neuron of CS231n lecture 4 ("Backpropagation, intuitions"),
//! differentiated by `#[grad]`.
//!
//! The neuron computes `f(w, x) = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2)))`. The
//! lecture works its gradient out by hand at `w = [2, -3, -3]`,
//! `x = [-1, -2]`: `f = 0.73`, `dw = [-0.20, -0.39, 0.20]`,
//! `dx = [0.39, -0.59]`. Here the attribute writes `neuron_backward`, which
//! returns the value and both gradients in one call, and a finite-difference
//! check confirms all five partial derivatives. `#[grad(graph)]` also writes
//! `neuron_graph`, which runs the same sweeps and returns the computational
//! graph with every operation's value and gradient: the example draws it to
//! `docs/neuron_graph.svg`, the lecture's figure for this very function.
//!
//! Run it with
//!
//! ```text
//! cargo run --example neuron
//! ```

use autodiff::{check_gradient, grad};
use std::path::Path;

/// A two-input neuron with weights `w[0]`, `w[1]` and bias `w[2]`, followed
/// by the logistic sigmoid.
///
/// `#[grad(graph)]` keeps this function as written and adds
/// `neuron_backward(w, x, d_out) -> (value, dw, dx)` and
/// `neuron_graph(w, x, d_out) -> autodiff::Graph`.
#[grad(graph)]
pub fn neuron(w: [f64; 3], x: [f64; 2]) -> f64 {
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    1.0 / (1.0 + (-dot).exp())
}

fn main() {
    let w = [2.0, -3.0, -3.0];
    let x = [-1.0, -2.0];

    // One reverse sweep: the output cotangent is 1.0 for d(value)/d(inputs).
    let (value, dw, dx) = neuron_backward(w, x, 1.0);
    println!("f(w, x) = {value:.4}");
    println!("dw      = [{:.4}, {:.4}, {:.4}]", dw[0], dw[1], dw[2]);
    println!("dx      = [{:.4}, {:.4}]", dx[0], dx[1]);

    // The values worked out by hand in the lecture notes.
    let close = |a: f64, b: f64| (a - b).abs() < 1e-4;
    assert!(close(value, 0.7311), "value {value}");
    for (got, want) in dw.iter().zip([-0.1966, -0.3932, 0.1966]) {
        assert!(close(*got, want), "dw {dw:?}");
    }
    for (got, want) in dx.iter().zip([0.3932, -0.5898]) {
        assert!(close(*got, want), "dx {dx:?}");
    }

    // Central differences on all five inputs, packed as [w0, w1, w2, x0, x1].
    let point = [w[0], w[1], w[2], x[0], x[1]];
    let analytic = [dw[0], dw[1], dw[2], dx[0], dx[1]];
    let check = check_gradient(
        |p| neuron([p[0], p[1], p[2]], [p[3], p[4]]),
        &point,
        &analytic,
    );
    println!("{check}");
    check.assert_ok();

    // The computational graph of the same call: each operation with its
    // value and, below it, the gradient of f with respect to it.
    let graph = neuron_graph(w, x, 1.0);
    let exp = graph.find("exp").next().expect("an exp node");
    println!(
        "exp(-dot) = {:.2}, its gradient {:.2}",
        exp.value[0],
        exp.grad.as_ref().unwrap()[0]
    );
    assert!(close(exp.value[0], 0.3679) && close(exp.grad.as_ref().unwrap()[0], -0.5344));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/neuron_graph.svg");
    std::fs::write(&path, graph.to_svg()).expect("write docs/neuron_graph.svg");
    println!(
        "wrote docs/neuron_graph.svg ({} nodes)",
        graph.nodes().len()
    );
}
