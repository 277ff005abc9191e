//! What the generators of their own share (`idioms`, `seqs`, `recent`, `late`,
//! `records`, `round4`, `values`): the random stream a program's segments draw
//! from and the driver that appends them to its body and their terms to its
//! result; the locals, parameters and sub-expressions a segment adds; and the
//! scaffolding of the file's header (a module of shared items, a struct with its
//! oracle's twin).
//!
//! Each of those generators draws from a stream of its own, so that a program
//! without its segments is the program the stream had before it existed.

use crate::ast::*;
use crate::gen::*;
use crate::{Options, Rng};

/// The random stream of a generator of its own for program `index`, salted so
/// that the streams differ, and how many segments the program gets from it: none
/// in 70% of programs (or when all of `names` are excluded), else 1, or 2 with
/// probability `more`.
pub(crate) fn own_stream(
    opts: &Options,
    index: usize,
    salt: u64,
    names: &[&str],
    more: f64,
) -> (usize, Rng) {
    let mut rng = Rng::new(opts.seed.wrapping_mul(salt) ^ (index as u64));
    for _ in 0..4 {
        rng.next_u64();
    }
    let segments = if names.iter().any(|c| opts.on(c)) && rng.chance(0.3) {
        1 + usize::from(rng.chance(more))
    } else {
        0
    };
    (segments, rng)
}

/// What a program gets from a generator of its own: how many segments, and the
/// stream they draw from.
pub(crate) struct Segments {
    count: usize,
    rng: Rng,
}

impl Segments {
    /// See [`own_stream`].
    pub(crate) fn draw(
        opts: &Options,
        index: usize,
        salt: u64,
        names: &[&str],
        more: f64,
    ) -> Segments {
        let (count, rng) = own_stream(opts, index, salt, names, more);
        Segments { count, rng }
    }

    /// Appends the segments `segment` writes to `body` and their terms to the
    /// result, drawing from this stream (the program's is restored after).
    pub(crate) fn apply(
        self,
        g: &mut Gen,
        body: &mut Vec<S>,
        tail: R,
        mut segment: impl FnMut(&mut Gen, &mut Vec<S>) -> Vec<(E, f64)>,
    ) -> R {
        if self.count == 0 {
            return tail;
        }
        let main = std::mem::replace(&mut g.rng, self.rng);
        let mut terms = Vec::new();
        for _ in 0..self.count {
            terms.extend(segment(g, body));
        }
        let tail = g.add_terms(terms, body, tail);
        g.rng = main;
        tail
    }
}

/// A 1-D array of `len` floats (not a slice).
pub(crate) fn arr_kind(len: usize) -> VK {
    VK::Arr {
        len,
        inner: None,
        slice: false,
    }
}

impl Gen<'_> {
    /// A new parameter named `prefix` and a number, pushed onto `params`.
    pub(crate) fn new_param(
        &mut self,
        params: &mut Vec<Param>,
        prefix: &str,
        kind: PK,
        mutable: bool,
        active: bool,
    ) -> String {
        let name = self.fresh(prefix);
        params.push(Param {
            name: name.clone(),
            kind,
            mutable,
            active,
        });
        name
    }

    /// `let [mut] name: [f64; len] = [e, …];` of expressions of the parameters
    /// bounded by `eb`: its name and bound.
    pub(crate) fn let_array(
        &mut self,
        prefix: &str,
        len: usize,
        eb: f64,
        mutable: bool,
        out: &mut Vec<S>,
    ) -> (String, f64) {
        let name = self.fresh(prefix);
        let mut es = Vec::new();
        let mut bound = 0.0f64;
        for _ in 0..len {
            let (e, b) = self.input_expr(eb);
            bound = bound.max(b);
            es.push(e);
        }
        out.push(S::LetArr {
            name: name.clone(),
            mutable,
            annot: Some(format!("[f64; {len}]")),
            init: AInit::Lit(es),
        });
        self.declare(&name, arr_kind(len), mutable, bound);
        (name, bound)
    }

    /// A 1-D array of length `n` of the body or the parameters (not a field;
    /// when `reuse`, 60%), or a new local of the parameters (`let_array`).
    pub(crate) fn array_of_len(
        &mut self,
        prefix: &str,
        n: usize,
        reuse: bool,
        out: &mut Vec<S>,
    ) -> (String, f64) {
        let ok: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| {
                !is_field(&v.name) && matches!(v.kind, VK::Arr { inner: None, len, .. } if len == n)
            })
            .collect();
        if reuse && !ok.is_empty() && self.rng.chance(0.6) {
            let v = self.rng.pick(&ok).clone();
            return (v.name, v.bound);
        }
        self.let_array(prefix, n, 2.0, false, out)
    }

    /// A 1-D array to iterate over (not a field) with elements bounded by
    /// `max_bound`, or a new local `let a: [f64; n] = [e, …];` of the parameters.
    pub(crate) fn idiom_array(&mut self, max_bound: f64, out: &mut Vec<S>) -> (String, f64) {
        let arrays: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| {
                matches!(v.kind, VK::Arr { inner: None, .. })
                    && !is_field(&v.name)
                    && v.bound <= max_bound
            })
            .collect();
        if !arrays.is_empty() && self.rng.chance(0.7) {
            let a = self.rng.pick(&arrays).clone();
            return (a.name, a.bound);
        }
        let len = self.rng.int(2, 4) as usize;
        self.let_array("ia", len, 2.0, false, out)
    }

    /// The length of a visible array.
    pub(crate) fn len_of(&self, a: &str) -> usize {
        match self
            .visible()
            .into_iter()
            .find(|v| v.name == a)
            .map(|v| v.kind)
        {
            Some(VK::Arr { len, .. }) => len,
            _ => 1,
        }
    }

    /// The bound of a visible variable (2 if unknown).
    pub(crate) fn bound_of(&self, name: &str) -> f64 {
        self.visible()
            .into_iter()
            .find(|v| v.name == name)
            .map_or(2.0, |v| v.bound)
    }

    /// `let name: f64 = e;`
    pub(crate) fn bind_idiom(&mut self, e: E, bound: f64, out: &mut Vec<S>) -> (E, f64) {
        let name = self.fresh("v");
        out.push(let_f(name.clone(), false, e));
        self.declare(&name, VK::F, false, bound);
        (E::Var(name), bound)
    }

    /// A body of one item `z` (bound `zb`; a `&f64` when `by_ref`), reading `z`,
    /// bounded by 2: of a closure, an iterator's item, a pattern's binding.
    pub(crate) fn item_body(&mut self, z: &str, zb: f64, by_ref: bool) -> (E, f64) {
        let saved = std::mem::replace(&mut self.scopes, vec![Vec::new()]);
        let inputs = std::mem::replace(&mut self.inputs, vec![z.to_string()]);
        let depth = std::mem::replace(&mut self.loop_depth, 0);
        let kind = if by_ref { VK::FRef } else { VK::F };
        self.declare(z, kind, false, zb);
        let (body, b) = self.fexpr(2);
        let (body, bb) = self.squash(body, b, 2.0);
        let (body, bb) = if reads(&body, &self.inputs) {
            (body, bb)
        } else {
            let zv = if by_ref {
                E::RVar(z.to_string())
            } else {
                E::Var(z.to_string())
            };
            let (zz, zzb) = self.squash(zv, zb, 2.0);
            (add(body, zz), bb + zzb)
        };
        self.scopes = saved;
        self.inputs = inputs;
        self.loop_depth = depth;
        (body, bb)
    }

    /// An arm reading the binding `v` (bound `vb`) and the parameters.
    pub(crate) fn opt_arm(&mut self, v: &str, vb: f64) -> (E, f64) {
        let (a, ab) = self.item_body(v, vb, false);
        let (k, kb) = self.input_expr(1.5);
        if self.rng.chance(0.5) {
            (mul(a, k), ab * kb)
        } else {
            (add(a, k), ab + kb)
        }
    }

    /// `e` times an input expression (bounded by 1.5).
    pub(crate) fn scaled(&mut self, e: E, b: f64) -> (E, f64) {
        let (k, kb) = self.input_expr(1.5);
        (mul(e, k), b * kb)
    }

    /// `<` or `>`.
    pub(crate) fn cmp_op(&mut self) -> &'static str {
        if self.rng.chance(0.5) {
            "<"
        } else {
            ">"
        }
    }

    /// A threshold: a float parameter, or a literal off the grid of literals.
    pub(crate) fn threshold(&mut self) -> E {
        let inputs = self.inputs.clone();
        let params: Vec<Var> = self
            .scalars()
            .into_iter()
            .filter(|v| inputs.contains(&v.name))
            .collect();
        if !params.is_empty() && self.rng.chance(0.35) {
            let v = self.rng.pick(&params).clone();
            return match v.kind {
                VK::FRef => E::RVar(v.name),
                _ => E::Var(v.name),
            };
        }
        let v = self.lit_value(-1.5, 1.5) + 0.013;
        lit((v * 1000.0).round() / 1000.0)
    }
}

// ------------------------------------------------------------------ the header

/// A module of the file's header holding items the programs share: a banner
/// line (`title`), the module's doc comment, its items (each beginning with an
/// empty line), then `use name::*;`.
pub(crate) fn shared_module(title: &str, doc: &str, name: &str, items: &str) -> String {
    let mut s = String::from("\n");
    if !title.is_empty() {
        s.push_str("// ---------------------------------------------------------------- ");
        s.push_str(title);
        s.push_str("\n\n");
    }
    for l in doc.lines() {
        s.push_str("/// ");
        s.push_str(l);
        s.push('\n');
    }
    s.push_str(&format!(
        "mod {name} {{\n#![allow(dead_code, unused, clippy::all)]\nuse super::*;\n{items}}}\n\nuse {name}::*;\n"
    ));
    s
}

/// A struct of the header and its twin `{name}D<D>` in the oracle: its doc
/// comment (lines, maybe none), the derives of the original (the twin's leave out
/// `Default` and `autodiff::Tangent`), the fields with their types, `F` standing
/// for the float type (`f64`, or `D`), and what the twin's doc adds after "in
/// the oracle".
pub(crate) fn struct_with_oracle(
    doc: &str,
    derives: &str,
    name: &str,
    fields: &[(&str, &str)],
    twin: &str,
) -> String {
    let decl = |f: &str| -> String {
        fields
            .iter()
            .map(|(n, t)| format!("    pub {n}: {},\n", float_ty(t, f)))
            .collect()
    };
    let oracle: Vec<&str> = derives
        .split(", ")
        .filter(|d| !matches!(*d, "Default" | "autodiff::Tangent"))
        .collect();
    let mut s = String::new();
    for l in doc.lines() {
        s.push_str("/// ");
        s.push_str(l);
        s.push('\n');
    }
    s.push_str(&format!(
        "#[derive({derives})]\npub struct {name} {{\n{}}}\n\n/// `{name}` in the oracle{twin}.\n#[derive({})]\npub struct {name}D<D> {{\n{}}}\n",
        decl("f64"),
        oracle.join(", "),
        decl("D")
    ));
    s
}

/// A type of `struct_with_oracle`'s fields with `F` replaced by `f`.
fn float_ty(t: &str, f: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let chars: Vec<char> = t.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let alone = (i == 0 || !word(chars[i - 1])) && chars.get(i + 1).is_none_or(|&n| !word(n));
        if c == 'F' && alone {
            out.push_str(f);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn float_types() {
        assert_eq!(super::float_ty("[[F; 2]; 3]", "D"), "[[D; 2]; 3]");
        assert_eq!(super::float_ty("Vec<Vec<F>>", "f64"), "Vec<Vec<f64>>");
        assert_eq!(super::float_ty("usize", "D"), "usize");
    }
}
