//! What every function's module shares: deterministic data, central finite
//! differences, and the check that all methods agree before anything is timed.

/// A small deterministic generator (SplitMix64), so that every run times the
/// same inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }
}

/// The step of the central differences: `h = FD_STEP * max(1, |x_i|)`.
pub const FD_STEP: f64 = 1e-6;

/// Central finite differences of `f` with respect to the flat inputs
/// `0..n` of `p`, where `at(p, i)` is the i-th input: `g[i] = (f(x + h e_i) -
/// f(x - h e_i)) / 2h`, two evaluations of `f` per input. `p` is changed in
/// place and restored, so nothing is allocated.
pub fn central_differences<P>(
    p: &mut P,
    g: &mut [f64],
    at: impl Fn(&mut P, usize) -> &mut f64,
    f: impl Fn(&P) -> f64,
) {
    for (i, gi) in g.iter_mut().enumerate() {
        let x = *at(p, i);
        let h = FD_STEP * x.abs().max(1.0);
        *at(p, i) = x + h;
        let up = f(p);
        *at(p, i) = x - h;
        let down = f(p);
        *at(p, i) = x;
        *gi = (up - down) / (2.0 * h);
    }
}

/// Asserts that two gradients agree to `tol`, relative to the size of `want`.
#[track_caller]
pub fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(
            (a - b).abs() <= tol * scale,
            "{what}: component {i} is {a}, want {b} (tolerance {tol} x {scale})"
        );
    }
}
