//! Round 6, machine learning: written as an ML practitioner writes Rust, before
//! reading the support table (a binary focal loss, a `Linear` layer struct with a
//! `forward` method under RMS normalisation, causal self-attention, label smoothing
//! over a `#[grad]` log-softmax helper, an InfoNCE contrastive loss).
#![allow(clippy::ptr_arg)]

use autodiff::{grad, Tangent};

/// Mean binary focal loss (Lin et al. 2017) of logits against 0/1 targets:
/// `-(1 - p_t)^γ ln p_t`, with `p_t` the predicted probability of the true class.
#[grad(wrt(logits))]
pub fn focal_loss(logits: &[f64], targets: &[f64], gamma: f64) -> f64 {
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let total: f64 = logits
        .iter()
        .zip(targets.iter())
        .map(|(&z, &t)| {
            let p = sigmoid(z);
            let p_t = t * p + (1.0 - t) * (1.0 - p);
            -(1.0 - p_t).powf(gamma) * p_t.ln()
        })
        .sum();
    total / logits.len() as f64
}

/// A fully connected layer `y = W x + b`.
#[derive(Tangent, Clone, Debug)]
pub struct Linear {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

impl Linear {
    /// `W x + b`.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default): rejected at 7cb23e9, at d4b6ca5 and at 5e8c305's parent
    // 9d384e5 with E0080 "`Linear::forward` does not differentiate its first parameter (a
    // method's `self` is data unless …)", with a stray E0061 beside it. The rewrite had
    // `#[grad(wrt(self, x))]`.
    #[grad]
    pub fn forward(&self, x: &[f64]) -> Vec<f64> {
        self.w
            .iter()
            .zip(&self.b)
            .map(|(row, b)| row.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + b)
            .collect()
    }
}

/// RMS normalisation (Zhang & Sennrich 2019): `x / sqrt(mean(x²) + eps) * g`.
// As first written (`#[grad(wrt(x, g))]`), and called as first written since 8430b27
// (see `rms_linear_loss`). It was rejected at 7cb23e9 where `rms_linear_loss` calls it
// as `rms_norm(&h, gain, 1e-6)`: E0308 "expected `Vec<f64>`, found `(_, _)`" in the
// generated code (a caller assumed every by-value float parameter of the callee
// differentiated), still at d4b6ca5, 5e8c305 and 8430b27's parent 3fb5f9d; the rewrite
// was a plain `#[grad]` here, then (7a8c6a6) this `wrt` with the call passing
// `autodiff::no_grad(1e-6)`.
#[grad(wrt(x, g))]
pub fn rms_norm(x: &[f64], g: &[f64], eps: f64) -> Vec<f64> {
    let ms = x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64;
    let inv = 1.0 / (ms + eps).sqrt();
    x.iter().zip(g).map(|(v, gi)| v * inv * gi).collect()
}

/// Half the squared error of an RMS-normalised linear layer's output against a target.
#[grad(wrt(layer, gain))]
pub fn rms_linear_loss(layer: &Linear, gain: &[f64], x: &[f64], target: &[f64]) -> f64 {
    let h = layer.forward(x);
    // As first written, accepted since 8430b27 (an argument without a gradient, here a
    // constant, passed to a parameter the callee's `wrt` leaves out): see `rms_norm`.
    let y = rms_norm(&h, gain, 1e-6);
    y.iter()
        .zip(target)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        * 0.5
}

/// Sum of squared outputs of single-head causal self-attention: position `i` attends
/// to positions `0..=i` with softmax weights over `q_i · k_j / sqrt(d)`.
#[grad(wrt(q, k, v))]
pub fn causal_attention(q: &[Vec<f64>], k: &[Vec<f64>], v: &[Vec<f64>]) -> f64 {
    let d = q[0].len();
    let scale = 1.0 / (d as f64).sqrt();
    let mut out = 0.0;
    for i in 0..q.len() {
        let scores: Vec<f64> = (0..=i)
            .map(|j| q[i].iter().zip(&k[j]).map(|(a, b)| a * b).sum::<f64>() * scale)
            .collect();
        let m = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = scores.iter().map(|s| (s - m).exp()).collect();
        let z: f64 = weights.iter().sum();
        for c in 0..d {
            let y: f64 = (0..=i).map(|j| weights[j] * v[j][c]).sum::<f64>() / z;
            out += y * y;
        }
    }
    out
}

/// Log-softmax of a logit vector, shifted by its maximum for stability.
#[grad]
pub fn log_softmax(z: &[f64]) -> Vec<f64> {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = m + z.iter().map(|x| (x - m).exp()).sum::<f64>().ln();
    z.iter().map(|x| x - lse).collect()
}

/// Mean cross-entropy with label smoothing: the target distribution puts `1 - eps` on
/// the true class and spreads `eps` uniformly over all classes.
#[grad(wrt(logits))]
pub fn label_smoothed_xent(logits: &[Vec<f64>], labels: &[usize], eps: f64) -> f64 {
    let mut total = 0.0;
    // As first written, accepted since 8220c47 (rejected at 7cb23e9 and at 8220c47's
    // parent 49e7888: E0507 "cannot move out of index of `Vec<Vec<f64>>`" and E0382 in the
    // generated code, a `#[grad]` helper returning a `Vec` called inside a loop). The
    // rewrite called a scalar `log_sum_exp(z)` helper, removed with it.
    for (z, &y) in logits.iter().zip(labels) {
        let lp = log_softmax(z);
        let k = lp.len() as f64;
        let smooth: f64 = -lp.iter().sum::<f64>() / k;
        total += (1.0 - eps) * -lp[y] + eps * smooth;
    }
    total / labels.len() as f64
}

/// Cosine similarity of two vectors.
#[grad]
pub fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// InfoNCE contrastive loss (van den Oord et al. 2018): each anchor must pick its own
/// positive among all the batch's positives, by cosine similarity over a temperature.
#[grad(wrt(anchors, positives))]
pub fn info_nce(anchors: &[Vec<f64>], positives: &[Vec<f64>], temperature: f64) -> f64 {
    let n = anchors.len();
    let mut loss = 0.0;
    for i in 0..n {
        let sims: Vec<f64> = positives
            .iter()
            .map(|p| cosine(&anchors[i], p) / temperature)
            .collect();
        let lse = sims.iter().map(|s| s.exp()).sum::<f64>().ln();
        loss += lse - sims[i];
    }
    loss / n as f64
}

// ---------------------------------------------------------------- tests

use crate::common::*;

fn rows(p: &[f64], width: usize) -> Vec<Vec<f64>> {
    p.chunks(width).map(|r| r.to_vec()).collect()
}

#[test]
fn r6_focal_loss() {
    let logits = [0.8, -1.2, 2.0, 0.1, -0.4];
    let targets = [1.0, 0.0, 1.0, 0.0, 1.0];
    for gamma in [2.0, 0.5] {
        let mut dz = [0.0; 5];
        let l = focal_loss_backward(&logits, &mut dz, &targets, gamma, 1.0);
        assert_bits(l, focal_loss(&logits, &targets, gamma), "value");
        assert_fd(|z| focal_loss(z, &targets, gamma), &logits, &dz);
    }
}

#[test]
fn r6_rms_linear_loss() {
    let layer = Linear {
        w: vec![vec![0.3, -0.7, 0.2], vec![0.5, 0.4, -0.1]],
        b: vec![0.05, -0.3],
    };
    let gain = [1.1, 0.7];
    let x = [0.9, -0.4, 1.3];
    let target = [0.5, -1.0];
    let mut dl = Tangent::zero_like(&layer);
    let mut dg = [0.0; 2];
    let l = rms_linear_loss_backward(&layer, &mut dl, &gain, &mut dg, &x, &target, 1.0);
    assert_bits(l, rms_linear_loss(&layer, &gain, &x, &target), "value");
    assert_fd(
        |p| {
            let layer = Linear {
                w: rows(&p[..6], 3),
                b: p[6..8].to_vec(),
            };
            rms_linear_loss(&layer, &p[8..], &x, &target)
        },
        &cat(&[&layer.w[0], &layer.w[1], &layer.b, &gain]),
        &cat(&[&dl.w[0], &dl.w[1], &dl.b, &dg]),
    );
}

#[test]
fn r6_causal_attention() {
    let q = vec![vec![0.2, -0.5], vec![0.9, 0.3], vec![-0.4, 0.8]];
    let k = vec![vec![0.6, 0.1], vec![-0.3, 0.7], vec![0.5, -0.6]];
    let v = vec![vec![1.0, -0.2], vec![0.3, 0.8], vec![-0.7, 0.4]];
    let mut dq = vec![vec![0.0; 2]; 3];
    let mut dk = vec![vec![0.0; 2]; 3];
    let mut dv = vec![vec![0.0; 2]; 3];
    let y = causal_attention_backward(&q, &mut dq, &k, &mut dk, &v, &mut dv, 1.0);
    assert_bits(y, causal_attention(&q, &k, &v), "value");
    assert_fd(
        |p| causal_attention(&rows(&p[..6], 2), &rows(&p[6..12], 2), &rows(&p[12..], 2)),
        &[q.concat(), k.concat(), v.concat()].concat(),
        &[dq.concat(), dk.concat(), dv.concat()].concat(),
    );
}

#[test]
fn r6_label_smoothed_xent() {
    let logits = vec![
        vec![1.0, -0.5, 0.3, 0.0],
        vec![-0.2, 0.8, 0.1, 1.5],
        vec![0.4, 0.4, -1.0, 0.2],
    ];
    let labels = [0, 3, 1];
    for eps in [0.1, 0.0] {
        let mut dz = vec![vec![0.0; 4]; 3];
        let l = label_smoothed_xent_backward(&logits, &mut dz, &labels, eps, 1.0);
        assert_bits(l, label_smoothed_xent(&logits, &labels, eps), "value");
        assert_fd(
            |p| label_smoothed_xent(&rows(p, 4), &labels, eps),
            &logits.concat(),
            &dz.concat(),
        );
    }
}

#[test]
fn r6_info_nce() {
    let anchors = vec![
        vec![0.5, 0.2, -0.3],
        vec![-0.4, 0.9, 0.1],
        vec![0.3, -0.6, 0.8],
    ];
    let positives = vec![
        vec![0.6, 0.1, -0.1],
        vec![-0.2, 1.0, 0.3],
        vec![0.1, -0.5, 0.9],
    ];
    let mut da = vec![vec![0.0; 3]; 3];
    let mut dp = vec![vec![0.0; 3]; 3];
    let l = info_nce_backward(&anchors, &mut da, &positives, &mut dp, 0.2, 1.0);
    assert_bits(l, info_nce(&anchors, &positives, 0.2), "value");
    assert_fd(
        |p| info_nce(&rows(&p[..9], 3), &rows(&p[9..], 3), 0.2),
        &[anchors.concat(), positives.concat()].concat(),
        &[da.concat(), dp.concat()].concat(),
    );
}
