//! Round 3, machine learning: written as an ML practitioner writes Rust, before
//! reading the support table (Vec rows, a struct of Vecs, tuples of pairs,
//! an `Option` of data).
#![allow(clippy::ptr_arg)]

use autodiff::{grad, Tangent};

/// Binary cross-entropy of a logistic regression over a dataset of rows.
#[grad(wrt(w, b))]
pub fn logistic_loss(w: &[f64], b: f64, xs: &[Vec<f64>], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let z: f64 = w.iter().zip(x.iter()).map(|(wi, xi)| wi * xi).sum::<f64>() + b;
        let p = 1.0 / (1.0 + (-z).exp());
        loss -= y * p.ln() + (1.0 - y) * (1.0 - p).ln();
    }
    loss / xs.len() as f64
}

#[derive(Tangent, Clone, Debug)]
pub struct Dense {
    pub weights: Vec<Vec<f64>>,
    pub bias: Vec<f64>,
}

/// A dense layer with tanh, summed squared output.
// First attempt rejected (at the code of f30925d, and at d399406 by the `Vec` fields
// too): a row of a struct's `Vec<Vec<f64>>` field iterated gave "expected an array
// or a slice to iterate over" at `row`; accepted as first written since the rows of
// struct fields are read in place (issue 12).
#[grad]
pub fn dense_energy(layer: &Dense, input: &[f64]) -> f64 {
    let mut total = 0.0;
    for (row, b) in layer.weights.iter().zip(layer.bias.iter()) {
        let pre: f64 = row.iter().zip(input).map(|(w, x)| w * x).sum::<f64>() + b;
        total += pre.tanh().powi(2);
    }
    total
}

/// Huber loss over residuals with a match on the regime.
#[grad(wrt(pred))]
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
        .sum()
}

/// Softmax attention weights from (key, value) pairs.
#[grad]
pub fn attend(q: f64, kv: &[(f64, f64)]) -> f64 {
    let scores: Vec<f64> = kv.iter().map(|&(k, _)| q * k).collect();
    let m = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = scores.iter().map(|s| (s - m).exp()).collect();
    let z: f64 = exps.iter().sum();
    kv.iter()
        .zip(exps.iter())
        .map(|(&(_, v), e)| v * e / z)
        .sum()
}

/// L2-regularised loss of a linear model, regulariser skipped when lambda is None.
#[grad(wrt(w))]
pub fn ridge_loss(w: &Vec<f64>, x: &[Vec<f64>], y: &[f64], lambda: Option<f64>) -> f64 {
    let n = y.len() as f64;
    let mut mse = 0.0;
    for i in 0..y.len() {
        let pred: f64 = x[i].iter().zip(w.iter()).map(|(a, b)| a * b).sum();
        mse += (pred - y[i]).powi(2);
    }
    let reg = match lambda {
        Some(l) => l * w.iter().map(|v| v * v).sum::<f64>(),
        None => 0.0,
    };
    mse / n + reg
}

// ---------------------------------------------------------------- tests

use crate::common::*;

fn rows(p: &[f64], r: usize, c: usize) -> Vec<Vec<f64>> {
    (0..r).map(|i| p[i * c..(i + 1) * c].to_vec()).collect()
}

#[test]
fn r3_logistic_loss() {
    let xs = vec![vec![0.5, -1.0], vec![1.5, 0.25], vec![-0.75, 2.0]];
    let ys = [1.0, 0.0, 1.0];
    for (w, b) in [([0.3, -0.2], 0.1), ([-1.0, 0.7], -0.4)] {
        let mut dw = [0.0; 2];
        let (y, db) = logistic_loss_backward(&w, &mut dw, b, &xs, &ys, 1.0);
        assert_bits(y, logistic_loss(&w, b, &xs, &ys), "value");
        assert_fd(
            |p| logistic_loss(&p[..2], p[2], &xs, &ys),
            &[w[0], w[1], b],
            &[dw[0], dw[1], db],
        );
    }
}

#[test]
fn r3_dense_energy() {
    let p = [0.3, -0.5, 0.8, 0.1, 0.6, -0.2, 0.05, -0.1, 0.7, -0.3, 0.2];
    let make = |q: &[f64]| Dense {
        weights: rows(&q[..6], 2, 3),
        bias: q[6..8].to_vec(),
    };
    let layer = make(&p);
    let input = &p[8..11];
    let mut d = Dense {
        weights: vec![vec![0.0; 3]; 2],
        bias: vec![0.0; 2],
    };
    let mut dx = [0.0; 3];
    let y = dense_energy_backward(&layer, &mut d, input, &mut dx, 1.0);
    assert_bits(y, dense_energy(&layer, input), "value");
    let g = cat(&[&d.weights[0], &d.weights[1], &d.bias, &dx]);
    assert_fd(|q| dense_energy(&make(q), &q[8..11]), &p, &g);
}

#[test]
fn r3_huber() {
    let pred = [0.5, -2.0, 1.75, 3.0];
    let target = [0.0, 0.5, 2.0, 2.5];
    let mut dp = [0.0; 4];
    let y = huber_backward(&pred, &mut dp, &target, 1.0, 1.0);
    assert_bits(y, huber(&pred, &target, 1.0), "value");
    assert_fd(|p| huber(p, &target, 1.0), &pred, &dp);
}

#[test]
fn r3_attend() {
    let kv = [(0.5, 1.0), (-1.0, 2.0), (1.5, -0.5)];
    for q in [0.3, -1.2] {
        let mut dkv = [(0.0, 0.0); 3];
        let (y, dq) = attend_backward(q, &kv, &mut dkv, 1.0);
        assert_bits(y, attend(q, &kv), "value");
        let pairs = |p: &[f64]| -> Vec<(f64, f64)> { p.chunks(2).map(|c| (c[0], c[1])).collect() };
        let point = [q, 0.5, 1.0, -1.0, 2.0, 1.5, -0.5];
        let mut g = vec![dq];
        g.extend(dkv.iter().flat_map(|&(a, b)| [a, b]));
        assert_fd(|p| attend(p[0], &pairs(&p[1..])), &point, &g);
    }
}

#[test]
fn r3_ridge_loss() {
    let x = vec![vec![1.0, 0.5], vec![-0.5, 2.0], vec![0.25, -1.0]];
    let y = [1.0, -0.5, 0.75];
    let w = vec![0.4, -0.3];
    for lambda in [Some(0.1), None] {
        let mut dw = vec![0.0; 2];
        let v = ridge_loss_backward(&w, &mut dw, &x, &y, lambda, 1.0);
        assert_bits(v, ridge_loss(&w, &x, &y, lambda), "value");
        assert_fd(|p| ridge_loss(&p.to_vec(), &x, &y, lambda), &w, &dw);
    }
}
