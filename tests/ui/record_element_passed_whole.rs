use autodiff::grad;

#[grad]
fn norm2(p: (f64, f64)) -> f64 {
    p.0 * p.0 + p.1 * p.1
}

// An element of a slice of tuples is read field by field; passed on whole to
// a callee it is rejected (pass its fields, or the slice). Elements of slices
// of `Tangent` structs are passed on whole (tests/record_slices.rs).
#[grad]
fn total(pts: &[(f64, f64)]) -> f64 {
    let mut e = 0.0;
    for i in 0..pts.len() {
        e += norm2(pts[i]) + pts[i].0;
    }
    e
}

fn main() {}
