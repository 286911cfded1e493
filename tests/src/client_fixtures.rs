//! The expected outputs the TypeScript client is checked against (clients/ts/test/fixtures.json):
//! instruction bytes and account metas from the Rust SDK, PDAs, and owed amounts from the
//! program's own `LedgerEntry::owed_at`. A test keeps the checked-in file current.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use serde_json::{json, Value};
use tributary::state::{ContributionKind, LedgerEntry};
use tributary::{CreatePoolArgs, UsageShare, WeightUpdate};
use tributary_sdk::instructions::{self as ix, ContributionRef, CrankMode, PoolKeys};
use tributary_sdk::pda;

pub const PATH: &str = "clients/ts/test/fixtures.json";

fn key(n: u8) -> Pubkey {
    Pubkey::new_from_array([n; 32])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn instruction(name: &str, args: Value, i: Instruction) -> Value {
    json!({
        "name": name,
        "args": args,
        "programId": i.program_id.to_string(),
        "accounts": i.accounts.iter().map(|m| json!({
            "address": m.pubkey.to_string(), "signer": m.is_signer, "writable": m.is_writable
        })).collect::<Vec<_>>(),
        "data": hex(&i.data),
    })
}

pub fn generate() -> Value {
    let (creator, mint, token_program) = (key(1), key(2), anchor_spl::token::ID);
    let keys = PoolKeys::new(&creator, 7, mint, token_program);
    let (contributor, destination, attestor, cranker, reward) = (key(3), key(4), key(5), key(6), key(7));
    let content_hash = [9u8; 32];
    let c = ContributionRef { address: pda::contribution(&keys.pool, &content_hash).0, entry: 90 };
    let ids = json!({"creator": creator.to_string(), "mint": mint.to_string(), "tokenProgram": token_program.to_string(),
        "contributor": contributor.to_string(), "destination": destination.to_string(), "attestor": attestor.to_string(),
        "cranker": cranker.to_string(), "reward": reward.to_string(), "contentHash": hex(&content_hash),
        "pool": keys.pool.to_string(), "vault": keys.vault.to_string(), "contribution": c.address.to_string()});
    let instructions = vec![
        instruction(
            "createPool",
            json!({"poolId": 7, "attestor": attestor.to_string(), "crankerRewardBps": 25, "minPayout": 1000}),
            ix::create_pool(
                &creator,
                &keys,
                CreatePoolArgs { pool_id: 7, attestor, cranker_reward_bps: 25, min_payout: 1000 },
            ),
        ),
        instruction("pause", json!({}), ix::pause(&creator, &keys.pool)),
        instruction("openLedgerPage", json!({"page": 1}), ix::open_ledger_page(&creator, &keys, 1)),
        instruction(
            "registerContribution",
            json!({"entry": 90, "kind": "Model", "uri": "ipfs://bafy/model.safetensors"}),
            ix::register_contribution(
                &contributor,
                &keys,
                90,
                &destination,
                content_hash,
                ContributionKind::Model,
                "ipfs://bafy/model.safetensors".into(),
            ),
        ),
        instruction(
            "setWeights",
            json!({"page": 1, "epoch": 3, "reportHash": hex(&[0xAB; 32]), "updates": [[84, 10], [90, 123456789012u64]]}),
            ix::set_weights(
                &attestor,
                &keys,
                1,
                3,
                [0xAB; 32],
                vec![WeightUpdate { entry: 84, weight: 10 }, WeightUpdate { entry: 90, weight: 123_456_789_012 }],
            ),
        ),
        instruction(
            "deposit",
            json!({"amount": "18446744073709551615"}),
            ix::deposit(&creator, &keys, &destination, u64::MAX),
        ),
        instruction(
            "attributeUsage",
            json!({"page": 1, "fee": 5_000_000, "shares": [[84, 2500], [90, 7500]]}),
            ix::attribute_usage(
                &creator,
                &keys,
                1,
                &destination,
                5_000_000,
                vec![UsageShare { entry: 84, share_bps: 2500 }, UsageShare { entry: 90, share_bps: 7500 }],
            ),
        ),
        instruction(
            "crankBatch",
            json!({"page": 1, "payouts": [[84, key(10).to_string()], [90, key(11).to_string()]]}),
            ix::crank(&cranker, &keys, 1, &[(84, key(10)), (90, key(11))], Some(reward), CrankMode::Batch),
        ),
        instruction(
            "crankPerTransfer",
            json!({"page": 1, "payouts": [[90, key(11).to_string()]]}),
            ix::crank(&cranker, &keys, 1, &[(90, key(11))], None, CrankMode::PerTransfer),
        ),
        instruction("claim", json!({}), ix::claim(&contributor, &keys, &c, &destination)),
        instruction("setDestination", json!({}), ix::set_destination(&contributor, &keys, &c, &key(12))),
    ];
    let pdas = json!({
        "pool": {"creator": creator.to_string(), "poolId": 7, "address": keys.pool.to_string()},
        "vault": {"pool": keys.pool.to_string(), "address": keys.vault.to_string()},
        "ledgerPage": {"pool": keys.pool.to_string(), "page": 3, "address": keys.page(3).to_string()},
        "contribution": {"pool": keys.pool.to_string(), "contentHash": hex(&content_hash), "address": c.address.to_string()},
    });
    // owed amounts across the math's edges: exact sub-unit carry, large weights, overflow
    let mut owed = Vec::new();
    let cases: [(u64, u128, u128, u64, u64); 6] = [
        (3, 0, 0, 0, 0),
        (3, 1u128 << 64, 0, 0, 5),
        (7, (10u128 << 64) / 3, 0, u64::MAX, 0),
        (123_456_789_012, (1u128 << 64) + 987_654_321, 77, 1 << 63, 42),
        (u64::MAX, 1u128 << 66, 0, 0, 0),
        (1, 5, 9, 0, 0),
    ];
    for (weight, acc, snapshot, frac, owed_before) in cases {
        let entry = LedgerEntry {
            weight,
            snapshot: tributary_math::split(snapshot),
            frac,
            owed: owed_before,
            ..bytemuck::Zeroable::zeroed()
        };
        let result = entry.owed_at(acc).map(|o| o.to_string()).unwrap_or_else(|_| "overflow".into());
        owed.push(json!({"weight": weight.to_string(), "acc": acc.to_string(), "snapshot": snapshot.to_string(),
            "frac": frac.to_string(), "owed": owed_before.to_string(), "expected": result}));
    }
    // a slot's share of a page at each SIMD-0437 rent step (and an odd rent), as the program computes it
    let slot_shares: Vec<Value> = [6_960u64, 6_333, 5_080, 2_575, 1_322, 696, 1]
        .iter()
        .map(|per_byte| {
            let page_rent = (tributary::state::LedgerPage::SPACE as u64 + 128) * per_byte;
            json!({"pageRent": page_rent.to_string(),
                "slotShare": tributary::state::LedgerPage::slot_share(page_rent).to_string()})
        })
        .collect();
    json!({"ids": ids, "instructions": instructions, "pdas": pdas, "owed": owed, "slotShares": slot_shares,
        "attest": attest(&keys.pool)})
}

/// Receipts as a service might write them (some loosely: extra zeros, spaces), what the client
/// must make of them: canonical lines and leaves, the report (bytes and hash), proofs, and a
/// usage-fee plan by score (ATTESTATION.md).
fn attest(pool: &Pubkey) -> Value {
    use tributary_attest::{hex32, plan_usage_fee, scores_of, Receipt, ReceiptProof, Report};
    let pool = pool.to_string();
    let mut inputs: Vec<String> = Vec::new();
    for i in 0..7u32 {
        let hash = if i % 3 == 0 { format!(",\"content_hash\":\"{}\"", "0f".repeat(32)) } else { String::new() };
        // every other receipt names the attributor and its input (ATTRIBUTION.md)
        let method = if i % 2 == 1 {
            format!(
                ",\"method\":\"span-match/v1;min_tokens={}\",\"input\":\"{}\"",
                4 + i,
                format!("{i:02x}").repeat(32)
            )
        } else {
            String::new()
        };
        inputs.push(format!(
            "{{\"v\":1, \"id\":\"req-{i}\",\"time\":{},\"pool\":\"{pool}\",\"consumer\":\"user \\\"{}\\\" é\",\"kind\":\"{}\"{method},\"uses\":[{{\"entry\":{}{hash},\"score\":\"0{}.{}00\"}},{{\"entry\":{},\"score\":\"{}\"}}]}}",
            1_764_520_000 + i,
            i % 2,
            ["inference", "training", "fine_tuning"][i as usize % 3],
            i % 4,
            i,
            7 * i + 1,
            84 + i % 2,
            if i == 6 { "0" } else { "1.000000001" },
        ));
    }
    let receipts: Vec<Receipt> =
        inputs.iter().enumerate().map(|(i, l)| Receipt::parse(l, i as u64 + 1).expect("fixture receipt")).collect();
    let text = inputs.join("\n") + "\n";
    let report = Report::build(text.as_bytes(), &pool, 4).expect("fixture report");
    let proofs: Vec<Value> = [0usize, 5, 6]
        .iter()
        .map(|i| {
            let proof = ReceiptProof::build(|| Ok(text.as_bytes()), &format!("req-{i}")).expect("proof");
            serde_json::to_value(proof).expect("json")
        })
        .collect();
    let scores = scores_of(&receipts).expect("scores");
    let plan = plan_usage_fee(&scores, 1_000_003, 84, 16).expect("plan");
    json!({
        "inputs": inputs,
        "canonical": receipts.iter().map(|r| String::from_utf8(r.canonical()).unwrap_or_default()).collect::<Vec<_>>(),
        "leaves": receipts.iter().map(|r| hex32::encode(&tributary_attest::merkle::leaf_hash(&r.canonical()))).collect::<Vec<_>>(),
        "report": String::from_utf8(report.canonical()).unwrap_or_default(),
        "reportHash": hex32::encode(&report.hash()),
        "proofs": proofs,
        "usage": {"fee": 1_000_003, "plan": plan.iter().map(|p| json!({"page": p.page, "fee": p.fee, "shares": p.shares})).collect::<Vec<_>>()},
    })
}

pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&generate()).unwrap_or_default();
    text.push('\n');
    text
}
