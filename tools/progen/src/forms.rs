//! Forms of the README's support table that the main generator does not write:
//! `copysign`, `to_degrees`, `to_radians`, `sin_cos`, `std::f64::consts`,
//! `for i in (a..b).rev()`, `is_nan` and friends, `matches!`, `match` on an
//! integer, closures defined and called in the body, `autodiff::erf` and the
//! other special functions, `assert!` / `debug_assert!`, and iterator chains with
//! `cloned`, `rev`, `skip`, `take`, `step_by`, a range as source, `reduce`. Each is a short segment
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
    "special-functions",
    "asserts",
    "iterator-chains",
    "callee-results",
    "custom-callees",
    "generic-callees",
    "unreachable",
    "float-match",
];

/// The forms that call the callees of the file's header.
pub(crate) const CALLING_FORMS: &[&str] = &["callee-results", "custom-callees", "generic-callees"];

const CONSTS: &[(&str, f64)] = &[
    ("PI", std::f64::consts::PI),
    ("E", std::f64::consts::E),
    ("LN_2", std::f64::consts::LN_2),
    ("SQRT_2", std::f64::consts::SQRT_2),
    ("FRAC_PI_4", std::f64::consts::FRAC_PI_4),
    ("TAU", std::f64::consts::TAU),
];

impl Gen<'_> {
    /// `let mut acc = 0.0; for i in head { acc = k * acc + term(i); }` with the
    /// term built by `term` from the loop's index.
    fn index_loop(
        &mut self,
        rev: bool,
        out: &mut Vec<S>,
        term: impl FnOnce(&mut Self, &str) -> (E, f64),
    ) -> (E, f64) {
        let acc = self.fresh("acc");
        out.push(let_f(acc.clone(), true, E::Lit(0.0)));
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
                vec![self.bind_idiom(e, b, out)]
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
                vec![self.bind_idiom(e, ab * v + v, out)]
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
                vec![self.bind_idiom(e, ab.max(bb), out)]
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
            "special-functions" => {
                let name = *self.rng.pick(&["erf", "erfc", "gamma", "ln_gamma"]);
                let (a, _) = self.input_expr(1.0);
                let (arg, b) = match name {
                    // gamma and ln_gamma away from their poles: the argument in [1, 3]
                    "gamma" | "ln_gamma" => (E::Bin('+', bx(a), bx(E::Lit(2.0))), 2.0),
                    _ => (a, 2.0),
                };
                let e = E::Call(name, vec![Arg::F(arg)], Style::Prim);
                vec![self.bind_idiom(e, b, out)]
            }
            "asserts" => {
                let (e, _) = self.input_expr(3.0);
                let (m, debug) = *self.rng.pick(&[("is_finite", false), ("is_nan", true)]);
                out.push(S::Assert(debug, C::Class(m, e)));
                let (a, ab) = self.input_expr(2.0);
                vec![self.bind_idiom(a, ab, out)]
            }
            "iterator-chains" => self.chain(out),
            "callee-results" => {
                // scalar arguments are products, never a bare field (a known limit,
                // tests/structs.rs `scalar_field_by_value`)
                let (x, _) = self.input_expr(1.5);
                let (y, _) = self.input_expr(1.5);
                let half = |e: E| E::Bin('*', bx(e), bx(E::Lit(0.5)));
                if self.rng.chance(0.5) {
                    let (p, q) = (self.fresh("v"), self.fresh("v"));
                    let call = E::Call(
                        "csplit",
                        vec![Arg::F(half(x)), Arg::F(half(y))],
                        Style::User,
                    );
                    out.push(S::TupCall(p.clone(), q.clone(), call));
                    self.declare(&p, VK::F, false, 1.0);
                    self.declare(&q, VK::F, false, 2.0);
                    vec![(E::Var(p), 1.0), (E::Var(q), 2.0)]
                } else {
                    let a = self.fresh("hh");
                    out.push(S::LetArr {
                        name: a.clone(),
                        mutable: false,
                        annot: Some("[f64; 2]".into()),
                        init: AInit::Lit(vec![x, y]),
                    });
                    self.declare(
                        &a,
                        VK::Arr {
                            len: 2,
                            inner: None,
                            slice: false,
                        },
                        false,
                        1.5,
                    );
                    let h = self.fresh("hh");
                    let call = E::Call("cpair2", vec![Arg::Ref(a, Vec::new(), true)], Style::User);
                    out.push(S::LetArr {
                        name: h.clone(),
                        mutable: false,
                        annot: Some("[f64; 2]".into()),
                        init: AInit::Call(call),
                    });
                    self.declare(
                        &h,
                        VK::Arr {
                            len: 2,
                            inner: None,
                            slice: false,
                        },
                        false,
                        3.0,
                    );
                    let at = |j: i64| E::Idx(h.clone(), vec![I::Lit(j)]);
                    vec![(at(0), 3.0), (at(1), 3.0)]
                }
            }
            "custom-callees" | "generic-callees" => {
                let (x, _) = self.input_expr(1.5);
                let x = E::Bin('*', bx(x), bx(E::Lit(0.5)));
                let e = if form == "custom-callees" {
                    E::Call("ccube", vec![Arg::F(x)], Style::User)
                } else {
                    let (y, _) = self.input_expr(1.5);
                    let y = E::Bin('*', bx(y), bx(E::Lit(0.5)));
                    E::Call("cgen", vec![Arg::F(x), Arg::F(y)], Style::User)
                };
                vec![self.bind_idiom(e, 2.0, out)]
            }
            "unreachable" => {
                // `if x.is_finite() { a } else { unreachable!() }`
                let (x, _) = self.input_expr(3.0);
                let (a, ab) = self.input_expr(2.0);
                let e = E::If(bx(C::Class("is_finite", x)), bx(a), bx(E::Unreachable));
                vec![self.bind_idiom(e, ab, out)]
            }
            "float-match" => {
                // `match e { t if t < k => a, _ => b }`
                let (s, _) = self.input_expr(2.0);
                let t = self.fresh("t");
                let k = self.lit_value(-1.0, 1.0);
                let (a, ab) = self.input_expr(2.0);
                let (b, bb) = self.input_expr(2.0);
                let op = *self.rng.pick(&["<", ">=", "<=", ">"]);
                let c = C::Cmp(op, E::Var(t.clone()), lit(k));
                let e = E::FMatch(bx(s), t, bx(c), bx(a), bx(b));
                vec![self.bind_idiom(e, ab.max(bb), out)]
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
                vec![self.bind_idiom(e, (bb + 2.0) * (1.0 + k), out)]
            }
        }
    }
}

impl Gen<'_> {
    /// `let v: f64 = <chain>;`: an array's elements (or a range's indices) through
    /// `rev`, `skip`, `take`, `step_by`, mapped and summed or reduced.
    fn chain(&mut self, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let arrays: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| matches!(v.kind, VK::Arr { inner: None, .. }) && !is_field(&v.name))
            .collect();
        let param = self.fresh("e");
        let (src, len, kind, pb) = if !arrays.is_empty() && self.rng.chance(0.7) {
            let a = self.rng.pick(&arrays).clone();
            let VK::Arr { len, .. } = a.kind else {
                return Vec::new();
            };
            let cloned = self.rng.chance(0.4);
            let kind = if cloned { VK::F } else { VK::FRef };
            (ChainSrc::Arr(a.name, cloned), len, kind, a.bound)
        } else {
            let n = self.rng.int(2, 4) as usize;
            let kind = VK::Int {
                max: n as i64 - 1,
                i32: false,
            };
            (ChainSrc::Range(n), n, kind, 0.0)
        };
        // adapters that leave at least one element; unless `chain-adapters` is on,
        // one adapter, and on a range only `rev` and no `reduce` (`(0..3).skip(2)`,
        // `take`, `step_by`, `.rev().rev()` and `reduce` after a range give E0282
        // "type annotations needed" in the companion at 8c1a70e)
        let range_ok = matches!(src, ChainSrc::Arr(..)) || self.on("chain-adapters");
        let mut left = len;
        let mut adapters = Vec::new();
        for _ in 0..self.rng.int(1, 2) {
            if !adapters.is_empty() && !self.on("chain-adapters") {
                // one adapter (`.step_by(2).skip(2)`: E0689 at 8c1a70e)
                break;
            }
            match self.rng.below(4) {
                _ if !range_ok => {
                    if adapters.is_empty() {
                        adapters.push(("rev", 0));
                    }
                }
                0 => adapters.push(("rev", 0)),
                1 if left > 1 => {
                    let k = self.rng.int(1, left as i64 - 1) as usize;
                    left -= k;
                    adapters.push(("skip", k));
                }
                2 => {
                    let k = self.rng.int(1, left as i64) as usize;
                    left = k;
                    adapters.push(("take", k));
                }
                _ => {
                    let k = self.rng.int(1, 2) as usize;
                    left = left.div_ceil(k);
                    adapters.push(("step_by", k));
                }
            }
        }
        self.scopes.push(Vec::new());
        self.loop_depth += 1;
        self.declare(&param, kind, false, pb);
        let (body, b) = self.fexpr(2);
        let (body, b) = self.squash(body, b, 3.0);
        // the body reads the element (or index)
        let elem = match &src {
            ChainSrc::Arr(_, true) => E::Var(param.clone()),
            ChainSrc::Arr(_, false) => E::RVar(param.clone()),
            ChainSrc::Range(_) => E::Cast(I::Var(param.clone())),
        };
        let (elem, eb) = self.squash(elem, pb.max(len as f64), 2.0);
        self.loop_depth -= 1;
        self.scopes.pop();
        let body = E::Bin('+', bx(body), bx(elem));
        let reduce = self.rng.chance(0.4) && range_ok;
        let bound = if reduce {
            2.0 * (b + eb)
        } else {
            left as f64 * (b + eb)
        };
        let e = E::Chain(bx(Chain {
            src,
            adapters,
            param,
            body,
            reduce,
        }));
        vec![self.bind_idiom(e, bound, out)]
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
