//! The intermediate representation: SSA values with structured control flow.
//!
//! Values are `u32` ids into an arena ([`Func::values`]). Every op defines its
//! results once and refers only to values defined before it, in its own region or
//! an enclosing one. `if` is an op that owns two regions and yields values; loops
//! (a later addition) own a body region whose arguments are the loop-carried
//! values. Mutable locals do not exist here: lowering gives every assignment a new
//! value.

use crate::prim::Prim;
use std::collections::HashSet;
use std::fmt::{self, Write as _};

/// An SSA value: an index into [`Func::values`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Value(pub u32);

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// The type of a value. Only `Float` values (of the function's float type) carry
/// gradients; `Int` stands for every other numeric type (integers, and floats of a
/// type other than the function's), `Bool` for conditions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Ty {
    Float,
    Int,
    Bool,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ty::Float => "f",
            Ty::Int => "i",
            Ty::Bool => "b",
        })
    }
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
        }
    }

    /// The regions this op owns.
    pub fn regions(&self) -> Vec<&Region> {
        match &self.kind {
            OpKind::If(_, t, e) => vec![t, e],
            _ => vec![],
        }
    }
}

/// A straight-line list of ops and the values it yields to its parent op.
#[derive(Clone, Debug, Default)]
pub struct Region {
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

    /// Every value defined in this region or in a region nested in it.
    pub fn defined(&self, out: &mut HashSet<Value>) {
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
        let mut defined = HashSet::new();
        self.defined(&mut defined);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        self.visit_uses(&mut |v| {
            if !defined.contains(&v) && seen.insert(v) {
                out.push(v);
            }
        });
        out
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
    pub params: Vec<Value>,
    pub body: Region,
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
}

/// Appends ops to a region under construction; derivative rules and lowering
/// build IR through it.
pub struct Builder<'a> {
    pub func: &'a mut Func,
    pub ops: Vec<Op>,
}

impl<'a> Builder<'a> {
    pub fn new(func: &'a mut Func) -> Self {
        Builder {
            func,
            ops: Vec::new(),
        }
    }

    pub fn ty(&self, v: Value) -> Ty {
        self.func.ty(v)
    }

    /// Pushes a single-result op and returns its result.
    pub fn push(&mut self, kind: OpKind, ty: Ty) -> Value {
        let v = self.func.new_value(ty);
        self.ops.push(Op {
            results: vec![v],
            kind,
        });
        v
    }

    /// Builds a nested region: `f` pushes its ops and returns its yields.
    pub fn region<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> (Vec<Op>, R) {
        let saved = std::mem::take(&mut self.ops);
        let r = f(self);
        let ops = std::mem::replace(&mut self.ops, saved);
        (ops, r)
    }

    pub fn constant(&mut self, c: f64) -> Value {
        self.push(OpKind::Const(c), Ty::Float)
    }
    pub fn neg(&mut self, a: Value) -> Value {
        self.push(OpKind::Unary(UnOp::Neg, a), Ty::Float)
    }
    pub fn bin(&mut self, op: BinOp, a: Value, b: Value) -> Value {
        self.push(OpKind::Binary(op, a, b), Ty::Float)
    }
    pub fn add(&mut self, a: Value, b: Value) -> Value {
        self.bin(BinOp::Add, a, b)
    }
    pub fn sub(&mut self, a: Value, b: Value) -> Value {
        self.bin(BinOp::Sub, a, b)
    }
    pub fn mul(&mut self, a: Value, b: Value) -> Value {
        self.bin(BinOp::Mul, a, b)
    }
    pub fn div(&mut self, a: Value, b: Value) -> Value {
        self.bin(BinOp::Div, a, b)
    }
    pub fn call(&mut self, p: Prim, args: &[Value]) -> Value {
        self.push(OpKind::Call(p, args.to_vec()), Ty::Float)
    }
    pub fn cmp(&mut self, op: CmpOp, a: Value, b: Value) -> Value {
        self.push(OpKind::Cmp(op, a, b), Ty::Bool)
    }
    pub fn select(&mut self, c: Value, a: Value, b: Value) -> Value {
        let ty = self.ty(a);
        self.push(OpKind::Select(c, a, b), ty)
    }
}

// ---------------------------------------------------------------- printer

impl fmt::Display for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{}: {}", p, self.ty(*p)))
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
    }
}

fn print_region(func: &Func, r: &Region, depth: usize, yield_word: &str, s: &mut String) {
    let pad = "  ".repeat(depth);
    for op in &r.ops {
        let res: Vec<String> = op
            .results
            .iter()
            .map(|v| format!("{}: {}", v, func.ty(*v)))
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
    }
    let _ = writeln!(s, "{pad}{yield_word} {}", list(&r.yields));
}

// ---------------------------------------------------------------- verifier

/// Checks the IR's invariants: each value defined once, every use dominated by its
/// definition, conditions are booleans, regions yield what their op declares.
pub fn verify(func: &Func) -> Result<(), String> {
    let mut defined: HashSet<Value> = HashSet::new();
    let mut scope = Scope::default();
    for p in &func.params {
        if !defined.insert(*p) {
            return Err(format!("{p} defined twice"));
        }
        scope.push(*p);
    }
    verify_region(func, &func.body, &mut defined, &mut scope)
}

/// The values visible at a point: a set plus a log to pop nested regions.
#[derive(Default)]
struct Scope {
    set: HashSet<Value>,
    log: Vec<Value>,
}

impl Scope {
    fn push(&mut self, v: Value) {
        self.set.insert(v);
        self.log.push(v);
    }
    fn contains(&self, v: &Value) -> bool {
        self.set.contains(v)
    }
    fn len(&self) -> usize {
        self.log.len()
    }
    fn truncate(&mut self, n: usize) {
        for v in self.log.drain(n..) {
            self.set.remove(&v);
        }
    }
}

fn verify_region(
    func: &Func,
    r: &Region,
    defined: &mut HashSet<Value>,
    scope: &mut Scope,
) -> Result<(), String> {
    let mark = scope.len();
    for op in &r.ops {
        for v in op.operands() {
            if !scope.contains(&v) {
                return Err(format!(
                    "{v} used before its definition in `{}`",
                    op_text(&op.kind)
                ));
            }
        }
        if let OpKind::If(c, t, e) = &op.kind {
            if func.ty(*c) != Ty::Bool {
                return Err(format!("if condition {c} is not a bool"));
            }
            for reg in [t, e] {
                if reg.yields.len() != op.results.len() {
                    return Err(format!(
                        "region yields {} values, its if has {} results",
                        reg.yields.len(),
                        op.results.len()
                    ));
                }
                verify_region(func, reg, defined, scope)?;
                for (y, res) in reg.yields.iter().zip(&op.results) {
                    if func.ty(*y) != func.ty(*res) {
                        return Err(format!("yield {y} has another type than result {res}"));
                    }
                }
            }
        }
        if let OpKind::Select(c, a, b) = &op.kind {
            if func.ty(*c) != Ty::Bool || func.ty(*a) != func.ty(*b) {
                return Err(format!("ill-typed select {c}, {a}, {b}"));
            }
        }
        for v in &op.results {
            if !defined.insert(*v) {
                return Err(format!("{v} defined twice"));
            }
            scope.push(*v);
        }
    }
    for y in &r.yields {
        if !scope.contains(y) {
            return Err(format!("yield of {y} before its definition"));
        }
    }
    scope.truncate(mark);
    Ok(())
}
