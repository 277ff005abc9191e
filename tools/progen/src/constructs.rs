//! The tables of what the generator writes: the constructs `--exclude` can leave
//! out ([`CONSTRUCTS`]), those `--no-forward` can keep out of forward mode
//! ([`NO_FORWARD`]), and what a known bug of the macro keeps out ([`KNOWN_BUGS`]).

/// The constructs `--no-forward` can take out of forward mode: (name, the entry of
/// `tags::TABLE` that marks a program with it, what fails). Each is a bug of the
/// forward companion (`autodiff-macros/src/jvp.rs`) that stops the whole file from
/// compiling; its programs keep `#[grad]` (reverse mode, checked as before) and the
/// driver counts them in its `forward mode:` line.
pub const NO_FORWARD: &[(&str, &str, &str)] = &[(
    "field-row-args",
    "row &st.w[i] of a field",
    "a row of a struct's 2-D field passed by reference to a callee (`caff2(&st.w[i], b, &h)`): `f_forward` types the row's tangent as a float (`let v9: f64 = t_st.w[v2];`, E0308)",
)];

/// The constructs `--exclude` can leave out, with what each covers.
pub const CONSTRUCTS: &[(&str, &str)] = &[
    ("rem", "float `%` and `%=`"),
    ("steps", "signum floor ceil round trunc fract (piecewise constant)"),
    ("while", "`while` loops"),
    ("break", "`break` / `continue`"),
    ("return", "early `return`"),
    ("fold", "`.fold(init, |acc, v| …)`"),
    ("zip", "`.zip(…)` in loops and reductions"),
    ("enumerate", "`.enumerate()` in loops and reductions"),
    ("slices", "`&[f64]` parameters"),
    ("arrays2d", "`&[[f64; M]; N]` parameters and 2-D local arrays"),
    ("tuples", "tuple results and tuple `let`s"),
    ("wrt", "`#[grad(wrt(…))]`"),
    ("mut-params", "`mut` parameters"),
    ("ref-scalars", "`&f64` parameters"),
    ("if-expr", "`if` as an expression"),
    ("block-expr", "block expressions `{ let t = …; … }`"),
    ("const", "`const` items in the body"),
    ("int-params", "`usize` / `i32` / `bool` parameters"),
    ("array-results", "`[f64; N]` results"),
    (
        "zip-fixed-arrays",
        "`zip` of two fixed-size arrays in a loop or reduction whose reverse sweep records (`for (p, q) in a.iter().zip(b.iter())`, `product`, `fold`, any zip inside a loop); excluded, a zip has a slice on one side",
    ),
    (
        "runtime-loop-in-loop",
        "a loop with a run-time trip count (`while`, `0..n`, over a slice) that records a tape, inside another loop or reduction; excluded, only `sum` reductions run over slices there",
    ),
    (
        "constant-conditions",
        "a float comparison that the macro folds to a constant (literals, or locals bound to literals); excluded, every float comparison reads a parameter",
    ),
    (
        "aliased-loop-init",
        "a variable's value bound under a second name (`let mut s = x;`, `fold(v, …)`), which a loop may then carry while reading the other name (`for … { s += x }`); excluded, a bare variable is never the value of a `let`, an assignment or a `fold`'s init",
    ),
    (
        "dead-blocks",
        "an `if` or a `for` loop that assigns no outer variable (dead code); excluded, such statements are dropped",
    ),
    (
        "untyped-powi-exponent",
        "an untyped literal as `powi`'s exponent (`x.powi(2)`); excluded, it is written `x.powi(2_i32)`",
    ),
    (
        "sum-loops",
        "a last top-level loop summing a term per iteration into a fresh accumulator that the result adds linearly (`acc += …`, then `… + c * acc`): the loops the macro fuses with their reverse",
    ),
    (
        "array-copies",
        "whole-array assignment between arrays: a double buffer (`next[j] = …; cur = next;`, `next` persistent or local to the loop) and a Verlet history (`prev = cur; cur = next;`), in straight-line code, `for` loops with constant and run-time trip counts, `while` loops and `if` branches",
    ),
    (
        "array-swaps",
        "a swap through a temporary (`let t = cur; cur = next; next = t;`) of a double buffer, in the same places",
    ),
    (
        "mem-swap",
        "`std::mem::swap(&mut cur, &mut next)` and `std::mem::replace(&mut cur, next)` in double buffers and Verlet histories",
    ),
    (
        "array-snapshots",
        "a snapshot `let s = a;` of an array, then `a` updated while `s` is read (once, or a snapshot per iteration of a loop)",
    ),
    (
        "struct-values",
        "a struct parameter by value, `mut st: Body` (`#[derive(Tangent)]`, fields `[f64; 2]`, `f64`, `[[f64; 2]; 2]`): fields read and updated (`st.pos[i] += …`, `st.m *= …`), its gradient returned as a `Body`",
    ),
    (
        "struct-refs",
        "a struct parameter by reference, `st: &Body`: fields read, the gradient added into a `d_st: &mut Body` shadow",
    ),
    (
        "struct-methods",
        "`#[grad]` `&self` methods of `Body`: `self` as data (left out by `wrt`), or differentiated (`wrt(self, …)`)",
    ),
    (
        "field-snapshots",
        "a snapshot of a by-value struct's field (`let s = st.pos;`), then the field updated while the snapshot is read",
    ),
    (
        "ref-field-copies",
        "a field of a `&` struct or of `&self` copied into a local that is then updated (`let mut out = st.pos; out[i] += …`)",
    ),
    (
        "nested-structs",
        "a nested struct field (`st.inner.a[i]`, `st.inner.t`) read, updated and snapshotted like the others",
    ),
    (
        "calls",
        "calls to `#[grad]` callees of the file with two different arrays by reference (`cdot3(&a, &b)`)",
    ),
    (
        "aliased-call-args",
        "the same fixed-size array passed twice to a `#[grad]` callee (`cdot3(&a, &a)`)",
    ),
    (
        "aliased-slice-args",
        "the same slice passed twice to a `#[grad]` callee (`cdot_s(s, s)`, `s: &[f64]`)",
    ),
    (
        "row-args",
        "rows of 2-D arrays (parameters and locals) passed by reference to a callee (`caff2(&w[i], b, &h)`), at the top level or in a loop over the rows",
    ),
    (
        "sign-angle-methods",
        "`x.copysign(y)`, `x.to_degrees()`, `x.to_radians()`",
    ),
    ("sin-cos", "`let (s, c) = x.sin_cos();`"),
    (
        "float-consts",
        "`std::f64::consts::PI` and other constants of `std::f64::consts`",
    ),
    (
        "rev-ranges",
        "`for i in (a..b).rev()` accumulating in an order that matters (`acc = 0.5 * acc + …`)",
    ),
    (
        "float-classes",
        "`!x.is_nan()`, `x.is_finite()`, `!x.is_infinite()` as the condition of an `if` expression",
    ),
    ("matches", "`matches!(i, 0 | 2)` on a loop index"),
    (
        "int-match",
        "`match i { 0 => a, 1 => b, _ => c }` on a loop index, as an expression",
    ),
    (
        "closures",
        "a closure defined in the body (`let f = |z: f64| …;`) and called twice (`f(a) + k * f(b)`)",
    ),
    (
        "special-functions",
        "`autodiff::erf`, `erfc`, `gamma`, `ln_gamma` (the last two on [1, 3])",
    ),
    (
        "asserts",
        "`assert!(x.is_finite());`, `debug_assert!(!x.is_nan());`",
    ),
    (
        "callee-results",
        "a callee's array result annotated (`let h: [f64; 2] = cpair2(&a);`) and tuple result (`let (p, q) = csplit(x, y);`)",
    ),
    (
        "custom-callees",
        "a `#[grad(custom)]` callee with its hand-written companion (`ccube`)",
    ),
    ("generic-callees", "a generic `#[grad]` callee (`cgen<T: Real>`)"),
    (
        "unreachable",
        "`unreachable!()` as the value of a branch never taken",
    ),
    (
        "float-match",
        "`match` on a float with a guard (`match e { t if t < k => a, _ => b }`)",
    ),
    (
        "chain-adapters",
        "iterator chains with two adapters (`a.iter().step_by(2).skip(2)`, E0689 at 8c1a70e), and chains from a range with `skip`, `take`, `step_by` or `reduce` (`(0..3).skip(2)`, E0282); excluded, a chain has one adapter, and a chain from a range only `rev` and a sum",
    ),
    (
        "iterator-chains",
        "`a.iter()[.cloned()]` or `(0..n)`, then `rev`, `skip(k)`, `take(k)`, `step_by(k)`, `map(…)`, then `.sum::<f64>()` or `.reduce(|p, q| 0.5 * p + q).unwrap()`",
    ),
    (
        "field-row-args",
        "rows of a struct's 2-D field passed by reference to a callee (`caff2(&st.w[i], b, &h)`)",
    ),
    ("prints", "`println!(\"v = {v}\")`, `eprintln!(\"{}\", e)`, `dbg!(v)` in a branch never taken (`if v.abs() > 1e300`)"),
    (
        "closures-by-name",
        "a closure passed to `map` or `fold` by name (`let f = |z: f64| …; a.iter().copied().map(f).sum::<f64>()`, `.fold(0.5, g)` with `let g = |acc: f64, z: f64| …;`)",
    ),
    (
        "fn-paths",
        "function paths in `map` and `fold`: `a.iter().map(|&e| k * e).map(f64::exp).sum::<f64>()`, `a.iter().copied().fold(f64::NEG_INFINITY, f64::max)`",
    ),
    (
        "max-by",
        "`a.iter().copied().max_by(|p, q| p.total_cmp(q)).unwrap()`, `min_by`, `partial_cmp(q).unwrap()`",
    ),
    (
        "no-grad",
        "`let m: f64 = autodiff::no_grad(e);` as the shift of a log-sum-exp or a softmax weight (the value does not depend on `m`)",
    ),
    ("char-params", "a `char` parameter passed through (`if c == 'a' { … } else { … }`)"),
    (
        "nested-array-values",
        "a nested array by value, `wv: [[f64; M]; N]`, its gradient returned as a nested array",
    ),
    (
        "tuple-folds",
        "`fold` with a tuple accumulator: `let (s1, s2) = a.iter().fold((0.0, 0.0), |(p, q), &v| (p + …, q + …));`, also `(0usize, 0.0, 0.0)` with the count in the step (`q + … * c as f64`) and the mean `s1 / n as f64`",
    ),
    (
        "filters",
        "`filter` at a chain's tail, after `copied` / `rev` / `skip` / `take` / `step_by`: `a.iter().filter(|v| **v > t).map(|e| …).sum::<f64>()`, `.product::<f64>()`, `.fold(0.5f64, |acc, e| …)`, `|&&v| v < t` (`t` a parameter or a literal)",
    ),
    (
        "inactive-reductions",
        "`let k = a.iter().filter(|&&v| v < t).count();`, `a.iter().any(|&v| v > t)` / `all` / `all(|v| v.is_finite())` as conditions, `a.iter().position(p).unwrap()` (under `if a.iter().any(p)`) / `.unwrap_or(i)`; counts and positions in `k as f64` and as indices `a[j]`",
    ),
    (
        "iter-mut",
        "`iter_mut` on a local `[0.0; n]`, `vec![0.0; n]` or `a.to_vec()`: `for (o, xi) in y.iter_mut().zip(a.iter()) { *o = …; }`, `for o in y.iter_mut() { *o *= k; *o += c * *o * *o; }`, `.enumerate().skip(1)`, inside `for _ in 0..r` (gradient-descent steps)",
    ),
    (
        "option-params",
        "an `Option<usize>` parameter (its value drawn per point: `None`, `Some(0..=max)`): `let n = if let Some(j) = k { j } else { 2 };`, `let Some(m) = k else { return …; };`, `let Some(m) = k else { continue };` in a loop, `match k { Some(j) if j > 2 => …, Some(_) => …, None => … }`, `if let Some(j) = k { … } else { … }`",
    ),
    (
        "option-data",
        "`Option<f64>` and `Result<f64, String>` parameters (data: the program is under `wrt`): `match w { Some(0.0) => …, Some(f) => … * f, None => … }`, `let Some(s) = w else { continue };`, `if let Some(f) = w { … } else { … }`, `if let Ok(c) = cap { v = v.min(c); }`, `match cap { Ok(c) => …, Err(_) => … }`",
    ),
    (
        "checked-sub",
        "`match n.checked_sub(1) { Some(j) => … * j as f64, None => … }` (or `if let`) on a `usize` of the program or a count",
    ),
    (
        "euclid",
        "`x.rem_euclid(y)` / `x.div_euclid(y)` (method and path forms), `y` away from zero (`recent`)",
    ),
    (
        "option-locals",
        "an `Option` built in the body, `let m = if c { Some(e) } else { None };` or `let mut m = None;` then `m = Some(e)` in a filtered loop, read by `m.unwrap_or(d)`, `if let Some(v) = m { … } else { … }` or `match m { Some(v) if v > t => …, Some(v) => …, None => … }` (`late`)",
    ),
    (
        "struct-literals",
        "a struct literal `let [mut] s = Lp { a: e, v: [e0, e1] };` of the header's `#[derive(Tangent)]` struct, its fields updated (`s.a += e`, `s.v[1] *= e`), read (`s.a * s.v[0]`) and the struct passed on whole (`lnorm(&s)`, `lnormv(s)`) (`late`)",
    ),
    (
        "struct-results",
        "a callee's struct result `let q = lmake(x, y);` (or `let q: Lp = …`, then `let q2 = lshift(q, k);`) passed on whole by `&` or by value (`lnorm(&q)`, `lnormv(q)`); not read by field: the macro rejects a field of a call's struct (`late`)",
    ),
    (
        "vec-push",
        "`let mut v = Vec::new();` or `Vec::with_capacity(n)` grown by `v.push(e)` in `for i in 0..n` or over an array (filtered by `if *e > t`), then `v.iter().sum::<f64>()`, `.map(|&t| …).sum`, `v.len() as f64`, `v[j]` or `if v.is_empty() { … } else { v[0] … v[v.len() - 1] }` (`late`)",
    ),
    (
        "vec-results",
        "a callee's `Vec<f64>` result (`let h: Vec<f64> = lvec(&a, k);`, `lpush`, typed or not) read like a `Vec` local, and when typed passed on by `&` (`lsum(&h)`) (`late`)",
    ),
    (
        "out-params",
        "a local array (new, or one of the body) passed as `&mut` to a callee's output parameter: `lfill2(x, &mut o)` (`&mut [f64; 2]`, no result), `let r: f64 = lscale(s, &mut o);` and `lfill(x, &mut o)` (`&mut [f64]`, through `iter_mut`), then read (`late`)",
    ),
    (
        "array-map",
        "`let m = a.map(|t| …);` of a fixed-size array (a parameter by value or a local), then indexed (`late`)",
    ),
    (
        "is-empty",
        "`assert!(!s.is_empty());` and `if s.is_empty() { d } else { s[0] * k }` of a slice parameter, or `if v.is_empty()` of a filtered `Vec` (`late`)",
    ),
    (
        "reused-results",
        "a `Result<f64, String>` parameter tested by two patterns (`if let Ok(c) = cap { … }` then `match cap { … }`: E0382, the companion moves it with `unwrap`); excluded, a program tests it once",
    ),
    (
        "to-vec-of-array-values",
        "`a.to_vec()` of an array parameter by value (`a: [f64; 2]`; E0308, the companion types the `Vec` as the array); excluded, `to_vec` of references, slices and locals only",
    ),
    (
        "vec-params",
        "a `&Vec<f64>` parameter: indexed, `.len()`, `v.iter().map(|e| …).sum::<f64>()`, passed on to a `&[f64]` callee (`lsum(v)`) (`records`)",
    ),
    (
        "vec-rows",
        "a `&[Vec<f64>]` parameter, differentiated or data under `wrt`: `w[i][j]`, `w.len()`, `w[i].len()`, `for row in w.iter() { let t = row[j]; … }`, `w[i].iter().zip(x.iter()).map(|(p, q)| p * q).sum::<f64>()`, `w[i].iter().map(…).sum`, `lsum(&w[i])` (`records`)",
    ),
    (
        "vec-fields",
        "the header's `#[derive(Tangent)] struct Lv { b: f64, w: Vec<f64>, m: Vec<Vec<f64>> }` by `&` or by value (`mut`, `lin.w[j] *= e`): fields read, `lin.w.iter().map(…)`, `lin.w.len()`, `for row in lin.m.iter()`, `lin.m[i].iter()`, a row of `lin.m` zipped (`records`)",
    ),
    (
        "struct-slices",
        "`ps: &[Pt]` (`Pt { x: f64, f: [f64; 2] }`, `#[derive(Tangent)]`): `ps[i].x`, `ps[i].f[j]`, `for p in ps` / `ps.iter()`, `ps.iter().map(|p| …).sum::<f64>()`, `ps.len()` (`records`)",
    ),
    (
        "tuple-slices",
        "`pts: &[(f64, f64)]`, differentiated or data under `wrt`: `pts[i].0`, `for &(a, b) in pts`, `let (a, b) = pts[i];`, `pts.iter().map(|&(a, b)| …).sum::<f64>()` (`records`)",
    ),
    (
        "default-records",
        "`let mut s = Lp::default();`, `let mut s: Lp = Default::default();`, `Lp { a: e, ..Default::default() }`, `Lp { v: [..], ..Lp::default() }`, fields assigned and read, passed on whole (`lnorm(&s)`); `let mut acc = Acc::default();` with an integer field counted in a loop (`records`)",
    ),
    (
        "option-combinators",
        "`o.map(|v| …).unwrap_or(d)`, `o.map_or(d, |v| …)`, `o.and_then(|v| if c { Some(…) } else { None }).unwrap_or(d)`, `o.unwrap_or_else(|| e)`, `o.map(f64::sin).unwrap_or(d)` on an `Option<f64>` the body builds or an `Option<f64>` parameter (data, under `wrt`) (`records`)",
    ),
    (
        "vec-returns",
        "an array result returned as `Vec<f64>` (`vec![…]`, `a.to_vec()`; its cotangent `d_out: &[f64]`) (`records`)",
    ),
    (
        "loop-returns",
        "`return` from inside a loop: `for i in 0..n`, `for e in a.iter()`, `while k < n` and `loop` bodies updating an accumulator (`acc = 0.5 * acc + …`) left when it crosses a threshold (`if acc > t { return …; }`), also from a loop nested in another (`round4`)",
    ),
    (
        "loop-breaks",
        "`loop { k += 1; … if acc > t { break; } if k >= n { break; } }`: a `loop` left by `break` (a counter guards every one) or by `return` (`round4`)",
    ),
    (
        "struct-patterns",
        "struct patterns: `let Lp { a, v } = s;` / `let Lp { a: pa, .. } = s;` of a struct literal, `let Body { m, w: bw, .. } = *st;` of the struct parameter (by `&`, by value, `*self`), the bindings then read (`round4`)",
    ),
    (
        "result-patterns",
        "an array pattern on a callee's array result: `let [u, v] = upair(x, y);`, `let [u, v] = cpair2(&a);` (`round4`)",
    ),
    (
        "range-contains",
        "`(lo..=hi).contains(&v)` / `(lo..hi).contains(&v)` (negated too) as the condition of an `if` expression and of a loop's exit, `lo`, `hi` parameters or literals (`round4`)",
    ),
    (
        "array-from-fn",
        "`let t: [f64; n] = std::array::from_fn(|i| …a[i]…);`, `std::array::from_fn::<f64, n, _>(…)`, `core::array::from_fn::<f64, n, _>(…)`, then indexed (`round4`)",
    ),
    (
        "first-last",
        "`a.first().copied().unwrap_or(d)`, `*a.last().unwrap()`, `if let Some(v) = a.first() { … } else { d }`, `a.last().map_or(d, |v| …)` of slices and arrays (`round4`)",
    ),
    (
        "array-aliases",
        "parameters typed by the header's aliases `type V2 = [f64; 2]; type V3 = [f64; 3];`: `ga: V3`, `gb: &V3` (taken apart by `let [p, q, r] = ga;` / `*gb`, indexed), `gp: &[V3]` (`for p in gp.iter() { let [x, y, z] = *p; … }`, `gp[i][j]`), a local `let u: V3 = […];` (`round4`)",
    ),
    (
        "local-methods",
        "`#[grad(wrt(self, x))]` methods of the header's `Uq` called on a struct the body builds: `let q = Uq { a: e, v: [e0, e1] }; q.umix(x)` (`self` by value), `q.ulen(x)` (`&self`), `Uq::umix(q, x)` (`round4`)",
    ),
    (
        "field-rows",
        "rows of a struct's 2-D field read in place: `let r: [f64; 2] = st.w[k];` (then `cdot2(&r, &h) * r[1]`), in `for k in 0..2` too, `for (k, row) in st.w.iter().enumerate()`; rows of the `Vec<Vec<f64>>` field `lin.m` enumerated and zipped with `lin.w` (`round4`)",
    ),
    (
        "call-struct-values",
        "a struct result of a `#[grad]` function or method (`let s = smake(x, y);`, `let s = sp.nudge(k);`, `recv.compose(o)`) read by field, passed on whole (`snorm(&s)`, `s.energy(x)`) and chosen by an `if` against a literal (`values`)",
    ),
    (
        "carried-structs",
        "a struct value carried by `for` / `while` (`while s.a < t && k < n`), from a literal, a call, `Sv::unit()` / `Sv::default()`, a slice element or a parameter, reassigned whole (`s = s.step(k);`, a literal reading the old fields, `s = if c { s.step(k) } else { s };`), updated by field and by a whole array into its array field (`s.v = [s.v[1], …];`) (`values`)",
    ),
    (
        "struct-copies",
        "`let mut c = *sp;` / `let mut c = sq;` of a struct parameter (`let mut n = *self;` / `*st` / `st` of `Body`) updated by field (a whole array too), then used whole and read beside the original (`values`)",
    ),
    (
        "self-methods",
        "`#[grad]` methods of `Sv` (`self` and `&self`, `self` differentiated) called on parameters, locals, call results and slice elements (`ss[i].energy(x)`, `for s in ss.iter()`, `ss.iter().map(|s| s.tension(x))`), in the path form (`Sv::energy(&s, x)`) and chained (`s.step(k).energy(x)`, `sp.compose(q).place([…])[j]`) (`values`)",
    ),
    (
        "struct-elements",
        "elements of `ss: &[Sv]` read whole: `let c = ss[i];`, `c = c.compose(ss[i]);` in a loop, `snorm(&ss[i])`, `ss[i].v[j]` (`values`)",
    ),
    (
        "closure-returns",
        "closures with early `return`s (`if` chains), called directly (`let f = |t: f64| -> f64 { if t > c { return e; } … };`) and in iterator chains (`a.iter().map(|&v| { if v > c { return e; } … }).sum::<f64>()`) (`values`)",
    ),
    (
        "const-tables",
        "the header's `const ROWS: [Row; 3]` (structs) and `const TB: [[f64; 3]; 4]` (rows) walked (`for row in TB.iter()`, `ROWS.iter().zip(a.iter())`, `TB.iter().enumerate()`) and read by index (`ROWS[i].a`, `TB[i][j]`) (`values`)",
    ),
    (
        "struct-returns",
        "a float result returned as the header's `Sv` (`-> Sv`: a literal, `smake(t, e)`, `s.step(t)`, a carried value; its cotangent `d_out: Sv`) (`values`)",
    ),
    (
        "plain-methods",
        "a `&self` method of `Body` with every parameter differentiated under a plain `#[grad(reverse, forward)]` (`self` differentiated by default, no `wrt`) (`values`)",
    ),
    (
        "hvp",
        "`#[grad(reverse, forward, hvp)]` on a share of the programs with one float result whose constructs `hvp` supports (all of them under `--hvp-all`), and on the header's callees with one float result: `_hvp`, `_backward_forward` and the nested companions checked against `HyperDual64` (`hvp`)",
    ),
    (
        "generic-programs",
        "a program `pNg<T: autodiff::Real>` after `pN` (literals `T::from_f64(…)`, paths `T::exp(x)`), checked at `f64`; without it, the same program in `f64`",
    ),
    (
        "f32-programs",
        "the `f32` twin `pNg_f32` of that program, checked in `pNg_grad` against the `f64` companion at the point rounded to `f32` (relative 1e-3)",
    ),
];

/// The constructs a known bug of the macro keeps out of generation (each an
/// entry of `/work/notes/progen-bugs.md`, the lead's list), generated with
/// `--with-known-bugs`: (bug, what is left out). Bugs 1–9, 11, 12 and 19 of the
/// list are fixed (487d6b7: `hvp` rejects a struct by value, so none is generated
/// under `hvp`; 6ea5c55, 7cb23e9, cefed16, 03fb345, b922543, 0686dd1: the others,
/// generated again), bug 14 in reverse and forward mode (8430b27, 93f9edc) and
/// bug 15 for a method after `Sv::default()` (1806b01).
pub const KNOWN_BUGS: &[(&str, &str)] = &[
    (
        "10",
        "`loop-returns`: a `Vec<f64>` returned from inside a loop (`return vec![…];`): E0382 in the companion (the `Vec` recorded for the result is moved into it, then read for its cotangent's shape); the loops of a `Vec` program are left by `break`",
    ),
    (
        "13",
        "`call-struct-values`, `carried-structs`: a struct value from a call chosen by an `if` (`let t = if c { s } else { smake(y, x) };`, `s = if c { s } else { s.nudge(k) };` after `let mut s = smake(…);`): rejected (\"the branches of this `if` give values of different types\", \"field access is only supported on tuples\"); the other arm is a literal, and a carried value is chosen by an `if` only when it came from a literal, a parameter or an element",
    ),
    (
        "14",
        "`self-methods` under `hvp`: a program calling the data-`self` method `Sv::scale` (`#[grad(reverse, forward, hvp, wrt(x))]`) on a data `&Sv` parameter: E0061 in `_hvp` (`self`'s direction and shadows passed; reverse and forward mode fixed in 8430b27 and 93f9edc); such programs are not under `hvp`",
    ),
    (
        "15",
        "`carried-structs`: a struct value from a call or a plain constructor carried by a loop that reassigns it whole by a literal (`let mut s = smake(x, k); for … { s = Sv { … }; }`, the same after `Sv::unit()` / `Sv::default()`) or an `if`, or given a whole array in a `while` after `Sv::default()`: \"a value carried by this loop changes type in its body\"; such a loop updates it by field and by methods (a method after `Sv::default()`: fixed in 1806b01)",
    ),
    (
        "16",
        "`self-methods`, `call-struct-values`: a method taking `self` by value called on a `&Sv` parameter (`sp.tension(x)`, `sp.step(k)`, `sp.compose(o)`): E0308 (\"expected `Sv`, found `&&Sv`\"), E0061 in the companions; a `&Sv` parameter gets `&self` methods only",
    ),
    (
        "17",
        "`struct-copies`: an immutable copy of a `&Sv` parameter passed on whole (`let s = *sp; snorm(&s)`, `s.energy(x)`): rejected (\"a local copy of a struct parameter cannot be passed on whole yet\"), though a `mut` copy updated by field is; such copies are `mut` and updated",
    ),
    (
        "18",
        "`carried-structs`, `struct-returns`: a copy of a local holding a struct literal used whole (`let s = Sv { … }; let mut c = s; c.a += x; snorm(&c)`, or returned): rejected (\"a struct built in the body is used field by field; passing it on, returning it or choosing it in an `if` whole is not supported yet\"); such locals are not copied",
    ),
];
