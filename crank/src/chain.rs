//! What the crank and the operator commands need from a cluster, behind one trait so the same code
//! drives a real node over JSON-RPC (`rpc::RpcChain`) and the embedded demo (`svm::SvmChain`).
use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use std::fmt;

pub type Result<T> = std::result::Result<T, ChainError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainError {
    /// The node could not be reached or answered with a transport error; worth retrying.
    Transient(String),
    /// The transaction's blockhash is unknown or expired: re-sign with a fresh one.
    BlockhashExpired,
    /// The transaction failed (in preflight or on chain): not worth resending as it is.
    Failed { err: String, logs: Vec<String> },
    /// Anything else the node refused.
    Rpc(String),
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

/// A simulated transaction.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub units: u64,
    pub err: Option<String>,
    pub logs: Vec<String>,
}

impl Simulation {
    /// The node did not know the transaction's blockhash (expired, or from a fork): re-sign and
    /// simulate again. (`TransactionError::BlockhashNotFound`, as both chains render it.)
    pub fn blockhash_expired(&self) -> bool {
        self.err.as_deref().is_some_and(|e| e.contains("BlockhashNotFound"))
    }
}

/// Where a sent transaction stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not seen yet (or dropped).
    Pending,
    Confirmed,
    Failed(String),
}

/// A `memcmp` filter of `getProgramAccounts`.
#[derive(Debug, Clone)]
pub struct Memcmp {
    pub offset: usize,
    pub bytes: Vec<u8>,
}

pub trait Chain {
    /// Human-readable name of the cluster (URL or "embedded LiteSVM").
    fn describe(&self) -> String;
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
