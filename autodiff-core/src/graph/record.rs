//! What `<name>_graph` calls while its sweeps run: the [`Recorder`], which
//! turns the values and adjoints it is handed into a [`Graph`], and
//! [`GraphValue`], which reads them. Generated code reaches them through the
//! `__graph_*` macros at the end of this file (as `::autodiff::__private::…`).

use super::{Graph, Node, ITERATIONS_SHOWN};
use crate::Real;
use std::collections::{HashMap, HashSet};
use std::string::String;
use std::vec;
use std::vec::Vec;

/// The elements of a value handed to the [`Recorder`], and whether it is a
/// scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct Values {
    /// The elements, rows first.
    pub data: Vec<f64>,
    /// Whether the value is a scalar.
    pub scalar: bool,
}

/// A value the graph can show: a float, or an array, slice or `Vec` of them
/// (nested too).
pub trait GraphValue {
    /// Its elements as `f64`s, rows first.
    fn graph_values(&self) -> Values;
}

impl<T: Real> GraphValue for T {
    fn graph_values(&self) -> Values {
        Values {
            data: vec![self.to_f64()],
            scalar: true,
        }
    }
}

impl<A: GraphValue> GraphValue for [A] {
    fn graph_values(&self) -> Values {
        let mut data = Vec::new();
        for x in self {
            data.extend(x.graph_values().data);
        }
        Values {
            data,
            scalar: false,
        }
    }
}

impl<A: GraphValue, const N: usize> GraphValue for [A; N] {
    fn graph_values(&self) -> Values {
        self[..].graph_values()
    }
}

impl<A: GraphValue> GraphValue for Vec<A> {
    fn graph_values(&self) -> Values {
        self[..].graph_values()
    }
}

/// A value whose type the macro could not see (a field of a struct
/// parameter): [`Probed::graph_probe`] reads it if it is a [`GraphValue`],
/// [`Unprobed::graph_probe`] gives `None` for anything else (the first applies
/// where it can: method resolution tries `Probe` before `&Probe`).
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// See [`Probe`].
pub trait Probed {
    /// The elements of a [`GraphValue`].
    fn graph_probe(&self) -> Option<Values>;
}

impl<T: GraphValue + ?Sized> Probed for Probe<'_, T> {
    fn graph_probe(&self) -> Option<Values> {
        Some(self.0.graph_values())
    }
}

/// See [`Probe`].
pub trait Unprobed {
    /// `None`: not a value the graph can show.
    fn graph_probe(&self) -> Option<Values>;
}

impl<T: ?Sized> Unprobed for &Probe<'_, T> {
    fn graph_probe(&self) -> Option<Values> {
        None
    }
}

/// Builds a [`Graph`] from what the instrumented sweeps of `<name>_graph`
/// report. Values are identified by a key (the value's id in the macro's IR);
/// the same key recurs once per loop iteration.
///
/// - [`Recorder::value`]: the forward sweep computed a value; a new node (or,
///   past [`ITERATIONS_SHOWN`] iterations, the folded node of its operation),
///   with an edge from the node that holds each operand now;
/// - [`Recorder::grad`]: the reverse sweep finished a value's adjoint. The
///   reverse sweep meets a value's instances in the reverse order of the
///   forward sweep, so each key keeps a stack of its nodes;
/// - [`Recorder::begin_loop`], [`Recorder::iteration`],
///   [`Recorder::end_loop`] and [`Recorder::branch`]: control flow. A loop's
///   carried values, its results and an `if`'s results are no nodes of their
///   own: they name the node that holds the value (the initial value or the
///   previous iteration's, the last iteration's, the branch taken's).
#[derive(Debug, Default)]
pub struct Recorder {
    nodes: Vec<Node>,
    edges: Vec<(usize, usize)>,
    /// The edges into folded nodes so far (met once per iteration).
    seen: HashSet<(usize, usize)>,
    /// The node that holds each key's value now.
    current: HashMap<u32, usize>,
    /// Each key's nodes in forward order, popped by the reverse sweep.
    pending: HashMap<u32, Vec<usize>>,
    /// Iterations begun by each loop since it was last entered.
    counts: HashMap<u32, usize>,
    /// The folded node of each key at each folded iteration prefix.
    folded: HashMap<(u32, Vec<usize>), usize>,
    /// The node of each constant.
    constants: HashMap<u32, usize>,
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// The forward sweep computed the value `v` of `key`: the operation `op`
    /// (empty for an input) bound to the user's `name` (empty if none),
    /// reading the values of `operands`, inside the loops `loops` (outermost
    /// first).
    pub fn value(
        &mut self,
        key: u32,
        op: &str,
        name: &str,
        operands: &[u32],
        loops: &[u32],
        v: Values,
    ) {
        let iteration: Vec<usize> = loops
            .iter()
            .map(|l| self.counts.get(l).copied().unwrap_or(1).saturating_sub(1))
            .collect();
        let fold_at = iteration.iter().position(|&i| i >= ITERATIONS_SHOWN);
        let node = match fold_at {
            Some(j) => {
                let mut prefix = iteration[..=j].to_vec();
                prefix[j] = ITERATIONS_SHOWN;
                match self.folded.get(&(key, prefix.clone())) {
                    Some(&n) => {
                        let node = &mut self.nodes[n];
                        node.value = v.data;
                        node.folded = node.folded.map(|k| k + 1);
                        n
                    }
                    None => {
                        let n = self.push(op, name, v, prefix.clone(), Some(1));
                        self.folded.insert((key, prefix), n);
                        n
                    }
                }
            }
            None => self.push(op, name, v, iteration, None),
        };
        for o in operands {
            if let Some(&from) = self.current.get(o) {
                // A folded node meets its edges once per iteration: each once,
                // none from itself (the recurrence).
                if fold_at.is_none() || (from != node && self.seen.insert((from, node))) {
                    self.edges.push((from, node));
                }
            }
        }
        self.current.insert(key, node);
        self.pending.entry(key).or_default().push(node);
    }

    /// A constant `v` of `key` (a literal `op`, bound to `name` if not
    /// empty): one node however often the forward sweep meets it.
    pub fn constant(&mut self, key: u32, op: &str, name: &str, v: Values) {
        let node = match self.constants.get(&key) {
            Some(&n) => n,
            None => {
                let n = self.push(op, name, v, Vec::new(), None);
                self.constants.insert(key, n);
                n
            }
        };
        self.current.insert(key, node);
    }

    fn push(
        &mut self,
        op: &str,
        name: &str,
        v: Values,
        iteration: Vec<usize>,
        folded: Option<usize>,
    ) -> usize {
        self.nodes.push(Node {
            op: op.into(),
            name: (!name.is_empty()).then(|| String::from(name)),
            value: v.data,
            scalar: v.scalar,
            grad: None,
            iteration,
            folded,
            input: op.is_empty(),
            output: false,
        });
        self.nodes.len() - 1
    }

    /// [`Recorder::value`] for a value that may not be one the graph can show
    /// (`None`, a struct): then its node shows no value.
    pub fn value_probed(
        &mut self,
        key: u32,
        op: &str,
        name: &str,
        operands: &[u32],
        loops: &[u32],
        v: Option<Values>,
    ) {
        let v = v.unwrap_or(Values {
            data: Vec::new(),
            scalar: false,
        });
        self.value(key, op, name, operands, loops, v);
    }

    /// [`Recorder::grad`] for an adjoint that may not be one the graph can
    /// show (`None`): then its node shows none.
    pub fn grad_probed(&mut self, key: u32, g: Option<Values>) {
        match g {
            Some(g) => self.grad(key, g),
            None => {
                self.pending.get_mut(&key).and_then(Vec::pop);
            }
        }
    }

    /// The reverse sweep finished the adjoint `g` of `key`'s latest instance
    /// not yet given one. A folded node keeps the adjoint of its last
    /// iteration (the first one the reverse sweep meets).
    pub fn grad(&mut self, key: u32, g: Values) {
        let Some(n) = self.pending.get_mut(&key).and_then(Vec::pop) else {
            return;
        };
        let node = &mut self.nodes[n];
        if node.grad.is_none() {
            node.grad = Some(g.data);
        }
    }

    /// The loop `l` is entered.
    pub fn begin_loop(&mut self, l: u32) {
        self.counts.insert(l, 0);
    }

    /// An iteration of the loop `l` begins: each carried value `(arg, init,
    /// next)` is the initial value `init` in the first iteration and the
    /// previous iteration's `next` in the others.
    pub fn iteration(&mut self, l: u32, carried: &[(u32, u32, u32)]) {
        let count = self.counts.entry(l).or_insert(0);
        let first = *count == 0;
        *count += 1;
        self.alias(
            carried
                .iter()
                .map(|&(arg, init, next)| (arg, if first { init } else { next })),
        );
    }

    /// The loop `l` is done: each result `(result, init, next)` is its last
    /// iteration's `next`, or `init` if it ran no iteration.
    pub fn end_loop(&mut self, l: u32, results: &[(u32, u32, u32)]) {
        let ran = self.counts.get(&l).copied().unwrap_or(0) > 0;
        self.alias(
            results
                .iter()
                .map(|&(r, init, next)| (r, if ran { next } else { init })),
        );
    }

    /// A branch of an `if` is done: each `(result, yielded)` is its value.
    pub fn branch(&mut self, results: &[(u32, u32)]) {
        self.alias(results.iter().copied());
    }

    /// Points each key at the node its source holds, all at once (a swap of
    /// two carried values reads both before it writes either).
    fn alias(&mut self, pairs: impl Iterator<Item = (u32, u32)>) {
        let targets: Vec<(u32, Option<usize>)> = pairs
            .map(|(k, src)| (k, self.current.get(&src).copied()))
            .collect();
        for (k, t) in targets {
            match t {
                Some(n) => self.current.insert(k, n),
                None => self.current.remove(&k),
            };
        }
    }

    /// The graph, with the nodes that hold the values of `outputs` marked as
    /// the results.
    pub fn finish(mut self, outputs: &[u32]) -> Graph {
        for o in outputs {
            if let Some(&n) = self.current.get(o) {
                self.nodes[n].output = true;
            }
        }
        Graph::from_parts(self.nodes, self.edges)
    }
}

/// `rec.value(…)` with the value's elements (generated by `#[grad(graph)]`).
#[doc(hidden)]
#[macro_export]
macro_rules! __graph_value {
    ($rec:ident, $key:expr, $op:expr, $name:expr, $operands:expr, $loops:expr, $v:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::graph::GraphValue as _;
        $rec.value($key, $op, $name, $operands, $loops, ($v).graph_values())
    }};
}

/// `rec.value_probed(…)` (generated by `#[grad(graph)]` for a value of a type
/// it cannot see).
#[doc(hidden)]
#[macro_export]
macro_rules! __graph_value_probed {
    ($rec:ident, $key:expr, $op:expr, $name:expr, $operands:expr, $loops:expr, $v:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::graph::{Probed as _, Unprobed as _};
        $rec.value_probed(
            $key,
            $op,
            $name,
            $operands,
            $loops,
            (&$crate::__private::graph::Probe(&$v)).graph_probe(),
        )
    }};
}

/// `rec.grad_probed(…)` (generated by `#[grad(graph)]` for an adjoint of a
/// type it cannot see).
#[doc(hidden)]
#[macro_export]
macro_rules! __graph_grad_probed {
    ($rec:ident, $key:expr, $g:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::graph::{Probed as _, Unprobed as _};
        $rec.grad_probed($key, (&$crate::__private::graph::Probe(&$g)).graph_probe())
    }};
}

/// `rec.constant(…)` with the value's elements (generated by `#[grad(graph)]`).
#[doc(hidden)]
#[macro_export]
macro_rules! __graph_constant {
    ($rec:ident, $key:expr, $op:expr, $name:expr, $v:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::graph::GraphValue as _;
        $rec.constant($key, $op, $name, ($v).graph_values())
    }};
}

/// `rec.grad(…)` with the adjoint's elements (generated by `#[grad(graph)]`).
#[doc(hidden)]
#[macro_export]
macro_rules! __graph_grad {
    ($rec:ident, $key:expr, $g:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::graph::GraphValue as _;
        $rec.grad($key, ($g).graph_values())
    }};
}

/// `rec.begin_loop(…)` (generated by `#[grad(graph)]`).
#[doc(hidden)]
#[macro_export]
macro_rules! __graph_loop {
    ($rec:ident, $l:expr) => {
        $rec.begin_loop($l)
    };
}

/// `rec.iteration(…)` (generated by `#[grad(graph)]`).
#[doc(hidden)]
#[macro_export]
macro_rules! __graph_iteration {
    ($rec:ident, $l:expr, $carried:expr) => {
        $rec.iteration($l, $carried)
    };
}

/// `rec.end_loop(…)`; the loop's results are passed only so that the call
/// stays after the loop when passes reorder the code (generated by
/// `#[grad(graph)]`).
#[doc(hidden)]
#[macro_export]
macro_rules! __graph_end_loop {
    ($rec:ident, $l:expr, $results:expr $(, $after:expr)*) => {{
        $(let _ = &$after;)*
        $rec.end_loop($l, $results)
    }};
}

/// `rec.branch(…)` (generated by `#[grad(graph)]`).
#[doc(hidden)]
#[macro_export]
macro_rules! __graph_branch {
    ($rec:ident, $results:expr) => {
        $rec.branch($results)
    };
}
