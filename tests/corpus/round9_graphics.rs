//! Round 9, graphics: written as a graphics programmer writes Rust, before reading the
//! support table (2-D Gaussian splats composited front to back, spherical-harmonics
//! irradiance fitting, camera calibration with Brown–Conrady distortion, quaternion
//! slerp between keyframes).

use autodiff::{grad, Tangent};
use std::ops::{Add, Mul, Neg};

// ---------------------------------------------------------------- Gaussian splats

/// An anisotropic 2-D Gaussian splat.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Splat {
    pub mean: [f64; 2],
    pub log_scale: [f64; 2],
    pub rotation: f64,
    pub color: [f64; 3],
    pub opacity_logit: f64,
}

#[grad]
impl Splat {
    /// Opacity the splat contributes at pixel `p`.
    pub fn alpha_at(&self, p: [f64; 2]) -> f64 {
        let (s, c) = self.rotation.sin_cos();
        let dx = p[0] - self.mean[0];
        let dy = p[1] - self.mean[1];
        // Rotate into the splat's frame and scale.
        let u = (c * dx + s * dy) / self.log_scale[0].exp();
        let v = (-s * dx + c * dy) / self.log_scale[1].exp();
        let opacity = 1.0 / (1.0 + (-self.opacity_logit).exp());
        opacity * (-0.5 * (u * u + v * v)).exp()
    }
}

/// L2 loss of splats (sorted front to back) composited over black against target pixels,
/// stopping a pixel once its transmittance is negligible.
#[grad(wrt(splats))]
pub fn splat_loss(splats: &[Splat], pixels: &[([f64; 2], [f64; 3])]) -> f64 {
    // first written: `for &(p, target) in pixels {` with `splat.alpha_at(p)`; rejected at
    // 4d10a14 in the generated code: rustc E0308 "expected `[f64; 2]`, found `&[f64; 2]`"
    // at `alpha_at` (an array bound by a `&(p, target)` pattern passed on by value).
    // Bound by reference and dereferenced at the call instead:
    let mut loss = 0.0;
    for (p, target) in pixels {
        let mut rgb = [0.0; 3];
        let mut transmittance = 1.0;
        for splat in splats {
            let alpha = splat.alpha_at(*p).min(0.99);
            for ch in 0..3 {
                rgb[ch] += transmittance * alpha * splat.color[ch];
            }
            transmittance *= 1.0 - alpha;
            if transmittance < 1e-4 {
                break;
            }
        }
        loss += rgb
            .iter()
            .zip(target.iter())
            .map(|(c, t)| (c - t).powi(2))
            .sum::<f64>();
    }
    loss / pixels.len() as f64
}

// ---------------------------------------------------------------- SH irradiance

const C1: f64 = 0.429_043;
const C2: f64 = 0.511_664;
const C3: f64 = 0.743_125;
const C4: f64 = 0.886_227;
const C5: f64 = 0.247_708;

/// Irradiance at unit normal `n` from nine RGB spherical-harmonics lighting coefficients
/// (Ramamoorthi and Hanrahan 2001), in the order L00, L1-1, L10, L11, L2-2, L2-1, L20,
/// L21, L22.
#[grad]
pub fn sh_irradiance(sh: &[[f64; 3]; 9], n: [f64; 3]) -> [f64; 3] {
    let [x, y, z] = n;
    let mut e = [0.0; 3];
    for (ch, out) in e.iter_mut().enumerate() {
        let l = |i: usize| sh[i][ch];
        *out = C1 * l(8) * (x * x - y * y) + C3 * l(6) * z * z + C4 * l(0) - C5 * l(6)
            + 2.0 * C1 * (l(4) * x * y + l(7) * x * z + l(5) * y * z)
            + 2.0 * C2 * (l(3) * x + l(1) * y + l(2) * z);
    }
    e
}

/// Least-squares fit of SH lighting to irradiance samples `(normal, rgb)`.
#[grad(wrt(sh))]
pub fn sh_fit_loss(sh: &[[f64; 3]; 9], samples: &[([f64; 3], [f64; 3])]) -> f64 {
    samples
        .iter()
        .map(|(n, target)| {
            let e = sh_irradiance(sh, *n);
            (0..3).map(|c| (e[c] - target[c]).powi(2)).sum::<f64>()
        })
        .sum()
}

// ---------------------------------------------------------------- camera calibration

/// A pinhole camera with two radial distortion coefficients.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Camera {
    pub fx: f64,
    pub fy: f64,
    pub cx: f64,
    pub cy: f64,
    pub k1: f64,
    pub k2: f64,
}

#[grad]
impl Camera {
    /// Pixel coordinates of a point in the camera frame.
    pub fn project(&self, p: [f64; 3]) -> [f64; 2] {
        let x = p[0] / p[2];
        let y = p[1] / p[2];
        let r2 = x * x + y * y;
        let radial = 1.0 + self.k1 * r2 + self.k2 * r2 * r2;
        [
            self.fx * x * radial + self.cx,
            self.fy * y * radial + self.cy,
        ]
    }
}

// first written:
//
//     /// How reprojection residuals are weighted.
//     #[derive(Clone, Copy, Debug)]
//     pub enum Robust {
//         Squared,
//         Huber(f64),
//         Cauchy(f64),
//     }
//
//     /// Robust loss of a squared residual norm.
//     #[grad]
//     pub fn robust_loss(kind: Robust, r2: f64) -> f64 {
//         match kind {
//             Robust::Squared => r2,
//             Robust::Huber(delta) => {
//                 let r = r2.sqrt();
//                 if r <= delta {
//                     r2
//                 } else {
//                     2.0 * delta * r - delta * delta
//                 }
//             }
//             Robust::Cauchy(c) => c * c * (r2 / (c * c)).ln_1p(),
//         }
//     }
//
// and `calibration_loss(cam, observations, kind: Robust)`; rejected at 4d10a14:
// "unsupported pattern in a #[grad] `match`; use literals, ranges, `|`, constants, `_`,
// names, tuples of them and `Some` / `None` / `Ok` / `Err` of data, or an `if` chain" at
// `Robust::Huber(delta)` (a data enum's variant with a payload). The scale passed beside
// a payload-free enum instead:

/// How reprojection residuals are weighted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Robust {
    Squared,
    Huber,
    Cauchy,
}

/// Robust loss of a squared residual norm (`scale`: Huber's δ, Cauchy's c).
// With a plain `#[grad]`: rustc E0277 "`Robust` is not a `Tangent`: #[grad] cannot
// differentiate it"; the enum left out as data:
#[grad(wrt(scale, r2))]
pub fn robust_loss(kind: Robust, scale: f64, r2: f64) -> f64 {
    match kind {
        Robust::Squared => r2,
        Robust::Huber => {
            let r = r2.sqrt();
            if r <= scale {
                r2
            } else {
                2.0 * scale * r - scale * scale
            }
        }
        Robust::Cauchy => scale * scale * (r2 / (scale * scale)).ln_1p(),
    }
}

/// Calibration objective: robust reprojection error of known 3-D points against their
/// detected pixels.
#[grad(wrt(cam))]
pub fn calibration_loss(
    cam: &Camera,
    observations: &[([f64; 3], [f64; 2])],
    kind: Robust,
    scale: f64,
) -> f64 {
    observations
        .iter()
        .map(|(point, pixel)| {
            let uv = cam.project(*point);
            let r2 = (uv[0] - pixel[0]).powi(2) + (uv[1] - pixel[1]).powi(2);
            robust_loss(kind, scale, r2)
        })
        .sum()
}

// ---------------------------------------------------------------- slerp

/// A rotation quaternion `w + xi + yj + zk`.
#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Quat {
    pub w: f64,
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

#[grad]
impl Add for Quat {
    type Output = Quat;
    fn add(self, o: Quat) -> Quat {
        Quat {
            w: self.w + o.w,
            x: self.x + o.x,
            y: self.y + o.y,
            z: self.z + o.z,
        }
    }
}

#[grad]
impl Mul<f64> for Quat {
    type Output = Quat;
    fn mul(self, k: f64) -> Quat {
        Quat {
            w: self.w * k,
            x: self.x * k,
            y: self.y * k,
            z: self.z * k,
        }
    }
}

#[grad]
impl Neg for Quat {
    type Output = Quat;
    fn neg(self) -> Quat {
        Quat {
            w: -self.w,
            x: -self.x,
            y: -self.y,
            z: -self.z,
        }
    }
}

#[grad]
impl Quat {
    /// Four-dimensional inner product.
    pub fn dot(self, o: Quat) -> f64 {
        self.w * o.w + self.x * o.x + self.y * o.y + self.z * o.z
    }

    /// The unit quaternion in the same direction.
    pub fn normalized(self) -> Quat {
        self * (1.0 / self.dot(self).sqrt())
    }

    /// Rotates `v` by this unit quaternion: `v + 2w (q×v) + 2 q×(q×v)`.
    pub fn rotate(self, v: [f64; 3]) -> [f64; 3] {
        let q = [self.x, self.y, self.z];
        let cross = |a: [f64; 3], b: [f64; 3]| {
            [
                a[1] * b[2] - a[2] * b[1],
                a[2] * b[0] - a[0] * b[2],
                a[0] * b[1] - a[1] * b[0],
            ]
        };
        let t = cross(q, v);
        let u = cross(q, t);
        [
            v[0] + 2.0 * (self.w * t[0] + u[0]),
            v[1] + 2.0 * (self.w * t[1] + u[1]),
            v[2] + 2.0 * (self.w * t[2] + u[2]),
        ]
    }
}

/// Spherical linear interpolation along the shorter arc, falling back to normalised
/// linear interpolation for nearly equal rotations.
#[grad]
pub fn slerp(a: Quat, b: Quat, t: f64) -> Quat {
    let mut cos = a.dot(b);
    let b = if cos < 0.0 {
        cos = -cos;
        -b
    } else {
        b
    };
    // first written:
    //     if cos > 0.9995 {
    //         return (a * (1.0 - t) + b * t).normalized();
    //     }
    //     let theta = cos.acos();
    //     let sin = theta.sin();
    //     a * (((1.0 - t) * theta).sin() / sin) + b * ((t * theta).sin() / sin)
    // rejected at 4d10a14: "the branches of this `if` return values of different types"
    // at the `if` (an early `return` of a struct-valued call). An `if`/`else` as the tail
    // instead:
    if cos > 0.9995 {
        (a * (1.0 - t) + b * t).normalized()
    } else {
        let theta = cos.acos();
        let sin = theta.sin();
        a * (((1.0 - t) * theta).sin() / sin) + b * ((t * theta).sin() / sin)
    }
}

/// Squared error between a vector rotated by the interpolated keyframe rotation and where
/// it was observed.
#[grad(wrt(a, b))]
pub fn keyframe_error(a: Quat, b: Quat, t: f64, v: [f64; 3], observed: [f64; 3]) -> f64 {
    let r = slerp(a, b, t).rotate(v);
    r.iter().zip(&observed).map(|(p, o)| (p - o).powi(2)).sum()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

fn flat_splat(s: &Splat) -> Vec<f64> {
    vec![
        s.mean[0],
        s.mean[1],
        s.log_scale[0],
        s.log_scale[1],
        s.rotation,
        s.color[0],
        s.color[1],
        s.color[2],
        s.opacity_logit,
    ]
}

fn splat_from(c: &[f64]) -> Splat {
    Splat {
        mean: [c[0], c[1]],
        log_scale: [c[2], c[3]],
        rotation: c[4],
        color: [c[5], c[6], c[7]],
        opacity_logit: c[8],
    }
}

#[test]
fn r9_splat_loss() {
    let splats = [
        Splat {
            mean: [0.3, 0.4],
            log_scale: [-1.2, -1.6],
            rotation: 0.4,
            color: [0.9, 0.2, 0.1],
            opacity_logit: 1.0,
        },
        Splat {
            mean: [0.6, 0.5],
            log_scale: [-1.4, -1.0],
            rotation: -0.3,
            color: [0.1, 0.7, 0.3],
            opacity_logit: 0.3,
        },
        Splat {
            mean: [0.5, 0.7],
            log_scale: [-1.0, -1.3],
            rotation: 1.1,
            color: [0.2, 0.3, 0.8],
            opacity_logit: -0.5,
        },
    ];
    let pixels: Vec<([f64; 2], [f64; 3])> = (0..16)
        .map(|k| {
            let p = [0.125 + 0.25 * (k % 4) as f64, 0.125 + 0.25 * (k / 4) as f64];
            (p, [0.5 * p[0], 0.3 + 0.2 * p[1], 0.4 * p[0] * p[1]])
        })
        .collect();
    let mut ds = [Splat::default(); 3];
    let l = splat_loss_backward(&splats, &mut ds, &pixels, 1.0);
    assert_bits(l, splat_loss(&splats, &pixels), "value");
    // Neither the 0.99 clamp nor the 1e-4 cut-off is reached here: each alpha is at most
    // the largest opacity, σ(1) ≈ 0.73, so three splats leave a transmittance ≥ 0.27³.
    let flat = |ss: &[Splat]| -> Vec<f64> { ss.iter().flat_map(flat_splat).collect() };
    assert_fd(
        |p| {
            let ss: Vec<Splat> = p.chunks(9).map(splat_from).collect();
            splat_loss(&ss, &pixels)
        },
        &flat(&splats),
        &flat(&ds),
    );
}

#[test]
fn r9_sh_fit_loss() {
    let sh: [[f64; 3]; 9] =
        core::array::from_fn(|i| core::array::from_fn(|c| 0.4 * ((i * 3 + c) as f64 * 0.7).sin()));
    let samples: Vec<([f64; 3], [f64; 3])> = (0..10)
        .map(|k| {
            let (th, ph) = (0.3 + 0.25 * k as f64, 1.3 * k as f64);
            let n = [th.sin() * ph.cos(), th.sin() * ph.sin(), th.cos()];
            (n, [0.8 + 0.1 * n[2], 0.6 - 0.2 * n[0], 0.5 + 0.3 * n[1]])
        })
        .collect();
    let mut dsh = [[0.0; 3]; 9];
    let l = sh_fit_loss_backward(&sh, &mut dsh, &samples, 1.0);
    assert_bits(l, sh_fit_loss(&sh, &samples), "value");
    assert_fd(
        |p| sh_fit_loss(&arr2::<3, 9>(p), &samples),
        &flat2(&sh),
        &flat2(&dsh),
    );
}

#[test]
fn r9_calibration_loss() {
    let cam = Camera {
        fx: 800.0,
        fy: 790.0,
        cx: 320.0,
        cy: 240.0,
        k1: -0.1,
        k2: 0.02,
    };
    let observations: Vec<([f64; 3], [f64; 2])> = (0..9)
        .map(|k| {
            let p = [
                0.3 * (k % 3) as f64 - 0.3,
                0.25 * (k / 3) as f64 - 0.25,
                2.0 + 0.1 * k as f64,
            ];
            let uv = cam.project(p);
            (
                p,
                [
                    uv[0] + 3.0 * (k as f64).sin(),
                    uv[1] - 2.0 * (k as f64 * 0.7).cos(),
                ],
            )
        })
        .collect();
    // Huber's kink (a residual norm of δ = 2.5) is not within 0.05 of any residual.
    for (point, pixel) in &observations {
        let uv = cam.project(*point);
        let r = ((uv[0] - pixel[0]).powi(2) + (uv[1] - pixel[1]).powi(2)).sqrt();
        assert!((r - 2.5).abs() > 0.05, "residual {r} next to Huber's kink");
    }
    for (kind, scale) in [
        (Robust::Squared, 1.0),
        (Robust::Huber, 2.5),
        (Robust::Cauchy, 2.0),
    ] {
        let mut dc = Camera::default();
        let l = calibration_loss_backward(&cam, &mut dc, &observations, kind, scale, 1.0);
        assert_bits(
            l,
            calibration_loss(&cam, &observations, kind, scale),
            "value",
        );
        assert_fd(
            |p| {
                let c = Camera {
                    fx: p[0],
                    fy: p[1],
                    cx: p[2],
                    cy: p[3],
                    k1: p[4],
                    k2: p[5],
                };
                calibration_loss(&c, &observations, kind, scale)
            },
            &[cam.fx, cam.fy, cam.cx, cam.cy, cam.k1, cam.k2],
            &[dc.fx, dc.fy, dc.cx, dc.cy, dc.k1, dc.k2],
        );
    }
}

#[test]
fn r9_keyframe_error() {
    let a = Quat {
        w: 0.9,
        x: 0.1,
        y: 0.3,
        z: -0.2,
    }
    .normalized();
    let b = Quat {
        w: 0.5,
        x: -0.4,
        y: 0.6,
        z: 0.3,
    }
    .normalized();
    // The second pair is on opposite hemispheres: the shorter arc flips b.
    for (a, b) in [(a, b), (a, -b)] {
        let v = [1.0, 0.5, -0.3];
        let observed = [0.2, 1.0, 0.4];
        let (e, da, db) = keyframe_error_backward(a, b, 0.35, v, observed, 1.0);
        assert_bits(e, keyframe_error(a, b, 0.35, v, observed), "value");
        let q = |c: &[f64]| Quat {
            w: c[0],
            x: c[1],
            y: c[2],
            z: c[3],
        };
        assert_fd(
            |p| keyframe_error(q(&p[..4]), q(&p[4..]), 0.35, v, observed),
            &[a.w, a.x, a.y, a.z, b.w, b.x, b.y, b.z],
            &[da.w, da.x, da.y, da.z, db.w, db.x, db.y, db.z],
        );
    }
}
