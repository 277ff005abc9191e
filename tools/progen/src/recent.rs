//! Constructs the macro learned after the rest of the generator: so far
//! `x.rem_euclid(y)` / `x.div_euclid(y)` (`f64::rem_euclid(x, y)` in the path form),
//! their divisor kept away from zero (`(u.abs() + 0.5)`, `1.0 + u * u`, …, negated
//! or not). Their jumps, where `x / y` crosses an integer, are reported to the
//! tracker by the oracle's `dx_rem_euclid` / `dx_div_euclid` (`header`), through
//! `dx_floor` / `dx_ceil` of the quotient.
//!
//! As `idioms.rs` and `seqs.rs`, each is a short segment after the body, drawn from
//! a generator of its own so that a program without them is the program the stream
//! had before they existed.

use crate::ast::*;
use crate::gen::*;
use crate::segments::Segments;
use crate::Options;

/// The constructs of this module, as named in `CONSTRUCTS`.
pub(crate) const RECENT: &[&str] = &["euclid"];

/// The oracle's versions of the Euclidean division and remainder.
pub(crate) fn header() -> String {
    "
/// `x.div_euclid(y)`: `floor(x / y)` for `y > 0`, `ceil(x / y)` for `y < 0`
/// (piecewise constant, jumps where `x / y` crosses an integer).
pub fn dx_div_euclid<D: Dn>(a: D, b: D, t: &mut Tr) -> D {
    if b.re() > 0.0 {
        dx_floor(a / b, t)
    } else {
        dx_ceil(a / b, t)
    }
}
/// `x.rem_euclid(y) = x - y * x.div_euclid(y)`.
pub fn dx_rem_euclid<D: Dn>(a: D, b: D, t: &mut Tr) -> D {
    let q = dx_div_euclid(a, b, t);
    a - b * q
}
"
    .to_string()
}

/// The segments a program gets from this module.
pub(crate) fn draw(opts: &Options, index: usize) -> Segments {
    Segments::draw(opts, index, 0xA076_1D64_78BD_642F, RECENT, 0.3)
}

impl Gen<'_> {
    /// One segment: statements pushed onto `out`, terms for the result.
    pub(crate) fn recent_segment(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        if !self.on("euclid") {
            return Vec::new();
        }
        self.euclid(out)
    }

    /// `let v: f64 = x.rem_euclid(y);` (or `div_euclid`, its value scaled), `y`
    /// away from zero.
    fn euclid(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let (x, bx_) = self.fexpr(2);
        let (x, bx_) = self.squash(x, bx_, 6.0);
        let (den, bd) = self.positive(1);
        let den = if self.rng.chance(0.3) {
            E::Neg(bx(den))
        } else {
            den
        };
        let style = if self.rng.chance(0.7) {
            Style::Method
        } else {
            Style::Path
        };
        let (name, bound) = if self.rng.chance(0.7) {
            ("rem_euclid", bd)
        } else {
            ("div_euclid", bx_ / 0.5 + 1.0)
        };
        let e = E::Call(name, vec![Arg::F(x), Arg::F(den)], style);
        let (v, _) = self.bind_idiom(e, bound, out);
        let t = if name == "div_euclid" {
            // a piecewise-constant count: scale a smooth term by it
            let (u, bu) = self.fexpr(1);
            let (u, bu) = self.squash(u, bu, 2.0);
            (E::Bin('*', bx(v), bx(u)), bound * bu)
        } else {
            (v, bound)
        };
        vec![t]
    }
}
