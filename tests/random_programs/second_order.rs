//! Second order: the programs under `#[grad(reverse, forward, hvp)]` (progen's
//! `hvp` construct: a share of the programs with one float result whose
//! constructs `hvp` supports), each with the wrappers of its second-order
//! companions on flat points ([`Hvp`]). At [`HVP_POINTS`] points of a stream of
//! its own (away from branch boundaries, as the first-order points), in a random
//! direction `v` (zero in the inputs not differentiated), [`check_hvps`] compares
//!
//! 1. `f_hvp`'s value with the original's, bit for bit, and its gradient with
//!    `f_backward`'s at `d_out = 1`, within [`DUAL_TOL`];
//! 2. its Hessian-vector product with the same oracle over `HyperDual64`, one pass
//!    per differentiated input `j` (`eps1 = v`, `eps2 = e_j`: the `eps1eps2` part is
//!    `(H·v)_j`), within [`HVP_TOL`] of `max(1, |H·v|_j)`; the oracle's float
//!    functions are exact to second order (`oracle.rs`);
//! 3. `f_backward_forward` at `(x, v)` with a random `d_out` and tangent `t_d`:
//!    its primal part against `f_backward(x, d_out)`, its tangent against
//!    `∇f·v` and `d_out·H·v + t_d·∇f` (from the oracle's `H·v`);
//! 4. where they exist (every differentiated parameter by value, no `self`), the
//!    nested companions: `f_forward_forward(x, v, t, ṫ)` against `((f, ∇f·t),
//!    (∇f·v, ⟨t, H·v⟩ + ⟨∇f, ṫ⟩))` and `f_backward_backward(x, d, (u, v))` against
//!    `((f, d·∇f), d·H·v + u·∇f, ∇f·v)`.

use super::*;
use num_dual::HyperDual64;

/// Relative tolerance (of `max(1, |want|)`) of a Hessian-vector product and of
/// the second-order parts of the nested companions against the oracle.
pub const HVP_TOL: f64 = 1e-10;
/// Points per program checked in second order.
pub const HVP_POINTS: usize = 2;

/// `f_hvp` on a flat point and direction: value, flat gradient, flat H·v.
pub type HvpFn = fn(&[f64], &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>);
/// `f_backward_forward` on a flat point and direction, `d_out` and its tangent:
/// value, flat gradient, tangent of the value, flat tangent of the gradient.
pub type BfFn = fn(&[f64], &[f64], f64, f64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);
/// `f_forward_forward(x, ẋ, t, ṫ)`: `[f, ∇f·t, ∇f·ẋ, ⟨t, H·ẋ⟩ + ⟨∇f, ṫ⟩]`.
pub type FfFn = fn(&[f64], &[f64], &[f64], &[f64]) -> [f64; 4];
/// `f_backward_backward(x, d_out, (u, ḡ))`: value, flat gradient, flat `x̄`, `d̄`.
pub type BbFn = fn(&[f64], f64, f64, &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>, f64);

/// The second-order companions of program `name` of the table.
pub struct Hvp {
    pub name: &'static str,
    pub hvp: HvpFn,
    pub bf: BfFn,
    /// `None` where the nested companions do not exist (a differentiated `&`
    /// parameter, or `self`).
    pub ff: Option<FfFn>,
    pub bb: Option<BbFn>,
    /// The program's oracle over `HyperDual64`.
    pub oracle: fn(&[HyperDual64], &mut Tr) -> Vec<HyperDual64>,
}

#[derive(Default)]
pub(super) struct HvpStats {
    pub(super) programs: usize,
    pub(super) points: usize,
    pub(super) mismatches: usize,
    pub(super) max_grad: f64,
    pub(super) max_hvp: f64,
    pub(super) max_nested: f64,
    /// H·v components compared, and how many were nonzero.
    pub(super) components: usize,
    pub(super) nonzero: usize,
    /// Programs whose nested companions were checked.
    pub(super) nested: usize,
    pub(super) no_point: Vec<&'static str>,
    pub(super) failures: Vec<String>,
}

fn sign_draw(rng: &mut Rng) -> f64 {
    let m = rng.range(0.5, 2.0);
    if rng.unit() < 0.5 {
        -m
    } else {
        m
    }
}

fn dot(a: &[f64], b: &[f64]) -> (f64, f64) {
    let s = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let scale = a.iter().zip(b).map(|(x, y)| (x * y).abs()).sum::<f64>();
    (s, scale)
}

/// Relative error of `got` against `want`, of `max(1, |want|, scale)`.
fn err(got: f64, want: f64, scale: f64) -> f64 {
    if got == want {
        0.0
    } else if got.is_nan() || want.is_nan() {
        f64::INFINITY
    } else {
        (got - want).abs() / want.abs().max(scale).max(1.0)
    }
}

fn panic_message(e: Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Checks the second-order companions of every entry of `hvps` (those named in
/// `only`, if given).
pub(super) fn check_hvps(progs: &[Prog], hvps: &[Hvp], only: Option<&[String]>) -> HvpStats {
    let mut st = HvpStats::default();
    for h in hvps {
        if only.is_some_and(|o| !o.iter().any(|n| n == h.name)) {
            continue;
        }
        let Some(index) = progs.iter().position(|p| p.name == h.name) else {
            st.failures.push(format!(
                "program ? ({}): second order: not in the table",
                h.name
            ));
            st.mismatches += 1;
            continue;
        };
        st.programs += 1;
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut local = HvpStats::default();
            check_one(&progs[index], h, index, &mut local);
            local
        }));
        match r {
            Ok(local) => {
                st.points += local.points;
                st.mismatches += local.mismatches;
                st.max_grad = st.max_grad.max(local.max_grad);
                st.max_hvp = st.max_hvp.max(local.max_hvp);
                st.max_nested = st.max_nested.max(local.max_nested);
                st.components += local.components;
                st.nonzero += local.nonzero;
                st.nested += local.nested;
                st.no_point.extend(local.no_point);
                st.failures.extend(local.failures);
            }
            Err(e) => {
                st.mismatches += 1;
                st.failures.push(format!(
                    "program {index} ({}): second order: panicked: {}",
                    h.name,
                    panic_message(e)
                ));
            }
        }
    }
    st
}

fn check_one(p: &Prog, h: &Hvp, index: usize, st: &mut HvpStats) {
    let n = p.active.len();
    let mut rng = Rng(0x4e55_0002 ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut used = 0;
    let mut tries = 0;
    if h.ff.is_some() || h.bb.is_some() {
        st.nested += 1;
    }
    while used < HVP_POINTS {
        tries += 1;
        if tries > 60 {
            if used == 0 {
                st.no_point.push(p.name);
            }
            return;
        }
        let x: Vec<f64> = (0..n).map(|_| rng.range(-2.0, 2.0)).collect();
        let (ox, tr) = oracle_at(p, &x);
        if tr.margin < MARGIN || !ox.iter().all(|v| v.is_finite() && v.abs() < 1e6) {
            continue;
        }
        used += 1;
        st.points += 1;
        let dir = |rng: &mut Rng| -> Vec<f64> {
            p.active
                .iter()
                .map(|&a| {
                    let v = rng.range(-1.0, 1.0);
                    if a {
                        v
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let v = dir(&mut rng);
        let (d, td, u) = (
            sign_draw(&mut rng),
            sign_draw(&mut rng),
            sign_draw(&mut rng),
        );
        let t = dir(&mut rng);
        let tdot = dir(&mut rng);
        let mut fails = Vec::new();
        let mut fail = |what: String| {
            fails.push(format!(
                "program {index} ({}): second order: {what}\n  x = {x:?}\n  v = {v:?}",
                p.name
            ));
        };
        let value = (p.eval)(&x);
        let (_, g1) = (p.grad)(&x, &[1.0]);
        let (_, gd) = (p.grad)(&x, &[d]);
        let bits = |a: &[f64]| -> bool {
            a.len() == value.len()
                && a.iter()
                    .zip(&value)
                    .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
        };

        // 2. the oracle's H·v, one pass per differentiated input
        let want: Vec<f64> = (0..n)
            .map(|j| {
                if !p.active[j] {
                    return 0.0;
                }
                let xs: Vec<HyperDual64> = x
                    .iter()
                    .zip(&v)
                    .enumerate()
                    .map(|(i, (&xi, &vi))| {
                        HyperDual64::new(xi, vi, if i == j { 1.0 } else { 0.0 }, 0.0)
                    })
                    .collect();
                let mut tr = Tr::default();
                (h.oracle)(&xs, &mut tr)[0].eps1eps2
            })
            .collect();

        // 1. f_hvp
        let (hv_value, hv_g, hv) = (h.hvp)(&x, &v);
        if !bits(&hv_value) {
            fail(format!(
                "f_hvp's value {hv_value:?} differs from the original's {value:?}"
            ));
        }
        for j in 0..n {
            let e = err(hv_g[j], g1[j], 0.0);
            if e > DUAL_TOL {
                fail(format!(
                    "input {j}: f_hvp's gradient {} but f_backward's is {} (rel err {e:.1e})",
                    hv_g[j], g1[j]
                ));
            } else {
                st.max_grad = st.max_grad.max(e);
            }
            if !p.active[j] {
                if hv[j] != 0.0 {
                    fail(format!(
                        "input {j} is not differentiated but (H·v) has {}",
                        hv[j]
                    ));
                }
                continue;
            }
            st.components += 1;
            st.nonzero += usize::from(want[j] != 0.0);
            let e = err(hv[j], want[j], 0.0);
            if e > HVP_TOL {
                fail(format!(
                    "input {j}: (H·v) is {} but HyperDual64 gives {} (rel err {e:.1e})\n  H·v {hv:?}\n  oracle {want:?}",
                    hv[j], want[j]
                ));
            } else {
                st.max_hvp = st.max_hvp.max(e);
            }
        }

        // 3. f_backward_forward in the direction v
        let (bv, bg, tv, tg) = (h.bf)(&x, &v, d, td);
        if !bits(&bv) {
            fail(format!(
                "f_backward_forward's value {bv:?} differs from the original's {value:?}"
            ));
        }
        let (gv, gv_scale) = dot(&g1, &v);
        let e = err(tv[0], gv, gv_scale);
        if e > DOT_TOL {
            fail(format!(
                "f_backward_forward's tangent of the value {} but <gradient, v> = {gv} (rel err {e:.1e})",
                tv[0]
            ));
        } else {
            st.max_nested = st.max_nested.max(e);
        }
        for j in 0..n {
            let e = err(bg[j], gd[j], 0.0);
            if e > DUAL_TOL {
                fail(format!(
                    "input {j}: f_backward_forward's gradient {} but f_backward's is {} (rel err {e:.1e})",
                    bg[j], gd[j]
                ));
            }
            let w = d * want[j] + td * g1[j];
            let e = err(tg[j], w, (d * want[j]).abs() + (td * g1[j]).abs());
            if e > HVP_TOL {
                fail(format!(
                    "input {j}: f_backward_forward's tangent of the gradient {} but d_out·(H·v) + t_d·gradient = {w} (rel err {e:.1e})",
                    tg[j]
                ));
            } else {
                st.max_nested = st.max_nested.max(e);
            }
        }

        // 4. the nested companions
        if let Some(ff) = h.ff {
            let r = ff(&x, &v, &t, &tdot);
            let (gt, gt_s) = dot(&g1, &t);
            let (th, th_s) = dot(&t, &want);
            let (gtd, gtd_s) = dot(&g1, &tdot);
            let expect = [value[0], gt, gv, th + gtd];
            let scales = [0.0, gt_s, gv_scale, th_s + gtd_s];
            for (o, name) in [
                "value",
                "<gradient, t>",
                "<gradient, xdot>",
                "<t, H·xdot> + <gradient, tdot>",
            ]
            .iter()
            .enumerate()
            {
                let tol = if o == 3 { HVP_TOL } else { DOT_TOL };
                let e = if o == 0 {
                    if r[0].to_bits() == value[0].to_bits() {
                        0.0
                    } else {
                        f64::INFINITY
                    }
                } else {
                    err(r[o], expect[o], scales[o])
                };
                if e > tol {
                    fail(format!(
                        "f_forward_forward's {name} is {} but should be {} (rel err {e:.1e})",
                        r[o], expect[o]
                    ));
                } else {
                    st.max_nested = st.max_nested.max(e);
                }
            }
        }
        if let Some(bb) = h.bb {
            let (bv, bg, xbar, dbar) = bb(&x, d, u, &v);
            if !bits(&bv) {
                fail(format!(
                    "f_backward_backward's value {bv:?} differs from the original's {value:?}"
                ));
            }
            let e = err(dbar, gv, gv_scale);
            if e > DOT_TOL {
                fail(format!(
                    "f_backward_backward's d_out cotangent {dbar} but <gradient, v> = {gv} (rel err {e:.1e})"
                ));
            }
            for j in 0..n {
                let e = err(bg[j], gd[j], 0.0);
                if e > DUAL_TOL {
                    fail(format!(
                        "input {j}: f_backward_backward's gradient {} but f_backward's is {} (rel err {e:.1e})",
                        bg[j], gd[j]
                    ));
                }
                let w = d * want[j] + u * g1[j];
                let e = err(xbar[j], w, (d * want[j]).abs() + (u * g1[j]).abs());
                if e > HVP_TOL {
                    fail(format!(
                        "input {j}: f_backward_backward's cotangent {} but d_out·(H·v) + u·gradient = {w} (rel err {e:.1e})",
                        xbar[j]
                    ));
                } else {
                    st.max_nested = st.max_nested.max(e);
                }
            }
        }
        st.mismatches += fails.len();
        st.failures.extend(fails);
    }
}
