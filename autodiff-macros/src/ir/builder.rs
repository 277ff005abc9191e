//! `Builder`: how passes append ops to a function (typed helpers for the ops
//! rules and the reverse sweep build).

use super::*;

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

    /// A zero of `v`'s type: `0.0`, or an array of zeros.
    pub fn zero_like(&mut self, v: Value) -> Value {
        let ty = self.ty(v);
        // A field of a shape not seen from here, or a struct (whose `Vec`
        // fields have a length): a zero like the value itself.
        if self.func.array(ty).is_some_and(|a| a.len == Len::View) || matches!(ty, Ty::Struct(_)) {
            return self.push(OpKind::ZerosLike(v), ty);
        }
        // A `Vec` (a slice): as long as the value, known at run time.
        if let Some(ArrayTy {
            elem,
            len: Len::Vec | Len::Slice,
        }) = self.func.array(ty).cloned()
        {
            let vty = self.func.array_ty(elem, Len::Vec);
            return self.push(OpKind::ZerosLike(v), vty);
        }
        self.zero(ty)
    }

    /// A zero of type `ty`.
    pub fn zero(&mut self, ty: Ty) -> Value {
        match ty {
            Ty::Float => self.constant(0.0),
            // A float array that gradients are added into starts at -0.0, the
            // exact identity of `+` (`-0.0 + x == x` for every x; `0.0 + -0.0`
            // is `0.0`), so the compiler can drop the first additions.
            Ty::Array(_) if self.func.scalar_leaf(ty) == Some(Ty::Float) => {
                let ArrayTy { elem, len } = self.func.array(ty).cloned().unwrap_or(ArrayTy {
                    elem: Ty::Float,
                    len: Len::View,
                });
                match len {
                    Len::Const(_) => {
                        let inner = match elem {
                            Ty::Float => self.constant(-0.0),
                            e => self.zero(e),
                        };
                        self.push(OpKind::Splat(inner), ty)
                    }
                    _ => self.push(OpKind::Zeros, ty),
                }
            }
            Ty::Array(_) | Ty::Struct(_) => self.push(OpKind::Zeros, ty),
            Ty::Int => self.push(
                OpKind::Verbatim("::core::default::Default::default()".into()),
                ty,
            ),
            Ty::Bool => self.push(OpKind::Verbatim("false".into()), ty),
        }
    }

    pub fn load(&mut self, a: Value, idx: &[Value]) -> Value {
        let ty = self
            .func
            .index_ty(self.ty(a), idx.len())
            .unwrap_or(Ty::Float);
        self.push(OpKind::Load(a, idx.to_vec()), ty)
    }

    pub fn store(&mut self, a: Value, idx: &[Value], x: Value) -> Value {
        let ty = self.ty(a);
        self.push(OpKind::Store(a, idx.to_vec(), x), ty)
    }

    pub fn add_at(&mut self, a: Value, idx: &[Value], x: Value) -> Value {
        let ty = self.ty(a);
        self.push(OpKind::AddAt(a, idx.to_vec(), x), ty)
    }
}
