//! Idioms of the README's support table that neither the main generator nor
//! `forms.rs` writes: `println!` / `eprintln!` / `dbg!`, closures passed to `map`
//! and `fold` by name, function paths in `map` and `fold` (`.map(f64::exp)`,
//! `.fold(f64::NEG_INFINITY, f64::max)`), `max_by` / `min_by`, `autodiff::no_grad`,
//! a `char` parameter and a nested array `[[f64; M]; N]` by value. Each is a short
//! segment after the body (see `extras`), drawn from a generator of its own so that
//! a program without them is the program the stream had before they existed; the
//! two parameters are added after the parameters of the rest of the program, and
//! only the segments read them.

use crate::ast::*;
use crate::gen::*;
use crate::segments::Segments;
use crate::Options;

/// The constructs of this module, as named in `CONSTRUCTS`.
pub(crate) const IDIOMS: &[&str] = &[
    "prints",
    "closures-by-name",
    "fn-paths",
    "max-by",
    "no-grad",
    "char-params",
    "nested-array-values",
];

/// The functions `.map(f64::name)` applies, and whether they need a small argument.
const PATHS: &[(&str, bool)] = &[
    ("exp", true),
    ("sinh", true),
    ("sin", false),
    ("cos", false),
    ("tanh", false),
    ("atan", false),
    ("asinh", false),
    ("abs", false),
];

/// The segments a program gets from this module.
pub(crate) fn draw(opts: &Options, index: usize) -> Segments {
    Segments::draw(opts, index, 0xC2B2_AE3D_27D4_EB4F, IDIOMS, 0.25)
}

impl Gen<'_> {
    /// One segment of an idiom of this module that is on; terms for the result.
    pub(crate) fn idiom_segment(
        &mut self,
        params: &mut Vec<Param>,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let on: Vec<&str> = IDIOMS.iter().copied().filter(|f| self.on(f)).collect();
        if on.is_empty() {
            return Vec::new();
        }
        match *self.rng.pick(&on) {
            "prints" => {
                // `let v: f64 = e; if v.abs() > 1e300 { println!("v = {v}"); }`: kept
                // in the forward sweep, never printed (the values are bounded)
                let (e, b) = self.input_expr(3.0);
                let (v, vb) = self.bind_idiom(e, b, out);
                let m = *self.rng.pick(&["println", "eprintln", "dbg"]);
                let arg = if m == "dbg" || self.rng.chance(0.5) {
                    v.clone()
                } else {
                    E::Bin('*', bx(v.clone()), bx(E::Lit(2.0)))
                };
                let c = C::Cmp(">", call_any("abs", v.clone()), E::Lit(1e300));
                out.push(S::If(vec![(c, vec![S::Print(m, arg)])], None));
                vec![(v, vb)]
            }
            "closures-by-name" => {
                let (a, ab) = self.idiom_array(f64::INFINITY, out);
                let n = self.len_of(&a) as f64;
                if self.rng.chance(0.5) {
                    // `let f = |z: f64| …; a.iter().copied().map(f).sum::<f64>()`
                    let f = self.fresh("cl");
                    let z = self.fresh("z");
                    let (body, bb) = self.item_body(&z, ab, false);
                    out.push(S::Closure(f.clone(), z, body));
                    let e = E::Idiom(bx(Idiom::MapNamed(a, f)));
                    vec![self.bind_idiom(e, n * bb, out)]
                } else {
                    // `let g = |acc: f64, z: f64| 0.5 * acc + …; ….fold(init, g)`
                    let g = self.fresh("cl");
                    let acc = self.fresh("acc");
                    let z = self.fresh("z");
                    let (body, bb) = self.item_body(&z, ab, false);
                    let step = E::Bin(
                        '+',
                        bx(E::Bin('*', bx(E::Lit(0.5)), bx(E::Var(acc.clone())))),
                        bx(body),
                    );
                    out.push(S::Closure2(g.clone(), acc, z, step));
                    let init = self.lit_value(0.0, 1.0);
                    let e = E::Idiom(bx(Idiom::FoldNamed(a, init, g)));
                    vec![self.bind_idiom(e, init + 2.0 * bb, out)]
                }
            }
            "fn-paths" => {
                let (a, ab) = self.idiom_array(f64::INFINITY, out);
                let n = self.len_of(&a) as f64;
                if self.rng.chance(0.6) {
                    // `a.iter().map(|&v| k * v).map(f64::exp).sum::<f64>()`
                    let (name, small) = *self.rng.pick(PATHS);
                    let k = ((3.0 / ab.max(1e-9)).min(1.0) * 20.0).floor() / 20.0;
                    let (name, k) = if small && k < 0.05 {
                        ("tanh", 0.5)
                    } else if k < 0.05 {
                        (name, 0.5)
                    } else {
                        (name, k)
                    };
                    let fb = match name {
                        "exp" | "sinh" => 3f64.exp(),
                        "abs" | "asinh" => k * ab,
                        _ => 1.6,
                    };
                    let v = self.fresh("e");
                    let e = E::Idiom(bx(Idiom::MapPath(a, v, k, name)));
                    vec![self.bind_idiom(e, n * fb, out)]
                } else {
                    // `a.iter().copied().fold(f64::NEG_INFINITY, f64::max)`
                    let max = self.rng.chance(0.5);
                    let e = E::Idiom(bx(Idiom::FoldPath(a, max)));
                    vec![self.bind_idiom(e, ab, out)]
                }
            }
            "max-by" => {
                let (a, ab) = self.idiom_array(f64::INFINITY, out);
                let max = self.rng.chance(0.5);
                let total = self.rng.chance(0.5);
                let (p, q) = (self.fresh("p"), self.fresh("q"));
                let e = E::Idiom(bx(Idiom::MaxBy(a, max, total, p, q)));
                vec![self.bind_idiom(e, ab, out)]
            }
            "no-grad" => {
                // a shift the value does not depend on: log-sum-exp or a softmax
                // weight around `m = autodiff::no_grad(…)`, so that the gradient of
                // the function as written (finite differences, dual numbers without
                // the stop) is the companion's
                let (a, ab) = self.idiom_array(20.0, out);
                let (s, _) = self.input_expr(3.0);
                // not declared: a term read elsewhere through `m` would lose its
                // gradient there
                let m = self.fresh("m");
                out.push(let_f(m.clone(), false, E::NoGrad(bx(s))));
                let m = E::Var(m);
                let e = self.fresh("e");
                let shifted = |x: E| call("exp", vec![E::Bin('-', bx(x), bx(m.clone()))]);
                let red = E::Red(bx(Red {
                    arrs: vec![a.clone()],
                    copied: false,
                    enumerate: false,
                    params: vec![e.clone()],
                    ref_pat: true,
                    kind: RK::MapSum(shifted(E::Var(e))),
                }));
                let (v, b) = if self.rng.chance(0.5) {
                    (E::Bin('+', bx(m), bx(call("ln", vec![red]))), ab + 2.0)
                } else {
                    let j = self.rng.below(self.len_of(&a));
                    let top = shifted(E::Idx(a, vec![I::Lit(j as i64)]));
                    (E::Bin('/', bx(top), bx(red)), 1.0)
                };
                vec![self.bind_idiom(v, b, out)]
            }
            "char-params" => {
                // `if c == 'a' { … } else { … }` on a `char` parameter
                let c = match params.iter().find(|p| matches!(p.kind, PK::Char(_))) {
                    Some(p) => p.name.clone(),
                    None => {
                        let v = *self.rng.pick(&['a', 'b', 'z']);
                        self.new_param(params, "ch", PK::Char(v), false, false)
                    }
                };
                let ch = *self.rng.pick(&['a', 'b']);
                let (x, xb) = self.input_expr(2.0);
                let (y, yb) = self.input_expr(2.0);
                let e = E::If(bx(C::CharIs(c, ch)), bx(x), bx(y));
                vec![self.bind_idiom(e, xb.max(yb), out)]
            }
            _ => {
                // a nested array by value, `wv: [[f64; m]; n]`: two elements read
                let (w, n, m) = match params.iter().find(|p| matches!(p.kind, PK::Arr2V(..))) {
                    Some(Param {
                        name,
                        kind: PK::Arr2V(n, m),
                        ..
                    }) => (name.clone(), *n, *m),
                    _ => {
                        let (n, m) = (self.rng.int(1, 3) as usize, self.rng.int(2, 3) as usize);
                        let name = self.new_param(params, "wv", PK::Arr2V(n, m), false, true);
                        self.inputs.push(name.clone());
                        let kind = VK::Arr {
                            len: n,
                            inner: Some(m),
                            slice: false,
                        };
                        if let Some(top) = self.scopes.first_mut() {
                            top.push(Var {
                                name: name.clone(),
                                kind,
                                mutable: false,
                                bound: 2.0,
                                depth: 0,
                            });
                        }
                        (name, n, m)
                    }
                };
                let at = |g: &mut Self| {
                    let i = g.rng.below(n) as i64;
                    let j = g.rng.below(m) as i64;
                    E::Idx(w.clone(), vec![I::Lit(i), I::Lit(j)])
                };
                let a = at(self);
                let b = at(self);
                let (x, xb) = self.input_expr(2.0);
                let e = E::Bin('+', bx(E::Bin('*', bx(a), bx(x))), bx(call("sin", vec![b])));
                vec![self.bind_idiom(e, 2.0 * xb + 1.0, out)]
            }
        }
    }
}
