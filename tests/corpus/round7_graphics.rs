//! Round 7, graphics: written as a graphics programmer writes Rust, before reading the
//! support table (a Vec3 struct with operators and methods shading a ray-traced sphere,
//! extended Reinhard tone mapping with a const luma table, a bicubic Bézier patch fitted
//! to samples, a soft rasteriser in the style of SoftRas).

use autodiff::{grad, Tangent};
use std::ops::{Add, Mul, Sub};

/// A 3-vector.
#[derive(Tangent, Clone, Copy, Debug, PartialEq)]
pub struct Vec3 {
    /// x component.
    pub x: f64,
    /// y component.
    pub y: f64,
    /// z component.
    pub z: f64,
}

// first written: these operator impls with `#[grad]` on each trait method (`fn add`,
// `fn sub`, `fn mul`) instead of on the impl block. Rejected at d4b6ca5: `#[grad]` in a
// trait impl emits its companions there (E0407 "method `sub_backward` is not a member of
// trait `Sub`", E0438 for `__AUTODIFF_FIRST_SUB`, E0599 at each); the operators on struct
// values in the body gave "cannot mix a float and an integer here …" (misleading) and
// "unsupported method `dot` …"; at 5e8c305 one spanned "an operator on structs (`a - b`
// through `impl Sub for …`) is not differentiated in #[grad] bodies …" per use, the
// E0407s still there. Accepted with the attribute moved to the impl blocks since 8430b27
// (operators on structs through `#[grad] impl Add/Sub/Mul<f64> for T`; at its parent
// 3fb5f9d "#[grad] applies to a `fn` item with a body" at each impl block, and the
// spanned operator message at each use below); `#[grad]` on the trait's method is a clear
// error since 8430b27 ("#[grad] goes on the operator's impl block, not on its method …").
// The bodies below are as first written. The rewrite used free
// `#[grad]` functions `sub3` and `scale3` (removed), and met a bug on the way (a `#[grad]`
// fn or method returning a struct-valued `#[grad]` call, fixed in 70ca09f).
#[grad]
impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3 {
            x: self.x + o.x,
            y: self.y + o.y,
            z: self.z + o.z,
        }
    }
}

#[grad]
impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3 {
            x: self.x - o.x,
            y: self.y - o.y,
            z: self.z - o.z,
        }
    }
}

#[grad]
impl Mul<f64> for Vec3 {
    type Output = Vec3;
    fn mul(self, s: f64) -> Vec3 {
        Vec3 {
            x: self.x * s,
            y: self.y * s,
            z: self.z * s,
        }
    }
}

// As first written since 5e8c305 (a method's `self` is differentiated by default; at its
// parent 9d384e5 E0080 "`Vec3::dot` does not differentiate its first parameter …"), and
// `normalized`'s `self * (1.0 / len)` since 8430b27 (above).
impl Vec3 {
    /// Dot product.
    #[grad]
    pub fn dot(self, o: Vec3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    /// This vector scaled to unit length.
    #[grad]
    pub fn normalized(self) -> Vec3 {
        let len = self.dot(self).sqrt();
        self * (1.0 / len)
    }
}

/// Lambert shading of the point where a ray from the origin along `dir` first hits a
/// sphere, lit by a point light; 0 where the ray misses or the light is behind.
// In part as first written since 8430b27, with the operators' `#[grad]` moved to their
// impl blocks (above): `(hit - center) * (1.0 / radius)`, `(light - hit).normalized()`,
// `n.dot(l)` (at 3fb5f9d the operator message at each operator and "unsupported method
// `dot` …"); not `d * t` (below).
#[grad(wrt(center, radius, light))]
pub fn lambert_sphere(dir: Vec3, center: Vec3, radius: f64, light: Vec3) -> f64 {
    let d = dir.normalized();
    let b = d.dot(center);
    let disc = b * b - center.dot(center) + radius * radius;
    if disc < 0.0 {
        return 0.0;
    }
    let t = b - disc.sqrt();
    if t <= 0.0 {
        return 0.0;
    }
    // first written: `let hit = d * t;`, still rejected at 8e522dc: an operator on a
    // local bound to a method's struct result (`d` from `dir.normalized()`) is taken for a
    // float one, and the next operator reports "an operator with a number on the left of
    // a struct (`2.0 * v`) is not differentiated …" at `hit - center` (with `let d: Vec3`
    // annotated, or `dir.normalized() * t` unbound, "field access is only supported on
    // tuples" at the fields read). The rest is as first written.
    let hit = Vec3 {
        x: d.x * t,
        y: d.y * t,
        z: d.z * t,
    };
    let n = (hit - center) * (1.0 / radius);
    let l = (light - hit).normalized();
    n.dot(l).max(0.0)
}

/// Rec. 709 luma coefficients.
const LUMA: [f64; 3] = [0.2126, 0.7152, 0.0722];

/// Mean squared error between an HDR image tone-mapped by `exposure` and extended
/// Reinhard on luminance (white point `white`), clipped and gamma-encoded, and a target
/// LDR image.
#[grad(wrt(exposure, white))]
pub fn reinhard_fit(hdr: &[[f64; 3]], target: &[[f64; 3]], exposure: f64, white: f64) -> f64 {
    let mut err = 0.0;
    for (px, tg) in hdr.iter().zip(target) {
        let lum: f64 = px.iter().zip(LUMA.iter()).map(|(c, w)| c * w).sum::<f64>() * exposure;
        let mapped = lum * (1.0 + lum / (white * white)) / (1.0 + lum);
        let scale = mapped / lum;
        for ch in 0..3 {
            let out = (px[ch] * exposure * scale).clamp(0.0, 1.0).powf(1.0 / 2.2);
            err += (out - tg[ch]).powi(2);
        }
    }
    err / (3 * hdr.len()) as f64
}

/// The cubic Bernstein basis at `t`.
#[grad]
pub fn bernstein3(t: f64) -> [f64; 4] {
    let s = 1.0 - t;
    [s * s * s, 3.0 * s * s * t, 3.0 * s * t * t, t * t * t]
}

/// Squared error of a bicubic Bézier height patch against samples (u, v, height).
#[grad]
pub fn bezier_patch_fit(control: &[[f64; 4]; 4], samples: &[(f64, f64, f64)]) -> f64 {
    let mut err = 0.0;
    for &(u, v, z) in samples {
        let bu = bernstein3(u);
        let bv = bernstein3(v);
        let mut h = 0.0;
        for i in 0..4 {
            for j in 0..4 {
                h += bu[i] * bv[j] * control[i][j];
            }
        }
        err += (h - z) * (h - z);
    }
    err
}

/// Edge function of `p` against the edge a → b (positive on its left).
#[grad]
pub fn edge(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
}

/// Soft rasterisation of a triangle (after SoftRas, Liu et al. 2019): a pixel's coverage
/// is the product of the sigmoids of its signed distances to the three edges at
/// `sharpness`; returns the squared error against a target mask on a w × h grid.
#[grad(wrt(tri, sharpness))]
pub fn soft_raster_loss(
    tri: [[f64; 2]; 3],
    target: &[f64],
    w: usize,
    h: usize,
    sharpness: f64,
) -> f64 {
    let area = edge(tri[0], tri[1], tri[2]);
    let orient = if area < 0.0 { -1.0 } else { 1.0 };
    let mut loss = 0.0;
    for y in 0..h {
        for x in 0..w {
            let p = [x as f64 + 0.5, y as f64 + 0.5];
            let mut cov = 1.0;
            for k in 0..3 {
                let a = tri[k];
                let b = tri[(k + 1) % 3];
                let len = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
                let d = orient * edge(a, b, p) / len;
                cov *= 1.0 / (1.0 + (-d / sharpness).exp());
            }
            let e = cov - target[y * w + x];
            loss += e * e;
        }
    }
    loss
}

// ---------------------------------------------------------------- tests

use crate::common::*;

/// A Vec3 from three numbers.
fn v3(p: &[f64]) -> Vec3 {
    Vec3 {
        x: p[0],
        y: p[1],
        z: p[2],
    }
}

#[test]
fn r7_lambert_sphere() {
    let center = v3(&[0.3, 0.0, 5.0]);
    let light = v3(&[5.0, 5.0, 0.0]);
    let dir = v3(&[0.1, 0.05, 1.0]);
    let (v, dc, dr, dl) = lambert_sphere_backward(dir, center, 1.0, light, 1.0);
    assert_bits(v, lambert_sphere(dir, center, 1.0, light), "value");
    assert!(v > 0.1, "the ray hits the lit side");
    assert_fd(
        |p| lambert_sphere(dir, v3(&p[0..3]), p[3], v3(&p[4..7])),
        &[0.3, 0.0, 5.0, 1.0, 5.0, 5.0, 0.0],
        &[dc.x, dc.y, dc.z, dr, dl.x, dl.y, dl.z],
    );
    // A ray that misses: nothing lit, nothing to move.
    let miss = v3(&[1.0, 0.0, 0.2]);
    let (v, dc, dr, dl) = lambert_sphere_backward(miss, center, 1.0, light, 1.0);
    assert_bits(v, 0.0, "miss");
    assert_eq!((dc, dr, dl), (v3(&[0.0; 3]), 0.0, v3(&[0.0; 3])));
}

#[test]
fn r7_reinhard_fit() {
    // The red channel of the last pixel clips at 1.
    let hdr = [
        [0.5, 0.4, 0.3],
        [2.0, 1.5, 1.0],
        [0.1, 0.2, 0.05],
        [4.0, 0.5, 0.2],
    ];
    let target = [
        [0.6, 0.55, 0.5],
        [0.9, 0.8, 0.7],
        [0.3, 0.4, 0.2],
        [1.0, 0.5, 0.35],
    ];
    let (v, de, dw) = reinhard_fit_backward(&hdr, &target, 0.8, 3.0, 1.0);
    assert_bits(v, reinhard_fit(&hdr, &target, 0.8, 3.0), "value");
    assert_fd(
        |p| reinhard_fit(&hdr, &target, p[0], p[1]),
        &[0.8, 3.0],
        &[de, dw],
    );
}

#[test]
fn r7_bezier_patch_fit() {
    let control: [[f64; 4]; 4] =
        core::array::from_fn(|i| core::array::from_fn(|j| ((i * 4 + j) as f64 * 0.37).sin()));
    let samples = [
        (0.1, 0.2, 0.3),
        (0.5, 0.5, -0.2),
        (0.8, 0.3, 0.6),
        (0.3, 0.9, 0.1),
        (0.65, 0.7, -0.4),
    ];
    let mut dc = [[0.0; 4]; 4];
    let mut ds = [(0.0, 0.0, 0.0); 5];
    let v = bezier_patch_fit_backward(&control, &mut dc, &samples, &mut ds, 1.0);
    assert_bits(v, bezier_patch_fit(&control, &samples), "value");
    let flat_s: Vec<f64> = samples.iter().flat_map(|&(u, v, z)| [u, v, z]).collect();
    let flat_ds: Vec<f64> = ds.iter().flat_map(|&(u, v, z)| [u, v, z]).collect();
    assert_fd(
        |p| {
            let s: Vec<(f64, f64, f64)> = p[16..].chunks(3).map(|c| (c[0], c[1], c[2])).collect();
            bezier_patch_fit(&arr2::<4, 4>(p), &s)
        },
        &cat(&[&flat2(&control), &flat_s]),
        &cat(&[&flat2(&dc), &flat_ds]),
    );
}

#[test]
fn r7_soft_raster_loss() {
    let (w, h) = (8, 8);
    // The target: a hard mask of a nearby triangle.
    let goal = [[1.0, 1.5], [6.8, 2.4], [2.5, 6.5]];
    let target: Vec<f64> = (0..w * h)
        .map(|k| {
            let p = [(k % w) as f64 + 0.5, (k / w) as f64 + 0.5];
            let inside = (0..3).all(|e| edge(goal[e], goal[(e + 1) % 3], p) > 0.0);
            if inside {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    // Counter-clockwise, then the same triangle clockwise.
    let ccw = [[1.2, 1.0], [6.5, 2.0], [3.0, 6.8]];
    let cw = [ccw[0], ccw[2], ccw[1]];
    for tri in [ccw, cw] {
        let (v, dtri, ds) = soft_raster_loss_backward(tri, &target, w, h, 0.7, 1.0);
        assert_bits(v, soft_raster_loss(tri, &target, w, h, 0.7), "value");
        assert_fd(
            |p| soft_raster_loss(arr2::<2, 3>(p), &target, w, h, p[6]),
            &cat(&[&flat2(&tri), &[0.7]]),
            &cat(&[&flat2(&dtri), &[ds]]),
        );
    }
}
