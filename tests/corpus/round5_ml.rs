//! Round 5, machine learning: written as an ML practitioner writes Rust, before
//! reading the support table (a linear softmax classifier over `Vec` rows, a GRU cell
//! struct unrolled over a sequence, batch normalisation, a triplet margin loss).
#![allow(clippy::ptr_arg)]

use autodiff::{grad, Tangent};

/// Mean softmax cross-entropy of a linear classifier `W x + b` over a batch.
#[grad(wrt(w, b))]
pub fn linear_softmax_xent(w: &[Vec<f64>], b: &[f64], xs: &[Vec<f64>], labels: &[usize]) -> f64 {
    let mut loss = 0.0;
    for (x, &label) in xs.iter().zip(labels) {
        let logits: Vec<f64> = w
            .iter()
            .zip(b)
            .map(|(row, bi)| row.iter().zip(x).map(|(wi, xi)| wi * xi).sum::<f64>() + bi)
            .collect();
        let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let log_z = max + logits.iter().map(|z| (z - max).exp()).sum::<f64>().ln();
        loss += log_z - logits[label];
    }
    loss / xs.len() as f64
}

#[derive(Tangent, Clone, Debug)]
pub struct Gru {
    pub wz: [[f64; 2]; 2],
    pub uz: [[f64; 2]; 2],
    pub bz: [f64; 2],
    pub wr: [[f64; 2]; 2],
    pub ur: [[f64; 2]; 2],
    pub br: [f64; 2],
    pub wh: [[f64; 2]; 2],
    pub uh: [[f64; 2]; 2],
    pub bh: [f64; 2],
}

// First attempt: a plain `fn` (no `#[grad]`), called bare below; see there. Still rejected
// so at 8e522dc: a bare call of a plain `fn sigmoid` is autodiff's primitive, the same
// E0308 as at fcd9efa (only a `#[grad]` function of that name above the call is the
// user's, since 1ccc7c2).
#[grad]
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Runs a GRU with 2 inputs and 2 hidden units over a sequence and returns the squared
/// error of the final hidden state against a target.
#[grad(wrt(p))]
pub fn gru_sequence_loss(p: &Gru, xs: &[[f64; 2]], target: [f64; 2]) -> f64 {
    let matvec = |m: &[[f64; 2]; 2], v: &[f64; 2]| -> [f64; 2] {
        [
            m[0][0] * v[0] + m[0][1] * v[1],
            m[1][0] * v[0] + m[1][1] * v[1],
        ]
    };
    let mut h = [0.0; 2];
    for x in xs {
        let wzx = matvec(&p.wz, x);
        let uzh = matvec(&p.uz, &h);
        let wrx = matvec(&p.wr, x);
        let urh = matvec(&p.ur, &h);
        let mut z = [0.0; 2];
        let mut r = [0.0; 2];
        for i in 0..2 {
            // First attempt rejected (at fcd9efa): `z[i] = sigmoid(…)`, a bare call of
            // the plain `fn sigmoid` above, failed in the generated code (E0308:
            // "expected fn item `{round5_ml::sigmoid}`, found fn item
            // `{autodiff::sigmoid::<f64>}`", note naming
            // `a_bare_sigmoid_call_is_autodiffs_sigmoid__for_your_own_fn_write_self_sigmoid`);
            // `self::sigmoid` of the plain fn then gave E0425 "cannot find function
            // `sigmoid_backward`": the helper needs `#[grad]` too. In part back as first
            // written since 1ccc7c2: the bare calls (a user's own `#[grad]` function named
            // like a primitive, called bare below it in the same file, is that function;
            // at 1ccc7c2's parent 8430b27 the E0308 above); the helper keeps its `#[grad]`
            // (a plain `fn sigmoid` called bare is still rejected at 8e522dc, see the
            // helper). The rewrite called `self::sigmoid(…)`.
            z[i] = sigmoid(wzx[i] + uzh[i] + p.bz[i]);
            r[i] = sigmoid(wrx[i] + urh[i] + p.br[i]);
        }
        let rh = [r[0] * h[0], r[1] * h[1]];
        let whx = matvec(&p.wh, x);
        let uhrh = matvec(&p.uh, &rh);
        for i in 0..2 {
            let cand = (whx[i] + uhrh[i] + p.bh[i]).tanh();
            h[i] = (1.0 - z[i]) * h[i] + z[i] * cand;
        }
    }
    (h[0] - target[0]).powi(2) + (h[1] - target[1]).powi(2)
}

/// Batch normalisation (training mode) of a batch of feature rows, scaled and shifted,
/// followed by a squared error against targets.
#[grad(wrt(x, gamma, beta))]
pub fn batch_norm_loss(x: &[Vec<f64>], gamma: &[f64], beta: &[f64], target: &[Vec<f64>]) -> f64 {
    let n = x.len() as f64;
    let d = gamma.len();
    let eps = 1e-5;
    let mut mean = vec![0.0; d];
    let mut var = vec![0.0; d];
    for row in x {
        for j in 0..d {
            mean[j] += row[j] / n;
        }
    }
    for row in x {
        for j in 0..d {
            var[j] += (row[j] - mean[j]).powi(2) / n;
        }
    }
    let mut loss = 0.0;
    for (row, t) in x.iter().zip(target) {
        for j in 0..d {
            let y = gamma[j] * (row[j] - mean[j]) / (var[j] + eps).sqrt() + beta[j];
            loss += (y - t[j]).powi(2);
        }
    }
    loss
}

/// Triplet margin loss on embeddings: max(0, |a - p| - |a - n| + margin).
#[grad(wrt(anchor, positive, negative))]
pub fn triplet_loss(anchor: &[f64], positive: &[f64], negative: &[f64], margin: f64) -> f64 {
    let dist = |u: &[f64], v: &[f64]| -> f64 {
        u.iter()
            .zip(v)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt()
    };
    (dist(anchor, positive) - dist(anchor, negative) + margin).max(0.0)
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r5_linear_softmax_xent() {
    let w = vec![vec![0.3, -0.5], vec![-0.2, 0.8], vec![0.6, 0.1]];
    let b = [0.1, -0.2, 0.05];
    let xs = vec![
        vec![1.0, 2.0],
        vec![-0.5, 0.7],
        vec![2.0, -1.0],
        vec![0.3, 0.3],
    ];
    let labels = [1, 0, 2, 1];
    let mut dw = vec![vec![0.0; 2]; 3];
    let mut db = [0.0; 3];
    let l = linear_softmax_xent_backward(&w, &mut dw, &b, &mut db, &xs, &labels, 1.0);
    assert_bits(l, linear_softmax_xent(&w, &b, &xs, &labels), "value");
    assert_fd(
        |p| {
            let w: Vec<Vec<f64>> = p[..6].chunks(2).map(|r| r.to_vec()).collect();
            linear_softmax_xent(&w, &p[6..], &xs, &labels)
        },
        &cat(&[&w[0], &w[1], &w[2], &b]),
        &cat(&[&dw[0], &dw[1], &dw[2], &db]),
    );
}

const GRU_N: usize = 30;

fn gru(p: &[f64]) -> Gru {
    let m = |k: usize| [[p[k], p[k + 1]], [p[k + 2], p[k + 3]]];
    let v = |k: usize| [p[k], p[k + 1]];
    Gru {
        wz: m(0),
        uz: m(4),
        bz: v(8),
        wr: m(10),
        ur: m(14),
        br: v(18),
        wh: m(20),
        uh: m(24),
        bh: v(28),
    }
}

fn flat_gru(g: &Gru) -> Vec<f64> {
    let mut v = Vec::new();
    for (m1, m2, b) in [(g.wz, g.uz, g.bz), (g.wr, g.ur, g.br), (g.wh, g.uh, g.bh)] {
        v.extend(m1.iter().flatten());
        v.extend(m2.iter().flatten());
        v.extend(b);
    }
    v
}

#[test]
fn r5_gru_sequence_loss() {
    let p: Vec<f64> = (0..GRU_N)
        .map(|i| ((i as f64) * 0.77).sin() * 0.6)
        .collect();
    let g = gru(&p);
    assert_eq!(flat_gru(&g), p);
    let xs = [[0.5, -0.3], [1.0, 0.2], [-0.4, 0.9], [0.1, -1.1]];
    let target = [0.2, -0.1];
    let mut dg = Tangent::zero_like(&g);
    let l = gru_sequence_loss_backward(&g, &mut dg, &xs, target, 1.0);
    assert_bits(l, gru_sequence_loss(&g, &xs, target), "value");
    assert_fd(
        |q| gru_sequence_loss(&gru(q), &xs, target),
        &p,
        &flat_gru(&dg),
    );
}

#[test]
fn r5_batch_norm_loss() {
    let x = vec![
        vec![0.5, -1.0, 2.0],
        vec![1.5, 0.3, -0.2],
        vec![-0.7, 0.9, 0.4],
        vec![0.2, 2.1, 1.0],
    ];
    let target = vec![
        vec![0.1, 0.0, -0.5],
        vec![0.4, 0.2, 0.3],
        vec![-0.9, 0.5, 0.0],
        vec![0.3, 1.2, 0.6],
    ];
    let gamma = [1.2, 0.8, 0.5];
    let beta = [0.1, -0.2, 0.3];
    let mut dx = vec![vec![0.0; 3]; 4];
    let mut dg = [0.0; 3];
    let mut db = [0.0; 3];
    let l = batch_norm_loss_backward(&x, &mut dx, &gamma, &mut dg, &beta, &mut db, &target, 1.0);
    assert_bits(l, batch_norm_loss(&x, &gamma, &beta, &target), "value");
    assert_fd(
        |p| {
            let x: Vec<Vec<f64>> = p[..12].chunks(3).map(|r| r.to_vec()).collect();
            batch_norm_loss(&x, &p[12..15], &p[15..], &target)
        },
        &cat(&[&x[0], &x[1], &x[2], &x[3], &gamma, &beta]),
        &cat(&[&dx[0], &dx[1], &dx[2], &dx[3], &dg, &db]),
    );
}

#[test]
fn r5_triplet_loss() {
    let a = [0.3, -0.2, 0.8];
    let p = [0.5, 0.1, 0.6];
    let n = [0.2, -0.4, 1.1];
    for margin in [1.0, 0.05] {
        let (mut da, mut dp, mut dn) = ([0.0; 3], [0.0; 3], [0.0; 3]);
        let l = triplet_loss_backward(&a, &mut da, &p, &mut dp, &n, &mut dn, margin, 1.0);
        assert_bits(l, triplet_loss(&a, &p, &n, margin), "value");
        assert_fd(
            |q| triplet_loss(&q[..3], &q[3..6], &q[6..], margin),
            &cat(&[&a, &p, &n]),
            &cat(&[&da, &dp, &dn]),
        );
    }
    // A negative far away: the hinge is inactive, the loss and its gradient zero.
    let far = [2.0, 1.5, -1.0];
    let (mut da, mut dp, mut dn) = ([1.0; 3], [1.0; 3], [1.0; 3]);
    let l = triplet_loss_backward(&a, &mut da, &p, &mut dp, &far, &mut dn, 0.05, 1.0);
    assert_eq!(l, 0.0);
    assert!(da.iter().chain(&dp).chain(&dn).all(|g| *g == 1.0));
}
