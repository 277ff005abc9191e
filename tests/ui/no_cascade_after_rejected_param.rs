use autodiff::grad;

// One error for the parameter's type; its uses in the body and a call of the
// companion written for it say nothing more.
#[grad]
fn fit(pts: &[Option<(f64, f64)>], w: f64) -> f64 {
    let mut s = 0.0;
    for p in pts {
        if let Some((x, y)) = p {
            s += (w * x - y).powi(2);
        }
    }
    s + pts.iter().map(|p| p.map_or(0.0, |(x, y)| x * y)).sum::<f64>()
}

fn main() {
    let pts = [Some((1.0, 2.0)), None];
    let mut d_pts = [None; 2];
    let (_value, _d_w) = fit_backward(&pts, &mut d_pts, 0.5, 1.0);
}
