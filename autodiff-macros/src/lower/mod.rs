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
mod elems;
mod exits;
mod exprs;
mod fields;
mod flow;
mod iters;
mod loops;
mod macros;
mod methods;
mod opt;
mod patterns;
mod reductions;
mod slices;
mod stmts;

use fields::{assigned_fields, field_name};

use crate::error::Errors;
use crate::ir::{BinOp, CastTo, CmpOp, Func, Op, OpKind, Region, Ty, UnOp, Value};
use crate::ir::{IdMap, IdSet};
use crate::prim::{Form, Prim};
use crate::signature::Signature;
use quote::ToTokens;
use syn::visit::Visit;
use syn::{Block, Expr, ExprIf, Lit, Pat, Stmt, Type};

type IdMapString = std::collections::HashMap<String, (String, Vec<String>)>;

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
    /// `base[idx…]` of a struct field whose shape the body cannot see (an
    /// item of `net.w1.iter()`): a number where one is needed, a row where it
    /// is indexed further (`row[0]` is `net.w1[k][0]`).
    Row {
        base: Value,
        idx: Vec<Value>,
    },
    /// An `Option` built in the body (`Some(t)`, `None`): whether it is `Some`,
    /// and its content (`Never` for a `None` whose content type is not known
    /// yet: a placeholder where it meets a `Some`, `opt.rs`).
    Opt {
        tag: Value,
        payload: Box<Val>,
    },
    /// A struct built in the body (`let s = State { pos, vel: [0.0; 2] };`): its
    /// fields live as locals of their own (`field_name`: `s.pos`), read, assigned
    /// and carried by loops like any local.
    Record,
    /// Element `idx` of the array bound at `at` (scope, position): an item of
    /// `x.iter_mut()`. Reading it loads the array's current version; `*o = v`
    /// stores into it.
    Place {
        at: (usize, usize),
        idx: Value,
    },
}

impl Val {
    fn flatten(&self, out: &mut Vec<Value>) {
        match self {
            Val::Unit
            | Val::Poisoned
            | Val::Closure(_)
            | Val::Never
            | Val::Place { .. }
            | Val::Record => {}
            Val::Scalar(v) => out.push(*v),
            Val::Tuple(vs) => vs.iter().for_each(|v| v.flatten(out)),
            Val::Sub { base, start, len } => out.extend([*base, *start, *len]),
            Val::Opt { tag, payload } => {
                out.push(*tag);
                payload.flatten(out);
            }
            Val::Row { base, idx } => {
                out.push(*base);
                out.extend(idx);
            }
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
            Val::Record => Val::Record,
            Val::Row { idx, .. } => {
                let base = it.next();
                let idx: Vec<Value> = idx.iter().filter_map(|_| it.next()).collect();
                match base {
                    Some(base) => Val::Row { base, idx },
                    None => Val::Unit,
                }
            }
            Val::Opt { payload, .. } => match it.next() {
                Some(tag) => Val::Opt {
                    tag,
                    payload: Box::new(payload.rebuild(it)),
                },
                None => Val::Unit,
            },
            Val::Place { at, idx } => Val::Place { at: *at, idx: *idx },
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
    /// `pending_shape` for a method call's result (`let (u, v) = s.pair(x);`).
    pending_method_shape: Option<Vec<Ty>>,
    /// The type the context gives a method call's result.
    method_hint: Option<Ty>,
    /// The single results of calls of `#[grad]` functions (typed by a hint or
    /// a guess: a use may say they are arrays).
    call_results: IdSet,
    /// Slices of structs passed by `&` (their items are references).
    borrowed_slices: IdSet,
    /// The next `user_call` is a method's by-value adapter called with method
    /// syntax (`Callee::dot`).
    pending_dot: bool,
    /// How many closure bodies are being inlined (a `return` there is the
    /// closure's).
    in_closure: usize,
    /// Lowering the initialiser of `let c = b;`: a struct there is copied
    /// field by field, not used whole.
    struct_copy_init: bool,
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
    /// Elements of data of a shape not seen from here (`T[i]`, items of
    /// `T.iter()` of a `const` table): rows where indexed, structs where a
    /// field is read.
    unseen_elems: IdSet,
    /// Parameters of a type the body cannot see (data): value ids.
    opaque: std::collections::HashSet<u32>,
    /// The fields `x.a.b` the body assigns anywhere (`assigned_fields`).
    assigned: Vec<(String, Expr, bool)>,
    /// The names the body assigns whole (`h = …;`): a struct literal bound to
    /// one is a struct value, not a record (`fields.rs`).
    whole_assigned: std::collections::HashSet<String>,
    /// Names of local copies of struct parameters (`let mut st = s;`).
    struct_copies: std::collections::HashSet<String>,
    /// Whether a `Vec` may be built (autodiff's `alloc` feature).
    alloc: bool,
    /// The expression being lowered is a call statement whose value is dropped.
    discarded: bool,
    /// The structs built in the body (`Val::Record`), by the name prefix of
    /// their fields (`\0s`, `\0s.body`): their type, as written, and their
    /// fields in order.
    records: IdMapString,
    /// Where the output parameters (`out: &mut [f64]`) are bound: their values
    /// when the function exits are results too (`fn_exit`).
    out_params: Vec<(usize, usize)>,
    /// Structs made by `S::default()` (`Val::Record`s whose fields are
    /// read from `S::default()` until assigned): name prefix → type as written.
    defaults: std::collections::HashMap<String, String>,
    /// Parameters that are slices of structs or tuples: their element type
    /// (`elems.rs`).
    record_slices: IdMap<syn::Type>,
    /// Loads from those: the slice and the index path (field steps included).
    elems: IdMap<(Value, Vec<Value>)>,
    /// Rows of struct fields of unseen shape taken as arrays (`&p.w[i]` read
    /// for its length or iterated): the field and the row's indices, so that
    /// an element is read from the field itself (`p.w[i][k]`).
    rows: IdMap<(Value, Vec<Value>)>,
    /// Guessed results of operations on two guesses, and their operands.
    guessed_from: IdMap<(Value, Value)>,
    /// Field steps of those paths: the field's name.
    steps: IdMap<String>,
}

/// Lowers the body of the function described by `sig`. Errors go to `errors`; the
/// IR is only meaningful when none were reported.
/// `alloc`: whether the companion may allocate (autodiff's `alloc` feature):
/// without it, what builds a `Vec` is an error that says so.
pub fn lower(sig: &Signature, block: &Block, errors: &mut Errors, alloc: bool) -> Func {
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
        unseen_elems: IdSet::default(),
        opaque: Default::default(),
        assigned: Vec::new(),
        whole_assigned: Default::default(),
        struct_copies: Default::default(),
        alloc,
        discarded: false,
        records: Default::default(),
        out_params: Vec::new(),
        defaults: Default::default(),
        record_slices: IdMap::default(),
        elems: IdMap::default(),
        rows: IdMap::default(),
        guessed_from: IdMap::default(),
        steps: IdMap::default(),
        pending_shape: None,
        pending_method_shape: None,
        method_hint: None,
        call_results: IdSet::default(),
        borrowed_slices: IdSet::default(),
        pending_dot: false,
        in_closure: 0,
        struct_copy_init: false,
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
                    // A differentiated parameter of a type named by an alias
                    // of an array (`a: Vec3`, indexed): an array of unseen
                    // length, not data.
                    if !p.active() {
                        l.opaque.insert(l.func.values.len() as u32);
                    }
                    t
                }
            }
        };
        let v = l.func.new_value(ty);
        if p.is_struct {
            l.structs.insert(v, i);
        }
        l.register_record_slice(v, &p.ty);
        l.func.params.push(v);
        if matches!(p.ty, Type::Reference(_)) {
            l.refs.insert(v);
        }
        if let Some(id) = &p.ident {
            // A parameter whose type was rejected: its uses say nothing more.
            let val = if p.rejected {
                Val::Poisoned
            } else {
                Val::Scalar(v)
            };
            l.bind(id.to_string(), val);
            if p.kind == crate::signature::ParamKind::Out {
                l.out_params.push((0, l.scopes[0].len() - 1));
            }
        }
    }
    // Fields of struct parameters that the body assigns become locals of their
    // own (a copy for an array field), so loops and ifs carry them like any.
    l.assigned = assigned_fields(block);
    l.whole_assigned = fields::assigned_whole(block);
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
        Flow::Value(v) => l.fn_exit(v),
        Flow::Return(o) => o,
    };
    let n_out = l.out_params.len();
    let ok = outs.len() == sig.outputs + n_out
        && outs.iter().all(|v| l.func.differentiable(l.func.ty(*v)));
    if !ok && l.errors.is_empty() {
        let at = block.stmts.last().map(ToTokens::to_token_stream);
        l.errors.at(
            at.unwrap_or_else(|| block.to_token_stream()),
            format!(
                "this body must end in {} of type `{}`",
                if sig.outputs == 0 {
                    "no value".to_string()
                } else if sig.outputs == 1 {
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
    // Call results, and items of data of an unseen shape (a row of a `const`
    // 2-D table, `dist(*anchor, p)`), only passed on to calls: of the
    // callee's shape.
    let mut untyped = std::mem::take(&mut l.untyped_results);
    untyped.extend(
        l.unseen_elems
            .iter()
            .copied()
            .filter(|v| l.guessed.contains(v)),
    );
    calls::type_passed_results(&mut l.func, &untyped);
    crate::linearity::linearize(&mut l.func);
    l.func
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
        if let OpKind::Load(a, idx) = &kind {
            self.note_elem_load(v, *a, idx);
        }
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
        self.note_name(&name, &val);
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

    /// What the function gives back where it exits with value `v`: its results,
    /// then the final contents of each output parameter.
    fn fn_exit(&mut self, v: Val) -> Vec<Value> {
        // A call's result of unseen type returned as a struct result
        // (`-> Vec3 { scale3(v, k) }`): of that struct's type.
        if let (Val::Scalar(r), syn::Type::Path(tp)) = (&v, &self.sig.ret) {
            let named = tp.qself.is_none()
                && self.type_of(&self.sig.ret).is_none()
                && tp.path.segments.last().is_some_and(|s| {
                    s.ident != "Vec" && s.ident.to_string().starts_with(char::is_uppercase)
                });
            if named && self.guessed.contains(r) && self.ty(*r) == Ty::Float {
                let t = self
                    .func
                    .struct_ty(self.sig.ret.to_token_stream().to_string());
                self.settle(*r, t);
            }
        }
        let mut out = v.flat();
        for &(si, bi) in &self.out_params {
            self.scopes[si][bi].val.flatten(&mut out);
        }
        out
    }

    /// Reports `what` at `node` when the companion may not allocate; returns
    /// whether it may.
    fn heap(&mut self, node: &dyn ToTokens, what: &str) -> bool {
        if !self.alloc {
            self.errors.at(
                node,
                format!("{what} builds a `Vec`, which needs the heap: enable autodiff's `alloc` feature (on with `std`, the default), or use a fixed-size array (`[0.0; N]`)"),
            );
        }
        self.alloc
    }

    /// Where the innermost binding of `name` is: (scope, position).
    fn position_of(&self, name: &str) -> Option<(usize, usize)> {
        let name = unraw(name);
        self.scopes
            .iter()
            .enumerate()
            .rev()
            .find_map(|(si, s)| s.iter().rposition(|b| b.name == name).map(|bi| (si, bi)))
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
                // `x = None` where `x` holds an `Option` of known content.
                let val = match (&b.val, val) {
                    (Val::Opt { payload, .. }, Val::Opt { tag, payload: p })
                        if *p == Val::Never && **payload != Val::Never =>
                    {
                        let like = (**payload).clone();
                        let mut ops = Vec::new();
                        let p = self.placeholders(&like, &mut ops);
                        self.ops.extend(ops);
                        Val::Opt {
                            tag,
                            payload: Box::new(p),
                        }
                    }
                    (_, v) => v,
                };
                self.bind_again(name, val);
                true
            }
            None => false,
        }
    }

    /// Remembers `name` as the user's name of `val`'s value (`Func::names`).
    fn note_name(&mut self, name: &str, val: &Val) {
        if let Val::Scalar(v) = val {
            let name = name.trim_start_matches('\0');
            if !name.is_empty() && !name.starts_with("__autodiff") {
                self.func
                    .names
                    .entry(*v)
                    .or_insert_with(|| name.to_string());
            }
        }
    }

    /// Sets the innermost binding of `name` (which exists) to `val`.
    fn bind_again(&mut self, name: &str, val: Val) {
        self.note_name(name, &val);
        if let Some(b) = self
            .scopes
            .iter_mut()
            .rev()
            .flat_map(|s| s.iter_mut().rev())
            .find(|b| b.name == name)
        {
            b.val = val;
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
            Val::Place { at, idx } => {
                let v = self.place_load(at, idx);
                self.scalar(v, node, what)
            }
            Val::Row { base, idx } => {
                let ty = self
                    .func
                    .index_ty(self.ty(base), idx.len())
                    .unwrap_or(Ty::Float);
                self.push(OpKind::Load(base, idx), ty)
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

const RETURN_IN_CLOSURE: &str = "this `return` of a closure is out of reach (inside a loop or a `match` of the closure): a closure's early `return`s are supported as statements of its body or of its `if`s; compute the value in a loop that `break`s and return it at the end, or use an adapter (`.find(…)`, `.fold(…)`)";
const RETURN_IN_LOOP: &str = "`return` from a loop inside a block expression is not supported in #[grad] bodies; make the loop a statement of the function's body, or `break` out of it and return after it";
const RETURN_HERE: &str = "`return` is supported as a statement of the function body or of the branches of its `if`s; restructure this one as an `if` / `else` expression";
const MIXED: &str = "cannot mix a float and an integer here; convert the integer with `as` (or `T::from_f64`) first";

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

        Expr::Reference(_) => "references cannot be taken inside a #[grad] body; use the value".into(),
        Expr::Break(_) | Expr::Continue(_) => "`break` and `continue` are supported as statements of a loop body or of the branches of its `if`s".into(),
        Expr::Range(_) => "ranges are only supported as `for` loop bounds".into(),
        Expr::Async(_) | Expr::Await(_) => "async code cannot be differentiated".into(),
        Expr::Try(_) => "the `?` operator is not supported in #[grad] bodies".into(),
        Expr::Struct(_) => "a struct literal is supported as the value of a `let` (`let s = State { pos, vel: [0.0; 2] };`), whose fields are then read and assigned; not as a value passed on or returned".into(),
        Expr::Let(_) => "`let` expressions are not supported here".into(),
        _ => "unsupported expression in #[grad] body".into(),
    }
}
