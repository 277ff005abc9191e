//! `Vec` parameters differentiated (issue 11, point 3): `&Vec<f64>` and
//! `&[Vec<f64>]` with shadows of the parameter's own type (`d_x: &mut
//! Vec<f64>`, `d_w: &mut [Vec<f64>]`), read by index, rows, iterators, passed
//! on to `#[grad]` callees by `&`; `Vec<f64>` and `Vec<Vec<f64>>` fields of
//! `#[derive(Tangent)]` structs, by `&` and by value (the gradient's `Vec`s
//! as long as the parameter's); nested `Vec<Vec<f64>>` locals. Gradients against central finite differences
//! (relative 1e-6, absolute 1e-8) at proptest points, values bit for bit.
#![deny(warnings)]
#![allow(clippy::needless_range_loop, clippy::ptr_arg)]

use autodiff::{grad, Tangent};
use proptest::prelude::*;

mod common;
use common::*;

#[grad]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `&Vec<f64>` read by an iterator chain.
#[grad]
pub fn sq_norm(x: &Vec<f64>) -> f64 {
    x.iter().map(|v| v * v).sum()
}

/// Weights as rows of a `&[Vec<f64>]`, indexed `w[i][j]`, lengths by `.len()`.
#[grad]
pub fn quad_form(a: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        for j in 0..a[i].len() {
            s += x[i] * a[i][j] * x[j];
        }
    }
    s
}

/// Rows walked by an iterator, a row zipped with a `&Vec<f64>`.
#[grad]
pub fn tanh_rows(w: &[Vec<f64>], x: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for row in w.iter() {
        let z: f64 = row.iter().zip(x.iter()).map(|(a, b)| a * b).sum();
        s += z.tanh();
    }
    s
}

/// The CS231n 2-layer net written with `Vec`s: rows passed on to a callee,
/// a hidden layer `vec![0.0; h]`.
#[grad]
pub fn mlp(w1: &[Vec<f64>], b1: &Vec<f64>, w2: &Vec<f64>, x: &[f64]) -> f64 {
    let h = w1.len();
    let mut hidden = vec![0.0; h];
    for i in 0..h {
        hidden[i] = (dot(&w1[i], x) + b1[i]).max(0.0);
    }
    let mut out = 0.0;
    for i in 0..h {
        out += w2[i] * hidden[i];
    }
    out * out
}

/// A row sum of each row (`map` over rows, a reduction inside).
#[grad]
pub fn row_sums_sq(a: &[Vec<f64>]) -> f64 {
    a.iter().map(|r| r.iter().sum::<f64>().powi(2)).sum()
}

/// A copy of a `&Vec` updated in place through `iter_mut`.
#[grad]
pub fn sin_product(a: &Vec<f64>) -> f64 {
    let mut c = a.clone();
    for v in c.iter_mut() {
        *v = v.sin();
    }
    c.iter().product()
}

/// A `&[Vec<f64>]` passed whole to a `#[grad]` callee.
#[grad]
pub fn quad_twice(a: &[Vec<f64>], x: &[f64]) -> f64 {
    quad_form(a, x) + 0.5 * quad_form(a, x).sin()
}

/// A linear model with its weights in a `Vec` field.
#[derive(Tangent, Clone, Debug)]
pub struct Linear {
    pub w: Vec<f64>,
    pub b: f64,
}

#[grad]
pub fn linear(p: &Linear, x: &[f64]) -> f64 {
    let mut s = p.b;
    for i in 0..x.len() {
        s += p.w[i] * x[i];
    }
    s.tanh()
}

/// By value: the gradient, a `Linear`, has a `w` as long as `p.w`.
#[grad]
pub fn linear_by_value(p: Linear, x: &[f64]) -> f64 {
    let z: f64 = p.w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + p.b;
    z * z
}

/// A 2-layer net as a struct of `Vec`s (`Vec<Vec<f64>>` weights).
#[derive(Tangent, Clone, Debug)]
pub struct Mlp {
    pub w1: Vec<Vec<f64>>,
    pub b1: Vec<f64>,
    pub w2: Vec<f64>,
}

#[grad]
pub fn mlp_struct(m: &Mlp, x: &[f64]) -> f64 {
    let mut out = 0.0;
    for j in 0..m.b1.len() {
        let mut z = m.b1[j];
        for i in 0..x.len() {
            z += m.w1[j][i] * x[i];
        }
        out += m.w2[j] * z.tanh();
    }
    out
}

/// A nested `Vec<Vec<f64>>` local: an outer product, read transposed.
#[grad]
pub fn outer(x: &[f64]) -> f64 {
    let n = x.len();
    let mut m = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            m[i][j] = x[i] * x[j];
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            s += m[i][j] * m[j][i].sin();
        }
    }
    s
}

fn rows(p: &[f64], r: usize, c: usize) -> Vec<Vec<f64>> {
    (0..r).map(|i| p[i * c..(i + 1) * c].to_vec()).collect()
}

fn flat(w: &[Vec<f64>]) -> Vec<f64> {
    w.iter().flatten().copied().collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn vec_ref(x in prop::collection::vec(-2.0f64..2.0, 1..6), d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let v = sq_norm_backward(&x, &mut dx, d);
        assert_bits(v, sq_norm(&x), "value");
        let g: Vec<f64> = dx.iter().map(|g| g / d).collect();
        prop_fd(|p| sq_norm(&p.to_vec()), &x, &g)?;
        let mut dx = vec![0.0; x.len()];
        let v = sin_product_backward(&x, &mut dx, d);
        assert_bits(v, sin_product(&x), "value");
        let g: Vec<f64> = dx.iter().map(|g| g / d).collect();
        prop_fd(|p| sin_product(&p.to_vec()), &x, &g)?;
    }

    #[test]
    fn rows_of_vecs(n in 1usize..4, p in prop::collection::vec(-1.5f64..1.5, 20), d in cotangent()) {
        let a = rows(&p, n, n);
        let x = p[n * n..n * n + n].to_vec();
        let mut da = vec![vec![0.0; n]; n];
        let mut dx = vec![0.0; n];
        let v = quad_form_backward(&a, &mut da, &x, &mut dx, d);
        assert_bits(v, quad_form(&a, &x), "value");
        let point: Vec<f64> = flat(&a).into_iter().chain(x.iter().copied()).collect();
        let g: Vec<f64> = flat(&da).iter().chain(&dx).map(|g| g / d).collect();
        prop_fd(|q| quad_form(&rows(q, n, n), &q[n * n..]), &point, &g)?;

        let mut da = vec![vec![0.0; n]; n];
        let mut dx = vec![0.0; n];
        let v = tanh_rows_backward(&a, &mut da, &x, &mut dx, d);
        assert_bits(v, tanh_rows(&a, &x), "value");
        let g: Vec<f64> = flat(&da).iter().chain(&dx).map(|g| g / d).collect();
        prop_fd(|q| tanh_rows(&rows(q, n, n), &q[n * n..].to_vec()), &point, &g)?;

        let mut da = vec![vec![0.0; n]; n];
        let v = row_sums_sq_backward(&a, &mut da, d);
        assert_bits(v, row_sums_sq(&a), "value");
        let g: Vec<f64> = flat(&da).iter().map(|g| g / d).collect();
        prop_fd(|q| row_sums_sq(&rows(q, n, n)), &point[..n * n], &g)?;

        let mut da = vec![vec![0.0; n]; n];
        let mut dx = vec![0.0; n];
        let v = quad_twice_backward(&a, &mut da, &x, &mut dx, d);
        assert_bits(v, quad_twice(&a, &x), "value");
        let g: Vec<f64> = flat(&da).iter().chain(&dx).map(|g| g / d).collect();
        prop_fd(|q| quad_twice(&rows(q, n, n), &q[n * n..]), &point, &g)?;
    }

    #[test]
    fn mlp_of_vecs(p in prop::collection::vec(-1.0f64..1.0, 13), d in cotangent()) {
        // w1: 2×3, b1: 2, w2: 2, x: 3.
        let split = |q: &[f64]| (rows(&q[0..6], 2, 3), q[6..8].to_vec(), q[8..10].to_vec(), q[10..13].to_vec());
        let (w1, b1, w2, x) = split(&p);
        // Away from the kinks of `max(0, ·)`.
        for i in 0..2 {
            prop_assume!((dot(&w1[i], &x) + b1[i]).abs() > 1e-3);
        }
        let (mut d1, mut db, mut d2, mut dx) = (vec![vec![0.0; 3]; 2], vec![0.0; 2], vec![0.0; 2], vec![0.0; 3]);
        let v = mlp_backward(&w1, &mut d1, &b1, &mut db, &w2, &mut d2, &x, &mut dx, d);
        assert_bits(v, mlp(&w1, &b1, &w2, &x), "value");
        let g: Vec<f64> = flat(&d1).iter().chain(&db).chain(&d2).chain(&dx).map(|g| g / d).collect();
        prop_fd(|q| { let (a, b, c, e) = split(q); mlp(&a, &b, &c, &e) }, &p, &g)?;
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn vec_fields(n in 1usize..5, p in prop::collection::vec(-1.0f64..1.0, 30), d in cotangent()) {
        let lin = |q: &[f64]| Linear { w: q[..n].to_vec(), b: q[n] };
        let x = p[20..20 + n].to_vec();
        let l = lin(&p);
        let mut dl = Linear { w: vec![0.0; n], b: 0.0 };
        let v = linear_backward(&l, &mut dl, &x, &mut vec![0.0; n], d);
        assert_bits(v, linear(&l, &x), "value");
        let mut g: Vec<f64> = dl.w.iter().map(|g| g / d).collect();
        g.push(dl.b / d);
        prop_fd(|q| linear(&lin(q), &x), &p[..n + 1], &g)?;

        let (v, gl) = linear_by_value_backward(l.clone(), &x, &mut vec![0.0; n], d);
        assert_bits(v, linear_by_value(l.clone(), &x), "value");
        prop_assert_eq!(gl.w.len(), n);
        let mut g: Vec<f64> = gl.w.iter().map(|g| g / d).collect();
        g.push(gl.b / d);
        prop_fd(|q| linear_by_value(lin(q), &x), &p[..n + 1], &g)?;

        // w1: n×3, b1: n, w2: n.
        let mlp = |q: &[f64]| Mlp { w1: rows(&q[..3 * n], n, 3), b1: q[3 * n..4 * n].to_vec(), w2: q[4 * n..5 * n].to_vec() };
        let m = mlp(&p);
        let xs = &p[27..30];
        let mut dm = Tangent::zero_like(&m);
        prop_assert_eq!(dm.w1.len(), n);
        let v = mlp_struct_backward(&m, &mut dm, xs, &mut [0.0; 3], d);
        assert_bits(v, mlp_struct(&m, xs), "value");
        let g: Vec<f64> = flat(&dm.w1).iter().chain(&dm.b1).chain(&dm.w2).map(|g| g / d).collect();
        prop_fd(|q| mlp_struct(&mlp(q), xs), &p[..5 * n], &g)?;
    }

    #[test]
    fn nested_vec_local(x in prop::collection::vec(-1.5f64..1.5, 1..5), d in cotangent()) {
        let mut dx = vec![0.0; x.len()];
        let v = outer_backward(&x, &mut dx, d);
        assert_bits(v, outer(&x), "value");
        let g: Vec<f64> = dx.iter().map(|g| g / d).collect();
        prop_fd(outer, &x, &g)?;
    }
}

/// The shadow is added into, not overwritten: two calls accumulate.
#[test]
fn shadows_accumulate() {
    let a = vec![vec![1.0, 2.0], vec![-0.5, 0.25]];
    let x = [0.3, -0.7];
    let mut da = vec![vec![0.0; 2]; 2];
    let mut dx = vec![0.0; 2];
    quad_form_backward(&a, &mut da, &x, &mut dx, 1.0);
    let once = (da.clone(), dx.clone());
    quad_form_backward(&a, &mut da, &x, &mut dx, 1.0);
    for i in 0..2 {
        assert_near(dx[i], 2.0 * once.1[i], 1e-12, "dx twice");
        for j in 0..2 {
            assert_near(da[i][j], 2.0 * once.0[i][j], 1e-12, "da twice");
            // d/da_ij of xᵀAx = x_i x_j.
            assert_near(once.0[i][j], x[i] * x[j], 1e-15, "da");
        }
    }
}

#[grad]
pub fn row_dot(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>().tanh()
}

/// Rows bound by `for x in xs` and by a closure, passed on to a callee that
/// differentiates both its parameters: as data (`wrt(w)`: a scratch shadow),
/// and differentiated. They are references (`&Vec<f64>`), passed by `&`; the
/// generated code once passed them by value without a shadow (E0061, corpus
/// round 4, B1).
#[grad(wrt(w))]
pub fn data_rows_passed(w: &[f64], xs: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for x in xs {
        s += row_dot(w, x);
    }
    s + xs.iter().map(|x| row_dot(w, x)).sum::<f64>()
}

#[grad]
pub fn rows_passed(w: &[f64], xs: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for x in xs {
        s += row_dot(w, x) * x[0];
    }
    s
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rows_of_a_loop_passed_on(
        rows in 1usize..4,
        p in float_vec(-1.5, 1.5, 15..16),
        d in cotangent(),
    ) {
        let cols = 3;
        let (w, flat) = (&p[..cols], &p[cols..cols + rows * cols]);
        let xs: Vec<Vec<f64>> = flat.chunks(cols).map(<[f64]>::to_vec).collect();
        let mut dw = vec![0.0; cols];
        let v = data_rows_passed_backward(w, &mut dw, &xs, d);
        prop_assert_eq!(v.to_bits(), data_rows_passed(w, &xs).to_bits());
        let g: Vec<f64> = dw.iter().map(|g| g / d).collect();
        prop_fd(|q| data_rows_passed(q, &xs), w, &g)?;

        let (mut dw, mut dxs) = (vec![0.0; cols], vec![vec![0.0; cols]; rows]);
        let v = rows_passed_backward(w, &mut dw, &xs, &mut dxs, d);
        prop_assert_eq!(v.to_bits(), rows_passed(w, &xs).to_bits());
        let g: Vec<f64> = dw.iter().chain(dxs.iter().flatten()).map(|g| g / d).collect();
        let unflat = |q: &[f64]| -> Vec<Vec<f64>> { q.chunks(cols).map(<[f64]>::to_vec).collect() };
        prop_fd(|q| rows_passed(&q[..cols], &unflat(&q[cols..])), &p[..cols + rows * cols], &g)?;
    }
}

#[derive(Clone, Debug, Default, PartialEq, Tangent)]
pub struct Lv {
    pub b: f64,
    pub w: Vec<f64>,
}

/// A `Vec` field of a `mut` struct parameter by value, updated element by
/// element (progen bug 3: the companion moved the field out, E0382).
#[grad]
pub fn vec_field_updated(mut lin: Lv) -> f64 {
    lin.w[0] *= lin.b;
    lin.w[0] + lin.w[1] * lin.b.sin()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn vec_field_of_a_struct_by_value_updated(p in float_vec(-2.0, 2.0, 4..5), d in cotangent()) {
        let lin = Lv { b: p[0], w: p[1..].to_vec() };
        let (v, g) = vec_field_updated_backward(lin.clone(), d);
        prop_assert_eq!(v.to_bits(), vec_field_updated(lin.clone()).to_bits());
        let g: Vec<f64> = [g.b].iter().chain(&g.w).map(|x| x / d).collect();
        prop_fd(|q| vec_field_updated(Lv { b: q[0], w: q[1..].to_vec() }), &p, &g)?;
    }
}
