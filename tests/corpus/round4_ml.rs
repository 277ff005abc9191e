//! Round 4, machine learning: written as an ML practitioner writes Rust, before
//! reading the support table (a model struct with `#[grad]` methods, a batch of
//! `Vec` rows, an unrolled optimiser, label smoothing).
#![allow(clippy::ptr_arg)]

use autodiff::{grad, Tangent};

const NORM_EPS: f64 = 1e-5;

#[derive(Tangent, Clone, Debug)]
pub struct Mlp {
    pub gain: Vec<f64>,
    pub w1: Vec<Vec<f64>>,
    pub b1: Vec<f64>,
    pub w2: Vec<f64>,
}

impl Mlp {
    /// RMSNorm, a hidden layer with the tanh approximation of GELU, a linear read-out.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default). With `#[grad]` `self` was data, and `loss`'s call
    // `self.forward(x)` failed (at 1812d67 in the generated code, E0308 twice: "unexpected
    // argument #2 of type `&mut Mlp`, argument #3 of type `&mut [f64]` is missing",
    // "expected `f64`, found `(_, _)`"; with `loss` as below, E0061 "this function takes 4
    // arguments but 5 arguments were supplied" at 77baa2d, and still at 5e8c305's parent
    // 9d384e5). The rewrite had `#[grad(wrt(self, x))]`.
    #[grad]
    pub fn forward(&self, x: &[f64]) -> f64 {
        let gelu = |z: f64| {
            let c = (2.0 / std::f64::consts::PI).sqrt();
            0.5 * z * (1.0 + (c * (z + 0.044715 * z.powi(3))).tanh())
        };
        let ms = x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64;
        let inv = 1.0 / (ms + NORM_EPS).sqrt();
        let xn: Vec<f64> = x.iter().zip(&self.gain).map(|(v, g)| v * inv * g).collect();
        let mut out = 0.0;
        // First attempt rejected at 1812d67: the row iterated (the loop below) gave "a row
        // of a struct field (an item of `p.w.iter()`) is indexed here (`row[k]`), not
        // iterated yet: …"; it was kept with the row indexed (`for k in 0..xn.len() { z +=
        // row[k] * xn[k]; }`). The body is accepted as first written since 45dce60 (with
        // `#[grad]` too; checked at 6c91643 and 45dce60).
        for (j, row) in self.w1.iter().enumerate() {
            let z = row.iter().zip(&xn).map(|(w, v)| w * v).sum::<f64>() + self.b1[j];
            out += self.w2[j] * gelu(z);
        }
        out
    }

    /// Mean squared error over a batch.
    #[grad(wrt(self))]
    pub fn loss(&self, xs: &[Vec<f64>], ys: &[f64]) -> f64 {
        // First attempt rejected (at 1812d67), once `forward` had `wrt(self, x)`: it
        // failed in the generated code, E0061 "this function takes 5 arguments but 4
        // arguments were supplied … argument #4 of type `&mut [f64]` is missing" and
        // E0308 "expected `f64`, found `(_, _)`" (a row of the data `xs`, bound by the
        // closure, passed to the differentiated `x: &[f64]`); it was kept with the row
        // indexed (`self.forward(&xs[i])` in `for i in 0..ys.len()`). Accepted as first
        // written since 94a360c.
        xs.iter()
            .zip(ys)
            .map(|(x, &y)| (self.forward(x) - y).powi(2))
            .sum::<f64>()
            / ys.len() as f64
    }
}

/// Pinball (quantile) loss of predictions for several quantile levels at once.
#[grad(wrt(preds))]
pub fn pinball_loss(preds: &[Vec<f64>], y: &[f64], taus: &[f64]) -> f64 {
    let mut total = 0.0;
    for (row, &target) in preds.iter().zip(y) {
        for (&q, &tau) in row.iter().zip(taus) {
            let r = target - q;
            total += if r >= 0.0 { tau * r } else { (tau - 1.0) * r };
        }
    }
    total / (y.len() * taus.len()) as f64
}

/// Loss after `steps` Adam iterations on a quadratic bowl, as a function of the
/// initial parameters and the learning rate (meta-learning the step size).
#[grad(wrt(theta0, lr))]
pub fn adam_unrolled(theta0: &[f64], lr: f64, curv: &[f64], steps: usize) -> f64 {
    const BETA1: f64 = 0.9;
    const BETA2: f64 = 0.999;
    const EPS: f64 = 1e-8;
    let n = theta0.len();
    let mut theta = theta0.to_vec();
    let mut m = vec![0.0; n];
    let mut v = vec![0.0; n];
    let loss = |th: &[f64]| -> f64 { th.iter().zip(curv).map(|(t, c)| 0.5 * c * t * t).sum() };
    for t in 1..=steps {
        let bc1 = 1.0 - BETA1.powi(t as i32);
        let bc2 = 1.0 - BETA2.powi(t as i32);
        for (((th, mi), vi), c) in theta
            .iter_mut()
            .zip(m.iter_mut())
            .zip(v.iter_mut())
            .zip(curv)
        {
            let g = c * *th;
            *mi = BETA1 * *mi + (1.0 - BETA1) * g;
            *vi = BETA2 * *vi + (1.0 - BETA2) * g * g;
            *th -= lr * (*mi / bc1) / ((*vi / bc2).sqrt() + EPS);
        }
    }
    loss(&theta)
}

/// Mean cross-entropy with label smoothing over a batch of logit rows, through a
/// numerically stable log-softmax.
#[grad(wrt(logits))]
pub fn smoothed_xent(logits: &[Vec<f64>], targets: &[usize], smoothing: f64) -> f64 {
    let mut total = 0.0;
    for (row, &t) in logits.iter().zip(targets) {
        let k = row.len() as f64;
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = max + row.iter().map(|&l| (l - max).exp()).sum::<f64>().ln();
        total += row
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let q = if i == t {
                    1.0 - smoothing + smoothing / k
                } else {
                    smoothing / k
                };
                -q * (l - lse)
            })
            .sum::<f64>();
    }
    total / targets.len() as f64
}

// ---------------------------------------------------------------- tests

use crate::common::*;

const D: usize = 3;
const H: usize = 2;

/// An `Mlp` with input width `D` and `H` hidden units from `D + H * D + 2 * H` numbers.
fn mlp(p: &[f64]) -> Mlp {
    Mlp {
        gain: p[..D].to_vec(),
        w1: p[D..D + H * D].chunks(D).map(|r| r.to_vec()).collect(),
        b1: p[D + H * D..D + H * D + H].to_vec(),
        w2: p[D + H * D + H..D + H * D + 2 * H].to_vec(),
    }
}

fn flat_mlp(m: &Mlp) -> Vec<f64> {
    let mut v = m.gain.clone();
    v.extend(m.w1.iter().flatten());
    v.extend(&m.b1);
    v.extend(&m.w2);
    v
}

const MLP_P: [f64; 13] = [
    1.1, 0.9, 1.2, 0.4, -0.6, 0.3, -0.2, 0.5, 0.8, 0.1, -0.3, 0.7, -1.2,
];

#[test]
fn r4_mlp_forward() {
    let m = mlp(&MLP_P);
    for x in [[0.5, -1.0, 2.0], [-0.3, 0.8, 0.1]] {
        let mut dm = Tangent::zero_like(&m);
        let mut dx = [0.0; D];
        let y = m.forward_backward(&mut dm, &x, &mut dx, 1.0);
        assert_bits(y, m.forward(&x), "value");
        let mut g = flat_mlp(&dm);
        g.extend(dx);
        assert_fd(
            |p| mlp(p).forward(&p[MLP_P.len()..]),
            &cat(&[&MLP_P, &x]),
            &g,
        );
    }
}

#[test]
fn r4_mlp_loss() {
    let m = mlp(&MLP_P);
    let xs = vec![
        vec![0.5, -1.0, 2.0],
        vec![-0.3, 0.8, 0.1],
        vec![1.5, 0.2, -0.7],
    ];
    let ys = [0.3, -0.4, 0.9];
    let mut dm = Tangent::zero_like(&m);
    let l = m.loss_backward(&mut dm, &xs, &ys, 1.0);
    assert_bits(l, m.loss(&xs, &ys), "value");
    assert_fd(|p| mlp(p).loss(&xs, &ys), &MLP_P, &flat_mlp(&dm));
}

#[test]
fn r4_pinball_loss() {
    let preds = vec![vec![0.2, 0.9, 1.7], vec![-0.5, 0.1, 0.6]];
    let y = [1.0, 0.35];
    let taus = [0.1, 0.5, 0.9];
    let mut dp = vec![vec![0.0; 3]; 2];
    let l = pinball_loss_backward(&preds, &mut dp, &y, &taus, 1.0);
    assert_bits(l, pinball_loss(&preds, &y, &taus), "value");
    assert_fd(
        |p| pinball_loss(&[p[..3].to_vec(), p[3..].to_vec()], &y, &taus),
        &cat(&[&preds[0], &preds[1]]),
        &cat(&[&dp[0], &dp[1]]),
    );
}

#[test]
fn r4_adam_unrolled() {
    let theta0 = [1.5, -0.8, 0.6];
    let curv = [1.0, 3.0, 0.5];
    for (lr, steps) in [(0.05, 10), (0.2, 25)] {
        let mut dt = [0.0; 3];
        let (l, dlr) = adam_unrolled_backward(&theta0, &mut dt, lr, &curv, steps, 1.0);
        assert_bits(l, adam_unrolled(&theta0, lr, &curv, steps), "value");
        assert_fd(
            |p| adam_unrolled(&p[..3], p[3], &curv, steps),
            &[theta0[0], theta0[1], theta0[2], lr],
            &[dt[0], dt[1], dt[2], dlr],
        );
    }
}

#[test]
fn r4_smoothed_xent() {
    let logits = vec![vec![2.0, -1.0, 0.5, 0.1], vec![-0.3, 0.8, 1.9, -2.2]];
    let targets = [0, 2];
    let mut dl = vec![vec![0.0; 4]; 2];
    let l = smoothed_xent_backward(&logits, &mut dl, &targets, 0.1, 1.0);
    assert_bits(l, smoothed_xent(&logits, &targets, 0.1), "value");
    assert_fd(
        |p| smoothed_xent(&[p[..4].to_vec(), p[4..].to_vec()], &targets, 0.1),
        &cat(&[&logits[0], &logits[1]]),
        &cat(&[&dl[0], &dl[1]]),
    );
}
