//! Macros in a `#[grad]` body (issue 12, point 4): assertions checked in the
//! companion's forward sweep as in the function, `panic!` / `unreachable!` in
//! branches, printing kept (with inline format arguments), `dbg!` giving its
//! value. Gradients against central finite differences (relative 1e-6, absolute
//! 1e-8); failed assertions panic in the companion as in the function.
#![deny(warnings)]

use autodiff::grad;

mod common;
use common::*;

/// A log-likelihood that checks its inputs as a careful user would.
#[grad]
pub fn log_lik(x: [f64; 3], sigma: f64) -> f64 {
    assert!(sigma > 0.0, "sigma must be positive, got {sigma}");
    debug_assert!(x.len() == 3);
    assert_ne!(sigma, 1.0e300);
    let mut s = 0.0;
    for v in x {
        s += -0.5 * (v / sigma).powi(2) - sigma.ln();
    }
    assert_eq!(s.is_finite(), sigma.is_finite(), "s = {}", s);
    s
}

/// `panic!` and `unreachable!` as the value of a branch or an arm.
#[grad]
pub fn safe_log(x: f64, mode: u8) -> f64 {
    let y = if x > 0.0 {
        x.ln()
    } else {
        panic!("x = {x} must be positive")
    };
    match mode {
        0 => y,
        1 => 2.0 * y,
        _ => unreachable!("mode {} is 0 or 1", mode),
    }
}

/// Printing and `dbg!` in the forward sweep.
#[grad]
pub fn traced(x: f64, y: f64) -> f64 {
    let r = dbg!(x.hypot(y));
    println!("r = {r:.3}, x = {}", x);
    eprintln!("{x} {y}");
    r * r.atan()
}

#[test]
fn assertions_pass_through() {
    let p = [0.3, -1.2, 0.8, 0.7];
    let (y, dx, ds) = log_lik_backward(arr::<3>(&p), p[3], 1.0);
    assert_bits(y, log_lik(arr::<3>(&p), p[3]), "value");
    let mut g = dx.to_vec();
    g.push(ds);
    assert_fd(|q| log_lik(arr::<3>(q), q[3]), &p, &g);
}

#[test]
#[should_panic(expected = "sigma must be positive, got -1")]
fn a_failed_assertion_panics_in_the_companion() {
    let _ = log_lik_backward([0.0; 3], -1.0, 1.0);
}

#[test]
fn diverging_branches() {
    for mode in [0, 1] {
        let (y, dx) = safe_log_backward(1.7, mode, 1.0);
        assert_bits(y, safe_log(1.7, mode), "value");
        assert_fd(|q| safe_log(q[0], mode), &[1.7], &[dx]);
    }
}

#[test]
#[should_panic(expected = "x = -2 must be positive")]
fn panic_in_a_branch_panics_in_the_companion() {
    let _ = safe_log_backward(-2.0, 0, 1.0);
}

#[test]
#[should_panic(expected = "mode 7 is 0 or 1")]
fn unreachable_in_an_arm() {
    let _ = safe_log_backward(2.0, 7, 1.0);
}

#[test]
fn printing_and_dbg() {
    let (v, dx, dy) = traced_backward(0.6, -0.8, 1.0);
    assert_bits(v, traced(0.6, -0.8), "value");
    assert_fd(|q| traced(q[0], q[1]), &[0.6, -0.8], &[dx, dy]);
}
