//! Which constructs of the README's support table ("What a `#[grad]` body may
//! contain") a program exercises. The generated file lists [`TABLE`] and, per
//! program, the indices of its constructs; the driver prints how many programs
//! exercise each, zeros included (what the generator never writes).

use crate::ast::*;
use std::collections::{BTreeSet, HashSet};

#[path = "seq_tags.rs"]
mod seq_tags;

#[path = "late_tags.rs"]
mod late_tags;

#[path = "rec_tags.rs"]
mod rec_tags;

#[path = "r4_tags.rs"]
mod r4_tags;

#[path = "val_tags.rs"]
mod val_tags;

pub use crate::table::TABLE;

/// The construct of a float method's name.
fn method(name: &str) -> &str {
    match name {
        "to_degrees" | "to_radians" => "to_degrees / to_radians",
        n => n,
    }
}

pub(crate) fn index(item: &str) -> usize {
    TABLE
        .iter()
        .position(|(_, n)| *n == item)
        .unwrap_or_else(|| panic!("construct `{item}` is not in tags::TABLE"))
}

struct Walk {
    tags: BTreeSet<usize>,
    arrays: HashSet<String>,
    declared: HashSet<String>,
    loops: usize,
    /// The struct parameter is by value (its fields can be updated).
    value_struct: bool,
}

impl Walk {
    fn tag(&mut self, item: &str) {
        self.tags.insert(index(item));
    }

    fn name(&mut self, n: &str) {
        if n.contains('.') {
            self.tag("field read");
            if n.contains(".inner.") {
                self.tag("nested struct field");
            }
        }
    }

    fn int(&mut self, i: &I) {
        match i {
            I::Len(_) => self.tag(".len()"),
            I::Bin(_, a, b) => {
                self.int(a);
                self.int(b);
            }
            I::AsI32(a) => self.int(a),
            _ => {}
        }
    }

    fn ex(&mut self, e: &E) {
        match e {
            E::Lit(_) | E::LitF64(_) => {}
            E::Var(n) | E::RVar(n) => self.name(n),
            E::Neg(x) => {
                self.tag("unary -");
                self.ex(x);
            }
            E::Bin(op, a, b) => {
                self.tag(match op {
                    '+' => "a + b",
                    '-' => "a - b",
                    '*' => "a * b",
                    '/' => "a / b",
                    _ => "a % b",
                });
                self.ex(a);
                self.ex(b);
            }
            E::Call(name, args, style) => {
                match style {
                    Style::User => {
                        self.tag("#[grad] callee");
                        match *name {
                            "ccube" => self.tag("#[grad(custom)] callee"),
                            "cgen" => self.tag("generic callee"),
                            "cpair2" | "csplit" | "upair" => {
                                self.tag("tuple or array result of a callee")
                            }
                            _ => {}
                        }
                        if self.loops > 0 {
                            self.tag("call in a loop");
                        }
                        let refs: Vec<&Arg> =
                            args.iter().filter(|a| matches!(a, Arg::Ref(..))).collect();
                        if let [Arg::Ref(a, ia, _), Arg::Ref(b, ib, _)] = refs[..] {
                            if a == b && ia.is_empty() && ib.is_empty() {
                                self.tag(if *name == "cdot_s" {
                                    "same slice twice"
                                } else {
                                    "same array twice"
                                });
                            }
                        }
                        for a in args {
                            if let Arg::Ref(n, idx, _) = a {
                                if !idx.is_empty() {
                                    self.tag(if n.contains('.') {
                                        "row &st.w[i] of a field"
                                    } else {
                                        "row &m[i] of a 2-D array"
                                    });
                                }
                                self.name(n);
                            }
                        }
                    }
                    Style::Prim => self.tag(match *name {
                        "erf" | "erfc" | "gamma" | "ln_gamma" | "digamma" => {
                            "erf / erfc / ln_gamma / gamma / digamma"
                        }
                        n => n,
                    }),
                    Style::Method => {
                        self.tag("method form x.f()");
                        self.tag(method(name));
                    }
                    Style::Path => {
                        self.tag("path form f64::f(x)");
                        self.tag(method(name));
                    }
                }
                for a in args {
                    match a {
                        Arg::F(e) => self.ex(e),
                        Arg::I(i) => self.int(i),
                        Arg::Ref(..) => {}
                    }
                }
            }
            E::Idx(n, idx) => {
                self.tag(if idx.len() > 1 { "w[i][j]" } else { "a[i]" });
                self.name(n);
                idx.iter().for_each(|i| self.int(i));
            }
            E::Cast(i) => {
                self.tag("as f64 cast");
                self.int(i);
            }
            E::If(c, a, b) => {
                self.tag("if expression");
                self.cond(c);
                self.ex(a);
                self.ex(b);
            }
            E::Block(ss, e) => {
                self.tag("block expression");
                self.stmts(ss);
                self.ex(e);
            }
            E::Const(_) => self.tag("std::f64::consts"),
            E::Match(i, arms, d) => {
                self.tag("match on integers");
                self.int(i);
                arms.iter().for_each(|(_, e)| self.ex(e));
                self.ex(d);
            }
            E::Chain(c) => {
                match &c.src {
                    ChainSrc::Arr(_, cloned) => {
                        self.tag("for v in x.iter()");
                        if *cloned {
                            self.tag(".cloned()");
                        }
                    }
                    ChainSrc::Range(_) => self.tag("&x / x.into_iter() / (0..n) as a source"),
                }
                if !c.adapters.is_empty() {
                    self.tag(".rev() / .skip(n) / .take(n) / .step_by(s)");
                }
                self.tag(if c.reduce {
                    "reduce(…).unwrap()"
                } else {
                    "map(…).sum()"
                });
                self.ex(&c.body);
            }
            E::Unreachable => self.tag("panic! / unreachable! / todo!"),
            E::FMatch(s, _, c, a, b) => {
                self.tag("match on floats");
                self.tag("match guard");
                self.ex(s);
                self.cond(c);
                self.ex(a);
                self.ex(b);
            }
            E::Apply(_, e) => {
                self.tag("closure defined and called");
                self.ex(e);
            }
            E::NoGrad(x) => {
                self.tag("no_grad");
                self.ex(x);
            }
            E::Seq(q) => self.seq_e(q),
            E::Late(l) => self.late_e(l),
            E::Rec(r) => self.rec_e(r),
            E::R4(r) => self.r4_e(r),
            E::Val(v) => self.val_e(v),
            E::Idiom(d) => {
                self.tag("for v in x.iter()");
                match &**d {
                    Idiom::MapPath(..) => {
                        self.tag(".map(f64::exp) (a function path)");
                        self.tag("map(…).sum()");
                    }
                    Idiom::FoldPath(..) => {
                        self.tag(".map(f64::exp) (a function path)");
                        self.tag(".copied()");
                        self.tag("fold(…)");
                    }
                    Idiom::MapNamed(..) => {
                        self.tag("closure passed to map / fold by name");
                        self.tag(".copied()");
                        self.tag("map(…).sum()");
                    }
                    Idiom::FoldNamed(..) => {
                        self.tag("closure passed to map / fold by name");
                        self.tag(".copied()");
                        self.tag("fold(…)");
                    }
                    Idiom::MaxBy(..) => {
                        self.tag(".copied()");
                        self.tag("max_by / min_by");
                    }
                }
            }
            E::Red(r) => {
                if r.arrs.len() > 1 {
                    self.tag("zip(…) in a reduction");
                }
                if r.enumerate {
                    self.tag(".enumerate()");
                }
                if r.copied {
                    self.tag(".copied()");
                }
                match &r.kind {
                    RK::Sum => self.tag("sum()"),
                    RK::Product => self.tag("product()"),
                    RK::MapSum(e) => {
                        self.tag("map(…).sum()");
                        self.ex(e);
                    }
                    RK::MapProduct(e) => {
                        self.tag("map(…).product()");
                        self.ex(e);
                    }
                    RK::Fold(init, _, body) => {
                        self.tag("fold(…)");
                        self.ex(init);
                        self.ex(body);
                    }
                }
            }
        }
    }

    fn cond(&mut self, c: &C) {
        match c {
            C::Cmp(_, a, b) => {
                self.tag("comparison");
                self.ex(a);
                self.ex(b);
            }
            C::ICmp(_, a, b) => {
                self.tag("comparison");
                self.int(a);
                self.int(b);
            }
            C::And(a, b) => {
                self.tag("&&");
                self.cond(a);
                self.cond(b);
            }
            C::Or(a, b) => {
                self.tag("||");
                self.cond(a);
                self.cond(b);
            }
            C::Not(a) => {
                self.tag("!");
                self.cond(a);
            }
            C::Sign(_, e) => {
                self.tag("is_sign_positive / is_sign_negative");
                self.ex(e);
            }
            C::Bool(_) => {}
            C::Class(_, e) => {
                self.tag("is_nan and friends");
                self.ex(e);
            }
            C::CharIs(..) => self.tag("comparison"),
            C::Seq(q) => self.seq_c(q),
            C::IsEmpty(_) => self.tag(".is_empty()"),
            C::Contains(x, lo, hi, _) => {
                self.tag("(lo..=hi).contains(&x)");
                self.ex(x);
                self.ex(lo);
                self.ex(hi);
            }
            C::Matches(i, _) => {
                self.tag("matches!");
                self.int(i);
            }
        }
    }

    fn declare(&mut self, n: &str) {
        if !self.declared.insert(n.to_string()) {
            self.tag("shadowing");
        }
    }

    fn stmts(&mut self, ss: &[S]) {
        for s in ss {
            self.stmt(s);
        }
    }

    fn body(&mut self, ss: &[S]) {
        if self.loops > 0 {
            self.tag("nested loops");
        }
        self.loops += 1;
        self.stmts(ss);
        self.loops -= 1;
    }

    fn stmt(&mut self, s: &S) {
        match s {
            S::Let {
                name,
                mutable,
                init,
                ..
            } => {
                self.tag(if *mutable { "let mut" } else { "let" });
                self.ex(init);
                self.declare(name);
            }
            S::LetTup(p, q, a, b) => {
                self.tag("let");
                self.ex(a);
                self.ex(b);
                self.declare(p);
                self.declare(q);
            }
            S::LetArr {
                name,
                mutable,
                init,
                ..
            } => {
                self.tag(if *mutable { "let mut" } else { "let" });
                match init {
                    AInit::Zeros(..) => self.tag("[0.0; N]"),
                    AInit::Lit(es) => {
                        self.tag("[a, b, c]");
                        es.iter().for_each(|e| self.ex(e));
                    }
                    AInit::Splat(e, _) => {
                        self.tag("[e; N]");
                        self.ex(e);
                    }
                    AInit::Call(e) => self.ex(e),
                    AInit::Replace(..) => {
                        self.tag("std::mem::swap / replace");
                        if self.loops > 0 {
                            self.tag("whole-array assignment in a loop");
                        }
                    }
                    AInit::Copy(src, _) => {
                        if src.contains('.') {
                            self.name(src);
                            self.tag(if self.value_struct {
                                "field snapshot then field updated"
                            } else {
                                "field copied into a local then updated"
                            });
                        } else if name.starts_with("tmp") {
                            self.tag("swap through a temporary");
                        } else {
                            self.tag("snapshot let s = a");
                        }
                        if self.loops > 0 {
                            self.tag("whole-array assignment in a loop");
                        }
                    }
                }
                self.arrays.insert(name.clone());
                self.declare(name);
            }
            S::Counter(c) => {
                self.tag("let mut");
                self.declare(c);
            }
            S::Const(..) => self.tag("const item"),
            S::Assign(lv, op, e) => {
                match lv {
                    LV::Var(n) => {
                        if self.arrays.contains(n) {
                            self.tag("whole-array copy a = b");
                            if self.loops > 0 {
                                self.tag("whole-array assignment in a loop");
                            }
                        }
                        if n.contains('.') {
                            self.tag("field assigned");
                        }
                        self.tag(match op {
                            '=' => "x = …",
                            '+' => "+=",
                            '-' => "-=",
                            '*' => "*=",
                            '/' => "/=",
                            _ => "%=",
                        });
                    }
                    LV::Idx(n, idx) => {
                        if n.contains('.') {
                            self.tag("field assigned");
                            self.name(n);
                        }
                        self.tag(if *op == '=' {
                            "a[i] = …"
                        } else {
                            "a[i] op= …"
                        });
                        idx.iter().for_each(|i| self.int(i));
                    }
                }
                self.ex(e);
            }
            S::Inc(_) => self.tag("+="),
            S::If(arms, els) => {
                self.tag("if");
                if arms.len() > 1 {
                    self.tag("else if");
                }
                for (c, b) in arms {
                    self.cond(c);
                    self.stmts(b);
                }
                if let Some(b) = els {
                    self.tag("else");
                    self.stmts(b);
                }
            }
            S::For(head, b) => {
                match head {
                    Head::Range(_, lo, hi, incl) => {
                        self.tag(if *incl {
                            "for i in a..=b"
                        } else {
                            "for i in a..b"
                        });
                        self.int(lo);
                        self.int(hi);
                    }
                    Head::Iter(..) | Head::Rows(..) => self.tag("for v in x.iter()"),
                    Head::Rev(_, lo, hi) => {
                        self.tag("for i in (a..b).rev()");
                        self.int(lo);
                        self.int(hi);
                    }
                    Head::Enum(..) => {
                        self.tag("for v in x.iter()");
                        self.tag(".enumerate()");
                    }
                    Head::Zip(..) => {
                        self.tag("for v in x.iter()");
                        self.tag(".zip(…)");
                    }
                }
                self.body(b);
            }
            S::While(c, b) => {
                self.tag("while");
                self.cond(c);
                self.body(b);
            }
            S::Break => self.tag("break"),
            S::SinCos(p, q, e) => {
                self.tag("sin_cos");
                self.tag("let");
                self.ex(e);
                self.declare(p);
                self.declare(q);
            }
            S::TupCall(p, q, e) => {
                self.tag("let");
                self.ex(e);
                self.declare(p);
                self.declare(q);
            }
            S::Assert(_, c) => {
                self.tag("assert! / assert_eq! / debug_assert!");
                self.cond(c);
            }
            S::Closure(f, _, e) => {
                self.tag("closure defined and called");
                self.ex(e);
                self.declare(f);
            }
            S::MemSwap(..) => {
                self.tag("std::mem::swap / replace");
                if self.loops > 0 {
                    self.tag("whole-array assignment in a loop");
                }
            }
            S::Closure2(g, _, _, e) => {
                self.tag("closure defined and called");
                self.ex(e);
                self.declare(g);
            }
            S::Print(m, e) => {
                let _ = m;
                self.tag("println! / eprintln! / dbg!");
                self.ex(e);
            }
            S::Continue => self.tag("continue"),
            S::Seq(q) => self.seq_s(q),
            S::Late(l) => self.late_s(l),
            S::Rec(r) => self.rec_s(r),
            S::R4(r) => self.r4_s(r),
            S::Val(v) => self.val_s(v),
            S::Return(r) => {
                self.tag("early return");
                if self.loops > 0 {
                    self.tag("return inside a loop");
                }
                self.result(r);
            }
        }
    }

    fn result(&mut self, r: &R) {
        match r {
            R::S(e) => self.ex(e),
            R::A(es) => es.iter().for_each(|e| self.ex(e)),
            R::AVar(_) => {}
            R::T(a, b) => {
                self.ex(a);
                self.ex(b);
            }
        }
    }
}

/// The indices into [`TABLE`] of the constructs `p` exercises.
pub(crate) fn of(p: &Program) -> BTreeSet<usize> {
    let mut w = Walk {
        tags: BTreeSet::new(),
        arrays: HashSet::new(),
        declared: HashSet::new(),
        loops: 0,
        value_struct: p
            .params
            .iter()
            .any(|q| matches!(q.kind, PK::Body(BodyMode::Value, _))),
    };
    for q in &p.params {
        w.declared.insert(q.name.clone());
        if p.aliases.contains(&q.name) {
            w.tag("alias of an array (type V3 = [f64; 3])");
        }
        match q.kind {
            PK::F => w.tag("f64 by value"),
            PK::RefF => w.tag("&f64"),
            PK::Arr(_) => w.tag("[f64; N] by value"),
            PK::RefArr(_) => w.tag("&[f64; N]"),
            PK::Slice(_) => w.tag("&[f64] slice"),
            PK::Arr2(..) => w.tag("&[[f64; M]; N]"),
            PK::Usize(_) | PK::I32(_) | PK::Bool(_) => w.tag("usize / i32 / bool passed through"),
            PK::Char(_) => w.tag("char passed through"),
            PK::Arr2V(..) => w.tag("nested array by value / const generic"),
            PK::Opt(_) => w.tag("Option / Result passed through"),
            PK::VecRef(_) => w.tag("&Vec<f64>"),
            PK::VecRows(..) => w.tag("&[Vec<f64>]"),
            PK::VecStruct(by_ref, ..) => {
                w.tag("Vec fields (Vec<f64>, Vec<Vec<f64>>)");
                w.tag(if by_ref {
                    "struct by &"
                } else {
                    "struct by value (mut)"
                });
            }
            PK::Rec(_, Pass::Slice(_)) => w.tag("&[S] slice of structs"),
            PK::Rec(_, Pass::Ref) => w.tag("struct by &"),
            PK::Rec(_, Pass::Value) => w.tag("struct by value (mut)"),
            PK::Pairs(_) => w.tag("&[(f64, f64)] slice of tuples"),
            PK::Body(mode, _) => match mode {
                BodyMode::Value => w.tag("struct by value (mut)"),
                BodyMode::Ref => w.tag("struct by &"),
                BodyMode::SelfRef => {
                    w.tag("&self method");
                    if q.active {
                        w.tag("wrt(self, …)");
                    }
                }
            },
        }
        if matches!(
            q.kind,
            PK::Arr(_) | PK::RefArr(_) | PK::Slice(_) | PK::Arr2(..) | PK::Arr2V(..)
        ) {
            w.arrays.insert(q.name.clone());
        }
        if !q.active && matches!(q.kind, PK::VecRows(..) | PK::Pairs(_)) {
            w.tag("data &[Vec<f64>] / &[(f64, f64)] left out by wrt");
        }
        if q.mutable && !matches!(q.kind, PK::Body(..)) {
            w.tag("mut parameter");
        }
    }
    if p.wrt {
        w.tag("wrt(…)");
    }
    w.tag(match p.ret {
        RetKind::Scalar => "float result",
        RetKind::Array(_) => "array result",
        RetKind::Pair => "tuple result",
        RetKind::Vec(_) => "Vec<f64> result",
        RetKind::Sv => "struct result (-> S)",
    });
    if p.plain_self {
        w.tag("plain #[grad] method (self differentiated)");
    }
    w.stmts(&p.body);
    w.result(&p.tail);
    w.tags
}
