//! The constructs of the support table that the forms of `values.rs` exercise.

use super::Walk;
use crate::ast::*;

impl Walk {
    /// A value of `Sv`; `carried`: assigned to a variable a loop carries.
    fn sv(&mut self, x: &SvX) {
        match x {
            SvX::Var(_) => {}
            SvX::Deref(_) => self.tag("struct by &"),
            SvX::Elem(_, i) => {
                self.tag("slice element read whole");
                self.int(i);
            }
            SvX::Lit(a, [v0, v1]) => {
                self.tag("struct literal in the body");
                self.ex(a);
                self.ex(v0);
                self.ex(v1);
            }
            SvX::Make(x, y) => {
                self.callee();
                self.tag("struct result of a callee");
                self.ex(x);
                self.ex(y);
            }
            SvX::Unit => self.tag("plain constructor S::unit() in a body"),
            SvX::Default => self.tag("S::default() / Default::default() / ..Default::default()"),
            SvX::Method(r, _, k) => {
                self.method(r);
                self.tag("struct result of a callee");
                self.ex(k);
            }
            SvX::Compose(r, o) => {
                self.method(r);
                self.tag("struct result of a callee");
                self.sv(o);
            }
            SvX::If(c, a, b) => {
                self.tag("struct value chosen by an if");
                self.tag("if expression");
                self.cond(c);
                self.sv(a);
                self.sv(b);
            }
        }
    }

    /// A call of a `#[grad]` function or method.
    fn callee(&mut self) {
        self.tag("#[grad] callee");
        if self.loops > 0 {
            self.tag("call in a loop");
        }
    }

    /// A method called on `r`.
    fn method(&mut self, r: &SvX) {
        self.callee();
        self.tag("method on a parameter or a struct value");
        match r {
            SvX::Elem(..) => self.tag("method on a slice element"),
            SvX::Method(..) | SvX::Compose(..) => self.tag("chained method calls"),
            _ => {}
        }
        self.sv(r);
    }

    pub(super) fn val_e(&mut self, e: &ValE) {
        match e {
            ValE::Call(r, _, x, _) => {
                self.method(r);
                self.ex(x);
            }
            ValE::Place(r, p, _) => {
                self.method(r);
                self.tag("tuple or array result of a callee");
                self.tag("[a, b, c]");
                p.iter().for_each(|e| self.ex(e));
            }
            ValE::Norm(x) => {
                self.callee();
                self.tag("struct passed on whole");
                self.sv(x);
            }
            ValE::Field(x, j) => {
                self.tag("field read");
                if j.is_some() {
                    self.tag("a[i]");
                }
                self.sv(x);
            }
            ValE::MapCall(_, s, _, x) => {
                self.callee();
                self.tag("method on a slice element");
                self.tag("method on a parameter or a struct value");
                self.tag("for v in x.iter()");
                self.tag("map(…).sum()");
                self.declare(s);
                self.ex(x);
            }
            ValE::Whole(x) => self.sv(x),
            ValE::Row(..) => self.tag("field read"),
            ValE::Tab(t, i, r) => {
                self.tab(t, r);
                self.int(i);
            }
            ValE::MapRet(_, v, rets, body) => {
                self.tag("closure with an early return");
                self.tag("for v in x.iter()");
                self.tag("map(…).sum()");
                self.declare(v);
                self.returns(rets);
                self.ex(body);
            }
        }
    }

    /// A `const` table read.
    fn table(&mut self, t: &str) {
        self.tag(if t == "ROWS" {
            "const table of structs"
        } else {
            "const table of rows"
        });
    }

    /// A read of a `const` table's row by index.
    fn tab(&mut self, t: &str, r: &RowRead) {
        self.table(t);
        self.tag(match r {
            RowRead::Field(_) => "field read",
            RowRead::Idx(_) => "w[i][j]",
        });
    }

    fn returns(&mut self, rets: &[(C, E)]) {
        self.tag("if");
        for (c, e) in rets {
            self.cond(c);
            self.ex(e);
        }
    }

    pub(super) fn val_s(&mut self, s: &ValS) {
        match s {
            ValS::Let(n, mutable, _, x) => {
                self.tag(if *mutable { "let mut" } else { "let" });
                if matches!(x, SvX::Var(_) | SvX::Deref(_)) {
                    self.tag("whole copy let mut c = b updated by field");
                }
                if matches!(x, SvX::Make(..) | SvX::Method(..) | SvX::Compose(..)) {
                    self.tag("struct value from a call, read by field");
                }
                self.sv(x);
                self.declare(n);
            }
            ValS::Assign(_, x) => {
                self.tag("x = …");
                if self.loops > 0 {
                    self.tag("struct value carried by a loop");
                    if matches!(x, SvX::Lit(..)) {
                        self.tag("struct literal reassigned whole in a loop");
                    }
                }
                self.sv(x);
            }
            ValS::SetArr(_, es) => {
                self.tag("array assigned whole to an array field");
                self.tag("field assigned");
                self.tag("[a, b, c]");
                es.iter().for_each(|e| self.ex(e));
            }
            ValS::ClosureRet(f, t, rets, _, body) => {
                self.tag("closure with an early return");
                self.tag("closure defined and called");
                self.declare(t);
                self.returns(rets);
                self.ex(body);
                self.declare(f);
            }
            ValS::Tab(head, b) => {
                let t = match head {
                    TabHead::Rows(row, t) => {
                        self.declare(row);
                        t
                    }
                    TabHead::Zip(row, q, t, _) => {
                        self.tag(".zip(…)");
                        self.declare(row);
                        self.declare(q);
                        t
                    }
                    TabHead::Enum(i, row, t) => {
                        self.tag(".enumerate()");
                        self.declare(i);
                        self.declare(row);
                        t
                    }
                };
                self.table(t);
                self.tag("for v in x.iter()");
                self.body(b);
            }
        }
    }
}
