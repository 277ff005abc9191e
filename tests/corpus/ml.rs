//! Machine learning, written as an ML user writes it.
use autodiff::{grad, Tangent};

/// Logistic regression: mean negative log-likelihood over a small data set.
#[grad(wrt(w, b))]
pub fn logistic_loss(w: &[f64; 3], b: f64, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let z = w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + b;
        let p = 1.0 / (1.0 + (-z).exp());
        loss -= y * p.ln() + (1.0 - y) * (1.0 - p).ln();
    }
    loss / xs.len() as f64
}

/// Softmax cross-entropy of one example.
#[grad]
pub fn softmax_xent(logits: [f64; 4], label: usize) -> f64 {
    let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = logits.iter().map(|&z| (z - m).exp()).sum();
    -(logits[label] - m - sum.ln())
}

#[derive(Clone, Copy, Default, Tangent)]
pub struct Mlp {
    pub w1: [[f64; 3]; 4],
    pub b1: [f64; 4],
    pub w2: [f64; 4],
    pub b2: f64,
}

/// One hidden tanh layer.
#[grad]
pub fn mlp_forward(p: &Mlp, x: &[f64; 3]) -> f64 {
    let mut h = [0.0; 4];
    for i in 0..4 {
        let mut z = p.b1[i];
        for j in 0..3 {
            z += p.w1[i][j] * x[j];
        }
        h[i] = z.tanh();
    }
    h.iter().zip(p.w2.iter()).map(|(a, b)| a * b).sum::<f64>() + p.b2
}

/// Mean squared error of the MLP over a batch.
#[grad(wrt(p))]
pub fn mlp_loss(p: &Mlp, xs: &[[f64; 3]; 4], ys: &[f64; 4]) -> f64 {
    let mut loss = 0.0;
    for k in 0..4 {
        let e = mlp_forward(p, &xs[k]) - ys[k];
        loss += 0.5 * e * e;
    }
    loss / 4.0
}

const LN_EPS: f64 = 1e-5;

/// Layer normalisation with a learned gain and bias.
#[grad]
pub fn layer_norm(x: [f64; 5], gamma: [f64; 5], beta: [f64; 5]) -> [f64; 5] {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let inv = 1.0 / (var + LN_EPS).sqrt();
    let mut out = [0.0; 5];
    for i in 0..5 {
        out[i] = gamma[i] * (x[i] - mean) * inv + beta[i];
    }
    out
}

/// Scaled dot-product attention of one query over three keys.
#[grad]
pub fn attention(q: [f64; 4], k: [[f64; 4]; 3], v: [[f64; 4]; 3]) -> [f64; 4] {
    let scale = 1.0 / (4.0f64).sqrt();
    let mut scores = [0.0; 3];
    for i in 0..3 {
        scores[i] = q.iter().zip(k[i].iter()).map(|(a, b)| a * b).sum::<f64>() * scale;
    }
    let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut weights = [0.0; 3];
    let mut total = 0.0;
    for i in 0..3 {
        weights[i] = (scores[i] - max).exp();
        total += weights[i];
    }
    let mut out = [0.0; 4];
    for i in 0..3 {
        for d in 0..4 {
            out[d] += weights[i] / total * v[i][d];
        }
    }
    out
}

/// Huber loss, mean over the batch.
#[grad]
pub fn huber(pred: &[f64], target: &[f64], delta: f64) -> f64 {
    pred.iter()
        .zip(target)
        .map(|(p, t)| {
            let r = (p - t).abs();
            if r <= delta {
                0.5 * r * r
            } else {
                delta * (r - 0.5 * delta)
            }
        })
        .sum::<f64>()
        / pred.len() as f64
}

/// Binary cross-entropy with logits, the numerically stable form.
#[grad(wrt(logits))]
pub fn bce_with_logits(logits: &[f64], labels: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..logits.len() {
        let z = logits[i];
        let y = labels[i];
        total += z.max(0.0) - z * y + (1.0 + (-z.abs()).exp()).ln();
    }
    total / logits.len() as f64
}

const SQRT_2_OVER_PI: f64 = 0.7978845608028654;

/// GELU, the tanh approximation.
#[grad]
pub fn gelu(x: f64) -> f64 {
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + 0.044715 * x.powi(3))).tanh())
}

/// A GELU layer followed by a sum of squares.
#[grad]
pub fn gelu_energy(x: [f64; 4]) -> f64 {
    x.iter().map(|&v| gelu(v)).map(|g| g * g).sum()
}

/// Ridge regression on a row-major design matrix.
#[grad(wrt(w))]
pub fn ridge(w: &[f64], x: &[f64], y: &[f64], lambda: f64) -> f64 {
    let d = w.len();
    let mut sse = 0.0;
    // `chunks_exact`: rejected on the first attempt at cce7e0b; accepted as first written
    // since b9a6263.
    for (row, yi) in x.chunks_exact(d).zip(y) {
        let pred: f64 = row.iter().zip(w).map(|(xi, wi)| xi * wi).sum();
        sse += (pred - yi).powi(2);
    }
    sse + lambda * w.iter().map(|v| v * v).sum::<f64>()
}

/// Cosine embedding loss.
#[grad]
pub fn cosine_loss(a: [f64; 3], b: [f64; 3]) -> f64 {
    let dot: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    1.0 - dot / (na * nb)
}

/// KL(p || q) between two softmax distributions given by logits.
#[grad]
pub fn kl_logits(p_logits: [f64; 3], q_logits: [f64; 3]) -> f64 {
    let softmax = |z: [f64; 3]| -> [f64; 3] {
        let m = z[0].max(z[1]).max(z[2]);
        let e = [(z[0] - m).exp(), (z[1] - m).exp(), (z[2] - m).exp()];
        let s = e[0] + e[1] + e[2];
        [e[0] / s, e[1] / s, e[2] / s]
    };
    let p = softmax(p_logits);
    let q = softmax(q_logits);
    let mut kl = 0.0;
    for i in 0..3 {
        kl += p[i] * (p[i] / q[i]).ln();
    }
    kl
}

/// A 1-D convolution with ReLU, then global sum pooling.
#[grad]
pub fn conv1d_relu(x: &[f64], kernel: [f64; 3], bias: f64) -> f64 {
    // `windows`: rejected on the first attempt at cce7e0b; accepted as first written since
    // b9a6263.
    x.windows(3)
        .map(|w| w[0] * kernel[0] + w[1] * kernel[1] + w[2] * kernel[2] + bias)
        .map(|z| if z > 0.0 { z } else { 0.0 })
        .sum()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

const XS: [[f64; 3]; 4] = [
    [0.5, -1.2, 0.3],
    [1.5, 0.2, -0.7],
    [-0.3, 0.8, 1.1],
    [0.9, -0.4, -1.3],
];
const YS: [f64; 4] = [1.0, 0.0, 1.0, 0.0];

#[test]
fn logistic_regression() {
    let (w, b) = ([0.3, -0.5, 0.8], 0.1);
    let mut dw = [0.0; 3];
    let (y, db) = logistic_loss_backward(&w, &mut dw, b, &XS, &YS, 1.0);
    assert_bits(y, logistic_loss(&w, b, &XS, &YS), "value");
    let g = cat(&[&dw, &[db]]);
    assert_fd(
        |p| logistic_loss(&arr(p), p[3], &XS, &YS),
        &cat(&[&w, &[b]]),
        &g,
    );
}

#[test]
fn softmax_cross_entropy() {
    for (z, label) in [
        ([1.0, -0.5, 2.0, 0.3], 2),
        ([1000.0, 999.0, 998.5, 997.0], 1),
    ] {
        let (y, dz) = softmax_xent_backward(z, label, 1.0);
        assert_bits(y, softmax_xent(z, label), "value");
        // At ±1000 the step of plain central differences is 6e-3 (it scales with |x|),
        // whose truncation error is a few 1e-6: with Richardson extrapolation when
        // the plain check misses.
        prop_fd_deep(|p| softmax_xent(arr(p), label), &z, &dz).unwrap();
        // The gradient is softmax(z) - onehot(label).
        let e = z.map(|v| (v - z[0]).exp());
        let s: f64 = e.iter().sum();
        for i in 0..4 {
            let want = e[i] / s - if i == label { 1.0 } else { 0.0 };
            assert_near(dz[i], want, 1e-12, "softmax - onehot");
        }
    }
}

fn mlp_from(p: &[f64]) -> Mlp {
    Mlp {
        w1: arr2(&p[..12]),
        b1: arr(&p[12..16]),
        w2: arr(&p[16..20]),
        b2: p[20],
    }
}

fn mlp_flat(m: &Mlp) -> Vec<f64> {
    cat(&[&flat2(&m.w1), &m.b1, &m.w2, &[m.b2]])
}

#[test]
fn small_mlp() {
    let flat: Vec<f64> = (0..21)
        .map(|i| ((i * 7 % 11) as f64 - 5.0) * 0.13)
        .collect();
    let p = mlp_from(&flat);
    let mut dp = Mlp::default();
    let y = mlp_loss_backward(&p, &mut dp, &XS, &YS, 1.0);
    assert_bits(y, mlp_loss(&p, &XS, &YS), "value");
    assert_fd(|q| mlp_loss(&mlp_from(q), &XS, &YS), &flat, &mlp_flat(&dp));
    // The forward pass alone, with the gradient of the input too.
    let mut dp = Mlp::default();
    let mut dx = [0.0; 3];
    let y = mlp_forward_backward(&p, &mut dp, &XS[0], &mut dx, 1.0);
    assert_bits(y, mlp_forward(&p, &XS[0]), "value");
    let g = cat(&[&mlp_flat(&dp), &dx]);
    assert_fd(
        |q| mlp_forward(&mlp_from(q), &arr(&q[21..])),
        &cat(&[&flat, &XS[0]]),
        &g,
    );
}

#[test]
fn layer_normalisation() {
    let x = [0.3, -1.2, 2.0, 0.7, -0.1];
    let gamma = [1.0, 0.9, 1.1, 1.2, 0.8];
    let beta = [0.0, 0.1, -0.1, 0.2, 0.05];
    let d_out = [0.5, -1.0, 0.25, 2.0, -0.75];
    let (y, dx, dg, db) = layer_norm_backward(x, gamma, beta, d_out);
    let want = layer_norm(x, gamma, beta);
    for i in 0..5 {
        assert_bits(y[i], want[i], "value");
    }
    assert_fd(
        |p| dot(&layer_norm(arr(p), arr(&p[5..]), arr(&p[10..])), &d_out),
        &cat(&[&x, &gamma, &beta]),
        &cat(&[&dx, &dg, &db]),
    );
}

#[test]
fn attention_scores() {
    let q = [0.2, -0.4, 0.9, 0.1];
    let k = [
        [0.5, 0.1, -0.3, 0.8],
        [-0.6, 0.4, 0.2, 0.3],
        [0.1, -0.9, 0.7, -0.2],
    ];
    let v = [
        [1.0, 0.0, -1.0, 0.5],
        [0.3, 0.8, 0.2, -0.4],
        [-0.5, 0.6, 0.9, 0.1],
    ];
    let d_out = [1.0, -0.5, 0.25, 0.75];
    let (y, dq, dk, dv) = attention_backward(q, k, v, d_out);
    let want = attention(q, k, v);
    for i in 0..4 {
        assert_bits(y[i], want[i], "value");
    }
    assert_fd(
        |p| dot(&attention(arr(p), arr2(&p[4..]), arr2(&p[16..])), &d_out),
        &cat(&[&q, &flat2(&k), &flat2(&v)]),
        &cat(&[&dq, &flat2(&dk), &flat2(&dv)]),
    );
}

#[test]
fn huber_loss() {
    // Residuals on both sides of delta = 1, none at the kink.
    let pred = [0.5, 2.5, -1.0, 0.1];
    let target = [0.2, 0.0, 0.5, 0.3];
    let (mut dp, mut dt) = ([0.0; 4], [0.0; 4]);
    let (y, ddelta) = huber_backward(&pred, &mut dp, &target, &mut dt, 1.0, 1.0);
    assert_bits(y, huber(&pred, &target, 1.0), "value");
    assert_fd(
        |p| huber(&p[..4], &p[4..8], p[8]),
        &cat(&[&pred, &target, &[1.0]]),
        &cat(&[&dp, &dt, &[ddelta]]),
    );
}

#[test]
fn binary_cross_entropy() {
    let z = [2.0, -1.5, 0.3, -0.2, 4.0];
    let labels = [1.0, 0.0, 1.0, 1.0, 0.0];
    let mut dz = [0.0; 5];
    let y = bce_with_logits_backward(&z, &mut dz, &labels, 1.0);
    assert_bits(y, bce_with_logits(&z, &labels), "value");
    assert_fd(|p| bce_with_logits(p, &labels), &z, &dz);
}

#[test]
fn gelu_activation() {
    for x in [-1.3, 0.4, 2.2] {
        let (y, dx) = gelu_backward(x, 1.0);
        assert_bits(y, gelu(x), "value");
        assert_fd(|p| gelu(p[0]), &[x], &[dx]);
    }
    let x = [-1.3, 0.4, 2.2, -0.1];
    let (y, dx) = gelu_energy_backward(x, 1.0);
    assert_bits(y, gelu_energy(x), "value");
    assert_fd(|p| gelu_energy(arr(p)), &x, &dx);
}

#[test]
fn ridge_regression() {
    let x = [
        0.5, -1.2, 0.3, 1.5, 0.2, -0.7, -0.3, 0.8, 1.1, 0.9, -0.4, -1.3,
    ];
    let y = [1.0, -0.5, 0.7, 0.2];
    let w = [0.4, -0.2, 0.9];
    let mut dw = [0.0; 3];
    let v = ridge_backward(&w, &mut dw, &x, &y, 0.1, 1.0);
    assert_bits(v, ridge(&w, &x, &y, 0.1), "value");
    assert_fd(|p| ridge(p, &x, &y, 0.1), &w, &dw);
}

#[test]
fn cosine_embedding_loss() {
    let (a, b) = ([0.3, -1.0, 2.0], [1.5, 0.4, -0.6]);
    let (y, da, db) = cosine_loss_backward(a, b, 1.0);
    assert_bits(y, cosine_loss(a, b), "value");
    assert_fd(
        |p| cosine_loss(arr(p), arr(&p[3..])),
        &cat(&[&a, &b]),
        &cat(&[&da, &db]),
    );
}

#[test]
fn kl_divergence() {
    let (p, q) = ([0.3, -1.0, 2.0], [1.5, 0.4, -0.6]);
    let (y, dp, dq) = kl_logits_backward(p, q, 1.0);
    assert_bits(y, kl_logits(p, q), "value");
    assert_fd(
        |x| kl_logits(arr(x), arr(&x[3..])),
        &cat(&[&p, &q]),
        &cat(&[&dp, &dq]),
    );
}

#[test]
fn convolution_relu() {
    let x = [0.3, -1.0, 2.0, 0.5, -0.4, 1.2, 0.8];
    let kernel = [0.5, -0.3, 0.8];
    let mut dx = [0.0; 7];
    let (y, dk, db) = conv1d_relu_backward(&x, &mut dx, kernel, 0.1, 1.0);
    assert_bits(y, conv1d_relu(&x, kernel, 0.1), "value");
    assert_fd(
        |p| conv1d_relu(&p[..7], arr(&p[7..]), p[10]),
        &cat(&[&x, &kernel, &[0.1]]),
        &cat(&[&dx, &dk, &[db]]),
    );
}
