//! The `tributary` command's library: the crank bot, the operator commands and the demo, over one
//! `Chain` interface implemented for JSON-RPC nodes and for the embedded LiteSVM.
pub mod admin;
pub mod chain;
pub mod crank;
pub mod demo;
pub mod keys;
pub mod lookup;
pub mod ops;
pub mod rpc;
pub mod svm;
pub mod telemetry;
pub mod token;
pub mod tx;
