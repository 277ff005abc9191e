//! Round 4, statistics: written as a statistician writes Rust, before reading
//! the support table (`libm::lgamma`, `windows(2)`, a Kalman filter as a `fold`
//! with a tuple, a GP with a hand-written Cholesky on `Vec` rows, survival data
//! as `(f64, bool)` pairs).

use autodiff::grad;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Log-likelihood of i.i.d. Gamma(shape k, rate β) observations.
#[grad(wrt(shape, rate))]
pub fn gamma_loglik(shape: f64, rate: f64, xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let sum_x: f64 = xs.iter().sum();
    let sum_ln_x: f64 = xs.iter().map(|x| x.ln()).sum();
    n * (shape * rate.ln() - libm::lgamma(shape)) + (shape - 1.0) * sum_ln_x - rate * sum_x
}

/// Conditional Gaussian log-likelihood of an ARMA(1,1), innovations started at zero.
#[grad(wrt(c, phi, theta, sigma))]
pub fn arma11_loglik(y: &[f64], c: f64, phi: f64, theta: f64, sigma: f64) -> f64 {
    // First attempt rejected at 1812d67 ("items inside a #[grad] body are not supported
    // (only `const`); move this item out of the function"; it was named by its path,
    // `std::f64::consts::PI`); accepted as first written since 3d0c484.
    use std::f64::consts::PI;
    let mut eps_prev = 0.0;
    let mut ss = 0.0;
    for w in y.windows(2) {
        let eps = w[1] - c - phi * w[0] - theta * eps_prev;
        ss += eps * eps;
        eps_prev = eps;
    }
    let n = (y.len() - 1) as f64;
    -0.5 * n * (2.0 * PI * sigma * sigma).ln() - ss / (2.0 * sigma * sigma)
}

/// Log-likelihood of the local-level model by the Kalman filter, written as a fold
/// over the observations with (mean, variance, log-likelihood) as the state.
#[grad(wrt(log_q, log_r))]
pub fn local_level_loglik(ys: &[f64], log_q: f64, log_r: f64) -> f64 {
    let (q, r) = (log_q.exp(), log_r.exp());
    let (_, _, ll) = ys.iter().fold((ys[0], 1e3, 0.0), |(m, p, ll), &y| {
        let p_pred = p + q;
        let s = p_pred + r;
        let k = p_pred / s;
        let v = y - m;
        (
            m + k * v,
            (1.0 - k) * p_pred,
            ll - 0.5 * (s.ln() + v * v / s + LN_2PI),
        )
    });
    ll
}

/// Negative log marginal likelihood of a GP with a squared-exponential kernel,
/// through a Cholesky factorisation written out by hand.
#[grad(wrt(log_ell, log_sf, log_sn))]
pub fn gp_nll(x: &[f64], y: &[f64], log_ell: f64, log_sf: f64, log_sn: f64) -> f64 {
    let n = x.len();
    let (ell, sf2, sn2) = (log_ell.exp(), (2.0 * log_sf).exp(), (2.0 * log_sn).exp());
    let mut k = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            let d = (x[i] - x[j]) / ell;
            k[i][j] = sf2 * (-0.5 * d * d).exp();
        }
        k[i][i] += sn2;
    }
    // Cholesky: K = L Lᵀ
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|p| l[i][p] * l[j][p]).sum();
            if i == j {
                l[i][j] = (k[i][i] - s).sqrt();
            } else {
                l[i][j] = (k[i][j] - s) / l[j][j];
            }
        }
    }
    // forward substitution: L α = y
    let mut alpha = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|p| l[i][p] * alpha[p]).sum();
        alpha[i] = (y[i] - s) / l[i][i];
    }
    let data_fit = 0.5 * alpha.iter().map(|a| a * a).sum::<f64>();
    let log_det = (0..n).map(|i| l[i][i].ln()).sum::<f64>();
    data_fit + log_det + 0.5 * n as f64 * LN_2PI
}

/// Log-likelihood of right-censored Weibull survival data: (time, event observed).
#[grad(wrt(k, lambda))]
pub fn weibull_loglik(data: &[(f64, bool)], k: f64, lambda: f64) -> f64 {
    data.iter()
        .map(|&(t, observed)| {
            let z = t / lambda;
            let log_surv = -z.powf(k);
            if observed {
                k.ln() - lambda.ln() + (k - 1.0) * z.ln() + log_surv
            } else {
                log_surv
            }
        })
        .sum()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r4_gamma_loglik() {
    let xs = [0.8, 2.3, 1.1, 4.0, 0.5, 1.7];
    for (k, b) in [(2.0, 1.5), (0.7, 0.4)] {
        let (ll, dk, db) = gamma_loglik_backward(k, b, &xs, 1.0);
        assert_bits(ll, gamma_loglik(k, b, &xs), "value");
        assert_fd(|p| gamma_loglik(p[0], p[1], &xs), &[k, b], &[dk, db]);
    }
}

#[test]
fn r4_arma11_loglik() {
    let y = [0.3, 0.9, 0.4, -0.2, 0.6, 1.1, 0.8, 0.1, -0.4, 0.2];
    let (c, phi, theta, sigma) = (0.1, 0.5, -0.3, 0.6);
    let (ll, dc, dphi, dtheta, dsigma) = arma11_loglik_backward(&y, c, phi, theta, sigma, 1.0);
    assert_bits(ll, arma11_loglik(&y, c, phi, theta, sigma), "value");
    assert_fd(
        |p| arma11_loglik(&y, p[0], p[1], p[2], p[3]),
        &[c, phi, theta, sigma],
        &[dc, dphi, dtheta, dsigma],
    );
}

#[test]
fn r4_local_level_loglik() {
    let ys = [1.0, 1.3, 0.9, 1.8, 2.1, 1.7, 2.5, 2.4];
    for (lq, lr) in [(-1.0, -0.5), (0.3, -2.0)] {
        let (ll, dq, dr) = local_level_loglik_backward(&ys, lq, lr, 1.0);
        assert_bits(ll, local_level_loglik(&ys, lq, lr), "value");
        assert_fd(
            |p| local_level_loglik(&ys, p[0], p[1]),
            &[lq, lr],
            &[dq, dr],
        );
    }
}

#[test]
fn r4_gp_nll() {
    let x = [-1.5, -0.7, 0.1, 0.6, 1.4];
    let y = [0.2, 0.8, 1.0, 0.7, -0.3];
    let p = [0.1, -0.2, -1.5];
    let (v, dl, dsf, dsn) = gp_nll_backward(&x, &y, p[0], p[1], p[2], 1.0);
    assert_bits(v, gp_nll(&x, &y, p[0], p[1], p[2]), "value");
    assert_fd(|q| gp_nll(&x, &y, q[0], q[1], q[2]), &p, &[dl, dsf, dsn]);
}

#[test]
fn r4_weibull_loglik() {
    let data = [
        (1.2, true),
        (0.4, true),
        (2.5, false),
        (1.9, true),
        (3.0, false),
        (0.8, true),
    ];
    for (k, lambda) in [(1.5, 2.0), (0.8, 1.2)] {
        let (ll, dk, dl) = weibull_loglik_backward(&data, k, lambda, 1.0);
        assert_bits(ll, weibull_loglik(&data, k, lambda), "value");
        assert_fd(
            |p| weibull_loglik(&data, p[0], p[1]),
            &[k, lambda],
            &[dk, dl],
        );
    }
}
