//! Data of any type (issue 11, point 1): a parameter that `wrt` leaves out, or
//! whose type holds no float, is passed through whatever its type; reads from it
//! (indexing, `.len()`, iteration, methods) are values without a gradient. Each
//! gradient against central finite differences (relative 1e-6, absolute 1e-8).
#![deny(warnings)]

use autodiff::grad;
use std::collections::HashMap;

mod common;
use common::*;

/// A quadratic form with a covariance given as rows of `Vec`s (data).
#[grad(wrt(w))]
pub fn quad_form(w: &[f64], cov: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        for j in 0..cov[i].len() {
            s += w[i] * cov[i][j] * w[j];
        }
    }
    s
}

/// Options, names and maps as data, read by methods (the map of floats is left
/// out by `wrt`; the others hold no float).
#[grad(wrt(x))]
pub fn with_options(
    x: [f64; 2],
    degree: Option<usize>,
    label: &str,
    scale: &HashMap<String, f64>,
) -> f64 {
    let n = degree.unwrap_or(3);
    let k = label.len();
    let mut s = 0.0;
    for i in 0..n {
        s += x[i % 2].powi(i as i32 + 1);
    }
    s * (k as f64) + x[0] * scale.len() as f64
}

/// A data matrix as `&[Vec<f64>]` iterated by rows, weights differentiated.
#[grad(wrt(w, b))]
pub fn least_squares(w: &[f64; 2], b: f64, xs: &[Vec<f64>], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for (row, y) in xs.iter().zip(ys.iter()) {
        let pred = w[0] * row[0] + w[1] * row[1] + b;
        loss += (pred - y) * (pred - y);
    }
    loss / ys.len() as f64
}

#[test]
fn vec_rows_as_data() {
    let w = [0.3, -1.2, 0.8];
    let cov = vec![
        vec![2.0, 0.3, 0.1],
        vec![0.3, 1.0, -0.2],
        vec![0.1, -0.2, 1.5],
    ];
    let mut dw = [0.0; 3];
    let y = quad_form_backward(&w, &mut dw, &cov, 1.0);
    assert_bits(y, quad_form(&w, &cov), "value");
    assert_fd(|p| quad_form(p, &cov), &w, &dw);
}

#[test]
fn options_strings_and_maps_as_data() {
    let scale: HashMap<String, f64> = [("a".to_string(), 1.0)].into_iter().collect();
    for degree in [None, Some(2)] {
        let (y, dx) = with_options_backward([0.7, -0.4], degree, "abc", &scale, 1.0);
        assert_bits(y, with_options([0.7, -0.4], degree, "abc", &scale), "value");
        assert_fd(
            |p| with_options(arr::<2>(p), degree, "abc", &scale),
            &[0.7, -0.4],
            &dx,
        );
    }
}

#[test]
fn a_data_matrix_by_rows() {
    let xs = vec![vec![1.0, 2.0], vec![0.5, -1.0], vec![-0.3, 0.8]];
    let ys = [1.5, -0.2, 0.4];
    let w = [0.3, -0.6];
    let mut dw = [0.0; 2];
    let (y, db) = least_squares_backward(&w, &mut dw, 0.1, &xs, &ys, 1.0);
    assert_bits(y, least_squares(&w, 0.1, &xs, &ys), "value");
    assert_fd(
        |p| least_squares(&[p[0], p[1]], p[2], &xs, &ys),
        &[0.3, -0.6, 0.1],
        &[dw[0], dw[1], db],
    );
}

/// A row of Denavit–Hartenberg parameters, in a `const` table.
#[derive(Clone, Copy)]
pub struct DhRow {
    pub a: f64,
    pub alpha: f64,
}

pub const ARM: [DhRow; 3] = [
    DhRow { a: 0.4, alpha: 0.3 },
    DhRow {
        a: 0.3,
        alpha: -0.5,
    },
    DhRow { a: 0.2, alpha: 0.0 },
];

pub const GAINS: [[f64; 2]; 3] = [[1.0, 0.5], [0.7, -0.2], [0.3, 0.9]];

/// `const` tables of structs and of rows, read by index and by iteration
/// (corpus round 6, E and F: "field access is only supported on tuples",
/// "only arrays and slices can be indexed").
#[grad]
pub fn planar_reach(q: &[f64]) -> f64 {
    let (mut x, mut y, mut th) = (0.0, 0.0, 0.0);
    for (row, &qi) in ARM.iter().zip(q) {
        th += qi + row.alpha;
        x += row.a * th.cos();
        y += row.a * th.sin();
    }
    let mut s = 0.0;
    for i in 0..3 {
        s += ARM[i].a * q[i] * q[i];
    }
    for (row, &qi) in GAINS.iter().zip(q) {
        s += row[0] * qi + row[1] * qi * qi;
    }
    for (i, row) in GAINS.iter().enumerate() {
        s += row[1] * q[i].sin();
    }
    (x - 0.5).powi(2) + (y - 0.2).powi(2) + 0.1 * s
}

#[test]
fn const_tables_against_differences() {
    for q in [[0.3, -0.4, 0.8], [1.1, 0.2, -0.7]] {
        let mut d = [0.0; 3];
        let v = planar_reach_backward(&q, &mut d, 1.0);
        assert_eq!(v.to_bits(), planar_reach(&q).to_bits());
        assert_fd(planar_reach, &q, &d);
    }
}

/// A survival observation: a time and whether the event was seen (a `bool`
/// field of data, used as a condition, negated, matched).
pub struct Observation {
    pub t: f64,
    pub event: bool,
    pub censored: bool,
}

/// Weibull negative log-likelihood with right-censoring, written three ways
/// over the `bool` fields (`matches!` on one as users write it, too).
#[grad(wrt(k, lambda))]
#[allow(clippy::redundant_pattern_matching)]
pub fn weibull_nll(k: f64, lambda: f64, data: &[Observation]) -> f64 {
    let mut nll = 0.0;
    for o in data {
        let z = o.t / lambda;
        if o.event && !o.censored {
            nll -= k.ln() - lambda.ln() + (k - 1.0) * z.ln();
        }
        nll += z.powf(k);
    }
    let seen: f64 = data
        .iter()
        .map(|o| match o.event {
            true => 0.01 * k,
            false => 0.0,
        })
        .sum();
    let matched: f64 = data
        .iter()
        .filter(|o| matches!(o.censored, false))
        .map(|o| o.t * lambda * 1e-3)
        .sum();
    nll + seen + matched
}

#[test]
fn bool_fields_of_data_as_conditions() {
    let data = [
        Observation {
            t: 1.2,
            event: true,
            censored: false,
        },
        Observation {
            t: 0.4,
            event: false,
            censored: true,
        },
        Observation {
            t: 2.5,
            event: true,
            censored: true,
        },
        Observation {
            t: 0.9,
            event: true,
            censored: false,
        },
    ];
    for (k, lambda) in [(1.5, 1.1), (0.8, 2.0)] {
        let (v, dk, dl) = weibull_nll_backward(k, lambda, &data, 1.0);
        assert_eq!(v, weibull_nll(k, lambda, &data));
        assert_fd(|p| weibull_nll(p[0], p[1], &data), &[k, lambda], &[dk, dl]);
    }
}

/// Monte Carlo paths of correlated shocks, as rows of tuples (data): the
/// tuples destructured in a `for`, in a closure, and read by `.0`/`.1`.
#[grad(wrt(sigma, rho))]
pub fn shocked(sigma: f64, rho: f64, paths: &[Vec<(f64, f64)>]) -> f64 {
    let mut total = 0.0;
    for path in paths {
        let mut x = 0.0;
        for &(z1, z2) in path {
            x += sigma * (rho * z1 + (1.0 - rho * rho).sqrt() * z2);
        }
        total += x * x;
    }
    let first: f64 = paths[0].iter().map(|(a, b)| sigma * a - rho * b).sum();
    let direct = paths[1][0].0 * sigma + paths[1][1].1 * rho;
    total / paths.len() as f64 + first + direct
}

#[test]
fn rows_of_tuples_of_data() {
    let paths = vec![
        vec![(0.3, -1.1), (0.8, 0.2), (-0.5, 0.9)],
        vec![(1.2, 0.4), (-0.7, -0.3)],
    ];
    for (sigma, rho) in [(0.2, 0.5), (0.35, -0.3)] {
        let (v, ds, dr) = shocked_backward(sigma, rho, &paths, 1.0);
        assert_eq!(v, shocked(sigma, rho, &paths));
        assert_fd(|p| shocked(p[0], p[1], &paths), &[sigma, rho], &[ds, dr]);
    }
}

/// A linear response at a pixel (the point by value).
#[grad(wrt(w))]
pub fn response(w: [f64; 2], p: [f64; 2]) -> f64 {
    (w[0] * p[0] + w[1] * p[1]).tanh()
}

/// Samples as `([f64; 2], f64)` tuples, destructured by `&(p, target)`: the
/// point passed on by value.
#[grad(wrt(w))]
pub fn splat_fit(w: [f64; 2], pixels: &[([f64; 2], f64)]) -> f64 {
    let mut s = 0.0;
    for &(p, target) in pixels {
        s += (response(w, p) - target).powi(2);
    }
    s + pixels.iter().map(|&(x, y)| response(w, x) * y).sum::<f64>()
}

#[test]
fn arrays_bound_by_reference_patterns_passed_by_value() {
    let pixels = [([0.5, -1.0], 0.2), ([1.5, 0.3], -0.4), ([-0.7, 0.9], 0.8)];
    for w in [[0.4, -0.3], [1.2, 0.8]] {
        let (v, dw) = splat_fit_backward(w, &pixels, 1.0);
        assert_eq!(v, splat_fit(w, &pixels));
        assert_fd(|p| splat_fit([p[0], p[1]], &pixels), &w, &dw);
    }
}
