//! The constructs of the support table that the forms of `round4.rs` exercise.

use super::Walk;
use crate::ast::*;

impl Walk {
    pub(super) fn r4_e(&mut self, e: &R4E) {
        match e {
            R4E::EndOr(..) | R4E::EndUnwrap(..) => self.tag(".first() / .last()"),
            R4E::EndIfLet(_, _, v, body, d) => {
                self.tag(".first() / .last()");
                self.tag("if let");
                self.declare(v);
                self.ex(body);
                self.ex(d);
            }
            R4E::EndMapOr(_, _, v, body, d) => {
                self.tag(".first() / .last()");
                self.tag("Option combinators map / map_or / and_then / unwrap_or_else");
                self.tag("closure defined and called");
                self.declare(v);
                self.ex(body);
                self.ex(d);
            }
            R4E::Method(_, _, x, _) => {
                self.tag("method on a struct built in the body");
                self.tag("#[grad] callee");
                if self.loops > 0 {
                    self.tag("call in a loop");
                }
                self.ex(x);
            }
        }
    }

    pub(super) fn r4_s(&mut self, s: &R4S) {
        match s {
            R4S::Loop(b) => {
                self.tag("loop { … break … }");
                self.body(b);
            }
            R4S::Tagged(t, b) => {
                self.tag(t);
                self.stmts(b);
            }
            R4S::StructPat(_, fields, ..) => {
                self.tag("struct pattern let S { a, .. } = s");
                self.tag("field read");
                self.tag("let");
                for (f, b) in fields {
                    if f == "inner" {
                        self.tag("nested struct field");
                    }
                    self.declare(b);
                }
            }
            R4S::ArrPat(names, e) => {
                self.tag("array pattern let [u, v] = …");
                self.tag("let");
                self.ex(e);
                names.iter().for_each(|n| self.declare(n));
            }
            R4S::FromFn { name, i, body, .. } => {
                self.tag("std::array::from_fn(|i| …)");
                self.tag("let");
                self.tag("a[i]");
                self.declare(i);
                self.ex(body);
                self.arrays.insert(name.clone());
                self.declare(name);
            }
            R4S::LetUq(q, a, [v0, v1]) => {
                self.tag("struct literal in the body");
                self.tag("let");
                self.ex(a);
                self.ex(v0);
                self.ex(v1);
                self.declare(q);
            }
            R4S::RowCopy(r, _, w, k) => {
                self.tag("row of a struct field read in place");
                self.tag("let");
                self.name(w);
                self.int(k);
                self.arrays.insert(r.clone());
                self.declare(r);
            }
            R4S::LetAlias(u, es) => {
                self.tag("alias of an array (type V3 = [f64; 3])");
                self.tag("let");
                self.tag("[a, b, c]");
                es.iter().for_each(|e| self.ex(e));
                self.arrays.insert(u.clone());
                self.declare(u);
            }
        }
    }
}
