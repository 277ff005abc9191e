//! The computational graph of one call of a `#[grad(graph)]` function, with
//! the forward value and the gradient (adjoint) of every operation.
//!
//! `#[grad(graph)]` emits, next to the function, `<name>_graph(args…, d_out)`:
//! it runs the same forward and reverse sweeps as `<name>_backward` and
//! records, for each operation of the lowered function (the SSA graph that
//! `_backward` differentiates), its value as the forward sweep computes it and
//! its adjoint as the reverse sweep leaves it. [`Graph::to_dot`] writes it in
//! Graphviz's DOT language; [`Graph::to_svg`] lays it out and draws it without
//! Graphviz (through the pure-Rust `layout-rs`).
//!
//! Nodes inside loops are shown once per iteration for the first
//! [`ITERATIONS_SHOWN`] iterations of each loop; the later ones are folded into
//! one node per operation, which says how many iterations it stands for.

use std::fmt::Write as _;
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

mod record;
mod svg;
pub use record::{GraphValue, Probe, Probed, Recorder, Unprobed, Values};

/// How many iterations of a loop the graph shows one by one; the operations
/// of the later iterations are folded into one node each.
pub const ITERATIONS_SHOWN: usize = 8;

/// The computational graph of one call: nodes with values and gradients,
/// edges as data flows. Made by `<name>_graph`, the companion that
/// `#[grad(graph)]` emits.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    edges: Vec<(usize, usize)>,
}

/// One operation of the graph (or one input), at one iteration of the loops
/// around it.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What the operation is: `+`, `*`, `exp`, `sigmoid`, `w[0]` (a load),
    /// `1` (a constant), the name of a function called; empty for an input.
    pub op: String,
    /// The user's variable name bound to the value, if any (a parameter's
    /// name for an input).
    pub name: Option<String>,
    /// The forward value: one element for a scalar, the elements in order
    /// (rows first) for an array; none for a struct (not shown).
    pub value: Vec<f64>,
    /// Whether the value is a scalar (rather than an array).
    pub scalar: bool,
    /// The gradient of the output (weighted by `d_out`) with respect to this
    /// value, as the reverse sweep computed it; `None` where the reverse sweep
    /// computes none (constants, values the output does not depend on).
    pub grad: Option<Vec<f64>>,
    /// The iteration of each loop around the operation, outermost first
    /// (empty outside loops). In a folded node, the last entry is the first
    /// iteration folded in ([`ITERATIONS_SHOWN`]).
    pub iteration: Vec<usize>,
    /// For a node that stands for several iterations: how many. Its value and
    /// gradient are those of the last of them.
    pub folded: Option<usize>,
    /// Whether this node is a parameter of the function (or a field of one).
    pub input: bool,
    /// Whether this node is (one of) the function's results.
    pub output: bool,
}

impl Node {
    /// The text the drawing shows first: `name = op`, `op`, or an input's name.
    pub fn label(&self) -> String {
        match (&self.name, self.op.is_empty()) {
            (Some(n), true) => n.clone(),
            (Some(n), false) if *n != self.op => format!("{n} = {}", self.op),
            _ => self.op.clone(),
        }
    }
}

impl Graph {
    /// The nodes, in the order the forward sweep computed them.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The edges `(from, to)` as indices into [`Graph::nodes`]: `to` reads the
    /// value of `from`. The edges into a node come in the order of its
    /// operands, one per operand (`x * x` has two edges from `x`), except into
    /// a folded node, which has each edge once and none from itself.
    pub fn edges(&self) -> &[(usize, usize)] {
        &self.edges
    }

    /// The nodes labelled `label` (see [`Node::label`]), in order.
    pub fn find<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes.iter().filter(move |n| n.label() == label)
    }

    /// The graph in Graphviz's DOT language, left to right. Each node's label
    /// shows its operation, its value and (after `grad`) its gradient, rounded;
    /// the attributes `value` and `grad` hold them in full precision (elements
    /// separated by commas), and `op`, `name`, `iteration` and `folded` the
    /// rest of the [`Node`].
    pub fn to_dot(&self) -> String {
        let mut s = String::from(
            "digraph autodiff {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        );
        for (i, n) in self.nodes.iter().enumerate() {
            let _ = write!(s, "  n{i} [label=\"{}\"", escape(&display_label(n)));
            let _ = write!(s, ", op=\"{}\"", escape(&n.op));
            if let Some(name) = &n.name {
                let _ = write!(s, ", name=\"{}\"", escape(name));
            }
            let _ = write!(s, ", value=\"{}\"", full(&n.value));
            if let Some(g) = &n.grad {
                let _ = write!(s, ", grad=\"{}\"", full(g));
            }
            if !n.iteration.is_empty() {
                let it: Vec<String> = n.iteration.iter().map(ToString::to_string).collect();
                let _ = write!(s, ", iteration=\"{}\"", it.join(","));
            }
            if let Some(k) = n.folded {
                let _ = write!(s, ", folded=\"{k}\"");
            }
            if n.input {
                s.push_str(", style=filled, fillcolor=\"#e8f0fe\"");
            } else if n.output {
                s.push_str(", style=filled, fillcolor=\"#fde8e8\"");
            }
            s.push_str("];\n");
        }
        for (a, b) in &self.edges {
            let _ = writeln!(s, "  n{a} -> n{b};");
        }
        s.push_str("}\n");
        s
    }

    /// The graph drawn as an SVG image, laid out left to right by `layout-rs`
    /// (no Graphviz needed). Each box shows the operation, its value and its
    /// gradient, as in [`Graph::to_dot`]'s labels.
    pub fn to_svg(&self) -> String {
        svg::draw(self)
    }
}

/// The lines of a node's box: its label (and iteration), its value, its
/// gradient.
pub(crate) fn display_label(n: &Node) -> String {
    let mut s = n.label();
    if let Some(k) = n.folded {
        let it = &n.iteration;
        let _ = write!(s, "  [it ");
        for (j, i) in it.iter().enumerate() {
            if j + 1 == it.len() {
                let _ = write!(s, "{i}..");
            } else {
                let _ = write!(s, "{i}.");
            }
        }
        let _ = write!(s, "] x{k}");
    } else if !n.iteration.is_empty() {
        let it: Vec<String> = n.iteration.iter().map(ToString::to_string).collect();
        let _ = write!(s, "  [it {}]", it.join("."));
    }
    s.push('\n');
    s.push_str(&short(&n.value, n.scalar));
    if let Some(g) = &n.grad {
        s.push_str("\ngrad ");
        s.push_str(&short(g, n.scalar));
    }
    s
}

/// Quotes and backslashes escaped for a DOT string; line breaks as `\n`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Every element, in full precision (Rust's shortest round-trip form).
fn full(xs: &[f64]) -> String {
    let v: Vec<String> = xs.iter().map(|x| format!("{x:?}")).collect();
    v.join(",")
}

/// A value as the drawing shows it: four significant decimals, an array's
/// first elements.
fn short(xs: &[f64], scalar: bool) -> String {
    if scalar && xs.len() == 1 {
        return num(xs[0]);
    }
    if xs.is_empty() {
        return "(not shown)".into();
    }
    const SHOWN: usize = 4;
    let mut v: Vec<String> = xs.iter().take(SHOWN).map(|x| num(*x)).collect();
    if xs.len() > SHOWN {
        v.push(format!("… ({} in all)", xs.len()));
    }
    format!("[{}]", v.join(", "))
}

/// A number rounded for display: integers as integers, `0.7311`, `-1.2e-7`.
pub(crate) fn num(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if x.fract() == 0.0 && a < 1e9 {
        return format!("{x:.0}");
    }
    if (1e-3..1e5).contains(&a) {
        let s = format!("{x:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        return s.to_string();
    }
    format!("{x:.3e}")
}

impl Graph {
    pub(crate) fn from_parts(nodes: Vec<Node>, edges: Vec<(usize, usize)>) -> Graph {
        Graph { nodes, edges }
    }
}
