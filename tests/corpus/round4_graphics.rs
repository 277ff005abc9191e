//! Round 4, graphics: written as a graphics programmer writes Rust, before
//! reading the support table (Möller–Trumbore with early returns and vector
//! closures, a camera struct with a method, a texture as `Vec` rows, sphere
//! tracing with `break`).
#![allow(clippy::ptr_arg)]

use autodiff::{grad, Tangent};

// First attempt rejected (at 1812d67): a type alias `type Vec3 = [f64; 3];` used for
// parameters, closure parameters and slices (`&[Vec3]`) gave "too many indices for this
// array" at every `a[0]` of a `Vec3` (21 times in `ray_triangle` and `march`), "an array
// pattern needs an array" at `let [x, y, z] = p;` and `let [u, v] = cam.project(*p);`,
// and "an element of a slice of structs or tuples is read field by field here …" at
// `*p`; the alias was spelled out as `[f64; 3]`. The alias is back where it is accepted:
// `march`'s and `Camera::project`'s parameters (since 4756717), the closures'
// parameters (accepted already at 1812d67 when the arguments are known arrays; their
// errors there came from the `Vec3` parameters passed to them) and `calib_error`'s
// `points: &[Vec3]` (an element passed on whole to a `#[grad]` method, `cam.project(*p)`:
// "an element of a slice of structs or tuples is read field by field here …" at 4f45b60,
// accepted at 9d384e5; the commit between was not looked for, as `calib_error` as a whole
// is accepted since 5e8c305). Still spelled out: `ray_triangle`'s parameters (a `Vec3`
// parameter only passed on to a closure, never indexed in the body itself, still gives
// "too many indices for this array" at the closure's `a[0]`, at 5e8c305 and 8e522dc too).
type Vec3 = [f64; 3];

/// Distance along the ray to a triangle (Möller–Trumbore), or +∞ on a miss.
// First attempt rejected at 1812d67 for two reasons: the `Vec3` alias (above; its
// parameters still spelled out, its closures' back) and
// `!(0.0..=1.0).contains(&u)` ("ranges are only supported as `for` loop bounds"; it was
// `u < 0.0 || u > 1.0` under `#[allow(clippy::manual_range_contains)]`), accepted as
// first written since db76099.
#[grad]
pub fn ray_triangle(
    origin: [f64; 3],
    dir: [f64; 3],
    v0: [f64; 3],
    v1: [f64; 3],
    v2: [f64; 3],
) -> f64 {
    const EPS: f64 = 1e-9;
    let sub = |a: Vec3, b: Vec3| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    let dot = |a: Vec3, b: Vec3| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let cross = |a: Vec3, b: Vec3| {
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    };
    let e1 = sub(v1, v0);
    let e2 = sub(v2, v0);
    let p = cross(dir, e2);
    let det = dot(e1, p);
    if det.abs() < EPS {
        return f64::INFINITY;
    }
    let inv = 1.0 / det;
    let s = sub(origin, v0);
    let u = dot(s, p) * inv;
    if !(0.0..=1.0).contains(&u) {
        return f64::INFINITY;
    }
    let q = cross(s, e1);
    let v = dot(dir, q) * inv;
    if v < 0.0 || u + v > 1.0 {
        return f64::INFINITY;
    }
    dot(e2, q) * inv
}

#[derive(Tangent, Clone, Copy, Debug)]
pub struct Camera {
    pub focal: f64,
    pub cx: f64,
    pub cy: f64,
    pub k1: f64,
}

impl Camera {
    /// Pinhole projection with one radial distortion coefficient.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default). At 1812d67 `#[grad]` compiled with `self` as data, and
    // `calib_error`'s call `cam.project(*p)` failed in the generated code (E0061: "this
    // function takes 3 arguments but 4 arguments were supplied"); since edbdd66, and still
    // at 5e8c305's parent 9d384e5, E0080 "`Camera::project` does not differentiate its
    // first parameter …". The rewrite had `#[grad(wrt(self, p))]`. Its `p: Vec3` (an array
    // pattern on a `Vec3` parameter) is accepted since 4756717.
    #[grad]
    pub fn project(&self, p: Vec3) -> [f64; 2] {
        let [x, y, z] = p;
        let (u, v) = (x / z, y / z);
        let d = 1.0 + self.k1 * (u * u + v * v);
        [self.focal * d * u + self.cx, self.focal * d * v + self.cy]
    }
}

/// Mean squared reprojection error of known 3-D points seen at pixel positions
/// (camera calibration).
#[grad(wrt(cam))]
pub fn calib_error(cam: &Camera, points: &[Vec3], pixels: &[[f64; 2]]) -> f64 {
    let total: f64 = points
        .iter()
        .zip(pixels)
        .map(|(p, px)| {
            // Rejected at 1812d67 with the alias spelled out too: `let [u, v] = …` gave "an
            // array pattern needs an array" (it was `let uv = …; uv[0]`); accepted as first
            // written since db76099. The whole function as first written (`&[Vec3]`, see
            // above, and `project`'s plain `#[grad]`) since 5e8c305; at its parent 9d384e5
            // E0080 "`Camera::project` does not differentiate its first parameter …".
            let [u, v] = cam.project(*p);
            (u - px[0]).powi(2) + (v - px[1]).powi(2)
        })
        .sum();
    total / points.len() as f64
}

/// Bilinear texture lookup at continuous texel coordinates, clamped to the edge.
#[grad]
pub fn bilinear(tex: &[Vec<f64>], u: f64, v: f64) -> f64 {
    let h = tex.len();
    let w = tex[0].len();
    let x = u.clamp(0.0, (w - 1) as f64);
    let y = v.clamp(0.0, (h - 1) as f64);
    let x0 = (x.floor() as usize).min(w - 2);
    let y0 = (y.floor() as usize).min(h - 2);
    let fx = x - x0 as f64;
    let fy = y - y0 as f64;
    let top = tex[y0][x0] * (1.0 - fx) + tex[y0][x0 + 1] * fx;
    let bottom = tex[y0 + 1][x0] * (1.0 - fx) + tex[y0 + 1][x0 + 1] * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Sphere-traces a ray against the smooth union of a sphere at the origin and a
/// capsule; returns the hit distance (or the far plane).
#[grad]
pub fn march(origin: Vec3, dir: Vec3, radius: f64, blend: f64) -> f64 {
    const FAR: f64 = 20.0;
    const HIT: f64 = 1e-10;
    let smin = |a: f64, b: f64, k: f64| {
        let h = (0.5 + 0.5 * (b - a) / k).clamp(0.0, 1.0);
        b * (1.0 - h) + a * h - k * h * (1.0 - h)
    };
    let scene = |p: Vec3| -> f64 {
        let sphere = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt() - radius;
        // capsule from (1, 0, 0) to (2, 1, 0), radius 0.3
        let pa = [p[0] - 1.0, p[1], p[2]];
        let h = ((pa[0] + pa[1]) / 2.0).clamp(0.0, 1.0);
        let capsule = ((pa[0] - h).powi(2) + (pa[1] - h).powi(2) + pa[2].powi(2)).sqrt() - 0.3;
        smin(sphere, capsule, blend)
    };
    let mut t = 0.0;
    for _ in 0..128 {
        let p = [
            origin[0] + t * dir[0],
            origin[1] + t * dir[1],
            origin[2] + t * dir[2],
        ];
        let d = scene(p);
        if d < HIT {
            break;
        }
        t += d;
        // First attempt rejected at 1812d67 for two reasons: the `Vec3` alias (above;
        // accepted here since 4756717) and this `return` ("`return` inside a loop is not
        // supported in #[grad] bodies; `break` out of the loop and return after it"; it was
        // `t = FAR; break;`), accepted since 0f99aa2: `march` is accepted as first written
        // since 4756717.
        if t > FAR {
            return FAR;
        }
    }
    t
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r4_ray_triangle() {
    let (v0, v1, v2) = ([0.0, 0.0, 2.0], [1.5, 0.2, 2.5], [0.1, 1.4, 1.8]);
    let origin = [0.3, 0.2, -1.0];
    let dir = [0.05, 0.1, 1.0];
    let (t, dorig, ddir, d0, d1, d2) = ray_triangle_backward(origin, dir, v0, v1, v2, 1.0);
    assert_bits(t, ray_triangle(origin, dir, v0, v1, v2), "value");
    assert!(
        t.is_finite() && t > 0.0,
        "the ray hits the triangle: t = {t}"
    );
    let point = cat(&[&origin, &dir, &v0, &v1, &v2]);
    let g = cat(&[&dorig, &ddir, &d0, &d1, &d2]);
    assert_fd(
        |p| {
            ray_triangle(
                arr(p),
                arr(&p[3..]),
                arr(&p[6..]),
                arr(&p[9..]),
                arr(&p[12..]),
            )
        },
        &point,
        &g,
    );
    // A miss: +∞, and no gradient.
    let away = [3.0, 3.0, -1.0];
    let (t, dorig, ddir, d0, ..) = ray_triangle_backward(away, dir, v0, v1, v2, 1.0);
    assert_eq!(t, f64::INFINITY);
    assert_eq!((dorig, ddir, d0), ([0.0; 3], [0.0; 3], [0.0; 3]));
}

fn camera(p: &[f64]) -> Camera {
    Camera {
        focal: p[0],
        cx: p[1],
        cy: p[2],
        k1: p[3],
    }
}

const CAM: [f64; 4] = [500.0, 320.0, 240.0, -0.08];

#[test]
fn r4_camera_project() {
    let cam = camera(&CAM);
    let p = [0.4, -0.3, 2.5];
    let c = [0.7, -1.1];
    let mut dcam = Camera {
        focal: 0.0,
        cx: 0.0,
        cy: 0.0,
        k1: 0.0,
    };
    let (uv, dp) = cam.project_backward(&mut dcam, p, c);
    let want = cam.project(p);
    assert_bits(uv[0], want[0], "u");
    assert_bits(uv[1], want[1], "v");
    assert_fd(
        |q| dot(&camera(q).project(arr(&q[4..])), &c),
        &cat(&[&CAM, &p]),
        &cat(&[&[dcam.focal, dcam.cx, dcam.cy, dcam.k1], &dp]),
    );
}

#[test]
fn r4_calib_error() {
    let truth = camera(&[480.0, 330.0, 235.0, -0.05]);
    let points = [
        [0.4, -0.3, 2.5],
        [-0.6, 0.2, 3.0],
        [0.1, 0.5, 1.8],
        [0.7, 0.6, 4.0],
    ];
    // Pixels of a slightly different camera, a little noisy.
    let pixels: Vec<[f64; 2]> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let uv = truth.project(*p);
            [uv[0] + 0.3 * i as f64, uv[1] - 0.2]
        })
        .collect();
    let cam = camera(&CAM);
    let mut dcam = Camera {
        focal: 0.0,
        cx: 0.0,
        cy: 0.0,
        k1: 0.0,
    };
    let e = calib_error_backward(&cam, &mut dcam, &points, &pixels, 1.0);
    assert_bits(e, calib_error(&cam, &points, &pixels), "value");
    assert_fd(
        |q| calib_error(&camera(q), &points, &pixels),
        &CAM,
        &[dcam.focal, dcam.cx, dcam.cy, dcam.k1],
    );
}

#[test]
fn r4_bilinear() {
    let tex = vec![
        vec![0.1, 0.5, 0.9, 0.3],
        vec![0.7, 0.2, 0.4, 0.8],
        vec![0.6, 0.95, 0.05, 0.35],
    ];
    let flat: Vec<f64> = tex.iter().flatten().copied().collect();
    let unflat = |p: &[f64]| -> Vec<Vec<f64>> { p.chunks(4).map(|r| r.to_vec()).collect() };
    // Inside cells, and past the right edge (clamped: no gradient in u there).
    for (u, v) in [(1.3, 0.6), (0.25, 1.7), (3.4, 1.2)] {
        let mut dtex = vec![vec![0.0; 4]; 3];
        let (s, du, dv) = bilinear_backward(&tex, &mut dtex, u, v, 1.0);
        assert_bits(s, bilinear(&tex, u, v), "value");
        let mut g: Vec<f64> = dtex.iter().flatten().copied().collect();
        g.extend([du, dv]);
        assert_fd(
            |p| bilinear(&unflat(&p[..12]), p[12], p[13]),
            &cat(&[&flat, &[u, v]]),
            &g,
        );
    }
}

#[test]
fn r4_march() {
    // Straight down +z past the gap between the sphere and the capsule, where the
    // smooth union bridges it (the blend matters), and a ray onto the sphere. (Not at
    // x + y = 1, where the capsule's clamp has its kink along the ray.)
    let cases = [
        ([0.9, 0.2, -3.0], [0.0, 0.0, 1.0], 0.8, 0.5),
        ([0.0, -3.0, 0.2], [0.1, 0.99498743710662, 0.0], 0.9, 0.3),
    ];
    for (i, (origin, dir, radius, blend)) in cases.into_iter().enumerate() {
        let (t, dorig, ddir, dr, db) = march_backward(origin, dir, radius, blend, 1.0);
        assert_bits(t, march(origin, dir, radius, blend), "value");
        assert!(t < 20.0, "the ray hits: t = {t}");
        assert!(
            i == 1 || db.abs() > 0.01,
            "the blend matters on the first ray: {db}"
        );
        let mut g = cat(&[&dorig, &ddir]);
        g.extend([dr, db]);
        assert_fd(
            |p| march(arr(p), arr(&p[3..]), p[6], p[7]),
            &cat(&[&origin, &dir, &[radius, blend]]),
            &g,
        );
    }
}
