//! The constructs the macro learned for struct values, methods as users write
//! them, closures and data (the forms of `tests/struct_values.rs`,
//! `tests/methods.rs`, `tests/record_slices.rs`, `tests/closures.rs` and
//! `tests/data.rs`), on the header's `#[derive(Tangent)] struct Sv { a: f64, v:
//! [f64; 2] }`:
//!
//! - `call-struct-values`: a struct result of a `#[grad]` function or method
//!   (`let s = smake(x, y);`, `let s = sp.nudge(k);`) read by field, passed on
//!   whole (`snorm(&s)`) and chosen by an `if` (`let t = if c { s } else { Sv {
//!   … } };`);
//! - `carried-structs`: a struct carried by `for` and `while` (`while s.a < t &&
//!   k < n`), built by a literal, a call, the plain constructors `Sv::unit()` /
//!   `Sv::default()`, a slice's element or a parameter, reassigned whole (`s =
//!   s.step(k);`, `s = Sv { a: 0.5 * s.a + t, v: […] };`, `s = if c { s.step(k) }
//!   else { s };`), updated by field and by a whole array assigned to its array
//!   field (`s.v = [s.v[1], …];`);
//! - `struct-copies`: `let mut c = *sp;` / `let mut c = sq;` of a struct
//!   parameter (`let mut n = *self;` / `*st` of `Body`), updated by field, then
//!   used whole and read beside the original;
//! - `self-methods`: `#[grad]` methods of `Sv` with `&self` and `self` receivers,
//!   `self` differentiated (plain `#[grad]`), called on parameters, locals,
//!   call results, slice elements (`ss[i].energy(x)`, `for s in ss.iter()`,
//!   `ss.iter().map(|s| s.tension(x))`), in the path form (`Sv::energy(&s, x)`)
//!   and chained (`sp.compose(q).place([…])[j]`, `s.step(k).energy(x)`);
//! - `struct-elements`: elements of `ss: &[Sv]` read whole (`let c = ss[i];`,
//!   `c = c.compose(ss[i]);` in a loop, `snorm(&ss[i])`);
//! - `closure-returns`: closures with early `return`s, called directly (`let f
//!   = |t: f64| -> f64 { if t > c { return e; } … };`) and in iterator chains
//!   (`a.iter().map(|&v| { if v > c { return e; } … }).sum::<f64>()`);
//! - `const-tables`: the header's `const ROWS: [Row; 3]` and `const TB: [[f64;
//!   3]; 4]` read in loops (`for row in TB.iter()`, `ROWS.iter().zip(a.iter())`,
//!   `.enumerate()`) and by index (`ROWS[i].a`, `TB[i][j]`);
//! - `struct-returns`: a float result returned as an `Sv` (`-> Sv`, its
//!   cotangent `d_out: Sv`);
//! - `plain-methods`: a `&self` method of `Body` with every parameter
//!   differentiated written under a plain `#[grad]` (no `wrt`).
//!
//! As `round4.rs`, each is a short segment after the body (the last two drawn per
//! program), from a generator of its own so that a program without them is the
//! program the stream had before they existed; a parameter it needs (`sp: &Sv`,
//! `sq: Sv`, `ss: &[Sv]`) is added after the others. The header is in
//! `val_header.rs`; the segments other than `call-struct-values` are written by
//! `val_forms.rs`; the model is `val_ast.rs`, printed by `val_print.rs`, tagged
//! by `val_tags.rs`.
//!
//! Kept out while a bug of `/work/notes/progen-bugs.md` is open (`KNOWN_BUGS`,
//! generated with `--with-known-bugs`): a struct value from a call chosen by an
//! `if` (bug 13), a value from a call or a plain constructor reassigned whole by
//! a literal in a loop (15), a `self`-by-value method on
//! a `&Sv` parameter (16), an immutable copy of a `&Sv` parameter used whole
//! (17), a copy of a local holding a literal used whole (18).

use crate::ast::*;
use crate::gen::*;
use crate::segments::{arr_kind, own_stream, Segments};
use crate::{Options, Rng};

pub(crate) use crate::val_header::header;

/// The constructs of this module, as named in `CONSTRUCTS`: the segments, then
/// the two drawn per program.
pub(crate) const VALUES: &[&str] = &[
    "call-struct-values",
    "carried-structs",
    "struct-copies",
    "self-methods",
    "struct-elements",
    "closure-returns",
    "const-tables",
    "struct-returns",
    "plain-methods",
];

/// The constructs of this module written by segments.
const SEGMENTS: &[&str] = VALUES.split_at(7).0;

/// What a program gets from this module besides its segments.
pub(crate) struct Values {
    /// A float result becomes an `Sv` (`struct-returns`).
    struct_result: bool,
    /// A `&self` method of `Body` whose parameters are all differentiated is
    /// written without `wrt` (`plain-methods`).
    pub(crate) plain_self: bool,
    /// The stream of the two per-program draws.
    side: Rng,
}

/// What program `index` gets from this module: its segments, and the rest.
pub(crate) fn draw(opts: &Options, index: usize) -> (Segments, Values) {
    let segments = Segments::draw(opts, index, 0x3C6E_F372_FE94_F82B, SEGMENTS, 0.35);
    let (_, mut side) = own_stream(
        opts,
        index,
        0x5851_F42D_4C95_7F2D,
        &["struct-returns", "plain-methods"],
        0.0,
    );
    let struct_result = opts.on("struct-returns") && side.chance(0.12);
    let plain_self = opts.on("plain-methods") && side.chance(0.5);
    (
        segments,
        Values {
            struct_result,
            plain_self,
            side,
        },
    )
}

impl Values {
    /// The function's result: a float result becomes an `Sv` (when drawn, and
    /// the body has no early `return`, whose value is a float).
    pub(crate) fn result(
        &mut self,
        g: &mut Gen,
        ret: RetKind,
        body: &mut Vec<S>,
        tail: R,
    ) -> (RetKind, R) {
        let R::S(t) = tail else {
            return (ret, tail);
        };
        if !self.struct_result || ret != RetKind::Scalar || crate::late::returns(body) {
            return (ret, R::S(t));
        }
        let main = std::mem::replace(&mut g.rng, self.side.clone());
        let x = g.struct_tail(t, body);
        self.side = std::mem::replace(&mut g.rng, main);
        (RetKind::Sv, R::S(val_e(ValE::Whole(bx(x)))))
    }
}

/// `s.a` and `s.v[j]` of a struct value named `s`.
pub(crate) fn fa(s: &str) -> E {
    E::Var(format!("{s}.a"))
}

pub(crate) fn fv(s: &str, j: i64) -> E {
    at(&format!("{s}.v"), I::Lit(j))
}

/// A struct value of the program and its bound (on every field).
#[derive(Clone)]
pub(crate) struct Value {
    pub(crate) x: SvX,
    pub(crate) bound: f64,
}

impl Gen<'_> {
    /// One segment of a construct of this module that is on; terms for the result.
    pub(crate) fn val_segment(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let on: Vec<&str> = SEGMENTS.iter().copied().filter(|f| self.on(f)).collect();
        if on.is_empty() {
            return Vec::new();
        }
        match *self.rng.pick(&on) {
            "call-struct-values" => self.call_value(params, wrt, out),
            "carried-structs" => self.carried(params, wrt, out),
            "struct-copies" => self.struct_copy(params, wrt, out),
            "self-methods" => self.self_method(params, wrt, out),
            "struct-elements" => self.elements(params, wrt, out),
            "closure-returns" => self.closure_return(out),
            _ => self.const_table(out),
        }
    }

    // ------------------------------------------------------------ struct values

    /// Declares the fields of the struct value `s` (`s.a`, `s.v`) in the
    /// current scope, or the function's (`top`).
    pub(crate) fn declare_sv(
        &mut self,
        s: &str,
        by_ref: bool,
        mutable: bool,
        bound: f64,
        top: bool,
        origin: Origin,
    ) {
        let fields = [(format!("{s}.a"), VK::F), (format!("{s}.v"), arr_kind(2))];
        for (name, kind) in fields {
            if top {
                if let Some(scope) = self.scopes.first_mut() {
                    scope.push(Var {
                        name,
                        kind,
                        mutable,
                        bound,
                        depth: 0,
                    });
                }
            } else {
                self.declare(&name, kind, mutable, bound);
            }
        }
        self.svs.push(SvVar {
            name: s.to_string(),
            by_ref,
            origin,
        });
    }

    /// The struct values visible here.
    pub(crate) fn visible_svs(&self) -> Vec<Value> {
        let vis = self.visible();
        self.svs
            .iter()
            .filter(|s| vis.iter().any(|v| v.name == format!("{}.a", s.name)))
            .map(|s| Value {
                x: if s.by_ref {
                    SvX::Deref(s.name.clone())
                } else {
                    SvX::Var(s.name.clone())
                },
                bound: self
                    .bound_of(&format!("{}.a", s.name))
                    .max(self.bound_of(&format!("{}.v", s.name))),
            })
            .collect()
    }

    /// The `Sv` parameter passed as `pass`, added if the program has none (a
    /// `&Sv` is data under `wrt` in a quarter of the programs that have another
    /// differentiated parameter): its name and, for a slice, its length.
    pub(crate) fn sv_param(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        pass: Pass,
    ) -> (String, usize) {
        let found = params.iter().find_map(|p| match (p.kind, pass) {
            (PK::Rec(Rec::Sv, Pass::Slice(n)), Pass::Slice(_)) => Some((p.name.clone(), n)),
            (PK::Rec(Rec::Sv, q), _) if q == pass => Some((p.name.clone(), 0)),
            _ => None,
        });
        if let Some(f) = found {
            return f;
        }
        let (prefix, n) = match pass {
            Pass::Ref => ("sp", 0),
            Pass::Value => ("sq", 0),
            Pass::Slice(_) => ("ss", self.rng.int(1, 3) as usize),
        };
        let kind = PK::Rec(Rec::Sv, if n > 0 { Pass::Slice(n) } else { pass });
        let active = !(pass == Pass::Ref && self.may_be_data(params, 0.25));
        let name = self.new_param(params, prefix, kind, false, active);
        if !active {
            *wrt = true;
        }
        if n == 0 {
            self.declare_sv(&name, pass == Pass::Ref, false, 2.0, true, Origin::Known);
            self.inputs.push(format!("{name}.a"));
            self.inputs.push(format!("{name}.v"));
        }
        (name, n)
    }

    /// A struct literal of expressions of the parameters.
    pub(crate) fn sv_lit(&mut self) -> Value {
        let (a, ab) = self.input_expr(2.0);
        let (v0, b0) = self.input_expr(2.0);
        let (v1, b1) = self.input_expr(2.0);
        Value {
            x: SvX::Lit(a, [v0, v1]),
            bound: ab.max(b0).max(b1),
        }
    }

    /// `smake(x, y)`.
    pub(crate) fn sv_make(&mut self) -> Value {
        let (x, xb) = self.input_expr(2.0);
        let (y, yb) = self.input_expr(2.0);
        Value {
            x: SvX::Make(x, y),
            bound: (xb + yb).max(1.0),
        }
    }

    /// A struct value to start from: a visible one, a literal, a call, a plain
    /// constructor, an element of a slice, a parameter.
    pub(crate) fn sv_start(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        copy: bool,
    ) -> Value {
        let vis: Vec<Value> = self
            .visible_svs()
            .into_iter()
            .filter(|v| !copy || self.copyable(v))
            .collect();
        match self.rng.below(7) {
            0 if !vis.is_empty() => self.rng.pick(&vis).clone(),
            0 | 1 => self.sv_lit(),
            2 => self.sv_make(),
            3 => Value {
                x: SvX::Unit,
                bound: 1.0,
            },
            4 => Value {
                x: SvX::Default,
                bound: 0.0,
            },
            5 => {
                let (ss, n) = self.sv_param(params, wrt, Pass::Slice(0));
                let i = I::Lit(self.rng.below(n) as i64);
                Value {
                    x: SvX::Elem(ss, i),
                    bound: 2.0,
                }
            }
            _ => {
                let pass = if self.rng.chance(0.6) {
                    Pass::Ref
                } else {
                    Pass::Value
                };
                let (p, _) = self.sv_param(params, wrt, pass);
                Value {
                    x: if pass == Pass::Ref {
                        SvX::Deref(p)
                    } else {
                        SvX::Var(p)
                    },
                    bound: 2.0,
                }
            }
        }
    }

    /// Whether `v` may be copied into another local that is then used whole:
    /// not a local holding a struct literal (bug 18 of
    /// /work/notes/progen-bugs.md).
    pub(crate) fn copyable(&self, v: &Value) -> bool {
        self.opts.known_bugs || v.x.origin(&self.svs) != Origin::Literal
    }

    /// Whether a method taking `self` by value may be called on `recv`: not on
    /// a `&Sv` parameter (bug 16 of /work/notes/progen-bugs.md).
    pub(crate) fn by_value_ok(&self, recv: &SvX) -> bool {
        self.opts.known_bugs || !matches!(recv, SvX::Deref(_))
    }

    /// `recv.step(k)` or `recv.nudge(k)` (`k` bounded by 1).
    pub(crate) fn sv_method(&mut self, recv: Value, k: (E, f64)) -> Value {
        let (k, kb) = self.squash(k.0, k.1, 1.0);
        let step = self.rng.chance(0.5) && self.by_value_ok(&recv.x);
        let m = if step { "step" } else { "nudge" };
        let bound = if m == "step" {
            recv.bound + 0.1 * kb
        } else {
            recv.bound + 0.2
        };
        Value {
            x: SvX::Method(bx(recv.x), m, k),
            bound,
        }
    }

    /// `recv.compose(o)` (`recv.nudge(k).compose(o)` on a `&Sv` parameter: bug
    /// 16).
    pub(crate) fn sv_compose(&mut self, recv: Value, o: Value) -> Value {
        let recv = if self.by_value_ok(&recv.x) {
            recv
        } else {
            let k = self.input_expr(1.0);
            self.sv_method(recv, k)
        };
        Value {
            bound: recv.bound + 0.5 * o.bound,
            x: SvX::Compose(bx(recv.x), bx(o.x)),
        }
    }

    /// `let [mut] s[: Sv] = value;`, its fields declared.
    pub(crate) fn let_sv(&mut self, v: Value, mutable: bool, out: &mut Vec<S>) -> String {
        let s = self.fresh("sv");
        let annot = self.rng.chance(0.3);
        let origin = v.x.origin(&self.svs);
        out.push(val(ValS::Let(s.clone(), mutable, annot, v.x)));
        self.declare_sv(&s, false, mutable, v.bound, false, origin);
        s
    }

    /// Terms reading the struct value `s` (bound `b`): its fields, and maybe
    /// `snorm(&s)` or a method.
    pub(crate) fn sv_reads(&mut self, s: &SvX, b: f64) -> Vec<(E, f64)> {
        let field = |j: Option<i64>| match s {
            SvX::Var(n) | SvX::Deref(n) => match j {
                Some(j) => fv(n, j),
                None => fa(n),
            },
            _ => val_e(ValE::Field(bx(s.clone()), j)),
        };
        let j = self.rng.below(2) as i64;
        let mut terms = vec![if self.rng.chance(0.5) {
            (mul(field(None), field(Some(j))), b * b)
        } else {
            let (k, kb) = self.input_expr(1.5);
            (add(field(Some(j)), mul(k, field(None))), b + kb * b)
        }];
        if self.rng.chance(0.4) {
            terms.push((val_e(ValE::Norm(bx(s.clone()))), b + b * b));
        } else if self.rng.chance(0.4) {
            let (x, _) = self.input_expr(2.0);
            let path = self.rng.chance(0.3);
            terms.push((
                val_e(ValE::Call(bx(s.clone()), "energy", bx(x), path)),
                1.0 + b * b,
            ));
        }
        terms
    }

    /// `let s = <a call's struct result>;` maybe chosen by an `if` against a
    /// literal, then read.
    pub(crate) fn call_value(
        &mut self,
        params: &mut Vec<Param>,
        wrt: &mut bool,
        out: &mut Vec<S>,
    ) -> Vec<(E, f64)> {
        let v = match self.rng.below(3) {
            0 => self.sv_make(),
            1 => {
                let recv = self.sv_start(params, wrt, false);
                let k = self.input_expr(1.5);
                self.sv_method(recv, k)
            }
            _ => {
                let recv = self.sv_start(params, wrt, false);
                let o = self.sv_lit();
                self.sv_compose(recv, o)
            }
        };
        let s = self.let_sv(v, false, out);
        let mut b = self.bound_of(&format!("{s}.a"));
        let mut x = SvX::Var(s);
        if self.rng.chance(0.4) {
            // chosen by an `if`: the other arm a literal (a call there: bug 13)
            let other = if self.opts.known_bugs && self.rng.chance(0.5) {
                self.sv_make()
            } else {
                self.sv_lit()
            };
            let c = self.val_cond();
            let (a, o) = if self.rng.chance(0.5) {
                (x, other.x)
            } else {
                (other.x, x)
            };
            b = b.max(other.bound);
            let t = self.let_sv(
                Value {
                    x: SvX::If(c, bx(a), bx(o)),
                    bound: b,
                },
                false,
                out,
            );
            x = SvX::Var(t);
        }
        self.sv_reads(&x, b)
    }

    /// A condition reading the parameters: `e < t`.
    pub(crate) fn val_cond(&mut self) -> C {
        let (e, _) = self.input_expr(2.0);
        let op = self.cmp_op();
        let t = self.threshold();
        C::Cmp(op, e, t)
    }

    // ------------------------------------------------------------- the result

    /// The struct the function returns, holding the float result `t`: a
    /// literal, `smake(t, e)`, a method of a visible struct value, or a
    /// carried value whose field takes `t`.
    fn struct_tail(&mut self, t: E, body: &mut Vec<S>) -> SvX {
        let (t, _) = self.squash(t, BIG, 4.0);
        let vis: Vec<Value> = self
            .visible_svs()
            .into_iter()
            .filter(|v| matches!(v.x, SvX::Var(_)))
            .collect();
        let copies: Vec<Value> = vis.iter().filter(|v| self.copyable(v)).cloned().collect();
        match self.rng.below(4) {
            0 if !vis.is_empty() => {
                let v = self.rng.pick(&vis).clone();
                self.sv_method(v, (t, 4.0)).x
            }
            1 => {
                let (e, _) = self.input_expr(2.0);
                SvX::Make(t, e)
            }
            2 if !copies.is_empty() => {
                // `let mut r = s; r.a += t; r`
                let v = self.rng.pick(&copies).clone();
                let r = self.fresh("rs");
                body.push(val(ValS::Let(r.clone(), true, false, v.x)));
                body.push(S::Assign(LV::Var(format!("{r}.a")), '+', t));
                SvX::Var(r)
            }
            _ => {
                let (e0, _) = self.input_expr(2.0);
                let (e1, _) = self.input_expr(2.0);
                SvX::Lit(t, [e0, e1])
            }
        }
    }
}
