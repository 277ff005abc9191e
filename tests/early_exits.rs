//! Early exits as users write them (issue 12; corpus round 4, C1 and C2): a
//! `return` inside `for` and `while` loops (nested too) and `loop { … }` left
//! by `break` or by `return` — integrate until the projectile lands, sphere
//! tracing until the ray hits, a search that stops at the first hit. Each
//! companion's value is checked bit for bit against the function, its gradient
//! against central finite differences, its tangent against the gradient.
#![deny(warnings)]

use autodiff::{grad, Tangent};
use proptest::prelude::*;

mod common;
use common::*;

/// Integrate until the projectile lands: a `loop` left only by `return`.
#[grad(reverse, forward)]
pub fn landing(v0: f64, drag: f64) -> f64 {
    let (mut y, mut v, mut x) = (1.0, v0, 0.0);
    loop {
        v -= 0.1 + drag * v * v.abs() * 0.01;
        y += v * 0.1;
        x += 0.1;
        if y < 0.0 {
            return x - y / v;
        }
    }
}

/// Sphere tracing: a `return` inside a `for`, the loop's own end after it.
#[grad(reverse, forward)]
pub fn march(origin: f64, r: f64) -> f64 {
    let mut t = 0.0;
    for _ in 0..40 {
        let d = (origin + t - 3.0).abs() - r;
        if d < 1e-4 {
            return t;
        }
        t += d;
    }
    t.min(10.0)
}

/// A `return` from a loop nested in another, and `while` with a `return`.
#[grad(reverse, forward)]
pub fn first_big(x: &[f64], c: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        for j in 0..x.len() {
            s += x[i] * x[j] * c;
            if s > 3.0 {
                return s * 2.0;
            }
        }
        s += 0.1;
    }
    let mut k = 0;
    while k < x.len() {
        s += x[k].sin();
        if s < -2.0 {
            return s;
        }
        k += 1;
    }
    s
}

/// `loop` left by `break` (once "unsupported").
#[grad(reverse, forward)]
pub fn doubling(x: f64) -> f64 {
    let mut y = x;
    loop {
        if y > 10.0 {
            break;
        }
        y *= 2.0;
    }
    y
}

/// A `return` in a loop of a function that writes an output array.
#[grad]
pub fn clipped(x: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        if x[i] > 1.5 {
            return;
        }
        out[i] = x[i] * x[i];
    }
}

#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Layer2 {
    pub w: [[f64; 2]; 2],
}

#[grad(reverse, forward)]
pub fn unit2(w: &[f64; 2], b: f64, h: &[f64; 2]) -> f64 {
    (w[0] * h[0] + w[1] * h[1] + b).tanh()
}

/// Rows of a struct field and of `&[Vec<f64>]` data read after an early
/// `return` (progen bugs 4 and 5: the placeholder of the branch that returns
/// had no borrowed form; the rows are cloned there).
#[grad(reverse, forward)]
pub fn rows_after_return(x: f64, st: &Layer2, w: &[Vec<f64>]) -> f64 {
    if x > 1.0 {
        return x;
    }
    let h = [x, 2.0 * x];
    let r = &w[0];
    unit2(&st.w[0], x, &h) + w[0].iter().sum::<f64>() * r[0] * x
}

/// Whether `f` changes continuously within 1e-4 of `x` along each axis (a
/// loop's exit taken at a threshold makes the value jump).
fn near_no_jump(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> bool {
    let f0 = f(x);
    (0..x.len()).all(|i| {
        [1e-4, -1e-4].iter().all(|h| {
            let mut y = x.to_vec();
            y[i] += h;
            (f(&y) - f0).abs() < 1e-2
        })
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scalar_exits(v0 in 0.2f64..3.0, drag in 0.0f64..0.5, o in -1.0f64..1.0, r in 0.5f64..1.0, x in 0.3f64..6.0, d in cotangent(), t in floats::<2>(-1.0, 1.0)) {
        let (v, g0, g1) = landing_backward(v0, drag, d);
        assert_bits(v, landing(v0, drag), "landing");
        prop_fd(|p| landing(p[0], p[1]), &[v0, drag], &[g0 / d, g1 / d])?;
        let (fv, jvp) = landing_forward(v0, t[0], drag, t[1]);
        assert_bits(fv, v, "landing forward");
        prop_assert!((jvp - (g0 * t[0] + g1 * t[1]) / d).abs() < 1e-9 * (1.0 + jvp.abs()));

        let (v, g0, g1) = march_backward(o, r, d);
        assert_bits(v, march(o, r), "march");
        prop_fd(|p| march(p[0], p[1]), &[o, r], &[g0 / d, g1 / d])?;

        prop_assume!((x - 10.0 / 2f64.powi((10.0 / x).log2().ceil() as i32)).abs() > 1e-6);
        let (v, g) = doubling_backward(x, d);
        assert_bits(v, doubling(x), "doubling");
        prop_fd(|p| doubling(p[0]), &[x], &[g / d])?;
    }

    #[test]
    fn nested_exits(x in float_vec(-1.5, 1.5, 1..5), c in -1.0f64..2.0, d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let (v, gc) = first_big_backward(&x, &mut dx, c, d);
        assert_bits(v, first_big(&x, c), "first_big");
        let n = x.len();
        let g: Vec<f64> = dx.iter().chain([&gc]).map(|g| g / d).collect();
        let point = cat(&[&x, &[c]]);
        // Not where a step of the differences would cross an exit (a jump of
        // the value: no derivative there).
        prop_assume!(near_no_jump(|p| first_big(&p[..n], p[n]), &point));
        prop_fd(|p| first_big(&p[..n], p[n]), &point, &g)?;
    }

    #[test]
    fn unit_return_in_loop(x in float_vec(-2.0, 2.0, 1..5), w in float_vec(-1.0, 1.0, 5..6)) {
        let n = x.len();
        let mut out = vec![0.0; n];
        clipped(&x, &mut out);
        let (mut dx, mut o2, mut dout) = (vec![0.0; n], vec![0.0; n], w[..n].to_vec());
        clipped_backward(&x, &mut dx, &mut o2, &mut dout);
        prop_assert_eq!(&o2, &out);
        let g = dx.clone();
        prop_fd(|p| { let mut o = vec![0.0; n]; clipped(p, &mut o); dot(&o, &w[..n]) }, &x, &g)?;
    }

    #[test]
    fn rows_read_after_an_early_return(x in away_from(-2.0, 3.0, &[1.0], 1e-3), p in floats::<4>(-1.0, 1.0), q in float_vec(-1.0, 1.0, 3..4), d in cotangent()) {
        let st = Layer2 { w: [[p[0], p[1]], [p[2], p[3]]] };
        let w = vec![q[..2].to_vec(), q[2..].to_vec()];
        let (mut dst, mut dw) = (Layer2::default(), vec![vec![0.0; 2], vec![0.0]]);
        let (v, gx) = rows_after_return_backward(x, &st, &mut dst, &w, &mut dw, d);
        assert_bits(v, rows_after_return(x, &st, &w), "value");
        let g: Vec<f64> = [gx, dst.w[0][0], dst.w[0][1], dst.w[1][0], dst.w[1][1], dw[0][0], dw[0][1], dw[1][0]]
            .iter()
            .map(|g| g / d)
            .collect();
        let f = |q: &[f64]| {
            let st = Layer2 { w: [[q[1], q[2]], [q[3], q[4]]] };
            rows_after_return(q[0], &st, &[q[5..7].to_vec(), q[7..8].to_vec()])
        };
        prop_fd(f, &cat(&[&[x], &p, &q]), &g)?;
    }
}

/// A tuple returned from inside a loop (progen bug 9: "the branches of this `if`
/// return different numbers of values").
#[grad(reverse, forward)]
pub fn tuple_from_loop(x: f64, y: f64) -> (f64, f64) {
    for k in 0..4 {
        if x * (k as f64) > 1.0 {
            return (x * y, 2.0 * x + y.sin());
        }
    }
    (x, x * y * y)
}

#[test]
fn tuple_from_loop_against_differences() {
    for (x, y) in [(0.7, 0.4), (0.2, -1.3), (1.6, 0.9)] {
        let (d0, d1) = (0.6, -1.4);
        let ((a, b), dx, dy) = tuple_from_loop_backward(x, y, (d0, d1));
        assert_eq!((a, b), tuple_from_loop(x, y));
        let f = |p: &[f64]| {
            let (a, b) = tuple_from_loop(p[0], p[1]);
            d0 * a + d1 * b
        };
        assert_fd(f, &[x, y], &[dx, dy]);
        let (v, (ta, tb)) = tuple_from_loop_forward(x, 0.3, y, -0.8);
        assert_eq!(v, tuple_from_loop(x, y));
        let want = 0.3 * dx + (-0.8) * dy;
        assert!((d0 * ta + d1 * tb - want).abs() < 1e-12);
    }
}
