//! The crank engine and operator commands as a library under the thin `tributary` binary: one
//! `Chain` interface (`chain`), implemented for JSON-RPC nodes (`rpc`) and, with the `demo` feature
//! (on by default), for the embedded LiteSVM (`svm`) that `tributary demo` runs on. The engine:
//! `crank` (rounds, bisection, quarantine, shards), `tx` (v0 transactions, sending, confirming),
//! `lookup` (address lookup tables), `telemetry` (tracing, Prometheus). Operator commands: `ops`,
//! `admin`.
pub mod admin;
pub mod attest;
pub mod chain;
pub mod crank;
#[cfg(feature = "demo")]
pub mod demo;
pub mod keys;
pub mod lookup;
pub mod ops;
pub mod rpc;
#[cfg(feature = "demo")]
pub mod svm;
pub mod telemetry;
pub mod token;
pub mod tx;
