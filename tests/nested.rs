//! Nested differentiation: a `#[grad]` body that calls another function's
//! companion (`f_backward`, `f_forward`), differentiated in both modes: the
//! four combinations, checked against finite differences of the outer function.

use autodiff::grad;

/// The inner function: a saddle-shaped energy of two points.
#[grad(hvp)]
fn energy(x: [f64; 2], y: f64) -> f64 {
    x[0] * x[0] * y - (x[1] * y).sin() + 0.5 * y * y * x[1]
}

/// A gradient penalty: the loss plus the squared norm of its gradient
/// (reverse inside, differentiated by reverse (`_backward`) and forward).
#[grad(reverse, forward)]
fn penalised(x: [f64; 2], y: f64) -> f64 {
    let (e, gx, gy) = energy_backward(x, y, 1.0);
    e + 0.1 * (gx[0] * gx[0] + gx[1] * gx[1] + gy * gy)
}

/// A directional derivative inside a loss (forward inside).
#[grad(reverse, forward)]
fn slope(x: [f64; 2], y: f64) -> f64 {
    let (e, d) = energy_forward(x, [1.0, -0.5], y, 0.3);
    e * d
}

/// One gradient step inside the loss: an inner optimisation step.
#[grad(reverse)]
fn after_step(x: [f64; 2], y: f64, lr: f64) -> f64 {
    let (_, gx, _) = energy_backward(x, y, 1.0);
    let x1 = [x[0] - lr * gx[0], x[1] - lr * gx[1]];
    energy(x1, y)
}

fn fd(f: impl Fn([f64; 2], f64) -> f64, x: [f64; 2], y: f64) -> ([f64; 2], f64) {
    let h = 1e-6;
    let gx0 = (f([x[0] + h, x[1]], y) - f([x[0] - h, x[1]], y)) / (2.0 * h);
    let gx1 = (f([x[0], x[1] + h], y) - f([x[0], x[1] - h], y)) / (2.0 * h);
    let gy = (f(x, y + h) - f(x, y - h)) / (2.0 * h);
    ([gx0, gx1], gy)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * a.abs().max(1.0)
}

#[test]
fn reverse_over_reverse_and_forward_over_reverse() {
    for (x, y) in [([0.7, -0.4], 1.3), ([-1.2, 0.9], -0.6)] {
        let (v, gx, gy) = penalised_backward(x, y, 1.0);
        assert_eq!(v, penalised(x, y));
        let (wx, wy) = fd(penalised, x, y);
        assert!(
            close(gx[0], wx[0]) && close(gx[1], wx[1]) && close(gy, wy),
            "{gx:?} {gy} vs {wx:?} {wy}"
        );
        let (_, t) = penalised_forward(x, [0.5, -1.0], y, 0.25);
        let want = 0.5 * gx[0] - gx[1] + 0.25 * gy;
        assert!((t - want).abs() < 1e-12 * want.abs().max(1.0), "{t} {want}");
    }
}

#[test]
fn reverse_over_forward_and_forward_over_forward() {
    for (x, y) in [([0.7, -0.4], 1.3), ([-1.2, 0.9], -0.6)] {
        let (v, gx, gy) = slope_backward(x, y, 1.0);
        assert_eq!(v, slope(x, y));
        let (wx, wy) = fd(slope, x, y);
        assert!(
            close(gx[0], wx[0]) && close(gx[1], wx[1]) && close(gy, wy),
            "{gx:?} {gy} vs {wx:?} {wy}"
        );
        let (_, t) = slope_forward(x, [0.5, -1.0], y, 0.25);
        let want = 0.5 * gx[0] - gx[1] + 0.25 * gy;
        assert!((t - want).abs() < 1e-12 * want.abs().max(1.0), "{t} {want}");
    }
}

#[test]
fn an_inner_gradient_step() {
    let (x, y, lr) = ([0.7, -0.4], 1.3, 0.1);
    let (_, gx, gy, glr) = after_step_backward(x, y, lr, 1.0);
    let (wx, wy) = fd(|x, y| after_step(x, y, lr), x, y);
    assert!(close(gx[0], wx[0]) && close(gx[1], wx[1]) && close(gy, wy));
    let h = 1e-6;
    let wlr = (after_step(x, y, lr + h) - after_step(x, y, lr - h)) / (2.0 * h);
    assert!(close(glr, wlr), "{glr} {wlr}");
}
