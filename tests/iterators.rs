//! Iterator chains as people write them (issue 12, point 1): `rev`, `skip`,
//! `take`, `step_by`, `map` in loops and anywhere in a chain, ranges as sources
//! (`(0..n).map(|i| …).sum()`), `.sum::<f64>()`, function paths (`.map(f64::exp)`,
//! `.fold(f64::NEG_INFINITY, f64::max)`), `max_by`/`min_by` with the float order,
//! `reduce`. Each function's value is checked against the function itself and its
//! gradient against central finite differences (relative 1e-6, absolute 1e-8).
#![deny(warnings)]

use autodiff::grad;

mod common;
use common::*;

/// Horner's scheme over the coefficients backwards.
#[grad]
pub fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for &ci in c.iter().rev() {
        acc = acc * x + ci;
    }
    acc
}

/// A discounted return, computed backwards over indices: `for t in (0..n).rev()`.
#[grad]
pub fn discounted(r: &[f64], gamma: f64) -> f64 {
    let mut g = 0.0;
    for t in (0..r.len()).rev() {
        g = r[t] + gamma * g;
    }
    g
}

/// `(0..n).map(|i| …).sum()` and `.sum::<f64>()` with a turbofish.
#[grad]
pub fn weighted(x: &[f64]) -> f64 {
    let s: f64 = (0..x.len()).map(|i| x[i] * (i as f64 + 1.0)).sum();
    let t = (1..=3).map(|k| x[k - 1].powi(2)).sum::<f64>();
    s + t
}

/// A stable log-sum-exp with `fold(f64::NEG_INFINITY, f64::max)` and `map(f64::exp)`.
#[grad]
pub fn lse(x: &[f64]) -> f64 {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let z: f64 = x.iter().map(|v| v - m).map(f64::exp).sum();
    m + z.ln()
}

/// `max_by` / `min_by` with the float order, either way round, and `reduce`.
#[grad]
pub fn spread(x: &[f64]) -> f64 {
    let hi = x.iter().copied().max_by(|a, b| a.total_cmp(b)).unwrap();
    let lo = x
        .iter()
        .copied()
        .min_by(|a, b| a.partial_cmp(b).unwrap())
        .unwrap();
    // The reversed order: the maximum of the negated values is −min.
    let nlo = x
        .iter()
        .map(|v| -v)
        .max_by(|a, b| b.total_cmp(a))
        .expect("not empty");
    let prod = x.iter().copied().reduce(|a, b| a * b).unwrap();
    (hi - lo) * 2.0 + nlo + prod
}

/// `skip`, `take`, `step_by`, `zip` and `enumerate` combined.
#[grad]
pub fn strided(x: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, (a, b)) in x.iter().zip(w.iter()).enumerate().skip(1).step_by(2) {
        s += a * b * (i as f64);
    }
    let head: f64 = x.iter().take(2).map(|v| v * v).sum();
    let tail: f64 = x
        .iter()
        .skip(2)
        .rev()
        .enumerate()
        .map(|(k, v)| v * k as f64)
        .sum();
    s + head + tail
}

/// Finite differences of a sequence: pairs through `zip(skip(1))`.
#[grad]
pub fn total_variation(x: &[f64]) -> f64 {
    x.iter()
        .zip(x.iter().skip(1))
        .map(|(a, b)| ((b - a) * (b - a) + 1e-3).sqrt())
        .sum()
}

/// A `map` in a `for` loop.
#[grad]
pub fn mapped_loop(x: [f64; 4]) -> f64 {
    let mut s = 0.0;
    for v in x.iter().map(|v| v * 2.0) {
        s += v.sin();
    }
    s
}

/// Three arrays zipped: `((a, b), c)`.
#[grad]
pub fn triple(x: &[f64], y: &[f64], z: &[f64]) -> f64 {
    let mut s = 0.0;
    for ((a, b), c) in x.iter().zip(y.iter()).zip(z.iter()) {
        s += a * b * c;
    }
    s
}

#[grad]
fn sq(v: f64) -> f64 {
    v * v
}

/// A `#[grad]` function by path in `map`.
#[grad]
pub fn sum_sq(x: &[f64]) -> f64 {
    x.iter().copied().map(sq).sum()
}

fn check_slice(f: fn(&[f64]) -> f64, g: fn(&[f64], &mut [f64], f64) -> f64, x: &[f64]) {
    let mut dx = vec![0.0; x.len()];
    let y = g(x, &mut dx, 1.0);
    assert_bits(y, f(x), "value");
    assert_fd(f, x, &dx);
}

#[test]
fn reversed_chains_and_ranges() {
    let c = [0.5, -1.2, 0.3, 2.0];
    for x in [0.7, -1.3] {
        let mut dc = [0.0; 4];
        let (y, dx) = horner_backward(&c, &mut dc, x, 1.0);
        assert_bits(y, horner(&c, x), "value");
        let mut g = dc.to_vec();
        g.push(dx);
        assert_fd(|p| horner(&p[..4], p[4]), &cat(&[&c, &[x]]), &g);
    }
    let r = [1.0, -0.5, 2.0, 0.25];
    let mut dr = [0.0; 4];
    let (y, dg) = discounted_backward(&r, &mut dr, 0.9, 1.0);
    assert_bits(y, discounted(&r, 0.9), "value");
    let mut g = dr.to_vec();
    g.push(dg);
    assert_fd(|p| discounted(&p[..4], p[4]), &cat(&[&r, &[0.9]]), &g);
}

#[test]
fn range_sources_function_paths_and_extrema() {
    let x = [0.3, -1.1, 2.2, 0.7, -0.4];
    check_slice(weighted, weighted_backward, &x);
    check_slice(lse, lse_backward, &x);
    check_slice(spread, spread_backward, &x);
    check_slice(total_variation, total_variation_backward, &x);
    check_slice(sum_sq, sum_sq_backward, &x);
    // The gradient of log-sum-exp is the softmax.
    let mut dx = [0.0; 5];
    lse_backward(&x, &mut dx, 1.0);
    let z: f64 = x.iter().map(|v| v.exp()).sum();
    for i in 0..5 {
        assert_near(dx[i], x[i].exp() / z, 1e-12, "softmax");
    }
}

#[test]
fn skip_take_step_by_zip_enumerate() {
    let x = [0.3, -1.1, 2.2, 0.7, -0.4, 1.5];
    let w = [1.0, 0.5, -0.25, 2.0, 0.75];
    let (mut dx, mut dw) = ([0.0; 6], [0.0; 5]);
    let y = strided_backward(&x, &mut dx, &w, &mut dw, 1.0);
    assert_bits(y, strided(&x, &w), "value");
    let mut g = dx.to_vec();
    g.extend(dw);
    assert_fd(|p| strided(&p[..6], &p[6..]), &cat(&[&x, &w]), &g);
}

#[test]
fn map_in_a_for_loop() {
    let x = [0.3, -1.1, 2.2, 0.7];
    let (y, dx) = mapped_loop_backward(x, 1.0);
    assert_bits(y, mapped_loop(x), "value");
    assert_fd(|p| mapped_loop(arr::<4>(p)), &x, &dx);
}

#[test]
fn three_arrays_zipped() {
    let (x, y, z) = ([0.3, -1.1, 2.2], [1.0, 0.5, -0.25, 9.0], [2.0, -0.5, 0.75]);
    let (mut dx, mut dy, mut dz) = ([0.0; 3], [0.0; 4], [0.0; 3]);
    let v = triple_backward(&x, &mut dx, &y, &mut dy, &z, &mut dz, 1.0);
    assert_bits(v, triple(&x, &y, &z), "value");
    let mut g = dx.to_vec();
    g.extend(dy);
    g.extend(dz);
    assert_fd(
        |p| triple(&p[..3], &p[3..7], &p[7..]),
        &cat(&[&x, &y, &z]),
        &g,
    );
}

/// A range of literals with index adapters: its items index an array.
#[grad]
pub fn literal_range(x: &[f64]) -> f64 {
    let a: f64 = (0..2).take(1).map(|k| x[k].tanh() + k as f64).sum();
    let b: f64 = (1..=3).skip(1).map(|k| x[k] * x[k - 1]).sum();
    a + b
}

#[test]
fn literal_ranges_with_adapters() {
    let x = [0.3, -1.1, 2.2, 0.7];
    let mut dx = [0.0; 4];
    let y = literal_range_backward(&x, &mut dx, 1.0);
    assert_bits(y, literal_range(&x), "value");
    assert_fd(literal_range, &x, &dx);
}

/// Adapters over literal ranges and a fixed array whose lengths fold to
/// constants: `rev().rev()`, `step_by(2).skip(2)`, `map(…).reduce(…)`.
#[grad]
pub fn folded_lengths(a: [f64; 4], x: f64) -> f64 {
    let s: f64 = a.iter().cloned().step_by(2).skip(1).map(|v| v * x).sum();
    let t: f64 = (0..3).rev().rev().map(|k| a[k] * x.sin()).sum();
    let u = (0..3).map(|k| a[k] * x * x).reduce(|p, q| p + q).unwrap();
    s + t + u
}

#[test]
fn adapters_with_folded_lengths() {
    let p = [1.0, -2.0, 3.0, 0.5, 0.7];
    let (y, da, dx) = folded_lengths_backward(arr::<4>(&p), p[4], 1.0);
    assert_bits(y, folded_lengths(arr::<4>(&p), p[4]), "value");
    let mut g = da.to_vec();
    g.push(dx);
    assert_fd(|q| folded_lengths(arr::<4>(q), q[4]), &p, &g);
}

// ------------------------------------------- fold with a tuple, filter, count,
// any, all, position, iter_mut

/// Mean and variance in one pass: `fold` with a tuple accumulator.
#[grad]
pub fn variance(x: &[f64]) -> f64 {
    let (s, s2) = x.iter().fold((0.0, 0.0), |(s, s2), v| (s + v, s2 + v * v));
    let n = x.len() as f64;
    s2 / n - (s / n) * (s / n)
}

/// Welford's online mean and M2, the accumulator a tuple of a count and floats.
#[grad]
pub fn welford(x: &[f64]) -> f64 {
    let (_, _, m2) = x.iter().fold((0usize, 0.0, 0.0), |(n, mean, m2), &v| {
        let n = n + 1;
        let d = v - mean;
        let mean = mean + d / n as f64;
        (n, mean, m2 + d * (v - mean))
    });
    m2 / (x.len() - 1) as f64
}

/// A hinge loss over the margins that are violated, counted: `filter`, `map`,
/// `sum`, `count`, with the predicate reading a parameter.
#[grad]
pub fn hinge(margins: &[f64], slack: f64) -> f64 {
    let violated = margins.iter().filter(|m| **m < slack).count();
    let loss: f64 = margins
        .iter()
        .filter(|&&m| m < slack)
        .map(|m| (slack - m).powi(2))
        .sum();
    loss / (violated.max(1) as f64)
}

/// `any`, `all` and `position` are inactive: they choose what is computed.
#[grad]
pub fn first_above(x: &[f64], t: f64) -> f64 {
    if x.iter().all(|v| v.is_finite()) && !x.iter().any(|v| *v < -10.0) {
        let i = x.iter().position(|&v| v > t).unwrap_or(0);
        let j = x.iter().position(|v| *v > t).unwrap();
        x[i] * t + x[j].sin()
    } else {
        0.0
    }
}

/// Writing through `iter_mut` (zipped, enumerated, skipped) into a local array.
#[grad]
pub fn through_iter_mut(x: [f64; 4]) -> f64 {
    let mut y = [0.0; 4];
    for (o, xi) in y.iter_mut().zip(x.iter()) {
        *o = xi.tanh();
    }
    for o in y.iter_mut() {
        *o *= 2.0;
        *o += *o * *o;
    }
    for (i, o) in y.iter_mut().enumerate().skip(1) {
        *o -= 0.1 * i as f64 * x[i - 1];
    }
    y.iter().sum()
}

/// Gradient descent on a `Vec` copy of the data, the update written with
/// `iter_mut` (a loop inside a loop, both carrying `w`).
#[grad]
pub fn sgd_steps(x: &[f64], lr: f64) -> f64 {
    let mut w = x.to_vec();
    for _ in 0..3 {
        for (wi, xi) in w.iter_mut().zip(x) {
            let g = 2.0 * (*wi - xi * 0.5);
            *wi -= lr * g;
        }
    }
    w.iter().map(|v| v * v).sum()
}

#[test]
fn folds_with_tuples_filters_and_inactive_reductions() {
    let x = [0.3, -1.2, 2.0, 0.7, 1.1];
    let mut d = [0.0; 5];
    let y = variance_backward(&x, &mut d, 1.0);
    assert_eq!(y.to_bits(), variance(&x).to_bits());
    assert_fd(variance, &x, &d);

    let mut d = [0.0; 5];
    let y = welford_backward(&x, &mut d, 1.0);
    assert_eq!(y.to_bits(), welford(&x).to_bits());
    assert_fd(welford, &x, &d);

    // Slack between the margins, so that no margin sits at the kink.
    for slack in [0.5, 1.5, -2.0] {
        let mut d = [0.0; 5];
        let (y, ds) = hinge_backward(&x, &mut d, slack, 1.0);
        assert_eq!(y.to_bits(), hinge(&x, slack).to_bits());
        let mut g = d.to_vec();
        g.push(ds);
        let mut p = x.to_vec();
        p.push(slack);
        assert_fd(|q| hinge(&q[..5], q[5]), &p, &g);
    }

    for t in [0.5, 1.5, -5.0] {
        let mut d = [0.0; 5];
        let (y, dt) = first_above_backward(&x, &mut d, t, 1.0);
        assert_eq!(y.to_bits(), first_above(&x, t).to_bits());
        let mut g = d.to_vec();
        g.push(dt);
        let mut p = x.to_vec();
        p.push(t);
        assert_fd(|q| first_above(&q[..5], q[5]), &p, &g);
    }
}

#[test]
fn writing_through_iter_mut() {
    let x = [0.3, -1.2, 2.0, 0.7];
    let (y, d) = through_iter_mut_backward(x, 1.0);
    assert_eq!(y.to_bits(), through_iter_mut(x).to_bits());
    assert_fd(|q| through_iter_mut([q[0], q[1], q[2], q[3]]), &x, &d);

    let mut d = [0.0; 4];
    let (y, dlr) = sgd_steps_backward(&x, &mut d, 0.1, 1.0);
    assert_eq!(y.to_bits(), sgd_steps(&x, 0.1).to_bits());
    let mut g = d.to_vec();
    g.push(dlr);
    assert_fd(
        |q| sgd_steps(&q[..4], q[4]),
        &[0.3, -1.2, 2.0, 0.7, 0.1],
        &g,
    );
}

/// `for` over a filtered chain, with a `map` after the filter, a `continue` and
/// a `break` inside: only the items the filter keeps run the body.
#[grad]
pub fn positive_logs(x: &[f64], cap: f64) -> f64 {
    let mut s = 0.0;
    for v in x.iter().filter(|v| **v > 0.0) {
        s += v.ln();
    }
    for (i, w) in x
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(i, v)| (i, v * cap))
    {
        if w < -1.0 {
            continue;
        }
        s += w.tanh() * i as f64;
        if s > 1.0 {
            break;
        }
    }
    s
}

#[test]
fn for_loops_over_filtered_chains() {
    let x = [0.3, -1.2, 2.0, 0.7, -0.4, 1.5];
    for cap in [0.5, 2.0, -1.5] {
        let mut d = [0.0; 6];
        let (y, dc) = positive_logs_backward(&x, &mut d, cap, 1.0);
        assert_eq!(y.to_bits(), positive_logs(&x, cap).to_bits());
        let mut g = d.to_vec();
        g.push(dc);
        let mut p = x.to_vec();
        p.push(cap);
        assert_fd(|q| positive_logs(&q[..6], q[6]), &p, &g);
    }
}

/// A linear recurrence folded with an array accumulator (a GRU-like state of
/// two numbers carried through `fold`).
#[grad]
pub fn fold_state(xs: &[f64], k: f64) -> f64 {
    let h = xs
        .iter()
        .fold([0.0; 2], |h, x| [(h[1] + k * x).tanh(), h[0] * 0.5 + x]);
    h[0] * h[1] + h[0]
}

#[test]
fn fold_with_an_array_accumulator() {
    let xs = [0.3, -1.2, 0.8, 0.5];
    for k in [0.7, -1.4] {
        let mut dxs = [0.0; 4];
        let (v, dk) = fold_state_backward(&xs, &mut dxs, k, 1.0);
        assert_eq!(v, fold_state(&xs, k));
        let mut x = xs.to_vec();
        x.push(k);
        let mut g = dxs.to_vec();
        g.push(dk);
        common::assert_fd(|p| fold_state(&p[..4], p[4]), &x, &g);
    }
}

/// A recurrent cell as a `#[grad]` function, folded over a sequence.
#[grad]
pub fn cell(h: [f64; 2], k: f64, x: f64) -> [f64; 2] {
    [(h[1] + k * x).tanh(), h[0] * 0.5]
}

#[grad]
pub fn fold_cell(xs: &[f64], k: f64) -> f64 {
    let h = xs.iter().fold([0.0; 2], |h, x| cell(h, k, *x));
    h[0] + h[1]
}

#[test]
fn fold_with_an_array_accumulator_through_a_call() {
    let xs = [0.3, -1.2, 0.8, 0.5];
    for k in [0.7, -1.4] {
        let mut dxs = [0.0; 4];
        let (v, dk) = fold_cell_backward(&xs, &mut dxs, k, 1.0);
        assert_eq!(v, fold_cell(&xs, k));
        let mut x = xs.to_vec();
        x.push(k);
        let mut g = dxs.to_vec();
        g.push(dk);
        common::assert_fd(|p| fold_cell(&p[..4], p[4]), &x, &g);
    }
}
