//! `Option`s built in the body: `None`, `Some(t)`, matched by `match`, `if let`
//! and `let … else`, and read by `is_some`, `is_none`, `unwrap`, `expect`,
//! `unwrap_or`.
//!
//! An `Option` is `Val::Opt`: a `bool` (whether it is `Some`) and its content,
//! values like any other, so that `if`s and loops carry them (a `None` holds a
//! placeholder content). A `None` whose content type is not known yet (`let mut
//! best = None;`) takes it from its annotation (`Option<[f64; 3]>`), from the
//! `Some` it meets in an `if`, or else is a float.

use super::{Lowering, Val};
use crate::ir::{BinOp, OpKind, Ty, Value};
use syn::Expr;

impl Lowering<'_, '_> {
    /// `None`, its content not known yet.
    pub(super) fn none(&mut self) -> Val {
        let tag = self.push(OpKind::Verbatim("false".into()), Ty::Bool);
        Val::Opt {
            tag,
            payload: Box::new(Val::Never),
        }
    }

    /// `Some(e)`.
    pub(super) fn some(&mut self, e: &Expr, hint: Option<Ty>) -> Val {
        let v = self.expr(e, hint);
        if v == Val::Poisoned {
            return v;
        }
        let tag = self.push(OpKind::Verbatim("true".into()), Ty::Bool);
        Val::Opt {
            tag,
            payload: Box::new(v),
        }
    }

    /// `v` with every unknown content of a `None` in it made concrete: of type
    /// `ty` where given (an annotation: `Option<[f64; 3]>`, `Option<(f64,
    /// f64)>`), else a float.
    pub(super) fn settle_opt(&mut self, v: Val, ty: Option<&syn::Type>) -> Val {
        match v {
            Val::Opt { tag, payload } => {
                let payload = match *payload {
                    Val::Never => self.placeholder_of(ty),
                    p => self.settle_opt(p, None),
                };
                Val::Opt {
                    tag,
                    payload: Box::new(payload),
                }
            }
            Val::Tuple(vs) => {
                Val::Tuple(vs.into_iter().map(|v| self.settle_opt(v, None)).collect())
            }
            v => v,
        }
    }

    /// Stand-ins for a value of Rust type `t` (a float where not given): one
    /// per element of a tuple.
    fn placeholder_of(&mut self, t: Option<&syn::Type>) -> Val {
        match t {
            Some(syn::Type::Tuple(tt)) => Val::Tuple(
                tt.elems
                    .iter()
                    .map(|e| self.placeholder_of(Some(e)))
                    .collect(),
            ),
            Some(syn::Type::Paren(p)) => self.placeholder_of(Some(&p.elem)),
            t => {
                let ty = t.and_then(|t| self.type_of(t)).unwrap_or(Ty::Float);
                Val::Scalar(self.placeholder(ty))
            }
        }
    }

    /// A stand-in value of type `ty` (the content of a `None`).
    fn placeholder(&mut self, ty: Ty) -> Value {
        let kind = match ty {
            Ty::Float => OpKind::Const(0.0),
            Ty::Bool => OpKind::Verbatim("false".into()),
            Ty::Int => OpKind::Verbatim("::core::default::Default::default()".into()),
            Ty::Array(_) | Ty::Struct(_) => OpKind::Zeros,
        };
        self.push(kind, ty)
    }

    /// The two branch values of an `if` made the same shape where one holds a
    /// `None` of unknown content and the other the matching `Some` (the `None`
    /// gets a placeholder like the other's content, in its own branch's ops), or
    /// where one is an item of a field or of `iter_mut` and the other a number
    /// (the item is read, in its own branch's ops).
    pub(super) fn unify_opts(
        &mut self,
        t: Val,
        e: Val,
        t_ops: &mut Vec<crate::ir::Op>,
        e_ops: &mut Vec<crate::ir::Op>,
    ) -> (Val, Val) {
        match (t, e) {
            (
                Val::Opt {
                    tag: tt,
                    payload: tp,
                },
                Val::Opt {
                    tag: et,
                    payload: ep,
                },
            ) => {
                let (tp, ep) = match (*tp, *ep) {
                    (Val::Never, Val::Never) => (Val::Never, Val::Never),
                    (Val::Never, ep) => (self.placeholders(&ep, t_ops), ep),
                    (tp, Val::Never) => {
                        let ep = self.placeholders(&tp, e_ops);
                        (tp, ep)
                    }
                    (tp, ep) => self.unify_opts(tp, ep, t_ops, e_ops),
                };
                (
                    Val::Opt {
                        tag: tt,
                        payload: Box::new(tp),
                    },
                    Val::Opt {
                        tag: et,
                        payload: Box::new(ep),
                    },
                )
            }
            (Val::Tuple(ts), Val::Tuple(es)) if ts.len() == es.len() => {
                let mut t_out = Vec::new();
                let mut e_out = Vec::new();
                for (t, e) in ts.into_iter().zip(es) {
                    let (t, e) = self.unify_opts(t, e, t_ops, e_ops);
                    t_out.push(t);
                    e_out.push(e);
                }
                (Val::Tuple(t_out), Val::Tuple(e_out))
            }
            // A call's result of unseen type meeting a struct (`if c {
            // car.step(a) } else { car }`): of the struct's type.
            (Val::Scalar(t), Val::Scalar(e))
                if self.ty(t) != self.ty(e)
                    && (matches!(self.ty(t), Ty::Struct(_))
                        || matches!(self.ty(e), Ty::Struct(_))) =>
            {
                let (tt, et) = (self.ty(t), self.ty(e));
                self.name_struct(t, et);
                self.name_struct(e, tt);
                (Val::Scalar(t), Val::Scalar(e))
            }
            // An item of a field (`*e` of `lin.w.iter()`) or of `iter_mut`
            // meeting a number: the item read as a number in its own branch.
            (t @ (Val::Row { .. } | Val::Place { .. }), Val::Scalar(e)) if self.is_number(e) => {
                (Val::Scalar(self.read_in(t, t_ops)), Val::Scalar(e))
            }
            (Val::Scalar(t), e @ (Val::Row { .. } | Val::Place { .. })) if self.is_number(t) => {
                (Val::Scalar(t), Val::Scalar(self.read_in(e, e_ops)))
            }
            (t, e) => (t, e),
        }
    }

    fn is_number(&self, v: Value) -> bool {
        !matches!(self.ty(v), Ty::Array(_) | Ty::Struct(_))
    }

    /// `v` read as a number by ops appended to `ops` (a branch already lowered).
    fn read_in(&mut self, v: Val, ops: &mut Vec<crate::ir::Op>) -> Value {
        let saved = std::mem::replace(&mut self.ops, std::mem::take(ops));
        let r = self.scalar(v, &proc_macro2::TokenStream::new(), "a branch's value");
        *ops = std::mem::replace(&mut self.ops, saved);
        r
    }

    /// `o.is_some()`, `o.is_none()`, `o.unwrap()`, `o.expect(…)`,
    /// `o.unwrap_or(d)` of an `Option` built in the body.
    pub(super) fn opt_method(&mut self, o: Val, m: &syn::ExprMethodCall) -> Val {
        let Val::Opt { tag, payload } = o else {
            return self.poison();
        };
        let name = m.method.to_string();
        match (name.as_str(), m.args.len()) {
            // `x.first().copied()`: the same numbers.
            ("copied" | "cloned", 0) => Val::Opt { tag, payload },
            ("is_some", 0) => Val::Scalar(tag),
            ("is_none", 0) => Val::Scalar(self.not(tag)),
            // A `None` unwrapped panics in the function, which is what the
            // caller sees first: the companion reads the placeholder.
            ("unwrap" | "expect", _) => match *payload {
                Val::Never => {
                    self.errors.at(
                        m,
                        "this `Option` is always `None` here: `unwrap` would panic",
                    );
                    self.poison()
                }
                p => p,
            },
            ("unwrap_or", 1) => {
                let d = self.expr(&m.args[0], None);
                let payload = match *payload {
                    Val::Never => return d,
                    p => p,
                };
                self.select_val(tag, payload, d, m)
            }
            c if COMBINATORS.contains(&c) => self.opt_combinator(Val::Opt { tag, payload }, m),
            _ => {
                self.errors.at(
                    &m.method,
                    format!("unsupported method `{name}` of an `Option` in a #[grad] body; match it (`if let Some(t) = o`, `match`), or use `is_some`, `is_none`, `unwrap`, `unwrap_or`, `unwrap_or_else`, `map`, `map_or`, `and_then`, `filter`, `is_some_and`"),
                );
                self.poison()
            }
        }
    }

    /// `o.map(f)`, `o.map_or(d, f)`, `o.and_then(f)`, `o.unwrap_or_else(f)`:
    /// lowered as the `match` they stand for (`match o { Some(v) => Some(f(v)),
    /// None => None }`), so that `f` runs only for a `Some` (never on the
    /// placeholder content of a `None`) and the gradient flows through the
    /// arm taken. `f` is a closure, a closure of the body or a function path.
    pub(super) fn opt_combinator(&mut self, o: Val, m: &syn::ExprMethodCall) -> Val {
        let f_arg = m.args.last().cloned();
        let Some(f_arg) = f_arg else {
            return self.poison();
        };
        self.scopes.push(Vec::new());
        self.bind("__autodiff_opt".into(), o);
        // The function: a closure literal bound to a name, anything else called
        // as written (`f64::sqrt`, a closure of the body, a #[grad] fn).
        let f: Expr = match &f_arg {
            Expr::Closure(_) => {
                let c = self.expr(&f_arg, None);
                self.bind("__autodiff_opt_f".into(), c);
                syn::parse_quote!(__autodiff_opt_f)
            }
            e => e.clone(),
        };
        let e: Expr = match m.method.to_string().as_str() {
            "map" => syn::parse_quote!(match __autodiff_opt {
                Some(__autodiff_v) => Some(#f(__autodiff_v)),
                None => None,
            }),
            "and_then" => syn::parse_quote!(match __autodiff_opt {
                Some(__autodiff_v) => #f(__autodiff_v),
                None => None,
            }),
            "filter" => syn::parse_quote!(match __autodiff_opt {
                Some(__autodiff_v) if #f(&__autodiff_v) => Some(__autodiff_v),
                _ => None,
            }),
            "is_some_and" => syn::parse_quote!(match __autodiff_opt {
                Some(__autodiff_v) => #f(__autodiff_v),
                None => false,
            }),
            "unwrap_or_else" => syn::parse_quote!(match __autodiff_opt {
                Some(__autodiff_v) => __autodiff_v,
                None => #f(),
            }),
            _ => {
                let d = &m.args[0];
                syn::parse_quote!(match __autodiff_opt {
                    Some(__autodiff_v) => #f(__autodiff_v),
                    None => #d,
                })
            }
        };
        let v = self.expr(&e, None);
        self.scopes.pop();
        v
    }

    /// `if c { a } else { b }` of two values of one shape, element by element.
    fn select_val(&mut self, c: Value, a: Val, b: Val, node: &syn::ExprMethodCall) -> Val {
        let (fa, fb) = (a.flat(), b.flat());
        // Content of an `Option` of data, typed by a guess: the default's type.
        for (x, y) in fa.iter().zip(&fb) {
            let (tx, ty) = (self.ty(*x), self.ty(*y));
            self.settle(*x, ty);
            self.settle(*y, tx);
        }
        let mismatch = fa.len() != fb.len()
            || fa.iter().zip(&fb).any(|(x, y)| {
                self.ty(*x) != self.ty(*y) || matches!(self.ty(*x), Ty::Array(_) | Ty::Struct(_))
            });
        if mismatch {
            self.errors.at(
                &node.args[0],
                "the default of `unwrap_or` must have the type of the `Option`'s content, a number (for an array, match the `Option`)",
            );
            return self.poison();
        }
        let picked: Vec<Value> = fa
            .iter()
            .zip(&fb)
            .map(|(x, y)| {
                let ty = self.ty(*x);
                self.push(OpKind::Select(c, *x, *y), ty)
            })
            .collect();
        a.rebuild(&mut picked.into_iter())
    }

    /// `!c`.
    pub(super) fn not(&mut self, c: Value) -> Value {
        let t = self.push(OpKind::Verbatim("true".into()), Ty::Bool);
        self.push(OpKind::Binary(BinOp::BitXor, c, t), Ty::Bool)
    }
}

/// The methods of an `Option` that take a function (and how many arguments),
/// lowered as the `match` they stand for.
pub(super) const COMBINATORS: [(&str, usize); 6] = [
    ("map", 1),
    ("and_then", 1),
    ("unwrap_or_else", 1),
    ("map_or", 2),
    ("filter", 1),
    ("is_some_and", 1),
];

/// `T` of `Option<T>`.
pub(super) fn option_inner(t: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = t else {
        return None;
    };
    let seg = p.path.segments.last().filter(|s| s.ident == "Option")?;
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}
