//! Verifiable attribution, off chain: the usage receipts an AI service records, the attribution
//! report built from them (per-entry weights and the receipts' Merkle root) whose hash goes on
//! chain with the weights, inclusion proofs of single receipts, and usage-fee shares derived from
//! scores. Pure: no Solana types, no I/O beyond reading and appending receipt logs. The format and
//! every rule, for anyone re-implementing them: ATTESTATION.md at the repository root.
pub mod error;
pub mod hex32;
pub mod merkle;
pub mod proof;
pub mod receipt;
pub mod report;
pub mod score;
pub mod split;
pub mod usage;

pub use error::{AttestError, Result};
pub use proof::ReceiptProof;
pub use receipt::{Receipt, ReceiptLog, UsageKind, Use};
pub use report::{EntryWeight, Report, METHOD, WEIGHT_TOTAL};
pub use score::Score;
pub use usage::{add_scores, plan as plan_usage_fee, scores_of, UsagePayment};
