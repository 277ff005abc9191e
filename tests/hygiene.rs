//! Hygiene (issue "Reliability", point 3): user code that names things like the
//! generated code does, traits that shadow float methods, strict lint levels
//! (`#![deny(warnings)]`, `#![forbid(unsafe_code)]`, `#![deny(clippy::pedantic)]`,
//! checked by `cargo clippy --all-targets -- -D warnings`), companions called from
//! other modules, and names in scope that the runtime paths must not pick up. Every
//! companion's value is the original's, bit for bit, and its gradient passes
//! `autodiff::check_gradient` against the original.
#![allow(clippy::needless_range_loop)] // index loops are what #[grad] bodies write

use autodiff::check_gradient;

/// The companion's value equals the original's bit for bit (or both are NaN).
#[track_caller]
fn same_value(companion: f64, original: f64) {
    assert!(
        companion.to_bits() == original.to_bits() || (companion.is_nan() && original.is_nan()),
        "companion value {companion:?}, original {original:?}"
    );
}

// ---------------------------------------------------------------- generated-looking names

mod names {
    use autodiff::grad;

    /// Locals named like the values, cotangents and shadows the companion declares.
    #[grad]
    pub fn locals(x: f64, y: f64) -> f64 {
        let v0 = x * y;
        let v1 = v0.sin() + x;
        let d_out = v1 * v1;
        let d_x = d_out.exp() - y;
        let __ad = d_x / (1.0 + v0 * v0);
        let v12 = __ad + v1 * 2.0;
        let mut v2 = v12;
        for v3 in 0..3 {
            v2 = v2 * 0.5 + v0 * v3 as f64;
        }
        v2 + d_out
    }

    /// Parameters named like generated values: `v0`, `v1`, and `d_out` (the name of
    /// the companion's last parameter).
    #[grad]
    pub fn params(v0: f64, v1: f64, d_out: f64) -> f64 {
        let v2 = v0 * v1;
        v2.tanh() * d_out + d_out.powi(2)
    }

    /// A `&` parameter `x` (its shadow is `d_x`) next to a user parameter `d_x`
    /// (whose shadow is `d_d_x`).
    #[grad]
    pub fn shadows(x: &[f64], d_x: &[f64], d_out: &f64) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i] * d_x[i] * *d_out;
        }
        s
    }

    /// A local named like the companion's parameter, and a `&` parameter named
    /// like a shadow.
    #[grad]
    pub fn mixed(d_y: &f64, y: f64) -> f64 {
        let d_out = y * *d_y;
        let v0 = d_out.sin();
        v0 * y
    }
}

#[test]
fn names_like_generated_ones() {
    let p = [0.3, -0.7];
    let (v, dx, dy) = names::locals_backward(p[0], p[1], 1.0);
    same_value(v, names::locals(p[0], p[1]));
    check_gradient(|p| names::locals(p[0], p[1]), &p, &[dx, dy]).assert_ok();

    let p = [0.4, 1.2, -0.9];
    let (v, d0, d1, dd) = names::params_backward(p[0], p[1], p[2], 1.0);
    same_value(v, names::params(p[0], p[1], p[2]));
    check_gradient(|p| names::params(p[0], p[1], p[2]), &p, &[d0, d1, dd]).assert_ok();

    let x = [0.5, -1.5, 2.0];
    let w = [1.5, 0.25, -0.75];
    let c = 1.3;
    let (mut gx, mut gw, mut gc) = ([0.0; 3], [0.0; 3], 0.0);
    let v = names::shadows_backward(&x, &mut gx, &w, &mut gw, &c, &mut gc, 1.0);
    same_value(v, names::shadows(&x, &w, &c));
    let f = |p: &[f64]| names::shadows(&p[0..3], &p[3..6], &p[6]);
    let point = [&x[..], &w[..], &[c][..]].concat();
    let analytic = [&gx[..], &gw[..], &[gc][..]].concat();
    check_gradient(f, &point, &analytic).assert_ok();

    let (mut gd, y) = (0.0, 0.8);
    let (v, gy) = names::mixed_backward(&0.6, &mut gd, y, 1.0);
    same_value(v, names::mixed(&0.6, y));
    check_gradient(|p| names::mixed(&p[0], p[1]), &[0.6, y], &[gd, gy]).assert_ok();
}

// ---------------------------------------------------------------- shadowing traits and names

mod shadowing {
    use autodiff::grad;

    /// A user trait in scope whose methods have the names of float methods: method
    /// calls on `f64` still resolve to the inherent methods (they take precedence),
    /// and the companion must compute the same function.
    pub trait MyExp {
        fn exp(self) -> Self;
        fn sin(self) -> Self;
        fn sigmoid(self) -> Self;
    }

    impl MyExp for f64 {
        fn exp(self) -> Self {
            self * 100.0
        }
        fn sin(self) -> Self {
            -self
        }
        fn sigmoid(self) -> Self {
            0.0
        }
    }

    #[grad]
    pub fn trait_in_scope(x: f64, y: f64) -> f64 {
        x.exp() * y.sin() + autodiff::sigmoid(x * y)
    }

    /// Constants named like the `core::f64::consts` the macro emits.
    const E: f64 = 3.0;
    const PI: f64 = 0.5;
    const LN_2: f64 = 7.0;

    #[grad]
    pub fn consts_in_scope(x: f64) -> f64 {
        E * x + PI * x * x + LN_2 + x * ::core::f64::consts::LN_2
    }
}

/// Items named like what the generated code refers to: the runtime crate, the
/// `core` crate, `Vec` (tapes) and a primitive. (A type named `usize` is in
/// `tests/hygiene_pass/shadowed_usize.rs`: it breaks the companion, a macro bug.)
mod shadow_items {
    #![allow(dead_code, non_camel_case_types)]

    mod core {}
    mod autodiff {}
    struct Vec;
    fn sigmoid(x: f64) -> f64 {
        x
    }

    #[::autodiff::grad]
    pub fn items_in_scope(x: &[f64], y: f64) -> f64 {
        let mut p = y;
        for i in 0..x.len() {
            p = (p * x[i]).sin() + ::autodiff::sigmoid(p);
        }
        let mut k = 0;
        while k < 2 && p < 100.0 {
            p = p * p + 1.0;
            k += 1;
        }
        p.clamp(0.1, 1e6)
    }
}

#[test]
fn a_trait_that_shadows_float_methods() {
    use shadowing::MyExp;
    // The trait is in scope here too; the original calls the inherent methods.
    assert!((2.0f64.exp() - std::f64::consts::E * std::f64::consts::E).abs() < 1e-12);
    assert_eq!(<f64 as MyExp>::exp(2.0), 200.0);
    assert_eq!(<f64 as MyExp>::sin(2.0), -2.0);
    assert_eq!(<f64 as MyExp>::sigmoid(2.0), 0.0);
    let p = [0.7, -0.4];
    let (v, dx, dy) = shadowing::trait_in_scope_backward(p[0], p[1], 1.0);
    same_value(v, shadowing::trait_in_scope(p[0], p[1]));
    check_gradient(|p| shadowing::trait_in_scope(p[0], p[1]), &p, &[dx, dy]).assert_ok();
}

#[test]
fn user_names_do_not_capture_runtime_paths() {
    let (v, dx) = shadowing::consts_in_scope_backward(1.5, 1.0);
    same_value(v, shadowing::consts_in_scope(1.5));
    check_gradient(|p| shadowing::consts_in_scope(p[0]), &[1.5], &[dx]).assert_ok();

    let x = [0.9, 1.4, -0.3, 2.2];
    let mut gx = [0.0; 4];
    let (v, gy) = shadow_items::items_in_scope_backward(&x, &mut gx, 0.6, 1.0);
    same_value(v, shadow_items::items_in_scope(&x, 0.6));
    let f = |p: &[f64]| shadow_items::items_in_scope(&p[..4], p[4]);
    let point = [&x[..], &[0.6][..]].concat();
    check_gradient(f, &point, &[&gx[..], &[gy][..]].concat()).assert_ok();
}

// ---------------------------------------------------------------- strict lint levels

/// Every kind of generated code under the strictest lint levels: scalars, casts,
/// slices, fixed and run-time tapes, arrays, generics, `f32`, early return,
/// `while`, tuples, reductions, primitives. `cargo clippy --all-targets -- -D
/// warnings` checks that none of it warns.
mod strict {
    #![deny(warnings)]
    #![forbid(unsafe_code)]
    #![deny(clippy::pedantic)]

    use autodiff::{grad, Real};

    #[grad]
    #[must_use]
    pub fn scalar(x: f64, y: f64) -> f64 {
        let a = x * y + x.sin() * y.cos();
        let b = if a > 1.0 { a.ln() } else { a.exp() };
        autodiff::sigmoid(b) + x.powi(3) + y.exp2() / (1.0 + x * x) + core::f64::consts::PI * x
    }

    #[grad]
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // the user's casts
    pub fn casts(x: f64, n: usize, k: i64) -> f64 {
        x * n as f64 + x * k as f64
    }

    #[grad]
    #[must_use]
    pub fn slice(x: &[f64], w: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i] * w[i];
        }
        s
    }

    #[grad]
    #[must_use]
    pub fn fixed_tape(x: &[f64; 8]) -> f64 {
        let mut p = 1.0;
        for i in 0..8 {
            p = (p * x[i]).sin();
        }
        p
    }

    #[grad]
    #[must_use]
    pub fn runtime_tape(x: &[f64]) -> f64 {
        let mut p = 1.0;
        for i in 0..x.len() {
            p = (p * x[i]).sin();
        }
        p
    }

    #[grad]
    #[must_use]
    pub fn arrays(w: [f64; 3], x: [[f64; 2]; 2]) -> [f64; 2] {
        let mut y = [0.0; 2];
        for i in 0..2 {
            y[i] = w[0] * x[i][0] + w[1] * x[i][1] + w[2];
        }
        y
    }

    #[grad]
    #[must_use]
    pub fn generic<T: Real>(x: T, y: T) -> T {
        let h = T::from_f64(0.5);
        (x * y + h).tanh()
    }

    #[grad]
    #[must_use]
    pub fn single(x: f32) -> f32 {
        x * 1.5 + 2.0
    }

    #[grad]
    #[must_use]
    pub fn early(x: f64) -> f64 {
        if x < 0.0 {
            return -x;
        }
        let mut s = x;
        let mut i = 0;
        while i < 3 && s < 100.0 {
            s = s * s + 1.0;
            i += 1;
        }
        s
    }

    #[grad]
    #[must_use]
    pub fn tuple(x: f64, y: f64) -> (f64, f64) {
        (x * y, x + y)
    }

    #[grad]
    #[must_use]
    pub fn reductions(x: &[f64], y: &[f64]) -> f64 {
        let dot: f64 = x.iter().zip(y.iter()).map(|(p, q)| p * q).sum();
        let decayed = x.iter().fold(0.0, |acc, v| acc * 0.5 + v);
        let total = x.iter().map(|v| v.exp()).sum::<f64>();
        dot + decayed + total.ln() + 1.234_567_89
    }

    #[grad]
    #[must_use]
    pub fn primitives(x: f64, a: f64) -> f64 {
        autodiff::relu(x) + autodiff::leaky_relu(x, a) + autodiff::softplus(x) + autodiff::elu(x, a)
            - x.abs()
            + x.signum() * x.floor()
            + x.tanh().atanh()
            + x.mul_add(a, 1.0)
            + (x % a)
    }

    #[grad]
    #[must_use]
    pub(crate) fn crate_visible(x: f64) -> f64 {
        x * x
    }

    /// A struct of parameters, a `&self` method, calls between `#[grad]`
    /// functions, a hand-written companion and `no_grad`.
    #[derive(autodiff::Tangent, Clone, Copy, Debug)]
    pub struct Affine {
        pub w: [f64; 2],
        pub b: f64,
    }

    impl Affine {
        #[grad]
        #[must_use]
        pub fn predict(&self, x: &[f64; 2]) -> f64 {
            self.w[0] * x[0] + self.w[1] * x[1] + self.b
        }
    }

    #[grad]
    #[must_use]
    pub fn predict(p: &Affine, x: &[f64; 2]) -> f64 {
        p.w[0] * x[0] + p.w[1] * x[1] + p.b
    }

    #[grad]
    #[must_use]
    pub fn by_value(p: Affine, x: f64) -> f64 {
        (p.w[0] * x + p.b).tanh()
    }

    #[grad(custom)]
    #[must_use]
    pub fn cube_root(a: f64) -> f64 {
        a.cbrt()
    }

    #[must_use]
    pub fn cube_root_backward(a: f64, d_out: f64) -> (f64, f64) {
        let y = cube_root(a);
        (y, d_out / (3.0 * y * y))
    }

    #[grad]
    #[must_use]
    pub fn loss(p: &Affine, x: &[f64; 2], target: f64) -> f64 {
        let e = predict(p, x) - target;
        cube_root(e * e + 1.0) + autodiff::no_grad(target) * e
    }
}

/// The constructs whose rules compare floats (`max`, `min`, `clamp`, `powf`,
/// `hypot`), under the same lint levels.
///
/// Macro bug: their companions trip `clippy::float_cmp` (pedantic): the tie and
/// zero tests of the rules (`out == a`, `x == 0.0`) are emitted without an
/// `allow`. The `allow` below is for the generated code only; remove it once the
/// companion's `#[allow(...)]` lists `clippy::float_cmp`.
mod strict_kinks {
    #![deny(warnings)]
    #![forbid(unsafe_code)]
    #![deny(clippy::pedantic)]
    #![allow(clippy::float_cmp)] // macro bug, see above

    use autodiff::grad;

    #[grad]
    #[must_use]
    pub fn kinks(x: f64, y: f64) -> f64 {
        x.max(y) * x.min(y) + x.clamp(-1.0, y) + x.abs().powf(y) + x.hypot(y)
    }
}

#[test]
fn strict_lint_levels_compile_and_differentiate() {
    let p = [0.8, 0.3];
    let (v, dx, dy) = strict::scalar_backward(p[0], p[1], 1.0);
    same_value(v, strict::scalar(p[0], p[1]));
    check_gradient(|p| strict::scalar(p[0], p[1]), &p, &[dx, dy]).assert_ok();

    let (v, dx) = strict::casts_backward(1.5, 3, -7, 1.0);
    same_value(v, strict::casts(1.5, 3, -7));
    assert_eq!(dx, -4.0);

    let (x, w) = ([0.5, -1.0, 2.0], [1.0, 3.0, -0.5]);
    let (mut gx, mut gw) = ([0.0; 3], [0.0; 3]);
    let v = strict::slice_backward(&x, &mut gx, &w, &mut gw, 1.0);
    same_value(v, strict::slice(&x, &w));
    assert_eq!((gx, gw), (w, x));

    let x8 = [0.9, 1.1, 0.7, 1.3, 0.8, 1.2, 0.95, 1.05];
    let mut g8 = [0.0; 8];
    let v = strict::fixed_tape_backward(&x8, &mut g8, 1.0);
    same_value(v, strict::fixed_tape(&x8));
    check_gradient(|p| strict::fixed_tape(&super_arr(p)), &x8, &g8).assert_ok();

    let mut g8 = [0.0; 8];
    let v = strict::runtime_tape_backward(&x8, &mut g8, 1.0);
    same_value(v, strict::runtime_tape(&x8));
    check_gradient(strict::runtime_tape, &x8, &g8).assert_ok();

    let (w, xx) = ([0.5, -0.25, 1.0], [[1.0, 2.0], [-3.0, 0.5]]);
    let (y, gw, gxx) = strict::arrays_backward(w, xx, [1.0, 1.0]);
    assert_eq!(y, strict::arrays(w, xx));
    assert_eq!(gw, [-2.0, 2.5, 2.0]);
    assert_eq!(gxx, [[0.5, -0.25], [0.5, -0.25]]);

    let (v, gx, gy) = strict::generic_backward(0.4f64, 0.9, 1.0);
    same_value(v, strict::generic(0.4f64, 0.9));
    check_gradient(|p| strict::generic(p[0], p[1]), &[0.4, 0.9], &[gx, gy]).assert_ok();

    assert_eq!(strict::single_backward(2.0, 1.0), (5.0, 1.5));

    for x in [-2.0, 0.5, 3.0] {
        let (v, dx) = strict::early_backward(x, 1.0);
        same_value(v, strict::early(x));
        check_gradient(|p| strict::early(p[0]), &[x], &[dx]).assert_ok();
    }

    let ((a, b), gx, gy) = strict::tuple_backward(2.0, 3.0, (1.0, 1.0));
    assert_eq!((a, b, gx, gy), (6.0, 5.0, 4.0, 3.0));

    let (x, y) = ([0.5, -0.2, 0.9], [1.5, 0.3, -0.8]);
    let (mut gx, mut gy) = ([0.0; 3], [0.0; 3]);
    let v = strict::reductions_backward(&x, &mut gx, &y, &mut gy, 1.0);
    same_value(v, strict::reductions(&x, &y));
    let f = |p: &[f64]| strict::reductions(&p[..3], &p[3..]);
    let point = [&x[..], &y[..]].concat();
    check_gradient(f, &point, &[&gx[..], &gy[..]].concat()).assert_ok();

    for (x, a) in [(0.4, 0.3), (-0.6, 0.7)] {
        let (v, gx, ga) = strict::primitives_backward(x, a, 1.0);
        same_value(v, strict::primitives(x, a));
        check_gradient(|p| strict::primitives(p[0], p[1]), &[x, a], &[gx, ga]).assert_ok();
    }

    assert_eq!(strict::crate_visible_backward(3.0, 1.0), (9.0, 6.0));

    let affine = |p: &[f64]| strict::Affine {
        w: [p[0], p[1]],
        b: p[2],
    };
    let (a, x) = (affine(&[0.5, -1.0, 0.25]), [1.0, 2.0]);
    let (mut da, mut dx) = (affine(&[0.0; 3]), [0.0; 2]);
    let v = a.predict_backward(&mut da, &x, &mut dx, 1.0);
    same_value(v, a.predict(&x));
    assert_eq!(dx, a.w);
    assert_eq!((da.w, da.b), (x, 1.0));

    let (v, dp, dx) = strict::by_value_backward(a, 0.7, 1.0);
    same_value(v, strict::by_value(a, 0.7));
    let f = |p: &[f64]| strict::by_value(affine(p), p[3]);
    let analytic = [dp.w[0], dp.w[1], dp.b, dx];
    check_gradient(f, &[0.5, -1.0, 0.25, 0.7], &analytic).assert_ok();

    let mut dp = <strict::Affine as autodiff::Tangent>::zero();
    let mut dx = [0.0; 2];
    let (v, dt) = strict::loss_backward(&a, &mut dp, &x, &mut dx, 0.5, 1.0);
    same_value(v, strict::loss(&a, &x, 0.5));
    // `no_grad(target)` is a constant: differentiate with it held at 0.5.
    let f = |p: &[f64]| {
        let e = strict::predict(&affine(p), &[p[3], p[4]]) - p[5];
        strict::cube_root(e * e + 1.0) + 0.5 * e
    };
    let analytic = [dp.w[0], dp.w[1], dp.b, dx[0], dx[1], dt];
    check_gradient(f, &[0.5, -1.0, 0.25, 1.0, 2.0, 0.5], &analytic).assert_ok();

    for (x, y) in [(0.5, 1.5), (-0.7, 0.4)] {
        let (v, gx, gy) = strict_kinks::kinks_backward(x, y, 1.0);
        same_value(v, strict_kinks::kinks(x, y));
        check_gradient(|p| strict_kinks::kinks(p[0], p[1]), &[x, y], &[gx, gy]).assert_ok();
    }
}

fn super_arr(p: &[f64]) -> [f64; 8] {
    core::array::from_fn(|i| p[i])
}

// ---------------------------------------------------------------- companions across modules

mod model {
    pub mod layers {
        use autodiff::grad;

        #[grad]
        pub fn dense(w: &[f64], x: &[f64], b: f64) -> f64 {
            let mut s = b;
            for i in 0..w.len() {
                s += w[i] * x[i];
            }
            autodiff::sigmoid(s)
        }

        #[grad(wrt(w))]
        pub(crate) fn loss(w: &[f64], x: &[f64], target: f64) -> f64 {
            let mut s = 0.0;
            for i in 0..w.len() {
                s += w[i] * x[i];
            }
            (s - target) * (s - target)
        }

        #[grad]
        pub(super) fn scaled(x: f64) -> f64 {
            x * x * 0.5
        }
    }

    /// Calls the companions of a sibling module through paths and a `use`.
    pub mod train {
        use super::layers::{dense_backward, loss_backward};

        pub fn step(w: &mut [f64; 3], x: &[f64; 3], target: f64, rate: f64) -> f64 {
            let mut gw = [0.0; 3];
            let l = loss_backward(w, &mut gw, x, target, 1.0);
            for i in 0..3 {
                w[i] -= rate * gw[i];
            }
            l
        }

        pub fn dense_grad(w: &[f64; 3], x: &[f64; 3], b: f64) -> ([f64; 3], [f64; 3], f64, f64) {
            let (mut gw, mut gx) = ([0.0; 3], [0.0; 3]);
            let (v, gb) = dense_backward(w, &mut gw, x, &mut gx, b, 1.0);
            (gw, gx, gb, v)
        }

        pub fn scaled_grad(x: f64) -> f64 {
            super::layers::scaled_backward(x, 1.0).1
        }
    }
}

#[test]
fn companions_are_callable_from_other_modules() {
    use model::layers;
    let (w, x, b) = ([0.2, -0.5, 0.8], [1.0, 0.5, -1.5], 0.1);
    let (gw, gx, gb, v) = model::train::dense_grad(&w, &x, b);
    same_value(v, layers::dense(&w, &x, b));
    let f = |p: &[f64]| layers::dense(&p[..3], &p[3..6], p[6]);
    let point = [&w[..], &x[..], &[b][..]].concat();
    check_gradient(f, &point, &[&gw[..], &gx[..], &[gb][..]].concat()).assert_ok();

    let mut w = [0.0; 3];
    let first = model::train::step(&mut w, &x, 2.0, 0.1);
    let mut last = first;
    for _ in 0..50 {
        last = model::train::step(&mut w, &x, 2.0, 0.1);
    }
    assert!(
        last < 1e-6 * first,
        "gradient descent through a sibling module's companion"
    );

    let mut gw = [0.0; 3];
    let l = layers::loss_backward(&w, &mut gw, &x, 2.0, 1.0);
    same_value(l, layers::loss(&w, &x, 2.0));
    check_gradient(|p| layers::loss(p, &x, 2.0), &w, &gw).assert_ok();

    assert_eq!(model::train::scaled_grad(3.0), 3.0);
}

// ---------------------------------------------------------------- raw identifiers

mod raw {
    use autodiff::grad;

    /// The parameter declared `r#x`, read as `x`: the same variable.
    #[grad]
    pub fn declared_raw(r#x: f64) -> f64 {
        x * 2.0
    }

    /// The parameter declared `x`, read as `r#x`.
    #[grad]
    pub fn read_raw(x: f64) -> f64 {
        r#x * 2.0
    }

    /// Raw names used consistently.
    #[grad]
    pub fn consistent(r#in: f64, r#as: f64) -> f64 {
        let r#let = r#in * r#as;
        r#let.sin()
    }
}

#[test]
fn raw_identifiers_used_consistently() {
    let (v, da, db) = raw::consistent_backward(0.5, 1.5, 1.0);
    same_value(v, raw::consistent(0.5, 1.5));
    check_gradient(|p| raw::consistent(p[0], p[1]), &[0.5, 1.5], &[da, db]).assert_ok();
}

#[test]
fn raw_and_plain_spellings_of_one_name() {
    assert_eq!(raw::declared_raw_backward(1.5, 1.0), (3.0, 2.0));
    assert_eq!(raw::read_raw_backward(1.5, 1.0), (3.0, 2.0));
}

// ---------------------------------------------------------------- whole crates (trybuild)

/// Crate-level attributes and items that break the companion: each file is a
/// whole crate that must compile and run.

#[test]
fn forbid_of_an_allowed_lint() {
    trybuild::TestCases::new().pass("tests/hygiene_pass/forbid_unused_mut.rs");
}

#[test]
fn forbid_warnings() {
    trybuild::TestCases::new().pass("tests/hygiene_pass/forbid_warnings.rs");
}

#[test]
fn a_user_type_named_usize() {
    trybuild::TestCases::new().pass("tests/hygiene_pass/shadowed_usize.rs");
}

#[test]
fn raw_identifiers_in_whole_crates() {
    let t = trybuild::TestCases::new();
    t.pass("tests/hygiene_pass/raw_local.rs");
    t.pass("tests/hygiene_pass/raw_wrt.rs");
}

/// Found while writing the tests above: generated code that does not compile.
#[test]
fn struct_arguments_to_grad_calls() {
    trybuild::TestCases::new().pass("tests/hygiene_pass/struct_by_value_calls.rs");
}
