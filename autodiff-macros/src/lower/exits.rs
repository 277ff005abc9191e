//! `return` inside loops, and `loop`: rewritten before lowering into what the
//! lowering knows (a `while`, a `break`, and a `return` after the loop).
//!
//! A loop whose body returns (`for … { if hit { return t; } }`) becomes
//!
//! ```text
//! let mut __autodiff_ret: Option<R> = None;   // `bool` when `R` is `()`
//! for … { if hit { __autodiff_ret = Some(t); break; } }
//! if let Some(r) = __autodiff_ret { return r; }
//! ```
//!
//! with, after each loop nested in the body that returns, a
//! `if __autodiff_ret.is_some() { break; }` so that every enclosing loop
//! stops too. `loop { … }` is `while true { … }`: its exits are its `break`s.
//! Closures are left alone (their `return` is theirs).

use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Stmt};

/// `loop { … }` as `while true { … }`, spanned at the `loop` keyword.
pub(super) fn as_while(l: &syn::ExprLoop) -> syn::ExprWhile {
    let at = l.loop_token.span;
    syn::ExprWhile {
        attrs: l.attrs.clone(),
        label: l.label.clone(),
        while_token: syn::Token![while](at),
        cond: Box::new(Expr::Lit(syn::ExprLit {
            attrs: Vec::new(),
            lit: syn::Lit::Bool(syn::LitBool::new(true, at)),
        })),
        body: l.body.clone(),
    }
}

/// Whether `e` (a loop) contains a `return` of the function (not of a closure).
pub(super) fn returns_inside(e: &Expr) -> bool {
    struct Finder(bool);
    impl<'a> Visit<'a> for Finder {
        fn visit_expr_return(&mut self, _: &'a syn::ExprReturn) {
            self.0 = true;
        }
        fn visit_expr_closure(&mut self, _: &'a syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    let mut f = Finder(false);
    f.visit_expr(e);
    f.0
}

/// The statements that stand for `the_loop` (which returns from inside): the
/// result's local, the loop with its `return`s turned into `break`s, and the
/// `return` after it. `ret` is the function's result type (`None`: `()`).
/// `tail`: the loop is a `loop` that ends the function, left only by its
/// `return`s: the result is the one recorded (`__autodiff_ret.unwrap()`).
pub(super) fn lowered_returns(the_loop: &Expr, ret: Option<&syn::Type>, tail: bool) -> Vec<Stmt> {
    let mut body = the_loop.clone();
    let at = syn::spanned::Spanned::span(the_loop);
    let mut rw = Rewriter {
        unit: ret.is_none(),
    };
    rw.visit_expr_mut(&mut body);
    let (decl, after): (Stmt, Stmt) = match ret {
        Some(t) if tail => (
            syn::parse_quote_spanned!(at=> let mut __autodiff_ret: ::core::option::Option<#t> = None;),
            Stmt::Expr(
                syn::parse_quote_spanned!(at=> __autodiff_ret.unwrap()),
                None,
            ),
        ),
        Some(t) => (
            syn::parse_quote_spanned!(at=> let mut __autodiff_ret: ::core::option::Option<#t> = None;),
            syn::parse_quote_spanned!(at=> if let Some(__autodiff_r) = __autodiff_ret { return __autodiff_r; }),
        ),
        None => (
            syn::parse_quote_spanned!(at=> let mut __autodiff_ret = false;),
            syn::parse_quote_spanned!(at=> if __autodiff_ret { return; }),
        ),
    };
    vec![decl, Stmt::Expr(body, Some(Default::default())), after]
}

struct Rewriter {
    /// The function returns `()`: a flag, not an `Option`.
    unit: bool,
}

impl Rewriter {
    /// What `return v` records before its `break`.
    fn set(&self, r: &syn::ExprReturn) -> Expr {
        let at = r.return_token.span;
        match (&r.expr, self.unit) {
            (Some(v), false) => syn::parse_quote_spanned!(at=> __autodiff_ret = Some(#v)),
            _ => syn::parse_quote_spanned!(at=> __autodiff_ret = true),
        }
    }

    fn stop(&self, at: proc_macro2::Span) -> Stmt {
        if self.unit {
            syn::parse_quote_spanned!(at=> if __autodiff_ret { break; })
        } else {
            syn::parse_quote_spanned!(at=> if __autodiff_ret.is_some() { break; })
        }
    }
}

impl VisitMut for Rewriter {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Return(r) => {
                let set = self.set(r);
                let at = r.return_token.span;
                *e = syn::parse_quote_spanned!(at=> { #set; break; });
            }
            Expr::Loop(l) => {
                *e = Expr::While(as_while(l));
                self.visit_expr_mut(e);
            }
            Expr::Closure(_) => {}
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let mut out = Vec::with_capacity(b.stmts.len());
        for mut s in std::mem::take(&mut b.stmts) {
            // `return v;` as a statement: `__autodiff_ret = Some(v); break;`.
            if let Stmt::Expr(Expr::Return(r), _) = &s {
                let set = self.set(r);
                out.push(Stmt::Expr(set, Some(Default::default())));
                let at = r.return_token.span;
                out.push(syn::parse_quote_spanned!(at=> break;));
                continue;
            }
            let nested = matches!(&s, Stmt::Expr(e @ (Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_)), _) if returns_inside(e));
            let at = syn::spanned::Spanned::span(&s);
            self.visit_stmt_mut(&mut s);
            out.push(s);
            if nested {
                out.push(self.stop(at));
            }
        }
        b.stmts = out;
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// A closure's body with its early `return`s (`|r| { if r > c { return k; } r * r }`)
/// turned into `if` / `else` expressions: `if r > c { k } else { r * r }`. Each
/// `if` statement that returns takes the statements after it into its
/// branches; a `return e;` ends its list with `e`. Returns `None` where the body
/// has no `return`, or one this does not reach (inside a loop, a `match`): the
/// lowering then reports it.
pub(super) fn closure_returns(body: &Expr) -> Option<Expr> {
    if !returns_inside(body) {
        return None;
    }
    let stmts = match body {
        Expr::Block(b) => b.block.stmts.clone(),
        e => vec![Stmt::Expr(e.clone(), None)],
    };
    let out = tail_returns(&stmts)?;
    let block = syn::Block {
        brace_token: Default::default(),
        stmts: out,
    };
    Some(Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block,
    }))
}

/// `stmts` ending in a value with no `return` left (`None` if one is out of reach).
fn tail_returns(stmts: &[Stmt]) -> Option<Vec<Stmt>> {
    let mut out = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        let rest = &stmts[i + 1..];
        match s {
            Stmt::Expr(Expr::Return(r), _) => {
                let e = r
                    .expr
                    .as_deref()
                    .cloned()
                    .unwrap_or_else(|| syn::parse_quote!(()));
                out.push(Stmt::Expr(e, None));
                return Some(out);
            }
            Stmt::Expr(Expr::If(ife), _) if returns_inside(&Expr::If(ife.clone())) => {
                out.push(Stmt::Expr(Expr::If(branch_returns(ife, rest)?), None));
                return Some(out);
            }
            s => {
                let inner = match s {
                    Stmt::Expr(e, _) => Some(e),
                    Stmt::Local(l) => l.init.as_ref().map(|i| &*i.expr),
                    _ => None,
                };
                if inner.is_some_and(returns_inside) {
                    return None;
                }
                out.push(s.clone());
            }
        }
    }
    Some(out)
}

/// `if c { A } else { B }` followed by `rest`: `if c { A; rest } else { B; rest }`
/// with the returns of each branch as its value.
fn branch_returns(ife: &syn::ExprIf, rest: &[Stmt]) -> Option<syn::ExprIf> {
    let with_rest = |stmts: &[Stmt]| -> Option<syn::Block> {
        let all: Vec<Stmt> = stmts.iter().cloned().chain(rest.iter().cloned()).collect();
        Some(syn::Block {
            brace_token: Default::default(),
            stmts: tail_returns(&all)?,
        })
    };
    let then_branch = with_rest(&ife.then_branch.stmts)?;
    let else_stmts: Vec<Stmt> = match ife.else_branch.as_ref().map(|(_, e)| &**e) {
        None => Vec::new(),
        Some(Expr::Block(b)) => b.block.stmts.clone(),
        Some(e) => vec![Stmt::Expr(e.clone(), None)],
    };
    let else_block = with_rest(&else_stmts)?;
    Some(syn::ExprIf {
        attrs: ife.attrs.clone(),
        if_token: ife.if_token,
        cond: ife.cond.clone(),
        then_branch,
        else_branch: Some((
            Default::default(),
            Box::new(Expr::Block(syn::ExprBlock {
                attrs: Vec::new(),
                label: None,
                block: else_block,
            })),
        )),
    })
}
