//! Standard-library calls and patterns as users write them (issue 12; the
//! rejections of corpus round 4): `(lo..=hi).contains(&x)` (what clippy's
//! `manual_range_contains` asks for), `std::array::from_fn(|i| …)`,
//! `x.first()` / `x.last()` on slices and `Vec`s, integer data multiplied into
//! a loop bound (`self.years * self.freq`), and an array pattern on a call's
//! array result (`let [u, v] = cam.project(p);`), struct patterns
//! (`let Heston { kappa, theta, .. } = *params;`) and `use` items in the body
//! (`use std::f64::consts::PI;`), and parameters whose type is an alias of an
//! array (`type Vec3 = [f64; 3];`: the macro cannot see the alias; the body
//! indexing the parameter says it is an array). Each companion's value is
//! checked bit for bit against the function, its gradient against central
//! finite differences (relative 1e-6, absolute 1e-8) at proptest points.
#![deny(warnings)]
// Indexing loops are what users write (`for i in 0..points.len()`).
#![allow(clippy::needless_range_loop)]

use autodiff::{grad, Tangent};
use proptest::prelude::*;

mod common;
use common::*;

/// A barycentric test and a clamp written with `contains`.
#[grad]
pub fn inside_weight(u: f64, w: f64) -> f64 {
    if !(0.0..=1.0).contains(&u) {
        return 0.0;
    }
    if (0.5..w).contains(&u) {
        return w * u;
    }
    u * u
}

/// An RK4-style stage built with `std::array::from_fn`, its length from the
/// annotation and from the turbofish.
#[grad]
pub fn stage(s: [f64; 3], k: [f64; 3]) -> f64 {
    let t: [f64; 3] = std::array::from_fn(|i| s[i] + 0.5 * k[i]);
    let u = core::array::from_fn::<f64, 3, _>(|i| t[i] * t[(i + 1) % 3]);
    t[0] * t[1] + u[2] + sum3(std::array::from_fn(|i| s[i] * k[i]))
}

/// A callee of `from_fn` passed straight on: its length from what the
/// closure indexes.
#[grad]
pub fn sum3(a: [f64; 3]) -> f64 {
    a[0] + a[1] * a[2]
}

/// The last price of a path and the first of another, `Option`s of elements
/// (`&Vec<f64>` as users write it, though clippy prefers a slice).
#[allow(clippy::ptr_arg)]
#[grad]
pub fn ends(x: &[f64], v: &Vec<f64>) -> f64 {
    let end = *x.last().unwrap();
    let start = x.first().copied().unwrap_or(0.0);
    let vl = v.last().map_or(1.0, |t| t * 2.0);
    end * end + start * vl
}

/// A bond priced over `years × freq` coupons: integer fields of data
/// multiplied into a loop bound.
pub struct Bond {
    pub years: u32,
    pub freq: u32,
}

impl Bond {
    #[grad(wrt(y))]
    pub fn price(&self, y: f64) -> f64 {
        let n = self.years * self.freq;
        let mut s = 0.0;
        for i in 1..=n {
            s += (-y * i as f64 / self.freq as f64).exp();
        }
        s
    }
}

#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Cam {
    pub f: f64,
    pub c: f64,
}

impl Cam {
    #[grad(wrt(self, p))]
    pub fn project(self, p: [f64; 3]) -> [f64; 2] {
        [self.f * p[0] / p[2] + self.c, self.f * p[1] / p[2] + self.c]
    }
}

#[grad]
pub fn planar(v: f64) -> [f64; 2] {
    [v.sin(), v * v]
}

/// Array patterns on call results: a method by its path and a function.
#[grad]
pub fn reprojection(cam: Cam, p: [f64; 3], v: f64) -> f64 {
    let [u, w] = Cam::project(cam, p);
    let [a, b] = planar(v);
    (u - a).powi(2) + (w - b).powi(2)
}

#[derive(Clone, Copy, Debug, Default, Tangent)]
pub struct Heston {
    pub kappa: f64,
    pub theta: f64,
    pub xi: f64,
    pub v: [f64; 2],
}

/// Parameters taken apart with struct patterns (by `&` and by value), and a
/// constant brought in by `use`, at the top and in an inner block.
#[grad(reverse, forward)]
pub fn drift(params: &Heston, h: Heston, dt: f64) -> f64 {
    use std::f64::consts::PI;
    let Heston { kappa, theta, .. } = *params;
    let Heston { xi: vol, v, .. } = h;
    let tail = {
        use std::f64::consts::E;
        E * vol * v[1]
    };
    kappa * (theta - v[0]) * dt + (2.0 * PI * dt).sqrt() * vol + tail
}

fn heston(p: &[f64]) -> Heston {
    Heston {
        kappa: p[0],
        theta: p[1],
        xi: p[2],
        v: [p[3], p[4]],
    }
}

fn heston_flat(h: &Heston) -> [f64; 5] {
    [h.kappa, h.theta, h.xi, h.v[0], h.v[1]]
}

/// What every graphics programmer writes.
pub type Vec3 = [f64; 3];

/// The area of a triangle with `Vec3` corners: indexed, taken apart by an
/// array pattern, iterated, and a local annotated with the alias.
#[grad(reverse, forward)]
pub fn tri_area(a: Vec3, b: &Vec3, c: Vec3) -> f64 {
    let [bx, by, bz] = *b;
    let u: Vec3 = [bx - a[0], by - a[1], bz - a[2]];
    let v: Vec3 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    let n: Vec3 = [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ];
    0.5 * n.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// A slice of `Vec3` points: elements indexed in a loop over them, taken
/// apart by an array pattern, and indexed twice (`points[i][0]`).
#[grad]
pub fn centroid_spread(points: &[Vec3]) -> f64 {
    let mut c = [0.0; 3];
    for p in points {
        c[0] += p[0];
        c[1] += p[1];
        c[2] += p[2];
    }
    let mut s = c[0] * c[1] - c[2];
    for p in points {
        let [x, y, z] = *p;
        s += x * y - z * c[0];
    }
    for i in 0..points.len() {
        s += points[i][0] * points[i][2];
    }
    s
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn contains(u in away_from(-0.5, 1.5, &[0.0, 0.5, 1.0], 1e-3), w in 0.6f64..1.4, d in cotangent()) {
        prop_assume!((u - w).abs() > 1e-3);
        let (v, gu, gw) = inside_weight_backward(u, w, d);
        assert_bits(v, inside_weight(u, w), "value");
        prop_fd(|p| inside_weight(p[0], p[1]), &[u, w], &[gu / d, gw / d])?;
    }

    #[test]
    fn from_fn(s in floats::<3>(-2.0, 2.0), k in floats::<3>(-2.0, 2.0), d in cotangent()) {
        let (v, ds, dk) = stage_backward(s, k, d);
        assert_bits(v, stage(s, k), "value");
        let g: Vec<f64> = ds.iter().chain(&dk).map(|g| g / d).collect();
        prop_fd(|p| stage(arr(&p[..3]), arr(&p[3..])), &cat(&[&s, &k]), &g)?;
    }

    #[test]
    fn first_and_last(x in float_vec(-2.0, 2.0, 1..5), v in float_vec(-2.0, 2.0, 0..4), d in cotangent()) {
        let (mut dx, mut dv) = (vec![0.0; x.len()], vec![0.0; v.len()]);
        let val = ends_backward(&x, &mut dx, &v, &mut dv, d);
        assert_bits(val, ends(&x, &v), "value");
        let n = x.len();
        let g: Vec<f64> = dx.iter().chain(&dv).map(|g| g / d).collect();
        prop_fd(|p| ends(&p[..n], &p[n..].to_vec()), &cat(&[&x, &v]), &g)?;
    }

    #[test]
    fn integer_data_bound(y in 0.0f64..0.2, years in 1u32..6, freq in 1u32..5, d in cotangent()) {
        let b = Bond { years, freq };
        let (v, g) = b.price_backward(y, d);
        assert_bits(v, b.price(y), "value");
        prop_fd(|p| b.price(p[0]), &[y], &[g / d])?;
    }

    #[test]
    fn array_patterns_on_results(
        f in 0.5f64..2.0, c in -1.0f64..1.0,
        p in floats::<2>(-1.0, 1.0), z in 1.0f64..3.0, v in -2.0f64..2.0, d in cotangent(),
    ) {
        let (cam, pt) = (Cam { f, c }, [p[0], p[1], z]);
        let (val, dcam, dp, dv) = reprojection_backward(cam, pt, v, d);
        assert_bits(val, reprojection(cam, pt, v), "value");
        let g: Vec<f64> = [dcam.f, dcam.c, dp[0], dp[1], dp[2], dv].iter().map(|g| g / d).collect();
        prop_fd(
            |q| reprojection(Cam { f: q[0], c: q[1] }, [q[2], q[3], q[4]], q[5]),
            &[f, c, pt[0], pt[1], pt[2], v],
            &g,
        )?;
    }

    #[test]
    fn struct_patterns_and_use(p in float_vec(-2.0, 2.0, 10..11), dt in 0.01f64..1.0, t in float_vec(-1.0, 1.0, 11..12), d in cotangent()) {
        let (a, b) = (heston(&p[..5]), heston(&p[5..]));
        let mut da = Heston::default();
        let (v, db, ddt) = drift_backward(&a, &mut da, b, dt, d);
        assert_bits(v, drift(&a, b, dt), "value");
        let g: Vec<f64> = heston_flat(&da).iter().chain(&heston_flat(&db)).chain([&ddt]).map(|g| g / d).collect();
        let x = cat(&[&p, &[dt]]);
        prop_fd(|q| drift(&heston(&q[..5]), heston(&q[5..10]), q[10]), &x, &g)?;
        let (fv, jvp) = drift_forward(&a, &heston(&t[..5]), b, heston(&t[5..10]), dt, t[10]);
        assert_bits(fv, v, "forward value");
        let want = dot(&g, &t);
        prop_assert!((jvp - want).abs() <= 1e-9 * (1.0 + want.abs()), "{} {}", jvp, want);
    }

    #[test]
    fn array_alias(p in floats::<9>(-2.0, 2.0), t in floats::<9>(-1.0, 1.0), d in cotangent()) {
        let (a, b, c): (Vec3, Vec3, Vec3) = (arr(&p[..3]), arr(&p[3..6]), arr(&p[6..]));
        let mut db = [0.0; 3];
        let (v, da, dc) = tri_area_backward(a, &b, &mut db, c, d);
        assert_bits(v, tri_area(a, &b, c), "value");
        let g: Vec<f64> = da.iter().chain(&db).chain(&dc).map(|g| g / d).collect();
        prop_fd(|q| tri_area(arr(&q[..3]), &arr(&q[3..6]), arr(&q[6..])), &p, &g)?;
        let (fv, jvp) = tri_area_forward(a, arr(&t[..3]), &b, &arr(&t[3..6]), c, arr(&t[6..]));
        assert_bits(fv, v, "forward value");
        let want = dot(&g, &t);
        prop_assert!((jvp - want).abs() <= 1e-9 * (1.0 + want.abs()), "{} {}", jvp, want);
    }

    #[test]
    fn slice_of_an_array_alias(p in float_vec(-2.0, 2.0, 12..13), n in 1usize..5, d in cotangent()) {
        let pts: Vec<Vec3> = p[..3 * n].chunks(3).map(arr).collect();
        let mut dp = vec![[0.0; 3]; n];
        let v = centroid_spread_backward(&pts, &mut dp, d);
        assert_bits(v, centroid_spread(&pts), "value");
        let g: Vec<f64> = dp.iter().flatten().map(|g| g / d).collect();
        prop_fd(|q| centroid_spread(&q.chunks(3).map(arr).collect::<Vec<Vec3>>()), &p[..3 * n], &g)?;
    }
}
