//! Printing the constructs of `records.rs`: as written (`f64`) and in the oracle,
//! where sums are folds of dual numbers, lengths `D::from(… as f64)`, `Lp`'s
//! defaults written out (`LpD { a: D::from(0.0), … }`), `Acc::default()` is
//! `acc_d::<D>()`, an `Option<f64>` parameter is `ow.map(D::from)` and a function
//! path `f64::sin` the oracle's `dx_sin`.

use crate::ast::*;
use crate::printer::*;
use std::fmt::Write as _;

impl Printer {
    fn rec_dual(&self) -> bool {
        self.fl == Flavor::Dual
    }

    /// `.sum::<f64>()`, or the oracle's fold.
    fn rec_sum(&self) -> String {
        if self.rec_dual() {
            format!(".fold({}, |acc_, t_| acc_ + t_)", self.sum_zero())
        } else {
            ".sum::<f64>()".to_string()
        }
    }

    fn rec_path(&self, src: &str, idx: &[I]) -> String {
        let mut s = src.to_string();
        for i in idx {
            let _ = write!(s, "[{}]", self.int(i).0);
        }
        s
    }

    fn opt_src(&self, o: &OptSrc) -> String {
        match o {
            OptSrc::Local(n) => n.clone(),
            OptSrc::Data(n) if self.rec_dual() => format!("{n}.map(D::from)"),
            OptSrc::Data(n) => n.clone(),
        }
    }

    pub(crate) fn rec_e(&self, e: &RecE) -> (String, u8) {
        let sum = self.rec_sum();
        match e {
            RecE::RowDot(w, i, x, p, q) => {
                let prod = if self.rec_dual() {
                    format!("*{p} * *{q}")
                } else {
                    format!("{p} * {q}")
                };
                (
                    format!(
                        "{}.iter().zip({x}.iter()).map(|({p}, {q})| {prod}){sum}",
                        self.rec_path(w, std::slice::from_ref(i))
                    ),
                    10,
                )
            }
            RecE::IterSum(src, idx, v, body) => (
                format!(
                    "{}.iter().map(|{v}| {}){sum}",
                    self.rec_path(src, idx),
                    self.ex(body, true).0
                ),
                10,
            ),
            RecE::Len(src, idx) => {
                let len = format!("{}.len() as f64", self.rec_path(src, idx));
                if self.rec_dual() {
                    (format!("D::from({len})"), 10)
                } else {
                    (len, 7)
                }
            }
            RecE::PtField(ps, i, j) => {
                let mut s = format!("{ps}[{}]", self.int(i).0);
                match j {
                    Some(j) => {
                        let _ = write!(s, ".f[{}]", self.int(j).0);
                    }
                    None => s.push_str(".x"),
                }
                (s, 10)
            }
            RecE::PtSum(ps, p, body) => (
                format!("{ps}.iter().map(|{p}| {}){sum}", self.ex(body, true).0),
                10,
            ),
            RecE::PairField(pts, i, f) => (format!("{pts}[{}].{f}", self.int(i).0), 10),
            RecE::PairSum(pts, a, b, body) => (
                format!(
                    "{pts}.iter().map(|&({a}, {b})| {}){sum}",
                    self.ex(body, true).0
                ),
                10,
            ),
            RecE::OptMap(o, v, body, d) => (
                format!(
                    "{}.map(|{v}| {}).unwrap_or({})",
                    self.opt_src(o),
                    self.ex(body, true).0,
                    self.ex(d, true).0
                ),
                10,
            ),
            RecE::OptMapOr(o, v, body, d) => (
                format!(
                    "{}.map_or({}, |{v}| {})",
                    self.opt_src(o),
                    self.ex(d, true).0,
                    self.ex(body, true).0
                ),
                10,
            ),
            RecE::OptAndThen(o, v, c, body, d) => (
                format!(
                    "{}.and_then(|{v}| if {} {{ Some({}) }} else {{ None }}).unwrap_or({})",
                    self.opt_src(o),
                    self.cond(c).0,
                    self.ex(body, true).0,
                    self.ex(d, true).0
                ),
                10,
            ),
            RecE::OptUnwrapOrElse(o, e) => (
                format!(
                    "{}.unwrap_or_else(|| {})",
                    self.opt_src(o),
                    self.ex(e, true).0
                ),
                10,
            ),
            RecE::OptMapPath(o, f, d) => {
                let path = if self.rec_dual() {
                    format!("|t_| dx_{f}(t_, tr_)")
                } else {
                    format!("f64::{f}")
                };
                (
                    format!(
                        "{}.map({path}).unwrap_or({})",
                        self.opt_src(o),
                        self.ex(d, true).0
                    ),
                    10,
                )
            }
        }
    }

    /// `let mut acc = 0.0;` and a loop header; the body is added by the caller.
    fn acc_loop_head(&mut self, acc: &str, head: &str) {
        let l = format!("let mut {acc}{} = {};", self.float_annot(), self.lit(0.0));
        self.line(&l);
        self.line(&format!("{head} {{"));
        self.ind += 1;
    }

    fn acc_add(&mut self, acc: &str, body: &E) {
        let l = format!("{acc} += {};", self.ex(body, true).0);
        self.line(&l);
        self.ind -= 1;
        self.line("}");
    }

    pub(crate) fn rec_s(&mut self, s: &RecS) {
        let dual = self.rec_dual();
        match s {
            RecS::RowsLoop(acc, row, rows, j, t, body) => {
                self.acc_loop_head(acc, &format!("for {row} in {rows}.iter()"));
                self.line(&format!("let {t} = {row}[{j}];"));
                self.acc_add(acc, body);
            }
            RecS::PtLoop(acc, p, ps, bare, body) => {
                let src = if *bare {
                    ps.clone()
                } else {
                    format!("{ps}.iter()")
                };
                self.acc_loop_head(acc, &format!("for {p} in {src}"));
                self.acc_add(acc, body);
            }
            RecS::PairLoop(acc, a, b, pts, bare, body) => {
                let src = if *bare {
                    pts.clone()
                } else {
                    format!("{pts}.iter()")
                };
                self.acc_loop_head(acc, &format!("for &({a}, {b}) in {src}"));
                self.acc_add(acc, body);
            }
            RecS::LetPair(a, b, pts, i) => {
                let l = format!("let ({a}, {b}) = {pts}[{}];", self.int(i).0);
                self.line(&l);
            }
            RecS::LetDefault(s, form, vals) => {
                let v: Vec<String> = vals.iter().map(|e| self.ex(e, true).0).collect();
                let l = if dual {
                    let zero = self.lit(0.0);
                    let (a, vv) = match form {
                        DefaultForm::UpdateA => (v[0].clone(), format!("[{zero}; 2]")),
                        DefaultForm::UpdateV => (zero.clone(), format!("[{}, {}]", v[0], v[1])),
                        _ => (zero.clone(), format!("[{zero}; 2]")),
                    };
                    let annot = if *form == DefaultForm::Annotated {
                        ": LpD<D>"
                    } else {
                        ""
                    };
                    format!("let mut {s}{annot} = LpD {{ a: {a}, v: {vv} }};")
                } else {
                    match form {
                        DefaultForm::Path => format!("let mut {s} = Lp::default();"),
                        DefaultForm::Annotated => {
                            format!("let mut {s}: Lp = Default::default();")
                        }
                        DefaultForm::UpdateA => {
                            format!("let mut {s} = Lp {{ a: {}, ..Default::default() }};", v[0])
                        }
                        DefaultForm::UpdateV => format!(
                            "let mut {s} = Lp {{ v: [{}, {}], ..Lp::default() }};",
                            v[0], v[1]
                        ),
                    }
                };
                self.line(&l);
            }
            RecS::AccLoop(acc, a, e, s1, h) => {
                let init = if dual {
                    format!("let mut {acc} = acc_d::<D>();")
                } else {
                    format!("let mut {acc} = Acc::default();")
                };
                self.line(&init);
                self.line(&format!("for {e} in {a}.iter() {{"));
                self.ind += 1;
                let l = format!("{acc}.sum += {};", self.ex(s1, true).0);
                self.line(&l);
                self.line(&format!("{acc}.n += 1;"));
                if let Some((k, s2)) = h {
                    let l = format!("{acc}.h[{k}] += {};", self.ex(s2, true).0);
                    self.line(&l);
                }
                self.ind -= 1;
                self.line("}");
            }
            RecS::LetOpt(o, c, e) => {
                let l = format!(
                    "let {o} = if {} {{ Some({}) }} else {{ None }};",
                    self.cond(c).0,
                    self.ex(e, true).0
                );
                self.line(&l);
            }
        }
    }
}
