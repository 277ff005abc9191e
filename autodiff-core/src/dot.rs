//! `Dot`: the inner product of two values of one shape (floats, arrays of
//! them), for the companions of nested differentiation (`f_forward_forward`).

use crate::Tangent;
use core::ops::Add;

/// `⟨a, b⟩`: the sum of the products of matching elements.
pub trait Dot {
    /// The float type of the elements.
    type Scalar;
    /// The inner product of `self` and `other`.
    fn dot(&self, other: &Self) -> Self::Scalar;
}

macro_rules! dot_float {
    ($($t:ty)*) => {$(
        impl Dot for $t {
            type Scalar = $t;
            #[inline]
            fn dot(&self, other: &Self) -> $t {
                self * other
            }
        }
    )*};
}
dot_float!(f32 f64);

impl<A: Dot, const N: usize> Dot for [A; N]
where
    A::Scalar: Tangent + Add<Output = A::Scalar>,
{
    type Scalar = A::Scalar;
    #[inline]
    fn dot(&self, other: &Self) -> A::Scalar {
        let mut s = A::Scalar::zero();
        for (a, b) in self.iter().zip(other) {
            s = s + a.dot(b);
        }
        s
    }
}
