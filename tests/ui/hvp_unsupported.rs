use autodiff::grad;

#[grad(hvp)]
fn field(x: [f64; 2]) -> [f64; 2] {
    [x[0] * x[1], x[0].sin()]
}

#[grad]
fn polar(x: f64, y: f64) -> (f64, f64) {
    (x.hypot(y), y.atan2(x))
}

#[grad(hvp)]
fn calls(x: f64) -> f64 {
    let (r, t) = polar(x, 2.0 * x);
    r * t
}

fn main() {}
