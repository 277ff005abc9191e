//! The CS231n "neural network case study", with every gradient written by
//! `#[grad]`.
//!
//! <https://cs231n.github.io/neural-networks-case-study/> trains two models on
//! a toy data set of three interleaved spirals that no straight line can
//! separate:
//!
//! 1. a linear softmax classifier, which reaches about 49% training accuracy;
//! 2. a two-layer network with 100 ReLU units, which reaches about 98%.
//!
//! The case study derives the backward pass of each loss by hand. Here each
//! loss is one ordinary Rust function marked `#[grad(wrt(...))]`, and the
//! training loops call only the companions `linear_loss_backward` and
//! `net_loss_backward` that the attribute writes. Before training, a
//! finite-difference check of each gradient is printed; after training, the
//! decision regions of each model are drawn to `docs/spiral_linear.svg` and
//! `docs/spiral_net.svg`.
//!
//! Run it with
//!
//! ```text
//! cargo run --release --example spiral
//! ```
//!
//! (The 10,000 full-batch steps of the network take a few seconds in release
//! mode and much longer in a debug build.)

use autodiff::{check_gradient, grad, GradientCheck};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// Points per class.
const N: usize = 100;
/// Dimension of a point.
const D: usize = 2;
/// Number of classes.
const K: usize = 3;
/// Hidden units of the two-layer network.
const H: usize = 100;

/// Regularisation strength, as in the case study.
const REG: f64 = 1e-3;
/// Gradient-descent step size, as in the case study.
const STEP: f64 = 1.0;
/// Full-batch gradient-descent steps of the linear classifier.
const LINEAR_STEPS: usize = 200;
/// Full-batch gradient-descent steps of the two-layer network.
const NET_STEPS: usize = 10_000;

// ---------------------------------------------------------------------------
// The two losses. Each is plain Rust over fixed-size arrays (the parameters)
// and slices (the data); `#[grad(wrt(...))]` adds a `_backward` companion
// with a `d_<name>: &mut` shadow after each listed parameter, into which the
// gradient is *added*. `xs`, `ys` and `reg` are not listed, so they get none.
// ---------------------------------------------------------------------------

/// Mean softmax cross-entropy of the linear scores `x W + b`, plus the L2
/// penalty `0.5 * reg * sum(W^2)`.
#[grad(wrt(w, b))]
fn linear_loss(w: &[[f64; K]; D], b: &[f64; K], xs: &[[f64; D]], ys: &[usize], reg: f64) -> f64 {
    let mut data_loss = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        // Class scores of this point: b + x W.
        let mut scores = *b;
        for k in 0..K {
            for d in 0..D {
                scores[k] += x[d] * w[d][k];
            }
        }
        // -log softmax(scores)[y] = log(sum_k exp(s_k - m)) + m - s_y, with
        // the largest score m subtracted so that no exp can overflow.
        let m = scores.iter().fold(scores[0], |m, s| m.max(*s));
        let z: f64 = scores.iter().map(|s| (s - m).exp()).sum();
        data_loss += z.ln() + m - scores[y];
    }
    let mut reg_loss = 0.0;
    for row in w.iter() {
        reg_loss += row.iter().map(|v| v * v).sum::<f64>();
    }
    data_loss / xs.len() as f64 + 0.5 * reg * reg_loss
}

/// Mean softmax cross-entropy of the two-layer network
/// `relu(x W1 + b1) W2 + b2`, plus `0.5 * reg * (sum(W1^2) + sum(W2^2))`.
#[grad(wrt(w1, b1, w2, b2))]
fn net_loss(
    w1: &[[f64; H]; D],
    b1: &[f64; H],
    w2: &[[f64; K]; H],
    b2: &[f64; K],
    xs: &[[f64; D]],
    ys: &[usize],
    reg: f64,
) -> f64 {
    let mut data_loss = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        // Hidden layer: H rectified linear units, relu(b1 + x W1).
        let mut hidden = [0.0; H];
        for j in 0..H {
            let mut a = b1[j];
            for d in 0..D {
                a += x[d] * w1[d][j];
            }
            hidden[j] = autodiff::relu(a);
        }
        // Output layer: class scores b2 + hidden W2.
        let mut scores = *b2;
        for k in 0..K {
            for j in 0..H {
                scores[k] += hidden[j] * w2[j][k];
            }
        }
        // Stable -log softmax(scores)[y], as in `linear_loss`.
        let m = scores.iter().fold(scores[0], |m, s| m.max(*s));
        let z: f64 = scores.iter().map(|s| (s - m).exp()).sum();
        data_loss += z.ln() + m - scores[y];
    }
    let mut reg_loss = 0.0;
    for row in w1.iter() {
        reg_loss += row.iter().map(|v| v * v).sum::<f64>();
    }
    for row in w2.iter() {
        reg_loss += row.iter().map(|v| v * v).sum::<f64>();
    }
    data_loss / xs.len() as f64 + 0.5 * reg * reg_loss
}

// ---------------------------------------------------------------------------
// The models: parameters, loss, gradient, prediction. A gradient has the same
// shape as the parameters, so it is stored in the same struct.
// ---------------------------------------------------------------------------

/// A linear softmax classifier: scores = x W + b.
#[derive(Clone)]
struct Linear {
    w: [[f64; K]; D],
    b: [f64; K],
}

impl Linear {
    fn zeros() -> Self {
        Self {
            w: [[0.0; K]; D],
            b: [0.0; K],
        }
    }

    /// `W = 0.01 * randn(D, K)`, `b = 0`.
    fn init(rng: &mut Rng) -> Self {
        let mut model = Self::zeros();
        model.w = [(); D].map(|_| [(); K].map(|_| 0.01 * rng.normal()));
        model
    }

    fn loss(&self, data: &Data) -> f64 {
        linear_loss(&self.w, &self.b, &data.xs, &data.ys, REG)
    }

    /// Returns the loss and overwrites `grad` with its gradient.
    fn loss_and_grad(&self, data: &Data, grad: &mut Self) -> f64 {
        // The companion adds into the shadows, so start from zero.
        *grad = Self::zeros();
        linear_loss_backward(
            &self.w,
            &mut grad.w,
            &self.b,
            &mut grad.b,
            &data.xs,
            &data.ys,
            REG,
            1.0,
        )
    }

    /// One step of gradient descent: `p -= step * dp` for every parameter.
    fn descend(&mut self, grad: &Self, step: f64) {
        descend_rows(&mut self.w, &grad.w, step);
        descend(&mut self.b, &grad.b, step);
    }

    fn scores(&self, x: &[f64; D]) -> [f64; K] {
        let mut s = self.b;
        for (xd, row) in x.iter().zip(&self.w) {
            for (sk, wdk) in s.iter_mut().zip(row) {
                *sk += xd * wdk;
            }
        }
        s
    }
}

/// A two-layer network: scores = relu(x W1 + b1) W2 + b2.
#[derive(Clone)]
struct Net {
    w1: [[f64; H]; D],
    b1: [f64; H],
    w2: [[f64; K]; H],
    b2: [f64; K],
}

impl Net {
    fn zeros() -> Self {
        Self {
            w1: [[0.0; H]; D],
            b1: [0.0; H],
            w2: [[0.0; K]; H],
            b2: [0.0; K],
        }
    }

    /// `W1 = 0.01 * randn(D, H)`, `W2 = 0.01 * randn(H, K)`, biases 0.
    fn init(rng: &mut Rng) -> Self {
        let mut model = Self::zeros();
        model.w1 = [(); D].map(|_| [(); H].map(|_| 0.01 * rng.normal()));
        model.w2 = [(); H].map(|_| [(); K].map(|_| 0.01 * rng.normal()));
        model
    }

    fn loss(&self, data: &Data) -> f64 {
        net_loss(
            &self.w1, &self.b1, &self.w2, &self.b2, &data.xs, &data.ys, REG,
        )
    }

    /// Returns the loss and overwrites `grad` with its gradient.
    fn loss_and_grad(&self, data: &Data, grad: &mut Self) -> f64 {
        *grad = Self::zeros();
        net_loss_backward(
            &self.w1,
            &mut grad.w1,
            &self.b1,
            &mut grad.b1,
            &self.w2,
            &mut grad.w2,
            &self.b2,
            &mut grad.b2,
            &data.xs,
            &data.ys,
            REG,
            1.0,
        )
    }

    fn descend(&mut self, grad: &Self, step: f64) {
        descend_rows(&mut self.w1, &grad.w1, step);
        descend(&mut self.b1, &grad.b1, step);
        descend_rows(&mut self.w2, &grad.w2, step);
        descend(&mut self.b2, &grad.b2, step);
    }

    fn scores(&self, x: &[f64; D]) -> [f64; K] {
        let mut hidden = self.b1;
        for (xd, row) in x.iter().zip(&self.w1) {
            for (hj, wdj) in hidden.iter_mut().zip(row) {
                *hj += xd * wdj;
            }
        }
        let mut s = self.b2;
        for (hj, row) in hidden.iter().zip(&self.w2) {
            for (sk, wjk) in s.iter_mut().zip(row) {
                *sk += autodiff::relu(*hj) * wjk;
            }
        }
        s
    }
}

/// `p -= step * dp`, element by element.
fn descend(p: &mut [f64], dp: &[f64], step: f64) {
    for (pi, dpi) in p.iter_mut().zip(dp) {
        *pi -= step * dpi;
    }
}

/// `p -= step * dp` for a matrix, row by row.
fn descend_rows<const C: usize>(p: &mut [[f64; C]], dp: &[[f64; C]], step: f64) {
    for (row, drow) in p.iter_mut().zip(dp) {
        descend(row, drow, step);
    }
}

/// The class with the highest score.
fn argmax(scores: &[f64; K]) -> usize {
    (1..K).fold(0, |best, k| if scores[k] > scores[best] { k } else { best })
}

/// Fraction of the points of `data` that `classify` labels correctly.
fn accuracy(data: &Data, classify: impl Fn(&[f64; D]) -> usize) -> f64 {
    let correct = data
        .xs
        .iter()
        .zip(&data.ys)
        .filter(|&(x, &y)| classify(x) == y)
        .count();
    correct as f64 / data.xs.len() as f64
}

/// Checks the analytic gradient `grad` of `loss` at `model` against central
/// differences, on the parameters that `probes` point at.
fn check_probes<M: Clone>(
    model: &M,
    grad: &M,
    probes: &[fn(&mut M) -> &mut f64],
    loss: impl Fn(&M) -> f64,
) -> GradientCheck {
    let mut at = model.clone();
    let mut g = grad.clone();
    let x: Vec<f64> = probes.iter().map(|p| *p(&mut at)).collect();
    let analytic: Vec<f64> = probes.iter().map(|p| *p(&mut g)).collect();
    check_gradient(
        |values| {
            let mut m = model.clone();
            for (probe, &v) in probes.iter().zip(values) {
                *probe(&mut m) = v;
            }
            loss(&m)
        },
        &x,
        &analytic,
    )
}

// ---------------------------------------------------------------------------
// Data: the spiral set, from a small deterministic random number generator.
// ---------------------------------------------------------------------------

/// SplitMix64 (Steele, Lea and Flood 2014), with Box–Muller normals.
struct Rng {
    state: u64,
    spare: Option<f64>,
}

impl Rng {
    fn new(seed: u64) -> Self {
        Self {
            state: seed,
            spare: None,
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1]: the top 53 bits, shifted away from 0 so `ln` is finite.
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal deviate; Box–Muller makes two, the second is kept.
    fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let r = (-2.0 * self.uniform().ln()).sqrt();
        let theta = std::f64::consts::TAU * self.uniform();
        self.spare = Some(r * theta.sin());
        r * theta.cos()
    }
}

/// A labelled data set.
struct Data {
    xs: Vec<[f64; D]>,
    ys: Vec<usize>,
}

/// `n` evenly spaced numbers from `a` to `b` inclusive, like `np.linspace`.
fn linspace(a: f64, b: f64, n: usize) -> impl Iterator<Item = f64> {
    (0..n).map(move |i| a + (b - a) * i as f64 / (n - 1) as f64)
}

/// The spiral data of the case study: for class j, radius r from 0 to 1 and
/// angle t from 4j to 4(j+1) plus N(0, 0.2^2) noise; x = (r sin t, r cos t).
fn spiral(rng: &mut Rng) -> Data {
    let mut data = Data {
        xs: Vec::with_capacity(N * K),
        ys: Vec::with_capacity(N * K),
    };
    for j in 0..K {
        let angles = linspace(4.0 * j as f64, 4.0 * (j + 1) as f64, N);
        for (r, t) in linspace(0.0, 1.0, N).zip(angles) {
            let t = t + 0.2 * rng.normal();
            data.xs.push([r * t.sin(), r * t.cos()]);
            data.ys.push(j);
        }
    }
    data
}

// ---------------------------------------------------------------------------
// Pictures: decision regions and data points as SVG.
// ---------------------------------------------------------------------------

/// An SVG picture of the decision regions of `classify` over [-1, 1]^2 (a
/// `GRID` x `GRID` grid, each row's runs of one class merged into one
/// rectangle) with the points of `data` on top, coloured by class.
fn decision_svg(
    title: &str,
    data: &Data,
    classify: impl Fn(&[f64; D]) -> usize,
) -> Result<String, std::fmt::Error> {
    const GRID: usize = 200;
    const CELL: usize = 2; // pixels per grid cell
    const SIZE: usize = GRID * CELL;
    const REGION: [&str; K] = ["#fbd0d0", "#d2f0cc", "#d0ddfb"];
    const POINT: [&str; K] = ["#d62728", "#2ca02c", "#1f77b4"];

    // Pixel coordinates: x to the right, y up, [-1, 1] onto [0, SIZE].
    let to_px = |v: f64| (v + 1.0) * 0.5 * SIZE as f64;
    // Centre of grid cell i, in data coordinates.
    let centre = |i: usize| -1.0 + (2.0 * i as f64 + 1.0) / GRID as f64;

    let mut svg = String::new();
    writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}">"#
    )?;
    writeln!(svg, "<title>{title}</title>")?;
    writeln!(svg, r#"<g shape-rendering="crispEdges">"#)?;
    for row in 0..GRID {
        // Row 0 is at the top of the picture, where y = 1.
        let y = centre(GRID - 1 - row);
        let labels: Vec<usize> = (0..GRID).map(|col| classify(&[centre(col), y])).collect();
        let mut start = 0;
        while start < GRID {
            let class = labels[start];
            let len = labels[start..].iter().take_while(|&&c| c == class).count();
            writeln!(
                svg,
                r#"<rect x="{}" y="{}" width="{}" height="{CELL}" fill="{}"/>"#,
                start * CELL,
                row * CELL,
                len * CELL,
                REGION[class]
            )?;
            start += len;
        }
    }
    writeln!(svg, "</g>")?;
    writeln!(svg, r#"<g stroke="black" stroke-width="0.8">"#)?;
    for (x, &y) in data.xs.iter().zip(&data.ys) {
        writeln!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{}"/>"#,
            to_px(x[0]),
            SIZE as f64 - to_px(x[1]),
            POINT[y]
        )?;
    }
    writeln!(svg, "</g>\n</svg>")?;
    Ok(svg)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = Rng::new(0x5eed);
    let data = spiral(&mut rng);
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    std::fs::create_dir_all(&docs)?;

    // --- Linear softmax classifier ---------------------------------------
    println!("Linear softmax classifier: step {STEP}, reg {REG}, {LINEAR_STEPS} iterations");
    let mut linear = Linear::init(&mut rng);
    let mut grad = Linear::zeros();
    // The gradient at the initial parameters against central differences,
    // on every one of the 9 parameters.
    linear.loss_and_grad(&data, &mut grad);
    let probes: [fn(&mut Linear) -> &mut f64; 9] = [
        |m| &mut m.w[0][0],
        |m| &mut m.w[0][1],
        |m| &mut m.w[0][2],
        |m| &mut m.w[1][0],
        |m| &mut m.w[1][1],
        |m| &mut m.w[1][2],
        |m| &mut m.b[0],
        |m| &mut m.b[1],
        |m| &mut m.b[2],
    ];
    let check = check_probes(&linear, &grad, &probes, |m| m.loss(&data));
    println!("  {check}");
    check.assert_ok();

    for it in 0..LINEAR_STEPS {
        let loss = linear.loss_and_grad(&data, &mut grad);
        if it % 10 == 0 {
            println!("  iteration {it:5}: loss {loss:.6}");
        }
        linear.descend(&grad, STEP);
    }
    let linear_accuracy = accuracy(&data, |x| argmax(&linear.scores(x)));
    println!("  training accuracy: {linear_accuracy:.2}");

    // --- Two-layer network -----------------------------------------------
    println!("Two-layer network, {H} ReLU units: step {STEP}, reg {REG}, {NET_STEPS} iterations");
    let mut net = Net::init(&mut rng);
    let mut grad = Net::zeros();
    // The gradient at the initial parameters against central differences,
    // on two parameters of each array.
    net.loss_and_grad(&data, &mut grad);
    let probes: [fn(&mut Net) -> &mut f64; 8] = [
        |m| &mut m.w1[0][3],
        |m| &mut m.w1[1][42],
        |m| &mut m.b1[0],
        |m| &mut m.b1[57],
        |m| &mut m.w2[7][0],
        |m| &mut m.w2[99][2],
        |m| &mut m.b2[0],
        |m| &mut m.b2[1],
    ];
    let check = check_probes(&net, &grad, &probes, |m| m.loss(&data));
    println!("  {check}");
    check.assert_ok();

    let net_started = Instant::now();
    for it in 0..NET_STEPS {
        let loss = net.loss_and_grad(&data, &mut grad);
        if it % 1000 == 0 {
            println!("  iteration {it:5}: loss {loss:.6}");
        }
        net.descend(&grad, STEP);
    }
    let net_accuracy = accuracy(&data, |x| argmax(&net.scores(x)));
    println!("  training accuracy: {net_accuracy:.2}");
    let seconds = net_started.elapsed().as_secs_f64();
    println!("  ({NET_STEPS} steps in {seconds:.2} s)");

    // --- Pictures ----------------------------------------------------------
    let pictures = [
        (
            "spiral_linear.svg",
            decision_svg(
                &format!("Linear softmax classifier, training accuracy {linear_accuracy:.2}"),
                &data,
                |x| argmax(&linear.scores(x)),
            )?,
        ),
        (
            "spiral_net.svg",
            decision_svg(
                &format!("Two-layer ReLU network, training accuracy {net_accuracy:.2}"),
                &data,
                |x| argmax(&net.scores(x)),
            )?,
        ),
    ];
    for (file, svg) in pictures {
        std::fs::write(docs.join(file), &svg)?;
        println!("wrote docs/{file} ({} KB)", svg.len() / 1024);
    }

    // Fail loudly if a change to the macro breaks training. (After the
    // pictures, so that a failing run still leaves them to look at.)
    assert!(linear_accuracy >= 0.45, "linear accuracy {linear_accuracy}");
    assert!(net_accuracy >= 0.95, "network accuracy {net_accuracy}");
    Ok(())
}
