//! Printing programs as Rust: the original (`f64`) and the oracle over dual numbers.

use crate::ast::*;
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Flavor {
    F64,
    Dual,
}

pub(crate) fn fmt_lit(v: f64) -> String {
    let s = format!("{v:?}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

/// Precedences: atoms 10, unary 8, `as` 7, `* / %` 6, `+ -` 5, comparisons 3,
/// `&&` 2, `||` 1, `if` / blocks 0.
pub(crate) fn wrap(s: (String, u8), min: u8) -> String {
    if s.1 < min {
        format!("({})", s.0)
    } else {
        s.0
    }
}

pub(crate) struct Printer {
    pub(crate) out: String,
    pub(crate) ind: usize,
    pub(crate) fl: Flavor,
    /// The function returns a `Vec<f64>`: array results are written `vec![…]`
    /// and `a.to_vec()`.
    pub(crate) vec_ret: bool,
}

impl Printer {
    pub(crate) fn line(&mut self, s: &str) {
        for _ in 0..self.ind {
            self.out.push_str("    ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    /// The start of the oracle's folds that stand for `.sum::<f64>()`: `-0.0`, as
    /// `Sum for f64` starts, so that a sum of zeros keeps the sign `f64`'s has
    /// (`-0.0`; from `+0.0` it was `+0.0`, and `atan2(sum, -1.0)` then `π` against
    /// `f64`'s `-π`: seed 8001, p382).
    pub(crate) fn sum_zero(&self) -> String {
        self.lit(-0.0)
    }

    /// `name(args)` of a callee of the file's header, `name_dual(args, tr_)` in
    /// the oracle.
    pub(crate) fn header_call(&self, name: &str, args: &[String]) -> String {
        if self.fl == Flavor::Dual {
            let mut a = args.to_vec();
            a.push("tr_".into());
            format!("{name}_dual({})", a.join(", "))
        } else {
            format!("{name}({})", args.join(", "))
        }
    }

    pub(crate) fn lit(&self, v: f64) -> String {
        match self.fl {
            Flavor::F64 => fmt_lit(v),
            Flavor::Dual => format!("D::from({})", fmt_lit(v)),
        }
    }

    pub(crate) fn int(&self, i: &I) -> (String, u8) {
        match i {
            I::Lit(v) => (v.to_string(), 10),
            I::LitI32(v) if *v < 0 => (format!("-{}_i32", -v), 8),
            I::LitI32(v) => (format!("{v}_i32"), 10),
            I::Var(n) => (n.clone(), 10),
            I::Len(a) => (format!("{a}.len()"), 10),
            I::Bin(op, a, b) => {
                let p = if *op == '+' || *op == '-' { 5 } else { 6 };
                (
                    format!("{} {op} {}", wrap(self.int(a), p), wrap(self.int(b), p + 1)),
                    p,
                )
            }
            I::AsI32(a) => (format!("{} as i32", wrap(self.int(a), 8)), 7),
        }
    }

    /// `value`: the context needs an `f64` (not a `&f64`).
    pub(crate) fn ex(&self, e: &E, value: bool) -> (String, u8) {
        let dual = self.fl == Flavor::Dual;
        match e {
            E::Lit(v) => (self.lit(*v), 10),
            E::LitF64(v) => match self.fl {
                Flavor::F64 => (format!("{}f64", fmt_lit(*v)), 10),
                Flavor::Dual => (self.lit(*v), 10),
            },
            E::Var(n) => (n.clone(), 10),
            E::RVar(n) => {
                if value || dual {
                    (format!("*{n}"), 8)
                } else {
                    (n.clone(), 10)
                }
            }
            E::Neg(x) => (format!("-{}", wrap(self.ex(x, false), 9)), 8),
            E::Bin(op, a, b) => {
                if dual && *op == '%' {
                    return (
                        format!(
                            "dx_rem({}, {}, tr_)",
                            self.ex(a, true).0,
                            self.ex(b, true).0
                        ),
                        10,
                    );
                }
                let p = if *op == '+' || *op == '-' { 5 } else { 6 };
                (
                    format!(
                        "{} {op} {}",
                        wrap(self.ex(a, false), 8),
                        wrap(self.ex(b, false), 9)
                    ),
                    p,
                )
            }
            E::Call(name, args, style) => {
                let arg = |a: &Arg| match a {
                    Arg::F(e) => self.ex(e, true).0,
                    Arg::I(i) => self.int(i).0,
                    Arg::Ref(n, idx, amp) => {
                        let e = self.ex(&E::Idx(n.clone(), idx.clone()), true).0;
                        if *amp {
                            format!("&{e}")
                        } else {
                            e
                        }
                    }
                };
                if *style == Style::User {
                    let mut s: Vec<String> = args.iter().map(arg).collect();
                    if dual {
                        s.push("tr_".into());
                        return (format!("{name}_dual({})", s.join(", ")), 10);
                    }
                    return (format!("{name}({})", s.join(", ")), 10);
                }
                if dual {
                    let mut s: Vec<String> = args.iter().map(arg).collect();
                    s.push("tr_".into());
                    return (format!("dx_{name}({})", s.join(", ")), 10);
                }
                // a method on a bare literal does not compile (`{float}`): use the path
                let style = match (style, &args[0]) {
                    (Style::Method, Arg::F(recv)) if !anchored(recv) => &Style::Path,
                    _ => style,
                };
                match style {
                    Style::Method => {
                        let Arg::F(recv) = &args[0] else {
                            unreachable!()
                        };
                        let rest: Vec<String> = args[1..].iter().map(arg).collect();
                        (
                            format!(
                                "{}.{name}({})",
                                wrap(self.ex(recv, false), 10),
                                rest.join(", ")
                            ),
                            10,
                        )
                    }
                    Style::Path => {
                        let s: Vec<String> = args.iter().map(arg).collect();
                        (format!("f64::{name}({})", s.join(", ")), 10)
                    }
                    Style::Prim | Style::User => {
                        let s: Vec<String> = args.iter().map(arg).collect();
                        (format!("autodiff::{name}({})", s.join(", ")), 10)
                    }
                }
            }
            E::Idx(a, idx) => {
                let mut s = a.clone();
                for i in idx {
                    let _ = write!(s, "[{}]", self.int(i).0);
                }
                (s, 10)
            }
            E::Cast(i) => match self.fl {
                Flavor::F64 => (format!("{} as f64", wrap(self.int(i), 8)), 7),
                Flavor::Dual => (format!("D::from({} as f64)", wrap(self.int(i), 8)), 10),
            },
            E::If(c, a, b) => {
                let mut s = format!("if {} {{ {} }} else ", self.cond(c).0, self.ex(a, true).0);
                match &**b {
                    E::If(..) => s.push_str(&self.ex(b, true).0),
                    _ => {
                        let _ = write!(s, "{{ {} }}", self.ex(b, true).0);
                    }
                }
                (s, 0)
            }
            E::Block(stmts, e) => {
                let mut s = String::from("{ ");
                for st in stmts {
                    if let S::Let {
                        name,
                        mutable,
                        annot,
                        init,
                    } = st
                    {
                        let _ = write!(
                            s,
                            "let {}{name}{} = {}; ",
                            if *mutable { "mut " } else { "" },
                            if *annot { self.float_annot() } else { "" },
                            self.ex(init, true).0
                        );
                    }
                }
                let _ = write!(s, "{} }}", self.ex(e, true).0);
                (s, 0)
            }
            E::Red(r) => (self.red(r), 10),
            E::Const(c) => match self.fl {
                Flavor::F64 => (format!("std::f64::consts::{c}"), 10),
                Flavor::Dual => (format!("D::from(std::f64::consts::{c})"), 10),
            },
            E::Match(i, arms, d) => {
                let mut s = format!("match {} {{ ", self.int(i).0);
                for (k, e) in arms {
                    let _ = write!(s, "{k} => {}, ", self.ex(e, true).0);
                }
                let _ = write!(s, "_ => {} }}", self.ex(d, true).0);
                (s, 0)
            }
            E::Chain(c) => (self.chain(c), 10),
            E::Unreachable => ("unreachable!()".to_string(), 10),
            E::FMatch(s, t, c, a, b) => (
                format!(
                    "match {} {{ {t} if {} => {}, _ => {} }}",
                    self.ex(s, true).0,
                    self.cond(c).0,
                    self.ex(a, true).0,
                    self.ex(b, true).0
                ),
                0,
            ),
            E::Idiom(d) => (self.idiom(d), 10),
            E::Seq(q) => self.seq_e(q),
            E::Late(l) => self.late_e(l),
            E::Rec(r) => self.rec_e(r),
            E::R4(r) => self.r4_e(r),
            E::Val(v) => self.val_e(v),
            E::NoGrad(x) => match self.fl {
                Flavor::F64 => (format!("autodiff::no_grad({})", self.ex(x, true).0), 10),
                Flavor::Dual => (
                    format!(
                        "D::from(num_dual::DualStruct::re(&({})))",
                        self.ex(x, true).0
                    ),
                    10,
                ),
            },
            E::Apply(f, e) => match self.fl {
                Flavor::F64 => (format!("{f}({})", self.ex(e, true).0), 10),
                Flavor::Dual => (format!("{f}({}, tr_)", self.ex(e, true).0), 10),
            },
        }
    }

    pub(crate) fn float_annot(&self) -> &'static str {
        match self.fl {
            Flavor::F64 => ": f64",
            Flavor::Dual => ": D",
        }
    }

    pub(crate) fn chain(&self, c: &Chain) -> String {
        let dual = self.fl == Flavor::Dual;
        let mut s = match &c.src {
            ChainSrc::Arr(a, cloned) => {
                format!("{a}.iter(){}", if *cloned { ".cloned()" } else { "" })
            }
            ChainSrc::Range(n) => format!("(0..{n})"),
        };
        for (a, n) in &c.adapters {
            if *a == "rev" {
                s.push_str(".rev()");
            } else {
                let _ = write!(s, ".{a}({n})");
            }
        }
        let _ = write!(s, ".map(|{}| {})", c.param, self.ex(&c.body, true).0);
        match (c.reduce, dual) {
            (true, _) => {
                let half = self.lit(0.5);
                let _ = write!(s, ".reduce(|p_, q_| {half} * p_ + q_).unwrap()");
            }
            (false, false) => s.push_str(".sum::<f64>()"),
            (false, true) => {
                // `-0.0`, as `Sum for f64` starts (see `Printer::sum_zero`)
                let _ = write!(s, ".fold({}, |acc_, t_| acc_ + t_)", self.sum_zero());
            }
        }
        s
    }

    pub(crate) fn idiom(&self, d: &Idiom) -> String {
        let dual = self.fl == Flavor::Dual;
        let sum = if dual {
            format!(".fold({}, |acc_, t_| acc_ + t_)", self.sum_zero())
        } else {
            ".sum::<f64>()".to_string()
        };
        match d {
            Idiom::MapPath(a, v, k, name) => {
                let f = if dual {
                    format!("|t_| dx_{name}(t_, tr_)")
                } else {
                    format!("f64::{name}")
                };
                format!(
                    "{a}.iter().map(|&{v}| {} * {v}).map({f}){sum}",
                    self.lit(*k)
                )
            }
            Idiom::FoldPath(a, max) => {
                let (init, f) = if *max {
                    ("f64::NEG_INFINITY", "max")
                } else {
                    ("f64::INFINITY", "min")
                };
                if dual {
                    format!(
                        "{a}.iter().copied().fold(D::from({init}), |p_, q_| dx_{f}(p_, q_, tr_))"
                    )
                } else {
                    format!("{a}.iter().copied().fold({init}, f64::{f})")
                }
            }
            Idiom::MapNamed(a, f) => {
                if dual {
                    format!("{a}.iter().copied().map(|t_| {f}(t_, tr_)){sum}")
                } else {
                    format!("{a}.iter().copied().map({f}){sum}")
                }
            }
            Idiom::FoldNamed(a, init, g) => {
                if dual {
                    format!(
                        "{a}.iter().copied().fold({}, |acc_, t_| {g}(acc_, t_, tr_))",
                        self.lit(*init)
                    )
                } else {
                    format!("{a}.iter().copied().fold({}, {g})", self.lit(*init))
                }
            }
            Idiom::MaxBy(a, max, total, p, q) => {
                if dual {
                    // `max_by` gives the last of equal maxima, `min_by` the first minimum
                    let take = if *max {
                        "dx_ge(q_, p_, tr_)"
                    } else {
                        "dx_lt(q_, p_, tr_)"
                    };
                    format!("{a}.iter().copied().reduce(|p_, q_| if {take} {{ q_ }} else {{ p_ }}).unwrap()")
                } else {
                    let m = if *max { "max_by" } else { "min_by" };
                    let cmp = if *total {
                        format!("{p}.total_cmp({q})")
                    } else {
                        format!("{p}.partial_cmp({q}).unwrap()")
                    };
                    format!("{a}.iter().copied().{m}(|{p}, {q}| {cmp}).unwrap()")
                }
            }
        }
    }

    pub(crate) fn red(&self, r: &Red) -> String {
        let dual = self.fl == Flavor::Dual;
        let mut s = format!("{}.iter()", r.arrs[0]);
        if r.copied {
            s.push_str(".copied()");
        }
        if r.enumerate {
            s.push_str(".enumerate()");
        }
        if r.arrs.len() > 1 {
            let _ = write!(s, ".zip({}.iter())", r.arrs[1]);
        }
        let pat = if r.params.len() == 2 {
            format!("({}, {})", r.params[0], r.params[1])
        } else if r.ref_pat {
            format!("&{}", r.params[0])
        } else {
            r.params[0].clone()
        };
        let zero = self.sum_zero();
        let one = self.lit(1.0);
        // the plain element of `.sum()` / `.product()` in the dual flavor
        let elem = if r.copied { "t_" } else { "*t_" };
        match &r.kind {
            RK::Sum => {
                if dual {
                    let _ = write!(s, ".fold({zero}, |acc_, t_| acc_ + {elem})");
                } else {
                    s.push_str(".sum::<f64>()");
                }
            }
            RK::Product => {
                if dual {
                    let _ = write!(s, ".fold({one}, |acc_, t_| acc_ * {elem})");
                } else {
                    s.push_str(".product::<f64>()");
                }
            }
            RK::MapSum(e) | RK::MapProduct(e) => {
                let _ = write!(s, ".map(|{pat}| {})", self.ex(e, true).0);
                let is_sum = matches!(r.kind, RK::MapSum(_));
                if dual {
                    if is_sum {
                        let _ = write!(s, ".fold({zero}, |acc_, t_| acc_ + t_)");
                    } else {
                        let _ = write!(s, ".fold({one}, |acc_, t_| acc_ * t_)");
                    }
                } else if is_sum {
                    s.push_str(".sum::<f64>()");
                } else {
                    s.push_str(".product::<f64>()");
                }
            }
            RK::Fold(init, acc, body) => {
                let _ = write!(
                    s,
                    ".fold({}, |{acc}, {pat}| {})",
                    self.ex(init, true).0,
                    self.ex(body, true).0
                );
            }
        }
        s
    }

    pub(crate) fn cond(&self, c: &C) -> (String, u8) {
        let dual = self.fl == Flavor::Dual;
        match c {
            C::Cmp(op, a, b) => {
                if dual {
                    let f = match *op {
                        "<" => "lt",
                        ">" => "gt",
                        "<=" => "le",
                        _ => "ge",
                    };
                    (
                        format!(
                            "dx_{f}({}, {}, tr_)",
                            self.ex(a, true).0,
                            self.ex(b, true).0
                        ),
                        10,
                    )
                } else {
                    (
                        format!(
                            "{} {op} {}",
                            wrap(self.ex(a, true), 8),
                            wrap(self.ex(b, true), 8)
                        ),
                        3,
                    )
                }
            }
            C::ICmp(op, a, b) => (
                format!("{} {op} {}", wrap(self.int(a), 5), wrap(self.int(b), 5)),
                3,
            ),
            C::And(a, b) => (
                format!("{} && {}", wrap(self.cond(a), 3), wrap(self.cond(b), 3)),
                2,
            ),
            C::Or(a, b) => (
                format!("{} || {}", wrap(self.cond(a), 3), wrap(self.cond(b), 3)),
                1,
            ),
            C::Not(a) => (format!("!{}", wrap(self.cond(a), 8)), 8),
            C::Sign(pos, e) => {
                let m = if *pos {
                    "is_sign_positive"
                } else {
                    "is_sign_negative"
                };
                if dual {
                    (format!("dx_{m}({}, tr_)", self.ex(e, true).0), 10)
                } else {
                    (format!("{}.{m}()", wrap(self.ex(e, false), 10)), 10)
                }
            }
            C::Bool(n) => (n.clone(), 10),
            C::Class(m, e) => {
                let neg = if *m == "is_finite" { "" } else { "!" };
                if dual {
                    (format!("{neg}dx_{m}({}, tr_)", self.ex(e, true).0), 8)
                } else if anchored(e) {
                    (format!("{neg}{}.{m}()", wrap(self.ex(e, false), 10)), 8)
                } else {
                    (format!("{neg}f64::{m}({})", self.ex(e, true).0), 8)
                }
            }
            C::CharIs(c, ch) => (format!("{c} == {ch:?}"), 3),
            C::Seq(q) => self.seq_c(q),
            C::IsEmpty(a) => (format!("{a}.is_empty()"), 10),
            C::Contains(x, lo, hi, incl) => self.contains(x, lo, hi, *incl),
            C::Matches(i, ks) => {
                let ks: Vec<String> = ks.iter().map(|k| k.to_string()).collect();
                (
                    format!("matches!({}, {})", self.int(i).0, ks.join(" | ")),
                    10,
                )
            }
        }
    }

    pub(crate) fn result(&self, r: &R) -> String {
        match r {
            R::S(e) => self.ex(e, true).0,
            R::A(es) => {
                let s: Vec<String> = es.iter().map(|e| self.ex(e, true).0).collect();
                let vec = if self.vec_ret { "vec!" } else { "" };
                format!("{vec}[{}]", s.join(", "))
            }
            R::AVar(n) if self.vec_ret => format!("{n}.to_vec()"),
            R::AVar(n) => n.clone(),
            R::T(a, b) => format!("({}, {})", self.ex(a, true).0, self.ex(b, true).0),
        }
    }

    pub(crate) fn lv(&self, lv: &LV) -> String {
        match lv {
            LV::Var(n) => n.clone(),
            LV::Idx(a, idx) => self.ex(&E::Idx(a.clone(), idx.clone()), true).0,
        }
    }

    pub(crate) fn stmts(&mut self, ss: &[S]) {
        for s in ss {
            self.stmt(s);
        }
    }

    pub(crate) fn block(&mut self, head: &str, body: &[S]) {
        self.line(&format!("{head} {{"));
        self.ind += 1;
        self.stmts(body);
        self.ind -= 1;
    }

    pub(crate) fn stmt(&mut self, s: &S) {
        let dual = self.fl == Flavor::Dual;
        match s {
            S::Let {
                name,
                mutable,
                annot,
                init,
            } => {
                let l = format!(
                    "let {}{name}{} = {};",
                    if *mutable { "mut " } else { "" },
                    if *annot { self.float_annot() } else { "" },
                    self.ex(init, true).0
                );
                self.line(&l);
            }
            S::LetTup(p, q, a, b) => {
                let l = format!(
                    "let ({p}, {q}) = ({}, {});",
                    self.ex(a, true).0,
                    self.ex(b, true).0
                );
                self.line(&l);
            }
            S::LetArr {
                name,
                mutable,
                annot,
                init,
            } => {
                let init = match init {
                    AInit::Zeros(n, None) => format!("[{}; {n}]", self.lit(0.0)),
                    AInit::Zeros(n, Some(m)) => format!("[[{}; {m}]; {n}]", self.lit(0.0)),
                    AInit::Lit(es) => {
                        let s: Vec<String> = es.iter().map(|e| self.ex(e, true).0).collect();
                        format!("[{}]", s.join(", "))
                    }
                    AInit::Copy(a, by_ref) => {
                        if *by_ref {
                            format!("*{a}")
                        } else {
                            a.clone()
                        }
                    }
                    AInit::Splat(e, n) => format!("[{}; {n}]", self.ex(e, true).0),
                    AInit::Replace(a, b) => format!("std::mem::replace(&mut {a}, {b})"),
                    AInit::Call(e) => self.ex(e, true).0,
                };
                let annot = match (annot, dual) {
                    (Some(t), false) => format!(": {t}"),
                    (Some(t), true) => format!(": {}", t.replace("f64", "D")),
                    (None, _) => String::new(),
                };
                let l = format!(
                    "let {}{name}{annot} = {init};",
                    if *mutable { "mut " } else { "" }
                );
                self.line(&l);
            }
            S::Counter(c) => self.line(&format!("let mut {c} = 0;")),
            S::Const(n, v) => {
                if dual {
                    let l = format!("let {n}: D = {};", self.lit(*v));
                    self.line(&l);
                } else {
                    self.line(&format!("const {n}: f64 = {};", fmt_lit(*v)));
                }
            }
            S::Assign(lv, op, e) => {
                let t = self.lv(lv);
                let v = self.ex(e, true).0;
                let l = match op {
                    '=' => format!("{t} = {v};"),
                    '%' if dual => format!("{t} = dx_rem({t}, {v}, tr_);"),
                    op => format!("{t} {op}= {v};"),
                };
                self.line(&l);
            }
            S::Inc(c) => self.line(&format!("{c} += 1;")),
            S::If(arms, els) => {
                for (k, (c, body)) in arms.iter().enumerate() {
                    let c = self.cond(c).0;
                    if k == 0 {
                        self.block(&format!("if {c}"), body);
                    } else {
                        self.ind += 0;
                        let head = format!("}} else if {c}");
                        self.block(&head, body);
                    }
                }
                if let Some(e) = els {
                    self.block("} else", e);
                }
                self.line("}");
            }
            S::For(head, body) => {
                let h = match head {
                    Head::Range(i, lo, hi, incl) => format!(
                        "for {i} in {}{}{}",
                        wrap(self.int(lo), 6),
                        if *incl { "..=" } else { ".." },
                        wrap(self.int(hi), 6)
                    ),
                    Head::Iter(v, a, by_pat) => {
                        format!("for {}{v} in {a}.iter()", if *by_pat { "&" } else { "" })
                    }
                    Head::Enum(i, v, a) => format!("for ({i}, {v}) in {a}.iter().enumerate()"),
                    Head::Zip(p, q, a, b) => {
                        format!("for ({p}, {q}) in {a}.iter().zip({b}.iter())")
                    }
                    Head::Rows(r, w) => format!("for {r} in {w}.iter()"),
                    Head::Rev(i, lo, hi) => format!(
                        "for {i} in ({}..{}).rev()",
                        wrap(self.int(lo), 6),
                        wrap(self.int(hi), 6)
                    ),
                };
                self.block(&h, body);
                self.line("}");
            }
            S::While(c, body) => {
                let c = self.cond(c).0;
                self.block(&format!("while {c}"), body);
                self.line("}");
            }
            S::Break => self.line("break;"),
            S::MemSwap(a, b) => self.line(&format!("std::mem::swap(&mut {a}, &mut {b});")),
            S::SinCos(p, q, e) => {
                let l = if dual {
                    let e = self.ex(e, true).0;
                    format!("let ({p}, {q}) = (dx_sin({e}, tr_), dx_cos({e}, tr_));")
                } else if anchored(e) {
                    format!(
                        "let ({p}, {q}) = {}.sin_cos();",
                        wrap(self.ex(e, false), 10)
                    )
                } else {
                    format!("let ({p}, {q}) = f64::sin_cos({});", self.ex(e, true).0)
                };
                self.line(&l);
            }
            S::TupCall(p, q, e) => {
                let l = format!("let ({p}, {q}) = {};", self.ex(e, true).0);
                self.line(&l);
            }
            S::Assert(debug, c) => {
                let m = if *debug { "debug_assert" } else { "assert" };
                let l = format!("{m}!({});", self.cond(c).0);
                self.line(&l);
            }
            S::Closure(f, z, e) => {
                let l = if dual {
                    format!("let {f} = |{z}: D, tr_: &mut Tr| {};", self.ex(e, true).0)
                } else {
                    format!("let {f} = |{z}: f64| {};", self.ex(e, true).0)
                };
                self.line(&l);
            }
            S::Closure2(g, acc, z, e) => {
                let l = if dual {
                    format!(
                        "let {g} = |{acc}: D, {z}: D, tr_: &mut Tr| {};",
                        self.ex(e, true).0
                    )
                } else {
                    format!("let {g} = |{acc}: f64, {z}: f64| {};", self.ex(e, true).0)
                };
                self.line(&l);
            }
            S::Print(m, e) => {
                let v = self.ex(e, true).0;
                let l = match (dual, *m, e) {
                    (true, _, _) => format!("let _ = {v};"),
                    (false, "dbg", _) => format!("dbg!({v});"),
                    (false, m, E::Var(n)) => format!("{m}!(\"{n} = {{{n}}}\");"),
                    (false, m, _) => format!("{m}!(\"{{}}\", {v});"),
                };
                self.line(&l);
            }
            S::Continue => self.line("continue;"),
            S::Seq(q) => self.seq_s(q),
            S::Late(l) => self.late_s(l),
            S::Rec(r) => self.rec_s(r),
            S::R4(r) => self.r4_s(r),
            S::Val(v) => self.val_s(v),
            S::Return(r) => {
                let l = format!("return {};", self.result(r));
                self.line(&l);
            }
        }
    }
}
