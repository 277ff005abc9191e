//! The IR verifier: definitions before uses, region arities and types, and
//! linear use of array versions. Runs after every pass in debug builds.

use super::*;

/// Checks the IR's invariants: each value defined once, every use dominated by its
/// definition, conditions are booleans, regions yield what their op declares.
pub fn verify(func: &Func) -> Result<(), String> {
    let n = func.values.len();
    let mut defined = Marks(vec![false; n]);
    let mut scope = Scope {
        set: Marks(vec![false; n]),
        log: Vec::new(),
    };
    for p in func.params.iter().chain(func.views.iter().map(|v| &v.0)) {
        if !defined.insert(*p) {
            return Err(format!("{p} defined twice"));
        }
        scope.push(*p);
    }
    verify_region(func, &func.body, &mut defined, &mut scope)?;
    linear(func)
}

/// Checks only that array versions are used linearly (see `verify_linear`):
/// cheap enough for every build, so that a companion that would update a buffer
/// something still reads is rejected, never emitted.
pub fn linear(func: &Func) -> Result<(), String> {
    verify_linear(func, &func.body, &mut IdSet::default())
}

/// Checks that array versions are used linearly: no value is read after an op
/// consumed it (updated its buffer in place), and a loop carries each buffer once.
fn verify_linear(func: &Func, r: &Region, consumed: &mut IdSet) -> Result<(), String> {
    let in_place = |v: &Value| matches!(func.ty(*v), Ty::Array(_) | Ty::Struct(_));
    for op in &r.ops {
        // A zero shaped like a value reads only its shape, which updates in
        // place keep.
        let shape_only = matches!(op.kind, OpKind::ZerosLike(_));
        for v in op.operands() {
            if consumed.contains(&v) && !shape_only {
                return Err(format!(
                    "{v} read after it was updated in place, in `{}`",
                    op_text(&op.kind)
                ));
            }
        }
        let mut inner = IdSet::default();
        for reg in op.regions() {
            let mut c = consumed.clone();
            verify_linear(func, reg, &mut c)?;
            inner.extend(c);
        }
        consumed.extend(inner);
        // An array both branches yield unchanged: the result takes its buffer.
        if let OpKind::If(_, t, e) = &op.kind {
            let kept = t
                .yields
                .iter()
                .zip(&e.yields)
                .filter(|(a, b)| a == b && in_place(a));
            consumed.extend(kept.map(|(a, _)| *a));
        }
        if let OpKind::Loop(l) = &op.kind {
            let mut seen = IdSet::default();
            if let Some(v) = l
                .inits
                .iter()
                .filter(|v| in_place(v))
                .find(|v| !seen.insert(**v))
            {
                return Err(format!("{v} carried twice by one loop"));
            }
        }
        consumed.extend(op.consumes().into_iter().filter(|v| in_place(v)));
    }
    match r.yields.iter().find(|y| consumed.contains(y)) {
        Some(y) => Err(format!("{y} yielded after it was updated in place")),
        None => Ok(()),
    }
}

/// A set of values as one flag per value id (ids are dense): the verifier runs
/// after every pass in debug builds, so it must be cheap at opt-level 0.
struct Marks(Vec<bool>);

impl Marks {
    /// Marks `v`; false if it was marked already.
    fn insert(&mut self, v: Value) -> bool {
        match self.0.get_mut(v.0 as usize) {
            Some(m) if !*m => {
                *m = true;
                true
            }
            _ => false,
        }
    }
    fn contains(&self, v: &Value) -> bool {
        self.0.get(v.0 as usize).copied().unwrap_or(false)
    }
    fn remove(&mut self, v: &Value) {
        if let Some(m) = self.0.get_mut(v.0 as usize) {
            *m = false;
        }
    }
}

/// The values visible at a point: a set plus a log to pop nested regions.
struct Scope {
    set: Marks,
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
    defined: &mut Marks,
    scope: &mut Scope,
) -> Result<(), String> {
    let mark = scope.len();
    for a in &r.args {
        if !defined.insert(*a) {
            return Err(format!("{a} defined twice"));
        }
        scope.push(*a);
    }
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
        if let OpKind::Loop(l) = &op.kind {
            let n = l.inits.len();
            let extra = usize::from(l.track_end);
            if l.body.args.len() != n + 1 || op.results.len() != n + extra {
                return Err(format!(
                    "loop with {n} carried values has a malformed body or results"
                ));
            }
            if l.body.yields.len() != n + usize::from(l.has_break) {
                return Err("loop body yields the wrong number of values".into());
            }
            for i in 0..n {
                let (init, arg, y, res) = (
                    l.inits[i],
                    l.body.args[i + 1],
                    l.body.yields[i],
                    op.results[i],
                );
                let t = func.ty(init);
                if func.ty(arg) != t || func.ty(y) != t || func.ty(res) != t {
                    return Err(format!("carried value {i} of a loop changes type"));
                }
            }
            if let LoopKind::While(c) = &l.kind {
                if c.args.len() != n || c.yields.len() != 1 {
                    return Err("while condition has wrong args or yields".into());
                }
                verify_region(func, c, defined, scope)?;
            }
            verify_region(func, &l.body, defined, scope)?;
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
