//! Issue 12: structs made by `S::default()` and updated field by field
//! (`let mut s = S::default(); s.a = …; s.b += …;`, in loops too, array and
//! integer fields; returned or passed on whole: the assigned fields and the
//! others' defaults), and `Option` combinators of `Option`s the body builds
//! (`map`, `map_or`, `and_then`, `unwrap_or_else`, with closures or paths).
//! Gradients against central finite differences, values bit for bit.
#![deny(warnings)]
// What users write, before clippy's advice: fields assigned after `default()`,
// a closure for `unwrap_or_else`.
#![allow(
    clippy::field_reassign_with_default,
    clippy::unnecessary_lazy_evaluations
)]

use autodiff::grad;
use proptest::prelude::*;

mod common;
use common::*;

#[derive(Default, Clone, Copy)]
pub struct Stats {
    sum: f64,
    sum_sq: f64,
    n: usize,
    hist: [f64; 3],
}

/// Fields assigned once (`s.a = …`) and updated (`s.b += …`).
#[grad]
pub fn two_fields(x: f64) -> f64 {
    let mut s = Stats::default();
    s.sum = x * 2.0;
    s.sum_sq += x * x;
    s.sum + s.sum_sq
}

/// A running mean and variance in a loop: float and integer fields carried.
#[grad]
pub fn variance(x: &[f64]) -> f64 {
    let mut s = Stats::default();
    for &xi in x {
        s.sum += xi;
        s.sum_sq += xi * xi;
        s.n += 1;
    }
    let m = s.sum / s.n as f64;
    s.sum_sq / s.n as f64 - m * m
}

/// `let s: S = Default::default();`, an array field written by element, a
/// field read without ever being assigned (its default).
#[grad]
pub fn array_field(x: f64, y: f64) -> f64 {
    let mut s: Stats = Default::default();
    s.hist[0] = x;
    s.hist[1] += x * y;
    let t = s;
    t.hist[0] * t.hist[1] + t.hist[2] + s.sum
}

/// A `Default` that is not zero: the fields read are the impl's.
/// Clippy's advice for the above: `..Default::default()` in a literal.
#[grad]
pub fn update_syntax(x: f64, y: f64) -> f64 {
    let mut s = Stats {
        sum: x * y,
        ..Default::default()
    };
    s.sum_sq += y * y;
    s.hist[2] = s.sum.sin();
    let t = Stats {
        n: 2,
        ..Stats::default()
    };
    s.sum_sq * s.hist[2] + s.sum / t.n as f64 + t.sum
}

/// A pose integrated from the default one and returned whole (round 2's
/// `diff_drive_odometry` as first written).
#[derive(autodiff::Tangent, Default, Clone, Copy, Debug)]
pub struct Pose2 {
    pub x: f64,
    pub y: f64,
    pub theta: f64,
}

#[grad]
pub fn odometry(v: f64, w: f64, dt: f64) -> Pose2 {
    let mut pose = Pose2::default();
    for _ in 0..3 {
        pose.x += v * pose.theta.cos() * dt;
        pose.y += v * pose.theta.sin() * dt;
        pose.theta += w * dt;
    }
    pose
}

#[grad]
pub fn pose_cost(p: &Pose2) -> f64 {
    p.x * p.x + (p.y - 1.0).powi(2) + p.theta.sin()
}

/// Passed on whole by `&` (and one field never assigned: its default).
#[grad]
pub fn partial_pose(v: f64) -> f64 {
    let mut pose = Pose2 {
        x: v,
        ..Default::default()
    };
    pose.theta = v * v;
    pose_cost(&pose)
}

#[derive(Clone, Copy)]
pub struct Gains {
    k: f64,
    bias: f64,
}

impl Default for Gains {
    fn default() -> Self {
        Gains { k: 2.5, bias: -0.5 }
    }
}

#[grad]
pub fn custom_default(x: f64) -> f64 {
    let mut g = Gains::default();
    g.k *= x;
    g.k * x + g.bias
}

#[grad]
pub fn opt_map(x: f64, flag: bool) -> f64 {
    let o = if flag { Some(x) } else { None };
    o.map(|v| v * v).unwrap_or(0.0)
}

/// `map_or` with a closure that would be NaN on a `None`'s placeholder (`ln 0`).
#[grad]
pub fn opt_map_or(x: f64, y: f64) -> f64 {
    let o = if x > 0.0 { Some(x) } else { None };
    o.map_or(y * 2.0, |v| v.ln() * y)
}

/// A path (`f64::sqrt`), `and_then` returning an `Option`, `unwrap_or_else`.
#[grad]
pub fn opt_chain(x: f64) -> f64 {
    let o = if x > 0.0 { Some(x) } else { None };
    let r = o
        .map(f64::sqrt)
        .and_then(|s| if s < 2.0 { Some(s * 3.0) } else { None });
    r.unwrap_or_else(|| x * x)
}

/// The nearest positive hit, an `Option` carried by a loop, `map_or` in the
/// condition.
// `map_or(true, …)` is the construct under test; clippy, at rust-version 1.95,
// would have it written `is_none_or` (stable since 1.82).
#[allow(clippy::unnecessary_map_or)]
#[grad]
pub fn nearest_hit(ts: &[f64], w: f64) -> f64 {
    let mut best: Option<f64> = None;
    for &t in ts {
        if t > 0.0 && best.map_or(true, |b| t * w < b) {
            best = Some(t * w);
        }
    }
    best.map(|b| b.exp()).unwrap_or(0.0)
}

/// `Option`s the caller passes as data, with functions that use the
/// differentiated value: `filter`, `map_or`, `is_some_and` on parameters, and
/// `filter` on an `Option` built in the body.
#[grad(wrt(x))]
pub fn data_options(x: f64, k: Option<f64>, n: Option<usize>) -> f64 {
    let c = k.filter(|v| *v > 0.0).unwrap_or(1.0);
    let m = n.filter(|&m| m > 2).map_or(1.0, |m| m as f64);
    let s = k.map_or(x, |s| s * x * x);
    let big = k.is_some_and(|v| v > 10.0);
    let local = if x > 0.0 { Some(x) } else { None };
    let l = local.filter(|v| *v < 1.0).map_or(0.5, |v| v * v);
    if big {
        s
    } else {
        x * c * m + s + l
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Acc {
    pub sum: f64,
    pub n: usize,
    pub h: [f64; 3],
}

/// An array field of a `S::default()` local updated in a loop (progen bug 2),
/// and `.map` of an `Option<f64>` parameter passed as data (progen bug 6).
#[grad(wrt(a))]
pub fn binned(a: &[f64], w: Option<f64>) -> f64 {
    let mut acc = Acc::default();
    for e in a.iter() {
        acc.h[1] += e.sin();
        acc.sum += e;
        acc.n += 1;
    }
    let scale = w.map(|f| f * acc.sum).unwrap_or(acc.sum) + w.map(f64::sin).unwrap_or(0.0);
    acc.h[1] * scale / acc.n as f64
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn defaults(x in -2.0f64..2.0, y in -2.0f64..2.0, d in cotangent()) {
        let (v, g) = two_fields_backward(x, d);
        assert_bits(v, two_fields(x), "value");
        prop_fd(|p| two_fields(p[0]), &[x], &[g / d])?;
        let (v, gx, gy) = array_field_backward(x, y, d);
        assert_bits(v, array_field(x, y), "value");
        prop_fd(|p| array_field(p[0], p[1]), &[x, y], &[gx / d, gy / d])?;
        let (v, gx, gy) = update_syntax_backward(x, y, d);
        assert_bits(v, update_syntax(x, y), "value");
        prop_fd(|p| update_syntax(p[0], p[1]), &[x, y], &[gx / d, gy / d])?;
        let (v, g) = custom_default_backward(x, d);
        assert_bits(v, custom_default(x), "value");
        prop_fd(|p| custom_default(p[0]), &[x], &[g / d])?;
    }

    #[test]
    fn whole(v in -2.0f64..2.0, w in -2.0f64..2.0, dt in 0.05f64..0.5, d in cotangent()) {
        let axes = [
            Pose2 { x: d, y: 0.0, theta: 0.0 },
            Pose2 { x: 0.0, y: d, theta: 0.0 },
            Pose2 { x: 0.0, y: 0.0, theta: d },
        ];
        for (k, dp) in axes.into_iter().enumerate() {
            let pick = move |p: Pose2| [p.x, p.y, p.theta][k];
            let (p, gv, gw, gdt) = odometry_backward(v, w, dt, dp);
            assert_bits(pick(p), pick(odometry(v, w, dt)), "value");
            prop_fd(|q| pick(odometry(q[0], q[1], q[2])), &[v, w, dt], &[gv / d, gw / d, gdt / d])?;
        }
        let (c, g) = partial_pose_backward(v, d);
        assert_bits(c, partial_pose(v), "value");
        prop_fd(|q| partial_pose(q[0]), &[v], &[g / d])?;
    }

    #[test]
    fn running_variance(x in prop::collection::vec(-2.0f64..2.0, 1..7), d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let v = variance_backward(&x, &mut dx, d);
        assert_bits(v, variance(&x), "value");
        let g: Vec<f64> = dx.iter().map(|g| g / d).collect();
        prop_fd(variance, &x, &g)?;
    }

    #[test]
    fn options(x in away_from(-3.0, 6.0, &[0.0, 4.0], 0.05), y in -2.0f64..2.0, flag in any::<bool>(), d in cotangent()) {
        let (v, g) = opt_map_backward(x, flag, d);
        assert_bits(v, opt_map(x, flag), "value");
        prop_fd(|p| opt_map(p[0], flag), &[x], &[g / d])?;
        let (v, gx, gy) = opt_map_or_backward(x, y, d);
        assert_bits(v, opt_map_or(x, y), "value");
        prop_assert!(gx.is_finite() && gy.is_finite());
        prop_fd(|p| opt_map_or(p[0], p[1]), &[x, y], &[gx / d, gy / d])?;
        let (v, g) = opt_chain_backward(x, d);
        assert_bits(v, opt_chain(x), "value");
        prop_fd(|p| opt_chain(p[0]), &[x], &[g / d])?;
    }

    #[test]
    fn options_of_data(
        x in away_from(-2.0, 2.0, &[0.0, 1.0], 1e-3),
        k in prop::option::of(prop_oneof![-3.0f64..3.0, 9.0f64..12.0]),
        n in prop::option::of(0usize..6),
        d in cotangent(),
    ) {
        let (v, g) = data_options_backward(x, k, n, d);
        assert_bits(v, data_options(x, k, n), "value");
        prop_fd(|p| data_options(p[0], k, n), &[x], &[g / d])?;
    }

    #[test]
    fn default_array_field_in_a_loop(a in float_vec(-2.0, 2.0, 1..6), w in prop::option::of(-2.0f64..2.0), d in cotangent()) {
        let mut da = vec![0.0; a.len()];
        let v = binned_backward(&a, &mut da, w, d);
        assert_bits(v, binned(&a, w), "value");
        let g: Vec<f64> = da.iter().map(|g| g / d).collect();
        prop_fd(|p| binned(p, w), &a, &g)?;
    }

    #[test]
    fn option_in_loop(ts in prop::collection::vec(-1.0f64..2.0, 1..6), w in 0.5f64..1.5, d in cotangent()) {
        let mut dts = vec![0.0; ts.len()];
        let (v, gw) = nearest_hit_backward(&ts, &mut dts, w, d);
        assert_bits(v, nearest_hit(&ts, w), "value");
        let mut point = ts.clone();
        point.push(w);
        let mut g: Vec<f64> = dts.iter().map(|g| g / d).collect();
        g.push(gw / d);
        let n = ts.len();
        prop_fd(|p| nearest_hit(&p[..n], p[n]), &point, &g)?;
    }
}
