//! The checks behind `tests/random_programs.rs`.
//!
//! Every generated program comes with three functions on a flat point `x`:
//! `eval` (the original), `grad` (the companion `<name>_backward`, with a random
//! cotangent `d`) and `oracle` (the same program over dual numbers, with every
//! branch, kink and jump reported to a [`Tr`]). At several random points per
//! program, [`check_all`] compares
//!
//! 1. the companion's value with the original's, bit for bit;
//! 2. the companion's gradient with forward mode (one dual pass per input):
//!    relative error at most [`DUAL_TOL`] of `max(1, |g|)`;
//! 3. the companion's gradient with central finite differences of the original:
//!    relative error at most [`FD_TOL`] of `max(1, |g|)`, where no branch decision
//!    differs between `x - h` and `x + h`;
//! 4. forward mode (`fwd`, the companion `<name>_forward`) in a random direction
//!    `ẋ` (zero in the inputs not differentiated): its value with the original's,
//!    bit for bit; its tangent with one dual pass of the oracle seeded with `ẋ`,
//!    relative error at most [`FWD_TOL`] of `max(1, |ẏ|)` per output; and the
//!    dot-product test against the reverse companion, `⟨d, J·ẋ⟩ = ⟨Jᵀ·d, ẋ⟩` with
//!    the cotangent `d` of 1–3, within [`DOT_TOL`] of
//!    `max(1, Σ|d_o ẏ_o|, Σ|g_j ẋ_j|)`;
//! 5. second order, for the programs under `hvp` (the file's `HVPS` table):
//!    `_hvp`, `_backward_forward` and the nested companions against the same
//!    oracle over `HyperDual64`, at points of their own (`second_order.rs`).
//!
//! The oracle's numbers and float functions are in `oracle.rs`.
//!
//! [`check_all`] also prints, per construct of the README's support table, how
//! many programs exercise it (lines `construct <tab> row <tab> construct <tab>
//! programs`, zeros included: what the generator never writes), and for each
//! construct in a mismatching program, how many of those exercise it.
//!
//! `RANDOM_PROGRAMS=p3,p17 cargo test --test random_programs -- --nocapture`
//! checks only the programs named (each program's points depend on its index
//! only); `RANDOM_PROGRAMS_DEBUG=1` also prints every point drawn again.
//!
//! Points closer than [`MARGIN`] to a branch boundary (a comparison, a kink of
//! `abs` / `max` / `relu` …, a jump of `floor` / `%` …) are drawn again.

#![allow(dead_code)]

use num_dual::Dual64;
use std::fmt::Write as _;

/// Relative tolerance of the companion against dual numbers.
pub const DUAL_TOL: f64 = 1e-12;
/// Relative tolerance of the forward companion's tangent against dual numbers
/// seeded with the same direction.
pub const FWD_TOL: f64 = 1e-12;
/// Relative tolerance of the dot-product test between the two companions.
pub const DOT_TOL: f64 = 1e-12;
/// Relative tolerance of the companion against central finite differences.
pub const FD_TOL: f64 = 1e-5;
/// Points at least this far from every branch boundary are used.
pub const MARGIN: f64 = 1e-4;
/// Points per program.
pub const POINTS: usize = 4;
/// What a shadow holds before the companion adds into it.
pub const SHADOW: f64 = 0.25;

#[path = "oracle.rs"]
mod oracle;
pub use oracle::*;

#[path = "second_order.rs"]
mod second_order;
pub use second_order::*;

// ------------------------------------------------------------------ the checks

/// The companion on a flat point and cotangent: its value and flat gradient.
pub type GradFn = fn(&[f64], &[f64]) -> (Vec<f64>, Vec<f64>);
/// The forward companion on a flat point and direction: its value and flat tangent.
pub type FwdFn = fn(&[f64], &[f64]) -> (Vec<f64>, Vec<f64>);

/// One generated program.
pub struct Prog {
    pub name: &'static str,
    /// Per flat input: whether the companion differentiates it (`wrt`).
    pub active: &'static [bool],
    pub outputs: usize,
    pub eval: fn(&[f64]) -> Vec<f64>,
    pub grad: GradFn,
    /// `None`: checked in reverse mode only (progen's `--no-forward`).
    pub fwd: Option<FwdFn>,
    pub oracle: fn(&[Dual64], &mut Tr) -> Vec<Dual64>,
    /// The constructs the program exercises: indices into the file's table of
    /// (row of the README's support table, construct).
    pub tags: &'static [u16],
}

/// SplitMix64, for the points.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// Runs the oracle at `x` with a fixed pseudo-random direction seeded in every
/// input (see [`Tr::note`]).
fn oracle_at(p: &Prog, x: &[f64]) -> (Vec<f64>, Tr) {
    let mut dir = Rng(0xd1e5);
    let xd: Vec<Dual64> = x
        .iter()
        .map(|&v| Dual64::new(v, dir.range(0.5, 1.5)))
        .collect();
    let mut tr = Tr::default();
    let out = (p.oracle)(&xd, &mut tr);
    (out.iter().map(|d| d.re).collect(), tr)
}

/// `Σ d_o f_o(x)` of the original.
fn phi(p: &Prog, x: &[f64], d: &[f64]) -> f64 {
    (p.eval)(x).iter().zip(d).map(|(f, d)| f * d).sum()
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / a.abs().max(1.0)
    }
}

#[derive(Default)]
struct Stats {
    points: usize,
    redrawn: usize,
    fd_checked: usize,
    /// Gradient components compared with dual numbers, and how many were nonzero.
    components: usize,
    nonzero: usize,
    fd_skipped: usize,
    max_dual: f64,
    max_fd: f64,
    no_point: Vec<&'static str>,
    failures: Vec<String>,
    /// Forward mode: points checked, mismatches (also in `failures`), largest
    /// relative errors of the tangent against dual numbers and of the dot-product
    /// test, nonzero tangents.
    fwd_points: usize,
    fwd_mismatches: usize,
    max_fwd: f64,
    max_dot: f64,
    fwd_nonzero: usize,
}

/// The result of the checks of one program at one point.
enum Outcome {
    Ok,
    /// No usable point: every draw was near a boundary or out of range.
    NoPoint,
}

/// One program at up to [`POINTS`] points.
fn check_program(p: &Prog, index: usize, rng: &mut Rng, st: &mut Stats) -> Outcome {
    let n = p.active.len();
    let mut used = 0;
    let mut tries = 0;
    while used < POINTS {
        tries += 1;
        if tries > 60 {
            return if used == 0 {
                Outcome::NoPoint
            } else {
                Outcome::Ok
            };
        }
        let x: Vec<f64> = (0..n).map(|_| rng.range(-2.0, 2.0)).collect();
        let (ox, tr) = oracle_at(p, &x);
        let fine = ox.iter().all(|v| v.is_finite() && v.abs() < 1e6);
        if tr.margin < MARGIN || !fine {
            if std::env::var_os("RANDOM_PROGRAMS_DEBUG").is_some() {
                eprintln!("{}: redrawn, margin {:e}, value {ox:?}", p.name, tr.margin);
            }
            st.redrawn += 1;
            continue;
        }
        used += 1;
        st.points += 1;
        let d: Vec<f64> = (0..p.outputs)
            .map(|_| {
                let m = rng.range(0.5, 2.0);
                if rng.unit() < 0.5 {
                    -m
                } else {
                    m
                }
            })
            .collect();
        let mut fail = |what: String| {
            st.failures.push(format!(
                "program {index} ({}): {what}\n  x = {x:?}\n  d_out = {d:?}",
                p.name
            ));
        };

        // 1. the value
        let value = (p.eval)(&x);
        let (cv, g) = (p.grad)(&x, &d);
        if cv.len() != value.len()
            || cv
                .iter()
                .zip(&value)
                .any(|(a, b)| a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan()))
        {
            fail(format!(
                "companion value {cv:?} differs from the original's {value:?}"
            ));
            continue;
        }
        if value.iter().zip(&ox).any(|(a, b)| rel(*a, *b) > 1e-9) {
            fail(format!(
                "oracle value {ox:?} differs from the original's {value:?} (generator bug?)"
            ));
            continue;
        }

        // 2. dual numbers, one pass per input
        for j in 0..n {
            if !p.active[j] {
                if g[j] != 0.0 {
                    fail(format!(
                        "input {j} is not differentiated but has gradient {}",
                        g[j]
                    ));
                }
                continue;
            }
            let xd: Vec<Dual64> = x
                .iter()
                .enumerate()
                .map(|(i, &v)| Dual64::new(v, if i == j { 1.0 } else { 0.0 }))
                .collect();
            let mut tr = Tr::default();
            let out = (p.oracle)(&xd, &mut tr);
            let gd: f64 = out.iter().zip(&d).map(|(o, d)| o.eps * d).sum();
            st.components += 1;
            st.nonzero += usize::from(gd != 0.0);
            let e = rel(gd, g[j]);
            if e > DUAL_TOL || g[j].is_nan() != gd.is_nan() {
                fail(format!(
                    "input {j}: companion gradient {} but dual numbers give {gd} (rel err {e:.1e})\n  companion gradient {g:?}",
                    g[j]
                ));
            } else if e.is_finite() {
                st.max_dual = st.max_dual.max(e);
            }

            // 3. central finite differences, where no branch flips within the stencil
            let mut best = f64::INFINITY;
            let mut best_fd = f64::NAN;
            let mut checked = false;
            for h in [1e-6, 1e-5, 1e-7, 1e-4] {
                let h = h * x[j].abs().max(1.0);
                let mut xp = x.clone();
                let mut xm = x.clone();
                xp[j] += h;
                xm[j] -= h;
                let (_, tp) = oracle_at(p, &xp);
                let (_, tm) = oracle_at(p, &xm);
                if tp.sig != tr.sig || tm.sig != tr.sig {
                    continue;
                }
                checked = true;
                let fd = (phi(p, &xp, &d) - phi(p, &xm, &d)) / (2.0 * h);
                let e = rel(fd, g[j]);
                if e < best {
                    best = e;
                    best_fd = fd;
                }
                if best <= FD_TOL {
                    break;
                }
            }
            if !checked {
                st.fd_skipped += 1;
            } else {
                st.fd_checked += 1;
                if best > FD_TOL {
                    fail(format!(
                        "input {j}: companion gradient {} but finite differences give {best_fd} (rel err {best:.1e}; dual numbers give {gd})",
                        g[j]
                    ));
                } else {
                    st.max_fd = st.max_fd.max(best);
                }
            }
        }

        // 4. forward mode, in a direction of its own stream (the points and
        // cotangents above do not move)
        check_forward(p, index, used, &x, &d, &value, &g, st);
    }
    Outcome::Ok
}

/// The forward companion at `x` in a random direction: its value against the
/// original's `value`, its tangent against dual numbers, and the dot-product test
/// against the reverse companion's gradient `g` for the cotangent `d`.
#[allow(clippy::too_many_arguments)]
fn check_forward(
    p: &Prog,
    index: usize,
    point: usize,
    x: &[f64],
    d: &[f64],
    value: &[f64],
    g: &[f64],
    st: &mut Stats,
) {
    let Some(fwd) = p.fwd else {
        return;
    };
    let mut rng = Rng(0xf0_4a4d_0001
        ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (point as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let dir: Vec<f64> = p
        .active
        .iter()
        .map(|&a| {
            let v = rng.range(-1.0, 1.0);
            if a {
                v
            } else {
                0.0
            }
        })
        .collect();
    st.fwd_points += 1;
    let fail = |st: &mut Stats, what: String| {
        st.fwd_mismatches += 1;
        st.failures.push(format!(
            "program {index} ({}): forward mode: {what}\n  x = {x:?}\n  direction = {dir:?}\n  d_out = {d:?}",
            p.name
        ));
    };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fwd(x, &dir)));
    let (fv, ft) = match r {
        Ok(r) => r,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            fail(st, format!("the forward companion panicked: {msg}"));
            return;
        }
    };
    // (a) the value
    if fv.len() != value.len()
        || fv
            .iter()
            .zip(value)
            .any(|(a, b)| a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan()))
    {
        fail(
            st,
            format!("value {fv:?} differs from the original's {value:?}"),
        );
        return;
    }
    // (b) the tangent against one dual pass seeded with the direction
    let xd: Vec<Dual64> = x
        .iter()
        .zip(&dir)
        .map(|(&v, &t)| Dual64::new(v, t))
        .collect();
    let mut tr = Tr::default();
    let od: Vec<f64> = (p.oracle)(&xd, &mut tr).iter().map(|o| o.eps).collect();
    if ft.len() != od.len() {
        fail(
            st,
            format!("tangent {ft:?} has not the outputs of dual numbers' {od:?}"),
        );
        return;
    }
    for (o, (&t, &want)) in ft.iter().zip(&od).enumerate() {
        st.fwd_nonzero += usize::from(t != 0.0);
        let e = rel(want, t);
        if e > FWD_TOL || t.is_nan() != want.is_nan() {
            fail(
                st,
                format!("output {o}: tangent {t} but dual numbers give {want} (rel err {e:.1e})\n  tangent {ft:?}\n  dual numbers {od:?}"),
            );
        } else if e.is_finite() {
            st.max_fwd = st.max_fwd.max(e);
        }
    }
    // (c) the dot-product test: <d, J xdot> = <J^T d, xdot>
    let lhs: f64 = d.iter().zip(&ft).map(|(a, b)| a * b).sum();
    let rhs: f64 = g.iter().zip(&dir).map(|(a, b)| a * b).sum();
    let scale = d
        .iter()
        .zip(&ft)
        .map(|(a, b)| (a * b).abs())
        .sum::<f64>()
        .max(g.iter().zip(&dir).map(|(a, b)| (a * b).abs()).sum::<f64>())
        .max(1.0);
    let e = if lhs == rhs {
        0.0
    } else {
        (lhs - rhs).abs() / scale
    };
    if e > DOT_TOL || lhs.is_nan() != rhs.is_nan() {
        fail(
            st,
            format!("dot-product test: <d_out, tangent> = {lhs} but <gradient, direction> = {rhs} (rel err {e:.1e})\n  tangent {ft:?}\n  gradient {g:?}"),
        );
    } else if e.is_finite() {
        st.max_dot = st.max_dot.max(e);
    }
}

/// The source of program `name` in the generated file.
fn source_of(src: &str, name: &str) -> String {
    let head = format!("fn {name}(");
    let Some(at) = src.find(&head) else {
        return String::from("(source not found)");
    };
    let start = src[..at].rfind("#[allow").unwrap_or(at);
    let end = src[at..].find("\n}\n").map_or(src.len(), |e| at + e + 2);
    src[start..end].to_string()
}

/// Prints how many of `progs` (all, and those in `failing`) exercise each
/// construct of `table`.
fn print_constructs(progs: &[Prog], table: &[(&str, &str)], failing: &[&str]) {
    let mut all = vec![0usize; table.len()];
    let mut bad = vec![0usize; table.len()];
    for p in progs {
        let failed = failing.contains(&p.name);
        for &t in p.tags {
            all[t as usize] += 1;
            bad[t as usize] += usize::from(failed);
        }
    }
    let zero = all.iter().filter(|&&n| n == 0).count();
    println!(
        "constructs of the README's support table: {} exercised, {zero} by no program",
        table.len() - zero
    );
    for (i, (row, item)) in table.iter().enumerate() {
        println!("construct\t{row}\t{item}\t{}", all[i]);
    }
    if !failing.is_empty() {
        println!(
            "constructs of the {} mismatching programs (mismatching / all programs with it):",
            failing.len()
        );
        for (i, (row, item)) in table.iter().enumerate() {
            if bad[i] > 0 {
                println!("failing-construct\t{row}\t{item}\t{}\t{}", bad[i], all[i]);
            }
        }
    }
}

/// Checks every program; prints one summary line and the construct table, and
/// panics listing the first failures if there are any.
///
/// `hvps`: the second-order companions of the programs under `hvp`, checked
/// after every first-order check (`second_order.rs`).
pub fn check_all(progs: &[Prog], hvps: &[Hvp], table: &[(&str, &str)], src: &str) {
    let mut st = Stats::default();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    // `RANDOM_PROGRAMS=p3,p17` checks only those programs (to debug one)
    let only: Option<Vec<String>> = std::env::var("RANDOM_PROGRAMS")
        .ok()
        .map(|s| s.split(',').map(|n| n.trim().to_string()).collect());
    for (i, p) in progs.iter().enumerate() {
        if only
            .as_ref()
            .is_some_and(|o| !o.iter().any(|n| n == p.name))
        {
            continue;
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut local = Stats::default();
            // the points of program `i` do not depend on the others
            let mut rng = Rng(0x5eed_0001 ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let o = check_program(p, i, &mut rng, &mut local);
            (o, local)
        }));
        match r {
            Ok((o, local)) => {
                if matches!(o, Outcome::NoPoint) {
                    st.no_point.push(p.name);
                }
                st.points += local.points;
                st.redrawn += local.redrawn;
                st.fd_checked += local.fd_checked;
                st.components += local.components;
                st.nonzero += local.nonzero;
                st.fd_skipped += local.fd_skipped;
                st.max_dual = st.max_dual.max(local.max_dual);
                st.max_fd = st.max_fd.max(local.max_fd);
                st.failures.extend(local.failures);
                st.fwd_points += local.fwd_points;
                st.fwd_mismatches += local.fwd_mismatches;
                st.fwd_nonzero += local.fwd_nonzero;
                st.max_fwd = st.max_fwd.max(local.max_fwd);
                st.max_dot = st.max_dot.max(local.max_dot);
            }
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                st.failures
                    .push(format!("program {i} ({}): panicked: {msg}", p.name));
            }
        }
    }
    let so = check_hvps(progs, hvps, only.as_deref());
    std::panic::set_hook(hook);
    st.failures.extend(so.failures.iter().cloned());
    let mismatches = st.failures.len();
    println!(
        "random programs: {} programs, {} points, {} mismatches (max rel err dual {:.0e}, fd {:.0e}; {} gradient components, {} nonzero; {} points redrawn near a branch boundary, {} fd checks, {} skipped where a branch flips within the stencil, {} programs without a usable point)",
        progs.len(),
        st.points,
        mismatches - st.fwd_mismatches - so.mismatches,
        st.max_dual,
        st.max_fd,
        st.components,
        st.nonzero,
        st.redrawn,
        st.fd_checked,
        st.fd_skipped,
        st.no_point.len()
    );
    let reverse_only = progs.iter().filter(|p| p.fwd.is_none()).count();
    println!(
        "forward mode: {} programs, {} points, {} mismatches (value bit for bit, tangent against dual numbers: max rel err {:.0e}, {} nonzero tangent components; dot-product test against the reverse companion: max rel err {:.0e}; {reverse_only} programs checked in reverse mode only, see the file's header)",
        progs.len() - reverse_only,
        st.fwd_points,
        st.fwd_mismatches,
        st.max_fwd,
        st.fwd_nonzero,
        st.max_dot
    );
    println!(
        "second order: {} programs, {} points, {} mismatches (f_hvp: value bit for bit, gradient against f_backward: max rel err {:.0e}, H·v against HyperDual64: max rel err {:.0e}, {} components, {} nonzero; f_backward_forward and, in {} programs, f_forward_forward and f_backward_backward: max rel err {:.0e}; {} programs without a usable point)",
        so.programs,
        so.points,
        so.mismatches,
        so.max_grad,
        so.max_hvp,
        so.components,
        so.nonzero,
        so.nested,
        so.max_nested,
        so.no_point.len()
    );
    let mut report = String::new();
    for f in st.failures.iter().take(10) {
        let name = f
            .split(" (")
            .nth(1)
            .and_then(|s| s.split(')').next())
            .unwrap_or("");
        let _ = writeln!(report, "{f}\n{}", source_of(src, name));
    }
    let mut failing: Vec<&str> = st
        .failures
        .iter()
        .filter_map(|f| f.split(" (").nth(1)?.split(')').next())
        .collect();
    failing.dedup();
    println!("random programs with a mismatch: {}", failing.len());
    print_constructs(progs, table, &failing);
    if !failing.is_empty() {
        let _ = writeln!(report, "programs with mismatches: {failing:?}");
    }
    if !st.no_point.is_empty() {
        let _ = writeln!(report, "programs without a usable point: {:?}", st.no_point);
    }
    // A program can sit on a kink at every point (e.g. `clamp(0.0 * x, 0.35, ..)`
    // is always at its bound): no finite difference can check it. A few such
    // programs are reported; more than 1% would mean the generator is off.
    assert!(
        mismatches == 0 && st.no_point.len() * 100 <= progs.len(),
        "{mismatches} mismatches; the first ones:\n{report}"
    );
}
