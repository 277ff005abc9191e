//! `&mut self` methods, as simulation and control code writes them: a body
//! advanced in place (`b.step(dt);`) in a loop, a controller whose state is
//! updated by a method, a struct literal stepped. `#[grad]` on such a method
//! emits a by-value twin whose companions the callers' bodies use. Values bit
//! for bit, gradients against central differences.

mod common;

use autodiff::{grad, Tangent};
use common::assert_fd;

#[derive(Clone, Copy, Debug, Tangent)]
pub struct Body {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
}

impl Body {
    /// Semi-implicit Euler under gravity with linear drag.
    #[grad]
    pub fn step(&mut self, drag: f64, dt: f64) {
        self.vel[0] -= drag * self.vel[0] * dt;
        self.vel[1] -= (9.81 + drag * self.vel[1]) * dt;
        self.pos[0] += self.vel[0] * dt;
        self.pos[1] += self.vel[1] * dt;
    }

    #[grad]
    pub fn energy(&self) -> f64 {
        0.5 * (self.vel[0] * self.vel[0] + self.vel[1] * self.vel[1]) + 9.81 * self.pos[1]
    }
}

/// How far a projectile flies in `n` steps.
#[grad]
pub fn range(v0: [f64; 2], drag: f64, n: usize) -> f64 {
    let mut b = Body {
        pos: [0.0, 0.0],
        vel: v0,
    };
    for _ in 0..n {
        b.step(drag, 0.01);
    }
    b.pos[0] + 0.1 * b.energy()
}

/// The same from a body passed in, copied and stepped.
#[grad]
pub fn from_state(start: Body, drag: f64) -> f64 {
    let mut b = start;
    b.step(drag, 0.02);
    b.step(drag, 0.02);
    b.pos[1] * b.vel[0]
}

#[test]
fn a_body_stepped_in_place_in_a_loop() {
    for (v0, drag) in [([12.0, 9.0], 0.1), ([5.0, 14.0], 0.4)] {
        let (v, dv0, dd) = range_backward(v0, drag, 40, 1.0);
        assert_eq!(v, range(v0, drag, 40));
        assert_fd(
            |p| range([p[0], p[1]], p[2], 40),
            &[v0[0], v0[1], drag],
            &[dv0[0], dv0[1], dd],
        );
    }
}

#[test]
fn a_copied_state_stepped_twice() {
    let s = Body {
        pos: [1.0, 2.0],
        vel: [3.0, -1.0],
    };
    let (v, ds, dd) = from_state_backward(s, 0.3, 1.0);
    assert_eq!(v, from_state(s, 0.3));
    let f = |p: &[f64]| {
        from_state(
            Body {
                pos: [p[0], p[1]],
                vel: [p[2], p[3]],
            },
            p[4],
        )
    };
    let x = [s.pos[0], s.pos[1], s.vel[0], s.vel[1], 0.3];
    let g = [ds.pos[0], ds.pos[1], ds.vel[0], ds.vel[1], dd];
    assert_fd(f, &x, &g);
}

/// Stepped only while above ground, and only on even steps: `&mut self` calls
/// under `while` and `if`.
#[grad]
pub fn until_ground(v0: [f64; 2], drag: f64) -> f64 {
    let mut b = Body {
        pos: [0.0, 1.0],
        vel: v0,
    };
    let mut k = 0;
    while b.pos[1] > 0.0 && k < 400 {
        if k % 2 == 0 {
            b.step(drag, 0.01);
        } else {
            b.step(2.0 * drag, 0.01);
        }
        k += 1;
    }
    b.pos[0]
}

#[test]
fn stepped_under_while_and_if() {
    for (v0, drag) in [([6.0, 4.0], 0.2), ([3.0, 7.0], 0.05)] {
        let (v, dv0, dd) = until_ground_backward(v0, drag, 1.0);
        assert_eq!(v, until_ground(v0, drag));
        assert!(v > 0.5, "flew {v}");
        assert_fd(
            |p| until_ground([p[0], p[1]], p[2]),
            &[v0[0], v0[1], drag],
            &[dv0[0], dv0[1], dd],
        );
    }
}
