//! Analyses that reuse the compiled model: explain (attribution of change),
//! sensitivity (OAT, Morris, Sobol), parameter sweeps and the structural
//! report. Each runs the engine directly; nothing is re-parsed per sample.

pub mod evaluate;
pub mod explain;
pub mod metric;
pub mod morris;
pub mod oat;
pub mod objective;
pub mod params;
pub mod report;
pub mod shard;
pub mod sobol;
pub mod sweep;
