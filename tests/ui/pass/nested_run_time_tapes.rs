//! Valid code whose companion does not compile yet (macro bug): a loop with a
//! run-time trip count whose reverse needs per-iteration values, nested in
//! another loop. Run by `loops::nested_run_time_tapes` (ignored until fixed).
#![allow(clippy::needless_range_loop)]
use autodiff::grad;

/// Outer constant count, inner run-time count.
#[grad]
fn inner_run_time(x: &[f64; 3], n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        let mut y = x[i];
        for _ in 0..n {
            y = y.sin();
        }
        s += y;
    }
    s
}

/// Both counts known at run time only.
#[grad]
fn both_run_time(x: &[f64], n: usize) -> f64 {
    let mut s = 1.0;
    for i in 0..n {
        for j in 0..x.len() {
            s = (s * x[j]).sin() + 0.1 * (i as f64);
        }
    }
    s
}

/// A triangular nest over a slice.
#[grad]
fn triangle(x: &[f64]) -> f64 {
    let mut s = 0.5;
    for i in 0..x.len() {
        for j in 0..i {
            s = (s * x[j]).sin() + x[i];
        }
    }
    s
}

/// A `while` around a `for` over a slice with `break`s: the inner recurrence is
/// linear, yet it is recorded (see `alloc::linear_recurrence_…`), which
/// triggers the same failure.
#[grad]
fn while_around_for(x: &[f64], t: f64) -> f64 {
    let mut s = 1.0;
    let mut k = 0;
    while k < 50 {
        for i in 0..x.len() {
            if x[i] > t {
                break;
            }
            s = s * 0.9 + x[i];
        }
        k += 1;
        if s > 3.0 {
            break;
        }
    }
    s
}

fn fd(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let h = 1e-6;
            let (mut a, mut b) = (x.to_vec(), x.to_vec());
            a[i] += h;
            b[i] -= h;
            (f(&a) - f(&b)) / (2.0 * h)
        })
        .collect()
}

fn check(got: &[f64], want: &[f64]) {
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-6 * w.abs().max(1.0),
            "{got:?} vs {want:?}"
        );
    }
}

fn main() {
    let x = [0.3, -0.7, 1.1];
    let mut dx = [0.0; 3];
    inner_run_time_backward(&x, &mut dx, 4, 1.0);
    check(&dx, &fd(|p| inner_run_time(&[p[0], p[1], p[2]], 4), &x));

    let mut dx = [0.0; 3];
    both_run_time_backward(&x, &mut dx, 3, 1.0);
    check(&dx, &fd(|p| both_run_time(p, 3), &x));

    let x = [0.3, -0.7, 1.1, 0.4, -0.2];
    let mut dx = [0.0; 5];
    triangle_backward(&x, &mut dx, 1.0);
    check(&dx, &fd(triangle, &x));

    let x = [0.3, -0.7, 1.1, 0.4];
    let mut dx = [0.0; 4];
    let (_, dt) = while_around_for_backward(&x, &mut dx, 1.0, 1.0);
    check(&dx, &fd(|p| while_around_for(p, 1.0), &x));
    assert_eq!(dt, 0.0);
}
