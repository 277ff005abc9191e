//! `#[grad(graph)]`: `<name>_graph` returns the computational graph of one
//! call. Each test writes it as DOT, reads it back (`graph/dot.rs`) and checks
//! it against the function (the output nodes' values), against `_backward`
//! and central differences (the inputs' gradients), against the chain rule
//! (every intermediate gradient, from its readers' gradients and the local
//! derivatives at the values shown), and against the lecture's numbers.
//! Tolerances: values and gradients that `_backward` computes by the same
//! operations agree to 1e-12 (relative); finite differences to 1e-6.

mod common;
#[path = "graph/dot.rs"]
mod dot;

use autodiff::{grad, Tangent};
use common::{assert_all_near, assert_fd, assert_near};
use dot::{assert_chain_rule, parse, Dot};
use proptest::prelude::*;

const TIGHT: f64 = 1e-12;

/// The graph of a call, through DOT.
fn read(g: &autodiff::Graph) -> Dot {
    let d = parse(&g.to_dot());
    assert_eq!(d.nodes.len(), g.nodes().len());
    assert_eq!(d.edges, g.edges());
    d
}

// ---------------------------------------------------------------- the neuron (CS231n)

/// The sigmoid neuron of CS231n lecture 4.
#[grad(graph)]
fn neuron(w: [f64; 3], x: [f64; 2]) -> f64 {
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    1.0 / (1.0 + (-dot).exp())
}

#[test]
fn neuron_matches_the_lecture() {
    let (w, x) = ([2.0, -3.0, -3.0], [-1.0, -2.0]);
    let g = read(&neuron_graph(w, x, 1.0));
    // The lecture's figure: f = 0.73; the gradients on w and x; the dot
    // product 1.00 with gradient 0.20; exp(-1) = 0.37 with gradient -0.53;
    // 1 + e = 1.37 with gradient -0.53; the inputs of the first `*`: w0 = 2
    // (gradient -0.20) and x0 = -1 (gradient 0.39).
    let out = g.outputs();
    assert_eq!(out.len(), 1);
    assert_near(out[0].v(), 0.7311, 1e-4, "f");
    assert_near(out[0].g(), 1.0, 0.0, "d_out");
    let dot = g.one("dot = +");
    assert_near(dot.v(), 1.0, 1e-12, "dot");
    assert_near(dot.g(), 0.1966, 1e-4, "d dot");
    assert_near(g.one("exp").v(), 0.3679, 1e-4, "exp");
    assert_near(g.one("exp").g(), -0.5344, 1e-4, "d exp");
    assert_near(g.one("w[0]").g(), -0.1966, 1e-4, "d w0");
    assert_near(g.one("x[0]").g(), 0.3932, 1e-4, "d x0");
    assert_all_near(
        &g.input("w").grad.clone().unwrap(),
        &[-0.1966, -0.3932, 0.1966],
        1e-4,
        "dw",
    );
    assert_all_near(
        &g.input("x").grad.clone().unwrap(),
        &[0.3932, -0.5898],
        1e-4,
        "dx",
    );
    // One node per operation: 2 inputs, 5 loads, 2 `*`, 2 `+` of the dot
    // product, `neg`, `exp`, the constant 1 (shared), `+`, `/`.
    assert_eq!(g.nodes.len(), 16);
    for n in &g.nodes {
        let constant = n.op.parse::<f64>().is_ok();
        assert_eq!(n.grad.is_some(), !constant, "{}", n.label);
    }
    assert!(assert_chain_rule(&g, TIGHT) >= 12);
}

/// Checks the graph of `neuron` at a point against the function, its
/// companion, finite differences and the chain rule.
fn check_neuron(w: [f64; 3], x: [f64; 2], d_out: f64) {
    let g = read(&neuron_graph(w, x, d_out));
    let (value, dw, dx) = neuron_backward(w, x, d_out);
    assert_near(g.outputs()[0].v(), neuron(w, x), TIGHT, "value");
    assert_near(g.outputs()[0].g(), d_out, 0.0, "d_out");
    assert_near(value, neuron(w, x), 0.0, "backward value");
    assert_all_near(&g.input("w").grad.clone().unwrap(), &dw, TIGHT, "dw");
    assert_all_near(&g.input("x").grad.clone().unwrap(), &dx, TIGHT, "dx");
    let grads = [
        g.input("w").grad.clone().unwrap(),
        g.input("x").grad.clone().unwrap(),
    ]
    .concat();
    let scaled: Vec<f64> = grads.iter().map(|v| v / d_out).collect();
    assert_fd(
        |p| neuron([p[0], p[1], p[2]], [p[3], p[4]]),
        &[w[0], w[1], w[2], x[0], x[1]],
        &scaled,
    );
    assert!(assert_chain_rule(&g, TIGHT) >= 12);
}

proptest! {
    #![proptest_config(common::config())]
    #[test]
    fn neuron_graphs_agree_with_backward(
        w in common::floats::<3>(-3.0, 3.0),
        x in common::floats::<2>(-3.0, 3.0),
        d in common::cotangent(),
    ) {
        check_neuron(w, x, d);
    }
}

// ---------------------------------------------------------------- ‖Wx‖² (CS231n)

/// `‖W x‖²`, the matrix example of CS231n's backpropagation notes.
#[grad(graph)]
fn wx_norm(w: [[f64; 2]; 2], x: [f64; 2]) -> f64 {
    let mut q = [0.0; 2];
    for i in 0..2 {
        for j in 0..2 {
            q[i] += w[i][j] * x[j];
        }
    }
    q[0] * q[0] + q[1] * q[1]
}

#[test]
fn wx_norm_matches_the_notes() {
    let (w, x) = ([[0.1, 0.5], [-0.3, 0.8]], [0.2, 0.4]);
    let g = read(&wx_norm_graph(w, x, 1.0));
    // The notes: f = 0.116, dW = 2 q xᵀ = [[0.088, 0.176], [0.104, 0.208]],
    // dx = 2 Wᵀ q = [-0.112, 0.636].
    assert_near(g.outputs()[0].v(), 0.116, 1e-12, "f");
    assert_all_near(
        &g.input("w").grad.clone().unwrap(),
        &[0.088, 0.176, 0.104, 0.208],
        1e-12,
        "dW",
    );
    assert_all_near(
        &g.input("x").grad.clone().unwrap(),
        &[-0.112, 0.636],
        1e-12,
        "dx",
    );
    // Four iterations of the inner body, each a product and an update of q,
    // the iterations (i, j) in order.
    let updates = g.with_head("q[i] +=");
    assert_eq!(updates.len(), 4);
    let its: Vec<Vec<usize>> = updates.iter().map(|n| n.iteration.clone()).collect();
    assert_eq!(its, [[0, 0], [0, 1], [1, 0], [1, 1]]);
    // q after the loops: W x = [0.22, 0.26], with gradient 2 q.
    let last = updates[3];
    assert_all_near(&last.value, &[0.22, 0.26], 1e-12, "q");
    assert_all_near(last.grad.as_ref().unwrap(), &[0.44, 0.52], 1e-12, "dq");
    // Each product w[i][j] * x[j] has the gradient of q[i].
    for (n, want) in g.with_head("*").iter().zip([0.44, 0.44, 0.52, 0.52]) {
        assert_near(n.g(), want, 1e-12, "d w[i][j] x[j]");
    }
    let (_, dw, dx) = wx_norm_backward(w, x, 1.0);
    assert_all_near(
        &g.input("w").grad.clone().unwrap(),
        &common::flat2(&dw),
        TIGHT,
        "dW",
    );
    assert_all_near(&g.input("x").grad.clone().unwrap(), &dx, TIGHT, "dx");
    assert!(assert_chain_rule(&g, TIGHT) >= 8);
}

// ---------------------------------------------------------------- loops: per iteration, then folded

/// A sum over `n` iterations of a recurrence.
#[grad(graph)]
fn waves(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    let mut p = x;
    for k in 0..n {
        s += (p * k as f64).sin();
        p *= 1.01;
    }
    s
}

#[test]
fn loops_are_drawn_per_iteration_then_folded() {
    let shown = autodiff::graph::ITERATIONS_SHOWN;
    for n in [0, 1, 5, shown, shown + 1, 20, 1000] {
        let x = 0.3;
        let g = read(&waves_graph(x, n, 1.0));
        let (value, dx) = waves_backward(x, n, 1.0);
        // Every operation of the body: one node per iteration up to the
        // limit, then one folded node for the other iterations; the constant
        // 1.01 once.
        for head in ["sin", "s = +", "p = *", "k as float"] {
            let nodes = g.with_head(head);
            assert_eq!(
                nodes.len(),
                n.min(shown) + usize::from(n > shown),
                "{head} at n = {n}"
            );
            for (k, node) in nodes.iter().enumerate() {
                assert_eq!(node.iteration, [k.min(shown)], "{head}");
                let folded = (n > shown && k == shown).then(|| n - shown);
                assert_eq!(node.folded, folded, "{head} at n = {n}");
            }
        }
        assert_eq!(g.with_head("1.01").len(), usize::from(n > 0));
        // The folded cast shows the last iteration.
        if n > shown {
            assert_eq!(g.with_head("k as float")[shown].v(), (n - 1) as f64);
        }
        // The result: the last `s` (or its initial value), marked.
        let out = g.outputs();
        assert_eq!(out.len(), 1);
        assert_near(out[0].v(), waves(x, n), TIGHT, "value");
        assert_near(value, waves(x, n), 0.0, "backward value");
        // x's gradient: the companion's, and the differences'.
        let gx = g.input("x").g();
        assert_near(gx, dx, TIGHT * dx.abs().max(1.0), "dx");
        // (Past 20 iterations, sin(p k) turns too fast for differences.)
        if n <= 20 {
            assert_fd(|p| waves(p[0], n), &[x], &[gx]);
        }
        // Intermediate gradients: the chain rule holds wherever no folded
        // node is involved.
        let checked = assert_chain_rule(&g, TIGHT);
        assert!(
            checked >= 3 * n.min(shown).saturating_sub(1),
            "checked {checked} at n = {n}"
        );
        // Edges: iteration k reads p from iteration k - 1.
        for k in 1..n.min(shown) {
            let p_prev = g
                .nodes
                .iter()
                .position(|m| m.head() == "p = *" && m.iteration == [k - 1])
                .unwrap();
            let p_here = g
                .nodes
                .iter()
                .position(|m| m.head() == "p = *" && m.iteration == [k])
                .unwrap();
            assert_eq!(g.operands(p_here)[0], p_prev);
        }
    }
}

/// An `if` and a `while`: the branch taken is drawn, iterations as they ran.
#[grad(graph)]
fn branchy(x: f64, y: f64) -> f64 {
    let z = if x > y { x * y } else { x + y };
    let mut s = z;
    while s < 10.0 {
        s = s * 2.0 + x;
    }
    s
}

#[test]
fn branches_and_while_loops() {
    for (x, y, op) in [(0.5, 0.7, "z = +"), (3.0, 2.0, "z = *")] {
        let g = read(&branchy_graph(x, y, 1.0));
        let (value, dx, dy) = branchy_backward(x, y, 1.0);
        assert_eq!(g.with_head(op).len(), 1, "the branch taken");
        assert_eq!(g.with_head("z = +").len() + g.with_head("z = *").len(), 1);
        assert_near(g.outputs()[0].v(), value, TIGHT, "value");
        assert_near(g.input("x").g(), dx, TIGHT, "dx");
        assert_near(g.input("y").g(), dy, TIGHT, "dy");
        assert_fd(|p| branchy(p[0], p[1]), &[x, y], &[dx, dy]);
        // As many doublings as the loop ran.
        let mut s = g.one(op).v();
        let mut runs = 0;
        while s < 10.0 {
            s = s * 2.0 + x;
            runs += 1;
        }
        assert_eq!(g.with_head("s = +").len(), runs);
        assert!(assert_chain_rule(&g, TIGHT) >= 2 * runs);
    }
}

// ---------------------------------------------------------------- structs, slices, calls, f32, generics

#[derive(Clone, Copy, Debug, Tangent)]
struct Affine {
    w: [f64; 2],
    b: f64,
}

#[grad]
fn predict(p: &Affine, x: &[f64]) -> f64 {
    p.w[0] * x[0] + p.w[1] * x[1] + p.b
}

/// A struct parameter, a slice, and a call of another `#[grad]` function.
#[grad(graph)]
fn squared_error(p: &Affine, x: &[f64], target: f64) -> f64 {
    let e = predict(p, x) - target;
    e * e
}

#[test]
fn structs_slices_and_calls() {
    let p = Affine {
        w: [0.5, -1.0],
        b: 0.25,
    };
    let x = [1.0, 2.0];
    let g = read(&squared_error_graph(&p, &x, 0.5, 1.0));
    let mut dp = Affine {
        w: [0.0; 2],
        b: 0.0,
    };
    let mut dx = [0.0; 2];
    let (value, dt) = squared_error_backward(&p, &mut dp, &x, &mut dx, 0.5, 1.0);
    assert_near(g.outputs()[0].v(), value, TIGHT, "value");
    // The struct is an input whose value (a struct) is not shown.
    let input = g.input("p");
    assert!(input.value.is_empty() && input.grad.is_none());
    assert_all_near(&g.input("x").grad.clone().unwrap(), &dx, TIGHT, "dx");
    assert_near(g.input("target").g(), dt, TIGHT, "d target");
    // The call is one node, reading p and x, with the gradient of its result.
    let call = g.one("predict(..)");
    let k = g
        .nodes
        .iter()
        .position(|n| n.head() == "predict(..)")
        .unwrap();
    let reads: Vec<&str> = g.operands(k).iter().map(|&a| g.nodes[a].head()).collect();
    assert_eq!(reads, ["p", "x"]);
    assert_near(call.v(), predict(&p, &x), TIGHT, "predict");
    assert_near(call.g(), 2.0 * (call.v() - 0.5), TIGHT, "d predict");
    assert!(assert_chain_rule(&g, TIGHT) >= 2);
    // Fields read one by one are inputs of their own.
    let g = read(&affine_loss_graph(&p, &x, 1.0));
    let mut dp = Affine {
        w: [0.0; 2],
        b: 0.0,
    };
    let mut dx = [0.0; 2];
    affine_loss_backward(&p, &mut dp, &x, &mut dx, 1.0);
    assert_all_near(&g.input("p.w").grad.clone().unwrap(), &dp.w, TIGHT, "dp.w");
    assert_near(g.input("p.b").g(), dp.b, TIGHT, "dp.b");
    assert_all_near(&g.input("x").grad.clone().unwrap(), &dx, TIGHT, "dx");
    assert!(assert_chain_rule(&g, TIGHT) >= 4);
}

/// The fields of a struct parameter read one by one.
#[grad(graph)]
fn affine_loss(p: &Affine, x: &[f64]) -> f64 {
    let y = p.w[0] * x[0] + p.w[1] * x[1] + p.b;
    y.tanh()
}

/// In `f32`, and generic.
#[grad(graph)]
fn poly<T: autodiff::Real>(x: T, c: [T; 3]) -> T {
    c[0] + x * (c[1] + x * c[2])
}

#[test]
fn f32_and_generic_functions() {
    let g = read(&poly_graph(2.0f32, [1.0, -1.0, 0.5], 1.0));
    let (value, dx, dc) = poly_backward(2.0f32, [1.0, -1.0, 0.5], 1.0);
    assert_eq!(g.outputs()[0].v(), f64::from(value));
    assert_eq!(g.input("x").g(), f64::from(dx));
    let dc: Vec<f64> = dc.iter().map(|v| f64::from(*v)).collect();
    assert_eq!(g.input("c").grad.clone().unwrap(), dc);
    let g = read(&poly_graph(2.0f64, [1.0, -1.0, 0.5], -2.0));
    assert_near(g.outputs()[0].v(), 1.0, 0.0, "value");
    // d/dx = c1 + 2 c2 x = 1, times d_out.
    assert_near(g.input("x").g(), -2.0, TIGHT, "dx");
    assert!(assert_chain_rule(&g, TIGHT) >= 4);
}

// ---------------------------------------------------------------- the drawing

#[test]
fn svg_has_a_box_per_node_and_dot_escapes() {
    let g = neuron_graph([2.0, -3.0, -3.0], [-1.0, -2.0], 1.0);
    let svg = g.to_svg();
    assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<rect").count(), g.nodes().len());
    // Every box shows its label's first line.
    for n in g.nodes() {
        assert!(
            svg.contains(&n.label().replace('>', "&gt;")),
            "{}",
            n.label()
        );
    }
    let empty = autodiff::Graph::default();
    assert!(empty.to_svg().contains("<svg"));
    assert_eq!(empty.to_dot().lines().count(), 4);
}

// ---------------------------------------------------------------- strict lint levels

/// `_graph` companions under the strictest lint levels (`cargo clippy
/// --all-targets -- -D warnings` checks that none of them warns): branches,
/// loops with fixed and run-time tapes, slices, generics, structs, calls.
mod strict {
    #![deny(warnings)]
    #![forbid(unsafe_code)]
    #![deny(clippy::pedantic)]

    use autodiff::{grad, Real, Tangent};

    #[grad(graph)]
    #[must_use]
    pub fn scalar(x: f64, y: f64) -> f64 {
        let a = x * y + x.sin() * y.cos();
        let b = if a > 1.0 { a.ln() } else { a.exp() };
        autodiff::sigmoid(b) + x.powi(3)
    }

    #[grad(graph)]
    #[must_use]
    pub fn runtime_tape(x: &[f64]) -> f64 {
        let mut p = 1.0;
        for v in x {
            p = (p * v).sin();
        }
        p
    }

    #[grad(graph)]
    #[must_use]
    pub fn fixed_tape(x: &[f64; 8]) -> f64 {
        let mut p = 1.0;
        for v in x {
            p = (p * v).sin();
        }
        p
    }

    #[grad(graph)]
    #[must_use]
    pub fn generic<T: Real>(x: [T; 2], k: T) -> T {
        let mut s = T::ZERO;
        let mut i = 0;
        while i < 2 && s < k {
            s += x[i] * x[i];
            i += 1;
        }
        s.sqrt()
    }

    #[derive(Clone, Copy, Tangent)]
    pub struct P {
        pub w: [f64; 2],
        pub b: f64,
    }

    #[grad]
    #[must_use]
    pub fn inner(p: &P, x: f64) -> f64 {
        p.w[0] * x + p.w[1] * x * x + p.b
    }

    #[grad(graph)]
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // the user's cast
    pub fn outer(p: &P, xs: &[f64], target: f64) -> f64 {
        let mut loss = 0.0;
        for x in xs {
            let e = inner(p, *x) - target;
            loss += e * e;
        }
        loss / xs.len() as f64
    }
}

#[test]
fn strict_companions_run() {
    let p = strict::P {
        w: [0.5, -0.25],
        b: 0.1,
    };
    for (g, value) in [
        (
            strict::scalar_graph(0.3, 0.7, 1.0),
            strict::scalar(0.3, 0.7),
        ),
        (
            strict::runtime_tape_graph(&[0.5, 1.5, -0.5], 1.0),
            strict::runtime_tape(&[0.5, 1.5, -0.5]),
        ),
        (
            strict::fixed_tape_graph(&[0.9; 8], 1.0),
            strict::fixed_tape(&[0.9; 8]),
        ),
        (
            strict::generic_graph([0.6, 0.8], 5.0, 1.0),
            strict::generic([0.6, 0.8], 5.0),
        ),
        (
            strict::outer_graph(&p, &[1.0, 2.0], 0.5, 1.0),
            strict::outer(&p, &[1.0, 2.0], 0.5),
        ),
    ] {
        let g = read(&g);
        assert_near(g.outputs()[0].v(), value, TIGHT, "value");
        assert_chain_rule(&g, TIGHT);
    }
}
