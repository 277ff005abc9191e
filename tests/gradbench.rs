//! The GradBench tool of `examples/gradbench.rs`, through its message handler:
//! protocol messages in, responses checked.
//!
//! - the protocol: ids echoed, `start` / `define` / `evaluate` / `analysis`
//!   responses shaped as `CONTRIBUTING.md` says, one `"evaluate"` timing per
//!   run, `min_runs` and `min_seconds` honoured, errors reported as
//!   `"success": false`;
//! - each module: outputs shaped as its eval README (or validator) says,
//!   primal values against straightforward reference computations written
//!   here independently (an explicit rotation matrix for `ba`, explicit
//!   precision matrices and densities for `gmm`, a whole-vector Runge–Kutta
//!   for `ode`, LU elimination for `det` …), and gradients against central
//!   finite differences of those references.
#![allow(clippy::needless_range_loop)]

#[path = "../examples/gradbench/modules.rs"]
mod modules;

use serde_json::{json, Value};
use std::f64::consts::PI;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Sends one message, returns the parsed response (checking the id is echoed).
fn send(message: Value) -> Value {
    let response: Value = serde_json::from_str(&modules::handle(&message.to_string()))
        .expect("the response is one line of JSON");
    assert_eq!(
        response["id"], message["id"],
        "the id is echoed: {response}"
    );
    response
}

/// Evaluates `function` of `module` once and returns the output, checking the
/// response's shape.
fn eval(module: &str, function: &str, mut input: Value) -> Value {
    if input.is_object() {
        input["min_runs"] = json!(1);
        input["min_seconds"] = json!(0);
    }
    let r = send(
        json!({ "id": 7, "kind": "evaluate", "module": module, "function": function, "input": input }),
    );
    assert_eq!(r["success"], json!(true), "{module}.{function}: {r}");
    let timings = r["timings"].as_array().expect("timings");
    assert_eq!(timings.len(), 1, "one run, one timing");
    assert_eq!(timings[0]["name"], "evaluate");
    assert!(timings[0]["nanoseconds"].is_u64());
    r["output"].clone()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("{v} is not an array"))
        .iter()
        .map(num)
        .collect()
}

fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    let tol = rel * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (tolerance {tol})"
    );
}

fn assert_all_close(got: &[f64], want: &[f64], rel: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_close(*g, *w, rel, &format!("{what}[{i}]"));
    }
}

/// Central finite differences of `f` at `x`, step `1e-6 · max(1, |x_i|)`.
fn fd(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let mut p = x.to_vec();
    (0..x.len())
        .map(|i| {
            let h = 1e-6 * x[i].abs().max(1.0);
            p[i] = x[i] + h;
            let up = f(&p);
            p[i] = x[i] - h;
            let down = f(&p);
            p[i] = x[i];
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// Deterministic pseudo-random numbers in `[lo, hi)` (a linear congruential
/// generator; the tests need variety, not quality).
struct Rng(u64);

impl Rng {
    fn next(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (hi - lo) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }
    fn vec(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| self.next(lo, hi)).collect()
    }
}

// ---------------------------------------------------------------------------
// Protocol
// ---------------------------------------------------------------------------

#[test]
fn start_define_analysis_and_other_kinds() {
    let r = send(json!({ "id": 0, "kind": "start", "eval": "hello" }));
    assert_eq!(r["tool"], "autodiff");
    assert!(r.get("success").is_none());

    // All twelve evals of GradBench.
    for module in [
        "hello", "lse", "llsq", "gmm", "ba", "ode", "det", "lstm", "ht", "kmeans", "particle",
        "saddle",
    ] {
        let r = send(json!({ "id": 1, "kind": "define", "module": module }));
        assert_eq!(r["success"], json!(true), "{module}");
        assert!(r.get("error").is_none());
    }
    let r = send(json!({ "id": 2, "kind": "define", "module": "nope" }));
    assert_eq!(r["success"], json!(false));
    assert!(r["error"].as_str().unwrap().contains("nope"));

    // Other kinds get just their id back.
    let r = send(json!({ "id": 3, "kind": "analysis", "of": 2, "valid": false, "error": "no" }));
    assert_eq!(r, json!({ "id": 3 }));
    let r = send(json!({ "id": 4, "kind": "end" }));
    assert_eq!(r, json!({ "id": 4 }));
}

#[test]
fn ids_are_echoed_verbatim() {
    for id in [
        json!(0),
        json!(123456789012u64),
        json!(-5),
        json!("x"),
        json!(2.5),
    ] {
        let r = send(json!({ "id": id, "kind": "start" }));
        assert_eq!(r["id"], id);
    }
}

#[test]
fn errors_are_responses() {
    // Unknown module or function, malformed input: success false with an error.
    for (module, function, input) in [
        ("nope", "f", json!(1.0)),
        ("hello", "cube", json!(1.0)),
        ("hello", "square", json!("three")),
        ("lse", "primal", json!({ "y": [1.0] })),
        ("lse", "primal", json!({ "x": [] })),
        ("det", "primal", json!({ "A": [1.0, 2.0, 3.0], "ell": 2 })),
        (
            "kmeans",
            "cost",
            json!({ "points": [[1.0, 2.0]], "centroids": [[1.0]] }),
        ),
        (
            "kmeans",
            "newton",
            json!({ "points": [[1.0]], "centroids": [[1.0]] }),
        ),
        ("saddle", "rx", json!({ "start": [1.0, 1.0] })),
        ("saddle", "rr", json!({ "start": [1.0] })),
        ("particle", "fr", json!({ "v": 0.0 })),
        (
            "gmm",
            "objective",
            json!({ "d": 2, "k": 1, "n": 1, "m": 0, "gamma": 1.0 }),
        ),
        (
            "ba",
            "objective",
            json!({ "n": 1, "m": 1, "p": 1, "cam": [1.0], "x": [1.0, 2.0, 3.0], "w": 1.0, "feat": [1.0, 2.0] }),
        ),
    ] {
        let r = send(
            json!({ "id": 9, "kind": "evaluate", "module": module, "function": function, "input": input }),
        );
        assert_eq!(r["success"], json!(false), "{r}");
        assert!(r["error"].is_string(), "{r}");
        assert!(r.get("output").is_none());
    }
    // Not JSON, or no id: an error with a null id.
    for line in ["{not json", r#"{"kind": "start"}"#] {
        let r: Value = serde_json::from_str(&modules::handle(line)).unwrap();
        assert_eq!(r["id"], Value::Null);
        assert!(r["error"].is_string());
    }
}

#[test]
fn runs_are_repeated_and_timed() {
    let msg = |input: Value| json!({ "id": 5, "kind": "evaluate", "module": "lse", "function": "gradient", "input": input });
    let r = send(msg(
        json!({ "x": [1.0, 2.0], "min_runs": 5, "min_seconds": 0 }),
    ));
    let timings = r["timings"].as_array().unwrap();
    assert_eq!(timings.len(), 5);
    assert!(timings
        .iter()
        .all(|t| t["name"] == "evaluate" && t["nanoseconds"].is_u64()));

    // Until min_seconds have passed, even when min_runs is reached.
    let r = send(msg(
        json!({ "x": [1.0, 2.0], "min_runs": 1, "min_seconds": 0.02 }),
    ));
    let total: u64 = r["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["nanoseconds"].as_u64().unwrap())
        .sum();
    assert!(total >= 20_000_000, "{total} ns");
    assert!(r["timings"].as_array().unwrap().len() > 1);

    // hello has no Runs fields: one run.
    let r = send(
        json!({ "id": 6, "kind": "evaluate", "module": "hello", "function": "square", "input": 2.0 }),
    );
    assert_eq!(r["timings"].as_array().unwrap().len(), 1);
}

#[test]
fn a_whole_session() {
    // The messages of an eval run, in order, each answered with its own id.
    let session = [
        json!({ "id": 0, "kind": "start", "eval": "det" }),
        json!({ "id": 1, "kind": "define", "module": "det" }),
        json!({ "id": 2, "kind": "evaluate", "module": "det", "function": "primal", "description": "3",
                "input": { "A": [2.0, 0.0, 1.0, 1.0, 3.0, 0.0, 0.0, 1.0, 4.0], "ell": 3, "min_runs": 2, "min_seconds": 0 } }),
        json!({ "id": 3, "kind": "analysis", "of": 2, "valid": true }),
        json!({ "id": 4, "kind": "evaluate", "module": "det", "function": "gradient", "description": "3",
                "input": { "A": [2.0, 0.0, 1.0, 1.0, 3.0, 0.0, 0.0, 1.0, 4.0], "ell": 3, "min_runs": 2, "min_seconds": 0 } }),
        json!({ "id": 5, "kind": "analysis", "of": 4, "valid": true }),
    ];
    let responses: Vec<Value> = session.iter().map(|m| send(m.clone())).collect();
    assert_eq!(responses[2]["output"], json!(25.0)); // 2·12 - 0 + 1·1
                                                     // The cofactor matrix of A.
    assert_eq!(
        nums(&responses[4]["output"]),
        vec![12.0, -4.0, 1.0, 1.0, 8.0, -2.0, -3.0, 1.0, 6.0]
    );
    assert_eq!(responses[4]["timings"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------------------
// hello
// ---------------------------------------------------------------------------

#[test]
fn hello_square_and_double() {
    for x in [-3.5, 0.0, 1.0, 12.25] {
        assert_eq!(num(&eval("hello", "square", json!(x))), x * x);
        assert_eq!(num(&eval("hello", "double", json!(x))), 2.0 * x);
    }
}

// ---------------------------------------------------------------------------
// lse
// ---------------------------------------------------------------------------

fn lse_reference(x: &[f64]) -> f64 {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

#[test]
fn lse_primal_and_gradient() {
    let mut rng = Rng(1);
    for x in [
        vec![0.5],
        vec![1.0, 2.0, 3.0],
        rng.vec(50, -5.0, 5.0),
        vec![1000.0, 999.0, 998.0, -1000.0],
    ] {
        let y = num(&eval("lse", "primal", json!({ "x": x })));
        if x.iter().all(|v| v.abs() < 100.0) {
            // The naive formula, where it does not overflow.
            assert_close(
                y,
                x.iter().map(|v| v.exp()).sum::<f64>().ln(),
                1e-12,
                "lse naive",
            );
        }
        assert_close(y, lse_reference(&x), 1e-12, "lse");
        let g = nums(&eval("lse", "gradient", json!({ "x": x })));
        assert_eq!(g.len(), x.len());
        assert_all_close(
            &g,
            &fd(lse_reference, &x),
            1e-7,
            "lse gradient vs differences",
        );
        // The gradient is the softmax.
        let softmax: Vec<f64> = x.iter().map(|v| (v - lse_reference(&x)).exp()).collect();
        assert_all_close(&g, &softmax, 1e-12, "lse gradient vs softmax");
    }
}

// ---------------------------------------------------------------------------
// llsq
// ---------------------------------------------------------------------------

/// cmpad's definition, literally.
fn llsq_reference(x: &[f64], n: usize) -> f64 {
    let mut sum = 0.0;
    for i in 0..n {
        let t = -1.0 + i as f64 * 2.0 / (n as f64 - 1.0);
        let s = if t > 0.0 {
            1.0
        } else if t < 0.0 {
            -1.0
        } else {
            0.0
        };
        let mut r = s;
        for (j, xj) in x.iter().enumerate() {
            r -= xj * t.powi(j as i32);
        }
        sum += r * r;
    }
    sum / 2.0
}

#[test]
fn llsq_primal_and_gradient() {
    let mut rng = Rng(2);
    for (m, n) in [(1, 2), (3, 5), (8, 16), (16, 33)] {
        let x = rng.vec(m, 0.0, 1.0);
        let y = num(&eval("llsq", "primal", json!({ "x": x, "n": n })));
        assert_close(y, llsq_reference(&x, n), 1e-12, "llsq");
        let g = nums(&eval("llsq", "gradient", json!({ "x": x, "n": n })));
        assert_eq!(g.len(), m);
        assert_all_close(&g, &fd(|x| llsq_reference(x, n), &x), 1e-7, "llsq gradient");
    }
    // n = 3: t = -1, 0, 1 and s = -1, 0, 1; with x = 0 the objective is 1.
    assert_eq!(
        num(&eval("llsq", "primal", json!({ "x": [0.0, 0.0], "n": 3 }))),
        1.0
    );
}

// ---------------------------------------------------------------------------
// gmm
// ---------------------------------------------------------------------------

/// ln Γ by Lanczos' approximation (g = 7, 9 terms), for `x ≥ 0.5`.
fn lanczos_ln_gamma(x: f64) -> f64 {
    const P: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut a = P[0];
    for (i, p) in P.iter().enumerate().skip(1) {
        a += p / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

struct Gmm {
    d: usize,
    k: usize,
    n: usize,
    m: usize,
    gamma: f64,
    x: Vec<Vec<f64>>,
}

impl Gmm {
    fn lsz(&self) -> usize {
        self.d * (self.d - 1) / 2
    }

    /// The log posterior from its definition: explicit `Q_k`, precision
    /// matrices `Q_kᵀ Q_k`, Gaussian densities and Wishart densities.
    /// `theta` is `alpha`, `mu`, `q`, `l` flattened in that order.
    fn log_posterior(&self, theta: &[f64]) -> f64 {
        let (d, k) = (self.d, self.k);
        let lsz = self.lsz();
        let alpha = &theta[..k];
        let mu = |c: usize| &theta[k + c * d..k + (c + 1) * d];
        let q = |c: usize| &theta[k + k * d + c * d..k + k * d + (c + 1) * d];
        let l = |c: usize| &theta[k + 2 * k * d + c * lsz..k + 2 * k * d + (c + 1) * lsz];
        // Q_k, filled column by column below the diagonal.
        let qmat: Vec<Vec<Vec<f64>>> = (0..k)
            .map(|c| {
                let mut m = vec![vec![0.0; d]; d];
                let mut idx = 0;
                for col in 0..d {
                    m[col][col] = q(c)[col].exp();
                    for row in col + 1..d {
                        m[row][col] = l(c)[idx];
                        idx += 1;
                    }
                }
                m
            })
            .collect();
        let precision: Vec<Vec<Vec<f64>>> = qmat
            .iter()
            .map(|qm| {
                (0..d)
                    .map(|i| {
                        (0..d)
                            .map(|j| (0..d).map(|r| qm[r][i] * qm[r][j]).sum())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        // det(Σ⁻¹) = Π diag(Q)².
        let log_det: Vec<f64> = qmat
            .iter()
            .map(|qm| (0..d).map(|i| 2.0 * qm[i][i].ln()).sum())
            .collect();
        let amax = alpha.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let asum: f64 = alpha.iter().map(|a| (a - amax).exp()).sum();
        let log_phi: Vec<f64> = alpha.iter().map(|a| a - amax - asum.ln()).collect();
        let mut loglik = 0.0;
        for xi in &self.x {
            let terms: Vec<f64> = (0..k)
                .map(|c| {
                    let diff: Vec<f64> = (0..d).map(|j| xi[j] - mu(c)[j]).collect();
                    let mut quad = 0.0;
                    for i in 0..d {
                        for j in 0..d {
                            quad += diff[i] * precision[c][i][j] * diff[j];
                        }
                    }
                    log_phi[c] - 0.5 * quad - 0.5 * d as f64 * (2.0 * PI).ln() + 0.5 * log_det[c]
                })
                .collect();
            loglik += lse_reference(&terms);
        }
        // Wishart W_d(V, n') with V = I/γ², n' = d + m + 1, at X = Σ⁻¹.
        let nw = (d + self.m + 1) as f64;
        let df = d as f64;
        let mut ln_gamma_d = 0.25 * df * (df - 1.0) * PI.ln();
        for j in 1..=d {
            ln_gamma_d += lanczos_ln_gamma(nw / 2.0 + (1.0 - j as f64) / 2.0);
        }
        let log_det_v = -2.0 * df * self.gamma.ln();
        let mut logprior = 0.0;
        for c in 0..k {
            let trace: f64 = (0..d)
                .map(|i| self.gamma * self.gamma * precision[c][i][i])
                .sum();
            logprior += (nw - df - 1.0) / 2.0 * log_det[c]
                - trace / 2.0
                - nw * df / 2.0 * 2f64.ln()
                - nw / 2.0 * log_det_v
                - ln_gamma_d;
        }
        loglik + logprior
    }

    fn input(&self, theta: &[f64]) -> Value {
        let (d, k, lsz) = (self.d, self.k, self.lsz());
        let rows = |from: usize, cols: usize| -> Value {
            Value::Array(
                (0..k)
                    .map(|c| json!(&theta[from + c * cols..from + (c + 1) * cols]))
                    .collect(),
            )
        };
        json!({
            "d": d, "k": k, "n": self.n, "m": self.m, "gamma": self.gamma, "x": self.x,
            "alpha": &theta[..k], "mu": rows(k, d), "q": rows(k + k * d, d), "l": rows(k + 2 * k * d, lsz),
        })
    }
}

#[test]
fn gmm_ln_gamma() {
    for (x, want) in [
        (0.5, PI.sqrt().ln()),
        (1.0, 0.0),
        (1.5, (PI.sqrt() / 2.0).ln()),
        (5.0, 24f64.ln()),
        (20.0, 39.339_884_187_199_49),
    ] {
        assert_close(modules::gmm::ln_gamma(x), want, 1e-13, "ln_gamma");
        assert_close(lanczos_ln_gamma(x), want, 1e-12, "lanczos");
    }
}

#[test]
fn gmm_objective_and_jacobian() {
    let mut rng = Rng(3);
    for (d, k, n, m, gamma) in [
        (1, 1, 1, 0, 1.0),
        (2, 3, 5, 0, 1.0),
        (3, 2, 4, 2, 0.7),
        (4, 3, 6, 1, 1.3),
    ] {
        let problem = Gmm {
            d,
            k,
            n,
            m,
            gamma,
            x: (0..n).map(|_| rng.vec(d, -1.0, 1.0)).collect(),
        };
        let lsz = problem.lsz();
        let theta = rng.vec(k + 2 * k * d + k * lsz, -0.5, 0.5);
        let y = num(&eval("gmm", "objective", problem.input(&theta)));
        assert_close(y, problem.log_posterior(&theta), 1e-10, "gmm objective");

        let out = eval("gmm", "jacobian", problem.input(&theta));
        let obj = out.as_object().unwrap();
        assert_eq!(obj.len(), 4, "alpha, mu, q, l: {out}");
        let mut flat = nums(&out["alpha"]);
        assert_eq!(flat.len(), k);
        for (key, cols) in [("mu", d), ("q", d), ("l", lsz)] {
            let rows = out[key].as_array().unwrap();
            assert_eq!(rows.len(), k, "{key}");
            for row in rows {
                let row = nums(row);
                assert_eq!(row.len(), cols, "{key}");
                flat.extend(row);
            }
        }
        let want = fd(|t| problem.log_posterior(t), &theta);
        assert_all_close(&flat, &want, 1e-6, &format!("gmm jacobian d={d} k={k}"));
    }
}

// ---------------------------------------------------------------------------
// ba
// ---------------------------------------------------------------------------

/// The reprojection error of one observation, through an explicit rotation
/// matrix `R = I + sin θ K + (1 - cos θ) K²` (`K` the cross-product matrix of
/// the unit axis), or `I + [r]×` at `r = 0`. `v` is `cam (11), x (3), w`.
fn ba_reference(v: &[f64], feat: [f64; 2]) -> [f64; 2] {
    let (cam, x, w) = (&v[..11], &v[11..14], v[14]);
    let r = [cam[0], cam[1], cam[2]];
    let theta = (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]).sqrt();
    let cross = |a: [f64; 3]| [[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]];
    let mut rot = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    if theta == 0.0 {
        let kx = cross(r);
        for i in 0..3 {
            for j in 0..3 {
                rot[i][j] += kx[i][j];
            }
        }
    } else {
        let kx = cross([r[0] / theta, r[1] / theta, r[2] / theta]);
        for i in 0..3 {
            for j in 0..3 {
                let k2: f64 = (0..3).map(|l| kx[i][l] * kx[l][j]).sum();
                rot[i][j] += theta.sin() * kx[i][j] + (1.0 - theta.cos()) * k2;
            }
        }
    }
    let xo = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let xc: Vec<f64> = (0..3)
        .map(|i| (0..3).map(|j| rot[i][j] * xo[j]).sum())
        .collect();
    let p = [xc[0] / xc[2], xc[1] / xc[2]];
    let rsq = p[0] * p[0] + p[1] * p[1];
    let dist = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
    [
        w * (p[0] * dist * cam[6] + cam[7] - feat[0]),
        w * (p[1] * dist * cam[6] + cam[8] - feat[1]),
    ]
}

fn ba_input(
    cam: &[f64],
    x: &[f64],
    w: f64,
    feat: [f64; 2],
    (n, m, p): (usize, usize, usize),
) -> Value {
    json!({ "n": n, "m": m, "p": p, "cam": cam, "x": x, "w": w, "feat": feat })
}

#[test]
fn ba_objective_and_jacobian() {
    let feat = [-12.0, 24.0];
    let x = [0.3, -0.6, 4.0];
    let w = 0.8;
    let cams = [
        vec![
            0.1, -0.2, 0.15, 0.2, -0.1, -0.5, 300.0, 12.0, -8.0, 1e-2, -2e-3,
        ],
        // A zero rotation takes the other branch of Rodrigues' formula.
        vec![
            0.0, 0.0, 0.0, 0.2, -0.1, -0.5, 300.0, 12.0, -8.0, 1e-2, -2e-3,
        ],
    ];
    let (n, m, p) = (3, 4, 20);
    for cam in &cams {
        let v: Vec<f64> = cam.iter().chain(&x).copied().chain([w]).collect();
        let want = ba_reference(&v, feat);

        let out = eval("ba", "objective", ba_input(cam, &x, w, feat, (n, m, p)));
        assert_eq!(out["reproj_error"]["repeated"], json!(p));
        assert_all_close(
            &nums(&out["reproj_error"]["elements"]),
            &want,
            1e-12,
            "reprojection error",
        );
        assert_eq!(out["w_err"]["repeated"], json!(p));
        assert_close(
            num(&out["w_err"]["element"]),
            1.0 - w * w,
            1e-15,
            "weight error",
        );

        let out = eval("ba", "jacobian", ba_input(cam, &x, w, feat, (n, m, p)));
        let rows: Vec<u64> = out["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let cols: Vec<u64> = out["cols"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let vals = nums(&out["vals"]);
        assert_eq!(
            (rows.len(), cols.len(), vals.len()),
            (31, 31, 31),
            "first 30 and the last"
        );
        // Rows: 2p rows of 15 entries, then p rows of one; 31p entries in all.
        assert_eq!(
            rows[..30],
            (0..30).map(|r| 15 * r).collect::<Vec<u64>>()[..]
        );
        assert_eq!(rows[30] as usize, 31 * p);
        // Columns of observation 0 (camera 0, point 0, weight 0), twice.
        let (point_col, weight_col) = (11 * n as u64, 11 * n as u64 + 3 * m as u64);
        let block: Vec<u64> = (0..11)
            .chain(point_col..point_col + 3)
            .chain([weight_col])
            .collect();
        assert_eq!(cols[..15], block[..]);
        assert_eq!(cols[15..30], block[..]);
        assert_eq!(cols[30], weight_col + p as u64 - 1);
        // Values: the two rows of the block, then d(1 - w²)/dw.
        for row in 0..2 {
            let g = fd(|v| ba_reference(v, feat)[row], &v);
            assert_all_close(
                &vals[15 * row..15 * row + 15],
                &g,
                1e-6,
                &format!("jacobian row {row}"),
            );
        }
        assert_close(vals[30], -2.0 * w, 1e-15, "weight error derivative");
    }
}

#[test]
fn ba_full_jacobian_with_distinct_cameras_and_points() {
    // The whole sparse Jacobian of a problem whose cameras, points, weights
    // and features all differ, against differences of the whole objective.
    use modules::ba::{Problem, CAM};
    let mut rng = Rng(4);
    let (n, m, p) = (2, 3, 5);
    let mut problem = Problem {
        n,
        m,
        p,
        cams: vec![],
        xs: vec![],
        ws: rng.vec(p, 0.5, 1.5),
        feats: (0..p)
            .map(|_| [rng.next(-5.0, 5.0), rng.next(-5.0, 5.0)])
            .collect(),
        obs: (0..p).map(|i| (i % n, i % m)).collect(),
    };
    for _ in 0..n {
        let mut c = [0.0; CAM];
        c.copy_from_slice(&rng.vec(CAM, -0.3, 0.3));
        c[6] = rng.next(100.0, 200.0);
        problem.cams.push(c);
    }
    for _ in 0..m {
        problem
            .xs
            .push([rng.next(-1.0, 1.0), rng.next(-1.0, 1.0), rng.next(3.0, 5.0)]);
    }
    let ncols = CAM * n + 3 * m + p;
    let flat = |pr: &Problem| -> Vec<f64> {
        let mut v: Vec<f64> = pr.cams.iter().flatten().copied().collect();
        v.extend(pr.xs.iter().flatten());
        v.extend(&pr.ws);
        v
    };
    let unflat = |v: &[f64]| -> Problem {
        Problem {
            n,
            m,
            p,
            cams: v[..CAM * n]
                .chunks(CAM)
                .map(|c| c.try_into().unwrap())
                .collect(),
            xs: v[CAM * n..CAM * n + 3 * m]
                .chunks(3)
                .map(|c| c.try_into().unwrap())
                .collect(),
            ws: v[CAM * n + 3 * m..].to_vec(),
            feats: problem.feats.clone(),
            obs: problem.obs.clone(),
        }
    };
    let theta = flat(&problem);
    assert_eq!(theta.len(), ncols);
    let (rows, cols, vals) = problem.jacobian();
    assert_eq!(rows.len(), 3 * p + 1);
    assert_eq!(cols.len(), 31 * p);
    let mut dense = vec![vec![0.0; ncols]; 3 * p];
    for r in 0..3 * p {
        for e in rows[r]..rows[r + 1] {
            dense[r][cols[e]] += vals[e];
        }
    }
    let (reproj, w_err) = problem.objective();
    assert_eq!((reproj.len(), w_err.len()), (2 * p, p));
    for r in 0..3 * p {
        let output = |v: &[f64]| {
            let (reproj, w_err) = unflat(v).objective();
            if r < 2 * p {
                reproj[r]
            } else {
                w_err[r - 2 * p]
            }
        };
        assert_all_close(&dense[r], &fd(output, &theta), 1e-6, &format!("row {r}"));
    }
}

// ---------------------------------------------------------------------------
// ode
// ---------------------------------------------------------------------------

/// Classical RK4 on the whole vector, as cmpad writes it.
fn ode_reference(x: &[f64], s: usize) -> Vec<f64> {
    let n = x.len();
    let f = |y: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| if i == 0 { x[0] } else { x[i] * y[i - 1] })
            .collect()
    };
    let h = 2.0 / s as f64;
    let mut y = vec![0.0; n];
    for _ in 0..s {
        let k1 = f(&y);
        let k2 = f(&(0..n).map(|i| y[i] + h * k1[i] / 2.0).collect::<Vec<_>>());
        let k3 = f(&(0..n).map(|i| y[i] + h * k2[i] / 2.0).collect::<Vec<_>>());
        let k4 = f(&(0..n).map(|i| y[i] + h * k3[i]).collect::<Vec<_>>());
        for i in 0..n {
            y[i] += h * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]) / 6.0;
        }
    }
    y
}

#[test]
fn ode_primal_and_gradient() {
    let mut rng = Rng(5);
    for (n, s) in [(1, 1), (2, 3), (5, 1), (8, 10), (30, 7)] {
        let x = rng.vec(n, 0.0, 1.0);
        let y = nums(&eval("ode", "primal", json!({ "x": x, "s": s })));
        assert_all_close(&y, &ode_reference(&x, s), 1e-13, "ode primal");
        let g = nums(&eval("ode", "gradient", json!({ "x": x, "s": s })));
        assert_eq!(g.len(), n);
        assert_all_close(
            &g,
            &fd(|x| ode_reference(x, s)[n - 1], &x),
            1e-7,
            &format!("ode gradient n={n} s={s}"),
        );
        // The custom function's primal agrees with its companion.
        let mut dx = vec![0.0; n];
        let v = modules::ode::ode_last_backward(&x, &mut dx, s, 2.0);
        assert_eq!(v, modules::ode::ode_last(&x, s));
        assert_all_close(
            &dx,
            &g.iter().map(|g| 2.0 * g).collect::<Vec<_>>(),
            1e-14,
            "d_out scales",
        );
    }
    // RK4 is exact for the cubic y_2(t) = x0 x1 x2 t³ / 6.
    let g = nums(&eval(
        "ode",
        "gradient",
        json!({ "x": [0.5, 0.25, 0.125], "s": 4 }),
    ));
    assert_all_close(
        &g,
        &[
            8.0 / 6.0 * 0.25 * 0.125,
            8.0 / 6.0 * 0.5 * 0.125,
            8.0 / 6.0 * 0.5 * 0.25,
        ],
        1e-15,
        "ode cubic",
    );
}

// ---------------------------------------------------------------------------
// det
// ---------------------------------------------------------------------------

/// The determinant by LU elimination with partial pivoting.
fn det_reference(a: &[f64], ell: usize) -> f64 {
    let mut m: Vec<Vec<f64>> = a.chunks(ell).map(<[f64]>::to_vec).collect();
    let mut det = 1.0;
    for col in 0..ell {
        let pivot = (col..ell)
            .max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))
            .unwrap();
        if pivot != col {
            m.swap(pivot, col);
            det = -det;
        }
        det *= m[col][col];
        if m[col][col] == 0.0 {
            return 0.0;
        }
        for row in col + 1..ell {
            let f = m[row][col] / m[col][col];
            for j in col..ell {
                m[row][j] -= f * m[col][j];
            }
        }
    }
    det
}

#[test]
fn det_primal_and_gradient() {
    let mut rng = Rng(6);
    for ell in 1..=7 {
        let a = rng.vec(ell * ell, -1.0, 1.0);
        let y = num(&eval("det", "primal", json!({ "A": a, "ell": ell })));
        assert_close(y, det_reference(&a, ell), 1e-12, &format!("det ell={ell}"));
        let g = nums(&eval("det", "gradient", json!({ "A": a, "ell": ell })));
        assert_eq!(g.len(), ell * ell);
        assert_all_close(
            &g,
            &fd(|a| det_reference(a, ell), &a),
            1e-7,
            &format!("det gradient ell={ell}"),
        );
        // Jacobi's formula: Σ_j A_ij ∂det/∂A_ij = det for every row i.
        for i in 0..ell {
            let s: f64 = (0..ell).map(|j| a[i * ell + j] * g[i * ell + j]).sum();
            assert_close(s, y, 1e-12, "row expansion");
        }
    }
    // A singular matrix: det 0, gradient the (nonzero) cofactors.
    let a = [1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 1.0, 0.0, 1.0];
    assert_eq!(
        num(&eval("det", "primal", json!({ "A": a, "ell": 3 }))),
        0.0
    );
    assert_eq!(
        nums(&eval("det", "gradient", json!({ "A": a, "ell": 3 }))),
        vec![4.0, 4.0, -4.0, -2.0, -2.0, 2.0, 0.0, 0.0, 0.0]
    );
}

// ---------------------------------------------------------------------------
// kmeans
// ---------------------------------------------------------------------------

/// `Σ_i min_j |C_j - P_i|²` as the README writes it (flat row-major `d`-vectors).
fn kmeans_reference(points: &[f64], centroids: &[f64], d: usize) -> f64 {
    points
        .chunks(d)
        .map(|p| {
            centroids
                .chunks(d)
                .map(|c| p.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum::<f64>())
                .fold(f64::INFINITY, f64::min)
        })
        .sum()
}

fn kmeans_input(rng: &mut Rng, n: usize, k: usize, d: usize) -> (Vec<f64>, Vec<f64>, Value) {
    let points = rng.vec(n * d, 0.0, 1.0);
    // As the eval does: the last k points are the centroids, so that every
    // cluster has a point.
    let centroids = points[(n - k) * d..].to_vec();
    let input = json!({
        "points": points.chunks(d).collect::<Vec<_>>(),
        "centroids": centroids.chunks(d).collect::<Vec<_>>(),
    });
    (points, centroids, input)
}

#[test]
fn kmeans_cost_and_dir() {
    let mut rng = Rng(14);
    for (n, k, d) in [(40, 3, 2), (100, 10, 8), (60, 7, 5)] {
        let (points, mut centroids, _) = kmeans_input(&mut rng, n, k, d);
        // Move the centroids off the points, so that the cost is smooth
        // (no point at a tie) and its Hessian well defined.
        for c in centroids.iter_mut() {
            *c += rng.next(-0.02, 0.02);
        }
        let input = json!({
            "points": points.chunks(d).collect::<Vec<_>>(),
            "centroids": centroids.chunks(d).collect::<Vec<_>>(),
        });
        let what = format!("n={n} k={k} d={d}");
        let cost = num(&eval("kmeans", "cost", input.clone()));
        assert_close(cost, kmeans_reference(&points, &centroids, d), 1e-12, &what);

        let dir: Vec<f64> = eval("kmeans", "dir", input)
            .as_array()
            .expect("rows")
            .iter()
            .flat_map(|row| {
                let row = nums(row);
                assert_eq!(row.len(), d);
                row
            })
            .collect();
        assert_eq!(dir.len(), k * d);
        // J by central differences of the reference, the diagonal of H by
        // second differences (exact for a quadratic: 2 × the cluster's size,
        // as long as the step moves no point to another cluster: 1e-3 does
        // at n=100 k=10 d=8).
        let g = fd(|c| kmeans_reference(&points, c, d), &centroids);
        let h = 1e-4;
        let mut c = centroids.clone();
        for i in 0..k * d {
            c[i] = centroids[i] + h;
            let up = kmeans_reference(&points, &c, d);
            c[i] = centroids[i] - h;
            let down = kmeans_reference(&points, &c, d);
            c[i] = centroids[i];
            let hii = (up - 2.0 * cost + down) / (h * h);
            assert_close(dir[i], g[i] / hii, 1e-5, &format!("{what} dir[{i}]"));
        }
        // In closed form: the centroid minus the mean of its cluster.
        let mut sums = vec![0.0; k * d];
        let mut sizes = vec![0.0; k];
        for p in points.chunks(d) {
            let dist =
                |j: usize| -> f64 { (0..d).map(|l| (p[l] - centroids[j * d + l]).powi(2)).sum() };
            let j = (0..k).min_by(|&a, &b| dist(a).total_cmp(&dist(b))).unwrap();
            sizes[j] += 1.0;
            for l in 0..d {
                sums[j * d + l] += p[l];
            }
        }
        for j in 0..k {
            for l in 0..d {
                let want = centroids[j * d + l] - sums[j * d + l] / sizes[j];
                assert_close(dir[j * d + l], want, 1e-12, &format!("{what} closed form"));
            }
        }
    }
}

#[test]
fn kmeans_hessian_is_diagonal() {
    // The claim `dir` rests on: H·e_i has its one non-zero at i, so H·1 is
    // the diagonal. Checked on `assigned_cost_hvp` itself, with unit vectors.
    let mut rng = Rng(15);
    let (n, k, d) = (50, 4, 3);
    let (points, mut centroids, _) = kmeans_input(&mut rng, n, k, d);
    for c in centroids.iter_mut() {
        *c += rng.next(-0.02, 0.02);
    }
    let mut a = vec![0; n];
    modules::kmeans::closest(&points, &centroids, d, &mut a);
    let mut diag = vec![0.0; k * d];
    for i in 0..k * d {
        let mut e = vec![0.0; k * d];
        e[i] = 1.0;
        let (mut g, mut h) = (vec![0.0; k * d], vec![0.0; k * d]);
        modules::kmeans::assigned_cost_hvp(&points, &centroids, &e, &mut g, &mut h, &a, d);
        for j in 0..k * d {
            if j != i {
                assert_eq!(h[j], 0.0, "H[{j}][{i}]");
            }
        }
        diag[i] = h[i];
    }
    let ones = vec![1.0; k * d];
    let (mut g, mut h) = (vec![0.0; k * d], vec![0.0; k * d]);
    modules::kmeans::assigned_cost_hvp(&points, &centroids, &ones, &mut g, &mut h, &a, d);
    assert_eq!(h, diag);
    // 2 × the size of each cluster, an even integer.
    assert!(h.iter().all(|&v| v > 0.0 && v % 2.0 == 0.0), "{h:?}");
}

// ---------------------------------------------------------------------------
// saddle and particle
// ---------------------------------------------------------------------------

const MODES: [&str; 4] = ["rr", "ff", "fr", "rf"];

#[test]
fn saddle_all_four_modes() {
    // The eval's expected output (its validator has no tool of its own).
    for f in MODES {
        let out = nums(&eval("saddle", f, json!({ "start": [1.0, 1.0] })));
        assert_eq!(out.len(), 4);
        assert_all_close(&out, &[8.246324826140356e-06; 4], 1e-12, f);
    }
    // Another start: the four modes agree, near the saddle point at 0.
    let outs: Vec<Vec<f64>> = MODES
        .iter()
        .map(|f| nums(&eval("saddle", f, json!({ "start": [0.5, -2.0] }))))
        .collect();
    for out in &outs {
        assert_all_close(out, &outs[0], 1e-12, "modes agree");
        assert!(out.iter().all(|v| v.abs() < 1e-4), "{out:?}");
    }
}

#[test]
fn saddle_nested_derivatives() {
    use modules::saddle::*;
    // The outer derivative through the inner solver, in both modes over both
    // inner modes, against central differences of the inner max.
    let start = [1.0, 1.0];
    for p1 in [[0.3, -0.2], [-1.1, 0.7]] {
        for (name, max, back, fwd) in [
            (
                "inner reverse",
                max_r as fn([f64; 2], [f64; 2]) -> f64,
                max_r_backward as fn([f64; 2], [f64; 2], f64) -> (f64, [f64; 2]),
                max_r_forward as fn([f64; 2], [f64; 2], [f64; 2]) -> (f64, f64),
            ),
            ("inner forward", max_f, max_f_backward, max_f_forward),
        ] {
            let want = fd(|p| max([p[0], p[1]], start), &p1);
            let (v, g) = back(p1, start, 1.0);
            assert_eq!(v, max(p1, start));
            assert_all_close(&g, &want, 1e-7, &format!("{name}, outer reverse"));
            let t = [fwd(p1, [1.0, 0.0], start).1, fwd(p1, [0.0, 1.0], start).1];
            assert_all_close(&t, &g, 1e-12, &format!("{name}, outer forward"));
        }
    }
}

#[test]
fn particle_all_four_modes() {
    for f in MODES {
        let w = num(&eval("particle", f, json!({ "w": 0.0 })));
        assert_close(w, 0.2071918746486116, 1e-12, f);
    }
}

#[test]
fn particle_nested_derivatives() {
    use modules::particle::*;
    for w in [0.0, 0.1, 0.2071918746486116] {
        for (name, euler, back, fwd) in [
            (
                "inner reverse",
                euler_r as fn(f64) -> f64,
                euler_r_backward as fn(f64, f64) -> (f64, f64),
                euler_r_forward as fn(f64, f64) -> (f64, f64),
            ),
            ("inner forward", euler_f, euler_f_backward, euler_f_forward),
        ] {
            let want = fd(|w| euler(w[0]), &[w])[0];
            // The companions' values agree with `euler` to rounding only: their
            // force comes from the companions of `potential_backward` /
            // `potential_forward`, which round differently (3.199079002508186
            // against 3.1990790025082 at w = 0).
            let (v, g) = back(w, 1.0);
            assert_close(v, euler(w), 1e-13, "value");
            assert_close(g, want, 1e-6, &format!("{name}, outer reverse, w={w}"));
            let (v, t) = fwd(w, 1.0);
            assert_close(v, euler(w), 1e-13, "value");
            assert_close(t, g, 1e-12, &format!("{name}, outer forward, w={w}"));
        }
    }
}
