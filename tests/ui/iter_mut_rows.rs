use autodiff::grad;

#[grad]
fn f(x: [f64; 2]) -> f64 {
    let mut m = [[0.0; 2]; 2];
    for row in m.iter_mut() {
        row[0] = x[0];
        row[1] = x[1] * x[0];
    }
    m[0][0] + m[1][1]
}

fn main() {}
