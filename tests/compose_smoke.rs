#![allow(clippy::needless_range_loop)]
use autodiff::grad;

#[grad]
fn sq(x: f64) -> f64 {
    x * x
}

#[grad]
fn poly(x: f64, y: f64) -> f64 {
    sq(x) * y + sq(y.sin())
}

#[grad]
fn dot(w: &[f64; 3], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += w[i] * x[i];
    }
    s
}

#[grad]
fn layer(w: &[f64; 3], x: &[f64; 3]) -> f64 {
    let d = dot(w, x);
    autodiff::sigmoid(d) + autodiff::no_grad(d)
}

#[grad]
fn scale(x: [f64; 2], k: f64) -> [f64; 2] {
    [x[0] * k, x[1] * k]
}

#[grad]
fn uses_scale(x: [f64; 2]) -> f64 {
    let y: [f64; 2] = scale(x, 3.0);
    let (a, b) = pair(y[0]);
    y[1] * a + b
}

#[grad]
fn pair(t: f64) -> (f64, f64) {
    (t.sin(), t * t)
}

#[test]
fn compose() {
    let (v, dx, dy) = poly_backward(1.5, 0.7, 1.0);
    assert!((v - (2.25 * 0.7 + 0.7f64.sin().powi(2))).abs() < 1e-12);
    assert!((dx - 2.0 * 1.5 * 0.7).abs() < 1e-12);
    assert!((dy - (2.25 + 2.0 * 0.7f64.sin() * 0.7f64.cos())).abs() < 1e-12);
    let w = [0.1, -0.2, 0.3];
    let x = [1.0, 2.0, 3.0];
    let (mut dw, mut dx) = ([0.0; 3], [0.0; 3]);
    layer_backward(&w, &mut dw, &x, &mut dx, 1.0);
    let d: f64 = 0.1 - 0.4 + 0.9;
    let s = 1.0 / (1.0 + (-d).exp());
    for i in 0..3 {
        assert!((dw[i] - s * (1.0 - s) * x[i]).abs() < 1e-12, "{dw:?}");
        assert!((dx[i] - s * (1.0 - s) * w[i]).abs() < 1e-12, "{dx:?}");
    }
    let (v, g) = uses_scale_backward([0.5, 2.0], 1.0);
    let t = 1.5f64;
    assert!((v - (6.0 * t.sin() + t * t)).abs() < 1e-12);
    assert!(
        (g[0] - (6.0 * t.cos() * 3.0 + 2.0 * t * 3.0)).abs() < 1e-12,
        "{g:?}"
    );
    assert!((g[1] - 3.0 * t.sin()).abs() < 1e-12, "{g:?}");
}

/// Kepler's equation E - e sin E = M, solved by Newton; the derivative by the
/// implicit function theorem: dE/dM = 1 / (1 - e cos E), dE/de = sin E / (1 - e cos E).
#[grad(custom)]
fn kepler(m: f64, e: f64) -> f64 {
    let mut ea = m;
    loop {
        let step = (ea - e * ea.sin() - m) / (1.0 - e * ea.cos());
        ea -= step;
        if step.abs() < 1e-15 {
            return ea;
        }
    }
}

fn kepler_backward(m: f64, e: f64, d_out: f64) -> (f64, f64, f64) {
    let ea = kepler(m, e);
    let k = d_out / (1.0 - e * ea.cos());
    (ea, k, k * ea.sin())
}

#[grad]
fn orbit(m: f64, e: f64) -> f64 {
    let ea = kepler(m, e);
    ea.cos() - e
}

#[test]
fn custom_rule() {
    let (v, dm, de) = orbit_backward(1.0, 0.3, 1.0);
    let h = 1e-6;
    let fdm = (orbit(1.0 + h, 0.3) - orbit(1.0 - h, 0.3)) / (2.0 * h);
    let fde = (orbit(1.0, 0.3 + h) - orbit(1.0, 0.3 - h)) / (2.0 * h);
    assert_eq!(v, orbit(1.0, 0.3));
    assert!((dm - fdm).abs() < 1e-8, "{dm} {fdm}");
    assert!((de - fde).abs() < 1e-8, "{de} {fde}");
}
