//! The functions of one program (original and oracle), its wrappers on flat
//! points, and the header note.

use crate::ast::*;
use crate::printer::*;
use crate::{Options, CONSTRUCTS};
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
    }
}

pub(crate) fn emit_fn(p: &Program, fl: Flavor) -> String {
    let mut pr = Printer {
        out: String::new(),
        ind: 0,
        fl,
    };
    let mut params: Vec<String> = p
        .params
        .iter()
        .map(|q| {
            if matches!(q.kind, PK::Body(BodyMode::SelfRef, _)) {
                return "&self".to_string();
            }
            format!(
                "{}{}: {}",
                if q.mutable { "mut " } else { "" },
                q.name,
                ty(q.kind, fl)
            )
        })
        .collect();
    match fl {
        Flavor::F64 => {
            pr.line("#[allow(unused, clippy::all)]");
            if p.wrt {
                let names: Vec<&str> = p
                    .params
                    .iter()
                    .filter(|q| q.active && q.kind.floats() > 0)
                    .map(|q| q.name.as_str())
                    .collect();
                pr.line(&format!("#[grad(wrt({}))]", names.join(", ")));
            } else {
                pr.line("#[grad]");
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

/// The three wrappers on flat points and the table entry.
pub(crate) fn emit_wrappers(p: &Program, tags: &BTreeSet<usize>) -> (String, String) {
    let mut s = String::new();
    let name = &p.name;
    // the local holding a parameter (`self` is held by `self_`)
    let local = |q: &Param| -> String {
        if q.name == "self" {
            "self_".into()
        } else {
            q.name.clone()
        }
    };
    let by_value = |q: &Param| {
        matches!(
            q.kind,
            PK::F | PK::Arr(_) | PK::Arr2V(..) | PK::Body(BodyMode::Value, _)
        )
    };
    let unpack = |s: &mut String, t: &str| {
        for q in &p.params {
            let line = match q.kind {
                PK::Body(..) if t == "f64" => {
                    format!("    let {}: Body = take_body(x, k);\n", local(q))
                }
                PK::Body(..) => {
                    format!("    let {}: BodyD<Dual64> = take_body_d(x, k);\n", local(q))
                }
                PK::F | PK::RefF => format!("    let {}: {t} = take1(x, k);\n", q.name),
                PK::Arr(n) | PK::RefArr(n) => {
                    format!("    let {}: [{t}; {n}] = take(x, k);\n", q.name)
                }
                PK::Slice(n) => format!("    let {}: Vec<{t}> = take_vec(x, k, {n});\n", q.name),
                PK::Arr2(n, m) | PK::Arr2V(n, m) => {
                    format!("    let {}: [[{t}; {m}]; {n}] = take2(x, k);\n", q.name)
                }
                PK::Opt(o) => {
                    let (ty, f) = match o {
                        OptTy::Usize(m) => {
                            ("Option<usize>", format!("opt_usize(take1(x, k), {m})"))
                        }
                        OptTy::F64 => ("Option<f64>", "opt_f64(take1(x, k))".to_string()),
                        OptTy::ResF64 => {
                            ("Result<f64, String>", "res_f64(take1(x, k))".to_string())
                        }
                    };
                    format!("    let {}: {ty} = {f};\n", q.name)
                }
                _ => continue,
            };
            s.push_str(&line);
        }
    };
    let args = |with_shadows: bool| -> Vec<String> {
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
                PK::F | PK::Arr(_) | PK::Arr2V(..) => q.name.clone(),
                PK::Char(c) => format!("{c:?}"),
                PK::Opt(_) => q.name.clone(),
                PK::RefF | PK::RefArr(_) | PK::Arr2(..) | PK::Slice(_) => format!("&{}", q.name),
                PK::Usize(v) => format!("{v}"),
                PK::I32(v) => format!("{v}"),
                PK::Bool(v) => format!("{v}"),
            };
            out.push(a);
            if with_shadows
                && q.active
                && matches!(
                    q.kind,
                    PK::RefF | PK::RefArr(_) | PK::Arr2(..) | PK::Slice(_)
                )
            {
                out.push(format!("&mut d_{}", q.name));
            }
        }
        out
    };
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
    let _ = writeln!(s, "    flat(&{callee}({}))", args(false).join(", "));
    s.push_str("}\n\n");
    // the oracle
    let _ = writeln!(
        s,
        "fn {name}_oracle(x: &[Dual64], tr_: &mut Tr) -> Vec<Dual64> {{"
    );
    s.push_str("    let k = &mut 0;\n");
    unpack(&mut s, "Dual64");
    let mut a = args(false);
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
        if !q.active {
            continue;
        }
        let init = match q.kind {
            PK::RefF => "SHADOW".to_string(),
            PK::RefArr(n) => format!("[SHADOW; {n}]"),
            PK::Arr2(n, m) => format!("[[SHADOW; {m}]; {n}]"),
            PK::Slice(n) => format!("vec![SHADOW; {n}]"),
            PK::Body(BodyMode::Ref | BodyMode::SelfRef, _) => "body_filled(SHADOW)".to_string(),
            _ => continue,
        };
        let _ = writeln!(s, "    let mut d_{} = {init};", local(q));
    }
    let dout = match p.ret {
        RetKind::Scalar => "d[0]".to_string(),
        RetKind::Array(_) => "take(d, &mut 0)".to_string(),
        RetKind::Pair => "(d[0], d[1])".to_string(),
    };
    let mut a = args(true);
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
    let active: Vec<String> = p
        .params
        .iter()
        .flat_map(|q| std::iter::repeat_n(q.active.to_string(), q.kind.floats()))
        .collect();
    let entry = format!(
        "    Prog {{ name: \"{name}\", active: &[{}], outputs: {}, eval: {name}_eval, grad: {name}_grad, oracle: {name}_oracle, tags: &[{}] }},\n",
        active.join(", "),
        p.ret.outputs(),
        tags.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
    );
    (s, entry)
}

/// The header lines naming the excluded constructs.
pub(crate) fn excluded_note(opts: &Options) -> String {
    if opts.exclude.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "//!\n//! Constructs left out (each works around a bug of `#[grad]` that makes the\n//! suite fail; drop the `--exclude` once the bug is fixed):\n",
    );
    for (name, what) in CONSTRUCTS {
        if opts.exclude.contains(*name) {
            let _ = writeln!(s, "//! - `{name}`: {what}");
        }
    }
    s
}
