//! Whole-array copies, swaps and snapshots: the patterns of physics steps, double
//! buffers and struct state (issue 10). Each function's gradient is checked
//! against central finite differences (relative 1e-6, absolute 1e-8), and its
//! value against the function itself.
//!
//! Every one of these once gave a wrong gradient with a right value: a loop's
//! carried arrays were moved one after the other instead of as a parallel copy,
//! and a copy of an array (a struct field, an assigned array) shared storage with
//! the original.
#![deny(warnings)]
#![allow(clippy::needless_range_loop)]

use autodiff::grad;

mod common;
use common::*;

// ---------------------------------------------------------------- carried arrays

/// `u = v` at the end of each iteration: x² + x after two steps.
#[grad]
pub fn copy_loop(x: f64) -> f64 {
    let mut u = [x, 1.0];
    let mut v = [0.0; 2];
    for _ in 0..2 {
        v[0] = u[0] * u[1];
        v[1] = u[0] + u[1];
        u = v;
    }
    u[0]
}

#[test]
fn copy_in_loop_is_x_squared_plus_x() {
    let (y, dx) = copy_loop_backward(0.7, 1.0);
    assert_bits(y, copy_loop(0.7), "value");
    assert_near(dx, 2.0 * 0.7 + 1.0, 1e-12, "d/dx (x² + x)");
    for x in [-1.3, 0.2, 2.5] {
        let (_, dx) = copy_loop_backward(x, 0.5);
        assert_fd(|p| copy_loop(p[0]) * 0.5, &[x], &[dx]);
    }
}

/// A swap through a temporary, once.
#[grad]
pub fn swap_once(x: f64) -> f64 {
    let mut u = [x, 0.0];
    let mut v = [0.0; 2];
    v[0] = u[0] * u[0];
    let tmp = u;
    u = v;
    v = tmp;
    u[0] + 0.5 * v[0]
}

#[test]
fn swap_through_a_temporary() {
    for x in [-0.8, 0.7, 1.9] {
        let (y, dx) = swap_once_backward(x, 1.0);
        assert_bits(y, swap_once(x), "value");
        assert_near(dx, 2.0 * x + 0.5, 1e-12, "d/dx (x² + x/2)");
    }
}

/// Velocity Verlet of a pendulum-like oscillator, the state kept as arrays:
/// `x_prev = x; x = x_new;` each step.
#[grad]
pub fn verlet(x0: [f64; 2], k: f64) -> f64 {
    let dt = 0.1;
    let mut x_prev = x0;
    let mut x = [x0[0] + 0.05, x0[1] - 0.02];
    let mut x_new = [0.0; 2];
    for _ in 0..8 {
        for i in 0..2 {
            x_new[i] = 2.0 * x[i] - x_prev[i] - dt * dt * k * x[i].sin();
        }
        x_prev = x;
        x = x_new;
    }
    x[0] * x[0] + 0.3 * x[1] + x_prev[0]
}

#[test]
fn verlet_position_history() {
    for p in [[0.3, -0.2, 1.5], [1.1, 0.4, 0.7], [-0.6, 0.9, 2.2]] {
        let (y, dx, dk) = verlet_backward([p[0], p[1]], p[2], 1.0);
        assert_bits(y, verlet([p[0], p[1]], p[2]), "value");
        assert_fd(|q| verlet([q[0], q[1]], q[2]), &p, &[dx[0], dx[1], dk]);
    }
}

/// Explicit Euler of a damped spring with a persistent `next` buffer, over a
/// run-time number of steps: `x = next;`.
#[grad]
pub fn euler_next(x0: [f64; 2], c: f64, steps: usize) -> f64 {
    let dt = 0.05;
    let mut x = x0;
    let mut next = [0.0; 2];
    for _ in 0..steps {
        next[0] = x[0] + dt * x[1];
        next[1] = x[1] - dt * (x[0] + c * x[1]);
        x = next;
    }
    x[0] + 2.0 * x[1]
}

#[test]
fn euler_with_a_next_buffer() {
    for steps in [1, 2, 10] {
        for p in [[0.3, -0.2, 0.5], [1.1, 0.4, 0.1]] {
            let (y, dx, dc) = euler_next_backward([p[0], p[1]], p[2], steps, 1.0);
            assert_bits(y, euler_next([p[0], p[1]], p[2], steps), "value");
            assert_fd(
                |q| euler_next([q[0], q[1]], q[2], steps),
                &p,
                &[dx[0], dx[1], dc],
            );
        }
    }
}

/// Double buffering by swapping in a `while` loop (a 3-point smoothing stencil).
#[grad]
pub fn smooth_while(x: [f64; 4], w: f64) -> f64 {
    let mut cur = x;
    let mut nxt = [0.0; 4];
    let mut k = 0;
    while k < 3 {
        for i in 0..4 {
            let l = if i > 0 { cur[i - 1] } else { cur[i] };
            let r = if i < 3 { cur[i + 1] } else { cur[i] };
            nxt[i] = w * cur[i] + 0.5 * (1.0 - w) * (l + r) + 0.1 * cur[i] * cur[i];
        }
        let tmp = cur;
        cur = nxt;
        nxt = tmp;
        k += 1;
    }
    cur[0] + 2.0 * cur[1] + 3.0 * cur[2] + 4.0 * cur[3] + nxt[2]
}

#[test]
fn swap_double_buffer_in_while() {
    for p in [[0.3, -0.2, 0.5, 0.9, 0.6], [1.1, 0.4, -0.1, 0.2, 0.3]] {
        let x = [p[0], p[1], p[2], p[3]];
        let (y, dx, dw) = smooth_while_backward(x, p[4], 1.0);
        assert_bits(y, smooth_while(x, p[4]), "value");
        assert_fd(
            |q| smooth_while([q[0], q[1], q[2], q[3]], q[4]),
            &p,
            &[dx[0], dx[1], dx[2], dx[3], dw],
        );
    }
}

/// Double buffering by swapping over a run-time trip count.
#[grad]
pub fn ping_pong(x: [f64; 3], n: usize) -> f64 {
    let mut a = x;
    let mut b = [0.0; 3];
    for _ in 0..n {
        for i in 0..3 {
            b[i] = (a[i] + a[(i + 1) % 3]).sin();
        }
        let t = a;
        a = b;
        b = t;
    }
    a[0] * b[1] + a[2]
}

#[test]
fn swap_double_buffer_with_run_time_trip_count() {
    for n in [0, 1, 2, 5] {
        let p = [0.4, -0.3, 0.8];
        let (y, dx) = ping_pong_backward(p, n, 1.0);
        assert_bits(y, ping_pong(p, n), "value");
        assert_fd(|q| ping_pong([q[0], q[1], q[2]], n), &p, &dx);
    }
}
