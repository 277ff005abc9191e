//! Round 2, machine learning: written as an ML practitioner writes Rust, before reading
//! the support table.

use autodiff::grad;

/// Numerically stable softmax cross-entropy for one example.
#[grad]
pub fn softmax_cross_entropy(logits: &[f64], target: usize) -> f64 {
    let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let sum_exp: f64 = logits.iter().map(|&z| (z - max).exp()).sum();
    let log_z = max + sum_exp.ln();
    log_z - logits[target]
}

/// Mean squared error, differentiated only in the predictions.
#[grad(wrt(pred))]
pub fn mse_loss(pred: &[f64], target: &[f64]) -> f64 {
    let n = pred.len() as f64;
    pred.iter()
        .zip(target.iter())
        .map(|(p, t)| (p - t).powi(2))
        .sum::<f64>()
        / n
}

/// A dense layer with ReLU activation.
#[grad]
pub fn dense_relu(w: [[f64; 3]; 2], b: [f64; 2], x: [f64; 3]) -> [f64; 2] {
    let mut out = [0.0; 2];
    for i in 0..2 {
        let mut acc = b[i];
        for j in 0..3 {
            acc += w[i][j] * x[j];
        }
        out[i] = acc.max(0.0);
    }
    out
}

#[grad]
pub fn dot4(a: [f64; 4], b: [f64; 4]) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| x * y).sum()
}

/// Scaled dot-product attention of one query over a set of keys, pooling scalar values.
#[grad(wrt(q, keys, values))]
pub fn attention_pool(q: [f64; 4], keys: &[[f64; 4]], values: &[f64]) -> f64 {
    let scale = 1.0 / (4.0f64).sqrt();
    let scores: Vec<f64> = keys.iter().map(|k| dot4(q, *k) * scale).collect();
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
    let total: f64 = weights.iter().sum();
    weights.iter().zip(values).map(|(w, v)| w / total * v).sum()
}

const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPS: f64 = 1e-8;

/// One Adam step: returns (new parameter, new first moment, new second moment).
#[grad]
pub fn adam_step(param: f64, grad: f64, m: f64, v: f64, t: i32, lr: f64) -> (f64, f64, f64) {
    let m = BETA1 * m + (1.0 - BETA1) * grad;
    let v = BETA2 * v + (1.0 - BETA2) * grad * grad;
    let m_hat = m / (1.0 - BETA1.powi(t));
    let v_hat = v / (1.0 - BETA2.powi(t));
    let new_param = param - lr * m_hat / (v_hat.sqrt() + EPS);
    (new_param, m, v)
}

/// Layer normalisation with a scalar gain and bias.
// A `Vec<f64>` result: rejected on the first attempt at a5b95ac ("a #[grad] function must
// return a float … or a tuple of them, not `Vec<f64>`"); accepted as first written since
// e075413 (the companion takes `d_out: &[f64]`).
#[grad]
pub fn layer_norm(x: &[f64], gamma: f64, beta: f64) -> Vec<f64> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    let inv_std = 1.0 / (var + 1e-5).sqrt();
    x.iter()
        .map(|v| gamma * (v - mean) * inv_std + beta)
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    Tanh,
    Relu,
    Sigmoid,
}

#[derive(Clone, Copy, Default, autodiff::Tangent)]
pub struct Mlp {
    pub w1: [[f64; 2]; 3],
    pub b1: [f64; 3],
    pub w2: [f64; 3],
    pub b2: f64,
}

/// A two-layer perceptron with a configurable hidden activation, scored by squared error.
// `row[0]`, a row of `net.w1` bound by a `for` over a nested `zip`: rejected on the first
// attempt at a5b95ac ("only arrays and slices can be indexed in a #[grad] body", twice);
// accepted as first written since 80afad0.
#[grad(wrt(net))]
pub fn mlp_loss(net: Mlp, act: Activation, x: [f64; 2], y: f64) -> f64 {
    let mut hidden = [0.0; 3];
    for (h, (row, b)) in hidden.iter_mut().zip(net.w1.iter().zip(net.b1.iter())) {
        let z = row[0] * x[0] + row[1] * x[1] + b;
        *h = match act {
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.max(0.0),
            Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
        };
    }
    let out: f64 = hidden
        .iter()
        .zip(net.w2.iter())
        .map(|(h, w)| h * w)
        .sum::<f64>()
        + net.b2;
    0.5 * (out - y).powi(2)
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r2_softmax_cross_entropy() {
    let z = [0.4, -1.1, 2.3, 0.05, -0.6];
    for target in [0, 2, 4] {
        let mut dz = [0.0; 5];
        let y = softmax_cross_entropy_backward(&z, &mut dz, target, 1.0);
        assert_bits(y, softmax_cross_entropy(&z, target), "value");
        assert_fd(|p| softmax_cross_entropy(p, target), &z, &dz);
    }
}

#[test]
fn r2_mse_loss() {
    let pred = [0.5, -0.25, 1.75, 3.0];
    let target = [0.0, 0.5, 2.0, 2.5];
    let mut dp = [0.0; 4];
    let y = mse_loss_backward(&pred, &mut dp, &target, 1.0);
    assert_bits(y, mse_loss(&pred, &target), "value");
    assert_fd(|p| mse_loss(p, &target), &pred, &dp);
}

#[test]
fn r2_dense_relu() {
    // One unit active, one inactive.
    let w = [[0.5, -0.3, 0.8], [-0.7, 0.2, -0.4]];
    let b = [0.1, -0.2];
    let x = [1.0, 0.5, -0.25];
    let d_out = [0.75, -1.5];
    let (y, dw, db, dx) = dense_relu_backward(w, b, x, d_out);
    let want = dense_relu(w, b, x);
    for i in 0..2 {
        assert_bits(y[i], want[i], "value");
    }
    assert_fd(
        |p| dot(&dense_relu(arr2(p), arr(&p[6..]), arr(&p[8..])), &d_out),
        &cat(&[&flat2(&w), &b, &x]),
        &cat(&[&flat2(&dw), &db, &dx]),
    );
}

#[test]
fn r2_attention_pool() {
    let q = [0.3, -0.2, 0.9, 0.4];
    let keys = [
        [0.5, 0.1, -0.3, 0.8],
        [-0.6, 0.4, 0.2, 0.3],
        [0.1, -0.9, 0.7, -0.2],
    ];
    let values = [1.0, -0.5, 2.0];
    let mut dk = [[0.0; 4]; 3];
    let mut dv = [0.0; 3];
    let (y, dq) = attention_pool_backward(q, &keys, &mut dk, &values, &mut dv, 1.0);
    assert_bits(y, attention_pool(q, &keys, &values), "value");
    assert_fd(
        |p| {
            let k: [[f64; 4]; 3] = arr2(&p[4..]);
            attention_pool(arr(p), &k, &p[16..])
        },
        &cat(&[&q, &flat2(&keys), &values]),
        &cat(&[&dq, &flat2(&dk), &dv]),
    );
}

#[test]
fn r2_adam_step() {
    let (param, g, m, v, t, lr) = (0.8, -0.3, 0.05, 0.02, 3, 0.01);
    let d_out = (1.0, 0.5, -2.0);
    let ((p1, m1, v1), dp, dg, dm, dv, dlr) = adam_step_backward(param, g, m, v, t, lr, d_out);
    let (wp, wm, wv) = adam_step(param, g, m, v, t, lr);
    assert_bits(p1, wp, "param");
    assert_bits(m1, wm, "m");
    assert_bits(v1, wv, "v");
    assert_fd(
        |p| {
            let (a, b, c) = adam_step(p[0], p[1], p[2], p[3], t, p[4]);
            d_out.0 * a + d_out.1 * b + d_out.2 * c
        },
        &[param, g, m, v, lr],
        &[dp, dg, dm, dv, dlr],
    );
}

#[test]
fn r2_layer_norm() {
    let x = [0.3, -1.2, 2.0, 0.7, -0.1, 0.9];
    let (gamma, beta) = (1.3, -0.2);
    let d_out = [0.5, -1.0, 0.25, 2.0, -0.75, 0.1];
    let mut dx = [0.0; 6];
    let (y, dg, db) = layer_norm_backward(&x, &mut dx, gamma, beta, &d_out);
    let want = layer_norm(&x, gamma, beta);
    for i in 0..6 {
        assert_bits(y[i], want[i], "value");
    }
    assert_fd(
        |p| dot(&layer_norm(&p[..6], p[6], p[7]), &d_out),
        &cat(&[&x, &[gamma, beta]]),
        &cat(&[&dx, &[dg, db]]),
    );
}

fn r2_mlp_from(p: &[f64]) -> Mlp {
    Mlp {
        w1: arr2(&p[..6]),
        b1: arr(&p[6..9]),
        w2: arr(&p[9..12]),
        b2: p[12],
    }
}

#[test]
fn r2_mlp_loss() {
    let flat: Vec<f64> = (0..13)
        .map(|i| ((i * 5 % 13) as f64 - 6.0) * 0.17 + 0.01)
        .collect();
    let net = r2_mlp_from(&flat);
    let (x, y) = ([0.7, -0.4], 0.3);
    for act in [Activation::Tanh, Activation::Relu, Activation::Sigmoid] {
        let (v, d) = mlp_loss_backward(net, act, x, y, 1.0);
        assert_bits(v, mlp_loss(net, act, x, y), "value");
        let g = cat(&[&flat2(&d.w1), &d.b1, &d.w2, &[d.b2]]);
        assert_fd(|p| mlp_loss(r2_mlp_from(p), act, x, y), &flat, &g);
    }
}
