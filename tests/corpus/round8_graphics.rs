//! Round 8, graphics: written as a graphics programmer writes Rust, before reading the
//! support table (Phong shading, gamma-correct blending in linear light, the arc length
//! of a Catmull-Rom spline, a signed-distance scene with a smooth union).

use autodiff::{grad, Tangent};

const AMBIENT: f64 = 0.05;

#[grad]
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[grad]
fn normalize(v: [f64; 3]) -> [f64; 3] {
    let len = dot(v, v).sqrt();
    [v[0] / len, v[1] / len, v[2] / len]
}

/// Reflects the direction `d` about the unit normal `n`.
#[grad]
fn reflect(d: [f64; 3], n: [f64; 3]) -> [f64; 3] {
    let k = 2.0 * dot(d, n);
    [d[0] - k * n[0], d[1] - k * n[1], d[2] - k * n[2]]
}

/// A Phong material (diffuse albedo, specular weight, shininess).
#[derive(Clone, Debug, Tangent)]
pub struct Material {
    pub diffuse: [f64; 3],
    pub specular: f64,
    pub shininess: f64,
}

/// Phong shading of one point lit by a white directional light; RGB radiance.
#[grad(wrt(normal, material))]
pub fn phong(
    normal: [f64; 3],
    light_dir: [f64; 3],
    view_dir: [f64; 3],
    material: &Material,
) -> [f64; 3] {
    let n = normalize(normal);
    let l = normalize(light_dir);
    let v = normalize(view_dir);
    let diff = dot(n, l).max(0.0);
    let r = reflect([-l[0], -l[1], -l[2]], n);
    let spec = if diff > 0.0 {
        dot(r, v).max(0.0).powf(material.shininess)
    } else {
        0.0
    };
    // As first written, accepted since 1ccc7c2 (`.map` on a struct's array field):
    // rejected at 520f6f4 and at 1ccc7c2's parent 8430b27 with "unsupported method `map`
    // in #[grad] fn; the supported float methods are exp …" (`let kd: [f64; 3] =
    // material.diffuse; kd.map(…)`: "`.map(f)` is supported on a fixed-size array with a
    // literal length (`[f64; 3]`) …"; `from_fn` unannotated: "the length of
    // `array::from_fn`'s array is not known here"). The rewrite was `let rgb: [f64; 3] =
    // std::array::from_fn(|i| … material.diffuse[i] …); rgb`.
    material
        .diffuse
        .map(|kd| AMBIENT + kd * diff + material.specular * spec)
}

/// sRGB transfer function, decoded to linear light.
#[grad]
pub fn srgb_to_linear(c: f64) -> f64 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear light encoded with the sRGB transfer function.
#[grad]
pub fn linear_to_srgb(c: f64) -> f64 {
    if c <= 0.003_130_8 {
        12.92 * c
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// `src` over `dst` with coverage `alpha`, blended in linear light (sRGB in and out).
#[grad]
pub fn blend_over(src: [f64; 3], dst: [f64; 3], alpha: f64) -> [f64; 3] {
    std::array::from_fn(|i| {
        let lin = alpha * srgb_to_linear(src[i]) + (1.0 - alpha) * srgb_to_linear(dst[i]);
        linear_to_srgb(lin)
    })
}

/// Uniform Catmull-Rom segment between `p[1]` and `p[2]`.
#[grad]
pub fn catmull_rom(p: [[f64; 2]; 4], t: f64) -> [f64; 2] {
    let t2 = t * t;
    let t3 = t2 * t;
    let mut out = [0.0; 2];
    for k in 0..2 {
        out[k] = 0.5
            * (2.0 * p[1][k]
                + (-p[0][k] + p[2][k]) * t
                + (2.0 * p[0][k] - 5.0 * p[1][k] + 4.0 * p[2][k] - p[3][k]) * t2
                + (-p[0][k] + 3.0 * p[1][k] - 3.0 * p[2][k] + p[3][k]) * t3);
    }
    out
}

/// Polyline approximation of the spline's arc length through all control points.
#[grad]
pub fn spline_length(points: &[[f64; 2]], samples_per_segment: usize) -> f64 {
    let mut length = 0.0;
    for seg in points.windows(4) {
        let ctrl = [seg[0], seg[1], seg[2], seg[3]];
        // As first written, accepted since 1ccc7c2 (a call's array result carried by a
        // loop): rejected at 520f6f4 and at 1ccc7c2's parent 8430b27 with "a value carried
        // by this loop changes type in its body" (at the inner `for`). The rewrite
        // annotated `prev` and `cur` as `[f64; 2]`.
        let mut prev = catmull_rom(ctrl, 0.0);
        for s in 1..=samples_per_segment {
            let t = s as f64 / samples_per_segment as f64;
            let cur = catmull_rom(ctrl, t);
            length += (cur[0] - prev[0]).hypot(cur[1] - prev[1]);
            prev = cur;
        }
    }
    length
}

const SPHERES: [([f64; 3], f64); 3] = [
    ([0.0, 0.0, 0.0], 1.0),
    ([1.5, 0.2, 0.0], 0.7),
    ([-0.3, 1.4, 0.5], 0.5),
];

#[grad]
fn length(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

/// Polynomial smooth minimum (Quílez).
#[grad]
pub fn smooth_min(a: f64, b: f64, k: f64) -> f64 {
    let h = (0.5 + 0.5 * (b - a) / k).clamp(0.0, 1.0);
    b * (1.0 - h) + a * h - k * h * (1.0 - h)
}

/// Signed distance to an axis-aligned box of half extents `half` at the origin.
#[grad]
pub fn sd_box(p: [f64; 3], half: [f64; 3]) -> f64 {
    let q = [
        p[0].abs() - half[0],
        p[1].abs() - half[1],
        p[2].abs() - half[2],
    ];
    let outside = length([q[0].max(0.0), q[1].max(0.0), q[2].max(0.0)]);
    let inside = q[0].max(q[1]).max(q[2]).min(0.0);
    outside + inside
}

/// Signed distance to a union of spheres smoothly blended with a floor slab.
#[grad]
pub fn scene_sdf(p: [f64; 3], blend: f64) -> f64 {
    let spheres = SPHERES
        .iter()
        // As first written, accepted since 8e522dc (a tuple pattern over an element of a
        // `const` table of tuples): rejected at 520f6f4 and at 8e522dc's parent 1ccc7c2
        // with "this tuple pattern does not match the value's shape" (at `(c, r)`). The
        // rewrite read the fields, `.map(|s| length([p[0] - s.0[0], …]) - s.1)`.
        .map(|(c, r)| length([p[0] - c[0], p[1] - c[1], p[2] - c[2]]) - r)
        .fold(f64::INFINITY, f64::min);
    let slab = sd_box([p[0], p[1] + 1.0, p[2]], [2.0, 0.25, 2.0]);
    smooth_min(spheres, slab, blend)
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r8_phong() {
    let m = Material {
        diffuse: [0.8, 0.4, 0.2],
        specular: 0.5,
        shininess: 12.0,
    };
    let (nrm, light, view) = ([0.1, 1.0, 0.2], [0.4, 1.0, -0.3], [-0.2, 1.0, 0.5]);
    let ybar = [0.3, -0.7, 1.1];
    let mut dm = <Material as Tangent>::zero();
    let (rgb, dn) = phong_backward(nrm, light, view, &m, &mut dm, ybar);
    // Lit and with a highlight: the specular term (and so the shininess) matters.
    assert!(dm.shininess.abs() > 1e-6, "no highlight: {}", dm.shininess);
    let want = phong(nrm, light, view, &m);
    for k in 0..3 {
        assert_bits(rgb[k], want[k], "value");
    }
    assert_fd(
        |p| {
            let m = Material {
                diffuse: arr(&p[3..6]),
                specular: p[6],
                shininess: p[7],
            };
            dot3(&phong(arr(&p[..3]), light, view, &m), &ybar)
        },
        &[0.1, 1.0, 0.2, 0.8, 0.4, 0.2, 0.5, 12.0],
        &cat(&[&dn, &dm.diffuse, &[dm.specular, dm.shininess]]),
    );
}

fn dot3(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn r8_blend_over() {
    let (src, dst) = ([0.9, 0.35, 0.6], [0.1, 0.7, 0.25]);
    let ybar = [1.0, -0.5, 0.8];
    let (c, ds, dd, da) = blend_over_backward(src, dst, 0.6, ybar);
    let want = blend_over(src, dst, 0.6);
    for k in 0..3 {
        assert_bits(c[k], want[k], "value");
    }
    assert_fd(
        |p| dot3(&blend_over(arr(&p[..3]), arr(&p[3..6]), p[6]), &ybar),
        &cat(&[&src, &dst, &[0.6]]),
        &cat(&[&ds, &dd, &[da]]),
    );
}

#[test]
fn r8_spline_length() {
    let pts = [
        [0.0, 0.0],
        [1.0, 0.5],
        [2.0, -0.3],
        [3.2, 0.4],
        [4.0, 1.5],
        [4.5, 0.2],
    ];
    let mut dp = [[0.0; 2]; 6];
    let len = spline_length_backward(&pts, &mut dp, 16, 1.0);
    assert_bits(len, spline_length(&pts, 16), "value");
    assert_fd(
        |p| spline_length(&arr2::<2, 6>(p), 16),
        &flat2(&pts),
        &flat2(&dp),
    );
}

#[test]
fn r8_scene_sdf() {
    // One point where the spheres win the blend, one inside the blend band.
    for p in [[0.3, 0.6, 0.2], [1.2, -0.55, 0.1]] {
        let (d, dp, dk) = scene_sdf_backward(p, 0.3, 1.0);
        assert_bits(d, scene_sdf(p, 0.3), "value");
        assert_fd(
            |q| scene_sdf(arr(&q[..3]), q[3]),
            &cat(&[&p, &[0.3]]),
            &cat(&[&dp, &[dk]]),
        );
    }
}
