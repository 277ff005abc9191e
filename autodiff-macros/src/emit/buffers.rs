//! Buffers: which IR values share one mutable Rust variable. Every version of an
//! array (or a struct's cotangent) lives in one buffer that stores update in place;
//! a loop's carried values live in their init's buffer; an `if` result stays in an
//! outer buffer both branches end in. This says which buffers need `mut`, and how
//! carried values move from one iteration to the next (one parallel copy).

use super::hyg;
use crate::ir::{ArrayTy, Func, IdMap, IdSet, Len, LoopKind, OpKind, Region, Ty, Value};
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

/// Which values need a `mut` binding: a buffer (every version of an array or
/// struct shares one) that something updates, or a `&mut` one passed on to a call.
#[derive(Default)]
pub(super) struct Mutation {
    parent: IdMap<Value>,
    updated: IdSet,
    /// Buffers that are tapes (made by `VecNew`): moved into an outer tape, not
    /// cloned as a `Vec` of the body is.
    tapes: IdSet,
}

impl Mutation {
    fn find(&self, v: Value) -> Value {
        let mut v = v;
        while let Some(&p) = self.parent.get(&v) {
            v = p;
        }
        v
    }

    fn union(&mut self, a: Value, b: Value) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent.insert(rb, ra);
        }
    }

    pub(super) fn of(func: &Func) -> Mutation {
        let mut m = Mutation::default();
        m.region(func, &func.body);
        // Mark roots only after every union is known.
        m.updated = m.updated.iter().map(|v| m.find(*v)).collect();
        m.tapes = m.tapes.iter().map(|v| m.find(*v)).collect();
        m
    }

    fn region(&mut self, func: &Func, r: &Region) {
        let in_place = |v: Value| matches!(func.ty(v), Ty::Array(_) | Ty::Struct(_));
        for op in &r.ops {
            match &op.kind {
                OpKind::Store(a, ..)
                | OpKind::AddAt(a, ..)
                | OpKind::Push(a, _)
                | OpKind::PushAt(a, ..) => {
                    self.union(*a, op.results[0]);
                    self.updated.insert(*a);
                }
                OpKind::View(a, _) => self.union(*a, op.results[0]),
                OpKind::VecNew(_) => {
                    self.tapes.insert(op.results[0]);
                }
                // Reading a tape of tapes takes the element out (a `Vec` row of
                // data, a parameter, is borrowed instead).
                OpKind::Load(a, _)
                    if holds_vec(func, func.ty(op.results[0])) && !func.params.contains(a) =>
                {
                    self.updated.insert(*a);
                }
                OpKind::StopGrad(a) if in_place(*a) => self.union(*a, op.results[0]),
                OpKind::CallBack(c, args, _, shadows) => {
                    for (a, o) in args.iter().zip(&c.outs) {
                        if *o {
                            self.updated.insert(*a);
                        }
                    }
                    let n_bv = op.results.len() - shadows.len();
                    for (s, res) in shadows.iter().zip(&op.results[n_bv..]) {
                        if in_place(*s) {
                            self.union(*s, *res);
                            self.updated.insert(*s);
                        }
                    }
                }
                // An output array passed on: written in place by the callee.
                OpKind::CallFn(c, args) => {
                    let n_val = op.results.len() - c.outs.iter().filter(|o| **o).count();
                    let outs = args.iter().zip(&c.outs).filter(|(_, o)| **o);
                    for ((a, _), r) in outs.zip(&op.results[n_val..]) {
                        self.union(*a, *r);
                        self.updated.insert(*a);
                    }
                }
                OpKind::Loop(l) => {
                    for (j, init) in l.inits.iter().enumerate() {
                        if in_place(*init) {
                            self.union(*init, l.body.args[j + 1]);
                            self.union(*init, op.results[j]);
                            // Carried: updated in the body, or assigned anew.
                            self.updated.insert(*init);
                        }
                    }
                    if let LoopKind::While(c) = &l.kind {
                        for (a, init) in c.args.iter().zip(&l.inits) {
                            if in_place(*init) {
                                self.union(*init, *a);
                            }
                        }
                        self.region(func, c);
                    }
                    self.region(func, &l.body);
                }
                OpKind::If(_, t, e) => {
                    self.region(func, t);
                    self.region(func, e);
                    // As `Emitter::if_op` keeps buffers: one result per buffer.
                    let mut kept = IdSet::default();
                    for (k, res) in op.results.iter().enumerate() {
                        let (ty, ey) = (t.yields[k], e.yields[k]);
                        let root = self.find(ty);
                        if in_place(*res) && root == self.find(ey) && kept.insert(root) {
                            self.union(ty, *res);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether an owned buffer holding `v` is ever updated.
    pub(super) fn updated(&self, v: Value) -> bool {
        self.updated.contains(&self.find(v))
    }

    /// Whether `v` lives in a tape.
    pub(super) fn tape(&self, v: Value) -> bool {
        self.tapes.contains(&self.find(v))
    }
}

/// Whether a value of type `ty` holds a `Vec` (a tape), so is not `Copy`.
/// Whether `ty` is a value whose shape the body does not see (a call's result
/// indexed, a row of a struct field): maybe a `Vec`, so never copied implicitly.
pub(super) fn unseen(func: &Func, ty: Ty) -> bool {
    matches!(func.array(ty), Some(ArrayTy { len: Len::View, .. }))
}

pub(super) fn holds_vec(func: &Func, ty: Ty) -> bool {
    match func.array(ty) {
        Some(ArrayTy { len: Len::Vec, .. }) => true,
        Some(a) => holds_vec(func, a.elem),
        None => false,
    }
}

/// The assignments `target = source` of all `moves` as one parallel copy: every
/// source is read before any target is written. A loop's carried values move this
/// way at the end of each iteration: `u = v; v = u_next;` must read `v` before it
/// is overwritten, and a swap (`u = v; v = u;`) goes through a temporary.
pub(super) fn parallel_copy(moves: Vec<(TokenStream, TokenStream)>) -> Vec<TokenStream> {
    let mut pending: Vec<(String, TokenStream, String, TokenStream)> = moves
        .into_iter()
        .map(|(t, s)| (t.to_string(), t, s.to_string(), s))
        .filter(|(t, _, s, _)| t != s)
        .collect();
    let mut out = Vec::new();
    let mut temps = 0;
    while !pending.is_empty() {
        // A move whose target no pending move still reads goes first.
        let free = pending
            .iter()
            .position(|(t, ..)| !pending.iter().any(|(_, _, s, _)| s == t));
        if let Some(k) = free {
            let (_, t, _, s) = pending.remove(k);
            out.push(quote!(#t = #s;));
            continue;
        }
        // Only cycles are left: keep one target's value in a temporary.
        let tmp = hyg(&format!("carried{temps}"));
        temps += 1;
        let (target, t) = (pending[0].0.clone(), pending[0].1.clone());
        out.push(quote!(let #tmp = #t;));
        for (_, _, s, st) in &mut pending {
            if *s == target {
                *s = tmp.to_string();
                *st = tmp.to_token_stream();
            }
        }
    }
    out
}

pub(super) fn mut_if(yes: bool) -> TokenStream {
    if yes {
        quote!(mut)
    } else {
        TokenStream::new()
    }
}
