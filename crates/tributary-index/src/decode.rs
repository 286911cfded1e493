//! One confirmed transaction → the rows the indexer keeps. Pure: no RPC, no database, so every rule
//! here is unit-tested on hand-made transactions.
//!
//! Two sources, each used for what only it can tell:
//! - the program's **events** (`Program data:` lines, Anchor's `emit!`), attributed by the runtime's
//!   `invoke` / `success` / `failed` lines to the program executing when each was written — only
//!   Tributary's own count, at the top level or under CPI; another program can log the same bytes;
//! - the **instructions** (top level and inner) and the token **balances** before and after: what
//!   each destination of a `crank` or `claim` received. Events carry no per-entry amount (the crank
//!   writes one summary per batch), and balances survive a truncated log.
use anchor_lang::{AnchorDeserialize, Discriminator, Event};
use solana_message::VersionedMessage;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, UiInstruction, UiTransactionTokenBalance,
};
use std::collections::BTreeMap;
use tributary::events as ev;

/// Every row one transaction yields.
#[derive(Debug, Default, PartialEq)]
pub struct Indexed {
    pub signature: String,
    pub slot: u64,
    pub block_time: Option<i64>,
    /// The transaction failed: nothing it did counts (kept so it is never fetched again).
    pub failed: bool,
    /// This decoder could not read it (named in `/v1/status`, kept so the index goes on).
    pub undecodable: bool,
    /// The runtime cut the log (`Log truncated`): events after the cut are unknown. Payouts still
    /// come from balances; deposits, usage fees and batch summaries after the cut are missing.
    pub logs_truncated: bool,
    /// Balances and events disagree on what the program paid (another instruction of the same
    /// transaction moved tokens of a destination): the payouts are the balances' net amounts.
    pub unbalanced: bool,
    pub events: Vec<EventRow>,
    pub pools: Vec<PoolRow>,
    pub registrations: Vec<Registration>,
    pub destination_changes: Vec<(String, u32, String)>,
    pub deposits: Vec<DepositRow>,
    pub batches: Vec<BatchRow>,
    pub payouts: Vec<PayoutRow>,
}

/// One Tributary event, by name, and the pool it concerns.
#[derive(Debug, PartialEq)]
pub struct EventRow {
    pub name: &'static str,
    pub pool: String,
}

#[derive(Debug, PartialEq)]
pub struct PoolRow {
    pub pool: String,
    pub mint: String,
    pub token_program: String,
    pub creator: String,
}

#[derive(Debug, PartialEq)]
pub struct Registration {
    pub pool: String,
    pub entry: u32,
    pub contribution: String,
    pub contributor: String,
    pub destination: String,
    pub kind: &'static str,
    pub uri: String,
    pub content_hash: String,
}

/// Revenue in: a deposit (`revenue`) or a usage fee (`usage`).
#[derive(Debug, PartialEq)]
pub struct DepositRow {
    pub pool: String,
    pub payer: String,
    pub kind: &'static str,
    pub amount: u64,
}

#[derive(Debug, PartialEq)]
pub struct BatchRow {
    pub pool: String,
    pub page: u32,
    pub cranker: String,
    pub entries: u32,
    pub paid: u32,
    pub skipped: u32,
    pub amount: u64,
    pub reward: u64,
}

/// What one destination token account received from the program in this transaction, and for
/// which entries. Several entries can share one destination; a payout into it is theirs together.
#[derive(Debug, PartialEq)]
pub struct PayoutRow {
    pub pool: String,
    pub destination: String,
    /// The destination's token-account owner (the wallet the tokens reached).
    pub owner: Option<String>,
    pub entries: Vec<u32>,
    /// Contribution accounts named by claims: their entry is looked up by the store.
    pub contributions: Vec<String>,
    pub amount: u64,
    /// `crank` or `claim`.
    pub kind: &'static str,
}

/// What the program's instructions in one transaction paid into one destination.
struct Paid {
    pool: String,
    entries: Vec<u32>,
    contributions: Vec<String>,
    kind: &'static str,
}

impl Paid {
    fn new(pool: &str, kind: &'static str) -> Self {
        Self { pool: pool.to_string(), entries: Vec::new(), contributions: Vec::new(), kind }
    }
}

#[derive(Debug)]
pub struct DecodeError(pub String);
impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for DecodeError {}

fn bad(what: impl Into<String>) -> DecodeError {
    DecodeError(what.into())
}

/// The account positions of `crank` and `claim` (the IDL's order; a test holds them to the
/// program's own list).
const CRANK_POOL: usize = 1;
const CRANK_REWARD_ACCOUNT: usize = tributary::instructions::crank::CrankAccounts::REWARD_ACCOUNT;
const CRANK_DESTINATIONS: usize = tributary::instructions::crank::CrankAccounts::LEN;
const CLAIM_CONTRIBUTION: usize = 1;
const CLAIM_POOL: usize = 2;
const CLAIM_DESTINATION: usize = 6;

pub fn decode(tx: &EncodedConfirmedTransactionWithStatusMeta, program_id: &str) -> Result<Indexed, DecodeError> {
    let signature_of = |t: &solana_transaction::versioned::VersionedTransaction| {
        t.signatures.first().map(|s| s.to_string()).unwrap_or_default()
    };
    let versioned = tx.transaction.transaction.decode().ok_or_else(|| bad("transaction encoding not decodable"))?;
    let mut out =
        Indexed { signature: signature_of(&versioned), slot: tx.slot, block_time: tx.block_time, ..Indexed::default() };
    let Some(meta) = &tx.transaction.meta else {
        return Err(bad(format!("{}: no status meta", out.signature)));
    };
    if meta.err.is_some() {
        out.failed = true;
        return Ok(out);
    }
    let logs: &[String] = match &meta.log_messages {
        OptionSerializer::Some(l) => l,
        _ => &[],
    };
    let events = events_from_logs(logs, program_id);
    out.logs_truncated = events.truncated;
    for event in &events.events {
        apply_event(&mut out, event);
    }

    // the account list the instructions index: static keys, then loaded writable, then readonly
    let mut keys: Vec<String> = versioned.message.static_account_keys().iter().map(|k| k.to_string()).collect();
    if let OptionSerializer::Some(loaded) = &meta.loaded_addresses {
        keys.extend(loaded.writable.iter().cloned());
        keys.extend(loaded.readonly.iter().cloned());
    }
    let key = |i: u8| keys.get(usize::from(i)).cloned().ok_or_else(|| bad(format!("account index {i} out of range")));

    // every instruction the program executed: top level and by CPI
    let mut ours: Vec<(Vec<String>, Vec<u8>)> = Vec::new();
    let top = match &versioned.message {
        VersionedMessage::Legacy(m) => m.instructions.clone(),
        VersionedMessage::V0(m) => m.instructions.clone(),
        VersionedMessage::V1(m) => m.instructions.clone(),
    };
    for ix in &top {
        if key(ix.program_id_index)? == program_id {
            let accounts = ix.accounts.iter().map(|&i| key(i)).collect::<Result<_, _>>()?;
            ours.push((accounts, ix.data.clone()));
        }
    }
    if let OptionSerializer::Some(inner) = &meta.inner_instructions {
        for group in inner {
            for ix in &group.instructions {
                let UiInstruction::Compiled(c) = ix else {
                    return Err(bad("inner instructions must be asked for unparsed (encoding base64)"));
                };
                if key(c.program_id_index)? != program_id {
                    continue;
                }
                let accounts = c.accounts.iter().map(|&i| key(i)).collect::<Result<_, _>>()?;
                let data = bs58::decode(&c.data).into_vec().map_err(|_| bad("inner instruction data not base58"))?;
                ours.push((accounts, data));
            }
        }
    }

    let mut paid: BTreeMap<String, Paid> = BTreeMap::new();
    let mut reward_accounts: Vec<String> = Vec::new();
    for (accounts, data) in &ours {
        if data.starts_with(tributary::instruction::Crank::DISCRIMINATOR) {
            let args = tributary::instruction::Crank::deserialize(&mut &data[8..])
                .map_err(|e| bad(format!("crank arguments: {e}")))?;
            let pool = accounts.get(CRANK_POOL).ok_or_else(|| bad("crank without a pool"))?;
            if let Some(reward) = accounts.get(CRANK_REWARD_ACCOUNT).filter(|r| *r != program_id) {
                reward_accounts.push(reward.clone());
            }
            for (entry, destination) in args.entries.iter().zip(accounts.iter().skip(CRANK_DESTINATIONS)) {
                let row = paid.entry(destination.clone()).or_insert_with(|| Paid::new(pool, "crank"));
                if !row.entries.contains(entry) {
                    row.entries.push(*entry);
                }
            }
        } else if data.starts_with(tributary::instruction::Claim::DISCRIMINATOR) {
            let (Some(pool), Some(contribution), Some(destination)) =
                (accounts.get(CLAIM_POOL), accounts.get(CLAIM_CONTRIBUTION), accounts.get(CLAIM_DESTINATION))
            else {
                return Err(bad("claim with too few accounts"));
            };
            let row = paid.entry(destination.clone()).or_insert_with(|| Paid::new(pool, "claim"));
            row.contributions.push(contribution.clone());
        }
    }
    if paid.is_empty() {
        return Ok(out);
    }

    let balances = |list: &OptionSerializer<Vec<UiTransactionTokenBalance>>| -> Result<BTreeMap<String, (u128, Option<String>)>, DecodeError> {
        let mut m = BTreeMap::new();
        if let OptionSerializer::Some(list) = list {
            for b in list {
                let amount: u128 = b.ui_token_amount.amount.parse().map_err(|_| bad("token amount not an integer"))?;
                let owner = match &b.owner {
                    OptionSerializer::Some(o) => Some(o.clone()),
                    _ => None,
                };
                m.insert(key(b.account_index)?, (amount, owner));
            }
        }
        Ok(m)
    };
    let (pre, post) = (balances(&meta.pre_token_balances)?, balances(&meta.post_token_balances)?);
    let rewards_by_cranker: u128 = out.batches.iter().map(|b| u128::from(b.reward)).sum();
    for (destination, Paid { pool, entries, contributions, kind }) in paid {
        let before = pre.get(&destination).map_or(0, |b| b.0);
        let Some((after, owner)) = post.get(&destination).cloned() else { continue };
        let mut received = after.saturating_sub(before);
        // a reward account that is also a destination received its reward too
        if reward_accounts.contains(&destination) {
            received = received.saturating_sub(rewards_by_cranker);
        }
        if received == 0 {
            continue;
        }
        let amount = u64::try_from(received).map_err(|_| bad("payout above u64"))?;
        out.payouts.push(PayoutRow { pool, destination, owner, entries, contributions, amount, kind });
    }
    // with the whole log read, what the events say the program paid must be what balances show
    if !out.logs_truncated {
        let by_events: u128 = out.batches.iter().map(|b| u128::from(b.amount)).sum::<u128>()
            + events
                .events
                .iter()
                .map(|e| if let Ours::Claimed(c) = e { u128::from(c.amount) } else { 0 })
                .sum::<u128>();
        let by_balances: u128 = out.payouts.iter().map(|p| u128::from(p.amount)).sum();
        out.unbalanced = by_events != by_balances;
    }
    Ok(out)
}

/// The events this indexer reads, decoded by the program crate's own types (the IDL's source).
pub enum Ours {
    PoolCreated(ev::PoolCreated),
    ContributionRegistered(ev::ContributionRegistered),
    DestinationChanged(ev::DestinationChanged),
    RevenueDeposited(ev::RevenueDeposited),
    UsageAttributed(ev::UsageAttributed),
    CrankBatch(ev::CrankBatch),
    Claimed(ev::Claimed),
    /// Any other event of the program: its name and pool (the first field of every event).
    Other(&'static str, anchor_lang::prelude::Pubkey),
}

pub struct LogEvents {
    pub events: Vec<Ours>,
    pub truncated: bool,
}

const OTHER_EVENTS: [(&str, [u8; 8]); 13] = [
    ("PoolPauseChanged", disc::<ev::PoolPauseChanged>()),
    ("PoolConfigUpdated", disc::<ev::PoolConfigUpdated>()),
    ("AuthorityProposed", disc::<ev::AuthorityProposed>()),
    ("AuthorityAccepted", disc::<ev::AuthorityAccepted>()),
    ("AttestorChanged", disc::<ev::AttestorChanged>()),
    ("PoolClosed", disc::<ev::PoolClosed>()),
    ("LedgerPageOpened", disc::<ev::LedgerPageOpened>()),
    ("LedgerPageClosed", disc::<ev::LedgerPageClosed>()),
    ("ContributionRetired", disc::<ev::ContributionRetired>()),
    ("ContributionClosed", disc::<ev::ContributionClosed>()),
    ("WeightsSet", disc::<ev::WeightsSet>()),
    ("InactiveEntrySkipped", disc::<ev::InactiveEntrySkipped>()),
    ("PayoutSkipped", disc::<ev::PayoutSkipped>()),
];

const fn disc<E: Discriminator>() -> [u8; 8] {
    let d = E::DISCRIMINATOR;
    [d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]
}

fn parse<E: Event + AnchorDeserialize>(bytes: &[u8]) -> Option<E> {
    bytes.strip_prefix(E::DISCRIMINATOR).and_then(|mut rest| E::deserialize(&mut rest).ok())
}

/// The event `bytes` hold (discriminator then fields), if they are one of the program's.
pub fn decode_event(bytes: &[u8]) -> Option<Ours> {
    if let Some(e) = parse(bytes) {
        return Some(Ours::PoolCreated(e));
    }
    if let Some(e) = parse(bytes) {
        return Some(Ours::ContributionRegistered(e));
    }
    if let Some(e) = parse(bytes) {
        return Some(Ours::DestinationChanged(e));
    }
    if let Some(e) = parse(bytes) {
        return Some(Ours::RevenueDeposited(e));
    }
    if let Some(e) = parse(bytes) {
        return Some(Ours::UsageAttributed(e));
    }
    if let Some(e) = parse(bytes) {
        return Some(Ours::CrankBatch(e));
    }
    if let Some(e) = parse(bytes) {
        return Some(Ours::Claimed(e));
    }
    let (name, _) = OTHER_EVENTS.iter().find(|(_, d)| bytes.starts_with(d))?;
    // every event's first field is its pool
    let pool = bytes.get(8..40).and_then(|b| <[u8; 32]>::try_from(b).ok())?;
    Some(Ours::Other(name, anchor_lang::prelude::Pubkey::new_from_array(pool)))
}

/// Every event `program_id` itself logged, in order (the runtime's invoke/exit lines say which
/// program wrote each `Program data:` line); nothing after `Log truncated` is attributable.
pub fn events_from_logs(logs: &[String], program_id: &str) -> LogEvents {
    use base64::Engine;
    let mut running: Vec<&str> = Vec::new();
    let mut out = LogEvents { events: Vec::new(), truncated: false };
    for line in logs {
        if let Some(rest) = line.strip_prefix("Program ") {
            if let Some((program, tail)) = rest.split_once(' ') {
                if tail.starts_with("invoke [") && tail.ends_with(']') {
                    running.push(program);
                    continue;
                }
                if tail == "success" || tail.starts_with("failed") {
                    if running.last() == Some(&program) {
                        running.pop();
                    }
                    continue;
                }
            }
        }
        if line == "Log truncated" {
            out.truncated = true;
            break;
        }
        let Some(data) = line.strip_prefix("Program data: ") else { continue };
        if running.last() != Some(&program_id) {
            continue;
        }
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else { continue };
        if let Some(event) = decode_event(&bytes) {
            out.events.push(event);
        }
    }
    out
}

fn apply_event(out: &mut Indexed, event: &Ours) {
    let (name, pool) = match event {
        Ours::PoolCreated(e) => {
            out.pools.push(PoolRow {
                pool: e.pool.to_string(),
                mint: e.mint.to_string(),
                token_program: e.token_program.to_string(),
                creator: e.creator.to_string(),
            });
            ("PoolCreated", e.pool)
        }
        Ours::ContributionRegistered(e) => {
            out.registrations.push(Registration {
                pool: e.pool.to_string(),
                entry: e.entry,
                contribution: e.contribution.to_string(),
                contributor: e.contributor.to_string(),
                destination: e.destination.to_string(),
                kind: match e.kind {
                    tributary::ContributionKind::Dataset => "dataset",
                    tributary::ContributionKind::Model => "model",
                    tributary::ContributionKind::Compute => "compute",
                    tributary::ContributionKind::Other => "other",
                },
                uri: e.uri.clone(),
                content_hash: e.content_hash.iter().map(|b| format!("{b:02x}")).collect(),
            });
            ("ContributionRegistered", e.pool)
        }
        Ours::DestinationChanged(e) => {
            out.destination_changes.push((e.pool.to_string(), e.entry, e.destination.to_string()));
            ("DestinationChanged", e.pool)
        }
        Ours::RevenueDeposited(e) => {
            out.deposits.push(DepositRow {
                pool: e.pool.to_string(),
                payer: e.depositor.to_string(),
                kind: "revenue",
                amount: e.amount,
            });
            ("RevenueDeposited", e.pool)
        }
        Ours::UsageAttributed(e) => {
            out.deposits.push(DepositRow {
                pool: e.pool.to_string(),
                payer: e.payer.to_string(),
                kind: "usage",
                amount: e.fee,
            });
            ("UsageAttributed", e.pool)
        }
        Ours::CrankBatch(e) => {
            out.batches.push(BatchRow {
                pool: e.pool.to_string(),
                page: e.page,
                cranker: e.cranker.to_string(),
                entries: e.entries,
                paid: e.paid,
                skipped: e.skipped,
                amount: e.amount,
                reward: e.reward,
            });
            ("CrankBatch", e.pool)
        }
        Ours::Claimed(e) => ("Claimed", e.pool),
        Ours::Other(name, pool) => (*name, *pool),
    };
    out.events.push(EventRow { name, pool: pool.to_string() });
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;
    use anchor_lang::AnchorSerialize;
    use base64::Engine;

    fn data_line<E: Discriminator + AnchorSerialize>(e: &E) -> String {
        let mut bytes = E::DISCRIMINATOR.to_vec();
        e.serialize(&mut bytes).expect("serialize");
        format!("Program data: {}", base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    fn batch(amount: u64) -> ev::CrankBatch {
        ev::CrankBatch {
            pool: Pubkey::new_from_array([7; 32]),
            page: 0,
            cranker: Pubkey::new_from_array([8; 32]),
            entries: 2,
            paid: 2,
            skipped: 0,
            amount,
            reward: 0,
        }
    }

    #[test]
    fn only_events_the_program_itself_logged_count() {
        let ours = tributary::ID.to_string();
        let other = Pubkey::new_from_array([9; 32]).to_string();
        let logs: Vec<String> = vec![
            // another program logs the very same bytes at the top level: not ours
            format!("Program {other} invoke [1]"),
            data_line(&batch(1)),
            // …and calls Tributary, whose own line counts, then logs a forgery after it returns
            format!("Program {ours} invoke [2]"),
            data_line(&batch(2)),
            format!("Program {ours} success"),
            data_line(&batch(3)),
            format!("Program {other} success"),
            // a line outside any program
            data_line(&batch(4)),
            // Tributary at the top level, calling the forger which logs
            format!("Program {ours} invoke [1]"),
            format!("Program {other} invoke [2]"),
            data_line(&batch(5)),
            format!("Program {other} failed: custom program error: 0x1"),
            data_line(&batch(6)),
            format!("Program {ours} success"),
        ];
        let found = events_from_logs(&logs, &ours);
        let amounts: Vec<u64> = found
            .events
            .iter()
            .filter_map(|e| if let Ours::CrankBatch(b) = e { Some(b.amount) } else { None })
            .collect();
        assert_eq!(amounts, [2, 6]);
        assert!(!found.truncated);
    }

    #[test]
    fn nothing_after_a_truncated_log_is_attributed() {
        let ours = tributary::ID.to_string();
        let logs = vec![
            format!("Program {ours} invoke [1]"),
            data_line(&batch(1)),
            "Log truncated".to_string(),
            data_line(&batch(2)),
        ];
        let found = events_from_logs(&logs, &ours);
        assert_eq!(found.events.len(), 1);
        assert!(found.truncated);
    }

    #[test]
    fn malformed_and_foreign_data_lines_are_ignored() {
        let ours = tributary::ID.to_string();
        let logs = vec![
            format!("Program {ours} invoke [1]"),
            "Program data: not base64 !!".to_string(),
            "Program data: AAAAAAAAAAAAAAAA".to_string(),
            // a known discriminator with its body cut short
            format!(
                "Program data: {}",
                base64::engine::general_purpose::STANDARD.encode(ev::CrankBatch::DISCRIMINATOR)
            ),
            format!("Program {ours} success"),
        ];
        assert!(events_from_logs(&logs, &ours).events.is_empty());
    }

    #[test]
    fn account_positions_match_the_programs_own() {
        use tributary::instructions::crank::CrankAccounts;
        assert_eq!(CrankAccounts::NAMES[CRANK_POOL], "pool");
        assert_eq!(CrankAccounts::NAMES[CRANK_REWARD_ACCOUNT], "reward_account");
        let claim = tributary::accounts::Claim {
            contributor: Pubkey::new_from_array([1; 32]),
            contribution: Pubkey::new_from_array([2; 32]),
            pool: Pubkey::new_from_array([3; 32]),
            ledger_page: Pubkey::new_from_array([4; 32]),
            mint: Pubkey::new_from_array([5; 32]),
            vault: Pubkey::new_from_array([6; 32]),
            destination: Pubkey::new_from_array([7; 32]),
            token_program: Pubkey::new_from_array([8; 32]),
        };
        let metas = anchor_lang::ToAccountMetas::to_account_metas(&claim, None);
        assert_eq!(metas[CLAIM_CONTRIBUTION].pubkey, claim.contribution);
        assert_eq!(metas[CLAIM_POOL].pubkey, claim.pool);
        assert_eq!(metas[CLAIM_DESTINATION].pubkey, claim.destination);
    }
}
