//! The operator commands. Each checks its input against the chain before sending anything, so bad
//! input (a malformed CSV line, a wrong mint, an unknown entry) is refused with a message and
//! changes nothing; what the program refuses comes back with the program's named error.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use solana_signer::Signer;
use std::path::Path;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::state::{entry_status, ContributionKind, Pool};
use tributary::{CreatePoolArgs, UsageShare, WeightUpdate};
use tributary_crank::chain::Chain;
use tributary_crank::crank::PoolView;
use tributary_crank::token::{self, format_amount, parse_amount};
use tributary_crank::tx::{self, SendOptions};
use tributary_sdk::instructions::{self as ix, PoolKeys};
use tributary_sdk::{accounts as decode, pda};

/// What a command did: a line or table for people, a value for `--output json`.
pub struct Outcome {
    pub human: String,
    pub json: Value,
}

fn send(chain: &mut dyn Chain, payer: &dyn Signer, ixs: &[Instruction]) -> Result<tx::Landed> {
    tx::submit(chain, payer, &[], ixs, &[], SendOptions::default()).map_err(|e| anyhow!("{e}"))
}

pub fn load_pool(chain: &mut dyn Chain, address: &Pubkey) -> Result<PoolView> {
    tributary_crank::crank::load_view(chain, address).map_err(|e| anyhow!("{e}"))
}

pub struct CreatePool {
    pub mint: Pubkey,
    pub pool_id: u64,
    pub attestor: Option<Pubkey>,
    pub cranker_reward_bps: u16,
    pub min_payout: String,
}

pub fn pool_create(chain: &mut dyn Chain, payer: &dyn Signer, a: CreatePool) -> Result<Outcome> {
    let mint = chain.get_account(&a.mint)?.ok_or_else(|| anyhow!("mint {} does not exist", a.mint))?;
    let decimals = token::mint_decimals(&mint).ok_or_else(|| anyhow!("{} is not a token mint", a.mint))?;
    let min_payout = parse_amount(&a.min_payout, decimals).map_err(|e| anyhow!("--min-payout: {e}"))?;
    let keys = PoolKeys::new(&payer.pubkey(), a.pool_id, a.mint, mint.owner);
    if chain.get_account(&keys.pool)?.is_some() {
        bail!("pool {} (id {}) already exists: pick another --pool-id", keys.pool, a.pool_id);
    }
    let args = CreatePoolArgs {
        pool_id: a.pool_id,
        attestor: a.attestor.unwrap_or(payer.pubkey()),
        cranker_reward_bps: a.cranker_reward_bps,
        min_payout,
    };
    let landed = send(chain, payer, &[ix::create_pool(&payer.pubkey(), &keys, args)])?;
    Ok(Outcome {
        human: format!("created pool {} (vault {}), signature {}", keys.pool, keys.vault, landed.signature),
        json: json!({"pool": keys.pool.to_string(), "vault": keys.vault.to_string(), "mint": a.mint.to_string(),
            "signature": landed.signature.to_string()}),
    })
}

pub fn pool_json(address: &Pubkey, p: &Pool, owed: u128) -> Value {
    json!({
        "pool": address.to_string(), "creator": p.creator.to_string(), "pool_id": p.pool_id,
        "authority": p.authority.to_string(), "attestor": p.attestor.to_string(), "mint": p.mint.to_string(),
        "token_program": p.token_program.to_string(), "vault": p.vault.to_string(), "decimals": p.decimals,
        "paused": p.is_paused(), "entries": p.entry_count, "active_contributions": p.active_contributions,
        "ledger_pages": p.ledger_pages, "page_fund": p.page_fund, "total_weight": p.total_weight, "epoch": p.epoch,
        "cranker_reward_bps": p.cranker_reward_bps, "min_payout": p.min_payout,
        "total_deposited": p.total_deposited().to_string(), "total_usage_fees": p.total_usage_fees().to_string(),
        "total_paid": p.total_paid().to_string(), "total_cranker_rewards": p.total_cranker_rewards().to_string(),
        "held": p.held, "owed": owed.to_string(),
    })
}

pub fn pool_show(chain: &mut dyn Chain, address: &Pubkey) -> Result<Outcome> {
    let view = load_pool(chain, address)?;
    let p = &view.pool;
    let owed = view.total_owed().map_err(|e| anyhow!("{e}"))?;
    let freeze =
        chain.get_account(&p.mint).map_err(|e| anyhow!("{e}"))?.as_ref().and_then(token::mint_freeze_authority);
    let freeze_line = match freeze {
        Some(Some(authority)) => format!("{authority} (can freeze the vault: every claim and crank would stop)"),
        Some(None) => "none".to_string(),
        None => "unknown (mint not readable)".to_string(),
    };
    let amount = |v: u128| format_amount(v, p.decimals);
    let human = [
        format!("pool              {address}"),
        format!("mint              {} ({} decimals)", p.mint, p.decimals),
        format!("freeze authority  {freeze_line}"),
        format!("authority         {}", p.authority),
        format!("attestor          {}", p.attestor),
        format!("state             {}", if p.is_paused() { "PAUSED" } else { "active" }),
        format!("contributions     {} active / {} registered", p.active_contributions, p.entry_count),
        format!(
            "ledger pages      {} ({} SOL in the page fund for the next)",
            p.ledger_pages,
            format_amount(u128::from(p.page_fund), 9)
        ),
        format!("total weight      {} (epoch {})", p.total_weight, p.epoch),
        format!("deposited         {}", amount(p.total_deposited())),
        format!("  of which usage  {}", amount(p.total_usage_fees())),
        format!("paid              {}", amount(p.total_paid())),
        format!("cranker rewards   {} ({} bps)", amount(p.total_cranker_rewards()), p.cranker_reward_bps),
        format!("owed now          {}", amount(owed)),
        format!("min payout        {}", amount(u128::from(p.min_payout))),
    ]
    .join("\n");
    let mut json = pool_json(address, p, owed);
    json["freeze_authority"] = match freeze {
        Some(Some(authority)) => json!(authority.to_string()),
        _ => Value::Null,
    };
    json["vault_can_be_frozen"] = json!(!matches!(freeze, Some(None)));
    Ok(Outcome { human, json })
}

pub fn parse_kind(text: &str) -> Result<ContributionKind> {
    Ok(match text.to_ascii_lowercase().as_str() {
        "dataset" | "data" => ContributionKind::Dataset,
        "model" => ContributionKind::Model,
        "compute" => ContributionKind::Compute,
        "other" => ContributionKind::Other,
        _ => bail!("unknown kind '{text}': dataset, model, compute or other"),
    })
}

pub fn parse_hash(text: &str) -> Result<[u8; 32]> {
    let text = text.trim_start_matches("0x");
    if text.len() != 64 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("content hash must be 64 hex digits (a SHA-256)");
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)?;
    }
    Ok(out)
}

pub fn sha256_file(path: &Path) -> Result<[u8; 32]> {
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hasher.finalize().into())
}

pub struct Contribute {
    pub pool: Pubkey,
    pub content_hash: [u8; 32],
    pub uri: String,
    pub kind: ContributionKind,
    pub destination: Option<Pubkey>,
}

/// Register a contribution: opens the next ledger page first when the current one is full, and
/// creates the contributor's associated token account when it is the destination.
pub fn contribute(chain: &mut dyn Chain, payer: &dyn Signer, a: Contribute) -> Result<Outcome> {
    let view = load_pool(chain, &a.pool)?;
    let p = &view.pool;
    if a.uri.len() > tributary::constants::MAX_URI_LEN as usize {
        bail!("--uri is {} bytes; at most {}", a.uri.len(), tributary::constants::MAX_URI_LEN);
    }
    let (contribution, _) = pda::contribution(&a.pool, &a.content_hash);
    if chain.get_account(&contribution)?.is_some() {
        bail!("this content is already registered in the pool as {contribution}");
    }
    let mut ixs = Vec::new();
    let destination = match a.destination {
        Some(d) => d,
        None => {
            ixs.push(token::create_associated_token_account(
                &payer.pubkey(),
                &payer.pubkey(),
                &p.mint,
                &p.token_program,
            ));
            token::associated_token_address(&payer.pubkey(), &p.mint, &p.token_program)
        }
    };
    let entry = p.entry_count;
    if pda::page_of(entry) >= p.ledger_pages {
        ixs.push(ix::open_ledger_page(&payer.pubkey(), &view.keys, p.ledger_pages));
    }
    ixs.push(ix::register_contribution(
        &payer.pubkey(),
        &view.keys,
        entry,
        &destination,
        a.content_hash,
        a.kind,
        a.uri.clone(),
    ));
    let landed = send(chain, payer, &ixs)?;
    // the registration's time as the program recorded it (the cluster's clock, not this machine's)
    let recorded = chain.get_account(&contribution)?.and_then(|a| decode::contribution(&a.data).ok());
    let (slot, created_at) = recorded.map_or((0, 0), |c| (c.created_slot, c.created_at));
    Ok(Outcome {
        human: format!(
            "registered contribution {contribution} as entry {entry} (payouts to {destination}) at {} (slot {slot}), \
             signature {}",
            unix_time(created_at),
            landed.signature
        ),
        json: json!({"contribution": contribution.to_string(), "entry": entry, "destination": destination.to_string(),
            "content_hash": hex(&a.content_hash), "signature": landed.signature.to_string(),
            "created_slot": slot, "created_at": created_at, "created_at_utc": unix_time(created_at)}),
    })
}

/// A unix time as RFC 3339 UTC ("2026-11-30T16:40:00Z").
pub fn unix_time(seconds: i64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds.max(0).unsigned_abs());
    humantime::format_rfc3339_seconds(time).to_string()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `entry,weight` lines (an optional header; `#` comments); the entry may also be given as the
/// contribution's address. Every line is checked before anything is sent.
pub fn parse_weights_csv(text: &str) -> Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if i == 0
            && fields.first().is_some_and(|f| f.eq_ignore_ascii_case("entry") || f.eq_ignore_ascii_case("contribution"))
        {
            continue;
        }
        let [who, weight] = fields[..] else {
            bail!("line {}: expected 'entry,weight', got '{line}'", i + 1);
        };
        let weight: u64 =
            weight.parse().map_err(|_| anyhow!("line {}: weight '{weight}' is not a whole number", i + 1))?;
        if who.is_empty() {
            bail!("line {}: missing entry", i + 1);
        }
        out.push((who.to_string(), weight));
    }
    if out.is_empty() {
        bail!("no weights in the file");
    }
    Ok(out)
}

pub use tributary_sdk::instructions::WEIGHTS_PER_TX;

pub fn weights_set(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    pool: &Pubkey,
    file: &Path,
    epoch: Option<u64>,
) -> Result<Outcome> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let rows = parse_weights_csv(&text).with_context(|| format!("{}", file.display()))?;
    let view = load_pool(chain, pool)?;
    if view.pool.attestor != payer.pubkey() {
        bail!("{} is not the pool's attestor ({})", payer.pubkey(), view.pool.attestor);
    }
    let mut updates: Vec<WeightUpdate> = Vec::with_capacity(rows.len());
    for (who, weight) in &rows {
        let entry = match who.parse::<u32>() {
            Ok(entry) => entry,
            Err(_) => {
                let address: Pubkey = who.parse().map_err(|_| anyhow!("'{who}' is neither an entry nor an address"))?;
                let account = chain.get_account(&address)?.ok_or_else(|| anyhow!("no contribution at {address}"))?;
                decode::contribution(&account.data).map_err(|e| anyhow!("{address}: {e}"))?.entry
            }
        };
        let active = view.entry(entry).is_some_and(|e| e.status == entry_status::ACTIVE);
        if !active {
            bail!("entry {entry} ('{who}') is not an active contribution of pool {pool}");
        }
        updates.push(WeightUpdate { entry, weight: *weight });
    }
    let report_hash: [u8; 32] = Sha256::digest(text.as_bytes()).into();
    let epoch = epoch.unwrap_or(view.pool.epoch + 1);
    let (sent, signatures) = post_weights(chain, payer, &view, updates, epoch, report_hash)?;
    Ok(Outcome {
        human: format!(
            "set {sent} weights (epoch {epoch}, report {}) in {} transactions",
            hex(&report_hash),
            signatures.len()
        ),
        json: json!({"pool": pool.to_string(), "weights": sent, "epoch": epoch, "report_hash": hex(&report_hash),
            "signatures": signatures}),
    })
}

/// Send `updates` as the attestor's `set_weights` batches of `epoch` and `report_hash` (one page
/// and at most [`WEIGHTS_PER_TX`] updates each; at least one, so the epoch is recorded even with
/// nothing to change). Returns how many weights were sent and the signatures.
pub fn post_weights(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    view: &PoolView,
    mut updates: Vec<WeightUpdate>,
    epoch: u64,
    report_hash: [u8; 32],
) -> Result<(usize, Vec<String>)> {
    if view.pool.attestor != payer.pubkey() {
        bail!("{} is not the pool's attestor ({})", payer.pubkey(), view.pool.attestor);
    }
    updates.sort_by_key(|u| u.entry);
    let mut sent = 0;
    let mut signatures = Vec::new();
    let mut start = 0;
    while start < updates.len() || signatures.is_empty() {
        let page = updates.get(start).map_or(0, |u| pda::page_of(u.entry));
        let same_page = updates[start..].iter().take_while(|u| pda::page_of(u.entry) == page).count();
        let chunk = &updates[start..start + same_page.min(WEIGHTS_PER_TX)];
        let landed = send(
            chain,
            payer,
            &[ix::set_weights(&payer.pubkey(), &view.keys, page, epoch, report_hash, chunk.to_vec())],
        )?;
        signatures.push(landed.signature.to_string());
        sent += chunk.len();
        start += chunk.len();
    }
    Ok((sent, signatures))
}

/// The payer's token account to spend from: `from`, or its associated account; checked for mint.
pub fn source_account(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    view: &PoolView,
    from: Option<Pubkey>,
) -> Result<(Pubkey, u64)> {
    let p = &view.pool;
    let address = from.unwrap_or_else(|| token::associated_token_address(&payer.pubkey(), &p.mint, &p.token_program));
    let account = chain.get_account(&address)?.ok_or_else(|| anyhow!("token account {address} does not exist"))?;
    if account.owner != p.token_program || account.data.len() < 165 {
        bail!("{address} is not a token account of {}", p.token_program);
    }
    let mint = Pubkey::try_from(&account.data[..32]).map_err(|_| anyhow!("bad token account"))?;
    if mint != p.mint {
        bail!("token account {address} holds mint {mint}; the pool takes {}", p.mint);
    }
    Ok((address, token::token_balance(&account).unwrap_or(0)))
}

pub fn deposit(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    pool: &Pubkey,
    amount: &str,
    from: Option<Pubkey>,
) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    let amount = parse_amount(amount, view.pool.decimals).map_err(|e| anyhow!("--amount: {e}"))?;
    if amount == 0 {
        bail!("--amount must be more than zero");
    }
    let (source, balance) = source_account(chain, payer, &view, from)?;
    if balance < amount {
        bail!(
            "{source} holds {}, less than {}",
            format_amount(balance.into(), view.pool.decimals),
            format_amount(amount.into(), view.pool.decimals)
        );
    }
    let landed = send(chain, payer, &[ix::deposit(&payer.pubkey(), &view.keys, &source, amount)])?;
    Ok(Outcome {
        human: format!(
            "deposited {} into {pool}, signature {}",
            format_amount(amount.into(), view.pool.decimals),
            landed.signature
        ),
        json: json!({"pool": pool.to_string(), "amount": amount, "signature": landed.signature.to_string()}),
    })
}

/// `entry:bps` pairs, e.g. "0:5000,3:5000"; they must sum to 10,000.
pub fn parse_shares(text: &str) -> Result<Vec<UsageShare>> {
    let mut shares = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (entry, bps) = part.split_once(':').ok_or_else(|| anyhow!("share '{part}' is not entry:bps"))?;
        let entry: u32 = entry.trim().parse().map_err(|_| anyhow!("share '{part}': bad entry"))?;
        let share_bps: u16 = bps.trim().parse().map_err(|_| anyhow!("share '{part}': bad basis points"))?;
        shares.push(UsageShare { entry, share_bps });
    }
    let total: u32 = shares.iter().map(|s| u32::from(s.share_bps)).sum();
    if total != 10_000 {
        bail!("shares sum to {total} bps; they must sum to 10000");
    }
    Ok(shares)
}

/// Send each instruction in its own transaction, in order; returns the signatures.
pub fn send_instructions(chain: &mut dyn Chain, payer: &dyn Signer, ixs: &[Instruction]) -> Result<Vec<String>> {
    ixs.iter().map(|ix| Ok(send(chain, payer, std::slice::from_ref(ix))?.signature.to_string())).collect()
}

pub fn attribute(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    pool: &Pubkey,
    fee: &str,
    shares: &str,
    from: Option<Pubkey>,
) -> Result<Outcome> {
    let shares = parse_shares(shares)?;
    let view = load_pool(chain, pool)?;
    let fee = parse_amount(fee, view.pool.decimals).map_err(|e| anyhow!("--fee: {e}"))?;
    let page = pda::page_of(shares[0].entry);
    if let Some(other) = shares.iter().find(|s| pda::page_of(s.entry) != page) {
        bail!(
            "entries {} and {} are on different ledger pages ({ENTRIES_PER_PAGE} entries each): one call per page",
            shares[0].entry,
            other.entry
        );
    }
    let (source, balance) = source_account(chain, payer, &view, from)?;
    if balance < fee {
        bail!("{source} holds less than the fee");
    }
    let landed =
        send(chain, payer, &[ix::attribute_usage(&payer.pubkey(), &view.keys, page, &source, fee, shares.clone())])?;
    Ok(Outcome {
        human: format!(
            "attributed a usage fee of {} over {} entries, signature {}",
            format_amount(fee.into(), view.pool.decimals),
            shares.len(),
            landed.signature
        ),
        json: json!({"pool": pool.to_string(), "fee": fee, "entries": shares.iter().map(|s| s.entry).collect::<Vec<_>>(),
            "signature": landed.signature.to_string()}),
    })
}

pub fn claim(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    contribution: &Pubkey,
    destination: Option<Pubkey>,
) -> Result<Outcome> {
    let (c_ref, view) = crate::admin::own_contribution(chain, &payer.pubkey(), contribution)?;
    let entry = view.entry(c_ref.entry).ok_or_else(|| anyhow!("entry {} not found", c_ref.entry))?;
    let owed = view.owed(entry).map_err(|e| anyhow!("{e}"))?;
    if owed == 0 {
        bail!("nothing is owed to {contribution} right now");
    }
    let mut ixs = Vec::new();
    let destination = match destination {
        Some(d) => d,
        None => {
            ixs.push(token::create_associated_token_account(
                &payer.pubkey(),
                &payer.pubkey(),
                &view.pool.mint,
                &view.pool.token_program,
            ));
            token::associated_token_address(&payer.pubkey(), &view.pool.mint, &view.pool.token_program)
        }
    };
    ixs.push(ix::claim(&payer.pubkey(), &view.keys, &c_ref, &destination));
    let landed = send(chain, payer, &ixs)?;
    Ok(Outcome {
        human: format!(
            "claimed {} to {destination}, signature {}",
            format_amount(owed.into(), view.pool.decimals),
            landed.signature
        ),
        json: json!({"contribution": contribution.to_string(), "amount": owed, "destination": destination.to_string(),
            "signature": landed.signature.to_string()}),
    })
}

/// Every pool of the program, or one.
pub fn status(chain: &mut dyn Chain, pool: Option<Pubkey>) -> Result<Outcome> {
    let pools: Vec<Pubkey> = match pool {
        Some(p) => vec![p],
        None => tributary_crank::crank::list_pools(chain)?,
    };
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for address in pools {
        let view = load_pool(chain, &address)?;
        let owed = view.total_owed().map_err(|e| anyhow!("{e}"))?;
        let (due, unpayable) = tributary_crank::crank::due_payouts(chain, &view).map_err(|e| anyhow!("{e}"))?;
        let p = &view.pool;
        let amount = |v: u128| format_amount(v, p.decimals);
        rows.push(format!(
            "{:<44}  {:>7}  {:>14}  {:>14}  {:>14}  {:>5}  {:>9}  {}",
            address.to_string(),
            p.active_contributions,
            amount(p.total_deposited()),
            amount(p.total_paid()),
            amount(owed),
            due.len(),
            unpayable.len(),
            if p.is_paused() { "paused" } else { "active" }
        ));
        let mut j = pool_json(&address, p, owed);
        j["due"] = json!(due.len());
        j["unpayable"] = json!(unpayable.len());
        json_rows.push(j);
    }
    let header = format!(
        "{:<44}  {:>7}  {:>14}  {:>14}  {:>14}  {:>5}  {:>9}  state",
        "pool", "contrib", "deposited", "paid", "owed", "due", "unpayable"
    );
    let human = if rows.is_empty() { "no pools".to_string() } else { format!("{header}\n{}", rows.join("\n")) };
    Ok(Outcome { human, json: json!({"pools": json_rows}) })
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_times_print_as_rfc3339_utc() {
        assert_eq!(super::unix_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::unix_time(1_764_500_000), "2025-11-30T10:53:20Z");
    }
}
