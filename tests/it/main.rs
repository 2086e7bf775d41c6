//! The integration tests, built as one test binary (`cargo test --test it`)
//! with one support module.

mod support;

mod analysis;
mod analysis_charts;
mod backtest;
mod calibrate;
mod charts;
mod cli;
mod conditioning;
mod engine_rules;
mod ensemble_stats;
mod error_messages;
mod folders;
mod fuzz;
mod golden;
mod import;
mod merging;
mod model_fidelity;
mod rule_properties;
mod shards;
