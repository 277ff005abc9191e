//! Round 7, statistics: written as a statistician writes Rust, before reading the
//! support table (ordered logit with a match on the category, a two-state Gaussian HMM by
//! the scaled forward algorithm, right-censored logistic survival with a distribution
//! struct and `&self` methods, a Huber M-estimate by IRLS with a Vec of weights).

use autodiff::{grad, Tangent};

/// The logistic function.
#[grad]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Negative log-likelihood of the proportional-odds (ordered logit) model:
/// P(y ≤ k | x) = σ(c_k − βᵀx), categories 0..=K for K increasing cut points.
#[grad(wrt(beta, cuts))]
pub fn ordered_logit_nll(beta: &[f64], cuts: &[f64], xs: &[Vec<f64>], ys: &[usize]) -> f64 {
    let k = cuts.len();
    let mut nll = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let eta: f64 = beta.iter().zip(x).map(|(b, xi)| b * xi).sum();
        // As first written, accepted since 1ccc7c2 (a user's own `#[grad]` function named
        // like a primitive, called bare below it in the same file, is that function):
        // rejected at d4b6ca5, 5e8c305 and 1ccc7c2's parent 8430b27 with E0308 "expected
        // fn item {round7_statistics::sigmoid}, found fn item {autodiff::sigmoid::<f64>}"
        // (a bare name was autodiff's primitive). The rewrite called `self::sigmoid(…)`.
        let p = match y {
            0 => sigmoid(cuts[0] - eta),
            y if y == k => 1.0 - sigmoid(cuts[k - 1] - eta),
            y => sigmoid(cuts[y] - eta) - sigmoid(cuts[y - 1] - eta),
        };
        nll -= p.ln();
    }
    nll
}

/// Density of N(mean, sd²) at x.
#[grad]
pub fn normal_pdf(x: f64, mean: f64, sd: f64) -> f64 {
    let z = (x - mean) / sd;
    (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
}

/// Log-likelihood of a two-state Gaussian hidden Markov model (a regime-switching
/// model) by the scaled forward algorithm.
#[grad(wrt(trans, means, sd))]
pub fn hmm_loglik(
    init: [f64; 2],
    trans: [[f64; 2]; 2],
    means: [f64; 2],
    sd: f64,
    obs: &[f64],
) -> f64 {
    let mut alpha = [
        init[0] * normal_pdf(obs[0], means[0], sd),
        init[1] * normal_pdf(obs[0], means[1], sd),
    ];
    let c = alpha[0] + alpha[1];
    let mut ll = c.ln();
    alpha = [alpha[0] / c, alpha[1] / c];
    for &y in &obs[1..] {
        let mut next = [0.0; 2];
        for j in 0..2 {
            let pred = alpha[0] * trans[0][j] + alpha[1] * trans[1][j];
            next[j] = pred * normal_pdf(y, means[j], sd);
        }
        let c = next[0] + next[1];
        ll += c.ln();
        alpha = [next[0] / c, next[1] / c];
    }
    ll
}

/// The logistic distribution with location `mu` and scale `s`.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct LogisticDist {
    /// Location.
    pub mu: f64,
    /// Scale.
    pub s: f64,
}

impl LogisticDist {
    /// Log density at x.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default): rejected at d4b6ca5 and at 5e8c305's parent 9d384e5 with
    // E0080 "`LogisticDist::log_pdf` does not differentiate its first parameter …" and a
    // stray E0061/E0308 at the caller. The rewrite had `#[grad(wrt(self, x))]`.
    #[grad]
    pub fn log_pdf(&self, x: f64) -> f64 {
        let z = (x - self.mu) / self.s;
        -z - self.s.ln() - 2.0 * (1.0 + (-z).exp()).ln()
    }

    /// Log of the survival function P(X > x).
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default): rejected at d4b6ca5 and at 5e8c305's parent 9d384e5 with
    // E0080 "`LogisticDist::log_survival` does not differentiate its first parameter …" and a
    // stray E0061/E0308 at the caller. The rewrite had `#[grad(wrt(self, x))]`.
    #[grad]
    pub fn log_survival(&self, x: f64) -> f64 {
        let z = (x - self.mu) / self.s;
        -(1.0 + z.exp()).ln()
    }
}

/// Negative log-likelihood of right-censored observations (value, event observed?):
/// the density where the event was seen, the survival function where it was censored.
#[grad(wrt(dist))]
pub fn censored_logistic_nll(dist: &LogisticDist, data: &[(f64, bool)]) -> f64 {
    -data
        .iter()
        .map(|&(t, observed)| {
            if observed {
                dist.log_pdf(t)
            } else {
                dist.log_survival(t)
            }
        })
        .sum::<f64>()
}

/// Huber M-estimate of location with threshold `c` by iteratively reweighted least
/// squares from the mean (weights 1 inside c, c/|r| outside).
#[grad(wrt(x, c))]
pub fn huber_location(x: &[f64], c: f64, iters: usize) -> f64 {
    let mut mu = x.iter().sum::<f64>() / x.len() as f64;
    for _ in 0..iters {
        let weights: Vec<f64> = x
            .iter()
            .map(|xi| {
                let r = (xi - mu).abs();
                if r <= c {
                    1.0
                } else {
                    c / r
                }
            })
            .collect();
        let wsum: f64 = weights.iter().sum();
        mu = weights.iter().zip(x).map(|(w, xi)| w * xi).sum::<f64>() / wsum;
    }
    mu
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r7_ordered_logit_nll() {
    let beta = [0.8, -0.5];
    let cuts = [-1.0, 0.5, 1.5];
    let xs = vec![
        vec![-1.0, 0.5],
        vec![0.2, 0.3],
        vec![1.0, -0.2],
        vec![2.0, -1.0],
        vec![0.5, 0.8],
        vec![1.5, 0.1],
    ];
    let ys = [0, 1, 2, 3, 1, 3];
    let mut db = [0.0; 2];
    let mut dc = [0.0; 3];
    let v = ordered_logit_nll_backward(&beta, &mut db, &cuts, &mut dc, &xs, &ys, 1.0);
    assert_bits(v, ordered_logit_nll(&beta, &cuts, &xs, &ys), "value");
    assert_fd(
        |p| ordered_logit_nll(&p[..2], &p[2..], &xs, &ys),
        &cat(&[&beta, &cuts]),
        &cat(&[&db, &dc]),
    );
}

#[test]
fn r7_hmm_loglik() {
    let obs = [-1.2, -0.8, 0.1, 2.3, 1.9, 2.5, -0.5, -1.1, 2.0, 1.7];
    let trans = [[0.9, 0.1], [0.2, 0.8]];
    let (v, dt, dm, dsd) = hmm_loglik_backward([0.6, 0.4], trans, [-1.0, 2.0], 1.2, &obs, 1.0);
    assert_bits(
        v,
        hmm_loglik([0.6, 0.4], trans, [-1.0, 2.0], 1.2, &obs),
        "value",
    );
    assert_fd(
        |p| hmm_loglik([0.6, 0.4], arr2::<2, 2>(p), [p[4], p[5]], p[6], &obs),
        &[0.9, 0.1, 0.2, 0.8, -1.0, 2.0, 1.2],
        &cat(&[&flat2(&dt), &dm, &[dsd]]),
    );
}

#[test]
fn r7_censored_logistic_nll() {
    let dist = LogisticDist { mu: 2.0, s: 0.7 };
    let data = [
        (1.5, true),
        (2.2, true),
        (3.0, false),
        (2.8, true),
        (1.0, false),
    ];
    let mut dd = LogisticDist { mu: 0.0, s: 0.0 };
    let v = censored_logistic_nll_backward(&dist, &mut dd, &data, 1.0);
    assert_bits(v, censored_logistic_nll(&dist, &data), "value");
    assert_fd(
        |p| censored_logistic_nll(&LogisticDist { mu: p[0], s: p[1] }, &data),
        &[2.0, 0.7],
        &[dd.mu, dd.s],
    );
}

#[test]
fn r7_huber_location() {
    // Two outliers, down-weighted.
    let x = [1.0, 1.2, 0.9, 1.1, 5.0, 1.05, -2.0];
    let mut dx = [0.0; 7];
    let (mu, dc) = huber_location_backward(&x, &mut dx, 0.5, 20, 1.0);
    assert_bits(mu, huber_location(&x, 0.5, 20), "value");
    assert_fd(
        |p| huber_location(&p[..7], p[7], 20),
        &cat(&[&x, &[0.5]]),
        &cat(&[&dx, &[dc]]),
    );
}
