//! The autodiff primitives, and the two-argument methods with kinks or
//! overflow to watch (`powf`, `hypot`), each under `#[grad]` in a function of
//! its own: the suites that check their kinks (`conventions.rs`) and extreme
//! inputs (`extremes.rs`) share them.

use autodiff::grad;

#[grad]
pub fn sigmoid1(x: f64) -> f64 {
    autodiff::sigmoid(x)
}

#[grad]
pub fn relu1(x: f64) -> f64 {
    autodiff::relu(x)
}

#[grad]
pub fn softplus1(x: f64) -> f64 {
    autodiff::softplus(x)
}

#[grad]
pub fn leaky2(x: f64, alpha: f64) -> f64 {
    autodiff::leaky_relu(x, alpha)
}

#[grad]
pub fn elu2(x: f64, alpha: f64) -> f64 {
    autodiff::elu(x, alpha)
}

#[grad]
pub fn powf2(x: f64, y: f64) -> f64 {
    x.powf(y)
}

#[grad]
pub fn hypot2(x: f64, y: f64) -> f64 {
    x.hypot(y)
}
