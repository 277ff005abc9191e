//! Elements of slices of structs and tuples: `ps: &[Particle]`, `pts: &[(f64,
//! f64)]` (or `&[S; N]`, `&Vec<S>`), differentiated (shadow `d_ps: &mut [S]`)
//! or data.
//!
//! An element is never a value of its own: it is read through its slice, field
//! by field. A load from such a slice (`ps[i]`, an item of `ps.iter()`) is
//! remembered with its index path (`elems`); a field of it (`p.x`, `p.0`, a
//! tuple pattern `&(x, y)`) is a load from the slice whose path goes on with a
//! *field step*: an inactive value `Verbatim(".x")` that the emitter writes as
//! `.x` where the index path is written (`ps[k].x`, and in the reverse sweep
//! `d_ps[k].x += g`). The load of the whole element, unused then, is removed by
//! DCE. A field's type comes from the element type where it is written (a
//! tuple's elements); a struct's fields are numbers, or arrays when indexed.

use super::{Lowering, Val};
use crate::ir::{OpKind, Ty, Value};
use syn::Type;

impl Lowering<'_, '_> {
    /// Registers parameter `v` of type `t` when it is a slice (array, `Vec`)
    /// of structs or tuples.
    pub(super) fn register_record_slice(&mut self, v: Value, t: &Type) {
        let borrowed = matches!(t, Type::Reference(_));
        let t = match t {
            Type::Reference(r) => &*r.elem,
            t => t,
        };
        let elem = match t {
            Type::Slice(s) => &*s.elem,
            Type::Array(a) => &*a.elem,
            t => match crate::signature::vec_elem(t) {
                Some(e) => e,
                None => return,
            },
        };
        let record = match elem {
            Type::Tuple(tt) => !tt.elems.is_empty(),
            Type::Path(p) => {
                p.qself.is_none() && self.type_of(elem).is_none() && {
                    let last = p.path.segments.last().map(|s| s.ident.to_string());
                    last.is_some_and(|n| {
                        n != "Vec"
                            && n != "Option"
                            && n.chars().next().is_some_and(char::is_uppercase)
                    })
                }
            }
            _ => false,
        };
        if record {
            self.record_slices.insert(v, elem.clone());
            if borrowed {
                self.borrowed_slices.insert(v);
            }
        }
    }

    /// Notes a load from a slice of records (called for every `Load` pushed).
    #[inline(never)]
    pub(super) fn note_elem_load(&mut self, r: Value, base: Value, idx: &[Value]) {
        if self.record_slices.contains_key(&base) {
            self.elems.insert(r, (base, idx.to_vec()));
        }
    }

    /// The slice and index path of `v` when it is (part of) an element of a
    /// slice of records.
    pub(super) fn elem_of(&self, v: &Val) -> Option<(Value, Vec<Value>)> {
        match v {
            Val::Scalar(x) => self.elems.get(x).cloned(),
            _ => None,
        }
    }

    /// The Rust type at the end of index path `idx` into record slice `base`
    /// (`None` where it is not written: a struct's field).
    fn elem_type(&self, base: Value, idx: &[Value]) -> Option<Type> {
        let mut t = self.record_slices.get(&base)?.clone();
        for i in idx.iter().skip(1) {
            t = match (self.steps.get(i), &t) {
                (Some(name), Type::Tuple(tt)) => tt.elems.iter().nth(name.parse().ok()?)?.clone(),
                (Some(_), _) => return None,
                (None, Type::Array(a)) => (*a.elem).clone(),
                (None, Type::Slice(s)) => (*s.elem).clone(),
                (None, t) => crate::signature::vec_elem(t)?.clone(),
            };
        }
        Some(t)
    }

    /// A load of path `idx` from record slice `base`, typed by the element type
    /// where it is written (a number, typed by its first use, where not).
    pub(super) fn elem_load(&mut self, base: Value, idx: Vec<Value>) -> Value {
        let ty = match self.elem_type(base, &idx) {
            Some(t) => self.type_of(&t),
            None => None,
        };
        let v = self.push(OpKind::Load(base, idx), ty.unwrap_or(Ty::Float));
        if ty.is_none() {
            self.guessed.insert(v);
        }
        // An array or `Vec` inside an element (`|(p, r)|` over `&[(f64,
        // Vec<f64>)]`): a reference into the slice, passed on as it is.
        if matches!(ty, Some(Ty::Array(_))) {
            self.refs.insert(v);
        }
        v
    }

    /// `e.member` of (part of) an element: a load one field step further.
    pub(super) fn elem_field(
        &mut self,
        base: Value,
        mut idx: Vec<Value>,
        member: &syn::Member,
    ) -> Val {
        let name = match member {
            syn::Member::Named(n) => super::unraw(&n.to_string()).to_string(),
            syn::Member::Unnamed(i) => i.index.to_string(),
        };
        let step = self.push(OpKind::Verbatim(format!(".{name}")), Ty::Int);
        self.steps.insert(step, name);
        idx.push(step);
        Val::Scalar(self.elem_load(base, idx))
    }

    /// Whether `v` is a whole element of a slice of structs (`ps[i]`, an item
    /// of `for p in ps`) used whole (passed on, a method's receiver): then a
    /// struct value of the element's type (a copy, whose cotangent is added
    /// into the shadow's element).
    pub(super) fn whole_struct_elem(&mut self, v: Value) -> bool {
        let Some((b, idx)) = self.elems.get(&v).cloned() else {
            return false;
        };
        if matches!(self.ty(v), Ty::Struct(_)) {
            return true;
        }
        let Some(t @ Type::Path(_)) = self.elem_type(b, &idx) else {
            return false;
        };
        if idx.len() != 1 || self.type_of(&t).is_some() || self.ty(v) != Ty::Float {
            return false;
        }
        let text = quote::ToTokens::to_token_stream(&t).to_string();
        self.guessed.remove(&v);
        self.func.values[v.0 as usize].ty = self.func.struct_ty(text);
        true
    }

    /// `let (a, b) = pts[i];`, `for &(x, y) in pts`: each name a field.
    pub(super) fn elem_tuple(&mut self, base: Value, idx: Vec<Value>, n: usize) -> Vec<Val> {
        (0..n)
            .map(|k| {
                let m = syn::Member::Unnamed(syn::Index::from(k));
                self.elem_field(base, idx.clone(), &m)
            })
            .collect()
    }

    /// Reports `v` used whole where it is an element (or a tuple or struct
    /// field) of a slice of records: read field by field only.
    pub(super) fn no_whole_elem(&mut self, v: Value, at: &dyn quote::ToTokens) {
        let Some((b, idx)) = self.elems.get(&v).cloned() else {
            return;
        };
        if self.whole_struct_elem(v) {
            return;
        }
        let record = match self.elem_type(b, &idx) {
            Some(t @ Type::Path(_)) => self.type_of(&t).is_none(),
            Some(Type::Tuple(_)) => true,
            _ => false,
        };
        if record {
            self.errors.at(
                at,
                "an element of a slice of structs or tuples is read field by field here (`ps[i].x`, `let (a, b) = pts[i];`); passing it on whole is not supported yet: pass its fields, or the whole slice",
            );
        }
    }
}
