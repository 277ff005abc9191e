#![allow(clippy::needless_range_loop)]
use autodiff::grad;

#[grad]
fn runprod(x: &[f64]) -> f64 {
    let mut p = 1.0;
    for i in 0..x.len() {
        p *= x[i];
    }
    p
}

#[grad]
fn runmax(x: &[f64; 4]) -> f64 {
    let mut m = x[0];
    for i in 1..4 {
        m = m.max(x[i]);
    }
    m
}

#[grad]
fn newton(a: f64) -> f64 {
    // sqrt(a) by Newton
    let mut y = a;
    let mut k = 0;
    while k < 20 {
        y = 0.5 * (y + a / y);
        k += 1;
    }
    y
}

#[grad]
fn brk(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        if *v < 0.0 {
            break;
        }
        s += v * v;
    }
    s
}

#[grad]
fn red(x: &[f64], y: &[f64]) -> f64 {
    let a: f64 = x.iter().map(|v| v * v).sum();
    let b = x.iter().zip(y.iter()).map(|(p, q)| p * q).sum::<f64>();
    let c = x.iter().fold(1.0, |acc, v| acc * v.cos());
    a + b + c
}

#[grad]
fn lse(x: &[f64]) -> f64 {
    let mut m = x[0];
    for v in x.iter() {
        m = m.max(*v);
    }
    let mut z = 0.0;
    for v in x.iter() {
        z += (v - m).exp();
    }
    m + z.ln()
}

#[grad]
fn matvec(w: &[[f64; 3]; 2], x: [f64; 3]) -> [f64; 2] {
    let mut y = [0.0; 2];
    for i in 0..2 {
        for j in 0..3 {
            y[i] += w[i][j] * x[j].tanh();
        }
    }
    y
}

fn fd(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let h = 1e-6;
            let mut a = x.to_vec();
            let mut b = x.to_vec();
            a[i] += h;
            b[i] -= h;
            (f(&a) - f(&b)) / (2.0 * h)
        })
        .collect()
}

fn close(a: &[f64], b: &[f64]) {
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-6 * (1.0 + y.abs()), "{a:?} vs {b:?}");
    }
}

#[test]
fn loops() {
    let x = [1.5, -2.0, 0.7, 3.0];
    let mut dx = [0.0; 4];
    runprod_backward(&x, &mut dx, 1.0);
    close(&dx, &fd(runprod, &x));
    let mut dx = [0.0; 4];
    let v = runmax_backward(&x, &mut dx, 1.0);
    assert_eq!(v, 3.0);
    assert_eq!(dx, [0.0, 0.0, 0.0, 1.0]);
    let (v, da) = newton_backward(2.0, 1.0);
    assert!((v - 2f64.sqrt()).abs() < 1e-12);
    assert!((da - 0.5 / 2f64.sqrt()).abs() < 1e-9, "{da}");
    let x = [1.0, 2.0, -1.0, 5.0];
    let mut dx = [0.0; 4];
    let v = brk_backward(&x, &mut dx, 1.0);
    assert_eq!(v, 5.0);
    assert_eq!(dx, [2.0, 4.0, 0.0, 0.0]);
    let x = [0.3, -0.2, 0.9];
    let y = [1.0, 2.0, 3.0];
    let (mut dx, mut dy) = ([0.0; 3], [0.0; 3]);
    red_backward(&x, &mut dx, &y, &mut dy, 1.0);
    close(&dx, &fd(|p| red(p, &y), &x));
    close(&dy, &fd(|p| red(&x, p), &y));
    let x = [1000.0, 999.0, 998.5];
    let mut dx = [0.0; 3];
    lse_backward(&x, &mut dx, 1.0);
    let z: f64 = x.iter().map(|v| (v - 1000.0f64).exp()).sum();
    let sm: Vec<f64> = x.iter().map(|v| (v - 1000.0f64).exp() / z).collect();
    close(&dx, &sm);
    let w = [[0.1, 0.2, 0.3], [-0.4, 0.5, 0.6]];
    let mut dw = [[0.0; 3]; 2];
    let (_, dxv) = matvec_backward(&w, &mut dw, [0.5, -1.0, 2.0], [1.0, -2.0]);
    let f = |p: &[f64]| {
        let y = matvec(&w, [p[0], p[1], p[2]]);
        y[0] - 2.0 * y[1]
    };
    close(&dxv, &fd(f, &[0.5, -1.0, 2.0]));
}
