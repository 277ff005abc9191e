//! Round 9, statistics: written as a statistician writes Rust, before reading the support
//! table (a Dirichlet likelihood with a Lanczos log-gamma, a random-intercept logistic
//! model integrated by Gauss–Hermite quadrature, Cox's partial likelihood, the Box–Cox
//! profile likelihood).

use autodiff::grad;
use std::f64::consts::{PI, SQRT_2};

// ---------------------------------------------------------------- Dirichlet

const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// `ln Γ(x)` for `x > 0` by the Lanczos approximation (g = 7, n = 9), with the
/// reflection formula below 1/2.
#[grad]
pub fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let series = LANCZOS
        .iter()
        .enumerate()
        .skip(1)
        .fold(LANCZOS[0], |acc, (i, &c)| acc + c / (x + i as f64));
    let t = x + LANCZOS_G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// Negative log-likelihood of compositional observations under `Dirichlet(alpha)`.
#[grad(wrt(alpha))]
pub fn dirichlet_nll(alpha: &[f64], data: &[Vec<f64>]) -> f64 {
    let alpha0: f64 = alpha.iter().sum();
    let log_norm = ln_gamma(alpha0) - alpha.iter().map(|&a| ln_gamma(a)).sum::<f64>();
    -data
        .iter()
        .map(|x| {
            log_norm
                + alpha
                    .iter()
                    .zip(x)
                    .map(|(a, xi)| (a - 1.0) * xi.ln())
                    .sum::<f64>()
        })
        .sum::<f64>()
}

// ---------------------------------------------------------------- logistic GLMM

/// Five-point Gauss–Hermite rule: `(node, weight)` for `∫ e^{-x²} f(x) dx`.
const GAUSS_HERMITE: [(f64, f64); 5] = [
    (-2.020_182_870_456_086, 0.019_953_242_059_046),
    (-0.958_572_464_613_819, 0.393_619_323_152_241),
    (0.0, 0.945_308_720_482_942),
    (0.958_572_464_613_819, 0.393_619_323_152_241),
    (2.020_182_870_456_086, 0.019_953_242_059_046),
];

/// `log σ(x)`, stable for large |x|.
#[grad]
pub fn log_sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        -(-x).exp().ln_1p()
    } else {
        x - x.exp().ln_1p()
    }
}

/// The binary outcomes of one cluster (school, patient, ...) with one covariate each.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub obs: Vec<(f64, bool)>,
}

/// Marginal negative log-likelihood of a random-intercept logistic model
/// `logit P(y) = β₀ + β₁ x + u`, `u ~ N(0, σ²)`, the intercept integrated out by
/// Gauss–Hermite quadrature.
#[grad(wrt(beta0, beta1, log_sigma))]
pub fn glmm_nll(beta0: f64, beta1: f64, log_sigma: f64, clusters: &[Cluster]) -> f64 {
    let sigma = log_sigma.exp();
    -clusters
        .iter()
        .map(|c| {
            let likelihood: f64 = GAUSS_HERMITE
                .iter()
                .map(|&(node, weight)| {
                    let u = SQRT_2 * sigma * node;
                    // first written: `c.obs.iter().map(|&(x, y)| { let eta = beta0 +
                    // beta1 * x + u; if y { … } else { … } }).sum()`; rejected at 4d10a14:
                    // "this tuple pattern does not match the value's shape" at `&(x, y)`
                    // (`c.obs` a `Vec<(f64, bool)>` field of a data slice's element;
                    // `|o| … o.0 … o.1` gives "field access is only supported on tuples").
                    // By index instead:
                    let loglik: f64 = (0..c.obs.len())
                        .map(|i| {
                            let eta = beta0 + beta1 * c.obs[i].0 + u;
                            if c.obs[i].1 {
                                log_sigmoid(eta)
                            } else {
                                log_sigmoid(-eta)
                            }
                        })
                        .sum();
                    weight * loglik.exp()
                })
                .sum();
            (likelihood / PI.sqrt()).ln()
        })
        .sum::<f64>()
}

// ---------------------------------------------------------------- Cox

/// A subject in a survival study.
#[derive(Clone, Copy, Debug)]
pub struct Subject {
    pub time: f64,
    /// `true` for an observed event, `false` for censoring.
    pub event: bool,
    pub covariates: [f64; 3],
}

// first written:
//
//     /// Negative Cox partial log-likelihood (no tied times): the risk set of each event is
//     /// accumulated while scanning subjects in decreasing time.
//     #[grad(wrt(beta))]
//     pub fn cox_nll(beta: &[f64; 3], subjects: &[Subject]) -> f64 {
//         let mut order: Vec<usize> = (0..subjects.len()).collect();
//         order.sort_by(|&a, &b| subjects[b].time.total_cmp(&subjects[a].time));
//         let mut risk = 0.0;
//         let mut nll = 0.0;
//         for &i in &order {
//             let s = &subjects[i];
//             let eta: f64 = beta.iter().zip(&s.covariates).map(|(b, x)| b * x).sum();
//             risk += eta.exp();
//             if s.event {
//                 nll -= eta - risk.ln();
//             }
//         }
//         nll
//     }
//
// rejected at 4d10a14: "only floats are collected into a `Vec` here" at the `collect`,
// "unsupported array method `sort_by` in #[grad] fn; …" at `sort_by`, and "an index must
// be an integer (`usize`): indices are not differentiable" at `subjects[i]`. The order
// computed outside, by a plain helper, and passed in:

/// Subjects' indices by decreasing time.
pub fn by_decreasing_time(subjects: &[Subject]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..subjects.len()).collect();
    order.sort_by(|&a, &b| subjects[b].time.total_cmp(&subjects[a].time));
    order
}

/// Negative Cox partial log-likelihood (no tied times): the risk set of each event is
/// accumulated while scanning subjects in decreasing time (`order`, from
/// `by_decreasing_time`).
#[grad(wrt(beta))]
pub fn cox_nll(beta: &[f64; 3], subjects: &[Subject], order: &[usize]) -> f64 {
    let mut risk = 0.0;
    let mut nll = 0.0;
    for &i in order {
        // `let s = &subjects[i];` with `beta.iter().zip(&s.covariates).map(|(b, x)| b * x)`
        // (as first written) is rejected in the generated code: rustc E0308, E0599 "no
        // method named `len` found for type `f64`", E0608 "cannot index into a value of
        // type `f64`" (an array field of a data slice's element zipped). By index:
        let eta: f64 = (0..3).map(|k| beta[k] * subjects[i].covariates[k]).sum();
        risk += eta.exp();
        if subjects[i].event {
            nll -= eta - risk.ln();
        }
    }
    nll
}

// ---------------------------------------------------------------- Box–Cox

/// The Box–Cox transform, `ln y` at λ = 0.
#[grad]
pub fn box_cox(y: f64, lambda: f64) -> f64 {
    if lambda.abs() < 1e-8 {
        y.ln()
    } else {
        (y.powf(lambda) - 1.0) / lambda
    }
}

/// Profile log-likelihood of λ for normal data after a Box–Cox transform (the mean and
/// variance profiled out), including the Jacobian of the transform.
#[grad]
pub fn box_cox_profile(lambda: f64, y: &[f64]) -> f64 {
    let n = y.len() as f64;
    let z: Vec<f64> = y.iter().map(|&v| box_cox(v, lambda)).collect();
    let mean = z.iter().sum::<f64>() / n;
    let variance = z.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / n;
    let log_jacobian: f64 = y.iter().map(|v| v.ln()).sum();
    -0.5 * n * variance.ln() + (lambda - 1.0) * log_jacobian
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r9_dirichlet_nll() {
    let alpha = [2.5, 0.3, 1.2, 4.0];
    let data: Vec<Vec<f64>> = (0..6)
        .map(|k| {
            let raw: Vec<f64> = (0..4)
                .map(|j| 0.2 + ((k * 4 + j) as f64 * 0.9).sin().abs())
                .collect();
            let total: f64 = raw.iter().sum();
            raw.iter().map(|r| r / total).collect()
        })
        .collect();
    let mut da = [0.0; 4];
    let l = dirichlet_nll_backward(&alpha, &mut da, &data, 1.0);
    assert_bits(l, dirichlet_nll(&alpha, &data), "value");
    assert_fd(|p| dirichlet_nll(p, &data), &alpha, &da);
    // ln Γ against literature values: ln Γ(0.5) = ln √π, ln Γ(5) = ln 24.
    assert_near(ln_gamma(0.5), 0.5 * PI.ln(), 1e-13, "ln Γ(1/2)");
    assert_near(ln_gamma(5.0), 24f64.ln(), 1e-13, "ln Γ(5)");
}

#[test]
fn r9_glmm_nll() {
    let clusters: Vec<Cluster> = (0..5)
        .map(|c| Cluster {
            obs: (0..6)
                .map(|i| {
                    let x = 0.4 * i as f64 - 1.0;
                    (x, ((c * 7 + i * 3) % 5) < 2 + (i % 2))
                })
                .collect(),
        })
        .collect();
    for (b0, b1, ls) in [(0.2, 0.8, -0.5), (-0.4, 1.5, 0.3)] {
        let (l, d0, d1, ds) = glmm_nll_backward(b0, b1, ls, &clusters, 1.0);
        assert_bits(l, glmm_nll(b0, b1, ls, &clusters), "value");
        assert_fd(
            |p| glmm_nll(p[0], p[1], p[2], &clusters),
            &[b0, b1, ls],
            &[d0, d1, ds],
        );
    }
}

#[test]
fn r9_cox_nll() {
    let subjects: Vec<Subject> = (0..10)
        .map(|k| Subject {
            time: 1.0 + ((k * 37) % 11) as f64 + 0.1 * k as f64,
            event: k % 3 != 0,
            covariates: [(k as f64 * 0.6).sin(), 0.1 * k as f64, (k % 2) as f64],
        })
        .collect();
    let beta = [0.5, -0.3, 0.8];
    let order = by_decreasing_time(&subjects);
    let mut db = [0.0; 3];
    let l = cox_nll_backward(&beta, &mut db, &subjects, &order, 1.0);
    assert_bits(l, cox_nll(&beta, &subjects, &order), "value");
    assert_fd(|p| cox_nll(&arr::<3>(p), &subjects, &order), &beta, &db);
}

#[test]
fn r9_box_cox_profile() {
    let y: Vec<f64> = (0..12)
        .map(|k| 0.5 + (k as f64 * 0.8).exp().sqrt() * 0.3)
        .collect();
    for lambda in [0.35, -0.6, 1.4] {
        let mut dy = vec![0.0; 12];
        let (l, dl) = box_cox_profile_backward(lambda, &y, &mut dy, 1.0);
        assert_bits(l, box_cox_profile(lambda, &y), "value");
        assert_fd(
            |p| box_cox_profile(p[0], &p[1..]),
            &cat(&[&[lambda], &y]),
            &cat(&[&[dl], &dy]),
        );
    }
}
