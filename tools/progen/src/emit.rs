//! The functions of one program (original and oracle), its wrappers on flat
//! points, and the header note.

use crate::ast::*;
use crate::printer::*;
use crate::{Options, CONSTRUCTS, NO_FORWARD};
use std::collections::BTreeSet;
use std::fmt::Write as _;

pub(crate) fn ty(kind: PK, fl: Flavor) -> String {
    let f = match fl {
        Flavor::F64 => "f64",
        Flavor::Dual => "D",
    };
    match kind {
        PK::F => f.into(),
        PK::RefF => format!("&{f}"),
        PK::Arr(n) => format!("[{f}; {n}]"),
        PK::RefArr(n) => format!("&[{f}; {n}]"),
        PK::Slice(_) => format!("&[{f}]"),
        PK::Arr2(n, m) => format!("&[[{f}; {m}]; {n}]"),
        PK::Usize(_) => "usize".into(),
        PK::I32(_) => "i32".into(),
        PK::Bool(_) => "bool".into(),
        PK::Char(_) => "char".into(),
        PK::Arr2V(n, m) => format!("[[{f}; {m}]; {n}]"),
        PK::Opt(OptTy::Usize(_)) => "Option<usize>".into(),
        PK::Opt(OptTy::F64) => "Option<f64>".into(),
        PK::Opt(OptTy::ResF64) => "Result<f64, String>".into(),
        PK::VecRef(_) => format!("&Vec<{f}>"),
        PK::VecRows(..) => format!("&[Vec<{f}>]"),
        PK::VecStruct(by_ref, ..) => {
            let t = match fl {
                Flavor::F64 => "Lv",
                Flavor::Dual => "LvD<D>",
            };
            if by_ref {
                format!("&{t}")
            } else {
                t.into()
            }
        }
        PK::Rec(r, pass) => {
            let (name, twin) = r.names();
            let t = match fl {
                Flavor::F64 => name.to_string(),
                Flavor::Dual => format!("{twin}<D>"),
            };
            match pass {
                Pass::Ref => format!("&{t}"),
                Pass::Value => t,
                Pass::Slice(_) => format!("&[{t}]"),
            }
        }
        PK::Pairs(_) => format!("&[({f}, {f})]"),
        PK::Body(mode, _) => {
            let t = match fl {
                Flavor::F64 => "Body",
                Flavor::Dual => "BodyD<D>",
            };
            match mode {
                BodyMode::Value => t.into(),
                BodyMode::Ref | BodyMode::SelfRef => format!("&{t}"),
            }
        }
    }
}

/// Whether the program is a `&self` method of `Body`.
pub(crate) fn is_method(p: &Program) -> bool {
    p.params
        .iter()
        .any(|q| matches!(q.kind, PK::Body(BodyMode::SelfRef, _)))
}

pub(crate) fn ret_ty(r: RetKind, fl: Flavor) -> String {
    let f = match fl {
        Flavor::F64 => "f64",
        Flavor::Dual => "D",
    };
    match r {
        RetKind::Scalar => f.into(),
        RetKind::Array(n) => format!("[{f}; {n}]"),
        RetKind::Pair => format!("({f}, {f})"),
        RetKind::Vec(_) => format!("Vec<{f}>"),
        RetKind::Sv => match fl {
            Flavor::F64 => "Sv".into(),
            Flavor::Dual => "SvD<D>".into(),
        },
    }
}

/// `forward`: the original gets `#[grad(reverse, forward)]`, else `#[grad]`;
/// `hvp`: `#[grad(reverse, forward, hvp)]`.
pub(crate) fn emit_fn(p: &Program, fl: Flavor, forward: bool, hvp: bool) -> String {
    let mut pr = Printer {
        out: String::new(),
        ind: 0,
        fl,
        vec_ret: matches!(p.ret, RetKind::Vec(_)),
    };
    let mut params: Vec<String> = p
        .params
        .iter()
        .map(|q| {
            if matches!(q.kind, PK::Body(BodyMode::SelfRef, _)) {
                return "&self".to_string();
            }
            let t = match (fl, q.kind) {
                (Flavor::F64, PK::Arr(n)) if p.aliases.contains(&q.name) => format!("V{n}"),
                (Flavor::F64, PK::RefArr(n)) if p.aliases.contains(&q.name) => format!("&V{n}"),
                (Flavor::F64, PK::Arr2(_, n)) if p.aliases.contains(&q.name) => {
                    format!("&[V{n}]")
                }
                (fl, kind) => ty(kind, fl),
            };
            format!("{}{}: {t}", if q.mutable { "mut " } else { "" }, q.name)
        })
        .collect();
    match fl {
        Flavor::F64 => {
            pr.line("#[allow(unused, clippy::all)]");
            let modes = match (forward, hvp) {
                (_, true) => "reverse, forward, hvp, ",
                (true, false) => "reverse, forward, ",
                (false, false) => "",
            };
            // A method whose `self` is data says so: `self` is differentiated
            // unless `wrt` leaves it out (a plain `#[grad]` when every parameter
            // is differentiated, `plain_self`).
            if p.wrt || (is_method(p) && !p.plain_self) {
                let names: Vec<&str> = p
                    .params
                    .iter()
                    .filter(|q| q.active && q.kind.floats() > 0)
                    .map(|q| q.name.as_str())
                    .collect();
                pr.line(&format!("#[grad({modes}wrt({}))]", names.join(", ")));
            } else if modes.is_empty() {
                pr.line("#[grad]");
            } else {
                pr.line(&format!("#[grad({})]", modes.trim_end_matches(", ")));
            }
            pr.line(&format!(
                "fn {}({}) -> {} {{",
                p.name,
                params.join(", "),
                ret_ty(p.ret, fl)
            ));
        }
        Flavor::Dual => {
            params.push("tr_: &mut Tr".into());
            pr.line("#[allow(unused, clippy::all, non_snake_case)]");
            // a method of `BodyD<D>` has `D` from its impl
            let generics = if is_method(p) { "" } else { "<D: Dn>" };
            pr.line(&format!(
                "fn {}_dual{generics}({}) -> {} {{",
                p.name,
                params.join(", "),
                ret_ty(p.ret, fl)
            ));
        }
    }
    pr.ind = 1;
    pr.stmts(&p.body);
    let tail = pr.result(&p.tail);
    pr.line(&tail);
    pr.ind = 0;
    pr.line("}");
    if is_method(p) {
        let head = match fl {
            Flavor::F64 => "impl Body {\n",
            Flavor::Dual => "impl<D: Dn> BodyD<D> {\n",
        };
        return format!("{head}{}}}\n", pr.out);
    }
    pr.out
}

/// The local holding a parameter in the wrappers (`self` is held by `self_`).
pub(crate) fn local(q: &Param) -> String {
    if q.name == "self" {
        "self_".into()
    } else {
        q.name.clone()
    }
}

/// Whether the companions return the parameter's gradient (rather than add it
/// into a shadow).
pub(crate) fn by_value(q: &Param) -> bool {
    matches!(
        q.kind,
        PK::F
            | PK::Arr(_)
            | PK::Arr2V(..)
            | PK::Body(BodyMode::Value, _)
            | PK::VecStruct(false, ..)
            | PK::Rec(_, Pass::Value)
    )
}

/// The lines binding the parameters of `p` from a flat slice `src` of scalars of
/// type `t` (`f64`, or a dual number: `Dual64`, `HyperDual64`). `pre`: the
/// locals' prefix (`t_` for the tangents of the forward companion, `v_` for a
/// direction …), where the inactive scalars of `src` are skipped.
pub(crate) fn unpack_from(p: &Program, s: &mut String, t: &str, src: &str, pre: &str) {
    for q in &p.params {
        if !pre.is_empty() && !q.active {
            let n = q.kind.floats();
            if n > 0 {
                let _ = writeln!(s, "    *k += {n};");
            }
            continue;
        }
        let line = match q.kind {
            PK::Body(..) if t == "f64" => {
                format!("    let {pre}{}: Body = take_body({src}, k);\n", local(q))
            }
            PK::Body(..) => {
                format!(
                    "    let {pre}{}: BodyD<{t}> = take_body_d({src}, k);\n",
                    local(q)
                )
            }
            PK::F | PK::RefF => format!("    let {pre}{}: {t} = take1({src}, k);\n", q.name),
            PK::Arr(n) | PK::RefArr(n) => {
                format!("    let {pre}{}: [{t}; {n}] = take({src}, k);\n", q.name)
            }
            PK::Slice(n) => format!(
                "    let {pre}{}: Vec<{t}> = take_vec({src}, k, {n});\n",
                q.name
            ),
            PK::Arr2(n, m) | PK::Arr2V(n, m) => {
                format!(
                    "    let {pre}{}: [[{t}; {m}]; {n}] = take2({src}, k);\n",
                    q.name
                )
            }
            PK::Opt(o) => {
                let (ty, f) = match o {
                    OptTy::Usize(m) => {
                        ("Option<usize>", format!("opt_usize(take1({src}, k), {m})"))
                    }
                    OptTy::F64 => ("Option<f64>", format!("opt_f64(take1({src}, k))")),
                    OptTy::ResF64 => ("Result<f64, String>", format!("res_f64(take1({src}, k))")),
                };
                format!("    let {pre}{}: {ty} = {f};\n", q.name)
            }
            PK::VecRef(n) => format!(
                "    let {pre}{}: Vec<{t}> = take_vec({src}, k, {n});\n",
                q.name
            ),
            PK::VecRows(r, c) => format!(
                "    let {pre}{}: Vec<Vec<{t}>> = take_rows({src}, k, {r}, {c});\n",
                q.name
            ),
            PK::VecStruct(_, n, r) if t == "f64" => format!(
                "    let {pre}{}: Lv = take_lv({src}, k, {n}, {r});\n",
                q.name
            ),
            PK::VecStruct(_, n, r) => format!(
                "    let {pre}{}: LvD<{t}> = take_lv_d({src}, k, {n}, {r});\n",
                q.name
            ),
            PK::Rec(r, pass) => {
                let (name, twin) = r.names();
                let ty = if t == "f64" {
                    name.to_string()
                } else {
                    format!("{twin}<{t}>")
                };
                let d = if t == "f64" { "" } else { "_d" };
                let take = r.take(matches!(pass, Pass::Slice(_)));
                match pass {
                    Pass::Slice(n) => format!(
                        "    let {pre}{}: Vec<{ty}> = {take}{d}({src}, k, {n});\n",
                        q.name
                    ),
                    Pass::Ref | Pass::Value => {
                        format!("    let {pre}{}: {ty} = {take}{d}({src}, k);\n", q.name)
                    }
                }
            }
            PK::Pairs(n) => format!(
                "    let {pre}{}: Vec<({t}, {t})> = take_pairs({src}, k, {n});\n",
                q.name
            ),
            _ => continue,
        };
        s.push_str(&line);
    }
}

/// A shadow of a differentiated `&` parameter filled with `SHADOW` (the
/// companions add into it), or `None` for a parameter without one.
pub(crate) fn shadow_init(q: &Param) -> Option<String> {
    if !q.active {
        return None;
    }
    Some(match q.kind {
        PK::RefF => "SHADOW".to_string(),
        PK::RefArr(n) => format!("[SHADOW; {n}]"),
        PK::Arr2(n, m) => format!("[[SHADOW; {m}]; {n}]"),
        PK::Slice(n) => format!("vec![SHADOW; {n}]"),
        PK::Body(BodyMode::Ref | BodyMode::SelfRef, _) => "body_filled(SHADOW)".to_string(),
        PK::VecRef(n) => format!("vec![SHADOW; {n}]"),
        PK::VecRows(r, c) => format!("vec![vec![SHADOW; {c}]; {r}]"),
        PK::VecStruct(true, n, r) => format!("lv_filled(SHADOW, {n}, {r})"),
        PK::Rec(r, Pass::Slice(n)) => format!("vec![{}(SHADOW); {n}]", r.filled()),
        PK::Rec(r, Pass::Ref) => format!("{}(SHADOW)", r.filled()),
        PK::Pairs(n) => format!("vec![(SHADOW, SHADOW); {n}]"),
        _ => return None,
    })
}

/// The arguments of a call of `p` (or of its reverse companion, `with_shadows`)
/// in the wrappers, from the locals `unpack_from` binds.
pub(crate) fn call_args(p: &Program, with_shadows: bool) -> Vec<String> {
    let mut out = Vec::new();
    for q in &p.params {
        let shadowed = |out: &mut Vec<String>| {
            if with_shadows && q.active {
                out.push(format!("&mut d_{}", local(q)));
            }
        };
        let a = match q.kind {
            PK::Body(BodyMode::SelfRef, _) => {
                shadowed(&mut out);
                continue;
            }
            PK::Body(BodyMode::Value, _) => q.name.clone(),
            PK::Body(BodyMode::Ref, _) => {
                out.push(format!("&{}", q.name));
                shadowed(&mut out);
                continue;
            }
            PK::F
            | PK::Arr(_)
            | PK::Arr2V(..)
            | PK::VecStruct(false, ..)
            | PK::Rec(_, Pass::Value) => q.name.clone(),
            PK::Char(c) => format!("{c:?}"),
            PK::Opt(_) => q.name.clone(),
            PK::RefF
            | PK::RefArr(_)
            | PK::Arr2(..)
            | PK::Slice(_)
            | PK::VecRef(_)
            | PK::VecRows(..)
            | PK::VecStruct(true, ..)
            | PK::Rec(_, Pass::Ref | Pass::Slice(_))
            | PK::Pairs(_) => format!("&{}", q.name),
            PK::Usize(v) => format!("{v}"),
            PK::I32(v) => format!("{v}"),
            PK::Bool(v) => format!("{v}"),
        };
        out.push(a);
        if with_shadows && q.active && shadow_init(q).is_some() && !matches!(q.kind, PK::Body(..)) {
            out.push(format!("&mut d_{}", q.name));
        }
    }
    out
}

/// The wrappers on flat points (the original, the oracle, the companion and, if
/// `forward`, the forward companion) and the table entry.
pub(crate) fn emit_wrappers(
    p: &Program,
    tags: &BTreeSet<usize>,
    forward: bool,
) -> (String, String) {
    let mut s = String::new();
    let name = &p.name;
    let unpack = |s: &mut String, t: &str| unpack_from(p, s, t, "x", "");
    // the original on a flat point
    // `self_.p3` for a method
    let callee = if is_method(p) {
        format!("self_.{name}")
    } else {
        name.clone()
    };
    let _ = writeln!(s, "fn {name}_eval(x: &[f64]) -> Vec<f64> {{");
    s.push_str("    let k = &mut 0;\n");
    unpack(&mut s, "f64");
    let _ = writeln!(s, "    flat(&{callee}({}))", call_args(p, false).join(", "));
    s.push_str("}\n\n");
    // the oracle
    let _ = writeln!(
        s,
        "fn {name}_oracle(x: &[Dual64], tr_: &mut Tr) -> Vec<Dual64> {{"
    );
    s.push_str("    let k = &mut 0;\n");
    unpack(&mut s, "Dual64");
    let mut a = call_args(p, false);
    a.push("tr_".into());
    let _ = writeln!(s, "    flat(&{callee}_dual({}))", a.join(", "));
    s.push_str("}\n\n");
    // the companion: value and flat gradient (zeros where not differentiated)
    let _ = writeln!(
        s,
        "fn {name}_grad(x: &[f64], d: &[f64]) -> (Vec<f64>, Vec<f64>) {{"
    );
    s.push_str("    let k = &mut 0;\n");
    unpack(&mut s, "f64");
    for q in &p.params {
        if let Some(init) = shadow_init(q) {
            let _ = writeln!(s, "    let mut d_{} = {init};", local(q));
        }
    }
    let dout = match p.ret {
        RetKind::Scalar => "d[0]".to_string(),
        RetKind::Array(_) => "take(d, &mut 0)".to_string(),
        RetKind::Vec(_) => "d".to_string(),
        RetKind::Pair => "(d[0], d[1])".to_string(),
        RetKind::Sv => "take_sv(d, &mut 0)".to_string(),
    };
    let mut a = call_args(p, true);
    a.push(dout);
    let grads: Vec<String> = p
        .params
        .iter()
        .filter(|q| q.active && by_value(q))
        .map(|q| format!("g_{}", q.name))
        .collect();
    if grads.is_empty() {
        let _ = writeln!(s, "    let out = {callee}_backward({});", a.join(", "));
    } else {
        let _ = writeln!(
            s,
            "    let (out, {}) = {callee}_backward({});",
            grads.join(", "),
            a.join(", ")
        );
    }
    s.push_str("    let mut g = Vec::new();\n");
    for q in &p.params {
        let n = q.kind.floats();
        if n == 0 {
            continue;
        }
        let line = if !q.active {
            format!("    g.extend([0.0; {n}]);\n")
        } else if by_value(q) {
            format!("    g.extend(flat(&g_{}));\n", q.name)
        } else {
            format!("    g.extend(shadow(&d_{}));\n", local(q))
        };
        s.push_str(&line);
    }
    s.push_str("    (flat(&out), g)\n}\n");
    // the forward companion: value and flat tangent, on a flat point and a flat
    // direction (the scalars of the inactive inputs skipped)
    let fwd = if forward {
        format!("Some({name}_fwd)")
    } else {
        "None".to_string()
    };
    if forward {
        let _ = writeln!(
            s,
            "\nfn {name}_fwd(x: &[f64], t: &[f64]) -> (Vec<f64>, Vec<f64>) {{"
        );
        s.push_str("    let k = &mut 0;\n");
        unpack(&mut s, "f64");
        s.push_str("    let k = &mut 0;\n");
        unpack_from(p, &mut s, "f64", "t", "t_");
        let mut a = Vec::new();
        for q in &p.params {
            let tangent = q.active && q.kind.floats() > 0;
            let (v, t) = match q.kind {
                PK::Body(BodyMode::SelfRef, _) => (None, format!("&t_{}", local(q))),
                PK::Body(BodyMode::Value, _)
                | PK::F
                | PK::Arr(_)
                | PK::Arr2V(..)
                | PK::Opt(_)
                | PK::VecStruct(false, ..)
                | PK::Rec(_, Pass::Value) => (Some(q.name.clone()), format!("t_{}", q.name)),
                PK::Body(BodyMode::Ref, _)
                | PK::RefF
                | PK::RefArr(_)
                | PK::Arr2(..)
                | PK::Slice(_)
                | PK::VecRef(_)
                | PK::VecRows(..)
                | PK::VecStruct(true, ..)
                | PK::Rec(_, Pass::Ref | Pass::Slice(_))
                | PK::Pairs(_) => (Some(format!("&{}", q.name)), format!("&t_{}", q.name)),
                PK::Char(c) => (Some(format!("{c:?}")), String::new()),
                PK::Usize(v) => (Some(format!("{v}")), String::new()),
                PK::I32(v) => (Some(format!("{v}")), String::new()),
                PK::Bool(v) => (Some(format!("{v}")), String::new()),
            };
            a.extend(v);
            if tangent {
                a.push(t);
            }
        }
        let _ = writeln!(
            s,
            "    let (out, tan) = {callee}_forward({});",
            a.join(", ")
        );
        s.push_str("    (flat(&out), flat(&tan))\n}\n");
    }
    let active: Vec<String> = p
        .params
        .iter()
        .flat_map(|q| std::iter::repeat_n(q.active.to_string(), q.kind.floats()))
        .collect();
    let entry = format!(
        "    Prog {{ name: \"{name}\", active: &[{}], outputs: {}, eval: {name}_eval, grad: {name}_grad, fwd: {fwd}, oracle: {name}_oracle, tags: &[{}] }},\n",
        active.join(", "),
        p.ret.outputs(),
        tags.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
    );
    (s, entry)
}

/// The header lines naming the excluded constructs.
pub(crate) fn excluded_note(opts: &Options) -> String {
    let mut s = String::new();
    if !opts.exclude.is_empty() {
        s.push_str(
            "//!\n//! Constructs left out (each works around a bug of `#[grad]` that makes the\n//! suite fail; drop the `--exclude` once the bug is fixed):\n",
        );
        for (name, what) in CONSTRUCTS {
            if opts.exclude.contains(*name) {
                let _ = writeln!(s, "//! - `{name}`: {what}");
            }
        }
    }
    if !opts.no_forward.is_empty() {
        s.push_str(
            "//!\n//! Programs checked in reverse mode only, under `#[grad]` (each a bug of the\n//! forward companion that stops the file from compiling; drop the `--no-forward`\n//! once it is fixed):\n",
        );
        for (name, _, what) in NO_FORWARD {
            if opts.no_forward.contains(*name) {
                let _ = writeln!(s, "//! - `{name}`: {what}");
            }
        }
    }
    s
}
