//! geosim: a simulator of geopolitical relationships as goal-seeking state
//! variables driven by exogenous paths, dated events and random incidents.
//! See docs/ARCHITECTURE.md for the map of the crate.

pub mod analysis;
pub mod charts;
pub mod cli;
pub mod engine;
pub mod error;
pub(crate) mod import;
pub mod inference;
pub(crate) mod limits;
pub mod model;
pub mod output;
pub mod scenario;
mod simd;
pub mod stats;

/// The program version written next to every result.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
