#![allow(clippy::needless_range_loop)]
use autodiff::grad;

#[grad]
fn dot3(w: [f64; 3], x: [f64; 2]) -> f64 {
    let d = w[0] * x[0] + w[1] * x[1] + w[2];
    1.0 / (1.0 + (-d).exp())
}

#[grad]
fn sumsq(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

#[grad]
fn prod(x: &[f64; 4]) -> f64 {
    let mut p = 1.0;
    for v in x.iter() {
        p *= *v;
    }
    p
}

#[grad]
fn wx(w: &[[f64; 2]; 2], x: &[f64; 2]) -> f64 {
    let mut q = [0.0; 2];
    for i in 0..2 {
        for j in 0..2 {
            q[i] += w[i][j] * x[j];
        }
    }
    q[0] * q[0] + q[1] * q[1]
}

#[test]
fn arrays() {
    let (v, dw, dx) = dot3_backward([2.0, -3.0, -3.0], [-1.0, -2.0], 1.0);
    assert!((v - 0.7311).abs() < 1e-4);
    assert!((dw[0] + 0.1966).abs() < 1e-4, "{dw:?}");
    assert!((dx[1] + 0.5898).abs() < 1e-4, "{dx:?}");
    let x = [1.0, 2.0, 3.0];
    let mut dx = [0.0; 3];
    let v = sumsq_backward(&x, &mut dx, 1.0);
    assert_eq!(v, 14.0);
    assert_eq!(dx, [2.0, 4.0, 6.0]);
    let mut dx = [0.0; 4];
    let v = prod_backward(&[1.0, 2.0, 3.0, 4.0], &mut dx, 1.0);
    assert_eq!(v, 24.0);
    assert_eq!(dx, [24.0, 12.0, 8.0, 6.0]);
    let w = [[0.1, 0.5], [-0.3, 0.8]];
    let x = [0.2, 0.4];
    let (mut dw, mut dx) = ([[0.0; 2]; 2], [0.0; 2]);
    let v = wx_backward(&w, &mut dw, &x, &mut dx, 1.0);
    assert!((v - 0.116).abs() < 1e-12, "{v}");
    let e = [[0.088, 0.176], [0.104, 0.208]];
    for i in 0..2 {
        for j in 0..2 {
            assert!((dw[i][j] - e[i][j]).abs() < 1e-12, "{dw:?}");
        }
    }
    assert!(
        (dx[0] + 0.112).abs() < 1e-12 && (dx[1] - 0.636).abs() < 1e-12,
        "{dx:?}"
    );
}
