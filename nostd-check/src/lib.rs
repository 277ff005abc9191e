//! `#[grad]` in a `#![no_std]` crate without `alloc`: this crate builds only if the
//! companions and the runtime they call need neither `std` nor a heap, with math
//! from `libm` (`autodiff` with `default-features = false`).
//!
//! Without `std`, float methods such as `x.exp()` are not inherent: the original
//! functions reach them through `autodiff::Real`, which is why it is imported.
//! The unit tests compare each companion with central differences of its original.
#![no_std]
#![allow(clippy::needless_range_loop)] // index loops are what #[grad] bodies write

use autodiff::{grad, Real};

/// Scalar math: exponentials, logarithms, trigonometry, powers and primitives.
#[grad]
pub fn scalar(x: f64, y: f64) -> f64 {
    let a = x.sin() * y.exp() + (x * x + 1.0).ln();
    let b = x.hypot(y).sqrt() + x.atan2(y) + y.powf(1.5) + x.powi(3);
    autodiff::sigmoid(a) * b + autodiff::softplus(x - y) + x.max(y) * x.tanh()
}

/// The same in single precision.
#[grad]
pub fn scalar_f32(x: f32, y: f32) -> f32 {
    (x * y).cos() + x.exp2() / (1.0 + y * y) + autodiff::elu(x, 0.5)
}

/// Generic over the float type.
#[grad]
pub fn generic<T: Real>(x: T, y: T) -> T {
    let half = T::from_f64(0.5);
    (x * y + half).tanh() + x.cbrt() * y.ln_1p()
}

/// The float API without std: `sin_cos`, degrees, `copysign`, and the special
/// functions (by libm either way).
#[grad]
pub fn special(x: f64, y: f64) -> f64 {
    let (s, c) = x.to_radians().sin_cos();
    let phi = 0.5 * autodiff::erfc(-y / core::f64::consts::SQRT_2);
    s * c + phi * x.copysign(y) + autodiff::ln_gamma(x * x + 0.5) + y.to_degrees()
}

/// The sigmoid neuron of CS231n: fixed-size arrays by value.
#[grad]
pub fn neuron(w: [f64; 3], x: [f64; 2]) -> f64 {
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    1.0 / (1.0 + (-dot).exp())
}

/// A dense layer with a nested array parameter and an array result.
#[grad]
pub fn layer(w: [[f64; 3]; 2], x: [f64; 3]) -> [f64; 2] {
    let mut y = [0.0; 2];
    for i in 0..2 {
        let mut s = 0.0;
        for j in 0..3 {
            s += w[i][j] * x[j];
        }
        y[i] = s.tanh();
    }
    y
}

/// A loop with a constant trip count whose reverse sweep needs every iteration's
/// value: the companion records them in a fixed-size array (no heap).
#[grad]
pub fn running(x: &[f64; 8], scale: f64) -> f64 {
    let mut p = scale;
    for i in 0..8 {
        p = (p * x[i] + 0.5).sin();
    }
    p
}

/// A tape inside an outer loop: both trip counts are constants.
#[grad]
pub fn nested(x: [f64; 4]) -> f64 {
    let mut s = 1.0;
    for _ in 0..3 {
        for j in 0..4 {
            s = (s * x[j]).cos() + s;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central difference of `f` along `i` at `x`.
    fn diff<const N: usize>(f: impl Fn([f64; N]) -> f64, x: [f64; N], i: usize) -> f64 {
        let h = 1e-6 * x[i].abs().max(1.0);
        let (mut lo, mut hi) = (x, x);
        lo[i] -= h;
        hi[i] += h;
        (f(hi) - f(lo)) / (2.0 * h)
    }

    fn near(got: f64, want: f64, tol: f64) {
        assert!(
            (got - want).abs() <= tol * want.abs().max(1.0),
            "got {got}, want {want}"
        );
    }

    #[test]
    fn scalar_matches_differences() {
        let f = |p: [f64; 2]| scalar(p[0], p[1]);
        let (v, dx, dy) = scalar_backward(0.7, 1.3, 1.0);
        assert_eq!(v.to_bits(), scalar(0.7, 1.3).to_bits());
        near(dx, diff(f, [0.7, 1.3], 0), 1e-6);
        near(dy, diff(f, [0.7, 1.3], 1), 1e-6);
    }

    #[test]
    fn f32_and_generic_match_differences() {
        let (v, dx, dy) = scalar_f32_backward(0.4, -0.8, 1.0);
        assert_eq!(v.to_bits(), scalar_f32(0.4, -0.8).to_bits());
        let f = |p: [f64; 2]| {
            let (x, y) = (p[0], p[1]);
            (x * y).cos() + x.exp2() / (1.0 + y * y) + autodiff::elu(x, 0.5)
        };
        near(f64::from(dx), diff(f, [0.4, -0.8], 0), 1e-3);
        near(f64::from(dy), diff(f, [0.4, -0.8], 1), 1e-3);

        let g = |p: [f64; 2]| generic(p[0], p[1]);
        let (_, gx, gy) = generic_backward(0.9f64, 0.6, 1.0);
        near(gx, diff(g, [0.9, 0.6], 0), 1e-6);
        near(gy, diff(g, [0.9, 0.6], 1), 1e-6);
    }

    #[test]
    fn special_matches_differences() {
        let f = |p: [f64; 2]| special(p[0], p[1]);
        let (v, dx, dy) = special_backward(0.7, -1.3, 1.0);
        assert_eq!(v.to_bits(), special(0.7, -1.3).to_bits());
        near(dx, diff(f, [0.7, -1.3], 0), 1e-6);
        near(dy, diff(f, [0.7, -1.3], 1), 1e-6);
    }

    #[test]
    fn arrays_and_tapes_match_differences() {
        let (v, dw, dx) = neuron_backward([2.0, -3.0, -3.0], [-1.0, -2.0], 1.0);
        near(v, 0.731_058_578_630_005, 1e-12);
        near(dw[0], -0.196_611_933_241_481_85, 1e-9);
        near(dx[1], -0.589_835_799_724_445_5, 1e-9);

        let w = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]];
        let x = [1.0, 2.0, -1.5];
        let (_, gw, gx) = layer_backward(w, x, [1.0, -2.0]);
        let loss = |w: [[f64; 3]; 2], x: [f64; 3]| {
            let y = layer(w, x);
            y[0] - 2.0 * y[1]
        };
        for i in 0..3 {
            near(gx[i], diff(|p: [f64; 3]| loss(w, p), x, i), 1e-6);
            near(
                gw[1][i],
                diff(|p: [f64; 3]| loss([w[0], p], x), w[1], i),
                1e-6,
            );
        }

        let xs = [0.3, -0.7, 1.1, 0.2, -0.4, 0.9, 0.5, -1.2];
        let mut dxs = [0.0; 8];
        let (v, dscale) = running_backward(&xs, &mut dxs, 0.8, 1.0);
        assert_eq!(v.to_bits(), running(&xs, 0.8).to_bits());
        near(
            dscale,
            diff(|p: [f64; 1]| running(&xs, p[0]), [0.8], 0),
            1e-6,
        );
        for i in 0..8 {
            near(dxs[i], diff(|p: [f64; 8]| running(&p, 0.8), xs, i), 1e-6);
        }

        let x4 = [0.3, 0.6, -0.2, 0.9];
        let (_, g4) = nested_backward(x4, 1.0);
        for i in 0..4 {
            near(g4[i], diff(nested, x4, i), 1e-5);
        }
    }
}
