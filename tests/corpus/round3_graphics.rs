//! Round 3, graphics: written as a graphics programmer writes Rust, before
//! reading the support table (a tuple parameter, a polygon as a slice of
//! tuples, `powf` of clamped channels).

use autodiff::grad;

/// Soft rasterised coverage of a pixel by a circle (sigmoid of signed distance).
#[grad(wrt(center, radius))]
pub fn coverage(center: (f64, f64), radius: f64, px: f64, py: f64, sharpness: f64) -> f64 {
    let d = ((px - center.0).powi(2) + (py - center.1).powi(2)).sqrt() - radius;
    1.0 / (1.0 + (sharpness * d).exp())
}

/// Catmull-Rom interpolation at parameter t of four control values.
#[grad]
pub fn catmull_rom(p: [f64; 4], t: f64) -> f64 {
    let t2 = t * t;
    let t3 = t2 * t;
    0.5 * ((2.0 * p[1])
        + (-p[0] + p[2]) * t
        + (2.0 * p[0] - 5.0 * p[1] + 4.0 * p[2] - p[3]) * t2
        + (-p[0] + 3.0 * p[1] - 3.0 * p[2] + p[3]) * t3)
}

/// Area of a polygon by the shoelace formula.
#[grad]
pub fn polygon_area(vertices: &[(f64, f64)]) -> f64 {
    let n = vertices.len();
    let mut area = 0.0;
    for i in 0..n {
        let (x0, y0) = vertices[i];
        let (x1, y1) = vertices[(i + 1) % n];
        area += x0 * y1 - x1 * y0;
    }
    0.5 * area.abs()
}

/// Gamma-corrected luminance of an RGB triple.
#[grad]
pub fn luminance(rgb: [f64; 3], gamma: f64) -> f64 {
    let coeffs = [0.2126, 0.7152, 0.0722];
    rgb.iter()
        .zip(coeffs.iter())
        .map(|(c, k)| k * c.max(0.0).powf(gamma))
        .sum()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r3_coverage() {
    for (px, py) in [(0.2, 0.1), (1.5, -0.4)] {
        let (v, dc, dr) = coverage_backward((0.5, 0.0), 0.8, px, py, 6.0, 1.0);
        assert_bits(v, coverage((0.5, 0.0), 0.8, px, py, 6.0), "value");
        assert_fd(
            |p| coverage((p[0], p[1]), p[2], px, py, 6.0),
            &[0.5, 0.0, 0.8],
            &[dc.0, dc.1, dr],
        );
    }
}

#[test]
fn r3_catmull_rom() {
    let p = [0.0, 1.0, 0.5, 2.0];
    for t in [0.25, 0.8] {
        let (v, dp, dt) = catmull_rom_backward(p, t, 1.0);
        assert_bits(v, catmull_rom(p, t), "value");
        assert_fd(
            |q| catmull_rom(arr(q), q[4]),
            &cat(&[&p, &[t]]),
            &cat(&[&dp, &[dt]]),
        );
    }
}

#[test]
fn r3_polygon_area() {
    let v = [(0.0, 0.0), (2.0, 0.1), (2.2, 1.5), (0.3, 1.8)];
    let mut dv = [(0.0, 0.0); 4];
    let a = polygon_area_backward(&v, &mut dv, 1.0);
    assert_bits(a, polygon_area(&v), "value");
    let point: Vec<f64> = v.iter().flat_map(|&(x, y)| [x, y]).collect();
    let g: Vec<f64> = dv.iter().flat_map(|&(x, y)| [x, y]).collect();
    assert_fd(
        |q| polygon_area(&q.chunks(2).map(|c| (c[0], c[1])).collect::<Vec<_>>()),
        &point,
        &g,
    );
}

#[test]
fn r3_luminance() {
    let rgb = [0.8, 0.4, 0.1];
    let (v, drgb, dg) = luminance_backward(rgb, 2.2, 1.0);
    assert_bits(v, luminance(rgb, 2.2), "value");
    assert_fd(
        |q| luminance(arr(q), q[3]),
        &[0.8, 0.4, 0.1, 2.2],
        &cat(&[&drgb, &[dg]]),
    );
}
