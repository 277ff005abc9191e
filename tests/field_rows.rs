//! Rows of a struct's 2-D array field taken into locals (`let r = st.w[k];`,
//! `let r: [f64; 2] = st.w[0];`), read, updated and passed on by `&` (issue 10);
//! rows of a `Vec<Vec<f64>>` field iterated (`row.iter().zip(x)`,
//! `net.w[i].iter().enumerate()`), measured (`row.len()`) and passed on by `&`
//! (issue 12): read in place, their gradients added into the shadow's rows.
//! The macro does not see the struct's definition, so it learns that `st.w[k]`
//! is a row from the annotation or from a later index; the annotated form was
//! once typed as a number and the companion did not compile (E0308).
//!
//! Each companion's value is checked bit for bit against the function, its
//! gradient against central finite differences, and its tangent against the
//! gradient (⟨∇f, ẋ⟩), at proptest points.
#![deny(warnings)]

use autodiff::{grad, Tangent};
use proptest::prelude::*;

mod common;
use common::*;

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Layer {
    pub w: [[f64; 2]; 2],
    pub m: f64,
}

#[grad(reverse, forward)]
pub fn dot2(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// An annotated row, passed on and indexed.
#[grad(reverse, forward)]
pub fn annotated_row(st: Layer, h: [f64; 2]) -> f64 {
    let r: [f64; 2] = st.w[0];
    dot2(&r, &h) * r[1]
}

/// Unannotated rows of a `&` struct in a loop: a row because `r[1]` indexes it.
#[grad(reverse, forward)]
pub fn rows_in_a_loop(st: &Layer, h: [f64; 2]) -> f64 {
    let mut acc = 0.0;
    for k in 0..2 {
        let r = st.w[k];
        acc += dot2(&r, &h) * r[1] * st.m;
    }
    acc
}

/// A row copied, updated, written back, and read again: the copy and the field
/// change separately.
#[grad(reverse, forward)]
pub fn row_updated(mut st: Layer, h: [f64; 2]) -> f64 {
    let mut r = st.w[1];
    r[0] += h[0] * st.m;
    st.w[1][0] = r[0] * r[1];
    let q: [f64; 2] = st.w[1];
    dot2(&q, &r) + q[0]
}

fn unpack(x: &[f64]) -> (Layer, [f64; 2]) {
    let st = Layer {
        w: [[x[0], x[1]], [x[2], x[3]]],
        m: x[4],
    };
    (st, [x[5], x[6]])
}

fn pack(st: &Layer, h: &[f64; 2]) -> Vec<f64> {
    vec![
        st.w[0][0], st.w[0][1], st.w[1][0], st.w[1][1], st.m, h[0], h[1],
    ]
}

type Primal = fn(&[f64]) -> f64;
type Companion = fn(&[f64], f64) -> (f64, Vec<f64>);
type Tangents = fn(&[f64], &[f64]) -> f64;

fn cases() -> [(&'static str, Primal, Companion, Tangents); 3] {
    [
        (
            "annotated_row",
            |x| {
                let (st, h) = unpack(x);
                annotated_row(st, h)
            },
            |x, d| {
                let (st, h) = unpack(x);
                let (v, d_st, d_h) = annotated_row_backward(st, h, d);
                (v, pack(&d_st, &d_h))
            },
            |x, t| {
                let ((st, h), (t_st, t_h)) = (unpack(x), unpack(t));
                annotated_row_forward(st, t_st, h, t_h).1
            },
        ),
        (
            "rows_in_a_loop",
            |x| {
                let (st, h) = unpack(x);
                rows_in_a_loop(&st, h)
            },
            |x, d| {
                let (st, h) = unpack(x);
                let mut d_st = Layer::default();
                let (v, d_h) = rows_in_a_loop_backward(&st, &mut d_st, h, d);
                (v, pack(&d_st, &d_h))
            },
            |x, t| {
                let ((st, h), (t_st, t_h)) = (unpack(x), unpack(t));
                rows_in_a_loop_forward(&st, &t_st, h, t_h).1
            },
        ),
        (
            "row_updated",
            |x| {
                let (st, h) = unpack(x);
                row_updated(st, h)
            },
            |x, d| {
                let (st, h) = unpack(x);
                let (v, d_st, d_h) = row_updated_backward(st, h, d);
                (v, pack(&d_st, &d_h))
            },
            |x, t| {
                let ((st, h), (t_st, t_h)) = (unpack(x), unpack(t));
                row_updated_forward(st, t_st, h, t_h).1
            },
        ),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rows_of_a_struct_field_against_differences(
        x in floats::<7>(-2.0, 2.0),
        t in floats::<7>(-1.0, 1.0),
        d in cotangent(),
    ) {
        for (name, f, back, fwd) in cases() {
            let (v, g) = back(&x, d);
            prop_assert_eq!(v.to_bits(), f(&x).to_bits(), "{}: value", name);
            let g1: Vec<f64> = g.iter().map(|gi| gi / d).collect();
            prop_fd(f, &x, &g1)?;
            let jvp = fwd(&x, &t);
            prop_assert!((jvp - dot(&g1, &t)).abs() <= 1e-9 * (1.0 + jvp.abs()), "{}: tangent", name);
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Tangent)]
pub struct Dense {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

#[grad(reverse, forward)]
pub fn dot_vec(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Rows of the weights zipped with the biases, each row zipped with the input.
#[grad(reverse, forward)]
pub fn dense_rows_iterated(net: &Dense, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (row, bi) in net.w.iter().zip(&net.b) {
        let z: f64 = row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + bi;
        s += z.tanh();
    }
    s
}

/// A row by index, enumerated.
#[grad(reverse, forward)]
pub fn dense_rows_enumerated(net: &Dense, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..net.w.len() {
        for (j, wij) in net.w[i].iter().enumerate() {
            s += wij * x[j] * net.b[i];
        }
    }
    s
}

/// A row bound by `&`, passed on, indexed and measured; and one passed directly.
#[grad(reverse, forward)]
pub fn dense_rows_passed(net: &Dense, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..net.w.len() {
        let row = &net.w[i];
        s += dot_vec(row, x).tanh() + dot_vec(&net.w[i], x) * row[0] + row.len() as f64;
    }
    s
}

/// An `if` over the items of a field and of a row (rejected before: "the
/// branches … give values of different types", progen's bug 7).
#[grad(reverse, forward)]
pub fn dense_items_clipped(net: &Dense, x: &[f64]) -> f64 {
    let mut s: f64 = net
        .b
        .iter()
        .map(|e| if *e > 0.5 { *e } else { 0.5 * e.sin() })
        .sum::<f64>();
    for row in net.w.iter() {
        for (&w, xi) in row.iter().zip(x) {
            s += if w > 0.0 { w * xi } else { 0.1 * xi };
        }
    }
    for e in net.b.iter() {
        s += if *e < -0.5 { *e * *e } else { -0.5 };
    }
    s
}

type DensePrimal = fn(&Dense, &[f64]) -> f64;
type DenseBackward = fn(&Dense, &mut Dense, &[f64], &mut [f64], f64) -> f64;
type DenseForward = fn(&Dense, &Dense, &[f64], &[f64]) -> (f64, f64);

fn dense_cases() -> [(&'static str, DensePrimal, DenseBackward, DenseForward); 4] {
    [
        (
            "dense_rows_iterated",
            dense_rows_iterated,
            dense_rows_iterated_backward,
            dense_rows_iterated_forward,
        ),
        (
            "dense_rows_enumerated",
            dense_rows_enumerated,
            dense_rows_enumerated_backward,
            dense_rows_enumerated_forward,
        ),
        (
            "dense_rows_passed",
            dense_rows_passed,
            dense_rows_passed_backward,
            dense_rows_passed_forward,
        ),
        (
            "dense_items_clipped",
            dense_items_clipped,
            dense_items_clipped_backward,
            dense_items_clipped_forward,
        ),
    ]
}

fn dense(p: &[f64], rows: usize, cols: usize) -> Dense {
    Dense {
        w: (0..rows)
            .map(|i| p[i * cols..(i + 1) * cols].to_vec())
            .collect(),
        b: p[rows * cols..rows * cols + rows].to_vec(),
    }
}

fn dense_flat(d: &Dense) -> Vec<f64> {
    d.w.iter().flatten().chain(&d.b).copied().collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rows_of_a_vec_of_vec_field_against_differences(
        rows in 1usize..4,
        cols in 1usize..5,
        p in float_vec(-1.5, 1.5, 40..41),
        t in float_vec(-1.0, 1.0, 40..41),
        d in cotangent(),
    ) {
        let n = rows * cols + rows;
        let (p, x) = (&p[..n], &p[n..n + cols]);
        let (t_p, t_x) = (&t[..n], &t[n..n + cols]);
        let net = dense(p, rows, cols);
        for (name, f, back, fwd) in dense_cases() {
            let mut d_net = dense(&vec![0.0; n], rows, cols);
            let mut d_x = vec![0.0; cols];
            let v = back(&net, &mut d_net, x, &mut d_x, d);
            prop_assert_eq!(v.to_bits(), f(&net, x).to_bits(), "{}: value", name);
            let g: Vec<f64> = dense_flat(&d_net).iter().chain(&d_x).map(|gi| gi / d).collect();
            let all = |q: &[f64]| f(&dense(&q[..n], rows, cols), &q[n..]);
            prop_fd(all, &cat(&[p, x]), &g)?;
            let (v, jvp) = fwd(&net, &dense(t_p, rows, cols), x, t_x);
            prop_assert_eq!(v.to_bits(), f(&net, x).to_bits(), "{}: forward value", name);
            let want = dot(&g, &cat(&[t_p, t_x]));
            prop_assert!((jvp - want).abs() <= 1e-9 * (1.0 + want.abs()), "{}: tangent", name);
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Tangent)]
pub struct Grid {
    pub m: f64,
    pub pos: [f64; 2],
    pub w: [[f64; 2]; 2],
}

/// An element of a field bound to a local that `contains` tests (progen bug 12:
/// typed as a row, "cannot mix a float and an integer").
#[grad]
pub fn in_range(x: f64, st: &Grid) -> f64 {
    let v = st.pos[1];
    if (-0.5..0.9).contains(&v) {
        x * v
    } else {
        2.0 * x
    }
}

/// Rows of a by-value struct's 2-D field walked after an element was assigned
/// (progen bug 11: "only arrays and slices can be indexed").
#[grad]
pub fn rows_after_update(x: f64, mut st: Grid) -> f64 {
    st.w[1][0] += x;
    let mut acc = 0.0;
    for row in st.w.iter() {
        acc += row[0] * row[1];
    }
    acc * x
}

#[test]
fn progen_bugs_11_12_against_differences() {
    let grid = |p: &[f64]| Grid {
        m: p[0],
        pos: [p[1], p[2]],
        w: [[p[3], p[4]], [p[5], p[6]]],
    };
    let flat = |g: &Grid| {
        vec![
            g.m, g.pos[0], g.pos[1], g.w[0][0], g.w[0][1], g.w[1][0], g.w[1][1],
        ]
    };
    for p in [
        [0.3, -0.2, 0.4, 0.7, -1.1, 0.5, 0.9],
        [1.2, 0.6, 1.3, -0.4, 0.2, 0.8, -0.6],
    ] {
        let (x, g) = (0.8, grid(&p));
        let mut dg = Grid::default();
        let (v, dx) = in_range_backward(x, &g, &mut dg, 1.0);
        assert_eq!(v.to_bits(), in_range(x, &g).to_bits());
        let at: Vec<f64> = [x].into_iter().chain(flat(&g)).collect();
        let want: Vec<f64> = [dx].into_iter().chain(flat(&dg)).collect();
        assert_fd(|q| in_range(q[0], &grid(&q[1..])), &at, &want);
        let (v, dx, dg) = rows_after_update_backward(x, g, 1.0);
        assert_eq!(v.to_bits(), rows_after_update(x, g).to_bits());
        let want: Vec<f64> = [dx].into_iter().chain(flat(&dg)).collect();
        assert_fd(|q| rows_after_update(q[0], grid(&q[1..])), &at, &want);
    }
}
