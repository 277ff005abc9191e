//! Loops in `#[grad]` functions: `for` over ranges (constant and run-time
//! bounds, `..` and `..=`, empty), over arrays and slices (`x`, `&x`,
//! `x.iter()`, `.enumerate()`, `.zip()`), `while` (integer counter, float
//! condition), `break` and `continue`, nested loops, `if` inside loops and
//! loops inside `if`, loop-carried products, running `max`/`min`, Newton
//! iterations, the reductions `sum`, `product` and `fold`, and loops whose
//! reverse sweep records per-iteration values (constant and run-time trip
//! counts).
//!
//! Gradients are checked against central finite differences of the original
//! function (`common::f64_tol`: relative 1e-6, absolute 1e-8; for long
//! recurrences the same tolerances against Richardson-extrapolated differences
//! when plain ones are too coarse, `common::prop_fd_deep`) at 32 random
//! points per property with a random cotangent, the points kept at least 1e-3
//! away from every branch boundary; at non-differentiable points (ties, zero
//! factors) against the values the contract fixes; Newton iterations against
//! the analytic derivative.
#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::grad;
use common::*;
use proptest::prelude::*;

/// `n` floats in `lo..hi` (a run-time length in `len`).
fn slice_of(lo: f64, hi: f64, len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    float_vec(lo, hi, len)
}

/// `|v|` at least `gap` for every entry.
fn clear_of_zero(x: &[f64], gap: f64) -> bool {
    x.iter().all(|v| v.abs() >= gap)
}

// ---------------------------------------------------------------- ranges

/// Run-time bounds (`lo..hi`, `lo..=hi`, possibly empty or with `lo > 0`) and
/// constant ones (`2..4`, `1..=2`, `4..2`).
#[allow(clippy::reversed_empty_ranges)]
#[grad]
fn ranges(x: &[f64], lo: usize, hi: usize) -> f64 {
    let mut s = 0.0;
    for i in lo..hi {
        s += x[i] * x[i] * (i as f64);
    }
    for i in lo..=hi {
        s += x[i].sin();
    }
    for i in 2..4 {
        s += x[i] * x[0];
    }
    for i in 1..=2 {
        s *= 1.0 + 0.1 * x[i];
    }
    for i in 4..2 {
        s += x[i] * 100.0;
    }
    s
}

/// The same sums written by hand, to pin the trip counts.
fn ranges_by_hand(x: &[f64], lo: usize, hi: usize) -> f64 {
    let mut s = 0.0;
    let mut i = lo;
    while i < hi {
        s += x[i] * x[i] * (i as f64);
        i += 1;
    }
    let mut i = lo;
    while i <= hi {
        s += x[i].sin();
        i += 1;
    }
    s += (x[2] + x[3]) * x[0];
    s * (1.0 + 0.1 * x[1]) * (1.0 + 0.1 * x[2])
}

/// A range whose bounds are computed from a slice length and a parameter.
#[grad]
fn window(x: &[f64], k: usize) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in k..n - k {
        s += x[i - k] * x[i + k] - x[i];
    }
    s
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn range_bounds_constant_and_run_time(
        x in slice_of(-2.0, 2.0, 6..7),
        lo in 0usize..6,
        hi in 0usize..6,
        d in cotangent(),
    ) {
        let mut dx = vec![0.0; 6];
        let v = ranges_backward(&x, &mut dx, lo, hi, d);
        prop_assert_eq!(v.to_bits(), ranges(&x, lo, hi).to_bits());
        prop_assert!((v - ranges_by_hand(&x, lo, hi)).abs() <= 1e-12 * v.abs().max(1.0));
        prop_fd(|p| d * ranges(p, lo, hi), &x, &dx)?;
    }

    #[test]
    fn range_bounds_from_len(
        (x, k) in slice_of(-2.0, 2.0, 0..9).prop_flat_map(|x| {
            let n = x.len();
            (Just(x), 0..=n / 2)
        }),
        d in cotangent(),
    ) {
        let mut dx = vec![0.0; x.len()];
        let v = window_backward(&x, &mut dx, k, d);
        prop_assert_eq!(v.to_bits(), window(&x, k).to_bits());
        prop_fd(|p| d * window(p, k), &x, &dx)?;
    }
}

#[test]
fn empty_ranges_give_zero_gradients() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    // lo > hi: both run-time loops are empty
    let mut dx = [0.0; 6];
    let v = ranges_backward(&x, &mut dx, 4, 2, 1.0);
    assert_near(v, (3.0 + 4.0) * 1.2 * 1.3, 1e-12, "value");
    assert_all_near(
        &dx,
        &[7.0 * 1.56, 7.0 * 0.13, 1.56 + 0.84, 1.56, 0.0, 0.0],
        1e-12,
        "dx",
    );
    // an empty slice through a loop over its length
    let mut none: [f64; 0] = [];
    assert_eq!(window_backward(&[], &mut none, 0, 1.0), 0.0);
}

// ---------------------------------------------------------------- iteration forms

/// Every way to walk an array or a slice.
#[grad]
fn walks(x: [f64; 3], y: &[f64; 3], z: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += v * v;
    }
    for v in &x {
        s += v.sin();
    }
    for v in y {
        s += v * 2.0;
    }
    for v in y.iter() {
        s += *v * *v * s;
    }
    for v in z.iter() {
        s += v.exp();
    }
    for &v in z.iter() {
        s -= v.cos() * s;
    }
    for v in z.iter().copied() {
        s += v * v * v;
    }
    for (i, v) in z.iter().enumerate() {
        s += v * (i as f64);
    }
    for (a, b) in x.iter().zip(y.iter()) {
        s += a * b;
    }
    for (a, b) in x.iter().zip(z) {
        s += a * b * b;
    }
    s
}

/// Rows of a nested array: the loop variable is itself an array.
#[grad]
fn row_walk(w: &[[f64; 3]; 2], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for row in w.iter() {
        let mut t = 0.0;
        for (a, b) in row.iter().zip(x.iter()) {
            t += a * b;
        }
        s += t * t;
    }
    for row in w {
        s += row[0] * row[2];
    }
    s
}

/// Rows of a slice of arrays.
#[grad]
fn point_walk(pts: &[[f64; 2]], c: [f64; 2]) -> f64 {
    let mut s = 0.0;
    for p in pts.iter() {
        let dx = p[0] - c[0];
        let dy = p[1] - c[1];
        s += (1.0 + dx * dx + dy * dy).ln();
    }
    s
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn for_over_arrays_and_slices(
        x in floats::<3>(-1.0, 1.0),
        y in floats::<3>(-1.0, 1.0),
        z in slice_of(-1.0, 1.0, 0..6),
        d in cotangent(),
    ) {
        let n = z.len();
        let (mut dy, mut dz) = ([0.0; 3], vec![0.0; n]);
        let (v, dx) = walks_backward(x, &y, &mut dy, &z, &mut dz, d);
        prop_assert_eq!(v.to_bits(), walks(x, &y, &z).to_bits());
        prop_fd(
            |p| d * walks(arr(p), &arr(&p[3..]), &p[6..]),
            &cat(&[&x, &y, &z]),
            &cat(&[&dx, &dy, &dz]),
        )?;
    }

    #[test]
    fn for_over_rows(w in floats2::<3, 2>(-1.0, 1.0), x in floats::<3>(-1.0, 1.0), d in cotangent()) {
        let (mut dw, mut dx) = ([[0.0; 3]; 2], [0.0; 3]);
        let v = row_walk_backward(&w, &mut dw, &x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), row_walk(&w, &x).to_bits());
        prop_fd(
            |p| d * row_walk(&arr2(p), &arr(&p[6..])),
            &cat(&[&flat2(&w), &x]),
            &cat(&[&flat2(&dw), &dx]),
        )?;
    }

    #[test]
    fn for_over_a_slice_of_arrays(
        pts in proptest::collection::vec(floats::<2>(-2.0, 2.0), 0..6),
        c in floats::<2>(-1.0, 1.0),
        d in cotangent(),
    ) {
        let mut dp = vec![[0.0; 2]; pts.len()];
        let (v, dc) = point_walk_backward(&pts, &mut dp, c, d);
        prop_assert_eq!(v.to_bits(), point_walk(&pts, c).to_bits());
        let flat: Vec<f64> = pts.iter().flatten().copied().collect();
        let g: Vec<f64> = dp.iter().flatten().copied().collect();
        let m = flat.len();
        prop_fd(
            |p| d * point_walk(&p[..m].chunks(2).map(arr::<2>).collect::<Vec<_>>(), arr(&p[m..])),
            &cat(&[&flat, &c]),
            &cat(&[&g, &dc]),
        )?;
    }
}

// ---------------------------------------------------------------- while

/// `while` with an integer counter and a run-time bound.
#[grad]
fn iterate(x: f64, c: f64, n: usize) -> f64 {
    let mut y = 0.5 * x;
    let mut k = 0;
    while k < n {
        y = y.sin() * c + x;
        k += 1;
    }
    y
}

/// `while` with a float condition: Newton's iteration for `sqrt(a)` until the
/// step is below `tol`.
#[grad]
fn sqrt_newton(a: f64, tol: f64) -> f64 {
    let mut y = a;
    let mut err = tol + 1.0;
    while err > tol {
        let next = 0.5 * (y + a / y);
        err = (next - y).abs();
        y = next;
    }
    y
}

/// A fixed count of Newton steps for the cube root.
#[grad]
fn cbrt_newton(a: f64) -> f64 {
    let mut y = 1.0 + a / 3.0;
    for _ in 0..60 {
        y -= (y * y * y - a) / (3.0 * y * y);
    }
    y
}

/// `while` with a compound condition and a `break`.
#[grad]
fn grow(x: f64, g: f64) -> f64 {
    let mut y = x;
    let mut k = 0;
    while k < 100 && y < 50.0 {
        y = y * g + 0.1;
        k += 1;
        if y > 10.0 && k > 3 {
            break;
        }
    }
    y
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn while_with_an_integer_counter(x in -2.0f64..2.0, c in -1.0f64..1.0, n in 0usize..8, d in cotangent()) {
        let (v, dx, dc) = iterate_backward(x, c, n, d);
        prop_assert_eq!(v.to_bits(), iterate(x, c, n).to_bits());
        prop_fd_deep(|p| d * iterate(p[0], p[1], n), &[x, c], &[dx, dc])?;
    }

    #[test]
    fn while_with_a_float_condition(a in 0.01f64..100.0, d in cotangent()) {
        let (v, da, dtol) = sqrt_newton_backward(a, 1e-12, d);
        prop_assert_eq!(v.to_bits(), sqrt_newton(a, 1e-12).to_bits());
        prop_assert!((v - a.sqrt()).abs() <= 1e-12 * a.sqrt().max(1.0));
        // the derivative of the iterate converges to the derivative of sqrt
        assert_near(da, d * 0.5 / a.sqrt(), 1e-9 * (0.5 / a.sqrt()).max(1.0), "d sqrt / da");
        prop_assert_eq!(dtol, 0.0);
    }

    #[test]
    fn newton_cube_root(a in 0.1f64..50.0, d in cotangent()) {
        let (v, da) = cbrt_newton_backward(a, d);
        prop_assert!((v - a.cbrt()).abs() <= 1e-12 * a.cbrt());
        let want = d / (3.0 * a.cbrt() * a.cbrt());
        prop_assert!((da - want).abs() <= 1e-9 * want.abs().max(1.0), "{} vs {}", da, want);
    }

    #[test]
    fn while_with_compound_condition_and_break(x in 0.5f64..3.0, g in 1.05f64..2.0, d in cotangent()) {
        // keep the stencil on one side of each test
        let clear = {
            let (mut y, mut k, mut ok) = (x, 0, true);
            while k < 100 && y < 50.0 {
                y = y * g + 0.1;
                k += 1;
                ok &= (y - 10.0).abs() > 1e-3 && (y - 50.0).abs() > 1e-3;
                if y > 10.0 && k > 3 {
                    break;
                }
            }
            ok
        };
        prop_assume!(clear);
        let (v, dx, dg) = grow_backward(x, g, d);
        prop_assert_eq!(v.to_bits(), grow(x, g).to_bits());
        prop_fd_deep(|p| d * grow(p[0], p[1]), &[x, g], &[dx, dg])?;
    }
}

// ---------------------------------------------------------------- break, continue, if

/// `break` and `continue` in an `if` / `else if` / `else` chain.
#[grad]
fn skip_and_stop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] > 1.5 {
            break;
        } else if x[i] < -0.5 {
            continue;
        } else {
            s += x[i] * x[i];
        }
        s *= 1.25;
    }
    s
}

/// `continue` then `break` as separate `if`s, a multiplicative recurrence.
#[grad]
fn skip_then_stop(x: &[f64; 6]) -> f64 {
    let mut s = 1.0;
    for i in 0..6 {
        if x[i] < -0.5 {
            continue;
        }
        if x[i] > 1.5 {
            break;
        }
        s = s * x[i] + 1.0;
    }
    s
}

/// Nested loops: a triangular inner range, `break` and `continue` in the inner
/// loop, `break` in the outer one.
#[grad]
fn triangle(x: &[f64; 5]) -> f64 {
    let mut s = 0.0;
    for i in 0..5 {
        for j in 0..5 {
            if j > i {
                break;
            }
            if x[j] < -1.0 {
                continue;
            }
            s += x[i] * x[j];
        }
        for j in i..5 {
            s += 0.1 * x[j] * (i as f64);
        }
        if s > 8.0 {
            break;
        }
    }
    s
}

/// `if` inside a loop, a loop inside each branch of an `if`.
#[grad]
fn branchy(x: &[f64], c: f64) -> f64 {
    let mut s = 0.0;
    if c > 0.0 {
        for v in x.iter() {
            s += v * c;
        }
    } else {
        for i in 0..x.len() {
            s = s * c + x[i];
        }
    }
    for i in 0..x.len() {
        if x[i] > s {
            s = 0.5 * (s + x[i]);
        } else if x[i] < 0.0 {
            s -= x[i] * x[i];
        } else {
            s *= 1.0 + 0.1 * x[i];
        }
    }
    s
}

/// The branch conditions of `skip_and_stop`.
fn skip_clear(x: &[f64]) -> bool {
    x.iter()
        .all(|v| (v - 1.5).abs() >= 1e-3 && (v + 0.5).abs() >= 1e-3)
}

/// Runs `triangle`'s control flow and reports whether every test is clear of
/// its boundary.
fn triangle_clear(x: &[f64; 5]) -> bool {
    let mut s = 0.0;
    for i in 0..5 {
        for j in 0..=i {
            if (x[j] + 1.0).abs() < 1e-3 {
                return false;
            }
            if x[j] >= -1.0 {
                s += x[i] * x[j];
            }
        }
        for j in i..5 {
            s += 0.1 * x[j] * (i as f64);
        }
        if (s - 8.0).abs() < 1e-3 {
            return false;
        }
        if s > 8.0 {
            break;
        }
    }
    true
}

fn branchy_clear(x: &[f64], c: f64) -> bool {
    if c.abs() < 1e-3 || !clear_of_zero(x, 1e-3) {
        return false;
    }
    let mut s = if c > 0.0 {
        x.iter().map(|v| v * c).sum::<f64>()
    } else {
        x.iter().fold(0.0, |s, v| s * c + v)
    };
    for &v in x {
        if (v - s).abs() < 1e-3 {
            return false;
        }
        if v > s {
            s = 0.5 * (s + v);
        } else if v < 0.0 {
            s -= v * v;
        } else {
            s *= 1.0 + 0.1 * v;
        }
    }
    true
}

#[test]
fn break_and_continue_known_values() {
    let x = [1.0, -2.0, 3.0, 11.0, 5.0];
    let mut dx = [0.0; 5];
    // i0: s = 1 * 1.25; i1 skipped; i2 breaks
    let v = skip_and_stop_backward(&x, &mut dx, 1.0);
    assert_eq!(v, 1.25);
    assert_eq!(dx, [2.5, 0.0, 0.0, 0.0, 0.0]);
    let x = [1.0, -2.0, 0.5, 11.0, 5.0, 7.0];
    let mut dx = [0.0; 6];
    // s = (1 * 1 + 1) * 0.5 + 1 = 2
    let v = skip_then_stop_backward(&x, &mut dx, 1.0);
    assert_eq!(v, 2.0);
    assert_eq!(dx, [0.5, 0.0, 2.0, 0.0, 0.0, 0.0]);
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn break_and_continue_in_else_if(x in slice_of(-1.0, 2.0, 0..8).prop_filter("at a boundary", |x| skip_clear(x)), d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let v = skip_and_stop_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), skip_and_stop(&x).to_bits());
        prop_fd_deep(|p| d * skip_and_stop(p), &x, &dx)?;
    }

    #[test]
    fn continue_then_break(x in floats::<6>(-1.0, 2.0).prop_filter("at a boundary", |x| skip_clear(x)), d in cotangent()) {
        let mut dx = [0.0; 6];
        let v = skip_then_stop_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), skip_then_stop(&x).to_bits());
        prop_fd_deep(|p| d * skip_then_stop(&arr(p)), &x, &dx)?;
    }

    #[test]
    fn nested_loops_with_break_and_continue(x in floats::<5>(-2.0, 2.0).prop_filter("at a boundary", triangle_clear), d in cotangent()) {
        let mut dx = [0.0; 5];
        let v = triangle_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), triangle(&x).to_bits());
        prop_fd_deep(|p| d * triangle(&arr(p)), &x, &dx)?;
    }

    #[test]
    fn if_inside_loops_and_loops_inside_if(
        (x, c) in (slice_of(-2.0, 2.0, 0..7), -2.0f64..2.0).prop_filter("at a boundary", |(x, c)| branchy_clear(x, *c)),
        d in cotangent(),
    ) {
        let mut dx = vec![0.0; x.len()];
        let (v, dc) = branchy_backward(&x, &mut dx, c, d);
        prop_assert_eq!(v.to_bits(), branchy(&x, c).to_bits());
        prop_fd_deep(|p| d * branchy(&p[1..], p[0]), &cat(&[&[c], &x]), &cat(&[&[dc], &dx]))?;
    }
}

/// `continue` in a `while` (the counter moves first).
#[grad]
fn while_continue(x: &[f64]) -> f64 {
    let mut s = 0.5;
    let mut i = 0;
    while i < x.len() {
        i += 1;
        if x[i - 1] < 0.0 {
            continue;
        }
        s = (s * x[i - 1]).sin() + 1.0;
    }
    s
}

/// `if` / `else` nested in both branches of an `if`, a `break` in the inner
/// `else`.
#[grad]
fn nested_ifs(x: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        if x[i] > 0.0 {
            if x[i] > 1.0 {
                s += x[i];
            } else {
                s *= x[i];
            }
        } else if s > 0.5 {
            break;
        } else {
            s -= x[i] * x[i];
        }
    }
    s
}

fn nested_ifs_clear(x: &[f64; 3]) -> bool {
    let mut s: f64 = 0.0;
    for &v in x {
        if v.abs() < 1e-3 || (v - 1.0).abs() < 1e-3 {
            return false;
        }
        if v > 0.0 {
            if v > 1.0 {
                s += v;
            } else {
                s *= v;
            }
        } else {
            if (s - 0.5).abs() < 1e-3 {
                return false;
            }
            if s > 0.5 {
                break;
            }
            s -= v * v;
        }
    }
    true
}

/// A local array filled through `enumerate`, then reduced.
#[grad]
fn fill_then_reduce(x: &[f64; 4]) -> f64 {
    let mut y = [0.0; 4];
    for (i, v) in x.iter().enumerate() {
        y[i] = v * v * (i as f64 + 1.0);
    }
    let s: f64 = y.iter().sum();
    let p = y.iter().map(|v| (v + 1.0).sqrt()).product::<f64>();
    s + p
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn continue_in_while(x in slice_of(-2.0, 2.0, 0..8).prop_filter("at zero", |x| clear_of_zero(x, 1e-3)), d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let v = while_continue_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), while_continue(&x).to_bits());
        prop_fd_deep(|p| d * while_continue(p), &x, &dx)?;
    }

    #[test]
    fn nested_if_else_with_break(x in floats::<3>(-2.0, 2.0).prop_filter("at a boundary", nested_ifs_clear), d in cotangent()) {
        let (v, dx) = nested_ifs_backward(x, d);
        prop_assert_eq!(v.to_bits(), nested_ifs(x).to_bits());
        prop_fd(|p| d * nested_ifs(arr(p)), &x, &dx)?;
    }

    #[test]
    fn local_array_filled_then_reduced(x in floats::<4>(-2.0, 2.0), d in cotangent()) {
        let mut dx = [0.0; 4];
        let v = fill_then_reduce_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), fill_then_reduce(&x).to_bits());
        prop_fd(|p| d * fill_then_reduce(&arr(p)), &x, &dx)?;
    }
}

// ---------------------------------------------------------------- products, max, min

/// A running product over a slice (its reverse needs the partial products).
#[grad]
fn running_product(x: &[f64]) -> f64 {
    let mut p = 1.0;
    for v in x.iter() {
        p *= v;
    }
    p
}

/// The same over `&[f64; 8]`: a constant trip count, written `p = p * x`.
#[allow(clippy::assign_op_pattern)]
#[grad]
fn running_product8(x: &[f64; 8]) -> f64 {
    let mut p = 1.0;
    for i in 0..8 {
        p = p * x[i];
    }
    p
}

/// Running max and min over a slice (`f64::max` / `f64::min`).
#[grad]
fn max_plus_2min(x: &[f64]) -> f64 {
    let mut m = x[0];
    for v in x.iter() {
        m = m.max(*v);
    }
    let mut n = x[0];
    for i in 1..x.len() {
        n = n.min(x[i]);
    }
    m + 2.0 * n
}

/// Argmax by comparison: the first maximum wins, nothing is split.
#[grad]
fn argmax_value(x: &[f64; 4]) -> f64 {
    let mut m = x[0];
    for i in 1..4 {
        if x[i] > m {
            m = x[i];
        }
    }
    m
}

/// Products of all entries but `i`: the gradient of a product.
fn others(x: &[f64], i: usize) -> f64 {
    x.iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, v)| v)
        .product()
}

#[test]
fn product_with_zero_factors() {
    let x = [1.5, 0.0, 3.0, -2.0];
    let mut dx = [0.0; 4];
    assert_eq!(running_product_backward(&x, &mut dx, 1.0), 0.0);
    assert_eq!(dx, [0.0, -9.0, 0.0, 0.0]);
    let x = [1.5, 0.0, 3.0, 0.0];
    let mut dx = [0.0; 4];
    running_product_backward(&x, &mut dx, 1.0);
    assert_eq!(dx, [0.0; 4]);
    let x = [1.0, 2.0, 0.0, -1.0, 0.5, 3.0, 1.5, 2.0];
    let mut dx = [0.0; 8];
    assert_eq!(running_product8_backward(&x, &mut dx, 2.0), 0.0);
    let mut want = [0.0; 8];
    want[2] = 2.0 * others(&x, 2);
    assert_eq!(dx, want);
}

#[test]
fn max_and_min_route_to_the_arg_and_split_ties() {
    let cases: [([f64; 4], [f64; 4]); 4] = [
        // distinct: max at 1, min at 3
        ([1.0, 3.0, 2.0, 0.5], [0.0, 1.0, 0.0, 2.0]),
        // max(x0, x0) splits, then max(m, x1) ties: 1/2 to x1, 1/4 + 1/4 to x0;
        // min(x0, x1) ties (2 * 1/2 each), then x2 < n, then min(x2, x3) ties
        ([3.0, 3.0, 1.0, 1.0], [0.5, 0.5, 1.0, 1.0]),
        // all equal: every `max` and `min` halves what passes through it
        ([2.0, 2.0, 2.0, 2.0], [0.375, 0.375, 0.75, 1.5]),
        // max at 0 (then every max keeps m); min ties x2, x3
        ([5.0, 1.0, -1.0, -1.0], [1.0, 0.0, 1.0, 1.0]),
    ];
    for (x, want) in cases {
        let mut dx = [0.0; 4];
        max_plus_2min_backward(&x, &mut dx, 1.0);
        assert_eq!(dx, want, "x = {x:?}");
    }
    // `if x[i] > m` keeps the first maximum
    let mut dx = [0.0; 4];
    assert_eq!(
        argmax_value_backward(&[2.0, 5.0, 5.0, 1.0], &mut dx, 3.0),
        5.0
    );
    assert_eq!(dx, [0.0, 3.0, 0.0, 0.0]);
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn loop_carried_products(x in slice_of(-2.0, 2.0, 0..9), d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let v = running_product_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), running_product(&x).to_bits());
        let want: Vec<f64> = (0..x.len()).map(|i| d * others(&x, i)).collect();
        prop_all_near(&dx, &want, 1e-12, "dx")?;
        prop_fd_deep(|p| d * running_product(p), &x, &dx)?;
    }

    #[test]
    fn loop_carried_products_constant_count(x in floats::<8>(-2.0, 2.0), d in cotangent()) {
        let mut dx = [0.0; 8];
        let v = running_product8_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), running_product8(&x).to_bits());
        prop_fd_deep(|p| d * running_product8(&arr(p)), &x, &dx)?;
    }

    #[test]
    fn running_max_and_min(x in slice_of(-5.0, 5.0, 1..8), d in cotangent()) {
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        prop_assume!(sorted.windows(2).all(|w| w[1] - w[0] >= 1e-3));
        let mut dx = vec![0.0; x.len()];
        let v = max_plus_2min_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), max_plus_2min(&x).to_bits());
        let (imax, imin) = (
            x.iter().position(|v| *v == sorted[x.len() - 1]).unwrap(),
            x.iter().position(|v| *v == sorted[0]).unwrap(),
        );
        let mut want = vec![0.0; x.len()];
        want[imax] += d;
        want[imin] += 2.0 * d;
        prop_all_near(&dx, &want, 1e-15, "dx")?;
        prop_fd(|p| d * max_plus_2min(p), &x, &dx)?;
    }
}

// ---------------------------------------------------------------- reductions

/// `sum`, `map(..).sum`, `zip(..).map(..).sum`, `product`, `fold`,
/// `enumerate`, `copied`, `sum::<f64>()`.
#[grad]
fn reductions(x: &[f64], y: &[f64; 3]) -> f64 {
    let a: f64 = x.iter().sum();
    let b: f64 = y.iter().sum();
    let c: f64 = x.iter().map(|v| v * v).sum();
    let d: f64 = x.iter().zip(y.iter()).map(|(p, q)| p * q).sum();
    let e: f64 = y.iter().product();
    let f = x.iter().fold(0.5, |acc, v| acc * v + 1.0);
    let g: f64 = x.iter().copied().map(|v| v.exp()).sum();
    let h = y
        .iter()
        .enumerate()
        .map(|(i, v)| v * (i as f64))
        .sum::<f64>();
    let k = x
        .iter()
        .zip(y)
        .fold(0.0, |acc, (p, q)| acc + (p - q).powi(2));
    let m: f64 = x.iter().product::<f64>();
    a + b + c + d + e + f + g + h + k + m
}

/// Reductions inside a loop: each row's dot product.
#[grad]
fn row_dots(w: &[[f64; 3]; 2], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        let t: f64 = w[i].iter().zip(x.iter()).map(|(a, b)| a * b).sum();
        s += t.tanh();
    }
    s
}

/// A stable log-sum-exp over a slice of run-time length (two loops).
#[grad]
fn logsumexp(x: &[f64]) -> f64 {
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

/// The same with a `fold` for the max and a `map(..).sum()`.
#[grad]
fn logsumexp_fold(x: &[f64]) -> f64 {
    let m = x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let z: f64 = x.iter().map(|v| (v - m).exp()).sum();
    m + z.ln()
}

fn softmax(x: &[f64]) -> Vec<f64> {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let z: f64 = e.iter().sum();
    e.iter().map(|v| v / z).collect()
}

#[test]
fn logsumexp_is_stable_at_plus_minus_1000() {
    for x in [
        vec![1000.0, 999.0, 998.5],
        vec![-1000.0, -1001.0, -999.5, -1000.0],
        vec![1000.0, -1000.0],
        vec![1000.0; 5],
    ] {
        for lse in [logsumexp_backward, logsumexp_fold_backward] {
            let mut dx = vec![0.0; x.len()];
            let v = lse(&x, &mut dx, 1.0);
            assert!(v.is_finite(), "value {v} at {x:?}");
            assert!(dx.iter().all(|g| g.is_finite()), "{dx:?} at {x:?}");
            assert_near(dx.iter().sum::<f64>(), 1.0, 1e-12, "sum of the gradient");
            assert_all_near(&dx, &softmax(&x), 1e-12, "gradient = softmax");
        }
    }
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn iterator_reductions(x in slice_of(-1.0, 1.0, 0..6), y in floats::<3>(-1.0, 1.0), d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let mut dy = [0.0; 3];
        let v = reductions_backward(&x, &mut dx, &y, &mut dy, d);
        prop_assert_eq!(v.to_bits(), reductions(&x, &y).to_bits());
        let n = x.len();
        prop_fd(|p| d * reductions(&p[..n], &arr(&p[n..])), &cat(&[&x, &y]), &cat(&[&dx, &dy]))?;
    }

    #[test]
    fn reductions_inside_loops(w in floats2::<3, 2>(-1.0, 1.0), x in floats::<3>(-1.0, 1.0), d in cotangent()) {
        let (mut dw, mut dx) = ([[0.0; 3]; 2], [0.0; 3]);
        let v = row_dots_backward(&w, &mut dw, &x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), row_dots(&w, &x).to_bits());
        prop_fd(
            |p| d * row_dots(&arr2(p), &arr(&p[6..])),
            &cat(&[&flat2(&w), &x]),
            &cat(&[&flat2(&dw), &dx]),
        )?;
    }

    #[test]
    fn logsumexp_gradient_is_softmax(x in slice_of(-5.0, 5.0, 1..10), d in cotangent()) {
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        // a unique maximum (ties are covered by logsumexp_is_stable_at_plus_minus_1000)
        prop_assume!(x.len() == 1 || sorted[x.len() - 1] - sorted[x.len() - 2] >= 1e-3);
        let want: Vec<f64> = softmax(&x).iter().map(|s| d * s).collect();
        let mut dx = vec![0.0; x.len()];
        let v = logsumexp_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), logsumexp(&x).to_bits());
        prop_all_near(&dx, &want, 1e-12, "lse")?;
        prop_fd(|p| d * logsumexp(p), &x, &dx)?;
        let mut dx = vec![0.0; x.len()];
        logsumexp_fold_backward(&x, &mut dx, d);
        prop_all_near(&dx, &want, 1e-12, "lse by fold")?;
    }
}

// ---------------------------------------------------------------- recorded reverse sweeps

/// A non-linear recurrence over a slice: the reverse needs every iterate
/// (recorded, run-time trip count).
#[grad]
fn recurrence(x: &[f64], a: f64) -> f64 {
    let mut s = a + 0.5;
    for i in 0..x.len() {
        s = (s * x[i]).sin() + a * s;
    }
    s
}

/// The same with a constant trip count.
#[grad]
fn recurrence8(x: &[f64; 8], a: f64) -> f64 {
    let mut s = a + 0.5;
    for i in 0..8 {
        s = (s * x[i]).sin() + a * s;
    }
    s
}

/// Two carried values recorded in nested loops of constant trip counts.
#[grad]
fn coupled(x: &[f64; 4], w: f64) -> f64 {
    let mut u = 1.0;
    let mut v = 0.5;
    for _ in 0..3 {
        for j in 0..4 {
            let t = u;
            u = (u * w + v * x[j]).tanh();
            v = v * 0.9 + t * x[j];
        }
    }
    u + v
}

/// An array carried through a loop and replaced as a whole each iteration.
#[grad]
fn rnn(x: &[f64; 3], w: f64, steps: usize) -> f64 {
    let mut h = [x[0], x[1], x[2]];
    for _ in 0..steps {
        h = [(h[1] * w).tanh(), h[2] + h[0] * 0.5, h[0] * h[1]];
    }
    h[0] + h[1] * h[2]
}

/// Array elements updated in place in a loop, with run-time indices.
#[grad]
fn scatter(x: &[f64; 3], idx: &[usize; 4]) -> f64 {
    let mut h = [0.5; 3];
    for k in 0..4 {
        h[idx[k]] = h[idx[k]] * x[k % 3] + x[(k + 1) % 3];
    }
    h[0] * h[1] + h[2]
}

/// Values recorded in one branch or the other, and an early `break`.
#[grad]
fn branch_tape(x: &[f64], c: f64) -> f64 {
    let mut s = 0.5;
    for i in 0..x.len() {
        if x[i] > 0.0 {
            s = (s * x[i]).sin() + c;
        } else {
            s = s * c - x[i];
        }
        if s > 5.0 {
            break;
        }
    }
    s
}

fn branch_tape_clear(x: &[f64], c: f64) -> bool {
    let mut s = 0.5;
    for &v in x {
        if v.abs() < 1e-3 {
            return false;
        }
        s = if v > 0.0 {
            (s * v).sin() + c
        } else {
            s * c - v
        };
        if (s - 5.0).abs() < 1e-3 {
            return false;
        }
        if s > 5.0 {
            break;
        }
    }
    true
}

/// A recording `while` over a slice with a `break`.
#[grad]
fn while_tape(x: &[f64]) -> f64 {
    let mut s = 0.5;
    let mut i = 0;
    while i < x.len() {
        s = (s + x[i]).tanh() * 2.0;
        i += 1;
        if s > 1.9 {
            break;
        }
    }
    s
}

fn while_tape_clear(x: &[f64]) -> bool {
    let mut s = 0.5;
    for &v in x {
        s = (s + v).tanh() * 2.0;
        if (s - 1.9).abs() < 1e-3 {
            return false;
        }
        if s > 1.9 {
            break;
        }
    }
    true
}

/// Recording through `enumerate` with `continue`, through `zip`, `fold` and
/// the `product` of a `map`.
#[grad]
fn chain_tapes(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 1.0;
    for (i, v) in x.iter().enumerate() {
        if i % 2 == 0 {
            continue;
        }
        s = s * v + (s * 0.5).exp();
    }
    let mut t = 0.1;
    for (a, b) in x.iter().zip(y.iter()) {
        t = (t * a + b).tanh();
    }
    let f = x.iter().fold(0.5, |acc, v| (acc * v).sin() + v);
    let p: f64 = y.iter().map(|v| v.sin()).product();
    s + t + f + p
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn recorded_run_time_trip_count(x in slice_of(-1.0, 1.0, 0..10), a in -0.8f64..0.8, d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let (v, da) = recurrence_backward(&x, &mut dx, a, d);
        prop_assert_eq!(v.to_bits(), recurrence(&x, a).to_bits());
        prop_fd_deep(|p| d * recurrence(&p[1..], p[0]), &cat(&[&[a], &x]), &cat(&[&[da], &dx]))?;
    }

    #[test]
    fn recorded_in_branches_with_break(
        (x, c) in (slice_of(-2.0, 2.0, 0..10), -1.5f64..1.5).prop_filter("at a boundary", |(x, c)| branch_tape_clear(x, *c)),
        d in cotangent(),
    ) {
        let mut dx = vec![0.0; x.len()];
        let (v, dc) = branch_tape_backward(&x, &mut dx, c, d);
        prop_assert_eq!(v.to_bits(), branch_tape(&x, c).to_bits());
        prop_fd_deep(|p| d * branch_tape(&p[1..], p[0]), &cat(&[&[c], &x]), &cat(&[&[dc], &dx]))?;
    }

    #[test]
    fn recorded_while_with_break(x in slice_of(-1.0, 1.5, 0..10).prop_filter("at the break", |x| while_tape_clear(x)), d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let v = while_tape_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), while_tape(&x).to_bits());
        prop_fd_deep(|p| d * while_tape(p), &x, &dx)?;
    }

    #[test]
    fn recorded_through_iterator_chains(
        (x, y) in (0usize..8).prop_flat_map(|n| (slice_of(-1.5, 1.5, n..n + 1), slice_of(-1.5, 1.5, n..n + 1))),
        d in cotangent(),
    ) {
        let n = x.len();
        let (mut dx, mut dy) = (vec![0.0; n], vec![0.0; n]);
        let v = chain_tapes_backward(&x, &mut dx, &y, &mut dy, d);
        prop_assert_eq!(v.to_bits(), chain_tapes(&x, &y).to_bits());
        prop_fd_deep(|p| d * chain_tapes(&p[..n], &p[n..]), &cat(&[&x, &y]), &cat(&[&dx, &dy]))?;
    }

    #[test]
    fn recorded_constant_trip_count(x in floats::<8>(-1.0, 1.0), a in -0.8f64..0.8, d in cotangent()) {
        let mut dx = [0.0; 8];
        let (v, da) = recurrence8_backward(&x, &mut dx, a, d);
        prop_assert_eq!(v.to_bits(), recurrence8(&x, a).to_bits());
        prop_fd_deep(|p| d * recurrence8(&arr(&p[1..]), p[0]), &cat(&[&[a], &x]), &cat(&[&[da], &dx]))?;
        // the same as the run-time version
        let mut dx2 = vec![0.0; 8];
        let (_, da2) = recurrence_backward(&x, &mut dx2, a, d);
        prop_all_near(&cat(&[&dx, &[da]]), &cat(&[&dx2, &[da2]]), 1e-14, "constant vs run-time count")?;
    }

    #[test]
    fn recorded_nested_loops(x in floats::<4>(-1.0, 1.0), w in -1.5f64..1.5, d in cotangent()) {
        let mut dx = [0.0; 4];
        let (v, dw) = coupled_backward(&x, &mut dx, w, d);
        prop_assert_eq!(v.to_bits(), coupled(&x, w).to_bits());
        prop_fd_deep(|p| d * coupled(&arr(p), p[4]), &cat(&[&x, &[w]]), &cat(&[&dx, &[dw]]))?;
    }

    #[test]
    fn array_carried_by_a_loop(x in floats::<3>(-1.0, 1.0), w in -1.5f64..1.5, steps in 0usize..6, d in cotangent()) {
        let mut dx = [0.0; 3];
        let (v, dw) = rnn_backward(&x, &mut dx, w, steps, d);
        prop_assert_eq!(v.to_bits(), rnn(&x, w, steps).to_bits());
        prop_fd_deep(|p| d * rnn(&arr(p), p[3], steps), &cat(&[&x, &[w]]), &cat(&[&dx, &[dw]]))?;
    }

    #[test]
    fn array_updates_at_run_time_indices(
        x in floats::<3>(-2.0, 2.0),
        idx in proptest::array::uniform4(0usize..3),
        d in cotangent(),
    ) {
        let mut dx = [0.0; 3];
        let v = scatter_backward(&x, &mut dx, &idx, d);
        prop_assert_eq!(v.to_bits(), scatter(&x, &idx).to_bits());
        prop_fd_deep(|p| d * scatter(&arr(p), &idx), &x, &dx)?;
    }
}

/// A recorded loop over a const-generic array: a tape of length `N`.
#[grad]
fn sine_chain<const N: usize>(x: &[f64; N]) -> f64 {
    let mut p = 1.0;
    for i in 0..N {
        p = (p * x[i]).sin();
    }
    p
}

/// A recorded loop generic over `T: Real`, over a slice.
#[grad]
fn sine_chain_generic<T: autodiff::Real>(x: &[T], a: T) -> T {
    let mut p = a + T::ONE;
    for i in 0..x.len() {
        p = (p * x[i]).sin();
    }
    p
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn recorded_const_generic_and_generic_loops(x in floats::<5>(-2.0, 2.0), a in -1.0f64..1.0, d in cotangent()) {
        let mut dx = [0.0; 5];
        let v = sine_chain_backward(&x, &mut dx, d);
        prop_assert_eq!(v.to_bits(), sine_chain(&x).to_bits());
        prop_fd_deep(|p| d * sine_chain::<5>(&arr(p)), &x, &dx)?;
        let x2: [f64; 2] = arr(&x);
        let mut dx2 = [0.0; 2];
        sine_chain_backward(&x2, &mut dx2, d);
        prop_fd_deep(|p| d * sine_chain::<2>(&arr(p)), &x2, &dx2)?;

        let mut dx = [0.0; 5];
        let (v, da) = sine_chain_generic_backward(&x, &mut dx, a, d);
        prop_assert_eq!(v.to_bits(), sine_chain_generic(&x, a).to_bits());
        prop_fd_deep(|p| d * sine_chain_generic(&p[1..], p[0]), &cat(&[&[a], &x]), &cat(&[&[da], &dx]))?;
        // f32: against the f64 instantiation
        let x32 = x.map(|v| v as f32);
        let mut dx32 = [0.0f32; 5];
        let (_, da32) = sine_chain_generic_backward(&x32, &mut dx32, a as f32, d as f32);
        let up: Vec<f64> = x32.iter().map(|&v| f64::from(v)).collect();
        let g: Vec<f64> = std::iter::once(da32).chain(dx32).map(f64::from).collect();
        let d32 = f64::from(d as f32);
        prop_fd_with(
            |p| d32 * sine_chain_generic::<f64>(&p[1..], p[0]),
            &cat(&[&[f64::from(a as f32)], &up]),
            &g,
            f32_tol(),
        )?;
    }
}

// ---------------------------------------------------------------- known bugs

/// Two values carried by a `while` loop that start equal: the condition must
/// read `b`, not `a`.
#[grad]
fn same_start(x: f64) -> f64 {
    let mut a = 1.0;
    let mut b = 1.0;
    while b < 4.0 {
        a *= x;
        b += 1.0;
    }
    a
}

#[test]
fn while_condition_with_equal_initial_values() {
    // three iterations whatever x is: a = x³; with the bug the condition
    // tests `a < 4` (two iterations for x = 2.5, and no end for x <= 1)
    let x = 2.5;
    assert_eq!(same_start(x), x * x * x);
    let (v, dx) = same_start_backward(x, 1.0);
    assert_eq!(v, x * x * x);
    assert_near(dx, 3.0 * x * x, 1e-12, "dx");
}

/// A carried variable that starts as a value the body also reads (`y = x`,
/// then `y = y * c + x`): the gradient through the start value is lost.
#[grad]
fn start_is_read(x: f64, c: f64, n: usize) -> f64 {
    let mut y = x;
    for _ in 0..n {
        y = y * c + x;
    }
    y
}

/// The same with a constant trip count and a local start value.
#[grad]
fn start_is_read3(x: f64, c: f64) -> f64 {
    let t = x * 2.0;
    let mut y = t;
    for _ in 0..3 {
        y = y * c + t;
    }
    y
}

/// The same in a `fold` whose closure reads the initial value.
#[grad]
fn start_is_read_fold(x: &[f64], a: f64) -> f64 {
    x.iter().fold(a, |acc, v| acc * a + v)
}

/// The same in a `while` loop.
#[grad]
fn start_is_read_while(x: f64, c: f64, n: usize) -> f64 {
    let mut y = x;
    let mut k = 0;
    while k < n {
        y = y * c + x;
        k += 1;
    }
    y
}

#[test]
fn start_value_also_read_in_the_body() {
    // y_n = c^n x + x (1 + c + … + c^(n-1)): dy/dx = c^n + Σ_{k<n} c^k
    let (x, c) = (1.5f64, 0.5f64);
    for n in 0..5 {
        let want: f64 = (0..=n).map(|k| c.powi(k as i32)).sum();
        assert_near(
            start_is_read_backward(x, c, n, 1.0).1,
            want,
            1e-12,
            "for, run-time count",
        );
        assert_near(
            start_is_read_while_backward(x, c, n, 1.0).1,
            want,
            1e-12,
            "while",
        );
    }
    assert_near(
        start_is_read3_backward(x, c, 1.0).1,
        2.0 * 1.875,
        1e-12,
        "for, constant count",
    );
    // a³ + a + 2 for x = [1, 2]
    let mut dx = [0.0; 2];
    let (_, da) = start_is_read_fold_backward(&[1.0, 2.0], &mut dx, c, 1.0);
    assert_near(da, 3.0 * c * c + 1.0, 1e-12, "fold");
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn start_value_also_read_in_the_body_fd(x in -2.0f64..2.0, c in -1.0f64..1.0, n in 0usize..6, d in cotangent()) {
        let (_, dx, dc) = start_is_read_backward(x, c, n, d);
        prop_fd(|p| d * start_is_read(p[0], p[1], n), &[x, c], &[dx, dc])?;
        let (_, dx, dc) = start_is_read_while_backward(x, c, n, d);
        prop_fd(|p| d * start_is_read_while(p[0], p[1], n), &[x, c], &[dx, dc])?;
        let (_, dx, dc) = start_is_read3_backward(x, c, d);
        prop_fd(|p| d * start_is_read3(p[0], p[1]), &[x, c], &[dx, dc])?;
    }
}

#[test]
fn nested_run_time_tapes() {
    trybuild::TestCases::new().pass("tests/ui/pass/nested_run_time_tapes.rs");
}

/// Code from the benchmarks that the macro once rejected: an integer local
/// started from a `const`, triangular loop nests whose inner loop records.
mod bench_regressions {
    use autodiff::grad;
    const D: usize = 3;
    const N: usize = 3;

    /// An integer local started from a `const`, counted in a `while`.
    #[grad]
    fn from_const(x: &[f64; 4]) -> f64 {
        let mut i = D;
        let mut s = 0.0;
        while i < 4 {
            s += x[i] * x[i];
            i += 1;
        }
        s
    }

    /// A triangular loop nest whose inner loop records (constant outer count).
    #[grad]
    fn tri(x: &[f64; N]) -> f64 {
        let mut p = 1.0;
        for i in 0..N {
            for j in i + 1..N {
                p = p * x[i] * x[j];
            }
        }
        p
    }

    /// The same with literal bounds.
    #[grad]
    fn tri_literal(x: &[f64; 3]) -> f64 {
        let mut p = 1.0;
        for i in 0..3 {
            for j in i + 1..3 {
                p = p * x[i] * x[j];
            }
        }
        p
    }

    #[test]
    fn they_compile_and_differentiate() {
        let x = [1.5, -0.5, 2.0, 3.0];
        let mut dx = [0.0; 4];
        assert_eq!(from_const_backward(&x, &mut dx, 1.0), 9.0);
        assert_eq!(dx, [0.0, 0.0, 0.0, 6.0]);
        let y = [1.5, -0.5, 2.0];
        let (mut d1, mut d2) = ([0.0; 3], [0.0; 3]);
        let p = tri_backward(&y, &mut d1, 1.0);
        assert_eq!(p, tri_literal_backward(&y, &mut d2, 1.0));
        // p = (x0 x1)(x0 x2)(x1 x2) = x0² x1² x2²: dp/dxi = 2 p / xi
        for i in 0..3 {
            assert!((d1[i] - 2.0 * p / y[i]).abs() < 1e-12, "{d1:?}");
            assert_eq!(d1[i], d2[i]);
        }
    }
}

// ---------------------------------------------------------------- fusion and stack tapes

/// A mean over points of a log-sum-exp over 4 components: the outer loop runs
/// fused with its reverse (`d_s = d_out / n` is known before it), the inner
/// reverse reads each `exp` from a 4-element stack tape.
#[grad]
fn mean_soft_max(x: &[f64], w: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let mut z = 0.0;
        for k in 0..4 {
            z += (w[k] * x[i]).exp();
        }
        s += z.ln();
    }
    s / x.len() as f64 + 0.5 * w[0] * w[0]
}

/// The same with a loop whose reverse waits for it (`d_s = d_out / s`): the
/// loops stay apart, the reverse runs backwards.
#[grad]
fn log_of_sum(x: &[f64], w: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        for k in 0..4 {
            s += (w[k] * x[i]).exp();
        }
    }
    s.ln()
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn fused_loops_and_stack_tapes(
        x in slice_of(-1.0, 1.0, 1..6),
        w in floats::<4>(-1.0, 1.0),
        d in cotangent(),
    ) {
        let n = x.len();
        for f in [
            (mean_soft_max as fn(&[f64], &[f64; 4]) -> f64, mean_soft_max_backward as fn(&[f64], &mut [f64], &[f64; 4], &mut [f64; 4], f64) -> f64),
            (log_of_sum, log_of_sum_backward),
        ] {
            let (mut dx, mut dw) = (vec![0.0; n], [0.0; 4]);
            let v = f.1(&x, &mut dx, &w, &mut dw, d);
            prop_assert_eq!(v.to_bits(), f.0(&x, &w).to_bits());
            prop_fd(|p| d * f.0(&p[..n], &arr(&p[n..])), &cat(&[&x, &w]), &cat(&[&dx, &dw]))?;
        }
    }
}

/// Fusion with two accumulators (one subtracted from), an `if` in the body, and
/// loop-invariant scalars whose cotangents add up across iterations; an array
/// updated after the loop.
#[grad]
fn fused_shapes(x: &[f64], a: f64, b: f64) -> f64 {
    let mut s = 0.0;
    let mut t = 0.0;
    for i in 0..x.len() {
        let u = x[i] * a;
        if u > 0.0 {
            s += u.sin() * b;
        } else {
            t -= u * u;
        }
    }
    let mut arr = [a, b];
    arr[0] *= 2.0;
    s * 3.0 + t / 2.0 + arr[0] * arr[1]
}

/// A loop that reads an array which is updated in place after it: the fused
/// loop must still read it first.
#[grad]
fn read_then_update(x: [f64; 3], w: f64) -> f64 {
    let mut a = x;
    let mut s = 0.0;
    for i in 0..3 {
        s += a[i] * w;
    }
    a[0] = w * w;
    s + a[0] * a[1]
}

/// A fused loop over points whose body builds an array in an inner loop (its
/// `tanh`s recorded in a stack tape) and takes its running maximum.
#[grad]
fn nested_build(xs: &[[f64; 3]], w: &[f64; 3]) -> f64 {
    let mut total = 0.0;
    for p in xs.iter() {
        let mut h = [0.0; 3];
        for k in 0..3 {
            h[k] = (p[k] * w[k]).tanh();
        }
        let mut m = h[0];
        for k in 0..3 {
            m = m.max(h[k]);
        }
        total += m + h[1] * h[2];
    }
    total * 0.5
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn fusion_shapes(
        x in slice_of(-1.0, 1.0, 0..6),
        a in -1.0..1.0f64,
        b in -1.0..1.0f64,
        d in cotangent(),
    ) {
        prop_assume!(clear_of_zero(&x.iter().map(|v| v * a).collect::<Vec<_>>(), 1e-3));
        let n = x.len();
        let mut dx = vec![0.0; n];
        let (v, da, db) = fused_shapes_backward(&x, &mut dx, a, b, d);
        prop_assert_eq!(v.to_bits(), fused_shapes(&x, a, b).to_bits());
        prop_fd(|p| d * fused_shapes(&p[..n], p[n], p[n + 1]), &cat(&[&x, &[a, b]]), &cat(&[&dx, &[da, db]]))?;
    }

    #[test]
    fn fusion_reads_before_updates(x in floats::<3>(-1.0, 1.0), w in -1.0..1.0f64, d in cotangent()) {
        let (v, dx, dw) = read_then_update_backward(x, w, d);
        prop_assert_eq!(v.to_bits(), read_then_update(x, w).to_bits());
        prop_fd(|p| d * read_then_update(arr(p), p[3]), &cat(&[&x, &[w]]), &cat(&[&dx, &[dw]]))?;
    }

    #[test]
    fn fusion_with_inner_arrays(
        pts in proptest::collection::vec(floats::<3>(-2.0, 2.0), 0..5),
        w in floats::<3>(-1.0, 1.0),
        d in cotangent(),
    ) {
        let (mut dp, mut dw) = (vec![[0.0; 3]; pts.len()], [0.0; 3]);
        let v = nested_build_backward(&pts, &mut dp, &w, &mut dw, d);
        prop_assert_eq!(v.to_bits(), nested_build(&pts, &w).to_bits());
        let flat: Vec<f64> = pts.iter().flatten().copied().collect();
        let g: Vec<f64> = dp.iter().flatten().copied().collect();
        let m = flat.len();
        prop_fd(
            |p| d * nested_build(&p[..m].chunks(3).map(arr::<3>).collect::<Vec<_>>(), &arr(&p[m..])),
            &cat(&[&flat, &w]),
            &cat(&[&g, &dw]),
        )?;
    }
}

/// Nested accumulations: both loops fuse with their reverse.
#[grad]
fn batch_means(x: &[[f64; 4]], w: f64) -> f64 {
    let mut total = 0.0;
    for b in 0..x.len() {
        let mut bl = 0.0;
        for i in 0..4 {
            bl += (x[b][i] * w).sin();
        }
        total += bl * 0.25;
    }
    total
}

proptest! {
    #![proptest_config(config_cases(32))]

    #[test]
    fn fusion_at_two_levels(
        pts in proptest::collection::vec(floats::<4>(-2.0, 2.0), 0..5),
        w in -1.0..1.0f64,
        d in cotangent(),
    ) {
        let mut dp = vec![[0.0; 4]; pts.len()];
        let (v, dw) = batch_means_backward(&pts, &mut dp, w, d);
        prop_assert_eq!(v.to_bits(), batch_means(&pts, w).to_bits());
        let flat: Vec<f64> = pts.iter().flatten().copied().collect();
        let g: Vec<f64> = dp.iter().flatten().copied().collect();
        let m = flat.len();
        prop_fd(
            |p| d * batch_means(&p[..m].chunks(4).map(arr::<4>).collect::<Vec<_>>(), p[m]),
            &cat(&[&flat, &[w]]),
            &cat(&[&g, &[dw]]),
        )?;
    }
}
