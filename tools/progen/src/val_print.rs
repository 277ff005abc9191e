//! Printing the constructs of `values.rs`: as written (`f64`) and in the oracle,
//! where `Sv` is `SvD<D>`, a method `m` is `m_dual(…, tr_)`, `Sv::unit()` and
//! `Sv::default()` are `sv_unit::<D>()` and `sv_zero::<D>()`, a read of a `const`
//! table is `D::from(…)`, a closure takes `tr_` and a sum is the oracle's fold.

use crate::ast::*;
use crate::printer::*;

impl Printer {
    fn val_dual(&self) -> bool {
        self.fl == Flavor::Dual
    }

    /// A receiver: a `&Sv` parameter by its name (method calls dereference it),
    /// a literal or an `if` parenthesized.
    fn recv(&self, x: &SvX) -> String {
        match x {
            SvX::Deref(p) => p.clone(),
            SvX::Lit(..) | SvX::If(..) => format!("({})", self.sv(x)),
            _ => self.sv(x),
        }
    }

    /// `&x` for a place, `x` for a `&Sv` parameter.
    fn sv_ref(&self, x: &SvX) -> String {
        match x {
            SvX::Deref(p) => p.clone(),
            _ => format!("&{}", self.sv(x)),
        }
    }

    /// A value of `Sv`.
    pub(crate) fn sv(&self, x: &SvX) -> String {
        let dual = self.val_dual();
        match x {
            SvX::Var(n) => n.clone(),
            SvX::Deref(n) => format!("*{n}"),
            SvX::Elem(s, i) => format!("{s}[{}]", self.int(i).0),
            SvX::Lit(a, [v0, v1]) => format!(
                "{} {{ a: {}, v: [{}, {}] }}",
                if dual { "SvD" } else { "Sv" },
                self.ex(a, true).0,
                self.ex(v0, true).0,
                self.ex(v1, true).0
            ),
            SvX::Make(x, y) => self.header_call("smake", &[self.ex(x, true).0, self.ex(y, true).0]),
            SvX::Unit if dual => "sv_unit::<D>()".into(),
            SvX::Unit => "Sv::unit()".into(),
            SvX::Default if dual => "sv_zero::<D>()".into(),
            SvX::Default => "Sv::default()".into(),
            SvX::Method(r, m, k) => format!(
                "{}.{}",
                self.recv(r),
                self.header_call(m, &[self.ex(k, true).0])
            ),
            SvX::Compose(r, o) => format!(
                "{}.{}",
                self.recv(r),
                self.header_call("compose", &[self.sv(o)])
            ),
            SvX::If(c, a, b) => format!(
                "if {} {{ {} }} else {{ {} }}",
                self.cond(c).0,
                self.sv(a),
                self.sv(b)
            ),
        }
    }

    /// `.sum::<f64>()`, or the oracle's fold.
    fn val_sum(&self) -> String {
        if self.val_dual() {
            format!(".fold({}, |acc_, t_| acc_ + t_)", self.sum_zero())
        } else {
            ".sum::<f64>()".to_string()
        }
    }

    /// A read of a `const` table's row, `D::from(…)` in the oracle.
    fn tab(&self, s: String) -> (String, u8) {
        if self.val_dual() {
            (format!("D::from({s})"), 10)
        } else {
            (s, 10)
        }
    }

    fn row_read(r: &RowRead) -> String {
        match r {
            RowRead::Field(f) => format!(".{f}"),
            RowRead::Idx(j) => format!("[{j}]"),
        }
    }

    /// `if c { return e; }` lines (an `else if` chain when `chain`), then `tail`,
    /// as a block's body on one line.
    fn returns_then(&self, rets: &[(C, E)], chain: bool, tail: &E) -> String {
        let mut s = String::new();
        for (k, (c, e)) in rets.iter().enumerate() {
            let head = if k > 0 && chain { " else if" } else { "if" };
            if k > 0 && !chain {
                s.push(' ');
            }
            s.push_str(&format!(
                "{head} {} {{ return {}; }}",
                self.cond(c).0,
                self.ex(e, true).0
            ));
        }
        format!("{s} {}", self.ex(tail, true).0)
    }

    pub(crate) fn val_e(&self, e: &ValE) -> (String, u8) {
        match e {
            ValE::Call(r, m, x, path) => {
                let x = self.ex(x, true).0;
                if *path {
                    let ty = if self.val_dual() { "SvD" } else { "Sv" };
                    let recv = if *m == "tension" {
                        self.sv(r)
                    } else {
                        self.sv_ref(r)
                    };
                    (format!("{ty}::{}", self.header_call(m, &[recv, x])), 10)
                } else {
                    (
                        format!("{}.{}", self.recv(r), self.header_call(m, &[x])),
                        10,
                    )
                }
            }
            ValE::Place(r, p, j) => {
                let p = format!("[{}, {}]", self.ex(&p[0], true).0, self.ex(&p[1], true).0);
                (
                    format!("{}.{}[{j}]", self.recv(r), self.header_call("place", &[p])),
                    10,
                )
            }
            ValE::Norm(x) => (self.header_call("snorm", &[self.sv_ref(x)]), 10),
            ValE::Field(x, j) => {
                let f = match j {
                    Some(j) => format!(".v[{j}]"),
                    None => ".a".into(),
                };
                (format!("{}{f}", self.recv(x)), 10)
            }
            ValE::MapCall(ss, s, m, x) => (
                format!(
                    "{ss}.iter().map(|{s}| {s}.{}){}",
                    self.header_call(m, &[self.ex(x, true).0]),
                    self.val_sum()
                ),
                10,
            ),
            ValE::Whole(x) => (self.sv(x), 0),
            ValE::Row(row, r) => self.tab(format!("{row}{}", Self::row_read(r))),
            ValE::Tab(t, i, r) => self.tab(format!("{t}[{}]{}", self.int(i).0, Self::row_read(r))),
            ValE::MapRet(a, v, rets, body) => (
                format!(
                    "{a}.iter().map(|&{v}| {{ {} }}){}",
                    self.returns_then(rets, false, body),
                    self.val_sum()
                ),
                10,
            ),
        }
    }

    pub(crate) fn val_s(&mut self, s: &ValS) {
        let dual = self.val_dual();
        match s {
            ValS::Let(n, mutable, annot, x) => {
                let annot = match (annot, dual) {
                    (true, false) => ": Sv",
                    (true, true) => ": SvD<D>",
                    (false, _) => "",
                };
                let l = format!(
                    "let {}{n}{annot} = {};",
                    if *mutable { "mut " } else { "" },
                    self.sv(x)
                );
                self.line(&l);
            }
            ValS::Assign(n, x) => {
                let l = format!("{n} = {};", self.sv(x));
                self.line(&l);
            }
            ValS::SetArr(f, [e0, e1]) => {
                let l = format!("{f} = [{}, {}];", self.ex(e0, true).0, self.ex(e1, true).0);
                self.line(&l);
            }
            ValS::ClosureRet(f, t, rets, chain, body) => {
                let (params, ty) = if dual {
                    (format!("{t}: D, tr_: &mut Tr"), "D")
                } else {
                    (format!("{t}: f64"), "f64")
                };
                self.line(&format!("let {f} = |{params}| -> {ty} {{"));
                self.ind += 1;
                for (k, (c, e)) in rets.iter().enumerate() {
                    let c = self.cond(c).0;
                    let head = if k > 0 && *chain {
                        format!("}} else if {c}")
                    } else {
                        if k > 0 {
                            self.line("}");
                        }
                        format!("if {c}")
                    };
                    let e = self.ex(e, true).0;
                    self.line(&format!("{head} {{"));
                    self.ind += 1;
                    self.line(&format!("return {e};"));
                    self.ind -= 1;
                }
                if !rets.is_empty() {
                    self.line("}");
                }
                let body = self.ex(body, true).0;
                self.line(&body);
                self.ind -= 1;
                self.line("};");
            }
            ValS::Tab(head, body) => {
                let h = match head {
                    TabHead::Rows(row, t) => format!("for {row} in {t}.iter()"),
                    TabHead::Zip(row, q, t, a) => {
                        format!("for ({row}, {q}) in {t}.iter().zip({a}.iter())")
                    }
                    TabHead::Enum(i, row, t) => {
                        format!("for ({i}, {row}) in {t}.iter().enumerate()")
                    }
                };
                self.block(&h, body);
                self.line("}");
            }
        }
    }
}
