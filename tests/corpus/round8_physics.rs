//! Round 8, physics: written as a physicist writes Rust, before reading the support
//! table (a double pendulum, torque-free rigid-body spin with a small vector type and its
//! operators, a projectile with quadratic drag integrated until it lands, a Kepler orbit
//! with a choice of integrator).

use autodiff::{grad, Tangent};
use std::ops::{Add, Mul, Neg, Sub};

const G: f64 = 9.81;

/// A planar double pendulum (point masses on massless rods).
#[derive(Clone, Copy, Debug, Tangent)]
pub struct DoublePendulum {
    pub m1: f64,
    pub m2: f64,
    pub l1: f64,
    pub l2: f64,
}

impl DoublePendulum {
    /// Angular accelerations for the state (θ1, θ2, ω1, ω2).
    #[grad]
    pub fn accelerations(&self, s: [f64; 4]) -> (f64, f64) {
        let [t1, t2, w1, w2] = s;
        let Self { m1, m2, l1, l2 } = *self;
        let delta = t1 - t2;
        let den = 2.0 * m1 + m2 - m2 * (2.0 * delta).cos();
        let a1 = (-G * (2.0 * m1 + m2) * t1.sin()
            - m2 * G * (t1 - 2.0 * t2).sin()
            - 2.0 * delta.sin() * m2 * (w2 * w2 * l2 + w1 * w1 * l1 * delta.cos()))
            / (l1 * den);
        let a2 = 2.0
            * delta.sin()
            * (w1 * w1 * l1 * (m1 + m2)
                + G * (m1 + m2) * t1.cos()
                + w2 * w2 * l2 * m2 * delta.cos())
            / (l2 * den);
        (a1, a2)
    }
}

/// Semi-implicit Euler; returns the final horizontal position of the lower bob.
#[grad]
pub fn double_pendulum_tip(p: &DoublePendulum, s0: [f64; 4], dt: f64, steps: usize) -> f64 {
    let mut s = s0;
    for _ in 0..steps {
        // As first written, accepted since 1ccc7c2 (a `#[grad]` method's tuple result typed
        // by its context): rejected at 520f6f4 and at 1ccc7c2's parent 8430b27 with "this
        // tuple pattern does not match the value's shape" (at `(a1, a2)`). The rewrite
        // called the method by path, `DoublePendulum::accelerations(p, s)`.
        let (a1, a2) = p.accelerations(s);
        s[2] += dt * a1;
        s[3] += dt * a2;
        s[0] += dt * s[2];
        s[1] += dt * s[3];
    }
    p.l1 * s[0].sin() + p.l2 * s[1].sin()
}

/// A 3-vector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Vec3 {
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

impl Vec3 {
    /// The vector (x, y, z).
    #[grad]
    pub fn new(x: f64, y: f64, z: f64) -> Self {
        Self { x, y, z }
    }

    /// Cross product.
    #[grad]
    pub fn cross(self, o: Vec3) -> Vec3 {
        Vec3::new(
            self.y * o.z - self.z * o.y,
            self.z * o.x - self.x * o.z,
            self.x * o.y - self.y * o.x,
        )
    }
}

// first written: `#[grad]` on `add`, `sub`, `mul` and `neg` of these impls instead of on
// the impl blocks; errors at 520f6f4: E0407 "method `add_backward` is not a member of
// trait `Add`" (also `__autodiff_v_add`, `__autodiff_v_add_backward`, E0438
// `__AUTODIFF_FIRST_ADD`), the same for `Sub`, `Mul`, `Neg`. Accepted with the attribute
// moved to the impl blocks since 8430b27 (operators on structs through `#[grad] impl
// Add/Sub/Mul<f64>/Neg for T`; at its parent 3fb5f9d "#[grad] applies to a `fn` item with
// a body" at each); `#[grad]` on the trait's method is a clear error since
// 8430b27 ("#[grad] goes on the operator's impl block, not on its method …"). The bodies
// are as first written. The rewrite kept these impls plain, delegating to inherent
// `#[grad]` methods `plus` and `scale` (removed), which the `#[grad]` bodies called.
#[grad]
impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}

#[grad]
impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

#[grad]
impl Mul<f64> for Vec3 {
    type Output = Vec3;
    fn mul(self, s: f64) -> Vec3 {
        Vec3::new(self.x * s, self.y * s, self.z * s)
    }
}

#[grad]
impl Neg for Vec3 {
    type Output = Vec3;
    fn neg(self) -> Vec3 {
        Vec3::new(-self.x, -self.y, -self.z)
    }
}

/// Torque-free Euler equations (principal axes) integrated with RK4; returns the final
/// spin about the first axis.
#[grad]
pub fn rigid_body_spin(inertia: Vec3, omega0: Vec3, dt: f64, steps: usize) -> f64 {
    // In part as first written since 8430b27, with the operators' `#[grad]` moved to their
    // impl blocks (above): the RK4 steps below. At its parent 3fb5f9d "#[grad] applies to
    // a `fn` item with a body" at each impl block, "an operator on structs (`a - b`
    // through `impl Sub for …`) is not differentiated in #[grad] bodies …" at each binary
    // operator, and "a value carried by this loop changes type in its body" at the `for`
    // (at 520f6f4 too). The rewrite called `plus` and `scale` (`w.plus(k1.scale(0.5
    // * dt))`, …).
    //
    // `rhs` is not as first written: first written
    //     let t = -w.cross(l);
    //     Vec3::new(t.x / inertia.x, t.y / inertia.y, t.z / inertia.z)
    // at 520f6f4 "field access is only supported on tuples (`t.0`)" at `t.x`, `t.y`, `t.z`
    // (the unary `-` was not recognised as a struct operator), and still at 8e522dc: an
    // operator on a method's struct result (`-w.cross(l)`, also `-c` after
    // `let c = w.cross(l);`, or `w.cross(l) * -1.0`) is taken for a float one. With the
    // sign moved to the fields, the tail `Vec3::new(…)` still fails at 8e522dc, in the
    // generated code: a closure whose result is a `#[grad]` call's struct (`Vec3::new`) is
    // typed as a float by the caller, so `w + k1 * (0.5 * dt)` calls the hidden
    // `autodiff_op_add_scalar` (E0599 "no associated item named
    // `__autodiff_v_autodiff_op_add_scalar`", E0308 "expected `&Vec3`, found `&f64`"), also
    // with the tail bound to a local or `let k1: Vec3 = rhs(w);`; with a struct literal as
    // the tail it compiles.
    let rhs = |w: Vec3| -> Vec3 {
        let l = Vec3::new(inertia.x * w.x, inertia.y * w.y, inertia.z * w.z);
        let t = w.cross(l);
        Vec3 {
            x: -t.x / inertia.x,
            y: -t.y / inertia.y,
            z: -t.z / inertia.z,
        }
    };
    let mut w = omega0;
    for _ in 0..steps {
        let k1 = rhs(w);
        let k2 = rhs(w + k1 * (0.5 * dt));
        let k3 = rhs(w + k2 * (0.5 * dt));
        let k4 = rhs(w + k3 * dt);
        w = w + (k1 + k2 * 2.0 + k3 * 2.0 + k4) * (dt / 6.0);
    }
    w.x
}

/// Horizontal range of a projectile with quadratic drag (midpoint rule), the landing
/// point interpolated linearly inside the last step.
#[grad(wrt(speed, angle, drag))]
pub fn projectile_range(speed: f64, angle: f64, drag: f64, dt: f64, max_steps: usize) -> f64 {
    let accel = |vx: f64, vy: f64| -> (f64, f64) {
        let v = vx.hypot(vy);
        (-drag * v * vx, -G - drag * v * vy)
    };
    let (mut x, mut y) = (0.0, 0.0);
    let (mut vx, mut vy) = (speed * angle.cos(), speed * angle.sin());
    for _ in 0..max_steps {
        let (ax, ay) = accel(vx, vy);
        let (mx, my) = (vx + 0.5 * dt * ax, vy + 0.5 * dt * ay);
        let (bx, by) = accel(mx, my);
        let (nx, ny) = (x + dt * mx, y + dt * my);
        if ny < 0.0 {
            let frac = y / (y - ny);
            return x + frac * (nx - x);
        }
        x = nx;
        y = ny;
        vx += dt * bx;
        vy += dt * by;
    }
    x
}

/// Time integrator of `orbit_energy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Integrator {
    Euler,
    Leapfrog,
}

/// Specific orbital energy after integrating a Kepler orbit.
#[grad(wrt(pos0, vel0, gm))]
pub fn orbit_energy(
    pos0: [f64; 2],
    vel0: [f64; 2],
    gm: f64,
    dt: f64,
    steps: usize,
    method: Integrator,
) -> f64 {
    let accel = |p: [f64; 2]| -> [f64; 2] {
        let r3 = (p[0] * p[0] + p[1] * p[1]).powf(1.5);
        [-gm * p[0] / r3, -gm * p[1] / r3]
    };
    let (mut p, mut v) = (pos0, vel0);
    for _ in 0..steps {
        match method {
            Integrator::Euler => {
                let a = accel(p);
                p = [p[0] + dt * v[0], p[1] + dt * v[1]];
                v = [v[0] + dt * a[0], v[1] + dt * a[1]];
            }
            Integrator::Leapfrog => {
                let a = accel(p);
                let half = [v[0] + 0.5 * dt * a[0], v[1] + 0.5 * dt * a[1]];
                p = [p[0] + dt * half[0], p[1] + dt * half[1]];
                let a2 = accel(p);
                v = [half[0] + 0.5 * dt * a2[0], half[1] + 0.5 * dt * a2[1]];
            }
        }
    }
    0.5 * (v[0] * v[0] + v[1] * v[1]) - gm / p[0].hypot(p[1])
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r8_double_pendulum_tip() {
    let p = DoublePendulum {
        m1: 1.0,
        m2: 0.7,
        l1: 1.2,
        l2: 0.9,
    };
    let s0 = [0.5, 0.8, 0.0, -0.3];
    let mut dp = <DoublePendulum as Tangent>::zero();
    let (x, ds, ddt) = double_pendulum_tip_backward(&p, &mut dp, s0, 0.01, 100, 1.0);
    assert_bits(x, double_pendulum_tip(&p, s0, 0.01, 100), "value");
    assert_fd(
        |q| {
            let p = DoublePendulum {
                m1: q[0],
                m2: q[1],
                l1: q[2],
                l2: q[3],
            };
            double_pendulum_tip(&p, arr(&q[4..8]), 0.01 * q[8], 100)
        },
        &[1.0, 0.7, 1.2, 0.9, 0.5, 0.8, 0.0, -0.3, 1.0],
        &[
            dp.m1,
            dp.m2,
            dp.l1,
            dp.l2,
            ds[0],
            ds[1],
            ds[2],
            ds[3],
            0.01 * ddt,
        ],
    );
}

#[test]
fn r8_rigid_body_spin() {
    let inertia = Vec3::new(1.0, 2.0, 3.0);
    let omega = Vec3::new(0.1, 1.0, 0.2);
    let (wx, di, dw, ddt) = rigid_body_spin_backward(inertia, omega, 0.01, 150, 1.0);
    assert_bits(wx, rigid_body_spin(inertia, omega, 0.01, 150), "value");
    assert_fd(
        |q| {
            rigid_body_spin(
                Vec3::new(q[0], q[1], q[2]),
                Vec3::new(q[3], q[4], q[5]),
                0.01 * q[6],
                150,
            )
        },
        &[1.0, 2.0, 3.0, 0.1, 1.0, 0.2, 1.0],
        &[di.x, di.y, di.z, dw.x, dw.y, dw.z, 0.01 * ddt],
    );
}

#[test]
fn r8_projectile_range() {
    for (speed, angle) in [(20.0, 0.7), (35.0, 0.4)] {
        let (range, ds, da, dd) = projectile_range_backward(speed, angle, 0.02, 0.01, 10_000, 1.0);
        assert_bits(
            range,
            projectile_range(speed, angle, 0.02, 0.01, 10_000),
            "value",
        );
        assert!(range > 5.0, "it flew: {range}");
        assert_fd(
            |q| projectile_range(q[0], q[1], q[2], 0.01, 10_000),
            &[speed, angle, 0.02],
            &[ds, da, dd],
        );
    }
}

#[test]
fn r8_orbit_energy() {
    for method in [Integrator::Euler, Integrator::Leapfrog] {
        let (pos, vel) = ([1.0, 0.0], [0.1, 1.1]);
        let (e, dpos, dvel, dgm) = orbit_energy_backward(pos, vel, 1.0, 0.01, 300, method, 1.0);
        assert_bits(e, orbit_energy(pos, vel, 1.0, 0.01, 300, method), "value");
        assert_fd(
            |q| orbit_energy(arr(&q[..2]), arr(&q[2..4]), q[4], 0.01, 300, method),
            &[1.0, 0.0, 0.1, 1.1, 1.0],
            &cat(&[&dpos, &dvel, &[dgm]]),
        );
    }
}
