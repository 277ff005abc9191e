use autodiff::grad;

/// A hand-written companion is announced but never written.
#[grad(custom)]
fn fast_inv_sqrt(x: f32) -> f32 {
    let i = 0x5f37_59df - (x.to_bits() >> 1);
    f32::from_bits(i)
}

fn main() {}
