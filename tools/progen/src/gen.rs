//! The generator's state: the variables in scope with their bounds, and the
//! basics (names, scopes, indices) the expression and statement generators share.

use crate::ast::*;
use crate::{Options, Rng};

#[derive(Clone, Debug)]
pub(crate) enum VK {
    F,
    /// `&f64`
    FRef,
    /// An array: length, inner length for 2-D, whether a slice (`.len()` at run time).
    Arr {
        len: usize,
        inner: Option<usize>,
        slice: bool,
    },
    /// An integer: its largest value; `i32` (only an exponent) or `usize`.
    Int {
        max: i64,
        i32: bool,
    },
    Bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Var {
    pub(crate) name: String,
    pub(crate) kind: VK,
    pub(crate) mutable: bool,
    /// A bound on `|value|` (on every element of an array).
    pub(crate) bound: f64,
    /// Loop depth where it was declared: a loop body updates outer floats only by
    /// bounded steps.
    pub(crate) depth: usize,
}

#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    /// `return` allowed (function level, not in a loop).
    pub(crate) fn_level: bool,
    /// `break` / `continue` allowed.
    pub(crate) in_loop: bool,
    /// Nesting of blocks, to keep programs small.
    pub(crate) nest: usize,
}

pub(crate) struct Gen<'o> {
    pub(crate) rng: Rng,
    pub(crate) opts: &'o Options,
    pub(crate) scopes: Vec<Vec<Var>>,
    pub(crate) ids: usize,
    pub(crate) loop_depth: usize,
    pub(crate) ret: RetKind,
    /// Statements still allowed in this program.
    pub(crate) budget: usize,
    /// Arrays a loop around here iterates over: not to be assigned to.
    pub(crate) frozen: Vec<String>,
    /// The names of the float parameters.
    pub(crate) inputs: Vec<String>,
    /// The values of the struct `Sv` declared (`values.rs`).
    pub(crate) svs: Vec<SvVar>,
}

impl Gen<'_> {
    pub(crate) fn on(&self, c: &str) -> bool {
        self.opts.on(c)
    }

    /// Adds the terms of a generator of its own (`extras`, `idioms`, `seqs`,
    /// `recent`) to the program's result, each squashed and scaled (drawing
    /// from the current stream, that generator's): into its first element, or
    /// for an array variable by `+=` into its element 0.
    pub(crate) fn add_terms(&mut self, terms: Vec<(E, f64)>, body: &mut Vec<S>, tail: R) -> R {
        let mut sum: Option<E> = None;
        for (e, b) in terms {
            let (e, _) = self.squash(e, b, 4.0);
            let c = self.lit_value(0.25, 1.5);
            let t = E::Bin('*', bx(E::Lit(c)), bx(e));
            sum = Some(match sum {
                None => t,
                Some(s) => E::Bin('+', bx(s), bx(t)),
            });
        }
        let Some(sum) = sum else {
            return tail;
        };
        let add = |e: E| E::Bin('+', bx(e), bx(sum.clone()));
        match tail {
            R::S(e) => R::S(add(e)),
            R::T(a, b) => R::T(add(a), b),
            R::A(mut es) => {
                let first = es.remove(0);
                es.insert(0, add(first));
                R::A(es)
            }
            R::AVar(a) => {
                body.push(S::Assign(LV::Idx(a.clone(), vec![I::Lit(0)]), '+', sum));
                R::AVar(a)
            }
        }
    }

    pub(crate) fn fresh(&mut self, prefix: &str) -> String {
        self.ids += 1;
        format!("{prefix}{}", self.ids)
    }

    pub(crate) fn declare(&mut self, name: &str, kind: VK, mutable: bool, bound: f64) {
        let depth = self.loop_depth;
        if let Some(s) = self.scopes.last_mut() {
            s.push(Var {
                name: name.to_string(),
                kind,
                mutable,
                bound,
                depth,
            });
        }
    }

    /// The visible variables (an inner binding hides an outer one of that name).
    pub(crate) fn visible(&self) -> Vec<Var> {
        let mut out: Vec<Var> = Vec::new();
        for scope in self.scopes.iter().rev() {
            for v in scope.iter().rev() {
                if !out.iter().any(|o| o.name == v.name) {
                    out.push(v.clone());
                }
            }
        }
        out
    }

    pub(crate) fn var_mut(&mut self, name: &str) -> Option<&mut Var> {
        self.scopes
            .iter_mut()
            .rev()
            .flat_map(|s| s.iter_mut().rev())
            .find(|v| v.name == name)
    }

    pub(crate) fn raise(&mut self, name: &str, bound: f64) {
        if let Some(v) = self.var_mut(name) {
            v.bound = v.bound.max(bound);
        }
    }

    pub(crate) fn scalars(&self) -> Vec<Var> {
        self.visible()
            .into_iter()
            .filter(|v| matches!(v.kind, VK::F | VK::FRef))
            .collect()
    }

    pub(crate) fn arrays(&self) -> Vec<Var> {
        self.visible()
            .into_iter()
            .filter(|v| matches!(v.kind, VK::Arr { .. }))
            .collect()
    }

    pub(crate) fn ints(&self) -> Vec<Var> {
        self.visible()
            .into_iter()
            .filter(|v| matches!(v.kind, VK::Int { i32: false, .. }))
            .collect()
    }

    /// `for i in 0..n`: a fresh index declared in the current scope (at most
    /// `n - 1`).
    pub(crate) fn range_head(&mut self, n: i64) -> Head {
        let i = self.fresh("i");
        let int = VK::Int {
            max: n - 1,
            i32: false,
        };
        self.declare(&i, int, false, 0.0);
        Head::Range(i, I::Lit(0), I::Lit(n), false)
    }

    pub(crate) fn lit_value(&mut self, lo: f64, hi: f64) -> f64 {
        // multiples of 0.05, never 0
        let steps = ((hi - lo) / 0.05).round() as i64;
        let v = lo + 0.05 * self.rng.int(0, steps) as f64;
        let v = (v * 100.0).round() / 100.0;
        if v == 0.0 {
            0.25
        } else {
            v
        }
    }

    // -------------------------------------------------------------- integers

    /// An index into a dimension of length `len` (`slice`: write `% a.len()`).
    pub(crate) fn index(&mut self, len: usize, arr: Option<&str>) -> I {
        // `st.pos.len()` is not written: a field's length is a constant
        let arr = arr.filter(|a| !is_field(a));
        let ints = self.ints();
        if !ints.is_empty() && self.rng.chance(0.75) {
            let v = self.rng.pick(&ints).clone();
            let VK::Int { max, .. } = v.kind else {
                unreachable!()
            };
            let var = I::Var(v.name.clone());
            let n = len as i64;
            if max < n {
                return match self.rng.below(4) {
                    0 if n >= 2 => {
                        I::Bin('-', bx(I::Bin('-', bx(I::Lit(n)), bx(I::Lit(1)))), bx(var))
                    }
                    1 if max + 1 < n => I::Bin('+', bx(var), bx(I::Lit(1))),
                    _ => var,
                };
            }
            let m = match arr {
                Some(a) if self.rng.chance(0.5) => I::Len(a.to_string()),
                _ => I::Lit(n),
            };
            return if self.rng.chance(0.3) {
                I::Bin(
                    '%',
                    bx(I::Bin('+', bx(var), bx(I::Lit(self.rng.int(1, 3))))),
                    bx(m),
                )
            } else {
                I::Bin('%', bx(var), bx(m))
            };
        }
        I::Lit(self.rng.int(0, len as i64 - 1))
    }

    /// An array element `a[i]` / `w[i][j]` and its bound.
    pub(crate) fn element(&mut self) -> Option<(E, f64)> {
        let arrays = self.arrays();
        if arrays.is_empty() {
            return None;
        }
        let a = self.rng.pick(&arrays).clone();
        let VK::Arr { len, inner, .. } = a.kind else {
            unreachable!()
        };
        let mut idx = vec![self.index(len, Some(&a.name))];
        if let Some(m) = inner {
            idx.push(self.index(m, None));
        }
        Some((E::Idx(a.name.clone(), idx), a.bound))
    }
}

pub(crate) fn is_slice(v: &Var) -> bool {
    matches!(v.kind, VK::Arr { slice: true, .. })
}

/// Whether `name` is a struct field (`st.pos`, `self.inner.a`): read, indexed and
/// assigned like a variable, but not iterated over nor shadowed.
pub(crate) fn is_field(name: &str) -> bool {
    name.contains('.')
}
