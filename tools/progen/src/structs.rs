//! Struct parameters: the struct `Body` of the file header, passed by value
//! (`mut st: Body`), by reference (`st: &Body`) or as `&self` of a method, its
//! fields read, updated (by value), snapshotted (`let s = st.pos;` then the field
//! updated) and copied into locals that are then updated (`let mut out = st.pos;
//! out[i] += …`, by reference) — the patterns of issue 10, bug 2.
//!
//! A field is a variable of the generator named by its path (`st.pos`,
//! `self.inner.a`): the expression and statement generators read and assign it
//! like any variable (see `gen::is_field` for what they leave out).

use crate::ast::*;
use crate::gen::*;

/// Float fields of `Body` in the order of its flat points: name, length (1 for
/// a scalar), inner length of a 2-D field.
const FIELDS: &[(&str, usize, Option<usize>)] = &[
    ("pos", 2, None),
    ("vel", 2, None),
    ("m", 1, None),
    ("w", 2, Some(2)),
];
/// The nested struct's fields (`st.inner.a`, `st.inner.t`).
const INNER: &[(&str, usize, Option<usize>)] = &[("a", 2, None), ("t", 1, None)];

fn count(fields: &[(&str, usize, Option<usize>)]) -> usize {
    fields.iter().map(|(_, n, m)| n * m.unwrap_or(1)).sum()
}

/// Floats of a `Body` (with its nested field or not).
pub(crate) fn floats(nested: bool) -> usize {
    count(FIELDS) + if nested { count(INNER) } else { 0 }
}

/// The header items: `Body` (and `Inner`) for the originals, `BodyD<D>` (and
/// `InnerD<D>`) for the oracles, their flat forms, and a `Body` filled with a value
/// (a shadow before the companion adds into it).
pub(crate) fn header(nested: bool) -> String {
    let field_ty = |n: usize, m: Option<usize>, f: &str| match (n, m) {
        (1, None) => f.to_string(),
        (n, None) => format!("[{f}; {n}]"),
        (n, Some(m)) => format!("[[{f}; {m}]; {n}]"),
    };
    let decl = |fields: &[(&str, usize, Option<usize>)], f: &str| -> String {
        fields
            .iter()
            .map(|(name, n, m)| format!("    pub {name}: {},\n", field_ty(*n, *m, f)))
            .collect()
    };
    let take = |fields: &[(&str, usize, Option<usize>)]| -> String {
        fields
            .iter()
            .map(|(name, n, m)| {
                let t = match (n, m) {
                    (1, None) => "take1(x, k)",
                    (_, None) => "take(x, k)",
                    _ => "take2(x, k)",
                };
                format!("{name}: {t}, ")
            })
            .collect()
    };
    let put = |fields: &[(&str, usize, Option<usize>)], path: &str| -> String {
        fields
            .iter()
            .map(|(name, _, _)| format!("        self.{path}{name}.put(out);\n"))
            .collect()
    };
    let fill = |fields: &[(&str, usize, Option<usize>)]| -> String {
        fields
            .iter()
            .map(|(name, n, m)| {
                let v = match (n, m) {
                    (1, None) => "v".to_string(),
                    (n, None) => format!("[v; {n}]"),
                    (n, Some(m)) => format!("[[v; {m}]; {n}]"),
                };
                format!("{name}: {v}, ")
            })
            .collect()
    };
    let mut s = String::from("\n// ---------------------------------------------------------------- the struct of the struct programs\n\n");
    let (inner_f, inner_d, inner_take, inner_take_d, inner_fill) = if nested {
        (
            "    pub inner: Inner,\n".to_string(),
            "    pub inner: InnerD<D>,\n".to_string(),
            format!("inner: Inner {{ {}}}, ", take(INNER)),
            format!("inner: InnerD {{ {}}}, ", take(INNER)),
            format!("inner: Inner {{ {}}}, ", fill(INNER)),
        )
    } else {
        Default::default()
    };
    if nested {
        s.push_str(&format!(
            "#[derive(Clone, Copy, Debug, Tangent)]\npub struct Inner {{\n{}}}\n\n#[derive(Clone, Copy, Debug)]\npub struct InnerD<D> {{\n{}}}\n\n",
            decl(INNER, "f64"),
            decl(INNER, "D")
        ));
    }
    let inner_put = if nested {
        put(INNER, "inner.")
    } else {
        String::new()
    };
    s.push_str(&format!(
        "#[derive(Clone, Copy, Debug, Tangent)]\npub struct Body {{\n{}{inner_f}}}\n\n#[derive(Clone, Copy, Debug)]\npub struct BodyD<D> {{\n{}{inner_d}}}\n\n",
        decl(FIELDS, "f64"),
        decl(FIELDS, "D")
    ));
    s.push_str(&format!(
        "impl Flat<f64> for Body {{\n    fn put(&self, out: &mut Vec<f64>) {{\n{}{inner_put}    }}\n}}\n\n",
        put(FIELDS, "")
    ));
    s.push_str(&format!(
        "impl Flat<Dual64> for BodyD<Dual64> {{\n    fn put(&self, out: &mut Vec<Dual64>) {{\n{}{inner_put}    }}\n}}\n\n",
        put(FIELDS, "")
    ));
    s.push_str(&format!(
        "pub fn take_body(x: &[f64], k: &mut usize) -> Body {{\n    Body {{ {}{inner_take}}}\n}}\n\n",
        take(FIELDS)
    ));
    s.push_str(&format!(
        "pub fn take_body_d<D: Copy>(x: &[D], k: &mut usize) -> BodyD<D> {{\n    BodyD {{ {}{inner_take_d}}}\n}}\n\n",
        take(FIELDS)
    ));
    s.push_str(&format!(
        "pub fn body_filled(v: f64) -> Body {{\n    Body {{ {}{inner_fill}}}\n}}\n",
        fill(FIELDS)
    ));
    s
}

impl Gen<'_> {
    /// Declares the fields of the struct parameter `name` (`self` for a method)
    /// as variables; fields of a by-value `mut` struct are assignable.
    pub(crate) fn declare_fields(&mut self, name: &str, mutable: bool, nested: bool) {
        let mut all: Vec<(String, usize, Option<usize>)> = FIELDS
            .iter()
            .map(|(f, n, m)| (format!("{name}.{f}"), *n, *m))
            .collect();
        if nested && self.on("nested-structs") {
            all.extend(
                INNER
                    .iter()
                    .map(|(f, n, m)| (format!("{name}.inner.{f}"), *n, *m)),
            );
        }
        for (path, n, m) in all {
            let kind = match (n, m) {
                (1, None) => VK::F,
                (n, m) => VK::Arr {
                    len: n,
                    inner: m,
                    slice: false,
                },
            };
            self.declare(&path, kind, mutable, 2.0);
            self.inputs.push(path);
        }
    }

    /// Whether a local array may be initialised with a copy of the field `v`.
    pub(crate) fn field_copy_ok(&self, v: &Var) -> bool {
        if v.mutable {
            self.on("field-snapshots")
        } else {
            self.on("ref-field-copies")
        }
    }

    /// The field arrays of the struct parameter (1-D, or all).
    fn field_arrays(&self, one_d: bool) -> Vec<Var> {
        self.arrays()
            .into_iter()
            .filter(|v| is_field(&v.name))
            .filter(|v| !one_d || matches!(v.kind, VK::Arr { inner: None, .. }))
            .collect()
    }

    /// The struct statements of a program with a struct parameter: a snapshot of a
    /// field then updates of the field (by value), or a copy of a field into a
    /// local that is then updated (by reference, `&self`), and updates of fields
    /// in a loop; terms for the result.
    pub(crate) fn struct_segment(&mut self, mode: BodyMode, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let mut terms = Vec::new();
        let arrays = self.field_arrays(true);
        if arrays.is_empty() {
            return terms;
        }
        let f = self.rng.pick(&arrays).clone();
        let VK::Arr { len, .. } = f.kind else {
            return terms;
        };
        let by_value = mode == BodyMode::Value;
        if by_value {
            // `let s = st.pos;` then the field updated, reading the snapshot
            let snap = if self.on("field-snapshots") {
                let s = self.fresh("snap");
                out.push(S::LetArr {
                    name: s.clone(),
                    mutable: false,
                    annot: None,
                    init: AInit::Copy(f.name.clone(), false),
                });
                self.declare(
                    &s,
                    VK::Arr {
                        len,
                        inner: None,
                        slice: false,
                    },
                    false,
                    f.bound,
                );
                Some(s)
            } else {
                None
            };
            let in_loop = self.rng.chance(0.5);
            let mut body = Vec::new();
            let steps = self.rng.int(1, 3) as usize;
            if in_loop {
                self.loop_depth += 1;
            }
            for _ in 0..steps {
                let j = self.rng.int(0, len as i64 - 1);
                let (e, b) = self.fexpr(2);
                let (e, eb) = self.squash(e, b, 1.0);
                let dt = self.lit_value(0.1, 0.5);
                let e = E::Bin('*', bx(E::Lit(dt)), bx(e));
                body.push(S::Assign(LV::Idx(f.name.clone(), vec![I::Lit(j)]), '+', e));
                self.raise(&f.name, f.bound + dt * eb * 12.0);
            }
            if in_loop {
                self.loop_depth -= 1;
                let i = self.fresh("i");
                let hi = self.rng.int(2, 4);
                out.push(S::For(Head::Range(i, I::Lit(0), I::Lit(hi), false), body));
            } else {
                out.extend(body);
            }
            let j = self.rng.int(0, len as i64 - 1);
            let cur = E::Idx(f.name.clone(), vec![I::Lit(j)]);
            let e = match snap {
                Some(s) => E::Bin('-', bx(cur), bx(E::Idx(s, vec![I::Lit(j)]))),
                None => cur,
            };
            terms.push((e, f.bound + 4.0));
        } else if self.on("ref-field-copies") {
            // `let mut out: [f64; 2] = st.pos; out[i] += …` (the type written, as
            // the macro asks for a field of a `&` struct)
            let o = self.fresh("out");
            out.push(S::LetArr {
                name: o.clone(),
                mutable: true,
                annot: Some(format!("[f64; {len}]")),
                init: AInit::Copy(f.name.clone(), false),
            });
            self.declare(
                &o,
                VK::Arr {
                    len,
                    inner: None,
                    slice: false,
                },
                true,
                f.bound,
            );
            for _ in 0..self.rng.int(1, 2) {
                let j = self.rng.int(0, len as i64 - 1);
                let (e, b) = self.fexpr(2);
                let (e, _) = self.squash(e, b, 2.0);
                let op = *self.rng.pick(&['+', '-', '=']);
                out.push(S::Assign(LV::Idx(o.clone(), vec![I::Lit(j)]), op, e));
            }
            let j = self.rng.int(0, len as i64 - 1);
            terms.push((E::Idx(o, vec![I::Lit(j)]), f.bound + 4.0));
        }
        terms
    }
}
