use autodiff::grad;

#[grad]
fn mul3(x: f64, y: f64, z: f64) -> f64 {
    (x + y) * z
}

#[grad]
pub fn neuron(w0: f64, w1: f64, w2: f64, x0: f64, x1: f64) -> f64 {
    let dot = w0 * x0 + w1 * x1 + w2;
    1.0 / (1.0 + (-dot).exp())
}

#[grad]
fn branchy(x: f64, n: i32) -> f64 {
    let mut y = x * x;
    if x > 1.0 {
        y += x.sin();
    } else if n > 2 {
        return y.powi(n);
    }
    y * 2.0
}

#[test]
fn cs231n() {
    let (v, dx, dy, dz) = mul3_backward(-2.0, 5.0, -4.0, 1.0);
    assert_eq!((v, dx, dy, dz), (-12.0, -4.0, -4.0, 3.0));
    let (v, dw0, dw1, dw2, dx0, dx1) = neuron_backward(2.0, -3.0, -3.0, -1.0, -2.0, 1.0);
    assert!((v - 0.7311).abs() < 1e-4);
    assert!((dw0 + 0.1966).abs() < 1e-4, "{dw0}");
    assert!((dw1 + 0.3932).abs() < 1e-4);
    assert!((dw2 - 0.1966).abs() < 1e-4);
    assert!((dx0 - 0.3932).abs() < 1e-4);
    assert!((dx1 + 0.5898).abs() < 1e-4);
    let (_, g) = branchy_backward(2.0, 1, 1.0);
    assert!((g - (2.0 * 2.0 + 2.0f64.cos()) * 2.0).abs() < 1e-12);
    let (_, g) = branchy_backward(0.5, 3, 1.0);
    assert!((g - 6.0 * 0.5f64.powi(5)).abs() < 1e-12, "{g}");
}
