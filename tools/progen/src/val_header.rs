//! The header items of `values.rs`: the struct `Sv` with its `#[grad]` methods
//! and plain constructors, the callees `smake` (a struct result) and `snorm` (a
//! struct by `&`), the `const` tables `ROWS` (of structs) and `TB` (of rows),
//! each with the oracle's version, and the harness's readers of `Sv` from a flat
//! point.

use crate::segments::{shared_module, struct_with_oracle};

/// The items; `hvp`: the methods and callees with one float result whose
/// receiver is by `&` get `hvp` too (`energy`, `scale`, `snorm`).
pub(crate) fn header(hvp: bool) -> String {
    let h = if hvp { ", hvp" } else { "" };
    let sv = struct_with_oracle(
        "",
        "Clone, Copy, Debug, Default, autodiff::Tangent",
        "Sv",
        &[("a", "F"), ("v", "[F; 2]")],
        "",
    );
    let items = format!(
        "
{sv}
impl Sv {{
    /// A plain constructor (no `#[grad]`).
    pub fn unit() -> Sv {{
        Sv {{ a: 1.0, v: [0.5, -0.25] }}
    }}

    /// `self` by value, a struct result; `self` differentiated (no `wrt`).
    #[grad(reverse, forward)]
    pub fn step(self, k: f64) -> Sv {{
        Sv {{
            a: 0.5 * self.a + 0.4 * k.tanh() * self.v[1],
            v: [0.8 * self.v[0] + 0.1 * k, 0.9 * self.v[1] - 0.1 * self.a],
        }}
    }}

    /// `&self`, a struct result.
    #[grad(reverse, forward)]
    pub fn nudge(&self, k: f64) -> Sv {{
        Sv {{ a: self.a + 0.2 * k.sin(), v: [self.v[1], 0.5 * self.v[0]] }}
    }}

    /// `&self`, a float result.
    #[grad(reverse, forward{h})]
    pub fn energy(&self, x: f64) -> f64 {{
        (self.a * x).tanh() + self.v[0] * self.v[1]
    }}

    /// `self` by value, a float result.
    #[grad(reverse, forward)]
    pub fn tension(self, x: f64) -> f64 {{
        self.a * x.sin() + self.v[1]
    }}

    /// `self` left out by `wrt`: data.
    #[grad(reverse, forward{h}, wrt(x))]
    pub fn scale(&self, x: f64) -> f64 {{
        self.a * x + self.v[0]
    }}

    /// A second struct, a struct result.
    #[grad(reverse, forward)]
    pub fn compose(self, o: Sv) -> Sv {{
        Sv {{ a: 0.5 * (self.a + o.a), v: [self.v[0] + 0.5 * o.v[1], (self.v[1] * o.v[0]).tanh()] }}
    }}

    /// An array result.
    #[grad(reverse, forward)]
    pub fn place(&self, p: [f64; 2]) -> [f64; 2] {{
        [self.a * p[0] + self.v[0], p[1] - self.v[1]]
    }}
}}

impl<D: Dn> SvD<D> {{
    pub fn step_dual(self, k: D, tr_: &mut Tr) -> SvD<D> {{
        SvD {{
            a: D::from(0.5) * self.a + D::from(0.4) * dx_tanh(k, tr_) * self.v[1],
            v: [D::from(0.8) * self.v[0] + D::from(0.1) * k, D::from(0.9) * self.v[1] - D::from(0.1) * self.a],
        }}
    }}

    pub fn nudge_dual(&self, k: D, tr_: &mut Tr) -> SvD<D> {{
        SvD {{ a: self.a + D::from(0.2) * k.sin(), v: [self.v[1], D::from(0.5) * self.v[0]] }}
    }}

    pub fn energy_dual(&self, x: D, tr_: &mut Tr) -> D {{
        dx_tanh(self.a * x, tr_) + self.v[0] * self.v[1]
    }}

    pub fn tension_dual(self, x: D, tr_: &mut Tr) -> D {{
        self.a * x.sin() + self.v[1]
    }}

    pub fn scale_dual(&self, x: D, tr_: &mut Tr) -> D {{
        self.a * x + self.v[0]
    }}

    pub fn compose_dual(self, o: SvD<D>, tr_: &mut Tr) -> SvD<D> {{
        SvD {{
            a: D::from(0.5) * (self.a + o.a),
            v: [self.v[0] + D::from(0.5) * o.v[1], dx_tanh(self.v[1] * o.v[0], tr_)],
        }}
    }}

    pub fn place_dual(&self, p: [D; 2], tr_: &mut Tr) -> [D; 2] {{
        [self.a * p[0] + self.v[0], p[1] - self.v[1]]
    }}
}}

/// `Sv::unit()` in the oracle.
pub fn sv_unit<D: Dn>() -> SvD<D> {{
    SvD {{ a: D::from(1.0), v: [D::from(0.5), D::from(-0.25)] }}
}}

/// `Sv::default()` in the oracle.
pub fn sv_zero<D: Dn>() -> SvD<D> {{
    SvD {{ a: D::from(0.0), v: [D::from(0.0); 2] }}
}}

/// A struct result.
#[grad(reverse, forward)]
pub fn smake(x: f64, y: f64) -> Sv {{
    Sv {{ a: x * y.tanh(), v: [x.sin(), x - y] }}
}}

pub fn smake_dual<D: Dn>(x: D, y: D, tr_: &mut Tr) -> SvD<D> {{
    SvD {{ a: x * dx_tanh(y, tr_), v: [x.sin(), x - y] }}
}}

/// A struct by reference.
#[grad(reverse, forward{h})]
pub fn snorm(s: &Sv) -> f64 {{
    s.a * s.a.tanh() + s.v[0] * s.v[1]
}}

pub fn snorm_dual<D: Dn>(s: &SvD<D>, tr_: &mut Tr) -> D {{
    s.a * dx_tanh(s.a, tr_) + s.v[0] * s.v[1]
}}

/// A row of a `const` table of structs.
#[derive(Clone, Copy, Debug)]
pub struct Row {{
    pub a: f64,
    pub b: f64,
}}

/// `const` tables: of structs, and of rows.
pub const ROWS: [Row; 3] = [Row {{ a: 0.4, b: 0.3 }}, Row {{ a: -0.3, b: 0.55 }}, Row {{ a: 0.2, b: -0.7 }}];
pub const TB: [[f64; 3]; 4] = [[0.9, 0.5, -0.25], [0.7, -0.2, 0.15], [-0.3, 0.8, 0.4], [0.05, -0.6, 0.75]];

impl Flat<f64> for Sv {{
    fn put(&self, out: &mut Vec<f64>) {{
        self.a.put(out);
        self.v.put(out);
    }}
}}

impl<T, F: Flat<T>> Flat<T> for SvD<F> {{
    fn put(&self, out: &mut Vec<T>) {{
        self.a.put(out);
        self.v.put(out);
    }}
}}

pub fn take_sv(x: &[f64], k: &mut usize) -> Sv {{
    Sv {{ a: take1(x, k), v: take(x, k) }}
}}

pub fn take_sv_d<D: Copy>(x: &[D], k: &mut usize) -> SvD<D> {{
    SvD {{ a: take1(x, k), v: take(x, k) }}
}}

pub fn take_svs(x: &[f64], k: &mut usize, n: usize) -> Vec<Sv> {{
    (0..n).map(|_| take_sv(x, k)).collect()
}}

pub fn take_svs_d<D: Copy>(x: &[D], k: &mut usize, n: usize) -> Vec<SvD<D>> {{
    (0..n).map(|_| take_sv_d(x, k)).collect()
}}

pub fn sv_filled(v: f64) -> Sv {{
    Sv {{ a: v, v: [v; 2] }}
}}
"
    );
    shared_module(
        "the struct, the callees and the tables of values.rs",
        "The struct whose values the programs build, carry, copy and return, with its\nmethods (`self`, `&self`, `self` as data), a callee with a struct result and one\ntaking a struct by `&`, and `const` tables of structs and of rows.",
        "val_shared",
        &items,
    )
}
