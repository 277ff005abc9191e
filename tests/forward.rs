//! `#[grad(forward)]`: `<name>_forward` against finite differences and `_backward`.

use autodiff::grad;

#[grad(reverse, forward)]
fn poly(x: f64, y: f64) -> f64 {
    let z = x * y + x.sin();
    z * z / (1.0 + y.exp())
}

#[grad(forward)]
fn arr(x: [f64; 3], s: f64) -> [f64; 3] {
    let mut out = [0.0; 3];
    for i in 0..3 {
        out[i] = x[i] * s + (x[i] * x[(i + 1) % 3]).tanh();
    }
    out
}

#[grad(reverse, forward)]
fn sl(x: &[f64], w: f64) -> f64 {
    let mut acc = 0.0;
    for (i, v) in x.iter().enumerate() {
        if *v > 0.0 {
            acc += w * v * v;
        } else {
            acc -= (i as f64) * v.exp();
        }
    }
    acc
}

#[grad(reverse, forward)]
fn caller(x: f64, y: f64) -> f64 {
    poly(x, y) * 2.0 + poly(y, x)
}

#[test]
fn scalars() {
    let (x, y) = (0.7, -0.3);
    let (v, t) = poly_forward(x, 1.0, y, 0.0);
    let (v2, gx, gy) = poly_backward(x, y, 1.0);
    assert_eq!(v, v2);
    assert!((t - gx).abs() < 1e-12, "{t} {gx}");
    let (_, t) = poly_forward(x, 0.0, y, 1.0);
    assert!((t - gy).abs() < 1e-12, "{t} {gy}");
    let (_, t) = caller_forward(x, 0.3, y, -0.4);
    let (_, gx, gy) = caller_backward(x, y, 1.0);
    assert!((t - (0.3 * gx - 0.4 * gy)).abs() < 1e-12);
}

#[test]
fn arrays_and_slices() {
    let x = [0.3, -0.5, 1.2];
    let tx = [0.1, 0.2, -0.3];
    let (v, t) = arr_forward(x, tx, 1.5, 0.5);
    let h = 1e-6;
    let mut xp = x;
    let mut xm = x;
    for i in 0..3 {
        xp[i] += h * tx[i];
        xm[i] -= h * tx[i];
    }
    let p = arr(xp, 1.5 + 0.5 * h);
    let m = arr(xm, 1.5 - 0.5 * h);
    for i in 0..3 {
        assert_eq!(v[i], arr(x, 1.5)[i]);
        assert!((t[i] - (p[i] - m[i]) / (2.0 * h)).abs() < 1e-7);
    }
    let xs = [0.5, -1.0, 2.0];
    let ts = [1.0, 0.5, -0.25];
    let (_, t) = sl_forward(&xs, &ts, 0.7, 0.2);
    let mut d = [0.0; 3];
    let (_, gw) = sl_backward(&xs, &mut d, 0.7, 1.0);
    let dot: f64 = d.iter().zip(&ts).map(|(a, b)| a * b).sum::<f64>() + gw * 0.2;
    assert!((t - dot).abs() < 1e-12, "{t} {dot}");
}
