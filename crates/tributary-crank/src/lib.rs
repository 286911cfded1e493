//! The crank engine, as a library under the `tributary` operator binary and the `tributary-demo`
//! binary: one `Chain` interface (`chain`), implemented for JSON-RPC nodes (`rpc`, feature `rpc`,
//! on by default) and for the embedded LiteSVM (`svm`, feature `svm`).
//!
//! - `crank`: one round over a pool — what is due, packing, bisection and quarantine, shards,
//!   spare pages within a budget, the value rule for discovered pools.
//! - `tx`: building, simulating, sending and confirming transactions; nothing is re-signed while
//!   an earlier copy can still land.
//! - `lookup`: the address lookup tables this bot created (and only those).
//! - `service`: the long-running loop — settings (file < environment < flags), rounds, backoff,
//!   signals — and `telemetry`: logs, counters and gauges.
pub mod chain;
pub mod crank;
pub mod lookup;
pub mod redact;
#[cfg(feature = "rpc")]
pub mod rpc;
pub mod service;
#[cfg(feature = "svm")]
pub mod svm;
pub mod telemetry;
pub mod token;
pub mod tx;
