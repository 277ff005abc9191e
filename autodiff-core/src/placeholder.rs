//! `Placeholder`: a value of any type a companion carries, for a branch that
//! never produces it (the other branch of an early return), where the type is
//! not seen by the macro: a zero for `Tangent` types, an empty `Vec`.

use crate::Tangent;

/// A value standing in where none is computed; never read.
pub trait Placeholder {
    /// The stand-in value.
    fn placeholder() -> Self;
}

impl<T: Tangent> Placeholder for T {
    #[inline]
    fn placeholder() -> Self {
        T::zero()
    }
}

#[cfg(feature = "alloc")]
impl<T> Placeholder for alloc::vec::Vec<T> {
    #[inline]
    fn placeholder() -> Self {
        alloc::vec::Vec::new()
    }
}
