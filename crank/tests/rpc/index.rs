//! `tributary-index` against a real validator: it backfills and follows the program through an RPC
//! node that fails 15 % of requests, is killed and resumes from its cursor, and on SQLite and on a
//! real PostgreSQL (TRIBUTARY_TEST_POSTGRES, started by scripts/test-rpc) its totals equal the
//! program's own books exactly — per entry and per pool — including a Token-2022 pool whose crank
//! logs the runtime truncates, and a claim.
use crate::faults::FaultProxy;
use crate::setup::{self, assert_books_exact, keypair, Pool};
use crate::validator::TestValidator;
use serde_json::Value;
use solana_signer::Signer;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tributary_crank::chain::Chain;
use tributary_crank::crank::{load_view, CrankOptions, Cranker};
use tributary_crank::rpc::RpcChain;
use tributary_crank::token;
use tributary_crank::tx::{self, SendOptions};
use tributary_sdk::instructions as ix;

/// tests/programs/tributary-caller's program id (its `declare_id!`).
const CALLER_PROGRAM: &str = "9xBHmjfioiGmg2mCcFHEUnezgsiBsQu18ETTgTDTi24h";

/// `ix` (a Tributary instruction) as the caller program forwards it: its first account, then
/// Tributary's program account, then the rest; its own instruction of the same name (the same
/// Anchor discriminator) with the same arguments.
fn through_caller(
    ix: &anchor_lang::solana_program::instruction::Instruction,
) -> anchor_lang::solana_program::instruction::Instruction {
    use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
    let mut accounts = vec![ix.accounts[0].clone(), AccountMeta::new_readonly(tributary::ID, false)];
    accounts.extend(ix.accounts[1..].iter().cloned());
    let program_id = CALLER_PROGRAM.parse().expect("caller program id");
    Instruction { program_id, accounts, data: ix.data.clone() }
}

pub fn index_binary() -> PathBuf {
    std::env::var_os("TRIBUTARY_TEST_INDEXER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/debug/tributary-index")))
}

/// A running `tributary-index run` and its API's address.
pub struct Indexer {
    child: Child,
    pub api: String,
}

impl Indexer {
    pub fn start(rpc: &str, database: &str) -> Self {
        let mut child = Command::new(index_binary())
            .args(["--rpc-url", rpc, "--database", database, "--listen", "127.0.0.1:0", "--poll-ms", "300", "run"])
            .env("RUST_LOG", "warn")
            .stderr(Stdio::piped())
            .spawn()
            .expect("tributary-index (cargo build -p tributary-index)");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let (false, Some(url)) = (sent, line.strip_prefix("listening on ")) {
                    let _ = tx.send(url.to_string());
                    sent = true;
                } else {
                    eprintln!("[index] {line}");
                }
            }
        });
        let api = rx.recv_timeout(Duration::from_secs(60)).expect("the indexer's API came up");
        Self { child, api }
    }

    pub fn get(&self, path: &str) -> Value {
        let body = ureq::get(&format!("{}{path}", self.api)).call().expect(path).into_string().expect("body");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
    }

    pub fn text(&self, path: &str) -> String {
        ureq::get(&format!("{}{path}", self.api)).call().expect(path).into_string().expect("body")
    }

    pub fn status_code(&self, path: &str) -> u16 {
        match ureq::get(&format!("{}{path}", self.api)).call() {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{path}: {e}"),
        }
    }

    /// Wait until every transaction of the program up to `signature` is in the index.
    pub fn wait_for(&self, chain: &mut RpcChain, slot: u64) {
        let started = Instant::now();
        loop {
            let status = self.get("/v1/status");
            if status["newest_slot"].as_u64().unwrap_or(0) >= slot && status["backfill_done"] == true {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(180), "the index never reached slot {slot}: {status}");
            let _ = chain.slot();
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn amount(v: &Value) -> u128 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("an amount string: {v}"))
}

/// The newest slot the program's transactions reached (what the index must catch up to).
pub fn newest_program_slot(chain: &mut RpcChain) -> u64 {
    use solana_commitment_config::CommitmentConfig;
    use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
    let config = GetConfirmedSignaturesForAddress2Config {
        limit: Some(1),
        commitment: Some(CommitmentConfig::confirmed()),
        ..Default::default()
    };
    chain.client().get_signatures_for_address_with_config(&tributary::ID, config).expect("signatures")[0].slot
}

/// Every entry's indexed payouts equal the ledger's `paid`; the pool's indexed totals equal its
/// own; paging through entries 37 at a time misses and repeats nothing.
pub fn reconcile(index: &Indexer, chain: &mut RpcChain, pool: &Pool) {
    let view = load_view(chain, &pool.keys.pool).expect("pool");
    let p = pool.keys.pool.to_string();
    let mut indexed = std::collections::BTreeMap::new();
    let mut after = String::new();
    loop {
        let page = index.get(&format!("/v1/pools/{p}/entries?limit=37&after={after}"));
        for item in page["items"].as_array().expect("items") {
            let entry = item["entry"].as_u64().expect("entry") as u32;
            assert!(indexed.insert(entry, amount(&item["paid"])).is_none(), "entry {entry} listed twice");
        }
        match page["next"].as_str() {
            Some(next) => after = next.to_string(),
            None => break,
        }
    }
    let mut checked = 0;
    for (entry, e) in view.entries() {
        assert_eq!(
            indexed.get(&entry).copied().unwrap_or(0),
            u128::from(e.paid),
            "entry {entry}: indexed = ledger's paid"
        );
        checked += 1;
    }
    assert_eq!(checked, indexed.len(), "every registered entry, no other");
    let totals = index.get(&format!("/v1/pools/{p}/totals"));
    assert_eq!(amount(&totals["deposited"]), view.pool.total_deposited(), "{totals}");
    assert_eq!(amount(&totals["usage_fees"]), view.pool.total_usage_fees(), "{totals}");
    assert_eq!(amount(&totals["paid"]), view.pool.total_paid(), "{totals}");
    assert_eq!(amount(&totals["cranker_rewards"]), view.pool.total_cranker_rewards(), "{totals}");
}

#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn the_index_equals_the_ledger_through_faults_restarts_and_truncated_logs() {
    // an application's program calling Tributary (tests/programs/tributary-caller): its cranks reach
    // Tributary by CPI, and the index must count them as any other
    let caller = crate::validator::program_so().with_file_name("tributary_caller.so");
    let v = TestValidator::start_with("index", 12, &[(CALLER_PROGRAM, caller)]);
    let mut chain = v.chain();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("index");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let mut databases = vec![dir.join("index.sqlite").display().to_string()];
    match std::env::var("TRIBUTARY_TEST_POSTGRES") {
        Ok(url) => databases.push(url),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => panic!("CI runs the index on PostgreSQL too"),
        Err(_) => eprintln!("TRIBUTARY_TEST_POSTGRES unset: SQLite only"),
    }
    let proxy = FaultProxy::start(&v.url, 15, 0x1d3);

    // history before the indexer starts: backfilled
    let mut spl = Pool::create(&mut chain, 0xa1, 40, 1, 400_000_011);
    let cranker = keypair(0xa2, 0);
    setup::airdrop(&mut chain, &cranker.pubkey(), 10_000_000_000);
    let mut bot = Cranker::new(cranker.insecure_clone(), CrankOptions::default());
    bot.drain(&mut chain, &spl.keys.pool, 5).expect("crank");
    let mut indexers: Vec<Indexer> = databases.iter().map(|db| Indexer::start(&proxy.url, db)).collect();

    // followed live: a Token-2022 pool whose per-transfer crank logs are cut at the runtime's limit
    let t22 = Pool::create_of(&mut chain, 0xa3, 110, 1, 1_100_000_007, token::TOKEN_2022_PROGRAM);
    let v0 = CrankOptions { format: Some(tx::Format::V0), ..CrankOptions::default() };
    let mut t22_bot = Cranker::new(cranker.insecure_clone(), v0);
    t22_bot.drain(&mut chain, &t22.keys.pool, 5).expect("crank");
    // a claim: contributor 3 takes what one more deposit owes it before the crank does
    spl.deposit(&mut chain, 400_000_013);
    let claimer = spl.contributors[3].insecure_clone();
    let contribution = ix::ContributionRef {
        address: tributary_sdk::pda::contribution(&spl.keys.pool, &setup::hash(0xa1, 3)).0,
        entry: 3,
    };
    let claim = ix::claim(&claimer.pubkey(), &spl.keys, &contribution, &spl.destinations[3]);
    tx::submit(&mut chain, &claimer, &[], &[claim], &[], SendOptions::default()).expect("claim");

    // killed mid-way: the next one resumes from its cursor, counting nothing twice
    for i in &mut indexers {
        i.kill();
    }
    bot.drain(&mut chain, &spl.keys.pool, 5).expect("crank");
    let indexers: Vec<Indexer> = databases.iter().map(|db| Indexer::start(&proxy.url, db)).collect();
    spl.deposit(&mut chain, 400_000_017);
    // entries 0–9 paid by a crank that another program makes by CPI (one transaction, one instruction
    // of the caller's; Tributary's crank is an inner instruction)
    // (entries are numbered as registrations landed: each one's destination comes from the ledger)
    let view = load_view(&mut chain, &spl.keys.pool).expect("pool");
    let by_cpi: Vec<(u32, anchor_lang::prelude::Pubkey)> =
        view.entries().filter(|(entry, _)| *entry < 10).map(|(entry, e)| (entry, e.destination)).collect();
    let crank = ix::crank(&cranker.pubkey(), &spl.keys, 0, &by_cpi, None, ix::CrankMode::PerTransfer);
    let before = setup::balance(&mut chain, &by_cpi[0].1);
    tx::submit(&mut chain, &cranker, &[], &[through_caller(&crank)], &[], SendOptions::default())
        .expect("crank by CPI");
    assert!(setup::balance(&mut chain, &by_cpi[0].1) > before, "the CPI crank paid entry {}", by_cpi[0].0);
    bot.drain(&mut chain, &spl.keys.pool, 5).expect("crank");
    assert_eq!(assert_books_exact(&mut chain, &spl, &[]), 0);
    assert_eq!(assert_books_exact(&mut chain, &t22, &[]), 0);

    let newest = newest_program_slot(&mut chain);
    for index in &indexers {
        index.wait_for(&mut chain, newest);
        reconcile(index, &mut chain, &spl);
        reconcile(index, &mut chain, &t22);
        let status = index.get("/v1/status");
        assert!(status["logs_truncated"].as_u64().unwrap_or(0) >= 1, "the Token-2022 crank's logs were cut: {status}");
        assert_eq!(status["unbalanced"], 0, "{status}");

        // a contributor's statement: JSON pages, CSV, date filters
        let wallet = spl.contributors[3].pubkey().to_string();
        let payouts = index.get(&format!("/v1/wallets/{wallet}/payouts"));
        let items = payouts["items"].as_array().expect("items");
        let kinds: Vec<&str> = items.iter().filter_map(|i| i["kind"].as_str()).collect();
        assert!(kinds.contains(&"claim") && kinds.contains(&"crank"), "{payouts}");
        let total: u128 = items.iter().map(|i| amount(&i["amount"])).sum();
        assert_eq!(total, u128::from(setup::balance(&mut chain, &spl.destinations[3])), "the statement adds up");
        let first = index.get(&format!("/v1/wallets/{wallet}/payouts?limit=1"));
        let next = first["next"].as_str().expect("a second page");
        let second = index.get(&format!("/v1/wallets/{wallet}/payouts?limit=1&after={next}"));
        assert_eq!(second["items"][0], items[1], "keyset pages follow on");
        let csv = index.text(&format!("/v1/wallets/{wallet}/payouts?format=csv"));
        assert_eq!(csv.lines().count(), items.len() + 1, "{csv}");
        assert!(csv.starts_with("date_utc,block_time,pool,mint,payout_account"), "{csv}");
        // a CSV cut by `limit` says where the next one starts, and that cursor continues it
        let cut =
            ureq::get(&format!("{}/v1/wallets/{wallet}/payouts?format=csv&limit=1", index.api)).call().expect("csv");
        let next = cut.header("x-next-cursor").expect("X-Next-Cursor on a cut CSV").to_string();
        let rest = index.text(&format!("/v1/wallets/{wallet}/payouts?format=csv&after={next}"));
        assert_eq!(rest.lines().count(), items.len(), "the rest after the first row: {rest}");
        let future = index.get(&format!("/v1/wallets/{wallet}/payouts?from=2999-01-01"));
        assert_eq!(future["items"].as_array().map(Vec::len), Some(0), "a range after every payout is empty");
        let csv_future = index.text(&format!("/v1/wallets/{wallet}/payouts?format=csv&from=2999-01-01"));
        assert_eq!(csv_future.lines().count(), 1, "the CSV honours the range: {csv_future}");
        let earnings = index.get(&format!("/v1/wallets/{wallet}/earnings"));
        assert_eq!(amount(&earnings["items"][0]["amount"]), total, "{earnings}");

        // a pool's days, batches and top contributors
        let p = spl.keys.pool.to_string();
        let daily = index.get(&format!("/v1/pools/{p}/daily"));
        let paid_by_day: u128 = daily["items"].as_array().expect("days").iter().map(|d| amount(&d["paid"])).sum();
        assert_eq!(paid_by_day, load_view(&mut chain, &spl.keys.pool).expect("pool").pool.total_paid());
        let batches = index.get(&format!("/v1/pools/{p}/crank-batches?limit=1000"));
        assert!(!batches["items"].as_array().expect("batches").is_empty());
        let top = index.get(&format!("/v1/pools/{p}/top-contributors?limit=3"));
        let amounts: Vec<u128> = top["items"].as_array().expect("top").iter().map(|t| amount(&t["amount"])).collect();
        assert!(amounts.len() == 3 && amounts.windows(2).all(|w| w[0] >= w[1]), "{top}");
        assert_eq!(index.status_code("/v1/wallets/not-an-address/payouts"), 400);
        assert_eq!(index.status_code(&format!("/v1/wallets/{wallet}/payouts?from=2026-02-30")), 400);
        assert_eq!(index.status_code(&format!("/v1/wallets/{wallet}/payouts?limit=0")), 400);
        assert!(index.text("/metrics").contains("tributary_index_transactions "), "Prometheus text");
        let openapi = index.get("/openapi.json");
        assert_eq!(openapi["openapi"], "3.1.0");
    }
    // the follower rode out the proxy's faults (retried, never stopped)
    let retries: u64 =
        indexers.iter().map(|i| i.get("/v1/status")["follower"]["rpc_retries"].as_u64().unwrap_or(0)).sum();
    assert!(proxy.counts().faulted() > 0 && retries > 0, "faults were injected and retried: {:?}", proxy.counts());
    eprintln!("faults: {:?}, retries {retries}", proxy.counts());
}
