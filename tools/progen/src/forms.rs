//! Forms of the README's support table that the main generator does not write:
//! `copysign`, `to_degrees`, `to_radians`, `sin_cos`, `std::f64::consts`,
//! `for i in (a..b).rev()`, `is_nan` and friends, `matches!`, `match` on an
//! integer, and closures defined and called in the body. Each is a short segment
//! after the body (see `extras`) whose value the result adds.

use crate::ast::*;
use crate::gen::*;

/// The constructs of this module, as named in `CONSTRUCTS`.
pub(crate) const FORMS: &[&str] = &[
    "sign-angle-methods",
    "sin-cos",
    "float-consts",
    "rev-ranges",
    "float-classes",
    "matches",
    "int-match",
    "closures",
];

const CONSTS: &[(&str, f64)] = &[
    ("PI", std::f64::consts::PI),
    ("E", std::f64::consts::E),
    ("LN_2", std::f64::consts::LN_2),
    ("SQRT_2", std::f64::consts::SQRT_2),
    ("FRAC_PI_4", std::f64::consts::FRAC_PI_4),
    ("TAU", std::f64::consts::TAU),
];

impl Gen<'_> {
    /// `let name: f64 = e;`
    fn bind(&mut self, e: E, bound: f64, out: &mut Vec<S>) -> (E, f64) {
        let name = self.fresh("v");
        out.push(S::Let {
            name: name.clone(),
            mutable: false,
            annot: true,
            init: e,
        });
        self.declare(&name, VK::F, false, bound);
        (E::Var(name), bound)
    }

    /// `let mut acc = 0.0; for i in head { acc = k * acc + term(i); }` with the
    /// term built by `term` from the loop's index.
    fn index_loop(
        &mut self,
        rev: bool,
        out: &mut Vec<S>,
        term: impl FnOnce(&mut Self, &str) -> (E, f64),
    ) -> (E, f64) {
        let acc = self.fresh("acc");
        out.push(S::Let {
            name: acc.clone(),
            mutable: true,
            annot: true,
            init: E::Lit(0.0),
        });
        let hi = self.rng.int(2, 4);
        let i = self.fresh("i");
        self.scopes.push(Vec::new());
        self.loop_depth += 1;
        self.declare(
            &i,
            VK::Int {
                max: hi - 1,
                i32: false,
            },
            false,
            0.0,
        );
        let (t, tb) = term(self, &i);
        self.loop_depth -= 1;
        self.scopes.pop();
        // the order of the iterations matters: acc = 0.5 acc + t
        let step = E::Bin(
            '+',
            bx(E::Bin('*', bx(E::Lit(0.5)), bx(E::Var(acc.clone())))),
            bx(t),
        );
        let body = vec![S::Assign(LV::Var(acc.clone()), '=', step)];
        let head = if rev {
            Head::Rev(i, I::Lit(0), I::Lit(hi))
        } else {
            Head::Range(i, I::Lit(0), I::Lit(hi), false)
        };
        out.push(S::For(head, body));
        let bound = 2.0 * tb;
        self.declare(&acc, VK::F, true, bound);
        (E::Var(acc), bound)
    }

    /// One segment of a form of this module that is on; terms for the result.
    pub(crate) fn form_segment(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let on: Vec<&str> = FORMS.iter().copied().filter(|f| self.on(f)).collect();
        if on.is_empty() {
            return Vec::new();
        }
        let form = *self.rng.pick(&on);
        match form {
            "sign-angle-methods" => {
                let (a, ab) = self.input_expr(2.0);
                let (e, b) = match self.rng.below(3) {
                    0 => {
                        let (s, _) = self.input_expr(1.0);
                        (call_any2("copysign", a, s), ab)
                    }
                    1 => (call_any("to_degrees", a), ab * 57.3),
                    _ => (call_any("to_radians", a), ab / 57.0),
                };
                vec![self.bind(e, b, out)]
            }
            "sin-cos" => {
                let (e, _) = self.input_expr(3.0);
                let (s, c) = (self.fresh("v"), self.fresh("v"));
                out.push(S::SinCos(s.clone(), c.clone(), e));
                self.declare(&s, VK::F, false, 1.0);
                self.declare(&c, VK::F, false, 1.0);
                vec![(E::Var(s), 1.0), (E::Var(c), 1.0)]
            }
            "float-consts" => {
                let (name, v) = *self.rng.pick(CONSTS);
                let (a, ab) = self.input_expr(2.0);
                let e = if self.rng.chance(0.5) {
                    E::Bin('*', bx(a), bx(E::Const(name)))
                } else {
                    E::Bin('+', bx(a), bx(E::Const(name)))
                };
                vec![self.bind(e, ab * v + v, out)]
            }
            "rev-ranges" => {
                vec![self.index_loop(true, out, |g, i| {
                    let (e, b) = g.input_expr(1.5);
                    let k = E::Cast(I::Var(i.to_string()));
                    (E::Bin('*', bx(e), bx(k)), b * 4.0)
                })]
            }
            "float-classes" => {
                let (x, _) = self.input_expr(3.0);
                let m = *self.rng.pick(&["is_nan", "is_finite", "is_infinite"]);
                let (a, ab) = self.input_expr(2.0);
                let (b, bb) = self.input_expr(2.0);
                let e = E::If(bx(C::Class(m, x)), bx(a), bx(b));
                vec![self.bind(e, ab.max(bb), out)]
            }
            "matches" | "int-match" => {
                let matching = form == "matches";
                let rev = self.on("rev-ranges") && self.rng.chance(0.3);
                vec![self.index_loop(rev, out, |g, i| {
                    let (a, ab) = g.input_expr(1.5);
                    let (b, bb) = g.input_expr(1.5);
                    let iv = I::Var(i.to_string());
                    if matching {
                        let ks = if g.rng.chance(0.5) {
                            vec![0, 2]
                        } else {
                            vec![1]
                        };
                        (E::If(bx(C::Matches(iv, ks)), bx(a), bx(b)), ab.max(bb))
                    } else {
                        let (c, cb) = g.input_expr(1.5);
                        let arms = vec![(0, a), (1, b)];
                        (E::Match(iv, arms, bx(c)), ab.max(bb).max(cb))
                    }
                })]
            }
            _ => {
                // `let f = |z: f64| body(z);` then `f(a) + k * f(b)`
                let f = self.fresh("cl");
                let z = self.fresh("z");
                let saved = std::mem::replace(&mut self.scopes, vec![Vec::new()]);
                let inputs = std::mem::replace(&mut self.inputs, vec![z.clone()]);
                let depth = std::mem::replace(&mut self.loop_depth, 0);
                self.declare(&z, VK::F, false, 2.0);
                let (body, b) = self.fexpr(2);
                let (body, bb) = self.squash(body, b, 2.0);
                let body = if reads(&body, &self.inputs) {
                    body
                } else {
                    E::Bin('+', bx(body), bx(E::Var(z.clone())))
                };
                self.scopes = saved;
                self.inputs = inputs;
                self.loop_depth = depth;
                out.push(S::Closure(f.clone(), z, body));
                let (a, _) = self.input_expr(2.0);
                let (c, _) = self.input_expr(2.0);
                let k = self.lit_value(0.25, 1.5);
                let e = E::Bin(
                    '+',
                    bx(E::Apply(f.clone(), bx(a))),
                    bx(E::Bin('*', bx(E::Lit(k)), bx(E::Apply(f, bx(c))))),
                );
                vec![self.bind(e, (bb + 2.0) * (1.0 + k), out)]
            }
        }
    }
}

/// `a.name(b)` (or `f64::name(a, b)` when `a` is a bare literal).
fn call_any2(name: &'static str, a: E, b: E) -> E {
    let style = if anchored(&a) {
        Style::Method
    } else {
        Style::Path
    };
    E::Call(name, vec![Arg::F(a), Arg::F(b)], style)
}
