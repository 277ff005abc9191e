use autodiff::grad;

#[grad(custom)]
fn fast_inv_sqrt(x: f32) -> f32 {
    let i = 0x5f37_59df - (x.to_bits() >> 1);
    f32::from_bits(i)
}

/// Wrong: the contract's companion returns the value and the gradient.
fn fast_inv_sqrt_backward(x: f32, d_out: f32) -> f32 {
    -0.5 * x.powf(-1.5) * d_out
}

fn main() {}
