//! Calls to `#[grad]` callees of the file header: arrays by reference (`cdot3(&a,
//! &b)`), the same array passed twice (`cdot3(&a, &a)`, `cdot_s(s, s)` of a
//! slice), rows of 2-D arrays (`caff2(&w[i], b, &h)`) and of a struct's 2-D field
//! (`caff2(&st.w[i], b, &h)`), at the top level or in a loop over the rows.

use crate::ast::*;
use crate::gen::*;
use std::fmt::Write as _;

/// Lengths of the `cdot{n}` callees (those of the generated arrays).
const DOT_LENS: std::ops::RangeInclusive<usize> = 1..=5;
/// Row lengths of the `caff{m}` callees (inner lengths of 2-D arrays).
const ROW_LENS: std::ops::RangeInclusive<usize> = 2..=3;

/// The callees, each as the original under `#[grad]` and as the oracle.
pub(crate) fn header() -> String {
    let mut s = String::from(
        "\n// ---------------------------------------------------------------- the callees of the call programs\n",
    );
    for n in DOT_LENS {
        let _ = write!(
            s,
            "
#[grad(reverse, forward)]
pub fn cdot{n}(a: &[f64; {n}], b: &[f64; {n}]) -> f64 {{
    let mut s = 0.0;
    for i in 0..{n} {{
        s += a[i] * b[i].tanh();
    }}
    s
}}

pub fn cdot{n}_dual<D: Dn>(a: &[D; {n}], b: &[D; {n}], tr_: &mut Tr) -> D {{
    let mut s = D::from(0.0);
    for i in 0..{n} {{
        s = s + a[i] * b[i].tanh();
    }}
    s
}}
"
        );
    }
    s.push_str(
        "
#[grad(reverse, forward)]
pub fn cdot_s(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i].tanh();
    }
    s
}

pub fn cdot_s_dual<D: Dn>(a: &[D], b: &[D], tr_: &mut Tr) -> D {
    let mut s = D::from(0.0);
    for i in 0..a.len() {
        s = s + a[i] * b[i].tanh();
    }
    s
}
",
    );
    s.push_str(
        "
#[grad(reverse, forward)]
pub fn cpair2(a: &[f64; 2]) -> [f64; 2] {
    [a[0] * a[1].tanh(), a[0] - a[1]]
}

pub fn cpair2_dual<D: Dn>(a: &[D; 2], tr_: &mut Tr) -> [D; 2] {
    [a[0] * a[1].tanh(), a[0] - a[1]]
}

#[grad(reverse, forward)]
pub fn csplit(x: f64, y: f64) -> (f64, f64) {
    (x * y, x.sin() + y)
}

pub fn csplit_dual<D: Dn>(x: D, y: D, tr_: &mut Tr) -> (D, D) {
    (x * y, x.sin() + y)
}

/// A callee with hand-written companions.
#[grad(custom, reverse, forward)]
pub fn ccube(x: f64) -> f64 {
    x * x * x
}

pub fn ccube_backward(x: f64, d_out: f64) -> (f64, f64) {
    (x * x * x, 3.0 * x * x * d_out)
}

pub fn ccube_forward(x: f64, t_x: f64) -> (f64, f64) {
    (x * x * x, 3.0 * x * x * t_x)
}

pub fn ccube_dual<D: Dn>(x: D, tr_: &mut Tr) -> D {
    x * x * x
}

/// A generic callee.
#[grad(reverse, forward)]
pub fn cgen<T: autodiff::Real>(x: T, y: T) -> T {
    x * y + x.sin()
}

pub fn cgen_dual<D: Dn>(x: D, y: D, tr_: &mut Tr) -> D {
    x * y + x.sin()
}
",
    );
    for m in ROW_LENS {
        let _ = write!(
            s,
            "
#[grad(reverse, forward)]
pub fn caff{m}(w: &[f64; {m}], b: f64, h: &[f64; {m}]) -> f64 {{
    let mut s = b;
    for i in 0..{m} {{
        s += w[i] * h[i];
    }}
    s.tanh()
}}

pub fn caff{m}_dual<D: Dn>(w: &[D; {m}], b: D, h: &[D; {m}], tr_: &mut Tr) -> D {{
    let mut s = b;
    for i in 0..{m} {{
        s = s + w[i] * h[i];
    }}
    s.tanh()
}}
"
        );
    }
    s
}

impl Gen<'_> {
    /// `a` as an argument by reference: `&a`, or `a` for a parameter that is a
    /// reference already (`&[f64; n]`, `&[f64]`).
    fn by_ref(&self, v: &Var) -> Arg {
        let amp = !is_slice(v) && !self.visible_param_ref(&v.name);
        Arg::Ref(v.name.clone(), Vec::new(), amp)
    }

    /// One call segment; terms for the result. `field_rows`: the struct
    /// parameter is differentiated, so its 2-D field's rows may be passed on.
    pub(crate) fn call_segment(&mut self, field_rows: bool, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let arrays = self.arrays();
        let fixed: Vec<Var> = arrays
            .iter()
            .filter(|v| {
                !is_field(&v.name)
                    && matches!(v.kind, VK::Arr { inner: None, slice: false, len } if DOT_LENS.contains(&len))
            })
            .cloned()
            .collect();
        let slices: Vec<Var> = arrays.iter().filter(|v| is_slice(v)).cloned().collect();
        let two_d: Vec<Var> = arrays
            .iter()
            .filter(|v| matches!(v.kind, VK::Arr { inner: Some(m), .. } if ROW_LENS.contains(&m)))
            .filter(|v| {
                if is_field(&v.name) {
                    field_rows && self.on("field-row-args")
                } else {
                    self.on("row-args")
                }
            })
            .cloned()
            .collect();
        let pairs: Vec<(Var, Var)> = fixed
            .iter()
            .flat_map(|a| {
                fixed
                    .iter()
                    .filter(move |b| b.name != a.name && b.kind_len() == a.kind_len())
                    .map(move |b| (a.clone(), b.clone()))
            })
            .collect();
        let choice = self.rng.weighted(&[
            if self.on("calls") && !pairs.is_empty() {
                1.0
            } else {
                0.0
            },
            if self.on("aliased-call-args") && !fixed.is_empty() {
                1.5
            } else {
                0.0
            },
            if self.on("aliased-slice-args") && !slices.is_empty() {
                1.5
            } else {
                0.0
            },
            if two_d.is_empty() { 0.0 } else { 2.0 },
        ]);
        let res = self.fresh("cc");
        let (init, bound) = match choice {
            0 if !pairs.is_empty() => {
                let (a, b) = self.rng.pick(&pairs).clone();
                let n = a.kind_len();
                let args = vec![self.by_ref(&a), self.by_ref(&b)];
                (E::Call(dot_name(n), args, Style::User), n as f64 * a.bound)
            }
            1 if !fixed.is_empty() => {
                let a = self.rng.pick(&fixed).clone();
                let n = a.kind_len();
                let args = vec![self.by_ref(&a), self.by_ref(&a)];
                (E::Call(dot_name(n), args, Style::User), n as f64 * a.bound)
            }
            2 if !slices.is_empty() => {
                let s = self.rng.pick(&slices).clone();
                let n = s.kind_len();
                let args = vec![self.by_ref(&s), self.by_ref(&s)];
                (E::Call("cdot_s", args, Style::User), n as f64 * s.bound)
            }
            _ if !two_d.is_empty() => return self.row_calls(&two_d, &res, out),
            _ => return Vec::new(),
        };
        out.push(S::Let {
            name: res.clone(),
            mutable: false,
            annot: true,
            init,
        });
        self.declare(&res, VK::F, false, bound);
        vec![(E::Var(res), bound)]
    }

    /// `caff{m}(&w[i], b, &h)` at the top level, or summed in a loop over the rows.
    fn row_calls(&mut self, two_d: &[Var], res: &str, out: &mut Vec<S>) -> Vec<(E, f64)> {
        let w = self.rng.pick(two_d).clone();
        let VK::Arr {
            len: rows,
            inner: Some(m),
            ..
        } = w.kind
        else {
            return Vec::new();
        };
        // `h`: an array of the row's length, or a new one
        let hs: Vec<Var> = self
            .arrays()
            .into_iter()
            .filter(|v| {
                !is_field(&v.name)
                    && matches!(v.kind, VK::Arr { inner: None, slice: false, len } if len == m)
            })
            .collect();
        let h = if !hs.is_empty() && self.rng.chance(0.6) {
            self.rng.pick(&hs).clone()
        } else {
            let name = self.fresh("hh");
            let mut es = Vec::new();
            for _ in 0..m {
                es.push(self.input_expr(1.5).0);
            }
            out.push(S::LetArr {
                name: name.clone(),
                mutable: false,
                annot: Some(format!("[f64; {m}]")),
                init: AInit::Lit(es),
            });
            let v = Var {
                name: name.clone(),
                kind: VK::Arr {
                    len: m,
                    inner: None,
                    slice: false,
                },
                mutable: false,
                bound: 1.5,
                depth: self.loop_depth,
            };
            self.declare(&name, v.kind.clone(), false, 1.5);
            v
        };
        let in_loop = rows > 1 && self.rng.chance(0.5);
        let row_arg = |i: I| Arg::Ref(w.name.clone(), vec![i], true);
        // the bias: never a bare field or variable (a known limit, see
        // tests/structs.rs `scalar_field_by_value`), always a product
        let bias = |g: &mut Self| {
            let (e, _) = g.input_expr(1.0);
            E::Bin('*', bx(e), bx(E::Lit(0.5)))
        };
        let name: &'static str = if m == 2 { "caff2" } else { "caff3" };
        if in_loop {
            out.push(let_f(res.to_string(), true, E::Lit(0.0)));
            self.scopes.push(Vec::new());
            self.loop_depth += 1;
            let l = self.fresh("l");
            self.declare(
                &l,
                VK::Int {
                    max: rows as i64 - 1,
                    i32: false,
                },
                false,
                0.0,
            );
            let b = bias(self);
            let call = E::Call(
                name,
                vec![row_arg(I::Var(l.clone())), Arg::F(b), self.by_ref(&h)],
                Style::User,
            );
            self.loop_depth -= 1;
            self.scopes.pop();
            out.push(S::For(
                Head::Range(l, I::Lit(0), I::Lit(rows as i64), false),
                vec![S::Assign(LV::Var(res.to_string()), '+', call)],
            ));
        } else {
            let i = self.index(rows, None);
            let b = bias(self);
            let call = E::Call(
                name,
                vec![row_arg(i), Arg::F(b), self.by_ref(&h)],
                Style::User,
            );
            out.push(let_f(res.to_string(), false, call));
        }
        self.declare(res, VK::F, false, rows as f64);
        vec![(E::Var(res.to_string()), rows as f64)]
    }
}

fn dot_name(n: usize) -> &'static str {
    ["cdot1", "cdot2", "cdot3", "cdot4", "cdot5"][n - 1]
}

impl Var {
    /// The length of a 1-D array (0 for anything else).
    pub(crate) fn kind_len(&self) -> usize {
        match self.kind {
            VK::Arr { len, .. } => len,
            _ => 0,
        }
    }
}
