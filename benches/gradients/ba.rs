//! One bundle-adjustment reprojection residual, as in ADBench's BA objective:
//! 2 residuals over 15 inputs (camera: rotation 3, centre 3, focal length 1,
//! principal point 2, radial distortion 2; point 3; weight 1), straight-line
//! code with one branch. The 2 x 15 Jacobian takes two reverse sweeps.

use crate::common::{assert_close, central_differences};
use autodiff::grad;
use criterion::Criterion;
use easy_ml::differentiation::record_operations::SwappedOperations;
use easy_ml::differentiation::{Record, WengertList};
use easy_ml::numeric::extra::{Cos, Sin, Sqrt};
use nalgebra::{SMatrix, SVector};
use num_dual::{jacobian, DualNum, DualSVec64};
use std::hint::black_box;

/// `w * (project(cam, x) - feat)`: Rodrigues rotation of `x - C` by the
/// angle-axis `cam[0..3]` (first order about a zero angle, as in ADBench),
/// perspective division, radial distortion `1 + k1 r^2 + k2 r^4`, focal length
/// and principal point.
#[grad(wrt(cam, x, w))]
pub fn ba_residual(cam: [f64; 11], x: [f64; 3], w: f64, feat: [f64; 2]) -> [f64; 2] {
    let p = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let sqtheta = cam[0] * cam[0] + cam[1] * cam[1] + cam[2] * cam[2];
    let mut r = [0.0; 3];
    if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let c = theta.cos();
        let s = theta.sin();
        let inv = 1.0 / theta;
        let u = [cam[0] * inv, cam[1] * inv, cam[2] * inv];
        let t = (u[0] * p[0] + u[1] * p[1] + u[2] * p[2]) * (1.0 - c);
        r[0] = p[0] * c + (u[1] * p[2] - u[2] * p[1]) * s + u[0] * t;
        r[1] = p[1] * c + (u[2] * p[0] - u[0] * p[2]) * s + u[1] * t;
        r[2] = p[2] * c + (u[0] * p[1] - u[1] * p[0]) * s + u[2] * t;
    } else {
        r[0] = p[0] + cam[1] * p[2] - cam[2] * p[1];
        r[1] = p[1] + cam[2] * p[0] - cam[0] * p[2];
        r[2] = p[2] + cam[0] * p[1] - cam[1] * p[0];
    }
    let xp = r[0] / r[2];
    let yp = r[1] / r[2];
    let rsq = xp * xp + yp * yp;
    let l = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
    let proj0 = xp * l * cam[6] + cam[7];
    let proj1 = yp * l * cam[6] + cam[8];
    [w * (proj0 - feat[0]), w * (proj1 - feat[1])]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// The vector-Jacobian product by hand, with the companion's signature: the
/// residual, then `d_out^T J` split into camera, point and weight.
pub fn hand(
    cam: [f64; 11],
    x: [f64; 3],
    w: f64,
    feat: [f64; 2],
    d_out: [f64; 2],
) -> ([f64; 2], [f64; 11], [f64; 3], f64) {
    let rot = [cam[0], cam[1], cam[2]];
    let p = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let sqtheta = dot(rot, rot);
    let mut dcam = [0.0; 11];
    // Forward, keeping what the reverse needs.
    let (r, theta, c, s, inv, u, uxp, up) = if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let (s, c) = theta.sin_cos();
        let inv = 1.0 / theta;
        let u = [rot[0] * inv, rot[1] * inv, rot[2] * inv];
        let uxp = cross(u, p);
        let up = dot(u, p);
        let t = up * (1.0 - c);
        let r = [
            p[0] * c + uxp[0] * s + u[0] * t,
            p[1] * c + uxp[1] * s + u[1] * t,
            p[2] * c + uxp[2] * s + u[2] * t,
        ];
        (r, theta, c, s, inv, u, uxp, up)
    } else {
        let rxp = cross(rot, p);
        let r = [p[0] + rxp[0], p[1] + rxp[1], p[2] + rxp[2]];
        (r, 0.0, 1.0, 0.0, 0.0, [0.0; 3], [0.0; 3], 0.0)
    };
    let inv_z = 1.0 / r[2];
    let xp = r[0] * inv_z;
    let yp = r[1] * inv_z;
    let rsq = xp * xp + yp * yp;
    let l = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
    let (dx, dy) = (xp * l, yp * l);
    let proj = [dx * cam[6] + cam[7], dy * cam[6] + cam[8]];
    let res = [w * (proj[0] - feat[0]), w * (proj[1] - feat[1])];
    // Reverse.
    let dw = d_out[0] * (proj[0] - feat[0]) + d_out[1] * (proj[1] - feat[1]);
    let (g0, g1) = (w * d_out[0], w * d_out[1]);
    dcam[7] = g0;
    dcam[8] = g1;
    dcam[6] = g0 * dx + g1 * dy;
    let (ddx, ddy) = (g0 * cam[6], g1 * cam[6]);
    let dl = ddx * xp + ddy * yp;
    dcam[9] = dl * rsq;
    dcam[10] = dl * rsq * rsq;
    let drsq = dl * (cam[9] + 2.0 * cam[10] * rsq);
    let dxp = ddx * l + 2.0 * xp * drsq;
    let dyp = ddy * l + 2.0 * yp * drsq;
    let dr = [dxp * inv_z, dyp * inv_z, -(dxp * xp + dyp * yp) * inv_z];
    let mut dp;
    if sqtheta != 0.0 {
        let t = up * (1.0 - c);
        let dt = dot(dr, u);
        let dup = dt * (1.0 - c);
        let dc = dot(dr, p) - dt * up;
        let ds = dot(dr, uxp);
        let dru = cross(dr, u);
        let pdr = cross(p, dr);
        dp = [
            dr[0] * c + dru[0] * s + dup * u[0],
            dr[1] * c + dru[1] * s + dup * u[1],
            dr[2] * c + dru[2] * s + dup * u[2],
        ];
        let du = [
            pdr[0] * s + dr[0] * t + dup * p[0],
            pdr[1] * s + dr[1] * t + dup * p[1],
            pdr[2] * s + dr[2] * t + dup * p[2],
        ];
        let dtheta = c * ds - s * dc - dot(du, rot) * inv * inv;
        let k = dtheta / theta;
        for i in 0..3 {
            dcam[i] = du[i] * inv + rot[i] * k;
        }
    } else {
        let drr = cross(dr, rot);
        dp = [dr[0] + drr[0], dr[1] + drr[1], dr[2] + drr[2]];
        let pdr = cross(p, dr);
        dcam[..3].copy_from_slice(&pdr);
    }
    for i in 0..3 {
        dcam[3 + i] = -dp[i];
    }
    dp = [dp[0], dp[1], dp[2]];
    (res, dcam, dp, dw)
}

fn dual<D: DualNum<Primitive = f64> + Copy>(cam: &[D], x: &[D], w: D, feat: [f64; 2]) -> [D; 2] {
    let p = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let sqtheta = cam[0] * cam[0] + cam[1] * cam[1] + cam[2] * cam[2];
    let r = if sqtheta.re() != 0.0 {
        let theta = sqtheta.sqrt();
        let c = theta.cos();
        let s = theta.sin();
        let inv = theta.recip();
        let u = [cam[0] * inv, cam[1] * inv, cam[2] * inv];
        let t = (u[0] * p[0] + u[1] * p[1] + u[2] * p[2]) * (-c + 1.0);
        [
            p[0] * c + (u[1] * p[2] - u[2] * p[1]) * s + u[0] * t,
            p[1] * c + (u[2] * p[0] - u[0] * p[2]) * s + u[1] * t,
            p[2] * c + (u[0] * p[1] - u[1] * p[0]) * s + u[2] * t,
        ]
    } else {
        [
            p[0] + cam[1] * p[2] - cam[2] * p[1],
            p[1] + cam[2] * p[0] - cam[0] * p[2],
            p[2] + cam[0] * p[1] - cam[1] * p[0],
        ]
    };
    let xp = r[0] / r[2];
    let yp = r[1] / r[2];
    let rsq = xp * xp + yp * yp;
    let l = cam[9] * rsq + cam[10] * rsq * rsq + 1.0;
    let proj0 = xp * l * cam[6] + cam[7];
    let proj1 = yp * l * cam[6] + cam[8];
    [(proj0 - feat[0]) * w, (proj1 - feat[1]) * w]
}

/// `num_dual::jacobian` over `SVector<DualSVec64<15>, 15>`: the whole 2 x 15
/// Jacobian in one forward pass.
pub fn num_dual_svec(
    cam: [f64; 11],
    x: [f64; 3],
    w: f64,
    feat: [f64; 2],
) -> (SVector<f64, 2>, SMatrix<f64, 2, 15>) {
    let mut v = SVector::<f64, 15>::zeros();
    v.as_mut_slice()[..11].copy_from_slice(&cam);
    v.as_mut_slice()[11..14].copy_from_slice(&x);
    v[14] = w;
    jacobian(
        |v: SVector<DualSVec64<15>, 15>| {
            let s = v.as_slice();
            SVector::from(dual(&s[..11], &s[11..14], s[14], feat))
        },
        &v,
    )
}

/// easy-ml: one recorded forward pass, one backward pass per residual.
pub fn easy_ml(
    list: &WengertList<f64>,
    cam: [f64; 11],
    x: [f64; 3],
    w: f64,
    feat: [f64; 2],
) -> ([f64; 2], [[f64; 15]; 2]) {
    list.clear();
    let cam = cam.map(|v| Record::variable(v, list));
    let x = x.map(|v| Record::variable(v, list));
    let w = Record::variable(w, list);
    let p = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let sqtheta = cam[0] * cam[0] + cam[1] * cam[1] + cam[2] * cam[2];
    let r = if sqtheta.number != 0.0 {
        let theta = sqtheta.sqrt();
        let c = theta.cos();
        let s = theta.sin();
        let inv = theta.div_swapped(1.0);
        let u = [cam[0] * inv, cam[1] * inv, cam[2] * inv];
        let t = (u[0] * p[0] + u[1] * p[1] + u[2] * p[2]) * c.sub_swapped(1.0);
        [
            p[0] * c + (u[1] * p[2] - u[2] * p[1]) * s + u[0] * t,
            p[1] * c + (u[2] * p[0] - u[0] * p[2]) * s + u[1] * t,
            p[2] * c + (u[0] * p[1] - u[1] * p[0]) * s + u[2] * t,
        ]
    } else {
        [
            p[0] + cam[1] * p[2] - cam[2] * p[1],
            p[1] + cam[2] * p[0] - cam[0] * p[2],
            p[2] + cam[0] * p[1] - cam[1] * p[0],
        ]
    };
    let xp = r[0] / r[2];
    let yp = r[1] / r[2];
    let rsq = xp * xp + yp * yp;
    let l = cam[9] * rsq + cam[10] * rsq * rsq + 1.0;
    let proj0 = xp * l * cam[6] + cam[7];
    let proj1 = yp * l * cam[6] + cam[8];
    let res = [(proj0 - feat[0]) * w, (proj1 - feat[1]) * w];
    let mut jac = [[0.0; 15]; 2];
    for (row, e) in jac.iter_mut().zip(&res) {
        let d = e.derivatives();
        for (k, v) in cam.iter().chain(&x).chain([&w]).enumerate() {
            row[k] = d[v];
        }
    }
    ([res[0].number, res[1].number], jac)
}

/// Central finite differences: 30 evaluations of the residual.
pub fn fd(cam: [f64; 11], x: [f64; 3], w: f64, feat: [f64; 2]) -> [[f64; 15]; 2] {
    let mut jac = [[0.0; 15]; 2];
    for (out, row) in jac.iter_mut().enumerate() {
        let mut p = (cam, x, w);
        central_differences(
            &mut p,
            row,
            |p, k| match k {
                0..=10 => &mut p.0[k],
                11..=13 => &mut p.1[k - 11],
                _ => &mut p.2,
            },
            |p| ba_residual(p.0, p.1, p.2, feat)[out],
        );
    }
    jac
}

/// The 2 x 15 Jacobian from the companion: two reverse sweeps.
pub fn grad_jacobian(cam: [f64; 11], x: [f64; 3], w: f64, feat: [f64; 2]) -> [[f64; 15]; 2] {
    let mut jac = [[0.0; 15]; 2];
    for (k, row) in jac.iter_mut().enumerate() {
        let mut d_out = [0.0; 2];
        d_out[k] = 1.0;
        let (_, dc, dx, dw) = ba_residual_backward(cam, x, w, feat, black_box(d_out));
        row[..11].copy_from_slice(&dc);
        row[11..14].copy_from_slice(&dx);
        row[14] = dw;
    }
    jac
}

/// The same from the hand-written vector-Jacobian product.
pub fn hand_jacobian(cam: [f64; 11], x: [f64; 3], w: f64, feat: [f64; 2]) -> [[f64; 15]; 2] {
    let mut jac = [[0.0; 15]; 2];
    for (k, row) in jac.iter_mut().enumerate() {
        let mut d_out = [0.0; 2];
        d_out[k] = 1.0;
        let (_, dc, dx, dw) = hand(cam, x, w, feat, black_box(d_out));
        row[..11].copy_from_slice(&dc);
        row[11..14].copy_from_slice(&dx);
        row[14] = dw;
    }
    jac
}

/// A camera as in ADBench's data (small rotation, focal length in pixels,
/// distortion of normalised coordinates), a point in front of it, and a
/// feature near its projection.
const CAM: [f64; 11] = [
    0.0157, -0.0128, -0.0044, -0.034, -0.108, 1.12, 399.75, 0.5, -0.3, -0.32, 8.1e-2,
];
const X: [f64; 3] = [-0.612, 0.571, -1.847];
const W: f64 = 1.3;
const FEAT: [f64; 2] = [71.5, -94.9];

pub fn check() {
    for cam in [CAM, {
        let mut c = CAM;
        c[..3].copy_from_slice(&[0.0; 3]);
        c
    }] {
        let g = grad_jacobian(cam, X, W, FEAT);
        let h = hand_jacobian(cam, X, W, FEAT);
        let r = ba_residual(cam, X, W, FEAT);
        for k in 0..2 {
            assert_close("ba hand", &h[k], &g[k], 1e-12);
            assert_close("ba fd", &fd(cam, X, W, FEAT)[k], &g[k], 1e-6);
        }
        let (v, jac) = num_dual_svec(cam, X, W, FEAT);
        let list = WengertList::new();
        let (ev, ej) = easy_ml(&list, cam, X, W, FEAT);
        for k in 0..2 {
            assert!((v[k] - r[k]).abs() <= 1e-12 * r[k].abs().max(1.0));
            assert!((ev[k] - r[k]).abs() <= 1e-12 * r[k].abs().max(1.0));
            let row: Vec<f64> = jac.row(k).iter().copied().collect();
            assert_close("ba num-dual", &row, &g[k], 1e-12);
            assert_close("ba easy-ml", &ej[k], &g[k], 1e-12);
        }
    }
}

pub fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("ba_residual");
    let args = || (black_box(CAM), black_box(X), black_box(W), black_box(FEAT));
    group.bench_function("primal", |b| {
        b.iter(|| {
            let (c, x, w, f) = args();
            ba_residual(c, x, w, f)
        })
    });
    group.bench_function("grad_sweep", |b| {
        b.iter(|| {
            let (c, x, w, f) = args();
            ba_residual_backward(c, x, w, f, black_box([1.0, 0.0]))
        })
    });
    group.bench_function("hand_sweep", |b| {
        b.iter(|| {
            let (c, x, w, f) = args();
            hand(c, x, w, f, black_box([1.0, 0.0]))
        })
    });
    group.bench_function("grad", |b| {
        b.iter(|| {
            let (c, x, w, f) = args();
            grad_jacobian(c, x, w, f)
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            let (c, x, w, f) = args();
            hand_jacobian(c, x, w, f)
        })
    });
    group.bench_function("num_dual_svec", |b| {
        b.iter(|| {
            let (c, x, w, f) = args();
            num_dual_svec(c, x, w, f)
        })
    });
    let list = WengertList::new();
    group.bench_function("easy_ml", |b| {
        b.iter(|| {
            let (c, x, w, f) = args();
            easy_ml(&list, c, x, w, f)
        })
    });
    group.bench_function("fd", |b| {
        b.iter(|| {
            let (c, x, w, f) = args();
            fd(c, x, w, f)
        })
    });
    group.finish();
}
