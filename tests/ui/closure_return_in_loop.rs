use autodiff::grad;

// A `return` of a closure from inside a loop in it: not reached by the
// rewrite of a closure's early returns into `if` / `else`.
#[grad]
fn first_big(x: &[f64]) -> f64 {
    let pick = |t: f64| -> f64 {
        for v in x.iter() {
            if *v > t {
                return *v;
            }
        }
        t
    };
    pick(0.5)
}

fn main() {}
