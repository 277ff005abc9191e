//! The GradBench modules `hello`, `lse`, `llsq`, `gmm`, `ba`, `ht`, `lstm`,
//! `ode`, `det`, `kmeans`, `saddle` and `particle` (all twelve evals), and
//! the request handler of the GradBench protocol.
//!
//! Shared by `examples/gradbench.rs` and the workspace member
//! `tools/gradbench-tool` (the tool: JSON lines on stdin/stdout) and by
//! `tests/gradbench.rs` (which feeds protocol messages to [`handle`]).
//! `kmeans` takes its Hessian from `#[grad(hvp)]`; `saddle` and `particle`
//! differentiate functions that call companions (nested differentiation),
//! in the four forward/reverse combinations their evals ask for.
//!
//! Every derivative comes from a companion written by `#[grad]`. `ht`
//! joins the Jacobians its companions give by the chain rule (see
//! [`ht::Problem::jacobian`] for why). The other exception is the time loop
//! of `ode`, whose state is a vector whose length
//! is known only at run time: it is marked `#[grad(custom)]` and its
//! hand-written companion only sequences the `#[grad]` companion of one
//! Runge–Kutta step of one component (see [`ode::ode_last`]).
//!
//! Specification: `CONTRIBUTING.md` ("Protocol") and `evals/<module>/README.md`
//! of <https://github.com/gradbench/gradbench>. Where an eval README and the
//! eval's validator (which compares with the C++ tool `manual`) disagree, the
//! validator wins; each such place says so.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

use serde_json::{json, Map, Value};
use std::hint::black_box;
use std::time::Instant;

/// The modules this tool implements, for `define`.
pub const MODULES: [&str; 12] = [
    "hello", "lse", "llsq", "gmm", "ba", "ht", "lstm", "ode", "det", "kmeans", "saddle", "particle",
];

/// The tool's main loop: one GradBench message per line of standard input,
/// one answer per line of standard output (shared by `examples/gradbench.rs`
/// and `tools/gradbench-tool`).
#[allow(dead_code)] // `tests/gradbench.rs` includes this file and calls `handle`.
pub fn serve() -> std::io::Result<()> {
    use std::io::{BufRead, Write};
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        writeln!(stdout, "{}", handle(&line))?;
        stdout.flush()?;
    }
    Ok(())
}

/// Answers one line of the protocol (one message) with one line (the
/// response, without its newline).
///
/// - `start`: `{"id", "tool"}`;
/// - `define`: `{"id", "success"}`, and an `"error"` for a module this tool
///   does not implement;
/// - `evaluate`: `{"id", "success": true, "output", "timings"}` with one
///   `"evaluate"` timing per run, or `{"id", "success": false, "error"}`;
/// - anything else (`analysis` …): `{"id"}`.
///
/// A line that is not a JSON object with an `"id"` gets `{"id": null,
/// "error"}`.
pub fn handle(line: &str) -> String {
    let message: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return json!({ "id": null, "error": format!("invalid JSON: {e}") }).to_string(),
    };
    let Some(id) = message.get("id").cloned() else {
        return json!({ "id": null, "error": "the message has no \"id\"" }).to_string();
    };
    let mut response = Map::new();
    response.insert("id".into(), id);
    match message.get("kind").and_then(Value::as_str) {
        Some("start") => {
            response.insert("tool".into(), json!("autodiff"));
        }
        Some("define") => {
            let module = message.get("module").and_then(Value::as_str).unwrap_or("");
            let known = MODULES.contains(&module);
            response.insert("success".into(), json!(known));
            if !known {
                response.insert("error".into(), json!(format!("unknown module {module:?}")));
            }
        }
        Some("evaluate") => {
            let module = message.get("module").and_then(Value::as_str).unwrap_or("");
            let function = message
                .get("function")
                .and_then(Value::as_str)
                .unwrap_or("");
            let input = message.get("input").unwrap_or(&Value::Null);
            match evaluate(module, function, input) {
                Ok((output, timings)) => {
                    response.insert("success".into(), json!(true));
                    response.insert("output".into(), output);
                    let timings: Vec<Value> = timings
                        .into_iter()
                        .map(|ns| json!({ "name": "evaluate", "nanoseconds": ns }))
                        .collect();
                    response.insert("timings".into(), Value::Array(timings));
                }
                Err(error) => {
                    response.insert("success".into(), json!(false));
                    response.insert("error".into(), json!(error));
                }
            }
        }
        _ => {}
    }
    Value::Object(response).to_string()
}

/// The output of one `evaluate` and the nanoseconds of each run.
type Evaluation = Result<(Value, Vec<u64>), String>;

fn evaluate(module: &str, function: &str, input: &Value) -> Evaluation {
    match module {
        "hello" => hello::evaluate(function, input),
        "lse" => lse::evaluate(function, input),
        "llsq" => llsq::evaluate(function, input),
        "gmm" => gmm::evaluate(function, input),
        "ba" => ba::evaluate(function, input),
        "ht" => ht::evaluate(function, input),
        "lstm" => lstm::evaluate(function, input),
        "ode" => ode::evaluate(function, input),
        "det" => det::evaluate(function, input),
        "kmeans" => kmeans::evaluate(function, input),
        "saddle" => saddle::evaluate(function, input),
        "particle" => particle::evaluate(function, input),
        _ => Err(format!("unknown module {module:?}")),
    }
}

fn unknown_function(module: &str, function: &str) -> Evaluation {
    Err(format!("module {module:?} has no function {function:?}"))
}

// ---------------------------------------------------------------------------
// Runs and input parsing
// ---------------------------------------------------------------------------

/// Runs `f` at least `min_runs` times and until the runs took `min_seconds`
/// in all (the `Runs` fields of the input; 1 and 0 when absent, as for
/// `hello`), timing each run. Returns the last result and the timings.
/// Input preparation and output encoding happen outside `f`, so outside the
/// timings.
fn runs<T>(input: &Value, mut f: impl FnMut() -> T) -> (T, Vec<u64>) {
    let min_runs = input
        .get("min_runs")
        .and_then(Value::as_f64)
        .unwrap_or(1.0)
        .max(1.0) as u64;
    let min_seconds = input
        .get("min_seconds")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let mut timings = Vec::new();
    let mut total = 0.0;
    loop {
        let start = Instant::now();
        let out = black_box(f());
        let elapsed = start.elapsed();
        timings.push(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX));
        total += elapsed.as_secs_f64();
        if timings.len() as u64 >= min_runs && total >= min_seconds {
            return (out, timings);
        }
    }
}

fn field<'a>(input: &'a Value, key: &str) -> Result<&'a Value, String> {
    input
        .get(key)
        .ok_or_else(|| format!("the input has no field {key:?}"))
}

fn float(input: &Value, key: &str) -> Result<f64, String> {
    field(input, key)?
        .as_f64()
        .ok_or_else(|| format!("the field {key:?} is not a number"))
}

fn uint(input: &Value, key: &str) -> Result<usize, String> {
    field(input, key)?
        .as_u64()
        .and_then(|v| usize::try_from(v).ok())
        .ok_or_else(|| format!("the field {key:?} is not a non-negative integer"))
}

fn floats_of(v: &Value, what: &str) -> Result<Vec<f64>, String> {
    v.as_array()
        .ok_or_else(|| format!("{what} is not an array"))?
        .iter()
        .map(|e| {
            e.as_f64()
                .ok_or_else(|| format!("{what} has an element that is not a number"))
        })
        .collect()
}

fn floats(input: &Value, key: &str) -> Result<Vec<f64>, String> {
    floats_of(field(input, key)?, &format!("the field {key:?}"))
}

/// A `Float[][]` field of `rows` rows of `cols` numbers, flattened row-major.
fn matrix(input: &Value, key: &str, rows: usize, cols: usize) -> Result<Vec<f64>, String> {
    let what = format!("the field {key:?}");
    let outer = field(input, key)?
        .as_array()
        .ok_or_else(|| format!("{what} is not an array"))?;
    if outer.len() != rows {
        return Err(format!("{what} has {} rows, expected {rows}", outer.len()));
    }
    let mut flat = Vec::with_capacity(rows * cols);
    for row in outer {
        let row = floats_of(row, &what)?;
        if row.len() != cols {
            return Err(format!(
                "{what} has a row of {} numbers, expected {cols}",
                row.len()
            ));
        }
        flat.extend(row);
    }
    Ok(flat)
}

/// `rows` rows of `cols` numbers from a flat row-major buffer, as JSON.
fn rows_json(flat: &[f64], rows: usize, cols: usize) -> Value {
    Value::Array(
        (0..rows)
            .map(|r| json!(&flat[r * cols..(r + 1) * cols]))
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// hello
// ---------------------------------------------------------------------------

/// `square` and its gradient `double`. The input is a bare number (no `Runs`).
pub mod hello {
    use super::*;
    use autodiff::grad;

    #[grad]
    pub fn square(x: f64) -> f64 {
        x * x
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let x = input.as_f64().ok_or("the input is not a number")?;
        let (y, timings) = match function {
            "square" => runs(input, || square(black_box(x))),
            "double" => runs(input, || square_backward(black_box(x), 1.0).1),
            _ => return unknown_function("hello", function),
        };
        Ok((json!(y), timings))
    }
}

// ---------------------------------------------------------------------------
// lse
// ---------------------------------------------------------------------------

/// LogSumExp with the max trick, written from its primitive elements (a max,
/// a sum), and its gradient.
pub mod lse {
    use super::*;
    use autodiff::grad;

    /// `max x + ln Σ exp(x_i - max x)`. `x` must not be empty.
    ///
    /// The max is a shift the value does not depend on (∂/∂m = 1 - Σ softmax
    /// = 0), so it is held constant by `no_grad`, as `manual`'s gradient
    /// (`exp(x_i - m) / Σ`) does: differentiated, the companion reverses the
    /// running max too and costs 2.0–2.3× the primal instead of ≈ 1.3× (see
    /// PERFORMANCE.md, "GradBench").
    #[grad]
    pub fn logsumexp(x: &[f64]) -> f64 {
        let mut m = x[0];
        for v in x.iter() {
            m = m.max(*v);
        }
        let m = autodiff::no_grad(m);
        let z: f64 = x.iter().map(|v| (v - m).exp()).sum();
        m + z.ln()
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let x = floats(input, "x")?;
        if x.is_empty() {
            return Err("`x` is empty".into());
        }
        match function {
            "primal" => {
                let (y, t) = runs(input, || logsumexp(black_box(&x)));
                Ok((json!(y), t))
            }
            "gradient" => {
                // The gradient buffer is allocated once and zeroed per run.
                let mut dx = vec![0.0; x.len()];
                let (_, t) = runs(input, || {
                    dx.fill(0.0);
                    logsumexp_backward(black_box(&x), &mut dx, 1.0)
                });
                Ok((json!(dx), t))
            }
            _ => unknown_function("lse", function),
        }
    }
}

// ---------------------------------------------------------------------------
// llsq
// ---------------------------------------------------------------------------

/// The linear least squares objective of cmpad's `llsq_obj`:
/// `½ Σ_i (s_i - Σ_j x_j t_i^j)²` with `t_i = -1 + 2i/(n-1)` and
/// `s_i = sign(t_i)`.
pub mod llsq {
    use super::*;
    use autodiff::grad;

    /// `Σ_j x_j t^j` by Horner's rule (`t` is data).
    ///
    /// A function of its own, called once per `t_i`, rather than an inner
    /// loop of `llsq` as cmpad writes it: with the inner loop inline (its
    /// `mul *= t` carried), the companion records the inner loop's carried
    /// values into a fresh `Vec` per outer iteration twice (once in the
    /// forward sweep, where nothing reads it, and again in the reverse sweep),
    /// and the gradient takes 3× as long as this way (n = 16392, m = 128).
    #[grad(wrt(x))]
    pub fn poly(x: &[f64], t: f64) -> f64 {
        let m = x.len();
        let mut p = 0.0;
        for j in 0..m {
            p = p * t + x[m - 1 - j];
        }
        p
    }

    #[grad(wrt(x))]
    pub fn llsq(x: &[f64], n: usize) -> f64 {
        let mut sum = 0.0;
        for i in 0..n {
            let t = -1.0 + (i as f64) * 2.0 / ((n - 1) as f64);
            let s = if t > 0.0 {
                1.0
            } else if t < 0.0 {
                -1.0
            } else {
                0.0
            };
            // `t` is data; `no_grad` says so to the call (poly has `wrt(x)`).
            let r = s - poly(x, autodiff::no_grad(t));
            sum += r * r;
        }
        sum / 2.0
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let x = floats(input, "x")?;
        let n = uint(input, "n")?;
        match function {
            "primal" => {
                let (y, t) = runs(input, || llsq(black_box(&x), n));
                Ok((json!(y), t))
            }
            "gradient" => {
                // The gradient buffer is allocated once and zeroed per run.
                let mut dx = vec![0.0; x.len()];
                let (_, t) = runs(input, || {
                    dx.fill(0.0);
                    llsq_backward(black_box(&x), &mut dx, n, 1.0)
                });
                Ok((json!(dx), t))
            }
            _ => unknown_function("llsq", function),
        }
    }
}

// ---------------------------------------------------------------------------
// gmm
// ---------------------------------------------------------------------------

/// The log posterior of a Gaussian mixture model with a Wishart prior on the
/// precision matrices (ADBench's GMM objective, with GradBench's fixes), and
/// its gradient with respect to `alpha`, `mu`, `q` and `l`.
///
/// Layout: `x` is `n × d`, `mu` and `q` are `k × d`, `l` is `k × d(d-1)/2`,
/// all flat row-major. `l[k]` fills the strict lower triangle of `Q_k` column
/// by column, so entry (row `r`, column `c < r`) is
/// `l[k][c(2d - c - 1)/2 + r - c - 1]`.
pub mod gmm {
    use super::*;
    use autodiff::grad;

    /// The log posterior `log p(X | θ, φ) + log p(θ)`.
    ///
    /// `wishart_m` is the Wishart prior's `m`; `constant` is the part that
    /// depends on no independent variable (`-nd/2 ln 2π` plus `k` times the
    /// Wishart normalisation, see [`constant`]).
    ///
    /// As `manual` does, `Q_k`'s diagonal `exp(q_k)` and `Σ_j q_{k,j}` are
    /// computed once, not per point, and each point's `β_{i,k} = α_k + Σ_j
    /// q_{k,j} - ½ ‖Q_k (x_i - μ_k)‖²` once per component (into `beta`,
    /// one row of `Q_k (x_i - μ_k)` at a time), then reduced by a stable
    /// log-sum-exp.
    #[grad(wrt(alpha, mu, q, l))]
    pub fn objective(
        alpha: &[f64],
        mu: &[f64],
        q: &[f64],
        l: &[f64],
        x: &[f64],
        d: usize,
        k: usize,
        n: usize,
        wishart_m: f64,
        gamma: f64,
        constant: f64,
    ) -> f64 {
        let lsz = d * (d - 1) / 2;
        let qdiag: Vec<f64> = q.iter().map(|v| v.exp()).collect();
        let mut sum_q = vec![0.0; k];
        for kk in 0..k {
            for j in 0..d {
                sum_q[kk] += q[kk * d + j];
            }
        }
        let mut beta = vec![0.0; k];
        let mut slse = 0.0;
        for i in 0..n {
            for kk in 0..k {
                let mut sq = 0.0;
                for r in 0..d {
                    let mut row = qdiag[kk * d + r] * (x[i * d + r] - mu[kk * d + r]);
                    for c in 0..r {
                        row += l[kk * lsz + c * (2 * d - c - 1) / 2 + r - c - 1]
                            * (x[i * d + c] - mu[kk * d + c]);
                    }
                    sq += row * row;
                }
                beta[kk] = alpha[kk] + sum_q[kk] - 0.5 * sq;
            }
            // The max over k is a shift the value does not depend on
            // (∂/∂shift = 1 - Σ softmax = 0): held constant by `no_grad`.
            let mut shift = beta[0];
            for kk in 1..k {
                shift = shift.max(beta[kk]);
            }
            let shift = autodiff::no_grad(shift);
            let mut z = 0.0;
            for kk in 0..k {
                z += (beta[kk] - shift).exp();
            }
            slse += shift + z.ln();
        }
        // The Wishart prior, without its constant.
        let mut prior = 0.0;
        for kk in 0..k {
            let mut frobenius = 0.0;
            for j in 0..d {
                frobenius += qdiag[kk * d + j] * qdiag[kk * d + j];
            }
            for j in 0..lsz {
                frobenius += l[kk * lsz + j] * l[kk * lsz + j];
            }
            prior += 0.5 * gamma * gamma * frobenius - wishart_m * sum_q[kk];
        }
        constant + slse - (n as f64) * super::lse::logsumexp(alpha) - prior
    }

    /// `ln Γ(x)` for `x > 0`: the recurrence up to `x ≥ 15`, then Stirling's
    /// series (error below 1e-14 there). Only for the constant of the prior.
    pub fn ln_gamma(mut x: f64) -> f64 {
        let mut shift = 0.0;
        while x < 15.0 {
            shift += x.ln();
            x += 1.0;
        }
        let x2 = x * x;
        let series = 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x2) + 1.0 / (1260.0 * x * x2 * x2)
            - 1.0 / (1680.0 * x * x2 * x2 * x2);
        (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series - shift
    }

    /// The terms of the log posterior that depend on no independent variable:
    /// `-nd/2 ln 2π + k (n' d ln(γ/√2) - ln Γ_d(n'/2))` with `n' = d + m + 1`.
    pub fn constant(d: usize, k: usize, n: usize, m: usize, gamma: f64) -> f64 {
        let (df, nw) = (d as f64, (d + m + 1) as f64);
        let mut ln_gamma_d = 0.25 * df * (df - 1.0) * std::f64::consts::PI.ln();
        for j in 1..=d {
            ln_gamma_d += ln_gamma(0.5 * nw + 0.5 * (1.0 - j as f64));
        }
        let c = nw * df * (gamma.ln() - 0.5 * 2f64.ln()) - ln_gamma_d;
        -(n as f64) * df * 0.5 * (2.0 * std::f64::consts::PI).ln() + k as f64 * c
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let d = uint(input, "d")?;
        let k = uint(input, "k")?;
        let n = uint(input, "n")?;
        let m = uint(input, "m")?;
        let gamma = float(input, "gamma")?;
        if d == 0 || k == 0 {
            return Err("`d` and `k` must be positive".into());
        }
        let lsz = d * (d - 1) / 2;
        let alpha = floats(input, "alpha")?;
        if alpha.len() != k {
            return Err(format!(
                "`alpha` has {} numbers, expected k = {k}",
                alpha.len()
            ));
        }
        let mu = matrix(input, "mu", k, d)?;
        let q = matrix(input, "q", k, d)?;
        let l = matrix(input, "l", k, lsz)?;
        let x = matrix(input, "x", n, d)?;
        let c = constant(d, k, n, m, gamma);
        let wm = m as f64;
        match function {
            "objective" => {
                let (y, t) = runs(input, || {
                    objective(black_box(&alpha), &mu, &q, &l, &x, d, k, n, wm, gamma, c)
                });
                Ok((json!(y), t))
            }
            "jacobian" => {
                // The gradient buffers are allocated once and zeroed per run.
                let (mut da, mut dm) = (vec![0.0; k], vec![0.0; k * d]);
                let (mut dq, mut dl) = (vec![0.0; k * d], vec![0.0; k * lsz]);
                let (_, t) = runs(input, || {
                    da.fill(0.0);
                    dm.fill(0.0);
                    dq.fill(0.0);
                    dl.fill(0.0);
                    objective_backward(
                        black_box(&alpha),
                        &mut da,
                        &mu,
                        &mut dm,
                        &q,
                        &mut dq,
                        &l,
                        &mut dl,
                        &x,
                        d,
                        k,
                        n,
                        wm,
                        gamma,
                        c,
                        1.0,
                    )
                });
                let output = json!({
                    "alpha": da,
                    "mu": rows_json(&dm, k, d),
                    "q": rows_json(&dq, k, d),
                    "l": rows_json(&dl, k, lsz),
                });
                Ok((output, t))
            }
            _ => unknown_function("gmm", function),
        }
    }
}

// ---------------------------------------------------------------------------
// ba
// ---------------------------------------------------------------------------

/// Bundle adjustment (ADBench): the reprojection error of each observation and
/// the weight error, and their sparse Jacobian.
///
/// A camera is `[r1 r2 r3 C1 C2 C3 f u0 v0 k1 k2]`: an angle-axis rotation,
/// the camera centre, the focal length, the principal point and two radial
/// distortion parameters.
pub mod ba {
    use super::*;
    use autodiff::grad;

    /// Parameters of a camera.
    pub const CAM: usize = 11;

    /// `pt` rotated by the angle-axis vector `rot` (Rodrigues' formula, in the
    /// form of Ceres); to first order (`pt + rot × pt`) when `rot` is zero.
    #[grad]
    pub fn rodrigues(rot: [f64; 3], pt: [f64; 3]) -> [f64; 3] {
        let sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
        if sqtheta != 0.0 {
            let theta = sqtheta.sqrt();
            let costheta = theta.cos();
            let sintheta = theta.sin();
            let inv = 1.0 / theta;
            let w = [rot[0] * inv, rot[1] * inv, rot[2] * inv];
            let wx = [
                w[1] * pt[2] - w[2] * pt[1],
                w[2] * pt[0] - w[0] * pt[2],
                w[0] * pt[1] - w[1] * pt[0],
            ];
            let tmp = (w[0] * pt[0] + w[1] * pt[1] + w[2] * pt[2]) * (1.0 - costheta);
            return [
                pt[0] * costheta + wx[0] * sintheta + w[0] * tmp,
                pt[1] * costheta + wx[1] * sintheta + w[1] * tmp,
                pt[2] * costheta + wx[2] * sintheta + w[2] * tmp,
            ];
        }
        [
            pt[0] + (rot[1] * pt[2] - rot[2] * pt[1]),
            pt[1] + (rot[2] * pt[0] - rot[0] * pt[2]),
            pt[2] + (rot[0] * pt[1] - rot[1] * pt[0]),
        ]
    }

    /// The projection of point `x` by camera `cam`, with radial distortion.
    #[grad]
    pub fn project(cam: [f64; CAM], x: [f64; 3]) -> [f64; 2] {
        let xo = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
        let xcam: [f64; 3] = rodrigues([cam[0], cam[1], cam[2]], xo);
        let p0 = xcam[0] / xcam[2];
        let p1 = xcam[1] / xcam[2];
        let rsq = p0 * p0 + p1 * p1;
        let distortion = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
        [
            p0 * distortion * cam[6] + cam[7],
            p1 * distortion * cam[6] + cam[8],
        ]
    }

    /// The weighted reprojection error of one observation `feat`.
    #[grad(wrt(cam, x, w))]
    pub fn reproj_error(cam: [f64; CAM], x: [f64; 3], w: f64, feat: [f64; 2]) -> [f64; 2] {
        let proj: [f64; 2] = project(cam, x);
        [w * (proj[0] - feat[0]), w * (proj[1] - feat[1])]
    }

    /// The weight error `1 - w²`.
    #[grad]
    pub fn w_error(w: f64) -> f64 {
        1.0 - w * w
    }

    /// The problem, with the input's one camera, point, weight and feature
    /// duplicated `n`, `m`, `p`, `p` times; observation `i` sees point
    /// `i mod m` from camera `i mod n`.
    pub struct Problem {
        pub n: usize,
        pub m: usize,
        pub p: usize,
        pub cams: Vec<[f64; CAM]>,
        pub xs: Vec<[f64; 3]>,
        pub ws: Vec<f64>,
        pub feats: Vec<[f64; 2]>,
        pub obs: Vec<(usize, usize)>,
    }

    impl Problem {
        pub fn from_input(input: &Value) -> Result<Self, String> {
            let (n, m, p) = (uint(input, "n")?, uint(input, "m")?, uint(input, "p")?);
            if n == 0 || m == 0 || p == 0 {
                return Err("`n`, `m` and `p` must be positive".into());
            }
            let cam: [f64; CAM] = floats(input, "cam")?
                .try_into()
                .map_err(|_| "`cam` must have 11 numbers".to_string())?;
            let x: [f64; 3] = floats(input, "x")?
                .try_into()
                .map_err(|_| "`x` must have 3 numbers".to_string())?;
            let w = float(input, "w")?;
            let feat: [f64; 2] = floats(input, "feat")?
                .try_into()
                .map_err(|_| "`feat` must have 2 numbers".to_string())?;
            Ok(Problem {
                n,
                m,
                p,
                cams: vec![cam; n],
                xs: vec![x; m],
                ws: vec![w; p],
                feats: vec![feat; p],
                obs: (0..p).map(|i| (i % n, i % m)).collect(),
            })
        }

        /// The reprojection errors (`2p`) and weight errors (`p`).
        pub fn objective(&self) -> (Vec<f64>, Vec<f64>) {
            let mut reproj = Vec::with_capacity(2 * self.p);
            for (i, &(c, pt)) in self.obs.iter().enumerate() {
                reproj.extend(reproj_error(
                    self.cams[c],
                    self.xs[pt],
                    self.ws[i],
                    self.feats[i],
                ));
            }
            let w_err = self.ws.iter().map(|&w| w_error(w)).collect();
            (reproj, w_err)
        }

        /// The Jacobian of [`Problem::objective`] with respect to the
        /// cameras, points and weights, in compressed sparse row form, as
        /// ADBench builds it: for each observation two rows of 15 entries
        /// (11 camera, 3 point, 1 weight columns), then one row of one entry
        /// per weight. Returns `(rows, cols, vals)`.
        #[allow(dead_code)] // the tool calls `jacobian_into`; tests call this
        pub fn jacobian(&self) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
            let (mut rows, mut cols, mut vals) = (Vec::new(), Vec::new(), Vec::new());
            self.jacobian_into(&mut rows, &mut cols, &mut vals);
            (rows, cols, vals)
        }

        /// [`Problem::jacobian`] into buffers that are cleared first (and
        /// reused from run to run).
        pub fn jacobian_into(
            &self,
            rows: &mut Vec<usize>,
            cols: &mut Vec<usize>,
            vals: &mut Vec<f64>,
        ) {
            let nnz = 2 * (CAM + 4) * self.p + self.p;
            rows.clear();
            cols.clear();
            vals.clear();
            rows.reserve(3 * self.p + 1);
            cols.reserve(nnz);
            vals.reserve(nnz);
            rows.push(0);
            let point_col = CAM * self.n;
            let weight_col = point_col + 3 * self.m;
            for (i, &(c, pt)) in self.obs.iter().enumerate() {
                let (cam, x, w, feat) = (self.cams[c], self.xs[pt], self.ws[i], self.feats[i]);
                // One reverse sweep per output: the two rows of the block.
                for d_out in [[1.0, 0.0], [0.0, 1.0]] {
                    let (_, d_cam, d_x, d_w) = reproj_error_backward(cam, x, w, feat, d_out);
                    rows.push(rows[rows.len() - 1] + CAM + 4);
                    cols.extend((0..CAM).map(|j| CAM * c + j));
                    vals.extend(d_cam);
                    cols.extend((0..3).map(|j| point_col + 3 * pt + j));
                    vals.extend(d_x);
                    cols.push(weight_col + i);
                    vals.push(d_w);
                }
            }
            for (i, &w) in self.ws.iter().enumerate() {
                rows.push(rows[rows.len() - 1] + 1);
                cols.push(weight_col + i);
                vals.push(w_error_backward(w, 1.0).1);
            }
        }
    }

    /// The first 30 elements and the last one (how the eval undoes the
    /// duplication of the input).
    fn dedup<T: Copy>(v: &[T]) -> Vec<T> {
        let mut out: Vec<T> = v.iter().take(30).copied().collect();
        out.extend(v.last());
        out
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let problem = Problem::from_input(input)?;
        match function {
            // The eval README describes `{reproj_err: double[], w_err:
            // double[]}`; the validator compares with the C++ tool, whose
            // output (written here) undoes the duplication instead.
            "objective" => {
                let ((reproj, w_err), t) = runs(input, || black_box(&problem).objective());
                let output = json!({
                    "reproj_error": { "elements": &reproj[..2], "repeated": problem.p },
                    "w_err": { "element": w_err[0], "repeated": problem.p },
                });
                Ok((output, t))
            }
            "jacobian" => {
                let (mut rows, mut cols, mut vals) = (Vec::new(), Vec::new(), Vec::new());
                let (_, t) = runs(input, || {
                    black_box(&problem).jacobian_into(&mut rows, &mut cols, &mut vals)
                });
                let output =
                    json!({ "rows": dedup(&rows), "cols": dedup(&cols), "vals": dedup(&vals) });
                Ok((output, t))
            }
            _ => unknown_function("ba", function),
        }
    }
}

// ---------------------------------------------------------------------------
// ht
// ---------------------------------------------------------------------------

/// ADBench's hand tracking: a skinned hand model posed by `theta` (global
/// rotation, global translation, then the finger joint angles), and the
/// residuals between observed points and their corresponding model points:
/// vertices (simple variant) or points on triangles at barycentric
/// coordinates `us` (complicated variant). `jacobian` is the dense Jacobian
/// of the `3 × points` residuals with respect to `theta` (26 columns), after
/// two columns for each point's own `us` in the complicated variant.
///
/// The model of GradBench's inputs has [`BONES`](ht::BONES) bones and `theta` has
/// [`THETA`](ht::THETA) entries; both are compile-time sizes here (other sizes are
/// refused).
pub mod ht {
    use super::*;
    use autodiff::grad;

    /// Bones of the hand model.
    pub const BONES: usize = 22;
    /// Pose parameters.
    pub const THETA: usize = 26;
    /// The first three rows (the affine part) of a 4 × 4 bone transform.
    const AFF: usize = 12;
    /// Marks a bone angle that no entry of `theta` sets.
    const NONE: usize = usize::MAX;

    /// The rotation matrix (row-major) of the angle-axis vector `aa`; the
    /// identity when `|aa| < 1e-4`, as in `ht.hpp`.
    #[grad]
    pub fn angle_axis_to_rotation(aa: [f64; 3]) -> [f64; 9] {
        let norm = (aa[0] * aa[0] + aa[1] * aa[1] + aa[2] * aa[2]).sqrt();
        if norm < 1e-4 {
            return [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        }
        let x = aa[0] / norm;
        let y = aa[1] / norm;
        let z = aa[2] / norm;
        let s = norm.sin();
        let c = norm.cos();
        [
            x * x + (1.0 - x * x) * c,
            x * y * (1.0 - c) - z * s,
            x * z * (1.0 - c) + y * s,
            x * y * (1.0 - c) + z * s,
            y * y + (1.0 - y * y) * c,
            y * z * (1.0 - c) - x * s,
            x * z * (1.0 - c) - y * s,
            z * y * (1.0 - c) + x * s,
            z * z + (1.0 - z * z) * c,
        ]
    }

    /// The affine part (3 × 4, row-major) of each bone's skinning transform
    /// `absolute_b · inverse_base_absolute_b`, where `absolute_b =
    /// absolute_parent · base_relative_b · Rot(b)` and `Rot(b) = Rz · Ry · Rx`
    /// of the bone's Euler angles (`ht.hpp`'s `get_posed_relatives`,
    /// `relatives_to_absolutes` and transforms). The bone's angles are
    /// `theta[pose[2b]]` (x) and `theta[pose[2b + 1]]` (z), 0 where the index
    /// is [`NONE`]; its y angle is always 0 (`to_pose_params` sets none).
    /// `base_rel` and `iba` are 4 × 4 row-major per bone; a parent precedes
    /// its children and a root's parent is negative.
    #[grad(wrt(theta))]
    pub fn bone_transforms(
        theta: &[f64],
        base_rel: &[f64],
        iba: &[f64],
        parents: &[i64],
        pose: &[usize],
    ) -> [f64; AFF * BONES] {
        let mut abs = [0.0; AFF * BONES];
        let mut out = [0.0; AFF * BONES];
        for b in 0..BONES {
            let tx = if pose[2 * b] == NONE {
                0.0
            } else {
                theta[pose[2 * b]]
            };
            let tz = if pose[2 * b + 1] == NONE {
                0.0
            } else {
                theta[pose[2 * b + 1]]
            };
            let (sx, cx) = tx.sin_cos();
            let (sz, cz) = tz.sin_cos();
            // Rz · Rx (Ry is the identity).
            let rot = [cz, -sz * cx, sz * sx, sz, cz * cx, -cz * sx, 0.0, sx, cx];
            // rel = base_rel · [rot 0; 0 1], all four rows.
            let mut rel = [0.0; 16];
            for r in 0..4 {
                for c in 0..3 {
                    rel[4 * r + c] = base_rel[16 * b + 4 * r] * rot[c]
                        + base_rel[16 * b + 4 * r + 1] * rot[3 + c]
                        + base_rel[16 * b + 4 * r + 2] * rot[6 + c];
                }
                rel[4 * r + 3] = base_rel[16 * b + 4 * r + 3];
            }
            let p = parents[b];
            for r in 0..3 {
                for c in 0..4 {
                    abs[AFF * b + 4 * r + c] = if p < 0 {
                        rel[4 * r + c]
                    } else {
                        let q = AFF * p as usize + 4 * r;
                        abs[q] * rel[c]
                            + abs[q + 1] * rel[4 + c]
                            + abs[q + 2] * rel[8 + c]
                            + abs[q + 3] * rel[12 + c]
                    };
                }
            }
            for r in 0..3 {
                for c in 0..4 {
                    out[AFF * b + 4 * r + c] = abs[AFF * b + 4 * r] * iba[16 * b + c]
                        + abs[AFF * b + 4 * r + 1] * iba[16 * b + 4 + c]
                        + abs[AFF * b + 4 * r + 2] * iba[16 * b + 8 + c]
                        + abs[AFF * b + 4 * r + 3] * iba[16 * b + 12 + c];
                }
            }
        }
        out
    }

    /// The residual of an observed point and the model vertex it
    /// corresponds to (simple variant).
    #[grad(wrt(v))]
    pub fn residual(point: [f64; 3], v: [f64; 3]) -> [f64; 3] {
        [point[0] - v[0], point[1] - v[1], point[2] - v[2]]
    }

    /// The residual of an observed point and the point at barycentric
    /// coordinates `u` on the model triangle `(va, vb, vc)` (complicated
    /// variant).
    #[grad(wrt(u, va, vb, vc))]
    pub fn residual_on_triangle(
        point: [f64; 3],
        u: [f64; 2],
        va: [f64; 3],
        vb: [f64; 3],
        vc: [f64; 3],
    ) -> [f64; 3] {
        let w = 1.0 - u[0] - u[1];
        [
            point[0] - (u[0] * va[0] + u[1] * vb[0] + w * vc[0]),
            point[1] - (u[0] * va[1] + u[1] * vb[1] + w * vc[1]),
            point[2] - (u[0] * va[2] + u[1] * vb[2] + w * vc[2]),
        ]
    }

    /// A parsed input.
    pub struct Problem {
        pub theta: Vec<f64>,
        /// 4 × 4 row-major per bone.
        pub base_rel: Vec<f64>,
        pub iba: Vec<f64>,
        pub parents: Vec<i64>,
        /// Per bone, the `theta` index of its x and z angles, or [`NONE`].
        pub pose: Vec<usize>,
        /// Homogeneous base positions, 4 per vertex.
        pub base_pos: Vec<f64>,
        /// `weights[v * BONES + b]`.
        pub weights: Vec<f64>,
        pub mirrored: bool,
        pub triangles: Vec<[usize; 3]>,
        pub correspondences: Vec<usize>,
        /// 3 per point.
        pub points: Vec<f64>,
        /// 2 per point in the complicated variant, empty in the simple one.
        pub us: Vec<f64>,
    }

    fn rows_of(input: &Value, key: &str, cols: usize) -> Result<Vec<f64>, String> {
        let n = input.get(key).and_then(Value::as_array).map_or(0, Vec::len);
        matrix(input, key, n, cols)
    }

    fn indices(v: &Value, what: &str) -> Result<Vec<usize>, String> {
        v.as_array()
            .ok_or_else(|| format!("{what} is not an array"))?
            .iter()
            .map(|e| {
                e.as_u64()
                    .map(|i| i as usize)
                    .ok_or_else(|| format!("{what} has an element that is not an index"))
            })
            .collect()
    }

    impl Problem {
        pub fn from_input(input: &Value) -> Result<Self, String> {
            let theta = floats(input, "theta")?;
            let data = field(input, "data")?;
            let model = field(data, "model")?;
            let bones = uint(model, "bone_count")?;
            if bones != BONES || theta.len() != THETA {
                return Err(format!(
                    "this tool is compiled for {BONES} bones and {THETA} pose parameters"
                ));
            }
            let mats = |key: &str| -> Result<Vec<f64>, String> {
                let v = field(model, key)?
                    .as_array()
                    .ok_or_else(|| format!("{key:?} is not an array"))?;
                if v.len() != BONES {
                    return Err(format!("{key:?} must have {BONES} matrices"));
                }
                let mut flat = Vec::with_capacity(16 * BONES);
                for m in v {
                    flat.extend(matrix(&json!({ "m": m }), "m", 4, 4)?);
                }
                Ok(flat)
            };
            let base_rel = mats("base_relatives")?;
            let iba = mats("inverse_base_absolutes")?;
            let parents: Vec<i64> = field(model, "parents")?
                .as_array()
                .ok_or("\"parents\" is not an array")?
                .iter()
                .map(|p| p.as_i64().unwrap_or(-1))
                .collect();
            if parents.len() != BONES || parents.iter().enumerate().any(|(b, &p)| p >= b as i64) {
                return Err("`parents` must precede their children".into());
            }
            // `to_pose_params` of ht.hpp: pose column `col` is bone `col - 3`;
            // each finger's first three bones take an x angle, its first one
            // a z angle too; the fourth bone takes none.
            let mut pose = vec![NONE; 2 * BONES];
            let (mut i_theta, mut col) = (6, 5);
            for _finger in 0..5 {
                for joint in 0..3 {
                    pose[2 * (col - 3)] = i_theta;
                    i_theta += 1;
                    if joint == 0 {
                        pose[2 * (col - 3) + 1] = i_theta;
                        i_theta += 1;
                    }
                    col += 1;
                }
                col += 1;
            }
            let base_pos = rows_of(model, "base_positions", 4)?;
            let nverts = base_pos.len() / 4;
            let weights = matrix(model, "weights", nverts, BONES)?;
            let mirrored = field(model, "is_mirrored")?.as_bool().unwrap_or(false);
            let triangles: Vec<[usize; 3]> = field(model, "triangles")?
                .as_array()
                .ok_or("\"triangles\" is not an array")?
                .iter()
                .map(|t| {
                    let t = indices(t, "a triangle")?;
                    <[usize; 3]>::try_from(t).map_err(|_| "a triangle has 3 vertices".to_string())
                })
                .collect::<Result<_, _>>()?;
            let correspondences = indices(field(data, "correspondences")?, "correspondences")?;
            let npts = correspondences.len();
            let points = matrix(data, "points", npts, 3)?;
            let us = rows_of(input, "us", 2)?;
            let complicated = !us.is_empty();
            if complicated && us.len() != 2 * npts {
                return Err("`us` must have one pair per point".into());
            }
            let limit = if complicated { triangles.len() } else { nverts };
            if correspondences.iter().any(|&c| c >= limit)
                || triangles.iter().flatten().any(|&v| v >= nverts)
            {
                return Err("a correspondence or triangle is out of range".into());
            }
            Ok(Problem {
                theta,
                base_rel,
                iba,
                parents,
                pose,
                base_pos,
                weights,
                mirrored,
                triangles,
                correspondences,
                points,
                us,
            })
        }

        fn nverts(&self) -> usize {
            self.base_pos.len() / 4
        }

        fn transforms(&self) -> [f64; AFF * BONES] {
            bone_transforms(
                &self.theta,
                &self.base_rel,
                &self.iba,
                &self.parents,
                &self.pose,
            )
        }

        /// The residuals, into `err` (3 per point). `pos` is scratch for
        /// the posed vertices (3 per vertex).
        pub fn objective(&self, pos: &mut [f64], err: &mut [f64]) {
            let m = self.transforms();
            let rot = angle_axis_to_rotation([self.theta[0], self.theta[1], self.theta[2]]);
            // Skinning as `ht.hpp` does it: every bone transforms every
            // vertex, weighted (most weights are 0).
            pos.fill(0.0);
            for b in 0..BONES {
                let t = &m[AFF * b..AFF * (b + 1)];
                for (v, (p, x)) in pos
                    .chunks_exact_mut(3)
                    .zip(self.base_pos.chunks_exact(4))
                    .enumerate()
                {
                    let w = self.weights[v * BONES + b];
                    for r in 0..3 {
                        p[r] += w
                            * (t[4 * r] * x[0]
                                + t[4 * r + 1] * x[1]
                                + t[4 * r + 2] * x[2]
                                + t[4 * r + 3] * x[3]);
                    }
                }
            }
            let sign = if self.mirrored { -1.0 } else { 1.0 };
            for p in pos.chunks_exact_mut(3) {
                let l = [sign * p[0], p[1], p[2]];
                for r in 0..3 {
                    p[r] = rot[3 * r] * l[0]
                        + rot[3 * r + 1] * l[1]
                        + rot[3 * r + 2] * l[2]
                        + self.theta[3 + r];
                }
            }
            let vertex = |v: usize| [pos[3 * v], pos[3 * v + 1], pos[3 * v + 2]];
            for (i, &c) in self.correspondences.iter().enumerate() {
                let point = [
                    self.points[3 * i],
                    self.points[3 * i + 1],
                    self.points[3 * i + 2],
                ];
                let e = if self.us.is_empty() {
                    residual(point, vertex(c))
                } else {
                    let [a, b, cc] = self.triangles[c];
                    let u = [self.us[2 * i], self.us[2 * i + 1]];
                    residual_on_triangle(point, u, vertex(a), vertex(b), vertex(cc))
                };
                err[3 * i..3 * i + 3].copy_from_slice(&e);
            }
        }
    }

    /// What the Jacobian needs besides the problem, precomputed once per
    /// run from the companions (see [`Problem::jacobian`]).
    pub struct Scratch {
        /// Per bone: `G · M_b` and, for each of the three rotation
        /// parameters `k`, `∂G/∂θ_k · M_b`, 3 × 4 each, where `G = R · S`
        /// (the global rotation and the mirror).
        posed: Vec<[[f64; AFF]; 4]>,
        /// Per bone, its pose parameters and `G · ∂M_b/∂θ_j` for each.
        dposed: Vec<Vec<(usize, [f64; AFF])>>,
        /// The bones whose transform depends on `theta`, in groups of bones
        /// whose dependencies are disjoint: one group is one set of reverse
        /// sweeps.
        groups: Vec<Vec<usize>>,
    }

    impl Scratch {
        pub fn new(problem: &Problem) -> Self {
            // The pose parameters each bone's transform depends on: its own
            // and its ancestors'.
            let mut deps: Vec<Vec<usize>> = Vec::with_capacity(BONES);
            for b in 0..BONES {
                let mut d = if problem.parents[b] < 0 {
                    Vec::new()
                } else {
                    deps[problem.parents[b] as usize].clone()
                };
                d.extend(
                    problem.pose[2 * b..2 * b + 2]
                        .iter()
                        .filter(|&&j| j != NONE),
                );
                d.sort_unstable();
                d.dedup();
                deps.push(d);
            }
            let mut groups: Vec<Vec<usize>> = Vec::new();
            for b in (0..BONES).filter(|&b| !deps[b].is_empty()) {
                let free = groups.iter_mut().find(|g| {
                    g.iter()
                        .all(|&o| deps[o].iter().all(|j| !deps[b].contains(j)))
                });
                match free {
                    Some(g) => g.push(b),
                    None => groups.push(vec![b]),
                }
            }
            Scratch {
                posed: vec![[[0.0; AFF]; 4]; BONES],
                dposed: deps
                    .iter()
                    .map(|d| d.iter().map(|&j| (j, [0.0; AFF])).collect())
                    .collect(),
                groups,
            }
        }
    }

    /// `a · m` for a 3 × 3 `a` and a 3 × 4 `m` (row-major), the rows of `m`
    /// first multiplied by `s`.
    fn mat3x4(a: &[f64; 9], s: [f64; 3], m: &[f64]) -> [f64; AFF] {
        let mut out = [0.0; AFF];
        for r in 0..3 {
            for c in 0..4 {
                out[4 * r + c] = a[3 * r] * s[0] * m[c]
                    + a[3 * r + 1] * s[1] * m[4 + c]
                    + a[3 * r + 2] * s[2] * m[8 + c];
            }
        }
        out
    }

    impl Problem {
        /// The Jacobian, row-major (`3 × points` rows of `ncols`), into `jac`.
        ///
        /// Hand-written here is only the chain rule that joins Jacobians the
        /// companions give, because reverse mode would need one sweep of the
        /// whole model per residual (3 per point, up to 153,600) and forward
        /// mode does not exist yet:
        ///
        /// - `∂M/∂θ` of [`bone_transforms`], by reverse sweeps with one unit
        ///   cotangent per entry of the 3 × 4 transform and per bone of a
        ///   group (bones of one group depend on disjoint parameters, so one
        ///   sweep gives each its own column: 3 groups × 12 = 36 sweeps for
        ///   the hand);
        /// - `∂R/∂θ_{0..3}` of [`angle_axis_to_rotation`], 9 sweeps;
        /// - the residual's derivatives with respect to the vertices (and
        ///   `us`) from [`residual`] / [`residual_on_triangle`], 3 sweeps
        ///   per point;
        ///
        /// and the skinning, linear in the transforms, applies them:
        /// `∂v/∂θ_j = Σ_b w_{v,b} G ∂M_b/∂θ_j p_v` (and `∂G/∂θ_k` for the
        /// rotation, the identity for the translation).
        pub fn jacobian(&self, s: &mut Scratch, jac: &mut [f64]) {
            let complicated = !self.us.is_empty();
            let ncols = THETA + if complicated { 2 } else { 0 };
            let off = ncols - THETA;
            // ∂M/∂θ.
            let mut m = [0.0; AFF * BONES];
            let mut d_theta = [0.0; THETA];
            for group in &s.groups {
                for e in 0..AFF {
                    let mut d_out = [0.0; AFF * BONES];
                    for &b in group {
                        d_out[AFF * b + e] = 1.0;
                    }
                    d_theta.fill(0.0);
                    m = bone_transforms_backward(
                        &self.theta,
                        &mut d_theta,
                        &self.base_rel,
                        &self.iba,
                        &self.parents,
                        &self.pose,
                        d_out,
                    );
                    for &b in group {
                        for (j, d) in s.dposed[b].iter_mut() {
                            d[e] = d_theta[*j];
                        }
                    }
                }
            }
            // R and ∂R/∂θ_k (row-major 3 × 3 each).
            let aa = [self.theta[0], self.theta[1], self.theta[2]];
            let mut rot = [0.0; 9];
            let mut drot = [[0.0; 9]; 3];
            for e in 0..9 {
                let mut d_out = [0.0; 9];
                d_out[e] = 1.0;
                let (r, d_aa) = angle_axis_to_rotation_backward(aa, d_out);
                rot = r;
                for k in 0..3 {
                    drot[k][e] = d_aa[k];
                }
            }
            let mirror = [if self.mirrored { -1.0 } else { 1.0 }, 1.0, 1.0];
            for b in 0..BONES {
                let mb = &m[AFF * b..AFF * (b + 1)];
                s.posed[b][0] = mat3x4(&rot, mirror, mb);
                for k in 0..3 {
                    s.posed[b][k + 1] = mat3x4(&drot[k], mirror, mb);
                }
                for (_, d) in s.dposed[b].iter_mut() {
                    *d = mat3x4(&rot, mirror, &d.clone());
                }
            }
            // A vertex and its 3 × 26 Jacobian (row-major).
            let vertex = |v: usize, jv: &mut [f64; 3 * THETA]| -> [f64; 3] {
                let x = &self.base_pos[4 * v..4 * v + 4];
                let mut pos = [self.theta[3], self.theta[4], self.theta[5]];
                jv.fill(0.0);
                for r in 0..3 {
                    jv[THETA * r + 3 + r] = 1.0;
                }
                for b in 0..BONES {
                    let w = self.weights[v * BONES + b];
                    if w == 0.0 {
                        continue;
                    }
                    let apply = |t: &[f64; AFF], r: usize| {
                        w * (t[4 * r] * x[0]
                            + t[4 * r + 1] * x[1]
                            + t[4 * r + 2] * x[2]
                            + t[4 * r + 3] * x[3])
                    };
                    for r in 0..3 {
                        pos[r] += apply(&s.posed[b][0], r);
                        for k in 0..3 {
                            jv[THETA * r + k] += apply(&s.posed[b][k + 1], r);
                        }
                        for (j, d) in &s.dposed[b] {
                            jv[THETA * r + j] += apply(d, r);
                        }
                    }
                }
                pos
            };
            let mut ja = [0.0; 3 * THETA];
            let mut jb = [0.0; 3 * THETA];
            let mut jc = [0.0; 3 * THETA];
            for (i, &c) in self.correspondences.iter().enumerate() {
                let point = [
                    self.points[3 * i],
                    self.points[3 * i + 1],
                    self.points[3 * i + 2],
                ];
                let rows = &mut jac[3 * i * ncols..3 * (i + 1) * ncols];
                rows.fill(0.0);
                if complicated {
                    let [a, b, cc] = self.triangles[c];
                    let (va, vb, vc) =
                        (vertex(a, &mut ja), vertex(b, &mut jb), vertex(cc, &mut jc));
                    let u = [self.us[2 * i], self.us[2 * i + 1]];
                    for r in 0..3 {
                        let mut d_out = [0.0; 3];
                        d_out[r] = 1.0;
                        let (_, d_u, d_va, d_vb, d_vc) =
                            residual_on_triangle_backward(point, u, va, vb, vc, d_out);
                        let row = &mut rows[r * ncols..(r + 1) * ncols];
                        row[..2].copy_from_slice(&d_u);
                        for q in 0..3 {
                            for j in 0..THETA {
                                row[off + j] += d_va[q] * ja[THETA * q + j]
                                    + d_vb[q] * jb[THETA * q + j]
                                    + d_vc[q] * jc[THETA * q + j];
                            }
                        }
                    }
                } else {
                    let v = vertex(c, &mut ja);
                    for r in 0..3 {
                        let mut d_out = [0.0; 3];
                        d_out[r] = 1.0;
                        let (_, d_v) = residual_backward(point, v, d_out);
                        let row = &mut rows[r * ncols..(r + 1) * ncols];
                        for q in 0..3 {
                            for j in 0..THETA {
                                row[j] += d_v[q] * ja[THETA * q + j];
                            }
                        }
                    }
                }
            }
        }
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let problem = Problem::from_input(input)?;
        let npts = problem.correspondences.len();
        match function {
            "objective" => {
                let mut pos = vec![0.0; 3 * problem.nverts()];
                let mut err = vec![0.0; 3 * npts];
                let (_, t) = runs(input, || problem.objective(&mut pos, black_box(&mut err)));
                Ok((json!(err), t))
            }
            "jacobian" => {
                let ncols = THETA + if problem.us.is_empty() { 0 } else { 2 };
                let mut scratch = Scratch::new(&problem);
                let mut jac = vec![0.0; 3 * npts * ncols];
                let (_, t) = runs(input, || {
                    problem.jacobian(&mut scratch, black_box(&mut jac))
                });
                Ok((rows_json(&jac, 3 * npts, ncols), t))
            }
            _ => unknown_function("ht", function),
        }
    }
}

// ---------------------------------------------------------------------------
// lstm
// ---------------------------------------------------------------------------

/// ADBench's LSTM (all weight matrices diagonal): `l` layers of `b` cells
/// run over a sequence of `c` one-hot-ish inputs of `b` bits; the objective is
/// the mean log-likelihood loss of predicting each next input, and `jacobian`
/// is its gradient with respect to `main_params` and `extra_params`.
///
/// Layout (flat, row-major as the input's rows): `main` is `2l × 4b` (for
/// layer `j`, row `2j` holds the forget, input-gate, output-gate and change
/// weights, row `2j + 1` their biases), `extra` is `3 × b` (input weight,
/// output weight, output bias), `state` is `2l × b` (layer `j`'s hidden state
/// is row `2j`, its cell state row `2j + 1`), `seq` is `c × b`.
pub mod lstm {
    use super::*;
    use autodiff::grad;

    /// The loss, as GradBench's `lstm.hpp` computes it, with the state a
    /// local copy updated in place over the `c - 1` time steps.
    #[grad(wrt(main, extra))]
    pub fn objective(
        main: &[f64],
        extra: &[f64],
        state: &[f64],
        seq: &[f64],
        l: usize,
        c: usize,
        b: usize,
    ) -> f64 {
        let mut st = state.to_vec();
        let mut ypred = vec![0.0; b];
        let mut total = 0.0;
        for t in 0..c - 1 {
            for i in 0..b {
                ypred[i] = seq[t * b + i] * extra[i];
            }
            for j in 0..l {
                let p = 8 * b * j;
                let s = 2 * b * j;
                for i in 0..b {
                    // Layer 0 reads the weighted input, layer j the hidden
                    // state layer j - 1 has just computed.
                    let input = if j == 0 { ypred[i] } else { st[s - 2 * b + i] };
                    let hidden = st[s + i];
                    let forget = autodiff::sigmoid(input * main[p + i] + main[p + 4 * b + i]);
                    let ingate = autodiff::sigmoid(hidden * main[p + b + i] + main[p + 5 * b + i]);
                    let outgate =
                        autodiff::sigmoid(input * main[p + 2 * b + i] + main[p + 6 * b + i]);
                    let change = (hidden * main[p + 3 * b + i] + main[p + 7 * b + i]).tanh();
                    let cell = st[s + b + i] * forget + ingate * change;
                    st[s + b + i] = cell;
                    st[s + i] = outgate * cell.tanh();
                }
            }
            let last = 2 * b * (l - 1);
            let mut sum = 2.0;
            for i in 0..b {
                let y = st[last + i] * extra[b + i] + extra[2 * b + i];
                ypred[i] = y;
                sum += y.exp();
            }
            let lse = sum.ln();
            for i in 0..b {
                total += seq[(t + 1) * b + i] * (ypred[i] - lse);
            }
        }
        -total / ((c - 1) * b) as f64
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let rows = |key: &str| -> Result<(usize, usize), String> {
            let v = field(input, key)?
                .as_array()
                .ok_or_else(|| format!("the field {key:?} is not an array"))?;
            let cols = v.first().and_then(Value::as_array).map_or(0, Vec::len);
            Ok((v.len(), cols))
        };
        let (two_l, four_b) = rows("main_params")?;
        let (c, b) = rows("sequence")?;
        if two_l == 0 || two_l % 2 != 0 || four_b != 4 * b || b == 0 || c < 2 {
            return Err("`main_params` must be 2l × 4b and `sequence` c × b, c ≥ 2".into());
        }
        let l = two_l / 2;
        let main = matrix(input, "main_params", 2 * l, 4 * b)?;
        let extra = matrix(input, "extra_params", 3, b)?;
        let state = matrix(input, "state", 2 * l, b)?;
        let seq = matrix(input, "sequence", c, b)?;
        match function {
            "objective" => {
                let (y, t) = runs(input, || {
                    objective(black_box(&main), &extra, &state, &seq, l, c, b)
                });
                Ok((json!(y), t))
            }
            "jacobian" => {
                // The output buffers are allocated once and zeroed per run.
                let mut d_main = vec![0.0; main.len()];
                let mut d_extra = vec![0.0; extra.len()];
                let (_, t) = runs(input, || {
                    d_main.fill(0.0);
                    d_extra.fill(0.0);
                    objective_backward(
                        black_box(&main),
                        &mut d_main,
                        &extra,
                        &mut d_extra,
                        &state,
                        &seq,
                        l,
                        c,
                        b,
                        1.0,
                    )
                });
                d_main.extend_from_slice(&d_extra);
                Ok((json!(d_main), t))
            }
            _ => unknown_function("lstm", function),
        }
    }
}

// ---------------------------------------------------------------------------
// ode
// ---------------------------------------------------------------------------

/// cmpad's `an_ode`: `y_0' = x_0`, `y_i' = x_i y_{i-1}`, `y(0) = 0`, solved on
/// `[0, 2]` by `s` steps of the classical fourth-order Runge–Kutta method.
/// `primal` is `y(2)`; `gradient` is the gradient of its last element with
/// respect to `x`.
///
/// (The eval README writes `y_i' = Σ_{j=1}^i x_j y_{i-1}`; cmpad and the
/// validator, GradBench's C++ `ode.hpp`, compute `y_i' = x_i y_{i-1}`, as
/// here.)
pub mod ode {
    use super::*;
    use autodiff::grad;

    /// The end of the time interval.
    pub const TF: f64 = 2.0;

    /// One Runge–Kutta step of component `i`.
    ///
    /// The right-hand side of component `i` reads only component `i - 1`, so
    /// a step of the whole system is a sweep over the components in which
    /// component `i` needs, from component `i - 1`, its four stage arguments
    /// `prev` (the points at which the stages evaluate the right-hand side;
    /// `[1.0; 4]` for component 0, whose right-hand side is `x_0`). Returns
    /// component `i`'s four stage arguments followed by its next value.
    #[grad(wrt(xi, yi, prev))]
    pub fn rk4_component(xi: f64, yi: f64, prev: [f64; 4], h: f64) -> [f64; 5] {
        let k1 = xi * prev[0];
        let a2 = yi + h * k1 / 2.0;
        let k2 = xi * prev[1];
        let a3 = yi + h * k2 / 2.0;
        let k3 = xi * prev[2];
        let a4 = yi + h * k3;
        let k4 = xi * prev[3];
        [
            yi,
            a2,
            a3,
            a4,
            yi + h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0,
        ]
    }

    /// One step of the whole system, in place; the stage arguments each
    /// component received (`prev`) go to `prevs` when given.
    fn step(x: &[f64], y: &mut [f64], h: f64, mut prevs: Option<&mut Vec<[f64; 4]>>) {
        let mut prev = [1.0; 4];
        for i in 0..x.len() {
            if let Some(p) = prevs.as_deref_mut() {
                p.push(prev);
            }
            let out = rk4_component(x[i], y[i], prev, h);
            prev = [out[0], out[1], out[2], out[3]];
            y[i] = out[4];
        }
    }

    /// `y(2)`.
    pub fn primal(x: &[f64], s: usize) -> Vec<f64> {
        let h = TF / s as f64;
        let mut y = vec![0.0; x.len()];
        for _ in 0..s {
            step(x, &mut y, h, None);
        }
        y
    }

    /// The last element of `y(2)`. `x` must not be empty.
    ///
    /// `#[grad(custom)]`: the state is a vector of the run-time length
    /// `x.len()` updated in place for `s` steps, and a `#[grad]` body has no
    /// local arrays of run-time length (`[0.0; n]` needs a constant `n`), nor
    /// `&mut` parameters. The companion below differentiates nothing by hand:
    /// it runs the steps forward keeping the state before each step, then
    /// runs them backward, calling the `#[grad]` companion
    /// `rk4_component_backward` for each component in reverse order.
    #[autodiff::grad(custom)]
    #[allow(dead_code)] // the tool calls only the companion; tests call this
    pub fn ode_last(x: &[f64], s: usize) -> f64 {
        primal(x, s)[x.len() - 1]
    }

    /// The companion of [`ode_last`]: the gradient is added into `d_x`.
    pub fn ode_last_backward(x: &[f64], d_x: &mut [f64], s: usize, d_out: f64) -> f64 {
        let n = x.len();
        let h = TF / s as f64;
        // Forward: the state before each step (s × n values).
        let mut states = Vec::with_capacity(s);
        let mut y = vec![0.0; n];
        for _ in 0..s {
            states.push(y.clone());
            step(x, &mut y, h, None);
        }
        let value = y[n - 1];
        // Backward: `dy` is the cotangent of the state after the step being
        // reversed, and becomes that of the state before it.
        let mut dy = vec![0.0; n];
        dy[n - 1] = d_out;
        let mut prevs = Vec::with_capacity(n);
        for y0 in states.iter().rev() {
            prevs.clear();
            let mut y = y0.clone();
            step(x, &mut y, h, Some(&mut prevs));
            // The cotangent of component i's stage arguments, which component
            // i + 1 read as its `prev`.
            let mut d_stage = [0.0; 4];
            for i in (0..n).rev() {
                let d_result = [d_stage[0], d_stage[1], d_stage[2], d_stage[3], dy[i]];
                let (_, dxi, dyi, dprev) =
                    rk4_component_backward(x[i], y0[i], prevs[i], h, d_result);
                d_x[i] += dxi;
                dy[i] = dyi;
                d_stage = dprev;
            }
        }
        value
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let x = floats(input, "x")?;
        let s = uint(input, "s")?;
        if x.is_empty() || s == 0 {
            return Err("`x` must not be empty and `s` must be positive".into());
        }
        match function {
            "primal" => {
                let (y, t) = runs(input, || primal(black_box(&x), s));
                Ok((json!(y), t))
            }
            "gradient" => {
                // The gradient buffer is allocated once and zeroed per run.
                let mut dx = vec![0.0; x.len()];
                let (_, t) = runs(input, || {
                    dx.fill(0.0);
                    ode_last_backward(black_box(&x), &mut dx, s, 1.0)
                });
                Ok((json!(dx), t))
            }
            _ => unknown_function("ode", function),
        }
    }
}

// ---------------------------------------------------------------------------
// det
// ---------------------------------------------------------------------------

/// The determinant of an `ℓ × ℓ` matrix by expansion by minors (cmpad's
/// `det_by_minor`), and its gradient.
pub mod det {
    use super::*;
    use autodiff::grad;

    /// The largest `ℓ`: the columns in use are the bits of a `u64`.
    pub const MAX_ELL: usize = 63;

    /// The determinant of the minor of `a` (row-major `ell × ell`) made of
    /// rows `row..ell` and of the columns whose bit in `used` is clear,
    /// expanded along its first row; recursive, like cmpad's `det_of_minor`
    /// (whose row and column linked lists become the row index and a bit
    /// set). 2 × 2 minors are expanded inline.
    #[grad(wrt(a))]
    pub fn minor(a: &[f64], ell: usize, row: usize, used: u64) -> f64 {
        if row + 1 == ell {
            return a[row * ell + (!used).trailing_zeros() as usize];
        }
        if row + 2 == ell {
            let c0 = (!used).trailing_zeros() as usize;
            let c1 = (!used & !(1u64 << c0)).trailing_zeros() as usize;
            return a[row * ell + c0] * a[(row + 1) * ell + c1]
                - a[row * ell + c1] * a[(row + 1) * ell + c0];
        }
        let mut det = 0.0;
        for j in 0..ell {
            if (used >> j) & 1 == 0 {
                // The sign alternates over the columns of the minor.
                let before = (!used & ((1u64 << j) - 1)).count_ones();
                let sign = if before.is_multiple_of(2) { 1.0 } else { -1.0 };
                det += sign * a[row * ell + j] * minor(a, ell, row + 1, used | (1 << j));
            }
        }
        det
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let a = floats(input, "A")?;
        let ell = uint(input, "ell")?;
        if ell == 0 || ell > MAX_ELL || a.len() != ell * ell {
            return Err(format!(
                "`A` must have ell² numbers and 1 ≤ ell ≤ {MAX_ELL}"
            ));
        }
        match function {
            "primal" => {
                let (y, t) = runs(input, || minor(black_box(&a), ell, 0, 0));
                Ok((json!(y), t))
            }
            "gradient" => {
                // The gradient buffer is allocated once and zeroed per run.
                let mut da = vec![0.0; a.len()];
                let (_, t) = runs(input, || {
                    da.fill(0.0);
                    minor_backward(black_box(&a), &mut da, ell, 0, 0, 1.0)
                });
                Ok((json!(da), t))
            }
            _ => unknown_function("det", function),
        }
    }
}

// ---------------------------------------------------------------------------
// kmeans
// ---------------------------------------------------------------------------

/// The k-means cost `Σ_i min_j |C_j - P_i|²` and Newton's direction for the
/// centroids, `J · H⁻¹` (GradBench's `evals/kmeans/README.md`).
///
/// `points` is `n × d`, `centroids` is `k × d`, both flat row-major.
pub mod kmeans {
    use super::*;
    use autodiff::grad;

    /// The index of the closest centroid to each point, into `assignment`
    /// (of equal distances the first, as `manual` picks). Plain Rust: it
    /// picks indices and has no derivative.
    pub fn closest(points: &[f64], centroids: &[f64], d: usize, assignment: &mut [usize]) {
        for (p, a) in points.chunks_exact(d).zip(assignment.iter_mut()) {
            let mut best = f64::INFINITY;
            for (j, c) in centroids.chunks_exact(d).enumerate() {
                let dist: f64 = p.iter().zip(c).map(|(x, y)| (x - y) * (x - y)).sum();
                if dist < best {
                    best = dist;
                    *a = j;
                }
            }
        }
    }

    /// The cost of the points at their assigned centroids,
    /// `Σ_i |C_{a(i)} - P_i|²`. With `a` from [`closest`] it is the k-means
    /// cost `Σ_i min_j |C_j - P_i|²`, and so are its derivatives with respect
    /// to the centroids: the derivative of a `min` is the derivative of the
    /// term it selects (ties aside, where the cost has no derivative).
    /// `#[grad(hvp)]` emits `assigned_cost_hvp`: the gradient with respect to
    /// `centroids` and a Hessian-vector product, in one forward-over-reverse
    /// pass over the n·d selected terms.
    ///
    /// Why the search is outside: written with the `min` inside
    /// (`closest = closest.min(dist)`), the companions carry all n·k·d terms
    /// through the `min` chain (`cost_hvp` ≈ 3× slower at k = 1000,
    /// n = 10000, d = 16); with the search inside but reading the centroids
    /// through `no_grad`, the reverse sweep of the companion runs the whole
    /// search a second time to recover each index (dir ≈ 4.6× `manual`, the
    /// geometric mean over the default inputs, against ≈ 1.3× for "cost").
    #[grad(hvp, wrt(centroids))]
    pub fn assigned_cost(points: &[f64], centroids: &[f64], assignment: &[usize], d: usize) -> f64 {
        let mut total = 0.0;
        for i in 0..assignment.len() {
            let j = assignment[i];
            for l in 0..d {
                let t = points[i * d + l] - centroids[j * d + l];
                total += t * t;
            }
        }
        total
    }

    /// The k-means cost: [`closest`], then [`assigned_cost`];
    /// `assignment` is scratch space of one index per point.
    pub fn cost(points: &[f64], centroids: &[f64], d: usize, assignment: &mut [usize]) -> f64 {
        closest(points, centroids, d, assignment);
        assigned_cost(points, centroids, assignment, d)
    }

    /// Newton's direction `J · H⁻¹`, element by element, into `dir`; `g` and
    /// `h` are scratch buffers of the same length (`k × d`), `ones` is all
    /// ones, `assignment` scratch space of one index per point.
    ///
    /// The Hessian of the cost with respect to the centroids is diagonal:
    /// each point's term depends on one centroid only (its closest; the
    /// `min` selects it) and is a sum of squares of single coordinates
    /// `(C_jl - P_il)²`, so no mixed second derivative is non-zero. Hence
    /// one Hessian-vector product with `v` = all ones, `H · 1`, is exactly
    /// the diagonal of `H` (each row has one non-zero, on the diagonal), and
    /// `assigned_cost_hvp` gives it together with the gradient `J` in one
    /// pass.
    pub fn dir(
        points: &[f64],
        centroids: &[f64],
        d: usize,
        ones: &[f64],
        assignment: &mut [usize],
        g: &mut [f64],
        h: &mut [f64],
        dir: &mut [f64],
    ) {
        closest(points, centroids, d, assignment);
        g.fill(0.0);
        h.fill(0.0);
        assigned_cost_hvp(points, centroids, ones, g, h, assignment, d);
        for ((o, g), h) in dir.iter_mut().zip(g.iter()).zip(h.iter()) {
            *o = g / h;
        }
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let rows = |key: &str| -> Result<(usize, usize), String> {
            let outer = field(input, key)?
                .as_array()
                .ok_or_else(|| format!("the field {key:?} is not an array"))?;
            let cols = outer.first().and_then(Value::as_array).map_or(0, Vec::len);
            Ok((outer.len(), cols))
        };
        let (n, d) = rows("points")?;
        let (k, dc) = rows("centroids")?;
        if n == 0 || k == 0 || d == 0 || dc != d {
            return Err("`points` and `centroids` must be non-empty rows of one length".into());
        }
        let points = matrix(input, "points", n, d)?;
        let centroids = matrix(input, "centroids", k, d)?;
        match function {
            "cost" => {
                let mut assignment = vec![0; n];
                let (y, t) = runs(input, || {
                    cost(
                        black_box(&points),
                        black_box(&centroids),
                        d,
                        &mut assignment,
                    )
                });
                Ok((json!(y), t))
            }
            "dir" => {
                // The buffers are allocated once, outside the timed runs.
                let ones = vec![1.0; k * d];
                let mut assignment = vec![0; n];
                let (mut g, mut h, mut out) =
                    (vec![0.0; k * d], vec![0.0; k * d], vec![0.0; k * d]);
                let (_, t) = runs(input, || {
                    dir(
                        black_box(&points),
                        black_box(&centroids),
                        d,
                        &ones,
                        &mut assignment,
                        &mut g,
                        &mut h,
                        &mut out,
                    )
                });
                Ok((rows_json(&out, k, d), t))
            }
            _ => unknown_function("kmeans", function),
        }
    }
}

// ---------------------------------------------------------------------------
// The gradient-descent solver of saddle and particle
// ---------------------------------------------------------------------------

/// GradBench's gradient-descent solver (`cpp/gradbench/gd.hpp`, which every
/// C++ tool uses for `saddle` and `particle`), step for step: plain Rust, not
/// differentiated. The solvers that *are* differentiated (the inner argmax of
/// `saddle`, the Euler loop of `particle`) are written out inside `#[grad]`
/// functions below.
pub mod gd {
    fn norm<const N: usize>(v: [f64; N]) -> f64 {
        v.iter().map(|x| x * x).sum::<f64>().sqrt()
    }

    /// `multivariate_argmin`: steps of `eta` along `-g`, doubled after 10
    /// successful steps, halved after a failed one, until the gradient or the
    /// step is shorter than 1e-5.
    pub fn argmin<const N: usize>(
        f: impl Fn([f64; N]) -> f64,
        g: impl Fn([f64; N]) -> [f64; N],
        x0: [f64; N],
    ) -> [f64; N] {
        let mut x = x0;
        let mut fx = f(x);
        let mut gx = g(x);
        let mut i = 0;
        let mut eta = 1e-5;
        loop {
            if norm(gx) <= 1e-5 {
                return x;
            }
            if i == 10 {
                eta *= 2.0;
                i = 0;
                continue;
            }
            let mut xp = x;
            let mut step = x;
            for j in 0..N {
                xp[j] = x[j] - eta * gx[j];
                step[j] = x[j] - xp[j];
            }
            if norm(step) <= 1e-5 {
                return x;
            }
            let fxp = f(xp);
            if fxp < fx {
                x = xp;
                fx = fxp;
                gx = g(x);
                i += 1;
            } else {
                eta /= 2.0;
                i = 0;
            }
        }
    }

    /// `multivariate_argmax`: the argmin of `-f`.
    pub fn argmax<const N: usize>(
        f: impl Fn([f64; N]) -> f64,
        g: impl Fn([f64; N]) -> [f64; N],
        x0: [f64; N],
    ) -> [f64; N] {
        argmin(|x| -f(x), |x| g(x).map(|v| -v), x0)
    }
}

/// The mode of each of the two nested differentiations: `ff`, `fr`, `rf`,
/// `rr` (outer, then inner; `f` forward, `r` reverse).
fn modes(module: &str, function: &str) -> Result<(bool, bool), String> {
    match function {
        "ff" => Ok((false, false)),
        "fr" => Ok((false, true)),
        "rf" => Ok((true, false)),
        "rr" => Ok((true, true)),
        _ => Err(format!("module {module:?} has no function {function:?}")),
    }
}

// ---------------------------------------------------------------------------
// saddle
// ---------------------------------------------------------------------------

/// `min_x max_y f(x, y)` by nested gradient descent (`evals/saddle/README.md`):
/// the outer argmin differentiates a function (`max_r` or `max_f`) that runs
/// the inner gradient ascent, whose gradients come from `objective_backward`
/// (inner reverse) or `objective_forward` (inner forward). The outer
/// derivative is the companion of that function: `_backward` (outer reverse)
/// or two `_forward` passes (outer forward), differentiating through every
/// iteration of the inner solver, as the eval asks (its README: "An
/// implementation of this benchmark must be written using nested AD").
pub mod saddle {
    use super::*;
    use autodiff::grad;

    /// `f(x, y) = (x₁² + y₁²) - (x₂² + y₂²)` with `p1 = (x₁, y₁)`, `p2 = (x₂, y₂)`
    /// (GradBench's `saddle::objective`). `hvp` emits `objective_backward`,
    /// `objective_forward` and the companions of those that the nested
    /// differentiation of `max_r` and `max_f` calls.
    #[grad(hvp)]
    pub fn objective(p1: [f64; 2], p2: [f64; 2]) -> f64 {
        (p1[0] * p1[0] + p1[1] * p1[1]) - (p2[0] * p2[0] + p2[1] * p2[1])
    }

    /// `max_{p2} objective(p1, p2)` by [`gd::argmax`] from `start`, written
    /// out (a `while` loop: the differentiated body may not call the generic
    /// solver), the inner gradient by reverse mode (`objective_backward`).
    #[grad(reverse, forward, wrt(p1))]
    pub fn max_r(p1: [f64; 2], start: [f64; 2]) -> f64 {
        // The gradient of -objective with respect to p2.
        let grad = |x: [f64; 2]| {
            let (_, _, g) = objective_backward(p1, x, 1.0);
            [-g[0], -g[1]]
        };
        let mut x = start;
        let mut fx = -objective(p1, x);
        let mut gx = grad(x);
        let mut i = 0;
        let mut eta = 1e-5;
        let mut go = true;
        while go {
            if (gx[0] * gx[0] + gx[1] * gx[1]).sqrt() <= 1e-5 {
                go = false;
            } else if i == 10 {
                eta *= 2.0;
                i = 0;
            } else {
                let xp = [x[0] - eta * gx[0], x[1] - eta * gx[1]];
                let step = [x[0] - xp[0], x[1] - xp[1]];
                if (step[0] * step[0] + step[1] * step[1]).sqrt() <= 1e-5 {
                    go = false;
                } else {
                    let fxp = -objective(p1, xp);
                    if fxp < fx {
                        x = xp;
                        fx = fxp;
                        gx = grad(x);
                        i += 1;
                    } else {
                        eta /= 2.0;
                        i = 0;
                    }
                }
            }
        }
        objective(p1, x)
    }

    /// [`max_r`] with the inner gradient by forward mode: one
    /// `objective_forward` pass per component of `p2`.
    #[grad(reverse, forward, wrt(p1))]
    pub fn max_f(p1: [f64; 2], start: [f64; 2]) -> f64 {
        let grad = |x: [f64; 2]| {
            let (_, g0) = objective_forward(p1, [0.0, 0.0], x, [1.0, 0.0]);
            let (_, g1) = objective_forward(p1, [0.0, 0.0], x, [0.0, 1.0]);
            [-g0, -g1]
        };
        let mut x = start;
        let mut fx = -objective(p1, x);
        let mut gx = grad(x);
        let mut i = 0;
        let mut eta = 1e-5;
        let mut go = true;
        while go {
            if (gx[0] * gx[0] + gx[1] * gx[1]).sqrt() <= 1e-5 {
                go = false;
            } else if i == 10 {
                eta *= 2.0;
                i = 0;
            } else {
                let xp = [x[0] - eta * gx[0], x[1] - eta * gx[1]];
                let step = [x[0] - xp[0], x[1] - xp[1]];
                if (step[0] * step[0] + step[1] * step[1]).sqrt() <= 1e-5 {
                    go = false;
                } else {
                    let fxp = -objective(p1, xp);
                    if fxp < fx {
                        x = xp;
                        fx = fxp;
                        gx = grad(x);
                        i += 1;
                    } else {
                        eta /= 2.0;
                        i = 0;
                    }
                }
            }
        }
        objective(p1, x)
    }

    /// The saddle point `[x₁, y₁, x₂, y₂]`: the argmin over `p1` of the inner
    /// max (outer mode `outer_r`, inner mode `inner_r`; `true` is reverse),
    /// then the argmax over `p2` at that `p1`, its gradient in the outer mode.
    pub fn saddle(outer_r: bool, inner_r: bool, start: [f64; 2]) -> [f64; 4] {
        let cost = |p1: [f64; 2]| {
            if inner_r {
                max_r(p1, start)
            } else {
                max_f(p1, start)
            }
        };
        let e = [[1.0, 0.0], [0.0, 1.0]];
        let grad = |p1: [f64; 2]| match (outer_r, inner_r) {
            (true, true) => max_r_backward(p1, start, 1.0).1,
            (true, false) => max_f_backward(p1, start, 1.0).1,
            (false, true) => e.map(|t| max_r_forward(p1, t, start).1),
            (false, false) => e.map(|t| max_f_forward(p1, t, start).1),
        };
        let r1 = gd::argmin(cost, grad, start);
        let grad2 = |p2: [f64; 2]| {
            if outer_r {
                objective_backward(r1, p2, 1.0).2
            } else {
                e.map(|t| objective_forward(r1, [0.0, 0.0], p2, t).1)
            }
        };
        let r2 = gd::argmax(|p2| objective(r1, p2), grad2, start);
        [r1[0], r1[1], r2[0], r2[1]]
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let (outer_r, inner_r) = modes("saddle", function)?;
        let start = floats(input, "start")?;
        let [a, b] = start[..] else {
            return Err("`start` must have 2 numbers".into());
        };
        let (out, t) = runs(input, || saddle(outer_r, inner_r, black_box([a, b])));
        Ok((json!(out), t))
    }
}

// ---------------------------------------------------------------------------
// particle
// ---------------------------------------------------------------------------

/// The control `w` that makes a charged particle hit the origin
/// (`evals/particle/README.md`): gradient descent on `w` over a function
/// (`euler_r` or `euler_f`) that integrates the particle's path by Euler's
/// method with the force `-∇ₓ p(x; w)` from `potential_backward` (inner
/// reverse) or `potential_forward` (inner forward); the outer gradient is
/// that function's `_backward` or `_forward`, through the whole `while` loop.
pub mod particle {
    use super::*;
    use autodiff::grad;

    /// The potential `p(x; w) = 1/|x - (10, 10 - w)| + 1/|x - (10, 0)|` of the
    /// two fixed charges (GradBench's `particle::accel`). `hvp`, for the
    /// companions of its companions that nested differentiation calls.
    #[grad(hvp)]
    pub fn potential(x: [f64; 2], w: f64) -> f64 {
        let a = [x[0] - 10.0, x[1] - (10.0 - w)];
        let b = [x[0] - 10.0, x[1]];
        1.0 / (a[0] * a[0] + a[1] * a[1]).sqrt() + 1.0 / (b[0] * b[0] + b[1] * b[1]).sqrt()
    }

    /// `x₀(t_f)²`: Euler steps of 0.1 from `x = (0, 8)`, `ẋ = (0.75, 0)` while
    /// the next position is above the x axis, then the linear interpolation to
    /// the axis; the force by reverse mode (`potential_backward`).
    #[grad(reverse, forward)]
    pub fn euler_r(w: f64) -> f64 {
        let mut x = [0.0, 8.0];
        let mut xdot = [0.75, 0.0];
        let dt = 1e-1;
        let mut go = true;
        while go {
            let (_, g, _) = potential_backward(x, w, 1.0);
            let xddot = [-g[0], -g[1]];
            let xn = [x[0] + dt * xdot[0], x[1] + dt * xdot[1]];
            if xn[1] > 0.0 {
                x = xn;
                xdot = [xdot[0] + dt * xddot[0], xdot[1] + dt * xddot[1]];
            } else {
                go = false;
            }
        }
        let dt_f = -x[1] / xdot[1];
        let xf = x[0] + dt_f * xdot[0];
        xf * xf
    }

    /// [`euler_r`] with the force by forward mode: one `potential_forward`
    /// pass per component of `x`.
    #[grad(reverse, forward)]
    pub fn euler_f(w: f64) -> f64 {
        let mut x = [0.0, 8.0];
        let mut xdot = [0.75, 0.0];
        let dt = 1e-1;
        let mut go = true;
        while go {
            let (_, g0) = potential_forward(x, [1.0, 0.0], w, 0.0);
            let (_, g1) = potential_forward(x, [0.0, 1.0], w, 0.0);
            let xddot = [-g0, -g1];
            let xn = [x[0] + dt * xdot[0], x[1] + dt * xdot[1]];
            if xn[1] > 0.0 {
                x = xn;
                xdot = [xdot[0] + dt * xddot[0], xdot[1] + dt * xddot[1]];
            } else {
                go = false;
            }
        }
        let dt_f = -x[1] / xdot[1];
        let xf = x[0] + dt_f * xdot[0];
        xf * xf
    }

    /// The final `w` of gradient descent from `w0` (outer mode `outer_r`,
    /// inner mode `inner_r`; `true` is reverse).
    pub fn particle(outer_r: bool, inner_r: bool, w0: f64) -> f64 {
        let cost = |w: [f64; 1]| {
            if inner_r {
                euler_r(w[0])
            } else {
                euler_f(w[0])
            }
        };
        let grad = |w: [f64; 1]| {
            [match (outer_r, inner_r) {
                (true, true) => euler_r_backward(w[0], 1.0).1,
                (true, false) => euler_f_backward(w[0], 1.0).1,
                (false, true) => euler_r_forward(w[0], 1.0).1,
                (false, false) => euler_f_forward(w[0], 1.0).1,
            }]
        };
        gd::argmin(cost, grad, [w0])[0]
    }

    pub fn evaluate(function: &str, input: &Value) -> Evaluation {
        let (outer_r, inner_r) = modes("particle", function)?;
        let w0 = float(input, "w")?;
        let (out, t) = runs(input, || particle(outer_r, inner_r, black_box(w0)));
        Ok((json!(out), t))
    }
}
