//! Backfill and follow: list the program's signatures newer than what is settled here
//! (`getSignaturesForAddress`, newest first, paged), fetch each transaction not yet stored
//! (`getTransaction`, base64, v0 and v1), commit them oldest first, and promote them to finalized
//! once the cluster has. The listing restarts from the newest *finalized* transaction stored, so a
//! transaction that reached `confirmed` late is still found; ones already stored are skipped before
//! they are fetched. RPC faults are retried with doubling backoff and counted; a poll that still
//! fails is logged and the next one starts over — the service never stops by itself.
use crate::decode::{decode, Indexed};
use crate::store::Store;
use anyhow::{anyhow, Context, Result};
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_rpc_client_api::config::RpcTransactionConfig;
use solana_signature::Signature;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, TransactionConfirmationStatus, UiTransactionEncoding,
};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// getSignaturesForAddress returns at most this many per page.
const SIGNATURES_PAGE: usize = 1000;
/// getSignatureStatuses takes at most this many.
const STATUSES_MAX: usize = 256;
/// A confirmed transaction whose status is unknown this many slots after its slot was finalized
/// was on an abandoned fork.
const DROPPED_AFTER_SLOTS: u64 = 150;

#[derive(Clone, Debug)]
pub struct FollowSettings {
    pub program_id: String,
    /// `confirmed` (then promoted) or `finalized`.
    pub commitment: CommitmentConfig,
    /// Transactions fetched at once.
    pub concurrency: usize,
    /// Attempts per RPC call before the poll gives up (and the next poll starts over).
    pub attempts: u32,
    pub backoff: Duration,
}

/// Counters the service exposes (`/v1/status`).
#[derive(Default, Debug)]
pub struct Counters {
    pub indexed: AtomicU64,
    pub skipped_known: AtomicU64,
    pub rpc_retries: AtomicU64,
    pub failed_polls: AtomicU64,
    pub finalized: AtomicU64,
    pub dropped: AtomicU64,
    pub last_lag_slots: AtomicU64,
}

pub struct Follower {
    pub rpc: Arc<RpcClient>,
    pub store: Arc<Store>,
    pub settings: FollowSettings,
    pub counters: Arc<Counters>,
    program: solana_message::Address,
}

impl Follower {
    pub fn new(rpc_url: &str, store: Arc<Store>, settings: FollowSettings) -> Result<Self> {
        let program = solana_message::Address::from_str(&settings.program_id).context("program id")?;
        let rpc = RpcClient::new_with_timeout_and_commitment(
            rpc_url.to_string(),
            Duration::from_secs(30),
            settings.commitment,
        );
        Ok(Self { rpc: Arc::new(rpc), store, settings, counters: Arc::default(), program })
    }

    fn finalized_mode(&self) -> bool {
        self.settings.commitment == CommitmentConfig::finalized()
    }

    async fn retry<T, F, Fut>(&self, what: &str, f: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = std::result::Result<T, solana_rpc_client_api::client_error::Error>>,
    {
        retry(&self.settings, &self.counters, what, f).await
    }

    /// One pass: everything the cluster has that is not stored yet. Returns how many were indexed.
    pub async fn sync(&self) -> Result<usize> {
        let started = Instant::now();
        let cursor = self.store.cursor(&self.settings.program_id).await?;
        let until = match self.store.newest_settled().await? {
            Some(s) => Some(s),
            None => cursor.newest_signature.clone(),
        };
        let until = until.map(|s| Signature::from_str(&s)).transpose().context("stored signature")?;
        // newest first, page by page, back to `until` (or the program's first transaction)
        let mut listed = Vec::new();
        let mut before = None;
        loop {
            let config = || GetConfirmedSignaturesForAddress2Config {
                before,
                until,
                limit: Some(SIGNATURES_PAGE),
                commitment: Some(self.settings.commitment),
            };
            let page = self
                .retry("getSignaturesForAddress", || {
                    self.rpc.get_signatures_for_address_with_config(&self.program, config())
                })
                .await?;
            let full = page.len() == SIGNATURES_PAGE;
            before = page.last().map(|s| Signature::from_str(&s.signature)).transpose()?;
            listed.extend(page);
            if !cursor.backfill_done && full {
                tracing::info!(listed = listed.len(), "backfill: listing the program's signatures");
            }
            if !full {
                break;
            }
        }
        listed.reverse();
        // one query for what is already stored among the listed (the listing restarts at the newest
        // finalized transaction, so most of a poll's listing is)
        let oldest = listed.first().map_or(0, |s| s.slot);
        let known = self.store.known_since(oldest).await?;
        let mut fresh = Vec::with_capacity(listed.len());
        for s in listed {
            if known.contains(&s.signature) {
                self.counters.skipped_known.fetch_add(1, Ordering::Relaxed);
            } else {
                fresh.push(s);
            }
        }
        let total = fresh.len();
        let mut done = 0;
        let limit = self.settings.concurrency.max(1);
        for chunk in fresh.chunks(limit * 4) {
            let mut fetched = Vec::with_capacity(chunk.len());
            let mut set = tokio::task::JoinSet::new();
            for (i, s) in chunk.iter().enumerate() {
                while set.len() >= limit {
                    if let Some(r) = set.join_next().await {
                        fetched.push(r??);
                    }
                }
                let signature = Signature::from_str(&s.signature)?;
                set.spawn(fetch_transaction(
                    self.rpc.clone(),
                    signature,
                    i,
                    self.settings.clone(),
                    self.counters.clone(),
                ));
            }
            while let Some(r) = set.join_next().await {
                fetched.push(r??);
            }
            fetched.sort_by_key(|(i, _)| *i);
            let seen_slot =
                self.retry("getSlot", || self.rpc.get_slot_with_commitment(CommitmentConfig::confirmed())).await?;
            for (i, tx) in &fetched {
                // listed as finalized already: no promotion needed
                let finalized = self.finalized_mode()
                    || chunk[*i].confirmation_status == Some(TransactionConfirmationStatus::Finalized);
                // a transaction this decoder cannot read is stored as such and named in the status,
                // never retried forever: one odd transaction must not stop the index of all others
                let indexed = match decode(tx, &self.settings.program_id) {
                    Ok(indexed) => indexed,
                    Err(e) => {
                        let signature = chunk[*i].signature.clone();
                        tracing::error!(%signature, error = %e, "undecodable transaction: stored as such, not indexed");
                        Indexed {
                            signature,
                            slot: tx.slot,
                            block_time: tx.block_time,
                            undecodable: true,
                            ..Indexed::default()
                        }
                    }
                };
                if indexed.logs_truncated {
                    tracing::warn!(signature = %indexed.signature, "log truncated: events after the cut are not indexed");
                }
                if indexed.unbalanced {
                    tracing::warn!(signature = %indexed.signature, "balances and events disagree: payouts are net balance changes");
                }
                if self.store.insert(&indexed, finalized, seen_slot.max(indexed.slot)).await? {
                    self.counters.indexed.fetch_add(1, Ordering::Relaxed);
                    self.counters.last_lag_slots.store(seen_slot.saturating_sub(indexed.slot), Ordering::Relaxed);
                }
            }
            done += chunk.len();
            if let Some(last) = chunk.last() {
                self.store.set_cursor(Some(&last.signature), last.slot, cursor.backfill_done || done == total).await?;
            }
            if !cursor.backfill_done {
                let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-3);
                tracing::info!(done, total, rate = format!("{rate:.0} tx/s"), "backfill");
            }
        }
        if total == 0 && !cursor.backfill_done {
            self.store.mark_backfill_done().await?;
        }
        Ok(total)
    }

    /// Mark stored transactions finalized once the cluster has; forget those it dropped.
    pub async fn promote(&self) -> Result<()> {
        if self.finalized_mode() {
            return Ok(());
        }
        let finalized_slot =
            self.retry("getSlot", || self.rpc.get_slot_with_commitment(CommitmentConfig::finalized())).await?;
        loop {
            let pending = self.store.unfinalized(finalized_slot, STATUSES_MAX as i64).await?;
            if pending.is_empty() {
                return Ok(());
            }
            let signatures: Vec<Signature> =
                pending.iter().map(|(s, _)| Signature::from_str(s)).collect::<std::result::Result<_, _>>()?;
            let statuses = self
                .retry("getSignatureStatuses", || self.rpc.get_signature_statuses_with_history(&signatures))
                .await?
                .value;
            let mut settled = Vec::new();
            let mut waiting = 0;
            for ((signature, slot), status) in pending.iter().zip(statuses) {
                match status {
                    Some(s) if s.confirmation_status == Some(TransactionConfirmationStatus::Finalized) => {
                        settled.push(signature.clone())
                    }
                    None if finalized_slot > slot + DROPPED_AFTER_SLOTS => {
                        tracing::warn!(%signature, slot, "a confirmed transaction was dropped by its cluster: forgotten");
                        self.store.forget(signature).await?;
                        self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => waiting += 1,
                }
            }
            self.counters.finalized.fetch_add(settled.len() as u64, Ordering::Relaxed);
            self.store.mark_finalized(&settled).await?;
            if waiting > 0 || settled.is_empty() {
                return Ok(());
            }
        }
    }

    /// Follow until `stop` says so: sync, promote, wait `poll`.
    pub async fn run(&self, poll: Duration, stop: tokio::sync::watch::Receiver<bool>) {
        let mut last_promote = Instant::now() - Duration::from_secs(60);
        while !*stop.borrow() {
            if let Err(e) = self.sync().await {
                self.counters.failed_polls.fetch_add(1, Ordering::Relaxed);
                tracing::error!(error = format!("{e:#}"), "poll failed; starting over");
            }
            if last_promote.elapsed() >= Duration::from_secs(2) {
                if let Err(e) = self.promote().await {
                    tracing::error!(error = format!("{e:#}"), "promotion to finalized failed; trying again");
                }
                last_promote = Instant::now();
            }
            let mut stop = stop.clone();
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// `f` until it succeeds, at most `attempts` times, doubling the wait between tries (to 10 s);
/// every retry counted.
async fn retry<T, F, Fut>(settings: &FollowSettings, counters: &Counters, what: &str, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, solana_rpc_client_api::client_error::Error>>,
{
    let mut wait = settings.backoff;
    let mut attempt = 1;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt < settings.attempts => {
                tracing::debug!(attempt, error = %e, "{what}: retrying");
                counters.rpc_retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(10));
                attempt += 1;
            }
            Err(e) => return Err(anyhow!("{what}: {e}")),
        }
    }
}

/// One transaction, base64 (so inner instructions come unparsed), retried on any fault: a node
/// that has not yet caught up with its own listing answers null, which the client reports as an
/// error, and is asked again.
async fn fetch_transaction(
    rpc: Arc<RpcClient>,
    signature: Signature,
    position: usize,
    settings: FollowSettings,
    counters: Arc<Counters>,
) -> Result<(usize, EncodedConfirmedTransactionWithStatusMeta)> {
    let config = RpcTransactionConfig {
        encoding: Some(UiTransactionEncoding::Base64),
        commitment: Some(settings.commitment),
        max_supported_transaction_version: Some(1),
    };
    let what = format!("getTransaction {signature}");
    let tx = retry(&settings, &counters, &what, || rpc.get_transaction_with_config(&signature, config)).await?;
    Ok((position, tx))
}
