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
