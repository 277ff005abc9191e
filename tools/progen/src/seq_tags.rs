//! The constructs of the support table that the forms of `seqs.rs` exercise.

use super::Walk;
use crate::ast::*;

impl Walk {
    fn src(&mut self, s: &Src) {
        self.tag("for v in x.iter()");
        if s.copied {
            self.tag(".copied()");
        }
        if s.adapter.is_some() {
            self.tag(".rev() / .skip(n) / .take(n) / .step_by(s)");
        }
    }

    fn pred(&mut self, p: &Pred) {
        self.tag("comparison");
        self.ex(&p.t);
    }

    fn scrut(&mut self, s: &Scrut) {
        if let Scrut::CheckedSub(i, _) = s {
            self.tag("checked_sub(…)");
            self.int(i);
        }
    }

    pub(super) fn seq_e(&mut self, s: &SeqE) {
        match s {
            SeqE::Deref(_) | SeqE::Data(_) => {}
            SeqE::Filter(f) => {
                self.src(&f.src);
                self.tag(".filter(…)");
                self.pred(&f.pred);
                match &f.red {
                    FRed::Sum(None) => self.tag("sum()"),
                    FRed::Sum(Some(e)) => {
                        self.tag("map(…).sum()");
                        self.ex(e);
                    }
                    FRed::Product(e) => {
                        self.tag("map(…).product()");
                        self.ex(e);
                    }
                    FRed::Fold(_, _, e) => {
                        self.tag("fold(…)");
                        self.ex(e);
                    }
                }
            }
            SeqE::Match(sc, arms) => {
                if matches!(sc, Scrut::Var(_)) {
                    self.tag("match on Option / Result");
                }
                self.scrut(sc);
                for (_, g, e) in arms {
                    if let Some(c) = g {
                        self.tag("match guard");
                        self.cond(c);
                    }
                    self.ex(e);
                }
            }
            SeqE::IfLet(_, sc, a, b) => {
                self.tag("if let");
                self.scrut(sc);
                self.ex(a);
                self.ex(b);
            }
        }
    }

    pub(super) fn seq_c(&mut self, c: &SeqC) {
        self.tag("any(…) / all(…)");
        match c {
            SeqC::Any(src, p, _) => {
                self.src(src);
                self.pred(p);
            }
            SeqC::AllFinite(_) => {
                self.tag("for v in x.iter()");
                self.tag("is_nan and friends");
            }
        }
    }

    pub(super) fn seq_s(&mut self, s: &SeqS) {
        match s {
            SeqS::LetInt(n, i) => {
                self.tag("let");
                match i {
                    SeqI::Count(src, p) => {
                        self.src(src);
                        self.tag(".filter(…)");
                        self.tag("count()");
                        self.pred(p);
                    }
                    SeqI::Position(src, p, _) => {
                        self.src(src);
                        self.tag("position(…).unwrap() / unwrap_or(…)");
                        self.pred(p);
                    }
                    SeqI::IfLet(sc, ..) => {
                        self.tag("if let");
                        self.tag("if expression");
                        self.scrut(sc);
                    }
                }
                self.declare(n);
            }
            SeqS::TupFold(t) => {
                self.tag("let");
                self.tag("for v in x.iter()");
                self.tag("fold(…)");
                self.tag("fold with a tuple");
                if t.count {
                    self.tag("a + b");
                }
                t.bodies.iter().for_each(|b| self.ex(b));
                t.outs.iter().for_each(|o| self.declare(o));
            }
            SeqS::DerefAssign(_, op, e) => {
                self.tag(match op {
                    '=' => "x = …",
                    '+' => "+=",
                    '-' => "-=",
                    '*' => "*=",
                    '/' => "/=",
                    _ => "%=",
                });
                self.ex(e);
            }
            SeqS::IterMut(m) => {
                self.tag("y.iter_mut()");
                if m.zip.is_some() {
                    self.tag(".zip(…)");
                }
                if m.enumerate.is_some() {
                    self.tag(".enumerate()");
                    self.tag(".rev() / .skip(n) / .take(n) / .step_by(s)");
                }
                if m.reps > 0 {
                    self.tag("for i in a..b");
                    self.loops += 1;
                }
                self.body(&m.body);
                if m.reps > 0 {
                    self.loops -= 1;
                }
            }
            SeqS::LetBuf(n, _) => {
                self.tag("let mut");
                self.arrays.insert(n.clone());
                self.declare(n);
            }
            SeqS::LetElse(_, sc, els) => {
                self.tag("let … else");
                self.scrut(sc);
                self.stmt(els);
            }
            SeqS::IfLet(_, sc, a, b) => {
                self.tag("if let");
                self.scrut(sc);
                self.stmts(a);
                if let Some(b) = b {
                    self.tag("else");
                    self.stmts(b);
                }
            }
        }
    }
}
