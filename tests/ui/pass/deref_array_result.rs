//! Valid code whose companion does not compile yet (macro bug): an `&[f64; N]`
//! parameter dereferenced straight into the result. Run by
//! `arrays::deref_of_a_ref_array_as_result` (ignored until fixed).
use autodiff::grad;

#[grad]
fn copy_out(x: &[f64; 2]) -> [f64; 2] {
    *x
}

#[grad]
fn in_a_tuple(x: &[f64; 2], c: f64) -> ([f64; 2], f64) {
    (*x, c * x[0])
}

fn main() {
    let mut dx = [0.0; 2];
    let y = copy_out_backward(&[2.0, 3.0], &mut dx, [1.0, 10.0]);
    assert_eq!(y, [2.0, 3.0]);
    assert_eq!(dx, [1.0, 10.0]);

    let mut dx = [0.0; 2];
    let ((y, v), dc) = in_a_tuple_backward(&[2.0, 3.0], &mut dx, 1.5, ([1.0, 10.0], 2.0));
    assert_eq!((y, v), ([2.0, 3.0], 3.0));
    assert_eq!(dx, [1.0 + 3.0, 10.0]);
    assert_eq!(dc, 4.0);
}
