//! The `Chain` of a real cluster, on the ecosystem's `solana-rpc-client` (blocking `RpcClient`):
//! typed answers and errors (`ClientErrorKind`, `RpcError`, `TransactionError`), no string matching.
//! What this file adds is policy: which errors are worth retrying (transport, HTTP 5xx, node
//! behind), with doubling backoff, counted so operators see a flaky node in the metrics.
use crate::chain::{Chain, ChainError, Memcmp, Result, Simulation, Status, TxError};
use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::{CommitmentConfig, CommitmentLevel};
use solana_hash::Hash;
use solana_rpc_client::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::{Error as ClientError, ErrorKind};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig, RpcSimulateTransactionConfig,
    RpcTransactionConfig,
};
use solana_rpc_client_api::custom_error::{
    JSON_RPC_SERVER_ERROR_BLOCK_NOT_AVAILABLE, JSON_RPC_SERVER_ERROR_MIN_CONTEXT_SLOT_NOT_REACHED,
    JSON_RPC_SERVER_ERROR_NODE_UNHEALTHY,
};
use solana_rpc_client_api::filter::{Memcmp as RpcMemcmp, RpcFilterType};
use solana_rpc_client_api::request::{RpcError, RpcResponseErrorData};
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::{TransactionConfirmationStatus, UiTransactionEncoding};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// getMultipleAccounts takes at most this many keys.
const MULTIPLE_ACCOUNTS_MAX: usize = 100;
/// getSignatureStatuses takes at most this many signatures.
const STATUSES_MAX: usize = 256;
/// Longest wait for a lookup-table extension to be rooted (~32 slots on a healthy cluster).
const ROOT_WAIT: Duration = Duration::from_secs(90);
/// One HTTP request's limit; a node slower than this is treated as unreachable and retried.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub struct RpcChain {
    client: RpcClient,
    /// Attempts per call on transient errors (with doubling backoff from `backoff`).
    pub attempts: u32,
    pub backoff: Duration,
    pub commitment: CommitmentConfig,
    /// Calls that failed transiently and were tried again (a flaky or restarting node).
    pub retries: u64,
    /// The transaction format: detected on first use (`tx::detect_format`) unless set.
    pub format: Option<crate::tx::Format>,
}

/// Expand the Solana CLI's cluster monikers.
pub fn cluster_url(url: &str) -> String {
    match url {
        "l" | "localhost" => "http://127.0.0.1:8899".into(),
        "d" | "devnet" => "https://api.devnet.solana.com".into(),
        "t" | "testnet" => "https://api.testnet.solana.com".into(),
        "m" | "mainnet-beta" => "https://api.mainnet-beta.solana.com".into(),
        other => other.into(),
    }
}

/// The Solana CLI's commitment names.
pub fn commitment(name: &str) -> Option<CommitmentConfig> {
    CommitmentLevel::from_str(name).ok().map(|commitment| CommitmentConfig { commitment })
}

/// What a failed call means for the caller (see `ChainError`).
pub fn classify(error: &ClientError) -> ChainError {
    match &*error.kind {
        // connection refused or reset, timeouts, HTTP 429 (after the client's own retries) and 5xx
        ErrorKind::Io(_) | ErrorKind::Middleware(_) => ChainError::Transient(error.to_string()),
        ErrorKind::Reqwest(e) => match e.status() {
            Some(status) if !(status.as_u16() == 429 || status.is_server_error()) => ChainError::Rpc(e.to_string()),
            _ => ChainError::Transient(e.to_string()),
        },
        ErrorKind::RpcError(RpcError::RpcResponseError { code, message, data }) => {
            if let RpcResponseErrorData::SendTransactionPreflightFailure(result) = data {
                if let Some(err) = result.err.clone() {
                    return failed(err.into(), result.logs.clone().unwrap_or_default());
                }
            }
            match *code {
                JSON_RPC_SERVER_ERROR_NODE_UNHEALTHY
                | JSON_RPC_SERVER_ERROR_BLOCK_NOT_AVAILABLE
                | JSON_RPC_SERVER_ERROR_MIN_CONTEXT_SLOT_NOT_REACHED => ChainError::Transient(message.clone()),
                _ => ChainError::Rpc(format!("{message} ({code})")),
            }
        }
        ErrorKind::TransactionError(err) => failed(err.clone(), Vec::new()),
        // a truncated or garbled answer (a proxy cut it, a node restarting): ask again
        ErrorKind::SerdeJson(_) => ChainError::Transient(error.to_string()),
        _ => ChainError::Rpc(error.to_string()),
    }
}

fn failed(err: TransactionError, logs: Vec<String>) -> ChainError {
    if err == TransactionError::BlockhashNotFound {
        ChainError::BlockhashExpired
    } else {
        ChainError::Failed { err: TxError::Runtime(err), logs }
    }
}

impl RpcChain {
    pub fn new(url: &str) -> Self {
        let client = RpcClient::new_with_timeout_and_commitment(
            cluster_url(url),
            REQUEST_TIMEOUT,
            CommitmentConfig::confirmed(),
        );
        Self {
            client,
            attempts: 6,
            backoff: Duration::from_millis(250),
            commitment: CommitmentConfig::confirmed(),
            retries: 0,
            format: None,
        }
    }

    /// The client underneath, for callers that want a method the `Chain` does not name.
    pub fn client(&self) -> &RpcClient {
        &self.client
    }

    /// JSON-RPC requests this chain has sent (every attempt counts).
    pub fn requests(&self) -> u64 {
        self.client.get_transport_stats().request_count as u64
    }

    /// One call; transient failures are tried again with doubling backoff.
    fn call<T>(&mut self, mut request: impl FnMut(&RpcClient) -> std::result::Result<T, ClientError>) -> Result<T> {
        let mut delay = self.backoff;
        let mut attempt = 1;
        loop {
            match request(&self.client) {
                Ok(value) => return Ok(value),
                Err(e) => match redact(classify(&e)) {
                    ChainError::Transient(reason) if attempt < self.attempts.max(1) => {
                        tracing::warn!(event = "rpc_retry", attempt, %reason, "transient RPC failure; trying again");
                        self.retries += 1;
                        attempt += 1;
                        std::thread::sleep(delay);
                        delay = (delay * 2).min(Duration::from_secs(8));
                    }
                    other => return Err(other),
                },
            }
        }
    }
}

/// The error with every URL in its text redacted: HTTP errors quote the URL, API key and all.
fn redact(error: ChainError) -> ChainError {
    use crate::redact::redact_urls_in;
    match error {
        ChainError::Transient(text) => ChainError::Transient(redact_urls_in(&text)),
        ChainError::Rpc(text) => ChainError::Rpc(redact_urls_in(&text)),
        other => other,
    }
}

impl Chain for RpcChain {
    fn format(&mut self) -> Result<crate::tx::Format> {
        let format = match self.format {
            Some(format) => format,
            None => crate::tx::detect_format(self)?,
        };
        Ok(*self.format.insert(format))
    }

    /// The node's URL, redacted (`crate::redact`): it is logged.
    fn describe(&self) -> String {
        crate::redact::redact_url(&self.client.url())
    }

    fn requests(&self) -> u64 {
        RpcChain::requests(self)
    }

    fn retries(&self) -> u64 {
        self.retries
    }

    fn get_accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(keys.len());
        let commitment = self.commitment;
        for chunk in keys.chunks(MULTIPLE_ACCOUNTS_MAX) {
            out.extend(self.call(|c| c.get_multiple_accounts_with_commitment(chunk, commitment))?.value);
        }
        Ok(out)
    }

    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        data_size: Option<usize>,
        filters: &[Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>> {
        let mut filters: Vec<RpcFilterType> = filters
            .iter()
            .map(|m| RpcFilterType::Memcmp(RpcMemcmp::new_raw_bytes(m.offset, m.bytes.clone())))
            .collect();
        if let Some(size) = data_size {
            filters.push(RpcFilterType::DataSize(size as u64));
        }
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.commitment),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        let listed = self.call(|c| c.get_program_ui_accounts_with_config(program, config.clone()))?;
        listed
            .into_iter()
            .map(|(key, ui)| {
                let account =
                    ui.to_account().ok_or_else(|| ChainError::Rpc(format!("account {key}: undecodable data")))?;
                Ok((key, account))
            })
            .collect()
    }

    fn latest_blockhash(&mut self) -> Result<(Hash, u64)> {
        let commitment = self.commitment;
        self.call(|c| c.get_latest_blockhash_with_commitment(commitment))
    }

    fn block_height(&mut self) -> Result<u64> {
        let commitment = self.commitment;
        self.call(|c| c.get_block_height_with_commitment(commitment))
    }

    fn slot(&mut self) -> Result<u64> {
        let commitment = self.commitment;
        self.call(|c| c.get_slot_with_commitment(commitment))
    }

    fn recent_slot(&mut self) -> Result<u64> {
        // a finalized slot is in every later bank's SlotHashes
        self.call(|c| c.get_slot_with_commitment(CommitmentConfig::finalized()))
    }

    fn wait_past_slot(&mut self, slot: u64) -> Result<()> {
        // Agave's scheduler resolves lookup tables against its root bank and silently drops a
        // transaction naming addresses added after the root: wait until the extension is rooted.
        let started = Instant::now();
        while started.elapsed() < ROOT_WAIT {
            if self.recent_slot()? > slot {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(400));
        }
        Err(ChainError::Transient(format!("slot {slot} not finalized after {}s", ROOT_WAIT.as_secs())))
    }

    fn simulate(&mut self, tx: &VersionedTransaction) -> Result<Simulation> {
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            commitment: Some(self.commitment),
            encoding: Some(UiTransactionEncoding::Base64),
            ..RpcSimulateTransactionConfig::default()
        };
        let result = self.call(|c| c.simulate_transaction_with_config(tx, config.clone()))?.value;
        Ok(Simulation {
            units: result.units_consumed.unwrap_or(0),
            err: result.err.map(|e| TxError::Runtime(e.into())),
            logs: result.logs.unwrap_or_default(),
        })
    }

    fn send(&mut self, tx: &VersionedTransaction) -> Result<Signature> {
        let config = RpcSendTransactionConfig {
            preflight_commitment: Some(self.commitment.commitment),
            encoding: Some(UiTransactionEncoding::Base64),
            max_retries: Some(0),
            ..RpcSendTransactionConfig::default()
        };
        match self.call(|c| c.send_transaction_with_config(tx, config)) {
            // this very transaction (its signature) was processed already: an earlier attempt whose
            // answer was lost, or a rebroadcast. It is sent; its status says how it ended.
            Err(ChainError::Failed { err: TxError::Runtime(TransactionError::AlreadyProcessed), .. }) => {
                tx.signatures.first().copied().ok_or_else(|| ChainError::Rpc("unsigned transaction".into()))
            }
            other => other,
        }
    }

    fn statuses(&mut self, signatures: &[Signature]) -> Result<Vec<Status>> {
        let mut out = Vec::with_capacity(signatures.len());
        for chunk in signatures.chunks(STATUSES_MAX) {
            let statuses = self.call(|c| c.get_signature_statuses(chunk))?.value;
            out.extend(statuses.into_iter().map(|status| match status {
                None => Status::Pending,
                Some(s) => match (s.err, s.confirmation_status) {
                    (Some(err), _) => Status::Failed(TxError::Runtime(err)),
                    (
                        None,
                        Some(TransactionConfirmationStatus::Confirmed | TransactionConfirmationStatus::Finalized),
                    ) => Status::Confirmed,
                    _ => Status::Pending,
                },
            }));
        }
        Ok(out)
    }

    fn recent_priority_fees(&mut self, accounts: &[Pubkey]) -> Result<Vec<u64>> {
        let fees = self.call(|c| c.get_recent_prioritization_fees(accounts))?;
        Ok(fees.into_iter().map(|f| f.prioritization_fee).collect())
    }

    fn minimum_balance(&mut self, data_len: usize) -> Result<u64> {
        self.call(|c| c.get_minimum_balance_for_rent_exemption(data_len))
    }

    fn transaction_units(&mut self, signature: &Signature) -> Result<Option<u64>> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(self.commitment),
            // the crank's own transactions are v1 where the cluster has them
            max_supported_transaction_version: Some(1),
        };
        let confirmed = self.call(|c| c.get_transaction_with_config(signature, config))?;
        Ok(confirmed.transaction.meta.and_then(|m| Option::<u64>::from(m.compute_units_consumed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_instruction_error::InstructionError;

    fn response_error(code: i64, data: RpcResponseErrorData) -> ClientError {
        ErrorKind::RpcError(RpcError::RpcResponseError { code, message: format!("code {code}"), data }).into()
    }

    fn preflight(err: serde_json::Value) -> RpcResponseErrorData {
        let result = serde_json::from_value(serde_json::json!({"err": err, "logs": ["Program log: AnchorError"]}))
            .expect("a simulation result");
        RpcResponseErrorData::SendTransactionPreflightFailure(result)
    }

    #[test]
    fn failures_are_classified_by_type_not_by_wording() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "anything at all");
        assert!(matches!(classify(&refused.into()), ChainError::Transient(_)));
        let garbled = serde_json::from_str::<serde_json::Value>("{").expect_err("truncated");
        assert!(matches!(classify(&ErrorKind::SerdeJson(garbled).into()), ChainError::Transient(_)));
        let behind = response_error(JSON_RPC_SERVER_ERROR_NODE_UNHEALTHY, RpcResponseErrorData::Empty);
        assert!(matches!(classify(&behind), ChainError::Transient(_)));
        let invalid_params = response_error(-32602, RpcResponseErrorData::Empty);
        assert!(matches!(classify(&invalid_params), ChainError::Rpc(_)));

        let expired = response_error(-32002, preflight(serde_json::json!("BlockhashNotFound")));
        assert_eq!(classify(&expired), ChainError::BlockhashExpired);
        let refused = response_error(-32002, preflight(serde_json::json!({"InstructionError": [1, {"Custom": 6001}]})));
        assert_eq!(
            classify(&refused),
            ChainError::Failed {
                err: TxError::Runtime(TransactionError::InstructionError(1, InstructionError::Custom(6001))),
                logs: vec!["Program log: AnchorError".into()],
            }
        );
        let on_chain = ErrorKind::TransactionError(TransactionError::AccountInUse).into();
        assert!(matches!(
            classify(&on_chain),
            ChainError::Failed { err: TxError::Runtime(TransactionError::AccountInUse), .. }
        ));
    }

    #[test]
    fn the_solana_cli_commitment_names_are_understood() {
        assert_eq!(commitment("finalized"), Some(CommitmentConfig::finalized()));
        assert_eq!(commitment("confirmed"), Some(CommitmentConfig::confirmed()));
        assert_eq!(commitment("processed"), Some(CommitmentConfig::processed()));
        assert_eq!(commitment("max"), None);
    }
}
