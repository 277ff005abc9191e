//! The constructs of the support table that the forms of `records.rs` exercise.

use super::Walk;
use crate::ast::*;

impl Walk {
    fn opt_src(&mut self, o: &OptSrc) {
        self.tag("Option combinators map / map_or / and_then / unwrap_or_else");
        if let OptSrc::Data(_) = o {
            self.tag("Option / Result passed through");
        }
    }

    pub(super) fn rec_e(&mut self, e: &RecE) {
        match e {
            RecE::RowDot(w, i, _, p, q) => {
                self.name(w);
                self.tag("zip(…) in a reduction");
                self.tag("map(…).sum()");
                self.int(i);
                self.declare(p);
                self.declare(q);
            }
            RecE::IterSum(src, idx, v, body) => {
                self.name(src);
                self.tag("map(…).sum()");
                idx.iter().for_each(|i| self.int(i));
                self.declare(v);
                self.ex(body);
            }
            RecE::Len(src, idx) => {
                self.name(src);
                self.tag(".len()");
                self.tag("as f64 cast");
                idx.iter().for_each(|i| self.int(i));
            }
            RecE::PtField(_, i, j) => {
                self.tag("field read");
                self.tag("a[i]");
                self.int(i);
                if let Some(j) = j {
                    self.int(j);
                }
            }
            RecE::PtSum(_, p, body) => {
                self.tag("map(…).sum()");
                self.declare(p);
                self.ex(body);
            }
            RecE::PairField(_, i, _) => {
                self.tag("a[i]");
                self.int(i);
            }
            RecE::PairSum(_, a, b, body) => {
                self.tag("map(…).sum()");
                self.declare(a);
                self.declare(b);
                self.ex(body);
            }
            RecE::OptMap(o, v, body, d) | RecE::OptMapOr(o, v, body, d) => {
                self.opt_src(o);
                self.tag("closure defined and called");
                self.declare(v);
                self.ex(body);
                self.ex(d);
            }
            RecE::OptAndThen(o, v, c, body, d) => {
                self.opt_src(o);
                self.tag("closure defined and called");
                self.tag("if expression");
                self.declare(v);
                self.cond(c);
                self.ex(body);
                self.ex(d);
            }
            RecE::OptUnwrapOrElse(o, e) => {
                self.opt_src(o);
                self.tag("closure defined and called");
                self.ex(e);
            }
            RecE::OptMapPath(o, f, d) => {
                self.opt_src(o);
                self.tag("path form f64::f(x)");
                self.tag(f);
                self.ex(d);
            }
        }
    }

    pub(super) fn rec_s(&mut self, s: &RecS) {
        match s {
            RecS::RowsLoop(acc, row, rows, _, t, body) => {
                self.name(rows);
                self.tag("let mut");
                self.tag("for v in x.iter()");
                self.tag("let");
                self.tag("a[i]");
                self.tag("+=");
                self.declare(acc);
                self.declare(row);
                self.declare(t);
                self.loops += 1;
                self.ex(body);
                self.loops -= 1;
            }
            RecS::PtLoop(acc, p, _, bare, body) => {
                self.tag("let mut");
                self.tag("for v in x.iter()");
                if *bare {
                    self.tag("&x / x.into_iter() / (0..n) as a source");
                }
                self.tag("+=");
                self.declare(acc);
                self.declare(p);
                self.loops += 1;
                self.ex(body);
                self.loops -= 1;
            }
            RecS::PairLoop(acc, a, b, _, bare, body) => {
                self.tag("let mut");
                self.tag("for v in x.iter()");
                if *bare {
                    self.tag("&x / x.into_iter() / (0..n) as a source");
                }
                self.tag("+=");
                self.declare(acc);
                self.declare(a);
                self.declare(b);
                self.loops += 1;
                self.ex(body);
                self.loops -= 1;
            }
            RecS::LetPair(a, b, _, i) => {
                self.tag("let");
                self.tag("a[i]");
                self.int(i);
                self.declare(a);
                self.declare(b);
            }
            RecS::LetDefault(s, _, vals) => {
                self.tag("S::default() / Default::default() / ..Default::default()");
                self.tag("struct literal in the body");
                self.tag("let mut");
                vals.iter().for_each(|e| self.ex(e));
                self.declare(s);
            }
            RecS::AccLoop(acc, _, e, s1, h) => {
                self.tag("S::default() / Default::default() / ..Default::default()");
                self.tag("let mut");
                self.tag("for v in x.iter()");
                self.tag("+=");
                self.tag("field assigned");
                self.declare(acc);
                self.declare(e);
                self.loops += 1;
                self.ex(s1);
                if let Some((_, s2)) = h {
                    self.tag("a[i] op= …");
                    self.ex(s2);
                }
                self.loops -= 1;
            }
            RecS::LetOpt(o, c, e) => {
                self.tag("Option built in the body");
                self.tag("let");
                self.tag("if expression");
                self.cond(c);
                self.ex(e);
                self.declare(o);
            }
        }
    }
}
