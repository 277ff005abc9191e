//! The companion allocates nothing for scalar functions, for fixed-size
//! arrays, for loops with a constant trip count (their tapes are fixed-size
//! arrays) and for accumulation loops of any trip count; only a loop whose
//! trip count is known at run time alone *and* whose reverse sweep needs
//! per-iteration values records into a `Vec` (DESIGN.md, "Semantics"). A `Vec`
//! local allocates in the companion what it allocates in the primal, plus one
//! buffer for its cotangent.
//!
//! A counting `#[global_allocator]` wraps `std::alloc::System` and counts the
//! allocations of the current thread (a `thread_local` counter, so tests that
//! the harness runs in parallel do not see each other's allocations). Every
//! gradient measured here is also compared with the expected value, so that a
//! companion that allocates nothing because it computes nothing fails.
#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::grad;
use common::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: the counter may be gone while the thread shuts down
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded to `System` unchanged; only a counter of
// the calling thread is updated (a `Cell` without destructor: no allocation).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The number of allocations (including reallocations) `f` makes on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = black_box(f());
    let after = ALLOCATIONS.with(Cell::get);
    (after - before, r)
}

#[test]
fn the_counter_counts() {
    let (n, v) = allocations(|| black_box(vec![1.0f64; 16]));
    assert_eq!(n, 1);
    assert_eq!(v.len(), 16);
    let (n, _) = allocations(|| black_box(1.0f64).sin());
    assert_eq!(n, 0);
}

// ---------------------------------------------------------------- scalars

#[grad]
fn scalar(x: f64, y: f64) -> f64 {
    let mut s = x * y + x.sin();
    if s > 0.0 {
        s = s.sqrt() + autodiff::sigmoid(y);
    } else {
        s = -s * y.exp();
    }
    s.max(x) * (1.0 + y * y).ln()
}

#[grad]
fn scalar_ref(x: &f64, y: f64) -> (f64, f64) {
    (*x * y, x.tanh() - y)
}

#[test]
fn scalar_companions_allocate_nothing() {
    let (n, (v, dx, dy)) = allocations(|| scalar_backward(black_box(0.7), black_box(-0.4), 1.0));
    assert_eq!(n, 0, "scalar companion");
    assert_eq!(v, scalar(0.7, -0.4));
    assert_fd(|p| scalar(p[0], p[1]), &[0.7, -0.4], &[dx, dy]);

    let mut sx = 0.0;
    let (n, (out, dy)) = allocations(|| scalar_ref_backward(&0.7, &mut sx, -0.4, (1.0, 2.0)));
    assert_eq!(n, 0, "scalar companion with a shadow and a tuple result");
    assert_eq!(out, scalar_ref(&0.7, -0.4));
    assert_near(sx, -0.4 + 2.0 * (1.0 - 0.7f64.tanh().powi(2)), 1e-15, "dx");
    assert_near(dy, 0.7 - 2.0, 1e-15, "dy");
}

// ---------------------------------------------------------------- fixed-size arrays

#[grad]
fn arrays(w: [[f64; 3]; 2], x: &[f64; 3], b: [f64; 2]) -> [f64; 2] {
    let mut y = b;
    for i in 0..2 {
        for j in 0..3 {
            y[i] += w[i][j] * x[j];
        }
        y[i] = y[i].tanh();
    }
    [y[0] * y[1], y[0] - y[1]]
}

#[test]
fn fixed_size_array_companions_allocate_nothing() {
    let w = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]];
    let x = [1.0, -2.0, 0.5];
    let b = [0.1, -0.1];
    let mut dx = [0.0; 3];
    let (n, (y, dw, db)) = allocations(|| arrays_backward(w, &x, &mut dx, b, [1.0, -0.5]));
    assert_eq!(n, 0, "array companion");
    assert_eq!(y, arrays(w, &x, b));
    let f = |p: &[f64]| {
        let y = arrays(arr2(p), &arr(&p[6..]), arr(&p[9..]));
        y[0] - 0.5 * y[1]
    };
    assert_fd(
        f,
        &cat(&[&flat2(&w), &x, &b]),
        &cat(&[&flat2(&dw), &dx, &db]),
    );
}

// ---------------------------------------------------------------- loops with constant trip counts

/// The reverse needs every partial product: a tape of 8.
#[grad]
fn product8(x: &[f64; 8]) -> f64 {
    let mut p = 1.0;
    for v in x.iter() {
        p *= v;
    }
    p
}

/// A non-linear recurrence: a tape of 8 iterates.
#[grad]
fn recurrence8(x: &[f64; 8], a: f64) -> f64 {
    let mut s = a + 0.5;
    for i in 0..8 {
        s = (s * x[i]).sin() + a * s;
    }
    s
}

/// Nested constant loops recording two values, a `break`, and a running max.
#[grad]
fn nested_records(x: &[f64; 4], w: f64) -> f64 {
    let mut u = 1.0;
    let mut v = 0.5;
    let mut m = x[0];
    for _ in 0..3 {
        for j in 0..4 {
            let t = u;
            u = (u * w + v * x[j]).tanh();
            v = v * 0.9 + t * x[j];
            m = m.max(x[j] * u);
            if v > 100.0 {
                break;
            }
        }
    }
    u + v + m
}

#[test]
fn constant_trip_count_loops_with_tapes_allocate_nothing() {
    let x = [1.1, -0.9, 1.3, 0.7, -1.2, 0.8, 1.05, -0.95];
    let mut dx = [0.0; 8];
    let (n, v) = allocations(|| product8_backward(&x, &mut dx, 1.0));
    assert_eq!(n, 0, "running product over &[f64; 8]");
    assert_eq!(v, product8(&x));
    assert_fd(|p| product8(&arr(p)), &x, &dx);

    let mut dx = [0.0; 8];
    let (n, (v, da)) = allocations(|| recurrence8_backward(&x, &mut dx, 0.3, 1.0));
    assert_eq!(n, 0, "recurrence over &[f64; 8]");
    assert_eq!(v, recurrence8(&x, 0.3));
    assert_fd(
        |p| recurrence8(&arr(&p[1..]), p[0]),
        &cat(&[&[0.3], &x]),
        &cat(&[&[da], &dx]),
    );

    let x4 = [0.3, -0.5, 0.8, 0.1];
    let mut dx = [0.0; 4];
    let (n, (v, dw)) = allocations(|| nested_records_backward(&x4, &mut dx, 0.7, 1.0));
    assert_eq!(n, 0, "nested constant loops");
    assert_eq!(v, nested_records(&x4, 0.7));
    assert_fd(
        |p| nested_records(&arr(p), p[4]),
        &cat(&[&x4, &[0.7]]),
        &cat(&[&dx, &[dw]]),
    );
}

// ---------------------------------------------------------------- accumulation loops

/// Sums of terms of the index only: nothing to record, whatever the length.
#[grad]
fn accumulate(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i] + x[i].sin() * y[i];
    }
    let t: f64 = x.iter().zip(y.iter()).map(|(a, b)| a * b).sum();
    let u: f64 = y.iter().map(|v| v.exp()).sum();
    s + t + u
}

#[test]
fn accumulation_loops_over_slices_allocate_nothing() {
    let x = [0.5, -1.0, 2.0, 0.25, 1.5];
    let y = [1.0, 0.5, -0.5, 2.0, -1.0];
    let (mut dx, mut dy) = ([0.0; 5], [0.0; 5]);
    let (n, v) = allocations(|| accumulate_backward(&x, &mut dx, &y, &mut dy, 1.0));
    assert_eq!(n, 0, "accumulation loops over slices");
    assert_eq!(v, accumulate(&x, &y));
    assert_fd(
        |p| accumulate(&p[..5], &p[5..]),
        &cat(&[&x, &y]),
        &cat(&[&dx, &dy]),
    );
}

/// A linear recurrence: the reverse multiplies by the constant 0.5 and needs
/// no per-iteration value, so it should record nothing.
#[grad]
fn linear_recurrence(x: &[f64]) -> f64 {
    let mut s = 1.0;
    for i in 0..x.len() {
        s = s * 0.5 + x[i];
    }
    s
}

#[test]
fn linear_recurrence_over_a_slice_allocates_nothing() {
    let x = [0.5, -1.0, 2.0, 0.25, 1.5];
    let mut dx = [0.0; 5];
    let (n, v) = allocations(|| linear_recurrence_backward(&x, &mut dx, 1.0));
    assert_eq!(v, linear_recurrence(&x));
    assert_all_near(&dx, &[0.0625, 0.125, 0.25, 0.5, 1.0], 1e-15, "dx");
    assert_eq!(n, 0, "linear recurrence over a slice");
}

// ---------------------------------------------------------------- the contrast: run-time tapes

/// A running product over a slice: the reverse needs each partial product and
/// the trip count is only known at run time, so it records into a `Vec`.
#[grad]
fn product(x: &[f64]) -> f64 {
    let mut p = 1.0;
    for v in x.iter() {
        p *= v;
    }
    p
}

/// Newton's iteration until convergence: a `while` whose iterates are recorded.
#[grad]
fn sqrt_newton(a: f64) -> f64 {
    let mut y = a + 1.0;
    let mut step = 1.0;
    while step > 1e-12 {
        let next = 0.5 * (y + a / y);
        step = (y - next).abs();
        y = next;
    }
    y
}

#[test]
fn run_time_loops_that_record_allocate() {
    let x = [1.1, -0.9, 1.3, 0.7, -1.2, 0.8, 1.05, -0.95];
    let mut dx = [0.0; 8];
    let (n, v) = allocations(|| product_backward(&x, &mut dx, 1.0));
    assert!(n >= 1, "a recording run-time loop allocates its tape");
    // one buffer sized by the trip count, not one per push
    assert!(n <= 2, "{n} allocations for one tape");
    assert_eq!(v, product(&x));
    assert_fd(product, &x, &dx);
    // the same values as the constant-length version, which allocates nothing
    let mut dx8 = [0.0; 8];
    product8_backward(&x, &mut dx8, 1.0);
    assert_all_near(&dx, &dx8, 1e-15, "slice vs array");

    let (n, (v, da)) = allocations(|| sqrt_newton_backward(2.0, 1.0));
    assert!(n >= 1, "a recording while loop allocates its tape");
    assert_near(v, 2f64.sqrt(), 1e-15, "sqrt");
    assert_near(da, 0.5 / 2f64.sqrt(), 1e-12, "d sqrt");
}

// ---------------------------------------------------------------- Vec locals

/// A hidden layer of run-time width (`vec![0.0; n]`), filled in an
/// accumulation loop and reduced: the primal allocates the layer once.
#[grad]
fn hidden(w: &[f64], x: &[f64], n: usize) -> f64 {
    let mut h = vec![0.0; n];
    for i in 0..n {
        h[i] = (w[i] * x[i]).tanh();
    }
    h.iter().map(|v| v * v).sum()
}

/// A `Vec` collected from a chain, then read: one allocation in the primal.
#[grad]
fn collected(x: &[f64]) -> f64 {
    let y: Vec<f64> = x.iter().map(|v| v.exp()).collect();
    y[0] * y[y.len() - 1]
}

#[test]
fn vec_locals_allocate_what_the_primal_does_and_their_gradient() {
    let w = [0.3, -0.7, 1.1, 0.2, -0.4];
    let x = [1.0, 0.5, -0.25, 2.0, 0.75];
    let (primal, _) = allocations(|| hidden(&w, &x, 5));
    let (mut dw, mut dx) = ([0.0; 5], [0.0; 5]);
    let (n, v) = allocations(|| hidden_backward(&w, &mut dw, &x, &mut dx, 5, 1.0));
    assert_eq!(primal, 1);
    // The layer, and its cotangent (a buffer as long as it): nothing per
    // iteration, no tape (the loop's reverse recomputes what it needs).
    assert_eq!(n, primal + 1, "{n} allocations");
    assert_eq!(v.to_bits(), hidden(&w, &x, 5).to_bits());
    let p: Vec<f64> = w.iter().chain(&x).copied().collect();
    let g: Vec<f64> = dw.iter().chain(&dx).copied().collect();
    assert_fd(|q| hidden(&q[..5], &q[5..], 5), &p, &g);

    let (primal, _) = allocations(|| collected(&x));
    let mut dx = [0.0; 5];
    let (n, v) = allocations(|| collected_backward(&x, &mut dx, 1.0));
    assert_eq!(primal, 1);
    assert_eq!(n, primal + 1, "{n} allocations");
    assert_eq!(v.to_bits(), collected(&x).to_bits());
    assert_fd(collected, &x, &dx);
}
