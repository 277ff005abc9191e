//! The float primitives a `#[grad]` body may use: their names, arities and how they
//! are written in emitted code. Their derivatives live in `rules.rs`.

/// How a primitive is written in Rust.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    /// A method of `autodiff::Real` (mirroring the std float method of that name).
    Method,
    /// A free function of `autodiff` (`autodiff::sigmoid`).
    CoreFn,
}

/// What computing a primitive costs, for the reverse sweep's choice between
/// recomputing a value and recording it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cost {
    /// A few instructions (`abs`, `max`, `sqrt`, `relu`): recomputed freely.
    Inline,
    /// A math-library call (`exp`, `sin`, `powf`): recorded where a tape is cheap.
    Call,
}

macro_rules! prims {
    ($($variant:ident => $name:literal, $arity:literal, $form:ident, $cost:ident;)*) => {
        /// A float primitive with a derivative rule.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum Prim { $($variant,)* }

        impl Prim {
            /// Every primitive, in table order.
            pub const ALL: &'static [Prim] = &[$(Prim::$variant,)*];

            /// The method or function name as written in Rust.
            pub fn name(self) -> &'static str {
                match self { $(Prim::$variant => $name,)* }
            }

            /// Number of arguments, the receiver included.
            pub fn arity(self) -> usize {
                match self { $(Prim::$variant => $arity,)* }
            }

            pub fn form(self) -> Form {
                match self { $(Prim::$variant => Form::$form,)* }
            }

            pub fn cost(self) -> Cost {
                match self { $(Prim::$variant => Cost::$cost,)* }
            }
        }
    };
}

prims! {
    // variant => name, arity (receiver included), how it is written, cost
    Exp => "exp", 1, Method, Call;
    Exp2 => "exp2", 1, Method, Call;
    ExpM1 => "exp_m1", 1, Method, Call;
    Ln => "ln", 1, Method, Call;
    Log => "log", 2, Method, Call;
    Log2 => "log2", 1, Method, Call;
    Log10 => "log10", 1, Method, Call;
    Ln1p => "ln_1p", 1, Method, Call;
    Sqrt => "sqrt", 1, Method, Inline;
    Cbrt => "cbrt", 1, Method, Call;
    Powi => "powi", 2, Method, Inline;
    Powf => "powf", 2, Method, Call;
    Recip => "recip", 1, Method, Inline;
    Sin => "sin", 1, Method, Call;
    Cos => "cos", 1, Method, Call;
    Tan => "tan", 1, Method, Call;
    Asin => "asin", 1, Method, Call;
    Acos => "acos", 1, Method, Call;
    Atan => "atan", 1, Method, Call;
    Atan2 => "atan2", 2, Method, Call;
    Sinh => "sinh", 1, Method, Call;
    Cosh => "cosh", 1, Method, Call;
    Tanh => "tanh", 1, Method, Call;
    Asinh => "asinh", 1, Method, Call;
    Acosh => "acosh", 1, Method, Call;
    Atanh => "atanh", 1, Method, Call;
    Hypot => "hypot", 2, Method, Call;
    Abs => "abs", 1, Method, Inline;
    Max => "max", 2, Method, Inline;
    Min => "min", 2, Method, Inline;
    Clamp => "clamp", 3, Method, Inline;
    MulAdd => "mul_add", 3, Method, Inline;
    Signum => "signum", 1, Method, Inline;
    Floor => "floor", 1, Method, Inline;
    Ceil => "ceil", 1, Method, Inline;
    Round => "round", 1, Method, Inline;
    Trunc => "trunc", 1, Method, Inline;
    Fract => "fract", 1, Method, Inline;
    RemEuclid => "rem_euclid", 2, Method, Inline;
    DivEuclid => "div_euclid", 2, Method, Inline;
    ToDegrees => "to_degrees", 1, Method, Inline;
    ToRadians => "to_radians", 1, Method, Inline;
    Copysign => "copysign", 2, Method, Inline;
    Sigmoid => "sigmoid", 1, CoreFn, Call;
    Relu => "relu", 1, CoreFn, Inline;
    LeakyRelu => "leaky_relu", 2, CoreFn, Inline;
    Softplus => "softplus", 1, CoreFn, Call;
    Elu => "elu", 2, CoreFn, Call;
    Erf => "erf", 1, CoreFn, Call;
    Erfc => "erfc", 1, CoreFn, Call;
    LnGamma => "ln_gamma", 1, CoreFn, Call;
    Gamma => "gamma", 1, CoreFn, Call;
    Digamma => "digamma", 1, CoreFn, Call;
    // Internal: the derivative of digamma, never recognised in user code (see
    // `Prim::internal`).
    Trigamma => "trigamma", 1, CoreFn, Call;
}

impl Prim {
    /// A primitive that only derivative rules write, never recognised in a
    /// `#[grad]` body: `trigamma`, the derivative of `digamma`. Its own rule
    /// is never reached, because rules only differentiate the forward IR
    /// (lowered from user code), never a companion; an `autodiff::trigamma(x)`
    /// in user code is rejected as a function without a derivative.
    pub fn internal(self) -> bool {
        matches!(self, Prim::Trigamma)
    }

    /// The primitive written as a method of a float (`x.exp()`).
    pub fn method(name: &str) -> Option<Prim> {
        Prim::ALL
            .iter()
            .copied()
            .find(|p| p.form() == Form::Method && p.name() == name)
    }

    /// The primitive called as a function: `f64::exp(x)`, `T::exp(x)`, `Real::exp(x)`
    /// (any method), or `autodiff::sigmoid(x)` (any core function).
    pub fn function(name: &str) -> Option<Prim> {
        Prim::ALL
            .iter()
            .copied()
            .find(|p| !p.internal() && p.name() == name)
    }

    /// A primitive a body may call by its bare name (`sigmoid(x)` with
    /// `use autodiff::sigmoid`): a core function, not internal.
    pub fn bare_callable(name: &str) -> bool {
        Prim::function(name).is_some_and(|p| p.form() == Form::CoreFn)
    }

    /// A function of `libm` written in a body (`libm::erf(x)`; `libm::erff(x)` in
    /// an `f32` function), for the special functions `libm` provides and
    /// `autodiff` differentiates by the same bits: `Err` with the name to write
    /// instead when the name is the other precision's.
    pub fn libm(name: &str, f32: bool) -> Option<Result<Prim, String>> {
        let (base, single) = match name.strip_suffix('f') {
            Some(b) if LIBM.iter().any(|(n, _)| *n == b) => (b, true),
            _ => (name, false),
        };
        let &(_, p) = LIBM.iter().find(|(n, _)| *n == base)?;
        Some(if single == f32 {
            Ok(p)
        } else if f32 {
            Err(format!("{base}f"))
        } else {
            Err(base.to_string())
        })
    }

    /// The `libm` functions recognised, for error messages.
    pub fn libm_list() -> String {
        LIBM.iter()
            .map(|(n, _)| format!("`libm::{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether argument `i` is an integer (`powi`'s exponent) rather than a float.
    pub fn int_arg(self, i: usize) -> bool {
        matches!(self, Prim::Powi) && i == 1
    }

    /// How a call is written, for error messages: `x.powi(n)`, `x.atan2(y)`,
    /// `autodiff::elu(x, alpha)`.
    pub fn usage(self, as_method: bool) -> String {
        let others: Vec<&str> = match self {
            Prim::Powi => vec!["n"],
            Prim::Powf => vec!["y"],
            Prim::Log => vec!["base"],
            Prim::Clamp => vec!["lo", "hi"],
            Prim::MulAdd => vec!["a", "b"],
            Prim::LeakyRelu | Prim::Elu => vec!["alpha"],
            Prim::Copysign => vec!["sign"],
            p if p.arity() == 2 => vec!["y"],
            _ => vec![],
        };
        match (as_method, self.form()) {
            (true, Form::Method) => format!("x.{}({})", self.name(), others.join(", ")),
            (_, Form::CoreFn) => {
                let mut all = vec!["x"];
                all.extend(others);
                format!("autodiff::{}({})", self.name(), all.join(", "))
            }
            (false, Form::Method) => {
                let mut all = vec!["x"];
                all.extend(others);
                format!("f64::{}({})", self.name(), all.join(", "))
            }
        }
    }

    /// The supported method names, for error messages.
    pub fn method_list() -> String {
        Prim::ALL
            .iter()
            .filter(|p| p.form() == Form::Method)
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The core function names, for error messages.
    pub fn core_fn_list() -> String {
        Prim::ALL
            .iter()
            .filter(|p| p.form() == Form::CoreFn && !p.internal())
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `libm`'s names (f64; the f32 name ends in `f`) of the special functions.
const LIBM: &[(&str, Prim)] = &[
    ("erf", Prim::Erf),
    ("erfc", Prim::Erfc),
    ("lgamma", Prim::LnGamma),
    ("tgamma", Prim::Gamma),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigamma_is_internal() {
        assert_eq!(Prim::function("trigamma"), None);
        assert_eq!(Prim::method("trigamma"), None);
        assert!(!Prim::core_fn_list().contains("trigamma"));
        assert_eq!(Prim::function("digamma"), Some(Prim::Digamma));
    }

    #[test]
    fn libm_names() {
        assert_eq!(Prim::libm("erf", false), Some(Ok(Prim::Erf)));
        assert_eq!(Prim::libm("erfcf", true), Some(Ok(Prim::Erfc)));
        assert_eq!(Prim::libm("lgamma", false), Some(Ok(Prim::LnGamma)));
        assert_eq!(Prim::libm("tgammaf", true), Some(Ok(Prim::Gamma)));
        assert_eq!(Prim::libm("erff", false), Some(Err("erf".into())));
        assert_eq!(Prim::libm("erfc", true), Some(Err("erfcf".into())));
        assert_eq!(Prim::libm("exp", false), None);
        assert_eq!(Prim::libm("gamma", false), None);
    }
}
