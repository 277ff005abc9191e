//! The header items of `records.rs`: the structs `Lv` (`Vec` fields), `Pt` (a
//! record of a slice) and `Acc` (made by `Acc::default()`), their oracles' versions
//! and flat forms.

use crate::segments::{shared_module, struct_with_oracle};

/// The structs of this module and their flat forms.
pub(crate) fn header() -> String {
    let lv = struct_with_oracle(
        "A struct with `Vec` fields.",
        "Clone, Debug, autodiff::Tangent",
        "Lv",
        &[("b", "F"), ("w", "Vec<F>"), ("m", "Vec<Vec<F>>")],
        "",
    );
    let pt = struct_with_oracle(
        "A record of a slice `&[Pt]`.",
        "Clone, Copy, Debug, autodiff::Tangent",
        "Pt",
        &[("x", "F"), ("f", "[F; 2]")],
        "",
    );
    let acc = struct_with_oracle(
        "A local made by `Acc::default()`: a float, an integer, an array.",
        "Clone, Copy, Debug, Default",
        "Acc",
        &[("sum", "F"), ("n", "usize"), ("h", "[F; 3]")],
        ", and its default",
    );
    shared_module(
        "the structs of records.rs",
        "The structs of the programs with `Vec` fields and slices of records.",
        "rec_shared",
        &format!("\n{lv}\n{pt}\n{acc}{FLAT}"),
    )
}

/// The oracle's `Acc::default()`, the flat forms of the structs and the
/// harness's readers of them from a flat point.
const FLAT: &str = "
pub fn acc_d<D: Dn>() -> AccD<D> {
    AccD { sum: D::from(0.0), n: 0, h: [D::from(0.0); 3] }
}

impl Flat<f64> for Lv {
    fn put(&self, out: &mut Vec<f64>) {
        self.b.put(out);
        self.w.put(out);
        self.m.put(out);
    }
}

impl Flat<f64> for Pt {
    fn put(&self, out: &mut Vec<f64>) {
        self.x.put(out);
        self.f.put(out);
    }
}

/// The next `r` rows of `c` scalars.
pub fn take_rows<T: Copy>(x: &[T], k: &mut usize, r: usize, c: usize) -> Vec<Vec<T>> {
    (0..r).map(|_| take_vec(x, k, c)).collect()
}

/// The next `n` pairs.
pub fn take_pairs<T: Copy>(x: &[T], k: &mut usize, n: usize) -> Vec<(T, T)> {
    (0..n).map(|_| (take1(x, k), take1(x, k))).collect()
}

pub fn take_lv(x: &[f64], k: &mut usize, n: usize, r: usize) -> Lv {
    Lv { b: take1(x, k), w: take_vec(x, k, n), m: take_rows(x, k, r, 2) }
}

pub fn take_lv_d<D: Copy>(x: &[D], k: &mut usize, n: usize, r: usize) -> LvD<D> {
    LvD { b: take1(x, k), w: take_vec(x, k, n), m: take_rows(x, k, r, 2) }
}

pub fn lv_filled(v: f64, n: usize, r: usize) -> Lv {
    Lv { b: v, w: vec![v; n], m: vec![vec![v; 2]; r] }
}

pub fn take_pts(x: &[f64], k: &mut usize, n: usize) -> Vec<Pt> {
    (0..n).map(|_| Pt { x: take1(x, k), f: take(x, k) }).collect()
}

pub fn take_pts_d<D: Copy>(x: &[D], k: &mut usize, n: usize) -> Vec<PtD<D>> {
    (0..n).map(|_| PtD { x: take1(x, k), f: take(x, k) }).collect()
}

pub fn pt_filled(v: f64) -> Pt {
    Pt { x: v, f: [v; 2] }
}
";
