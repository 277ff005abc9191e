//! The constructs of issue 10 in a program: a struct parameter, whole-array
//! assignments, calls. What a program gets is drawn from a generator of its own
//! (as the closing sum loop is), so that a program without them is the program
//! the stream had before they existed; their statements come after the body the
//! main generator wrote, and the result adds a term of each.

use crate::ast::*;
use crate::gen::*;
use crate::{Options, Rng};

/// What a program gets.
pub(crate) struct Plan {
    /// A struct parameter: how it is passed, whether it is differentiated.
    pub(crate) body: Option<(BodyMode, bool)>,
    /// Segments of whole-array assignments.
    pub(crate) arrays: usize,
    /// Segments of calls.
    pub(crate) calls: usize,
    /// A `usize` parameter for run-time trip counts, if the program has none.
    pub(crate) trips: Option<i64>,
    rng: Rng,
    /// Segments of the forms of `forms.rs`, and their generator (one of its own,
    /// so that the rest of the plan did not change when they were added).
    forms: usize,
    forms_rng: Rng,
}

const CALLS: &[&str] = &[
    "calls",
    "aliased-call-args",
    "aliased-slice-args",
    "row-args",
    "field-row-args",
];

impl Plan {
    pub(crate) fn draw(opts: &Options, index: usize) -> Plan {
        let mut rng = Rng::new(opts.seed.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ (index as u64));
        for _ in 0..4 {
            rng.next_u64();
        }
        let modes = [
            (BodyMode::Value, opts.on("struct-values")),
            (BodyMode::Ref, opts.on("struct-refs")),
            (BodyMode::SelfRef, opts.on("struct-methods")),
        ];
        let body = if modes.iter().any(|m| m.1) && rng.chance(0.3) {
            let w: Vec<f64> = modes
                .iter()
                .zip([4.0, 3.0, 3.0])
                .map(|(m, w)| if m.1 { w } else { 0.0 })
                .collect();
            let mode = modes[rng.weighted(&w)].0;
            let active = mode != BodyMode::SelfRef || rng.chance(0.5);
            Some((mode, active))
        } else {
            None
        };
        let arr_on = ["array-copies", "array-swaps", "array-snapshots"]
            .iter()
            .any(|c| opts.on(c));
        let arrays = if arr_on && rng.chance(0.4) {
            1 + usize::from(rng.chance(0.25))
        } else {
            0
        };
        let calls = if CALLS.iter().any(|c| opts.on(c)) && rng.chance(0.35) {
            1 + usize::from(rng.chance(0.2))
        } else {
            0
        };
        let trips = (arrays > 0 && opts.on("int-params") && rng.chance(0.5)).then(|| rng.int(1, 4));
        let mut forms_rng =
            Rng::new(opts.seed.wrapping_mul(0xE703_7ED1_A0B4_28DB) ^ (index as u64));
        for _ in 0..4 {
            forms_rng.next_u64();
        }
        let forms = if crate::forms::FORMS.iter().any(|c| opts.on(c)) && forms_rng.chance(0.3) {
            1 + usize::from(forms_rng.chance(0.25))
        } else {
            0
        };
        Plan {
            body,
            arrays,
            calls,
            trips,
            rng,
            forms,
            forms_rng,
        }
    }

    /// Adds the parameters the plan needs; a differentiated `self` needs `wrt`.
    pub(crate) fn add_params(&self, opts: &Options, params: &mut Vec<Param>, wrt: &mut bool) {
        if let Some((mode, active)) = self.body {
            let nested = opts.on("nested-structs");
            let p = Param {
                name: if mode == BodyMode::SelfRef {
                    "self".into()
                } else {
                    "st".into()
                },
                kind: PK::Body(mode, nested),
                mutable: mode == BodyMode::Value,
                active,
            };
            if mode == BodyMode::SelfRef {
                *wrt |= active;
                params.insert(0, p);
            } else {
                params.push(p);
            }
        }
        if let Some(v) = self.trips {
            if !params.iter().any(|p| matches!(p.kind, PK::Usize(_))) {
                params.push(Param {
                    name: "nt".into(),
                    kind: PK::Usize(v),
                    mutable: false,
                    active: false,
                });
            }
        }
    }

    /// Appends the planned statements to `body` and their terms to the result.
    pub(crate) fn apply(self, g: &mut Gen, body: &mut Vec<S>, tail: R) -> R {
        let main = std::mem::replace(&mut g.rng, self.rng);
        let mut terms = Vec::new();
        if let Some((mode, _)) = self.body {
            terms.extend(g.struct_segment(mode, body));
        }
        for _ in 0..self.arrays {
            terms.extend(g.array_segment(body));
        }
        let field_rows = matches!(self.body, Some((_, true)));
        for _ in 0..self.calls {
            terms.extend(g.call_segment(field_rows, body));
        }
        if self.forms > 0 {
            let rest = std::mem::replace(&mut g.rng, self.forms_rng);
            for _ in 0..self.forms {
                terms.extend(g.form_segment(body));
            }
            g.rng = rest;
        }
        let tail = g.add_terms(terms, body, tail);
        g.rng = main;
        tail
    }
}
