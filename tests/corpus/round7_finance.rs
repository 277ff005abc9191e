//! Round 7, finance: written as a quant writes Rust, before reading the support table
//! (a bond's cash flows as structs priced off an interpolated zero curve with early
//! returns, a cliquet option by Monte Carlo, a constant-mix strategy whose holdings
//! rebalance themselves, expected Kelly growth over scenarios).

use autodiff::{grad, Tangent};

/// One cash flow of a bond.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct CashFlow {
    /// Payment time, years.
    pub time: f64,
    /// Amount paid.
    pub amount: f64,
}

/// Linear interpolation on a zero curve of (time, rate) pillars, flat beyond both ends.
#[grad]
pub fn zero_rate(curve: &[(f64, f64)], t: f64) -> f64 {
    if t <= curve[0].0 {
        return curve[0].1;
    }
    for w in curve.windows(2) {
        let (t0, r0) = w[0];
        let (t1, r1) = w[1];
        if t <= t1 {
            return r0 + (r1 - r0) * (t - t0) / (t1 - t0);
        }
    }
    curve[curve.len() - 1].1
}

/// Price of a bond's cash flows discounted continuously at the zero curve plus a spread.
#[grad(wrt(curve, spread))]
pub fn price_with_spread(flows: &[CashFlow], curve: &[(f64, f64)], spread: f64) -> f64 {
    flows
        .iter()
        .map(|cf| cf.amount * (-(zero_rate(curve, cf.time) + spread) * cf.time).exp())
        .sum()
}

/// Monte Carlo price of a cliquet (ratchet) option: each period's return is clamped to
/// [floor, cap], the sum floored at zero at expiry; one row of standard normals per path,
/// one volatility per period.
#[grad(wrt(vols, r, floor, cap))]
pub fn cliquet_price(
    vols: &[f64],
    r: f64,
    dt: f64,
    floor: f64,
    cap: f64,
    normals: &[Vec<f64>],
) -> f64 {
    let mut total = 0.0;
    for path in normals {
        let mut payoff = 0.0;
        for (sigma, z) in vols.iter().zip(path) {
            let growth = ((r - 0.5 * sigma * sigma) * dt + sigma * dt.sqrt() * z).exp();
            payoff += (growth - 1.0).clamp(floor, cap);
        }
        total += payoff.max(0.0);
    }
    (-r * dt * vols.len() as f64).exp() * total / normals.len() as f64
}

/// Holdings of a two-asset (cash and one stock) account.
#[derive(Tangent, Clone, Copy, Debug)]
pub struct Holdings {
    /// Cash.
    pub cash: f64,
    /// Number of shares.
    pub shares: f64,
}

impl Holdings {
    /// Marked-to-market value at `price`.
    // As first written (`#[grad]`), accepted since 5e8c305 (a method's `self` is
    // differentiated by default): rejected at d4b6ca5 and at 5e8c305's parent 9d384e5 with
    // E0080 "`Holdings::value` does not differentiate its first parameter …" and a stray
    // E0061/E0308 at the caller. The rewrite had `#[grad(wrt(self, price))]`.
    #[grad]
    pub fn value(&self, price: f64) -> f64 {
        self.cash + self.shares * price
    }

    /// Rebalanced to weight `target` in the stock, paying a proportional cost on the
    /// traded notional.
    // As first written (`#[grad]`), accepted since 5e8c305, as `value`: rejected at
    // d4b6ca5 and at 9d384e5 with E0080 "`Holdings::rebalance` does not differentiate its
    // first parameter …". The rewrite had `#[grad(wrt(self, price, target, cost))]`.
    #[grad]
    pub fn rebalance(self, price: f64, target: f64, cost: f64) -> Holdings {
        let wealth = self.value(price);
        let trade = target * wealth / price - self.shares;
        let fee = cost * (trade * price).abs();
        Holdings {
            cash: self.cash - trade * price - fee,
            shares: self.shares + trade,
        }
    }
}

/// Log terminal wealth of a constant-mix strategy started from one unit of cash,
/// rebalanced at each price, its cash earning `r` per period.
#[grad(wrt(prices, target, cost))]
pub fn constant_mix_log_wealth(prices: &[f64], target: f64, cost: f64, r: f64) -> f64 {
    let mut h = Holdings {
        cash: 1.0,
        shares: 0.0,
    };
    for &p in prices {
        // As first written, accepted since 5e8c305 (with the methods' plain `#[grad]`):
        // at d4b6ca5 "a value carried by this loop changes type in its body" (accepted
        // since 70ca09f), and the methods' E0080 until 5e8c305. The rewrite copied the
        // rebalanced holdings field by field.
        h = h.rebalance(p, target, cost);
        h.cash *= 1.0 + r;
    }
    h.value(prices[prices.len() - 1]).ln()
}

/// Return of a portfolio of weights `f` on asset returns `r`.
#[grad]
pub fn portfolio_return(f: &[f64], r: &[f64]) -> f64 {
    f.iter().zip(r).map(|(a, b)| a * b).sum()
}

/// Expected log growth (the Kelly criterion) of a portfolio `f` over discrete scenarios
/// (probability, asset returns), the uninvested remainder earning `rf`.
#[grad(wrt(f))]
pub fn kelly_growth(f: &[f64], scenarios: &[(f64, Vec<f64>)], rf: f64) -> f64 {
    let invested: f64 = f.iter().sum();
    // As first written, accepted since 70ca09f: at d4b6ca5 and at 70ca09f's parent
    // a1adccf a bug, a `Vec` bound by a tuple pattern over a data slice of tuples and
    // passed to a `#[grad]` helper's `&[f64]` parameter gave E0061 "this function takes 5
    // arguments but 4 arguments were supplied" and E0308 "expected `f64`, found `(_, _)`"
    // in the generated code. The rewrite was `.map(|s| s.0 * (… portfolio_return(f,
    // &s.1)).ln())`.
    scenarios
        .iter()
        .map(|(p, r)| p * (1.0 + rf * (1.0 - invested) + portfolio_return(f, r)).ln())
        .sum()
}

// ---------------------------------------------------------------- tests

use crate::common::*;

#[test]
fn r7_price_with_spread() {
    // An accrued flow before the first pillar (flat extrapolation), then semiannual
    // coupons off the pillars, the last one past the third pillar.
    let flows: Vec<CashFlow> = [
        (0.1, 0.4),
        (0.5, 2.5),
        (1.0, 2.5),
        (1.5, 2.5),
        (2.0, 2.5),
        (2.5, 102.5),
    ]
    .iter()
    .map(|&(time, amount)| CashFlow { time, amount })
    .collect();
    let curve = [(0.25, 0.02), (1.2, 0.025), (2.2, 0.03), (5.0, 0.035)];
    let mut dcurve = [(0.0, 0.0); 4];
    let (v, ds) = price_with_spread_backward(&flows, &curve, &mut dcurve, 0.01, 1.0);
    assert_bits(v, price_with_spread(&flows, &curve, 0.01), "value");
    let flat: Vec<f64> = curve.iter().flat_map(|&(t, r)| [t, r]).collect();
    let dflat: Vec<f64> = dcurve.iter().flat_map(|&(t, r)| [t, r]).collect();
    assert_fd(
        |p| {
            let c: Vec<(f64, f64)> = p[..8].chunks(2).map(|c| (c[0], c[1])).collect();
            price_with_spread(&flows, &c, p[8])
        },
        &cat(&[&flat, &[0.01]]),
        &cat(&[&dflat, &[ds]]),
    );
}

#[test]
fn r7_cliquet_price() {
    let vols = [0.2, 0.25, 0.3, 0.22];
    let normals: Vec<Vec<f64>> = (0..6)
        .map(|k| {
            (0..4)
                .map(|j| (1.7 * (k * 4 + j) as f64 + 0.3).sin() * 1.3)
                .collect()
        })
        .collect();
    let mut dv = [0.0; 4];
    let (v, dr, dfl, dcap) =
        cliquet_price_backward(&vols, &mut dv, 0.03, 0.25, -0.05, 0.08, &normals, 1.0);
    assert_bits(
        v,
        cliquet_price(&vols, 0.03, 0.25, -0.05, 0.08, &normals),
        "value",
    );
    assert_fd(
        |p| cliquet_price(&p[..4], p[4], 0.25, p[5], p[6], &normals),
        &cat(&[&vols, &[0.03, -0.05, 0.08]]),
        &cat(&[&dv, &[dr, dfl, dcap]]),
    );
}

#[test]
fn r7_constant_mix_log_wealth() {
    let prices = [100.0, 102.0, 99.0, 105.0, 103.0, 108.0];
    let mut dp = [0.0; 6];
    let (v, dt, dc) = constant_mix_log_wealth_backward(&prices, &mut dp, 0.6, 0.002, 1e-4, 1.0);
    assert_bits(
        v,
        constant_mix_log_wealth(&prices, 0.6, 0.002, 1e-4),
        "value",
    );
    assert_fd(
        |p| constant_mix_log_wealth(&p[..6], p[6], p[7], 1e-4),
        &cat(&[&prices, &[0.6, 0.002]]),
        &cat(&[&dp, &[dt, dc]]),
    );
}

#[test]
fn r7_kelly_growth() {
    let f = [0.3, 0.2];
    let scenarios = vec![
        (0.3, vec![0.2, -0.1]),
        (0.5, vec![0.05, 0.1]),
        (0.2, vec![-0.3, 0.05]),
    ];
    let mut df = [0.0; 2];
    let v = kelly_growth_backward(&f, &mut df, &scenarios, 0.01, 1.0);
    assert_bits(v, kelly_growth(&f, &scenarios, 0.01), "value");
    assert_fd(|p| kelly_growth(p, &scenarios, 0.01), &f, &df);
}
