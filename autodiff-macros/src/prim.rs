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

macro_rules! prims {
    ($($variant:ident => $name:literal, $arity:literal, $form:ident;)*) => {
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
        }
    };
}

prims! {
    Exp => "exp", 1, Method;
    Exp2 => "exp2", 1, Method;
    ExpM1 => "exp_m1", 1, Method;
    Ln => "ln", 1, Method;
    Log => "log", 2, Method;
    Log2 => "log2", 1, Method;
    Log10 => "log10", 1, Method;
    Ln1p => "ln_1p", 1, Method;
    Sqrt => "sqrt", 1, Method;
    Cbrt => "cbrt", 1, Method;
    Powi => "powi", 2, Method;
    Powf => "powf", 2, Method;
    Recip => "recip", 1, Method;
    Sin => "sin", 1, Method;
    Cos => "cos", 1, Method;
    Tan => "tan", 1, Method;
    Asin => "asin", 1, Method;
    Acos => "acos", 1, Method;
    Atan => "atan", 1, Method;
    Atan2 => "atan2", 2, Method;
    Sinh => "sinh", 1, Method;
    Cosh => "cosh", 1, Method;
    Tanh => "tanh", 1, Method;
    Asinh => "asinh", 1, Method;
    Acosh => "acosh", 1, Method;
    Atanh => "atanh", 1, Method;
    Hypot => "hypot", 2, Method;
    Abs => "abs", 1, Method;
    Max => "max", 2, Method;
    Min => "min", 2, Method;
    Clamp => "clamp", 3, Method;
    MulAdd => "mul_add", 3, Method;
    Signum => "signum", 1, Method;
    Floor => "floor", 1, Method;
    Ceil => "ceil", 1, Method;
    Round => "round", 1, Method;
    Trunc => "trunc", 1, Method;
    Fract => "fract", 1, Method;
    Sigmoid => "sigmoid", 1, CoreFn;
    Relu => "relu", 1, CoreFn;
    LeakyRelu => "leaky_relu", 2, CoreFn;
    Softplus => "softplus", 1, CoreFn;
    Elu => "elu", 2, CoreFn;
}

impl Prim {
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
        Prim::ALL.iter().copied().find(|p| p.name() == name)
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
            .filter(|p| p.form() == Form::CoreFn)
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
