//! A few public `#[grad]` functions in a crate of their own: `tests/compose.rs`
//! of the root crate calls them (and their companions `<name>_backward`) from
//! `#[grad]` bodies, to show that calls compose across crates.
#![allow(clippy::needless_range_loop)]

use autodiff::{grad, Real};

/// `x³ - 2x`.
#[grad]
pub fn cubic(x: f64) -> f64 {
    x * x * x - 2.0 * x
}

/// `Σ w[i] x[i]` over slices of the same length.
#[grad]
pub fn dot(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[i];
    }
    s
}

/// The rotation of `v` by `angle`: an array in, an array out.
#[grad]
pub fn rotate(v: [f64; 2], angle: f64) -> [f64; 2] {
    let (c, s) = (angle.cos(), angle.sin());
    [c * v[0] - s * v[1], s * v[0] + c * v[1]]
}

/// Polar coordinates of `(x, y)`: a tuple result.
#[grad]
pub fn polar(x: f64, y: f64) -> (f64, f64) {
    ((x * x + y * y).sqrt(), y.atan2(x))
}

/// `softplus(a x + b)` for any float type.
#[grad]
pub fn soft_affine<T: Real>(a: T, x: T, b: T) -> T {
    autodiff::softplus(a * x + b)
}

/// `Σ c[k] x^k`, generic, the coefficients by reference.
#[grad]
pub fn horner<T: Real>(c: &[T; 4], x: T) -> T {
    let mut s = c[3];
    for k in 0..3 {
        s = s * x + c[2 - k];
    }
    s
}

/// `‖x - y‖²`, differentiated with respect to `x` only (`y` is data).
#[grad(wrt(x))]
pub fn sq_dist(x: &[f64; 3], y: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        let d = x[i] - y[i];
        s += d * d;
    }
    s
}
