//! Calls between `#[grad]` functions: a call `foo(args)` in a `#[grad]` body runs
//! `foo` forward and `foo_backward` in the reverse sweep.
//!
//! Callees in the same module, in another module, in another crate (`grad-lib`)
//! and generic over `T: Real`; scalars, arrays (by value and by `&`), slices and
//! tuples as arguments and results; calls inside loops and `if`s; chains of
//! calls; `autodiff::no_grad` on arguments and expressions; an integer-valued
//! call used as an index; and a two-layer net written as separate layers and as
//! one function, whose gradients must agree.
//!
//! Every gradient is checked against central finite differences of the
//! original function (relative 1e-6, absolute 1e-8, the default step) or
//! against exact values (1e-12).
#![deny(warnings)]
#![allow(clippy::needless_range_loop)]

use autodiff::{grad, Real, Tangent};

mod common;
use common::*;

// ---------------------------------------------------------------- callees

#[grad]
fn sq(x: f64) -> f64 {
    x * x
}

#[grad]
fn cube(x: f64) -> f64 {
    x * x * x
}

#[grad]
fn dot3(w: &[f64; 3], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += w[i] * x[i];
    }
    s
}

/// An array in by value, an array out.
#[grad]
fn scale2(x: [f64; 2], k: f64) -> [f64; 2] {
    [x[0] * k, x[1] * k.sin()]
}

/// A tuple out.
#[grad]
fn pair(t: f64) -> (f64, f64) {
    (t.sin(), t * t)
}

/// `tanh(W x + b)`: arrays by reference in, an array out.
#[grad]
fn layer(w: &[[f64; 2]; 3], b: &[f64; 3], x: &[f64; 2]) -> [f64; 3] {
    let mut h = [0.0; 3];
    for i in 0..3 {
        let mut a = b[i];
        for j in 0..2 {
            a += w[i][j] * x[j];
        }
        h[i] = a.tanh();
    }
    h
}

/// `Σ x[i]²` over a slice of any length.
#[grad]
fn sum_sq(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        s += v * v;
    }
    s
}

/// `Σ w[i] x[i]` over slices, differentiated with respect to `w` only.
#[grad(wrt(w))]
fn weighted(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[i];
    }
    s
}

/// Index of the largest entry: an integer, not differentiated (no `#[grad]`).
fn argmax(x: &[f64; 4]) -> usize {
    let mut k = 0;
    for i in 1..4 {
        if x[i] > x[k] {
            k = i;
        }
    }
    k
}

/// A user function named like an autodiff primitive: called by path.
#[grad]
fn relu(x: f64) -> f64 {
    // Not the ReLU: a smooth stand-in, so that a mix-up would show.
    x * autodiff::sigmoid(x)
}

/// Generic over the float type.
#[grad]
fn gen_poly<T: Real>(x: T, y: T) -> T {
    x * x * y + T::from_f64(0.5) * y.exp()
}

mod inner {
    use autodiff::grad;

    #[grad]
    pub fn bump(x: f64) -> f64 {
        (-x * x).exp()
    }

    #[grad]
    pub fn norm2(v: &[f64; 2]) -> f64 {
        (v[0] * v[0] + v[1] * v[1]).sqrt()
    }

    pub mod deeper {
        use autodiff::grad;

        /// Calls back up the module tree with `super::` and `crate::`.
        #[grad]
        pub fn mix(x: f64, y: f64) -> f64 {
            super::bump(x) * crate::sq(y) + self::twice(x)
        }

        #[grad]
        pub fn twice(x: f64) -> f64 {
            2.0 * x
        }
    }
}

// ---------------------------------------------------------------- scalars

#[grad]
fn poly(x: f64, y: f64) -> f64 {
    sq(x) * y + sq(y.sin())
}

fn poly_plain(x: f64, y: f64) -> f64 {
    x * x * y + y.sin() * y.sin()
}

#[test]
fn scalar_calls_exact() {
    let (x, y) = (1.5, 0.7);
    let (v, dx, dy) = poly_backward(x, y, 1.0);
    assert_near(v, poly_plain(x, y), 1e-12, "value");
    assert_near(dx, 2.0 * x * y, 1e-12, "dx");
    assert_near(dy, x * x + 2.0 * y.sin() * y.cos(), 1e-12, "dy");
    // d_out scales every gradient.
    let (v2, dx2, dy2) = poly_backward(x, y, -2.5);
    assert_eq!(v2, v);
    assert_near(dx2, -2.5 * dx, 1e-12, "dx * d_out");
    assert_near(dy2, -2.5 * dy, 1e-12, "dy * d_out");
}

/// The same callee twice, with different arguments, and once more on an
/// expression of both.
#[grad]
fn twice_same(x: f64, y: f64) -> f64 {
    sq(x) + 3.0 * sq(y) - sq(x * y)
}

#[test]
fn same_callee_twice() {
    for &(x, y) in &[(0.3, -1.2), (2.0, 0.5), (-0.7, 0.9)] {
        let (v, dx, dy) = twice_same_backward(x, y, 1.0);
        assert_eq!(v, twice_same(x, y));
        assert_near(dx, 2.0 * x - 2.0 * x * y * y, 1e-12, "dx");
        assert_near(dy, 6.0 * y - 2.0 * x * x * y, 1e-12, "dy");
    }
}

/// A chain of three calls, nested in one expression.
#[grad]
fn chain_nested(x: f64) -> f64 {
    inner::bump(cube(sq(x)))
}

/// The same chain through `let`s, each call's result feeding the next.
#[grad]
fn chain_lets(x: f64) -> f64 {
    let a = sq(x);
    let b = cube(a);
    let c = inner::bump(b);
    c * x
}

#[test]
fn chain_of_three_calls() {
    for &x in &[0.3, -0.8, 1.1] {
        // bump(x^6): derivative -2 x^6 · 6 x^5 · exp(-x^12)
        let (v, g) = chain_nested_backward(x, 1.0);
        assert_eq!(v, chain_nested(x));
        let want = -12.0 * x.powi(11) * (-x.powi(12)).exp();
        assert_near(g, want, 1e-12, "nested chain");
        let (v, g) = chain_lets_backward(x, 1.0);
        assert_eq!(v, chain_lets(x));
        assert_near(g, want * x + (-x.powi(12)).exp(), 1e-12, "chain of lets");
        assert_fd(|p| chain_lets(p[0]), &[x], &[g]);
    }
}

// ---------------------------------------------------------------- modules and paths

#[grad]
fn across_modules(x: f64, y: f64) -> f64 {
    let v = [x, y];
    inner::bump(x) + inner::norm2(&v) * inner::deeper::mix(y, x) + crate::sq(y)
}

#[test]
fn calls_into_other_modules() {
    for &(x, y) in &[(0.4, -0.3), (-1.1, 0.8), (0.9, 1.7)] {
        let (v, dx, dy) = across_modules_backward(x, y, 1.0);
        assert_eq!(v, across_modules(x, y));
        assert_fd(|p| across_modules(p[0], p[1]), &[x, y], &[dx, dy]);
    }
    // The module's own calls: `super::`, `crate::`, `self::`.
    let (x, y) = (0.6, -1.3);
    let (v, dx, dy) = inner::deeper::mix_backward(x, y, 1.0);
    assert_eq!(v, inner::deeper::mix(x, y));
    let b = (-x * x).exp();
    assert_near(dx, -2.0 * x * b * y * y + 2.0, 1e-12, "d mix / dx");
    assert_near(dy, b * 2.0 * y, 1e-12, "d mix / dy");
}

/// A user fn named `relu` is reached by path; `autodiff::relu` is the primitive.
#[grad]
fn user_relu(x: f64) -> f64 {
    self::relu(x) + autodiff::relu(x) + crate::relu(2.0 * x)
}

#[test]
fn user_fn_named_like_a_primitive() {
    for &x in &[-1.3, -0.2, 0.4, 2.0] {
        let (v, g) = user_relu_backward(x, 1.0);
        assert_eq!(v, user_relu(x));
        let s = |t: f64| 1.0 / (1.0 + (-t).exp());
        let d_swish = |t: f64| s(t) + t * s(t) * (1.0 - s(t));
        let want = d_swish(x) + if x > 0.0 { 1.0 } else { 0.0 } + 2.0 * d_swish(2.0 * x);
        assert_near(g, want, 1e-12, "user relu");
    }
}

// ---------------------------------------------------------------- another crate

#[grad]
fn uses_lib_scalars(x: f64, y: f64) -> f64 {
    let (r, theta) = grad_lib::polar(x, y);
    grad_lib::cubic(r) + theta * grad_lib::soft_affine(x, y, 0.5)
}

#[grad]
fn uses_lib_arrays(v: [f64; 2], angle: f64, c: &[f64; 4]) -> f64 {
    let r: [f64; 2] = grad_lib::rotate(v, angle);
    let w = [r[0], r[1], angle];
    let ones = [1.0, -2.0, 0.5];
    grad_lib::horner(c, r[0])
        + grad_lib::dot(&w, &ones)
        + grad_lib::sq_dist(&w, autodiff::no_grad(&ones))
}

#[test]
fn calls_into_another_crate() {
    for &(x, y) in &[(0.8, 0.3), (-1.2, 0.7), (0.5, -2.0)] {
        let (v, dx, dy) = uses_lib_scalars_backward(x, y, 1.0);
        assert_eq!(v, uses_lib_scalars(x, y));
        assert_fd(|p| uses_lib_scalars(p[0], p[1]), &[x, y], &[dx, dy]);
    }
    let (v, angle, c) = ([0.7, -0.4], 0.9, [0.5, -1.0, 0.25, 0.3]);
    let mut dc = [0.0; 4];
    let (out, dv, dangle) = uses_lib_arrays_backward(v, angle, &c, &mut dc, 1.0);
    assert_eq!(out, uses_lib_arrays(v, angle, &c));
    let point = cat(&[&v, &[angle], &c]);
    assert_fd(
        |p| uses_lib_arrays(arr(&p[0..2]), p[2], &arr(&p[3..7])),
        &point,
        &cat(&[&dv, &[dangle], &dc]),
    );
}

/// The generic callee of another crate from a generic caller, at f32 and f64.
#[grad]
fn lib_generic<T: Real>(a: T, x: T) -> T {
    let c = [T::ONE, a, T::from_f64(-0.5), T::from_f64(0.125)];
    grad_lib::horner(&c, x) * grad_lib::soft_affine(a, x, T::ZERO)
}

#[test]
fn generic_callee_in_another_crate() {
    let (a, x) = (0.7, -1.3);
    let (v, da, dx) = lib_generic_backward(a, x, 1.0f64);
    assert_eq!(v, lib_generic(a, x));
    assert_fd(|p| lib_generic(p[0], p[1]), &[a, x], &[da, dx]);
    let (v32, da32, dx32) = lib_generic_backward(a as f32, x as f32, 1.0f32);
    assert_near(f64::from(v32), v, 1e-5, "f32 value");
    assert_near(f64::from(da32), da, 1e-4, "f32 da");
    assert_near(f64::from(dx32), dx, 1e-4, "f32 dx");
}

// ---------------------------------------------------------------- generic callees

/// A concrete caller of a generic callee.
#[grad]
fn calls_generic(x: f64, y: f64) -> f64 {
    gen_poly(x, y) + gen_poly(y, 2.0)
}

/// A generic caller of a generic callee.
#[grad]
fn generic_calls_generic<T: Real>(x: T, y: T) -> T {
    gen_poly(x, y) * gen_poly(T::ONE, x)
}

#[test]
fn generic_callees() {
    let (x, y) = (0.8, -0.6);
    let (v, dx, dy) = calls_generic_backward(x, y, 1.0);
    assert_eq!(v, calls_generic(x, y));
    assert_near(dx, 2.0 * x * y, 1e-12, "dx");
    assert_near(dy, x * x + 0.5 * y.exp() + 4.0 * y, 1e-12, "dy");
    let (v, dx, dy) = generic_calls_generic_backward(x, y, 1.0);
    assert_eq!(v, generic_calls_generic(x, y));
    assert_fd(|p| generic_calls_generic(p[0], p[1]), &[x, y], &[dx, dy]);
    let (v32, dx32, dy32) = generic_calls_generic_backward(x as f32, y as f32, 1.0);
    assert_near(f64::from(v32), v, 1e-5, "f32 value");
    assert_near(f64::from(dx32), dx, 1e-4, "f32 dx");
    assert_near(f64::from(dy32), dy, 1e-4, "f32 dy");
}

// ---------------------------------------------------------------- arrays and tuples

#[grad]
fn uses_scale(x: [f64; 2]) -> f64 {
    let y: [f64; 2] = scale2(x, 3.0);
    let (a, b) = pair(y[0]);
    y[1] * a + b
}

#[test]
fn arrays_by_value_and_tuples() {
    let x = [0.5, 2.0];
    let (v, g) = uses_scale_backward(x, 1.0);
    assert_eq!(v, uses_scale(x));
    let t = 1.5f64;
    let k = 3.0f64.sin();
    assert_near(v, 2.0 * k * t.sin() + t * t, 1e-12, "value");
    assert_near(g[0], 3.0 * (2.0 * k * t.cos() + 2.0 * t), 1e-12, "g[0]");
    assert_near(g[1], k * t.sin(), 1e-12, "g[1]");
}

/// An array result of a call, annotated; `&` parameters passed on as they are
/// and a local passed by `&`.
#[grad]
fn two_layers(w: &[[f64; 2]; 3], b: &[f64; 3], x: &[f64; 2], v: &[f64; 3]) -> f64 {
    let h: [f64; 3] = layer(w, b, x);
    dot3(&h, v) + dot3(v, &h)
}

#[test]
fn array_results_and_refs() {
    let w = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]];
    let b = [0.05, -0.1, 0.2];
    let x = [0.7, -1.1];
    let v = [0.3, -0.9, 1.4];
    let (mut dw, mut db, mut dx, mut dv) = ([[0.0; 2]; 3], [0.0; 3], [0.0; 2], [0.0; 3]);
    let out = two_layers_backward(&w, &mut dw, &b, &mut db, &x, &mut dx, &v, &mut dv, 1.0);
    assert_eq!(out, two_layers(&w, &b, &x, &v));
    let flat_w: Vec<f64> = w.iter().flatten().copied().collect();
    let flat_dw: Vec<f64> = dw.iter().flatten().copied().collect();
    let f = |p: &[f64]| {
        let w = [arr(&p[0..2]), arr(&p[2..4]), arr(&p[4..6])];
        two_layers(&w, &arr(&p[6..9]), &arr(&p[9..11]), &arr(&p[11..14]))
    };
    assert_fd(
        f,
        &cat(&[&flat_w, &b, &x, &v]),
        &cat(&[&flat_dw, &db, &dx, &dv]),
    );
}

/// A tuple of arrays returned, annotated.
#[grad]
fn split(x: [f64; 4]) -> ([f64; 2], [f64; 2]) {
    ([x[0], x[1]], [x[2] * x[3], x[3].sin()])
}

#[grad]
fn use_split(x: [f64; 4]) -> f64 {
    let (a, b): ([f64; 2], [f64; 2]) = split(x);
    a[0] * b[1] + a[1] * b[0]
}

#[test]
fn tuple_of_arrays_result() {
    let x = [0.4, -1.3, 0.7, 2.1];
    let (v, g) = use_split_backward(x, 1.0);
    assert_eq!(v, use_split(x));
    let want = [
        x[3].sin(),
        x[2] * x[3],
        x[1] * x[3],
        x[0] * x[3].cos() + x[1] * x[2],
    ];
    assert_all_near(&g, &want, 1e-12, "g");
}

/// Rows of a `&` matrix passed by `&` (`&w[i]`), in a loop: each row's
/// gradient lands in its row of `d_w`; rows of data get scratch buffers.
#[grad]
fn rows(w: &[[f64; 3]; 2], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        s += sq(dot3(&w[i], x));
    }
    s
}

#[grad(wrt(w))]
fn data_rows(w: &[f64; 3], xs: &[[f64; 3]; 2]) -> f64 {
    let c = [1.0, 2.0, 3.0];
    let mut s = dot3(w, &c) * dot3(&[0.5, -0.5, 0.25], w);
    for n in 0..2 {
        s += dot3(&xs[n], w).tanh();
    }
    s
}

#[test]
fn rows_and_data_by_reference() {
    let w = [[0.2, -0.4, 0.9], [1.1, 0.3, -0.6]];
    let x = [0.5, -1.5, 0.8];
    let (mut dw, mut dx) = ([[0.0; 3]; 2], [0.0; 3]);
    let v = rows_backward(&w, &mut dw, &x, &mut dx, 1.0);
    assert_eq!(v, rows(&w, &x));
    assert_fd(
        |p| rows(&[arr(&p[0..3]), arr(&p[3..6])], &arr(&p[6..9])),
        &cat(&[&w[0], &w[1], &x]),
        &cat(&[&dw[0], &dw[1], &dx]),
    );
    let xs = [[0.3, 0.1, -0.2], [-0.7, 0.4, 0.6]];
    let mut dw = [0.0; 3];
    let v = data_rows_backward(&w[0], &mut dw, &xs, 1.0);
    assert_eq!(v, data_rows(&w[0], &xs));
    assert_fd(|p| data_rows(&arr(p), &xs), &w[0], &dw);
}

/// A call returning an array inside an `if` branch; a call in a loop whose
/// array result is loop-carried; a `&` array dereferenced into a by-value
/// parameter; an early `return` of a call; calls inside a reduction closure.
#[grad]
fn if_arr(x: [f64; 2], k: f64) -> f64 {
    let h: [f64; 2] = if k > 0.0 {
        let s: [f64; 2] = scale2(x, k);
        s
    } else {
        x
    };
    h[0] * h[1]
}

#[grad]
fn loop_arr(x: [f64; 2], k: f64) -> f64 {
    let mut h = x;
    for _ in 0..3 {
        let t: [f64; 2] = scale2(h, k);
        h = t;
    }
    h[0] + h[1] * h[0]
}

#[grad]
fn deref_arg(x: &[f64; 2], k: f64) -> f64 {
    let y = *x;
    let h: [f64; 2] = scale2(y, k);
    h[0] - h[1]
}

#[grad]
fn early(x: f64) -> f64 {
    if x < 0.0 {
        return cube(x);
    }
    sq(sq(x))
}

#[grad]
fn in_closure(x: &[f64]) -> f64 {
    x.iter().map(|v| sq(*v) * inner::bump(*v)).sum()
}

#[test]
fn calls_with_array_results_in_control_flow() {
    for &(a, b, k) in &[(0.5, -0.8, 1.3), (0.5, -0.8, -0.4), (1.2, 0.3, 0.9)] {
        let (v, dx, dk) = if_arr_backward([a, b], k, 1.0);
        assert_eq!(v, if_arr([a, b], k));
        assert_fd(
            |p| if_arr(arr(&p[0..2]), p[2]),
            &[a, b, k],
            &cat(&[&dx, &[dk]]),
        );
        let (v, dx, dk) = loop_arr_backward([a, b], k, 1.0);
        assert_eq!(v, loop_arr([a, b], k));
        assert_fd(
            |p| loop_arr(arr(&p[0..2]), p[2]),
            &[a, b, k],
            &cat(&[&dx, &[dk]]),
        );
        let mut dx = [0.0; 2];
        let (v, dk) = deref_arg_backward(&[a, b], &mut dx, k, 1.0);
        assert_eq!(v, deref_arg(&[a, b], k));
        assert_fd(
            |p| deref_arg(&arr(&p[0..2]), p[2]),
            &[a, b, k],
            &cat(&[&dx, &[dk]]),
        );
    }
    for &x in &[-0.7, 0.6] {
        let (v, g) = early_backward(x, 1.0);
        assert_eq!(v, early(x));
        let want = if x < 0.0 {
            3.0 * x * x
        } else {
            4.0 * x.powi(3)
        };
        assert_near(g, want, 1e-12, "early return");
    }
    let x = [0.3, -1.1, 0.8];
    let mut dx = [0.0; 3];
    let v = in_closure_backward(&x, &mut dx, 1.0);
    assert_eq!(v, in_closure(&x));
    assert_fd(in_closure, &x, &dx);
}

// ---------------------------------------------------------------- slices

/// A slice parameter passed on as it is, a local array passed as a slice, and
/// a slice of data (no gradient: the callee gets a scratch buffer).
#[grad(wrt(x))]
fn slices(x: &[f64], data: &[f64]) -> f64 {
    let a = [x[0], x[1] * x[1]];
    sum_sq(x) + sum_sq(&a) * weighted(x, autodiff::no_grad(data)) + sum_sq(data)
}

#[test]
fn slices_as_arguments() {
    for n in [2usize, 3, 5] {
        let x: Vec<f64> = (0..n).map(|i| 0.3 * i as f64 - 0.4).collect();
        let data: Vec<f64> = (0..n).map(|i| 1.0 - 0.25 * i as f64).collect();
        let mut dx = vec![0.0; n];
        let v = slices_backward(&x, &mut dx, &data, 1.0);
        assert_eq!(v, slices(&x, &data));
        assert_fd(|p| slices(p, &data), &x, &dx);
    }
}

/// The callee excludes `x` with `wrt`: the caller says so with `no_grad`, and
/// no buffer is passed for it.
#[grad]
fn no_grad_slice_arg(w: &[f64]) -> f64 {
    let x = [1.0, -2.0, 0.5];
    weighted(w, autodiff::no_grad(&x)) * weighted(w, autodiff::no_grad(w))
}

#[test]
fn no_grad_for_a_wrt_excluded_parameter() {
    let w = [0.4, 0.1, -0.7];
    let mut dw = [0.0; 3];
    let v = no_grad_slice_arg_backward(&w, &mut dw, 1.0);
    assert_eq!(v, no_grad_slice_arg(&w));
    // d/dw (a·w)(w·w) with the second factor's `x` = w held constant:
    // (a)(w·w) + (a·w)(w).
    let a = [1.0, -2.0, 0.5];
    let aw: f64 = (0..3).map(|i| a[i] * w[i]).sum();
    let ww: f64 = (0..3).map(|i| w[i] * w[i]).sum();
    let want: Vec<f64> = (0..3).map(|i| a[i] * ww + aw * w[i]).collect();
    assert_all_near(&dw, &want, 1e-12, "dw");
}

// ---------------------------------------------------------------- control flow

/// A call inside a loop, accumulating.
#[grad]
fn call_in_loop(x: &[f64; 4], w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..4 {
        s += sq(x[i] * w) + inner::bump(x[i]);
    }
    s
}

/// A call whose result is loop-carried: `h = layer(h)` three times.
#[grad]
fn call_carried_in_loop(x: f64, k: f64) -> f64 {
    let mut h = x;
    for _ in 0..3 {
        h = inner::bump(h) * k + sq(h);
    }
    h
}

/// A call in a `while` loop with a run-time trip count.
#[grad]
fn call_in_while(x: f64, n: usize) -> f64 {
    let mut h = x;
    let mut i = 0;
    while i < n {
        let (a, _) = pair(h);
        h = a + 0.5 * h;
        i += 1;
    }
    h
}

#[test]
fn calls_in_loops() {
    let x = [0.3, -0.5, 1.2, 0.8];
    let w = 0.7;
    let mut dx = [0.0; 4];
    let (v, dw) = call_in_loop_backward(&x, &mut dx, w, 1.0);
    assert_eq!(v, call_in_loop(&x, w));
    assert_fd(
        |p| call_in_loop(&arr(&p[0..4]), p[4]),
        &cat(&[&x, &[w]]),
        &cat(&[&dx, &[dw]]),
    );
    for &(x, k) in &[(0.3, 0.9), (-0.6, 1.4)] {
        let (v, dx, dk) = call_carried_in_loop_backward(x, k, 1.0);
        assert_eq!(v, call_carried_in_loop(x, k));
        assert_fd(|p| call_carried_in_loop(p[0], p[1]), &[x, k], &[dx, dk]);
    }
    for n in [0usize, 1, 4] {
        let (v, dx) = call_in_while_backward(0.4, n, 1.0);
        assert_eq!(v, call_in_while(0.4, n));
        assert_fd(|p| call_in_while(p[0], n), &[0.4], &[dx]);
    }
}

/// Calls in both branches of an `if`, and in the condition.
#[grad]
fn call_in_if(x: f64, y: f64) -> f64 {
    let z = if sq(x) > 1.0 {
        cube(x) * y
    } else {
        sq(y) + inner::bump(x)
    };
    let mut r = z;
    if y < 0.0 {
        let (_, b) = pair(x);
        r += b;
    }
    r
}

#[test]
fn calls_in_if() {
    for &(x, y) in &[(1.5, 0.4), (-1.2, -0.3), (0.4, 0.7), (-0.5, -1.1)] {
        let (v, dx, dy) = call_in_if_backward(x, y, 1.0);
        assert_eq!(v, call_in_if(x, y));
        assert_fd(|p| call_in_if(p[0], p[1]), &[x, y], &[dx, dy]);
    }
}

// ---------------------------------------------------------------- no_grad

/// `no_grad` on an expression: the value passes, the gradient stops.
#[grad]
fn no_grad_expr(x: f64, y: f64) -> f64 {
    let m = autodiff::no_grad(x * y);
    x * y - m + sq(autodiff::no_grad(x)) * y
}

/// `no_grad` of a call's result next to the result itself.
#[grad]
fn sigmoid_layer(w: &[f64; 3], x: &[f64; 3]) -> f64 {
    let d = dot3(w, x);
    autodiff::sigmoid(d) + autodiff::no_grad(d)
}

#[test]
fn no_grad_of_a_call_result() {
    let w = [0.1, -0.2, 0.3];
    let x = [1.0, 2.0, 3.0];
    let (mut dw, mut dx) = ([0.0; 3], [0.0; 3]);
    let v = sigmoid_layer_backward(&w, &mut dw, &x, &mut dx, 1.0);
    let d: f64 = 0.1 - 0.4 + 0.9;
    let s = 1.0 / (1.0 + (-d).exp());
    assert_near(v, s + d, 1e-12, "value");
    for i in 0..3 {
        assert_near(dw[i], s * (1.0 - s) * x[i], 1e-12, "dw");
        assert_near(dx[i], s * (1.0 - s) * w[i], 1e-12, "dx");
    }
}

#[test]
fn no_grad_on_expressions_and_args() {
    let (x, y) = (1.3, -0.4);
    let (v, dx, dy) = no_grad_expr_backward(x, y, 1.0);
    assert_eq!(v, no_grad_expr(x, y));
    // x y - (x y)_stopped + (x²)_stopped · y
    assert_near(dx, y, 1e-12, "dx");
    assert_near(dy, x + x * x, 1e-12, "dy");
}

// ---------------------------------------------------------------- integer calls

/// `argmax` returns an index: the call is inactive, and its result indexes.
#[grad]
fn pick_max(x: &[f64; 4], s: f64) -> f64 {
    let k: usize = argmax(x);
    x[k] * s + x[argmax(x)].sin()
}

/// The same, annotated.
#[grad]
fn pick_max_annotated(x: [f64; 4]) -> f64 {
    let k: usize = argmax(&x);
    let mut s = 0.0;
    for i in 0..4 {
        if i != k {
            s += x[i] * x[k];
        }
    }
    s
}

#[test]
fn integer_call_as_index() {
    let x = [0.3, 1.7, -0.2, 0.9];
    let mut dx = [0.0; 4];
    let (v, ds) = pick_max_backward(&x, &mut dx, 2.0, 1.0);
    assert_eq!(v, pick_max(&x, 2.0));
    assert_eq!(ds, 1.7);
    assert_all_near(&dx, &[0.0, 2.0 + 1.7f64.cos(), 0.0, 0.0], 1e-12, "dx");
    let (v, g) = pick_max_annotated_backward(x, 1.0);
    assert_eq!(v, pick_max_annotated(x));
    let others = 0.3 - 0.2 + 0.9;
    assert_all_near(&g, &[1.7, others, 1.7, 1.7], 1e-12, "g");
}

// ---------------------------------------------------------------- the composed 2-layer net

const D: usize = 2;
const H: usize = 4;
const K: usize = 3;
const N: usize = 3;

#[derive(Clone, Debug, PartialEq, Tangent)]
pub struct Mlp {
    pub w1: [[f64; H]; D],
    pub b1: [f64; H],
    pub w2: [[f64; K]; H],
    pub b2: [f64; K],
}

const MLP_LEN: usize = D * H + H + H * K + K;

impl Mlp {
    fn to_vec(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.w1.iter().flatten().copied().collect();
        v.extend_from_slice(&self.b1);
        v.extend(self.w2.iter().flatten().copied());
        v.extend_from_slice(&self.b2);
        v
    }

    fn from_slice(p: &[f64]) -> Self {
        assert_eq!(p.len(), MLP_LEN);
        let mut it = p.iter().copied();
        let mut m = <Mlp as Tangent>::zero();
        for r in m.w1.iter_mut() {
            for e in r.iter_mut() {
                *e = it.next().unwrap();
            }
        }
        for e in m.b1.iter_mut() {
            *e = it.next().unwrap();
        }
        for r in m.w2.iter_mut() {
            for e in r.iter_mut() {
                *e = it.next().unwrap();
            }
        }
        for e in m.b2.iter_mut() {
            *e = it.next().unwrap();
        }
        m
    }

    fn sample() -> Self {
        let p: Vec<f64> = (0..MLP_LEN)
            .map(|i| ((i as f64) * 0.73 + 0.2).sin() * 0.8)
            .collect();
        Self::from_slice(&p)
    }
}

/// `x W + b` for any shapes.
#[grad]
fn linear<const I: usize, const O: usize>(
    w: &[[f64; O]; I],
    b: &[f64; O],
    x: &[f64; I],
) -> [f64; O] {
    let mut y = [0.0; O];
    for o in 0..O {
        let mut a = b[o];
        for i in 0..I {
            a += x[i] * w[i][o];
        }
        y[o] = a;
    }
    y
}

#[grad]
fn relu_layer(h: [f64; H]) -> [f64; H] {
    let mut r = [0.0; H];
    for i in 0..H {
        r[i] = autodiff::relu(h[i]);
    }
    r
}

/// `-log softmax(s)[y]`, shifted by the maximum.
#[grad]
fn softmax_loss(s: &[f64; K], y: usize) -> f64 {
    let mut m = s[0];
    for k in 1..K {
        m = m.max(s[k]);
    }
    let mut z = 0.0;
    for k in 0..K {
        z += (s[k] - m).exp();
    }
    z.ln() + m - s[y]
}

/// One sample through the layers, each a `#[grad]` fn of its own.
#[grad(wrt(p))]
fn mlp_loss(p: &Mlp, x: &[f64; D], y: usize) -> f64 {
    let a: [f64; H] = linear(&p.w1, &p.b1, x);
    let h: [f64; H] = relu_layer(a);
    let s: [f64; K] = linear(&p.w2, &p.b2, &h);
    softmax_loss(&s, y)
}

/// A batch: the whole struct passed on to the per-sample loss, once per sample.
/// (Written out: the same call in a `for` loop does not compile, see
/// `macro_bugs::struct_ref_passed_in_loop`.)
#[grad(wrt(p))]
fn mlp_batch(p: &Mlp, xs: &[[f64; D]; N], ys: &[usize; N]) -> f64 {
    let s = mlp_loss(p, autodiff::no_grad(&xs[0]), ys[0])
        + mlp_loss(p, autodiff::no_grad(&xs[1]), ys[1])
        + mlp_loss(p, autodiff::no_grad(&xs[2]), ys[2]);
    s / N as f64
}

/// The same loss in one function.
#[grad(wrt(p))]
fn mlp_monolithic(p: &Mlp, xs: &[[f64; D]; N], ys: &[usize; N]) -> f64 {
    let mut total = 0.0;
    for n in 0..N {
        let mut h = [0.0; H];
        for j in 0..H {
            let mut a = p.b1[j];
            for i in 0..D {
                a += xs[n][i] * p.w1[i][j];
            }
            h[j] = autodiff::relu(a);
        }
        let mut s = [0.0; K];
        for k in 0..K {
            let mut a = p.b2[k];
            for j in 0..H {
                a += h[j] * p.w2[j][k];
            }
            s[k] = a;
        }
        let mut m = s[0];
        for k in 1..K {
            m = m.max(s[k]);
        }
        let mut z = 0.0;
        for k in 0..K {
            z += (s[k] - m).exp();
        }
        total += z.ln() + m - s[ys[n]];
    }
    total / N as f64
}

fn batch() -> ([[f64; D]; N], [usize; N]) {
    ([[0.5, -1.2], [-0.3, 0.8], [1.1, 0.4]], [2, 0, 1])
}

#[test]
fn composed_mlp_matches_monolithic_and_fd() {
    let (xs, ys) = batch();
    for seed in 0..3 {
        let mut p = Mlp::sample();
        p.b1[seed] += 0.3 * seed as f64;
        p.w2[seed][seed % K] -= 0.2;
        let mut d_comp = <Mlp as Tangent>::zero();
        let v_comp = mlp_batch_backward(&p, &mut d_comp, &xs, &ys, 1.0);
        let mut d_mono = <Mlp as Tangent>::zero();
        let v_mono = mlp_monolithic_backward(&p, &mut d_mono, &xs, &ys, 1.0);
        assert_eq!(v_comp, mlp_batch(&p, &xs, &ys));
        assert_eq!(v_mono, mlp_monolithic(&p, &xs, &ys));
        assert_near(v_comp, v_mono, 1e-12, "loss");
        assert_all_near(
            &d_comp.to_vec(),
            &d_mono.to_vec(),
            1e-12,
            "composed vs monolithic",
        );
        // Pre-activations stay away from the ReLU kink at these points.
        assert_fd(
            |q| mlp_batch(&Mlp::from_slice(q), &xs, &ys),
            &p.to_vec(),
            &d_comp.to_vec(),
        );
    }
}

/// The shadow accumulates: two calls add up, the caller zeroes it.
#[test]
fn mlp_shadow_accumulates() {
    let (xs, ys) = batch();
    let p = Mlp::sample();
    let mut once = <Mlp as Tangent>::zero();
    mlp_batch_backward(&p, &mut once, &xs, &ys, 1.0);
    let mut twice = <Mlp as Tangent>::zero();
    mlp_batch_backward(&p, &mut twice, &xs, &ys, 1.0);
    mlp_batch_backward(&p, &mut twice, &xs, &ys, 0.5);
    let want: Vec<f64> = once.to_vec().iter().map(|g| 1.5 * g).collect();
    assert_all_near(&twice.to_vec(), &want, 1e-12, "accumulated");
}

/// Gradient descent on the composed loss lowers it.
#[test]
fn mlp_training_step_lowers_loss() {
    let (xs, ys) = batch();
    let mut p = Mlp::sample();
    let before = mlp_batch(&p, &xs, &ys);
    for _ in 0..20 {
        let mut d = <Mlp as Tangent>::zero();
        mlp_batch_backward(&p, &mut d, &xs, &ys, 1.0);
        let q: Vec<f64> = p
            .to_vec()
            .iter()
            .zip(d.to_vec())
            .map(|(a, g)| a - 0.5 * g)
            .collect();
        p = Mlp::from_slice(&q);
    }
    assert!(mlp_batch(&p, &xs, &ys) < 0.5 * before);
}

// ---------------------------------------------------------------- arrays updated after a call

/// A local array passed by `&` to a callee, then updated in place, then
/// passed again: the reverse sweep must give the first call's companion the
/// array as it was at the first call.
#[grad]
fn update_after_ref_call(w: &[f64; 3], x: f64) -> f64 {
    let mut h = [x, 2.0 * x, 0.0];
    let a = dot3(&h, w);
    h[2] = a;
    h[0] = 5.0;
    let b = dot3(&h, w);
    a * b
}

/// The same with a by-value array parameter.
#[grad]
fn scale3(x: [f64; 3], k: f64) -> [f64; 3] {
    [x[0] * k, x[1] * k, x[2] * k]
}

#[grad]
fn update_after_value_call(w: [f64; 3], k: f64) -> f64 {
    let mut h = w;
    let a: [f64; 3] = scale3(h, k);
    h[0] = 10.0 * k;
    let b: [f64; 3] = scale3(h, a[0]);
    a[1] * b[0] + b[2]
}

/// In a loop (this one is right: the loop records what it needs).
#[grad]
fn update_in_loop_after_call(w: &[f64; 3], x: f64) -> f64 {
    let mut h = [x, x * x, 1.0];
    for i in 0..3 {
        h[i] = dot3(&h, w);
    }
    h[0] + h[1] + h[2]
}

/// Two calls per iteration with an update between them.
#[grad]
fn update_between_calls_in_loop(w: &[f64; 3], x: f64) -> f64 {
    let mut h = [x, 2.0 * x, 0.5];
    let mut s = 0.0;
    for i in 0..2 {
        let a = dot3(&h, w);
        h[i] = a;
        let b = dot3(&h, w);
        s += a * b;
    }
    s
}

/// A call in a `while` loop that may `break` early, and in a branch of an
/// `if` in a `for` loop whose other branch updates the array.
#[grad]
fn call_in_while_with_break(w: &[f64; 3], x: f64) -> f64 {
    let mut h = x;
    let mut n = 0;
    while n < 10 {
        let v = [h, h * h, 1.0];
        h = dot3(&v, w);
        n += 1;
        if h.abs() > 5.0 {
            break;
        }
    }
    h
}

#[grad]
fn call_in_if_in_loop(w: &[f64; 3], x: f64) -> f64 {
    let mut h = [x, 1.0, -x];
    let mut s = 0.0;
    for i in 0..3 {
        if h[i] > 0.0 {
            s += dot3(&h, w);
            h[i] = s;
        } else {
            h[i] *= 2.0;
        }
    }
    s + h[0] * h[2]
}

#[test]
fn array_updated_in_loop_after_call() {
    type Original = fn(&[f64; 3], f64) -> f64;
    type Companion = fn(&[f64; 3], &mut [f64; 3], f64, f64) -> (f64, f64);
    type Case<'a> = (Original, Companion, &'a [f64]);
    let cases: [Case; 4] = [
        (
            update_in_loop_after_call,
            update_in_loop_after_call_backward,
            &[0.6, -1.1],
        ),
        (
            update_between_calls_in_loop,
            update_between_calls_in_loop_backward,
            &[0.6, -0.4],
        ),
        // 0.6: ten iterations; 3.0: a `break` after the first.
        (
            call_in_while_with_break,
            call_in_while_with_break_backward,
            &[0.6, 3.0],
        ),
        (
            call_in_if_in_loop,
            call_in_if_in_loop_backward,
            &[0.6, -0.6],
        ),
    ];
    let w = [0.3, -0.7, 1.1];
    for (f, f_backward, xs) in cases {
        for &x in xs {
            let mut dw = [0.0; 3];
            let (v, dx) = f_backward(&w, &mut dw, x, 1.0);
            assert_eq!(v, f(&w, x));
            assert_fd(
                |p| f(&arr(&p[0..3]), p[3]),
                &cat(&[&w, &[x]]),
                &cat(&[&dw, &[dx]]),
            );
        }
    }
}

#[test]
fn array_updated_after_ref_call() {
    let w = [0.3, -0.7, 1.1];
    let mut dw = [0.0; 3];
    let (v, dx) = update_after_ref_call_backward(&w, &mut dw, 0.6, 1.0);
    assert_eq!(v, update_after_ref_call(&w, 0.6));
    // Was: dw = [-7.26, -1.7424, 0.95832], finite differences [-3.7752, -1.7424, 0.4356].
    assert_fd(
        |p| update_after_ref_call(&arr(&p[0..3]), p[3]),
        &cat(&[&w, &[0.6]]),
        &cat(&[&dw, &[dx]]),
    );
}

#[test]
fn array_updated_after_value_call() {
    let w = [0.3, -0.7, 1.1];
    let (v, g, dk) = update_after_value_call_backward(w, 0.6, 1.0);
    assert_eq!(v, update_after_value_call(w, 0.6));
    // Was: dk = -10.032, finite differences -1.938.
    assert_fd(
        |p| update_after_value_call(arr(&p[0..3]), p[3]),
        &cat(&[&w, &[0.6]]),
        &cat(&[&g, &[dk]]),
    );
}

// ---------------------------------------------------------------- macro bugs

/// The natural ways to write some tests above, which once produced companions
/// that did not compile.
mod natural_forms {
    use super::*;

    /// The same `&` argument twice in one call: the companion passes the
    /// same shadow twice (`dot3_backward(&v, &mut d_v, &v, &mut d_v, …)`,
    /// error E0499).
    #[grad]
    fn self_dot(v: &[f64; 3]) -> f64 {
        dot3(v, v)
    }

    #[test]
    fn same_ref_twice_in_one_call() {
        let v = [0.3, -0.9, 1.4];
        let mut dv = [0.0; 3];
        let out = self_dot_backward(&v, &mut dv, 1.0);
        assert_eq!(out, self_dot(&v));
        assert_all_near(&dv, &[0.6, -1.8, 2.8], 1e-12, "dv");
    }

    /// A `&` struct passed on to a callee inside a loop: the companion copies
    /// the `&mut Mlp` shadow into a loop-carried `Mlp` (error E0308).
    #[grad(wrt(p))]
    fn mlp_batch_loop(p: &Mlp, xs: &[[f64; D]; N], ys: &[usize; N]) -> f64 {
        let mut s = 0.0;
        for n in 0..N {
            s += mlp_loss(p, autodiff::no_grad(&xs[n]), ys[n]);
        }
        s / N as f64
    }

    #[test]
    fn struct_ref_passed_in_loop() {
        let (xs, ys) = batch();
        let p = Mlp::sample();
        let (mut a, mut b) = (<Mlp as Tangent>::zero(), <Mlp as Tangent>::zero());
        mlp_batch_loop_backward(&p, &mut a, &xs, &ys, 1.0);
        mlp_batch_backward(&p, &mut b, &xs, &ys, 1.0);
        assert_all_near(&a.to_vec(), &b.to_vec(), 1e-12, "loop vs unrolled");
    }

    /// An integer call bound by an unannotated `let` and used as an index is
    /// rejected ("an index must be an integer"); `x[argmax(x)]` and
    /// `let k: usize = argmax(x)` work.
    #[grad]
    fn pick_max_let(x: &[f64; 4]) -> f64 {
        let k = argmax(x);
        x[k]
    }

    #[test]
    fn integer_call_in_unannotated_let() {
        let x = [0.3, 1.7, -0.2, 0.9];
        let mut dx = [0.0; 4];
        assert_eq!(pick_max_let_backward(&x, &mut dx, 1.0), 1.7);
        assert_eq!(dx, [0.0, 1.0, 0.0, 0.0]);
    }

    /// Stopping the gradient of one by-value argument of a callee that
    /// differentiates both: `no_grad` on a value bound before the call (at the
    /// call, `no_grad(arg)` says the callee excludes that parameter with `wrt`).
    #[grad]
    fn stop_one_of_two(x: f64, y: f64) -> f64 {
        let (x0, y0) = (autodiff::no_grad(x), autodiff::no_grad(y));
        poly(x0, y) + poly(x, y0)
    }

    #[test]
    fn no_grad_on_one_by_value_argument() {
        let (x, y) = (1.5, 0.7);
        let (_, dx, dy) = stop_one_of_two_backward(x, y, 1.0);
        assert_near(dx, 2.0 * x * y, 1e-12, "dx");
        assert_near(dy, x * x + 2.0 * y.sin() * y.cos(), 1e-12, "dy");
    }

    /// An array result of a call as an `if` branch value, under the `let`'s
    /// annotation: "the branches of this `if` give values of different types".
    #[grad]
    fn if_arr_direct(x: [f64; 2], k: f64) -> f64 {
        let h: [f64; 2] = if k > 0.0 { scale2(x, k) } else { x };
        h[0] * h[1]
    }

    /// An array local reassigned from a call in a loop: "a value carried by
    /// this loop changes type in its body".
    #[grad]
    fn loop_arr_direct(x: [f64; 2], k: f64) -> f64 {
        let mut h = x;
        for _ in 0..3 {
            h = scale2(h, k);
        }
        h[0] + h[1] * h[0]
    }

    /// `*x` of a `&` parameter passed to a by-value parameter is passed as
    /// `&x` with a shadow (E0308, E0061).
    #[grad]
    fn deref_arg_direct(x: &[f64; 2], k: f64) -> f64 {
        let h: [f64; 2] = scale2(*x, k);
        h[0] - h[1]
    }

    #[test]
    fn array_results_in_control_flow_direct() {
        let (a, b, k) = (0.5, -0.8, 1.3);
        assert_eq!(
            if_arr_direct_backward([a, b], k, 1.0),
            if_arr_backward([a, b], k, 1.0)
        );
        assert_eq!(
            loop_arr_direct_backward([a, b], k, 1.0),
            loop_arr_backward([a, b], k, 1.0)
        );
        let (mut d1, mut d2) = ([0.0; 2], [0.0; 2]);
        assert_eq!(
            deref_arg_direct_backward(&[a, b], &mut d1, k, 1.0),
            deref_arg_backward(&[a, b], &mut d2, k, 1.0)
        );
        assert_eq!(d1, d2);
    }
}

/// A `&[f64; N]` parameter passed on as it is to a callee taking `&[f64]`: the
/// companion reborrows it (`&*x`, and its shadow `&mut *d_x`), which coerces
/// to a slice (E0308 before: `&&[f64; 2]`). Found by progen's batch run.
#[grad]
pub fn slice_product(a: &[f64]) -> f64 {
    a[0] * a[1]
}

#[grad]
pub fn fixed_to_slice(b: &[f64; 2]) -> f64 {
    slice_product(b)
}

#[grad]
pub fn fixed_and_slice(b: &[f64; 2], c: &[f64]) -> f64 {
    slice_product(b) * slice_product(c) + fixed_to_slice(b)
}

#[test]
fn a_fixed_size_array_passed_to_a_slice_parameter() {
    let mut d = [0.0; 2];
    let v = fixed_to_slice_backward(&[2.0, 3.0], &mut d, 1.0);
    assert_eq!((v, d), (6.0, [3.0, 2.0]));
    let (b, c) = ([2.0, 3.0], [1.0, 4.0]);
    let (mut db, mut dc) = ([0.0; 2], [0.0; 2]);
    let v = fixed_and_slice_backward(&b, &mut db, &c, &mut dc, 1.0);
    assert_eq!(v, fixed_and_slice(&b, &c));
    let f = |p: &[f64]| fixed_and_slice(&[p[0], p[1]], &p[2..]);
    assert_fd(f, &[2.0, 3.0, 1.0, 4.0], &[db[0], db[1], dc[0], dc[1]]);
}

/// A user's own `sigmoid`, named like autodiff's primitive and steeper than
/// it, called bare below its definition: the user's function and its
/// companion, not the primitive (corpus rounds 2, 5–8 wrote their own).
#[grad]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-2.0 * x).exp())
}

/// A user's own `ln_gamma` (Stirling's series, good enough for x > 5).
#[grad]
pub fn ln_gamma(x: f64) -> f64 {
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x)
}

#[grad]
pub fn gated(x: f64, a: f64) -> f64 {
    sigmoid(a * x) * x + ln_gamma(x + 6.0) - ln_gamma(a + 6.0)
}

#[test]
fn own_functions_named_like_primitives_called_bare() {
    for (x, a) in [(0.4, 1.5), (-0.8, 0.3)] {
        let (v, dx, da) = gated_backward(x, a, 1.0);
        assert_eq!(v, gated(x, a));
        // The user's steeper sigmoid, not autodiff's.
        assert_ne!(sigmoid(a * x), autodiff::sigmoid(a * x));
        common::assert_fd(|p| gated(p[0], p[1]), &[x, a], &[dx, da]);
    }
}

/// `use autodiff::sigmoid;` over a glob import of the user's own `sigmoid`
/// (and its `sigmoid_backward`): the bare name is autodiff's here, its
/// companion would be the user's; the companion stops rather than return the
/// gradient of another function.
mod glob_over_own {
    use super::*;
    use autodiff::sigmoid;

    #[grad]
    pub fn squashed(x: f64) -> f64 {
        sigmoid(x) * x
    }
}

#[test]
#[should_panic(expected = "`sigmoid` here is autodiff's primitive")]
fn a_primitive_imported_over_an_own_function_stops_the_companion() {
    assert_eq!(glob_over_own::squashed(0.3), autodiff::sigmoid(0.3) * 0.3);
    let _ = glob_over_own::squashed_backward(0.3, 1.0);
}
