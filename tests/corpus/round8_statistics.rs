//! Round 8, statistics: written as a statistician writes Rust, before reading the
//! support table (a Student-t likelihood, a Gaussian mixture log-likelihood, a
//! beta-binomial with a hand-written Lanczos log-gamma, Weibull survival with censoring).

use autodiff::{grad, Tangent};
use std::f64::consts::PI;

const LN_2PI: f64 = 1.837_877_066_409_345_3;

/// Negative log-likelihood of a location-scale Student-t, parametrised on the log scale.
#[grad(wrt(loc, log_scale, log_df))]
pub fn student_t_nll(data: &[f64], loc: f64, log_scale: f64, log_df: f64) -> f64 {
    let scale = log_scale.exp();
    let nu = log_df.exp();
    let norm =
        libm::lgamma((nu + 1.0) / 2.0) - libm::lgamma(nu / 2.0) - 0.5 * (nu * PI).ln() - log_scale;
    -data
        .iter()
        .map(|&x| {
            let z = (x - loc) / scale;
            norm - (nu + 1.0) / 2.0 * (z * z / nu).ln_1p()
        })
        .sum::<f64>()
}

#[grad]
fn log_sum_exp(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// A one-dimensional Gaussian mixture (unnormalised mixing logits, log standard deviations).
#[derive(Clone, Debug, Tangent)]
pub struct Mixture {
    pub logits: Vec<f64>,
    pub means: Vec<f64>,
    pub log_sds: Vec<f64>,
}

impl Mixture {
    /// Log-likelihood of the data (the objective EM climbs).
    #[grad(wrt(self))]
    pub fn log_likelihood(&self, data: &[f64]) -> f64 {
        let log_norm = log_sum_exp(&self.logits);
        data.iter()
            .map(|&x| {
                let comps: Vec<f64> = (0..self.means.len())
                    .map(|k| {
                        let z = (x - self.means[k]) / self.log_sds[k].exp();
                        self.logits[k] - log_norm - self.log_sds[k] - 0.5 * z * z - 0.5 * LN_2PI
                    })
                    .collect();
                log_sum_exp(&comps)
            })
            .sum()
    }
}

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

/// ln Γ(x) for x > 0.5 (Lanczos, g = 7, n = 9).
#[grad]
pub fn ln_gamma(x: f64) -> f64 {
    let x = x - 1.0;
    let t = x + LANCZOS_G + 0.5;
    let mut a = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[grad]
fn ln_beta(a: f64, b: f64) -> f64 {
    // As first written, accepted since 1ccc7c2 (a user's own `#[grad]` function named like
    // a primitive, called bare below it in the same file, is that function): rejected at
    // 520f6f4 and at 1ccc7c2's parent 8430b27 with E0308 (rustc, at each call) expected fn
    // item `{round8_statistics::ln_gamma}`, found fn item `{autodiff::ln_gamma::<f64>}` (a
    // bare `ln_gamma` was autodiff's primitive). The rewrite called `self::ln_gamma(…)`.
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Beta-binomial negative log-likelihood of (successes, trials) pairs, without the
/// binomial coefficients (constant in the parameters).
#[grad(wrt(alpha, beta))]
pub fn beta_binomial_nll(alpha: f64, beta: f64, trials: &[(u32, u32)]) -> f64 {
    let mut nll = 0.0;
    for &(k, n) in trials {
        let (k, n) = (f64::from(k), f64::from(n));
        nll -= ln_beta(k + alpha, n - k + beta) - ln_beta(alpha, beta);
    }
    nll
}

/// A survival time, observed (`event`) or right-censored.
#[derive(Clone, Copy, Debug)]
pub struct Observation {
    pub time: f64,
    pub event: bool,
}

/// Weibull negative log-likelihood with right censoring, on log shape and log scale.
#[grad(wrt(log_shape, log_scale))]
pub fn weibull_nll(log_shape: f64, log_scale: f64, data: &[Observation]) -> f64 {
    let k = log_shape.exp();
    let lambda = log_scale.exp();
    data.iter()
        .map(|obs| {
            let z = obs.time / lambda;
            let cum_hazard = z.powf(k);
            // As first written, accepted since 1ccc7c2 (a `bool` field of data as a
            // condition): rejected at 520f6f4 and at 1ccc7c2's parent 8430b27 with "a
            // condition must be a `bool`" (also with `let e: bool = obs.event; if e`,
            // `!obs.event`, `data[i].event`; `matches!(obs.event, true)` gave E0308
            // expected `f64`, found `bool` in the generated code). The rewrite was `if
            // obs.event == true {` under `#[allow(clippy::bool_comparison)]`.
            if obs.event {
                cum_hazard - (log_shape - log_scale + (k - 1.0) * z.ln())
            } else {
                cum_hazard
            }
        })
        .sum()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r8_student_t_nll() {
    let data = [0.3, -1.2, 2.5, 0.8, -0.4, 4.1, 0.0];
    let (l, dloc, dls, dldf) = student_t_nll_backward(&data, 0.2, -0.1, 1.3, 1.0);
    assert_bits(l, student_t_nll(&data, 0.2, -0.1, 1.3), "value");
    assert_fd(
        |p| student_t_nll(&data, p[0], p[1], p[2]),
        &[0.2, -0.1, 1.3],
        &[dloc, dls, dldf],
    );
}

fn mixture_from(p: &[f64]) -> Mixture {
    Mixture {
        logits: p[0..3].to_vec(),
        means: p[3..6].to_vec(),
        log_sds: p[6..9].to_vec(),
    }
}

#[test]
fn r8_mixture_log_likelihood() {
    let p = [0.2, -0.5, 0.1, -2.0, 0.5, 3.0, -0.3, 0.2, 0.1];
    let mix = mixture_from(&p);
    let data = [-2.3, -1.5, 0.1, 0.7, 1.2, 2.8, 3.5, 4.0];
    let mut d = Tangent::zero_like(&mix);
    let ll = mix.log_likelihood_backward(&mut d, &data, 1.0);
    assert_bits(ll, mix.log_likelihood(&data), "value");
    assert_fd(
        |q| mixture_from(q).log_likelihood(&data),
        &p,
        &cat(&[&d.logits, &d.means, &d.log_sds]),
    );
}

#[test]
fn r8_beta_binomial_nll() {
    // The Lanczos approximation against Γ(5) = 24 and Γ(1/2) = √π.
    assert_near(ln_gamma(5.0), 24f64.ln(), 1e-12, "ln Γ(5)");
    assert_near(ln_gamma(0.5 + 1e-12), 0.5 * PI.ln(), 1e-10, "ln Γ(1/2)");
    let trials = [(3, 10), (7, 12), (0, 5), (9, 9), (4, 8)];
    let (l, da, db) = beta_binomial_nll_backward(2.0, 3.5, &trials, 1.0);
    assert_bits(l, beta_binomial_nll(2.0, 3.5, &trials), "value");
    assert_fd(
        |p| beta_binomial_nll(p[0], p[1], &trials),
        &[2.0, 3.5],
        &[da, db],
    );
}

#[test]
fn r8_weibull_nll() {
    let data = [
        Observation {
            time: 1.2,
            event: true,
        },
        Observation {
            time: 0.4,
            event: true,
        },
        Observation {
            time: 3.0,
            event: false,
        },
        Observation {
            time: 2.1,
            event: true,
        },
        Observation {
            time: 5.0,
            event: false,
        },
    ];
    let (l, dk, dl) = weibull_nll_backward(0.3, 0.7, &data, 1.0);
    assert_bits(l, weibull_nll(0.3, 0.7, &data), "value");
    assert_fd(|p| weibull_nll(p[0], p[1], &data), &[0.3, 0.7], &[dk, dl]);
}
