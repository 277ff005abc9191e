//! Round 6, graphics: written as a graphics programmer writes Rust, before reading
//! the support table (Cook-Torrance GGX with small vector helpers, a uniform cubic
//! B-spline over a slice of control points, CIE76 colour difference through CIELAB
//! with `const` matrices and `array::map`, a sphere-traced soft shadow with `break`).

use autodiff::grad;
use std::f64::consts::PI;

/// `a · b`.
#[grad]
pub fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// `v / |v|`.
#[grad]
pub fn normalize(v: [f64; 3]) -> [f64; 3] {
    let len = dot(v, v).sqrt();
    [v[0] / len, v[1] / len, v[2] / len]
}

/// Cook-Torrance specular reflectance with the GGX distribution, Smith-Schlick
/// geometry and Schlick's Fresnel, for a unit normal `n` and view and light
/// directions (normalised here).
#[grad(wrt(view, light, roughness, f0))]
pub fn cook_torrance_ggx(
    n: [f64; 3],
    view: [f64; 3],
    light: [f64; 3],
    roughness: f64,
    f0: f64,
) -> f64 {
    let v = normalize(view);
    let l = normalize(light);
    let h = normalize([v[0] + l[0], v[1] + l[1], v[2] + l[2]]);
    let n_dot_l = dot(n, l).max(0.0);
    let n_dot_v = dot(n, v).max(1e-4);
    let n_dot_h = dot(n, h).max(0.0);
    if n_dot_l <= 0.0 {
        return 0.0;
    }
    let alpha = roughness * roughness;
    let a2 = alpha * alpha;
    let denom = n_dot_h * n_dot_h * (a2 - 1.0) + 1.0;
    let d = a2 / (PI * denom * denom);
    let k = (roughness + 1.0).powi(2) / 8.0;
    let g1 = |x: f64| x / (x * (1.0 - k) + k);
    let g = g1(n_dot_v) * g1(n_dot_l);
    let f = f0 + (1.0 - f0) * (1.0 - dot(v, h)).powi(5);
    d * g * f / (4.0 * n_dot_v * n_dot_l)
}

/// A point on the uniform cubic B-spline of control points `ctrl` at parameter
/// `t ∈ [0, ctrl.len() - 3]`: segment `⌊t⌋` blended with the cubic B-spline basis.
#[grad(wrt(ctrl, t))]
pub fn bspline_point(ctrl: &[[f64; 2]], t: f64) -> [f64; 2] {
    let seg = (t.floor() as usize).min(ctrl.len() - 4);
    let u = t - seg as f64;
    let basis = [
        (1.0 - u).powi(3) / 6.0,
        (3.0 * u.powi(3) - 6.0 * u * u + 4.0) / 6.0,
        (-3.0 * u.powi(3) + 3.0 * u * u + 3.0 * u + 1.0) / 6.0,
        u.powi(3) / 6.0,
    ];
    let mut p = [0.0; 2];
    for (i, b) in basis.iter().enumerate() {
        p[0] += b * ctrl[seg + i][0];
        p[1] += b * ctrl[seg + i][1];
    }
    p
}

/// Linear sRGB to CIE XYZ (D65).
const SRGB_TO_XYZ: [[f64; 3]; 3] = [
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
];

/// The D65 reference white in XYZ.
const WHITE: [f64; 3] = [0.95047, 1.0, 1.08883];

/// A gamma-encoded sRGB colour in CIELAB.
#[grad]
pub fn srgb_to_lab(c: [f64; 3]) -> [f64; 3] {
    let lin = c.map(|v| {
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    });
    let mut xyz = [0.0; 3];
    for i in 0..3 {
        for j in 0..3 {
            xyz[i] += SRGB_TO_XYZ[i][j] * lin[j];
        }
    }
    let delta: f64 = 6.0 / 29.0;
    let f = |t: f64| {
        if t > delta.powi(3) {
            t.cbrt()
        } else {
            t / (3.0 * delta * delta) + 4.0 / 29.0
        }
    };
    let fx = f(xyz[0] / WHITE[0]);
    let fy = f(xyz[1] / WHITE[1]);
    let fz = f(xyz[2] / WHITE[2]);
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIE76 colour difference ΔE*ab between two sRGB colours.
#[grad]
pub fn delta_e76(a: [f64; 3], b: [f64; 3]) -> f64 {
    let la = srgb_to_lab(a);
    let lb = srgb_to_lab(b);
    la.iter()
        .zip(lb.iter())
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Signed distance from `p` to the sphere of radius `r` around `c`.
#[grad]
pub fn sphere_sdf(p: [f64; 3], c: [f64; 3], r: f64) -> f64 {
    ((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2) + (p[2] - c[2]).powi(2)).sqrt() - r
}

/// Soft shadow factor (Quílez's penumbra estimate) at `origin` towards a light in
/// the unit direction `dir`, past a sphere occluder: sphere tracing keeps the least
/// `k h / t`; 1 is fully lit, 0 fully shadowed.
#[grad(wrt(origin, center, k))]
pub fn soft_shadow(origin: [f64; 3], dir: [f64; 3], center: [f64; 3], radius: f64, k: f64) -> f64 {
    let mut res: f64 = 1.0;
    let mut t = 0.05;
    for _ in 0..64 {
        let p = [
            origin[0] + t * dir[0],
            origin[1] + t * dir[1],
            origin[2] + t * dir[2],
        ];
        let h = sphere_sdf(p, center, radius);
        if h < 1e-4 {
            return 0.0;
        }
        res = res.min(k * h / t);
        t += h;
        if t > 20.0 {
            break;
        }
    }
    res.clamp(0.0, 1.0)
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r6_cook_torrance_ggx() {
    let n = [0.0, 0.0, 1.0];
    let view = [0.3, -0.2, 1.0];
    let light = [-0.5, 0.4, 0.8];
    for (rough, f0) in [(0.4, 0.04), (0.8, 0.9)] {
        let (s, dv, dl, dr, df) = cook_torrance_ggx_backward(n, view, light, rough, f0, 1.0);
        assert_bits(s, cook_torrance_ggx(n, view, light, rough, f0), "value");
        assert_fd(
            |p| cook_torrance_ggx(n, arr(&p[..3]), arr(&p[3..6]), p[6], p[7]),
            &cat(&[&view, &light, &[rough, f0]]),
            &cat(&[&dv, &dl, &[dr, df]]),
        );
    }
    // A light below the horizon: no reflection, no gradient.
    let (s, dv, dl, dr, df) = cook_torrance_ggx_backward(n, view, [0.2, 0.1, -1.0], 0.5, 0.04, 1.0);
    assert_eq!(s, 0.0);
    assert_eq!((dv, dl, dr, df), ([0.0; 3], [0.0; 3], 0.0, 0.0));
}

#[test]
fn r6_bspline_point() {
    let ctrl = [
        [0.0, 0.0],
        [1.0, 2.0],
        [2.5, 2.2],
        [3.0, 0.5],
        [4.5, -0.3],
        [5.0, 1.0],
    ];
    for (t, c) in [(0.4, [1.0, 0.0]), (1.7, [0.3, -0.9]), (2.6, [-1.2, 0.5])] {
        let mut dctrl = [[0.0; 2]; 6];
        let (q, dt) = bspline_point_backward(&ctrl, &mut dctrl, t, c);
        assert_eq!(q, bspline_point(&ctrl, t));
        assert_fd(
            |p| {
                let ctrl: [[f64; 2]; 6] = arr2(&p[..12]);
                let q = bspline_point(&ctrl, p[12]);
                q[0] * c[0] + q[1] * c[1]
            },
            &cat(&[&flat2(&ctrl), &[t]]),
            &cat(&[&flat2(&dctrl), &[dt]]),
        );
    }
}

#[test]
fn r6_delta_e76() {
    // The second colour's blue channel is in the linear segment of the sRGB curve.
    let a = [0.8, 0.3, 0.2];
    let b = [0.6, 0.45, 0.03];
    let (e, da, db) = delta_e76_backward(a, b, 1.0);
    assert_bits(e, delta_e76(a, b), "value");
    assert_fd(
        |p| delta_e76(arr(&p[..3]), arr(&p[3..])),
        &cat(&[&a, &b]),
        &cat(&[&da, &db]),
    );
}

#[test]
fn r6_soft_shadow() {
    let dir = [0.0, 0.0, 1.0];
    let center = [0.9, 0.2, 3.0];
    // The ray passes beside the sphere: a penumbra value strictly inside (0, 1).
    let origin = [0.1, -0.1, 0.0];
    let k = 8.0;
    let (s, dor, dc, dk) = soft_shadow_backward(origin, dir, center, 0.5, k, 1.0);
    assert_bits(s, soft_shadow(origin, dir, center, 0.5, k), "value");
    assert!(s > 0.0 && s < 1.0, "penumbra {s}");
    assert_fd(
        |p| soft_shadow(arr(&p[..3]), dir, arr(&p[3..6]), 0.5, p[6]),
        &cat(&[&origin, &center, &[k]]),
        &cat(&[&dor, &dc, &[dk]]),
    );
}
