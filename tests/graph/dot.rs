//! A small reader of the DOT that `Graph::to_dot` writes, and the checks the
//! graph tests run on it: the chain rule at every node whose readers the
//! checker knows, inputs against `_backward`, outputs against the function.

use std::collections::HashMap;

/// A node as the DOT describes it.
#[derive(Clone, Debug, Default)]
pub struct DotNode {
    pub label: String,
    pub op: String,
    pub name: Option<String>,
    pub value: Vec<f64>,
    pub grad: Option<Vec<f64>>,
    pub iteration: Vec<usize>,
    pub folded: Option<usize>,
    /// Filled: an input (blue) or an output (red).
    pub fill: Option<String>,
}

impl DotNode {
    pub fn is_input(&self) -> bool {
        self.fill.as_deref() == Some("#e8f0fe")
    }

    pub fn is_output(&self) -> bool {
        self.fill.as_deref() == Some("#fde8e8")
    }

    /// The label's first line without the iteration: `dot = +`, `w[0]`.
    pub fn head(&self) -> &str {
        let first = self.label.lines().next().unwrap_or("");
        first.split("  [it").next().unwrap_or(first)
    }

    /// The scalar value.
    pub fn v(&self) -> f64 {
        assert_eq!(self.value.len(), 1, "{} is no scalar", self.label);
        self.value[0]
    }

    /// The scalar gradient.
    pub fn g(&self) -> f64 {
        let g = self
            .grad
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no gradient", self.label));
        assert_eq!(g.len(), 1, "{} is no scalar", self.label);
        g[0]
    }
}

/// A graph read back from DOT: nodes by index (`nK`), edges in order.
#[derive(Debug, Default)]
pub struct Dot {
    pub nodes: Vec<DotNode>,
    pub edges: Vec<(usize, usize)>,
}

impl Dot {
    /// The nodes whose `head()` is `head`.
    pub fn with_head(&self, head: &str) -> Vec<&DotNode> {
        self.nodes.iter().filter(|n| n.head() == head).collect()
    }

    /// The one node whose `head()` is `head`.
    #[track_caller]
    pub fn one(&self, head: &str) -> &DotNode {
        let found = self.with_head(head);
        assert_eq!(found.len(), 1, "nodes {head:?}: {found:#?}");
        found[0]
    }

    /// The input named `name`.
    #[track_caller]
    pub fn input(&self, name: &str) -> &DotNode {
        self.nodes
            .iter()
            .find(|n| n.is_input() && n.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no input {name}"))
    }

    /// The nodes that are results.
    pub fn outputs(&self) -> Vec<&DotNode> {
        self.nodes.iter().filter(|n| n.is_output()).collect()
    }

    /// The operands of node `c`, in order (the sources of the edges into it).
    pub fn operands(&self, c: usize) -> Vec<usize> {
        self.edges
            .iter()
            .filter(|e| e.1 == c)
            .map(|e| e.0)
            .collect()
    }
}

/// Parses what `Graph::to_dot` writes (one statement a line).
pub fn parse(dot: &str) -> Dot {
    let mut lines = dot.lines();
    assert_eq!(lines.next(), Some("digraph autodiff {"));
    let mut g = Dot::default();
    let id = |s: &str| -> usize {
        s.trim()
            .strip_prefix('n')
            .and_then(|k| k.parse().ok())
            .unwrap_or_else(|| panic!("not a node id: {s:?}"))
    };
    for line in lines {
        let line = line.trim();
        if line == "}" || line.starts_with("rankdir") || line.starts_with("node [") {
            continue;
        }
        let stmt = line
            .strip_suffix(';')
            .unwrap_or_else(|| panic!("no `;`: {line}"));
        if let Some((a, b)) = stmt.split_once(" -> ") {
            g.edges.push((id(a), id(b)));
            continue;
        }
        let (head, attrs) = stmt.split_once(" [").unwrap_or_else(|| panic!("{line}"));
        let k = id(head);
        assert_eq!(k, g.nodes.len(), "nodes out of order");
        let attrs = attributes(attrs.strip_suffix(']').unwrap_or_else(|| panic!("{line}")));
        let nums = |s: &str| -> Vec<f64> {
            if s.is_empty() {
                return Vec::new();
            }
            s.split(',')
                .map(|x| x.parse().unwrap_or_else(|_| panic!("not a number: {x:?}")))
                .collect()
        };
        let mut n = DotNode::default();
        for (key, val) in attrs {
            match key.as_str() {
                "label" => n.label = val,
                "op" => n.op = val,
                "name" => n.name = Some(val),
                "value" => n.value = nums(&val),
                "grad" => n.grad = Some(nums(&val)),
                "iteration" => n.iteration = val.split(',').map(|x| x.parse().unwrap()).collect(),
                "folded" => n.folded = Some(val.parse().unwrap()),
                "fillcolor" => n.fill = Some(val),
                "style" => assert_eq!(val, "filled"),
                other => panic!("unknown attribute {other}"),
            }
        }
        g.nodes.push(n);
    }
    for &(a, b) in &g.edges {
        assert!(a < g.nodes.len() && b < g.nodes.len(), "edge n{a} -> n{b}");
    }
    g
}

/// `key="value", key=value, …` with `\"`, `\\` and `\n` unescaped.
fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') || chars.peek() == Some(&',') {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => val.push('\n'),
                        Some(e) => val.push(e),
                        None => panic!("dangling escape in {s}"),
                    },
                    c => val.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                val.push(c);
                chars.next();
            }
        }
        out.push((key, val));
    }
    out
}

/// The derivative of scalar node `c` (an operation the checker knows) with
/// respect to its operand `k`, from the values in the graph; `None` for an
/// operation it does not know.
fn partial(g: &Dot, c: usize, k: usize) -> Option<f64> {
    let node = &g.nodes[c];
    if node.value.len() != 1 || node.folded.is_some() {
        return None;
    }
    let ops = g.operands(c);
    let arg = |j: usize| -> Option<f64> {
        let n = &g.nodes[*ops.get(j)?];
        (n.value.len() == 1).then(|| n.value[0])
    };
    let y = node.value[0];
    let d = match (node.op.as_str(), ops.len(), k) {
        ("+", 2, _) => 1.0,
        ("-", 2, 0) => 1.0,
        ("-", 2, 1) => -1.0,
        ("*", 2, 0) => arg(1)?,
        ("*", 2, 1) => arg(0)?,
        ("/", 2, 0) => 1.0 / arg(1)?,
        ("/", 2, 1) => -arg(0)? / (arg(1)? * arg(1)?),
        ("neg", 1, 0) => -1.0,
        ("exp", 1, 0) => y,
        ("ln", 1, 0) => 1.0 / arg(0)?,
        ("sin", 1, 0) => arg(0)?.cos(),
        ("cos", 1, 0) => -arg(0)?.sin(),
        ("tanh", 1, 0) => 1.0 - y * y,
        ("sqrt", 1, 0) => 0.5 / y,
        ("sigmoid", 1, 0) => y * (1.0 - y),
        ("softplus", 1, 0) => 1.0 / (1.0 + (-arg(0)?).exp()),
        ("exp_m1", 1, 0) => y + 1.0,
        ("exp2", 1, 0) => y * std::f64::consts::LN_2,
        ("ln_1p", 1, 0) => 1.0 / (1.0 + arg(0)?),
        ("log2", 1, 0) => 1.0 / (arg(0)? * std::f64::consts::LN_2),
        ("log10", 1, 0) => 1.0 / (arg(0)? * std::f64::consts::LN_10),
        ("recip", 1, 0) => -y * y,
        ("cbrt", 1, 0) => y / (3.0 * arg(0)?),
        ("tan", 1, 0) => 1.0 + y * y,
        ("atan", 1, 0) => 1.0 / (1.0 + arg(0)? * arg(0)?),
        ("asin", 1, 0) => 1.0 / (1.0 - arg(0)? * arg(0)?).sqrt(),
        ("acos", 1, 0) => -1.0 / (1.0 - arg(0)? * arg(0)?).sqrt(),
        ("sinh", 1, 0) => arg(0)?.cosh(),
        ("cosh", 1, 0) => arg(0)?.sinh(),
        ("asinh", 1, 0) => 1.0 / (arg(0)? * arg(0)? + 1.0).sqrt(),
        ("atanh", 1, 0) => 1.0 / (1.0 - arg(0)? * arg(0)?),
        ("abs", 1, 0) if arg(0)? != 0.0 => arg(0)?.signum(),
        ("atan2", 2, 0) => arg(1)? / (arg(0)? * arg(0)? + arg(1)? * arg(1)?),
        ("atan2", 2, 1) => -arg(0)? / (arg(0)? * arg(0)? + arg(1)? * arg(1)?),
        ("hypot", 2, j) if y != 0.0 => arg(j)? / y,
        ("copy", 1, 0) => 1.0,
        _ => return None,
    };
    // Where the derivative is not finite (atan2 at the origin), the rule has
    // a convention of its own: not checked here.
    d.is_finite().then_some(d)
}

/// The chain rule at every scalar node with a gradient whose readers are all
/// operations `partial` knows: its gradient is the sum over its readers `c`
/// of `grad(c) · ∂c/∂node`, within `tol` relative to the sum of the terms'
/// sizes. Returns how many nodes it checked.
#[track_caller]
pub fn assert_chain_rule(g: &Dot, tol: f64) -> usize {
    let mut readers: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    for c in 0..g.nodes.len() {
        for (k, a) in g.operands(c).into_iter().enumerate() {
            readers.entry(a).or_default().push((c, k));
        }
    }
    let mut checked = 0;
    'nodes: for (i, n) in g.nodes.iter().enumerate() {
        let (Some(grad), false, true) = (&n.grad, n.is_output(), n.value.len() == 1) else {
            continue;
        };
        if n.folded.is_some() {
            continue;
        }
        let (mut sum, mut size) = (0.0, 0.0);
        for &(c, k) in readers.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
            let Some(d) = partial(g, c, k) else {
                continue 'nodes;
            };
            let gc = g.nodes[c].grad.as_ref().map_or(0.0, |v| v[0]);
            if gc == 0.0 {
                // No gradient comes this way (whatever the local derivative,
                // which may be infinite there).
                continue;
            }
            sum += gc * d;
            size += (gc * d).abs();
        }
        assert!(
            (grad[0] - sum).abs() <= tol * size.max(1.0),
            "chain rule at n{i} ({}): gradient {}, readers give {sum}",
            n.label,
            grad[0]
        );
        checked += 1;
    }
    checked
}
