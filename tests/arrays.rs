//! Arrays in `#[grad]` functions: by-value arrays (1-D, nested, const-generic
//! length), `&[f64; N]`, `&[[f64; M]; N]` and `&[f64]` parameters with their
//! `&mut` shadows (gradients are *added*), array results (vector-Jacobian
//! products), local arrays, element (compound) assignment, computed indices,
//! `.len()`, inactive integer and `bool` arrays, copies, `f32` and generic
//! `T: Real` arrays.
//!
//! Every gradient is checked against central finite differences of the
//! original function (`common::f64_tol`: relative 1e-6, absolute 1e-8; f32
//! against an f64 twin with `common::f32_tol`) at 32 random points per
//! property, with a random cotangent; the lecture value of ‖Wx‖² (DESIGN.md)
//! to 1e-12.
#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::{grad, Real};
use common::*;
use proptest::prelude::*;

// ---------------------------------------------------------------- by-value arrays

/// The sigmoid neuron of DESIGN.md.
#[grad]
pub fn neuron(w: [f64; 3], x: [f64; 2]) -> f64 {
    let dot = w[0] * x[0] + w[1] * x[1] + w[2];
    1.0 / (1.0 + (-dot).exp())
}

#[test]
fn neuron_literature_value() {
    let (v, dw, dx) = neuron_backward([2.0, -3.0, -3.0], [-1.0, -2.0], 1.0);
    assert_near(v, 0.7311, 1e-4, "value");
    assert_all_near(&dw, &[-0.1966, -0.3932, 0.1966], 1e-4, "dw");
    assert_all_near(&dx, &[0.3932, -0.5898], 1e-4, "dx");
}

/// A nested by-value array and a scalar: the gradient has the array's shape.
#[grad]
fn nested(m: [[f64; 3]; 2], s: f64) -> f64 {
    let mut acc = 0.0;
    for i in 0..2 {
        for j in 0..3 {
            acc += (m[i][j] * s).sin() * (1 + i + j) as f64;
        }
    }
    acc + m[1][2] * m[0][0] - m[0][1] / (1.0 + m[1][0] * m[1][0])
}

/// Const-generic length: `N` in the loop bound and in a local array.
#[grad]
fn weighted_norm<const N: usize>(x: [f64; N]) -> f64 {
    let mut sq = [0.0; N];
    for i in 0..N {
        sq[i] = (i as f64 + 1.0) * x[i] * x[i];
    }
    let mut s = 1.0;
    for i in 0..x.len() {
        s += sq[i];
    }
    s.sqrt()
}

/// Const-generic `&[f64; N]` and an array result of length `N`.
#[grad]
fn scaled<const N: usize>(x: &[f64; N], a: f64) -> [f64; N] {
    let mut y = [0.0; N];
    for i in 0..N {
        y[i] = a * x[i] + x[(i + 1) % N] * x[i];
    }
    y
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn by_value_1d_arrays(w in floats::<3>(-2.0, 2.0), x in floats::<2>(-2.0, 2.0), d in cotangent()) {
        let (v, dw, dx) = neuron_backward(w, x, d);
        prop_assert_eq!(v.to_bits(), neuron(w, x).to_bits());
        prop_fd(
            |p| d * neuron(arr(&p[..3]), arr(&p[3..])),
            &cat(&[&w, &x]),
            &cat(&[&dw, &dx]),
        )?;
    }

    #[test]
    fn by_value_nested_array(m in floats2::<3, 2>(-2.0, 2.0), s in -2.0f64..2.0, d in cotangent()) {
        let (v, dm, ds) = nested_backward(m, s, d);
        prop_assert_eq!(v.to_bits(), nested(m, s).to_bits());
        prop_fd(
            |p| d * nested(arr2(&p[..6]), p[6]),
            &cat(&[&flat2(&m), &[s]]),
            &cat(&[&flat2(&dm), &[ds]]),
        )?;
    }

    #[test]
    fn const_generic_length(x in floats::<6>(-2.0, 2.0), d in cotangent()) {
        let (v, dx) = weighted_norm_backward(x, d);
        prop_assert_eq!(v.to_bits(), weighted_norm(x).to_bits());
        prop_fd(|p| d * weighted_norm::<6>(arr(p)), &x, &dx)?;
        // other instantiations of the same companion
        let x3: [f64; 3] = arr(&x);
        let (_, dx3) = weighted_norm_backward(x3, d);
        prop_fd(|p| d * weighted_norm::<3>(arr(p)), &x3, &dx3)?;
        let (v1, dx1) = weighted_norm_backward([x[0]], d);
        prop_assert_eq!(v1, (1.0 + x[0] * x[0]).sqrt());
        prop_fd(|p| d * weighted_norm::<1>(arr(p)), &x[..1], &dx1)?;
    }

    #[test]
    fn const_generic_ref_and_array_result(
        x in floats::<4>(-2.0, 2.0),
        a in -2.0f64..2.0,
        dy in cotangents::<4>(),
    ) {
        let mut sx = [0.0; 4];
        let (y, da) = scaled_backward(&x, &mut sx, a, dy);
        prop_assert_eq!(y, scaled(&x, a));
        prop_fd(
            |p| dot(&dy, &scaled::<4>(&arr(p), p[4])),
            &cat(&[&x, &[a]]),
            &cat(&[&sx, &[da]]),
        )?;
    }
}

// ---------------------------------------------------------------- & arrays and slices

/// `&[f64; 4]` and a by-value scalar: `(x, d_x, c, d_out) -> (value, dc)`.
#[grad]
fn ref_poly(x: &[f64; 4], c: f64) -> f64 {
    let mut s = c * x[0];
    for i in 1..4 {
        s = s * x[i] + c.cos() * x[i - 1];
    }
    s
}

/// ‖Wx‖² over `&[[f64; 2]; 2]` and `&[f64; 2]` (DESIGN.md's lecture example).
#[grad]
fn wx_norm(w: &[[f64; 2]; 2], x: &[f64; 2]) -> f64 {
    let mut q = [0.0; 2];
    for i in 0..2 {
        for j in 0..2 {
            q[i] += w[i][j] * x[j];
        }
    }
    q[0] * q[0] + q[1] * q[1]
}

/// The same by value, written without loops.
#[grad]
fn wx_norm_by_value(w: [[f64; 2]; 2], x: [f64; 2]) -> f64 {
    let q = [
        w[0][0] * x[0] + w[0][1] * x[1],
        w[1][0] * x[0] + w[1][1] * x[1],
    ];
    q[0] * q[0] + q[1] * q[1]
}

/// A non-square `&[[f64; 3]; 2]`.
#[grad]
fn bilinear(a: &[[f64; 3]; 2], u: &[f64; 2], v: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        for j in 0..3 {
            s += u[i] * a[i][j] * v[j];
        }
    }
    s.tanh()
}

/// Two slices of the same run-time length.
#[grad]
fn slices(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let mut s = x[0] * x[n - 1];
    for i in 0..n {
        s += x[i] * y[i].sin() + 0.5 * y[i] * y[i];
    }
    s
}

/// A slice of arrays.
#[grad]
fn pairs(p: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for i in 0..p.len() {
        s += p[i][0] * p[i][1].exp() - p[i][1] * p[i][1];
    }
    s
}

#[test]
fn wx_lecture_values() {
    let w = [[0.1, 0.5], [-0.3, 0.8]];
    let x = [0.2, 0.4];
    let (mut dw, mut dx) = ([[0.0; 2]; 2], [0.0; 2]);
    let v = wx_norm_backward(&w, &mut dw, &x, &mut dx, 1.0);
    assert_near(v, 0.116, 1e-12, "value");
    assert_all_near(&flat2(&dw), &[0.088, 0.176, 0.104, 0.208], 1e-12, "dW");
    assert_all_near(&dx, &[-0.112, 0.636], 1e-12, "dx");

    let (v, dw, dx) = wx_norm_by_value_backward(w, x, 1.0);
    assert_near(v, 0.116, 1e-12, "value (by value)");
    assert_all_near(
        &flat2(&dw),
        &[0.088, 0.176, 0.104, 0.208],
        1e-12,
        "dW (by value)",
    );
    assert_all_near(&dx, &[-0.112, 0.636], 1e-12, "dx (by value)");
}

#[test]
fn shadows_accumulate_across_calls() {
    let x = [0.3, -1.2, 0.7, 2.0];
    let c = 0.9;
    let mut once = [0.0; 4];
    let (_, dc1) = ref_poly_backward(&x, &mut once, c, 1.0);
    // a second call adds into the same shadow; a non-zero start is kept
    let mut acc = [10.0, 20.0, 30.0, 40.0];
    ref_poly_backward(&x, &mut acc, c, 1.0);
    let (_, dc2) = ref_poly_backward(&x, &mut acc, c, 2.0);
    assert_near(
        dc2,
        2.0 * dc1,
        1e-15,
        "by-value gradient is returned, not added",
    );
    let want: Vec<f64> = once
        .iter()
        .zip([10.0, 20.0, 30.0, 40.0])
        .map(|(g, s)| s + 3.0 * g)
        .collect();
    assert_all_near(&acc, &want, 1e-14, "d_x after two calls");

    // slices: two calls with different inputs add their gradients
    let (x1, y1) = ([0.5, -0.25, 1.5], [1.0, 2.0, -0.5]);
    let (x2, y2) = ([-1.0, 0.75, 0.1], [0.3, 0.2, 0.1]);
    let (mut dxa, mut dya) = ([0.0; 3], [0.0; 3]);
    slices_backward(&x1, &mut dxa, &y1, &mut dya, 1.0);
    let (mut dxb, mut dyb) = ([0.0; 3], [0.0; 3]);
    slices_backward(&x2, &mut dxb, &y2, &mut dyb, -0.5);
    let (mut dx, mut dy) = ([0.0; 3], [0.0; 3]);
    slices_backward(&x1, &mut dx, &y1, &mut dy, 1.0);
    slices_backward(&x2, &mut dx, &y2, &mut dy, -0.5);
    for i in 0..3 {
        assert_near(dx[i], dxa[i] + dxb[i], 1e-14, "d_x accumulated");
        assert_near(dy[i], dya[i] + dyb[i], 1e-14, "d_y accumulated");
    }

    // nested shadows
    let w = [[0.1, 0.5], [-0.3, 0.8]];
    let x = [0.2, 0.4];
    let (mut dw, mut dx) = ([[1.0; 2]; 2], [0.0; 2]);
    wx_norm_backward(&w, &mut dw, &x, &mut dx, 1.0);
    wx_norm_backward(&w, &mut dw, &x, &mut dx, 1.0);
    assert_all_near(
        &flat2(&dw),
        &[1.176, 1.352, 1.208, 1.416],
        1e-12,
        "dW after two calls from ones",
    );
    assert_all_near(&dx, &[-0.224, 1.272], 1e-12, "dx after two calls");
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn ref_array_with_scalar(x in floats::<4>(-2.0, 2.0), c in -2.0f64..2.0, d in cotangent()) {
        let mut dx = [0.0; 4];
        let (v, dc) = ref_poly_backward(&x, &mut dx, c, d);
        prop_assert_eq!(v.to_bits(), ref_poly(&x, c).to_bits());
        prop_fd(|p| d * ref_poly(&arr(p), p[4]), &cat(&[&x, &[c]]), &cat(&[&dx, &[dc]]))?;
    }

    #[test]
    fn ref_nested_arrays(w in floats2::<2, 2>(-2.0, 2.0), x in floats::<2>(-2.0, 2.0), d in cotangent()) {
        let (mut dw, mut dx) = ([[0.0; 2]; 2], [0.0; 2]);
        let v = wx_norm_backward(&w, &mut dw, &x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), wx_norm(&w, &x).to_bits());
        let g = cat(&[&flat2(&dw), &dx]);
        prop_fd(|p| d * wx_norm(&arr2(p), &arr(&p[4..])), &cat(&[&flat2(&w), &x]), &g)?;
        // by value: the same gradient
        let (_, dw2, dx2) = wx_norm_by_value_backward(w, x, d);
        prop_all_near(&cat(&[&flat2(&dw2), &dx2]), &g, 1e-12, "by value vs by reference")?;
    }

    #[test]
    fn ref_non_square_nested_array(
        a in floats2::<3, 2>(-1.0, 1.0),
        u in floats::<2>(-1.0, 1.0),
        v in floats::<3>(-1.0, 1.0),
        d in cotangent(),
    ) {
        let (mut da, mut du, mut dv) = ([[0.0; 3]; 2], [0.0; 2], [0.0; 3]);
        bilinear_backward(&a, &mut da, &u, &mut du, &v, &mut dv, d);
        prop_fd(
            |p| d * bilinear(&arr2(p), &arr(&p[6..]), &arr(&p[8..])),
            &cat(&[&flat2(&a), &u, &v]),
            &cat(&[&flat2(&da), &du, &dv]),
        )?;
    }

    #[test]
    fn slices_of_run_time_length(
        (x, y) in (1usize..7).prop_flat_map(|n| (float_vec(-2.0, 2.0, n..n + 1), float_vec(-2.0, 2.0, n..n + 1))),
        d in cotangent(),
    ) {
        let n = x.len();
        let (mut dx, mut dy) = (vec![0.0; n], vec![0.0; n]);
        let v = slices_backward(&x, &mut dx, &y, &mut dy, d);
        prop_assert_eq!(v.to_bits(), slices(&x, &y).to_bits());
        prop_fd(|p| d * slices(&p[..n], &p[n..]), &cat(&[&x, &y]), &cat(&[&dx, &dy]))?;
    }

    #[test]
    fn slice_of_arrays(p in proptest::collection::vec(floats::<2>(-1.5, 1.5), 0..5), d in cotangent()) {
        let mut dp = vec![[0.0; 2]; p.len()];
        let v = pairs_backward(&p, &mut dp, d);
        prop_assert_eq!(v.to_bits(), pairs(&p).to_bits());
        let flat: Vec<f64> = p.iter().flatten().copied().collect();
        let g: Vec<f64> = dp.iter().flatten().copied().collect();
        prop_fd(
            |q| d * pairs(&q.chunks(2).map(arr::<2>).collect::<Vec<_>>()),
            &flat,
            &g,
        )?;
    }
}

// ---------------------------------------------------------------- array results

/// A by-value matrix-vector product through `tanh`: `-> [f64; 2]`.
#[grad]
fn matvec(w: [[f64; 3]; 2], x: [f64; 3]) -> [f64; 2] {
    let mut y = [0.0; 2];
    for i in 0..2 {
        for j in 0..3 {
            y[i] += w[i][j] * x[j].tanh();
        }
    }
    y
}

/// The same with the matrix by reference: its gradient goes to the shadow.
#[grad]
fn matvec_ref(w: &[[f64; 3]; 2], x: [f64; 3]) -> [f64; 2] {
    let mut y = [0.0; 2];
    for i in 0..2 {
        for j in 0..3 {
            y[i] += w[i][j] * x[j].tanh();
        }
    }
    y
}

/// A stable softmax of `&[f64; 4]`: the result is an array, the gradient goes
/// into the shadow, and the companion returns the value alone.
#[grad]
fn softmax4(x: &[f64; 4]) -> [f64; 4] {
    let mut m = x[0];
    for i in 1..4 {
        m = m.max(x[i]);
    }
    let mut e = [0.0; 4];
    let mut z = 0.0;
    for i in 0..4 {
        e[i] = (x[i] - m).exp();
        z += e[i];
    }
    for i in 0..4 {
        e[i] /= z;
    }
    e
}

/// Scalars in, an array literal out.
#[grad]
fn polar(r: f64, t: f64) -> [f64; 2] {
    [r * t.cos(), r * t.sin()]
}

/// A parameter returned as it is, and one updated in place.
#[grad]
fn identity(x: [f64; 3]) -> [f64; 3] {
    x
}

#[grad]
fn update_param(mut x: [f64; 3], k: f64) -> [f64; 3] {
    x[0] *= k;
    x[2] = x[1] * x[2] + k;
    x
}

/// A tuple result with an array inside: `d_out` is `(f64, [f64; 3])`.
#[grad]
fn mean_and_centered(x: &[f64; 3]) -> (f64, [f64; 3]) {
    let mean = (x[0] + x[1] + x[2]) / 3.0;
    let mut c = [0.0; 3];
    for i in 0..3 {
        c[i] = (x[i] - mean) * x[i];
    }
    (mean, c)
}

/// An array result chosen by a branch.
#[grad]
fn branch_array(x: [f64; 2], flip: bool) -> [f64; 2] {
    let y = if flip {
        [x[1] * x[0], x[0]]
    } else {
        [x[0].exp(), x[1] * 3.0]
    };
    let mut z = y;
    if x[0] > 0.0 {
        z[1] += x[1] * x[1];
    }
    z
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn array_result_vjp(
        w in floats2::<3, 2>(-2.0, 2.0),
        x in floats::<3>(-2.0, 2.0),
        dy in cotangents::<2>(),
    ) {
        let (y, dw, dx) = matvec_backward(w, x, dy);
        prop_assert_eq!(y, matvec(w, x));
        prop_fd(
            |p| dot(&dy, &matvec(arr2(p), arr(&p[6..]))),
            &cat(&[&flat2(&w), &x]),
            &cat(&[&flat2(&dw), &dx]),
        )?;
        let mut sw = [[0.0; 3]; 2];
        let (y2, dx2) = matvec_ref_backward(&w, &mut sw, x, dy);
        prop_assert_eq!(y2, y);
        prop_all_near(&cat(&[&flat2(&sw), &dx2]), &cat(&[&flat2(&dw), &dx]), 1e-14, "by reference")?;
    }

    #[test]
    fn array_result_from_ref(x in floats::<4>(-3.0, 3.0), dy in cotangents::<4>()) {
        let mut dx = [0.0; 4];
        let y = softmax4_backward(&x, &mut dx, dy);
        prop_assert_eq!(y, softmax4(&x));
        prop_fd(|p| dot(&dy, &softmax4(&arr(p))), &x, &dx)?;
    }

    #[test]
    fn array_literal_result(r in 0.1f64..2.0, t in -3.0f64..3.0, dy in cotangents::<2>()) {
        let (y, dr, dt) = polar_backward(r, t, dy);
        prop_assert_eq!(y, polar(r, t));
        prop_fd(|p| dot(&dy, &polar(p[0], p[1])), &[r, t], &[dr, dt])?;
    }

    #[test]
    fn parameter_as_result(x in floats::<3>(-2.0, 2.0), k in -2.0f64..2.0, dy in cotangents::<3>()) {
        let (y, dx) = identity_backward(x, dy);
        prop_assert_eq!(y, x);
        prop_assert_eq!(dx, dy);
        let (y, dx, dk) = update_param_backward(x, k, dy);
        prop_assert_eq!(y, update_param(x, k));
        prop_fd(
            |p| dot(&dy, &update_param(arr(p), p[3])),
            &cat(&[&x, &[k]]),
            &cat(&[&dx, &[dk]]),
        )?;
    }

    #[test]
    fn tuple_result_with_array(x in floats::<3>(-2.0, 2.0), d0 in cotangent(), dc in cotangents::<3>()) {
        let mut dx = [0.0; 3];
        let (m, c) = mean_and_centered_backward(&x, &mut dx, (d0, dc));
        prop_assert_eq!((m, c), mean_and_centered(&x));
        prop_fd(
            |p| {
                let (m, c) = mean_and_centered(&arr(p));
                d0 * m + dot(&dc, &c)
            },
            &x,
            &dx,
        )?;
    }

    #[test]
    fn array_result_through_branches(
        x in floats::<2>(-2.0, 2.0).prop_filter("at the branch", |x| x[0].abs() >= 1e-3),
        flip in any::<bool>(),
        dy in cotangents::<2>(),
    ) {
        let (y, dx) = branch_array_backward(x, flip, dy);
        prop_assert_eq!(y, branch_array(x, flip));
        prop_fd(|p| dot(&dy, &branch_array(arr(p), flip)), &x, &dx)?;
    }
}

// ---------------------------------------------------------------- local arrays, assignment, indices

/// `[0.0; N]`, `[[0.0; M]; N]`, `[a, b, c]`, `[x; N]` of a non-zero float,
/// element assignment and every compound assignment on elements.
#[grad]
fn locals(x: f64, y: f64) -> f64 {
    let v = [x, y, x * y];
    let mut z = [1.5; 3];
    let mut k = [x; 3];
    let mut m = [[0.0; 3]; 2];
    for i in 0..3 {
        z[i] *= v[i];
        k[i] -= 0.5 * v[i];
        m[0][i] = v[i] * v[i];
        m[1][i] += z[i] / (1.0 + k[i] * k[i]);
    }
    z[1] /= 1.0 + x * x;
    m[1][2] -= m[0][0];
    z[0] + z[1] * z[2] + m[1][0] * m[0][2] + m[1][1] - m[1][2] + k[2]
}

/// `y[i] += w[i][j] * x[j]` with flat indices `w[i * 3 + j]`, reversed
/// indices `x[n - 1 - j]`, wrap-around `x[(j + 1) % n]`, and `.len()` of a
/// `&[f64; N]`, of a row `w2[0]` and of a local array.
#[grad]
fn indices(w: &[f64; 6], w2: &[[f64; 3]; 2], x: &[f64; 3]) -> f64 {
    let mut y = [0.0; 2];
    let n = x.len();
    for i in 0..y.len() {
        for j in 0..w2[0].len() {
            y[i] += w[i * 3 + j] * x[j];
            y[i] -= w2[i][n - 1 - j] * x[(j + 1) % n];
        }
    }
    y[0] * y[1] + y[1].sin()
}

/// `.len()` of a by-value array and of a slice, used as a float and as bounds.
#[grad]
fn lens(x: [f64; 4], s: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in 0..s.len() {
        acc += s[i] * x[i % x.len()];
    }
    acc / (s.len() as f64) + x[x.len() - 1] * (x.len() as f64)
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn local_arrays_and_element_assignment(x in -2.0f64..2.0, y in -2.0f64..2.0, d in cotangent()) {
        let (v, dx, dy) = locals_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), locals(x, y).to_bits());
        prop_fd(|p| d * locals(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn computed_indices_and_len(
        w in floats::<6>(-1.0, 1.0),
        w2 in floats2::<3, 2>(-1.0, 1.0),
        x in floats::<3>(-1.0, 1.0),
        d in cotangent(),
    ) {
        let (mut dw, mut dw2, mut dx) = ([0.0; 6], [[0.0; 3]; 2], [0.0; 3]);
        let v = indices_backward(&w, &mut dw, &w2, &mut dw2, &x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), indices(&w, &w2, &x).to_bits());
        prop_fd(
            |p| d * indices(&arr(p), &arr2(&p[6..]), &arr(&p[12..])),
            &cat(&[&w, &flat2(&w2), &x]),
            &cat(&[&dw, &flat2(&dw2), &dx]),
        )?;
    }

    #[test]
    fn len_of_arrays_and_slices(x in floats::<4>(-2.0, 2.0), s in float_vec(-2.0, 2.0, 1..9), d in cotangent()) {
        let mut ds = vec![0.0; s.len()];
        let (v, dx) = lens_backward(x, &s, &mut ds, d);
        prop_assert_eq!(v.to_bits(), lens(x, &s).to_bits());
        prop_fd(|p| d * lens(arr(p), &p[4..]), &cat(&[&x, &s]), &cat(&[&dx, &ds]))?;
    }
}

// ---------------------------------------------------------------- inactive arrays, copies

/// Integer arrays (by reference and by value), a `bool` array and an `&[i32]`
/// slice: inactive, passed through, used as indices, flags and weights.
#[grad]
fn gather(
    x: &[f64; 4],
    labels: &[usize; 3],
    pick: [usize; 2],
    flags: [bool; 2],
    weights: &[i32],
) -> f64 {
    let mut s = 0.0;
    for k in 0..labels.len() {
        s += x[labels[k]] * x[labels[k]] * weights[k] as f64;
    }
    if flags[0] {
        s += x[pick[0]].sin();
    }
    if flags[1] {
        s *= x[pick[1]];
    }
    s
}

/// `let mut b = a;` is a copy: writing `b` leaves `a` (and its gradient) alone.
#[grad]
fn copies(a: [f64; 3], r: &[f64; 3]) -> f64 {
    let mut b = a;
    b[0] = 10.0;
    b[1] *= a[1];
    let mut c = *r;
    c[2] *= a[0];
    let c2 = c;
    c[0] = 0.0;
    a[0] * b[1] + b[0] * a[2] + b[2] + c[0] + c[1] * c2[0] + c2[2]
}

/// A row of a nested array as a value: `let mut row = w[1]; row[0] = …`.
#[grad]
fn rows(w: [[f64; 2]; 2]) -> f64 {
    let mut row = w[1];
    row[0] *= w[0][0];
    let mut m = w;
    m[0] = row;
    m[0][0] + m[0][1] * m[1][0] + w[1][0]
}

#[test]
fn inactive_arrays_route_gradients_only_to_floats() {
    let x = [1.0, 2.0, 3.0, 4.0];
    let mut dx = [0.0; 4];
    let v = gather_backward(
        &x,
        &mut dx,
        &[0, 2, 2],
        [1, 3],
        [true, false],
        &[1, 1, 1],
        1.0,
    );
    // s = x0² + 2 x2² + sin x1
    assert_near(v, 1.0 + 18.0 + 2f64.sin(), 1e-12, "value");
    assert_all_near(&dx, &[2.0, 2f64.cos(), 12.0, 0.0], 1e-12, "dx");
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn inactive_integer_and_bool_arrays(
        x in floats::<4>(-2.0, 2.0),
        labels in proptest::array::uniform3(0usize..4),
        pick in proptest::array::uniform2(0usize..4),
        flags in proptest::array::uniform2(any::<bool>()),
        weights in proptest::collection::vec(-3i32..=3, 3),
        d in cotangent(),
    ) {
        let mut dx = [0.0; 4];
        let v = gather_backward(&x, &mut dx, &labels, pick, flags, &weights, d);
        prop_assert_eq!(v.to_bits(), gather(&x, &labels, pick, flags, &weights).to_bits());
        prop_fd(|p| d * gather(&arr(p), &labels, pick, flags, &weights), &x, &dx)?;
    }

    #[test]
    fn let_copies_are_independent(a in floats::<3>(-2.0, 2.0), r in floats::<3>(-2.0, 2.0), d in cotangent()) {
        let mut dr = [0.0; 3];
        let (v, da) = copies_backward(a, &r, &mut dr, d);
        prop_assert_eq!(v.to_bits(), copies(a, &r).to_bits());
        // by hand: a0 a1² + 10 a2 + a2 + r1 r0 + r2 a0
        let want_a = [a[1] * a[1] + r[2], 2.0 * a[0] * a[1], 11.0];
        let want_r = [r[1], r[0], a[0]];
        prop_all_near(&da, &want_a.map(|g| d * g), 1e-12, "da")?;
        prop_all_near(&dr, &want_r.map(|g| d * g), 1e-12, "dr")?;
        prop_fd(|p| d * copies(arr(p), &arr(&p[3..])), &cat(&[&a, &r]), &cat(&[&da, &dr]))?;
    }

    #[test]
    fn rows_are_copied(w in floats2::<2, 2>(-2.0, 2.0), d in cotangent()) {
        let (v, dw) = rows_backward(w, d);
        prop_assert_eq!(v.to_bits(), rows(w).to_bits());
        prop_fd(|p| d * rows(arr2(p)), &flat2(&w), &flat2(&dw))?;
    }
}

// ---------------------------------------------------------------- more shapes

/// Array names shadowed, in a block too.
#[grad]
fn shadowed(x: [f64; 2]) -> f64 {
    let x = [x[1] * 2.0, x[0]];
    let y = {
        let x = [x[0] * x[1], 1.0];
        x[0] + x[1]
    };
    x[0] * y
}

/// An element overwritten several times, read between the writes.
#[allow(clippy::assign_op_pattern)]
#[grad]
fn overwrites(x: f64, y: f64) -> f64 {
    let mut a = [x, y];
    a[0] = a[0] * a[0];
    a[0] = a[0] * a[1];
    let b = a[0];
    a[0] = 1.0;
    a[1] = b + a[0];
    a[1] * b
}

/// A nested array result: `d_out` is `[[f64; 2]; 2]`.
#[grad]
fn outer(x: [f64; 2]) -> [[f64; 2]; 2] {
    let mut m = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            m[i][j] = x[i] * x[j].sin();
        }
    }
    m
}

/// A zero-length array next to a scalar.
#[grad]
fn empty(x: [f64; 0], y: f64) -> f64 {
    let mut s = y * y;
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

/// A by-value array next to a `&f64` (scalar shadow).
#[grad]
fn mixed_ref(x: [f64; 2], s: &f64) -> f64 {
    x[0] * *s + x[1] * s.sin()
}

/// Indices computed with `i32` arithmetic and casts.
#[grad]
fn rotate(x: &[f64], k: i32) -> f64 {
    let mut s = 0.0;
    let n = x.len();
    for i in 0..n - 1 {
        let j = (i as i32 + k) as usize % n;
        s += x[j] * x[i + 1];
    }
    s * (n as f64)
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn shadowed_arrays(x in floats::<2>(-2.0, 2.0), d in cotangent()) {
        let (v, dx) = shadowed_backward(x, d);
        prop_assert_eq!(v.to_bits(), shadowed(x).to_bits());
        // 4 x0 x1² + 2 x1
        prop_all_near(&dx, &[d * 4.0 * x[1] * x[1], d * (8.0 * x[0] * x[1] + 2.0)], 1e-12, "dx")?;
    }

    #[test]
    fn overwritten_elements(x in -2.0f64..2.0, y in -2.0f64..2.0, d in cotangent()) {
        let (v, dx, dy) = overwrites_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), overwrites(x, y).to_bits());
        prop_fd(|p| d * overwrites(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn nested_array_result(x in floats::<2>(-2.0, 2.0), dm in floats2::<2, 2>(-2.0, 2.0)) {
        let (m, dx) = outer_backward(x, dm);
        prop_assert_eq!(m, outer(x));
        prop_fd(|p| dot(&flat2(&dm), &flat2(&outer(arr(p)))), &x, &dx)?;
    }

    #[test]
    fn zero_length_array(y in -2.0f64..2.0, d in cotangent()) {
        let (v, dx, dy) = empty_backward([], y, d);
        prop_assert_eq!(v, y * y);
        prop_assert_eq!(dx, [0.0f64; 0]);
        prop_assert!((dy - 2.0 * y * d).abs() <= 1e-15);
    }

    #[test]
    fn array_with_a_scalar_shadow(x in floats::<2>(-2.0, 2.0), s in -2.0f64..2.0, d in cotangent()) {
        let mut ds = 0.5;
        let (v, dx) = mixed_ref_backward(x, &s, &mut ds, d);
        prop_assert_eq!(v.to_bits(), mixed_ref(x, &s).to_bits());
        prop_fd(|p| d * mixed_ref(arr(p), &p[2]), &cat(&[&x, &[s]]), &cat(&[&dx, &[ds - 0.5]]))?;
    }

    #[test]
    fn integer_index_arithmetic(x in float_vec(-2.0, 2.0, 1..8), k in 0i32..=3, d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let v = rotate_backward(&x, &mut dx, k, d);
        prop_assert_eq!(v.to_bits(), rotate(&x, k).to_bits());
        prop_fd(|p| d * rotate(p, k), &x, &dx)?;
    }
}

// ---------------------------------------------------------------- wrt with arrays

/// `wrt(w)`: `x` is inactive, no shadow for it.
#[grad(wrt(w))]
fn wrt_w(w: &[f64; 3], x: &[f64; 3], b: f64) -> f64 {
    let mut s = b;
    for i in 0..3 {
        s += w[i] * x[i];
    }
    autodiff::sigmoid(s)
}

/// `wrt(x, b)` over a by-value array and a scalar: `w` is inactive.
#[grad(wrt(x, b))]
fn wrt_x(w: [f64; 3], x: [f64; 3], b: f64) -> f64 {
    let mut s = b;
    for i in 0..3 {
        s += w[i] * x[i];
    }
    autodiff::softplus(s)
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn wrt_restricts_array_parameters(
        w in floats::<3>(-2.0, 2.0),
        x in floats::<3>(-2.0, 2.0),
        b in -1.0f64..1.0,
        d in cotangent(),
    ) {
        let mut dw = [0.0; 3];
        let v: f64 = wrt_w_backward(&w, &mut dw, &x, b, d);
        prop_assert_eq!(v.to_bits(), wrt_w(&w, &x, b).to_bits());
        prop_fd(|p| d * wrt_w(&arr(p), &x, b), &w, &dw)?;

        let (v, dx, db): (f64, [f64; 3], f64) = wrt_x_backward(w, x, b, d);
        prop_assert_eq!(v.to_bits(), wrt_x(w, x, b).to_bits());
        prop_fd(|p| d * wrt_x(w, arr(p), p[3]), &cat(&[&x, &[b]]), &cat(&[&dx, &[db]]))?;
    }
}

// ---------------------------------------------------------------- f32 and generic arrays

/// The same body as an `f32` `#[grad]` fn and a plain `f64` fn.
macro_rules! twin {
    ($f32:ident ($($p32:tt)*), $f64:ident ($($p64:tt)*), $body:block) => {
        #[grad]
        fn $f32($($p32)*) -> f32 $body

        fn $f64($($p64)*) -> f64 $body
    };
}

twin!(
    f32_arrays(x: [f32; 3], y: &[f32]),
    f64_arrays(x: [f64; 3], y: &[f64]),
    {
        let mut h = [0.0; 2];
        for i in 0..2 {
            for j in 0..3 {
                h[i] += x[j] * y[i * 3 + j];
            }
        }
        h[0].tanh() * h[1] + x[0] * x[2]
    }
);

/// Generic over `T: Real`, with by-value, `&[T; N]` and `&[T]` arrays and an
/// array result.
#[grad]
fn generic_arrays<T: Real>(x: [T; 3], w: &[T; 3], b: &[T]) -> [T; 2] {
    let mut s = T::from_f64(0.5);
    for i in 0..3 {
        s += w[i] * x[i].sin();
    }
    let mut t = T::ZERO;
    for v in b.iter() {
        t += *v * s;
    }
    [s * s, t]
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn f32_arrays_and_slices(
        x in proptest::array::uniform3(-2.0f32..2.0),
        y in proptest::array::uniform6(-1.0f32..1.0),
        d in cotangent(),
    ) {
        let d32 = d as f32;
        let mut dy = [0.0f32; 6];
        let (v, dx) = f32_arrays_backward(x, &y, &mut dy, d32);
        prop_assert_eq!(v.to_bits(), f32_arrays(x, &y).to_bits());
        let p: Vec<f64> = x.iter().chain(&y).map(|&v| f64::from(v)).collect();
        let g: Vec<f64> = dx.iter().chain(&dy).map(|&v| f64::from(v)).collect();
        prop_fd_with(
            |q| f64::from(d32) * f64_arrays(arr(q), &q[3..]),
            &p,
            &g,
            f32_tol(),
        )?;
    }

    #[test]
    fn generic_arrays_with_f64(
        x in floats::<3>(-2.0, 2.0),
        w in floats::<3>(-2.0, 2.0),
        b in float_vec(-2.0, 2.0, 0..5),
        dy in cotangents::<2>(),
    ) {
        let n = b.len();
        let (mut dw, mut db) = ([0.0; 3], vec![0.0; n]);
        let (y, dx) = generic_arrays_backward(x, &w, &mut dw, &b, &mut db, dy);
        prop_assert_eq!(y, generic_arrays(x, &w, &b));
        prop_fd(
            |p| dot(&dy, &generic_arrays(arr(p), &arr(&p[3..]), &p[6..])),
            &cat(&[&x, &w, &b]),
            &cat(&[&dx, &dw, &db]),
        )?;
    }

    #[test]
    fn generic_arrays_with_f32(
        x in proptest::array::uniform3(-2.0f32..2.0),
        w in proptest::array::uniform3(-2.0f32..2.0),
        b in proptest::collection::vec(-2.0f32..2.0, 0..5),
        dy in cotangents::<2>(),
    ) {
        let dy32 = dy.map(|v| v as f32);
        let n = b.len();
        let (mut dw, mut db) = ([0.0f32; 3], vec![0.0f32; n]);
        let (y, dx) = generic_arrays_backward(x, &w, &mut dw, &b, &mut db, dy32);
        prop_assert_eq!(y, generic_arrays(x, &w, &b));
        let up = |v: &[f32]| v.iter().map(|&t| f64::from(t)).collect::<Vec<f64>>();
        let dy64 = dy32.map(f64::from);
        prop_fd_with(
            |p| dot(&dy64, &generic_arrays::<f64>(arr(p), &arr(&p[3..]), &p[6..])),
            &cat(&[&up(&x), &up(&w), &up(&b)]),
            &cat(&[&up(&dx), &up(&dw), &up(&db)]),
            f32_tol(),
        )?;
    }
}

// ---------------------------------------------------------------- known bugs

#[test]
fn deref_of_a_ref_array_as_result() {
    trybuild::TestCases::new().pass("tests/ui/pass/deref_array_result.rs");
}

/// A module-level `const` array read by index: data of a shape the macro does
/// not see, indexed like any array.
mod global_const_array {
    use autodiff::grad;

    const C: [f64; 3] = [0.5, -1.0, 2.0];

    #[grad]
    fn weighted(x: &[f64; 3]) -> f64 {
        let mut s = 0.0;
        for i in 0..3 {
            s += C[i] * x[i] * x[i];
        }
        s
    }

    #[test]
    fn gradient_is_exact() {
        let x = [1.0, 2.0, -3.0];
        let mut dx = [0.0; 3];
        let v = weighted_backward(&x, &mut dx, 1.0);
        assert_eq!(v, weighted(&x));
        assert_eq!(dx, [1.0, -4.0, -12.0]); // 2 C[i] x[i]
    }
}
