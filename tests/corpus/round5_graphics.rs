//! Round 5, graphics: written as a graphics programmer writes Rust, before reading the
//! support table (a Catmull-Rom spline returning a point, Phong shading with helper
//! functions, front-to-back alpha compositing over a slice of layer structs).

use autodiff::{grad, Tangent};

/// A point on a uniform Catmull-Rom segment between `p[1]` and `p[2]`.
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

#[grad]
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[grad]
fn normalize(v: [f64; 3]) -> [f64; 3] {
    let len = dot(v, v).sqrt();
    [v[0] / len, v[1] / len, v[2] / len]
}

/// Phong shading: ambient + diffuse + specular, with the reflection of the light
/// direction about the normal.
#[grad]
pub fn phong(normal: [f64; 3], light_dir: [f64; 3], view_dir: [f64; 3], shininess: f64) -> f64 {
    let n = normalize(normal);
    let l = normalize(light_dir);
    let v = normalize(view_dir);
    let ndotl = dot(n, l).max(0.0);
    let r = [
        2.0 * ndotl * n[0] - l[0],
        2.0 * ndotl * n[1] - l[1],
        2.0 * ndotl * n[2] - l[2],
    ];
    let spec = if ndotl > 0.0 {
        dot(r, v).max(0.0).powf(shininess)
    } else {
        0.0
    };
    0.1 + 0.7 * ndotl + 0.4 * spec
}

#[derive(Tangent, Clone, Copy, Debug, Default)]
pub struct Layer {
    pub color: [f64; 3],
    pub alpha: f64,
}

/// Front-to-back "over" compositing of premultiplied-free layers onto a background;
/// returns the luminance of the result.
#[grad(wrt(layers))]
pub fn composite_luma(layers: &[Layer], background: [f64; 3]) -> f64 {
    let mut color = [0.0; 3];
    let mut transmittance = 1.0;
    for layer in layers {
        for c in 0..3 {
            color[c] += transmittance * layer.alpha * layer.color[c];
        }
        transmittance *= 1.0 - layer.alpha;
    }
    for c in 0..3 {
        color[c] += transmittance * background[c];
    }
    0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r5_catmull_rom() {
    let p = [[0.0, 0.0], [1.0, 2.0], [3.0, 2.5], [4.0, 0.5]];
    // At t = 0 and t = 1 the segment passes through p[1] and p[2].
    assert_eq!(catmull_rom(p, 0.0), p[1]);
    assert_eq!(catmull_rom(p, 1.0), p[2]);
    for (t, c) in [(0.3, [1.0, 0.0]), (0.8, [0.4, -1.3])] {
        let (q, dp, dt) = catmull_rom_backward(p, t, c);
        assert_eq!(q, catmull_rom(p, t));
        assert_fd(
            |x| dot2(&catmull_rom(arr2(&x[..8]), x[8]), &c),
            &cat(&[&flat2(&p), &[t]]),
            &cat(&[&flat2(&dp), &[dt]]),
        );
    }
}

fn dot2(a: &[f64], b: &[f64]) -> f64 {
    crate::common::dot(a, b)
}

#[test]
fn r5_phong() {
    let n = [0.1, 1.0, 0.2];
    let l = [0.5, 1.0, -0.3];
    let v = [-0.2, 1.0, 0.4];
    for s in [8.0, 32.0] {
        let (i, dn, dl, dv, ds) = phong_backward(n, l, v, s, 1.0);
        assert_bits(i, phong(n, l, v, s), "value");
        assert_fd(
            |p| phong(arr(&p[..3]), arr(&p[3..6]), arr(&p[6..9]), p[9]),
            &cat(&[&n, &l, &v, &[s]]),
            &cat(&[&dn, &dl, &dv, &[ds]]),
        );
    }
}

fn layers(p: &[f64]) -> Vec<Layer> {
    p.chunks(4)
        .map(|c| Layer {
            color: [c[0], c[1], c[2]],
            alpha: c[3],
        })
        .collect()
}

#[test]
fn r5_composite_luma() {
    let p = [0.9, 0.2, 0.1, 0.5, 0.1, 0.8, 0.3, 0.3, 0.2, 0.2, 0.9, 0.7];
    let ls = layers(&p);
    let bg = [0.5, 0.5, 0.5];
    let mut dls = vec![Layer::default(); 3];
    let y = composite_luma_backward(&ls, &mut dls, bg, 1.0);
    assert_bits(y, composite_luma(&ls, bg), "value");
    let g: Vec<f64> = dls
        .iter()
        .flat_map(|d| [d.color[0], d.color[1], d.color[2], d.alpha])
        .collect();
    assert_fd(|q| composite_luma(&layers(q), bg), &p, &g);
}
