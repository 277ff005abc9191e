//! `#[grad(graph)]`: the forward IR instrumented so that `<name>_graph` reports
//! each operation's value, and the hook by which the reverse sweep reports
//! each value's adjoint.
//!
//! Every report is an `Effect` op (a call of a `::autodiff::__private::graph`
//! macro on the recorder `__autodiff_rec`): effects stay in the forward sweep,
//! are never removed or run again, and keep the values they read alive, so
//! the instrumented companion computes what `_backward` computes and reports
//! it on the way. A node's key is its value's id in the forward IR.
//!
//! * after each op whose result is a float or a float array, `value`: its
//!   key, operation, user name, the keys of its operands (edges) and of the
//!   loops around it (iterations); at entry, the same for each parameter and
//!   each field of a struct parameter the body reads;
//! * a loop's carried values, its results and an `if`'s results are no nodes:
//!   `begin_loop` before a loop, `iteration` at the top of its body, `end_loop`
//!   after it and `branch` at the end of each branch say which node holds them;
//! * the reverse driver calls [`grad_effect`] where a value's adjoint is
//!   complete (where it takes it to apply the op's rule, and at the end for the
//!   parameters).

use crate::error::Errors;
use crate::ir::{BinOp, CastTo, UnOp, Value};
use crate::ir::{Effect, EffectArg, Func, IdMap, IdSet, LoopKind, Op, OpKind, Region, Ty};
use crate::signature::{ParamKind, Signature};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{quote, ToTokens};

/// What the reverse sweep and the emitter need to know of the instrumentation.
pub struct Hook {
    /// The values the forward sweep reports (nodes).
    pub nodes: IdSet,
    /// Those of them whose Rust type the macro cannot see (structs, fields of
    /// struct parameters, calls' results, data): their values are shown only
    /// if they are floats or arrays of floats (`Probe`).
    pub probed: IdSet,
    /// The keys of the function's results.
    pub outputs: Vec<Value>,
}

/// The recorder's binding in `<name>_graph`'s sweep function.
pub fn rec_ident() -> Ident {
    Ident::new("__autodiff_rec", Span::mixed_site())
}

/// Reports what `#[grad(graph)]` does not support into `errors`.
pub fn check(item: &syn::ItemFn, sig: &Signature, errors: &mut Errors) {
    for (i, p) in sig.params.iter().enumerate() {
        if p.kind == ParamKind::Out {
            let arg = item.sig.inputs.iter().nth(i);
            errors.at(
                arg.map(ToTokens::to_token_stream)
                    .unwrap_or_else(|| item.sig.ident.to_token_stream()),
                "`#[grad(graph)]` does not support output parameters (`&mut`) yet; return the result instead",
            );
        }
    }
}

/// Reports into `errors` that `_graph` cannot be emitted without autodiff's
/// `graph` feature (the runtime it calls is behind it). Checked after the
/// whole pipeline ran, so that the macro's own tests run it without the feature.
pub fn check_feature(item: &syn::ItemFn, errors: &mut Errors) {
    if !cfg!(feature = "graph") {
        errors.at(
            &item.sig.ident,
            "`#[grad(graph)]` needs autodiff's `graph` feature: `autodiff = { version = \"…\", features = [\"graph\"] }`",
        );
    }
}

/// Instruments the forward IR `func` of `sig` (see the module's doc).
pub fn instrument(func: &mut Func, sig: &Signature) -> Hook {
    let mut consts = IdMap::default();
    collect_consts(&func.body, &mut consts);
    let mut names = std::mem::take(&mut func.names);
    // Twice: a name found inside a loop reaches the loops around it.
    for _ in 0..2 {
        propagate_names(&func.body, &mut names);
    }
    func.names = names;
    let mut ins = Instrumenter {
        func,
        consts,
        nodes: IdSet::default(),
        probed: IdSet::default(),
        loops: 0,
    };
    let mut body = std::mem::take(&mut ins.func.body);
    ins.region(&mut body, &[]);
    // The parameters and the fields of struct parameters, at entry.
    let mut entry = Vec::new();
    let params = ins.func.params.clone();
    for (p, v) in sig.params.iter().zip(&params) {
        // A parameter without a name (`_: f64`) is not bound in the companion.
        let Some(name) = p.ident.as_ref().map(ToString::to_string) else {
            continue;
        };
        if let Some(e) = ins.value_effect(*v, "", &name, &[], &[]) {
            entry.push(e);
        }
    }
    let views = ins.func.views.clone();
    for (v, p, fields) in &views {
        let base = sig.params[*p]
            .ident
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let name = format!("{base}.{}", fields.join("."));
        if let Some(e) = ins.value_effect(*v, "", &name, &[], &[]) {
            entry.push(e);
        }
    }
    body.ops.splice(0..0, entry);
    let outputs = body.yields[..sig.outputs.min(body.yields.len())]
        .iter()
        .copied()
        .filter(|v| ins.keyed(*v))
        .collect();
    let nodes = std::mem::take(&mut ins.nodes);
    let probed = std::mem::take(&mut ins.probed);
    func.body = body;
    Hook {
        nodes,
        probed,
        outputs,
    }
}

/// The report of the adjoint `g` of the node `v`.
pub fn grad_effect(hook: &Hook, v: Value, g: Value) -> Op {
    let what = if hook.probed.contains(&v) {
        "grad_probed"
    } else {
        "grad"
    };
    effect(what, vec![key(v)], &[g])
}

struct Instrumenter<'f> {
    func: &'f mut Func,
    /// Integer literals (indices), by value: their text.
    consts: IdMap<String>,
    nodes: IdSet,
    probed: IdSet,
    /// Loops numbered so far.
    loops: u32,
}

impl Instrumenter<'_> {
    /// Whether `v` can be a node: a float, an array of floats, a struct (a
    /// value a gradient flows through).
    fn recordable(&self, v: Value) -> bool {
        self.keyed(v)
    }

    /// Whether `v` names a node's value: a node, or a loop's carried value or
    /// result or an `if`'s result (which hold a node's value).
    fn keyed(&self, v: Value) -> bool {
        let ty = self.func.ty(v);
        matches!(ty, Ty::Float | Ty::Array(_) | Ty::Struct(_)) && self.func.differentiable(ty)
    }

    fn region(&mut self, r: &mut Region, loops: &[u32]) {
        let ops = std::mem::take(&mut r.ops);
        for mut op in ops {
            match &mut op.kind {
                OpKind::Loop(l) => {
                    let lk = self.loops;
                    self.loops += 1;
                    r.ops.push(effect("begin_loop", vec![lit(lk)], &[]));
                    let n = l.inits.len();
                    let carried: Vec<[Value; 3]> = (0..n)
                        .filter(|&j| self.keyed(l.body.args[j + 1]))
                        .map(|j| [l.body.args[j + 1], l.inits[j], l.body.yields[j]])
                        .collect();
                    let results: Vec<[Value; 3]> = (0..n)
                        .filter(|&j| self.keyed(op.results[j]))
                        .map(|j| [op.results[j], l.inits[j], l.body.yields[j]])
                        .collect();
                    let mut inner = loops.to_vec();
                    inner.push(lk);
                    self.region(&mut l.body, &inner);
                    l.body
                        .ops
                        .insert(0, effect("iteration", vec![lit(lk), table(&carried)], &[]));
                    r.ops.push(op);
                    if !results.is_empty() {
                        let after: Vec<Value> = results.iter().map(|t| t[0]).collect();
                        r.ops
                            .push(effect("end_loop", vec![lit(lk), table(&results)], &after));
                    }
                }
                OpKind::If(_, t, e) => {
                    self.region(t, loops);
                    self.region(e, loops);
                    for branch in [t, e] {
                        let pairs: Vec<[Value; 2]> = op
                            .results
                            .iter()
                            .zip(&branch.yields)
                            .filter(|(res, _)| self.keyed(**res))
                            .map(|(res, y)| [*res, *y])
                            .collect();
                        if !pairs.is_empty() {
                            branch.ops.push(effect("branch", vec![table(&pairs)], &[]));
                        }
                    }
                    r.ops.push(op);
                }
                OpKind::Effect(_) => r.ops.push(op),
                // Once, outside any loop: a literal in a loop body is the same
                // node in every iteration.
                OpKind::Const(_) | OpKind::Extern(_) if self.recordable(op.results[0]) => {
                    let res = op.results[0];
                    let label = self.label(&op.kind, 0, 1);
                    let name = self.func.names.get(&res).cloned().unwrap_or_default();
                    self.nodes.insert(res);
                    let args = vec![
                        key(res),
                        Literal::string(&label).into_token_stream(),
                        Literal::string(&name).into_token_stream(),
                    ];
                    r.ops.push(op);
                    r.ops.push(effect("constant", args, &[res]));
                }
                _ => {
                    let n = op.results.len();
                    let operands: Vec<Value> = op
                        .operands()
                        .into_iter()
                        .filter(|v| self.keyed(*v))
                        .collect();
                    let mut reports = Vec::new();
                    for (k, &res) in op.results.iter().enumerate() {
                        let label = self.label(&op.kind, k, n);
                        let mut name = self.func.names.get(&res).cloned().unwrap_or_default();
                        // `q[i] = …` is labelled so already.
                        if let OpKind::Store(a, ..) | OpKind::AddAt(a, ..) = &op.kind {
                            if self.func.names.get(a) == Some(&name) {
                                name.clear();
                            }
                        }
                        reports.extend(self.value_effect(res, &label, &name, &operands, loops));
                    }
                    r.ops.push(op);
                    r.ops.extend(reports);
                }
            }
        }
    }

    /// The report of `v`'s value, if it can be a node.
    fn value_effect(
        &mut self,
        v: Value,
        op: &str,
        name: &str,
        operands: &[Value],
        loops: &[u32],
    ) -> Option<Op> {
        if !self.recordable(v) {
            return None;
        }
        self.nodes.insert(v);
        // A struct, or an array with a part of unknown shape (a field, a
        // call's result, data): its Rust type may be any.
        let ty = self.func.ty(v);
        let probed = self.func.scalar_leaf(ty) != Some(Ty::Float);
        if probed {
            self.probed.insert(v);
        }
        let ops = operands.iter().map(|o| key(*o));
        let lps = loops.iter().map(|l| lit(*l));
        Some(effect(
            if probed { "value_probed" } else { "value" },
            vec![
                key(v),
                Literal::string(op).into_token_stream(),
                Literal::string(name).into_token_stream(),
                quote!(&[#(#ops),*]),
                quote!(&[#(#lps),*]),
            ],
            &[v],
        ))
    }

    /// What the drawing calls the op that defines result `k` of `n`.
    fn label(&self, kind: &OpKind, k: usize, n: usize) -> String {
        let sym = |op: &BinOp| match op {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
        };
        match kind {
            OpKind::Const(c) => format!("{c}"),
            OpKind::Verbatim(s) | OpKind::Extern(s) => s.clone(),
            OpKind::Unary(UnOp::Neg, _) => "neg".into(),
            OpKind::Unary(UnOp::Not, _) => "!".into(),
            OpKind::Binary(op, ..) => sym(op).into(),
            OpKind::Cmp(..) => "cmp".into(),
            OpKind::Call(p, _) => p.name().into(),
            OpKind::Method(m, _) => format!(".{m}()"),
            OpKind::Cast(a, CastTo::Float) => format!("{} as float", self.scalar_name(*a)),
            OpKind::Cast(a, CastTo::Other(t)) => format!("{} as {t}", self.scalar_name(*a)),
            OpKind::Select(..) => "select".into(),
            OpKind::Load(a, idx) => format!("{}{}", self.array_name(*a), self.index(idx)),
            OpKind::Store(a, idx, _) => format!("{}{} =", self.array_name(*a), self.index(idx)),
            OpKind::AddAt(a, idx, _) => {
                format!("{}{} +=", self.array_name(*a), self.index(idx))
            }
            OpKind::Zeros | OpKind::ZerosLike(_) => "zeros".into(),
            OpKind::Splat(_) => "[x; n]".into(),
            OpKind::VecSplat(..) => "vec![x; n]".into(),
            OpKind::ArrayLit(_) => "[..]".into(),
            OpKind::StructLit(p, _) => p.trim_end_matches(" ..").into(),
            OpKind::Copy(_) => "copy".into(),
            OpKind::VecNew(_) => "Vec::new".into(),
            OpKind::Push(..) | OpKind::PushAt(..) => "push".into(),
            OpKind::SumAll(_) => "sum".into(),
            OpKind::View(_, f) => f.join("."),
            OpKind::StopGrad(_) => "no_grad".into(),
            OpKind::CallFn(c, _) | OpKind::CallBack(c, ..) => {
                let f = c
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                if n > 1 {
                    format!("{f}(..).{k}")
                } else {
                    format!("{f}(..)")
                }
            }
            OpKind::If(..) => "if".into(),
            OpKind::Loop(_) => "loop".into(),
            OpKind::Effect(_) => String::new(),
        }
    }

    /// An array's name in a label: the user's, or `_`.
    fn array_name(&self, a: Value) -> String {
        if let Some(n) = self.func.names.get(&a) {
            return n.clone();
        }
        if let Some((_, _, f)) = self.func.views.iter().find(|(w, _, _)| *w == a) {
            return f.join(".");
        }
        "_".into()
    }

    /// `[0][i]`: literal indices as written, named ones by name, others `·`.
    fn index(&self, idx: &[Value]) -> String {
        idx.iter()
            .map(|i| format!("[{}]", self.scalar_name(*i)))
            .collect()
    }

    /// A literal as written, a named value by its name, others `·`.
    fn scalar_name(&self, v: Value) -> String {
        self.consts
            .get(&v)
            .cloned()
            .or_else(|| self.func.names.get(&v).cloned())
            .unwrap_or_else(|| "·".into())
    }
}

/// Gives the values that stand for a user's variable without a name of their
/// own its name: a loop's carried values and results and what its body
/// yields for them (the name of the initial value, the carried value or the
/// result), an `if`'s results and what its branches yield for them.
fn propagate_names(r: &Region, names: &mut IdMap<String>) {
    for op in &r.ops {
        match &op.kind {
            OpKind::Loop(l) => {
                let mut inner = IdSet::default();
                l.body.defined(&mut inner);
                for (j, init) in l.inits.iter().enumerate() {
                    let (arg, y) = (l.body.args[j + 1], l.body.yields[j]);
                    let res = op.results[j];
                    let Some(name) = [arg, *init, res, y]
                        .iter()
                        .find_map(|v| names.get(v).cloned())
                    else {
                        continue;
                    };
                    for v in [arg, res] {
                        names.entry(v).or_insert_with(|| name.clone());
                    }
                    if inner.contains(&y) {
                        names.entry(y).or_insert(name);
                    }
                }
            }
            OpKind::If(_, t, e) => {
                for (j, res) in op.results.iter().enumerate() {
                    let (ty, ey) = (t.yields.get(j), e.yields.get(j));
                    let Some(name) = [Some(res), ty, ey]
                        .into_iter()
                        .flatten()
                        .find_map(|v| names.get(v).cloned())
                    else {
                        continue;
                    };
                    names.entry(*res).or_insert_with(|| name.clone());
                    for (branch, y) in [(t, ty), (e, ey)] {
                        let mut inner = IdSet::default();
                        branch.defined(&mut inner);
                        if let Some(y) = y.filter(|y| inner.contains(y)) {
                            names.entry(*y).or_insert_with(|| name.clone());
                        }
                    }
                }
            }
            _ => {}
        }
        for reg in op.regions() {
            propagate_names(reg, names);
        }
    }
}

/// Integer literals of the body (indices), with their text without a suffix.
fn collect_consts(r: &Region, out: &mut IdMap<String>) {
    for op in &r.ops {
        if let OpKind::Verbatim(s) = &op.kind {
            let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
                out.insert(op.results[0], digits.replace('_', ""));
            } else if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.insert(op.results[0], s.clone());
            }
        }
        for reg in op.regions() {
            collect_consts(reg, out);
        }
        if let OpKind::Loop(l) = &op.kind {
            if let LoopKind::While(c) = &l.kind {
                collect_consts(c, out);
            }
        }
    }
}

fn lit(n: u32) -> TokenStream {
    Literal::u32_suffixed(n).into_token_stream()
}

fn key(v: Value) -> TokenStream {
    lit(v.0)
}

/// `&[(k1, k2, …), …]`: tuples of keys.
fn table<const N: usize>(rows: &[[Value; N]]) -> TokenStream {
    let rows = rows.iter().map(|r| {
        let ks = r.iter().map(|v| key(*v));
        quote!((#(#ks),*))
    });
    quote!(&[#(#rows),*])
}

/// `::autodiff::__private::graph::<what>!(__autodiff_rec, args…, values…)`.
fn effect(what: &str, args: Vec<TokenStream>, values: &[Value]) -> Op {
    let what = Ident::new(what, Span::call_site());
    let path: syn::Path = syn::parse_quote!(::autodiff::__private::graph::#what);
    let mut all = vec![EffectArg::Tokens(rec_ident().into_token_stream())];
    all.extend(args.into_iter().map(EffectArg::Tokens));
    all.extend(values.iter().map(|v| EffectArg::Value(*v)));
    Op {
        results: Vec::new(),
        kind: OpKind::Effect(Box::new(Effect {
            path,
            args: all,
            diverges: false,
        })),
    }
}
