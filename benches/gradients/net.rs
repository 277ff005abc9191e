//! The loss of the CS231n two-layer network (D = 2, H = 100 ReLU units, K = 3
//! classes, softmax cross-entropy plus L2) on a batch of 32 points: nested
//! loops over 603 parameters.

use crate::common::{assert_close, central_differences, Rng};
use autodiff::grad;
use criterion::Criterion;
use easy_ml::differentiation::{Record, WengertList};
use easy_ml::numeric::extra::{Exp, Ln};
use num_dual::{Dual64, DualNum};
use std::hint::black_box;

pub const D: usize = 2;
pub const H: usize = 100;
pub const K: usize = 3;
pub const BATCH: usize = 32;
const REG: f64 = 1e-3;
const P: usize = D * H + H + H * K + K;

/// The loss of `examples/spiral.rs`, with the two layers in one loop over the
/// hidden units, as the hand-written gradient below has them (the example
/// fills a `hidden` array first, then sums each score over it).
#[grad(wrt(w1, b1, w2, b2))]
pub fn net_loss(
    w1: &[[f64; H]; D],
    b1: &[f64; H],
    w2: &[[f64; K]; H],
    b2: &[f64; K],
    xs: &[[f64; D]],
    ys: &[usize],
    reg: f64,
) -> f64 {
    let mut data_loss = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        // Class scores b2 + relu(b1 + x W1) W2, one hidden unit at a time.
        let mut scores = *b2;
        for j in 0..H {
            let mut a = b1[j];
            for d in 0..D {
                a += x[d] * w1[d][j];
            }
            let h = autodiff::relu(a);
            for k in 0..K {
                scores[k] += h * w2[j][k];
            }
        }
        let m = scores.iter().fold(scores[0], |m, s| m.max(*s));
        let z: f64 = scores.iter().map(|s| (s - m).exp()).sum();
        data_loss += z.ln() + m - scores[y];
    }
    let mut reg_loss = 0.0;
    for row in w1.iter() {
        reg_loss += row.iter().map(|v| v * v).sum::<f64>();
    }
    for row in w2.iter() {
        reg_loss += row.iter().map(|v| v * v).sum::<f64>();
    }
    data_loss / xs.len() as f64 + 0.5 * reg * reg_loss
}

/// Backpropagation as in the CS231n case study, one point at a time: forward
/// through both layers, softmax, then `dscores = (p - onehot(y)) / n` back
/// through `W2` and the ReLU mask into `W1`, all on the stack.
#[allow(clippy::too_many_arguments)]
pub fn hand(
    w1: &[[f64; H]; D],
    dw1: &mut [[f64; H]; D],
    b1: &[f64; H],
    db1: &mut [f64; H],
    w2: &[[f64; K]; H],
    dw2: &mut [[f64; K]; H],
    b2: &[f64; K],
    db2: &mut [f64; K],
    xs: &[[f64; D]],
    ys: &[usize],
    reg: f64,
    d_out: f64,
) -> f64 {
    let scale = d_out / xs.len() as f64;
    let mut data_loss = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let mut hidden = [0.0; H];
        let mut scores = *b2;
        for j in 0..H {
            let mut a = b1[j];
            for d in 0..D {
                a += x[d] * w1[d][j];
            }
            let h = a.max(0.0);
            hidden[j] = h;
            for k in 0..K {
                scores[k] += h * w2[j][k];
            }
        }
        let m = scores.iter().fold(scores[0], |m, s| m.max(*s));
        let mut e = [0.0; K];
        let mut z = 0.0;
        for k in 0..K {
            e[k] = (scores[k] - m).exp();
            z += e[k];
        }
        data_loss += z.ln() + m - scores[y];
        let mut ds = [0.0; K];
        for k in 0..K {
            ds[k] = scale * e[k] / z;
        }
        ds[y] -= scale;
        for k in 0..K {
            db2[k] += ds[k];
        }
        for j in 0..H {
            let h = hidden[j];
            let mut dh = 0.0;
            for k in 0..K {
                dw2[j][k] += h * ds[k];
                dh += w2[j][k] * ds[k];
            }
            if h > 0.0 {
                db1[j] += dh;
                for d in 0..D {
                    dw1[d][j] += x[d] * dh;
                }
            }
        }
    }
    let mut reg_loss = 0.0;
    let r = reg * d_out;
    for d in 0..D {
        for j in 0..H {
            reg_loss += w1[d][j] * w1[d][j];
            dw1[d][j] += r * w1[d][j];
        }
    }
    for j in 0..H {
        for k in 0..K {
            reg_loss += w2[j][k] * w2[j][k];
            dw2[j][k] += r * w2[j][k];
        }
    }
    data_loss / xs.len() as f64 + 0.5 * reg * reg_loss
}

/// The parameters, over any number type.
#[derive(Clone, Copy)]
pub struct Params<T> {
    pub w1: [[T; H]; D],
    pub b1: [T; H],
    pub w2: [[T; K]; H],
    pub b2: [T; K],
}

impl<T: Copy> Params<T> {
    fn map<U>(&self, f: impl Fn(T) -> U) -> Params<U> {
        Params {
            w1: self.w1.map(|r| r.map(&f)),
            b1: self.b1.map(&f),
            w2: self.w2.map(|r| r.map(&f)),
            b2: self.b2.map(&f),
        }
    }

    /// The k-th parameter, in the order w1, b1, w2, b2 (row-major).
    fn at(&mut self, k: usize) -> &mut T {
        if k < D * H {
            &mut self.w1[k / H][k % H]
        } else if k < D * H + H {
            &mut self.b1[k - D * H]
        } else if k < D * H + H + H * K {
            let k = k - D * H - H;
            &mut self.w2[k / K][k % K]
        } else {
            &mut self.b2[k - D * H - H - H * K]
        }
    }

    fn flat(&self) -> Vec<T> {
        let mut v: Vec<T> = self.w1.iter().flatten().copied().collect();
        v.extend_from_slice(&self.b1);
        v.extend(self.w2.iter().flatten().copied());
        v.extend_from_slice(&self.b2);
        v
    }
}

fn dual<T: DualNum<Primitive = f64> + Copy>(
    p: &Params<T>,
    xs: &[[f64; D]],
    ys: &[usize],
    reg: f64,
) -> T {
    let zero = T::from(0.0);
    let mut data_loss = zero;
    for (x, &y) in xs.iter().zip(ys) {
        let mut scores = p.b2;
        for j in 0..H {
            let mut a = p.b1[j];
            for d in 0..D {
                a += p.w1[d][j] * x[d];
            }
            let h = if a.re() > 0.0 { a } else { zero };
            for k in 0..K {
                scores[k] += h * p.w2[j][k];
            }
        }
        let m = scores
            .iter()
            .fold(scores[0], |m, s| if s.re() > m.re() { *s } else { m });
        let mut z = zero;
        for s in &scores {
            z += (*s - m).exp();
        }
        data_loss += z.ln() + m - scores[y];
    }
    let mut reg_loss = zero;
    for v in p.w1.iter().flatten().chain(p.w2.iter().flatten()) {
        reg_loss += *v * *v;
    }
    data_loss / xs.len() as f64 + reg_loss * (0.5 * reg)
}

/// `Dual64`, one forward pass per parameter (603 passes). A one-pass
/// `DualSVec64<603>` would carry 4.7 KiB per value.
pub fn num_dual_passes(p: &Params<f64>, xs: &[[f64; D]], ys: &[usize], g: &mut [f64]) -> f64 {
    let mut d = p.map(Dual64::from);
    let mut value = 0.0;
    for (k, gk) in g.iter_mut().enumerate() {
        d.at(k).eps = 1.0;
        let r = dual(&d, xs, ys, REG);
        d.at(k).eps = 0.0;
        value = r.re;
        *gk = r.eps;
    }
    value
}

pub fn easy_ml(
    list: &WengertList<f64>,
    p: &Params<f64>,
    xs: &[[f64; D]],
    ys: &[usize],
    g: &mut [f64],
) -> f64 {
    list.clear();
    let mut r = p.map(|v| Record::variable(v, list));
    let zero = Record::constant(0.0);
    let mut data_loss = zero;
    for (x, &y) in xs.iter().zip(ys) {
        let mut scores = r.b2;
        for j in 0..H {
            let mut a = r.b1[j];
            for d in 0..D {
                a = a + r.w1[d][j] * x[d];
            }
            let h = easy_ml::numeric::activation::relu(a);
            for k in 0..K {
                scores[k] = scores[k] + h * r.w2[j][k];
            }
        }
        let m = scores
            .iter()
            .fold(scores[0], |m, s| if s.number > m.number { *s } else { m });
        let mut z = zero;
        for s in &scores {
            z = z + (*s - m).exp();
        }
        data_loss = data_loss + z.ln() + m - scores[y];
    }
    let mut reg_loss = zero;
    for v in r.w1.iter().flatten().chain(r.w2.iter().flatten()) {
        reg_loss = reg_loss + *v * *v;
    }
    let loss = data_loss / xs.len() as f64 + reg_loss * (0.5 * REG);
    let d = loss.derivatives();
    for (k, gk) in g.iter_mut().enumerate() {
        *gk = d[&*r.at(k)];
    }
    loss.number
}

/// Central finite differences: 1,206 evaluations.
pub fn fd(p: &Params<f64>, xs: &[[f64; D]], ys: &[usize], g: &mut [f64]) {
    let mut p = *p;
    central_differences(
        &mut p,
        g,
        |p, k| p.at(k),
        |p| net_loss(&p.w1, &p.b1, &p.w2, &p.b2, xs, ys, REG),
    );
}

/// Parameters as the case study initialises them (0.01 * randn, zero
/// biases, here uniform of the same scale and small biases), and a batch of
/// points of the three spirals.
fn input() -> (Params<f64>, [[f64; D]; BATCH], [usize; BATCH]) {
    let mut rng = Rng::new(3);
    let mut p = Params {
        w1: [[0.0; H]; D],
        b1: [0.0; H],
        w2: [[0.0; K]; H],
        b2: [0.0; K],
    };
    for k in 0..P {
        *p.at(k) = rng.range(-0.5, 0.5);
    }
    let mut xs = [[0.0; D]; BATCH];
    let mut ys = [0; BATCH];
    for i in 0..BATCH {
        let class = i % K;
        let r = (i / K) as f64 / (BATCH / K) as f64;
        let t = class as f64 * 4.0 + 4.0 * r + 0.2 * rng.range(-1.0, 1.0);
        xs[i] = [r * t.sin(), r * t.cos()];
        ys[i] = class;
    }
    (p, xs, ys)
}

fn zeros() -> Params<f64> {
    Params {
        w1: [[0.0; H]; D],
        b1: [0.0; H],
        w2: [[0.0; K]; H],
        b2: [0.0; K],
    }
}

pub fn check() {
    let (p, xs, ys) = input();
    let mut g = zeros();
    let v = net_loss_backward(
        &p.w1, &mut g.w1, &p.b1, &mut g.b1, &p.w2, &mut g.w2, &p.b2, &mut g.b2, &xs, &ys, REG, 1.0,
    );
    let g = g.flat();
    let mut h = zeros();
    let hv = hand(
        &p.w1, &mut h.w1, &p.b1, &mut h.b1, &p.w2, &mut h.w2, &p.b2, &mut h.b2, &xs, &ys, REG, 1.0,
    );
    assert!((hv - v).abs() <= 1e-13 * v);
    assert_close("net hand", &h.flat(), &g, 1e-12);
    let mut d = vec![0.0; P];
    let dv = num_dual_passes(&p, &xs, &ys, &mut d);
    assert!((dv - v).abs() <= 1e-13 * v);
    assert_close("net num-dual passes", &d, &g, 1e-12);
    let list = WengertList::new();
    easy_ml(&list, &p, &xs, &ys, &mut d);
    assert_close("net easy-ml", &d, &g, 1e-12);
    fd(&p, &xs, &ys, &mut d);
    assert_close("net fd", &d, &g, 1e-6);
}

pub fn bench(c: &mut Criterion) {
    let (p, xs, ys) = input();
    let mut group = c.benchmark_group("net_loss");
    group.bench_function("primal", |b| {
        b.iter(|| {
            net_loss(
                black_box(&p.w1),
                &p.b1,
                &p.w2,
                &p.b2,
                black_box(&xs),
                &ys,
                REG,
            )
        })
    });
    // The caller zeroes the gradient (the contract); that is timed too.
    let mut g = zeros();
    group.bench_function("grad", |b| {
        b.iter(|| {
            g = zeros();
            let v = net_loss_backward(
                black_box(&p.w1),
                &mut g.w1,
                &p.b1,
                &mut g.b1,
                &p.w2,
                &mut g.w2,
                &p.b2,
                &mut g.b2,
                black_box(&xs),
                &ys,
                REG,
                black_box(1.0),
            );
            black_box(&g);
            v
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            g = zeros();
            let v = hand(
                black_box(&p.w1),
                &mut g.w1,
                &p.b1,
                &mut g.b1,
                &p.w2,
                &mut g.w2,
                &p.b2,
                &mut g.b2,
                black_box(&xs),
                &ys,
                REG,
                black_box(1.0),
            );
            black_box(&g);
            v
        })
    });
    let mut g = vec![0.0; P];
    group.bench_function("num_dual_dual64", |b| {
        b.iter(|| num_dual_passes(black_box(&p), black_box(&xs), &ys, &mut g))
    });
    let list = WengertList::new();
    group.bench_function("easy_ml", |b| {
        b.iter(|| easy_ml(&list, black_box(&p), black_box(&xs), &ys, &mut g))
    });
    group.bench_function("fd", |b| {
        b.iter(|| fd(black_box(&p), black_box(&xs), &ys, &mut g))
    });
    group.finish();
}
