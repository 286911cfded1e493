//! `tributary attest …` and `tributary weights set --report`: attribution reports built from usage
//! receipts, posted as weights, and checked against the chain (the rules: `tributary_attest`,
//! ATTESTATION.md).
use crate::ops::{hex, load_pool, post_weights, send_instructions, source_account, Outcome};
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail, Context, Result};
use serde_json::json;
use solana_signer::Signer;
use std::io::BufReader;
use std::path::Path;
use tributary::state::entry_status;
use tributary::WeightUpdate;
use tributary_attest::{ReceiptProof, Report};
use tributary_crank::chain::Chain;
use tributary_crank::token::{format_amount, parse_amount};
use tributary_sdk::{accounts as decode, pda, view::PoolView};

fn open(path: &Path) -> Result<BufReader<std::fs::File>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(BufReader::with_capacity(1 << 20, file))
}

pub fn read_report(path: &Path) -> Result<Report> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Report::parse(&bytes).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// `attest build`: the report of a receipt log, written canonically to `out`.
pub fn build(receipts: &Path, pool: &Pubkey, epoch: u64, out: &Path) -> Result<Outcome> {
    let report =
        Report::build(open(receipts)?, &pool.to_string(), epoch).map_err(|e| anyhow!("{}: {e}", receipts.display()))?;
    let mut bytes = report.canonical();
    bytes.push(b'\n');
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let hash = hex(&report.hash());
    Ok(Outcome {
        human: format!(
            "report of {} receipts for {} entries, epoch {} -> {}\nreport hash   {hash}\nreceipts root {}",
            report.receipts,
            report.weights.len(),
            report.epoch,
            out.display(),
            hex(&report.receipts_root)
        ),
        json: json!({"report": out.display().to_string(), "report_hash": hash, "receipts": report.receipts,
            "entries": report.weights.len(), "epoch": report.epoch, "receipts_root": hex(&report.receipts_root)}),
    })
}

/// The entries `report` weighs that `view`'s pool never registered (a report for another pool's
/// numbering, or built ahead of the chain).
fn unregistered_entries<'a>(report: &'a Report, view: &'a PoolView) -> impl Iterator<Item = u32> + 'a {
    report
        .weights
        .iter()
        .map(|w| w.entry)
        .filter(|&entry| view.entry(entry).is_none_or(|e| e.status == entry_status::EMPTY))
}

/// `weights set --report`: the report's weights with its epoch and hash, in attestor batches;
/// active entries the report does not name are set to 0, so the pool's weights become the
/// report's exactly. Re-running it after an interruption finishes the same epoch.
pub fn post_report(chain: &mut dyn Chain, payer: &dyn Signer, pool: &Pubkey, path: &Path) -> Result<Outcome> {
    let report = read_report(path)?;
    if report.pool != pool.to_string() {
        bail!("{} is a report for pool {}, not {pool}", path.display(), report.pool);
    }
    let view = load_pool(chain, pool)?;
    let hash = report.hash();
    let resuming = report.epoch == view.pool.epoch && hash == view.pool.report_hash;
    if report.epoch <= view.pool.epoch && !resuming {
        bail!(
            "the pool is at epoch {} (report {}); this report is epoch {}: build it with a higher --epoch",
            view.pool.epoch,
            hex(&view.pool.report_hash),
            report.epoch
        );
    }
    if let Some(entry) = unregistered_entries(&report, &view).next() {
        bail!("the report names entry {entry}, which pool {pool} never registered");
    }
    let mut updates: Vec<WeightUpdate> = Vec::new();
    let mut withdrawn = 0;
    for (entry, e) in view.entries() {
        let weight = report.weight_of(entry);
        if e.status != entry_status::ACTIVE {
            withdrawn += usize::from(weight > 0); // the program counts it as 0
        } else if weight != e.weight || !resuming {
            updates.push(WeightUpdate { entry, weight });
        }
    }
    let (sent, signatures) = post_weights(chain, payer, &view, updates, report.epoch, hash)?;
    Ok(Outcome {
        human: format!(
            "set {sent} weights from {} (epoch {}, report {}) in {} transactions{}",
            path.display(),
            report.epoch,
            hex(&hash),
            signatures.len(),
            if withdrawn > 0 { format!("; {withdrawn} retired or closed entries count as 0") } else { String::new() }
        ),
        json: json!({"pool": pool.to_string(), "weights": sent, "epoch": report.epoch, "report_hash": hex(&hash),
            "withdrawn_entries": withdrawn, "signatures": signatures}),
    })
}

/// `attest verify`: the report is the pool's current one (epoch and hash), every weight on chain
/// is the report's, and (given the receipts) the report is rebuilt from them byte for byte and each
/// content hash a receipt names is the contribution registered at its entry.
pub fn verify(chain: &mut dyn Chain, pool: &Pubkey, path: &Path, receipts: Option<&Path>) -> Result<Outcome> {
    let report = read_report(path)?;
    let mut problems: Vec<String> = Vec::new();
    if report.pool != pool.to_string() {
        bail!("{} is a report for pool {}, not {pool}", path.display(), report.pool);
    }
    let view = load_pool(chain, pool)?;
    let hash = report.hash();
    if view.pool.epoch != report.epoch {
        problems.push(format!("the pool is at epoch {}, the report is epoch {}", view.pool.epoch, report.epoch));
    }
    if view.pool.report_hash != hash {
        problems.push(format!(
            "the report's hash {} is not the hash on chain {}",
            hex(&hash),
            hex(&view.pool.report_hash)
        ));
    }
    let mut checked = 0;
    let mut withdrawn = Vec::new();
    for (entry, e) in view.entries() {
        let expected = report.weight_of(entry);
        match e.status {
            entry_status::ACTIVE if e.weight != expected => {
                problems.push(format!("entry {entry}: weight {} on chain, {expected} in the report", e.weight))
            }
            entry_status::ACTIVE => checked += 1,
            _ if expected > 0 => withdrawn.push(entry),
            _ => {}
        }
    }
    for entry in unregistered_entries(&report, &view) {
        problems.push(format!("the report names entry {entry}, which the pool never registered"));
    }
    let mut rebuilt = false;
    if let Some(receipts) = receipts {
        match Report::build(open(receipts)?, &report.pool, report.epoch) {
            Ok(again) if again.canonical() == report.canonical() => rebuilt = true,
            Ok(again) => problems.push(format!(
                "the receipts in {} build another report (hash {}, {} receipts, root {}): the report or the receipts were changed",
                receipts.display(),
                hex(&again.hash()),
                again.receipts,
                hex(&again.receipts_root)
            )),
            Err(e) => problems.push(format!("{}: {e}", receipts.display())),
        }
        problems.extend(content_hash_problems(chain, pool, receipts)?);
    }
    if !problems.is_empty() {
        bail!("{} does not verify against pool {pool}:\n  {}", path.display(), problems.join("\n  "));
    }
    let note = if withdrawn.is_empty() {
        String::new()
    } else {
        format!("\n{} entries retired or closed since count as 0: {withdrawn:?}", withdrawn.len())
    };
    Ok(Outcome {
        human: format!(
            "verified: pool {pool} epoch {} report {}\n{checked} active weights equal the report's{}{note}",
            report.epoch,
            hex(&hash),
            if rebuilt { format!("; rebuilt byte for byte from {} receipts", report.receipts) } else { String::new() }
        ),
        json: json!({"verified": true, "pool": pool.to_string(), "epoch": report.epoch, "report_hash": hex(&hash),
            "active_weights": checked, "rebuilt_from_receipts": rebuilt, "withdrawn_entries": withdrawn}),
    })
}

/// Each distinct (entry, content hash) a receipt names: the contribution with that content hash
/// must exist in the pool at that entry.
fn content_hash_problems(chain: &mut dyn Chain, pool: &Pubkey, receipts: &Path) -> Result<Vec<String>> {
    let mut named = std::collections::BTreeSet::new();
    tributary_attest::report::for_each_receipt(open(receipts)?, |_, r| {
        named.extend(r.uses.into_iter().filter_map(|u| Some((u.entry, u.content_hash?))));
        Ok(())
    })
    .map_err(|e| anyhow!("{}: {e}", receipts.display()))?;
    let mut problems = Vec::new();
    for (entry, content_hash) in named {
        let bytes = tributary_attest::hex32::decode(&content_hash).ok_or_else(|| anyhow!("bad content hash"))?;
        let address = pda::contribution(pool, &bytes).0;
        match chain.get_account(&address)? {
            Some(account) => match decode::contribution(&account.data) {
                Ok(c) if c.entry == entry => {}
                Ok(c) => problems.push(format!("content hash {content_hash} is entry {}, not {entry}", c.entry)),
                Err(e) => problems.push(format!("{address}: {e}")),
            },
            None => problems.push(format!("entry {entry}: no contribution with content hash {content_hash}")),
        }
    }
    Ok(problems)
}

/// `attribute --receipts`: a usage fee for a batch of requests, split by the scores their receipts
/// give each entry (ATTESTATION.md §6): one `attribute_usage` per ledger page part, each its own
/// transaction paying its own part of the fee.
pub fn attribute_by_receipts(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    pool: &Pubkey,
    fee: &str,
    receipts: &Path,
    from: Option<Pubkey>,
) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    let fee = parse_amount(fee, view.pool.decimals).map_err(|e| anyhow!("--fee: {e}"))?;
    let mut scores = std::collections::BTreeMap::new();
    let mut count = 0u64;
    tributary_attest::report::for_each_receipt(open(receipts)?, |line, receipt| {
        if receipt.pool != pool.to_string() {
            return Err(tributary_attest::AttestError::Receipt {
                line,
                reason: format!("for pool {}, not {pool}", receipt.pool),
            });
        }
        count += 1;
        tributary_attest::add_scores(&mut scores, &receipt).map_err(|entry| tributary_attest::AttestError::Receipt {
            line,
            reason: format!("entry {entry}: the sum of its scores overflows"),
        })
    })
    .map_err(|e| anyhow!("{}: {e}", receipts.display()))?;
    let (source, balance) = source_account(chain, payer, &view, from)?;
    if balance < fee {
        bail!("{source} holds less than the fee");
    }
    let ixs =
        tributary_sdk::instructions::attribute_usage_by_scores(&payer.pubkey(), &view.keys, &source, fee, &scores)
            .map_err(|e| anyhow!("{e}"))?;
    let signatures = send_instructions(chain, payer, &ixs)?;
    Ok(Outcome {
        human: format!(
            "attributed a usage fee of {} over {} entries by the scores of {count} receipts, in {} transactions",
            format_amount(fee.into(), view.pool.decimals),
            scores.len(),
            signatures.len()
        ),
        json: json!({"pool": pool.to_string(), "fee": fee, "receipts": count, "entries": scores.keys().collect::<Vec<_>>(),
            "signatures": signatures}),
    })
}

/// `attest prove`: the inclusion proof of receipt `id`.
pub fn prove(receipts: &Path, id: &str) -> Result<Outcome> {
    let proof = ReceiptProof::build(|| std::fs::File::open(receipts).map(|f| BufReader::with_capacity(1 << 20, f)), id)
        .map_err(|e| anyhow!("{}: {e}", receipts.display()))?;
    let json = serde_json::to_value(&proof)?;
    Ok(Outcome { human: serde_json::to_string(&proof)?, json })
}

/// `attest check-receipt`: the proof's receipt is among those `report` was built from.
pub fn check_receipt(report_path: &Path, proof_path: &Path) -> Result<Outcome> {
    let report = read_report(report_path)?;
    let text = std::fs::read_to_string(proof_path).with_context(|| format!("cannot read {}", proof_path.display()))?;
    let proof: ReceiptProof =
        serde_json::from_str(&text).map_err(|e| anyhow!("{}: not a receipt proof: {e}", proof_path.display()))?;
    proof.check(&report).map_err(|e| anyhow!("{}: {e}", proof_path.display()))?;
    let entries: Vec<u32> = proof.receipt.uses.iter().map(|u| u.entry).collect();
    Ok(Outcome {
        human: format!(
            "receipt '{}' (#{}, entries {entries:?}) is in report {} (epoch {}, {} receipts)",
            proof.receipt.id,
            proof.index,
            hex(&report.hash()),
            report.epoch,
            report.receipts
        ),
        json: json!({"included": true, "id": proof.receipt.id, "index": proof.index, "entries": entries,
            "report_hash": hex(&report.hash()), "epoch": report.epoch}),
    })
}
