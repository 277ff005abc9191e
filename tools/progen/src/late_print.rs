//! Printing the constructs of `late.rs`: as written (`f64`) and in the oracle,
//! where `Lp` is `LpD<D>`, a callee `lmake` is `lmake_dual(…, tr_)`, and a
//! `Vec<f64>` is a `Vec<D>`; the rest prints alike (the conditions report to the
//! tracker through `Printer::cond`).

use crate::ast::*;
use crate::printer::*;
use std::fmt::Write as _;

impl Printer {
    fn late_dual(&self) -> bool {
        self.fl == Flavor::Dual
    }

    fn late_ty(&self, t: &str) -> String {
        if self.late_dual() {
            t.replace("Lp", "LpD<D>").replace("f64", "D")
        } else {
            t.to_string()
        }
    }

    pub(crate) fn late_e(&self, e: &LateE) -> (String, u8) {
        match e {
            LateE::UnwrapOr(m, d) => (format!("{m}.unwrap_or({})", self.ex(d, true).0), 10),
            LateE::IfLet(m, v, a, b) => (
                format!(
                    "if let Some({v}) = {m} {{ {} }} else {{ {} }}",
                    self.ex(a, true).0,
                    self.ex(b, true).0
                ),
                0,
            ),
            LateE::Match(m, v, g, a, b, c) => (
                format!(
                    "match {m} {{ Some({v}) if {} => {}, Some({v}) => {}, None => {} }}",
                    self.cond(g).0,
                    self.ex(a, true).0,
                    self.ex(b, true).0,
                    self.ex(c, true).0
                ),
                0,
            ),
            LateE::Whole(s, by_ref) => {
                let (name, arg) = if *by_ref {
                    ("lnorm", format!("&{s}"))
                } else {
                    ("lnormv", s.clone())
                };
                (self.header_call(name, &[arg]), 10)
            }
        }
    }

    pub(crate) fn late_s(&mut self, s: &LateS) {
        match s {
            LateS::LetOpt(m, c, e) => {
                let l = format!(
                    "let {m} = if {} {{ Some({}) }} else {{ None }};",
                    self.cond(c).0,
                    self.ex(e, true).0
                );
                self.line(&l);
            }
            LateS::OptLoop(m, v, a, c, e) => {
                self.line(&format!("let mut {m} = None;"));
                self.line(&format!("for {v} in {a}.iter() {{"));
                self.ind += 1;
                let l = format!("if {} {{", self.cond(c).0);
                self.line(&l);
                self.ind += 1;
                let l = format!("{m} = Some({});", self.ex(e, true).0);
                self.line(&l);
                self.ind -= 1;
                self.line("}");
                self.ind -= 1;
                self.line("}");
            }
            LateS::LetStruct(n, mutable, a, [v0, v1]) => {
                let ty = if self.late_dual() { "LpD" } else { "Lp" };
                let l = format!(
                    "let {}{n} = {ty} {{ a: {}, v: [{}, {}] }};",
                    if *mutable { "mut " } else { "" },
                    self.ex(a, true).0,
                    self.ex(v0, true).0,
                    self.ex(v1, true).0
                );
                self.line(&l);
            }
            LateS::LetStructCall(q, annot, x, y) => {
                let annot = if *annot {
                    format!(": {}", self.late_ty("Lp"))
                } else {
                    String::new()
                };
                let call = self.header_call("lmake", &[self.ex(x, true).0, self.ex(y, true).0]);
                self.line(&format!("let {q}{annot} = {call};"));
            }
            LateS::LetShift(q2, q, k) => {
                let call = self.header_call("lshift", &[q.clone(), self.ex(k, true).0]);
                self.line(&format!("let {q2} = {call};"));
            }
            LateS::LetVec(v, annot, cap) => {
                let annot = if *annot {
                    format!(": {}", self.late_ty("Vec<f64>"))
                } else {
                    String::new()
                };
                let init = match cap {
                    Some(n) => format!("Vec::with_capacity({})", self.int(n).0),
                    None => "Vec::new()".to_string(),
                };
                self.line(&format!("let mut {v}{annot} = {init};"));
            }
            LateS::Push(v, e) => {
                let l = format!("{v}.push({});", self.ex(e, true).0);
                self.line(&l);
            }
            LateS::LetVecCall(h, annot, callee, arg, k) => {
                let annot = if *annot {
                    format!(": {}", self.late_ty("Vec<f64>"))
                } else {
                    String::new()
                };
                let a = match arg {
                    Arg::Ref(n, _, true) => format!("&{n}"),
                    Arg::Ref(n, _, false) => n.clone(),
                    Arg::F(e) => self.ex(e, true).0,
                    Arg::I(i) => self.int(i).0,
                };
                let call = self.header_call(callee, &[a, self.ex(k, true).0]);
                self.line(&format!("let {h}{annot} = {call};"));
            }
            LateS::OutCall(r, callee, x, o) => {
                let call = self.header_call(callee, &[self.ex(x, true).0, format!("&mut {o}")]);
                let mut l = String::new();
                if let Some(r) = r {
                    let _ = write!(l, "let {r}{} = ", self.float_annot());
                }
                let _ = write!(l, "{call};");
                self.line(&l);
            }
            LateS::Map(m, annot, a, t, body) => {
                let annot = match annot {
                    Some(n) => format!(": {}", self.late_ty(&format!("[f64; {n}]"))),
                    None => String::new(),
                };
                let l = format!("let {m}{annot} = {a}.map(|{t}| {});", self.ex(body, true).0);
                self.line(&l);
            }
        }
    }
}
