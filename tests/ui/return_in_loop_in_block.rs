use autodiff::grad;

// A loop that returns from inside a block expression (not a statement of the
// function's body) is still rejected.
#[grad]
fn f(x: &[f64]) -> f64 {
    let s = {
        let mut s = 0.0;
        for v in x.iter() {
            if *v < 0.0 {
                return s;
            }
            s += v * v;
        }
        s
    };
    s * 2.0
}

fn main() {}
