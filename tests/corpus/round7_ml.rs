//! Round 7, machine learning: written as an ML engineer writes Rust, before reading the
//! support table (a Siamese contrastive loss, class-weighted cross-entropy with a const
//! table, a one-unit LSTM whose cell is a struct with a method, knowledge distillation,
//! and the hypergradient of momentum SGD).

use autodiff::{grad, Tangent};

/// Euclidean distance between two embeddings.
#[grad]
pub fn euclidean(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Contrastive loss of a Siamese network (Hadsell, Chopra and LeCun 2006) over a batch of
/// embedding pairs: similar pairs are pulled together, dissimilar ones pushed out to the
/// margin.
#[grad(wrt(left, right))]
pub fn contrastive_loss(
    left: &[Vec<f64>],
    right: &[Vec<f64>],
    similar: &[bool],
    margin: f64,
) -> f64 {
    let mut total = 0.0;
    for ((a, b), &same) in left.iter().zip(right).zip(similar) {
        let d = euclidean(a, b);
        total += if same {
            d * d
        } else {
            let gap = (margin - d).max(0.0);
            gap * gap
        };
    }
    0.5 * total / left.len() as f64
}

/// Per-class weights of an imbalanced three-class problem (inverse frequencies).
const CLASS_WEIGHTS: [f64; 3] = [0.2, 1.5, 3.0];

/// Class-weighted softmax cross-entropy normalised by the batch's total weight, as
/// PyTorch's `CrossEntropyLoss(weight=...)` with `reduction="mean"`.
#[grad(wrt(logits))]
pub fn weighted_xent(logits: &[[f64; 3]], labels: &[usize]) -> f64 {
    let mut loss = 0.0;
    let mut weight_sum = 0.0;
    for (z, &y) in logits.iter().zip(labels) {
        let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        let w = CLASS_WEIGHTS[y];
        loss += w * (lse - z[y]);
        weight_sum += w;
    }
    loss / weight_sum
}

/// The logistic function.
#[grad]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Weights of a one-unit LSTM cell, gates in the order input, forget, output, candidate.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct LstmCell {
    /// Input weights.
    pub wx: [f64; 4],
    /// Recurrent weights.
    pub wh: [f64; 4],
    /// Biases.
    pub b: [f64; 4],
}

/// Hidden and cell state of the LSTM.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct LstmState {
    /// Hidden state.
    pub h: f64,
    /// Cell state.
    pub c: f64,
}

impl LstmCell {
    /// One step of the cell on input `x`.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default): rejected at d4b6ca5 and at 5e8c305's parent 9d384e5 with
    // E0080 "`LstmCell::step` does not differentiate its first parameter (a method's
    // `self` is data unless …)" and a stray E0061/E0308 at the caller. The rewrite had
    // `#[grad(wrt(self, s, x))]`.
    // The bare `sigmoid(pre(0))` (and 1, 2) as first written since 1ccc7c2 (a user's own
    // `#[grad]` function named like a primitive, called bare below it in the same file,
    // is that function): rejected at d4b6ca5, 5e8c305 and 1ccc7c2's parent 8430b27 with
    // E0308 "expected fn item {round7_ml::sigmoid}, found fn item
    // {autodiff::sigmoid::<f64>}" (a bare name was autodiff's primitive); the rewrite
    // called `self::sigmoid(…)`.
    #[grad]
    pub fn step(&self, s: LstmState, x: f64) -> LstmState {
        let pre = |k: usize| self.wx[k] * x + self.wh[k] * s.h + self.b[k];
        let i = sigmoid(pre(0));
        let f = sigmoid(pre(1));
        let o = sigmoid(pre(2));
        let g = pre(3).tanh();
        let c = f * s.c + i * g;
        LstmState { h: o * c.tanh(), c }
    }
}

/// Mean squared error of one-step-ahead forecasts of a sequence by an LSTM with a linear
/// readout (slope, intercept) on its hidden state.
#[grad(wrt(cell, readout))]
pub fn lstm_forecast_loss(cell: &LstmCell, readout: (f64, f64), seq: &[f64]) -> f64 {
    let mut state = LstmState { h: 0.0, c: 0.0 };
    let mut loss = 0.0;
    for t in 0..seq.len() - 1 {
        // As first written, accepted since 5e8c305 (with `step`'s plain `#[grad]`): at
        // d4b6ca5 "a value carried by this loop changes type in its body" (a struct local
        // initialised by a literal, then reassigned whole in a loop; fixed in 70ca09f),
        // and `step`'s E0080 until 5e8c305. The rewrite copied the next state field by
        // field (`let next = cell.step(state, seq[t]); state.h = next.h; …`).
        state = cell.step(state, seq[t]);
        let pred = readout.0 * state.h + readout.1;
        loss += (pred - seq[t + 1]).powi(2);
    }
    loss / (seq.len() - 1) as f64
}

/// Softmax of logits at temperature `t`.
#[grad]
pub fn softmax_t(z: &[f64], t: f64) -> Vec<f64> {
    let m = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let e: Vec<f64> = z.iter().map(|v| ((v - m) / t).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// Knowledge distillation (Hinton, Vinyals and Dean 2015): T² · KL(teacher_T ‖ student_T)
/// mixed by `alpha` with the hard-label cross-entropy of the student.
#[grad(wrt(student, temperature, alpha))]
pub fn distillation_loss(
    student: &[f64],
    teacher: &[f64],
    label: usize,
    temperature: f64,
    alpha: f64,
) -> f64 {
    let p = softmax_t(teacher, temperature);
    let q = softmax_t(student, temperature);
    let kl: f64 = p.iter().zip(&q).map(|(pi, qi)| pi * (pi / qi).ln()).sum();
    let hard = -softmax_t(student, 1.0)[label].ln();
    alpha * temperature * temperature * kl + (1.0 - alpha) * hard
}

/// Fits y ≈ w·x + b by `epochs` of full-batch gradient descent with heavy-ball momentum
/// from zero and returns the final mean squared error: its gradient with respect to the
/// learning rate and the momentum is the hypergradient of Maclaurin, Duvenaud and Adams
/// (2015).
#[grad(wrt(lr, momentum))]
pub fn momentum_sgd_final_loss(
    xs: &[f64],
    ys: &[f64],
    lr: f64,
    momentum: f64,
    epochs: usize,
) -> f64 {
    let n = xs.len() as f64;
    let mse = |w: f64, b: f64| -> f64 {
        xs.iter()
            .zip(ys)
            .map(|(x, y)| (w * x + b - y).powi(2))
            .sum::<f64>()
            / n
    };
    let (mut w, mut b) = (0.0, 0.0);
    let (mut vw, mut vb) = (0.0, 0.0);
    for _ in 0..epochs {
        let (mut gw, mut gb) = (0.0, 0.0);
        for (x, y) in xs.iter().zip(ys) {
            let r = w * x + b - y;
            gw += 2.0 * r * x / n;
            gb += 2.0 * r / n;
        }
        vw = momentum * vw - lr * gw;
        vb = momentum * vb - lr * gb;
        w += vw;
        b += vb;
    }
    mse(w, b)
}

// ---------------------------------------------------------------- tests

use crate::common::*;

/// Rows of length `m` from a flat slice.
fn chunked(p: &[f64], m: usize) -> Vec<Vec<f64>> {
    p.chunks(m).map(|c| c.to_vec()).collect()
}

#[test]
fn r7_contrastive_loss() {
    let left = vec![
        vec![0.1, 0.5, -0.3],
        vec![1.0, 0.2, 0.0],
        vec![-0.4, 0.3, 0.8],
        vec![0.6, -0.7, 0.2],
    ];
    let right = vec![
        vec![0.3, 0.1, -0.2],
        vec![0.2, 0.9, 0.4],
        vec![2.0, -1.5, 1.0],
        vec![0.5, -0.2, 0.6],
    ];
    let similar = [true, false, false, true];
    let mut dl = vec![vec![0.0; 3]; 4];
    let mut dr = vec![vec![0.0; 3]; 4];
    let v = contrastive_loss_backward(&left, &mut dl, &right, &mut dr, &similar, 1.5, 1.0);
    assert_bits(v, contrastive_loss(&left, &right, &similar, 1.5), "value");
    // The third pair is beyond the margin: it pushes nothing.
    assert_eq!(dl[2], vec![0.0; 3]);
    assert_fd(
        |p| contrastive_loss(&chunked(&p[..12], 3), &chunked(&p[12..], 3), &similar, 1.5),
        &cat(&[&left.concat(), &right.concat()]),
        &cat(&[&dl.concat(), &dr.concat()]),
    );
}

#[test]
fn r7_weighted_xent() {
    let logits = [
        [1.0, 0.2, -0.5],
        [0.3, 2.0, 0.1],
        [-1.0, 0.4, 0.9],
        [0.0, 0.0, 0.5],
    ];
    let labels = [0, 1, 2, 2];
    let mut dl = [[0.0; 3]; 4];
    let v = weighted_xent_backward(&logits, &mut dl, &labels, 1.0);
    assert_bits(v, weighted_xent(&logits, &labels), "value");
    assert_fd(
        |p| weighted_xent(&arr2::<3, 4>(p), &labels),
        &flat2(&logits),
        &flat2(&dl),
    );
}

#[test]
fn r7_lstm_forecast_loss() {
    let cell = LstmCell {
        wx: [0.5, -0.3, 0.8, 1.1],
        wh: [0.2, 0.4, -0.6, 0.7],
        b: [0.0, 1.0, 0.1, -0.2],
    };
    let seq: Vec<f64> = (0..8).map(|t| (0.7 * t as f64).sin()).collect();
    let mut dcell = LstmCell {
        wx: [0.0; 4],
        wh: [0.0; 4],
        b: [0.0; 4],
    };
    let (v, dro) = lstm_forecast_loss_backward(&cell, &mut dcell, (1.5, 0.1), &seq, 1.0);
    assert_bits(v, lstm_forecast_loss(&cell, (1.5, 0.1), &seq), "value");
    let x = cat(&[&cell.wx, &cell.wh, &cell.b, &[1.5, 0.1]]);
    let g = cat(&[&dcell.wx, &dcell.wh, &dcell.b, &[dro.0, dro.1]]);
    assert_fd(
        |p| {
            let c = LstmCell {
                wx: arr(&p[0..4]),
                wh: arr(&p[4..8]),
                b: arr(&p[8..12]),
            };
            lstm_forecast_loss(&c, (p[12], p[13]), &seq)
        },
        &x,
        &g,
    );
}

#[test]
fn r7_distillation_loss() {
    let student = [1.0, -0.5, 2.0, 0.3];
    let teacher = [0.8, 0.1, 2.5, -1.0];
    let mut ds = [0.0; 4];
    let (v, dt, da) = distillation_loss_backward(&student, &mut ds, &teacher, 2, 3.0, 0.7, 1.0);
    assert_bits(
        v,
        distillation_loss(&student, &teacher, 2, 3.0, 0.7),
        "value",
    );
    assert_fd(
        |p| distillation_loss(&p[..4], &teacher, 2, p[4], p[5]),
        &cat(&[&student, &[3.0, 0.7]]),
        &cat(&[&ds, &[dt, da]]),
    );
}

#[test]
fn r7_momentum_sgd_final_loss() {
    let xs = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5];
    let ys = [1.1, 1.9, 3.05, 4.0, 4.9, 6.1];
    let (v, dlr, dm) = momentum_sgd_final_loss_backward(&xs, &ys, 0.05, 0.8, 30, 1.0);
    assert_bits(v, momentum_sgd_final_loss(&xs, &ys, 0.05, 0.8, 30), "value");
    assert_fd(
        |p| momentum_sgd_final_loss(&xs, &ys, p[0], p[1], 30),
        &[0.05, 0.8],
        &[dlr, dm],
    );
}
