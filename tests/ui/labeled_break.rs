use autodiff::grad;

#[grad]
fn f(x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    'outer: for i in 0..3 {
        for j in 0..3 {
            if x[j] > 1.0 {
                break 'outer;
            }
            s += x[i] * x[j];
        }
    }
    s
}

fn main() {}
