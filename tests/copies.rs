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
// Swaps through a temporary are what many users write; `std::mem::swap` is
// tested beside them.
#![allow(clippy::needless_range_loop, clippy::manual_swap)]

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

/// Double buffering by `std::mem::swap` over a run-time trip count.
#[grad]
pub fn ping_pong(x: [f64; 3], n: usize) -> f64 {
    let mut a = x;
    let mut b = [0.0; 3];
    for _ in 0..n {
        for i in 0..3 {
            b[i] = (a[i] + a[(i + 1) % 3]).sin();
        }
        std::mem::swap(&mut a, &mut b);
    }
    a[0] * b[1] + a[2]
}

#[test]
fn mem_swap_double_buffer_with_run_time_trip_count() {
    for n in [0, 1, 2, 5] {
        let p = [0.4, -0.3, 0.8];
        let (y, dx) = ping_pong_backward(p, n, 1.0);
        assert_bits(y, ping_pong(p, n), "value");
        assert_fd(|q| ping_pong([q[0], q[1], q[2]], n), &p, &dx);
    }
}

// ---------------------------------------------------------------- scratch states

/// Classical Runge–Kutta with one scratch state reset from `y` for each stage.
#[grad]
pub fn rk4(y0: [f64; 2], w: f64) -> f64 {
    let h = 0.1;
    let mut y = y0;
    for _ in 0..5 {
        let k1 = [y[1], -w * y[0]];
        let mut tmp = y;
        for i in 0..2 {
            tmp[i] += 0.5 * h * k1[i];
        }
        let k2 = [tmp[1], -w * tmp[0]];
        tmp = y;
        for i in 0..2 {
            tmp[i] += 0.5 * h * k2[i];
        }
        let k3 = [tmp[1], -w * tmp[0]];
        tmp = y;
        for i in 0..2 {
            tmp[i] += h * k3[i];
        }
        let k4 = [tmp[1], -w * tmp[0]];
        for i in 0..2 {
            y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    y[0]
}

/// The best iterate so far, snapshotted inside an `if`.
#[grad]
pub fn best(x: [f64; 3], c: f64) -> f64 {
    let mut best = x;
    let mut cur = x;
    let mut best_f = 1e9;
    for k in 0..4 {
        for i in 0..3 {
            cur[i] = cur[i] - 0.1 * (cur[i] - c) * (k as f64 + 1.0);
        }
        let f = cur[0] * cur[0] + cur[1] * cur[1] + cur[2];
        if f < best_f {
            best_f = f;
            best = cur;
        }
    }
    best[0] + 2.0 * best[1] + best[2] * best_f
}

/// A swap under a condition, then both arrays updated.
#[grad]
pub fn cond_swap(a0: [f64; 2], b0: [f64; 2], t: f64) -> f64 {
    let mut a = a0;
    let mut b = b0;
    for _ in 0..3 {
        if a[0] > t {
            let s = a;
            a = b;
            b = s;
        }
        a[1] += b[0] * 0.5;
        b[0] *= 1.1;
    }
    a[0] * a[1] + b[0] - b[1]
}

/// A history of states: each stored as a row before the state moves on.
#[grad]
pub fn hist(x: [f64; 3]) -> f64 {
    let mut h = [[0.0; 3]; 4];
    let mut s = x;
    for k in 0..4 {
        h[k] = s;
        for i in 0..3 {
            s[i] = (s[i] + s[(i + 1) % 3]).tanh();
        }
    }
    let mut tot = 0.0;
    for k in 0..4 {
        tot += h[k][k % 3] * (k as f64 + 1.0);
    }
    tot + s[0]
}

#[test]
fn runge_kutta_stages_from_one_scratch_state() {
    let p = [0.3, -0.4, 1.7];
    let (y, dy, dw) = rk4_backward([p[0], p[1]], p[2], 1.0);
    assert_bits(y, rk4([p[0], p[1]], p[2]), "value");
    assert_fd(|q| rk4([q[0], q[1]], q[2]), &p, &[dy[0], dy[1], dw]);
}

#[test]
fn best_iterate_snapshot_in_an_if() {
    let p = [0.3, -0.4, 0.9, 0.2];
    let (y, dx, dc) = best_backward([p[0], p[1], p[2]], p[3], 1.0);
    assert_bits(y, best([p[0], p[1], p[2]], p[3]), "value");
    assert_fd(
        |q| best([q[0], q[1], q[2]], q[3]),
        &p,
        &[dx[0], dx[1], dx[2], dc],
    );
}

#[test]
fn conditional_swap_then_updates() {
    for p in [[0.3, -0.4, 0.9, 0.2, 0.5], [0.8, -0.4, 0.9, 0.2, 0.5]] {
        let (y, da, db, dt) = cond_swap_backward([p[0], p[1]], [p[2], p[3]], p[4], 1.0);
        assert_bits(y, cond_swap([p[0], p[1]], [p[2], p[3]], p[4]), "value");
        assert_fd(
            |q| cond_swap([q[0], q[1]], [q[2], q[3]], q[4]),
            &p,
            &[da[0], da[1], db[0], db[1], dt],
        );
    }
}

#[test]
fn history_of_states_as_rows() {
    let p = [0.3, -0.4, 0.9];
    let (y, dx) = hist_backward(p, 1.0);
    assert_bits(y, hist(p), "value");
    assert_fd(|q| hist([q[0], q[1], q[2]]), &p, &dx);
}

// ---------------------------------------------------------------- struct fields

use autodiff::Tangent;

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Body {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
}

/// A snapshot of a field, then the field updated: the snapshot keeps the old value.
#[grad]
pub fn moved(mut b: Body, dt: f64) -> f64 {
    let start = b.pos;
    b.pos[0] += b.vel[0] * dt;
    b.pos[1] += b.vel[1] * dt * b.pos[0];
    (b.pos[0] - start[0]) * (b.pos[1] - start[1]) + start[0]
}

fn body(q: &[f64]) -> Body {
    Body {
        pos: [q[0], q[1]],
        vel: [q[2], q[3]],
    }
}

#[test]
fn snapshot_of_a_field_then_the_field_updated() {
    let b = body(&[0.5, -0.3, 3.0, 1.2]);
    let (y, db, ddt) = moved_backward(b, 0.5, 1.0);
    assert_bits(y, moved(b, 0.5), "value");
    let p = [0.5, -0.3, 3.0, 1.2, 0.5];
    assert_fd(
        |q| moved(body(q), q[4]),
        &p,
        &[db.pos[0], db.pos[1], db.vel[0], db.vel[1], ddt],
    );
    // The reproducer: moved(b, 0.5)'s first term is 1.5 · …, and the
    // gradient of `start[0]` is not lost.
    assert!(db.pos[0] != 0.0);
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct World {
    pub body: Body,
    pub g: f64,
}

/// A snapshot of a nested field, then several steps that update it.
#[grad]
pub fn fall(mut w: World, dt: f64) -> f64 {
    let start = w.body.pos;
    for _ in 0..3 {
        w.body.vel[1] -= w.g * dt;
        w.body.pos[0] += w.body.vel[0] * dt;
        w.body.pos[1] += w.body.vel[1] * dt;
    }
    let dx = w.body.pos[0] - start[0];
    let dy = w.body.pos[1] - start[1];
    dx * dx + dy * dy
}

#[test]
fn snapshot_of_a_nested_field() {
    let p = [0.5, -0.3, 3.0, 1.2, 9.81, 0.1];
    let world = |q: &[f64]| World {
        body: body(q),
        g: q[4],
    };
    let (y, dw, ddt) = fall_backward(world(&p), p[5], 1.0);
    assert_bits(y, fall(world(&p), p[5]), "value");
    assert_fd(
        |q| fall(world(q), q[5]),
        &p,
        &[
            dw.body.pos[0],
            dw.body.pos[1],
            dw.body.vel[0],
            dw.body.vel[1],
            dw.g,
            ddt,
        ],
    );
}

/// A local copy of a field of a `&` struct, updated: `let mut out: [f64; 2] = p.vel;`.
#[grad]
pub fn kick(p: &Body, f: [f64; 2]) -> f64 {
    let mut out: [f64; 2] = p.vel;
    for i in 0..2 {
        out[i] += f[i] * p.pos[i];
    }
    out[0] * out[1] + p.vel[0]
}

#[test]
fn copy_of_a_field_of_a_reference() {
    let p = [0.5, -0.3, 3.0, 1.2, 0.7, -1.1];
    let b = body(&p);
    let mut db = Body::default();
    let (y, df) = kick_backward(&b, &mut db, [p[4], p[5]], 1.0);
    assert_bits(y, kick(&b, [p[4], p[5]]), "value");
    assert_fd(
        |q| kick(&body(q), [q[4], q[5]]),
        &p,
        &[db.pos[0], db.pos[1], db.vel[0], db.vel[1], df[0], df[1]],
    );
}

impl Body {
    /// The same through `&self`: the pattern the error for an unannotated field
    /// read suggests.
    #[grad(wrt(self, dt))]
    pub fn advanced(&self, dt: f64) -> f64 {
        let mut out: [f64; 2] = self.pos;
        for i in 0..2 {
            out[i] += self.vel[i] * dt;
        }
        out[0] * out[0] + out[1] - self.pos[1]
    }
}

#[test]
fn copy_of_a_field_of_self() {
    let p = [0.5, -0.3, 3.0, 1.2, 0.25];
    let b = body(&p);
    let mut db = Body::default();
    let (y, ddt) = b.advanced_backward(&mut db, p[4], 1.0);
    assert_bits(y, b.advanced(p[4]), "value");
    assert_fd(
        |q| body(q).advanced(q[4]),
        &p,
        &[db.pos[0], db.pos[1], db.vel[0], db.vel[1], ddt],
    );
}

/// An array assigned to another, then the original updated in a loop: `u = v`
/// outside any loop, `v` carried afterwards.
#[grad]
pub fn assigned_then_updated(x: [f64; 3]) -> f64 {
    let mut v = x;
    let mut u = [0.0; 3];
    u[1] = v[2];
    let w = u[1];
    u = v;
    for i in 0..3 {
        v[i] = v[i] * v[i] + u[i];
    }
    u[0] + 2.0 * v[0] + v[1] * u[2] + w
}

#[test]
fn assignment_then_the_source_updated() {
    let p = [0.5, -0.3, 1.2];
    let (y, dx) = assigned_then_updated_backward(p, 1.0);
    assert_bits(y, assigned_then_updated(p), "value");
    assert_fd(|q| assigned_then_updated([q[0], q[1], q[2]]), &p, &dx);
}

// ---------------------------------------------------------------- aliased arguments

#[grad]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// The same slice twice: both shadows are the caller's one buffer, so the second
/// goes through scratch and is added in.
#[grad]
pub fn norm2(x: &[f64]) -> f64 {
    dot(x, x) + x[0]
}

#[test]
fn same_slice_passed_twice() {
    let x = [1.0, -2.0, 3.0];
    let mut dx = [0.5, 0.5, 0.5];
    let y = norm2_backward(&x, &mut dx, 1.0);
    assert_bits(y, norm2(&x), "value");
    // Added into what the shadow held: 0.5 + 2x (+ 1 for x[0]).
    assert_eq!(dx, [3.5, -3.5, 6.5]);
}

#[grad]
pub fn dot2(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// The same fixed-size array twice, and a row of a 2-D array twice.
#[grad]
pub fn gram(m: [[f64; 2]; 2]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        s += dot2(&m[i], &m[i]) * dot2(&m[0], &m[1]);
    }
    s
}

#[test]
fn same_array_and_same_row_passed_twice() {
    let p = [0.3, -1.2, 0.8, 0.5];
    let m = arr2::<2, 2>(&p);
    let (y, dm) = gram_backward(m, 1.0);
    assert_bits(y, gram(m), "value");
    assert_fd(|q| gram(arr2::<2, 2>(q)), &p, &flat2(&dm));
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Deep {
    pub w: [[f64; 2]; 3],
    pub b: [f64; 3],
}

#[grad]
pub fn affine(w: &[f64; 2], b: f64, h: [f64; 2]) -> f64 {
    (w[0] * h[0] + w[1] * h[1] + b).tanh()
}

/// A row of a 2-D struct field passed on by `&` in a loop.
#[grad]
pub fn deep(p: &Deep, x: [f64; 2]) -> f64 {
    let mut h = x;
    for l in 0..3 {
        let y = affine(&p.w[l], p.b[l], h);
        h = [y, h[0] * y];
    }
    h[0] + h[1]
}

#[test]
fn row_of_a_struct_field_passed_by_reference() {
    let p = [0.3, -1.2, 0.8, 0.5, -0.4, 0.9, 0.1, 0.2, -0.3, 0.7, -0.6];
    let net = |q: &[f64]| Deep {
        w: arr2::<2, 3>(q),
        b: arr::<3>(&q[6..]),
    };
    let mut dp = Deep::default();
    let (y, dx) = deep_backward(&net(&p), &mut dp, [p[9], p[10]], 1.0);
    assert_bits(y, deep(&net(&p), [p[9], p[10]]), "value");
    let mut g = flat2(&dp.w);
    g.extend(dp.b);
    g.extend(dx);
    assert_fd(|q| deep(&net(q), [q[9], q[10]]), &p, &g);
}

/// `std::mem::replace` keeps the old state and installs the new one.
#[grad]
pub fn replace_state(x: [f64; 2], k: f64) -> f64 {
    let mut state = x;
    let mut prev = [0.0; 2];
    for _ in 0..3 {
        let next = [state[0] + k * state[1], state[1] - k * state[0].sin()];
        prev = std::mem::replace(&mut state, next);
    }
    state[0] * prev[1] + state[1]
}

#[test]
fn mem_replace_in_a_loop() {
    let p = [0.4, -0.3, 0.25];
    let (y, dx, dk) = replace_state_backward([p[0], p[1]], p[2], 1.0);
    assert_bits(y, replace_state([p[0], p[1]], p[2]), "value");
    assert_fd(
        |q| replace_state([q[0], q[1]], q[2]),
        &p,
        &[dx[0], dx[1], dk],
    );
}

/// A local copy of a struct parameter, updated field by field in a loop, while
/// the parameter keeps its value (a damped spring, semi-implicit Euler).
#[grad]
pub fn spring_copy(s: Body, k: f64, c: f64) -> f64 {
    let mut st = s;
    for _ in 0..20 {
        for d in 0..2 {
            let a = -k * st.pos[d] - c * st.vel[d];
            st.vel[d] += a * 0.05;
            st.pos[d] += st.vel[d] * 0.05;
        }
    }
    (st.pos[0] - s.pos[0]).powi(2) + st.pos[1] * s.vel[1]
}

/// A copy of a `mut` struct parameter taken after the parameter changed, then
/// both changed again: each keeps its own values.
#[grad]
pub fn two_states(mut b: Body, dt: f64) -> f64 {
    b.pos[0] += b.vel[0] * dt;
    let mut c = b;
    c.pos[0] *= 2.0;
    b.pos[0] -= 1.0;
    c.pos[0] * b.pos[0] + c.vel[1]
}

#[test]
fn local_copy_of_a_struct_parameter() {
    let p = [0.5, -0.3, 3.0, 1.2, 2.0, 0.3];
    let (y, db, dk, dc) = spring_copy_backward(body(&p), p[4], p[5], 1.0);
    assert_bits(y, spring_copy(body(&p), p[4], p[5]), "value");
    assert_fd(
        |q| spring_copy(body(q), q[4], q[5]),
        &p,
        &[db.pos[0], db.pos[1], db.vel[0], db.vel[1], dk, dc],
    );
    let p = [0.5, -0.3, 3.0, 1.2, 0.25];
    let (y, db, dt) = two_states_backward(body(&p), p[4], 1.0);
    assert_bits(y, two_states(body(&p), p[4]), "value");
    assert_fd(
        |q| two_states(body(q), q[4]),
        &p,
        &[db.pos[0], db.pos[1], db.vel[0], db.vel[1], dt],
    );
}

/// A field first copied without a type, then indexed: the copy is an array.
#[grad]
pub fn untyped_field_copy(b: Body, k: f64) -> f64 {
    let p = b.pos;
    let s = p[0] * k + b.pos[1];
    s + p.iter().map(|v| v * v).sum::<f64>()
}

#[test]
fn a_field_copied_without_a_type() {
    let p = [0.5, -0.3, 3.0, 1.2, 0.7];
    let (y, db, dk) = untyped_field_copy_backward(body(&p), p[4], 1.0);
    assert_bits(y, untyped_field_copy(body(&p), p[4]), "value");
    assert_fd(
        |q| untyped_field_copy(body(q), q[4]),
        &p,
        &[db.pos[0], db.pos[1], db.vel[0], db.vel[1], dk],
    );
}

/// A field updated in an `if` that may return early, then in a loop with
/// `continue`: the reverse sweep reads the field's value from before the loop,
/// which the forward sweep goes on to update, so the companion keeps a copy
/// (once rejected by the linearity check; random program p195).
#[grad]
pub fn early_exit_updates(mut b: Body, x: f64) -> f64 {
    if b.pos[0] <= 0.4 {
        b.vel[0] *= x.sin();
        if x >= 0.4 {
            return b.pos[1] * x;
        }
        for i in 0..2 {
            if x > b.pos[i] {
                continue;
            }
            b.vel[1] += x.tanh();
        }
    }
    b.vel[1] * b.vel[0]
}

#[test]
fn a_field_updated_before_an_early_return_and_in_a_loop() {
    // Each branch: the early return, the loop with and without `continue`, no update.
    for p in [
        [0.1, 0.7, 1.5, -0.8, 0.6],
        [0.1, 0.7, 1.5, -0.8, 0.2],
        [-0.3, 0.05, 1.5, -0.8, 0.2],
        [0.9, 0.7, 1.5, -0.8, 0.2],
    ] {
        let (y, db, dx) = early_exit_updates_backward(body(&p), p[4], 1.0);
        assert_bits(y, early_exit_updates(body(&p), p[4]), "value");
        assert_fd(
            |q| early_exit_updates(body(q), q[4]),
            &p,
            &[db.pos[0], db.pos[1], db.vel[0], db.vel[1], dx],
        );
    }
}

/// A field copied without a type, its `.len()` asked before it is indexed
/// (random program p371 of seed 1003: the copy was taken for a number).
#[grad]
pub fn untyped_field_len(mut b: Body, n: usize) -> f64 {
    let y = b.pos;
    b.vel[0] += 0.25 * y[n % y.len()].tanh();
    b.vel[0] * y.iter().map(|v| v.exp()).sum::<f64>()
}

#[test]
fn a_field_copied_without_a_type_then_measured() {
    for n in [0, 3] {
        let p = [0.5, -0.3, 3.0, 1.2];
        let (y, db) = untyped_field_len_backward(body(&p), n, 1.0);
        assert_bits(y, untyped_field_len(body(&p), n), "value");
        assert_fd(
            |q| untyped_field_len(body(q), n),
            &p,
            &[db.pos[0], db.pos[1], db.vel[0], db.vel[1]],
        );
    }
}

// ------------------------------------------- values under two names, then updated

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Phase {
    pub x: f64,
    pub v: f64,
}

#[grad]
pub fn phase_step(c: Phase, a: f64) -> Phase {
    Phase {
        x: c.x + a * c.v,
        v: c.v * a.cos(),
    }
}

#[grad]
pub fn pair_of(x: f64) -> [f64; 2] {
    [x * x, x.sin()]
}

/// A call's result (typed by a later use) bound under a second name and
/// updated through it, struct and array alike; then `k = m;` and updates of
/// both. The other name keeps its value (an internal error before: the update
/// was in place).
#[grad]
pub fn second_names(c: Phase, a: f64) -> f64 {
    let n = phase_step(c, a);
    let mut m = n;
    m.x = m.x * 2.0 + a;
    let mut k = phase_step(c, 2.0 * a);
    let before = k.x;
    k = m;
    k.x *= 3.0;
    m.v += 1.0;
    let p = pair_of(a);
    let mut q = p;
    q[0] = 3.0 * a;
    n.x * m.x + m.v + before * k.x + k.v + p[0] * q[0] + q[1]
}

#[test]
fn second_names_against_differences() {
    for (c, a) in [
        (Phase { x: 0.3, v: -0.8 }, 0.7),
        (Phase { x: -1.1, v: 0.4 }, -0.2),
    ] {
        let (v, dc, da) = second_names_backward(c, a, 1.0);
        assert_eq!(v.to_bits(), second_names(c, a).to_bits());
        let f = |p: &[f64]| second_names(Phase { x: p[0], v: p[1] }, p[2]);
        assert_fd(f, &[c.x, c.v, a], &[dc.x, dc.v, da]);
    }
}
