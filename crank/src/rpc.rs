//! A small Solana JSON-RPC client (blocking HTTP): only the methods the crank and the operator
//! commands use, with retries and exponential backoff on transport errors and rate limits.
use crate::chain::{Chain, ChainError, Memcmp, Result, Simulation, Status, TxError};
use anchor_lang::prelude::Pubkey;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use solana_account::Account;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// getMultipleAccounts takes at most this many keys.
const MULTIPLE_ACCOUNTS_MAX: usize = 100;
/// getSignatureStatuses takes at most this many signatures.
const STATUSES_MAX: usize = 256;
/// Longest wait for a lookup-table extension to be rooted (~32 slots on a healthy cluster).
const ROOT_WAIT: Duration = Duration::from_secs(90);

pub struct RpcChain {
    url: String,
    agent: ureq::Agent,
    next_id: u64,
    /// Attempts per call on transient errors (with doubling backoff from `backoff`).
    pub attempts: u32,
    pub backoff: Duration,
    pub commitment: &'static str,
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

impl RpcChain {
    pub fn new(url: &str) -> Self {
        let agent =
            ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(5)).timeout(Duration::from_secs(30)).build();
        Self {
            url: cluster_url(url),
            agent,
            next_id: 1,
            attempts: 6,
            backoff: Duration::from_millis(250),
            commitment: "confirmed",
        }
    }

    /// One JSON-RPC call; transport failures and HTTP 429/5xx are retried with backoff.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        let mut delay = self.backoff;
        let mut last = String::new();
        for attempt in 0..self.attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_secs(8));
            }
            self.next_id += 1;
            let body = json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params});
            match self.agent.post(&self.url).send_json(body) {
                Ok(response) => {
                    let value: Value =
                        response.into_json().map_err(|e| ChainError::Transient(format!("{method}: bad JSON: {e}")))?;
                    if let Some(error) = value.get("error") {
                        return Err(rpc_error(error));
                    }
                    return Ok(value.get("result").cloned().unwrap_or(Value::Null));
                }
                Err(ureq::Error::Status(code, response)) if code == 429 || code >= 500 => {
                    last = format!("{method}: HTTP {code} {}", response.status_text());
                }
                Err(ureq::Error::Status(code, response)) => {
                    let text = response.into_string().unwrap_or_default();
                    if let Ok(value) = serde_json::from_str::<Value>(&text) {
                        if let Some(error) = value.get("error") {
                            return Err(rpc_error(error));
                        }
                    }
                    return Err(ChainError::Rpc(format!("{method}: HTTP {code}: {text}")));
                }
                Err(ureq::Error::Transport(t)) => last = format!("{method}: {t}"),
            }
        }
        Err(ChainError::Transient(last))
    }

    fn finalized_slot(&mut self) -> Result<u64> {
        self.call("getSlot", json!([{"commitment": "finalized"}]))?
            .as_u64()
            .ok_or_else(|| ChainError::Rpc("slot".into()))
    }

    fn config(&self) -> Value {
        json!({"commitment": self.commitment})
    }
}

/// Map a JSON-RPC error object to what the caller can do about it.
fn rpc_error(error: &Value) -> ChainError {
    let message = error.get("message").and_then(Value::as_str).unwrap_or("unknown error").to_string();
    let data = error.get("data");
    let err = data.and_then(|d| d.get("err")).filter(|e| !e.is_null()).map(TxError::from_json);
    if let Some(err) = err {
        if err.is_blockhash_not_found() {
            return ChainError::BlockhashExpired;
        }
        let logs = data
            .and_then(|d| d.get("logs"))
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default();
        return ChainError::Failed { err, logs };
    }
    // -32005 node unhealthy / behind; -32004 block not available: both pass
    match error.get("code").and_then(Value::as_i64) {
        Some(-32005) | Some(-32004) | Some(-32016) => ChainError::Transient(message),
        _ => ChainError::Rpc(message),
    }
}

fn parse_account(value: &Value) -> Result<Option<Account>> {
    if value.is_null() {
        return Ok(None);
    }
    let field = |name: &str| value.get(name).ok_or_else(|| ChainError::Rpc(format!("account without {name}")));
    let data = field("data")?.get(0).and_then(Value::as_str).ok_or_else(|| ChainError::Rpc("account data".into()))?;
    let owner = field("owner")?.as_str().ok_or_else(|| ChainError::Rpc("account owner".into()))?;
    Ok(Some(Account {
        lamports: field("lamports")?.as_u64().unwrap_or(0),
        data: B64.decode(data).map_err(|e| ChainError::Rpc(format!("account data: {e}")))?,
        owner: Pubkey::from_str(owner).map_err(|e| ChainError::Rpc(format!("owner: {e}")))?,
        executable: field("executable")?.as_bool().unwrap_or(false),
        rent_epoch: 0,
    }))
}

pub fn serialize_tx(tx: &VersionedTransaction) -> Vec<u8> {
    // short-vec signature count (always < 128 here), signatures, message
    let mut bytes = vec![tx.signatures.len() as u8];
    for signature in &tx.signatures {
        bytes.extend_from_slice(signature.as_ref());
    }
    bytes.extend_from_slice(&tx.message.serialize());
    bytes
}

impl Chain for RpcChain {
    fn describe(&self) -> String {
        self.url.clone()
    }

    fn get_accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(MULTIPLE_ACCOUNTS_MAX) {
            let keys: Vec<String> = chunk.iter().map(Pubkey::to_string).collect();
            let result =
                self.call("getMultipleAccounts", json!([keys, {"encoding": "base64", "commitment": self.commitment}]))?;
            let values =
                result.get("value").and_then(Value::as_array).ok_or_else(|| ChainError::Rpc("accounts".into()))?;
            for value in values {
                out.push(parse_account(value)?);
            }
        }
        Ok(out)
    }

    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        data_size: Option<usize>,
        filters: &[Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>> {
        let mut f: Vec<Value> = filters
            .iter()
            .map(|m| json!({"memcmp": {"offset": m.offset, "bytes": bs58::encode(&m.bytes).into_string()}}))
            .collect();
        if let Some(size) = data_size {
            f.push(json!({"dataSize": size}));
        }
        let result = self.call(
            "getProgramAccounts",
            json!([program.to_string(), {"encoding": "base64", "commitment": self.commitment, "filters": f}]),
        )?;
        let list = result.as_array().ok_or_else(|| ChainError::Rpc("program accounts".into()))?;
        let mut out = Vec::with_capacity(list.len());
        for item in list {
            let key = item.get("pubkey").and_then(Value::as_str).ok_or_else(|| ChainError::Rpc("pubkey".into()))?;
            let key = Pubkey::from_str(key).map_err(|e| ChainError::Rpc(e.to_string()))?;
            if let Some(account) = parse_account(item.get("account").unwrap_or(&Value::Null))? {
                out.push((key, account));
            }
        }
        Ok(out)
    }

    fn latest_blockhash(&mut self) -> Result<(Hash, u64)> {
        let result = self.call("getLatestBlockhash", json!([self.config()]))?;
        let value = result.get("value").ok_or_else(|| ChainError::Rpc("blockhash".into()))?;
        let hash = value.get("blockhash").and_then(Value::as_str).ok_or_else(|| ChainError::Rpc("blockhash".into()))?;
        let last = value.get("lastValidBlockHeight").and_then(Value::as_u64).unwrap_or(0);
        Ok((Hash::from_str(hash).map_err(|e| ChainError::Rpc(e.to_string()))?, last))
    }

    fn block_height(&mut self) -> Result<u64> {
        let config = self.config();
        self.call("getBlockHeight", json!([config]))?.as_u64().ok_or_else(|| ChainError::Rpc("block height".into()))
    }

    fn slot(&mut self) -> Result<u64> {
        let config = self.config();
        self.call("getSlot", json!([config]))?.as_u64().ok_or_else(|| ChainError::Rpc("slot".into()))
    }

    fn recent_slot(&mut self) -> Result<u64> {
        // a finalized slot is in every later bank's SlotHashes
        self.finalized_slot()
    }

    fn wait_past_slot(&mut self, slot: u64) -> Result<()> {
        // Agave's scheduler resolves lookup tables against its root bank and silently drops a
        // transaction naming addresses added after the root: wait until the extension is rooted.
        let started = Instant::now();
        while started.elapsed() < ROOT_WAIT {
            if self.finalized_slot()? > slot {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(400));
        }
        Err(ChainError::Transient(format!("slot {slot} not finalized after {}s", ROOT_WAIT.as_secs())))
    }

    fn simulate(&mut self, tx: &VersionedTransaction) -> Result<Simulation> {
        let encoded = B64.encode(serialize_tx(tx));
        let result = self.call(
            "simulateTransaction",
            json!([encoded, {"encoding": "base64", "commitment": self.commitment, "sigVerify": false,
                "replaceRecentBlockhash": true}]),
        )?;
        let value = result.get("value").ok_or_else(|| ChainError::Rpc("simulation".into()))?;
        let err = value.get("err").filter(|e| !e.is_null()).map(TxError::from_json);
        let logs = value
            .get("logs")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default();
        Ok(Simulation { units: value.get("unitsConsumed").and_then(Value::as_u64).unwrap_or(0), err, logs })
    }

    fn send(&mut self, tx: &VersionedTransaction) -> Result<Signature> {
        let encoded = B64.encode(serialize_tx(tx));
        let result = self.call(
            "sendTransaction",
            json!([encoded, {"encoding": "base64", "preflightCommitment": self.commitment, "maxRetries": 0}]),
        )?;
        let signature = result.as_str().ok_or_else(|| ChainError::Rpc("signature".into()))?;
        Signature::from_str(signature).map_err(|e| ChainError::Rpc(e.to_string()))
    }

    fn statuses(&mut self, signatures: &[Signature]) -> Result<Vec<Status>> {
        let mut out = Vec::with_capacity(signatures.len());
        for chunk in signatures.chunks(STATUSES_MAX) {
            let list: Vec<String> = chunk.iter().map(Signature::to_string).collect();
            let result = self.call("getSignatureStatuses", json!([list, {"searchTransactionHistory": false}]))?;
            let values =
                result.get("value").and_then(Value::as_array).ok_or_else(|| ChainError::Rpc("statuses".into()))?;
            for value in values {
                out.push(if value.is_null() {
                    Status::Pending
                } else if let Some(err) = value.get("err").filter(|e| !e.is_null()) {
                    Status::Failed(TxError::from_json(err))
                } else {
                    match value.get("confirmationStatus").and_then(Value::as_str) {
                        Some("confirmed") | Some("finalized") => Status::Confirmed,
                        _ => Status::Pending,
                    }
                });
            }
        }
        Ok(out)
    }

    fn recent_priority_fees(&mut self, accounts: &[Pubkey]) -> Result<Vec<u64>> {
        let keys: Vec<String> = accounts.iter().map(Pubkey::to_string).collect();
        let result = self.call("getRecentPrioritizationFees", json!([keys]))?;
        Ok(result
            .as_array()
            .map(|l| l.iter().filter_map(|f| f.get("prioritizationFee").and_then(Value::as_u64)).collect())
            .unwrap_or_default())
    }

    fn minimum_balance(&mut self, data_len: usize) -> Result<u64> {
        self.call("getMinimumBalanceForRentExemption", json!([data_len]))?
            .as_u64()
            .ok_or_else(|| ChainError::Rpc("rent".into()))
    }

    fn transaction_units(&mut self, signature: &Signature) -> Result<Option<u64>> {
        let result = self.call(
            "getTransaction",
            json!([signature.to_string(), {"encoding": "base64", "commitment": self.commitment,
                "maxSupportedTransactionVersion": 0}]),
        )?;
        Ok(result.get("meta").and_then(|m| m.get("computeUnitsConsumed")).and_then(Value::as_u64))
    }
}
