//! Iterator chains: what a `for` loop or a reduction walks.
//!
//! A chain is a source — an array or slice (`x.iter()`, `&x`, `x`, `x.into_iter()`)
//! or an integer range (`(0..n)`, `(a..=b)`) — and adapters applied in order:
//! `copied`/`cloned` (nothing), `enumerate`, `zip(other chain)`, `map(f)`, `rev`,
//! `skip(n)`, `take(n)`, `step_by(s)`. It lowers to a loop over `k` in `0..len`
//! (a range source: over the range itself) whose item is computed from `k`:
//! every adapter is an index map or a function of the item, so nothing is
//! materialised and the reverse sweep sees plain loads. `f` is a closure
//! (`|v| …`, inlined) or a path to a float function (`f64::exp`, `f64::max`,
//! `autodiff::relu`) or to a `#[grad]` function.

use super::{segments, Lowering, Val};
use crate::ir::{BinOp, Callee, CastTo, Op, OpKind, Ty, Value};
use crate::prim::{Form, Prim};
use syn::{Expr, ExprClosure};

/// A function an adapter or a reduction applies.
#[derive(Clone, Copy)]
pub(super) enum Callable<'e> {
    Closure(&'e ExprClosure),
    Path(&'e syn::ExprPath),
}

impl<'e> Callable<'e> {
    /// `|v| …` or `f64::exp`; `None` for anything else.
    pub(super) fn of(e: &'e Expr) -> Option<Callable<'e>> {
        match e {
            Expr::Closure(c) => Some(Callable::Closure(c)),
            Expr::Path(p) => Some(Callable::Path(p)),
            Expr::Paren(p) => Callable::of(&p.expr),
            _ => None,
        }
    }
}

/// Where a chain's items come from.
#[derive(Clone, Copy)]
enum Source {
    /// The elements of an array or slice.
    Array(Value),
    /// The elements of the local array bound at `at`, as places
    /// (`y.iter_mut()`): `arr` is its version before the loop.
    Mut { arr: Value, at: (usize, usize) },
    /// The elements of a sub-slice (`&x[a..b]`): `len` of `base` from `start`.
    Sub {
        base: Value,
        start: Value,
        len: Value,
    },
    /// `x.windows(size)` (`step` 1, `exact`), `x.chunks(size)` (`step` = size,
    /// the last one shorter), `x.chunks_exact(size)`: sub-slices of the `len`
    /// elements of `base` from `start`.
    Windows {
        base: Value,
        start: Value,
        len: Value,
        size: Value,
        kind: Cut,
    },
    /// The integers `lo..hi` (or `lo..=hi`); `untyped`: `lo` is a literal
    /// without a suffix (its type comes from its use).
    Range {
        lo: Value,
        hi: Value,
        inclusive: bool,
        untyped: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cut {
    Windows,
    Chunks,
    ChunksExact,
}

/// An adapter, applied to the chain built so far.
#[derive(Clone)]
enum Stage<'e> {
    Enumerate,
    Zip(Box<Chain<'e>>),
    Map(Callable<'e>),
    /// `filter(p)`: only at the chain's tail, with `map`s (see `Tail`).
    Filter(Callable<'e>, &'e Expr),
    Rev,
    Skip(Value),
    Take(Value),
    StepBy(Value),
}

/// A `map` or `filter` of a chain's tail: the adapters after its first
/// `filter`, applied to each item in the loop body (`reductions.rs`) rather
/// than by index.
#[derive(Clone, Copy)]
pub(super) enum Tail<'e> {
    Map(Callable<'e>),
    Filter(Callable<'e>, &'e Expr),
}

/// An iterator chain: its source, its adapters in order, and (once `prepare`d)
/// the length after each adapter (`lens[0]`: the source's).
#[derive(Clone)]
pub(super) struct Chain<'e> {
    source: Source,
    stages: Vec<Stage<'e>>,
    lens: Vec<Value>,
}

impl Chain<'_> {
    /// Where the tail starts: the first `filter` (all stages: none).
    fn tail_start(&self) -> usize {
        self.stages
            .iter()
            .position(|s| matches!(s, Stage::Filter(..)))
            .unwrap_or(self.stages.len())
    }

    /// Whether the chain has a `filter`.
    pub(super) fn tail_filters(&self) -> bool {
        self.tail_start() < self.stages.len()
    }

    /// The number of items before any `filter` (after `prepare_indexed`).
    pub(super) fn len(&self) -> Value {
        self.lens[self.lens.len() - 1]
    }
}

/// How a loop over a chain runs: over `lo..hi` (forwards or backwards) with the
/// item a function of the loop index.
pub(super) struct Walk {
    pub lo: Value,
    pub hi: Value,
    pub inclusive: bool,
    pub rev: bool,
}

impl Lowering<'_, '_> {
    /// An array-valued expression used as an iterator source: `x`, `&x`,
    /// `x.iter()`, a sub-slice.
    fn iter_source(&mut self, e: &Expr) -> Option<Source> {
        let e = match e {
            Expr::Reference(r) => &*r.expr,
            Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => &*m.receiver,
            Expr::Paren(p) => return self.iter_source(&p.expr),
            e => e,
        };
        if let Some((base, start, len)) = self.sub_of(e) {
            return Some(Source::Sub { base, start, len });
        }
        if let Expr::Index(ix) = e {
            if let Expr::Range(r) = &*ix.index {
                return match self.sub_slice(&ix.expr, r) {
                    Val::Sub { base, start, len } => Some(Source::Sub { base, start, len }),
                    _ => None,
                };
            }
        }
        // A row of a struct field of unknown shape (`p.w[i]`, an item of
        // `p.w.iter()`): its elements read from the field itself.
        let row = match e {
            Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|id| match self.lookup(&id.to_string()) {
                    Some(Val::Row { base, idx }) => Some((*base, idx.clone())),
                    _ => None,
                }),
            _ => None,
        };
        if let Some((base, idx)) = row {
            return Some(Source::Array(self.row_value(base, idx)));
        }
        self.array_value_or(e, "expected an array or a slice to iterate over")
            .map(Source::Array)
    }

    /// `y.iter_mut()` of a local array `y`: its elements as places.
    fn iter_mut_source(&mut self, recv: &Expr) -> Option<Source> {
        let name = match recv {
            Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
            _ => None,
        };
        let at = name.as_deref().and_then(|n| self.position_of(n));
        let Some(at) = at else {
            self.errors.at(
                recv,
                "`iter_mut` is supported on a local array or `Vec` (`let mut y = [0.0; 3]; for o in y.iter_mut() { … }`)",
            );
            return None;
        };
        match self.scopes[at.0][at.1].val {
            Val::Scalar(arr)
                if matches!(self.ty(arr), Ty::Array(_))
                    && (!self.refs.contains(&arr) || self.out_params.contains(&at)) =>
            {
                let elem = self.func.index_ty(self.ty(arr), 1);
                if elem != Some(Ty::Float) {
                    self.errors.at(
                        recv,
                        "`iter_mut` is supported on arrays of floats; index the rows of a 2-D array (`m[i][j] = …`)",
                    );
                    return None;
                }
                Some(Source::Mut { arr, at })
            }
            _ => {
                self.errors.at(
                    recv,
                    "`iter_mut` is supported on a local array or `Vec` (`let mut y = [0.0; 3]; for o in y.iter_mut() { … }`)",
                );
                None
            }
        }
    }

    /// The value an item place holds now: a load of its array's current version.
    pub(super) fn place_load(&mut self, at: (usize, usize), idx: Value) -> Val {
        match self.scopes[at.0][at.1].val {
            Val::Scalar(a) => {
                let ty = self.func.index_ty(self.ty(a), 1).unwrap_or(Ty::Float);
                Val::Scalar(self.push(OpKind::Load(a, vec![idx]), ty))
            }
            _ => self.poison(),
        }
    }

    /// `*o = x` for an item place: a new version of its array.
    pub(super) fn place_store(&mut self, at: (usize, usize), idx: Value, x: Value) {
        if let Val::Scalar(a) = self.scopes[at.0][at.1].val {
            let ty = self.ty(a);
            let v = self.push(OpKind::Store(a, vec![idx], x), ty);
            self.scopes[at.0][at.1].val = Val::Scalar(v);
        }
    }

    /// `a..b` / `a..=b` (in parentheses or not) as a chain source.
    fn range_source(&mut self, e: &Expr) -> Option<Option<Source>> {
        let r = match e {
            Expr::Range(r) => r,
            Expr::Paren(p) => return self.range_source(&p.expr),
            _ => return None,
        };
        let (Some(start), Some(end)) = (&r.start, &r.end) else {
            self.errors.at(
                r,
                "a range needs both bounds (`a..b`): an unbounded loop cannot be differentiated",
            );
            return Some(None);
        };
        let lo = self.expr(start, Some(Ty::Int));
        let lo = self.scalar(lo, start, "a range bound");
        let hi = self.expr(end, Some(Ty::Int));
        let hi = self.scalar(hi, end, "a range bound");
        // Data typed by a guess (`self.years * self.freq`): a bound is an integer.
        self.settle(lo, Ty::Int);
        self.settle(hi, Ty::Int);
        if self.ty(lo) != Ty::Int || self.ty(hi) != Ty::Int {
            self.errors.at(r, "range bounds must be integers");
            return Some(None);
        }
        let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
        let untyped = matches!(&**start, Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) if i.suffix().is_empty());
        Some(Some(Source::Range {
            lo,
            hi,
            inclusive,
            untyped,
        }))
    }

    /// Parses an iterator chain (see the module doc).
    pub(super) fn chain<'e>(&mut self, e: &'e Expr) -> Option<Chain<'e>> {
        let new = |source| Chain {
            source,
            stages: Vec::new(),
            lens: Vec::new(),
        };
        if let Some(src) = self.range_source(e) {
            return src.map(new);
        }
        let Expr::MethodCall(m) = e else {
            return self.iter_source(e).map(new);
        };
        let name = m.method.to_string();
        let n_args = m.args.len();
        let stage = match (name.as_str(), n_args) {
            ("iter" | "into_iter", 0) => {
                if let Some(src) = self.range_source(&m.receiver) {
                    return src.map(new);
                }
                return self.iter_source(&m.receiver).map(new);
            }
            ("windows" | "chunks" | "chunks_exact", 1) => {
                let kind = match name.as_str() {
                    "windows" => Cut::Windows,
                    "chunks" => Cut::Chunks,
                    _ => Cut::ChunksExact,
                };
                let size = self.expr(&m.args[0], Some(Ty::Int));
                let size = self.scalar(size, &m.args[0], "a window size");
                let (base, start, len) = match self.iter_source(&m.receiver)? {
                    Source::Array(a) => {
                        let zero = self.int("0");
                        let n = self.len_of(a);
                        (a, zero, n)
                    }
                    Source::Sub { base, start, len } => (base, start, len),
                    _ => return None,
                };
                return Some(new(Source::Windows {
                    base,
                    start,
                    len,
                    size,
                    kind,
                }));
            }
            ("iter_mut", 0) => return self.iter_mut_source(&m.receiver).map(new),
            ("copied" | "cloned", 0) => None,
            ("enumerate", 0) => Some(Stage::Enumerate),
            ("rev", 0) => Some(Stage::Rev),
            ("zip", 1) => Some(Stage::Zip(Box::new(self.chain(&m.args[0])?))),
            ("filter", 1) => match Callable::of(&m.args[0]) {
                Some(f) => Some(Stage::Filter(f, &m.args[0])),
                None => {
                    self.errors
                        .at(&m.args[0], "`filter` takes a closure `|v| …` here");
                    return None;
                }
            },
            ("map", 1) => match Callable::of(&m.args[0]) {
                Some(f) => Some(Stage::Map(f)),
                None => {
                    self.errors.at(
                        &m.args[0],
                        "`map` takes a closure `|v| …` or a function path `f64::exp` here",
                    );
                    return None;
                }
            },
            ("skip" | "take" | "step_by", 1) => {
                let v = self.expr(&m.args[0], Some(Ty::Int));
                let v = self.scalar(v, &m.args[0], "a count");
                if self.ty(v) != Ty::Int {
                    self.errors.at(&m.args[0], "expected an integer count");
                    return None;
                }
                Some(match name.as_str() {
                    "skip" => Stage::Skip(v),
                    "take" => Stage::Take(v),
                    _ => Stage::StepBy(v),
                })
            }
            _ => {
                self.errors.at(
                    &m.method,
                    format!("unsupported iterator adapter `{name}` in #[grad] fn; the supported adapters are `copied`, `cloned`, `enumerate`, `zip`, `map`, `filter`, `rev`, `skip`, `take` and `step_by` on `x.iter()` or a range `(a..b)`"),
                );
                return None;
            }
        };
        let mut c = self.chain(&m.receiver)?;
        let positional = stage
            .as_ref()
            .is_some_and(|s| !matches!(s, Stage::Map(_) | Stage::Filter(..)));
        if positional && c.tail_filters() {
            self.errors.at(
                &m.method,
                format!("`.{name}(…)` after `.filter(…)` is not supported; put `.filter(…)` after the adapters that count items (`enumerate`, `zip`, `skip`, `take`, `step_by`, `rev`)"),
            );
            return None;
        }
        c.stages.extend(stage);
        Some(c)
    }

    /// Computes the length after each adapter (before the loop: loop-invariant),
    /// and how the loop walks.
    pub(super) fn prepare(&mut self, c: &mut Chain<'_>) -> Walk {
        if let Source::Range {
            lo, hi, inclusive, ..
        } = c.source
        {
            // Over the range itself; `rev` directly on it runs backwards.
            let mut rev = false;
            let mut ok = true;
            for s in &c.stages {
                match s {
                    Stage::Rev if !rev => rev = true,
                    Stage::Map(_) | Stage::Filter(..) => {}
                    _ => ok = false,
                }
            }
            if !ok {
                // zip / enumerate / skip … on a range: walk 0..len, items lo + k.
                return self.prepare_indexed(c);
            }
            return Walk {
                lo,
                hi,
                inclusive,
                rev,
            };
        }
        self.prepare_indexed(c)
    }

    /// Lengths for a chain walked by index `0..len`.
    pub(super) fn prepare_indexed(&mut self, c: &mut Chain<'_>) -> Walk {
        let mut len = match c.source {
            Source::Array(a) | Source::Mut { arr: a, .. } => self.len_of(a),
            Source::Sub { len, .. } => len,
            Source::Windows {
                len, size, kind, ..
            } => match kind {
                // n - size + 1, none when n < size
                Cut::Windows => {
                    let one = self.int("1");
                    let sm1 = self.bin(BinOp::Sub, size, one);
                    self.push(
                        OpKind::Method("saturating_sub".into(), vec![len, sm1]),
                        Ty::Int,
                    )
                }
                // ceil(n / size)
                Cut::Chunks => {
                    let one = self.int("1");
                    let sm1 = self.bin(BinOp::Sub, size, one);
                    let up = self.bin(BinOp::Add, len, sm1);
                    self.bin(BinOp::Div, up, size)
                }
                Cut::ChunksExact => self.bin(BinOp::Div, len, size),
            },
            Source::Range {
                lo,
                hi,
                inclusive,
                untyped,
            } => {
                // Literal bounds have no type yet: a length is a `usize`.
                let (lo, hi) = if untyped {
                    let to = |l: &mut Self, v| {
                        l.push(OpKind::Cast(v, CastTo::Other("usize".into())), Ty::Int)
                    };
                    (to(self, lo), to(self, hi))
                } else {
                    (lo, hi)
                };
                let hi = if inclusive {
                    let one = self.push(OpKind::Verbatim("1".into()), Ty::Int);
                    self.push(OpKind::Binary(BinOp::Add, hi, one), Ty::Int)
                } else {
                    hi
                };
                self.push(
                    OpKind::Method("saturating_sub".into(), vec![hi, lo]),
                    Ty::Int,
                )
            }
        };
        c.lens = vec![len];
        for k in 0..c.stages.len() {
            len = match &mut c.stages[k] {
                Stage::Zip(other) => {
                    let theirs = self.prepare_indexed(other).hi;
                    self.min_len(len, theirs)
                }
                Stage::Skip(n) => self.push(
                    OpKind::Method("saturating_sub".into(), vec![len, *n]),
                    Ty::Int,
                ),
                Stage::Take(n) => {
                    let n = *n;
                    self.min_len(len, n)
                }
                Stage::StepBy(s) => {
                    // ceil(len / s)
                    let s = *s;
                    let one = self.push(OpKind::Verbatim("1".into()), Ty::Int);
                    let sm1 = self.push(OpKind::Binary(BinOp::Sub, s, one), Ty::Int);
                    let up = self.push(OpKind::Binary(BinOp::Add, len, sm1), Ty::Int);
                    self.push(OpKind::Binary(BinOp::Div, up, s), Ty::Int)
                }
                Stage::Enumerate | Stage::Map(_) | Stage::Filter(..) | Stage::Rev => len,
            };
            c.lens.push(len);
        }
        let lo = self.push(OpKind::Verbatim("0".into()), Ty::Int);
        Walk {
            lo,
            hi: len,
            inclusive: false,
            rev: false,
        }
    }

    /// The shorter of two lengths: a constant when both are the same constant.
    fn min_len(&mut self, a: Value, b: Value) -> Value {
        if self.same_const(a, b) {
            a
        } else {
            self.push(OpKind::Method("min".into(), vec![a, b]), Ty::Int)
        }
    }

    /// Whether two values are the same constant (two `.len()`s of `[T; N]`).
    fn same_const(&self, a: Value, b: Value) -> bool {
        let text = |v: Value| {
            self.ops
                .iter()
                .rev()
                .find(|o| o.results.first() == Some(&v))
                .and_then(|o| match &o.kind {
                    OpKind::Verbatim(t) => Some(t.clone()),
                    _ => None,
                })
        };
        matches!((text(a), text(b)), (Some(x), Some(y)) if x == y)
    }

    /// The item of the loop iteration with index `idx` (after `prepare`), of a
    /// chain without `filter`.
    pub(super) fn chain_item(&mut self, c: &Chain<'_>, idx: Value) -> Val {
        let (item, tail) = self.chain_head_item(c, idx);
        debug_assert!(tail.is_empty(), "chain_item of a filtered chain");
        item
    }

    /// The item of the loop iteration with index `idx` before the chain's
    /// tail (its adapters from its first `filter` on), and that tail.
    pub(super) fn chain_head_item<'e>(
        &mut self,
        c: &Chain<'e>,
        idx: Value,
    ) -> (Val, Vec<Tail<'e>>) {
        let head = c.tail_start();
        let tail = c.stages[head..]
            .iter()
            .filter_map(|s| match s {
                Stage::Map(f) => Some(Tail::Map(*f)),
                Stage::Filter(p, e) => Some(Tail::Filter(*p, e)),
                _ => None,
            })
            .collect();
        if c.lens.is_empty() {
            // A range walked by itself: the index is the item; then the maps.
            let mut item = Val::Scalar(idx);
            for s in &c.stages[..head] {
                if let Stage::Map(f) = s {
                    item = self.apply(*f, vec![item]);
                }
            }
            return (item, tail);
        }
        (self.item_at(c, head, idx), tail)
    }

    /// The item at position `k` of the chain after its first `n` adapters.
    fn item_at(&mut self, c: &Chain<'_>, n: usize, k: Value) -> Val {
        if n == 0 {
            return match c.source {
                // A row of a struct field of unknown shape, if it is indexed.
                Source::Array(a) if self.func.views.iter().any(|(v, _, _)| *v == a) => Val::Row {
                    base: a,
                    idx: vec![k],
                },
                Source::Array(a) if self.rows.contains_key(&a) => {
                    let (base, mut idx) = self.rows[&a].clone();
                    idx.push(k);
                    Val::Row { base, idx }
                }
                Source::Array(a) => {
                    let ty = self.func.index_ty(self.ty(a), 1).unwrap_or(Ty::Float);
                    let v = self.push(OpKind::Load(a, vec![k]), ty);
                    // An item of data of a shape not seen from here (a `const`
                    // table): a number unless indexed (a row) or read by field
                    // (a struct).
                    if self.unseen_array(a) {
                        self.guessed.insert(v);
                        self.unseen_elems.insert(v);
                    }
                    // A row (`for x in xs` of `xs: &[Vec<f64>]`), an element of
                    // a borrowed slice of structs (`for row in rows` of `rows:
                    // &[Row]`) is a reference: passed on as `f(w, x)`, by `&`.
                    if matches!(ty, Ty::Array(_)) || self.borrowed_slices.contains(&a) {
                        self.refs.insert(v);
                    }
                    Val::Scalar(v)
                }
                Source::Mut { at, .. } => Val::Place { at, idx: k },
                Source::Sub { base, start, .. } => {
                    let ty = self.func.index_ty(self.ty(base), 1).unwrap_or(Ty::Float);
                    let j = self.bin(BinOp::Add, start, k);
                    Val::Scalar(self.push(OpKind::Load(base, vec![j]), ty))
                }
                Source::Windows {
                    base,
                    start,
                    len,
                    size,
                    kind,
                } => {
                    let step = if kind == Cut::Windows {
                        k
                    } else {
                        self.bin(BinOp::Mul, k, size)
                    };
                    let at = self.bin(BinOp::Add, start, step);
                    let n = if kind == Cut::Chunks {
                        // The last chunk is what is left.
                        let left = self.bin(BinOp::Sub, len, step);
                        self.push(OpKind::Method("min".into(), vec![size, left]), Ty::Int)
                    } else {
                        size
                    };
                    Val::Sub {
                        base,
                        start: at,
                        len: n,
                    }
                }
                Source::Range { lo, untyped, .. } => {
                    // `lo + k as _`: the range's integer type, whatever it is; a
                    // literal `lo` takes `k`'s (a cast to `_` needs a known type).
                    let k = if untyped {
                        k
                    } else {
                        self.push(OpKind::Cast(k, CastTo::Other("_".into())), Ty::Int)
                    };
                    Val::Scalar(self.push(OpKind::Binary(BinOp::Add, lo, k), Ty::Int))
                }
            };
        }
        let int = |l: &mut Self, op, a, b| l.push(OpKind::Binary(op, a, b), Ty::Int);
        match &c.stages[n - 1] {
            Stage::Rev => {
                let one = self.push(OpKind::Verbatim("1".into()), Ty::Int);
                let last = int(self, BinOp::Sub, c.lens[n - 1], one);
                let j = int(self, BinOp::Sub, last, k);
                self.item_at(c, n - 1, j)
            }
            Stage::Skip(s) => {
                let j = int(self, BinOp::Add, k, *s);
                self.item_at(c, n - 1, j)
            }
            Stage::Take(_) => self.item_at(c, n - 1, k),
            Stage::StepBy(s) => {
                let j = int(self, BinOp::Mul, k, *s);
                self.item_at(c, n - 1, j)
            }
            Stage::Enumerate => {
                let item = self.item_at(c, n - 1, k);
                Val::Tuple(vec![Val::Scalar(k), item])
            }
            Stage::Zip(other) => {
                let mine = self.item_at(c, n - 1, k);
                let theirs = self.item_at(other, other.stages.len(), k);
                Val::Tuple(vec![mine, theirs])
            }
            Stage::Map(f) => {
                let item = self.item_at(c, n - 1, k);
                self.apply(*f, vec![item])
            }
            // Never reached: a filter starts the tail (`chain_head_item`).
            Stage::Filter(..) => self.item_at(c, n - 1, k),
        }
    }

    /// `f(args…)`: a closure inlined, or a call of a float function or a
    /// `#[grad]` function by path.
    pub(super) fn apply(&mut self, f: Callable<'_>, args: Vec<Val>) -> Val {
        let p = match f {
            Callable::Closure(c) => return self.closure(c, args),
            Callable::Path(p) => p,
        };
        let segs = segments(&p.path);
        let name = segs.last().cloned().unwrap_or_default();
        let mut vals = Vec::new();
        for a in &args {
            a.flatten(&mut vals);
        }
        let prim = Prim::function(&name).filter(|pr| match pr.form() {
            Form::Method => segs.len() >= 2,
            Form::CoreFn => {
                segs.len() >= 2 && (segs[0] == "autodiff" || segs[0] == "autodiff_core")
            }
        });
        if let Some(pr) = prim {
            if vals.len() != pr.arity() || pr.int_arg(1) {
                self.errors.at(
                    p,
                    format!(
                        "`{name}` takes {} argument(s) here; write a closure: `|v| {}`",
                        pr.arity(),
                        pr.usage(true)
                    ),
                );
                return self.poison();
            }
            if vals.iter().any(|v| self.ty(*v) != Ty::Float) {
                self.errors
                    .at(p, format!("`{name}` needs float arguments here"));
                return self.poison();
            }
            return Val::Scalar(self.push(OpKind::Call(pr, vals), Ty::Float));
        }
        if segs.len() == 1 {
            match self.lookup(&name) {
                Some(Val::Closure(k)) => {
                    let k = *k;
                    return self.call_closure(k, args);
                }
                Some(_) => {
                    self.errors.at(p, format!("`{name}` is a value, not a function: pass a closure `|v| …` or a function path"));
                    return self.poison();
                }
                None => {}
            }
        }
        // A `#[grad]` function of floats, passed by value.
        let n = vals.len();
        let result = self.func.new_value(Ty::Float);
        self.ops.push(Op {
            results: vec![result],
            kind: OpKind::CallFn(
                Box::new(Callee {
                    path: p.path.clone(),
                    refs: vec![false; n],
                    stop: vec![false; n],
                    tuple: false,
                    outs: vec![false; n],
                    unit: false,
                    forward: false,
                    dot: false,
                    skip: Vec::new(),
                }),
                vals,
            ),
        });
        Val::Scalar(result)
    }
}
