//! Printing the constructs of `round4.rs`: as written (`f64`) and in the oracle,
//! where `(lo..=hi).contains(&x)` is `dx_ge(x, lo, tr_) && dx_le(x, hi, tr_)` (each
//! bound reported to the tracker), `Uq` is `UqD<D>` and its methods `umix_dual(…,
//! tr_)`, a struct pattern names the oracle's struct (`LpD { … }`, `BodyD { … }`),
//! and an alias or an array annotation is `[D; n]`; the rest prints alike.

use crate::ast::*;
use crate::printer::*;

/// `s` with every whole-word occurrence of `name` replaced by `by`.
fn subst(s: &str, name: &str, by: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut rest = s;
    while let Some(k) = rest.find(name) {
        let before = rest[..k].chars().next_back();
        let after = rest[k + name.len()..].chars().next();
        out.push_str(&rest[..k]);
        if before.is_some_and(word) || after.is_some_and(word) {
            out.push_str(name);
        } else {
            out.push_str(by);
        }
        rest = &rest[k + name.len()..];
    }
    out.push_str(rest);
    out
}

impl Printer {
    fn r4_dual(&self) -> bool {
        self.fl == Flavor::Dual
    }

    /// `[f64; n]`, or `[D; n]` in the oracle.
    fn r4_arr(&self, n: usize) -> String {
        format!("[{}; {n}]", if self.r4_dual() { "D" } else { "f64" })
    }

    fn end(last: bool) -> &'static str {
        if last {
            "last"
        } else {
            "first"
        }
    }

    /// `(lo..=hi).contains(&x)`, or the oracle's two comparisons.
    pub(crate) fn contains(&self, x: &E, lo: &E, hi: &E, incl: bool) -> (String, u8) {
        let (xs, lo, hi) = (self.ex(x, true).0, self.ex(lo, true).0, self.ex(hi, true).0);
        if self.r4_dual() {
            let up = if incl { "le" } else { "lt" };
            (
                format!("(dx_ge({xs}, {lo}, tr_) && dx_{up}({xs}, {hi}, tr_))"),
                10,
            )
        } else {
            let r = if incl { "..=" } else { ".." };
            let arg = match x {
                E::Var(n) => format!("&{n}"),
                _ => format!("&({xs})"),
            };
            (format!("({lo}{r}{hi}).contains({arg})"), 10)
        }
    }

    pub(crate) fn r4_e(&self, e: &R4E) -> (String, u8) {
        match e {
            R4E::EndOr(a, last, d) => (
                format!(
                    "{a}.{}().copied().unwrap_or({})",
                    Self::end(*last),
                    self.ex(d, true).0
                ),
                10,
            ),
            R4E::EndUnwrap(a, last) => (format!("*{a}.{}().unwrap()", Self::end(*last)), 8),
            R4E::EndIfLet(a, last, v, body, d) => (
                format!(
                    "if let Some({v}) = {a}.{}() {{ {} }} else {{ {} }}",
                    Self::end(*last),
                    self.ex(body, true).0,
                    self.ex(d, true).0
                ),
                0,
            ),
            R4E::EndMapOr(a, last, v, body, d) => (
                format!(
                    "{a}.{}().map_or({}, |{v}| {})",
                    Self::end(*last),
                    self.ex(d, true).0,
                    self.ex(body, true).0
                ),
                10,
            ),
            R4E::Method(q, m, x, path) => {
                let x = self.ex(x, true).0;
                if self.r4_dual() {
                    (format!("{q}.{m}_dual({x}, tr_)"), 10)
                } else if *path {
                    let recv = if *m == "ulen" {
                        format!("&{q}")
                    } else {
                        q.clone()
                    };
                    (format!("Uq::{m}({recv}, {x})"), 10)
                } else {
                    (format!("{q}.{m}({x})"), 10)
                }
            }
        }
    }

    pub(crate) fn r4_s(&mut self, s: &R4S) {
        match s {
            R4S::Loop(body) => {
                self.block("loop", body);
                self.line("}");
            }
            R4S::Tagged(_, body) => self.stmts(body),
            R4S::StructPat(st, fields, rest, src) => {
                let mut fs: Vec<String> = fields
                    .iter()
                    .map(|(f, b)| {
                        if f == b {
                            f.clone()
                        } else {
                            format!("{f}: {b}")
                        }
                    })
                    .collect();
                if *rest {
                    fs.push("..".into());
                }
                let st = if self.r4_dual() {
                    format!("{st}D")
                } else {
                    st.to_string()
                };
                self.line(&format!("let {st} {{ {} }} = {src};", fs.join(", ")));
            }
            R4S::ArrPat(names, e) => {
                let l = format!("let [{}] = {};", names.join(", "), self.ex(e, true).0);
                self.line(&l);
            }
            R4S::FromFn {
                name,
                len,
                form,
                i,
                body,
                z,
                arr,
            } => {
                let body = subst(&self.ex(body, true).0, z, &format!("{arr}[{i}]"));
                let f = if self.r4_dual() { "D" } else { "f64" };
                let l = match form {
                    FromFnForm::Annotated => format!(
                        "let {name}: {} = std::array::from_fn(|{i}| {body});",
                        self.r4_arr(*len)
                    ),
                    FromFnForm::Turbofish => {
                        format!("let {name} = std::array::from_fn::<{f}, {len}, _>(|{i}| {body});")
                    }
                    FromFnForm::Core => {
                        format!("let {name} = core::array::from_fn::<{f}, {len}, _>(|{i}| {body});")
                    }
                };
                self.line(&l);
            }
            R4S::LetUq(q, a, [v0, v1]) => {
                let ty = if self.r4_dual() { "UqD" } else { "Uq" };
                let l = format!(
                    "let {q} = {ty} {{ a: {}, v: [{}, {}] }};",
                    self.ex(a, true).0,
                    self.ex(v0, true).0,
                    self.ex(v1, true).0
                );
                self.line(&l);
            }
            R4S::RowCopy(r, annot, w, k) => {
                let annot = if *annot {
                    format!(": {}", self.r4_arr(2))
                } else {
                    String::new()
                };
                let l = format!("let {r}{annot} = {w}[{}];", self.int(k).0);
                self.line(&l);
            }
            R4S::LetAlias(u, es) => {
                let ty = if self.r4_dual() {
                    self.r4_arr(es.len())
                } else {
                    format!("V{}", es.len())
                };
                let es: Vec<String> = es.iter().map(|e| self.ex(e, true).0).collect();
                self.line(&format!("let {u}: {ty} = [{}];", es.join(", ")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn subst_replaces_whole_words() {
        assert_eq!(
            super::subst("z1 + z12 * (z1).sin() + az1", "z1", "a[i]"),
            "a[i] + z12 * (a[i]).sin() + az1"
        );
    }
}
