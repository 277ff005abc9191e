//! Float expressions (arithmetic, methods, primitives, reductions) and conditions,
//! each with a bound on its value.

use crate::ast::*;
use crate::gen::*;

impl Gen<'_> {
    // -------------------------------------------------------------- float expressions

    pub(crate) fn leaf(&mut self) -> (E, f64) {
        let scalars = self.scalars();
        let has_arr = !self.arrays().is_empty();
        let ints = self.ints();
        let w = [
            if scalars.is_empty() { 0.0 } else { 5.0 },
            if has_arr { 4.0 } else { 0.0 },
            1.5,
            if ints.is_empty() { 0.0 } else { 0.7 },
        ];
        match self.rng.weighted(&w) {
            0 => {
                let v = self.rng.pick(&scalars).clone();
                match v.kind {
                    VK::FRef => (E::RVar(v.name), v.bound),
                    _ => (E::Var(v.name), v.bound),
                }
            }
            1 => self.element().unwrap_or((E::Lit(1.0), 1.0)),
            3 => {
                let v = self.rng.pick(&ints).clone();
                let VK::Int { max, .. } = v.kind else {
                    unreachable!()
                };
                let i = if self.rng.chance(0.3) {
                    I::Bin('+', bx(I::Var(v.name)), bx(I::Lit(1)))
                } else {
                    I::Var(v.name)
                };
                (E::Cast(i), (max + 1) as f64)
            }
            _ => {
                let v = self.lit_value(-3.0, 3.0);
                (lit(v), v.abs())
            }
        }
    }

    /// A leaf that has a variable in it (for method receivers and `u * u`).
    pub(crate) fn var_leaf(&mut self) -> (E, f64) {
        for _ in 0..4 {
            let (e, b) = self.leaf();
            if anchored(&e) {
                return (e, b);
            }
        }
        match self.scalars().first() {
            Some(v) => match v.kind {
                VK::FRef => (E::RVar(v.name.clone()), v.bound),
                _ => (E::Var(v.name.clone()), v.bound),
            },
            None => self.element().unwrap_or((E::Lit(1.0), 1.0)),
        }
    }

    /// `e` with `|value| <= target`, squashed if its bound is larger.
    pub(crate) fn squash(&mut self, e: E, b: f64, target: f64) -> (E, f64) {
        if b <= target {
            return (e, b);
        }
        let style = if anchored(&e) {
            Style::Method
        } else {
            Style::Path
        };
        let (s, sb) = match self.rng.below(5) {
            0 => (E::Call("sin", vec![Arg::F(e)], style), 1.0),
            1 => (E::Call("sigmoid", vec![Arg::F(e)], Style::Prim), 1.0),
            2 => (
                E::Call("atan", vec![Arg::F(e)], style),
                std::f64::consts::FRAC_PI_2,
            ),
            _ => (E::Call("tanh", vec![Arg::F(e)], style), 1.0),
        };
        if sb <= target {
            (s, sb)
        } else {
            let k = target / sb;
            let k = (k * 100.0).floor() / 100.0;
            (
                E::Bin('*', bx(s), bx(E::Lit(k.max(0.01)))),
                sb * k.max(0.01),
            )
        }
    }

    /// A positive expression bounded below by 0.5: `(u.abs() + 0.5)`, `(1.0 + u * u)` …
    pub(crate) fn positive(&mut self, d: u32) -> (E, f64) {
        match self.rng.below(5) {
            0 => {
                let v = self.lit_value(0.5, 3.0);
                (E::Lit(v), v)
            }
            1 => {
                let (u, b) = self.var_leaf();
                let (u, b) = self.squash(u, b, BIG);
                (
                    E::Bin('+', bx(E::Lit(1.0)), bx(E::Bin('*', bx(u.clone()), bx(u)))),
                    1.0 + b * b,
                )
            }
            2 => {
                let (u, b) = self.fexpr(d);
                let (u, b) = self.squash(u, b, 3.0);
                (
                    E::Bin('+', bx(call_any("exp", u)), bx(E::Lit(0.5))),
                    b.exp() + 0.5,
                )
            }
            _ => {
                let (u, b) = self.fexpr(d);
                let c = self.lit_value(0.5, 1.5);
                (E::Bin('+', bx(call_any("abs", u)), bx(E::Lit(c))), b + c)
            }
        }
    }

    pub(crate) fn fexpr(&mut self, d: u32) -> (E, f64) {
        if d == 0 || self.rng.chance(0.2) {
            return self.leaf();
        }
        let has_arr = !self.arrays().is_empty();
        let weights = [
            1.0,                                    // 0 neg
            4.0,                                    // 1 add/sub
            2.5,                                    // 2 mul
            1.5,                                    // 3 div
            if self.on("rem") { 0.4 } else { 0.0 }, // 4 rem
            5.0,                                    // 5 unary method
            2.5,                                    // 6 binary method
            1.5,                                    // 7 primitive
            if d >= 2 && self.on("if-expr") {
                0.6
            } else {
                0.0
            }, // 8 if-expression
            if d >= 2 && self.on("block-expr") {
                0.2
            } else {
                0.0
            }, // 9 block
            if has_arr { 1.2 } else { 0.0 },        // 10 reduction
            if self.on("steps") { 0.3 } else { 0.0 }, // 11 step functions
        ];
        match self.rng.weighted(&weights) {
            0 => {
                let (a, b) = self.fexpr(d - 1);
                (E::Neg(bx(a)), b)
            }
            1 => {
                let (a, ba) = self.fexpr(d - 1);
                let (b, bb) = self.fexpr(d - 1);
                let op = if self.rng.chance(0.5) { '+' } else { '-' };
                (E::Bin(op, bx(a), bx(b)), ba + bb)
            }
            2 => {
                let (a, ba) = self.fexpr(d - 1);
                let (b, bb) = self.fexpr(d - 1);
                let (a, ba) = self.squash(a, ba, 8.0);
                let (b, bb) = self.squash(b, bb, 8.0);
                (E::Bin('*', bx(a), bx(b)), ba * bb)
            }
            3 => {
                let (a, ba) = self.fexpr(d - 1);
                let (den, _) = self.positive(d - 1);
                let den = if self.rng.chance(0.25) {
                    E::Neg(bx(den))
                } else {
                    den
                };
                (E::Bin('/', bx(a), bx(den)), ba * 2.0)
            }
            4 => {
                let (a, ba) = self.fexpr(d - 1);
                let (den, bd) = self.positive(d - 1);
                (E::Bin('%', bx(a), bx(den)), ba.min(bd))
            }
            5 => self.unary_method(d),
            6 => self.binary_method(d),
            7 => self.primitive(d),
            8 => {
                let c = self.cond(d - 1);
                let (a, ba) = self.fexpr(d - 1);
                let (b, bb) = if self.rng.chance(0.3) {
                    let c2 = self.cond(d - 1);
                    let (x, bx_) = self.fexpr(d - 1);
                    let (y, by) = self.fexpr(d - 1);
                    (E::If(bx(c2), bx(x), bx(y)), bx_.max(by))
                } else {
                    self.fexpr(d - 1)
                };
                (E::If(bx(c), bx(a), bx(b)), ba.max(bb))
            }
            9 => {
                self.scopes.push(Vec::new());
                let name = self.fresh("t");
                let (init, bi) = self.fexpr(d - 1);
                let annot = !anchored(&init);
                self.declare(&name, VK::F, false, bi);
                let (e, be) = self.fexpr(d - 1);
                let (e, be) = self.squash(e, be, 4.0);
                self.scopes.pop();
                let e = E::Bin('*', bx(E::Var(name.clone())), bx(e));
                (
                    E::Block(
                        vec![S::Let {
                            name,
                            mutable: false,
                            annot,
                            init,
                        }],
                        bx(e),
                    ),
                    bi * be,
                )
            }
            10 => self.reduction(d),
            _ => {
                let (a, ba) = self.fexpr(d - 1);
                let (a, ba) = self.squash(a, ba, 20.0);
                let name = *self
                    .rng
                    .pick(&["signum", "floor", "ceil", "round", "trunc", "fract"]);
                (call_any(name, a), ba + 1.0)
            }
        }
    }

    pub(crate) fn unary_method(&mut self, d: u32) -> (E, f64) {
        pub(crate) const NAMES: &[&str] = &[
            "exp", "exp2", "exp_m1", "ln", "log2", "log10", "ln_1p", "sqrt", "cbrt", "recip",
            "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
            "atanh", "abs", "powi",
        ];
        let name = *self.rng.pick(NAMES);
        let (u, b) = self.fexpr(d - 1);
        match name {
            "exp" | "exp2" | "exp_m1" | "sinh" | "cosh" => {
                let (u, b) = self.squash(u, b, 3.0);
                (call_any(name, u), b.exp() * 1.5 + 1.0)
            }
            "ln" | "log2" | "log10" | "sqrt" => {
                let (p, pb) = self.positive_from(u, b);
                (call_any(name, p), pb.sqrt().max(pb.ln().abs()) + 2.0)
            }
            "ln_1p" => {
                let arg = if is_leaf(&u) && anchored(&u) && self.rng.chance(0.5) {
                    E::Bin('*', bx(u.clone()), bx(u))
                } else {
                    call_any("abs", u)
                };
                (call_any(name, arg), (1.0 + b * b).ln() + 1.0)
            }
            "cbrt" => {
                let (p, pb) = self.positive_from(u, b);
                let p = if self.rng.chance(0.4) {
                    E::Neg(bx(p))
                } else {
                    p
                };
                (call_any(name, p), pb.cbrt() + 1.0)
            }
            "recip" => {
                let (p, _) = self.positive_from(u, b);
                let p = if self.rng.chance(0.3) {
                    E::Neg(bx(p))
                } else {
                    p
                };
                (call_any(name, p), 2.0)
            }
            "tan" => {
                let s = if self.rng.chance(0.5) { "sin" } else { "tanh" };
                (call_any(name, call_any(s, u)), 1.6)
            }
            "asin" | "acos" | "atanh" => {
                let s = if self.rng.chance(0.5) { "sin" } else { "tanh" };
                let arg = E::Bin('*', bx(call_any(s, u)), bx(E::Lit(0.9)));
                (call_any(name, arg), 3.2)
            }
            "acosh" => {
                let c = self.lit_value(1.1, 2.0);
                let arg = E::Bin('+', bx(call_any("abs", u)), bx(E::Lit(c)));
                (call_any(name, arg), (b + c).ln() + 1.5)
            }
            "powi" => {
                let n = self.rng.int(-2, 4);
                let ints = self.visible();
                let k = ints
                    .iter()
                    .find(|v| matches!(v.kind, VK::Int { i32: true, .. }))
                    .cloned();
                let loops: Vec<Var> = self
                    .ints()
                    .into_iter()
                    .filter(|v| matches!(v.kind, VK::Int { max, .. } if max <= 3))
                    .collect();
                let (expo, maxn, neg) = match (k, self.rng.below(3)) {
                    (Some(k), 0) => (I::Var(k.name), 3, true),
                    (_, 1) if !loops.is_empty() => {
                        let v = self.rng.pick(&loops).clone();
                        (I::AsI32(bx(I::Var(v.name))), 3, false)
                    }
                    _ if self.on("untyped-powi-exponent") => (I::Lit(n), n.max(1), n < 0),
                    _ => (I::LitI32(n), n.max(1), n < 0),
                };
                let (base, bb) = if neg {
                    self.positive_from(u, b)
                } else {
                    self.squash(u, b, 3.0)
                };
                let base_bound = if neg { bb.max(2.0) } else { bb };
                let e = E::Call(
                    "powi",
                    vec![Arg::F(base), Arg::I(expo)],
                    self.style_for_first(),
                );
                (e, base_bound.powi(maxn as i32) + 4.0)
            }
            _ => {
                let bound = match name {
                    "abs" => b,
                    "asinh" => (2.0 * b + 1.0).ln() + 1.0,
                    _ => 1.6,
                };
                (call_any(name, u), bound)
            }
        }
    }

    pub(crate) fn style_for_first(&mut self) -> Style {
        if self.rng.chance(0.2) {
            Style::Path
        } else {
            Style::Method
        }
    }

    /// A positive version of `u`: `(u.abs() + c)` or `(c + u * u)` (leaf `u`).
    pub(crate) fn positive_from(&mut self, u: E, b: f64) -> (E, f64) {
        let c = self.lit_value(0.5, 1.5);
        if is_leaf(&u) && anchored(&u) && self.rng.chance(0.4) {
            let (u, b) = self.squash(u, b, BIG);
            (
                E::Bin('+', bx(E::Lit(c)), bx(E::Bin('*', bx(u.clone()), bx(u)))),
                c + b * b,
            )
        } else {
            (E::Bin('+', bx(call_any("abs", u)), bx(E::Lit(c))), b + c)
        }
    }

    pub(crate) fn binary_method(&mut self, d: u32) -> (E, f64) {
        let name = *self.rng.pick(&[
            "powf", "atan2", "hypot", "max", "min", "clamp", "mul_add", "log", "max", "min",
        ]);
        let (a, ba) = self.fexpr(d - 1);
        match name {
            "powf" => {
                let (base, bb) = self.positive_from(a, ba);
                let (base, bb) = if bb > 8.0 {
                    let (s, _) = self.squash(base, bb, 1.0);
                    (E::Bin('+', bx(s), bx(E::Lit(1.5))), 2.5)
                } else {
                    (base, bb)
                };
                let (y, _) = if self.rng.chance(0.4) {
                    let v = self.lit_value(-2.0, 2.5);
                    (lit(v), v.abs())
                } else {
                    let (y, by) = self.fexpr(d - 1);
                    self.squash(y, by, 2.0)
                };
                (
                    E::Call(
                        "powf",
                        vec![Arg::F(base), Arg::F(y)],
                        self.style_for_first(),
                    ),
                    bb.max(2.0).powf(2.5) + 2.0,
                )
            }
            "log" => {
                let (x, _) = self.positive_from(a, ba);
                let base = if self.rng.chance(0.5) {
                    E::Lit(self.lit_value(1.5, 10.0))
                } else {
                    let (u, _) = self.fexpr(d - 1);
                    let c = self.lit_value(1.5, 3.0);
                    E::Bin('+', bx(call_any("abs", u)), bx(E::Lit(c)))
                };
                (
                    E::Call("log", vec![Arg::F(x), Arg::F(base)], self.style_for_first()),
                    ba.ln().abs() + 3.0,
                )
            }
            "clamp" => {
                let (lo, hi) = if self.rng.chance(0.5) {
                    let l = self.lit_value(-2.0, 0.5);
                    let h = l + self.lit_value(0.2, 2.5);
                    (lit(l), lit((h * 100.0).round() / 100.0))
                } else {
                    let (u, bu) = self.var_leaf();
                    let (u, _) = self.squash(u, bu, 3.0);
                    let w = self.lit_value(0.2, 2.0);
                    (u.clone(), E::Bin('+', bx(u), bx(E::Lit(w))))
                };
                (
                    E::Call(
                        "clamp",
                        vec![Arg::F(a), Arg::F(lo), Arg::F(hi)],
                        self.style_for_first(),
                    ),
                    ba.min(6.0),
                )
            }
            "mul_add" => {
                let (a, ba) = self.squash(a, ba, 8.0);
                let (b, bb) = self.fexpr(d - 1);
                let (b, bb) = self.squash(b, bb, 8.0);
                let (c, bc) = self.fexpr(d - 1);
                (
                    E::Call(
                        "mul_add",
                        vec![Arg::F(a), Arg::F(b), Arg::F(c)],
                        self.style_for_first(),
                    ),
                    ba * bb + bc,
                )
            }
            _ => {
                let (b, bb) = self.fexpr(d - 1);
                let bound = match name {
                    "atan2" => 3.2,
                    _ => ba + bb,
                };
                (
                    E::Call(name, vec![Arg::F(a), Arg::F(b)], self.style_for_first()),
                    bound,
                )
            }
        }
    }

    pub(crate) fn primitive(&mut self, d: u32) -> (E, f64) {
        let name = *self
            .rng
            .pick(&["sigmoid", "relu", "softplus", "elu", "leaky_relu"]);
        let (x, bx_) = self.fexpr(d - 1);
        match name {
            "sigmoid" => (E::Call(name, vec![Arg::F(x)], Style::Prim), 1.0),
            "relu" | "softplus" => (E::Call(name, vec![Arg::F(x)], Style::Prim), bx_ + 1.0),
            _ => {
                let (alpha, ba) = if self.rng.chance(0.5) {
                    let v = if name == "elu" {
                        self.lit_value(0.1, 2.0)
                    } else {
                        self.lit_value(0.01, 0.5)
                    };
                    (E::Lit(v), v)
                } else {
                    let (u, bu) = self.fexpr(d - 1);
                    self.squash(u, bu, 1.0)
                };
                let (x, bx_) = self.squash(x, bx_, 20.0);
                (
                    E::Call(name, vec![Arg::F(x), Arg::F(alpha)], Style::Prim),
                    bx_ * ba.max(1.0) + 1.0,
                )
            }
        }
    }

    /// `a.iter()…sum()`, `.map(|v| …).sum()`, `.product()`, `.fold(…)`.
    pub(crate) fn reduction(&mut self, d: u32) -> (E, f64) {
        let arrays: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| matches!(v.kind, VK::Arr { inner: None, .. }) && !is_field(&v.name))
            .collect();
        if arrays.is_empty() {
            return self.leaf();
        }
        let a = self.rng.pick(&arrays).clone();
        let VK::Arr { len, .. } = a.kind else {
            unreachable!()
        };
        let zip = self.on("zip") && arrays.len() > 1 && self.rng.chance(0.25);
        let enumerate = !zip && self.on("enumerate") && self.rng.chance(0.2);
        let copied = !zip && self.rng.chance(0.2);
        let ref_pat = !zip && !enumerate && !copied && self.rng.chance(0.2);
        let mut arrs = vec![a.name.clone()];
        let mut bound_elem = a.bound;
        let mut zip_fixed = false;
        if zip {
            let others: Vec<&Var> = arrays
                .iter()
                .filter(|v| v.name != a.name)
                .filter(|v| self.on("zip-fixed-arrays") || is_slice(&a) || is_slice(v))
                .collect();
            if others.is_empty() {
                return self.leaf();
            }
            let b = (*self.rng.pick(&others)).clone();
            bound_elem = bound_elem.max(b.bound);
            zip_fixed = !is_slice(&a) && !is_slice(&b);
            arrs.push(b.name);
        }
        let params: Vec<String> = if zip {
            vec![self.fresh("p"), self.fresh("q")]
        } else if enumerate {
            vec![self.fresh("j"), self.fresh("e")]
        } else {
            vec![self.fresh("e")]
        };
        // the `init` of a fold sees the variables outside the closure only
        let fold_init = if self.rng.chance(0.6) {
            let v = self.lit_value(0.0, 2.0);
            (E::LitF64(v), v)
        } else {
            let (e, b) = self.var_leaf();
            self.no_alias(e, b)
        };
        // bind the closure parameters
        self.scopes.push(Vec::new());
        let elem_kind = if copied || ref_pat { VK::F } else { VK::FRef };
        if zip {
            self.declare(&params[0], VK::FRef, false, bound_elem);
            self.declare(&params[1], VK::FRef, false, bound_elem);
        } else if enumerate {
            self.declare(
                &params[0],
                VK::Int {
                    max: len as i64 - 1,
                    i32: false,
                },
                false,
                0.0,
            );
            self.declare(&params[1], elem_kind.clone(), false, bound_elem);
        } else {
            self.declare(&params[0], elem_kind.clone(), false, bound_elem);
        }
        let plain = !zip && !enumerate;
        let folds = self.on("fold");
        // see CONSTRUCTS: only `map(…).sum()` zips two fixed-size arrays then
        let over_slice = arrs
            .iter()
            .any(|n| arrays.iter().any(|v| &v.name == n && is_slice(v)));
        // and only sums run over a slice inside a loop
        let rt_ok = !over_slice || self.runtime_loop_ok();
        let taped = (!zip_fixed || self.on("zip-fixed-arrays")) && rt_ok;
        let choice = self.rng.weighted(&[
            if plain { 1.0 } else { 0.0 },
            if plain && bound_elem <= 2.0 && rt_ok {
                0.5
            } else {
                0.0
            },
            3.0,
            if taped { 1.0 } else { 0.0 },
            if folds && taped { 2.0 } else { 0.0 },
        ]);
        let n = len as f64;
        // the closure's body is inside the reduction's loop
        self.loop_depth += 1;
        let (kind, bound) = match choice {
            0 => (RK::Sum, n * bound_elem),
            1 => (RK::Product, bound_elem.max(1.0).powf(n)),
            2 => {
                let (e, b) = self.fexpr(d.saturating_sub(1).max(1));
                let (e, b) = self.squash(e, b, BIG);
                (RK::MapSum(e), n * b)
            }
            3 => {
                let (e, b) = self.fexpr(d.saturating_sub(1).max(1));
                let (e, _) = self.squash(e, b, 1.0);
                let e = E::Bin('+', bx(e), bx(E::Lit(1.0)));
                (RK::MapProduct(e), 2f64.powf(n))
            }
            _ => {
                let acc = self.fresh("acc");
                let (init, bi) = fold_init;
                self.declare(&acc, VK::F, false, bi + n);
                let (body, _) = self.fold_body(&acc, bi + n, d);
                (RK::Fold(init, acc, body), bi + n)
            }
        };
        self.loop_depth -= 1;
        self.scopes.pop();
        (
            E::Red(bx(Red {
                arrs,
                copied,
                enumerate,
                params,
                ref_pat,
                kind,
            })),
            bound,
        )
    }

    /// The body of a `fold` closure: the accumulator updated by a bounded step.
    pub(crate) fn fold_body(&mut self, acc: &str, acc_bound: f64, d: u32) -> (E, f64) {
        let a = E::Var(acc.to_string());
        let (e, b) = self.fexpr(d.saturating_sub(1).max(1));
        match self.rng.below(5) {
            0 => {
                let (e, _) = self.squash(e, b, 1.0);
                (E::Bin('+', bx(a), bx(e)), acc_bound)
            }
            1 => {
                let (e, _) = self.squash(e, b, 1.0);
                (E::Bin('-', bx(a), bx(e)), acc_bound)
            }
            2 => {
                let (e, _) = self.squash(e, b, acc_bound.max(1.0));
                let name = if self.rng.chance(0.5) { "max" } else { "min" };
                (call(name, vec![a, e]), acc_bound)
            }
            3 => {
                let (e, _) = self.squash(e, b, 1.0);
                (
                    E::Bin('+', bx(E::Bin('*', bx(a), bx(E::Lit(0.5)))), bx(e)),
                    acc_bound,
                )
            }
            _ => {
                let (e, _) = self.squash(e, b, 3.0);
                let inner = E::Bin('+', bx(a), bx(e));
                (call("tanh", vec![inner]), 1.0)
            }
        }
    }

    /// `e`, unless it is a bare variable and aliasing is excluded (see CONSTRUCTS):
    /// then `e * k`.
    pub(crate) fn no_alias(&mut self, e: E, b: f64) -> (E, f64) {
        if self.on("aliased-loop-init") || !matches!(e, E::Var(_) | E::RVar(_)) {
            return (e, b);
        }
        let k = self.lit_value(0.5, 1.5);
        let k = if k == 1.0 { 1.25 } else { k };
        (E::Bin('*', bx(e), bx(E::Lit(k))), b * k)
    }

    // -------------------------------------------------------------- conditions

    /// A parameter, or an element of one.
    pub(crate) fn input_leaf(&mut self) -> E {
        let inputs = self.inputs.clone();
        let vars: Vec<Var> = self
            .visible()
            .into_iter()
            .filter(|v| inputs.contains(&v.name))
            .collect();
        let v = self.rng.pick(&vars).clone();
        match v.kind {
            VK::F => E::Var(v.name),
            VK::FRef => E::RVar(v.name),
            VK::Arr { len, inner, .. } => {
                let mut idx = vec![self.index(len, Some(&v.name))];
                if let Some(m) = inner {
                    idx.push(self.index(m, None));
                }
                E::Idx(v.name, idx)
            }
            _ => E::Lit(1.0),
        }
    }

    /// `e`, made to read a parameter when constant conditions are excluded.
    pub(crate) fn not_constant(&mut self, e: E) -> E {
        if self.on("constant-conditions") || reads(&e, &self.inputs) {
            e
        } else {
            let p = self.input_leaf();
            E::Bin('+', bx(e), bx(p))
        }
    }

    pub(crate) fn cond(&mut self, d: u32) -> C {
        let ints = self.ints();
        let bools: Vec<Var> = self
            .visible()
            .into_iter()
            .filter(|v| matches!(v.kind, VK::Bool))
            .collect();
        let w = [
            6.0,
            if ints.is_empty() { 0.0 } else { 1.5 },
            if d > 0 { 1.0 } else { 0.0 },
            if d > 0 { 0.3 } else { 0.0 },
            0.4,
            if bools.is_empty() { 0.0 } else { 0.6 },
        ];
        match self.rng.weighted(&w) {
            0 => {
                let (a, _) = self.fexpr(d.min(2));
                let b = if self.rng.chance(0.5) {
                    let v = self.lit_value(-1.0, 1.0);
                    lit(v)
                } else {
                    self.fexpr(d.min(1)).0
                };
                let op = *self.rng.pick(&["<", ">", "<=", ">="]);
                let a = self.not_constant(a);
                C::Cmp(op, a, b)
            }
            1 => {
                let v = self.rng.pick(&ints).clone();
                let VK::Int { max, .. } = v.kind else {
                    unreachable!()
                };
                if self.rng.chance(0.4) {
                    let m = self.rng.int(2, 3);
                    C::ICmp(
                        "==",
                        I::Bin('%', bx(I::Var(v.name)), bx(I::Lit(m))),
                        I::Lit(self.rng.int(0, m - 1)),
                    )
                } else {
                    let op = *self.rng.pick(&["<", ">", "<=", ">=", "!="]);
                    // `i < 0` and `i >= 0` are useless on a `usize` (a warning)
                    let lo = if op == "<" || op == ">=" { 1 } else { 0 };
                    C::ICmp(op, I::Var(v.name), I::Lit(self.rng.int(lo, max.max(1))))
                }
            }
            2 => {
                let a = self.cond(d - 1);
                let b = self.cond(d - 1);
                if self.rng.chance(0.5) {
                    C::And(bx(a), bx(b))
                } else {
                    C::Or(bx(a), bx(b))
                }
            }
            3 => C::Not(bx(self.cond(d - 1))),
            4 => {
                let (a, _) = self.var_leaf();
                let (b, _) = self.fexpr(d.min(1));
                let e = E::Bin('-', bx(a), bx(b));
                let e = self.not_constant(e);
                C::Sign(self.rng.chance(0.5), e)
            }
            _ => C::Bool(self.rng.pick(&bools).name.clone()),
        }
    }
}
