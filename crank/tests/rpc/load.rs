//! The load generator behind the validator figures in BENCHMARKS.md (`scripts/load-rpc`): a pool of
//! 10,000 contributors (TRIBUTARY_LOAD_CONTRIBUTORS) on a real validator, cranked cold (lookup
//! tables created), warm, one payout per transaction (the baseline), and through an RPC node that
//! fails 15 % of requests. Writes bench/validator.json (TRIBUTARY_LOAD_OUT), which the benchmark
//! renders; asserts the targets and exact books on the way.
use crate::faults::FaultProxy;
use crate::index::Indexer;
use crate::setup::{self, assert_books_exact, keypair, Pool};
use crate::validator::TestValidator;
use serde_json::json;
use solana_signer::Signer;
use std::time::Instant;
use tributary_crank::chain::Chain;
use tributary_crank::crank::{CrankOptions, Cranker, RoundReport, Shard};
use tributary_crank::rpc::RpcChain;

/// One measured crank run: rounds until nothing payable is left.
pub struct Run {
    pub seconds: f64,
    pub rounds: usize,
    pub payouts: usize,
    pub transactions: usize,
    pub requests: u64,
    pub lamports: u64,
    pub fee_lamports: u64,
    pub retries: u64,
    pub failed_rounds: usize,
    pub expired: usize,
    /// The transaction format the rounds built in (v1 where the validator has it).
    pub format: String,
    /// The most payouts one transaction carried.
    pub largest_transaction: usize,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        let per = |x: f64| if self.payouts == 0 { 0.0 } else { x / self.payouts as f64 };
        json!({
            "seconds": (self.seconds * 10.0).round() / 10.0,
            "rounds": self.rounds,
            "failed_rounds": self.failed_rounds,
            "payouts": self.payouts,
            "transactions": self.transactions,
            "expired_transactions": self.expired,
            "payouts_per_second": (self.payouts as f64 / self.seconds.max(1e-9) * 10.0).round() / 10.0,
            "rpc_requests": self.requests,
            "rpc_requests_per_payout": (per(self.requests as f64) * 1000.0).round() / 1000.0,
            "rpc_retries": self.retries,
            "lamports_spent": self.lamports,
            "fee_lamports": self.fee_lamports,
            "lamports_per_payout": (per(self.lamports as f64) * 10.0).round() / 10.0,
            "format": self.format,
            "largest_transaction": self.largest_transaction,
        })
    }
}

fn sol(chain: &mut RpcChain, key: &anchor_lang::prelude::Pubkey) -> u64 {
    chain.get_account(key).ok().flatten().map(|a| a.lamports).unwrap_or(0)
}

/// Crank `pool` through `chain` until nothing at or above the minimum is owed (books checked exact
/// through `check` after every round), as the bot's run loop would: a failed round is run again.
pub fn crank_until_paid(bot: &mut Cranker, chain: &mut RpcChain, check: &mut RpcChain, pool: &Pool) -> Run {
    let (requests, retries, lamports) = (chain.requests(), chain.retries, sol(check, &bot.payer.pubkey()));
    let started = Instant::now();
    let mut reports: Vec<RoundReport> = Vec::new();
    let mut failed_rounds = 0;
    // the most payouts one transaction carried: the progress callback reports payouts sent so far
    let largest = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let (seen, last) = (largest.clone(), std::cell::Cell::new(0usize));
    bot.on_progress = Some(Box::new(move |done, _| {
        let before = if done > last.get() { last.get() } else { 0 };
        seen.set(seen.get().max(done - before));
        last.set(done);
    }));
    loop {
        match bot.round(chain, &pool.keys.pool) {
            Ok(report) => reports.push(report),
            Err(e) => {
                failed_rounds += 1;
                eprintln!("round failed: {e}");
                reports.push(*e.report); // what it sent before the error was waited for and counted
            }
        }
        let owed = assert_books_exact(check, pool, &[]);
        if owed == 0 || bot.opts.shard.is_some() && reports.last().is_some_and(|r| r.due == 0) {
            break;
        }
        assert!(reports.len() + failed_rounds < 40, "still {owed} owed after {} rounds", reports.len());
    }
    Run {
        seconds: started.elapsed().as_secs_f64(),
        rounds: reports.len(),
        payouts: reports.iter().map(|r| r.payouts).sum(),
        transactions: reports.iter().map(|r| r.transactions).sum(),
        requests: chain.requests() - requests,
        lamports: lamports - sol(check, &bot.payer.pubkey()),
        fee_lamports: reports.iter().map(|r| r.fee_lamports).sum(),
        retries: chain.retries - retries,
        failed_rounds,
        expired: reports.iter().map(|r| r.expired).sum(),
        format: reports.iter().find_map(|r| r.format).map(|f| format!("{:?}", f.version)).unwrap_or_default(),
        largest_transaction: largest.get(),
    }
}

pub fn run() {
    let n: u32 = std::env::var("TRIBUTARY_LOAD_CONTRIBUTORS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let out = std::env::var("TRIBUTARY_LOAD_OUT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/validator.json").into());
    let v = TestValidator::start("load", 8);
    let mut check = v.chain();
    // the indexer follows everything live from the first transaction: SQLite, and PostgreSQL when
    // scripts/test-rpc started one
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("load-index");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let mut databases = vec![("sqlite", dir.join("live.sqlite").display().to_string())];
    if let Ok(url) = std::env::var("TRIBUTARY_TEST_POSTGRES") {
        databases.push(("postgres", url));
    }
    let indexers: Vec<(&str, Indexer)> =
        databases.iter().map(|(name, db)| (*name, Indexer::start(&v.url, db))).collect();
    let started = Instant::now();
    let mut pool = Pool::create(&mut check, 0x81, n, 1, 0);
    let setup_seconds = started.elapsed().as_secs_f64();
    eprintln!("{n} contributors registered and weighted in {setup_seconds:.0} s");
    let cranker = keypair(0x82, 0);
    setup::airdrop(&mut check, &cranker.pubkey(), 1_000 * 1_000_000_000);
    let mut bot = Cranker::new(cranker, CrankOptions::default());
    let revenue = 1_000_000 * u64::from(n) + 7;

    // cold: the crank has no lookup tables yet; every destination goes into one
    pool.deposit(&mut check, revenue);
    let mut chain = v.chain();
    let cold = crank_until_paid(&mut bot, &mut chain, &mut check, &pool);
    eprintln!("cold: {}", cold.json());
    // the rent the tables hold (returned by `tributary lookup-tables reclaim`)
    let tables = tributary_crank::lookup::owned_tables(&mut check, &bot.payer.pubkey()).expect("tables");
    let keys: Vec<_> = tables.iter().map(|t| t.key).collect();
    let table_rent: u64 = check.get_accounts(&keys).expect("tables").iter().flatten().map(|a| a.lamports).sum();

    // warm: the next revenue, everything already in the tables
    pool.deposit(&mut check, revenue);
    let warm = crank_until_paid(&mut bot, &mut chain, &mut check, &pool);
    eprintln!("warm: {}", warm.json());
    // lag from confirmation to the index over the live rounds, in slots
    let newest = crate::index::newest_program_slot(&mut check);
    let mut index_figures = serde_json::Map::new();
    for (name, index) in &indexers {
        index.wait_for(&mut check, newest);
        let status = index.get("/v1/status");
        eprintln!("index ({name}) after the warm round: {status}");
        index_figures.insert(format!("{name}_lag_slots"), status["lag_slots"].clone());
    }

    // baseline: one payout per transaction, on a twentieth of the pool (pages 0, 20, 40 …)
    pool.deposit(&mut check, revenue);
    let shard = Some(Shard { index: 0, count: 20 });
    bot.opts = CrankOptions { max_payouts_per_tx: Some(1), shard, ..CrankOptions::default() };
    let baseline = crank_until_paid(&mut bot, &mut chain, &mut check, &pool);
    eprintln!("baseline: {}", baseline.json());
    bot.opts = CrankOptions::default();
    let _ = crank_until_paid(&mut bot, &mut chain, &mut check, &pool);

    // through a node that fails 15 % of requests
    pool.deposit(&mut check, revenue);
    let proxy = FaultProxy::start(&v.url, 15, 0x8182);
    let mut faulty = RpcChain::new(&proxy.url);
    let faulted = crank_until_paid(&mut bot, &mut faulty, &mut check, &pool);
    let counts = proxy.counts();
    eprintln!("faults: {}  {counts:?}", faulted.json());
    assert_eq!(assert_books_exact(&mut check, &pool, &[]), 0, "everything owed was paid, once");

    // the index equals the ledger, per entry and per pool, on every database
    let newest = crate::index::newest_program_slot(&mut check);
    for (name, index) in &indexers {
        index.wait_for(&mut check, newest);
        crate::index::reconcile(index, &mut check, &pool);
        let status = index.get("/v1/status");
        index_figures.insert(format!("{name}_reconciled_entries"), json!(n));
        index_figures.insert(format!("{name}_transactions"), status["transactions"].clone());
        index_figures.insert(format!("{name}_totals"), index.get(&format!("/v1/pools/{}/totals", pool.keys.pool)));
    }
    drop(indexers);
    // a backfill of the whole history into an empty database, with its rate
    let started = Instant::now();
    let backfill = std::process::Command::new(crate::index::index_binary())
        .args(["--rpc-url", &v.url, "--database", &dir.join("backfill.sqlite").display().to_string(), "backfill"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("tributary-index backfill");
    assert!(backfill.status.success(), "backfill: {}", String::from_utf8_lossy(&backfill.stderr));
    let said = String::from_utf8_lossy(&backfill.stderr).lines().last().unwrap_or_default().to_string();
    eprintln!("backfill: {said}");
    index_figures.insert("backfill_seconds".into(), json!((started.elapsed().as_secs_f64() * 10.0).round() / 10.0));
    index_figures.insert("backfill".into(), json!(said));

    let so = std::fs::read(crate::validator::program_so()).expect("program");
    let report = json!({
        "contributors": n,
        "program_sha256": tributary_cli::ops::hex(&sha256(&so)),
        "validator": v.version(),
        "setup_seconds": setup_seconds.round(),
        "cold": cold.json(),
        "lookup_tables": tables.len(),
        "lookup_table_rent_lamports": table_rent,
        "lookup_table_rent_per_destination": table_rent as f64 / f64::from(n),
        "warm": warm.json(),
        "baseline_one_payout_per_tx": baseline.json(),
        "index": index_figures,
        "faulty_rpc": {
            "fault_percent": 15,
            "requests_seen": counts.requests,
            "faults": counts.faults,
            "run": faulted.json(),
        },
    });
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).expect("bench dir");
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report).expect("json") + "\n").expect("write figures");
    eprintln!("wrote {out}");
    // the targets: a first round within a minute, a warm one within 15 s, at most 0.1 RPC
    // requests per payout (a failure here still leaves the measured figures in the file)
    assert!(cold.seconds <= 60.0, "first round {:.1} s > 60 s", cold.seconds);
    assert!(warm.seconds <= 15.0, "warm round {:.1} s > 15 s", warm.seconds);
    assert!(
        warm.requests as f64 <= 0.1 * warm.payouts as f64,
        "{} requests for {} payouts",
        warm.requests,
        warm.payouts
    );
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
