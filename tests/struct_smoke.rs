#![allow(clippy::needless_range_loop)]
use autodiff::{grad, Tangent};

#[derive(Clone, Debug, Tangent)]
pub struct Lin {
    pub w: [[f64; 2]; 3],
    pub b: [f64; 3],
    pub scale: f64,
}

#[grad]
fn fwd(p: &Lin, x: &[f64; 2]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        let mut h = p.b[i];
        for j in 0..2 {
            h += p.w[i][j] * x[j];
        }
        s += h.tanh();
    }
    s * p.scale
}

#[grad]
fn fwd_val(p: Lin, x: [f64; 2]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += p.b[i] * x[0] + p.w[i][1] * x[1];
    }
    s * p.scale
}

#[grad]
fn outer(p: &Lin, x: &[f64; 2]) -> f64 {
    fwd(p, x) * 2.0
}

pub struct Model {
    k: f64,
}

impl Model {
    #[grad]
    pub fn apply(&self, x: f64) -> f64 {
        (x * self.k).sin()
    }
}

#[test]
fn structs() {
    let p = Lin {
        w: [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]],
        b: [0.1, -0.2, 0.3],
        scale: 1.5,
    };
    let x = [0.7, -1.1];
    let mut dp = <Lin as autodiff::Tangent>::zero();
    let mut dx = [0.0; 2];
    let v = fwd_backward(&p, &mut dp, &x, &mut dx, 1.0);
    assert_eq!(v, fwd(&p, &x));
    let h = 1e-6;
    let mut q = p.clone();
    q.w[1][0] += h;
    let a = fwd(&q, &x);
    q.w[1][0] -= 2.0 * h;
    let b = fwd(&q, &x);
    assert!((dp.w[1][0] - (a - b) / (2.0 * h)).abs() < 1e-8, "{dp:?}");
    let mut q = p.clone();
    q.scale += h;
    let a = fwd(&q, &x);
    q.scale -= 2.0 * h;
    let b = fwd(&q, &x);
    assert!((dp.scale - (a - b) / (2.0 * h)).abs() < 1e-8, "{dp:?}");
    let (v2, g, gx) = fwd_val_backward(p.clone(), x, 1.0);
    assert_eq!(v2, fwd_val(p.clone(), x));
    assert!((g.b[2] - x[0] * 1.5).abs() < 1e-12, "{g:?}");
    assert!((gx[1] - (0.2 + -0.4 + 0.6) * 1.5).abs() < 1e-12, "{gx:?}");
    let mut dp2 = <Lin as autodiff::Tangent>::zero();
    let mut dx2 = [0.0; 2];
    outer_backward(&p, &mut dp2, &x, &mut dx2, 1.0);
    assert!((dp2.w[1][0] - 2.0 * dp.w[1][0]).abs() < 1e-12);
    let m = Model { k: 0.5 };
    let (v, dx) = m.apply_backward(2.0, 1.0);
    assert_eq!(v, m.apply(2.0));
    assert!((dx - 0.5 * 1.0f64.cos()).abs() < 1e-12);
}

#[derive(Debug, Tangent)]
pub struct Poly {
    c: [f64; 3],
}

impl Poly {
    #[grad(wrt(self, x))]
    pub fn eval(&self, x: f64) -> f64 {
        self.c[0] + self.c[1] * x + self.c[2] * x * x
    }
}

#[test]
fn differentiable_self() {
    let p = Poly { c: [1.0, 2.0, 3.0] };
    let mut dp = <Poly as autodiff::Tangent>::zero();
    let (v, dx) = p.eval_backward(&mut dp, 0.5, 1.0);
    assert_eq!(v, p.eval(0.5));
    assert_eq!(dx, 2.0 + 6.0 * 0.5);
    assert_eq!(dp.c, [1.0, 0.5, 0.25]);
}
