//! Building, sizing, simulating and landing v0 transactions: the compute-unit limit comes from a
//! simulation plus a margin, the priority fee from recent fees capped by the operator. A
//! transaction is re-signed only once its blockhash has expired by block height: one that may
//! still land is never followed by a second copy.
use crate::chain::{Chain, ChainError, Result, Simulation, Status, TxError};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_message::{v0, v1, AddressLookupTableAccount, VersionedMessage};
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use std::time::{Duration, Instant};

/// Largest serialized legacy or v0 transaction.
pub const PACKET_BYTES: usize = 1_232;
/// Largest serialized v1 transaction (SIMD-0296).
pub const V1_TRANSACTION_BYTES: usize = solana_message::v1::MAX_TRANSACTION_SIZE;
/// Most accounts one transaction may lock (the runtime's limit today; 96 under SIMD-0596).
pub const MAX_TX_ACCOUNTS: usize = 64;
/// The loaded-accounts-data limit every v1 transaction states (in v1 an unset limit means 0):
/// the runtime's maximum, 64 MiB. The crank loads the program, the token program and its
/// accounts, far below it; a lower limit would buy no cheaper fee today.
pub const V1_LOADED_ACCOUNTS_DATA_LIMIT: u32 = 64 * 1024 * 1024;
/// The feature that turns on v1 transactions (SIMD-0385): active on mainnet since 2026-09-15.
pub const ENABLE_TX_V1: Pubkey = anchor_lang::pubkey!("txv1aq4pp281K9um3tnPgkfX8UqtFT6wcVW3hNezGLL");

/// A transaction format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Version {
    /// v0: compute budget as instructions, address lookup tables, 1,232 bytes.
    V0,
    /// v1 (SIMD-0385): compute-unit limit, loaded-accounts-data limit and priority fee (a total in
    /// lamports) in the header, no lookup tables, 4,096 bytes (SIMD-0296).
    V1,
}

/// The format transactions are built in and the limits the cluster sets on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Format {
    pub version: Version,
    /// Most account addresses one transaction may name.
    pub max_accounts: usize,
}

impl Format {
    pub const V0: Format = Format { version: Version::V0, max_accounts: MAX_TX_ACCOUNTS };
    pub const V1: Format = Format { version: Version::V1, max_accounts: MAX_TX_ACCOUNTS };

    /// The largest serialized transaction in this format.
    pub fn max_bytes(&self) -> usize {
        match self.version {
            Version::V0 => PACKET_BYTES,
            Version::V1 => V1_TRANSACTION_BYTES,
        }
    }

    /// This format with another account budget (SIMD-0596 would make it 96).
    pub fn with_max_accounts(self, max_accounts: usize) -> Self {
        Self { max_accounts, ..self }
    }
}

/// The newest format the cluster takes: v1 where its feature account says it is active, else v0.
pub fn detect_format<C: Chain + ?Sized>(chain: &mut C) -> Result<Format> {
    let active = chain.get_account(&ENABLE_TX_V1)?.is_some_and(|feature| {
        // `Feature { activated_at: Option<u64> }`, bincode: tag 1 then the slot
        feature.owner == FEATURE_PROGRAM && feature.data.first() == Some(&1)
    });
    Ok(if active { Format::V1 } else { Format::V0 })
}

const FEATURE_PROGRAM: Pubkey = anchor_lang::pubkey!("Feature111111111111111111111111111111111111");

/// Whether a simulation of a v1 transaction was refused because the node does not take the
/// format (then fall back to v0), rather than failing as a transaction.
pub fn format_refused(simulation: &Result<Simulation>) -> bool {
    let refused = |err: &TxError| {
        matches!(
            err,
            TxError::Runtime(
                solana_transaction_error::TransactionError::UnsupportedVersion
                    | solana_transaction_error::TransactionError::SanitizeFailure
            )
        )
    };
    match simulation {
        Ok(sim) => sim.err.as_ref().is_some_and(refused),
        Err(ChainError::Failed { err, .. }) => refused(err),
        // a node that cannot even parse the transaction answers with a JSON-RPC error
        Err(ChainError::Rpc(text)) => {
            let text = text.to_ascii_lowercase();
            text.contains("version") || text.contains("deserializ") || text.contains("sanitiz")
        }
        Err(_) => false,
    }
}
/// The compute-unit limit a simulation runs under.
pub const SIMULATION_CU_LIMIT: u32 = 1_400_000;
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;

/// The margin over the simulated compute units a transaction's limit carries, by default.
pub const DEFAULT_CU_MARGIN_PERCENT: u64 = 10;

/// Compute-unit limit for a transaction that simulated at `units`: plus `margin_percent`.
pub fn cu_limit_for(units: u64, margin_percent: u64) -> u32 {
    let limit = units.saturating_add((units * margin_percent).div_ceil(100));
    limit.min(u64::from(SIMULATION_CU_LIMIT)) as u32
}

/// Priority fee in lamports for `cu_limit` units at `micro_lamports` per unit.
pub fn priority_fee_lamports(cu_limit: u32, micro_lamports: u64) -> u64 {
    (u64::from(cu_limit) * micro_lamports).div_ceil(1_000_000)
}

/// What to bid: the 75th percentile of recent fees on the accounts written, capped.
pub fn choose_priority_fee(recent: &[u64], cap: u64) -> u64 {
    let mut fees: Vec<u64> = recent.to_vec();
    if fees.is_empty() {
        return 0;
    }
    fees.sort_unstable();
    fees[(fees.len() * 3 / 4).min(fees.len() - 1)].min(cap)
}

/// A compiled, signed transaction and its vital statistics.
pub struct Built {
    pub tx: VersionedTransaction,
    pub bytes: usize,
    pub accounts: usize,
    pub format: Format,
}

/// Compile `ixs` into a signed transaction of `format`. v0: compute-budget instructions first,
/// `tables` for addresses they hold. v1: the compute-unit limit (the simulation limit when none
/// is given: in v1 an unset limit is 0), the loaded-accounts-data limit and the priority fee
/// (`micro_lamports` per unit of the limit, as a total) in the header; `tables` must be empty.
#[allow(clippy::too_many_arguments)]
pub fn build(
    payer: &dyn Signer,
    signers: &[&Keypair],
    ixs: &[Instruction],
    tables: &[AddressLookupTableAccount],
    blockhash: Hash,
    cu_limit: Option<u32>,
    micro_lamports: u64,
    format: Format,
) -> std::result::Result<Built, String> {
    let (message, accounts) = match format.version {
        Version::V0 => {
            let mut all = Vec::with_capacity(ixs.len() + 2);
            if let Some(limit) = cu_limit {
                all.push(ComputeBudgetInstruction::set_compute_unit_limit(limit));
            }
            if micro_lamports > 0 {
                all.push(ComputeBudgetInstruction::set_compute_unit_price(micro_lamports));
            }
            all.extend_from_slice(ixs);
            let message = v0::Message::try_compile(&payer.pubkey(), &all, tables, blockhash)
                .map_err(|e| format!("compile: {e}"))?;
            let accounts = message.account_keys.len()
                + message
                    .address_table_lookups
                    .iter()
                    .map(|l| l.writable_indexes.len() + l.readonly_indexes.len())
                    .sum::<usize>();
            (VersionedMessage::V0(message), accounts)
        }
        Version::V1 => {
            if !tables.is_empty() {
                return Err("v1 transactions take no lookup tables".into());
            }
            let limit = cu_limit.unwrap_or(SIMULATION_CU_LIMIT);
            let config = v1::TransactionConfig::empty()
                .with_compute_unit_limit(limit)
                .with_loaded_accounts_data_size_limit(V1_LOADED_ACCOUNTS_DATA_LIMIT)
                .with_priority_fee(priority_fee_lamports(limit, micro_lamports));
            let message = v1::Message::try_compile_with_config(&payer.pubkey(), ixs, blockhash, config)
                .map_err(|e| format!("compile: {e}"))?;
            let accounts = message.account_keys.len();
            (VersionedMessage::V1(message), accounts)
        }
    };
    let mut keypairs: Vec<&dyn Signer> = vec![payer];
    keypairs.extend(signers.iter().map(|k| *k as &dyn Signer).filter(|k| k.pubkey() != payer.pubkey()));
    let tx = VersionedTransaction::try_new(message, &keypairs).map_err(|e| e.to_string())?;
    let bytes = serialize_tx(&tx).len();
    Ok(Built { tx, bytes, accounts, format })
}

/// A transaction's bytes on the wire (its bincode form), for size checks.
pub fn serialize_tx(tx: &VersionedTransaction) -> Vec<u8> {
    bincode::serialize(tx).unwrap_or_default()
}

impl Built {
    /// Within its format's size and the account budget.
    pub fn fits(&self) -> bool {
        self.bytes <= self.format.max_bytes() && self.accounts <= self.format.max_accounts
    }
}

/// A transaction that landed.
#[derive(Debug, Clone)]
pub struct Landed {
    pub signature: Signature,
    /// Units the simulation measured (what the transaction consumes).
    pub units: u64,
    pub cu_limit: u32,
    pub fee_lamports: u64,
}

/// How `submit` behaves.
#[derive(Debug, Clone, Copy)]
pub struct SendOptions {
    pub margin_percent: u64,
    pub micro_lamports: u64,
    /// Blockhash refreshes before giving up.
    pub max_resigns: u32,
    pub poll: Duration,
    /// Longest wait for a transaction that can still land. Past it the wait ends with the
    /// transaction `InFlight`: never re-signed, since both copies could land.
    pub confirm_timeout: Duration,
    /// The format to build in (`None`: the newest the cluster takes, `Chain::format`).
    pub format: Option<Format>,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self {
            margin_percent: DEFAULT_CU_MARGIN_PERCENT,
            micro_lamports: 0,
            max_resigns: 5,
            poll: Duration::from_millis(300),
            confirm_timeout: Duration::from_secs(90),
            format: None,
        }
    }
}

/// Where a sent transaction ended up once the wait for it is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Confirmed,
    Failed(TxError),
    /// Its blockhash's last valid block height passed (read before its status, which still said
    /// unseen): it can never land, so re-signing its instructions is safe.
    Expired,
    /// Neither landed nor expired when the wait ended: it may still land. Never re-sign it.
    InFlight,
}

/// Simulate, size the compute limit, sign, send and wait for confirmation; re-sign with a fresh
/// blockhash only once the old one has expired by block height. A refused transaction comes back
/// as `ChainError::Failed` with its logs, having changed nothing; one still able to land when the
/// wait ends comes back as `ChainError::Unconfirmed` naming its signature — a second copy could
/// land beside it, so nothing is sent again.
pub fn submit(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    signers: &[&Keypair],
    ixs: &[Instruction],
    tables: &[AddressLookupTableAccount],
    opts: SendOptions,
) -> Result<Landed> {
    let mut format = match (opts.format, tables.is_empty()) {
        (_, false) => Format::V0, // lookup tables are v0's
        (Some(format), true) => format,
        (None, true) => chain.format()?,
    };
    for _ in 0..=opts.max_resigns {
        let (blockhash, last_valid) = chain.latest_blockhash()?;
        let probe =
            build(payer, signers, ixs, tables, blockhash, Some(SIMULATION_CU_LIMIT), opts.micro_lamports, format)
                .map_err(ChainError::Rpc)?;
        let sim = chain.simulate(&probe.tx);
        if format.version == Version::V1 && format_refused(&sim) {
            format = Format::V0; // the node does not take v1: build the same instructions as v0
            continue;
        }
        let sim = sim?;
        if sim.blockhash_expired() {
            continue; // expired between fetching and simulating: nothing was sent, re-sign
        }
        if let Some(err) = sim.err {
            return Err(ChainError::Failed { err, logs: sim.logs });
        }
        let cu_limit = cu_limit_for(sim.units, opts.margin_percent);
        let built = build(payer, signers, ixs, tables, blockhash, Some(cu_limit), opts.micro_lamports, format)
            .map_err(ChainError::Rpc)?;
        if !built.fits() {
            return Err(ChainError::Rpc(format!(
                "transaction too large: {} bytes, {} accounts (limits {}, {} in {:?})",
                built.bytes,
                built.accounts,
                format.max_bytes(),
                format.max_accounts,
                format.version
            )));
        }
        let signature = built.tx.signatures[0];
        match chain.send(&built.tx) {
            Ok(_) => {}
            // refused before it was forwarded: nothing is in flight
            Err(ChainError::BlockhashExpired) => continue,
            Err(e @ (ChainError::Failed { .. } | ChainError::Rpc(_))) => return Err(e),
            // the request may have reached the node before the answer was lost: treat it as sent
            Err(ChainError::Transient(_) | ChainError::Unconfirmed { .. }) => {}
        }
        match confirm_resending(chain, &[(signature, last_valid)], &[&built.tx], opts)?.pop() {
            Some(Outcome::Confirmed) => {
                let fee = LAMPORTS_PER_SIGNATURE * built.tx.signatures.len() as u64
                    + priority_fee_lamports(cu_limit, opts.micro_lamports);
                return Ok(Landed { signature, units: sim.units, cu_limit, fee_lamports: fee });
            }
            Some(Outcome::Failed(err)) => return Err(ChainError::Failed { err, logs: Vec::new() }),
            Some(Outcome::Expired) => continue, // can never land: safe to re-sign
            Some(Outcome::InFlight) | None => return Err(ChainError::Unconfirmed { signature, last_valid }),
        }
    }
    Err(ChainError::BlockhashExpired)
}

/// How often a transaction still unconfirmed is sent again. We send with `maxRetries: 0`, so the
/// node does not rebroadcast for us: one that dropped a transaction would otherwise leave it lost
/// until its blockhash expires (about a minute).
const RESEND_EVERY: Duration = Duration::from_secs(2);

/// Wait until each transaction is confirmed, failed, or can no longer land (its blockhash's last
/// valid block height has passed: `Expired`), or the timeout ends the wait (`InFlight`).
pub fn confirm(chain: &mut dyn Chain, sent: &[(Signature, u64)], opts: SendOptions) -> Result<Vec<Outcome>> {
    wait(chain, sent, &[], opts)
}

/// [`confirm`], sending each transaction (`txs[i]` is `sent[i]`'s) again every few seconds while it
/// is neither confirmed nor expired. The same signed bytes: it can land once at most.
pub fn confirm_resending(
    chain: &mut dyn Chain,
    sent: &[(Signature, u64)],
    txs: &[&VersionedTransaction],
    opts: SendOptions,
) -> Result<Vec<Outcome>> {
    wait(chain, sent, txs, opts)
}

fn wait(
    chain: &mut dyn Chain,
    sent: &[(Signature, u64)],
    txs: &[&VersionedTransaction],
    opts: SendOptions,
) -> Result<Vec<Outcome>> {
    let signatures: Vec<Signature> = sent.iter().map(|(s, _)| *s).collect();
    let started = Instant::now();
    let mut resent = Instant::now();
    // the block height read before the statuses: a transaction unseen by a status read made after
    // the height passed its last valid block can never land
    let mut height = chain.block_height()?;
    loop {
        let statuses = chain.statuses(&signatures)?;
        let outcomes: Vec<Option<Outcome>> = statuses
            .iter()
            .zip(sent)
            .map(|(status, (_, last_valid))| match status {
                Status::Confirmed => Some(Outcome::Confirmed),
                Status::Failed(err) => Some(Outcome::Failed(err.clone())),
                Status::Pending if height > *last_valid => Some(Outcome::Expired),
                Status::Pending => None,
            })
            .collect();
        if outcomes.iter().all(Option::is_some) || started.elapsed() > opts.confirm_timeout {
            return Ok(outcomes.into_iter().map(|o| o.unwrap_or(Outcome::InFlight)).collect());
        }
        if resent.elapsed() >= RESEND_EVERY {
            for (tx, outcome) in txs.iter().zip(&outcomes) {
                if outcome.is_none() {
                    // whatever the node answers (landed meanwhile, refused, expired), the next
                    // status poll tells
                    let _ = chain.send(tx);
                }
            }
            resent = Instant::now();
        }
        std::thread::sleep(opts.poll);
        height = chain.block_height()?;
    }
}

/// The recent priority fee on `writable`, capped at `cap` micro-lamports per CU.
pub fn priority_fee(chain: &mut dyn Chain, writable: &[Pubkey], cap: u64) -> Result<u64> {
    if cap == 0 {
        return Ok(0);
    }
    Ok(choose_priority_fee(&chain.recent_priority_fees(writable)?, cap))
}
