//! Closures defined in a `#[grad]` body and called there (issue 12, point 2):
//! called several times, capturing locals (by reference and `move`), calling
//! each other, and passed to iterator adapters by name. A closure is inlined
//! where it is called, in the bindings it captured where it was defined. Each
//! gradient is checked against central finite differences (relative 1e-6,
//! absolute 1e-8).
#![deny(warnings)]

use autodiff::grad;

mod common;
use common::*;

/// The logistic neuron with a local `sigmoid` closure, used twice.
#[grad]
pub fn two_neurons(w: [f64; 3], x: [f64; 2]) -> f64 {
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let h = sigmoid(w[0] * x[0] + w[1] * x[1] + w[2]);
    sigmoid(2.0 * h - w[2])
}

/// A closure capturing parameters and a local, passed to `map` by name.
#[grad]
pub fn gaussian_nll(x: &[f64], mu: f64, log_sigma: f64) -> f64 {
    let sigma = log_sigma.exp();
    let z = |v: f64| (v - mu) / sigma;
    let nll_one = |v: &f64| 0.5 * z(*v) * z(*v) + log_sigma;
    x.iter().map(nll_one).sum::<f64>() / x.len() as f64
}

/// A `move` closure keeps the value it captured, even after the name changes.
#[grad]
pub fn moved_capture(x: f64) -> f64 {
    let mut a = x * x;
    let f = move |t: f64| t * a;
    a = 3.0 * x;
    f(a) + a
}

/// A closure over an array, called in a loop.
#[grad]
pub fn spring_energy(p: [f64; 4], k: f64) -> f64 {
    let dist = |i: usize, j: usize| ((p[i] - p[j]).powi(2) + 1.0).sqrt();
    let mut e = 0.0;
    for i in 0..3 {
        let d = dist(i, i + 1);
        e += 0.5 * k * (d - 1.2) * (d - 1.2);
    }
    e
}

#[test]
fn local_sigmoid_called_twice() {
    let (w, x) = ([2.0, -3.0, -3.0], [-1.0, -2.0]);
    let (y, dw, dx) = two_neurons_backward(w, x, 1.0);
    assert_bits(y, two_neurons(w, x), "value");
    let p = cat(&[&w, &x]);
    assert_fd(
        |q| two_neurons(arr::<3>(q), arr::<2>(&q[3..])),
        &p,
        &cat(&[&dw, &dx]),
    );
}

#[test]
fn closures_calling_closures_in_map() {
    let x = [0.3, -1.1, 2.2, 0.7];
    let mut dx = [0.0; 4];
    let (y, dmu, dls) = gaussian_nll_backward(&x, &mut dx, 0.4, -0.2, 1.0);
    assert_bits(y, gaussian_nll(&x, 0.4, -0.2), "value");
    let mut g = dx.to_vec();
    g.extend([dmu, dls]);
    assert_fd(
        |q| gaussian_nll(&q[..4], q[4], q[5]),
        &cat(&[&x, &[0.4, -0.2]]),
        &g,
    );
}

#[test]
fn move_closure_keeps_its_capture() {
    for x in [0.7, -1.3] {
        let (y, dx) = moved_capture_backward(x, 1.0);
        assert_bits(y, moved_capture(x), "value");
        // f(3x) + 3x with f(t) = t·x²: 3x³ + 3x, derivative 9x² + 3.
        assert_near(dx, 9.0 * x * x + 3.0, 1e-12, "d/dx");
    }
}

#[test]
fn closure_over_an_array_in_a_loop() {
    let p = [0.1, 1.5, 2.2, 3.9, 30.0];
    let (y, dp, dk) = spring_energy_backward(arr::<4>(&p), p[4], 1.0);
    assert_bits(y, spring_energy(arr::<4>(&p), p[4]), "value");
    let mut g = dp.to_vec();
    g.push(dk);
    assert_fd(|q| spring_energy(arr::<4>(q), q[4]), &p, &g);
}

/// Early `return`s in closures (corpus round 6, G): Tukey's biweight with the
/// cases returned first, and a clipped square in an iterator chain.
#[grad]
pub fn tukey_loss(res: &[f64], c: f64) -> f64 {
    let rho = |r: f64| -> f64 {
        let a = r.abs();
        if a >= c {
            return c * c / 6.0;
        } else if a < 0.01 {
            return 0.5 * r * r;
        }
        let u = 1.0 - (r / c).powi(2);
        c * c / 6.0 * (1.0 - u * u * u)
    };
    res.iter().map(|&r| rho(r)).sum::<f64>() / res.len() as f64
        + res
            .iter()
            .map(|&r| {
                if r > 1.0 {
                    return 1.0;
                }
                r * r
            })
            .sum::<f64>()
}

#[test]
fn closure_returns_against_differences() {
    // Residuals on each side of the cases (|r| >= c, |r| < 0.01, r > 1).
    let res = [0.3, -1.7, 0.005, 2.4, -0.6];
    for c in [1.5, 2.0] {
        let mut d = [0.0; 5];
        let (v, dc) = tukey_loss_backward(&res, &mut d, c, 1.0);
        assert_eq!(v.to_bits(), tukey_loss(&res, c).to_bits());
        let mut g = d.to_vec();
        g.push(dc);
        let x: Vec<f64> = res.iter().copied().chain([c]).collect();
        assert_fd(|p| tukey_loss(&p[..5], p[5]), &x, &g);
    }
}
