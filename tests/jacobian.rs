//! `#[grad(jacobian)]`: dense Jacobians by the cheaper sweep, against central
//! differences, entry by entry.

use autodiff::grad;

/// A planar arm of 3 links: the end effector (x, y) and its orientation from
/// the joint angles (3 × 3: as many inputs as outputs, so forward passes).
#[grad(jacobian)]
fn arm(q: [f64; 3], l: &[f64; 3]) -> [f64; 3] {
    let mut a = 0.0;
    let mut p = [0.0, 0.0, 0.0];
    for i in 0..3 {
        a += q[i];
        p[0] += l[i] * a.cos();
        p[1] += l[i] * a.sin();
    }
    p[2] = a;
    p
}

/// A reprojection residual (2 outputs) of a camera (6), a point (3) and a
/// weight: 10 inputs, so reverse passes.
#[grad(jacobian)]
fn residual(cam: [f64; 6], x: [f64; 3], w: f64) -> [f64; 2] {
    let mut p = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    // a rotation about z by cam[0] and about x by cam[1], then a focal length
    let (s, c) = cam[0].sin_cos();
    p = [c * p[0] - s * p[1], s * p[0] + c * p[1], p[2]];
    let (s, c) = cam[1].sin_cos();
    p = [p[0], c * p[1] - s * p[2], s * p[1] + c * p[2]];
    [w * cam[2] * p[0] / p[2], w * cam[2] * p[1] / p[2]]
}

fn fd<const M: usize>(f: impl Fn(f64) -> [f64; M]) -> [f64; M] {
    let h = 1e-6;
    let (p, m) = (f(h), f(-h));
    std::array::from_fn(|i| (p[i] - m[i]) / (2.0 * h))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * a.abs().max(1.0)
}

#[test]
fn arm_by_forward_passes() {
    let q = [0.3, -0.7, 1.1];
    let l = [1.0, 0.8, 0.5];
    let (v, jq, jl) = arm_jacobian(q, &l);
    assert_eq!(v, arm(q, &l));
    for c in 0..3 {
        let dq = fd(|e| {
            let mut q2 = q;
            q2[c] += e;
            arm(q2, &l)
        });
        let dl = fd(|e| {
            let mut l2 = l;
            l2[c] += e;
            arm(q, &l2)
        });
        for r in 0..3 {
            assert!(close(jq[r][c], dq[r]), "q {r} {c}: {} {}", jq[r][c], dq[r]);
            assert!(close(jl[r][c], dl[r]), "l {r} {c}: {} {}", jl[r][c], dl[r]);
        }
    }
}

#[test]
fn residual_by_reverse_passes() {
    let cam = [0.2, -0.1, 800.0, 0.5, -0.3, -4.0];
    let x = [1.0, 0.4, 2.0];
    let w = 0.7;
    let (v, jc, jx, jw) = residual_jacobian(cam, x, w);
    assert_eq!(v, residual(cam, x, w));
    for c in 0..6 {
        let d = fd(|e| {
            let mut k = cam;
            k[c] += e;
            residual(k, x, w)
        });
        for r in 0..2 {
            assert!(close(jc[r][c], d[r]), "cam {r} {c}: {} {}", jc[r][c], d[r]);
        }
    }
    for c in 0..3 {
        let d = fd(|e| {
            let mut y = x;
            y[c] += e;
            residual(cam, y, w)
        });
        for r in 0..2 {
            assert!(close(jx[r][c], d[r]), "x {r} {c}");
        }
    }
    let d = fd(|e| residual(cam, x, w + e));
    assert!(close(jw[0], d[0]) && close(jw[1], d[1]));
}
