//! `match` and `matches!` (issue 12, point 3): on integers, `bool`s, `char`s,
//! ranges, tuples, with guards and bindings, as expressions (arms giving floats
//! or arrays) and as statements (arms assigning). Each gradient is checked
//! against central finite differences (relative 1e-6, absolute 1e-8).
#![deny(warnings)]
// The patterns are what is tested, where a method would do.
#![allow(clippy::manual_unwrap_or, clippy::manual_unwrap_or_default)]

use autodiff::grad;

mod common;
use common::*;

/// A piecewise activation chosen by an integer.
#[grad]
pub fn activation(x: f64, kind: u8) -> f64 {
    match kind {
        0 => x.max(0.0),
        1 | 2 => x.tanh() * f64::from(kind),
        3..=5 => 1.0 / (1.0 + (-x).exp()),
        _ => x,
    }
}

/// Arms that assign, with a guard on a float and a binding.
#[grad]
pub fn huber_steps(r: [f64; 4], delta: f64) -> f64 {
    let mut loss = 0.0;
    for &ri in r.iter() {
        match ri {
            v if v.abs() <= delta => loss += 0.5 * v * v,
            v => loss += delta * (v.abs() - 0.5 * delta),
        }
    }
    loss
}

/// A tuple scrutinee and array-valued arms.
#[grad]
pub fn stencil(x: [f64; 3], i: usize, periodic: bool) -> [f64; 2] {
    match (i, periodic) {
        (0, true) => [x[2] - x[0], x[1] - x[0]],
        (0, false) => [0.0, x[1] - x[0]],
        (n @ 1..=2, _) if n < 2 => [x[0] - x[1], x[2] - x[1]],
        _ => [x[1] - x[2], x[0] * x[2]],
    }
}

/// A `char` selector and `matches!`.
#[grad]
pub fn op(a: f64, b: f64, c: char) -> f64 {
    let y = match c {
        '+' => a + b,
        '*' => a * b,
        '-' => a - b,
        _ => a.hypot(b),
    };
    if matches!(c, '+' | '-') {
        y * 2.0
    } else {
        y
    }
}

#[test]
fn integer_or_and_range_patterns() {
    for kind in 0..7u8 {
        for x in [-0.7, 1.3] {
            let (y, dx) = activation_backward(x, kind, 1.0);
            assert_bits(y, activation(x, kind), "value");
            assert_fd(|p| activation(p[0], kind), &[x], &[dx]);
        }
    }
}

#[test]
fn guards_bindings_and_assigning_arms() {
    let p = [0.3, -2.1, 1.7, -0.2, 1.0];
    let (y, dr, dd) = huber_steps_backward(arr::<4>(&p), p[4], 1.0);
    assert_bits(y, huber_steps(arr::<4>(&p), p[4]), "value");
    let mut g = dr.to_vec();
    g.push(dd);
    assert_fd(|q| huber_steps(arr::<4>(q), q[4]), &p, &g);
}

#[test]
fn tuple_scrutinee_with_array_arms() {
    let x = [0.3, -2.1, 1.7];
    for i in 0..3 {
        for periodic in [true, false] {
            for (k, d) in [[1.0, 0.0], [0.0, 1.0]].into_iter().enumerate() {
                let (y, dx) = stencil_backward(x, i, periodic, d);
                assert_eq!(y, stencil(x, i, periodic));
                assert_fd(|q| stencil(arr::<3>(q), i, periodic)[k], &x, &dx);
            }
        }
    }
}

#[test]
fn char_patterns_and_matches() {
    for c in ['+', '*', '-', '/'] {
        let (y, da, db) = op_backward(0.8, -1.5, c, 1.0);
        assert_bits(y, op(0.8, -1.5, c), "value");
        assert_fd(|q| op(q[0], q[1], c), &[0.8, -1.5], &[da, db]);
    }
}

// ---------------------------------------------- Option and Result of data

/// `if let`, `let … else` with an early return, and a `match` with a guard on
/// an `Option` the caller passes as data.
#[grad]
pub fn option_power(x: f64, k: Option<usize>) -> f64 {
    let n = if let Some(n) = k { n } else { 3 };
    let Some(m) = k else { return x * x };
    match k {
        Some(j) if j > 2 => x.powi(j as i32 + n as i32 + m as i32),
        Some(_) => x.sin(),
        None => 0.0,
    }
}

/// `let … else { continue }` in a loop, `if let Ok(c)` with the content used
/// as a float, and a `match` on an `Option<f64>` with a literal inside.
#[grad(wrt(x))]
pub fn optional_scale(x: &[f64], w: Option<f64>, cap: Result<f64, String>) -> f64 {
    let mut s = 0.0;
    for v in x {
        let Some(scale) = w else { continue };
        s += scale * v * v;
    }
    if let Ok(c) = cap {
        s = s.min(c);
    }
    match w {
        Some(0.0) => s,
        Some(f) => s * f,
        None => s + 1.0,
    }
}

#[test]
fn option_and_result_of_data() {
    for k in [None, Some(1), Some(3)] {
        let (y, dx) = option_power_backward(0.7, k, 1.0);
        assert_eq!(y.to_bits(), option_power(0.7, k).to_bits());
        assert_fd(|q| option_power(q[0], k), &[0.7], &[dx]);
    }
    let x = [0.3, -1.2, 2.0];
    let cases = [
        (Some(0.5), Ok(1.0)),
        (None, Ok(10.0)),
        (Some(2.0), Err("none".to_string())),
        (Some(0.0), Ok(3.0)),
        (Some(0.5), Ok(100.0)),
    ];
    for (w, cap) in cases {
        let mut d = [0.0; 3];
        let y = optional_scale_backward(&x, &mut d, w, cap.clone(), 1.0);
        assert_eq!(y.to_bits(), optional_scale(&x, w, cap.clone()).to_bits());
        assert_fd(|q| optional_scale(q, w, cap.clone()), &x, &d);
    }
}

/// A `match` on the `Option` an integer method gives.
#[grad]
pub fn checked(x: f64, n: i32) -> f64 {
    match n.checked_sub(1) {
        Some(k) => x * f64::from(k),
        None => x,
    }
}

#[test]
fn option_of_an_integer_method() {
    for n in [i32::MIN, 0, 3] {
        let (y, dx) = checked_backward(0.7, n, 1.0);
        assert_eq!(y.to_bits(), checked(0.7, n).to_bits());
        assert_fd(|q| checked(q[0], n), &[0.7], &[dx]);
    }
}

// ---------------------------------------------- Option values of the body

/// A ray–sphere hit as `Option`: `None` in one branch, `Some(t)` in the other,
/// matched with a guard.
#[grad]
pub fn ray_sphere(o: [f64; 3], d: [f64; 3], r: f64) -> f64 {
    let b = o[0] * d[0] + o[1] * d[1] + o[2] * d[2];
    let c = o[0] * o[0] + o[1] * o[1] + o[2] * o[2] - r * r;
    let disc = b * b - c;
    let hit = if disc < 0.0 {
        None
    } else {
        Some(-b - disc.sqrt())
    };
    match hit {
        Some(t) if t > 0.0 => t,
        _ => -1.0,
    }
}

/// `Option`s carried by loops (annotated, and not), `is_none`, `let … else`
/// with an early return, `unwrap_or`, `if let`.
#[grad]
pub fn first_hit(x: &[f64], k: f64) -> f64 {
    let mut best: Option<f64> = None;
    for v in x {
        let y = v * k - 1.0;
        if y > 0.0 && best.is_none() {
            best = Some(y * y);
        }
    }
    let mut other = None;
    for v in x {
        if *v < 0.0 {
            other = Some(v.sin());
        }
    }
    let Some(b) = best else {
        return other.unwrap_or(0.5) * k;
    };
    if let Some(o) = other {
        b + o
    } else {
        b
    }
}

#[test]
fn options_built_in_the_body() {
    // A hit in front, a miss, a hit behind the origin.
    for (o, d, r) in [
        ([0.0, 0.0, -5.0], [0.0, 0.1, 1.0], 1.5),
        ([0.0, 3.0, -5.0], [0.0, 0.0, 1.0], 1.5),
        ([0.0, 0.0, 5.0], [0.0, 0.1, 1.0], 1.5),
    ] {
        let (y, dox, dd, dr) = ray_sphere_backward(o, d, r, 1.0);
        assert_eq!(y.to_bits(), ray_sphere(o, d, r).to_bits());
        let p = [o[0], o[1], o[2], d[0], d[1], d[2], r];
        let g = [dox[0], dox[1], dox[2], dd[0], dd[1], dd[2], dr];
        assert_fd(
            |q| ray_sphere([q[0], q[1], q[2]], [q[3], q[4], q[5]], q[6]),
            &p,
            &g,
        );
    }
    for x in [
        [0.3, -1.2, 2.0],
        [0.1, 0.2, 0.3],
        [-0.5, 0.2, -0.1],
        [0.9, 0.8, -0.3],
    ] {
        let mut d = [0.0; 3];
        let (y, dk) = first_hit_backward(&x, &mut d, 2.0, 1.0);
        assert_eq!(y.to_bits(), first_hit(&x, 2.0).to_bits());
        assert_fd(
            |q| first_hit(&q[..3], q[3]),
            &[x[0], x[1], x[2], 2.0],
            &[d[0], d[1], d[2], dk],
        );
    }
}

/// A `Result` tested by two patterns and an `Option` read twice by
/// `unwrap_or`: each use reads the parameter (the random programs' p189).
#[grad(wrt(x))]
pub fn data_read_twice(x: f64, cap: Result<f64, String>, k: Option<usize>) -> f64 {
    let mut v = x * x;
    if let Ok(c) = cap {
        v *= c;
    }
    if let Ok(c) = cap {
        v += c;
    }
    let n = k.unwrap_or(2) + k.unwrap_or(3);
    v * n as f64
}

#[test]
fn data_read_twice_is_not_moved() {
    for (cap, k) in [(Ok(2.0), Some(1)), (Err("e".to_string()), None)] {
        let (y, dx) = data_read_twice_backward(1.5, cap.clone(), k, 1.0);
        assert_eq!(y.to_bits(), data_read_twice(1.5, cap.clone(), k).to_bits());
        assert_fd(|q| data_read_twice(q[0], cap.clone(), k), &[1.5], &[dx]);
    }
}

/// Data unwrapped by `let … else { continue }`, then multiplied by a sum that
/// starts with a float literal: the literal is not read as an integer (the
/// unwrapped value's type comes from its use; random programs p189 and p363 of
/// seed 1004).
#[grad(wrt(x))]
pub fn unwrapped_times_sum(x: &[f64], w: Option<f64>) -> f64 {
    let mut acc = 0.0;
    for v in x.iter() {
        let Some(m) = w else { continue };
        acc += m * (-1.05 + v);
    }
    acc.sin()
}

#[test]
fn unwrapped_data_times_a_literal_sum() {
    let x = [0.3, -1.2, 2.0];
    for w in [Some(0.7), None] {
        let mut d = [0.0; 3];
        let y = unwrapped_times_sum_backward(&x, &mut d, w, 1.0);
        assert_eq!(y.to_bits(), unwrapped_times_sum(&x, w).to_bits());
        assert_fd(|q| unwrapped_times_sum(q, w), &x, &d);
    }
}

#[derive(Clone, Copy, Default, Debug, PartialEq, autodiff::Tangent)]
pub struct Mass {
    pub m: f64,
    pub pos: [f64; 2],
}

/// A struct field read first as `st.m * f` with `f` unwrapped data: both typed
/// by a guess, the product is a float (random program p244 of seed 1010).
#[grad(wrt(st))]
pub fn field_times_data(st: Mass, w: Option<f64>) -> f64 {
    let v: f64 = if let Some(f) = w {
        st.m * f
    } else {
        (-2.1 + st.pos[0]).tanh()
    };
    v * st.pos[1]
}

#[test]
fn a_field_times_unwrapped_data() {
    let st = Mass {
        m: 1.3,
        pos: [0.4, -0.7],
    };
    for w in [Some(0.6), None] {
        let (y, g) = field_times_data_backward(st, w, 1.0);
        assert_eq!(y.to_bits(), field_times_data(st, w).to_bits());
        let at = |q: &[f64]| Mass {
            m: q[0],
            pos: [q[1], q[2]],
        };
        assert_fd(
            |q| field_times_data(at(q), w),
            &[1.3, 0.4, -0.7],
            &[g.m, g.pos[0], g.pos[1]],
        );
    }
}
