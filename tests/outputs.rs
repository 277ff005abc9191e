//! Output parameters (issue 11, point 5): `out: &mut [T]`, `&mut [T; N]` and
//! `&mut Vec<T>` written (and read) by the function, with `()` or a value as
//! result. Per the contract, the companion writes what the function writes, and
//! the shadow `d_out` carries in the cotangent of the final contents and leaves
//! holding the gradient with respect to the initial contents. Each companion is
//! checked against central finite differences (relative 1e-6, absolute 1e-8) of
//! the scalar `⟨seed, final contents⟩ (+ d_out · result)` over many points
//! (proptest), and its writes against the function's, bit for bit.
#![deny(warnings)]
#![allow(clippy::needless_range_loop)]

use autodiff::grad;
use proptest::prelude::*;

mod common;
use common::*;

/// Lotka–Volterra: an ODE right-hand side written into `dy`, returning `()`.
#[grad]
pub fn rhs(y: &[f64], p: &[f64], dy: &mut [f64]) {
    dy[0] = p[0] * y[0] - p[1] * y[0] * y[1];
    dy[1] = -p[2] * y[1] + p[3] * y[0] * y[1];
}

/// In place, `x[i] *= 2.0 * s`, then a value from the new contents.
#[grad]
pub fn scale_in_place(x: &mut [f64; 3], s: f64) -> f64 {
    for i in 0..3 {
        x[i] *= 2.0 * s;
    }
    x[0] + x[1] * x[2]
}

/// A `Vec` output read and written through `iter_mut`, with an early return.
#[allow(clippy::ptr_arg)] // `&mut Vec<f64>` is the kind of output tested here
#[grad]
pub fn relax(v: &mut Vec<f64>, k: f64) -> f64 {
    if k > 10.0 {
        return 0.0;
    }
    for _ in 0..3 {
        for o in v.iter_mut() {
            *o = *o - k * (*o * *o - 1.0);
        }
    }
    v.iter().sum()
}

/// Two outputs and a by-value gradient with a `()` result (written out).
#[allow(clippy::unused_unit)]
#[grad]
pub fn split(x: f64, lo: &mut [f64; 2], hi: &mut [f64]) -> () {
    lo[0] = x.sin();
    lo[1] += x * lo[0];
    for i in 0..hi.len() {
        hi[i] = hi[i] * x + lo[1];
    }
}

fn seed_dot(seed: &[f64], v: &[f64]) -> f64 {
    seed.iter().zip(v).map(|(a, b)| a * b).sum()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn an_ode_right_hand_side(
        y in prop::array::uniform2(-2.0f64..2.0),
        p in prop::array::uniform4(-1.0f64..1.0),
        d0 in prop::array::uniform2(-1.0f64..1.0),
        seed in prop::array::uniform2(-1.5f64..1.5),
    ) {
        let mut dy = d0;
        let (mut d_y, mut d_p, mut d_dy) = ([0.0; 2], [0.0; 4], seed);
        rhs_backward(&y, &mut d_y, &p, &mut d_p, &mut dy, &mut d_dy);
        let mut want = d0;
        rhs(&y, &p, &mut want);
        prop_assert_eq!(dy.map(f64::to_bits), want.map(f64::to_bits));
        let loss = |q: &[f64]| {
            let mut out = [q[6], q[7]];
            rhs(&q[..2], &q[2..6], &mut out);
            seed_dot(&seed, &out)
        };
        let x: Vec<f64> = y.iter().chain(&p).chain(&d0).copied().collect();
        let g: Vec<f64> = d_y.iter().chain(&d_p).chain(&d_dy).copied().collect();
        prop_fd(loss, &x, &g)?;
        // Everything is overwritten: the initial contents have no gradient.
        prop_assert_eq!(d_dy, [0.0; 2]);
    }

    #[test]
    fn an_update_in_place(
        x0 in prop::array::uniform3(-2.0f64..2.0),
        s in -1.5f64..1.5,
        seed in prop::array::uniform3(-1.5f64..1.5),
        d_out in cotangent(),
    ) {
        let mut x = x0;
        let mut d_x = seed;
        let (v, ds) = scale_in_place_backward(&mut x, &mut d_x, s, d_out);
        let mut want = x0;
        prop_assert_eq!(v.to_bits(), scale_in_place(&mut want, s).to_bits());
        prop_assert_eq!(x.map(f64::to_bits), want.map(f64::to_bits));
        let loss = |q: &[f64]| {
            let mut x = [q[0], q[1], q[2]];
            let v = scale_in_place(&mut x, q[3]);
            d_out * v + seed_dot(&seed, &x)
        };
        let p = [x0[0], x0[1], x0[2], s];
        prop_fd(loss, &p, &[d_x[0], d_x[1], d_x[2], ds])?;
    }

    #[test]
    fn a_vec_output_through_iter_mut(
        v0 in prop::collection::vec(-0.9f64..0.9, 1..5),
        k in 0.01f64..0.2,
        d_out in cotangent(),
    ) {
        let seed: Vec<f64> = (0..v0.len()).map(|i| 0.5 - 0.25 * i as f64).collect();
        let mut v = v0.clone();
        let mut d_v = seed.clone();
        let (y, dk) = relax_backward(&mut v, &mut d_v, k, d_out);
        let mut want = v0.clone();
        prop_assert_eq!(y.to_bits(), relax(&mut want, k).to_bits());
        prop_assert_eq!(&v, &want);
        let n = v0.len();
        let loss = |q: &[f64]| {
            let mut v = q[..n].to_vec();
            let y = relax(&mut v, q[n]);
            d_out * y + seed_dot(&seed, &v)
        };
        let mut p = v0.clone();
        p.push(k);
        let mut g = d_v.clone();
        g.push(dk);
        prop_fd(loss, &p, &g)?;
    }

    #[test]
    fn two_outputs_and_a_by_value_gradient(
        x in -2.0f64..2.0,
        lo0 in prop::array::uniform2(-1.0f64..1.0),
        hi0 in prop::collection::vec(-1.0f64..1.0, 0..4),
        seed_lo in prop::array::uniform2(-1.5f64..1.5),
    ) {
        let seed_hi: Vec<f64> = (0..hi0.len()).map(|i| 1.0 - 0.5 * i as f64).collect();
        let (mut lo, mut hi) = (lo0, hi0.clone());
        let (mut d_lo, mut d_hi) = (seed_lo, seed_hi.clone());
        let dx: f64 = split_backward(x, &mut lo, &mut d_lo, &mut hi, &mut d_hi);
        let (mut want_lo, mut want_hi) = (lo0, hi0.clone());
        split(x, &mut want_lo, &mut want_hi);
        prop_assert_eq!(lo, want_lo);
        prop_assert_eq!(&hi, &want_hi);
        let m = hi0.len();
        let loss = |q: &[f64]| {
            let mut lo = [q[1], q[2]];
            let mut hi = q[3..3 + m].to_vec();
            split(q[0], &mut lo, &mut hi);
            seed_dot(&seed_lo, &lo) + seed_dot(&seed_hi, &hi)
        };
        let p: Vec<f64> = [x].iter().chain(&lo0).chain(&hi0).copied().collect();
        let g: Vec<f64> = [dx].iter().chain(&d_lo).chain(&d_hi).copied().collect();
        prop_fd(loss, &p, &g)?;
    }
}
