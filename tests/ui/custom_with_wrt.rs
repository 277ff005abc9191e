use autodiff::grad;

#[grad(custom, wrt(x))]
fn solve(x: f64, y: f64) -> f64 {
    let mut t = x;
    for _ in 0..20 {
        t -= (t * t - y) / (2.0 * t);
    }
    t
}

fn solve_backward(x: f64, y: f64, d_out: f64) -> (f64, f64) {
    let t = solve(x, y);
    (t, d_out / (2.0 * t))
}

fn main() {}
