//! Second order (issue 13, point 6): a share of the programs ([`HVP_SHARE`], all
//! of them under `--hvp-all`) whose constructs `#[grad(hvp)]` supports get
//! `#[grad(reverse, forward, hvp)]`, so the macro emits `<name>_hvp`,
//! `<name>_backward_forward` and, when every differentiated parameter is passed
//! by value, the nested companions `<name>_forward_forward`,
//! `<name>_backward_backward` and `<name>_forward_backward`. Each such program
//! gets wrappers of them on flat points and an entry of the file's `HVPS` table,
//! which the driver (`tests/random_programs/second_order.rs`) checks against the
//! program's oracle over `HyperDual64`.
//!
//! Which programs: one float result (`hvp` is for a loss), checked in forward
//! mode, a differentiated input, none of [`NOT_UNDER_HVP`]; the draw comes from a
//! random stream of its own, so that no program changes with it. The callees of
//! the file's header with one float result and no output parameter get `hvp`
//! too (a `hvp` body calls their `_backward_forward`).

use crate::ast::*;
use crate::emit::{by_value, call_args, is_method, local, shadow_init, unpack_from};
use crate::tags::TABLE;
use crate::{Options, Rng};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The share of the eligible programs under `hvp` (without `--hvp-all`).
pub const HVP_SHARE: f64 = 0.25;

/// Constructs of the support table a program under `hvp` does not have, each a
/// limit `#[grad(hvp)]` states with a spanned error: a call's second-order
/// companion exists only for a callee with one float result and no output
/// parameter ("`hvp` through this call needs the callee's second-order
/// companion"), and the hand-written `ccube` has no `_backward_forward`. Nor a
/// differentiated struct by value (`hvp` takes it by `&`; see `draw`).
pub const NOT_UNDER_HVP: &[&str] = &[
    "tuple or array result of a callee",
    "#[grad(custom)] callee",
    "Vec<f64> result of a callee",
    "output parameter &mut [f64; N] / &mut [f64]",
    "struct result of a callee",
];

/// Whether program `index` (`p`, with `tags`, printed as `text`) is under `hvp`;
/// `forward`: it is checked in forward mode.
pub(crate) fn draw(
    opts: &Options,
    index: usize,
    p: &Program,
    tags: &BTreeSet<usize>,
    text: &str,
    forward: bool,
) -> bool {
    let mut rng = Rng::new(opts.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (index as u64));
    for _ in 0..4 {
        rng.next_u64();
    }
    let picked = opts.hvp_all || rng.chance(HVP_SHARE);
    // `hvp` takes a differentiated struct by `&` only (a spanned error by value,
    // since 487d6b7: bug 1 of /work/notes/progen-bugs.md); so `lnormv(p: Lp)` has
    // no second-order companion for its callers
    let struct_value = p.params.iter().any(|q| {
        q.active
            && matches!(
                q.kind,
                PK::Body(BodyMode::Value, _) | PK::VecStruct(false, ..) | PK::Rec(_, Pass::Value)
            )
    });
    // nor `Uq::umix` and `Sv::tension` (`self` by value): no second-order
    // companion
    let calls_lnormv =
        text.contains("lnormv(") || text.contains("umix(") || text.contains("tension(");
    // nor the data-`self` `Sv::scale`: bug 14 of /work/notes/progen-bugs.md (a
    // `hvp` body passes it `self`'s direction and shadows, E0061)
    let data_self = !opts.known_bugs && text.contains(".scale(");
    picked
        && !struct_value
        && !calls_lnormv
        && !data_self
        && forward
        && opts.on("hvp")
        && p.ret == RetKind::Scalar
        && p.params.iter().any(|q| q.active && q.kind.floats() > 0)
        && !tags.iter().any(|&t| NOT_UNDER_HVP.contains(&TABLE[t].1))
}

/// The constructs of the support table a program under `hvp` exercises.
pub(crate) fn tags(p: &Program) -> Vec<usize> {
    let mut t = vec![crate::tags::index(
        "#[grad(hvp)]: f_hvp, f_backward_forward",
    )];
    if nested(p) {
        t.push(crate::tags::index(
            "nested companions f_forward_forward / f_backward_backward",
        ));
    }
    t
}

/// Whether the nested companions exist: every differentiated parameter by value,
/// no `self`.
fn nested(p: &Program) -> bool {
    !is_method(p)
        && p.params
            .iter()
            .filter(|q| q.active && q.kind.floats() > 0)
            .all(by_value)
}

/// The active parameters with floats.
fn active(p: &Program) -> impl Iterator<Item = &Param> {
    p.params.iter().filter(|q| q.active && q.kind.floats() > 0)
}

/// A second-order companion's arguments: each parameter, and after each
/// differentiated one its direction (`{dir}x`, by `&` for a `&` parameter, then
/// the shadows `&mut d_x` and `&mut {hv}x`). `self` is the receiver.
fn args(p: &Program, dir: &str, hv: &str) -> Vec<String> {
    let plain = call_args(p, false);
    let mut out = Vec::new();
    let mut it = plain.into_iter();
    for q in &p.params {
        let is_self = matches!(q.kind, PK::Body(BodyMode::SelfRef, _));
        if !is_self {
            out.extend(it.next());
        }
        if !(q.active && q.kind.floats() > 0) {
            continue;
        }
        let l = local(q);
        if by_value(q) {
            out.push(format!("{dir}{l}"));
        } else {
            out.push(format!("&{dir}{l}"));
            out.push(format!("&mut d_{l}"));
            out.push(format!("&mut {hv}{l}"));
        }
    }
    out
}

/// `let mut d_x = …; let mut {hv}x = …;` for the differentiated `&` parameters.
fn shadows(p: &Program, s: &mut String, hv: &str) {
    for q in &p.params {
        if let Some(init) = shadow_init(q) {
            let l = local(q);
            let _ = writeln!(s, "    let mut d_{l} = {init};");
            let _ = writeln!(s, "    let mut {hv}{l} = {init};");
        }
    }
}

/// `g.extend(…)` of each parameter's part: its by-value result `{val}x`, what
/// was added into `{shadow}x`, or zeros.
fn gather(p: &Program, s: &mut String, g: &str, val: &str, shadow: &str) {
    for q in &p.params {
        let n = q.kind.floats();
        if n == 0 {
            continue;
        }
        let line = if !q.active {
            format!("    {g}.extend([0.0; {n}]);\n")
        } else if by_value(q) {
            format!("    {g}.extend(flat(&{val}{}));\n", q.name)
        } else {
            format!("    {g}.extend(shadow(&{shadow}{}));\n", local(q))
        };
        s.push_str(&line);
    }
}

/// The wrappers of the second-order companions of `p` and its `HVPS` entry.
pub(crate) fn wrappers(p: &Program) -> (String, String) {
    let name = &p.name;
    let mut s = String::new();
    let callee = |suffix: &str| {
        if is_method(p) {
            format!("self_.{name}_{suffix}")
        } else {
            format!("{name}_{suffix}")
        }
    };
    let by_val: Vec<&Param> = active(p).filter(|q| by_value(q)).collect();
    let list = |pre: &str| -> String {
        by_val
            .iter()
            .map(|q| format!("{pre}{}", q.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // the oracle over hyper-dual numbers
    let _ = writeln!(
        s,
        "\nfn {name}_oracle2(x: &[HyperDual64], tr_: &mut Tr) -> Vec<HyperDual64> {{\n    let k = &mut 0;"
    );
    unpack_from(p, &mut s, "HyperDual64", "x", "");
    let mut a = call_args(p, false);
    a.push("tr_".into());
    let dual = if is_method(p) {
        format!("self_.{name}_dual")
    } else {
        format!("{name}_dual")
    };
    let _ = writeln!(s, "    flat(&{dual}({}))\n}}", a.join(", "));

    // f_hvp: value, gradient, H·v
    let _ = writeln!(
        s,
        "\nfn {name}_hvp1(x: &[f64], v: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {{\n    let k = &mut 0;"
    );
    unpack_from(p, &mut s, "f64", "x", "");
    s.push_str("    let k = &mut 0;\n");
    unpack_from(p, &mut s, "f64", "v", "v_");
    shadows(p, &mut s, "h_");
    let outs = if by_val.is_empty() {
        "out".to_string()
    } else {
        format!("(out, {}, {})", list("g_"), list("h_"))
    };
    let _ = writeln!(
        s,
        "    let {outs} = {}({});",
        callee("hvp"),
        args(p, "v_", "h_").join(", ")
    );
    s.push_str("    let mut gv = Vec::new();\n    let mut hv = Vec::new();\n");
    gather(p, &mut s, "gv", "g_", "d_");
    gather(p, &mut s, "hv", "h_", "h_");
    s.push_str("    (flat(&out), gv, hv)\n}\n");

    // f_backward_forward: value, gradient, and their tangents
    let _ = writeln!(
        s,
        "\nfn {name}_bf1(x: &[f64], t: &[f64], d: f64, td: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {{\n    let k = &mut 0;"
    );
    unpack_from(p, &mut s, "f64", "x", "");
    s.push_str("    let k = &mut 0;\n");
    unpack_from(p, &mut s, "f64", "t", "t_");
    shadows(p, &mut s, "td_");
    let outs = if by_val.is_empty() {
        "(out, t_out)".to_string()
    } else {
        format!("((out, {}), (t_out, {}))", list("g_"), list("tg_"))
    };
    let mut a = args(p, "t_", "td_");
    a.push("d".into());
    a.push("td".into());
    let _ = writeln!(
        s,
        "    let {outs} = {}({});",
        callee("backward_forward"),
        a.join(", ")
    );
    s.push_str("    let mut gv = Vec::new();\n    let mut tg = Vec::new();\n");
    gather(p, &mut s, "gv", "g_", "d_");
    gather(p, &mut s, "tg", "tg_", "td_");
    s.push_str("    (flat(&out), gv, flat(&t_out), tg)\n}\n");

    let (ff, bb) = if nested(p) {
        // f_forward_forward(x, ẋ, t, ṫ)
        let _ = writeln!(
            s,
            "\nfn {name}_ff1(x: &[f64], xd: &[f64], t: &[f64], td: &[f64]) -> [f64; 4] {{\n    let k = &mut 0;"
        );
        unpack_from(p, &mut s, "f64", "x", "");
        for (src, pre) in [("xd", "dot_"), ("t", "t_"), ("td", "tt_")] {
            s.push_str("    let k = &mut 0;\n");
            unpack_from(p, &mut s, "f64", src, pre);
        }
        let mut a = Vec::new();
        let mut plain = call_args(p, false).into_iter();
        for q in &p.params {
            a.extend(plain.next());
            if q.active && q.kind.floats() > 0 {
                a.push(format!("dot_{}", q.name));
                a.push(format!("t_{}", q.name));
                a.push(format!("tt_{}", q.name));
            }
        }
        let _ = writeln!(
            s,
            "    let ((v0, j), (t0, tj)) = {name}_forward_forward({});\n    [v0, j, t0, tj]\n}}",
            a.join(", ")
        );
        // f_backward_backward(x, d, (u, ḡ))
        let _ = writeln!(
            s,
            "\nfn {name}_bb1(x: &[f64], d: f64, u: f64, gb: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>, f64) {{\n    let k = &mut 0;"
        );
        unpack_from(p, &mut s, "f64", "x", "");
        s.push_str("    let k = &mut 0;\n");
        unpack_from(p, &mut s, "f64", "gb", "gb_");
        let mut a = call_args(p, false);
        a.push("d".into());
        a.push(format!("(u, {})", list("gb_")));
        let _ = writeln!(
            s,
            "    let ((out, {}), {}, db) = {name}_backward_backward({});",
            list("g_"),
            list("xb_"),
            a.join(", ")
        );
        s.push_str("    let mut gv = Vec::new();\n    let mut xb = Vec::new();\n");
        gather(p, &mut s, "gv", "g_", "d_");
        gather(p, &mut s, "xb", "xb_", "d_");
        s.push_str("    (flat(&out), gv, xb, db)\n}\n");
        (format!("Some({name}_ff1)"), format!("Some({name}_bb1)"))
    } else {
        ("None".to_string(), "None".to_string())
    };
    let entry = format!(
        "    Hvp {{ name: \"{name}\", hvp: {name}_hvp1, bf: {name}_bf1, ff: {ff}, bb: {bb}, oracle: {name}_oracle2 }},\n"
    );
    (s, entry)
}

/// The callees of the file's header with one float result and no output
/// parameter, by name without their length (`cdot3`, `caff2`): a `hvp` program
/// calls their `_backward_forward`. Not `lnormv(p: Lp)`: `hvp` takes a
/// differentiated struct by `&` only (a spanned error by value).
const SCALAR_CALLEES: &[&str] = &["cdot", "cdot_s", "caff", "cgen", "lnorm", "lsum"];

/// `header` with `hvp` added to the attribute of its scalar callees when `on`.
pub(crate) fn header_callees(header: String, opts: &Options) -> String {
    if !opts.on("hvp") {
        return header;
    }
    let mut out = String::new();
    let mut lines = header.lines().peekable();
    while let Some(l) = lines.next() {
        let next = lines.peek().copied().unwrap_or("");
        let callee = next
            .strip_prefix("pub fn ")
            .and_then(|r| r.split(['(', '<']).next())
            .map(|n| n.trim_end_matches(|c: char| c.is_ascii_digit()));
        let scalar = callee.is_some_and(|c| SCALAR_CALLEES.contains(&c));
        if l == "#[grad(reverse, forward)]" && scalar {
            out.push_str("#[grad(reverse, forward, hvp)]\n");
        } else {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}
