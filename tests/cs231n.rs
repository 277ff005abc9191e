//! The CS231n case study: a linear softmax classifier, a multiclass SVM and a
//! 2-layer ReLU network with softmax cross-entropy (stable: the max is
//! subtracted), averaged over a batch, plus L2 regularisation
//! `0.5 * reg * Σ w²`, written as `#[grad(wrt(…))]` functions over
//! `&[[f64; M]; N]` weights, `&[[f64; D]]` data and `&[usize]` labels.
//!
//! Every gradient is checked against central finite differences on every
//! parameter (`common::f64_tol`: relative 1e-6, absolute 1e-8) at 32 random
//! points, kept 1e-3 away from the ReLU and hinge kinks, and against the
//! hand-written backward pass of the CS231n notes (relative 1e-10).
#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::grad;
use common::*;
use proptest::prelude::*;

const D: usize = 2;
const H: usize = 5;
const K: usize = 3;
const BATCH: usize = 7;

// ---------------------------------------------------------------- 2-layer network

/// Mean softmax cross-entropy of a 2-layer ReLU network, plus L2 regularisation.
#[grad(wrt(w1, b1, w2, b2))]
pub fn two_layer_loss(
    w1: &[[f64; H]; D],
    b1: &[f64; H],
    w2: &[[f64; K]; H],
    b2: &[f64; K],
    x: &[[f64; D]],
    y: &[usize],
    reg: f64,
) -> f64 {
    let n = x.len();
    let mut loss = 0.0;
    for i in 0..n {
        let mut h = [0.0; H];
        for j in 0..H {
            let mut a = b1[j];
            for d in 0..D {
                a += x[i][d] * w1[d][j];
            }
            h[j] = autodiff::relu(a);
        }
        let mut s = [0.0; K];
        for k in 0..K {
            let mut a = b2[k];
            for j in 0..H {
                a += h[j] * w2[j][k];
            }
            s[k] = a;
        }
        let mut m = s[0];
        for k in 1..K {
            m = m.max(s[k]);
        }
        let mut z = 0.0;
        for k in 0..K {
            z += (s[k] - m).exp();
        }
        loss += z.ln() + m - s[y[i]];
    }
    loss /= n as f64;
    let mut r = 0.0;
    for d in 0..D {
        for j in 0..H {
            r += w1[d][j] * w1[d][j];
        }
    }
    for j in 0..H {
        for k in 0..K {
            r += w2[j][k] * w2[j][k];
        }
    }
    loss + 0.5 * reg * r
}

/// The network's parameters.
#[derive(Clone, Debug)]
struct Net {
    w1: [[f64; H]; D],
    b1: [f64; H],
    w2: [[f64; K]; H],
    b2: [f64; K],
}

impl Net {
    const LEN: usize = D * H + H + H * K + K;

    fn flat(&self) -> Vec<f64> {
        cat(&[&flat2(&self.w1), &self.b1, &flat2(&self.w2), &self.b2])
    }

    fn from_flat(p: &[f64]) -> Net {
        let (a, rest) = p.split_at(D * H);
        let (b, rest) = rest.split_at(H);
        let (c, e) = rest.split_at(H * K);
        Net {
            w1: arr2(a),
            b1: arr(b),
            w2: arr2(c),
            b2: arr(e),
        }
    }

    fn zeros() -> Net {
        Net::from_flat(&[0.0; Net::LEN])
    }

    fn loss(&self, x: &[[f64; D]], y: &[usize], reg: f64) -> f64 {
        two_layer_loss(&self.w1, &self.b1, &self.w2, &self.b2, x, y, reg)
    }

    /// The companion: the loss and the gradient, added into `g`.
    fn backward(&self, g: &mut Net, x: &[[f64; D]], y: &[usize], reg: f64, d: f64) -> f64 {
        two_layer_loss_backward(
            &self.w1, &mut g.w1, &self.b1, &mut g.b1, &self.w2, &mut g.w2, &self.b2, &mut g.b2, x,
            y, reg, d,
        )
    }

    /// The hand-written backward pass of the CS231n notes.
    fn by_hand(&self, x: &[[f64; D]], y: &[usize], reg: f64) -> (f64, Net) {
        let n = x.len() as f64;
        let mut g = Net::zeros();
        let mut loss = 0.0;
        for (xi, &yi) in x.iter().zip(y) {
            let mut pre = [0.0; H];
            let mut h = [0.0; H];
            for j in 0..H {
                pre[j] = self.b1[j] + (0..D).map(|d| xi[d] * self.w1[d][j]).sum::<f64>();
                h[j] = pre[j].max(0.0);
            }
            let s: [f64; K] = std::array::from_fn(|k| {
                self.b2[k] + (0..H).map(|j| h[j] * self.w2[j][k]).sum::<f64>()
            });
            let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = s.iter().map(|v| (v - m).exp()).sum();
            loss += z.ln() + m - s[yi];
            // dscores = (softmax - onehot) / n
            let ds: [f64; K] = std::array::from_fn(|k| {
                ((s[k] - m).exp() / z - if k == yi { 1.0 } else { 0.0 }) / n
            });
            let mut dh = [0.0; H];
            for j in 0..H {
                for k in 0..K {
                    g.w2[j][k] += h[j] * ds[k];
                    dh[j] += self.w2[j][k] * ds[k];
                }
            }
            for k in 0..K {
                g.b2[k] += ds[k];
            }
            for j in 0..H {
                let dpre = if pre[j] > 0.0 { dh[j] } else { 0.0 };
                g.b1[j] += dpre;
                for d in 0..D {
                    g.w1[d][j] += xi[d] * dpre;
                }
            }
        }
        let mut r = 0.0;
        for d in 0..D {
            for j in 0..H {
                r += self.w1[d][j] * self.w1[d][j];
                g.w1[d][j] += reg * self.w1[d][j];
            }
        }
        for j in 0..H {
            for k in 0..K {
                r += self.w2[j][k] * self.w2[j][k];
                g.w2[j][k] += reg * self.w2[j][k];
            }
        }
        (loss / n + 0.5 * reg * r, g)
    }

    /// Whether every hidden pre-activation is at least `gap` from the ReLU kink.
    fn clear_of_kinks(&self, x: &[[f64; D]], gap: f64) -> bool {
        x.iter().all(|xi| {
            (0..H).all(|j| {
                let pre = self.b1[j] + (0..D).map(|d| xi[d] * self.w1[d][j]).sum::<f64>();
                pre.abs() >= gap
            })
        })
    }
}

fn net() -> impl Strategy<Value = Net> {
    float_vec(-1.0, 1.0, Net::LEN..Net::LEN + 1).prop_map(|p| Net::from_flat(&p))
}

fn batch(n: std::ops::Range<usize>) -> impl Strategy<Value = (Vec<[f64; D]>, Vec<usize>)> {
    n.prop_flat_map(|n| {
        (
            proptest::collection::vec(floats::<D>(-1.0, 1.0), n),
            proptest::collection::vec(0..K, n),
        )
    })
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn two_layer_network_against_finite_differences(
        (net, (x, y)) in (net(), batch(BATCH..BATCH + 1))
            .prop_filter("at a ReLU kink", |(net, (x, _))| net.clear_of_kinks(x, 1e-3)),
        reg in 0.0f64..0.5,
        d in cotangent(),
    ) {
        let mut g = Net::zeros();
        let v = net.backward(&mut g, &x, &y, reg, d);
        prop_assert_eq!(v.to_bits(), net.loss(&x, &y, reg).to_bits());
        prop_fd(|p| d * Net::from_flat(p).loss(&x, &y, reg), &net.flat(), &g.flat())?;
    }

    #[test]
    fn two_layer_network_against_the_hand_written_backward_pass(
        (net, (x, y)) in (net(), batch(1..12)),
        reg in 0.0f64..0.5,
    ) {
        let mut g = Net::zeros();
        let v = net.backward(&mut g, &x, &y, reg, 1.0);
        let (want_v, want_g) = net.by_hand(&x, &y, reg);
        prop_assert!((v - want_v).abs() <= 1e-12 * want_v.abs().max(1.0), "{} vs {}", v, want_v);
        prop_all_near(&g.flat(), &want_g.flat(), 1e-10, "gradient")?;
    }
}

#[test]
fn gradient_descent_on_the_network_lowers_the_loss() {
    // a fixed, reproducible problem: 3 clusters in the plane
    let x: Vec<[f64; D]> = (0..12)
        .map(|i| {
            let k = (i % K) as f64;
            let t = 0.3 * i as f64;
            [k.cos() + 0.1 * t.sin(), k.sin() + 0.1 * t.cos()]
        })
        .collect();
    let y: Vec<usize> = (0..12).map(|i| i % K).collect();
    let init: Vec<f64> = (0..Net::LEN)
        .map(|i| 0.3 * ((i * 7 + 3) as f64).sin())
        .collect();
    let mut net = Net::from_flat(&init);
    let reg = 1e-3;
    let first = net.loss(&x, &y, reg);
    for _ in 0..200 {
        let mut g = Net::zeros();
        net.backward(&mut g, &x, &y, reg, 1.0);
        let p: Vec<f64> = net
            .flat()
            .iter()
            .zip(g.flat())
            .map(|(w, dw)| w - 0.5 * dw)
            .collect();
        net = Net::from_flat(&p);
    }
    let last = net.loss(&x, &y, reg);
    assert!(last < 0.5 * first, "loss {first} -> {last}");
}

// ---------------------------------------------------------------- linear classifiers

/// A linear softmax classifier: mean cross-entropy plus `0.5 * reg * Σ w²`.
#[grad(wrt(w, b))]
pub fn softmax_loss(w: &[[f64; K]; D], b: &[f64; K], x: &[[f64; D]], y: &[usize], reg: f64) -> f64 {
    let mut loss = 0.0;
    for (i, xi) in x.iter().enumerate() {
        let mut s = [0.0; K];
        for k in 0..K {
            s[k] = b[k];
            for d in 0..D {
                s[k] += xi[d] * w[d][k];
            }
        }
        let m = s.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        let z: f64 = s.iter().map(|v| (v - m).exp()).sum();
        loss += z.ln() + m - s[y[i]];
    }
    let mut r = 0.0;
    for d in 0..D {
        r += w[d].iter().map(|v| v * v).sum::<f64>();
    }
    loss / (x.len() as f64) + 0.5 * reg * r
}

/// The multiclass SVM (hinge) loss of CS231n assignment 1, by value.
#[grad(wrt(w))]
pub fn svm_loss(w: [[f64; K]; D], x: &[[f64; D]], y: &[usize], reg: f64) -> f64 {
    let mut loss = 0.0;
    for i in 0..x.len() {
        let mut s = [0.0; K];
        for k in 0..K {
            for d in 0..D {
                s[k] += x[i][d] * w[d][k];
            }
        }
        for k in 0..K {
            if k == y[i] {
                continue;
            }
            loss += (s[k] - s[y[i]] + 1.0).max(0.0);
        }
    }
    let mut r = 0.0;
    for d in 0..D {
        for k in 0..K {
            r += w[d][k] * w[d][k];
        }
    }
    loss / (x.len() as f64) + 0.5 * reg * r
}

fn svm_clear(w: &[[f64; K]; D], x: &[[f64; D]], y: &[usize]) -> bool {
    x.iter().zip(y).all(|(xi, &yi)| {
        let s: [f64; K] = std::array::from_fn(|k| (0..D).map(|d| xi[d] * w[d][k]).sum());
        (0..K).all(|k| k == yi || (s[k] - s[yi] + 1.0).abs() >= 1e-3)
    })
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn linear_softmax_classifier(
        w in floats2::<K, D>(-2.0, 2.0),
        b in floats::<K>(-1.0, 1.0),
        (x, y) in batch(1..BATCH + 1),
        reg in 0.0f64..0.5,
        d in cotangent(),
    ) {
        let (mut dw, mut db) = ([[0.0; K]; D], [0.0; K]);
        let v = softmax_loss_backward(&w, &mut dw, &b, &mut db, &x, &y, reg, d);
        prop_assert_eq!(v.to_bits(), softmax_loss(&w, &b, &x, &y, reg).to_bits());
        prop_fd(
            |p| d * softmax_loss(&arr2(p), &arr(&p[D * K..]), &x, &y, reg),
            &cat(&[&flat2(&w), &b]),
            &cat(&[&flat2(&dw), &db]),
        )?;
        // by hand: dW = X^T (softmax - onehot) / n + reg W
        let n = x.len() as f64;
        let (mut hw, mut hb) = ([[0.0; K]; D], [0.0; K]);
        for (xi, &yi) in x.iter().zip(&y) {
            let s: [f64; K] = std::array::from_fn(|k| b[k] + (0..D).map(|j| xi[j] * w[j][k]).sum::<f64>());
            let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = s.iter().map(|v| (v - m).exp()).sum();
            for k in 0..K {
                let ds = ((s[k] - m).exp() / z - if k == yi { 1.0 } else { 0.0 }) / n;
                hb[k] += d * ds;
                for j in 0..D {
                    hw[j][k] += d * xi[j] * ds;
                }
            }
        }
        for j in 0..D {
            for k in 0..K {
                hw[j][k] += d * reg * w[j][k];
            }
        }
        prop_all_near(&cat(&[&flat2(&dw), &db]), &cat(&[&flat2(&hw), &hb]), 1e-10, "by hand")?;
    }

    #[test]
    fn multiclass_svm(
        ((w, (x, y)), reg) in ((floats2::<K, D>(-2.0, 2.0), batch(1..BATCH + 1)), 0.0f64..0.5)
            .prop_filter("at a hinge", |((w, (x, y)), _)| svm_clear(w, x, y)),
        d in cotangent(),
    ) {
        let (v, dw) = svm_loss_backward(w, &x, &y, reg, d);
        prop_assert_eq!(v.to_bits(), svm_loss(w, &x, &y, reg).to_bits());
        prop_fd(|p| d * svm_loss(arr2(p), &x, &y, reg), &flat2(&w), &flat2(&dw))?;
    }
}

#[test]
fn softmax_loss_at_zero_weights_is_ln_k() {
    // CS231n's sanity check: with W = 0 the loss is ln(K) and dW = X^T (1/K - onehot) / n
    let x = [[1.0, 2.0], [-1.0, 0.5], [0.0, -3.0]];
    let y = [0, 2, 1];
    let (mut dw, mut db) = ([[0.0; K]; D], [0.0; K]);
    let v = softmax_loss_backward(
        &[[0.0; K]; D],
        &mut dw,
        &[0.0; K],
        &mut db,
        &x,
        &y,
        0.7,
        1.0,
    );
    assert_near(v, (K as f64).ln(), 1e-15, "loss");
    let (mut want_w, mut want_b) = ([[0.0; K]; D], [0.0; K]);
    for (xi, &yi) in x.iter().zip(&y) {
        for k in 0..K {
            let ds = (1.0 / K as f64 - if k == yi { 1.0 } else { 0.0 }) / 3.0;
            want_b[k] += ds;
            for d in 0..D {
                want_w[d][k] += xi[d] * ds;
            }
        }
    }
    assert_all_near(&flat2(&dw), &flat2(&want_w), 1e-15, "dW");
    assert_all_near(&db, &want_b, 1e-15, "db");
}
