//! What the crank and the operator commands need from a cluster, behind one trait so the same code
//! drives a real node over JSON-RPC (`rpc::RpcChain`) and the embedded demo (`svm::SvmChain`).
use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_hash::Hash;
use solana_instruction_error::InstructionError;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
pub use solana_transaction_error::TransactionError;
use std::fmt;

pub type Result<T> = std::result::Result<T, ChainError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainError {
    /// The node could not be reached or answered with a transport error; worth retrying.
    Transient(String),
    /// The transaction's blockhash is unknown or expired: re-sign with a fresh one.
    BlockhashExpired,
    /// The transaction failed (in preflight or on chain): not worth resending as it is.
    Failed { err: TxError, logs: Vec<String> },
    /// Anything else the node refused.
    Rpc(String),
    /// Sent, and not confirmed when the wait ended while its blockhash could still land: it may
    /// yet land. Nothing was sent again (a second copy could land too); check the signature first.
    Unconfirmed { signature: Signature, last_valid: u64 },
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::Transient(e) => write!(f, "node unreachable: {e}"),
            ChainError::BlockhashExpired => write!(f, "blockhash expired"),
            ChainError::Failed { err, logs } => {
                write!(f, "transaction failed: {err}")?;
                if let Some(hint) = program_error_line(logs) {
                    write!(f, " ({hint})")?;
                }
                Ok(())
            }
            ChainError::Rpc(e) => write!(f, "RPC error: {e}"),
            ChainError::Unconfirmed { signature, last_valid } => write!(
                f,
                "transaction {signature} was sent but not confirmed in time; it can still land until block \
                 height {last_valid}: check it (`solana confirm {signature}`) before sending it again"
            ),
        }
    }
}
impl std::error::Error for ChainError {}

/// The most telling log line of a failed transaction: Anchor's named error if there is one.
pub fn program_error_line(logs: &[String]) -> Option<String> {
    logs.iter()
        .rev()
        .find(|l| l.contains("Error Code:") || l.contains("Error Message:"))
        .or_else(|| logs.iter().rev().find(|l| l.contains("failed")))
        .map(|l| l.trim_start_matches("Program log: ").to_string())
}

/// Why a transaction failed: the runtime's `TransactionError` (decoded from the node's JSON with
/// its own serde form), or, for an error this version does not know, the node's JSON as it came —
/// shown to the operator, never matched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxError {
    Runtime(TransactionError),
    Unrecognized(String),
}

impl TxError {
    /// The `err` of a JSON-RPC answer (simulation, preflight or signature status).
    pub fn from_json(err: &serde_json::Value) -> Self {
        serde_json::from_value(err.clone())
            .map(TxError::Runtime)
            .unwrap_or_else(|_| TxError::Unrecognized(err.to_string()))
    }

    /// The node did not know the transaction's blockhash (expired, or from a fork): re-sign.
    pub fn is_blockhash_not_found(&self) -> bool {
        matches!(self, TxError::Runtime(TransactionError::BlockhashNotFound))
    }

    /// The instruction at `index` failed with `InvalidInstructionData`.
    pub fn is_invalid_instruction_data(&self) -> bool {
        matches!(
            self,
            TxError::Runtime(TransactionError::InstructionError(_, InstructionError::InvalidInstructionData))
        )
    }

    /// A token program did not know an instruction it was sent (`batch`, on a token program
    /// without it): `InvalidInstructionData` (SPL Token before p-token), or the token programs'
    /// `TokenError::InvalidInstruction`, custom error 12 (Token-2022 before v11). Tributary's own
    /// errors are never these: its codes are Anchor's, from 100 up.
    pub fn is_unknown_token_instruction(&self) -> bool {
        /// `spl_token_2022_interface::error::TokenError::InvalidInstruction` (and SPL Token's).
        const TOKEN_INVALID_INSTRUCTION: u32 = 12;
        self.is_invalid_instruction_data()
            || matches!(
                self,
                TxError::Runtime(TransactionError::InstructionError(
                    _,
                    InstructionError::Custom(TOKEN_INVALID_INSTRUCTION)
                ))
            )
    }
}

impl fmt::Display for TxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxError::Runtime(e) => write!(f, "{e:?}"),
            TxError::Unrecognized(e) => write!(f, "{e}"),
        }
    }
}

/// A simulated transaction.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub units: u64,
    pub err: Option<TxError>,
    pub logs: Vec<String>,
}

impl Simulation {
    /// The node did not know the transaction's blockhash: re-sign and simulate again.
    pub fn blockhash_expired(&self) -> bool {
        self.err.as_ref().is_some_and(TxError::is_blockhash_not_found)
    }
}

/// Where a sent transaction stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not seen yet (or dropped).
    Pending,
    Confirmed,
    Failed(TxError),
}

/// A `memcmp` filter of `getProgramAccounts`.
#[derive(Debug, Clone)]
pub struct Memcmp {
    pub offset: usize,
    pub bytes: Vec<u8>,
}

pub trait Chain {
    /// Human-readable name of the cluster (its URL redacted, or "embedded LiteSVM"): it is logged.
    fn describe(&self) -> String;
    /// Requests sent to the node so far (every attempt), where counted.
    fn requests(&self) -> u64 {
        0
    }
    /// Calls tried again after a transient failure so far, where counted.
    fn retries(&self) -> u64 {
        0
    }
    /// The newest transaction format the cluster takes (`tx::detect_format`: one account read;
    /// a node's chain remembers the answer).
    fn format(&mut self) -> Result<crate::tx::Format> {
        crate::tx::detect_format(self)
    }
    /// Accounts in the order asked; `None` where there is none.
    fn get_accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>>;
    /// Accounts of `program` of exactly `data_size` bytes matching every filter.
    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        data_size: Option<usize>,
        filters: &[Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>>;
    /// A blockhash and the last block height at which transactions using it land.
    fn latest_blockhash(&mut self) -> Result<(Hash, u64)>;
    fn block_height(&mut self) -> Result<u64>;
    fn slot(&mut self) -> Result<u64>;
    fn simulate(&mut self, tx: &VersionedTransaction) -> Result<Simulation>;
    /// Submit; a preflight failure comes back as `ChainError::Failed` / `BlockhashExpired`.
    fn send(&mut self, tx: &VersionedTransaction) -> Result<Signature>;
    fn statuses(&mut self, signatures: &[Signature]) -> Result<Vec<Status>>;
    /// Recent prioritization fees (micro-lamports per CU) paid by transactions writing `accounts`.
    fn recent_priority_fees(&mut self, accounts: &[Pubkey]) -> Result<Vec<u64>>;
    fn minimum_balance(&mut self, data_len: usize) -> Result<u64>;
    /// Compute units consumed by a confirmed transaction, where the node reports them.
    fn transaction_units(&mut self, signature: &Signature) -> Result<Option<u64>>;

    /// A slot the cluster has recorded in SlotHashes (what a new lookup table is derived from).
    fn recent_slot(&mut self) -> Result<u64> {
        self.slot()
    }

    /// Return once the cluster is past `slot` (lookup-table extensions become usable then).
    fn wait_past_slot(&mut self, slot: u64) -> Result<()> {
        for _ in 0..200 {
            if self.slot()? > slot {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Err(ChainError::Transient(format!("the cluster is not advancing past slot {slot}")))
    }

    fn get_account(&mut self, key: &Pubkey) -> Result<Option<Account>> {
        Ok(self.get_accounts(std::slice::from_ref(key))?.pop().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn node_errors_decode_to_the_runtimes_types_and_unknown_ones_stay_text() {
        assert!(TxError::from_json(&json!("BlockhashNotFound")).is_blockhash_not_found());
        let refused = TxError::from_json(&json!({"InstructionError": [2, "InvalidInstructionData"]}));
        assert!(refused.is_invalid_instruction_data() && !refused.is_blockhash_not_found());
        assert_eq!(
            TxError::from_json(&json!({"InstructionError": [0, {"Custom": 6033}]})),
            TxError::Runtime(TransactionError::InstructionError(0, InstructionError::Custom(6033)))
        );
        assert!(refused.is_unknown_token_instruction(), "SPL Token before p-token refusing `batch`");
        let old_token_2022 = TxError::from_json(&json!({"InstructionError": [0, {"Custom": 12}]}));
        assert!(old_token_2022.is_unknown_token_instruction(), "Token-2022 before v11 refusing `batch`");
        let ours = TxError::from_json(&json!({"InstructionError": [0, {"Custom": 6012}]}));
        assert!(!ours.is_unknown_token_instruction(), "Tributary's own errors start at 6000");
        let unknown = TxError::from_json(&json!({"SomethingNew": 1}));
        assert_eq!(unknown, TxError::Unrecognized(r#"{"SomethingNew":1}"#.into()));
        assert!(!unknown.is_blockhash_not_found() && !unknown.is_invalid_instruction_data());
    }
}
