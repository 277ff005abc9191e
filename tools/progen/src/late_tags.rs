//! The constructs of the support table that the forms of `late.rs` exercise.

use super::Walk;
use crate::ast::*;

impl Walk {
    pub(super) fn late_e(&mut self, e: &LateE) {
        match e {
            LateE::UnwrapOr(_, d) => self.ex(d),
            LateE::IfLet(_, v, a, b) => {
                self.tag("if let");
                self.declare(v);
                self.ex(a);
                self.ex(b);
            }
            LateE::Match(_, v, g, a, b, c) => {
                self.tag("match on Option / Result");
                self.tag("match guard");
                self.declare(v);
                self.cond(g);
                self.ex(a);
                self.ex(b);
                self.ex(c);
            }
            LateE::Whole(..) => {
                self.tag("#[grad] callee");
                self.tag("struct passed on whole");
            }
        }
    }

    pub(super) fn late_s(&mut self, s: &LateS) {
        match s {
            LateS::LetOpt(m, c, e) => {
                self.tag("Option built in the body");
                self.tag("let");
                self.tag("if expression");
                self.cond(c);
                self.ex(e);
                self.declare(m);
            }
            LateS::OptLoop(m, v, _, c, e) => {
                self.tag("Option built in the body");
                self.tag("let mut");
                self.tag("for v in x.iter()");
                self.tag("if");
                self.tag("x = …");
                self.declare(m);
                self.declare(v);
                self.loops += 1;
                self.cond(c);
                self.ex(e);
                self.loops -= 1;
            }
            LateS::LetStruct(n, mutable, a, vs) => {
                self.tag("struct literal in the body");
                self.tag(if *mutable { "let mut" } else { "let" });
                self.tag("[a, b, c]");
                self.ex(a);
                vs.iter().for_each(|e| self.ex(e));
                self.declare(n);
            }
            LateS::LetStructCall(q, _, x, y) => {
                self.tag("struct result of a callee");
                self.tag("#[grad] callee");
                self.tag("let");
                self.ex(x);
                self.ex(y);
                self.declare(q);
            }
            LateS::LetShift(q2, _, k) => {
                self.tag("struct result of a callee");
                self.tag("#[grad] callee");
                self.tag("let");
                self.ex(k);
                self.declare(q2);
            }
            LateS::LetVec(v, ..) => {
                self.tag("Vec::new() / Vec::with_capacity(n) + push");
                self.tag("let mut");
                self.declare(v);
            }
            LateS::Push(_, e) => {
                self.tag("Vec::new() / Vec::with_capacity(n) + push");
                self.ex(e);
            }
            LateS::LetVecCall(h, ..) => {
                self.tag("Vec<f64> result of a callee");
                self.tag("#[grad] callee");
                self.tag("let");
                self.declare(h);
            }
            LateS::OutCall(r, _, x, _) => {
                self.tag("output parameter &mut [f64; N] / &mut [f64]");
                self.tag("#[grad] callee");
                if self.loops > 0 {
                    self.tag("call in a loop");
                }
                self.ex(x);
                if let Some(r) = r {
                    self.tag("let");
                    self.declare(r);
                }
            }
            LateS::Map(m, _, _, t, body) => {
                self.tag("a.map(f) of a fixed-size array");
                self.tag("closure defined and called");
                self.tag("let");
                self.declare(t);
                self.ex(body);
                self.arrays.insert(m.clone());
                self.declare(m);
            }
        }
    }
}
