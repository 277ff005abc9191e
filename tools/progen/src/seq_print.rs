//! Printing the constructs of `seqs.rs`: as written (`f64`) and in the oracle.
//!
//! The oracle reports every comparison of a predicate to the tracker (`dx_gt(*v,
//! t, tr_)`), so that a point near a flip of `filter`, `any` or `position` is drawn
//! again. A closure that reports can be the only one of its chain (each holds
//! `tr_`): `any`, `all`, `position` and a tuple `fold` keep their form, and a
//! `filter` followed by a `map` or a `fold`, or a `count`, is a loop over the same
//! items in the same order (`sum` starts at `-0.0`, the loop at `0.0`: the same sum).

use crate::ast::*;
use crate::printer::*;
use std::fmt::Write as _;

impl Printer {
    fn dual(&self) -> bool {
        self.fl == Flavor::Dual
    }

    /// `a.iter().copied().skip(1)`
    fn src(&self, s: &Src) -> String {
        let mut out = format!("{}.iter()", s.arr);
        if s.copied {
            out.push_str(".copied()");
        }
        match s.adapter {
            Some(("rev", _)) => out.push_str(".rev()"),
            Some((a, k)) => {
                let _ = write!(out, ".{a}({k})");
            }
            None => {}
        }
        out
    }

    /// The predicate as a closure of the original, its items `&` `depth` times.
    fn pred_closure(&self, p: &Pred, depth: usize) -> String {
        let t = wrap(self.ex(&p.t, true), 8);
        let (pat, elem) = if p.pat {
            (format!("{}{}", "&".repeat(depth), p.v), p.v.clone())
        } else {
            (p.v.clone(), format!("{}{}", "*".repeat(depth), p.v))
        };
        format!("|{pat}| {elem} {} {t}", p.op)
    }

    /// The predicate reported to the tracker, on the item `elem` (a `D`).
    fn pred_dual(&self, p: &Pred, elem: &str) -> String {
        let f = if p.op == "<" { "lt" } else { "gt" };
        format!("dx_{f}({elem}, {}, tr_)", self.ex(&p.t, true).0)
    }

    /// The predicate in either flavor, as a closure over items `&` `depth` times.
    fn pred_any(&self, p: &Pred, depth: usize) -> String {
        if self.dual() {
            let elem = format!("{}{}", "*".repeat(depth), p.v);
            format!("|{}| {}", p.v, self.pred_dual(p, &elem))
        } else {
            self.pred_closure(p, depth)
        }
    }

    fn filter(&self, f: &Filt) -> String {
        let src = self.src(&f.src);
        let e = &f.e;
        if !self.dual() {
            let mut s = format!(
                "{src}.filter({})",
                self.pred_closure(&f.pred, f.src.depth() + 1)
            );
            match &f.red {
                FRed::Sum(map) => {
                    if let Some(b) = map {
                        let _ = write!(s, ".map(|{e}| {})", self.ex(b, true).0);
                    }
                    s.push_str(".sum::<f64>()");
                }
                FRed::Product(b) => {
                    let _ = write!(s, ".map(|{e}| {}).product::<f64>()", self.ex(b, true).0);
                }
                FRed::Fold(init, acc, step) => {
                    let _ = write!(
                        s,
                        ".fold({}f64, |{acc}, {e}| {})",
                        fmt_lit(*init),
                        self.ex(step, true).0
                    );
                }
            }
            return s;
        }
        let elem = format!("{}{e}", "*".repeat(f.src.depth()));
        let cond = self.pred_dual(&f.pred, &elem);
        let (acc, init, step) = match &f.red {
            FRed::Sum(map) => {
                let b = match map {
                    Some(b) => wrap(self.ex(b, true), 6),
                    None => elem.clone(),
                };
                ("s_".to_string(), self.sum_zero(), format!("s_ + {b}"))
            }
            FRed::Product(b) => (
                "s_".to_string(),
                self.lit(1.0),
                format!("s_ * {}", wrap(self.ex(b, true), 7)),
            ),
            FRed::Fold(init, acc, step) => (acc.clone(), self.lit(*init), self.ex(step, true).0),
        };
        format!("{{ let mut {acc} = {init}; for {e} in {src} {{ if {cond} {{ {acc} = {step}; }} }} {acc} }}")
    }

    fn pat(&self, p: &Pat) -> String {
        let b = |n: &Option<String>| n.clone().unwrap_or_else(|| "_".into());
        match p {
            Pat::Some(n) => format!("Some({})", b(n)),
            Pat::SomeLit(v) => format!("Some({})", fmt_lit(*v)),
            Pat::None => "None".into(),
            Pat::Ok(n) => format!("Ok({})", b(n)),
            Pat::Err => "Err(_)".into(),
        }
    }

    fn scrut(&self, s: &Scrut) -> String {
        match s {
            Scrut::Var(n) => n.clone(),
            Scrut::CheckedSub(i, k) => format!("{}.checked_sub({k})", wrap(self.int(i), 10)),
        }
    }

    pub(crate) fn seq_e(&self, s: &SeqE) -> (String, u8) {
        match s {
            SeqE::Deref(o) => (format!("*{o}"), 8),
            SeqE::Data(n) => {
                if self.dual() {
                    (format!("D::from({n})"), 10)
                } else {
                    (n.clone(), 10)
                }
            }
            SeqE::Filter(f) => (self.filter(f), 10),
            SeqE::Match(sc, arms) => {
                let mut s = format!("match {} {{ ", self.scrut(sc));
                for (p, g, e) in arms {
                    let guard = match g {
                        Some(c) => format!(" if {}", self.cond(c).0),
                        None => String::new(),
                    };
                    let _ = write!(s, "{}{guard} => {}, ", self.pat(p), self.ex(e, true).0);
                }
                s.push('}');
                (s, 0)
            }
            SeqE::IfLet(p, sc, a, b) => (
                format!(
                    "if let {} = {} {{ {} }} else {{ {} }}",
                    self.pat(p),
                    self.scrut(sc),
                    self.ex(a, true).0,
                    self.ex(b, true).0
                ),
                0,
            ),
        }
    }

    pub(crate) fn seq_c(&self, c: &SeqC) -> (String, u8) {
        match c {
            SeqC::Any(src, p, all) => {
                let m = if *all { "all" } else { "any" };
                (
                    format!("{}.{m}({})", self.src(src), self.pred_any(p, src.depth())),
                    10,
                )
            }
            SeqC::AllFinite(a) => {
                if self.dual() {
                    (format!("{a}.iter().all(|v_| dx_is_finite(*v_, tr_))"), 10)
                } else {
                    (format!("{a}.iter().all(|v| v.is_finite())"), 10)
                }
            }
        }
    }

    fn seq_i(&self, i: &SeqI) -> String {
        match i {
            SeqI::Count(src, p) => {
                if self.dual() {
                    let elem = format!("{}{}", "*".repeat(src.depth()), p.v);
                    format!(
                        "{{ let mut c_ = 0usize; for {} in {} {{ if {} {{ c_ += 1; }} }} c_ }}",
                        p.v,
                        self.src(src),
                        self.pred_dual(p, &elem)
                    )
                } else {
                    format!(
                        "{}.filter({}).count()",
                        self.src(src),
                        self.pred_closure(p, src.depth() + 1)
                    )
                }
            }
            SeqI::Position(src, p, or) => {
                let tail = match or {
                    Some(i) => format!("unwrap_or({i})"),
                    None => "unwrap()".into(),
                };
                format!(
                    "{}.position({}).{tail}",
                    self.src(src),
                    self.pred_any(p, src.depth())
                )
            }
            SeqI::IfLet(sc, j, d) => format!(
                "if let Some({j}) = {} {{ {j} }} else {{ {d} }}",
                self.scrut(sc)
            ),
        }
    }

    pub(crate) fn seq_s(&mut self, s: &SeqS) {
        match s {
            SeqS::LetInt(n, i) => {
                let l = format!("let {n} = {};", self.seq_i(i));
                self.line(&l);
            }
            SeqS::TupFold(t) => {
                let zero = self.lit(0.0);
                let mut init: Vec<String> = Vec::new();
                let mut next: Vec<String> = Vec::new();
                if t.count {
                    init.push("0usize".into());
                    next.push(format!("{} + 1", t.accs[0]));
                }
                for b in &t.bodies {
                    init.push(zero.clone());
                    next.push(self.ex(b, true).0);
                }
                let v = if t.by_ref {
                    t.v.clone()
                } else {
                    format!("&{}", t.v)
                };
                let l = format!(
                    "let ({}) = {}.iter().fold(({}), |({}), {v}| ({}));",
                    t.outs.join(", "),
                    t.arr,
                    init.join(", "),
                    t.accs.join(", "),
                    next.join(", ")
                );
                self.line(&l);
            }
            SeqS::DerefAssign(o, op, e) => {
                let v = self.ex(e, true).0;
                let l = if *op == '=' {
                    format!("*{o} = {v};")
                } else {
                    format!("*{o} {op}= {v};")
                };
                self.line(&l);
            }
            SeqS::IterMut(m) => {
                if m.reps > 0 {
                    self.block(&format!("for _ in 0..{}", m.reps), &[]);
                    self.ind += 1;
                }
                let head = match (&m.zip, &m.enumerate) {
                    (Some((xi, a)), _) => {
                        format!("for ({}, {xi}) in {}.iter_mut().zip({a}.iter())", m.o, m.y)
                    }
                    (None, Some(i)) => {
                        format!(
                            "for ({i}, {}) in {}.iter_mut().enumerate().skip(1)",
                            m.o, m.y
                        )
                    }
                    (None, None) => format!("for {} in {}.iter_mut()", m.o, m.y),
                };
                self.block(&head, &m.body);
                self.line("}");
                if m.reps > 0 {
                    self.ind -= 1;
                    self.line("}");
                }
            }
            SeqS::LetBuf(y, b) => {
                let init = match b {
                    Buf::ToVec(a) => format!("{a}.to_vec()"),
                    Buf::VecZeros(n) => format!("vec![{}; {n}]", self.lit(0.0)),
                };
                self.line(&format!("let mut {y} = {init};"));
            }
            SeqS::LetElse(p, sc, els) => {
                let els = match &**els {
                    S::Return(r) => format!("return {};", self.result(r)),
                    _ => "continue".into(),
                };
                let l = format!("let {} = {} else {{ {els} }};", self.pat(p), self.scrut(sc));
                self.line(&l);
            }
            SeqS::IfLet(p, sc, a, b) => {
                let head = format!("if let {} = {}", self.pat(p), self.scrut(sc));
                self.block(&head, a);
                if let Some(b) = b {
                    self.block("} else", b);
                }
                self.line("}");
            }
        }
    }
}
