//! One program of the stream: its signature, then its body from the generator.

use crate::ast::*;
use crate::extras::Plan;
use crate::gen::*;
use crate::{idioms, late, recent, records, round4, seqs, values};
use crate::{Options, Rng};

/// Program `index` of the stream.
pub(crate) fn program(opts: &Options, index: usize) -> Program {
    let mut rng = Rng::new(opts.seed.wrapping_mul(0xA076_1D64_78BD_642F) ^ (index as u64));
    // warm up so that neighbouring seeds diverge
    for _ in 0..4 {
        rng.next_u64();
    }
    let arrays = rng.chance(0.65);
    let mut params = Vec::new();
    let mut ids = 0usize;
    let name = |p: &str, ids: &mut usize| {
        *ids += 1;
        format!("{p}{ids}")
    };
    let n_scalars = if arrays { rng.int(0, 2) } else { rng.int(1, 4) } as usize;
    for _ in 0..n_scalars {
        let by_ref = opts.on("ref-scalars") && rng.chance(0.2);
        let mutable = !by_ref && opts.on("mut-params") && rng.chance(0.1);
        params.push(Param {
            name: name(if by_ref { "r" } else { "x" }, &mut ids),
            kind: if by_ref { PK::RefF } else { PK::F },
            mutable,
            active: true,
        });
    }
    if arrays {
        let n_arrays = rng.int(1, 3);
        for _ in 0..n_arrays {
            let len = rng.int(1, 5) as usize;
            let k = rng.weighted(&[
                3.0,
                3.0,
                if opts.on("slices") { 2.5 } else { 0.0 },
                if opts.on("arrays2d") { 0.8 } else { 0.0 },
            ]);
            let (prefix, kind) = match k {
                0 => ("a", PK::Arr(len)),
                1 => ("b", PK::RefArr(len)),
                2 => ("s", PK::Slice(len)),
                _ => (
                    "w",
                    PK::Arr2(rng.int(1, 3) as usize, rng.int(2, 3) as usize),
                ),
            };
            let mutable = k == 0 && opts.on("mut-params") && rng.chance(0.2);
            params.push(Param {
                name: name(prefix, &mut ids),
                kind,
                mutable,
                active: true,
            });
        }
    }
    if params.is_empty() {
        params.push(Param {
            name: name("x", &mut ids),
            kind: PK::F,
            mutable: false,
            active: true,
        });
    }
    if opts.on("int-params") {
        if arrays && rng.chance(0.3) {
            params.push(Param {
                name: name("n", &mut ids),
                kind: PK::Usize(rng.int(1, 4)),
                mutable: false,
                active: false,
            });
        }
        if rng.chance(0.1) {
            params.push(Param {
                name: name("k", &mut ids),
                kind: PK::I32(rng.int(-2, 3)),
                mutable: false,
                active: false,
            });
        }
        if rng.chance(0.1) {
            params.push(Param {
                name: name("f", &mut ids),
                kind: PK::Bool(rng.chance(0.5)),
                mutable: false,
                active: false,
            });
        }
    }
    // shuffle the order of the parameters a little
    if params.len() > 1 && rng.chance(0.5) {
        let i = rng.below(params.len());
        let j = rng.below(params.len());
        params.swap(i, j);
    }
    let floats: Vec<usize> = (0..params.len())
        .filter(|&i| params[i].kind.floats() > 0)
        .collect();
    let mut wrt = opts.on("wrt") && floats.len() >= 2 && rng.chance(0.1);
    if wrt {
        // at least one active, at least one not
        let skip = floats[rng.below(floats.len())];
        params[skip].active = false;
        for &i in &floats {
            if i != skip
                && rng.chance(0.2)
                && floats.iter().filter(|&&j| params[j].active).count() > 1
            {
                params[i].active = false;
            }
        }
    }
    let ret = match rng.weighted(&[
        7.0,
        if opts.on("array-results") { 2.0 } else { 0.0 },
        if opts.on("tuples") { 1.0 } else { 0.0 },
    ]) {
        0 => RetKind::Scalar,
        1 => RetKind::Array(rng.int(1, 3) as usize),
        _ => RetKind::Pair,
    };
    let plan = Plan::draw(opts, index);
    plan.add_params(opts, &mut params, &mut wrt);
    let mut g = Gen {
        rng,
        opts,
        scopes: vec![Vec::new()],
        ids: 0,
        loop_depth: 0,
        ret,
        budget: 0,
        frozen: Vec::new(),
        inputs: params
            .iter()
            .filter(|p| p.kind.floats() > 0)
            .map(|p| p.name.clone())
            .collect(),
        svs: Vec::new(),
    };
    for p in &params {
        if let PK::Body(mode, nested) = p.kind {
            g.declare_fields(&p.name, mode == BodyMode::Value, nested);
            continue;
        }
        let (kind, bound) = match p.kind {
            PK::F => (VK::F, 2.0),
            PK::RefF => (VK::FRef, 2.0),
            PK::Arr(n) | PK::RefArr(n) => (
                VK::Arr {
                    len: n,
                    inner: None,
                    slice: false,
                },
                2.0,
            ),
            PK::Slice(n) => (
                VK::Arr {
                    len: n,
                    inner: None,
                    slice: true,
                },
                2.0,
            ),
            PK::Arr2(n, m) => (
                VK::Arr {
                    len: n,
                    inner: Some(m),
                    slice: false,
                },
                2.0,
            ),
            PK::Usize(v) => (VK::Int { max: v, i32: false }, 0.0),
            PK::I32(v) => (VK::Int { max: v, i32: true }, 0.0),
            PK::Bool(_) => (VK::Bool, 0.0),
            PK::Body(..)
            | PK::Char(_)
            | PK::Arr2V(..)
            | PK::Opt(_)
            | PK::VecRef(_)
            | PK::VecRows(..)
            | PK::VecStruct(..)
            | PK::Rec(..)
            | PK::Pairs(_) => continue,
        };
        g.declare(&p.name, kind, p.mutable, bound);
    }
    let mut body = Vec::new();
    if opts.on("const") && g.rng.chance(0.08) {
        let v = g.lit_value(0.5, 2.5);
        let name = format!("K{}", index);
        g.declare(&name, VK::F, false, v);
        body.push(S::Const(name, v));
    }
    g.budget = g.rng.int(4, 14) as usize;
    let top = Ctx {
        fn_level: true,
        in_loop: false,
        nest: 0,
    };
    let n = g.rng.int(2, 6) as usize;
    // the top level is the function's own scope: no extra scope
    for _ in 0..n {
        if g.budget == 0 {
            break;
        }
        g.budget -= 1;
        g.stmt(top, &mut body);
    }
    let mut tail = g.result(3);
    if opts.on("sum-loops") && !body.iter().any(|s| matches!(s, S::Return(_))) {
        // From a generator of its own, so that the rest of the stream (and so
        // every program without one) stays as it was.
        let side = Rng::new(opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (index as u64));
        let main = std::mem::replace(&mut g.rng, side);
        if g.rng.chance(0.4) {
            if let Some(acc) = g.sum_loop(&mut body) {
                let c = g.lit_value(0.25, 1.5);
                let add =
                    |e: E| E::Bin('+', bx(e), bx(E::Bin('*', bx(E::Lit(c)), bx(acc.clone()))));
                tail = match tail {
                    R::S(e) => R::S(add(e)),
                    R::T(a, b) => R::T(add(a), b),
                    R::A(mut es) => {
                        let first = es.remove(0);
                        es.insert(0, add(first));
                        R::A(es)
                    }
                    r @ R::AVar(_) => r,
                };
            }
        }
        g.rng = main;
    }
    let tail = plan.apply(&mut g, &mut body, tail);
    let tail = idioms::draw(opts, index).apply(&mut g, &mut body, tail, |g, b| {
        g.idiom_segment(&mut params, b)
    });
    let tail = seqs::draw(opts, index).apply(&mut g, &mut body, tail, |g, b| {
        g.seq_segment(&mut params, &mut wrt, b)
    });
    let tail = recent::draw(opts, index).apply(&mut g, &mut body, tail, |g, b| g.recent_segment(b));
    let returns = late::returns(&body);
    let tail =
        late::draw(opts, index).apply(&mut g, &mut body, tail, |g, b| g.late_segment(returns, b));
    let (records, vec_result) = records::draw(opts, index);
    let ret = match ret {
        RetKind::Array(n) if vec_result => RetKind::Vec(n),
        r => r,
    };
    let tail = records.apply(&mut g, &mut body, tail, |g, b| {
        g.rec_segment(&mut params, &mut wrt, b)
    });
    let mut aliases = Vec::new();
    // a `Vec<f64>` result is `RetKind::Vec` in `round4.rs`, an array in the
    // generator's state
    let array = std::mem::replace(&mut g.ret, ret);
    let tail = round4::draw(opts, index).apply(&mut g, &mut body, tail, |g, b| {
        g.r4_segment(&mut params, &mut aliases, b)
    });
    g.ret = array;
    let (segments, mut values) = values::draw(opts, index);
    let tail = segments.apply(&mut g, &mut body, tail, |g, b| {
        g.val_segment(&mut params, &mut wrt, b)
    });
    let (ret, tail) = values.result(&mut g, ret, &mut body, tail);
    // a method of `Body` whose parameters are all differentiated: a plain
    // `#[grad]` (`self` is differentiated unless `wrt` leaves it out)
    let plain_self = values.plain_self
        && params
            .iter()
            .any(|q| q.active && matches!(q.kind, PK::Body(BodyMode::SelfRef, _)))
        && params.iter().all(|q| q.active || q.kind.floats() == 0);
    if plain_self {
        wrt = false;
    }
    Program {
        name: format!("p{index}"),
        params,
        wrt,
        ret,
        body,
        tail,
        aliases,
        plain_self,
    }
}
