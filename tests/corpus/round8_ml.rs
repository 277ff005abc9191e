//! Round 8, ML: written as an ML engineer writes Rust, before reading the support table
//! (a GRU cell run over a sequence, layer norm in front of an MLP, a triplet loss, Poisson
//! regression, attention pooling).

use autodiff::{grad, Tangent};

/// The logistic function.
#[grad]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A GRU cell with a two-dimensional input and hidden state.
#[derive(Clone, Debug, Tangent)]
pub struct Gru {
    pub w_z: [[f64; 2]; 2],
    pub u_z: [[f64; 2]; 2],
    pub b_z: [f64; 2],
    pub w_r: [[f64; 2]; 2],
    pub u_r: [[f64; 2]; 2],
    pub b_r: [f64; 2],
    pub w_h: [[f64; 2]; 2],
    pub u_h: [[f64; 2]; 2],
    pub b_h: [f64; 2],
}

impl Gru {
    /// One step: the new hidden state from the previous one and the input.
    #[grad]
    pub fn step(&self, h: [f64; 2], x: [f64; 2]) -> [f64; 2] {
        let mut z = [0.0; 2];
        let mut r = [0.0; 2];
        for i in 0..2 {
            // As first written, accepted since 1ccc7c2 (a user's own `#[grad]` function
            // named like a primitive, called bare below it in the same file, is that
            // function): the bare `sigmoid(…)`, here and for `r[i]`, was rejected at
            // 520f6f4 and at 1ccc7c2's parent 8430b27 with E0308 (rustc, at the call)
            // expected fn item `{round8_ml::sigmoid}`, found fn item
            // `{autodiff::sigmoid::<f64>}` (a bare `sigmoid` was autodiff's primitive). The
            // rewrite called `self::sigmoid(…)`.
            z[i] = sigmoid(
                self.w_z[i][0] * x[0]
                    + self.w_z[i][1] * x[1]
                    + self.u_z[i][0] * h[0]
                    + self.u_z[i][1] * h[1]
                    + self.b_z[i],
            );
            r[i] = sigmoid(
                self.w_r[i][0] * x[0]
                    + self.w_r[i][1] * x[1]
                    + self.u_r[i][0] * h[0]
                    + self.u_r[i][1] * h[1]
                    + self.b_r[i],
            );
        }
        let mut h_new = [0.0; 2];
        for i in 0..2 {
            let candidate = (self.w_h[i][0] * x[0]
                + self.w_h[i][1] * x[1]
                + self.u_h[i][0] * r[0] * h[0]
                + self.u_h[i][1] * r[1] * h[1]
                + self.b_h[i])
                .tanh();
            h_new[i] = (1.0 - z[i]) * h[i] + z[i] * candidate;
        }
        h_new
    }

    /// Squared error between the last hidden state and a target.
    #[grad(wrt(self))]
    pub fn sequence_loss(&self, xs: &[[f64; 2]], target: [f64; 2]) -> f64 {
        // first written:
        //     let h = xs.iter().fold([0.0; 2], |h, x| self.step(h, *x));
        // error at 520f6f4: the initial value of `fold` must be a number or a tuple of
        // numbers. Still rejected at 8e522dc: "a reduction must produce a value of its
        // initial type" (1ccc7c2 takes an array accumulator whose closure builds the
        // array, `|h, x| [h[1] + k * x, h[0]]`, not one that calls a function or method;
        // also with `Gru::step(self, h, *x)` or annotated `|h: [f64; 2], x| -> [f64; 2]`).
        // The loop below calls the method as written since 1ccc7c2 (a method's array result
        // typed by its context; at 520f6f4 "a value carried by this loop changes type in its
        // body", `h` annotated or not, and at 1ccc7c2's parent 8430b27 the same); the
        // rewrite called it by path, `h = Gru::step(self, h, *x);`.
        let mut h = [0.0; 2];
        for x in xs {
            h = self.step(h, *x);
        }
        (h[0] - target[0]).powi(2) + (h[1] - target[1]).powi(2)
    }
}

/// Layer normalisation with a learned gain and bias.
#[grad]
pub fn layer_norm(x: &[f64], gamma: &[f64], beta: &[f64]) -> Vec<f64> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let inv_std = 1.0 / (var + 1e-5).sqrt();
    x.iter()
        .zip(gamma.iter().zip(beta))
        .map(|(v, (g, b))| g * (v - mean) * inv_std + b)
        .collect()
}

/// Layer norm, one ReLU hidden layer, a scalar output.
#[derive(Clone, Debug, Tangent)]
pub struct Mlp {
    pub gamma: Vec<f64>,
    pub beta: Vec<f64>,
    pub w1: Vec<Vec<f64>>,
    pub b1: Vec<f64>,
    pub w2: Vec<f64>,
    pub b2: f64,
}

impl Mlp {
    /// The network's output for one input.
    #[grad]
    pub fn forward(&self, x: &[f64]) -> f64 {
        let h = layer_norm(x, &self.gamma, &self.beta);
        let hidden: Vec<f64> = self
            .w1
            .iter()
            .zip(&self.b1)
            .map(|(row, b)| (row.iter().zip(&h).map(|(w, v)| w * v).sum::<f64>() + b).max(0.0))
            .collect();
        hidden.iter().zip(&self.w2).map(|(a, w)| a * w).sum::<f64>() + self.b2
    }
}

/// Mean squared error of the network over a batch.
#[grad(wrt(net))]
pub fn mse_loss(net: &Mlp, xs: &[Vec<f64>], ys: &[f64]) -> f64 {
    let total: f64 = xs
        .iter()
        .zip(ys)
        .map(|(x, y)| (net.forward(x) - y).powi(2))
        .sum();
    total / xs.len() as f64
}

#[grad]
fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Triplet margin loss over a batch of embeddings.
#[grad(wrt(anchors, positives, negatives))]
pub fn triplet_loss(
    anchors: &[Vec<f64>],
    positives: &[Vec<f64>],
    negatives: &[Vec<f64>],
    margin: f64,
) -> f64 {
    let total: f64 = anchors
        .iter()
        .zip(positives)
        .zip(negatives)
        .map(|((a, p), n)| (squared_distance(a, p) - squared_distance(a, n) + margin).max(0.0))
        .sum();
    total / anchors.len() as f64
}

/// Poisson regression (log link) negative log-likelihood with an L2 penalty.
#[grad(wrt(weights, bias))]
pub fn poisson_nll(
    weights: &[f64],
    bias: f64,
    features: &[Vec<f64>],
    counts: &[u32],
    l2: f64,
) -> f64 {
    let mut nll = 0.0;
    for (x, &k) in features.iter().zip(counts) {
        let eta = bias + weights.iter().zip(x).map(|(w, xi)| w * xi).sum::<f64>();
        nll += eta.exp() - f64::from(k) * eta;
    }
    let penalty: f64 = weights.iter().map(|w| w * w).sum();
    nll / features.len() as f64 + 0.5 * l2 * penalty
}

/// Scaled dot-product attention of one query over keys, pooling scalar values.
#[grad]
pub fn attention_pool(query: &[f64; 4], keys: &[[f64; 4]], values: &[f64]) -> f64 {
    let scale = 1.0 / (query.len() as f64).sqrt();
    let scores: Vec<f64> = keys
        .iter()
        .map(|k| k.iter().zip(query).map(|(a, b)| a * b).sum::<f64>() * scale)
        .collect();
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
    let z: f64 = weights.iter().sum();
    weights.iter().zip(values).map(|(w, v)| w * v).sum::<f64>() / z
}

// ---------------------------------------------------------------- tests

use crate::common::*;

fn gru_from(p: &[f64]) -> Gru {
    let m = |o: usize| -> [[f64; 2]; 2] { arr2(&p[o..o + 4]) };
    let v = |o: usize| -> [f64; 2] { arr(&p[o..o + 2]) };
    Gru {
        w_z: m(0),
        u_z: m(4),
        b_z: v(8),
        w_r: m(10),
        u_r: m(14),
        b_r: v(18),
        w_h: m(20),
        u_h: m(24),
        b_h: v(28),
    }
}

fn gru_flat(g: &Gru) -> Vec<f64> {
    let mut out = Vec::new();
    for (w, u, b) in [
        (&g.w_z, &g.u_z, &g.b_z),
        (&g.w_r, &g.u_r, &g.b_r),
        (&g.w_h, &g.u_h, &g.b_h),
    ] {
        out.extend(flat2(w));
        out.extend(flat2(u));
        out.extend(b);
    }
    out
}

#[test]
fn r8_gru_sequence_loss() {
    let p: Vec<f64> = (0..30)
        .map(|i| 0.6 * (i as f64 * 0.7 + 0.3).sin())
        .collect();
    let gru = gru_from(&p);
    let xs = [[0.5, -0.2], [0.1, 0.8], [-0.6, 0.3], [0.9, 0.4]];
    let target = [0.3, -0.1];
    let mut d = <Gru as Tangent>::zero();
    let loss = gru.sequence_loss_backward(&mut d, &xs, target, 1.0);
    assert_bits(loss, gru.sequence_loss(&xs, target), "value");
    assert_fd(
        |q| gru_from(q).sequence_loss(&xs, target),
        &p,
        &gru_flat(&d),
    );
}

fn mlp_from(p: &[f64]) -> Mlp {
    Mlp {
        gamma: p[0..4].to_vec(),
        beta: p[4..8].to_vec(),
        w1: p[8..20].chunks(4).map(|r| r.to_vec()).collect(),
        b1: p[20..23].to_vec(),
        w2: p[23..26].to_vec(),
        b2: p[26],
    }
}

fn mlp_flat(m: &Mlp) -> Vec<f64> {
    let mut out = [
        m.gamma.clone(),
        m.beta.clone(),
        m.w1.concat(),
        m.b1.clone(),
        m.w2.clone(),
    ]
    .concat();
    out.push(m.b2);
    out
}

#[test]
fn r8_mse_loss() {
    let p: Vec<f64> = (0..27)
        .map(|i| 0.8 * (i as f64 * 1.3 + 0.5).cos() + 0.1)
        .collect();
    let net = mlp_from(&p);
    let xs = vec![
        vec![0.2, -1.0, 0.7, 1.5],
        vec![-0.4, 0.3, 0.9, -1.1],
        vec![1.2, 0.1, -0.5, 0.4],
    ];
    let ys = [0.5, -0.3, 1.1];
    // Away from the ReLU kink: every hidden pre-activation is clear of 0.
    for x in &xs {
        let h = layer_norm(x, &net.gamma, &net.beta);
        for (row, b) in net.w1.iter().zip(&net.b1) {
            let pre: f64 = row.iter().zip(&h).map(|(w, v)| w * v).sum::<f64>() + b;
            assert!(
                pre.abs() > 1e-3,
                "pre-activation {pre} too close to the kink"
            );
        }
    }
    let mut d = Tangent::zero_like(&net);
    let loss = mse_loss_backward(&net, &mut d, &xs, &ys, 1.0);
    assert_bits(loss, mse_loss(&net, &xs, &ys), "value");
    assert_fd(|q| mse_loss(&mlp_from(q), &xs, &ys), &p, &mlp_flat(&d));
}

#[test]
fn r8_triplet_loss() {
    let a = vec![
        vec![0.1, 0.5, -0.3],
        vec![1.0, -0.2, 0.4],
        vec![-0.7, 0.8, 0.2],
    ];
    let p = vec![
        vec![0.2, 0.4, -0.1],
        vec![0.6, 0.1, 0.5],
        vec![-0.9, 0.3, 0.0],
    ];
    let n = vec![
        vec![0.5, 0.1, -0.6],
        vec![-0.2, 0.3, 1.0],
        vec![-0.6, 0.9, 0.1],
    ];
    let (mut da, mut dp, mut dn) = (
        vec![vec![0.0; 3]; 3],
        vec![vec![0.0; 3]; 3],
        vec![vec![0.0; 3]; 3],
    );
    let loss = triplet_loss_backward(&a, &mut da, &p, &mut dp, &n, &mut dn, 0.4, 1.0);
    assert_bits(loss, triplet_loss(&a, &p, &n, 0.4), "value");
    // The second triplet is past the margin (it adds nothing, so its positive gets no
    // gradient), the other two are not: both sides of the hinge.
    assert_eq!(dp[1], vec![0.0; 3]);
    assert!(dp[0].iter().chain(&dp[2]).all(|g| *g != 0.0));
    let split = |q: &[f64], o: usize| -> Vec<Vec<f64>> {
        q[o..o + 9].chunks(3).map(|r| r.to_vec()).collect()
    };
    assert_fd(
        |q| triplet_loss(&split(q, 0), &split(q, 9), &split(q, 18), 0.4),
        &[a.concat(), p.concat(), n.concat()].concat(),
        &[da.concat(), dp.concat(), dn.concat()].concat(),
    );
}

#[test]
fn r8_poisson_nll() {
    let features = vec![
        vec![0.5, 1.0, -0.3],
        vec![1.5, -0.2, 0.8],
        vec![-0.4, 0.6, 0.1],
        vec![0.9, 0.3, -1.2],
    ];
    let counts = [2, 5, 1, 0];
    let w = [0.3, -0.1, 0.25];
    let mut dw = [0.0; 3];
    let (nll, db) = poisson_nll_backward(&w, &mut dw, 0.2, &features, &counts, 0.1, 1.0);
    assert_bits(nll, poisson_nll(&w, 0.2, &features, &counts, 0.1), "value");
    assert_fd(
        |q| poisson_nll(&q[..3], q[3], &features, &counts, 0.1),
        &[0.3, -0.1, 0.25, 0.2],
        &cat(&[&dw, &[db]]),
    );
}

#[test]
fn r8_attention_pool() {
    let q = [0.4, -0.8, 1.1, 0.2];
    let keys = [
        [0.5, 0.1, -0.3, 0.9],
        [1.2, -0.7, 0.4, 0.0],
        [-0.6, 0.2, 0.8, -0.5],
    ];
    let values = [1.0, -0.5, 2.0];
    let (mut dq, mut dk, mut dv) = ([0.0; 4], [[0.0; 4]; 3], [0.0; 3]);
    let y = attention_pool_backward(&q, &mut dq, &keys, &mut dk, &values, &mut dv, 1.0);
    assert_bits(y, attention_pool(&q, &keys, &values), "value");
    assert_fd(
        |p| attention_pool(&arr(&p[..4]), &arr2::<4, 3>(&p[4..16]), &p[16..19]),
        &cat(&[&q, &flat2(&keys), &values]),
        &cat(&[&dq, &flat2(&dk), &dv]),
    );
}
