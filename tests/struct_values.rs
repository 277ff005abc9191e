//! Struct *values* of the body, as simulation and control code writes them
//! (issue 12, point 7; corpus round 4's M3):
//!
//! - a state advanced by a method that returns the next state, in a loop
//!   (`car = car.step(a);`), the method taking `self` or `&self`;
//! - a call's struct result read field by field (`let n = step(c, a); n.x`),
//!   chosen by an `if`, carried by `for` and `while`, returned;
//! - a `mut` copy updated field by field and then used whole (`let mut n =
//!   *self; n.vel[i] = …; n`, `let mut c = b; c.pos[1] += 1.0; height(&c)`);
//! - methods called on such values: each `#[grad]` method emits by-value
//!   adapters, so `&self` and `self` methods are called alike;
//! - `no_grad` imported and called bare (`no_grad(2.0)`), which tells a callee
//!   that excludes the argument with `wrt` not to expect its gradient.
//!
//! Values bit for bit against the functions; gradients against central
//! differences (`common::prop_fd`); tangents of `_forward` against the
//! gradient (dot-product test).
#![deny(warnings)]
#![allow(clippy::needless_range_loop)]

use autodiff::{grad, no_grad, Tangent};
use proptest::prelude::*;

mod common;
use common::*;

#[derive(Tangent, Clone, Copy, Debug, Default, PartialEq)]
pub struct Car {
    pub x: f64,
    pub v: f64,
}

impl Car {
    /// A `self` method returning the next state.
    #[grad(reverse, forward, wrt(self, a))]
    pub fn step(self, a: f64) -> Car {
        Car {
            x: self.x + 0.1 * self.v,
            v: self.v + 0.1 * a - 0.05 * self.v * self.v.abs(),
        }
    }

    /// A `&self` method of the same kind.
    #[grad(reverse, forward, wrt(self, a))]
    pub fn coast(&self, a: f64) -> Car {
        Car {
            x: self.x + 0.2 * self.v.tanh(),
            v: self.v * (1.0 - 0.1 * a.sin()),
        }
    }
}

#[grad(reverse, forward)]
pub fn step_free(c: Car, a: f64) -> Car {
    Car {
        x: c.x + 0.1 * c.v,
        v: c.v + 0.1 * a,
    }
}

/// An MPC rollout: the state advanced by a method, the controls differentiated.
#[grad(reverse, forward)]
pub fn rollout(start: Car, controls: &[f64]) -> f64 {
    let mut car = start;
    let mut cost = 0.0;
    for &a in controls {
        car = car.step(a);
        cost += car.x * car.x + 0.01 * a * a;
    }
    cost + car.v * car.v
}

/// Two models chosen by an `if`, `&self` and `self` methods and a free function.
#[grad(reverse, forward)]
pub fn mixed_rollout(start: Car, controls: &[f64]) -> f64 {
    let mut car = start;
    let mut cost = 0.0;
    for (i, &a) in controls.iter().enumerate() {
        car = if i % 3 == 0 {
            car.step(a)
        } else if i % 3 == 1 {
            car.coast(a)
        } else {
            step_free(car, a * a)
        };
        cost += car.x * car.v;
    }
    cost
}

/// A call's struct result read field by field, and passed on.
#[grad(reverse, forward)]
pub fn one_step(start: Car, a: f64) -> f64 {
    let n = step_free(start, a);
    let m = n.coast(a);
    n.x * n.v + m.x - step_free(m, 0.5).v
}

/// A struct result built by a loop of calls.
#[grad(reverse, forward)]
pub fn final_state(start: Car, a: f64) -> Car {
    let mut car = start;
    for _ in 0..3 {
        car = car.step(a);
    }
    car
}

/// A `while` until the state leaves a region.
#[grad(reverse, forward)]
pub fn until_far(start: Car, a: f64) -> f64 {
    let mut car = start;
    let mut n = 0;
    while car.x < 2.0 && n < 40 {
        car = step_free(car, a);
        n += 1;
    }
    car.v * car.x
}

#[derive(Tangent, Clone, Copy, Debug, Default, PartialEq)]
pub struct Body {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
}

impl Body {
    /// A copy of `*self` updated field by field, returned whole.
    #[grad(reverse, forward, wrt(self, dt))]
    pub fn leapfrog(&self, k: f64, dt: f64) -> Body {
        let mut n = *self;
        for i in 0..2 {
            n.vel[i] = self.vel[i] - k * self.pos[i] * dt;
            n.pos[i] += n.vel[i] * dt;
        }
        n
    }

    #[grad(reverse, forward, wrt(self))]
    pub fn energy(&self) -> f64 {
        0.5 * (self.vel[0] * self.vel[0] + self.vel[1] * self.vel[1])
            + 0.5 * (self.pos[0] * self.pos[0] + self.pos[1] * self.pos[1])
    }
}

#[grad(reverse, forward)]
pub fn height(b: &Body) -> f64 {
    b.pos[1] * b.vel[0]
}

/// Steps of a `&self` method on a value carried by the loop, then methods and
/// a function on the final state (by `&`); `k` excluded by the method's
/// `wrt`, passed as `no_grad`.
#[grad(reverse, forward)]
pub fn orbit(b0: Body, dt: f64) -> f64 {
    let mut b = b0;
    for _ in 0..5 {
        b = b.leapfrog(no_grad(1.3), dt);
    }
    b.pos[0] * b.pos[1] + b.energy() + height(&b)
}

/// A `mut` copy of a parameter updated and passed on whole (was rejected: "a
/// local copy of a struct parameter cannot be passed on whole yet").
#[grad(reverse, forward)]
pub fn lifted(b: Body, h: f64) -> f64 {
    let mut c = b;
    c.pos[1] += h;
    c.vel[0] *= h;
    height(&c) + b.pos[1]
}

/// A struct built in the body or another, chosen by an `if` (was rejected: "a
/// field of a struct value chosen by an `if` … is not supported yet").
#[grad(reverse, forward)]
pub fn chosen(x: [f64; 2]) -> f64 {
    let s = Body {
        pos: x,
        vel: [x[1], 0.5],
    };
    let t = if x[0] > 0.0 {
        s
    } else {
        Body {
            pos: [x[1] * x[1], x[0]],
            vel: [x[0].sin(), 0.0],
        }
    };
    t.pos[0] * t.vel[0] + t.pos[1] + height(&t)
}

#[grad(reverse, forward, wrt(x))]
pub fn scaled_sum(x: &[f64], c: f64) -> f64 {
    x.iter().map(|v| v * c).sum()
}

/// A callee that excludes `c` with `wrt`: the constant passed as bare `no_grad`.
#[grad(reverse, forward)]
pub fn uses_scaled(h: &[f64]) -> f64 {
    scaled_sum(h, no_grad(2.0)) * h[0]
}

#[derive(Tangent, Clone, Copy, Debug, Default, PartialEq)]
pub struct Holdings {
    pub cash: f64,
    pub shares: f64,
}

impl Holdings {
    #[grad(reverse, forward, wrt(self, price))]
    pub fn rebalance(self, price: f64, target: f64) -> Holdings {
        let wealth = self.cash + self.shares * price;
        let trade = target * wealth / price - self.shares;
        Holdings {
            cash: self.cash - trade * price - 0.001 * (trade * price).abs(),
            shares: self.shares + trade,
        }
    }
}

impl Holdings {
    /// A plain `#[grad]` method: `self` is differentiated like any struct
    /// parameter (a `d_self: &mut Self` shadow), as users expect of a model's
    /// method (corpus rounds 4, 6 and 7: eleven functions wrote it this way).
    #[grad(reverse, forward)]
    pub fn value(&self, price: f64) -> f64 {
        self.cash + self.shares * price
    }
}

/// The plain method called on a differentiated receiver.
#[grad(reverse, forward)]
pub fn log_wealth(h: &Holdings, price: f64) -> f64 {
    h.value(price).ln() + h.value(2.0 * price).ln()
}

/// A struct literal later assigned whole in a loop (corpus round 7: "a value
/// carried by this loop changes type"), its field updated after.
#[grad(reverse, forward)]
pub fn rebalanced(cash: f64, prices: &[f64]) -> f64 {
    let mut h = Holdings { cash, shares: 0.0 };
    for &p in prices {
        h = h.rebalance(p, no_grad(0.6));
        h.cash *= 1.001;
    }
    h.cash + h.shares * prices[prices.len() - 1]
}

#[derive(Tangent, Clone, Copy, Debug, Default, PartialEq)]
pub struct Vec3 {
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

#[grad(reverse, forward)]
pub fn scale3(v: Vec3, k: f64) -> Vec3 {
    Vec3 {
        x: v.x * k,
        y: v.y * k,
        z: v.z * k,
    }
}

impl Vec3 {
    /// A struct result that is a call's (E0308 "expected f64, found Vec3" before).
    #[grad(reverse, forward, wrt(self))]
    pub fn normalized(self) -> Vec3 {
        let len = (self.x * self.x + self.y * self.y + self.z * self.z).sqrt();
        scale3(self, 1.0 / len)
    }
}

/// A whole array assigned to an array field of a struct copy (E0308 before).
#[grad(reverse, forward)]
pub fn boris(p0: Body, dt: f64) -> f64 {
    let mut p = p0;
    for _ in 0..3 {
        let v = [p.vel[0] - dt * p.pos[1], p.vel[1] + dt * p.pos[0]];
        p.vel = v;
        p.pos[0] += dt * p.vel[0];
        p.pos[1] += dt * p.vel[1];
    }
    let n = Vec3 {
        x: p.pos[0],
        y: p.pos[1],
        z: 1.0,
    }
    .normalized();
    p.pos[1] * p.vel[0] + n.x * n.z
}

impl Car {
    /// A plain constructor (no `#[grad]`).
    pub fn parked() -> Car {
        Car { x: 0.5, v: 0.25 }
    }
}

/// A struct from a plain associated fn, updated in a loop through a method
/// (corpus round 7, C: "unsupported method", "unsupported assignment target").
#[grad(reverse, forward)]
pub fn from_parked(a: f64) -> f64 {
    let mut c = Car::parked();
    for _ in 0..3 {
        c.x = c.coast(a).x;
        c.v += a * c.x;
    }
    c.x * c.v
}

/// A whole element of a slice of structs carried by a loop (corpus round 7,
/// "field access is only supported on tuples").
#[grad(reverse, forward)]
pub fn from_first(cars: &[Car], a: f64) -> f64 {
    let mut c = cars[0];
    for i in 1..cars.len() {
        c = step_free(c, cars[i].v * a);
    }
    c.x + c.v
}

fn car(p: &[f64]) -> Car {
    Car { x: p[0], v: p[1] }
}

fn body(p: &[f64]) -> Body {
    Body {
        pos: [p[0], p[1]],
        vel: [p[2], p[3]],
    }
}

fn flat_body(b: &Body) -> Vec<f64> {
    vec![b.pos[0], b.pos[1], b.vel[0], b.vel[1]]
}

type CarRollout = fn(Car, &[f64]) -> f64;
type CarRolloutBackward = fn(Car, &[f64], &mut [f64], f64) -> (f64, Car);
type CarRolloutForward = fn(Car, Car, &[f64], &[f64]) -> (f64, f64);

fn rollouts() -> [(
    &'static str,
    CarRollout,
    CarRolloutBackward,
    CarRolloutForward,
); 2] {
    [
        ("rollout", rollout, rollout_backward, rollout_forward),
        (
            "mixed_rollout",
            mixed_rollout,
            mixed_rollout_backward,
            mixed_rollout_forward,
        ),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rollouts_against_differences(
        p in float_vec(-1.0, 1.0, 8..9),
        t in float_vec(-1.0, 1.0, 8..9),
        d in cotangent(),
    ) {
        let (start, u) = (car(&p), &p[2..]);
        for (name, f, back, fwd) in rollouts() {
            let mut du = vec![0.0; u.len()];
            let (v, dc) = back(start, u, &mut du, d);
            prop_assert_eq!(v.to_bits(), f(start, u).to_bits(), "{}: value", name);
            let g: Vec<f64> = [dc.x, dc.v].iter().chain(&du).map(|gi| gi / d).collect();
            prop_fd(|q| f(car(q), &q[2..]), &p, &g)?;
            let (v, jvp) = fwd(start, car(&t), u, &t[2..]);
            prop_assert_eq!(v.to_bits(), f(start, u).to_bits(), "{}: forward value", name);
            let want = dot(&g, &t);
            prop_assert!((jvp - want).abs() <= 1e-9 * (1.0 + want.abs()), "{}: tangent {} {}", name, jvp, want);
        }
    }

    #[test]
    fn call_results_against_differences(
        p in float_vec(-1.0, 1.0, 3..4),
        t in float_vec(-1.0, 1.0, 3..4),
        d in cotangent(),
        w in float_vec(-1.0, 1.0, 2..3),
    ) {
        let (start, a) = (car(&p), p[2]);
        let (v, dc, da) = one_step_backward(start, a, d);
        prop_assert_eq!(v.to_bits(), one_step(start, a).to_bits());
        let g = [dc.x / d, dc.v / d, da / d];
        prop_fd(|q| one_step(car(q), q[2]), &p, &g)?;
        let (v, jvp) = one_step_forward(start, car(&t), a, t[2]);
        prop_assert_eq!(v.to_bits(), one_step(start, a).to_bits());
        prop_assert!((jvp - dot(&g, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()));

        // A struct result: its cotangent `w` weights the fields.
        let dw = car(&w);
        let (v, dc, da) = final_state_backward(start, a, dw);
        prop_assert_eq!(v, final_state(start, a));
        let proj = |q: &[f64]| {
            let r = final_state(car(q), q[2]);
            w[0] * r.x + w[1] * r.v
        };
        prop_fd(proj, &p, &[dc.x, dc.v, da])?;
        let (v, tv) = final_state_forward(start, car(&t), a, t[2]);
        prop_assert_eq!(v, final_state(start, a));
        let want = dot(&[dc.x, dc.v, da], &t);
        prop_assert!((w[0] * tv.x + w[1] * tv.v - want).abs() <= 1e-9 * (1.0 + want.abs()));
    }

    #[test]
    fn while_carried_struct_against_differences(
        x in -0.5f64..0.5,
        v in 0.5f64..1.5,
        a in 0.2f64..1.0,
        d in cotangent(),
    ) {
        let p = [x, v, a];
        let (val, dc, da) = until_far_backward(car(&p), a, d);
        prop_assert_eq!(val.to_bits(), until_far(car(&p), a).to_bits());
        // Away from a change of the trip count within the stencil.
        let n = |q: &[f64]| {
            let mut c = car(q);
            let mut n = 0;
            while c.x < 2.0 && n < 40 {
                c = step_free(c, q[2]);
                n += 1;
            }
            (n, c.x - 2.0)
        };
        prop_assume!(n(&p).1.abs() > 1e-3);
        prop_fd(|q| until_far(car(q), q[2]), &p, &[dc.x / d, dc.v / d, da / d])?;
    }

    #[test]
    fn updated_copies_against_differences(
        p in float_vec(-1.0, 1.0, 5..6),
        t in float_vec(-1.0, 1.0, 5..6),
        d in cotangent(),
    ) {
        let (b, dt) = (body(&p), 0.05 + 0.1 * p[4].abs());
        let q0: Vec<f64> = flat_body(&b).into_iter().chain([dt]).collect();
        let (v, db, ddt) = orbit_backward(b, dt, d);
        prop_assert_eq!(v.to_bits(), orbit(b, dt).to_bits());
        let g: Vec<f64> = flat_body(&db).into_iter().chain([ddt]).map(|gi| gi / d).collect();
        prop_fd(|q| orbit(body(q), q[4]), &q0, &g)?;
        let (v, jvp) = orbit_forward(b, body(&t), dt, t[4]);
        prop_assert_eq!(v.to_bits(), orbit(b, dt).to_bits());
        prop_assert!((jvp - dot(&g, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()));

        let h = p[4];
        let (v, db, dh) = lifted_backward(b, h, d);
        prop_assert_eq!(v.to_bits(), lifted(b, h).to_bits());
        let g: Vec<f64> = flat_body(&db).into_iter().chain([dh]).map(|gi| gi / d).collect();
        prop_fd(|q| lifted(body(q), q[4]), &p, &g)?;
        let (v, jvp) = lifted_forward(b, body(&t), h, t[4]);
        prop_assert_eq!(v.to_bits(), lifted(b, h).to_bits());
        prop_assert!((jvp - dot(&g, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()));
    }

    #[test]
    fn chosen_against_differences(
        x in floats::<2>(-1.0, 1.0),
        t in floats::<2>(-1.0, 1.0),
        d in cotangent(),
    ) {
        prop_assume!(x[0].abs() > 1e-3);
        let (v, dx) = chosen_backward(x, d);
        prop_assert_eq!(v.to_bits(), chosen(x).to_bits());
        let g = [dx[0] / d, dx[1] / d];
        prop_fd(|q| chosen([q[0], q[1]]), &x, &g)?;
        let (v, jvp) = chosen_forward(x, t);
        prop_assert_eq!(v.to_bits(), chosen(x).to_bits());
        prop_assert!((jvp - dot(&g, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()));
    }

    #[test]
    fn reassigned_literals_and_struct_results_against_differences(
        p in float_vec(0.5, 1.5, 5..6),
        t in float_vec(-1.0, 1.0, 5..6),
        d in cotangent(),
    ) {
        let (cash, prices) = (p[0], &p[1..]);
        let mut dp = vec![0.0; 4];
        let (v, dc) = rebalanced_backward(cash, prices, &mut dp, d);
        prop_assert_eq!(v.to_bits(), rebalanced(cash, prices).to_bits());
        let g: Vec<f64> = [dc].iter().chain(&dp).map(|gi| gi / d).collect();
        prop_fd(|q| rebalanced(q[0], &q[1..]), &p, &g)?;
        let (v, jvp) = rebalanced_forward(cash, t[0], prices, &t[1..]);
        prop_assert_eq!(v.to_bits(), rebalanced(cash, prices).to_bits());
        prop_assert!((jvp - dot(&g, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()));

        let b = body(&p[1..]);
        let dt = 0.1 * p[0];
        let q0: Vec<f64> = flat_body(&b).into_iter().chain([dt]).collect();
        let (v, db, ddt) = boris_backward(b, dt, d);
        prop_assert_eq!(v.to_bits(), boris(b, dt).to_bits());
        let g: Vec<f64> = flat_body(&db).into_iter().chain([ddt]).map(|gi| gi / d).collect();
        prop_fd(|q| boris(body(q), q[4]), &q0, &g)?;
        let (v, jvp) = boris_forward(b, body(&t[..4]), dt, t[4]);
        prop_assert_eq!(v.to_bits(), boris(b, dt).to_bits());
        prop_assert!((jvp - dot(&g, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()));
    }

    #[test]
    fn constructed_and_element_states_against_differences(
        p in float_vec(-1.0, 1.0, 7..8),
        d in cotangent(),
    ) {
        let a = p[6];
        let (v, da) = from_parked_backward(a, d);
        prop_assert_eq!(v.to_bits(), from_parked(a).to_bits());
        prop_fd(|q| from_parked(q[0]), &[a], &[da / d])?;
        let (v, t) = from_parked_forward(a, 1.0);
        prop_assert_eq!(v.to_bits(), from_parked(a).to_bits());
        prop_assert!((t - da / d).abs() <= 1e-9 * (1.0 + t.abs()));

        let cars: Vec<Car> = p[..6].chunks(2).map(car).collect();
        let mut dc = vec![Car::default(); 3];
        let (v, da) = from_first_backward(&cars, &mut dc, a, d);
        prop_assert_eq!(v.to_bits(), from_first(&cars, a).to_bits());
        let g: Vec<f64> = dc.iter().flat_map(|c| [c.x, c.v]).chain([da]).map(|gi| gi / d).collect();
        prop_fd(|q| from_first(&q[..6].chunks(2).map(car).collect::<Vec<_>>(), q[6]), &p, &g)?;
    }

    #[test]
    fn plain_methods_differentiate_self(
        p in float_vec(0.5, 1.5, 3..4),
        t in float_vec(-1.0, 1.0, 3..4),
        d in cotangent(),
    ) {
        let h = Holdings { cash: p[0], shares: p[1] };
        let mut dh = Holdings::default();
        let (v, dp) = log_wealth_backward(&h, &mut dh, p[2], d);
        prop_assert_eq!(v.to_bits(), log_wealth(&h, p[2]).to_bits());
        let g = [dh.cash / d, dh.shares / d, dp / d];
        prop_fd(|q| log_wealth(&Holdings { cash: q[0], shares: q[1] }, q[2]), &p, &g)?;
        let th = Holdings { cash: t[0], shares: t[1] };
        let (v, jvp) = log_wealth_forward(&h, &th, p[2], t[2]);
        prop_assert_eq!(v.to_bits(), log_wealth(&h, p[2]).to_bits());
        prop_assert!((jvp - dot(&g, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()));
        // The method's own companion: the shadow of `self`.
        let mut ds = Holdings::default();
        let v = h.value_backward(&mut ds, p[2], d).0;
        prop_assert_eq!(v.to_bits(), h.value(p[2]).to_bits());
        prop_assert_eq!((ds.cash, ds.shares), (d, d * p[2]));
    }

    #[test]
    fn bare_no_grad_against_differences(
        h in float_vec(-1.0, 1.0, 4..5),
        t in float_vec(-1.0, 1.0, 4..5),
    ) {
        let mut dh = vec![0.0; 4];
        let v = uses_scaled_backward(&h, &mut dh, 1.0);
        prop_assert_eq!(v.to_bits(), uses_scaled(&h).to_bits());
        prop_fd(uses_scaled, &h, &dh)?;
        let (v, jvp) = uses_scaled_forward(&h, &t);
        prop_assert_eq!(v.to_bits(), uses_scaled(&h).to_bits());
        prop_assert!((jvp - dot(&dh, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()));
    }
}
