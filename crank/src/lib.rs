//! The `tributary` operator binary's commands as a library over the engine (`tributary-crank`):
//! `ops` (pools, contributions, deposits, weights, status), `admin` (authority commands, printed
//! for a multisig or sent), `attest` (attribution reports), `keys` (signer URIs and the Solana CLI
//! config). `main.rs` is clap and dispatch; the crank's loop is `tributary_crank::service`.
pub mod admin;
pub mod attest;
pub mod keys;
pub mod ops;
pub mod program;
