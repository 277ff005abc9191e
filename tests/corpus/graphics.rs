//! Graphics, written as a graphics programmer writes it.
use autodiff::{grad, Real};

#[grad]
pub fn dot3(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Distance along the ray to the first hit of a sphere, or -1 on a miss.
#[grad]
pub fn ray_sphere(origin: [f64; 3], dir: [f64; 3], center: [f64; 3], radius: f64) -> f64 {
    let oc = [
        origin[0] - center[0],
        origin[1] - center[1],
        origin[2] - center[2],
    ];
    let a = dot3(dir, dir);
    let b = 2.0 * dot3(oc, dir);
    let c = dot3(oc, oc) - radius * radius;
    let disc = b * b - 4.0 * a * c;
    if disc < 0.0 {
        return -1.0;
    }
    (-b - disc.sqrt()) / (2.0 * a)
}

/// Barycentric interpolation of a value over a triangle.
#[grad]
pub fn barycentric(p: [f64; 2], a: [f64; 2], b: [f64; 2], c: [f64; 2], vals: [f64; 3]) -> f64 {
    let v0 = [b[0] - a[0], b[1] - a[1]];
    let v1 = [c[0] - a[0], c[1] - a[1]];
    let v2 = [p[0] - a[0], p[1] - a[1]];
    let den = v0[0] * v1[1] - v1[0] * v0[1];
    let v = (v2[0] * v1[1] - v1[0] * v2[1]) / den;
    let w = (v0[0] * v2[1] - v2[0] * v0[1]) / den;
    let u = 1.0 - v - w;
    u * vals[0] + v * vals[1] + w * vals[2]
}

/// GLSL smoothstep, generic over the float type.
#[grad]
pub fn smoothstep<T: Real>(edge0: T, edge1: T, x: T) -> T {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(T::from_f64(0.0), T::from_f64(1.0));
    t * t * (T::from_f64(3.0) - T::from_f64(2.0) * t)
}

/// Arc length of a cubic Bézier curve, by sampling.
#[grad]
pub fn bezier_length(ctrl: [[f64; 2]; 4]) -> f64 {
    const N: usize = 32;
    let eval = |t: f64| -> [f64; 2] {
        let s = 1.0 - t;
        let b0 = s * s * s;
        let b1 = 3.0 * s * s * t;
        let b2 = 3.0 * s * t * t;
        let b3 = t * t * t;
        [
            b0 * ctrl[0][0] + b1 * ctrl[1][0] + b2 * ctrl[2][0] + b3 * ctrl[3][0],
            b0 * ctrl[0][1] + b1 * ctrl[1][1] + b2 * ctrl[2][1] + b3 * ctrl[3][1],
        ]
    };
    let mut len = 0.0;
    let mut prev = eval(0.0);
    for i in 1..=N {
        let p = eval(i as f64 / N as f64);
        len += (p[0] - prev[0]).hypot(p[1] - prev[1]);
        prev = p;
    }
    len
}

/// Rotation of a point about the origin, angle in degrees.
#[grad]
pub fn rotate2(p: [f64; 2], degrees: f64) -> [f64; 2] {
    let (s, c) = degrees.to_radians().sin_cos();
    [c * p[0] - s * p[1], s * p[0] + c * p[1]]
}

#[grad]
pub fn normalize(v: [f64; 3]) -> [f64; 3] {
    let len = dot3(v, v).sqrt();
    [v[0] / len, v[1] / len, v[2] / len]
}

/// Blinn-Phong shading: diffuse plus specular.
#[grad]
pub fn blinn_phong(n: [f64; 3], l: [f64; 3], v: [f64; 3], shininess: f64) -> f64 {
    // Call results without `: [f64; 3]` passed on to `dot3`: rejected on the first attempt
    // at cce7e0b (rustc E0308 inside the generated code); accepted as first written since
    // e9e54b3.
    let n = normalize(n);
    let l = normalize(l);
    let v = normalize(v);
    let h = normalize([l[0] + v[0], l[1] + v[1], l[2] + v[2]]);
    let diffuse = dot3(n, l).max(0.0);
    let specular = dot3(n, h).max(0.0).powf(shininess);
    0.8 * diffuse + 0.2 * specular
}

/// sRGB to linear, per channel, and the luminance.
#[grad]
pub fn srgb_luminance(rgb: [f32; 3]) -> f32 {
    let to_linear = |c: f32| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * to_linear(rgb[0]) + 0.7152 * to_linear(rgb[1]) + 0.0722 * to_linear(rgb[2])
}

/// A scene SDF: a sphere and a box blended with a polynomial smooth minimum.
#[grad]
pub fn sdf_scene(p: [f64; 3]) -> f64 {
    let sphere = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt() - 1.0;
    let q = [p[0].abs() - 0.8, (p[1] - 1.0).abs() - 0.5, p[2].abs() - 0.3];
    let outside = (q[0].max(0.0).powi(2) + q[1].max(0.0).powi(2) + q[2].max(0.0).powi(2)).sqrt();
    let inside = q[0].max(q[1]).max(q[2]).min(0.0);
    let boxd = outside + inside;
    let k = 0.25;
    let h = (0.5 + 0.5 * (boxd - sphere) / k).clamp(0.0, 1.0);
    boxd * (1.0 - h) + sphere * h - k * h * (1.0 - h)
}

/// Catmull-Rom spline through four samples, at t in [0, 1].
#[grad]
pub fn catmull_rom(p: [f64; 4], t: f64) -> f64 {
    let t2 = t * t;
    let t3 = t2 * t;
    0.5 * ((2.0 * p[1])
        + (-p[0] + p[2]) * t
        + (2.0 * p[0] - 5.0 * p[1] + 4.0 * p[2] - p[3]) * t2
        + (-p[0] + 3.0 * p[1] - 3.0 * p[2] + p[3]) * t3)
}

/// Pinhole reprojection error of a few points, for a camera with focal length and a translation.
#[grad(wrt(focal, t))]
pub fn reprojection_error(
    focal: f64,
    t: [f64; 3],
    points: &[[f64; 3]],
    pixels: &[[f64; 2]],
) -> f64 {
    let mut err = 0.0;
    for (pt, px) in points.iter().zip(pixels.iter()) {
        let x = pt[0] + t[0];
        let y = pt[1] + t[1];
        let z = pt[2] + t[2];
        let u = focal * x / z;
        let v = focal * y / z;
        err += (u - px[0]).powi(2) + (v - px[1]).powi(2);
    }
    err
}

/// HSV to RGB, returning the green channel weighted by saturation.
#[grad]
pub fn hsv_to_rgb(h: f64, s: f64, v: f64) -> [f64; 3] {
    let c = v * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp.floor() as i32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    [r + m, g + m, b + m]
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn ray_sphere_intersection() {
    let o = [0.1, -0.2, -5.0];
    let dir = [0.05, 0.02, 1.0];
    let c = [0.0, 0.3, 0.5];
    let (y, d_o, d_dir, d_c, d_r) = ray_sphere_backward(o, dir, c, 1.2, 1.0);
    assert_bits(y, ray_sphere(o, dir, c, 1.2), "value");
    assert!(y > 0.0, "the ray hits");
    assert_fd(
        |p| ray_sphere(arr(p), arr(&p[3..]), arr(&p[6..]), p[9]),
        &cat(&[&o, &dir, &c, &[1.2]]),
        &cat(&[&d_o, &d_dir, &d_c, &[d_r]]),
    );
    let (y, da, db) = dot3_backward(o, dir, 1.0);
    assert_bits(y, dot3(o, dir), "value");
    assert_fd(
        |p| dot3(arr(p), arr(&p[3..])),
        &cat(&[&o, &dir]),
        &cat(&[&da, &db]),
    );
}

#[test]
fn barycentric_interpolation() {
    let (p, a, b, c) = ([0.3, 0.4], [0.0, 0.0], [1.0, 0.1], [0.2, 1.0]);
    let vals = [1.0, 2.0, -0.5];
    let (y, dp, da, db, dc, dv) = barycentric_backward(p, a, b, c, vals, 1.0);
    assert_bits(y, barycentric(p, a, b, c, vals), "value");
    assert_fd(
        |x| {
            barycentric(
                arr(x),
                arr(&x[2..]),
                arr(&x[4..]),
                arr(&x[6..]),
                arr(&x[8..]),
            )
        },
        &cat(&[&p, &a, &b, &c, &vals]),
        &cat(&[&dp, &da, &db, &dc, &dv]),
    );
}

#[test]
fn smoothstep_f64_and_f32() {
    let x = [0.2, 1.5, 0.7];
    let (y, a, b, c) = smoothstep_backward(x[0], x[1], x[2], 1.0);
    assert_bits(y, smoothstep(x[0], x[1], x[2]), "value");
    assert_fd(|p| smoothstep(p[0], p[1], p[2]), &x, &[a, b, c]);
    let (y, a, b, c) = smoothstep_backward(0.2f32, 1.5f32, 0.7f32, 1.0f32);
    assert_eq!(
        y.to_bits(),
        smoothstep(0.2f32, 1.5, 0.7).to_bits(),
        "f32 value"
    );
    let check = autodiff::check_gradient_with(
        |p| smoothstep(p[0], p[1], p[2]),
        &x,
        &[a as f64, b as f64, c as f64],
        f32_tol(),
    );
    assert!(check.passed(), "{check}");
}

#[test]
fn bezier_arc_length() {
    let ctrl = [[0.0, 0.0], [0.5, 1.2], [1.5, -0.4], [2.0, 0.6]];
    let (y, dc) = bezier_length_backward(ctrl, 1.0);
    assert_bits(y, bezier_length(ctrl), "value");
    assert_fd(|p| bezier_length(arr2(p)), &flat2(&ctrl), &flat2(&dc));
}

#[test]
fn rotation_in_degrees() {
    let p = [1.0, 0.5];
    let d_out = [0.4, -1.2];
    let (y, dp, dd) = rotate2_backward(p, 30.0, d_out);
    let want = rotate2(p, 30.0);
    assert_bits(y[0], want[0], "x");
    assert_bits(y[1], want[1], "y");
    assert_fd(
        |x| dot(&rotate2(arr(x), x[2]), &d_out),
        &cat(&[&p, &[30.0]]),
        &cat(&[&dp, &[dd]]),
    );
}

#[test]
fn blinn_phong_shading() {
    let n = [0.1, 1.0, 0.2];
    let l = [0.5, 1.0, -0.3];
    let v = [-0.2, 0.8, 0.6];
    let (y, dn, dl, dv, ds) = blinn_phong_backward(n, l, v, 16.0, 1.0);
    assert_bits(y, blinn_phong(n, l, v, 16.0), "value");
    assert_fd(
        |p| blinn_phong(arr(p), arr(&p[3..]), arr(&p[6..]), p[9]),
        &cat(&[&n, &l, &v, &[16.0]]),
        &cat(&[&dn, &dl, &dv, &[ds]]),
    );
    let d_out = [0.3, -0.7, 1.1];
    let (y, dn) = normalize_backward(n, d_out);
    let want = normalize(n);
    for i in 0..3 {
        assert_bits(y[i], want[i], "value");
    }
    assert_fd(|p| dot(&normalize(arr(p)), &d_out), &n, &dn);
}

#[test]
fn srgb_to_linear_luminance_f32() {
    // Both branches: one channel below the 0.04045 threshold.
    let rgb = [0.02f32, 0.5, 0.8];
    let (y, d) = srgb_luminance_backward(rgb, 1.0);
    assert_eq!(y.to_bits(), srgb_luminance(rgb).to_bits(), "value");
    // The same formula in f64, for the differences.
    let lin = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let f = |p: &[f64]| 0.2126 * lin(p[0]) + 0.7152 * lin(p[1]) + 0.0722 * lin(p[2]);
    let x: Vec<f64> = rgb.iter().map(|&c| c as f64).collect();
    let g: Vec<f64> = d.iter().map(|&c| c as f64).collect();
    let check = autodiff::check_gradient_with(f, &x, &g, f32_tol());
    assert!(check.passed(), "{check}");
}

#[test]
fn signed_distance_scene() {
    for p in [[0.3, 0.9, 0.1], [1.2, -0.4, 0.5], [0.1, 1.8, -0.2]] {
        let (y, dp) = sdf_scene_backward(p, 1.0);
        assert_bits(y, sdf_scene(p), "value");
        assert_fd(|x| sdf_scene(arr(x)), &p, &dp);
    }
}

#[test]
fn catmull_rom_spline() {
    let p = [0.0, 1.0, 0.5, 2.0];
    let (y, dp, dt) = catmull_rom_backward(p, 0.35, 1.0);
    assert_bits(y, catmull_rom(p, 0.35), "value");
    assert_fd(
        |x| catmull_rom(arr(x), x[4]),
        &cat(&[&p, &[0.35]]),
        &cat(&[&dp, &[dt]]),
    );
}

#[test]
fn pinhole_reprojection() {
    let points = [[0.1, 0.2, 4.0], [-0.5, 0.3, 5.0], [0.4, -0.6, 3.5]];
    let pixels = [[20.0, 30.0], [-60.0, 40.0], [70.0, -100.0]];
    let t = [0.05, -0.02, 0.1];
    let (y, df, dt) = reprojection_error_backward(600.0, t, &points, &pixels, 1.0);
    assert_bits(y, reprojection_error(600.0, t, &points, &pixels), "value");
    assert_fd(
        |p| reprojection_error(p[0], arr(&p[1..]), &points, &pixels),
        &cat(&[&[600.0], &t]),
        &cat(&[&[df], &dt]),
    );
}

#[test]
fn hsv_conversion() {
    let d_out = [0.5, 1.0, -0.7];
    for h in [30.0, 100.0, 200.0, 250.0, 290.0, 340.0] {
        let (y, dh, ds, dv) = hsv_to_rgb_backward(h, 0.6, 0.8, d_out);
        let want = hsv_to_rgb(h, 0.6, 0.8);
        for i in 0..3 {
            assert_bits(y[i], want[i], "value");
        }
        assert_fd(
            |p| dot(&hsv_to_rgb(p[0], p[1], p[2]), &d_out),
            &[h, 0.6, 0.8],
            &[dh, ds, dv],
        );
    }
}
