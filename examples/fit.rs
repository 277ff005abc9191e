//! L2-regularised logistic regression solved with [argmin], every derivative from
//! `#[grad]`: L-BFGS with the gradient of `loss_backward`, the same run with gradients by
//! central finite differences (`finitediff`, argmin's companion crate) beside it, and two
//! second-order solvers fed Hessian-vector products by `loss_hvp` (`#[grad(hvp)]`).
//!
//! ```sh
//! cargo run --release --example fit            # 200 features, 2,000 samples (~7 s CPU)
//! cargo run --release --example fit -- 50 500  # other sizes: features, samples
//! cargo run --example fit                      # a debug build: 50 features, 500 samples
//! ```
//!
//! The data (standard normal features, labels drawn from the logistic model of a random
//! weight vector) come from a seeded SplitMix64 written below, so every run is the same.
//! Progress is printed as each solver goes by a small `Observe` implementation; at the
//! end a table gives iterations, wall time, final cost and the number of cost, gradient
//! and Hessian-vector evaluations of each run. The example asserts that the companion's
//! gradient agrees with central differences at the start point to 1e-7 (absolute, the
//! gradient's entries being below 1), and H·v with differences of the gradient to 1e-6;
//! that L-BFGS with exact gradients ends at a cost no higher than with finite differences
//! (up to a rounding allowance of 1e-12 relative: on this smooth, well-conditioned
//! problem the two runs take the same steps and end at the same cost to 15 digits; what
//! differs is the time, 400 cost evaluations per gradient instead of one companion call);
//! and that the second-order runs reach the same minimum to 1e-9 relative.
//!
//! # The glue
//!
//! `CostFunction` calls `loss`; `Gradient` calls `loss_backward` into a zeroed `Vec`.
//! For second order, argmin's `Hessian` trait may return any type `H`, and both
//! `NewtonCG` and `TrustRegion` with `Steihaug`'s conjugate gradients only ever ask
//! `H: ArgminDot<P, P>`, that is `h.dot(&v)`. So `hessian(w)` here returns an operator
//! that remembers `w` and answers `dot(v)` with `loss_hvp`: Newton's method without ever
//! forming the 200 × 200 matrix (n HVPs would build it; nothing here needs it). The glue
//! is about 45 lines (three trait impls, the operator, its `ArgminDot`), written per
//! problem because the data arguments of `loss` are the user's own. An adapter in the
//! crate behind an `argmin` feature, taking three closures (cost, gradient into a slice,
//! H·v into a slice) and implementing these traits and the operator once, would shrink it
//! to those closures.
//!
//! # What the runs show (argmin 0.11)
//!
//! - L-BFGS: the same 16 iterations with either gradient, to the same cost; a gradient by
//!   finite differences is 2 × 200 cost evaluations, by the companion one call (0.09 s
//!   against 15 s for the whole run, release build, on a busy 2-core machine).
//! - `NewtonCG` converges only linearly here: its inner CG stops when the value CG
//!   reports as its cost — the *squared* residual ‖r‖² — falls below
//!   min(0.5, √‖g‖)·‖g‖ (Nocedal and Wright's test is on ‖r‖), which for ‖g‖ < 1 holds
//!   after the first CG step. Each Newton iteration is then a steepest-descent direction
//!   with a line search (3 HVPs per iteration in the table).
//! - `TrustRegion` with `Steihaug` converges quadratically (‖g‖: 3e-4, 6e-7, 3e-12).
//!   `TrustRegion` has no stopping test of its own, and `Steihaug`'s `epsilon` is also an
//!   absolute gradient tolerance (with ‖g‖ < ε it returns a zero step, which is then
//!   rejected every iteration), so the run is bounded by `max_iters` and ε is small.
//!
//! [argmin]: https://argmin-rs.org

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{
    CostFunction, Error, Executor, Gradient, Hessian, IterState, Solver, State, KV,
};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::newton::NewtonCG;
use argmin::solver::quasinewton::LBFGS;
use argmin::solver::trustregion::{Steihaug, TrustRegion};
use argmin_math::ArgminDot;
use autodiff::grad;

/// The mean logistic loss of the labels `y` (0 or 1) under the linear model `w` on the
/// rows of `x` (`x[i * d..(i + 1) * d]` is sample i, d = `w.len()`), plus `lambda / 2 ‖w‖²`.
#[grad(hvp, wrt(w))]
fn loss(w: &[f64], x: &[f64], y: &[f64], lambda: f64) -> f64 {
    let d = w.len();
    let n = y.len();
    let mut total = 0.0;
    for i in 0..n {
        let row = &x[i * d..(i + 1) * d];
        let z: f64 = row.iter().zip(w.iter()).map(|(a, b)| a * b).sum();
        // -log σ(z) for y = 1, -log(1 - σ(z)) for y = 0, stable for large |z|.
        total += autodiff::softplus(z) - y[i] * z;
    }
    let reg: f64 = w.iter().map(|v| v * v).sum();
    total / n as f64 + 0.5 * lambda * reg
}

/// The data and counters of the fitting problem.
struct Data {
    x: Vec<f64>,
    y: Vec<f64>,
    lambda: f64,
    costs: AtomicUsize,
    gradients: AtomicUsize,
    hvps: AtomicUsize,
}

impl Data {
    fn cost(&self, w: &[f64]) -> f64 {
        self.costs.fetch_add(1, Ordering::Relaxed);
        loss(w, &self.x, &self.y, self.lambda)
    }
}

/// The problem argmin sees, with exact derivatives: the cost is `loss`, the gradient
/// `loss_backward`, and the Hessian an operator applying `loss_hvp` (below).
#[derive(Clone)]
struct Exact(Arc<Data>);

impl CostFunction for Exact {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, w: &Vec<f64>) -> Result<f64, Error> {
        Ok(self.0.cost(w))
    }
}

impl Gradient for Exact {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, w: &Vec<f64>) -> Result<Vec<f64>, Error> {
        let p = &self.0;
        p.gradients.fetch_add(1, Ordering::Relaxed);
        let mut g = vec![0.0; w.len()];
        loss_backward(w, &mut g, &p.x, &p.y, p.lambda, 1.0);
        Ok(g)
    }
}

/// The Hessian at `w` as an operator: `h.dot(v)` is H·v by `loss_hvp`, never a matrix.
#[derive(Clone)]
struct HessianAt {
    data: Arc<Data>,
    w: Vec<f64>,
}

impl ArgminDot<Vec<f64>, Vec<f64>> for HessianAt {
    fn dot(&self, v: &Vec<f64>) -> Vec<f64> {
        let p = &self.data;
        p.hvps.fetch_add(1, Ordering::Relaxed);
        let mut g = vec![0.0; v.len()];
        let mut hv = vec![0.0; v.len()];
        loss_hvp(&self.w, v, &mut g, &mut hv, &p.x, &p.y, p.lambda);
        hv
    }
}

impl Hessian for Exact {
    type Param = Vec<f64>;
    type Hessian = HessianAt;
    fn hessian(&self, w: &Vec<f64>) -> Result<HessianAt, Error> {
        Ok(HessianAt {
            data: Arc::clone(&self.0),
            w: w.clone(),
        })
    }
}

/// The same problem with gradients by central finite differences (`finitediff`).
struct FiniteDiff(Arc<Data>);

impl CostFunction for FiniteDiff {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, w: &Vec<f64>) -> Result<f64, Error> {
        Ok(self.0.cost(w))
    }
}

impl Gradient for FiniteDiff {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, w: &Vec<f64>) -> Result<Vec<f64>, Error> {
        self.0.gradients.fetch_add(1, Ordering::Relaxed);
        let p = &self.0;
        // The cost evaluations of the differences count as costs too.
        let cost = |w: &Vec<f64>| Ok(p.cost(w));
        let gradient = finitediff::vec::central_diff(&cost);
        gradient(w)
    }
}

/// Prints the solver's progress: iteration, cost, gradient norm, time since the start.
struct Progress {
    start: Instant,
}

impl<H> Observe<IterState<Vec<f64>, Vec<f64>, (), H, (), f64>> for Progress {
    fn observe_iter(
        &mut self,
        state: &IterState<Vec<f64>, Vec<f64>, (), H, (), f64>,
        _kv: &KV,
    ) -> Result<(), Error> {
        // Newton-CG does not keep the gradient in the state.
        let gnorm = state
            .get_gradient()
            .map_or("-".into(), |g| format!("{:.3e}", norm(g)));
        println!(
            "    iter {:>4}  cost {:.15}  |g| {gnorm:>9}  {:>7.3} s",
            state.get_iter(),
            state.get_cost(),
            self.start.elapsed().as_secs_f64()
        );
        Ok(())
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// A seeded generator (SplitMix64), so the example needs no extra crate.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Samples with standard normal features and labels drawn from the logistic model of a
/// random true weight vector.
fn generate(d: usize, n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng(seed);
    let w_true: Vec<f64> = (0..d)
        .map(|_| rng.normal() / (d as f64).sqrt() * 3.0)
        .collect();
    let x: Vec<f64> = (0..n * d).map(|_| rng.normal()).collect();
    let y = x
        .chunks(d)
        .map(|row| {
            let z: f64 = row.iter().zip(&w_true).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            if rng.uniform() < p {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    (x, y)
}

struct Run {
    iters: u64,
    seconds: f64,
    cost: f64,
    costs: usize,
    gradients: usize,
    hvps: usize,
}

fn report(name: &str, r: &Run) {
    println!(
        "{name:<32} {:>6} {:>10.3} {:>18.15} {:>7} {:>7} {:>7}",
        r.iters, r.seconds, r.cost, r.costs, r.gradients, r.hvps
    );
}

fn counts(data: &Data) -> (usize, usize, usize) {
    (
        data.costs.swap(0, Ordering::Relaxed),
        data.gradients.swap(0, Ordering::Relaxed),
        data.hvps.swap(0, Ordering::Relaxed),
    )
}

/// Runs `solver` on `problem` from `w0`, printing progress every `every` iterations.
fn run<O, S, H>(problem: O, solver: S, w0: &[f64], max_iters: u64, every: u64) -> Result<Run, Error>
where
    S: Solver<O, IterState<Vec<f64>, Vec<f64>, (), H, (), f64>>,
    O: HasData,
{
    let data = problem.data();
    counts(&data);
    let start = Instant::now();
    let res = Executor::new(problem, solver)
        .configure(|state| state.param(w0.to_vec()).max_iters(max_iters))
        .add_observer(Progress { start }, ObserverMode::Every(every))
        .run()?;
    let seconds = start.elapsed().as_secs_f64();
    let (costs, gradients, hvps) = counts(&data);
    let state = res.state();
    let reason = state
        .get_termination_reason()
        .map_or("-".into(), |r| r.to_string());
    println!("    stopped: {reason}");
    Ok(Run {
        iters: state.get_iter(),
        seconds,
        cost: state.get_best_cost(),
        costs,
        gradients,
        hvps,
    })
}

/// The shared data of a problem, for the counters.
trait HasData {
    fn data(&self) -> Arc<Data>;
}

impl HasData for Exact {
    fn data(&self) -> Arc<Data> {
        Arc::clone(&self.0)
    }
}

impl HasData for FiniteDiff {
    fn data(&self) -> Arc<Data> {
        Arc::clone(&self.0)
    }
}

fn main() -> Result<(), Error> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("usage: fit [features] [samples]"))
        .collect();
    // Finite differences cost features² × samples per gradient: a debug build, some 30
    // times slower, runs a smaller problem unless told otherwise.
    let (d0, n0) = if cfg!(debug_assertions) {
        (50, 500)
    } else {
        (200, 2000)
    };
    let d = args.first().copied().unwrap_or(d0);
    let n = args.get(1).copied().unwrap_or(n0);
    let lambda = 1e-2;
    let (x, y) = generate(d, n, 42);
    let data = Arc::new(Data {
        x,
        y,
        lambda,
        costs: AtomicUsize::new(0),
        gradients: AtomicUsize::new(0),
        hvps: AtomicUsize::new(0),
    });
    println!("logistic regression, L2 (lambda = {lambda}): {d} features, {n} samples");
    let w0 = vec![0.0; d];

    // The companion's gradient against central differences at the start point.
    let exact = Exact(Arc::clone(&data));
    let g = exact.gradient(&w0)?;
    let g_fd = FiniteDiff(Arc::clone(&data)).gradient(&w0)?;
    let err = g
        .iter()
        .zip(&g_fd)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let scale = g.iter().map(|a| a.abs()).fold(0.0, f64::max);
    println!(
        "gradient at w0: max |autodiff - finite differences| = {err:.2e} (max |g| = {scale:.2e})"
    );
    assert!(
        err <= 1e-7 * scale.max(1.0),
        "gradient check failed: {err:e}"
    );

    // The companion's Hessian-vector product against central differences of the
    // gradient, along a random direction.
    let mut rng = Rng(7);
    let v: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
    let hv = exact.hessian(&w0)?.dot(&v);
    let gradient = |w: &Vec<f64>| exact.gradient(w);
    let hv_fd = finitediff::vec::central_hessian_vec_prod(&gradient)(&w0, &v)?;
    let err = hv
        .iter()
        .zip(&hv_fd)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let scale = hv.iter().map(|a| a.abs()).fold(0.0, f64::max);
    println!(
        "H·v at w0:      max |autodiff - finite differences| = {err:.2e} (max |H·v| = {scale:.2e})"
    );
    assert!(
        err <= 1e-6 * scale.max(1.0),
        "Hessian-vector product check failed: {err:e}"
    );

    // L-BFGS stops when |g| < 1e-7: near 1e-8 rounding in the cost (its change over a
    // step, |g|² / lambda, reaches 1e-14) makes the line search thrash.
    let lbfgs = || -> Result<_, Error> {
        LBFGS::new(MoreThuenteLineSearch::new(), 10).with_tolerance_grad(1e-7)
    };
    println!("\nL-BFGS (m = 10), gradients by #[grad] (loss_backward):");
    let ad = run(Exact(Arc::clone(&data)), lbfgs()?, &w0, 200, 5)?;

    println!("\nL-BFGS (m = 10), gradients by central finite differences (finitediff):");
    let fd = run(FiniteDiff(Arc::clone(&data)), lbfgs()?, &w0, 200, 5)?;

    println!("\nNewton-CG (line search), Hessian-vector products by #[grad(hvp)] (loss_hvp):");
    let solver = NewtonCG::new(MoreThuenteLineSearch::new()).with_tolerance(1e-14)?;
    let newton = run(Exact(Arc::clone(&data)), solver, &w0, 200, 5)?;

    println!("\nTrust region with Steihaug's CG, Hessian-vector products by #[grad(hvp)]:");
    let solver = TrustRegion::new(Steihaug::new().with_epsilon(1e-10)?);
    let tr = run(Exact(Arc::clone(&data)), solver, &w0, 8, 1)?;

    println!(
        "\n{:<32} {:>6} {:>10} {:>18} {:>7} {:>7} {:>7}",
        "solver", "iters", "time [s]", "final cost", "costs", "grads", "HVPs"
    );
    report("L-BFGS, #[grad]", &ad);
    report("L-BFGS, finite differences", &fd);
    report("Newton-CG, #[grad(hvp)]", &newton);
    report("trust region (Steihaug), hvp", &tr);
    assert!(
        ad.cost <= fd.cost + 1e-12 * fd.cost.abs(),
        "exact gradients ended above finite differences: {} > {}",
        ad.cost,
        fd.cost
    );
    for (name, r) in [("Newton-CG", &newton), ("trust region", &tr)] {
        assert!(
            (r.cost - ad.cost).abs() <= 1e-9 * ad.cost.abs(),
            "{name} ended at {}, L-BFGS at {}",
            r.cost,
            ad.cost
        );
    }
    Ok(())
}
