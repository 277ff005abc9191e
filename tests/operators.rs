//! Operators on structs, as graphics and physics code writes them: a `Vec3`
//! with `Add`, `Sub`, `Mul<f64>`, `Neg` and `AddAssign` impls, each marked
//! `#[grad]` on the impl block, used as `a - b`, `v * dt`, `-v`, `p += v`
//! inside `#[grad]` bodies (on parameters, locals, loop-carried values and
//! method results). Values bit for bit against the functions, gradients
//! against central differences.

mod common;

use autodiff::{grad, Tangent};
use common::assert_fd;
use std::ops::{Add, AddAssign, Mul, Neg, Sub};

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Vec3 {
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

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
    type Output = Self;
    fn sub(self, o: Self) -> Self::Output {
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
    fn mul(self, k: f64) -> Vec3 {
        Vec3 {
            x: self.x * k,
            y: self.y * k,
            z: self.z * k,
        }
    }
}

#[grad]
impl Neg for Vec3 {
    type Output = Vec3;
    fn neg(self) -> Vec3 {
        Vec3 {
            x: -self.x,
            y: -self.y,
            z: -self.z,
        }
    }
}

#[grad]
impl AddAssign for Vec3 {
    fn add_assign(&mut self, o: Vec3) {
        self.x += o.x;
        self.y += o.y;
        self.z += o.z;
    }
}

impl Vec3 {
    #[grad]
    pub fn dot(self, o: Vec3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    #[grad]
    pub fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }

    #[grad]
    pub fn normalized(self) -> Vec3 {
        self * (1.0 / self.norm())
    }
}

/// Lambertian shading of a point lit by a point light.
#[grad]
pub fn lambert(n: Vec3, light: Vec3, hit: Vec3) -> f64 {
    let l = (light - hit).normalized();
    n.normalized().dot(l).max(0.0)
}

/// Ballistic flight with drag by explicit Euler, `+=` and operators in a loop
/// (`p = p + …` as well as `v += …`).
#[grad]
#[allow(clippy::assign_op_pattern)]
pub fn flight(p0: Vec3, v0: Vec3, drag: f64) -> f64 {
    let g = Vec3 {
        x: 0.0,
        y: 0.0,
        z: -9.81,
    };
    let dt = 0.05;
    let mut p = p0;
    let mut v = v0;
    for _ in 0..20 {
        let a = g - v * drag;
        v += a * dt;
        p = p + v * dt;
    }
    (-p).dot(Vec3 {
        x: 1.0,
        y: 0.5,
        z: -1.0,
    })
}

/// Operators on call results and a chain of them.
#[grad]
pub fn chain(a: Vec3, b: Vec3, k: f64) -> f64 {
    let c = (a.normalized() - b * k) + a * (k * k);
    (c - -b).norm()
}

fn v(p: &[f64]) -> Vec3 {
    Vec3 {
        x: p[0],
        y: p[1],
        z: p[2],
    }
}

fn flat(a: Vec3) -> [f64; 3] {
    [a.x, a.y, a.z]
}

#[test]
fn lambert_shading_through_operator_impls() {
    let (n, light, hit) = (
        v(&[0.1, 0.2, 1.0]),
        v(&[1.0, 2.0, 5.0]),
        v(&[0.3, -0.2, 0.1]),
    );
    let (val, dn, dl, dh) = lambert_backward(n, light, hit, 1.0);
    assert_eq!(val, lambert(n, light, hit));
    assert!(val > 0.0);
    let x: Vec<f64> = [flat(n), flat(light), flat(hit)].concat();
    let g: Vec<f64> = [flat(dn), flat(dl), flat(dh)].concat();
    assert_fd(|p| lambert(v(&p[0..3]), v(&p[3..6]), v(&p[6..9])), &x, &g);
}

#[test]
fn euler_flight_with_compound_assignment() {
    let (p0, v0) = (v(&[0.0, 0.0, 1.0]), v(&[3.0, 1.0, 4.0]));
    for drag in [0.1, 0.7] {
        let (val, dp, dv, dd) = flight_backward(p0, v0, drag, 1.0);
        assert_eq!(val, flight(p0, v0, drag));
        let x: Vec<f64> = [&flat(p0)[..], &flat(v0)[..], &[drag]].concat();
        let g: Vec<f64> = [&flat(dp)[..], &flat(dv)[..], &[dd]].concat();
        assert_fd(|p| flight(v(&p[0..3]), v(&p[3..6]), p[6]), &x, &g);
    }
}

#[test]
fn operators_on_call_results_and_negation() {
    let (a, b) = (v(&[0.4, -1.0, 2.0]), v(&[1.5, 0.3, -0.7]));
    for k in [0.5, -1.2] {
        let (val, da, db, dk) = chain_backward(a, b, k, 1.0);
        assert_eq!(val, chain(a, b, k));
        let x: Vec<f64> = [&flat(a)[..], &flat(b)[..], &[k]].concat();
        let g: Vec<f64> = [&flat(da)[..], &flat(db)[..], &[dk]].concat();
        assert_fd(|p| chain(v(&p[0..3]), v(&p[3..6]), p[6]), &x, &g);
    }
}

/// Distances from points of a slice to a centre, in an iterator chain.
#[grad]
pub fn spread(points: &[Vec3], c: Vec3) -> f64 {
    points.iter().map(|p| (*p - c).norm()).sum()
}

/// A pair potential over the elements of a slice (`ps[i] - ps[j]`).
#[grad]
pub fn pair_energy(ps: &[Vec3]) -> f64 {
    let mut e = 0.0;
    for i in 0..ps.len() {
        for j in (i + 1)..ps.len() {
            let d = ps[i] - ps[j];
            e += 1.0 / d.norm();
        }
    }
    e
}

/// Operators on `&` parameters, dereferenced.
#[grad]
pub fn by_ref(a: &Vec3, b: &Vec3) -> f64 {
    (*a - *b).norm() + (*a * 2.0).dot(*b)
}

/// A centroid summed from `Default::default()` in a loop.
#[grad]
#[allow(clippy::assign_op_pattern)]
pub fn centroid_dist(ps: &[Vec3], q: Vec3) -> f64 {
    let mut c = Vec3::default();
    for p in ps {
        c = c + *p;
    }
    let c = c * (1.0 / ps.len() as f64);
    (c - q).norm()
}

fn points() -> [Vec3; 3] {
    [
        v(&[1.0, 0.0, 0.5]),
        v(&[-0.5, 2.0, 0.0]),
        v(&[0.3, -1.0, 1.5]),
    ]
}

fn flat_all(ps: &[Vec3]) -> Vec<f64> {
    ps.iter().flat_map(|p| flat(*p)).collect()
}

fn unflat(p: &[f64]) -> Vec<Vec3> {
    p.chunks(3).map(v).collect()
}

#[test]
fn operators_on_slice_elements_references_and_defaults() {
    let ps = points();
    let c = v(&[0.1, 0.2, 0.3]);
    let mut dps = [Vec3::default(); 3];
    let (val, dc) = spread_backward(&ps, &mut dps, c, 1.0);
    assert_eq!(val, spread(&ps, c));
    let x = [flat_all(&ps), flat(c).to_vec()].concat();
    let g = [flat_all(&dps), flat(dc).to_vec()].concat();
    assert_fd(|p| spread(&unflat(&p[..9]), v(&p[9..])), &x, &g);

    let mut dps = [Vec3::default(); 3];
    let val = pair_energy_backward(&ps, &mut dps, 1.0);
    assert_eq!(val, pair_energy(&ps));
    assert_fd(|p| pair_energy(&unflat(p)), &flat_all(&ps), &flat_all(&dps));

    let (mut da, mut db) = (Vec3::default(), Vec3::default());
    let val = by_ref_backward(&ps[0], &mut da, &ps[1], &mut db, 1.0);
    assert_eq!(val, by_ref(&ps[0], &ps[1]));
    let x = [flat(ps[0]), flat(ps[1])].concat();
    let g = [flat(da), flat(db)].concat();
    assert_fd(|p| by_ref(&v(&p[..3]), &v(&p[3..])), &x, &g);

    let mut dps = [Vec3::default(); 3];
    let (val, dq) = centroid_dist_backward(&ps, &mut dps, c, 1.0);
    assert_eq!(val, centroid_dist(&ps, c));
    let x = [flat_all(&ps), flat(c).to_vec()].concat();
    let g = [flat_all(&dps), flat(dq).to_vec()].concat();
    assert_fd(|p| centroid_dist(&unflat(&p[..9]), v(&p[9..])), &x, &g);
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Quat {
    pub w: f64,
    pub x: f64,
}

#[grad]
impl Mul for Quat {
    type Output = Quat;
    fn mul(self, r: Quat) -> Quat {
        Quat {
            w: self.w * r.w - self.x * r.x,
            x: self.w * r.x + self.x * r.w,
        }
    }
}

impl Quat {
    /// `self * r` inside the type's own `impl` (`Self` and `Quat` alike).
    #[grad]
    pub fn hamilton(self, r: Quat) -> Quat {
        self * r
    }
}

#[grad]
pub fn twist(a: Quat, b: Quat) -> f64 {
    let c = a.hamilton(b);
    c.w * c.x
}

#[test]
fn an_operator_on_self_inside_the_types_impl() {
    let (a, b) = (Quat { w: 0.8, x: 0.3 }, Quat { w: -0.4, x: 1.1 });
    let (val, da, db) = twist_backward(a, b, 1.0);
    assert_eq!(val, twist(a, b));
    assert_fd(
        |p| twist(Quat { w: p[0], x: p[1] }, Quat { w: p[2], x: p[3] }),
        &[a.w, a.x, b.w, b.x],
        &[da.w, da.x, db.w, db.x],
    );
}
