//! Slices of structs and tuples (issues 11 and 12): `ps: &[Particle]` for a
//! `Tangent` struct (shadow `d_ps: &mut [Particle]`), `pts: &[(f64, f64)]`
//! (shadow `&mut [(f64, f64)]`), `&[S; N]`, `&Vec<(f64, f64)>`, and such slices
//! as data left out by `wrt` (`&[(usize, f64)]`). Elements are read field by
//! field: `p.x`, `p.f[0]`, `pts[i].0`, `for &(x, y) in pts`, `let (a, b) =
//! pts[i];`, closures over items. Gradients against central finite
//! differences at proptest points, values bit for bit.
#![deny(warnings)]
#![allow(clippy::ptr_arg, clippy::needless_range_loop)]

use autodiff::{grad, Tangent};
use proptest::prelude::*;

mod common;
use common::*;

/// Least squares of a line through points: `for &(x, y) in pts`.
#[grad]
pub fn line_fit(pts: &[(f64, f64)], a: f64, b: f64) -> f64 {
    let mut s = 0.0;
    for &(x, y) in pts {
        s += (a * x + b - y).powi(2);
    }
    s / pts.len() as f64
}

/// The same with the points as data (`wrt` leaves them out), a closure over
/// destructured items.
#[grad(wrt(a, b))]
pub fn line_fit_data(pts: &[(f64, f64)], a: f64, b: f64) -> f64 {
    pts.iter()
        .map(|&(x, y)| (a * x + b - y).powi(2))
        .sum::<f64>()
        / pts.len() as f64
}

/// A polyline's length: `let (x0, y0) = pts[i - 1];` and `pts[i].0`.
#[grad]
pub fn polyline(pts: &Vec<(f64, f64)>) -> f64 {
    let mut s = 0.0;
    for i in 1..pts.len() {
        let (x0, y0) = pts[i - 1];
        s += ((pts[i].0 - x0).powi(2) + (pts[i].1 - y0).powi(2)).sqrt();
    }
    s
}

/// A recurrence over tuples walked backwards, with a branch: recorded.
#[grad]
pub fn recurrence(pts: &[(f64, f64)], s0: f64) -> f64 {
    let mut s = s0;
    for &(x, y) in pts.iter().rev() {
        if x > 0.0 {
            s = (s * x + y).tanh();
        } else {
            s *= y.exp();
        }
    }
    s
}

#[derive(Tangent, Clone, Copy, Debug)]
pub struct Particle {
    pub x: f64,
    pub v: f64,
    pub f: [f64; 2],
}

/// Kinetic and potential energy of particles: fields, an array field.
#[grad]
pub fn energy(ps: &[Particle], k: f64) -> f64 {
    let mut e = 0.0;
    for p in ps {
        e += 0.5 * p.v * p.v + k * p.x * p.x + p.f[0] * p.f[1];
    }
    e + ps.iter().map(|p| p.x.sin()).sum::<f64>()
}

/// A fixed-size array of structs, indexed, pairs of elements.
#[grad]
pub fn pair_springs(ps: &[Particle; 3]) -> f64 {
    let mut e = 0.0;
    for i in 0..3 {
        for j in (i + 1)..3 {
            let d = ps[i].x - ps[j].x;
            e += d * d * (ps[i].f[0] + ps[j].f[1]).tanh();
        }
    }
    e
}

/// Data with integers in the tuple: `i` is an integer.
#[grad(wrt(k))]
pub fn indexed_data(obs: &[(usize, f64)], k: f64) -> f64 {
    obs.iter().map(|&(i, y)| (k * i as f64 - y).powi(2)).sum()
}

fn tuples(p: &[f64]) -> Vec<(f64, f64)> {
    p.chunks(2).map(|c| (c[0], c[1])).collect()
}

fn flat_tuples(t: &[(f64, f64)]) -> Vec<f64> {
    t.iter().flat_map(|&(a, b)| [a, b]).collect()
}

fn particles(p: &[f64]) -> Vec<Particle> {
    p.chunks(4)
        .map(|c| Particle {
            x: c[0],
            v: c[1],
            f: [c[2], c[3]],
        })
        .collect()
}

fn flat_particles(ps: &[Particle]) -> Vec<f64> {
    ps.iter().flat_map(|p| [p.x, p.v, p.f[0], p.f[1]]).collect()
}

const ZERO: Particle = Particle {
    x: 0.0,
    v: 0.0,
    f: [0.0; 2],
};

proptest! {
    #![proptest_config(config())]

    #[test]
    fn slices_of_tuples(n in 1usize..5, p in prop::collection::vec(-2.0f64..2.0, 12), d in cotangent()) {
        let pts = tuples(&p[..2 * n]);
        let (a, b) = (p[10], p[11]);
        let mut dpts = vec![(0.0, 0.0); n];
        let (v, ga, gb) = line_fit_backward(&pts, &mut dpts, a, b, d);
        assert_bits(v, line_fit(&pts, a, b), "value");
        let mut point = p[..2 * n].to_vec();
        point.extend([a, b]);
        let mut g: Vec<f64> = flat_tuples(&dpts);
        g.extend([ga, gb]);
        let g: Vec<f64> = g.iter().map(|x| x / d).collect();
        prop_fd(|q| line_fit(&tuples(&q[..2 * n]), q[2 * n], q[2 * n + 1]), &point, &g)?;
        let (v2, ga2, gb2) = line_fit_data_backward(&pts, a, b, d);
        assert_near(v2, v, 1e-12, "data value");
        assert_near(ga2, ga, 1e-12, "data da");
        assert_near(gb2, gb, 1e-12, "data db");

        let mut dpts = vec![(0.0, 0.0); n];
        let (v, g0) = recurrence_backward(&pts, &mut dpts, a, d);
        assert_bits(v, recurrence(&pts, a), "value");
        let mut point = p[..2 * n].to_vec();
        point.push(a);
        let mut g: Vec<f64> = flat_tuples(&dpts);
        g.push(g0);
        let g: Vec<f64> = g.iter().map(|x| x / d).collect();
        prop_fd(|q| recurrence(&tuples(&q[..2 * n]), q[2 * n]), &point, &g)?;
    }

    #[test]
    fn polyline_length(n in 2usize..6, p in prop::collection::vec(-2.0f64..2.0, 12), d in cotangent()) {
        let pts = tuples(&p[..2 * n]);
        let mut dpts = vec![(0.0, 0.0); n];
        let v = polyline_backward(&pts, &mut dpts, d);
        assert_bits(v, polyline(&pts), "value");
        let g: Vec<f64> = flat_tuples(&dpts).iter().map(|x| x / d).collect();
        prop_fd(|q| polyline(&tuples(q)), &p[..2 * n], &g)?;
    }

    #[test]
    fn slices_of_structs(n in 1usize..4, p in prop::collection::vec(-1.5f64..1.5, 13), d in cotangent()) {
        let ps = particles(&p[..4 * n]);
        let k = p[12];
        let mut dps = vec![ZERO; n];
        let (v, gk) = energy_backward(&ps, &mut dps, k, d);
        assert_bits(v, energy(&ps, k), "value");
        let mut point = p[..4 * n].to_vec();
        point.push(k);
        let mut g = flat_particles(&dps);
        g.push(gk);
        let g: Vec<f64> = g.iter().map(|x| x / d).collect();
        prop_fd(|q| energy(&particles(&q[..4 * n]), q[4 * n]), &point, &g)?;

        let ps3: [Particle; 3] = core::array::from_fn(|i| particles(&p[4 * i..4 * i + 4])[0]);
        let mut dps3 = [ZERO; 3];
        let v = pair_springs_backward(&ps3, &mut dps3, d);
        assert_bits(v, pair_springs(&ps3), "value");
        let g: Vec<f64> = flat_particles(&dps3).iter().map(|x| x / d).collect();
        prop_fd(
            |q| pair_springs(&core::array::from_fn(|i| particles(&q[4 * i..4 * i + 4])[0])),
            &p[..12],
            &g,
        )?;
    }

    #[test]
    fn tuples_with_integers(k in -2.0f64..2.0, ys in prop::collection::vec(-2.0f64..2.0, 1..5), d in cotangent()) {
        let obs: Vec<(usize, f64)> = ys.iter().enumerate().map(|(i, &y)| (i + 1, y)).collect();
        let (v, gk) = indexed_data_backward(&obs, k, d);
        assert_bits(v, indexed_data(&obs, k), "value");
        prop_fd(|q| indexed_data(&obs, q[0]), &[k], &[gk / d])?;
    }
}

#[derive(Tangent, Clone, Copy, Debug, Default, PartialEq)]
pub struct Spring {
    pub k: f64,
    pub rest: f64,
}

impl Spring {
    #[grad(reverse, forward, wrt(self, len))]
    pub fn energy(&self, len: f64) -> f64 {
        0.5 * self.k * (len - self.rest) * (len - self.rest)
    }

    #[grad(reverse, forward, wrt(self, a))]
    pub fn tension(self, a: f64) -> f64 {
        self.k * a.sin() + self.rest
    }
}

#[grad(reverse, forward)]
pub fn spring_k(s: &Spring, a: f64) -> f64 {
    s.k * a
}

/// `#[grad]` methods called on elements of a slice of structs (`&self` and
/// `self`), and elements passed on whole (corpus round 6, C: "unsupported method
/// `energy`", and "passing it on whole is not supported yet").
#[grad(reverse, forward)]
pub fn mesh_energy(springs: &[Spring], x: f64) -> f64 {
    let mut t = 0.0;
    for s in springs {
        t += s.energy(x) + s.tension(x);
    }
    for i in 0..springs.len() {
        t += springs[i].energy(x * 0.5)
            + spring_k(&springs[i], x)
            + Spring::energy(&springs[i], 0.3);
    }
    t + springs.iter().map(|s| s.tension(x * x)).sum::<f64>()
}

fn springs(p: &[f64]) -> Vec<Spring> {
    p.chunks(2)
        .map(|c| Spring {
            k: c[0],
            rest: c[1],
        })
        .collect()
}

fn flat_springs(ss: &[Spring]) -> Vec<f64> {
    ss.iter().flat_map(|s| [s.k, s.rest]).collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn methods_on_elements_against_differences(
        p in float_vec(-1.0, 1.0, 7..8),
        t in float_vec(-1.0, 1.0, 7..8),
        d in cotangent(),
    ) {
        let (ss, x) = (springs(&p[..6]), p[6]);
        let mut ds = vec![Spring::default(); 3];
        let (v, dx) = mesh_energy_backward(&ss, &mut ds, x, d);
        prop_assert_eq!(v.to_bits(), mesh_energy(&ss, x).to_bits());
        let g: Vec<f64> = flat_springs(&ds).into_iter().chain([dx]).map(|gi| gi / d).collect();
        prop_fd(|q| mesh_energy(&springs(&q[..6]), q[6]), &p, &g)?;
        let (v, jvp) = mesh_energy_forward(&ss, &springs(&t[..6]), x, t[6]);
        prop_assert_eq!(v.to_bits(), mesh_energy(&ss, x).to_bits());
        prop_assert!((jvp - dot(&g, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()));
    }
}

#[grad]
pub fn portfolio_return(f: &[f64], r: &[f64]) -> f64 {
    f.iter().zip(r).map(|(a, b)| a * b).sum()
}

/// A `Vec` inside an element of a slice of tuples (data), bound by a pattern
/// and passed to a `&[f64]` parameter (corpus round 7: E0061 and E0308 in the
/// generated code).
#[grad(wrt(f))]
pub fn kelly_growth(f: &[f64], scenarios: &[(f64, Vec<f64>)], rf: f64) -> f64 {
    scenarios
        .iter()
        .map(|(p, r)| p * (1.0 + rf + portfolio_return(f, r)).ln())
        .sum()
}

#[test]
fn vec_in_tuple_elements_against_differences() {
    let scenarios = vec![
        (0.3, vec![0.1, -0.05, 0.2]),
        (0.5, vec![-0.1, 0.15, 0.05]),
        (0.2, vec![0.3, 0.0, -0.2]),
    ];
    for f in [[0.2, 0.3, 0.1], [0.5, -0.1, 0.4]] {
        let mut df = [0.0; 3];
        let v = kelly_growth_backward(&f, &mut df, &scenarios, 0.01, 1.0);
        assert_eq!(v.to_bits(), kelly_growth(&f, &scenarios, 0.01).to_bits());
        assert_fd(|q| kelly_growth(q, &scenarios, 0.01), &f, &df);
    }
}
