//! The IR as text: `v7 = mul v3, v5`, regions indented (snapshot tests and
//! debug messages print it).

use super::*;
use std::fmt::{self, Write as _};

impl fmt::Display for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{}: {}", p, self.ty_text(self.ty(*p))))
            .collect();
        writeln!(f, "fn({}) {{", params.join(", "))?;
        let mut s = String::new();
        print_region(self, &self.body, 1, "return", &mut s);
        f.write_str(&s)?;
        f.write_str("}")
    }
}

fn list(vs: &[Value]) -> String {
    vs.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text of an op without its results: also the key by which CSE finds twins.
pub fn op_text(kind: &OpKind) -> String {
    match kind {
        OpKind::Const(c) => format!("const {c:?}"),
        OpKind::Verbatim(s) => format!("verbatim `{s}`"),
        OpKind::Extern(s) => format!("extern `{s}`"),
        OpKind::Unary(op, a) => format!("{} {a}", format!("{op:?}").to_lowercase()),
        OpKind::Binary(op, a, b) => format!("{} {a}, {b}", format!("{op:?}").to_lowercase()),
        OpKind::Cmp(op, a, b) => format!("{} {a}, {b}", format!("{op:?}").to_lowercase()),
        OpKind::Call(p, args) => format!("{} {}", p.name(), list(args)),
        OpKind::Method(m, args) => format!("method .{m} {}", list(args)),
        OpKind::Cast(a, CastTo::Float) => format!("cast {a} as float"),
        OpKind::Cast(a, CastTo::Other(t)) => format!("cast {a} as {t}"),
        OpKind::Select(c, a, b) => format!("select {c}, {a}, {b}"),
        OpKind::If(c, _, _) => format!("if {c}"),
        OpKind::Loop(l) => {
            let head = match &l.kind {
                LoopKind::Range {
                    lo,
                    hi,
                    inclusive,
                    rev,
                } => format!(
                    "for {lo}{}{hi}{}",
                    if *inclusive { "..=" } else { ".." },
                    if *rev { " rev" } else { "" }
                ),
                LoopKind::While(_) => "while".into(),
            };
            let flags = match (l.has_break, l.track_end) {
                (false, false) => "",
                (true, false) => " break",
                (false, true) => " end",
                (true, true) => " break end",
            };
            format!("{head} carry({}){flags}", list(&l.inits))
        }
        OpKind::Load(a, idx) => format!("load {a}[{}]", list(idx)),
        OpKind::Store(a, idx, x) => format!("store {a}[{}], {x}", list(idx)),
        OpKind::AddAt(a, idx, x) => format!("add_at {a}[{}], {x}", list(idx)),
        OpKind::Zeros => "zeros".into(),
        OpKind::Splat(a) => format!("splat {a}"),
        OpKind::VecSplat(a, n) => format!("vec_splat {a}, {n}"),
        OpKind::ArrayLit(xs) => format!("array [{}]", list(xs)),
        OpKind::StructLit(path, fs) => {
            let fs: Vec<String> = fs.iter().map(|(n, v)| format!("{n}: {v}")).collect();
            format!("struct {path} {{ {} }}", fs.join(", "))
        }
        OpKind::Copy(a) => format!("copy {a}"),
        OpKind::VecNew(None) => "vec_new".into(),
        OpKind::VecNew(Some(n)) => format!("vec_new capacity {n}"),
        OpKind::Push(a, x) => format!("push {a}, {x}"),
        OpKind::PushAt(a, x, at) => format!("push {a}, {x} at {at}"),
        OpKind::SumAll(a) => format!("sum_all {a}"),
        OpKind::ZerosLike(a) => format!("zeros_like {a}"),
        OpKind::StopGrad(a) => format!("no_grad {a}"),
        OpKind::View(a, fields) => format!("view {a}.{}", fields.join(".")),
        OpKind::CallFn(c, args) => format!("call `{}` {}", c.path.to_token_stream(), list(args)),
        OpKind::Effect(e) => format!(
            "effect `{}!` {}",
            e.path.to_token_stream(),
            list(&e.values().collect::<Vec<_>>())
        ),
        OpKind::CallBack(c, args, ds, sh) => format!(
            "call `{}_backward` {} d({}) shadows({})",
            c.path.to_token_stream(),
            list(args),
            list(ds),
            list(sh)
        ),
    }
}

fn print_region(func: &Func, r: &Region, depth: usize, yield_word: &str, s: &mut String) {
    let pad = "  ".repeat(depth);
    if !r.args.is_empty() {
        let args: Vec<String> = r
            .args
            .iter()
            .map(|v| format!("{}: {}", v, func.ty_text(func.ty(*v))))
            .collect();
        let _ = writeln!(s, "{pad}args {}", args.join(", "));
    }
    for op in &r.ops {
        let res: Vec<String> = op
            .results
            .iter()
            .map(|v| format!("{}: {}", v, func.ty_text(func.ty(*v))))
            .collect();
        let lhs = if res.is_empty() {
            String::new()
        } else {
            format!("{} = ", res.join(", "))
        };
        let _ = writeln!(s, "{pad}{lhs}{}", op_text(&op.kind));
        if let OpKind::If(_, t, e) = &op.kind {
            // Rewrite the header line to open the block.
            s.pop();
            s.push_str(" {\n");
            print_region(func, t, depth + 1, "yield", s);
            let _ = writeln!(s, "{pad}}} else {{");
            print_region(func, e, depth + 1, "yield", s);
            let _ = writeln!(s, "{pad}}}");
        }
        if let OpKind::Loop(l) = &op.kind {
            s.pop();
            s.push_str(" {\n");
            if let LoopKind::While(c) = &l.kind {
                print_region(func, c, depth + 1, "cond", s);
                let _ = writeln!(s, "{pad}}} do {{");
            }
            print_region(func, &l.body, depth + 1, "yield", s);
            let _ = writeln!(s, "{pad}}}");
        }
    }
    let _ = writeln!(s, "{pad}{yield_word} {}", list(&r.yields));
}
