//! The intermediate representation: SSA values with structured control flow.
//!
//! Values are `u32` ids into an arena ([`Func::values`]). Every op defines its
//! results once and refers only to values defined before it, in its own region or
//! an enclosing one. `if` is an op that owns two regions and yields values; a loop
//! owns a body region whose arguments are the iteration index and the
//! loop-carried values, and whose yields are the carried values of the next
//! iteration (like MLIR's `scf.for` with `iter_args`). Mutable locals do not exist
//! here: lowering gives every assignment a new value.
//!
//! Arrays are values too. A store produces a new version of its array; versions
//! are used linearly (no version is read after a newer one exists), so the
//! emitter writes every version of one array into one mutable Rust variable;
//! lowering establishes that (`linearity.rs`, again after the reverse sweep) and `verify` checks it.

use crate::prim::Prim;
use quote::ToTokens;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by values. Value ids are dense `u32`s: one multiplication
/// hashes them well, where the default SipHash was a tenth of the expansion
/// time in the macro's default (opt-level 0) build.
pub type IdMap<V> = HashMap<Value, V, BuildHasherDefault<IdHasher>>;
/// A set of values (see [`IdMap`]).
pub type IdSet = HashSet<Value, BuildHasherDefault<IdHasher>>;

/// The hasher of [`IdMap`] (and of other small keys made of ids, like CSE's):
/// Fibonacci hashing of each word.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

mod builder;
mod print;
mod verify;
pub use builder::Builder;
pub use print::op_text;
use std::fmt;
pub use verify::{linear, verify};

/// An SSA value: an index into [`Func::values`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Value(pub u32);

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// The type of a value. Only `Float` values (of the function's float type) and
/// arrays of them carry gradients; `Int` stands for every other numeric type
/// (integers, and floats of a type other than the function's), `Bool` for
/// conditions. `Array` indexes [`Func::arrays`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Ty {
    Float,
    Int,
    Bool,
    Array(u32),
    /// A struct of parameters: an index into [`Func::structs`] (its Rust type).
    Struct(u32),
}

/// The length of an array type.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Len {
    /// Known at compile time: a literal or a const expression (`3`, `N`).
    Const(String),
    /// A slice, reached through a reference: its length is known at run time.
    Slice,
    /// A growable `Vec` (tapes of loops whose trip count is known at run time).
    Vec,
    /// A field of a struct of parameters, of a shape not seen from here:
    /// indexing it, at any depth, gives floats.
    View,
}

/// An array type: element type and length.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ArrayTy {
    pub elem: Ty,
    pub len: Len,
}

/// How a loop iterates.
#[derive(Clone, Debug)]
pub enum LoopKind {
    /// `for i in lo..hi` (or `lo..=hi`), forwards or backwards.
    Range {
        lo: Value,
        hi: Value,
        inclusive: bool,
        rev: bool,
    },
    /// `while cond`: the region reads the carried values (its args) and yields a
    /// bool. The body's index argument counts iterations from 0 (`usize`).
    While(Region),
}

/// A function called from a `#[grad]` body: another `#[grad]` function, or one
/// whose companion `<name>_backward` was written by hand (`#[grad(custom)]`).
#[derive(Clone, Debug)]
pub struct Callee {
    /// The path as written (`layer`, `nn::layer::<T>`); its companion is the same
    /// path with `_backward` appended to the last segment.
    pub path: syn::Path,
    /// Per argument: passed as `&arg`.
    pub refs: Vec<bool>,
    /// Per argument: wrapped in `autodiff::no_grad(…)`, so the callee does not
    /// differentiate that parameter (it excludes it with `wrt`).
    pub stop: Vec<bool>,
    /// Whether the result is a tuple (one result per element) rather than a value.
    pub tuple: bool,
    /// Per argument: passed as `&mut arg`, an output array the callee writes
    /// (its new version is one of the call's results, after the value's).
    pub outs: Vec<bool>,
    /// The callee returns `()` (its results are in output arrays): no value
    /// result, no `d_out` for its companion.
    pub unit: bool,
    /// A call of the callee's `_forward` companion (in a forward-mode
    /// companion): `path` names it, each differentiable argument is followed by
    /// its tangent, and the results are the value's, then the tangent's, then
    /// the new versions of the output arrays (and of their tangents) in
    /// argument order.
    pub forward: bool,
    /// Called with method syntax on its first argument (`recv.name(…)`, `path`
    /// one segment): a method's by-value adapter on a struct value whose type
    /// the body does not name (a call's result).
    pub dot: bool,
    /// Per argument, in a reverse sweep's call of the companion (or a forward
    /// companion's call of `_forward`): the argument carries no gradient (a
    /// constant, data), so the caller passes `Skip` to the callee's uniform
    /// companion (`emit::uniform`) and wants nothing back (passes no tangent).
    /// Empty elsewhere.
    pub skip: Vec<bool>,
}

impl Callee {
    /// Whether a reverse sweep calls the callee's uniform companion
    /// (`emit::uniform`): every call but one of a companion itself
    /// (`f_backward(…)` in a body: nested differentiation, its own layout)
    /// and one with method syntax on a value (`recv.f(…)`) whose function
    /// is not a by-value adapter.
    pub fn uniform(&self) -> bool {
        let Some(last) = self.path.segments.last() else {
            return false;
        };
        let name = syn::ext::IdentExt::unraw(&last.ident).to_string();
        let nested = name.ends_with("_backward") || name.ends_with("_forward");
        !nested && (self.adapter() || !self.dot)
    }

    /// Whether a forward-mode companion calls the callee's uniform forward
    /// companion (`emit::uniform`): as `uniform`, but not a by-value adapter.
    pub fn uniform_forward(&self) -> bool {
        self.uniform() && !self.adapter()
    }

    /// Whether the callee is a method's by-value adapter (`__autodiff_v_f`).
    pub fn adapter(&self) -> bool {
        self.path
            .segments
            .last()
            .is_some_and(|l| l.ident.to_string().starts_with(crate::emit::ADAPTER_PREFIX))
    }
}

/// A loop: `results = loop (carried = inits) { body }`.
#[derive(Clone, Debug)]
pub struct Loop {
    pub kind: LoopKind,
    pub inits: Vec<Value>,
    /// Args: the index, then one per carried value. Yields: the next carried
    /// values, then (with `has_break`) a bool that is false to leave the loop.
    pub body: Region,
    pub has_break: bool,
    /// Whether the loop's last result is its end marker: for a range, the
    /// exclusive end of the indices it ran; for a `while`, its trip count.
    pub track_end: bool,
    /// Where the loop was written, for errors found later (tapes without `alloc`).
    pub span: proc_macro2::Span,
}
/// What the arena knows about a value.
#[derive(Clone, Debug)]
pub struct ValueData {
    pub ty: Ty,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    /// Integer-only operators, kept verbatim (inactive).
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// The target of a cast.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum CastTo {
    /// The function's float type.
    Float,
    /// Any other scalar type, written as in the source (`usize`, `i32`, `f32` …).
    Other(String),
}

/// One operation. Ops with regions (`If`) yield their results from the regions.
#[derive(Clone, Debug)]
pub enum OpKind {
    /// A float constant of the function's float type.
    Const(f64),
    /// An inactive literal or path, emitted verbatim (`3`, `true`, `N`, `usize::MAX`).
    Verbatim(String),
    /// A value read from a path that is not a local: a `const` item or an associated
    /// constant of the float type (`K`, `f64::consts::PI`). Emitted verbatim.
    Extern(String),
    Unary(UnOp, Value),
    Binary(BinOp, Value, Value),
    Cmp(CmpOp, Value, Value),
    /// A float primitive with a derivative rule.
    Call(Prim, Vec<Value>),
    /// A method of an inactive value, emitted as `recv.name(args)`.
    Method(String, Vec<Value>),
    Cast(Value, CastTo),
    /// `if c { a } else { b }` on values already computed (used by derivative rules).
    Select(Value, Value, Value),
    /// Structured conditional: runs one region, results are that region's yields.
    If(Value, Region, Region),
    /// Structured loop: results are the final carried values (and the end marker).
    Loop(Box<Loop>),
    /// `a[i][j]…`: an element, or a sub-array when fewer indices than dimensions.
    Load(Value, Vec<Value>),
    /// `a[i]… = v`: the new version of `a`.
    Store(Value, Vec<Value>, Value),
    /// `a[i]… += v` (all of `a` without indices): the new version of `a`.
    AddAt(Value, Vec<Value>, Value),
    /// An array of zeros of the result's type.
    Zeros,
    /// `[v; n]` for the result's type.
    Splat(Value),
    /// `vec![v; n]`: a `Vec` of `n` copies of `v` (`n` known at run time).
    VecSplat(Value, Value),
    /// `[a, b, c]`.
    ArrayLit(Vec<Value>),
    /// `S { a: x, b: y }`: a struct of the type written (its path as tokens)
    /// built from its fields' values (a struct result, a struct built in the
    /// body used whole).
    StructLit(String, Vec<(String, Value)>),
    /// A fresh copy of an array (`let mut b = a;`).
    Copy(Value),
    /// An empty `Vec` (a tape), with room for as many elements as the value says.
    VecNew(Option<Value>),
    /// `v.push(x)`: the new version of the `Vec`.
    Push(Value, Value),
    /// `v.push(x)` of a `Vec` of the body, `at` its length before (the index
    /// the element takes, which its cotangent is read from).
    PushAt(Value, Value, Value),
    /// Sum of all elements of a float array (the adjoint of `Splat`).
    SumAll(Value),
    /// The field path `.a.b` of a struct value, updated in place with it (the
    /// cotangent of a field of a struct parameter).
    View(Value, Vec<String>),
    /// An array of zeros as long as a slice (scratch for a callee's shadow).
    ZerosLike(Value),
    /// The value, through which no gradient flows (`autodiff::no_grad`).
    StopGrad(Value),
    /// A call to a function with a companion; results: its value (or the
    /// elements of its tuple).
    CallFn(Box<Callee>, Vec<Value>),
    /// The call of the companion in the reverse sweep: args, the cotangents of
    /// the results, and the incoming cotangent of each differentiable `&` arg.
    /// Results: the gradient of each differentiable by-value arg, then the
    /// updated cotangent of each differentiable `&` arg.
    CallBack(Box<Callee>, Vec<Value>, Vec<Value>, Vec<Value>),
    /// A macro kept for its effect in the forward sweep only (`assert!`,
    /// `println!`, `panic!` …): no results, no gradient, never removed, never
    /// run again by the reverse sweep.
    Effect(Box<Effect>),
}

/// A macro call kept for its effect: `path!(args…)`.
#[derive(Clone, Debug)]
pub struct Effect {
    /// The macro's path as written (`assert_eq`, `std::println`).
    pub path: syn::Path,
    pub args: Vec<EffectArg>,
    /// Whether it never returns (`panic!`): the rest of its region is dead.
    pub diverges: bool,
}

/// An argument of an effect macro.
#[derive(Clone, Debug)]
pub enum EffectArg {
    /// Tokens kept as written (a format string).
    Tokens(proc_macro2::TokenStream),
    /// A value of the body.
    Value(Value),
    /// `name = value` (a format string's inline `{name}` made explicit).
    Named(String, Value),
}

impl Effect {
    /// The values it reads.
    pub fn values(&self) -> impl Iterator<Item = Value> + '_ {
        self.args.iter().filter_map(|a| match a {
            EffectArg::Value(v) | EffectArg::Named(_, v) => Some(*v),
            EffectArg::Tokens(_) => None,
        })
    }
}

/// An op and the values it defines.
#[derive(Clone, Debug)]
pub struct Op {
    pub results: Vec<Value>,
    pub kind: OpKind,
}

impl Op {
    /// The single result of a non-region op.
    pub fn result(&self) -> Value {
        debug_assert_eq!(self.results.len(), 1);
        self.results[0]
    }

    /// The values this op reads directly (not those read inside its regions).
    pub fn operands(&self) -> Vec<Value> {
        match &self.kind {
            OpKind::Const(_) | OpKind::Verbatim(_) | OpKind::Extern(_) => vec![],
            OpKind::Unary(_, a) | OpKind::Cast(a, _) => vec![*a],
            OpKind::Binary(_, a, b) | OpKind::Cmp(_, a, b) => vec![*a, *b],
            OpKind::Call(_, args) | OpKind::Method(_, args) => args.clone(),
            OpKind::Select(c, a, b) => vec![*c, *a, *b],
            OpKind::If(c, _, _) => vec![*c],
            OpKind::Loop(l) => {
                let mut v = match &l.kind {
                    LoopKind::Range { lo, hi, .. } => vec![*lo, *hi],
                    LoopKind::While(_) => vec![],
                };
                v.extend(&l.inits);
                v
            }
            OpKind::Load(a, idx) => {
                let mut v = vec![*a];
                v.extend(idx);
                v
            }
            OpKind::Store(a, idx, x) | OpKind::AddAt(a, idx, x) => {
                let mut v = vec![*a];
                v.extend(idx);
                v.push(*x);
                v
            }
            OpKind::Zeros | OpKind::VecNew(None) => vec![],
            OpKind::VecNew(Some(n)) => vec![*n],
            OpKind::Splat(a) | OpKind::Copy(a) | OpKind::SumAll(a) => vec![*a],
            OpKind::VecSplat(a, n) => vec![*a, *n],
            OpKind::ZerosLike(a) | OpKind::StopGrad(a) | OpKind::View(a, _) => vec![*a],
            OpKind::CallFn(_, args) => args.clone(),
            OpKind::CallBack(_, args, ds, shadows) => {
                args.iter().chain(ds).chain(shadows).copied().collect()
            }
            OpKind::ArrayLit(xs) => xs.clone(),
            OpKind::StructLit(_, fs) => fs.iter().map(|(_, v)| *v).collect(),
            OpKind::Push(a, x) => vec![*a, *x],
            OpKind::PushAt(a, x, at) => vec![*a, *x, *at],
            OpKind::Effect(e) => e.values().collect(),
        }
    }

    /// The array version this op consumes (updates in place), if any.
    pub fn consumes(&self) -> Vec<Value> {
        match &self.kind {
            OpKind::Store(a, ..)
            | OpKind::AddAt(a, ..)
            | OpKind::Push(a, _)
            | OpKind::PushAt(a, ..) => vec![*a],
            OpKind::Loop(l) => l.inits.clone(),
            OpKind::CallBack(_, _, _, shadows) => shadows.clone(),
            // An output array passed on: the callee writes it in place.
            OpKind::CallFn(c, args) => args
                .iter()
                .zip(&c.outs)
                .filter(|(_, o)| **o)
                .map(|(a, _)| *a)
                .collect(),
            _ => vec![],
        }
    }

    /// Rewrites every value this op reads, inside its regions too.
    pub fn map_uses(&mut self, f: &mut impl FnMut(Value) -> Value) {
        match &mut self.kind {
            OpKind::Const(_) | OpKind::Verbatim(_) | OpKind::Extern(_) => {}
            OpKind::Unary(_, a) | OpKind::Cast(a, _) => *a = f(*a),
            OpKind::Binary(_, a, b) | OpKind::Cmp(_, a, b) => {
                *a = f(*a);
                *b = f(*b);
            }
            OpKind::Call(_, args) | OpKind::Method(_, args) => {
                for a in args {
                    *a = f(*a);
                }
            }
            OpKind::Select(c, a, b) => {
                *c = f(*c);
                *a = f(*a);
                *b = f(*b);
            }
            OpKind::If(c, t, e) => {
                *c = f(*c);
                t.map_uses(f);
                e.map_uses(f);
            }
            OpKind::Loop(l) => {
                match &mut l.kind {
                    LoopKind::Range { lo, hi, .. } => {
                        *lo = f(*lo);
                        *hi = f(*hi);
                    }
                    LoopKind::While(c) => c.map_uses(f),
                }
                for v in &mut l.inits {
                    *v = f(*v);
                }
                l.body.map_uses(f);
            }
            OpKind::Load(a, idx) => {
                *a = f(*a);
                for i in idx {
                    *i = f(*i);
                }
            }
            OpKind::Store(a, idx, x) | OpKind::AddAt(a, idx, x) => {
                *a = f(*a);
                for i in idx {
                    *i = f(*i);
                }
                *x = f(*x);
            }
            OpKind::Zeros | OpKind::VecNew(None) => {}
            OpKind::VecNew(Some(n)) => *n = f(*n),
            OpKind::Splat(a) | OpKind::Copy(a) | OpKind::SumAll(a) => *a = f(*a),
            OpKind::VecSplat(a, n) => {
                *a = f(*a);
                *n = f(*n);
            }
            OpKind::ZerosLike(a) | OpKind::StopGrad(a) | OpKind::View(a, _) => *a = f(*a),
            OpKind::CallFn(_, args) => {
                for a in args {
                    *a = f(*a);
                }
            }
            OpKind::CallBack(_, args, ds, shadows) => {
                for a in args.iter_mut().chain(ds).chain(shadows) {
                    *a = f(*a);
                }
            }
            OpKind::ArrayLit(xs) => {
                for x in xs {
                    *x = f(*x);
                }
            }
            OpKind::StructLit(_, fs) => {
                for (_, x) in fs {
                    *x = f(*x);
                }
            }
            OpKind::Effect(e) => {
                for a in &mut e.args {
                    if let EffectArg::Value(v) | EffectArg::Named(_, v) = a {
                        *v = f(*v);
                    }
                }
            }
            OpKind::Push(a, x) => {
                *a = f(*a);
                *x = f(*x);
            }
            OpKind::PushAt(a, x, at) => {
                *a = f(*a);
                *x = f(*x);
                *at = f(*at);
            }
        }
    }

    /// Renames every value this op defines: its results, and inside its regions
    /// their args and their ops' results.
    pub fn map_defs(&mut self, f: &mut impl FnMut(Value) -> Value) {
        for r in &mut self.results {
            *r = f(*r);
        }
        match &mut self.kind {
            OpKind::If(_, t, e) => {
                t.map_defs(f);
                e.map_defs(f);
            }
            OpKind::Loop(l) => {
                if let LoopKind::While(c) = &mut l.kind {
                    c.map_defs(f);
                }
                l.body.map_defs(f);
            }
            _ => {}
        }
    }

    /// The regions this op owns.
    pub fn regions(&self) -> Vec<&Region> {
        match &self.kind {
            OpKind::If(_, t, e) => vec![t, e],
            OpKind::Loop(l) => match &l.kind {
                LoopKind::While(c) => vec![c, &l.body],
                LoopKind::Range { .. } => vec![&l.body],
            },
            _ => vec![],
        }
    }

    /// Whether the op owns regions (and so is never duplicated by CSE or recomputed).
    pub fn has_regions(&self) -> bool {
        matches!(self.kind, OpKind::If(..) | OpKind::Loop(_))
    }
}

/// A straight-line list of ops and the values it yields to its parent op. Its
/// args are defined on entry (a loop body's index and carried values).
#[derive(Clone, Debug, Default)]
pub struct Region {
    pub args: Vec<Value>,
    pub ops: Vec<Op>,
    pub yields: Vec<Value>,
}

impl Region {
    pub fn map_uses(&mut self, f: &mut impl FnMut(Value) -> Value) {
        for op in &mut self.ops {
            op.map_uses(f);
        }
        for y in &mut self.yields {
            *y = f(*y);
        }
    }

    /// Renames the values defined here (args, op results, nested regions).
    pub fn map_defs(&mut self, f: &mut impl FnMut(Value) -> Value) {
        for a in &mut self.args {
            *a = f(*a);
        }
        for op in &mut self.ops {
            op.map_defs(f);
        }
    }

    /// Every value defined in this region or in a region nested in it.
    pub fn defined(&self, out: &mut IdSet) {
        out.extend(self.args.iter().copied());
        for op in &self.ops {
            out.extend(op.results.iter().copied());
            for r in op.regions() {
                r.defined(out);
            }
        }
    }

    /// Every value read in this region (nested regions included) and not defined in it,
    /// in order of first use.
    pub fn free_uses(&self) -> Vec<Value> {
        let mut defined = IdSet::default();
        self.defined(&mut defined);
        let mut seen = IdSet::default();
        let mut out = Vec::new();
        self.visit_uses(&mut |v| {
            if !defined.contains(&v) && seen.insert(v) {
                out.push(v);
            }
        });
        out
    }

    /// The array versions updated in place somewhere in this region (or yielded by
    /// an `if`, whose result may be updated in place).
    pub fn consumed(&self, func: &Func, out: &mut IdSet) {
        for op in &self.ops {
            out.extend(op.consumes());
            if let OpKind::If(_, t, e) = &op.kind {
                for y in t.yields.iter().chain(&e.yields) {
                    if matches!(func.ty(*y), Ty::Array(_)) {
                        out.insert(*y);
                    }
                }
            }
            for reg in op.regions() {
                reg.consumed(func, out);
            }
        }
    }

    /// Calls `f` on every use, nested regions included.
    pub fn visit_uses(&self, f: &mut impl FnMut(Value)) {
        for op in &self.ops {
            for v in op.operands() {
                f(v);
            }
            for r in op.regions() {
                r.visit_uses(f);
            }
        }
        for y in &self.yields {
            f(*y);
        }
    }
}

/// A function: its parameters (entry values) and its body, whose yields are the
/// function's results.
#[derive(Clone, Debug, Default)]
pub struct Func {
    pub values: Vec<ValueData>,
    /// The array types, interned.
    pub arrays: Vec<ArrayTy>,
    /// The struct types (their Rust type as text), interned.
    pub structs: Vec<String>,
    /// Fields of struct parameters the body reads, defined on entry like
    /// parameters: `(value, parameter index, field path)`.
    pub views: Vec<(Value, usize, Vec<String>)>,
    pub params: Vec<Value>,
    pub body: Region,
    /// The user's name of a value, where lowering bound one to it (the first
    /// name it got): labels for `#[grad(graph)]`.
    pub names: IdMap<String>,
}

impl Func {
    pub fn new_value(&mut self, ty: Ty) -> Value {
        let v = Value(self.values.len() as u32);
        self.values.push(ValueData { ty });
        v
    }

    pub fn ty(&self, v: Value) -> Ty {
        self.values[v.0 as usize].ty
    }

    /// The interned array type `[elem; len]`.
    pub fn array_ty(&mut self, elem: Ty, len: Len) -> Ty {
        let a = ArrayTy { elem, len };
        if let Some(i) = self.arrays.iter().position(|x| *x == a) {
            return Ty::Array(i as u32);
        }
        self.arrays.push(a);
        Ty::Array(self.arrays.len() as u32 - 1)
    }

    /// The interned struct type with Rust type `text`.
    pub fn struct_ty(&mut self, text: String) -> Ty {
        if let Some(i) = self.structs.iter().position(|x| *x == text) {
            return Ty::Struct(i as u32);
        }
        self.structs.push(text);
        Ty::Struct(self.structs.len() as u32 - 1)
    }

    /// The array type behind `ty`, if it is one.
    pub fn array(&self, ty: Ty) -> Option<&ArrayTy> {
        match ty {
            Ty::Array(i) => self.arrays.get(i as usize),
            _ => None,
        }
    }

    /// The type reached by indexing `ty` with `n` indices.
    pub fn index_ty(&self, ty: Ty, n: usize) -> Option<Ty> {
        let mut t = ty;
        for _ in 0..n {
            let a = self.array(t)?;
            if a.len == Len::View {
                return Some(Ty::Float);
            }
            t = a.elem;
        }
        Some(t)
    }

    /// Whether values of `ty` carry gradients: floats and arrays of floats.
    pub fn differentiable(&self, ty: Ty) -> bool {
        match ty {
            Ty::Float => true,
            Ty::Array(_) => self.array(ty).is_some_and(|a| self.differentiable(a.elem)),
            Ty::Struct(_) => true,
            Ty::Int | Ty::Bool => false,
        }
    }

    /// The scalar at the bottom of an array type (`None` through unknown shapes).
    pub fn scalar_leaf(&self, ty: Ty) -> Option<Ty> {
        match ty {
            Ty::Array(_) => {
                let a = self.array(ty)?;
                if a.len == Len::View {
                    return None;
                }
                self.scalar_leaf(a.elem)
            }
            t => Some(t),
        }
    }

    /// `ty` as text: `f`, `i`, `b`, `[f; 3]`, `[f]`, `vec<f>`.
    pub fn ty_text(&self, ty: Ty) -> String {
        match ty {
            Ty::Float => "f".into(),
            Ty::Int => "i".into(),
            Ty::Bool => "b".into(),
            Ty::Struct(i) => self.structs.get(i as usize).cloned().unwrap_or_default(),
            Ty::Array(_) => match self.array(ty) {
                Some(ArrayTy {
                    elem,
                    len: Len::Const(n),
                }) => format!("[{}; {n}]", self.ty_text(*elem)),
                Some(ArrayTy {
                    elem,
                    len: Len::Slice,
                }) => format!("[{}]", self.ty_text(*elem)),
                Some(ArrayTy {
                    elem,
                    len: Len::Vec,
                }) => format!("vec<{}>", self.ty_text(*elem)),
                Some(ArrayTy { len: Len::View, .. }) => "[..]".into(),
                None => "?".into(),
            },
        }
    }
}
