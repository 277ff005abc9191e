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

/// A midpoint integrator calling `rhs` with output arrays (`&mut k1`) in a
/// loop: each call writes its buffer, and the reverse sweep calls `rhs`'s
/// companion with the buffer's cotangent (issue 11: an ODE solver written the
/// plain way).
#[grad]
pub fn midpoint(y0: &[f64], p: &[f64], h: f64) -> f64 {
    let mut y = y0.to_vec();
    let mut k1 = vec![0.0; 2];
    let mut k2 = vec![0.0; 2];
    let mut tmp = vec![0.0; 2];
    for _ in 0..5 {
        rhs(&y, p, &mut k1);
        for i in 0..2 {
            tmp[i] = y[i] + 0.5 * h * k1[i];
        }
        rhs(&tmp, p, &mut k2);
        for i in 0..2 {
            y[i] += h * k2[i];
        }
    }
    y[0] * y[1]
}

/// Output arrays passed on: a fixed-size local, and the caller's own output
/// parameter; a callee with a value and an output.
#[grad]
pub fn chained(x: &mut [f64; 3], s: f64, out: &mut [f64]) -> f64 {
    let v = scale_in_place(x, s);
    let mut w = [s, 2.0 * s, 0.5];
    let u = scale_in_place(&mut w, 0.5);
    let xy = [x[0], x[1]];
    let p = [w[0], w[1], w[2], s];
    rhs(&xy, &p, out);
    v + u * out[0]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn an_integrator_calling_an_rhs_with_outputs(
        y0 in prop::array::uniform2(0.2f64..2.0),
        p in prop::array::uniform4(-1.0f64..1.0),
        h in 0.01f64..0.2,
        d_out in cotangent(),
    ) {
        let (mut d_y0, mut d_p) = ([0.0; 2], [0.0; 4]);
        let (v, dh) = midpoint_backward(&y0, &mut d_y0, &p, &mut d_p, h, d_out);
        prop_assert_eq!(v.to_bits(), midpoint(&y0, &p, h).to_bits());
        let x: Vec<f64> = y0.iter().chain(&p).chain([h].iter()).copied().collect();
        let g: Vec<f64> = d_y0.iter().chain(&d_p).chain([dh].iter()).copied().collect();
        prop_fd(|q| d_out * midpoint(&q[..2], &q[2..6], q[6]), &x, &g)?;
    }

    #[test]
    fn outputs_passed_on(
        x0 in prop::array::uniform3(-1.5f64..1.5),
        s in -1.5f64..1.5,
        o0 in prop::array::uniform2(-1.0f64..1.0),
        seed_x in prop::array::uniform3(-1.0f64..1.0),
        seed_o in prop::array::uniform2(-1.0f64..1.0),
        d_out in cotangent(),
    ) {
        let (mut x, mut o) = (x0, o0);
        let (mut d_x, mut d_o) = (seed_x, seed_o);
        let (v, ds) = chained_backward(&mut x, &mut d_x, s, &mut o, &mut d_o, d_out);
        let (mut wx, mut wo) = (x0, o0);
        prop_assert_eq!(v.to_bits(), chained(&mut wx, s, &mut wo).to_bits());
        prop_assert_eq!((x, o), (wx, wo));
        let loss = |q: &[f64]| {
            let mut x = [q[0], q[1], q[2]];
            let mut o = [q[4], q[5]];
            let v = chained(&mut x, q[3], &mut o);
            d_out * v + seed_dot(&seed_x, &x) + seed_dot(&seed_o, &o)
        };
        let p = [x0[0], x0[1], x0[2], s, o0[0], o0[1]];
        prop_fd(loss, &p, &[d_x[0], d_x[1], d_x[2], ds, d_o[0], d_o[1]])?;
    }
}

/// An output slice written through `iter_mut`.
#[grad]
pub fn relax_into(x: f64, out: &mut [f64]) {
    for o in out.iter_mut() {
        *o = *o * 0.5 + x.sin();
    }
}

/// A local array passed as `&mut` after a whole-array copy (`u = z;`): the
/// callee writes `u`'s buffer, which `z` still needs, so `u` gets a copy of its
/// own (before, the linearity check rejected the companion: "v5 read after it
/// was updated in place"; p752 of seed 7002 in tools/progen's batch run).
#[grad]
pub fn output_after_copy(x: f64) -> f64 {
    let mut u = [0.0; 2];
    u[1] = x;
    let z = [x * x, 2.0 * x];
    let keep = u[1];
    u = z;
    relax_into(x, &mut u);
    u[0] * z[1] + u[1] + keep
}

#[test]
fn an_output_array_after_a_whole_array_copy() {
    for x in [0.7, -1.3] {
        let (y, dx) = output_after_copy_backward(x, 1.0);
        assert_eq!(y.to_bits(), output_after_copy(x).to_bits());
        assert_fd(|q| output_after_copy(q[0]), &[x], &[dx]);
    }
}
