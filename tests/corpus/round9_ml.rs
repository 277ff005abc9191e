//! Round 9, ML: written as an ML engineer writes Rust, before reading the support table
//! (skip-gram with negative sampling, a VAE's negative ELBO with the reparameterisation
//! trick, the regularised log-loss of a boosted ensemble of stumps, a small CNN with
//! ReLU and max pooling, a mixture of linear experts with a softmax gate).

use autodiff::{grad, Tangent};

/// `log σ(x)`, stable for large |x|.
#[grad]
pub fn log_sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        -(-x).exp().ln_1p()
    } else {
        x - x.exp().ln_1p()
    }
}

/// `ln(1 + eˣ)`, stable for large |x|.
#[grad]
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Inner product of two equally long slices.
#[grad]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Softmax of a score vector (max-shifted).
#[grad]
pub fn softmax(scores: &[f64]) -> Vec<f64> {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
    let total: f64 = exps.iter().sum();
    exps.iter().map(|e| e / total).collect()
}

// ---------------------------------------------------------------- skip-gram

/// One skip-gram training example: a centre word, a word seen in its context window and
/// words drawn from the noise distribution.
#[derive(Clone, Copy, Debug)]
pub struct SkipGramExample {
    pub center: usize,
    pub context: usize,
    pub negatives: [usize; 3],
}

/// Mean skip-gram negative-sampling loss over a batch (word2vec).
#[grad(wrt(input_emb, output_emb))]
pub fn sgns_loss(
    input_emb: &[Vec<f64>],
    output_emb: &[Vec<f64>],
    batch: &[SkipGramExample],
) -> f64 {
    let total: f64 = batch
        .iter()
        .map(|ex| {
            // first written: `let v = &input_emb[ex.center];` passed on as `dot(v, …)`;
            // once the negatives below were rewritten, rejected at 4d10a14 in the generated
            // code: rustc E0277 "`Want: ShadowArg<[f64]>` is not satisfied" at `dot` and
            // E0608 "cannot index into a value of type `()`" (a row of a `&[Vec<f64>]`
            // parameter bound by `let` and passed to a `#[grad]` fn). The row written at
            // each call instead:
            let positive = log_sigmoid(dot(&input_emb[ex.center], &output_emb[ex.context]));
            // first written:
            //     let negative: f64 = ex
            //         .negatives
            //         .iter()
            //         .map(|&k| log_sigmoid(-dot(v, &output_emb[k])))
            //         .sum();
            // rejected at 4d10a14: "an index must be an integer (`usize`): indices are not
            // differentiable" at `output_emb[k]` (`k` is a `usize` of the data struct's
            // `[usize; 3]` field). The negatives by position instead:
            let negative: f64 = (0..ex.negatives.len())
                .map(|j| log_sigmoid(-dot(&input_emb[ex.center], &output_emb[ex.negatives[j]])))
                .sum();
            -(positive + negative)
        })
        .sum();
    total / batch.len() as f64
}

// ---------------------------------------------------------------- VAE

/// A dense layer `y = W x + b`.
#[derive(Clone, Debug, Default, Tangent)]
pub struct Linear {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

#[grad]
impl Linear {
    /// `W x + b`.
    pub fn forward(&self, x: &[f64]) -> Vec<f64> {
        // first written:
        //     self.w
        //         .iter()
        //         .zip(&self.b)
        //         .map(|(row, b)| dot(row, x) + b)
        //         .collect()
        // rejected at 4d10a14 in the generated code: rustc E0308 "expected `f64`, found
        // `Vec<f64>`", "expected `&[f64]`, found `f64`" at `dot`, E0277 "`Want:
        // ShadowArg<[f64]>` is not satisfied", E0368 "`+=` cannot be applied to type
        // `Vec<f64>`" (a row of `self.w` from `.iter()` passed to a `#[grad]` fn). The rows
        // by index instead:
        (0..self.b.len())
            .map(|i| dot(&self.w[i], x) + self.b[i])
            .collect()
    }
}

/// A one-layer Gaussian encoder and Bernoulli decoder.
#[derive(Clone, Debug, Default, Tangent)]
pub struct Vae {
    pub enc_mu: Linear,
    pub enc_logvar: Linear,
    pub dec: Linear,
}

/// Binary cross-entropy of a logit against a target in [0, 1].
#[grad]
pub fn bce_logit(logit: f64, target: f64) -> f64 {
    softplus(logit) - target * logit
}

/// Negative ELBO of one example with one reparameterised sample `z = μ + σ ε`.
#[grad(wrt(vae))]
pub fn vae_neg_elbo(vae: &Vae, x: &[f64], eps: &[f64]) -> f64 {
    // first written: `vae.enc_mu.forward(x)`, `vae.enc_logvar.forward(x)` and
    // `vae.dec.forward(&z)`; rejected at 4d10a14: "unsupported method `forward` in #[grad]
    // fn; the supported float methods are exp …" (a method on a struct's struct field).
    // The method called by path instead:
    let mu = Linear::forward(&vae.enc_mu, x);
    let logvar = Linear::forward(&vae.enc_logvar, x);
    let z: Vec<f64> = mu
        .iter()
        .zip(&logvar)
        .zip(eps)
        .map(|((m, lv), e)| m + (0.5 * lv).exp() * e)
        .collect();
    let logits = Linear::forward(&vae.dec, &z);
    let reconstruction: f64 = logits.iter().zip(x).map(|(&l, &xi)| bce_logit(l, xi)).sum();
    let kl = -0.5
        * mu.iter()
            .zip(&logvar)
            .map(|(m, lv)| 1.0 + lv - m * m - lv.exp())
            .sum::<f64>();
    reconstruction + kl
}

// ---------------------------------------------------------------- boosting

/// A decision stump: goes left when `x[feature] < threshold`.
#[derive(Clone, Copy, Debug)]
pub struct Stump {
    pub feature: usize,
    pub threshold: f64,
}

/// Regularised logistic loss of a boosted ensemble of stumps as a function of the leaf
/// values and the base score (the objective a booster refits leaves against).
#[grad(wrt(leaves, base_score))]
pub fn boosted_logloss(
    stumps: &[Stump],
    leaves: &[[f64; 2]],
    base_score: f64,
    xs: &[Vec<f64>],
    ys: &[f64],
    lambda: f64,
) -> f64 {
    let n = xs.len() as f64;
    let data_loss = xs
        .iter()
        .zip(ys)
        .map(|(x, &y)| {
            let margin = base_score
                + stumps
                    .iter()
                    .zip(leaves)
                    .map(|(s, leaf)| {
                        if x[s.feature] < s.threshold {
                            leaf[0]
                        } else {
                            leaf[1]
                        }
                    })
                    .sum::<f64>();
            softplus(margin) - y * margin
        })
        .sum::<f64>()
        / n;
    // first written: `let penalty: f64 = leaves.iter().flatten().map(|w| w * w).sum();`
    // rejected at 4d10a14: "unsupported iterator adapter `flatten` in #[grad] fn; the
    // supported adapters are …". Each leaf pair summed instead:
    let penalty: f64 = leaves.iter().map(|l| l[0] * l[0] + l[1] * l[1]).sum();
    data_loss + 0.5 * lambda * penalty
}

// ---------------------------------------------------------------- CNN

const IMG: usize = 8;
const K: usize = 3;
const FMAP: usize = IMG - K + 1;
const POOLED: usize = FMAP / 2;

/// Binary cross-entropy of a tiny CNN: one 3×3 valid convolution, ReLU, 2×2 max pooling
/// and a linear head on the pooled map.
#[grad(wrt(kernel, bias, head))]
pub fn cnn_bce(
    image: &[[f64; IMG]; IMG],
    kernel: &[[f64; K]; K],
    bias: f64,
    head: &[f64; POOLED * POOLED],
    label: f64,
) -> f64 {
    // first written:
    //     for (i, row) in fmap.iter_mut().enumerate() {
    //         for (j, v) in row.iter_mut().enumerate() {
    //             … *v = acc.max(0.0);
    // rejected at 4d10a14: "`iter_mut` is supported on arrays of floats; index the rows
    // of a 2-D array (`m[i][j] = …`)". Indexed instead:
    let mut fmap = [[0.0; FMAP]; FMAP];
    for i in 0..FMAP {
        for j in 0..FMAP {
            let mut acc = bias;
            for di in 0..K {
                for dj in 0..K {
                    acc += kernel[di][dj] * image[i + di][j + dj];
                }
            }
            fmap[i][j] = acc.max(0.0);
        }
    }
    let mut logit = 0.0;
    for pi in 0..POOLED {
        for pj in 0..POOLED {
            let (r, c) = (2 * pi, 2 * pj);
            let m = fmap[r][c]
                .max(fmap[r][c + 1])
                .max(fmap[r + 1][c])
                .max(fmap[r + 1][c + 1]);
            logit += head[pi * POOLED + pj] * m;
        }
    }
    bce_logit(logit, label)
}

// ---------------------------------------------------------------- mixture of experts

/// A linear expert on two features.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Expert {
    pub w: [f64; 2],
    pub b: f64,
}

#[grad]
impl Expert {
    /// The expert's prediction.
    pub fn predict(&self, x: [f64; 2]) -> f64 {
        self.w[0] * x[0] + self.w[1] * x[1] + self.b
    }
}

/// Mean squared error of a softly gated mixture of three linear experts.
#[grad(wrt(experts, gate))]
pub fn moe_mse(experts: &[Expert; 3], gate: &[[f64; 2]; 3], data: &[([f64; 2], f64)]) -> f64 {
    let sse: f64 = data
        .iter()
        // first written: `.map(|&(x, y)| { … e.predict(x) … })`; rejected at 4d10a14 in
        // the generated code: rustc E0308 "expected `[f64; 2]`, found `&[f64; 2]`" at
        // `predict` (an array bound by a `&(x, y)` pattern passed on by value). Bound by
        // reference and dereferenced at the call instead:
        .map(|(x, y)| {
            let scores: Vec<f64> = gate.iter().map(|g| g[0] * x[0] + g[1] * x[1]).collect();
            let probs = softmax(&scores);
            let prediction: f64 = experts
                .iter()
                .zip(&probs)
                .map(|(e, p)| p * e.predict(*x))
                .sum();
            (prediction - y).powi(2)
        })
        .sum();
    sse / data.len() as f64
}

// ---------------------------------------------------------------- tests

use crate::common::*;

fn linear(rows: usize, cols: usize, seed: f64) -> Linear {
    Linear {
        w: (0..rows)
            .map(|i| {
                (0..cols)
                    .map(|j| 0.3 * (seed + 1.7 * i as f64 + 0.9 * j as f64).sin())
                    .collect()
            })
            .collect(),
        b: (0..rows).map(|i| 0.1 * (seed + i as f64).cos()).collect(),
    }
}

fn zero_linear(l: &Linear) -> Linear {
    Linear {
        w: l.w.iter().map(|r| vec![0.0; r.len()]).collect(),
        b: vec![0.0; l.b.len()],
    }
}

fn flat_linear(l: &Linear) -> Vec<f64> {
    let mut v: Vec<f64> = l.w.iter().flatten().copied().collect();
    v.extend(&l.b);
    v
}

fn unflat_linear(shape: &Linear, p: &[f64]) -> (Linear, usize) {
    let mut k = 0;
    let mut out = zero_linear(shape);
    for row in out.w.iter_mut() {
        for v in row.iter_mut() {
            *v = p[k];
            k += 1;
        }
    }
    for v in out.b.iter_mut() {
        *v = p[k];
        k += 1;
    }
    (out, k)
}

#[test]
fn r9_sgns_loss() {
    let emb = |n: usize, d: usize, s: f64| -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| {
                (0..d)
                    .map(|j| 0.4 * (s + 1.3 * i as f64 - 0.7 * j as f64).sin())
                    .collect()
            })
            .collect()
    };
    let input = emb(6, 4, 0.2);
    let output = emb(6, 4, 1.1);
    let batch = [
        SkipGramExample {
            center: 0,
            context: 1,
            negatives: [3, 4, 5],
        },
        SkipGramExample {
            center: 2,
            context: 0,
            negatives: [1, 5, 5],
        },
        SkipGramExample {
            center: 1,
            context: 2,
            negatives: [0, 3, 4],
        },
    ];
    let mut din = vec![vec![0.0; 4]; 6];
    let mut dout = vec![vec![0.0; 4]; 6];
    let l = sgns_loss_backward(&input, &mut din, &output, &mut dout, &batch, 1.0);
    assert_bits(l, sgns_loss(&input, &output, &batch), "value");
    let flat = |m: &[Vec<f64>]| -> Vec<f64> { m.iter().flatten().copied().collect() };
    let unflat = |p: &[f64]| -> Vec<Vec<f64>> { p.chunks(4).map(|c| c.to_vec()).collect() };
    assert_fd(
        |p| sgns_loss(&unflat(&p[..24]), &unflat(&p[24..]), &batch),
        &cat(&[&flat(&input), &flat(&output)]),
        &cat(&[&flat(&din), &flat(&dout)]),
    );
}

#[test]
fn r9_vae_neg_elbo() {
    let vae = Vae {
        enc_mu: linear(2, 4, 0.3),
        enc_logvar: linear(2, 4, 1.9),
        dec: linear(4, 2, -0.8),
    };
    let x = [0.9, 0.1, 0.6, 0.3];
    let eps = [0.7, -1.2];
    let mut dvae = Vae {
        enc_mu: zero_linear(&vae.enc_mu),
        enc_logvar: zero_linear(&vae.enc_logvar),
        dec: zero_linear(&vae.dec),
    };
    let l = vae_neg_elbo_backward(&vae, &mut dvae, &x, &eps, 1.0);
    assert_bits(l, vae_neg_elbo(&vae, &x, &eps), "value");
    let point = cat(&[
        &flat_linear(&vae.enc_mu),
        &flat_linear(&vae.enc_logvar),
        &flat_linear(&vae.dec),
    ]);
    let grad = cat(&[
        &flat_linear(&dvae.enc_mu),
        &flat_linear(&dvae.enc_logvar),
        &flat_linear(&dvae.dec),
    ]);
    assert_fd(
        |p| {
            let (mu, a) = unflat_linear(&vae.enc_mu, p);
            let (lv, b) = unflat_linear(&vae.enc_logvar, &p[a..]);
            let (dec, _) = unflat_linear(&vae.dec, &p[a + b..]);
            vae_neg_elbo(
                &Vae {
                    enc_mu: mu,
                    enc_logvar: lv,
                    dec,
                },
                &x,
                &eps,
            )
        },
        &point,
        &grad,
    );
}

#[test]
fn r9_boosted_logloss() {
    let stumps = [
        Stump {
            feature: 0,
            threshold: 0.5,
        },
        Stump {
            feature: 1,
            threshold: -0.2,
        },
        Stump {
            feature: 0,
            threshold: 1.5,
        },
    ];
    let leaves = [[0.3, -0.2], [-0.1, 0.4], [0.05, 0.25]];
    let xs: Vec<Vec<f64>> = (0..8)
        .map(|i| vec![0.3 * i as f64, (i as f64 * 1.1).sin()])
        .collect();
    let ys = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    let mut dleaves = [[0.0; 2]; 3];
    let (l, dbase) =
        boosted_logloss_backward(&stumps, &leaves, &mut dleaves, 0.1, &xs, &ys, 0.5, 1.0);
    assert_bits(
        l,
        boosted_logloss(&stumps, &leaves, 0.1, &xs, &ys, 0.5),
        "value",
    );
    let mut g = flat2(&dleaves);
    g.push(dbase);
    let mut x = flat2(&leaves);
    x.push(0.1);
    assert_fd(
        |p| boosted_logloss(&stumps, &arr2::<2, 3>(p), p[6], &xs, &ys, 0.5),
        &x,
        &g,
    );
}

#[test]
fn r9_cnn_bce() {
    let image: [[f64; IMG]; IMG] =
        core::array::from_fn(|i| core::array::from_fn(|j| ((i * 13 + j * 7) as f64 * 0.37).sin()));
    let kernel = [[0.2, -0.1, 0.3], [0.05, 0.4, -0.2], [-0.3, 0.1, 0.25]];
    let head: [f64; 9] = core::array::from_fn(|k| 0.5 - 0.11 * k as f64);
    let mut dk = [[0.0; K]; K];
    let mut dh = [0.0; 9];
    let (l, db) = cnn_bce_backward(&image, &kernel, &mut dk, 0.05, &head, &mut dh, 1.0, 1.0);
    assert_bits(l, cnn_bce(&image, &kernel, 0.05, &head, 1.0), "value");
    // The point is away from the kinks: every pre-activation at least 1e-3 from 0, and in
    // each pooling window with a positive maximum the two largest at least 1e-3 apart.
    let pre: Vec<Vec<f64>> = (0..FMAP)
        .map(|i| {
            (0..FMAP)
                .map(|j| {
                    let mut acc = 0.05;
                    for di in 0..K {
                        for dj in 0..K {
                            acc += kernel[di][dj] * image[i + di][j + dj];
                        }
                    }
                    acc
                })
                .collect()
        })
        .collect();
    assert!(pre.iter().flatten().all(|v| v.abs() >= 1e-3));
    let mut live_windows = 0;
    for pi in 0..POOLED {
        for pj in 0..POOLED {
            let mut w = [
                pre[2 * pi][2 * pj].max(0.0),
                pre[2 * pi][2 * pj + 1].max(0.0),
                pre[2 * pi + 1][2 * pj].max(0.0),
                pre[2 * pi + 1][2 * pj + 1].max(0.0),
            ];
            w.sort_by(|a, b| b.total_cmp(a));
            if w[0] > 0.0 {
                live_windows += 1;
                assert!(w[0] - w[1] >= 1e-3, "pooling tie at ({pi}, {pj}): {w:?}");
            }
        }
    }
    assert!(
        live_windows >= 5,
        "only {live_windows} pooling windows pass a gradient"
    );
    let mut g = flat2(&dk);
    g.push(db);
    g.extend(dh);
    let mut x = flat2(&kernel);
    x.push(0.05);
    x.extend(head);
    assert_fd(
        |p| cnn_bce(&image, &arr2::<3, 3>(p), p[9], &arr::<9>(&p[10..]), 1.0),
        &x,
        &g,
    );
}

#[test]
fn r9_moe_mse() {
    let experts = [
        Expert {
            w: [0.5, -0.2],
            b: 0.1,
        },
        Expert {
            w: [-0.3, 0.8],
            b: -0.2,
        },
        Expert {
            w: [1.1, 0.3],
            b: 0.0,
        },
    ];
    let gate = [[0.4, -0.3], [-0.2, 0.6], [0.1, 0.1]];
    let data: Vec<([f64; 2], f64)> = (0..6)
        .map(|i| {
            let x = [0.5 * i as f64 - 1.0, (i as f64).cos()];
            (x, x[0] * x[1] + 0.3)
        })
        .collect();
    let mut de = [Expert::default(); 3];
    let mut dg = [[0.0; 2]; 3];
    let l = moe_mse_backward(&experts, &mut de, &gate, &mut dg, &data, 1.0);
    assert_bits(l, moe_mse(&experts, &gate, &data), "value");
    let flat_e =
        |es: &[Expert; 3]| -> Vec<f64> { es.iter().flat_map(|e| [e.w[0], e.w[1], e.b]).collect() };
    assert_fd(
        |p| {
            let es: [Expert; 3] = core::array::from_fn(|k| Expert {
                w: [p[3 * k], p[3 * k + 1]],
                b: p[3 * k + 2],
            });
            moe_mse(&es, &arr2::<2, 3>(&p[9..]), &data)
        },
        &cat(&[&flat_e(&experts), &flat2(&gate)]),
        &cat(&[&flat_e(&de), &flat2(&dg)]),
    );
}
