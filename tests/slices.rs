//! Sub-slices (issue 11, point 4; issue 12, point 1): `&x[a..b]`, `&x[a..]`,
//! `&x[..n]`, `&x[a..=b]`, `x.split_at(k)`, and the items of `windows(k)`,
//! `chunks(k)`, `chunks_exact(k)`: indexed, measured, iterated and reduced, their
//! gradients landing in the right part of the shadow. Against central finite
//! differences (relative 1e-6, absolute 1e-8); out-of-range bounds panic in the
//! companion as in the function.
#![deny(warnings)]

use autodiff::grad;

mod common;
use common::*;

/// A moving average over windows, and the total variation over pairs.
#[grad]
pub fn smoothness(x: &[f64]) -> f64 {
    let avg: f64 = x
        .windows(3)
        .map(|w| (w[0] + w[1] + w[2]) / 3.0)
        .map(|m| m * m)
        .sum();
    let tv: f64 = x.windows(2).map(|w| (w[1] - w[0]).abs()).sum();
    avg + tv
}

/// Sums over chunks (the last one shorter) and exact chunks, in loops.
#[grad]
pub fn chunked(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (k, c) in x.chunks(3).enumerate() {
        let m: f64 = c.iter().sum::<f64>() / c.len() as f64;
        s += m * m * (k as f64 + 1.0);
    }
    for pair in x.chunks_exact(2) {
        s += pair[0] * pair[1];
    }
    s
}

/// Ranges of every form, a sub-slice of a sub-slice, and `split_at`.
#[grad]
pub fn parts(x: &[f64], n: usize) -> f64 {
    let head = &x[..n];
    let tail = &x[n..];
    let mid = &x[1..=3];
    let inner = &mid[1..];
    let (a, b) = x.split_at(2);
    let h: f64 = head.iter().map(|v| v * v).sum();
    let t: f64 = tail.iter().zip(head.iter()).map(|(p, q)| p * q).sum();
    h + t + mid[0] * inner[1] + inner.len() as f64 + a[1] * b[0] + b.len() as f64 * x[0]
}

fn check(f: impl Fn(&[f64]) -> f64, g: impl Fn(&[f64], &mut [f64]) -> f64, x: &[f64]) {
    let mut dx = vec![0.0; x.len()];
    let y = g(x, &mut dx);
    assert_bits(y, f(x), "value");
    assert_fd(f, x, &dx);
}

#[test]
fn windows_and_chunks() {
    let x = [0.3, -1.1, 2.2, 0.7, -0.4, 1.5, 0.9];
    check(smoothness, |x, d| smoothness_backward(x, d, 1.0), &x);
    check(smoothness, |x, d| smoothness_backward(x, d, 1.0), &x[..2]);
    check(chunked, |x, d| chunked_backward(x, d, 1.0), &x);
    check(chunked, |x, d| chunked_backward(x, d, 1.0), &x[..6]);
}

#[test]
fn ranges_and_split_at() {
    let x = [0.3, -1.1, 2.2, 0.7, -0.4, 1.5];
    for n in [2, 3] {
        check(|x| parts(x, n), |x, d| parts_backward(x, d, n, 1.0), &x);
    }
}

#[test]
#[should_panic(expected = "out of range")]
fn an_out_of_range_slice_panics() {
    let x = [0.3, -1.1];
    let mut dx = [0.0; 2];
    parts_backward(&x, &mut dx, 1, 1.0);
}
