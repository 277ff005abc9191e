//! Typed programs: a short program generic over `T: autodiff::Real` (literals as
//! `T::from_f64(…)`, paths as `T::exp(x)`) and its `f32` twin (the same body with
//! `f32`), both under `#[grad]`. Drawn from a generator of their own, a typed program
//! follows program `pN` of the stream in the file (named `pNg`, so that `--skip N`
//! leaves it out with `pN`) and is checked after every program of the table (so
//! that the points of the others do not move).
//!
//! The driver checks the generic program instantiated at `f64`, with the tolerances
//! of every program (its oracle is the same body over dual numbers). Its wrapper
//! `pNg_grad` checks the `f32` twin at the same point rounded to `f32`: the twin's
//! companion gives the twin's value bit for bit, and its gradient is within
//! `F32_TOL` (relative to `max(1, |g|)`, as `tests/generic.rs`) of the `f64`
//! companion's at that `f32` point. The bodies are short (a few operations on
//! values bounded by about 20, no cancellation by construction), so the `f32`
//! rounding (2^-24 ≈ 6e-8 per operation) stays far below 1e-3; a point where the
//! `f32` value is not the `f64` one to 1e-4 (a rounding that crossed a branch) is not
//! compared, the reason printed in the header's `check_f32_twin`.

use crate::printer::fmt_lit;
use crate::{Options, Rng};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// An expression of a typed body.
#[derive(Clone, Debug)]
enum T {
    /// A positive literal.
    Lit(f64),
    Var(String),
    /// `a[i]` (`i` a literal, or the loop's index when `None`)
    Idx(String, Option<usize>),
    Bin(char, Box<T>, Box<T>),
    /// `x.name()`
    Method(&'static str, Box<T>),
    /// `T::name(x)`
    Path(&'static str, Box<T>),
    /// `autodiff::sigmoid(x)`
    Sigmoid(Box<T>),
    /// `x.powi(2)`
    Sq(Box<T>),
    /// `if a > b { c } else { d }`
    If(Box<T>, Box<T>, Box<T>, Box<T>),
}

#[derive(Clone, Copy, PartialEq)]
enum Fl {
    /// `T: autodiff::Real`
    Generic,
    /// the reference when generic programs are left out
    F64,
    F32,
    Dual,
}

fn p(e: &T, fl: Fl) -> String {
    let lit = |v: f64| match fl {
        Fl::Generic => format!("T::from_f64({})", fmt_lit(v)),
        Fl::F64 | Fl::F32 => fmt_lit(v),
        Fl::Dual => format!("D::from({})", fmt_lit(v)),
    };
    // an operand: parenthesized unless atomic
    let atom = |e: &T| match e {
        T::Bin(..) | T::If(..) => format!("({})", p(e, fl)),
        _ => p(e, fl),
    };
    match e {
        T::Lit(v) => lit(*v),
        T::Var(n) => n.clone(),
        T::Idx(a, Some(i)) => format!("{a}[{i}]"),
        T::Idx(a, None) => format!("{a}[i]"),
        T::Bin(op, a, b) => format!("{} {op} {}", atom(a), atom(b)),
        T::Method(name, x) => match fl {
            Fl::Dual => format!("dx_{name}({}, tr_)", p(x, fl)),
            // a method on a bare literal does not compile (`{float}`)
            Fl::F64 | Fl::F32 if !reads(x) => p(&T::Path(name, x.clone()), fl),
            _ => format!("{}.{name}()", atom(x)),
        },
        T::Path(name, x) => match fl {
            Fl::Generic => format!("T::{name}({})", p(x, fl)),
            Fl::F64 => format!("f64::{name}({})", p(x, fl)),
            Fl::F32 => format!("f32::{name}({})", p(x, fl)),
            Fl::Dual => format!("dx_{name}({}, tr_)", p(x, fl)),
        },
        T::Sigmoid(x) => match fl {
            Fl::Dual => format!("dx_sigmoid({}, tr_)", p(x, fl)),
            _ => format!("autodiff::sigmoid({})", p(x, fl)),
        },
        T::Sq(x) => match fl {
            Fl::Dual => format!("dx_powi({}, 2, tr_)", p(x, fl)),
            Fl::F64 if !reads(x) => format!("f64::powi({}, 2)", p(x, fl)),
            Fl::F32 if !reads(x) => format!("f32::powi({}, 2)", p(x, fl)),
            _ => format!("{}.powi(2)", atom(x)),
        },
        T::If(a, b, c, d) => {
            let cond = match fl {
                Fl::Dual => format!("dx_gt({}, {}, tr_)", p(a, fl), p(b, fl)),
                _ => format!("{} > {}", atom(a), atom(b)),
            };
            format!("if {cond} {{ {} }} else {{ {} }}", p(c, fl), p(d, fl))
        }
    }
}

/// A statement of a typed body.
enum St {
    Let(String, T),
    /// `let mut acc = 0; for i in 0..n { acc += term; }`
    Loop(String, usize, T),
}

struct Typed {
    scalars: Vec<String>,
    /// name, length
    arrays: Vec<(String, usize)>,
    body: Vec<St>,
    result: T,
    /// The constructs of `tags::TABLE` the body exercises.
    tags: BTreeSet<&'static str>,
}

struct TGen {
    rng: Rng,
    /// visible scalars with their bounds
    vars: Vec<(String, f64)>,
    arrays: Vec<(String, usize)>,
    /// the loop's array, inside a loop
    in_loop: Option<String>,
    tags: BTreeSet<&'static str>,
}

impl TGen {
    fn leaf(&mut self) -> (T, f64) {
        let w = [
            3.0,
            if self.arrays.is_empty() { 0.0 } else { 2.0 },
            if self.in_loop.is_some() { 3.0 } else { 0.0 },
            1.0,
        ];
        match self.rng.weighted(&w) {
            0 => {
                let (n, b) = self.rng.pick(&self.vars).clone();
                (T::Var(n), b)
            }
            1 => {
                let (a, len) = self.rng.pick(&self.arrays).clone();
                self.tags.insert("a[i]");
                (T::Idx(a, Some(self.rng.below(len))), 2.0)
            }
            2 => {
                self.tags.insert("a[i]");
                (T::Idx(self.in_loop.clone().unwrap_or_default(), None), 2.0)
            }
            _ => {
                let v = self.rng.int(5, 40) as f64 * 5.0 / 100.0;
                self.tags.insert("T::from_f64");
                (T::Lit(v), v)
            }
        }
    }

    /// `e` with `|value| <= 1.6`.
    fn squash(&mut self, e: T, b: f64) -> (T, f64) {
        if b <= 1.6 {
            return (e, b);
        }
        let name = *self.rng.pick(&["tanh", "sin", "atan"]);
        self.tags.insert(name);
        self.tags.insert("method form x.f()");
        (T::Method(name, Box::new(e)), 1.6)
    }

    fn expr(&mut self, d: u32) -> (T, f64) {
        if d == 0 || self.rng.chance(0.15) {
            return self.leaf();
        }
        match self.rng.below(9) {
            0 | 1 => {
                let op = if self.rng.chance(0.5) { '+' } else { '-' };
                self.tags.insert(if op == '+' { "a + b" } else { "a - b" });
                let (a, ab) = self.expr(d - 1);
                let (b, bb) = self.expr(d - 1);
                (T::Bin(op, Box::new(a), Box::new(b)), ab + bb)
            }
            2 => {
                self.tags.insert("a * b");
                let (a, ab) = self.expr(d - 1);
                let (b, bb) = self.expr(d - 1);
                let (b, bb) = if ab * bb > 20.0 {
                    self.squash(b, bb)
                } else {
                    (b, bb)
                };
                (T::Bin('*', Box::new(a), Box::new(b)), ab * bb)
            }
            3 => {
                // a / (1 + b²)
                self.tags.insert("a / b");
                self.tags.insert("powi");
                self.tags.insert("method form x.f()");
                let (a, ab) = self.expr(d - 1);
                let (b, bb) = self.expr(d - 1);
                let (b, _) = if bb > 4.0 {
                    self.squash(b, bb)
                } else {
                    (b, bb)
                };
                let den = T::Bin('+', Box::new(T::Lit(1.0)), Box::new(T::Sq(Box::new(b))));
                self.tags.insert("T::from_f64");
                (T::Bin('/', Box::new(a), Box::new(den)), ab)
            }
            4 => {
                let (a, ab) = self.expr(d - 1);
                let name = *self.rng.pick(&["sin", "cos", "tanh", "atan", "asinh"]);
                let b = if name == "asinh" { ab } else { 1.6 };
                self.tags.insert(name);
                if self.rng.chance(0.4) {
                    self.tags.insert("path form f64::f(x)");
                    (T::Path(name, Box::new(a)), b)
                } else {
                    self.tags.insert("method form x.f()");
                    (T::Method(name, Box::new(a)), b)
                }
            }
            5 => {
                // exp of a squashed value, ln and sqrt of 1 + u²
                let (a, ab) = self.expr(d - 1);
                let (a, ab) = self.squash(a, ab);
                let u2 = T::Bin(
                    '+',
                    Box::new(T::Lit(1.0)),
                    Box::new(T::Sq(Box::new(a.clone()))),
                );
                self.tags.insert("powi");
                self.tags.insert("T::from_f64");
                let (name, arg, b) = match self.rng.below(3) {
                    0 => ("exp", a, ab.exp()),
                    1 => ("ln", u2, (1.0 + ab * ab).ln()),
                    _ => ("sqrt", u2, (1.0 + ab * ab).sqrt()),
                };
                self.tags.insert(name);
                if self.rng.chance(0.4) {
                    self.tags.insert("path form f64::f(x)");
                    (T::Path(name, Box::new(arg)), b)
                } else {
                    self.tags.insert("method form x.f()");
                    (T::Method(name, Box::new(arg)), b)
                }
            }
            6 => {
                self.tags.insert("sigmoid");
                let (a, _) = self.expr(d - 1);
                (T::Sigmoid(Box::new(a)), 1.0)
            }
            7 => {
                let (a, ab) = self.expr(d - 1);
                let (a, ab) = if ab > 4.0 {
                    self.squash(a, ab)
                } else {
                    (a, ab)
                };
                self.tags.insert("powi");
                self.tags.insert("method form x.f()");
                (T::Sq(Box::new(a)), ab * ab)
            }
            _ => {
                self.tags.insert("if expression");
                self.tags.insert("comparison");
                let (a, _) = self.leaf();
                let (b, _) = self.leaf();
                let (c, cb) = self.expr(d - 1);
                let (e, eb) = self.expr(d - 1);
                (
                    T::If(Box::new(a), Box::new(b), Box::new(c), Box::new(e)),
                    cb.max(eb),
                )
            }
        }
    }

    /// An expression that reads a variable (not only literals).
    fn reading(&mut self, d: u32) -> (T, f64) {
        let (e, b) = self.expr(d);
        if reads(&e) {
            return (e, b);
        }
        let (n, nb) = self.vars[0].clone();
        self.tags.insert("a + b");
        (T::Bin('+', Box::new(e), Box::new(T::Var(n))), b + nb)
    }
}

fn reads(e: &T) -> bool {
    match e {
        T::Lit(_) => false,
        T::Var(_) | T::Idx(..) => true,
        T::Bin(_, a, b) => reads(a) || reads(b),
        T::Method(_, x) | T::Path(_, x) | T::Sigmoid(x) | T::Sq(x) => reads(x),
        T::If(_, _, c, d) => reads(c) || reads(d),
    }
}

/// Whether program `index` has a typed twin: its text (after `pN`'s) and its
/// table entry.
pub(crate) fn program(opts: &Options, index: usize) -> Option<(String, String)> {
    let generic = opts.on("generic-programs");
    let f32 = opts.on("f32-programs");
    if !generic && !f32 {
        return None;
    }
    let mut rng = Rng::new(opts.seed.wrapping_mul(0x1656_67B1_9E37_79F9) ^ (index as u64));
    for _ in 0..4 {
        rng.next_u64();
    }
    if !rng.chance(0.08) {
        return None;
    }
    let mut g = TGen {
        rng,
        vars: Vec::new(),
        arrays: Vec::new(),
        in_loop: None,
        tags: BTreeSet::new(),
    };
    let mut scalars = Vec::new();
    for k in 0..g.rng.int(1, 3) {
        scalars.push(format!("x{k}"));
        g.vars.push((format!("x{k}"), 2.0));
    }
    if g.rng.chance(0.6) {
        let len = g.rng.int(2, 4) as usize;
        g.arrays.push(("a".to_string(), len));
    }
    let mut body = Vec::new();
    for k in 0..g.rng.int(1, 3) {
        let name = format!("v{k}");
        if !g.arrays.is_empty() && g.rng.chance(0.35) {
            let (a, len) = g.arrays[0].clone();
            g.in_loop = Some(a);
            let (t, tb) = g.reading(2);
            let (t, tb) = g.squash(t, tb);
            g.in_loop = None;
            g.tags.insert("for i in a..b");
            g.tags.insert("let mut");
            g.tags.insert("+=");
            g.tags.insert("T::from_f64");
            body.push(St::Loop(name.clone(), len, t));
            g.vars.push((name, tb * len as f64));
        } else {
            let (e, b) = g.reading(2);
            let (e, b) = if b > 20.0 { g.squash(e, b) } else { (e, b) };
            g.tags.insert("let");
            body.push(St::Let(name.clone(), e));
            g.vars.push((name, b));
        }
    }
    // the result reads the last local
    let (result, _) = g.reading(2);
    let last = g.vars.last().map(|(n, _)| n.clone()).unwrap_or_default();
    let result = T::Bin('+', Box::new(T::Var(last)), Box::new(result));
    g.tags.insert("a + b");
    let mut tags = g.tags;
    tags.insert("float result");
    if generic {
        tags.insert("generic T: Real");
    } else {
        tags.remove("T::from_f64");
    }
    if f32 {
        tags.insert("f32");
    }
    if !g.arrays.is_empty() {
        tags.insert(if generic {
            "generic T: Real"
        } else {
            "[f64; N] by value"
        });
    }
    if !generic {
        tags.insert("f64 by value");
    }
    let t = Typed {
        scalars,
        arrays: g.arrays,
        body,
        result,
        tags,
    };
    Some(emit(&t, &format!("p{index}g"), generic, f32))
}

fn emit_body(t: &Typed, fl: Fl, s: &mut String) {
    let zero = match fl {
        Fl::Generic => "T::from_f64(0.0)",
        Fl::F64 | Fl::F32 => "0.0",
        Fl::Dual => "D::from(0.0)",
    };
    for st in &t.body {
        match st {
            St::Let(n, e) => {
                let _ = writeln!(s, "    let {n} = {};", p(e, fl));
            }
            St::Loop(n, len, e) => {
                let _ = writeln!(s, "    let mut {n} = {zero};");
                let _ = writeln!(s, "    for i in 0..{len} {{");
                let _ = writeln!(s, "        {n} += {};", p(e, fl));
                s.push_str("    }\n");
            }
        }
    }
    let _ = writeln!(s, "    {}", p(&t.result, fl));
    s.push_str("}\n");
}

fn sig(t: &Typed, ty: &str) -> String {
    let mut ps: Vec<String> = t.scalars.iter().map(|x| format!("{x}: {ty}")).collect();
    for (a, n) in &t.arrays {
        ps.push(format!("{a}: [{ty}; {n}]"));
    }
    ps.join(", ")
}

fn emit(t: &Typed, name: &str, generic: bool, f32: bool) -> (String, String) {
    let mut s = String::new();
    // the reference: generic (instantiated at f64 by the wrappers) or f64
    let (rfl, rty, inst) = if generic {
        (Fl::Generic, "T", "::<f64>")
    } else {
        (Fl::F64, "f64", "")
    };
    s.push_str("\n#[allow(unused, clippy::all)]\n#[grad(reverse, forward)]\n");
    let gen = if generic { "<T: autodiff::Real>" } else { "" };
    let _ = writeln!(s, "fn {name}{gen}({}) -> {rty} {{", sig(t, rty));
    emit_body(t, rfl, &mut s);
    if f32 {
        s.push_str("\n#[allow(unused, clippy::all)]\n#[grad(reverse, forward)]\n");
        let _ = writeln!(s, "fn {name}_f32({}) -> f32 {{", sig(t, "f32"));
        emit_body(t, Fl::F32, &mut s);
    }
    s.push_str("\n#[allow(unused, clippy::all, non_snake_case)]\n");
    let _ = writeln!(
        s,
        "fn {name}_dual<D: Dn>({}, tr_: &mut Tr) -> D {{",
        sig(t, "D")
    );
    emit_body(t, Fl::Dual, &mut s);
    let names: Vec<String> = t
        .scalars
        .iter()
        .cloned()
        .chain(t.arrays.iter().map(|(a, _)| a.clone()))
        .collect();
    let args = names.join(", ");
    let unpack = |s: &mut String, ty: &str| {
        for x in &t.scalars {
            let _ = writeln!(s, "    let {x}: {ty} = take1(x, k);");
        }
        for (a, n) in &t.arrays {
            let _ = writeln!(s, "    let {a}: [{ty}; {n}] = take(x, k);");
        }
    };
    let _ = writeln!(
        s,
        "\nfn {name}_eval(x: &[f64]) -> Vec<f64> {{\n    let k = &mut 0;"
    );
    unpack(&mut s, "f64");
    let _ = writeln!(s, "    flat(&{name}{inst}({args}))\n}}\n");
    let _ = writeln!(
        s,
        "fn {name}_oracle(x: &[Dual64], tr_: &mut Tr) -> Vec<Dual64> {{\n    let k = &mut 0;"
    );
    unpack(&mut s, "Dual64");
    let _ = writeln!(s, "    flat(&{name}_dual({args}, tr_))\n}}\n");
    let _ = writeln!(
        s,
        "fn {name}_grad(x: &[f64], d: &[f64]) -> (Vec<f64>, Vec<f64>) {{\n    let k = &mut 0;"
    );
    unpack(&mut s, "f64");
    let gs: Vec<String> = names.iter().map(|n| format!("g_{n}")).collect();
    let _ = writeln!(
        s,
        "    let (out, {}) = {name}_backward{inst}({args}, d[0]);",
        gs.join(", ")
    );
    s.push_str("    let mut g = Vec::new();\n");
    for n in &gs {
        let _ = writeln!(s, "    g.extend(flat(&{n}));");
    }
    if f32 {
        // the f32 twin at the point rounded to f32, against the reference there
        s.push_str("    {\n");
        for x in &t.scalars {
            let _ = writeln!(s, "        let {x} = {x} as f32;");
        }
        for (a, _) in &t.arrays {
            let _ = writeln!(s, "        let {a} = {a}.map(|v| v as f32);");
        }
        s.push_str("        let d32 = d[0] as f32;\n");
        let _ = writeln!(s, "        let v32 = {name}_f32({args});");
        let _ = writeln!(
            s,
            "        let (o32, {}) = {name}_f32_backward({args}, d32);",
            gs.join(", ")
        );
        let wide: Vec<String> = t
            .scalars
            .iter()
            .map(|x| format!("f64::from({x})"))
            .chain(t.arrays.iter().map(|(a, _)| format!("{a}.map(f64::from)")))
            .collect();
        let hs: Vec<String> = names.iter().map(|n| format!("h_{n}")).collect();
        let _ = writeln!(
            s,
            "        let (r64, {}) = {name}_backward{inst}({}, f64::from(d32));",
            hs.join(", "),
            wide.join(", ")
        );
        s.push_str("        let mut g32: Vec<f64> = Vec::new();\n        let mut h64: Vec<f64> = Vec::new();\n");
        for (gn, hn) in gs.iter().zip(&hs) {
            let _ = writeln!(
                s,
                "        g32.extend(flat32(&{gn}));\n        h64.extend(flat(&{hn}));"
            );
        }
        let _ = writeln!(
            s,
            "        check_f32_twin(\"{name}_f32\", v32, o32, &g32, r64, &h64);\n    }}"
        );
    }
    s.push_str("    (flat(&out), g)\n}\n");
    // the forward companion on a flat point and direction
    let _ = writeln!(
        s,
        "\nfn {name}_fwd(x: &[f64], t: &[f64]) -> (Vec<f64>, Vec<f64>) {{\n    let k = &mut 0;"
    );
    unpack(&mut s, "f64");
    s.push_str("    let k = &mut 0;\n");
    for x in &t.scalars {
        let _ = writeln!(s, "    let t_{x}: f64 = take1(t, k);");
    }
    for (a, n) in &t.arrays {
        let _ = writeln!(s, "    let t_{a}: [f64; {n}] = take(t, k);");
    }
    let with_t: Vec<String> = names.iter().map(|n| format!("{n}, t_{n}")).collect();
    let _ = writeln!(
        s,
        "    let (out, tan) = {name}_forward{inst}({});",
        with_t.join(", ")
    );
    if f32 {
        // the f32 twin's forward companion at the point and direction rounded to
        // f32, against the reference's there (as its gradient, `check_f32_twin`)
        s.push_str("    {\n");
        for x in t.scalars.iter().chain(t.arrays.iter().map(|(a, _)| a)) {
            let conv = if t.scalars.contains(x) {
                "as f32".to_string()
            } else {
                ".map(|v| v as f32)".to_string()
            };
            let sep = if conv.starts_with('.') { "" } else { " " };
            let _ = writeln!(s, "        let {x} = {x}{sep}{conv};");
            let _ = writeln!(s, "        let t_{x} = t_{x}{sep}{conv};");
        }
        let _ = writeln!(s, "        let v32 = {name}_f32({args});");
        let _ = writeln!(
            s,
            "        let (o32, t32) = {name}_f32_forward({});",
            with_t.join(", ")
        );
        let wide: Vec<String> = names
            .iter()
            .map(|n| {
                if t.scalars.contains(n) {
                    format!("f64::from({n}), f64::from(t_{n})")
                } else {
                    format!("{n}.map(f64::from), t_{n}.map(f64::from)")
                }
            })
            .collect();
        let _ = writeln!(
            s,
            "        let (r64, t64) = {name}_forward{inst}({});",
            wide.join(", ")
        );
        let _ = writeln!(
            s,
            "        check_f32_twin(\"{name}_f32_forward\", v32, o32, &[f64::from(t32)], r64, &[t64]);\n    }}"
        );
    }
    s.push_str("    (flat(&out), flat(&tan))\n}\n");
    let n_in = t.scalars.len() + t.arrays.iter().map(|(_, n)| n).sum::<usize>();
    let active = vec!["true"; n_in].join(", ");
    let tags: Vec<String> = t
        .tags
        .iter()
        .map(|c| crate::tags::index(c).to_string())
        .collect();
    let entry = format!(
        "    Prog {{ name: \"{name}\", active: &[{active}], outputs: 1, eval: {name}_eval, grad: {name}_grad, fwd: Some({name}_fwd), oracle: {name}_oracle, tags: &[{}] }},\n",
        tags.join(", ")
    );
    (s, entry)
}

/// The helpers of the `f32` twins, in the file's header.
pub(crate) fn header() -> String {
    String::from(
        r#"
/// Relative tolerance (of `max(1, |g|)`) of an `f32` twin's gradient against the
/// `f64` companion's at the same point: 2^-24 ≈ 6e-8 per operation, a few dozen
/// operations on values bounded by about 20 (as `tests/generic.rs`, 1e-3).
const F32_TOL: f64 = 1e-3;

/// The scalars of an `f32` value or array, widened.
fn flat32<A: Flat32>(a: &A) -> Vec<f64> {
    let mut out = Vec::new();
    a.put32(&mut out);
    out
}

trait Flat32 {
    fn put32(&self, out: &mut Vec<f64>);
}
impl Flat32 for f32 {
    fn put32(&self, out: &mut Vec<f64>) {
        out.push(f64::from(*self));
    }
}
impl<const N: usize> Flat32 for [f32; N] {
    fn put32(&self, out: &mut Vec<f64>) {
        out.extend(self.iter().map(|&v| f64::from(v)));
    }
}

/// An `f32` twin at a point rounded to `f32`: its companion's value is the twin's
/// bit for bit, its gradient the `f64` companion's at that point within `F32_TOL`.
/// Where the twin's value differs from the `f64` one by more than 1e-4 (relative),
/// a rounding crossed a branch and the two compute different functions: the
/// gradients are not compared there.
fn check_f32_twin(name: &str, v: f32, companion: f32, g32: &[f64], r: f64, g64: &[f64]) {
    assert!(
        v.to_bits() == companion.to_bits(),
        "{name}: the companion's value {companion} is not the function's {v}"
    );
    if (f64::from(v) - r).abs() > 1e-4 * r.abs().max(1.0) {
        return;
    }
    for (j, (a, b)) in g32.iter().zip(g64).enumerate() {
        let e = (a - b).abs() / b.abs().max(1.0);
        assert!(
            e <= F32_TOL,
            "{name}: input {j}: f32 companion gradient {a} but the f64 companion gives {b} (rel err {e:.1e})"
        );
    }
}
"#,
    )
}
