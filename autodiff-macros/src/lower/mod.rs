//! Lowering: the syn body of a `#[grad]` fn → the SSA IR.
//!
//! Mutable locals disappear here: the environment maps each name to its current
//! value, an assignment rebinds the name, and an `if` yields the new values of the
//! outer names its branches assign (the φ-nodes of SSA, made explicit). An early
//! `return` inside an `if` at function level takes the rest of the function into
//! the branches that fall through (continuation lowering), so the IR stays
//! structured and the emitted code has no `goto`.

mod arrays;
mod calls;
mod fields;
mod iters;
mod loops;
mod macros;
mod patterns;
mod slices;

use fields::{assigned_fields, field_name};

use crate::error::Errors;
use crate::ir::{BinOp, CastTo, CmpOp, Func, Op, OpKind, Region, Ty, UnOp, Value};
use crate::ir::{IdMap, IdSet};
use crate::prim::{Form, Prim};
use crate::signature::Signature;
use quote::ToTokens;
use syn::visit::Visit;
use syn::{Block, Expr, ExprIf, Lit, Pat, Stmt, Type};

/// A lowered expression: nothing, one scalar, or a tuple.
#[derive(Clone, PartialEq, Debug)]
pub enum Val {
    Unit,
    Scalar(Value),
    Tuple(Vec<Val>),
    /// A name whose definition was rejected: uses of it report nothing more.
    Poisoned,
    /// A closure defined in the body (`Lowering::closures`): inlined where called.
    Closure(usize),
    /// What a diverging expression (`panic!`) gives: no value, any type.
    Never,
    /// `len` elements of array `base` from `start` (`&x[a..b]`, a window): see
    /// `slices.rs`.
    Sub {
        base: Value,
        start: Value,
        len: Value,
    },
}

impl Val {
    fn flatten(&self, out: &mut Vec<Value>) {
        match self {
            Val::Unit | Val::Poisoned | Val::Closure(_) | Val::Never => {}
            Val::Scalar(v) => out.push(*v),
            Val::Tuple(vs) => vs.iter().for_each(|v| v.flatten(out)),
            Val::Sub { base, start, len } => out.extend([*base, *start, *len]),
        }
    }

    fn flat(&self) -> Vec<Value> {
        let mut out = Vec::new();
        self.flatten(&mut out);
        out
    }

    /// The same shape with the scalars taken from `it`.
    fn rebuild(&self, it: &mut impl Iterator<Item = Value>) -> Val {
        match self {
            Val::Unit => Val::Unit,
            Val::Poisoned => Val::Poisoned,
            Val::Closure(c) => Val::Closure(*c),
            Val::Never => Val::Never,
            Val::Scalar(_) => it.next().map_or(Val::Unit, Val::Scalar),
            Val::Tuple(vs) => Val::Tuple(vs.iter().map(|v| v.rebuild(it)).collect()),
            Val::Sub { .. } => match (it.next(), it.next(), it.next()) {
                (Some(base), Some(start), Some(len)) => Val::Sub { base, start, len },
                _ => Val::Unit,
            },
        }
    }
}

#[derive(Clone, Debug)]
struct Binding {
    name: String,
    val: Val,
}

/// The rest of an enclosing statement list, run after the current one falls through.
#[derive(Clone, Copy)]
struct Frame<'a> {
    stmts: &'a [Stmt],
    depth: usize,
}

/// What ends the statement list being lowered, and so what `return`, `break`
/// and `continue` mean in it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The function body (or an `if` branch of it): `return` produces the results.
    Fn,
    /// A loop body (or an `if` branch of it): `break` / `continue` end the iteration.
    Loop,
    /// A nested block: none of them.
    Block,
}

/// The loop being lowered: which outer names it carries.
struct LoopCtx {
    /// Positions `(scope, binding)` of the carried names.
    carried: Vec<(usize, usize)>,
    has_break: bool,
}

enum Flow {
    /// The statements fell through with this value.
    Value(Val),
    /// The function's results, produced inside (an `if` whose branches returned).
    Return(Vec<Value>),
}

struct Lowering<'s, 'e> {
    sig: &'s Signature,
    errors: &'e mut Errors,
    func: Func,
    ops: Vec<Op>,
    scopes: Vec<Vec<Binding>>,
    loops: Vec<LoopCtx>,
    /// The element types of a tuple that a `let (a, b) = …` binds, for the call
    /// on its right (a call's result type cannot be seen from the call).
    pending_shape: Option<Vec<Ty>>,
    /// Values of `&` parameters: passed on to a call, they are references.
    refs: IdSet,
    /// The type expected of the value of the block being lowered (the `let`
    /// annotation of an `if` expression), for calls in its tail.
    tail_hint: Option<Ty>,
    /// Stand-ins for rejected expressions: their uses report nothing more.
    poisoned: IdSet,
    /// The operands of the binary op being lowered (for `mixed`).
    last_operands: (Value, Value),
    /// Struct parameters (their value → their index).
    structs: IdMap<usize>,
    /// Paths whose type was guessed (a `const` from outside the body): the first
    /// operation that needs another type settles it.
    guessed: IdSet,
    /// The closures the body defines, with the bindings they capture (those
    /// visible where each is defined: a `move` closure's copies, and for a
    /// borrowing one the same values, since Rust forbids changing them while it
    /// lives).
    closures: Vec<(syn::ExprClosure, Vec<Vec<Binding>>)>,
    /// Results of calls lowered without a type (`let m = scale(n);`).
    untyped_results: IdSet,
    /// Parameters of a type the body cannot see (data): value ids.
    opaque: std::collections::HashSet<u32>,
    /// The fields `x.a.b` the body assigns anywhere (`assigned_fields`).
    assigned: Vec<(String, Expr, bool)>,
    /// Names of local copies of struct parameters (`let mut st = s;`).
    struct_copies: std::collections::HashSet<String>,
}

/// Lowers the body of the function described by `sig`. Errors go to `errors`; the
/// IR is only meaningful when none were reported.
pub fn lower(sig: &Signature, block: &Block, errors: &mut Errors) -> Func {
    let mut l = Lowering {
        sig,
        errors,
        func: Func::default(),
        ops: Vec::new(),
        scopes: vec![Vec::new()],
        loops: Vec::new(),
        guessed: IdSet::default(),
        closures: Vec::new(),
        untyped_results: IdSet::default(),
        opaque: Default::default(),
        assigned: Vec::new(),
        struct_copies: Default::default(),
        pending_shape: None,
        refs: IdSet::default(),
        structs: IdMap::default(),
        tail_hint: None,
        poisoned: IdSet::default(),
        last_operands: (Value(0), Value(0)),
    };
    for (i, p) in sig.params.iter().enumerate() {
        let ty = if p.is_struct {
            l.func.struct_ty(p.value_ty().to_token_stream().to_string())
        } else {
            match l.type_of(p.value_ty()) {
                Some(t) => t,
                // Data of a type the body cannot see (`&HashMap<K, V>`, `Option<usize>`):
                // read by indexing (floats), `.len()` and methods (inactive values).
                None => {
                    let t = l.func.array_ty(Ty::Float, crate::ir::Len::View);
                    l.opaque.insert(l.func.values.len() as u32);
                    t
                }
            }
        };
        let v = l.func.new_value(ty);
        if p.is_struct {
            l.structs.insert(v, i);
        }
        l.func.params.push(v);
        if matches!(p.ty, Type::Reference(_)) {
            l.refs.insert(v);
        }
        if let Some(id) = &p.ident {
            l.bind(id.to_string(), Val::Scalar(v));
        }
    }
    // Fields of struct parameters that the body assigns become locals of their
    // own (a copy for an array field), so loops and ifs carry them like any.
    l.assigned = assigned_fields(block);
    for (name, e, indexed) in l.assigned.clone() {
        if l.field_path(&e).is_none() {
            continue;
        }
        let want = if indexed {
            l.func.array_ty(Ty::Float, crate::ir::Len::View)
        } else {
            Ty::Float
        };
        if let Some(v) = l.field_of(&e, want) {
            let v = if indexed {
                l.push(OpKind::Copy(v), l.ty(v))
            } else {
                v
            };
            l.bind(name, Val::Scalar(v));
        }
    }
    // `const` items of the body are visible before their declaration.
    for st in &block.stmts {
        if let Stmt::Item(syn::Item::Const(c)) = st {
            let hint = l.type_of(&c.ty);
            let v = l.expr(&c.expr, hint);
            l.bind(c.ident.to_string(), v);
        }
    }
    let outs = match l.seq(&block.stmts, &[], Level::Fn) {
        Flow::Value(v) => v.flat(),
        Flow::Return(o) => o,
    };
    let ok = outs.len() == sig.outputs && outs.iter().all(|v| l.func.differentiable(l.func.ty(*v)));
    if !ok && l.errors.is_empty() {
        let at = block.stmts.last().map(ToTokens::to_token_stream);
        l.errors.at(
            at.unwrap_or_else(|| block.to_token_stream()),
            format!(
                "this body must end in {} of type `{}`",
                if sig.outputs == 1 {
                    "a value".to_string()
                } else {
                    format!("a tuple of {} floats", sig.outputs)
                },
                crate::signature::type_text(&sig.ret)
            ),
        );
    }
    l.func.body = Region {
        args: Vec::new(),
        ops: l.ops,
        yields: outs,
    };
    let untyped = std::mem::take(&mut l.untyped_results);
    calls::type_passed_results(&mut l.func, &untyped);
    crate::linearity::linearize(&mut l.func);
    l.func
}

/// Whether `e` contains what exits at `level`: a `return` at function level, a
/// `break` or `continue` of this loop (not of a nested one) at loop level.
fn contains_exit(e: &ExprIf, level: Level) -> bool {
    struct Finder {
        level: Level,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            if self.level == Level::Fn {
                self.found = true;
            }
        }
        fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
            self.found |= self.level == Level::Loop;
        }
        fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
            self.found |= self.level == Level::Loop;
        }
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            if self.level == Level::Fn {
                syn::visit::visit_expr_for_loop(self, f);
            }
        }
        fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
            if self.level == Level::Fn {
                syn::visit::visit_expr_while(self, w);
            }
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder {
        level,
        found: false,
    };
    f.visit_expr_if(e);
    f.found
}

const FLOAT_PREDICATES: &[&str] = &[
    "is_nan",
    "is_finite",
    "is_infinite",
    "is_normal",
    "is_sign_positive",
    "is_sign_negative",
];

impl Lowering<'_, '_> {
    // ------------------------------------------------------------ helpers

    fn push(&mut self, kind: OpKind, ty: Ty) -> Value {
        let v = self.func.new_value(ty);
        self.ops.push(Op {
            results: vec![v],
            kind,
        });
        v
    }

    fn ty(&self, v: Value) -> Ty {
        self.func.ty(v)
    }

    /// A stand-in after an error, so lowering goes on and finds the next one.
    fn poison(&mut self) -> Val {
        Val::Scalar(self.poison_value())
    }

    fn poison_value(&mut self) -> Value {
        let v = self.push(OpKind::Const(0.0), Ty::Float);
        self.poisoned.insert(v);
        v
    }

    fn region<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> (Vec<Op>, R) {
        let saved = std::mem::take(&mut self.ops);
        let r = f(self);
        (std::mem::replace(&mut self.ops, saved), r)
    }

    fn bind(&mut self, name: String, val: Val) {
        let name = unraw(&name).to_string();
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(Binding { name, val });
        }
    }

    fn lookup(&self, name: &str) -> Option<&Val> {
        let name = unraw(name);
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|b| b.name == name)
            .map(|b| &b.val)
    }

    fn assign(&mut self, name: &str, val: Val) -> bool {
        let name = unraw(name);
        let found = self
            .scopes
            .iter_mut()
            .rev()
            .flat_map(|s| s.iter_mut().rev())
            .find(|b| b.name == name);
        match found {
            Some(b) => {
                b.val = val;
                true
            }
            None => false,
        }
    }

    /// The IR type of a Rust type, if it is one the body can use: a scalar, or an
    /// array or slice of them (behind a reference or not).
    fn type_of(&mut self, t: &Type) -> Option<Ty> {
        if self.sig.is_float(t) {
            return Some(Ty::Float);
        }
        match t {
            Type::Paren(p) => return self.type_of(&p.elem),
            Type::Group(g) => return self.type_of(&g.elem),
            Type::Reference(r) => return self.type_of(&r.elem),
            Type::Array(a) => {
                let elem = self.type_of(&a.elem)?;
                let len = crate::ir::Len::Const(a.len.to_token_stream().to_string());
                return Some(self.func.array_ty(elem, len));
            }
            Type::Slice(sl) => {
                let elem = self.type_of(&sl.elem)?;
                return Some(self.func.array_ty(elem, crate::ir::Len::Slice));
            }
            // `Vec<T>`: an array whose length is known at run time.
            Type::Path(p) if p.qself.is_none() => {
                if let Some(seg) = p.path.segments.last().filter(|s| s.ident == "Vec") {
                    if let syn::PathArguments::AngleBracketed(a) = &seg.arguments {
                        if let Some(syn::GenericArgument::Type(elem)) = a.args.first() {
                            let elem = self.type_of(elem)?;
                            return Some(self.func.array_ty(elem, crate::ir::Len::Vec));
                        }
                    }
                }
            }
            _ => {}
        }
        let s = t.to_token_stream().to_string();
        match s.as_str() {
            "bool" => Some(Ty::Bool),
            "f32" | "f64" | "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16"
            | "u32" | "u64" | "u128" | "usize" | "char" => Some(Ty::Int),
            _ => None,
        }
    }

    fn scalar(&mut self, v: Val, node: &dyn ToTokens, what: &str) -> Value {
        match v {
            Val::Scalar(v) => v,
            Val::Poisoned => self.poison_value(),
            Val::Closure(_) => {
                self.errors.at(
                    node,
                    format!("expected a single number as {what}, found a closure; call it: `f(x)`"),
                );
                self.poison_value()
            }
            Val::Sub { .. } => {
                self.errors.at(
                    node,
                    format!("expected a single number as {what}, found a sub-slice: index it (`w[0]`), iterate it, or take its `.len()`; passing one to a function is not supported yet"),
                );
                self.poison_value()
            }
            _ => {
                self.errors
                    .at(node, format!("expected a single number as {what}"));
                self.poison_value()
            }
        }
    }

    // ------------------------------------------------------------ statements

    /// Lowers a statement list. At function level, an `if` that returns takes the
    /// rest of the list, and of the `frames` around it, into its branches.
    fn seq(&mut self, stmts: &[Stmt], frames: &[Frame<'_>], level: Level) -> Flow {
        let mut tail = Val::Unit;
        for (i, s) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            if let Stmt::Expr(e @ (Expr::Break(_) | Expr::Continue(_)), _) = s {
                if level == Level::Loop {
                    if let Expr::Break(b) = e {
                        if b.label.is_some() || b.expr.is_some() {
                            self.errors.at(b, "`break` with a label or a value is not supported in #[grad] bodies; use a plain `break`");
                        }
                    }
                    return Flow::Return(self.loop_exit(matches!(e, Expr::Break(_))));
                }
                self.errors.at(s, "`break` and `continue` are supported as statements of a loop body or of the branches of its `if`s");
                tail = self.poison();
                continue;
            }
            if let Stmt::Expr(Expr::Return(r), _) = s {
                if level != Level::Fn {
                    self.errors.at(
                        s,
                        if level == Level::Loop || !self.loops.is_empty() {
                            RETURN_IN_LOOP
                        } else {
                            RETURN_HERE
                        },
                    );
                    // `return` has type `!`: it fits any branch, so poison fits too.
                    tail = self.poison();
                    continue;
                }
                let v = match &r.expr {
                    Some(e) => self.expr(e, Some(Ty::Float)),
                    None => Val::Unit,
                };
                return Flow::Return(v.flat());
            }
            if level != Level::Block {
                if let Stmt::Expr(Expr::If(ife), _) = s {
                    if contains_exit(ife, level) {
                        let mut cont = frames.to_vec();
                        cont.push(Frame {
                            stmts: &stmts[i + 1..],
                            depth: self.scopes.len(),
                        });
                        return Flow::Return(self.if_return(ife, &cont, level));
                    }
                }
            }
            tail = self.stmt(s, last);
        }
        if let Some((top, rest)) = frames.split_last() {
            self.scopes.truncate(top.depth);
            return self.seq(top.stmts, rest, level);
        }
        Flow::Value(tail)
    }

    /// An `if` with an exit inside (a `return` at function level, a `break` or
    /// `continue` at loop level): each branch runs on into the continuation, so
    /// every branch ends by producing the exit's values.
    fn if_return(&mut self, ife: &ExprIf, cont: &[Frame<'_>], level: Level) -> Vec<Value> {
        let c = self.cond(&ife.cond);
        let snapshot = self.scopes.clone();
        let (t_ops, t_outs) = self.region(|l| {
            l.scopes.push(Vec::new());
            let flow = l.seq(&ife.then_branch.stmts, cont, level);
            l.flow_outs(flow, level)
        });
        self.scopes = snapshot.clone();
        let (e_ops, e_outs) = self.region(|l| {
            l.scopes.push(Vec::new());
            match ife.else_branch.as_ref().map(|(_, e)| &**e) {
                None => {
                    let flow = l.seq(&[], cont, level);
                    l.flow_outs(flow, level)
                }
                Some(Expr::Block(b)) => {
                    let flow = l.seq(&b.block.stmts, cont, level);
                    l.flow_outs(flow, level)
                }
                Some(Expr::If(inner)) => l.if_return(inner, cont, level),
                Some(other) => {
                    l.errors.at(other, "unsupported `else` branch");
                    Vec::new()
                }
            }
        });
        self.scopes = snapshot;
        if t_outs.len() != e_outs.len() {
            self.errors.at(
                ife,
                "the branches of this `if` return different numbers of values",
            );
            return t_outs;
        }
        self.push_if(c, (t_ops, t_outs), (e_ops, e_outs))
    }

    /// The exit values of a statement list that fell through: the function's
    /// results, or the next iteration's carried values.
    /// Pushes `if c { t } else { e }` and returns its results, typed like the yields.
    fn push_if(
        &mut self,
        c: Value,
        t: (Vec<Op>, Vec<Value>),
        e: (Vec<Op>, Vec<Value>),
    ) -> Vec<Value> {
        let results: Vec<Value> =
            t.1.iter()
                .map(|v| self.func.new_value(self.ty(*v)))
                .collect();
        let region = |(ops, yields)| Region {
            args: Vec::new(),
            ops,
            yields,
        };
        self.ops.push(Op {
            results: results.clone(),
            kind: OpKind::If(c, region(t), region(e)),
        });
        results
    }

    fn flow_outs(&mut self, flow: Flow, level: Level) -> Vec<Value> {
        match flow {
            Flow::Value(v) if level == Level::Loop => {
                let _ = v;
                self.loop_exit(false)
            }
            Flow::Value(v) => v.flat(),
            Flow::Return(o) => o,
        }
    }

    /// The yields that end this iteration: the carried values, then (if the
    /// loop can break) whether to go on.
    fn loop_exit(&mut self, is_break: bool) -> Vec<Value> {
        let Some(ctx) = self.loops.last() else {
            return Vec::new();
        };
        let has_break = ctx.has_break;
        let mut ys = Vec::new();
        for &(si, bi) in &ctx.carried {
            self.scopes[si][bi].val.flatten(&mut ys);
        }
        if has_break {
            let go_on = if is_break { "false" } else { "true" };
            ys.push(self.push(OpKind::Verbatim(go_on.into()), Ty::Bool));
        }
        ys
    }

    fn stmt(&mut self, s: &Stmt, last: bool) -> Val {
        let attrs: &[syn::Attribute] = match s {
            Stmt::Local(l) => &l.attrs,
            Stmt::Macro(m) => &m.attrs,
            Stmt::Expr(e, _) => expr_attrs(e),
            Stmt::Item(_) => &[],
        };
        if let Some(a) = attrs
            .iter()
            .find(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
        {
            self.errors.at(
                a,
                "`#[cfg]` on a statement of a #[grad] body is not supported: the macro cannot tell whether it is compiled in; put the configured code in its own #[grad] function",
            );
            return Val::Unit;
        }
        if let Stmt::Expr(Expr::Verbatim(v), _) = s {
            if v.is_empty() {
                return Val::Unit; // an empty statement: `;`
            }
        }
        match s {
            Stmt::Local(local) => {
                if let Some(init) = &local.init {
                    if let Some((_, diverge)) = &init.diverge {
                        self.errors.at(
                            diverge,
                            "`let ... else` is not supported in #[grad] bodies; use `if` / `else`",
                        );
                    }
                    let (pat, hint, tuple_tys) = match &local.pat {
                        Pat::Type(pt) => {
                            let tys = match &*pt.ty {
                                Type::Tuple(tt) => Some(
                                    tt.elems
                                        .iter()
                                        .map(|t| self.type_of(t).unwrap_or(Ty::Float))
                                        .collect(),
                                ),
                                _ => None,
                            };
                            (&*pt.pat, self.type_of(&pt.ty), tys)
                        }
                        Pat::Tuple(tp) => (&local.pat, None, Some(vec![Ty::Float; tp.elems.len()])),
                        p => (p, None, None),
                    };
                    if matches!(&*init.expr, Expr::Call(_)) {
                        self.pending_shape = tuple_tys;
                    }
                    let v = self.expr(&init.expr, hint);
                    // `let b = a;` copies an array: `b` and `a` change separately.
                    let named = match &*init.expr {
                        Expr::Path(_) => true,
                        Expr::Unary(u) => {
                            matches!((&u.op, &*u.expr), (syn::UnOp::Deref(_), Expr::Path(_)))
                        }
                        _ => false,
                    };
                    let v = match (named, v) {
                        (true, Val::Scalar(a)) if matches!(self.ty(a), Ty::Array(_)) => {
                            Val::Scalar(self.copy_array(a, &init.expr))
                        }
                        (_, v) => v,
                    };
                    // `let mut st = s;` of a struct parameter: a copy field by field.
                    if let (Val::Scalar(root), Pat::Ident(pi)) = (&v, pat) {
                        if self.structs.contains_key(root) && pi.subpat.is_none() {
                            let root = *root;
                            self.struct_copy(&pi.ident.to_string(), root, &init.expr);
                            return Val::Unit;
                        }
                    }
                    self.bind_pat(pat, v);
                } else {
                    self.errors.at(
                        &local.pat,
                        "declare a local with its value (`let x = ...;`): #[grad] bodies do not support deferred initialisation",
                    );
                }
                Val::Unit
            }
            Stmt::Item(syn::Item::Const(c)) => {
                let hint = self.type_of(&c.ty);
                let v = self.expr(&c.expr, hint);
                self.bind(c.ident.to_string(), v);
                Val::Unit
            }
            Stmt::Item(item) => {
                let at = match item {
                    syn::Item::Fn(f) => {
                        let (fn_token, ident) = (&f.sig.fn_token, &f.sig.ident);
                        // Calls to it would only repeat this error.
                        self.bind(ident.to_string(), Val::Poisoned);
                        quote::quote!(#fn_token #ident)
                    }
                    other => other.to_token_stream(),
                };
                self.errors.at(
                    at,
                    "items inside a #[grad] body are not supported (only `const`); move this item out of the function",
                );
                Val::Unit
            }
            Stmt::Macro(m) => {
                let v = self.macro_call(&m.mac);
                if m.semi_token.is_none() && last || v == Val::Never {
                    v
                } else {
                    Val::Unit
                }
            }
            Stmt::Expr(e, semi) => {
                let hint = if semi.is_none() && last {
                    self.tail_hint
                } else {
                    None
                };
                let v = self.expr(e, hint);
                if semi.is_none() && last {
                    v
                } else {
                    Val::Unit
                }
            }
        }
    }

    fn bind_pat(&mut self, pat: &Pat, v: Val) {
        match pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                self.bind(pi.ident.to_string(), v);
            }
            Pat::Wild(_) => {}
            Pat::Type(pt) => self.bind_pat(&pt.pat, v),
            Pat::Reference(r) => self.bind_pat(&r.pat, v),
            Pat::Paren(pp) => self.bind_pat(&pp.pat, v),
            Pat::Tuple(pt) => match v {
                Val::Tuple(vs) if vs.len() == pt.elems.len() => {
                    for (p, v) in pt.elems.iter().zip(vs) {
                        self.bind_pat(p, v);
                    }
                }
                // A tuple parameter: its elements.
                Val::Scalar(root) if self.structs.contains_key(&root) => {
                    match self.tuple_elements(root, pt.elems.len()) {
                        Some(vs) => {
                            for (p, v) in pt.elems.iter().zip(vs) {
                                self.bind_pat(p, v);
                            }
                        }
                        None => self.errors.at(pt, "this tuple pattern does not match the value's shape"),
                    }
                }
                _ => self.errors.at(pt, "this tuple pattern does not match the value's shape"),
            },
            // `let [x, y, z] = a;`: each name an element.
            Pat::Slice(ps) => {
                let a = match v {
                    Val::Scalar(a) if matches!(self.ty(a), Ty::Array(_)) => a,
                    Val::Poisoned => return,
                    _ => {
                        self.errors.at(ps, "an array pattern needs an array");
                        return;
                    }
                };
                if ps.elems.iter().any(|p| matches!(p, Pat::Rest(_))) {
                    self.errors.at(ps, "name every element here (`let [x, y, z] = a;`), or index the array");
                    return;
                }
                for (i, p) in ps.elems.iter().enumerate() {
                    let k = self.push(OpKind::Verbatim(format!("{i}usize")), Ty::Int);
                    let ty = self.func.index_ty(self.ty(a), 1).unwrap_or(Ty::Float);
                    let x = self.push(OpKind::Load(a, vec![k]), ty);
                    self.bind_pat(p, Val::Scalar(x));
                }
            }
            p => self.errors.at(
                p,
                "unsupported pattern in #[grad] body; bind a plain name (`let x = ...`) or a tuple of names",
            ),
        }
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, e: &Expr, hint: Option<Ty>) -> Val {
        match e {
            Expr::Lit(l) => self.lit(&l.lit, hint),
            Expr::Paren(p) => self.expr(&p.expr, hint),
            Expr::Group(g) => self.expr(&g.expr, hint),
            Expr::Path(p) => self.path(p, hint),
            Expr::Unary(u) => self.unary(u, hint),
            Expr::Binary(b) => self.binary(b, hint),
            Expr::Closure(c) => self.closure_value(c),
            Expr::Match(m) => self.match_with_hint(m, hint),
            Expr::Macro(m) => self.macro_call(&m.mac),
            Expr::Assign(a) => {
                let target_ty = match &*a.left {
                    Expr::Path(p) => {
                        p.path
                            .get_ident()
                            .and_then(|id| match self.lookup(&id.to_string()) {
                                Some(Val::Scalar(v)) => Some(self.ty(*v)),
                                _ => None,
                            })
                    }
                    _ => None,
                };
                let v = self.expr(&a.right, target_ty);
                self.assign_to(&a.left, v);
                Val::Unit
            }
            Expr::MethodCall(m) => self.method(m),
            Expr::Call(c) => self.call(c, hint),
            Expr::Cast(c) => self.cast(c),
            Expr::If(ife) => {
                let saved = std::mem::replace(&mut self.tail_hint, hint);
                let v = self.if_expr(ife);
                self.tail_hint = saved;
                v
            }
            Expr::Block(b) => {
                if let Some(label) = &b.label {
                    self.errors
                        .at(label, "labeled blocks are not supported in #[grad] bodies");
                }
                self.block(&b.block)
            }
            Expr::Tuple(t) => Val::Tuple(t.elems.iter().map(|e| self.expr(e, hint)).collect()),
            Expr::Field(f) if self.field_path(e).is_some() => {
                let want = match hint {
                    Some(t @ (Ty::Array(_) | Ty::Int | Ty::Bool)) => t,
                    _ => Ty::Float,
                };
                self.field_of(e, want).map_or(Val::Poisoned, Val::Scalar)
            }
            Expr::Field(f) => {
                let base = self.expr(&f.base, None);
                match (&f.member, base) {
                    (syn::Member::Unnamed(i), Val::Tuple(vs)) if (i.index as usize) < vs.len() => {
                        vs[i.index as usize].clone()
                    }
                    _ => {
                        self.errors.at(
                            &f.member,
                            "field access is only supported on tuples (`t.0`) in #[grad] bodies",
                        );
                        self.poison()
                    }
                }
            }
            Expr::Return(_) => {
                self.errors.at(e, RETURN_HERE);
                self.poison()
            }
            Expr::Index(ix) => match &*ix.index {
                Expr::Range(r) => self.sub_slice(&ix.expr, r),
                _ => self.index_expr(ix),
            },
            // A shared reference reads the value (`&x[1..]`, `let y = &x;`).
            Expr::Reference(r) if r.mutability.is_none() => self.expr(&r.expr, hint),
            Expr::Repeat(r) => self.repeat(r),
            Expr::Array(a) => self.array_lit(a),
            Expr::ForLoop(f) => self.for_loop(f),
            Expr::While(w) => self.while_loop(w),
            other => {
                let msg = unsupported(other);
                self.errors.at(smallest(other), msg);
                Val::Poisoned
            }
        }
    }

    // `expr` recurses once per level of nesting (a 2,000-term sum is 2,000
    // levels): what its arms do out of line keeps its frame small.

    #[inline(never)]
    fn closure_value(&mut self, c: &syn::ExprClosure) -> Val {
        self.closures.push((c.clone(), self.scopes.clone()));
        Val::Closure(self.closures.len() - 1)
    }

    #[inline(never)]
    fn match_with_hint(&mut self, m: &syn::ExprMatch, hint: Option<Ty>) -> Val {
        let saved = std::mem::replace(&mut self.tail_hint, hint);
        let v = self.match_expr(m);
        self.tail_hint = saved;
        v
    }

    fn block(&mut self, b: &Block) -> Val {
        self.scopes.push(Vec::new());
        let v = match self.seq(&b.stmts, &[], Level::Block) {
            Flow::Value(v) => v,
            Flow::Return(_) => Val::Unit,
        };
        self.scopes.pop();
        v
    }

    fn lit(&mut self, l: &Lit, hint: Option<Ty>) -> Val {
        match l {
            Lit::Float(f) => {
                let suffix = f.suffix();
                let matches = suffix.is_empty() || suffix == self.sig.float_name();
                // Parse in the function's own float type: an f32 literal rounds once.
                let parsed = if self.sig.float_name() == "f32" {
                    f.base10_parse::<f32>().map(f64::from)
                } else {
                    f.base10_parse::<f64>()
                };
                match parsed {
                    Ok(x) if matches && hint != Some(Ty::Int) => {
                        Val::Scalar(self.push(OpKind::Const(x), Ty::Float))
                    }
                    Ok(_) => Val::Scalar(self.push(OpKind::Verbatim(f.to_string()), Ty::Int)),
                    Err(err) => {
                        self.errors.push(err);
                        self.poison()
                    }
                }
            }
            // `2f64` is a float literal written without a point.
            Lit::Int(i) if matches!(i.suffix(), "f32" | "f64") => {
                let own = i.suffix() == self.sig.float_name();
                match i.base10_parse::<f64>() {
                    Ok(x) if own && hint != Some(Ty::Int) => {
                        Val::Scalar(self.push(OpKind::Const(x), Ty::Float))
                    }
                    Ok(_) => Val::Scalar(self.push(OpKind::Verbatim(i.to_string()), Ty::Int)),
                    Err(err) => {
                        self.errors.push(err);
                        self.poison()
                    }
                }
            }
            Lit::Int(i) => Val::Scalar(self.push(OpKind::Verbatim(i.to_string()), Ty::Int)),
            Lit::Bool(b) => Val::Scalar(self.push(OpKind::Verbatim(b.value.to_string()), Ty::Bool)),
            // Inactive data, as in a `match` on a `char`.
            Lit::Char(_) | Lit::Byte(_) => {
                Val::Scalar(self.push(OpKind::Verbatim(l.to_token_stream().to_string()), Ty::Int))
            }
            other => {
                self.errors.at(
                    other,
                    "only number, `bool` and `char` literals can appear in a #[grad] body; strings have no derivative",
                );
                self.poison()
            }
        }
    }

    fn path(&mut self, p: &syn::ExprPath, hint: Option<Ty>) -> Val {
        if p.qself.is_none() {
            if let Some(id) = p.path.get_ident() {
                if let Some(v) = self.lookup(&id.to_string()) {
                    return v.clone();
                }
            }
        }
        // A constant from outside the body: its type from its path, else from context.
        let segs = segments(&p.path);
        let float = self.sig.float_name();
        let is_typed_path = segs
            .iter()
            .any(|s| s == "f32" || s == "f64" || is_int_type(s))
            || (segs.len() > 1 && segs[0] == float);
        let ty = if segs.iter().any(|s| s == "f32" || s == "f64") {
            if segs.contains(&float) {
                Ty::Float
            } else {
                Ty::Int
            }
        } else if segs.len() > 1 && segs[0] == float {
            Ty::Float
        } else if segs.len() > 1 && is_int_type(&segs[0]) {
            Ty::Int
        } else {
            hint.unwrap_or(Ty::Float)
        };
        let guessed = hint.is_none() && !is_typed_path;
        let text = p.to_token_stream().to_string();
        let v = self.push(OpKind::Extern(text), ty);
        if guessed {
            self.guessed.insert(v);
        }
        Val::Scalar(v)
    }

    fn unary(&mut self, u: &syn::ExprUnary, hint: Option<Ty>) -> Val {
        match u.op {
            syn::UnOp::Deref(_) => self.expr(&u.expr, hint),
            syn::UnOp::Neg(_) | syn::UnOp::Not(_) => {
                let (op, what, wrong, msg) = match u.op {
                    syn::UnOp::Neg(_) => (
                        UnOp::Neg,
                        "the operand of `-`",
                        Ty::Bool,
                        "cannot negate a `bool`",
                    ),
                    _ => (
                        UnOp::Not,
                        "the operand of `!`",
                        Ty::Float,
                        "`!` does not apply to a float",
                    ),
                };
                let v = self.expr(&u.expr, hint);
                let v = self.scalar(v, &u.expr, what);
                let ty = self.ty(v);
                if ty == wrong {
                    self.errors.at(u, msg);
                }
                Val::Scalar(self.push(OpKind::Unary(op, v), ty))
            }
            _ => {
                self.errors
                    .at(u, "unsupported unary operator in #[grad] body");
                self.poison()
            }
        }
    }

    fn cond(&mut self, e: &Expr) -> Value {
        if let Expr::Let(l) = e {
            self.errors.at(
                l,
                "`if let` and `while let` are not supported in #[grad] bodies; test the condition with a comparison",
            );
            return self.push(OpKind::Verbatim("false".into()), Ty::Bool);
        }
        let v = self.expr(e, Some(Ty::Bool));
        let v = self.scalar(v, e, "a condition");
        if self.ty(v) != Ty::Bool {
            self.errors.at(e, "a condition must be a `bool`");
        }
        v
    }

    fn binary(&mut self, b: &syn::ExprBinary, hint: Option<Ty>) -> Val {
        use syn::BinOp as S;
        let arith = |op: &S| -> Option<(BinOp, bool)> {
            Some(match op {
                S::Add(_) => (BinOp::Add, false),
                S::Sub(_) => (BinOp::Sub, false),
                S::Mul(_) => (BinOp::Mul, false),
                S::Div(_) => (BinOp::Div, false),
                S::Rem(_) => (BinOp::Rem, false),
                S::BitAnd(_) => (BinOp::BitAnd, false),
                S::BitOr(_) => (BinOp::BitOr, false),
                S::BitXor(_) => (BinOp::BitXor, false),
                S::Shl(_) => (BinOp::Shl, false),
                S::Shr(_) => (BinOp::Shr, false),
                S::AddAssign(_) => (BinOp::Add, true),
                S::SubAssign(_) => (BinOp::Sub, true),
                S::MulAssign(_) => (BinOp::Mul, true),
                S::DivAssign(_) => (BinOp::Div, true),
                S::RemAssign(_) => (BinOp::Rem, true),
                S::BitAndAssign(_) => (BinOp::BitAnd, true),
                S::BitOrAssign(_) => (BinOp::BitOr, true),
                S::BitXorAssign(_) => (BinOp::BitXor, true),
                S::ShlAssign(_) => (BinOp::Shl, true),
                S::ShrAssign(_) => (BinOp::Shr, true),
                _ => return None,
            })
        };
        let cmp = match b.op {
            S::Lt(_) => Some(CmpOp::Lt),
            S::Le(_) => Some(CmpOp::Le),
            S::Gt(_) => Some(CmpOp::Gt),
            S::Ge(_) => Some(CmpOp::Ge),
            S::Eq(_) => Some(CmpOp::Eq),
            S::Ne(_) => Some(CmpOp::Ne),
            _ => None,
        };
        if let Some(op) = cmp {
            let (l, r) = self.operands(b, None);
            if self.ty(l) != self.ty(r) {
                let lt = self.ty(l);
                self.mixed(b, lt);
            }
            return Val::Scalar(self.push(OpKind::Cmp(op, l, r), Ty::Bool));
        }
        if matches!(b.op, S::And(_) | S::Or(_)) {
            // Short-circuit: the right operand runs in a region of an `if`.
            let l = self.cond(&b.left);
            let (r_ops, r) = self.region(|s| s.cond(&b.right));
            let (k_ops, k) = self.region(|s| {
                let text = if matches!(b.op, S::And(_)) {
                    "false"
                } else {
                    "true"
                };
                s.push(OpKind::Verbatim(text.into()), Ty::Bool)
            });
            let rhs = Region {
                args: Vec::new(),
                ops: r_ops,
                yields: vec![r],
            };
            let konst = Region {
                args: Vec::new(),
                ops: k_ops,
                yields: vec![k],
            };
            let (t, e) = if matches!(b.op, S::And(_)) {
                (rhs, konst)
            } else {
                (konst, rhs)
            };
            let res = self.func.new_value(Ty::Bool);
            self.ops.push(Op {
                results: vec![res],
                kind: OpKind::If(l, t, e),
            });
            return Val::Scalar(res);
        }
        let Some((op, compound)) = arith(&b.op) else {
            self.errors.at(b.op, "unsupported operator in #[grad] body");
            return self.poison();
        };
        let (l, r) = self.operands(b, hint);
        let (lt, rt) = (self.ty(l), self.ty(r));
        if matches!(lt, Ty::Array(_)) || matches!(rt, Ty::Array(_)) {
            self.errors.at(b, "arithmetic on whole arrays is not supported in #[grad] bodies; write a loop over the elements");
            return self.poison();
        }
        if lt != rt {
            self.mixed(b, lt);
        } else if lt == Ty::Float
            && !matches!(
                op,
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
            )
        {
            self.errors
                .at(b.op, "bitwise operators do not apply to floats");
        }
        let v = Val::Scalar(self.push(OpKind::Binary(op, l, r), lt));
        if compound {
            self.assign_to(&b.left, v);
            Val::Unit
        } else {
            v
        }
    }

    /// Reports a float mixed with an integer, at the integer operand.
    fn mixed(&mut self, b: &syn::ExprBinary, left_ty: Ty) {
        if self.poisoned.contains(&self.last_operands.0)
            || self.poisoned.contains(&self.last_operands.1)
        {
            return;
        }
        let int_side = if left_ty == Ty::Float {
            &b.right
        } else {
            &b.left
        };
        let msg = match &**int_side {
            Expr::Lit(syn::ExprLit { lit: Lit::Int(i), .. }) => format!(
                "cannot mix a float and the integer literal `{}`; write it as a float literal: `{}.0`",
                i,
                i.base10_digits()
            ),
            _ => MIXED.to_string(),
        };
        self.errors.at(int_side, msg);
    }

    /// Gives a guessed path the type `ty` that its use requires.
    fn settle(&mut self, v: Value, ty: Ty) {
        if self.guessed.remove(&v) && !matches!(ty, Ty::Array(_)) {
            self.func.values[v.0 as usize].ty = ty;
        }
    }

    fn operands(&mut self, b: &syn::ExprBinary, hint: Option<Ty>) -> (Value, Value) {
        let l = self.expr(&b.left, hint);
        let l = self.scalar(l, &b.left, "an operand");
        let lt = self.ty(l);
        let r = self.expr(&b.right, Some(lt));
        let r = self.scalar(r, &b.right, "an operand");
        self.last_operands = (l, r);
        let rt = self.ty(r);
        if lt != rt {
            if self.guessed.contains(&l) {
                self.settle(l, rt);
            } else {
                self.settle(r, lt);
            }
        }
        (l, r)
    }

    fn assign_to(&mut self, target: &Expr, v: Val) {
        match target {
            Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                let name = p.path.segments[0].ident.to_string();
                if !self.assign(&name, v) {
                    self.errors.at(
                        target,
                        format!("cannot assign to `{name}`: it is not a local of this function"),
                    );
                }
            }
            Expr::Paren(p) => self.assign_to(&p.expr, v),
            Expr::Index(ix) => self.store_to(ix, v),
            Expr::Field(_) if field_name(target).is_some_and(|n| self.lookup(&n).is_some()) => {
                if let Some(n) = field_name(target) {
                    self.assign(&n, v);
                }
            }
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.errors.at(
                target,
                "cannot assign through a reference in a #[grad] body; compute a new local instead",
            ),
            _ => self.errors.at(
                target,
                "unsupported assignment target in #[grad] body; assign to a local variable (or an element `a[i]`, or a field of a struct parameter)",
            ),
        }
    }

    /// `if` as an expression or a statement (without `return` inside): the `if` op
    /// yields the branch value and the new values of the outer names it assigns.
    fn if_expr(&mut self, ife: &ExprIf) -> Val {
        let c = self.cond(&ife.cond);
        let has_else = ife.else_branch.is_some();
        self.branch(
            c,
            &mut |l| l.block(&ife.then_branch),
            &mut |l| match ife.else_branch.as_ref().map(|(_, e)| &**e) {
                None => Val::Unit,
                Some(Expr::Block(b)) => l.block(&b.block),
                Some(Expr::If(inner)) => l.if_expr(inner),
                Some(other) => l.expr(other, None),
            },
            has_else,
            ife,
        )
    }

    /// An `if` on `c` whose branches `then` and `els` lower to values of one
    /// shape (`has_value`: the `if` is an expression); the outer names either
    /// branch assigns are yielded too.
    fn branch(
        &mut self,
        c: Value,
        then: &mut dyn FnMut(&mut Self) -> Val,
        els: &mut dyn FnMut(&mut Self) -> Val,
        has_value: bool,
        node: &dyn ToTokens,
    ) -> Val {
        let snapshot = self.scopes.clone();
        let (t_ops, t_val) = self.region(|l| then(l));
        let t_env = std::mem::replace(&mut self.scopes, snapshot.clone());
        let (e_ops, e_val) = self.region(|l| els(l));
        let e_env = std::mem::replace(&mut self.scopes, snapshot);
        let (mut t_ops, mut e_ops) = (t_ops, e_ops);
        let (t_val, e_val) = match (has_value, t_val, e_val) {
            (false, _, _) => (Val::Unit, Val::Unit),
            (_, Val::Never, Val::Never) => return Val::Never,
            // A branch that diverges yields stand-ins it never reaches.
            (_, Val::Never, e) => (self.placeholders(&e, &mut t_ops), e),
            (_, t, Val::Never) => {
                let e = self.placeholders(&t, &mut e_ops);
                (t, e)
            }
            (_, t, e) => (t, e),
        };

        // The outer names either branch assigned, in a fixed order.
        let mut changed = Vec::new();
        for (si, scope) in self.scopes.iter().enumerate() {
            for (bi, b) in scope.iter().enumerate() {
                if t_env[si][bi].val != b.val || e_env[si][bi].val != b.val {
                    changed.push((si, bi));
                }
            }
        }
        let mut t_yields = t_val.flat();
        let mut e_yields = e_val.flat();
        for &(si, bi) in &changed {
            t_env[si][bi].val.flatten(&mut t_yields);
            e_env[si][bi].val.flatten(&mut e_yields);
        }
        let same = t_yields.len() == e_yields.len()
            && t_yields
                .iter()
                .zip(&e_yields)
                .all(|(a, b)| self.ty(*a) == self.ty(*b));
        if !same {
            self.errors.at(
                node,
                "the branches of this `if` (or the arms of this `match`) give values of different types",
            );
            return self.poison();
        }
        let results = self.push_if(c, (t_ops, t_yields), (e_ops, e_yields));
        let mut it = results.into_iter();
        let value = t_val.rebuild(&mut it);
        for (si, bi) in changed {
            let shape = self.scopes[si][bi].val.clone();
            self.scopes[si][bi].val = shape.rebuild(&mut it);
        }
        value
    }
}

fn is_int_type(s: &str) -> bool {
    matches!(
        s,
        "i8" | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
    )
}

const RETURN_IN_LOOP: &str = "`return` inside a loop is not supported in #[grad] bodies; `break` out of the loop and return after it";
const RETURN_HERE: &str = "`return` is supported as a statement of the function body or of the branches of its `if`s; restructure this one as an `if` / `else` expression";
const MIXED: &str = "cannot mix a float and an integer here; convert the integer with `as` (or `T::from_f64`) first";

/// The attributes of an expression statement.
fn expr_attrs(e: &Expr) -> &[syn::Attribute] {
    match e {
        Expr::Block(b) => &b.attrs,
        Expr::If(i) => &i.attrs,
        Expr::ForLoop(f) => &f.attrs,
        Expr::While(w) => &w.attrs,
        Expr::Assign(a) => &a.attrs,
        Expr::Binary(b) => &b.attrs,
        Expr::Call(c) => &c.attrs,
        Expr::MethodCall(m) => &m.attrs,
        Expr::Unsafe(u) => &u.attrs,
        _ => &[],
    }
}

/// A name without its raw prefix: `r#x` and `x` are one variable.
/// The names of a path's segments (`["f64", "exp"]` for `f64::exp`).
pub(super) fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

pub(super) fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// The smallest part of an unsupported expression to point at: its keyword
/// (and the head that goes with it) rather than its whole body.
fn smallest(e: &Expr) -> proc_macro2::TokenStream {
    use quote::quote;
    match e {
        Expr::Match(m) => {
            let (k, scrutinee) = (&m.match_token, &m.expr);
            quote!(#k #scrutinee)
        }
        Expr::Loop(l) => l.loop_token.to_token_stream(),
        Expr::Unsafe(u) => u.unsafe_token.to_token_stream(),
        Expr::ForLoop(f) => {
            let (k, p, i, x) = (&f.for_token, &f.pat, &f.in_token, &f.expr);
            quote!(#k #p #i #x)
        }
        Expr::While(w) => {
            let (k, c) = (&w.while_token, &w.cond);
            quote!(#k #c)
        }
        Expr::Async(a) => a.async_token.to_token_stream(),
        other => other.to_token_stream(),
    }
}

/// The message for an expression kind the lowering does not handle.
fn unsupported(e: &Expr) -> String {
    match e {
        Expr::Unsafe(_) => "`unsafe` blocks cannot be differentiated: a #[grad] body is safe code; write the computation without `unsafe`".into(),
        Expr::Loop(_) => "an unbounded `loop` cannot be differentiated; write a bounded `for i in 0..n` loop".into(),

        Expr::Reference(_) => "references cannot be taken inside a #[grad] body; use the value".into(),
        Expr::Break(_) | Expr::Continue(_) => "`break` and `continue` are supported as statements of a loop body or of the branches of its `if`s".into(),
        Expr::Range(_) => "ranges are only supported as `for` loop bounds".into(),
        Expr::Async(_) | Expr::Await(_) => "async code cannot be differentiated".into(),
        Expr::Try(_) => "the `?` operator is not supported in #[grad] bodies".into(),
        Expr::Struct(_) => "struct literals are not supported in #[grad] bodies".into(),
        Expr::Let(_) => "`let` expressions are not supported here".into(),
        _ => "unsupported expression in #[grad] body".into(),
    }
}
