//! The language constructs a `#[grad]` body may use, each differentiated and
//! checked against central finite differences of the original function
//! (relative 1e-6, absolute 1e-8: `common::f64_tol`), at random points kept at
//! least 1e-3 away from every branch boundary so that the stencil never
//! straddles one; plus the companion's signature conventions (`wrt`, tuple
//! results, `&` parameters) and the literature values of DESIGN.md.

mod common;

use autodiff::grad;
use common::*;
use proptest::prelude::*;

fn xy() -> impl Strategy<Value = (f64, f64)> {
    (-2.0f64..2.0, -2.0f64..2.0)
}

/// None of `boundaries` within 1e-3 of zero.
fn clear(boundaries: &[f64]) -> bool {
    boundaries.iter().all(|b| b.abs() >= 1e-3)
}

// ---------------------------------------------------------------- locals

#[grad]
fn lets(x: f64, y: f64) -> f64 {
    let a = x * y;
    let mut b = a + x;
    b = b * b - y;
    let a = a.sin() + b; // shadows `a`
    let x = x * 3.0 + a; // shadows the parameter
    let y: f64 = y;
    a * x - y
}

#[grad]
fn compound(x: f64, y: f64) -> f64 {
    let mut s = x;
    s += y * x;
    s -= y;
    s *= x + 1.0;
    s /= y * y + 1.0;
    s += s;
    s
}

#[grad]
fn blocks(x: f64, y: f64) -> f64 {
    let mut s = x;
    let a = {
        let t = x * y;
        {
            let u = t + x;
            s *= u;
            u * u
        }
    };
    {
        s += y;
        let s = s * 100.0; // shadows `s` only inside this block
        let _ = s;
    }
    let b = {
        let a = y.exp();
        a * 2.0
    };
    a + b + s + { x }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn let_mut_and_shadowing((x, y) in xy(), d in cotangent()) {
        let (v, dx, dy) = lets_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), lets(x, y).to_bits());
        prop_fd(|p| d * lets(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn compound_assignment((x, y) in xy(), d in cotangent()) {
        let (v, dx, dy) = compound_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), compound(x, y).to_bits());
        prop_fd(|p| d * compound(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn nested_blocks((x, y) in xy(), d in cotangent()) {
        let (v, dx, dy) = blocks_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), blocks(x, y).to_bits());
        prop_fd(|p| d * blocks(p[0], p[1]), &[x, y], &[dx, dy])?;
    }
}

// ---------------------------------------------------------------- if / else

#[grad]
fn if_stmt(x: f64, y: f64) -> f64 {
    let mut r = x * y;
    let mut k = 1.0;
    if x > y {
        r *= y;
        k = 2.0;
    } else if x > 0.0 {
        r += y.sin();
    } else {
        r = r * r;
        k = x;
    }
    if y < 0.5 {
        r -= k * y;
    }
    r * k
}

#[grad]
fn if_expr(x: f64, y: f64) -> f64 {
    let r = if x > y {
        x * y
    } else if x > 0.0 {
        x + y.cos()
    } else {
        x - y * y
    };
    r + if y > 0.0 { (y + 0.5).sqrt() } else { -y } * x
}

fn if_clear(x: f64, y: f64) -> bool {
    clear(&[x - y, x, y - 0.5, y])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn if_else_if_else_as_statement(
        (x, y) in xy().prop_filter("at a boundary", |(x, y)| if_clear(*x, *y)),
        d in cotangent(),
    ) {
        let (v, dx, dy) = if_stmt_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), if_stmt(x, y).to_bits());
        prop_fd(|p| d * if_stmt(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn if_else_if_else_as_expression(
        (x, y) in xy().prop_filter("at a boundary", |(x, y)| if_clear(*x, *y)),
        d in cotangent(),
    ) {
        let (v, dx, dy) = if_expr_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), if_expr(x, y).to_bits());
        prop_fd(|p| d * if_expr(p[0], p[1]), &[x, y], &[dx, dy])?;
    }
}

#[test]
fn if_chains_reach_every_branch() {
    // one point per branch of both functions, against finite differences
    for (x, y) in [
        (1.5, 1.0),
        (0.5, 1.0),
        (-0.5, 1.0),
        (1.0, 0.2),
        (0.3, 0.4),
        (-1.0, -0.5),
    ] {
        let (_, dx, dy) = if_stmt_backward(x, y, 1.0);
        assert_fd(|p| if_stmt(p[0], p[1]), &[x, y], &[dx, dy]);
        let (_, dx, dy) = if_expr_backward(x, y, 1.0);
        assert_fd(|p| if_expr(p[0], p[1]), &[x, y], &[dx, dy]);
    }
}

// ---------------------------------------------------------------- early return

#[grad]
fn ret_in_if(x: f64, y: f64) -> f64 {
    if x > 1.0 {
        return x * y;
    }
    let z = x + y;
    z * z
}

#[grad]
fn ret_in_chain(x: f64, y: f64) -> f64 {
    let mut a = x * 2.0;
    if x < -1.0 {
        return a * y;
    } else if x < 0.0 {
        a += y;
    } else if x < 1.0 {
        return (a + y).exp();
    } else {
        a = a * a;
    }
    a * y + x
}

#[grad]
fn ret_nested(x: f64, y: f64) -> f64 {
    let mut acc = x + y;
    if x > 0.0 {
        acc *= x;
        if y > 0.0 {
            return acc * y;
        } else {
            let t = x - y;
            if t > 3.0 {
                return t.sqrt() + acc;
            }
            acc += t;
        }
    } else if y > 0.0 {
        return x.exp() * y + acc;
    }
    acc * acc
}

#[allow(clippy::needless_return)]
#[grad]
fn ret_last(x: f64, y: f64) -> f64 {
    if x > y {
        return x;
    }
    return y * 2.0;
}

fn wide() -> impl Strategy<Value = (f64, f64)> {
    (-4.0f64..4.0, -3.0f64..3.0)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn return_inside_if(
        (x, y) in wide().prop_filter("at a boundary", |(x, _)| clear(&[x - 1.0])),
        d in cotangent(),
    ) {
        let (v, dx, dy) = ret_in_if_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), ret_in_if(x, y).to_bits());
        prop_fd(|p| d * ret_in_if(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn return_inside_else_if_chain(
        (x, y) in wide().prop_filter("at a boundary", |(x, _)| clear(&[x + 1.0, *x, x - 1.0])),
        d in cotangent(),
    ) {
        let (v, dx, dy) = ret_in_chain_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), ret_in_chain(x, y).to_bits());
        prop_fd(|p| d * ret_in_chain(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn returns_in_nested_ifs(
        (x, y) in wide().prop_filter("at a boundary", |(x, y)| clear(&[*x, *y, x - y - 3.0])),
        d in cotangent(),
    ) {
        let (v, dx, dy) = ret_nested_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), ret_nested(x, y).to_bits());
        prop_fd(|p| d * ret_nested(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn return_as_last_statement(
        (x, y) in wide().prop_filter("at a boundary", |(x, y)| clear(&[x - y])),
        d in cotangent(),
    ) {
        let (v, dx, dy) = ret_last_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), ret_last(x, y).to_bits());
        prop_fd(|p| d * ret_last(p[0], p[1]), &[x, y], &[dx, dy])?;
    }
}

#[test]
fn every_return_path_of_the_nested_function() {
    // (x > 0, y > 0) / (x > 0, y <= 0, t > 3) / (x > 0, y <= 0, t <= 3) /
    // (x <= 0, y > 0) / (x <= 0, y <= 0)
    for (x, y) in [
        (1.0, 2.0),
        (2.5, -1.5),
        (1.0, -1.0),
        (-1.0, 2.0),
        (-1.0, -2.0),
    ] {
        let (_, dx, dy) = ret_nested_backward(x, y, 1.0);
        assert_fd(|p| ret_nested(p[0], p[1]), &[x, y], &[dx, dy]);
    }
    // known values on two paths: x > 0, y > 0 returns (x + y) x y
    assert_eq!(ret_nested_backward(1.0, 2.0, 1.0), (6.0, 8.0, 5.0));
    // x <= 0, y <= 0 returns (x + y)^2
    assert_eq!(ret_nested_backward(-1.0, -2.0, 1.0), (9.0, -6.0, -6.0));
}

// ---------------------------------------------------------------- && || !

#[allow(clippy::neg_cmp_op_on_partial_ord)]
#[grad]
fn logic(x: f64, y: f64, n: i32) -> f64 {
    if n != 0 && 10 / n > 2 {
        x * y
    } else if !(x > 0.0) || y < -1.0 {
        x + y * y
    } else {
        x.sin() - y
    }
}

#[grad]
fn logic_or_guard(x: f64, n: i32) -> f64 {
    if n == 0 || 10 % n == 1 {
        x * x
    } else {
        -x
    }
}

#[test]
fn short_circuit_guards_integer_division_by_zero() {
    // n = 0: `10 / n` must not run (it would panic)
    for (x, y) in [(0.5, 2.0), (-0.5, 2.0), (0.5, -2.0)] {
        let (v, dx, dy) = logic_backward(x, y, 0, 1.0);
        assert_bits(v, logic(x, y, 0), "primal at n = 0");
        assert_fd(|p| logic(p[0], p[1], 0), &[x, y], &[dx, dy]);
    }
    assert_eq!(logic_or_guard_backward(3.0, 0, 1.0), (9.0, 6.0));
    // 10 % 3 == 1: the then branch; 10 % 4 == 2: the else branch
    assert_eq!(logic_or_guard_backward(3.0, 3, 1.0), (9.0, 6.0));
    assert_eq!(logic_or_guard_backward(3.0, 4, 1.0), (-3.0, -1.0));
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn and_or_not_in_conditions(
        (x, y) in xy().prop_filter("at a boundary", |(x, y)| clear(&[*x, y + 1.0])),
        n in -5i32..=12,
        d in cotangent(),
    ) {
        let (v, dx, dy) = logic_backward(x, y, n, d);
        prop_assert_eq!(v.to_bits(), logic(x, y, n).to_bits());
        prop_fd(|p| d * logic(p[0], p[1], n), &[x, y], &[dx, dy])?;
        // which branch: the first exactly when 1 <= n <= 3
        let first = (1..=3).contains(&n);
        prop_assert_eq!(first, n != 0 && 10 / n > 2);
    }
}

// ---------------------------------------------------------------- consts, casts, integers

const K: f64 = 1.5;

#[grad]
fn consts(x: f64, y: f64) -> f64 {
    const J: f64 = 0.25;
    x * K + J * x * y + std::f64::consts::PI * y.sin() + K + core::f64::consts::E * J
}

#[grad]
fn casts(x: f64, n: i32, k: usize) -> f64 {
    x * (n as f64) + (k as f64) * x.powi(n) + ((n * 2 + 1) as f64) / (1.0 + x * x)
}

#[grad]
fn float_to_int_cast(x: f64) -> f64 {
    // piecewise constant in x: contributes no derivative
    ((x * 3.0) as i32 as f64) * x
}

#[grad]
fn int_conditions(x: f64, n: i32, m: u32) -> f64 {
    let k = n * 3 + 1;
    if k % 4 == 0 || m.pow(2) > 10 {
        x * x
    } else if (n - 2).abs() < 2 && m > 0 {
        x.exp()
    } else {
        -x * (k as f64)
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn const_items_and_std_consts((x, y) in xy(), d in cotangent()) {
        let (v, dx, dy) = consts_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), consts(x, y).to_bits());
        prop_fd(|p| d * consts(p[0], p[1]), &[x, y], &[dx, dy])?;
        // closed form: d/dx = K + J y, d/dy = J x + PI cos y
        let want_dx = d * (K + 0.25 * y);
        let want_dy = d * (0.25 * x + std::f64::consts::PI * y.cos());
        prop_assert!((dx - want_dx).abs() <= 1e-12 && (dy - want_dy).abs() <= 1e-12);
    }

    #[test]
    fn as_casts_from_integer_parameters(
        x in away_from(-3.0, 3.0, &[0.0], 0.1),
        n in -3i32..=4,
        k in 0usize..5,
        d in cotangent(),
    ) {
        let (v, dx) = casts_backward(x, n, k, d);
        prop_assert_eq!(v.to_bits(), casts(x, n, k).to_bits());
        prop_fd(|p| d * casts(p[0], n, k), &[x], &[dx])?;
    }

    #[test]
    fn cast_from_float_to_integer_is_piecewise_constant(
        x in (-3.0f64..3.0).prop_filter("at a jump", |x| dist_to_int(3.0 * x) >= 1e-3),
        d in cotangent(),
    ) {
        let (v, dx) = float_to_int_cast_backward(x, d);
        prop_assert_eq!(v.to_bits(), float_to_int_cast(x).to_bits());
        prop_fd(|p| d * float_to_int_cast(p[0]), &[x], &[dx])?;
    }

    #[test]
    fn integer_arithmetic_in_conditions(
        x in -2.0f64..2.0,
        n in -6i32..=6,
        m in 0u32..5,
        d in cotangent(),
    ) {
        let (v, dx) = int_conditions_backward(x, n, m, d);
        prop_assert_eq!(v.to_bits(), int_conditions(x, n, m).to_bits());
        prop_fd(|p| d * int_conditions(p[0], n, m), &[x], &[dx])?;
    }
}

// ---------------------------------------------------------------- wrt

#[grad(wrt(x))]
fn wrt_x(x: f64, y: f64) -> f64 {
    x * y.sin() + y * y
}

#[grad(wrt(y, z))]
fn wrt_yz(x: f64, y: f64, z: f64) -> f64 {
    x * y * z + z.exp() + x.sin()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn wrt_restricts_the_gradient((x, y) in xy(), z in -2.0f64..2.0, d in cotangent()) {
        // the type annotations check the returned tuple's shape
        let (v, dx): (f64, f64) = wrt_x_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), wrt_x(x, y).to_bits());
        prop_fd(|p| d * wrt_x(p[0], y), &[x], &[dx])?;

        let (v, dy, dz): (f64, f64, f64) = wrt_yz_backward(x, y, z, d);
        prop_assert_eq!(v.to_bits(), wrt_yz(x, y, z).to_bits());
        prop_fd(|p| d * wrt_yz(x, p[0], p[1]), &[y, z], &[dy, dz])?;
    }
}

// ---------------------------------------------------------------- tuple results

#[grad]
fn pair(x: f64, y: f64) -> (f64, f64) {
    (x * y, x.sin() + y * y)
}

#[grad]
fn triple(x: f64) -> (f64, f64, f64) {
    let a = x * x;
    (a, a.exp(), x)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn tuple_result_vector_jacobian_product(
        (x, y) in xy(),
        d0 in cotangent(),
        d1 in cotangent(),
    ) {
        let ((v0, v1), dx, dy): ((f64, f64), f64, f64) = pair_backward(x, y, (d0, d1));
        let (w0, w1) = pair(x, y);
        prop_assert_eq!((v0.to_bits(), v1.to_bits()), (w0.to_bits(), w1.to_bits()));
        prop_fd(
            |p| {
                let (f0, f1) = pair(p[0], p[1]);
                d0 * f0 + d1 * f1
            },
            &[x, y],
            &[dx, dy],
        )?;
    }

    #[test]
    fn three_results_one_input(x in -1.5f64..1.5, d in (cotangent(), cotangent(), cotangent())) {
        let (out, dx) = triple_backward(x, d);
        prop_assert_eq!(out, triple(x));
        prop_fd(
            |p| {
                let (a, b, c) = triple(p[0]);
                d.0 * a + d.1 * b + d.2 * c
            },
            &[x],
            &[dx],
        )?;
    }
}

#[test]
fn tuple_cotangent_selects_each_result() {
    // d_out = (1, 0) gives the gradient of the first result alone, and so on
    let (x, y) = (0.7, -1.3);
    let (_, dx, dy) = pair_backward(x, y, (1.0, 0.0));
    assert_eq!((dx, dy), (y, x));
    let (_, dx, dy) = pair_backward(x, y, (0.0, 1.0));
    assert_eq!((dx, dy), (x.cos(), 2.0 * y));
}

// ---------------------------------------------------------------- & parameters

#[grad]
fn refs(x: &f64, y: f64, z: &f64) -> f64 {
    *x * y + z.sin() * x + y
}

#[grad]
fn only_refs(a: &f64, b: &f64) -> f64 {
    *a * *a * b
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn ref_parameters_get_shadows((x, y) in xy(), z in -2.0f64..2.0, d in cotangent()) {
        let (mut dx, mut dz) = (0.0, 0.0);
        let (v, dy) = refs_backward(&x, &mut dx, y, &z, &mut dz, d);
        prop_assert_eq!(v.to_bits(), refs(&x, y, &z).to_bits());
        prop_fd(|p| d * refs(&p[0], p[1], &p[2]), &[x, y, z], &[dx, dy, dz])?;
    }
}

#[test]
fn ref_shadow_gradients_accumulate_across_calls() {
    let (x, y, z) = (0.5, 2.0, -1.0);
    // the gradients of one call
    let (mut dx1, mut dz1) = (0.0, 0.0);
    refs_backward(&x, &mut dx1, y, &z, &mut dz1, 1.0);
    assert_fd(|p| refs(&p[0], y, &p[1]), &[x, z], &[dx1, dz1]);
    let (mut dx2, mut dz2) = (0.0, 0.0);
    refs_backward(&x, &mut dx2, 3.0, &z, &mut dz2, -0.5);

    // two calls into the same shadows, which held something already: added
    let (mut dx, mut dz) = (10.0, -20.0);
    refs_backward(&x, &mut dx, y, &z, &mut dz, 1.0);
    refs_backward(&x, &mut dx, 3.0, &z, &mut dz, -0.5);
    assert_eq!(dx, 10.0 + dx1 + dx2);
    assert_eq!(dz, -20.0 + dz1 + dz2);
    assert!(dx1 != 0.0 && dx2 != 0.0 && dz1 != 0.0 && dz2 != 0.0);
}

#[test]
fn only_ref_parameters_return_the_value_alone() {
    let (a, b) = (3.0, -2.0);
    let (mut da, mut db) = (1.0, 1.0);
    let v: f64 = only_refs_backward(&a, &mut da, &b, &mut db, 1.0);
    assert_eq!(v, only_refs(&a, &b));
    // 1 + d/da a^2 b = 1 + 2ab, 1 + d/db = 1 + a^2
    assert_eq!((da, db), (1.0 + 2.0 * a * b, 1.0 + a * a));
}

// ---------------------------------------------------------------- fan-out, unused, conditions only

#[grad]
fn fan_out(x: f64) -> f64 {
    x * x * x + x.sin() * x - x / (x * x + 1.0) + (x + x + x) * x.exp()
}

#[grad]
fn unused(x: f64, _y: f64, _: f64, flag: bool, _n: i32) -> f64 {
    if flag {
        x * 2.0
    } else {
        x * 4.0
    }
}

#[grad]
fn condition_only(x: f64, y: f64) -> f64 {
    if y > 0.0 {
        x * 2.0
    } else {
        x * 3.0
    }
}

#[grad]
fn condition_only_computed(x: f64, y: f64) -> f64 {
    let t = y.exp() - 2.0;
    let mut r = x;
    if t > 0.0 {
        r *= 5.0;
    }
    r
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parameter_used_many_times(x in -3.0f64..3.0, d in cotangent()) {
        let (v, dx) = fan_out_backward(x, d);
        prop_assert_eq!(v.to_bits(), fan_out(x).to_bits());
        prop_fd(|p| d * fan_out(p[0]), &[x], &[dx])?;
    }
}

#[test]
fn unused_parameters_have_gradient_zero() {
    let (v, dx, dy, dz) = unused_backward(1.5, 2.0, 3.0, true, 7, 1.0);
    assert_eq!((v, dx, dy, dz), (3.0, 2.0, 0.0, 0.0));
    let (v, dx, dy, dz) = unused_backward(1.5, 2.0, 3.0, false, 7, 1.0);
    assert_eq!((v, dx, dy, dz), (6.0, 4.0, 0.0, 0.0));
}

#[test]
fn a_value_used_only_in_a_condition_has_gradient_zero() {
    for (x, y) in [(1.0, 2.0), (1.0, -2.0), (-3.0, 0.5)] {
        let (v, dx, dy) = condition_only_backward(x, y, 1.0);
        assert_eq!(v, condition_only(x, y));
        assert_eq!(dy, 0.0);
        assert_fd(|p| condition_only(p[0], p[1]), &[x, y], &[dx, dy]);
        let (_, dx, dy) = condition_only_computed_backward(x, y, 1.0);
        assert_eq!(dy, 0.0);
        assert_fd(|p| condition_only_computed(p[0], p[1]), &[x, y], &[dx, dy]);
    }
}

// ---------------------------------------------------------------- combinations

#[grad]
fn tuple_locals(x: f64, y: f64) -> f64 {
    let (p, q) = (x * y, x + y);
    let (p, q) = if x > 0.0 { (q, p) } else { (p, q * 2.0) };
    let t = (p, (q, x * y));
    t.1 .1 + t.0 * t.1 .0
}

#[allow(clippy::assign_op_pattern)]
#[grad]
fn branch_local_shadow(x: f64, y: f64) -> f64 {
    let s = x;
    let mut t = y;
    if x > 0.0 {
        let s = 2.0 * s; // shadows `s` inside the branch only
        t = s * t;
    }
    s * t
}

#[grad]
fn sequential_returns(x: f64, y: f64) -> f64 {
    if x > 1.0 {
        return x * x;
    }
    if y > 1.0 {
        return y * x;
    }
    let z = x;
    let x = 5.0;
    z * x + y
}

#[grad]
fn int_locals(x: f64, n: i32) -> f64 {
    let mut k = -n;
    k += 1;
    x.powi(k) + x.powi(n * 2) + x.powi(n.abs())
}

#[grad]
fn chained_max_min(x: f64, y: f64, z: f64) -> f64 {
    x.max(y).min(z) * x
}

#[grad]
fn tuple_early_return(x: f64, y: f64) -> (f64, f64) {
    if x > 0.0 {
        return (x * y, y.exp());
    }
    (y, x * x)
}

#[grad]
fn accumulate_through_ifs(x: f64, y: f64) -> f64 {
    let mut acc = 0.0;
    if x > 0.0 {
        acc += x;
    }
    if y > 0.0 {
        acc += y * x;
    } else {
        acc -= y;
    }
    if acc > 1.0 {
        acc = acc.ln();
    }
    acc
}

#[grad]
fn bool_param(x: f64, b: bool) -> f64 {
    let c = x > 0.0;
    if b && c {
        x.sin()
    } else if !b {
        -x
    } else {
        x * x
    }
}

#[grad(wrt(y))]
fn wrt_skips_ref(x: &f64, y: f64) -> f64 {
    *x * y * y
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn tuple_patterns_fields_and_if_tuples(
        (x, y) in xy().prop_filter("at a boundary", |(x, _)| clear(&[*x])),
        d in cotangent(),
    ) {
        let (v, dx, dy) = tuple_locals_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), tuple_locals(x, y).to_bits());
        prop_fd(|p| d * tuple_locals(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn shadowing_inside_a_branch(
        (x, y) in xy().prop_filter("at a boundary", |(x, _)| clear(&[*x])),
        d in cotangent(),
    ) {
        let (v, dx, dy) = branch_local_shadow_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), branch_local_shadow(x, y).to_bits());
        prop_fd(|p| d * branch_local_shadow(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn returns_in_sequential_ifs(
        (x, y) in xy().prop_filter("at a boundary", |(x, y)| clear(&[x - 1.0, y - 1.0])),
        d in cotangent(),
    ) {
        let (v, dx, dy) = sequential_returns_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), sequential_returns(x, y).to_bits());
        prop_fd(|p| d * sequential_returns(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn integer_locals_as_exponents(x in away_from(-2.0, 2.0, &[0.0], 0.2), n in -3i32..=3, d in cotangent()) {
        let (v, dx) = int_locals_backward(x, n, d);
        prop_assert_eq!(v.to_bits(), int_locals(x, n).to_bits());
        prop_fd(|p| d * int_locals(p[0], n), &[x], &[dx])?;
    }

    #[test]
    fn chained_kinks(
        (x, y, z) in (-2.0f64..2.0, -2.0f64..2.0, -2.0f64..2.0)
            .prop_filter("tie", |(x, y, z)| clear(&[x - y, x - z, y - z])),
        d in cotangent(),
    ) {
        let (v, dx, dy, dz) = chained_max_min_backward(x, y, z, d);
        prop_assert_eq!(v.to_bits(), chained_max_min(x, y, z).to_bits());
        prop_fd(|p| d * chained_max_min(p[0], p[1], p[2]), &[x, y, z], &[dx, dy, dz])?;
    }

    #[test]
    fn early_return_of_a_tuple(
        (x, y) in xy().prop_filter("at a boundary", |(x, _)| clear(&[*x])),
        d0 in cotangent(),
        d1 in cotangent(),
    ) {
        let (out, dx, dy) = tuple_early_return_backward(x, y, (d0, d1));
        prop_assert_eq!(out, tuple_early_return(x, y));
        prop_fd(
            |p| {
                let (a, b) = tuple_early_return(p[0], p[1]);
                d0 * a + d1 * b
            },
            &[x, y],
            &[dx, dy],
        )?;
    }

    #[test]
    fn assignments_merged_through_several_ifs(
        (x, y) in xy().prop_filter("at a boundary", |(x, y)| {
            let acc = x.max(0.0) + if *y > 0.0 { y * x } else { -y };
            clear(&[*x, *y, acc - 1.0])
        }),
        d in cotangent(),
    ) {
        let (v, dx, dy) = accumulate_through_ifs_backward(x, y, d);
        prop_assert_eq!(v.to_bits(), accumulate_through_ifs(x, y).to_bits());
        prop_fd(|p| d * accumulate_through_ifs(p[0], p[1]), &[x, y], &[dx, dy])?;
    }

    #[test]
    fn bool_parameter_and_bool_local(
        x in away_from(-2.0, 2.0, &[0.0], 1e-3),
        b in any::<bool>(),
        d in cotangent(),
    ) {
        let (v, dx) = bool_param_backward(x, b, d);
        prop_assert_eq!(v.to_bits(), bool_param(x, b).to_bits());
        prop_fd(|p| d * bool_param(p[0], b), &[x], &[dx])?;
    }

    #[test]
    fn wrt_leaves_a_ref_parameter_without_shadow((x, y) in xy(), d in cotangent()) {
        // no `d_x` after `x`, and only y's gradient returned
        let (v, dy): (f64, f64) = wrt_skips_ref_backward(&x, y, d);
        prop_assert_eq!(v.to_bits(), wrt_skips_ref(&x, y).to_bits());
        prop_fd(|p| d * wrt_skips_ref(&x, p[0]), &[y], &[dy])?;
    }
}

// ---------------------------------------------------------------- hygiene

/// User names that look like the companion's own (`d_x` next to a `&x`,
/// `d_out`, `v0`) do not collide with them.
#[grad]
fn hygiene(x: &f64, d_x: f64, d_out: f64, v0: f64) -> f64 {
    *x * d_x * d_out + v0
}

#[test]
fn user_names_do_not_collide_with_generated_ones() {
    let mut shadow = 0.0;
    let (v, g_dx, g_dout, g_v0) = hygiene_backward(&2.0, &mut shadow, 3.0, 5.0, 7.0, 1.0);
    assert_eq!(v, hygiene(&2.0, 3.0, 5.0, 7.0));
    assert_eq!((shadow, g_dx, g_dout, g_v0), (15.0, 10.0, 6.0, 1.0));
}

// ---------------------------------------------------------------- literature values

#[grad]
fn mul3(x: f64, y: f64, z: f64) -> f64 {
    (x + y) * z
}

#[grad]
fn neuron(w0: f64, w1: f64, w2: f64, x0: f64, x1: f64) -> f64 {
    let dot = w0 * x0 + w1 * x1 + w2;
    1.0 / (1.0 + (-dot).exp())
}

/// `‖W x‖²` with a 2x2 `W`, written with scalars.
#[grad]
fn norm_wx(w00: f64, w01: f64, w10: f64, w11: f64, x0: f64, x1: f64) -> f64 {
    let q0 = w00 * x0 + w01 * x1;
    let q1 = w10 * x0 + w11 * x1;
    q0 * q0 + q1 * q1
}

/// CS231n lecture 4: `(x + y) z` at (-2, 5, -4).
#[test]
fn cs231n_add_multiply() {
    assert_eq!(
        mul3_backward(-2.0, 5.0, -4.0, 1.0),
        (-12.0, -4.0, -4.0, 3.0)
    );
}

/// CS231n lecture 4: the sigmoid neuron, w = [2, -3, -3], x = [-1, -2].
#[test]
fn cs231n_sigmoid_neuron() {
    let (v, dw0, dw1, dw2, dx0, dx1) = neuron_backward(2.0, -3.0, -3.0, -1.0, -2.0, 1.0);
    assert_near(v, 0.7311, 1e-4, "value");
    assert_near(dw0, -0.1966, 1e-4, "dw0");
    assert_near(dw1, -0.3932, 1e-4, "dw1");
    assert_near(dw2, 0.1966, 1e-4, "dw2");
    assert_near(dx0, 0.3932, 1e-4, "dx0");
    assert_near(dx1, -0.5898, 1e-4, "dx1");
}

/// CS231n lecture 4: `‖W x‖²` with W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4].
#[test]
fn cs231n_squared_norm() {
    let (v, d00, d01, d10, d11, dx0, dx1) = norm_wx_backward(0.1, 0.5, -0.3, 0.8, 0.2, 0.4, 1.0);
    assert_near(v, 0.116, 1e-12, "value");
    assert_near(d00, 0.088, 1e-12, "dW00");
    assert_near(d01, 0.176, 1e-12, "dW01");
    assert_near(d10, 0.104, 1e-12, "dW10");
    assert_near(d11, 0.208, 1e-12, "dW11");
    assert_near(dx0, -0.112, 1e-12, "dx0");
    assert_near(dx1, 0.636, 1e-12, "dx1");
}

// ---------------------------------------------------------------- macro bugs found

/// A local function that happens to share a primitive's name.
/// Code that once tripped the macro's type guesses: module-level `const`s used
/// as integers, a body `const` declared after its use, a primitive by its module
/// path.
mod consts_and_paths {
    use super::*;

    const N: i32 = 3;

    #[grad]
    fn integer_const_in_condition(x: f64) -> f64 {
        if N > 2 {
            x * x
        } else {
            -x
        }
    }

    #[grad]
    fn integer_const_in_integer_arithmetic(x: f64) -> f64 {
        let m = N * 2;
        x * (m as f64)
    }

    #[grad]
    fn integer_const_cast_to_float(x: f64) -> f64 {
        x * (N as f64)
    }

    #[grad]
    #[allow(clippy::items_after_statements)]
    fn body_const_declared_after_use(x: f64) -> f64 {
        let y = x * K;
        const K: f64 = 3.0;
        y
    }

    #[grad]
    fn primitive_by_its_module_path(x: f64) -> f64 {
        autodiff::primitives::sigmoid(x)
    }

    #[test]
    fn all_compile_and_differentiate() {
        assert_eq!(integer_const_in_condition_backward(3.0, 1.0), (9.0, 6.0));
        assert_eq!(
            integer_const_in_integer_arithmetic_backward(3.0, 1.0),
            (18.0, 6.0)
        );
        assert_eq!(integer_const_cast_to_float_backward(2.0, 1.0), (6.0, 3.0));
        assert_eq!(body_const_declared_after_use_backward(2.0, 1.0), (6.0, 3.0));
        assert_eq!(primitive_by_its_module_path_backward(0.0, 1.0), (0.5, 0.25));
    }
}
