//! The GMM objective of ADBench / GradBench (d = 2, K = 5, n = 1,000): the
//! log-likelihood of the points under a mixture whose precisions are
//! Cholesky-parameterised (`alphas`, `means`, `icf`), plus the Wishart prior.
//! Nested loops, 30 inputs.

use crate::common::{assert_close, central_differences, Rng};
use autodiff::grad;
use criterion::Criterion;
use easy_ml::differentiation::{Record, WengertList};
use easy_ml::numeric::extra::{Exp, Ln};
use nalgebra::SVector;
use num_dual::{gradient, Dual64, DualNum, DualSVec64};
use std::f64::consts::PI;
use std::hint::black_box;

pub const D: usize = 2;
pub const K: usize = 5;
pub const N: usize = 1000;
/// Length of one component's `icf`: `D` log-diagonal entries of the
/// Cholesky factor of the precision, then its `D (D - 1) / 2` entries below
/// the diagonal, column by column.
pub const ICF: usize = D * (D + 1) / 2;
const INPUTS: usize = K + K * D + K * ICF;

/// ADBench's `gmm_objective`, loop for loop. `gamma` and `m` are the
/// Wishart prior's parameters; `lgd` is `log_gamma_distrib(0.5 (D + m + 1),
/// D)`, a constant (`ln Γ` is not in `std`).
#[grad(wrt(alphas, means, icf))]
pub fn gmm(
    alphas: &[f64; K],
    means: &[[f64; D]; K],
    icf: &[[f64; ICF]; K],
    x: &[[f64; D]],
    gamma: f64,
    m: f64,
    lgd: f64,
) -> f64 {
    // preprocess_qs: the diagonal of each Q and the sum of its logarithms.
    let mut qdiags = [[0.0; D]; K];
    let mut sum_qs = [0.0; K];
    for k in 0..K {
        for j in 0..D {
            qdiags[k][j] = icf[k][j].exp();
            sum_qs[k] += icf[k][j];
        }
    }
    let mut slse = 0.0;
    for xi in x.iter() {
        let mut main_term = [0.0; K];
        for k in 0..K {
            let mut xc = [0.0; D];
            for j in 0..D {
                xc[j] = xi[j] - means[k][j];
            }
            // Qtimesx
            let mut qx = [0.0; D];
            for j in 0..D {
                qx[j] = qdiags[k][j] * xc[j];
            }
            for i in 0..D {
                for j in i + 1..D {
                    // ADBench counts the entries below the diagonal with a
                    // running index; this is its value at (i, j).
                    qx[j] += icf[k][D + i * (2 * D - i - 1) / 2 + j - i - 1] * xc[i];
                }
            }
            let mut sqnorm = 0.0;
            for j in 0..D {
                sqnorm += qx[j] * qx[j];
            }
            main_term[k] = alphas[k] + sum_qs[k] - 0.5 * sqnorm;
        }
        let mx = main_term.iter().fold(main_term[0], |a, v| a.max(*v));
        let semx: f64 = main_term.iter().map(|v| (v - mx).exp()).sum();
        slse += semx.ln() + mx;
    }
    let amx = alphas.iter().fold(alphas[0], |a, v| a.max(*v));
    let asemx: f64 = alphas.iter().map(|v| (v - amx).exp()).sum();
    let lse_alphas = asemx.ln() + amx;
    let n = x.len() as f64;
    let constant = -n * D as f64 * 0.5 * (2.0 * PI).ln();
    // log_wishart_prior
    let nw = D as f64 + m + 1.0;
    let c = nw * D as f64 * (gamma.ln() - 0.5 * 2.0f64.ln()) - lgd;
    let mut prior = 0.0;
    for k in 0..K {
        let mut frobenius = 0.0;
        for j in 0..D {
            frobenius += qdiags[k][j] * qdiags[k][j];
        }
        for j in D..ICF {
            frobenius += icf[k][j] * icf[k][j];
        }
        prior += 0.5 * gamma * gamma * frobenius - m * sum_qs[k];
    }
    constant + slse - n * lse_alphas + prior - K as f64 * c
}

/// `log_gamma_distrib(a, p) = ln Γ_p(a)`, with Lanczos' `ln Γ`.
pub fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    fn ln_gamma(x: f64) -> f64 {
        const G: [f64; 9] = [
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
        let x = x - 1.0;
        let t = x + 7.5;
        let s = G[1..]
            .iter()
            .enumerate()
            .fold(G[0], |s, (i, g)| s + g / (x + i as f64 + 1.0));
        0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + s.ln()
    }
    let p = p as f64;
    0.25 * p * (p - 1.0) * PI.ln()
        + (1..=p as usize)
            .map(|j| ln_gamma(a + 0.5 * (1.0 - j as f64)))
            .sum::<f64>()
}

/// By hand, one pass over the points: each point's forward pass, then its
/// reverse (the softmax of the component terms weights each component's
/// contribution), with the derivatives with respect to the diagonal of `Q`
/// accumulated and passed through `exp` once at the end.
#[allow(clippy::too_many_arguments)]
pub fn hand(
    alphas: &[f64; K],
    d_alphas: &mut [f64; K],
    means: &[[f64; D]; K],
    d_means: &mut [[f64; D]; K],
    icf: &[[f64; ICF]; K],
    d_icf: &mut [[f64; ICF]; K],
    x: &[[f64; D]],
    gamma: f64,
    m: f64,
    lgd: f64,
    d_out: f64,
) -> f64 {
    let mut qdiags = [[0.0; D]; K];
    let mut sum_qs = [0.0; K];
    for k in 0..K {
        for j in 0..D {
            qdiags[k][j] = icf[k][j].exp();
            sum_qs[k] += icf[k][j];
        }
    }
    let mut d_qdiags = [[0.0; D]; K];
    let mut d_sum_qs = [0.0; K];
    let mut slse = 0.0;
    for xi in x {
        let mut main_term = [0.0; K];
        let mut xcs = [[0.0; D]; K];
        let mut qxs = [[0.0; D]; K];
        for k in 0..K {
            let xc = &mut xcs[k];
            for j in 0..D {
                xc[j] = xi[j] - means[k][j];
            }
            let qx = &mut qxs[k];
            for j in 0..D {
                qx[j] = qdiags[k][j] * xc[j];
            }
            let mut idx = D;
            for i in 0..D {
                for j in i + 1..D {
                    qx[j] += icf[k][idx] * xc[i];
                    idx += 1;
                }
            }
            let sqnorm: f64 = qx.iter().map(|v| v * v).sum();
            main_term[k] = alphas[k] + sum_qs[k] - 0.5 * sqnorm;
        }
        let mx = main_term.iter().fold(main_term[0], |a, v| a.max(*v));
        let mut e = [0.0; K];
        let mut semx = 0.0;
        for k in 0..K {
            e[k] = (main_term[k] - mx).exp();
            semx += e[k];
        }
        slse += semx.ln() + mx;
        let scale = d_out / semx;
        for k in 0..K {
            let dm = e[k] * scale;
            d_alphas[k] += dm;
            d_sum_qs[k] += dm;
            let (xc, qx) = (&xcs[k], &qxs[k]);
            let mut dxc = [0.0; D];
            for j in 0..D {
                let dq = -dm * qx[j];
                d_qdiags[k][j] += dq * xc[j];
                dxc[j] += dq * qdiags[k][j];
            }
            let mut idx = D;
            for i in 0..D {
                for j in i + 1..D {
                    let dq = -dm * qx[j];
                    d_icf[k][idx] += dq * xc[i];
                    dxc[i] += dq * icf[k][idx];
                    idx += 1;
                }
            }
            for j in 0..D {
                d_means[k][j] -= dxc[j];
            }
        }
    }
    let amx = alphas.iter().fold(alphas[0], |a, v| a.max(*v));
    let mut ae = [0.0; K];
    let mut asemx = 0.0;
    for k in 0..K {
        ae[k] = (alphas[k] - amx).exp();
        asemx += ae[k];
    }
    let lse_alphas = asemx.ln() + amx;
    let n = x.len() as f64;
    for k in 0..K {
        d_alphas[k] -= d_out * n * ae[k] / asemx;
    }
    let constant = -n * D as f64 * 0.5 * (2.0 * PI).ln();
    let nw = D as f64 + m + 1.0;
    let c = nw * D as f64 * (gamma.ln() - 0.5 * 2.0f64.ln()) - lgd;
    let g2 = gamma * gamma;
    let mut prior = 0.0;
    for k in 0..K {
        let mut frobenius = 0.0;
        for j in 0..D {
            let q = qdiags[k][j];
            frobenius += q * q;
            // d/dicf of exp(icf): the accumulated d_qdiag and the prior's
            // 0.5 g^2 q^2, both times q; the sums of logs pass straight through.
            d_icf[k][j] += (d_qdiags[k][j] + d_out * g2 * q) * q + d_sum_qs[k] - d_out * m;
        }
        for j in D..ICF {
            frobenius += icf[k][j] * icf[k][j];
            d_icf[k][j] += d_out * g2 * icf[k][j];
        }
        prior += 0.5 * g2 * frobenius - m * sum_qs[k];
    }
    constant + slse - n * lse_alphas + prior - K as f64 * c
}

/// The parameters over any number type.
#[derive(Clone, Copy)]
pub struct Params<T> {
    pub alphas: [T; K],
    pub means: [[T; D]; K],
    pub icf: [[T; ICF]; K],
}

impl<T: Copy> Params<T> {
    fn map<U>(&self, f: impl Fn(T) -> U) -> Params<U> {
        Params {
            alphas: self.alphas.map(&f),
            means: self.means.map(|r| r.map(&f)),
            icf: self.icf.map(|r| r.map(&f)),
        }
    }

    fn at(&mut self, i: usize) -> &mut T {
        if i < K {
            &mut self.alphas[i]
        } else if i < K + K * D {
            &mut self.means[(i - K) / D][(i - K) % D]
        } else {
            &mut self.icf[(i - K - K * D) / ICF][(i - K - K * D) % ICF]
        }
    }

    fn flat(&self) -> Vec<T> {
        let mut v = self.alphas.to_vec();
        v.extend(self.means.iter().flatten().copied());
        v.extend(self.icf.iter().flatten().copied());
        v
    }
}

/// The objective over any dual number, loop for loop as [`gmm`].
fn dual<T: DualNum<Primitive = f64> + Copy>(p: &Params<T>, x: &[[f64; D]], lgd: f64) -> T {
    let (gamma, m) = (GAMMA, M);
    let zero = T::from(0.0);
    let mut qdiags = [[zero; D]; K];
    let mut sum_qs = [zero; K];
    for k in 0..K {
        for j in 0..D {
            qdiags[k][j] = p.icf[k][j].exp();
            sum_qs[k] += p.icf[k][j];
        }
    }
    let mut slse = zero;
    for xi in x {
        let mut main_term = [zero; K];
        for k in 0..K {
            let mut xc = [zero; D];
            for j in 0..D {
                xc[j] = -p.means[k][j] + xi[j];
            }
            let mut qx = [zero; D];
            for j in 0..D {
                qx[j] = qdiags[k][j] * xc[j];
            }
            let mut idx = D;
            for i in 0..D {
                for j in i + 1..D {
                    qx[j] += p.icf[k][idx] * xc[i];
                    idx += 1;
                }
            }
            let mut sqnorm = zero;
            for j in 0..D {
                sqnorm += qx[j] * qx[j];
            }
            main_term[k] = p.alphas[k] + sum_qs[k] - sqnorm * 0.5;
        }
        let mx = main_term
            .iter()
            .fold(main_term[0], |a, v| if v.re() > a.re() { *v } else { a });
        let mut semx = zero;
        for v in &main_term {
            semx += (*v - mx).exp();
        }
        slse += semx.ln() + mx;
    }
    let amx = p
        .alphas
        .iter()
        .fold(p.alphas[0], |a, v| if v.re() > a.re() { *v } else { a });
    let mut asemx = zero;
    for v in &p.alphas {
        asemx += (*v - amx).exp();
    }
    let lse_alphas = asemx.ln() + amx;
    let n = x.len() as f64;
    let constant = -n * D as f64 * 0.5 * (2.0 * PI).ln();
    let nw = D as f64 + m + 1.0;
    let c = nw * D as f64 * (gamma.ln() - 0.5 * 2.0f64.ln()) - lgd;
    let mut prior = zero;
    for k in 0..K {
        let mut frobenius = zero;
        for j in 0..D {
            frobenius += qdiags[k][j] * qdiags[k][j];
        }
        for j in D..ICF {
            frobenius += p.icf[k][j] * p.icf[k][j];
        }
        prior += frobenius * (0.5 * gamma * gamma) - sum_qs[k] * m;
    }
    slse - lse_alphas * n + prior + (constant - K as f64 * c)
}

/// `num_dual::gradient` over `SVector<DualSVec64<30>, 30>`: one forward pass.
pub fn num_dual_svec(p: &Params<f64>, x: &[[f64; D]], lgd: f64) -> (f64, SVector<f64, INPUTS>) {
    let v = SVector::<f64, INPUTS>::from_vec(p.flat());
    gradient(
        |v: SVector<DualSVec64<INPUTS>, INPUTS>| {
            let mut q = Params {
                alphas: [v[0]; K],
                means: [[v[0]; D]; K],
                icf: [[v[0]; ICF]; K],
            };
            for i in 0..INPUTS {
                *q.at(i) = v[i];
            }
            dual(&q, x, lgd)
        },
        &v,
    )
}

/// `Dual64`, one forward pass per input (30 passes).
pub fn num_dual_passes(p: &Params<f64>, x: &[[f64; D]], lgd: f64, g: &mut [f64]) -> f64 {
    let mut d = p.map(Dual64::from);
    let mut value = 0.0;
    for (i, gi) in g.iter_mut().enumerate() {
        d.at(i).eps = 1.0;
        let r = dual(&d, x, lgd);
        d.at(i).eps = 0.0;
        value = r.re;
        *gi = r.eps;
    }
    value
}

pub fn easy_ml(
    list: &WengertList<f64>,
    p: &Params<f64>,
    x: &[[f64; D]],
    lgd: f64,
    g: &mut [f64],
) -> f64 {
    let (gamma, m) = (GAMMA, M);
    list.clear();
    let mut r = p.map(|v| Record::variable(v, list));
    let zero = Record::constant(0.0);
    let mut qdiags = [[zero; D]; K];
    let mut sum_qs = [zero; K];
    for k in 0..K {
        for j in 0..D {
            qdiags[k][j] = r.icf[k][j].exp();
            sum_qs[k] = sum_qs[k] + r.icf[k][j];
        }
    }
    let mut slse = zero;
    for xi in x {
        let mut main_term = [zero; K];
        for k in 0..K {
            let mut xc = [zero; D];
            for j in 0..D {
                xc[j] = -r.means[k][j] + xi[j];
            }
            let mut qx = [zero; D];
            for j in 0..D {
                qx[j] = qdiags[k][j] * xc[j];
            }
            let mut idx = D;
            for i in 0..D {
                for j in i + 1..D {
                    qx[j] = qx[j] + r.icf[k][idx] * xc[i];
                    idx += 1;
                }
            }
            let mut sqnorm = zero;
            for j in 0..D {
                sqnorm = sqnorm + qx[j] * qx[j];
            }
            main_term[k] = r.alphas[k] + sum_qs[k] - sqnorm * 0.5;
        }
        let mx = main_term.iter().fold(
            main_term[0],
            |a, v| {
                if v.number > a.number {
                    *v
                } else {
                    a
                }
            },
        );
        let mut semx = zero;
        for v in &main_term {
            semx = semx + (*v - mx).exp();
        }
        slse = slse + semx.ln() + mx;
    }
    let amx = r
        .alphas
        .iter()
        .fold(r.alphas[0], |a, v| if v.number > a.number { *v } else { a });
    let mut asemx = zero;
    for v in &r.alphas {
        asemx = asemx + (*v - amx).exp();
    }
    let lse_alphas = asemx.ln() + amx;
    let n = x.len() as f64;
    let constant = -n * D as f64 * 0.5 * (2.0 * PI).ln();
    let nw = D as f64 + m + 1.0;
    let c = nw * D as f64 * (gamma.ln() - 0.5 * 2.0f64.ln()) - lgd;
    let mut prior = zero;
    for k in 0..K {
        let mut frobenius = zero;
        for j in 0..D {
            frobenius = frobenius + qdiags[k][j] * qdiags[k][j];
        }
        for j in D..ICF {
            frobenius = frobenius + r.icf[k][j] * r.icf[k][j];
        }
        prior = prior + frobenius * (0.5 * gamma * gamma) - sum_qs[k] * m;
    }
    let loss = slse - lse_alphas * n + prior + (constant - K as f64 * c);
    let d = loss.derivatives();
    for (i, gi) in g.iter_mut().enumerate() {
        *gi = d[&*r.at(i)];
    }
    loss.number
}

/// Central finite differences: 60 evaluations.
pub fn fd(p: &Params<f64>, x: &[[f64; D]], lgd: f64, g: &mut [f64]) {
    let mut p = *p;
    central_differences(
        &mut p,
        g,
        |p, i| p.at(i),
        |p| gmm(&p.alphas, &p.means, &p.icf, x, GAMMA, M, lgd),
    );
}

/// The Wishart prior's parameters in ADBench's data sets.
const GAMMA: f64 = 1.0;
const M: f64 = 0.0;

fn lgd() -> f64 {
    log_gamma_distrib(0.5 * (D as f64 + M + 1.0), D)
}

/// Random parameters and points, as ADBench's generator makes them.
fn input() -> (Params<f64>, Vec<[f64; D]>) {
    let mut rng = Rng::new(4);
    let mut p = Params {
        alphas: [0.0; K],
        means: [[0.0; D]; K],
        icf: [[0.0; ICF]; K],
    };
    for i in 0..INPUTS {
        *p.at(i) = rng.range(-1.0, 1.0);
    }
    let x = (0..N)
        .map(|_| std::array::from_fn(|_| rng.range(-1.5, 1.5)))
        .collect();
    (p, x)
}

fn zeros() -> Params<f64> {
    Params {
        alphas: [0.0; K],
        means: [[0.0; D]; K],
        icf: [[0.0; ICF]; K],
    }
}

pub fn check() {
    // Γ(1/2) = √π and Γ(1) = 1, so ln Γ_2(1) = 0.5 ln π + ln √π = ln π.
    assert!((log_gamma_distrib(1.0, 2) - PI.ln()).abs() < 1e-12);
    let (p, x) = input();
    let lgd = lgd();
    let mut g = zeros();
    let v = gmm_backward(
        &p.alphas,
        &mut g.alphas,
        &p.means,
        &mut g.means,
        &p.icf,
        &mut g.icf,
        &x,
        GAMMA,
        M,
        lgd,
        1.0,
    );
    let g = g.flat();
    let mut h = zeros();
    let hv = hand(
        &p.alphas,
        &mut h.alphas,
        &p.means,
        &mut h.means,
        &p.icf,
        &mut h.icf,
        &x,
        GAMMA,
        M,
        lgd,
        1.0,
    );
    assert!((hv - v).abs() <= 1e-12 * v.abs(), "{hv} {v}");
    assert_close("gmm hand", &h.flat(), &g, 1e-12);
    let (dv, dg) = num_dual_svec(&p, &x, lgd);
    assert!((dv - v).abs() <= 1e-12 * v.abs(), "{dv} {v}");
    assert_close("gmm num-dual svec", dg.as_slice(), &g, 1e-12);
    let mut d = vec![0.0; INPUTS];
    num_dual_passes(&p, &x, lgd, &mut d);
    assert_close("gmm num-dual passes", &d, &g, 1e-12);
    let list = WengertList::new();
    easy_ml(&list, &p, &x, lgd, &mut d);
    assert_close("gmm easy-ml", &d, &g, 1e-12);
    fd(&p, &x, lgd, &mut d);
    assert_close("gmm fd", &d, &g, 1e-6);
}

pub fn bench(c: &mut Criterion) {
    let (p, x) = input();
    let lgd = lgd();
    let mut group = c.benchmark_group("gmm");
    group.bench_function("primal", |b| {
        b.iter(|| {
            gmm(
                black_box(&p.alphas),
                &p.means,
                &p.icf,
                black_box(&x),
                GAMMA,
                M,
                lgd,
            )
        })
    });
    // The caller zeroes the gradient (the contract); that is timed too.
    let mut g = zeros();
    group.bench_function("grad", |b| {
        b.iter(|| {
            g = zeros();
            let v = gmm_backward(
                black_box(&p.alphas),
                &mut g.alphas,
                &p.means,
                &mut g.means,
                &p.icf,
                &mut g.icf,
                black_box(&x),
                GAMMA,
                M,
                lgd,
                black_box(1.0),
            );
            black_box(&g);
            v
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            g = zeros();
            let v = hand(
                black_box(&p.alphas),
                &mut g.alphas,
                &p.means,
                &mut g.means,
                &p.icf,
                &mut g.icf,
                black_box(&x),
                GAMMA,
                M,
                lgd,
                black_box(1.0),
            );
            black_box(&g);
            v
        })
    });
    group.bench_function("num_dual_svec", |b| {
        b.iter(|| num_dual_svec(black_box(&p), black_box(&x), lgd))
    });
    let mut g = vec![0.0; INPUTS];
    group.bench_function("num_dual_dual64", |b| {
        b.iter(|| num_dual_passes(black_box(&p), black_box(&x), lgd, &mut g))
    });
    let list = WengertList::new();
    group.bench_function("easy_ml", |b| {
        b.iter(|| easy_ml(&list, black_box(&p), black_box(&x), lgd, &mut g))
    });
    group.bench_function("fd", |b| {
        b.iter(|| fd(black_box(&p), black_box(&x), lgd, &mut g))
    });
    group.finish();
}
