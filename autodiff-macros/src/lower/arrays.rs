//! Lowering of arrays: indexing, element assignment, literals, `.len()`.
//!
//! An element assignment makes a new version of the array (`store`) and rebinds
//! the name to it; reading an element is a `load` of the current version.

use super::{Lowering, Val};
use crate::ir::{Len, OpKind, Ty, Value};
use quote::ToTokens;
use syn::{Expr, ExprArray, ExprIndex, ExprRepeat};

impl Lowering<'_, '_> {
    /// `a[i][j]…` → the array `a` and its indices, outermost first.
    fn index_chain<'e>(&mut self, ix: &'e ExprIndex) -> (&'e Expr, Vec<Value>) {
        let mut idx_exprs = vec![&*ix.index];
        let mut base = &*ix.expr;
        while let Expr::Index(inner) = base {
            idx_exprs.push(&*inner.index);
            base = &*inner.expr;
        }
        idx_exprs.reverse();
        let idx = idx_exprs
            .into_iter()
            .map(|e| {
                let v = self.expr(e, Some(Ty::Int));
                let v = self.scalar(v, e, "an index");
                // `let k = argmax(x); x[k]`: the call's result is an integer.
                self.settle(v, Ty::Int);
                if self.ty(v) != Ty::Int {
                    self.errors.at(
                        e,
                        "an index must be an integer (`usize`): indices are not differentiable",
                    );
                }
                v
            })
            .collect();
        (base, idx)
    }

    /// Whether `e` is a path to something outside the body (a `const`).
    pub(super) fn is_outer_path(&self, e: &Expr) -> bool {
        match e {
            Expr::Path(p) => {
                let local = p
                    .path
                    .get_ident()
                    .is_some_and(|id| self.lookup(&id.to_string()).is_some());
                p.qself.is_none() && !local
            }
            _ => false,
        }
    }

    /// The array `e` evaluates to, or an error saying `msg`.
    pub(super) fn array_value_or(&mut self, e: &Expr, msg: &str) -> Option<Value> {
        // A `const` array from outside the body (`C[i]`): data of a shape not
        // seen from here.
        if let Expr::Path(p) = e {
            if self.is_outer_path(e) {
                let ty = self.func.array_ty(Ty::Float, Len::View);
                return Some(self.push(OpKind::Extern(p.to_token_stream().to_string()), ty));
            }
        }
        if self.field_path(e).is_some() {
            let any = self.func.array_ty(Ty::Float, Len::View);
            return self.field_of(e, any);
        }
        let v = self.expr(e, None);
        match v {
            Val::Scalar(a) if matches!(self.ty(a), Ty::Array(_)) => Some(a),
            // A call's result not typed yet (`let y = layer(w, x); y[i]`): an
            // array of the callee's shape, which the compiler checks.
            Val::Scalar(a) if self.rows.contains_key(&a) => self.as_row(a),
            // An element of a slice of an array alias (`for p in points { p[0] }`
            // of `points: &[Vec3]`): indexed where it is, through its index path.
            Val::Scalar(a) if self.elems.contains_key(&a) => Some(a),
            Val::Scalar(a) if self.guessed.remove(&a) => {
                let any = self.func.array_ty(Ty::Float, Len::View);
                self.func.values[a.0 as usize].ty = any;
                Some(a)
            }
            Val::Scalar(a) if self.poisoned.contains(&a) => None,
            Val::Poisoned => None,
            _ => {
                self.errors.at(e, msg);
                None
            }
        }
    }

    pub(super) fn array_value(&mut self, e: &Expr) -> Option<Value> {
        self.array_value_or(
            e,
            "only arrays and slices can be indexed in a #[grad] body (if this is the result of a call, annotate it: `let h: [f64; N] = f(…);`)",
        )
    }

    pub(super) fn index_expr(&mut self, ix: &ExprIndex, hint: Option<Ty>) -> Val {
        let (base, mut idx) = self.index_chain(ix);
        // `row[j]` of a row of a struct field: the field's element.
        if let Expr::Path(p) = base {
            let row = p
                .path
                .get_ident()
                .and_then(|id| match self.lookup(&id.to_string()) {
                    Some(Val::Row { base, idx }) => Some((*base, idx.clone())),
                    _ => None,
                });
            if let Some((b, mut at)) = row {
                at.extend(idx);
                let ty = self
                    .func
                    .index_ty(self.ty(b), at.len())
                    .unwrap_or(Ty::Float);
                return Val::Scalar(self.push(OpKind::Load(b, at), ty));
            }
        }
        // An element of a sub-slice: of its base, `start` further.
        let a = match self.sub_of(base) {
            Some((b, start, _)) => {
                idx[0] = self.bin(crate::ir::BinOp::Add, start, idx[0]);
                Some(b)
            }
            None => self.array_value(base),
        };
        let Some(a) = a else {
            return self.poison();
        };
        // An array field of an element of a slice of structs (`p.pos[0]`).
        if let Some((b, mut at)) = self.elems.get(&a).cloned() {
            at.extend(idx);
            return Val::Scalar(self.elem_load(b, at));
        }
        // An element of a row of a struct field: of the field itself.
        if let Some((b, mut at)) = self.rows.get(&a).cloned() {
            at.extend(idx);
            if hint.is_none() {
                return Val::Row { base: b, idx: at };
            }
            let ty = self
                .func
                .index_ty(self.ty(b), at.len())
                .unwrap_or(Ty::Float);
            return Val::Scalar(self.push(OpKind::Load(b, at), ty));
        }
        match self.func.index_ty(self.ty(a), idx.len()) {
            Some(ty) => {
                // An element of an array of a shape not seen from here (a struct
                // field, a `const` from outside): a number unless the annotation
                // (`let r: [f64; 2] = p.w[0];`) or a later index says it is a row.
                let unseen = self
                    .func
                    .array(self.ty(a))
                    .is_some_and(|t| t.len == Len::View)
                    && ty == Ty::Float;
                let ty = match hint {
                    Some(h @ Ty::Array(_)) if unseen => h,
                    _ => ty,
                };
                let v = self.push(OpKind::Load(a, idx.clone()), ty);
                if unseen && ty == Ty::Float {
                    self.guessed.insert(v);
                    self.unseen_elems.insert(v);
                    // A row if its use says so (`as_row`): read in place.
                    if self.func.views.iter().any(|(w, _, _)| *w == a) {
                        self.rows.insert(v, (a, idx));
                    }
                }
                Val::Scalar(v)
            }
            None => {
                self.errors.at(ix, "too many indices for this array");
                self.poison()
            }
        }
    }

    /// A row of a struct field as an array (`&p.w[i]`: borrowed in the
    /// companion, whatever its shape): for its length, iteration or a call.
    pub(super) fn row_value(&mut self, base: Value, idx: Vec<Value>) -> Value {
        let any = self.func.array_ty(Ty::Float, Len::View);
        let v = self.push(OpKind::Load(base, idx.clone()), any);
        self.rows.insert(v, (base, idx));
        // A reference, like a `&` parameter: passed on as it is.
        self.refs.insert(v);
        v
    }

    /// `v`, an item of a struct field read by index (`p.w[i]`) and typed as a
    /// number by a guess, as a row when its use needs an array (iterated,
    /// passed on by `&`): borrowed in the companion, its elements read from the
    /// field itself.
    pub(super) fn as_row(&mut self, v: Value) -> Option<Value> {
        if !self.rows.contains_key(&v) {
            return None;
        }
        if self.guessed.remove(&v) {
            self.func.values[v.0 as usize].ty = self.func.array_ty(Ty::Float, Len::View);
        }
        self.refs.insert(v);
        Some(v)
    }

    /// A copy of a row of a struct field (`let mut r = p.w[i];`): typed by its
    /// use, a number unless indexed.
    pub(super) fn row_copy(&mut self, base: Value, idx: Vec<Value>) -> Value {
        let v = self.push(OpKind::Load(base, idx), Ty::Float);
        self.guessed.insert(v);
        v
    }

    /// `&p.w[l]` passed on by `&`: a row of a struct field, of a shape only the
    /// callee knows (`None` when `ix` is not indexing a field).
    pub(super) fn field_row(&mut self, ix: &ExprIndex) -> Option<Value> {
        let mut base = &*ix.expr;
        while let Expr::Index(inner) = base {
            base = &*inner.expr;
        }
        self.field_path(base)?;
        let (base, idx) = self.index_chain(ix);
        let any = self.func.array_ty(Ty::Float, Len::View);
        let a = self.field_of(base, any)?;
        Some(self.push(OpKind::Load(a, idx), any))
    }

    /// `a[i]… = v`: a new version of `a`, bound to its name.
    pub(super) fn store_to(&mut self, ix: &ExprIndex, v: Val) {
        let (base, idx) = self.index_chain(ix);
        // A field of a struct parameter that the body assigns is a local.
        let field = super::field_name(base).filter(|n| self.lookup(n).is_some());
        let name = match (base, field) {
            (_, Some(n)) => n,
            // An array field of a local struct value: a new version of it.
            (Expr::Field(_), None) if self.struct_value_path(base).is_some() => {
                if let Some((name, s, mut path)) = self.struct_value_path(base) {
                    path.extend(idx);
                    self.store_field(&name, s, path, v, base);
                }
                return;
            }
            (Expr::Path(p), None) => match p.path.get_ident() {
                Some(id) => id.to_string(),
                None => {
                    self.errors
                        .at(base, "assign to elements of a local array (`a[i] = …`)");
                    return;
                }
            },
            _ => {
                self.errors
                    .at(base, "assign to elements of a local array (`a[i] = …`)");
                return;
            }
        };
        if self.sub_of(base).is_some() {
            self.errors.at(
                base,
                "a sub-slice cannot be assigned to; write to the array itself (`x[a + i] = …`)",
            );
            return;
        }
        let Some(a) = self.array_value(base) else {
            return;
        };
        if self
            .func
            .array(self.ty(a))
            .is_some_and(|t| t.len == Len::Slice)
            && !self.is_out_param(&name)
        {
            self.errors.at(
                base,
                "a slice parameter cannot be assigned to; copy it into a local array first",
            );
            return;
        }
        let x = self.scalar(v, ix, "the assigned value");
        let want = self.func.index_ty(self.ty(a), idx.len());
        if want != Some(self.ty(x)) {
            self.errors
                .at(ix, "the assigned value does not have the element's type");
            return;
        }
        let ty = self.ty(a);
        let new = self.push(OpKind::Store(a, idx, x), ty);
        self.assign(&name, Val::Scalar(new));
    }

    /// Whether `a` is an array of a shape not seen from here that is no
    /// struct field's (a `const` from outside the body).
    pub(super) fn unseen_array(&self, a: Value) -> bool {
        self.func
            .array(self.ty(a))
            .is_some_and(|t| t.len == Len::View)
            && !self.func.views.iter().any(|(v, _, _)| *v == a)
            && !self.rows.contains_key(&a)
    }

    /// `[x; n]`: zeros when `x` is zero, else `x` repeated.
    pub(super) fn repeat(&mut self, r: &ExprRepeat) -> Val {
        let x = self.expr(&r.expr, Some(Ty::Float));
        let x = self.scalar(x, &r.expr, "the repeated element");
        let elem = self.ty(x);
        let ty = self
            .func
            .array_ty(elem, Len::Const(r.len.to_token_stream().to_string()));
        let last = self
            .ops
            .last()
            .and_then(|o| Some((&o.kind, *o.results.first()?)));
        let zero = match last {
            Some((OpKind::Const(c), v)) => v == x && *c == 0.0,
            Some((OpKind::Zeros, v)) => v == x,
            _ => false,
        };
        if zero {
            self.ops.pop();
            return Val::Scalar(self.push(OpKind::Zeros, ty));
        }
        if matches!(elem, Ty::Array(_)) {
            self.errors.at(&r.expr, "only `[x; n]` of a number or of zeros (`[[0.0; m]; n]`) is supported; fill the array in a loop");
            return self.poison();
        }
        Val::Scalar(self.push(OpKind::Splat(x), ty))
    }

    /// `[a, b, c]`.
    pub(super) fn array_lit(&mut self, a: &ExprArray) -> Val {
        let xs: Vec<Value> = a
            .elems
            .iter()
            .map(|e| {
                let v = self.expr(e, Some(Ty::Float));
                self.scalar(v, e, "an array element")
            })
            .collect();
        let Some(&first) = xs.first() else {
            self.errors.at(
                a,
                "empty array literals are not supported; write `[0.0; 0]`",
            );
            return self.poison();
        };
        let elem = self.ty(first);
        if xs.iter().any(|x| self.ty(*x) != elem) {
            self.errors
                .at(a, "the elements of this array have different types");
            return self.poison();
        }
        let ty = self.func.array_ty(elem, Len::Const(xs.len().to_string()));
        Val::Scalar(self.push(OpKind::ArrayLit(xs), ty))
    }

    /// `a.len()`: a constant for a fixed-size array, a call for a slice.
    pub(super) fn len_of(&mut self, a: Value) -> Value {
        match self.func.array(self.ty(a)).map(|t| t.len.clone()) {
            // `4usize`, not `4`: a length is a `usize` wherever it goes.
            Some(Len::Const(n)) if n.parse::<u64>().is_ok() => {
                self.push(OpKind::Verbatim(format!("{n}usize")), Ty::Int)
            }
            Some(Len::Const(n)) => self.push(OpKind::Verbatim(n), Ty::Int),
            _ => self.push(OpKind::Method("len".into(), vec![a]), Ty::Int),
        }
    }

    /// Whether `name` is an output parameter (`out: &mut [f64]`), writable.
    pub(super) fn is_out_param(&self, name: &str) -> bool {
        self.out_params
            .iter()
            .any(|&(si, bi)| self.scopes[si][bi].name == super::unraw(name))
            && self
                .position_of(name)
                .is_some_and(|at| self.out_params.contains(&at))
    }

    /// A copy of array `a` (its own buffer).
    pub(super) fn copy_array(&mut self, a: Value, at: &Expr) -> Value {
        let ty = self.ty(a);
        if self.func.array(ty).is_some_and(|t| t.len == Len::Slice) {
            // A slice is only ever read: sharing it is exact.
            let _ = at;
            return a;
        }
        self.push(OpKind::Copy(a), ty)
    }
}
