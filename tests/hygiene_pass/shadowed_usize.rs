//! A module with its own type named `usize`: the companion's loop counters and
//! casts name `usize` unqualified (not `::core::primitive::usize`), so they pick
//! up the user's type.
#![allow(dead_code, non_camel_case_types)]

mod user {
    struct usize;

    #[autodiff::grad]
    pub fn f(x: &[f64], y: f64) -> f64 {
        let mut p = y;
        for i in 0..x.len() {
            p = (p * x[i]).sin();
        }
        let mut k = 0;
        while k < 2 && p < 100.0 {
            p = p * p + 1.0;
            k += 1;
        }
        p
    }
}

fn main() {
    let x = [0.5, 1.5];
    let mut dx = [0.0; 2];
    let (v, _) = user::f_backward(&x, &mut dx, 0.3, 1.0);
    assert_eq!(v, user::f(&x, 0.3));
}
