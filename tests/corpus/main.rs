//! A corpus of user code (issue 12, point 10): functions written first as users in
//! ML, physics, robotics, graphics, statistics and finance write them, one module per
//! field. Each function's companion value is checked bit for bit against the function,
//! its gradient against central finite differences (relative 1e-6, absolute 1e-8).
//! Where the first attempt was rejected (at cce7e0b) and still is, the function is kept in
//! the nearest accepted form, with the first attempt in a comment; where the macro has
//! since learned the construct, the function is back as first written and a comment says
//! since when. TESTING.md lists them.
#![allow(clippy::needless_range_loop)]

#[path = "../common/mod.rs"]
mod common;

mod finance;
mod graphics;
mod ml;
mod physics;
mod robotics;
mod round2_finance;
mod round2_graphics;
mod round2_ml;
mod round2_physics;
mod round2_robotics;
mod round2_statistics;
mod round3_finance;
mod round3_graphics;
mod round3_ml;
mod round3_physics;
mod round3_robotics;
mod round3_statistics;
mod round4_finance;
mod round4_graphics;
mod round4_ml;
mod round4_physics;
mod round4_robotics;
mod round4_statistics;
mod round5_finance;
mod round5_graphics;
mod round5_ml;
mod round5_physics;
mod round5_robotics;
mod round5_statistics;
mod round6_finance;
mod round6_graphics;
mod round6_ml;
mod round6_physics;
mod round6_robotics;
mod round6_statistics;
mod round7_finance;
mod round7_graphics;
mod round7_ml;
mod round7_physics;
mod round7_robotics;
mod round7_statistics;
mod round8_finance;
mod round8_graphics;
mod round8_ml;
mod round8_physics;
mod round8_robotics;
mod round8_statistics;
mod round9_finance;
mod round9_graphics;
mod round9_ml;
mod round9_physics;
mod round9_robotics;
mod round9_statistics;
mod statistics;
