//! The `tributary` command against a real `solana-test-validator` (JSON-RPC over loopback, the
//! program's sBPF build preloaded). Run by scripts/test-rpc inside a private network namespace;
//! `cargo test` alone lists them as ignored.
mod attribution_loop;
mod faults;
mod index;
mod load;
mod setup;
mod validator;

use anchor_lang::prelude::Pubkey;
use serde_json::Value;
use setup::{assert_books_exact, balance, key_file, keypair, Pool};
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_rpc_client_api::config::RpcTransactionConfig;
use solana_signer::Signer;
use solana_transaction_status_client_types::UiTransactionEncoding;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use tributary::state::LedgerPage;
use tributary_crank::chain::{Chain, ChainError};
use tributary_crank::crank::{CrankOptions, Cranker};
use tributary_crank::rpc::RpcChain;
use tributary_crank::token;
use tributary_crank::tx::{self, SendOptions};
use tributary_sdk::instructions::{self as ix, CrankMode};
use validator::TestValidator;

fn tributary(url: &str, keypair: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tributary"));
    cmd.args(args).arg("--url").arg(url).arg("--keypair").arg(keypair);
    cmd
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run tributary");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run_err(cmd: &mut Command) -> String {
    let out: Output = cmd.output().expect("run tributary");
    assert!(!out.status.success(), "{cmd:?} should have failed:\n{}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn dir(name: &str) -> std::path::PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn operator_commands_end_to_end() {
    let v = TestValidator::start("ops", 0);
    let mut chain = v.chain();
    let d = dir("ops");
    let operator = keypair(0x11, 0);
    setup::airdrop(&mut chain, &operator.pubkey(), 100_000_000_000);
    let mint = keypair(0x11, 1);
    let operator_token = setup::create_mint(&mut chain, &operator, &mint, 1_000_000 * 1_000_000);
    let op = key_file(&d, "operator", &operator);

    // missing keypair: a clear message, nothing sent
    let err = run_err(&mut tributary(
        &v.url,
        &d.join("nope.json"),
        &["pool", "create", "--mint", &mint.pubkey().to_string()],
    ));
    assert!(err.contains("cannot use the signer") && err.contains("nope.json"), "{err}");

    let out = run_ok(&mut tributary(
        &v.url,
        &op,
        &[
            "pool",
            "create",
            "--mint",
            &mint.pubkey().to_string(),
            "--pool-id",
            "1",
            "--min-payout",
            "0.01",
            "--output",
            "json",
        ],
    ));
    let pool: Pubkey = json(&out)["pool"].as_str().expect("pool").parse().expect("pool key");
    let shown = json(&run_ok(&mut tributary(&v.url, &op, &["pool", "show", &pool.to_string(), "--output", "json"])));
    assert_eq!(shown["mint"], mint.pubkey().to_string());
    assert_eq!(shown["min_payout"], 10_000);
    assert_eq!((&shown["freeze_authority"], &shown["vault_can_be_frozen"]), (&Value::Null, &Value::Bool(false)));
    // global flags before the subcommand, and defaults from a Solana CLI config file
    let config = d.join("config.yml");
    std::fs::write(
        &config,
        // as `solana config set` writes it
        format!(
            "---\njson_rpc_url: \"{}\"\nwebsocket_url: \"\"\nkeypair_path: {}\naddress_labels:\n  \"11111111111111111111111111111111\": System Program\ncommitment: confirmed\n",
            v.url,
            op.display()
        ),
    )
    .expect("config");
    let before = Command::new(env!("CARGO_BIN_EXE_tributary"))
        .args(["-u", &v.url, "-k"])
        .arg(&op)
        .args(["--output", "json", "pool", "show", &pool.to_string()])
        .output()
        .expect("run");
    assert!(before.status.success(), "{}", String::from_utf8_lossy(&before.stderr));
    assert_eq!(json(&String::from_utf8_lossy(&before.stdout))["pool"], pool.to_string());
    let from_config = Command::new(env!("CARGO_BIN_EXE_tributary"))
        .arg("-C")
        .arg(&config)
        .args(["pool", "show", &pool.to_string(), "--output", "json"])
        .output()
        .expect("run");
    assert!(from_config.status.success(), "{}", String::from_utf8_lossy(&from_config.stderr));

    // three contributors register files, hashed locally
    let before = cluster_time(&mut chain);
    let mut contributors = Vec::new();
    for i in 0..3u64 {
        let c = keypair(0x12, i);
        setup::airdrop(&mut chain, &c.pubkey(), 1_000_000_000);
        let file = d.join(format!("data-{i}.bin"));
        std::fs::write(&file, format!("training shard {i}")).expect("file");
        let key = key_file(&d, &format!("c{i}"), &c);
        let out = json(&run_ok(&mut tributary(
            &v.url,
            &key,
            &[
                "contribute",
                "--pool",
                &pool.to_string(),
                "--file",
                file.to_str().expect("path"),
                "--uri",
                &format!("ipfs://shard/{i}"),
                "--kind",
                "dataset",
                "--output",
                "json",
            ],
        )));
        assert_eq!(out["entry"], i);
        let expected: [u8; 32] = tributary_cli::ops::sha256_file(&file).expect("hash");
        assert_eq!(out["content_hash"], tributary_cli::ops::hex(&expected));
        // logged with the cluster's time (its Clock, which lags this machine's under load): between
        // the cluster's clock before the command and after it
        let at = out["created_at"].as_i64().expect("created_at");
        let after = cluster_time(&mut chain);
        assert!(before <= at && at <= after && out["created_slot"].as_u64() > Some(0), "{before} {after} {out}");
        contributors.push((c, key, out["contribution"].as_str().expect("c").parse::<Pubkey>().expect("key")));
    }
    // the same file again is refused before anything is sent
    let err = run_err(&mut tributary(
        &v.url,
        &contributors[0].1,
        &["contribute", "--pool", &pool.to_string(), "--file", d.join("data-0.bin").to_str().expect("p"), "--uri", "x"],
    ));
    assert!(err.contains("already registered"), "{err}");

    // weights: a malformed line is named and nothing changes
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "entry,weight\n0,100\n1,abc\n2,600\n").expect("csv");
    let err = run_err(&mut tributary(
        &v.url,
        &op,
        &["weights", "set", "--pool", &pool.to_string(), "--file", bad.to_str().expect("p")],
    ));
    assert!(err.contains("line 3") && err.contains("abc"), "{err}");
    let unknown = d.join("unknown.csv");
    std::fs::write(&unknown, "0,100\n9,5\n").expect("csv");
    let err = run_err(&mut tributary(
        &v.url,
        &op,
        &["weights", "set", "--pool", &pool.to_string(), "--file", unknown.to_str().expect("p")],
    ));
    assert!(err.contains("entry 9"), "{err}");
    let view = tributary_crank::crank::load_view(&mut chain, &pool).expect("pool");
    assert_eq!((view.pool.total_weight, view.pool.epoch), (0, 0), "refused weight files changed nothing");
    // rows by entry and by contribution address
    let good = d.join("weights.csv");
    std::fs::write(&good, format!("entry,weight\n0,100\n1,300\n{},600\n", contributors[2].2)).expect("csv");
    let out = json(&run_ok(&mut tributary(
        &v.url,
        &op,
        &["weights", "set", "--pool", &pool.to_string(), "--file", good.to_str().expect("p"), "--output", "json"],
    )));
    assert_eq!(out["weights"], 3);
    assert_eq!(tributary_crank::crank::load_view(&mut chain, &pool).expect("pool").pool.total_weight, 1_000);

    // deposit, and a deposit from a token account of another mint is refused
    run_ok(&mut tributary(&v.url, &op, &["deposit", "--pool", &pool.to_string(), "--amount", "1000"]));
    let other_mint = keypair(0x11, 2);
    let other_token = setup::create_mint(&mut chain, &operator, &other_mint, 5_000_000);
    let vault_before = balance(&mut chain, &view.keys.vault);
    let err = run_err(&mut tributary(
        &v.url,
        &op,
        &["deposit", "--pool", &pool.to_string(), "--amount", "1", "--from", &other_token.to_string()],
    ));
    assert!(err.contains("holds mint"), "{err}");
    let err = run_err(&mut tributary(&v.url, &op, &["deposit", "--pool", &pool.to_string(), "--amount", "0.0000001"]));
    assert!(err.contains("at most 6 decimals"), "{err}");
    assert_eq!(balance(&mut chain, &view.keys.vault), vault_before, "refused deposits moved nothing");

    // a usage fee split over two entries
    run_ok(&mut tributary(
        &v.url,
        &op,
        &["attribute", "--pool", &pool.to_string(), "--fee", "10", "--shares", "0:5000,1:5000"],
    ));
    let status = json(&run_ok(&mut tributary(&v.url, &op, &["status", "--output", "json"])));
    let row = &status["pools"][0];
    assert_eq!(row["pool"], pool.to_string());
    assert_eq!(row["owed"], "1010000000", "100 + 300 + 600 tokens of revenue, 5 + 5 of usage");
    assert_eq!(row["due"], 3);

    // paused: the crank pays nothing; unpaused: it pays everyone, the operator earning the reward
    // the operator signs through a signer URI: `-k stdin://` reads the keypair from standard input
    let mut pause = Command::new(env!("CARGO_BIN_EXE_tributary"))
        .args(["-u", &v.url, "-k", "stdin://", "pool", "pause", &pool.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tributary");
    std::io::Write::write_all(&mut pause.stdin.take().expect("stdin"), &std::fs::read(&op).expect("key"))
        .expect("pipe the keypair");
    let paused = pause.wait_with_output().expect("pause");
    assert!(paused.status.success(), "{}", String::from_utf8_lossy(&paused.stderr));
    assert!(tributary_crank::crank::load_view(&mut chain, &pool).expect("pool").pool.is_paused());
    let no_ledger = run_err(Command::new(env!("CARGO_BIN_EXE_tributary")).args([
        "-u",
        &v.url,
        "-k",
        "usb://ledger",
        "pool",
        "unpause",
        &pool.to_string(),
    ]));
    assert!(no_ledger.contains("usb://ledger"), "a missing Ledger is named: {no_ledger}");
    // `prompt://` asks for a seed phrase on the terminal: `script` gives the command one, fed here
    let prompted = |phrase: &str| -> Output {
        let line = format!(
            "{} -u {} -k prompt:// --output json lookup-tables reclaim",
            env!("CARGO_BIN_EXE_tributary"),
            v.url
        );
        let mut child = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script (util-linux) runs the command on a terminal");
        let answers = format!("{phrase}\n\n"); // the phrase, then no passphrase
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), answers.as_bytes()).expect("type");
        child.wait_with_output().expect("prompted command")
    };
    let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    let by_phrase = prompted(phrase);
    let said = String::from_utf8_lossy(&by_phrase.stdout);
    assert!(by_phrase.status.success() && said.contains("\"deactivated\""), "a seed phrase signs: {said}");
    let bad = prompted("not a seed phrase");
    let said = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success() && said.contains("cannot use the signer prompt://"), "{said}");
    run_ok(&mut tributary(&v.url, &op, &["crank", "--pool", &pool.to_string(), "--once"]));
    assert_eq!(
        tributary_crank::crank::load_view(&mut chain, &pool).expect("pool").pool.total_paid(),
        0,
        "paused pool: nothing paid"
    );
    run_ok(&mut tributary(&v.url, &op, &["pool", "unpause", &pool.to_string()]));
    let out = tributary(&v.url, &op, &["crank", "--pool", &pool.to_string(), "--once", "--log-format", "json"])
        .output()
        .expect("run tributary");
    let log = String::from_utf8_lossy(&out.stderr); // the crank logs to stderr
    assert!(out.status.success(), "{log}");
    let rounds: Vec<Value> = log.lines().map(json).filter(|l| l["event"] == "round").collect();
    let first = &rounds[0];
    assert_eq!(first["payouts"], 3, "{log}");
    // the new lookup table is used only once rooted: Agave drops a transaction naming it earlier
    assert_eq!(first["expired"], 0, "{log}");
    let expected = [105_000_000u64, 305_000_000, 600_000_000];
    for ((c, _, _), want) in contributors.iter().zip(expected) {
        let ata = token::associated_token_address(&c.pubkey(), &mint.pubkey(), &token::TOKEN_PROGRAM);
        assert_eq!(balance(&mut chain, &ata), want - want / 1_000, "paid owed less the 0.1 % reward");
    }
    assert_eq!(balance(&mut chain, &operator_token), 1_000_000 * 1_000_000 - 1_010_000_000 + 1_010_000, "reward");

    // a claim with no minimum: 0.6 of one more token to contributor 2
    run_ok(&mut tributary(&v.url, &op, &["deposit", "--pool", &pool.to_string(), "--amount", "1"]));
    let (c2, key2, contribution2) = &contributors[2];
    let out = json(&run_ok(&mut tributary(
        &v.url,
        key2,
        &["claim", "--contribution", &contribution2.to_string(), "--output", "json"],
    )));
    assert_eq!(out["amount"], 600_000);
    let ata = token::associated_token_address(&c2.pubkey(), &mint.pubkey(), &token::TOKEN_PROGRAM);
    assert_eq!(balance(&mut chain, &ata), 600_000_000 - 600_000 + 600_000);
    // someone else's contribution cannot be claimed
    let err =
        run_err(&mut tributary(&v.url, &contributors[0].1, &["claim", "--contribution", &contribution2.to_string()]));
    assert!(err.contains("not this contribution's contributor"), "{err}");
}

fn spawn_crank(url: &str, key: &Path, pool: &Pubkey, extra: &[&str], log: &Path) -> Child {
    let file = std::fs::File::create(log).expect("log");
    tributary(url, key, &["crank", "--pool", &pool.to_string(), "--log-format", "json"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::from(file))
        .spawn()
        .expect("spawn crank")
}

/// The cluster's `Clock::unix_timestamp` now (the sysvar's last 8 bytes: slot, epoch start, epoch,
/// leader-schedule epoch, then the timestamp).
fn cluster_time(chain: &mut RpcChain) -> i64 {
    let clock = chain
        .get_account(&anchor_lang::pubkey!("SysvarC1ock11111111111111111111111111111111"))
        .expect("rpc")
        .expect("Clock sysvar");
    i64::from_le_bytes(clock.data[32..40].try_into().expect("40-byte Clock"))
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn paid(chain: &mut RpcChain, pool: &Pubkey) -> u128 {
    chain
        .get_account(pool)
        .ok()
        .flatten()
        .and_then(|a| tributary_sdk::accounts::pool(&a.data).ok())
        .map(|p| p.total_paid())
        .unwrap_or(0)
}

#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn crank_survives_a_validator_restart_without_paying_twice() {
    let mut v = TestValidator::start("restart", 1);
    let mut chain = v.chain();
    let mut pool = Pool::create(&mut chain, 0x21, 200, 1, 1_000_000_007);
    let d = dir("restart");
    let cranker = keypair(0x22, 0);
    setup::airdrop(&mut chain, &cranker.pubkey(), 10_000_000_000);
    let key = key_file(&d, "cranker", &cranker);
    let log = d.join("crank.log");
    let metrics_addr = "127.0.0.1:19101";
    // the settings from a config file, as an operator's service would keep them
    let config = d.join("crank.toml");
    std::fs::write(&config, format!("interval = 1\nmetrics-addr = \"{metrics_addr}\"\ncu-margin = 15\n"))
        .expect("config");
    let mut crank =
        spawn_crank(&v.url, &key, &pool.keys.pool, &["--crank-config", &config.display().to_string()], &log);

    // stop the node as soon as the first payouts land, mid-run
    wait_until("first payouts", Duration::from_secs(120), || paid(&mut chain, &pool.keys.pool) > 0);
    v.kill();
    std::thread::sleep(Duration::from_secs(3));
    v.restart();
    let mut chain = v.chain();
    // more revenue after the restart: the same crank process must pick it up
    pool.deposit(&mut chain, 500_000_003);
    wait_until("everything paid", Duration::from_secs(180), || {
        tributary_crank::crank::load_view(&mut chain, &pool.keys.pool).is_ok_and(|view| {
            view.entries().all(|(_, e)| tributary_sdk::accounts::owed_now(e, &view.pool).unwrap_or(1) == 0)
        })
    });
    assert!(crank.try_wait().expect("crank").is_none(), "the crank rode out the restart");
    // its Prometheus endpoint counts what it did. A round is counted when it ends, which can come
    // after its last payout is seen on chain: scrape until the rounds after the restart are in.
    let scrape =
        || ureq::get(&format!("http://{metrics_addr}/metrics")).call().expect("scrape").into_string().expect("body");
    let read = |scraped: &str, name: &str| -> Option<u64> {
        scraped.lines().find_map(|l| l.strip_prefix(&format!("{name} "))?.trim().parse().ok())
    };
    wait_until("the rounds counted", Duration::from_secs(30), || {
        let scraped = scrape();
        read(&scraped, "tributary_crank_rounds_total").is_some_and(|r| r >= 2)
            && read(&scraped, "tributary_crank_lamports_spent_total").is_some_and(|l| l > 0)
    });
    let scraped = scrape();
    let counter = |name: &str| -> u64 { read(&scraped, name).unwrap_or_else(|| panic!("{name} missing:\n{scraped}")) };
    assert!(counter("tributary_crank_payouts_total") >= 200, "{scraped}");
    assert!(counter("tributary_crank_rounds_total") >= 2 && counter("tributary_crank_lamports_spent_total") > 0);
    // the node was down for seconds while the crank polled every second: some calls failed and were
    // retried (whether a whole round also failed depends on where in the round the restart fell)
    assert!(counter("tributary_crank_rpc_retries_total") >= 1, "the restart was seen and ridden out: {scraped}");
    assert!(counter("tributary_crank_rpc_requests_total") > counter("tributary_crank_transactions_total"));
    // SIGTERM: the crank finishes its round and exits cleanly
    let term = Command::new("kill").args(["-TERM", &crank.id().to_string()]).status().expect("kill");
    assert!(term.success());
    let mut status = None;
    wait_until("the crank to stop on SIGTERM", Duration::from_secs(60), || {
        status = crank.try_wait().expect("crank");
        status.is_some()
    });
    assert!(status.is_some_and(|s| s.success()), "clean exit on SIGTERM: {status:?}");
    let logged = std::fs::read_to_string(&log).expect("log");
    assert!(logged.lines().any(|l| l.contains("\"event\":\"stop\"")), "{logged}");
    assert_eq!(assert_books_exact(&mut chain, &pool, &[]), 0, "nothing left owed");
}

#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn crank_pays_everything_through_an_rpc_node_that_fails_15_percent_of_requests() {
    let v = TestValidator::start("faults", 7);
    let mut chain = v.chain();
    let mut pool = Pool::create(&mut chain, 0x71, 300, 1, 3_000_000_019);
    let cranker = keypair(0x72, 0);
    setup::airdrop(&mut chain, &cranker.pubkey(), 10_000_000_000);
    let proxy = faults::FaultProxy::start(&v.url, 15, 0x7172);
    let mut faulty = RpcChain::new(&proxy.url);
    let mut bot = Cranker::new(cranker, CrankOptions::default());
    // rounds as the bot's run loop runs them (a round that ends in an error is run again) until
    // nothing is owed, for the revenue already in and for a deposit made after the first runs
    let first = load::crank_until_paid(&mut bot, &mut faulty, &mut chain, &pool);
    pool.deposit(&mut chain, 1_000_000_007);
    let second = load::crank_until_paid(&mut bot, &mut faulty, &mut chain, &pool);
    let (rounds, failed_rounds, paid) =
        (first.rounds + second.rounds, first.failed_rounds + second.failed_rounds, first.payouts + second.payouts);
    let counts = proxy.counts();
    eprintln!(
        "faults: {} of {} requests {:?}; rounds {rounds} ({failed_rounds} failed), retries {}, payouts {paid}",
        counts.faulted(),
        counts.requests,
        counts.faults,
        faulty.retries
    );
    assert!(counts.faulted() * 10 >= counts.requests, "at least 10% of requests faulted: {counts:?}");
    assert_eq!(counts.faults.len(), 8, "every kind of fault happened: {counts:?}");
    assert!(faulty.retries > 0);
    // everything owed arrived, exactly once (assert_books_exact checks each destination's balance
    // against its entry's paid total), including what dropped transactions had carried
    assert_eq!(assert_books_exact(&mut chain, &pool, &[]), 0);
}

#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn two_cranks_on_one_pool_pay_each_entry_once() {
    let v = TestValidator::start("two", 2);
    let mut chain = v.chain();
    let pool = Pool::create(&mut chain, 0x31, 250, 1, 2_000_000_011);
    let d = dir("two");
    let mut children = Vec::new();
    let mut rewards = Vec::new();
    for i in 0..2u64 {
        let k = keypair(0x32, i);
        setup::airdrop(&mut chain, &k.pubkey(), 10_000_000_000);
        // each cranker takes the reward into its own account
        let ata = token::associated_token_address(&k.pubkey(), &pool.keys.mint, &pool.keys.token_program);
        let create =
            token::create_associated_token_account(&k.pubkey(), &k.pubkey(), &pool.keys.mint, &pool.keys.token_program);
        tx::submit(&mut chain, &k, &[], &[create], &[], SendOptions::default()).expect("reward account");
        rewards.push(ata);
        let key = key_file(&d, &format!("cranker{i}"), &k);
        children.push(spawn_crank(&v.url, &key, &pool.keys.pool, &["--once"], &d.join(format!("crank{i}.log"))));
    }
    for mut c in children {
        assert!(c.wait().expect("crank").success(), "both cranks finish cleanly");
    }
    assert_eq!(assert_books_exact(&mut chain, &pool, &rewards), 0, "everything paid, once");
    let total_rewards: u64 = rewards.iter().map(|r| balance(&mut chain, r)).sum();
    assert!(total_rewards > 0);
}

/// Serves a blockhash the cluster never produced the first `stale` times, as a node that fell
/// behind (or a signed transaction that waited too long) would.
struct StaleBlockhash {
    inner: RpcChain,
    stale: u32,
}

impl Chain for StaleBlockhash {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn format(&mut self) -> tributary_crank::chain::Result<tx::Format> {
        self.inner.format()
    }
    fn get_accounts(
        &mut self,
        keys: &[Pubkey],
    ) -> tributary_crank::chain::Result<Vec<Option<solana_account::Account>>> {
        self.inner.get_accounts(keys)
    }
    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        size: Option<usize>,
        filters: &[tributary_crank::chain::Memcmp],
    ) -> tributary_crank::chain::Result<Vec<(Pubkey, solana_account::Account)>> {
        self.inner.get_program_accounts(program, size, filters)
    }
    fn latest_blockhash(&mut self) -> tributary_crank::chain::Result<(solana_hash::Hash, u64)> {
        let (hash, last) = self.inner.latest_blockhash()?;
        if self.stale > 0 {
            self.stale -= 1;
            return Ok((solana_hash::Hash::new_from_array([7; 32]), last));
        }
        Ok((hash, last))
    }
    fn block_height(&mut self) -> tributary_crank::chain::Result<u64> {
        self.inner.block_height()
    }
    fn slot(&mut self) -> tributary_crank::chain::Result<u64> {
        self.inner.slot()
    }
    fn recent_slot(&mut self) -> tributary_crank::chain::Result<u64> {
        self.inner.recent_slot()
    }
    fn simulate(
        &mut self,
        tx: &solana_transaction::versioned::VersionedTransaction,
    ) -> tributary_crank::chain::Result<tributary_crank::chain::Simulation> {
        self.inner.simulate(tx) // replaceRecentBlockhash: the simulation itself does not mind
    }
    fn send(
        &mut self,
        tx: &solana_transaction::versioned::VersionedTransaction,
    ) -> tributary_crank::chain::Result<solana_signature::Signature> {
        self.inner.send(tx)
    }
    fn statuses(
        &mut self,
        s: &[solana_signature::Signature],
    ) -> tributary_crank::chain::Result<Vec<tributary_crank::chain::Status>> {
        self.inner.statuses(s)
    }
    fn recent_priority_fees(&mut self, a: &[Pubkey]) -> tributary_crank::chain::Result<Vec<u64>> {
        self.inner.recent_priority_fees(a)
    }
    fn minimum_balance(&mut self, len: usize) -> tributary_crank::chain::Result<u64> {
        self.inner.minimum_balance(len)
    }
    fn transaction_units(&mut self, s: &solana_signature::Signature) -> tributary_crank::chain::Result<Option<u64>> {
        self.inner.transaction_units(s)
    }
}

#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn expired_blockhash_is_re_signed_and_a_stale_copy_pays_nothing() {
    let v = TestValidator::start("expired", 3);
    let mut chain = v.chain();
    let mut pool = Pool::create(&mut chain, 0x41, 60, 1, 3_000_000_013);
    let cranker = keypair(0x42, 0);
    setup::airdrop(&mut chain, &cranker.pubkey(), 10_000_000_000);

    let dest0 = tributary_crank::crank::load_view(&mut chain, &pool.keys.pool)
        .expect("pool")
        .entries()
        .next()
        .expect("entry 0")
        .1
        .destination;
    // the node refuses an unknown blockhash, and the sender maps it to "re-sign"
    let crank_ix = ix::crank(&cranker.pubkey(), &pool.keys, 0, &[(0, dest0)], None, CrankMode::PerTransfer);
    let bogus = tx::build(
        &cranker,
        &[],
        std::slice::from_ref(&crank_ix),
        &[],
        solana_hash::Hash::new_from_array([7; 32]),
        Some(200_000),
        0,
        chain.format().expect("format"),
    )
    .expect("build");
    assert_eq!(chain.send(&bogus.tx).err(), Some(ChainError::BlockhashExpired));

    // a crank round handed two stale blockhashes re-signs and pays everything once
    let mut stale = StaleBlockhash { inner: v.chain(), stale: 2 };
    let mut bot = Cranker::new(cranker.insecure_clone(), CrankOptions::default());
    // sign a copy of a payout now and hold it back, as a slow network would
    let (hash, _) = chain.latest_blockhash().expect("blockhash");
    let format = chain.format().expect("format");
    let held = tx::build(&cranker, &[], &[crank_ix], &[], hash, Some(200_000), 0, format).expect("build");
    let reports = bot.drain(&mut stale, &pool.keys.pool, 5).expect("crank");
    assert_eq!(reports.iter().map(|r| r.payouts).sum::<usize>(), 60, "{reports:?}");
    assert_eq!(assert_books_exact(&mut chain, &pool, &[]), 0);
    let paid_before = balance(&mut chain, &dest0);
    // the copy held back since before the round: refused if its blockhash has expired by now,
    // otherwise it lands; either way it pays nothing
    match chain.send(&held.tx) {
        Err(ChainError::BlockhashExpired) => {}
        Ok(sig) => {
            let (_, last) = chain.latest_blockhash().expect("blockhash");
            tx::confirm(&mut chain, &[(sig, last)], SendOptions::default()).expect("confirm");
        }
        Err(e) => panic!("held copy: {e}"),
    }
    assert_eq!(balance(&mut chain, &dest0), paid_before, "the late copy paid nothing");
    // a fresh duplicate of an already-paid payout lands and pays nothing
    let duplicate = ix::crank(&cranker.pubkey(), &pool.keys, 0, &[(0, dest0)], None, CrankMode::PerTransfer);
    let landed = tx::submit(&mut chain, &cranker, &[], &[duplicate], &[], SendOptions::default()).expect("duplicate");
    assert!(landed.units > 0);
    assert_eq!(balance(&mut chain, &dest0), paid_before, "the duplicate paid nothing");
    assert_eq!(assert_books_exact(&mut chain, &pool, &[]), 0);
    // new revenue: the same bot pays again, exactly what is new
    pool.deposit(&mut chain, 1_000_003);
    bot.drain(&mut chain, &pool.keys.pool, 5).expect("crank");
    assert_eq!(assert_books_exact(&mut chain, &pool, &[]), 0);
}

/// `LedgerPage::used` counts live entries. After a contribution closes, every other entry of its
/// page — the highest one included — is still seen by `status` and paid by `tributary crank`.
#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn a_closed_contribution_hides_no_other_entry_of_its_page() {
    let v = TestValidator::start("close", 4);
    let mut chain = v.chain();
    let mut pool = Pool::create(&mut chain, 0x51, 5, 1, 0);
    // contributor 2 retires and closes before any revenue (nothing owed, so it can)
    let closer = pool.contributors[2].insecure_clone();
    let contribution = tributary_sdk::instructions::ContributionRef {
        address: tributary_sdk::pda::contribution(&pool.keys.pool, &setup::hash(0x51, 2)).0,
        entry: 2,
    };
    for ix in [
        ix::retire_contribution(&closer.pubkey(), &pool.keys, &contribution),
        ix::close_contribution(&closer.pubkey(), &pool.keys, &contribution),
    ] {
        tx::submit(&mut chain, &closer, &[], &[ix], &[], SendOptions::default()).expect("retire, close");
    }
    pool.deposit(&mut chain, 1_000_003);
    let view = tributary_crank::crank::load_view(&mut chain, &pool.keys.pool).expect("view");
    assert_eq!(view.pages[0].as_ref().expect("page").live_entries, 4);
    assert_eq!(view.entries().map(|(i, _)| i).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);

    let d = dir("close");
    let cranker = keypair(0x52, 0);
    setup::airdrop(&mut chain, &cranker.pubkey(), 10_000_000_000);
    let key = key_file(&d, "cranker", &cranker);
    let status = json(&run_ok(
        tributary(&v.url, &key, &["status", "--pool", &pool.keys.pool.to_string()]).args(["--output", "json"]),
    ));
    let due = status.to_string();
    // the CLI's reader sees the four live entries, the highest one included, as due
    assert_eq!(
        (&status["pools"][0]["due"], &status["pools"][0]["unpayable"]),
        (&Value::from(4), &Value::from(0)),
        "{due}"
    );
    run_ok(&mut tributary(&v.url, &key, &["crank", "--pool", &pool.keys.pool.to_string(), "--once"]));
    for (entry, destination) in pool.destinations.clone().iter().enumerate() {
        let got = balance(&mut chain, destination);
        if entry == 2 {
            assert_eq!(got, 0, "the closed contribution earned nothing");
        } else {
            assert!(got > 0, "entry {entry} paid (status before: {due})");
        }
    }
    assert_eq!(assert_books_exact(&mut chain, &pool, &[]), 0, "nothing left owed");
}

/// The attribution layer end to end: an inference service's receipt log (written with
/// `tributary_attest::ReceiptLog`), `attest build`, `weights set --report`, and `attest verify`
/// against the validator (hash, epoch, every weight, the report rebuilt from the receipts, the
/// content hashes the receipts name); a receipt proven and checked; a changed receipt, a weight
/// changed on chain under the same report hash and a changed proof each caught by name.
#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn an_attribution_report_from_receipts_verifies_against_the_chain() {
    use tributary_attest::{hex32, Receipt, ReceiptLog, Report, UsageKind, Use};
    let v = TestValidator::start("attest", 9);
    let mut chain = v.chain();
    let tag = 0x61;
    let pool = Pool::create(&mut chain, tag, 6, 1, 0);
    let pool_address = pool.keys.pool.to_string();
    // registrations land in any order: which contributor (and content hash) each entry is
    let mut by_entry = std::collections::BTreeMap::new();
    for j in 0..6u32 {
        let address = tributary_sdk::pda::contribution(&pool.keys.pool, &setup::hash(tag, j)).0;
        let account = chain.get_account(&address).expect("rpc").expect("contribution");
        let c = tributary_sdk::accounts::contribution(&account.data).expect("decode");
        by_entry.insert(c.entry, (j as usize, setup::hash(tag, j), address));
    }
    // entry 5 retires before the report is posted: its score stays in the report, the program
    // counts its weight as 0
    let (leaver_index, _, leaver_address) = by_entry[&5];
    let leaver = pool.contributors[leaver_index].insecure_clone();
    let contribution = tributary_sdk::instructions::ContributionRef { address: leaver_address, entry: 5 };
    let retire = ix::retire_contribution(&leaver.pubkey(), &pool.keys, &contribution);
    tx::submit(&mut chain, &leaver, &[], &[retire], &[], SendOptions::default()).expect("retire");

    let d = dir("attest");
    let key = key_file(&d, "attestor", &pool.attestor);
    let receipts = d.join("receipts.jsonl");
    let mut log = ReceiptLog::open(&receipts).expect("log");
    for i in 0..240u32 {
        let used = |entry: u32, score: &str| Use {
            entry,
            content_hash: Some(hex32::encode(&by_entry[&entry].1)),
            score: score.parse().expect("score"),
        };
        log.append(&Receipt {
            v: 1,
            id: format!("req-{i}"),
            time: 1_764_520_000 + i64::from(i),
            pool: pool_address.clone(),
            consumer: format!("user-{}", i % 7),
            kind: if i % 10 == 0 { UsageKind::FineTuning } else { UsageKind::Inference },
            method: None,
            input: None,
            uses: vec![used(i % 6, "0.75"), used((i + 1) % 6, &format!("0.{:03}", 1 + i % 250))],
        })
        .expect("append");
    }
    let report = d.join("report.json");
    let (r, p, rep) = (receipts.to_str().expect("path"), pool_address.as_str(), report.to_str().expect("path"));
    run_ok(&mut tributary(
        &v.url,
        &key,
        &["attest", "build", "--receipts", r, "--pool", p, "--epoch", "2", "--out", rep],
    ));
    let built = Report::parse(&std::fs::read(&report).expect("report")).expect("a canonical report");
    assert_eq!((built.receipts, built.weights.len(), built.epoch), (240, 6, 2));
    run_ok(&mut tributary(&v.url, &key, &["weights", "set", "--pool", p, "--report", rep]));

    let verified = json(&run_ok(
        tributary(&v.url, &key, &["attest", "verify", "--pool", p, "--report", rep, "--receipts", r])
            .args(["--output", "json"]),
    ));
    assert_eq!(verified["verified"], Value::Bool(true), "{verified}");
    assert_eq!(verified["rebuilt_from_receipts"], Value::Bool(true));
    assert_eq!((&verified["active_weights"], &verified["withdrawn_entries"]), (&Value::from(5), &Value::from(vec![5])));
    let view = tributary_crank::crank::load_view(&mut chain, &pool.keys.pool).expect("view");
    assert_eq!((view.pool.epoch, view.pool.report_hash), (2, built.hash()), "the report's epoch and hash on chain");
    for (entry, e) in view.entries() {
        let expected = if entry == 5 { 0 } else { built.weight_of(entry) };
        assert_eq!(e.weight, expected, "entry {entry}");
    }

    // a contributor's receipt, proven and checked against the report
    let proof = d.join("proof.json");
    let printed = run_ok(&mut tributary(&v.url, &key, &["attest", "prove", "--receipts", r, "--id", "req-137"]));
    std::fs::write(&proof, &printed).expect("proof");
    let pf = proof.to_str().expect("path");
    let included = run_ok(&mut tributary(&v.url, &key, &["attest", "check-receipt", "--report", rep, "--proof", pf]));
    assert!(included.contains("req-137"), "{included}");
    std::fs::write(&proof, printed.replace("\"0.75\"", "\"7.5\"")).expect("tampered proof");
    let refused = run_err(&mut tributary(&v.url, &key, &["attest", "check-receipt", "--report", rep, "--proof", pf]));
    assert!(refused.contains("the receipt was changed"), "{refused}");

    // one receipt changed after the report was posted
    let text = std::fs::read_to_string(&receipts).expect("receipts");
    let tampered = d.join("tampered.jsonl");
    std::fs::write(&tampered, text.replacen("\"0.75\"", "\"0.76\"", 1)).expect("tampered");
    let t = tampered.to_str().expect("path");
    let refused =
        run_err(&mut tributary(&v.url, &key, &["attest", "verify", "--pool", p, "--report", rep, "--receipts", t]));
    assert!(refused.contains("build another report"), "{refused}");

    // the attestor moves a weight under the same epoch and report hash: the chain no longer matches
    let changed = tributary::WeightUpdate { entry: 1, weight: built.weight_of(1) + 1 };
    tributary_cli::ops::post_weights(&mut chain, &pool.attestor, &view, vec![changed], 2, built.hash()).expect("post");
    let refused = run_err(&mut tributary(&v.url, &key, &["attest", "verify", "--pool", p, "--report", rep]));
    assert!(refused.contains(&format!("entry 1: weight {} on chain", built.weight_of(1) + 1)), "{refused}");
    // posting the report again (same epoch and hash) restores it
    run_ok(&mut tributary(&v.url, &key, &["weights", "set", "--pool", p, "--report", rep]));
    run_ok(&mut tributary(&v.url, &key, &["attest", "verify", "--pool", p, "--report", rep, "--receipts", r]));

    // a report naming an entry the pool never registered: posting it is refused before anything is
    // sent, and verifying it names the entry
    let stray = d.join("stray.jsonl");
    ReceiptLog::open(&stray)
        .expect("log")
        .append(&Receipt {
            v: 1,
            id: "req-stray".into(),
            time: 1_764_600_000,
            pool: pool_address.clone(),
            consumer: "user-0".into(),
            kind: UsageKind::Inference,
            method: None,
            input: None,
            uses: vec![Use { entry: 40, content_hash: None, score: "1".parse().expect("score") }],
        })
        .expect("append");
    let stray_report = d.join("stray-report.json");
    let (s, sr) = (stray.to_str().expect("path"), stray_report.to_str().expect("path"));
    run_ok(&mut tributary(
        &v.url,
        &key,
        &["attest", "build", "--receipts", s, "--pool", p, "--epoch", "3", "--out", sr],
    ));
    let refused = run_err(&mut tributary(&v.url, &key, &["weights", "set", "--pool", p, "--report", sr]));
    assert!(refused.contains(&format!("entry 40, which pool {p} never registered")), "{refused}");
    let refused = run_err(&mut tributary(&v.url, &key, &["attest", "verify", "--pool", p, "--report", sr]));
    assert!(refused.contains("entry 40, which the pool never registered"), "{refused}");
    let view_after = tributary_crank::crank::load_view(&mut chain, &pool.keys.pool).expect("view");
    assert_eq!((view_after.pool.epoch, view_after.pool.report_hash), (2, built.hash()), "nothing posted");

    // a usage fee for the whole batch of requests, split by their receipts' scores, lands whole
    let payer = key_file(&d, "operator", &pool.operator);
    let vault_before = balance(&mut chain, &pool.keys.vault);
    let from = pool.operator_token.to_string();
    let args = ["attribute", "--pool", p, "--fee", "0.000123", "--receipts", r, "--from", &from, "--output", "json"];
    let paid = json(&run_ok(&mut tributary(&v.url, &payer, &args)));
    assert_eq!(balance(&mut chain, &pool.keys.vault) - vault_before, paid["fee"].as_u64().expect("fee"), "{paid}");
    assert_eq!(paid["receipts"], Value::from(240));
}

/// Every event of a Token-2022 crank at the transaction limit (55 `transfer_checked` payouts, whose
/// log lines pass the validator's 10,000-byte cut) is in the node's transaction logs, and the
/// `CrankBatch` events add up to what the destinations received. The validator ships Token-2022
/// 10.0.0 (solana-program-binaries 4.2.2), which has no `batch`: the bot's first try is refused and
/// it pays one `transfer_checked` each, quarantining nobody. On v0, so that the lookup tables it
/// made are reclaimed at the end.
#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn token_2022_crank_events_survive_the_log_limit_at_55_payouts() {
    use anchor_lang::{AnchorDeserialize, Discriminator};
    use base64::Engine;
    use tributary::events::CrankBatch;
    let v = TestValidator::start("t22events", 5);
    let mut chain = v.chain();
    let pool = Pool::create_of(&mut chain, 0x61, 110, 1, 1_100_000_007, token::TOKEN_2022_PROGRAM);
    let cranker = keypair(0x62, 0);
    setup::airdrop(&mut chain, &cranker.pubkey(), 10_000_000_000);
    let v0 = CrankOptions { format: Some(tx::Format::V0), ..CrankOptions::default() };
    let mut bot = Cranker::new(cranker.insecure_clone(), v0);
    let reports = bot.drain(&mut chain, &pool.keys.pool, 5).expect("crank");
    assert_eq!(reports.iter().map(|r| r.payouts).sum::<usize>(), 110, "{reports:?}");
    assert!(reports.iter().all(|r| r.quarantined.is_empty()), "no entry blamed for `batch`: {reports:?}");
    assert_eq!(reports[0].mode, "PerTransfer", "fell back from `batch`");
    assert_eq!(assert_books_exact(&mut chain, &pool, &[]), 0);

    // the crank transactions, as the node kept them (found by their fee payer: the pool itself is
    // named through a lookup table)
    let config = GetConfirmedSignaturesForAddress2Config {
        limit: Some(100),
        commitment: Some(CommitmentConfig::confirmed()),
        ..Default::default()
    };
    let signatures =
        chain.client().get_signatures_for_address_with_config(&bot.payer.pubkey(), config).expect("signatures");
    let (mut batches, mut largest, mut truncated) = (Vec::new(), 0u32, false);
    for s in signatures {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Json),
            commitment: Some(CommitmentConfig::confirmed()),
            max_supported_transaction_version: Some(1),
        };
        let signature = s.signature.parse().expect("signature");
        let tx = chain.client().get_transaction_with_config(&signature, config).expect("transaction");
        let logs: Vec<String> =
            tx.transaction.meta.and_then(|m| Option::<Vec<String>>::from(m.log_messages)).unwrap_or_default();
        if !logs.iter().any(|l| l == "Program log: Instruction: Crank") {
            continue;
        }
        truncated |= logs.iter().any(|l| l == "Log truncated");
        for data in logs.iter().filter_map(|l| l.strip_prefix("Program data: ")) {
            let bytes = base64::engine::general_purpose::STANDARD.decode(data).expect("base64");
            if let Some(body) = bytes.strip_prefix(CrankBatch::DISCRIMINATOR) {
                let batch = CrankBatch::try_from_slice(body).expect("CrankBatch");
                largest = largest.max(batch.paid);
                batches.push(batch);
            }
        }
    }
    assert!(truncated, "a crank at the limit had its logs cut by the validator");
    assert!(largest >= 55, "a transaction paid {largest} (≥ 55 per Token-2022 transaction)");
    assert_eq!(batches.iter().map(|b| b.paid).sum::<u32>(), 110, "every payout is in a CrankBatch event");
    let received: u64 = pool.destinations.iter().map(|d| balance(&mut chain, d)).sum();
    assert_eq!(batches.iter().map(|b| b.amount).sum::<u64>(), received, "the events add up to what arrived");

    // the cranker reclaims its lookup tables' rent: deactivated now, closable after the cool-down
    let d = dir("t22events");
    let key = key_file(&d, "cranker", &cranker);
    let first = json(&run_ok(&mut tributary(&v.url, &key, &["lookup-tables", "reclaim", "--output", "json"])));
    let deactivated = first["deactivated"].as_array().expect("list").len();
    assert!(deactivated >= 1, "{first}");
    let again = json(&run_ok(&mut tributary(&v.url, &key, &["lookup-tables", "reclaim", "--output", "json"])));
    assert_eq!(again["cooling_down"].as_array().expect("list").len(), deactivated, "{again}");
}

/// Every instruction of the program is reachable from the CLI: ledger pages opened and closed,
/// pool configuration, attestor (printed for a multisig, nothing sent), authority proposed and
/// accepted, a contribution's payout account changed, retired and closed, the pool closed.
#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn every_instruction_is_reachable_from_the_cli() {
    let v = TestValidator::start("admin", 6);
    let mut chain = v.chain();
    let d = dir("admin");
    let (operator, heir, contributor) = (keypair(0x71, 0), keypair(0x71, 1), keypair(0x71, 2));
    for k in [&operator, &heir, &contributor] {
        setup::airdrop(&mut chain, &k.pubkey(), 10_000_000_000);
    }
    let mint = keypair(0x71, 3);
    setup::create_mint(&mut chain, &operator, &mint, 1_000_000_000);
    let (op, heir_key, c_key) =
        (key_file(&d, "op", &operator), key_file(&d, "heir", &heir), key_file(&d, "c", &contributor));

    // the deployed program (upgradeable loader) is the local build, byte for byte; a build one
    // byte off is named a mismatch with both hashes; the repository's security.txt placeholders
    // are reported
    let so = validator::program_so();
    let so_arg = so.to_string_lossy().to_string();
    let verified =
        json(&run_ok(&mut tributary(&v.url, &op, &["program", "verify", "--so", &so_arg, "--output", "json"])));
    assert_eq!(
        (verified["matches"].as_bool(), verified["loader"].as_str()),
        (Some(true), Some("upgradeable loader (v3)"))
    );
    assert_eq!(verified["deployed_sha256"], verified["local_sha256"]);
    let placeholders = verified["security_txt_placeholders"].as_array().expect("placeholders").len();
    assert!(placeholders > 0, "the repository's security.txt is placeholders: {verified}");
    let mut tampered_bytes = std::fs::read(&so).expect("program build");
    let middle = tampered_bytes.len() / 2;
    tampered_bytes[middle] ^= 0x01;
    let tampered = d.join("tampered.so");
    std::fs::write(&tampered, &tampered_bytes).expect("write tampered build");
    let out = tributary(&v.url, &op, &["program", "verify", "--so", &tampered.to_string_lossy(), "--output", "json"])
        .output()
        .expect("run tributary");
    assert_eq!(out.status.code(), Some(2), "a mismatch exits 2");
    let mismatch = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(mismatch["matches"].as_bool(), Some(false));
    assert_eq!(mismatch["deployed_sha256"], verified["deployed_sha256"]);
    assert_ne!(mismatch["local_sha256"], mismatch["deployed_sha256"]);
    let created = json(&run_ok(&mut tributary(
        &v.url,
        &op,
        &["pool", "create", "--mint", &mint.pubkey().to_string(), "--output", "json"],
    )));
    let pool: Pubkey = created["pool"].as_str().expect("pool").parse().expect("pool key");
    let p = pool.to_string();
    let read = |chain: &mut RpcChain| tributary_crank::crank::load_view(chain, &pool).expect("pool").pool;

    run_ok(&mut tributary(&v.url, &op, &["pages", "open", &p]));
    assert_eq!(read(&mut chain).ledger_pages, 1, "a page opened ahead of registrations");
    let registered = json(&run_ok(&mut tributary(
        &v.url,
        &c_key,
        &["contribute", "--pool", &p, "--hash", &"ab".repeat(32), "--uri", "ipfs://x", "--output", "json"],
    )));
    let contribution = registered["contribution"].as_str().expect("contribution").to_string();

    run_ok(&mut tributary(&v.url, &op, &["pool", "config", &p, "--cranker-reward-bps", "20", "--min-payout", "0.5"]));
    let state = read(&mut chain);
    assert_eq!((state.cranker_reward_bps, state.min_payout), (20, 500_000));

    // printed for a multisig: the instruction the SDK would build, and nothing sent
    let attestor = keypair(0x71, 4).pubkey();
    let printed = json(&run_ok(&mut tributary(
        &v.url,
        &op,
        &[
            "pool",
            "attestor",
            &p,
            "--attestor",
            &attestor.to_string(),
            "--print-instruction",
            &operator.pubkey().to_string(),
            "--output",
            "json",
        ],
    )));
    let expected = tributary_cli::admin::instruction_json(&ix::set_attestor(&operator.pubkey(), &pool, attestor));
    assert_eq!(printed["instructions"][0], expected);
    assert!(printed["message_base58"].as_str().is_some_and(|m| m.len() > 100));
    assert_eq!(read(&mut chain).attestor, operator.pubkey(), "printing sends nothing");
    run_ok(&mut tributary(&v.url, &op, &["pool", "attestor", &p, "--attestor", &attestor.to_string()]));
    assert_eq!(read(&mut chain).attestor, attestor);

    run_ok(&mut tributary(
        &v.url,
        &op,
        &["pool", "propose-authority", &p, "--new-authority", &heir.pubkey().to_string()],
    ));
    assert_eq!(read(&mut chain).pending_authority(), Some(heir.pubkey()));
    let err = run_err(&mut tributary(&v.url, &op, &["pool", "accept-authority", &p]));
    assert!(err.contains("not the pending authority"), "{err}");
    run_ok(&mut tributary(&v.url, &heir_key, &["pool", "accept-authority", &p]));
    assert_eq!(read(&mut chain).authority, heir.pubkey());

    // the contributor's own instructions
    let spare = keypair(0x71, 5);
    let rent = chain.minimum_balance(165).expect("rent");
    let ixs = [
        solana_system_interface::instruction::create_account(
            &contributor.pubkey(),
            &spare.pubkey(),
            rent,
            165,
            &token::TOKEN_PROGRAM,
        ),
        anchor_spl::token_2022::spl_token_2022::instruction::initialize_account3(
            &token::TOKEN_PROGRAM,
            &spare.pubkey(),
            &mint.pubkey(),
            &contributor.pubkey(),
        )
        .expect("ix"),
    ];
    tx::submit(&mut chain, &contributor, &[&spare], &ixs, &[], SendOptions::default()).expect("spare account");
    run_ok(&mut tributary(
        &v.url,
        &c_key,
        &["contribution", "set-destination", &contribution, "--destination", &spare.pubkey().to_string()],
    ));
    let view = tributary_crank::crank::load_view(&mut chain, &pool).expect("pool");
    assert_eq!(view.entry(0).expect("entry 0").destination, spare.pubkey());
    run_ok(&mut tributary(&v.url, &c_key, &["contribution", "retire", &contribution]));
    let closed =
        json(&run_ok(&mut tributary(&v.url, &c_key, &["contribution", "close", &contribution, "--output", "json"])));
    assert!(closed["rent_returned"].as_u64() > Some(0));
    assert!(chain.get_account(&contribution.parse().expect("key")).expect("read").is_none(), "closed");

    // the new authority winds the pool down
    run_ok(&mut tributary(&v.url, &heir_key, &["pages", "close", &p]));
    assert_eq!(read(&mut chain).ledger_pages, 0);
    let heir_token = token::associated_token_address(&heir.pubkey(), &mint.pubkey(), &token::TOKEN_PROGRAM);
    let create =
        token::create_associated_token_account(&heir.pubkey(), &heir.pubkey(), &mint.pubkey(), &token::TOKEN_PROGRAM);
    tx::submit(&mut chain, &heir, &[], &[create], &[], SendOptions::default()).expect("heir token account");
    run_ok(&mut tributary(&v.url, &heir_key, &["pool", "close", &p, "--to", &heir_token.to_string()]));
    assert!(chain.get_account(&pool).expect("read").is_none(), "pool closed");
}

#[test]
#[ignore = "the load generator behind BENCHMARKS.md (minutes): scripts/load-rpc"]
fn load_generator_10k_contributors() {
    load::run();
}

/// `--keep-spare-page` on a real validator: slots burnt by register + retire + close in one
/// transaction cost the attacker only fees and the operator nothing (they are not demand); a
/// cranker without SOL for a page it would open still pays everyone due in that round, and says
/// why no page was opened. The RPC URL's API key never reaches the log.
#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn spare_pages_cost_the_operator_only_real_demand_and_never_stop_payouts() {
    let v = TestValidator::start("spare", 9);
    let mut chain = v.chain();
    let d = dir("spare");
    // an API key in the URL, as hosted RPC providers hand them out (the validator ignores it)
    let secret_url = format!("{}/?api-key=s3cr3t-k3y", v.url.trim_end_matches('/'));

    // 1. the attack: ten honest contributors, then every other slot of page 0 burnt
    let honest = Pool::create(&mut chain, 0x91, 10, 1, 10_000_000_019);
    let attacker = keypair(0x93, 0);
    setup::airdrop(&mut chain, &attacker.pubkey(), 2_000_000_000);
    let (a, keys) = (attacker.pubkey(), honest.keys);
    let destination = token::associated_token_address(&a, &keys.mint, &keys.token_program);
    let ata = token::create_associated_token_account(&a, &a, &keys.mint, &keys.token_program);
    tx::submit(&mut chain, &attacker, &[], &[ata], &[], SendOptions::default()).expect("attacker's token account");
    let before = setup::balance_lamports(&mut chain, &a);
    let (mut fees, mut entry) = (0u64, 10u32);
    while entry < tributary::constants::ENTRIES_PER_PAGE {
        let mut ixs = Vec::new();
        for _ in 0..6.min(tributary::constants::ENTRIES_PER_PAGE - entry) {
            let hash = setup::hash(0x93, entry);
            let c = ix::ContributionRef { address: tributary_sdk::pda::contribution(&keys.pool, &hash).0, entry };
            let kind = tributary::state::ContributionKind::Dataset;
            ixs.push(ix::register_contribution(&a, &keys, entry, &destination, hash, kind, format!("s/{entry}")));
            ixs.extend([ix::retire_contribution(&a, &keys, &c), ix::close_contribution(&a, &keys, &c)]);
            entry += 1;
        }
        fees += tx::submit(&mut chain, &attacker, &[], &ixs, &[], SendOptions::default()).expect("burn").fee_lamports;
    }
    let attack_cost = before - setup::balance_lamports(&mut chain, &a);
    let page_rent = chain.minimum_balance(LedgerPage::SPACE).expect("rent");
    let share = LedgerPage::slot_share(page_rent);
    assert_eq!(attack_cost, fees + 74 * share, "the attacker paid fees and each burnt slot's share of a page");
    assert_eq!(tributary_crank::crank::load_view(&mut chain, &keys.pool).expect("view").pool.page_fund, 74 * share);
    let cranker = keypair(0x94, 0);
    setup::airdrop(&mut chain, &cranker.pubkey(), 10_000_000_000);
    let key = key_file(&d, "cranker", &cranker);
    let spent_before = setup::balance_lamports(&mut chain, &cranker.pubkey());
    let pool = keys.pool.to_string();
    let args = ["crank", "--pool", &pool, "--keep-spare-page", "--once", "--log-format", "json"];
    let out = tributary(&secret_url, &key, &args).output().expect("run tributary");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(!log.contains("s3cr3t"), "the API key reached the log:\n{log}");
    let rounds: Vec<Value> = log.lines().map(json).filter(|l| l["event"] == "round").collect();
    assert_eq!((rounds[0]["payouts"].as_u64(), rounds[0]["page_opened"].as_str()), (Some(10), Some("None")), "{log}");
    assert!(!log.contains("spare_page_not_opened"), "burnt slots are not demand: {log}");
    let crank_fees: u64 = rounds.iter().map(|r| r["fee_lamports"].as_u64().unwrap_or(0)).sum();
    let operator_paid = spent_before - setup::balance_lamports(&mut chain, &cranker.pubkey());
    assert_eq!(operator_paid, crank_fees, "the cranker paid its crank fees and nothing for the attack");
    eprintln!("spam: 74 slots burnt for {attack_cost} lamports; the cranker paid {operator_paid} (fees of 10 payouts)");

    // the next honest registrant opens page 1: the fund pays back the 74 burnt slots' shares, so
    // what they pay for the page is the ten honest slots' part of it, nothing of the spam's
    let next = keypair(0x97, 0);
    setup::airdrop(&mut chain, &next.pubkey(), 2_000_000_000);
    let n = next.pubkey();
    let next_destination = token::associated_token_address(&n, &keys.mint, &keys.token_program);
    let ata = token::create_associated_token_account(&n, &n, &keys.mint, &keys.token_program);
    tx::submit(&mut chain, &next, &[], &[ata], &[], SendOptions::default()).expect("token account");
    let before = setup::balance_lamports(&mut chain, &n);
    let uri = "ipfs://honest".to_string();
    let contribution_rent = chain.minimum_balance(tributary::state::Contribution::space(uri.len())).expect("rent");
    let entry = tributary::constants::ENTRIES_PER_PAGE;
    let kind = tributary::state::ContributionKind::Dataset;
    let ixs = [
        ix::open_ledger_page(&n, &keys, 1),
        ix::register_contribution(&n, &keys, entry, &next_destination, setup::hash(0x97, entry), kind, uri),
    ];
    let fee =
        tx::submit(&mut chain, &next, &[], &ixs, &[], SendOptions::default()).expect("open and register").fee_lamports;
    let page_cost = before - setup::balance_lamports(&mut chain, &n) - contribution_rent - fee;
    assert_eq!(page_cost, page_rent - 74 * share, "the fund paid the burnt slots' part of the page");
    assert!(page_cost <= 10 * share, "the next registrant pays for no burnt slot");
    assert_eq!(tributary_crank::crank::load_view(&mut chain, &keys.pool).expect("view").pool.page_fund, 0);
    eprintln!("the next registrant paid {page_cost} of the page's {page_rent} lamports (the spam's part: 0)");

    // 2. real demand, too little SOL for the page: everyone due is paid all the same
    let full = Pool::create(&mut chain, 0x95, tributary::constants::ENTRIES_PER_PAGE, 1, 84_000_000_007);
    let poor = keypair(0x96, 0);
    setup::airdrop(&mut chain, &poor.pubkey(), 30_000_000); // a page's rent is above 70,000,000
    let poor_key = key_file(&d, "poor", &poor);
    let pool = full.keys.pool.to_string();
    let args = ["crank", "--pool", &pool, "--keep-spare-page", "--once", "--log-format", "json"];
    let out = tributary(&v.url, &poor_key, &args).output().expect("run tributary");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let refused: Vec<Value> = log.lines().map(json).filter(|l| l["event"] == "spare_page_not_opened").collect();
    assert!(refused[0]["reason"].as_str().is_some_and(|r| r.starts_with("balance")), "{log}");
    let rounds: Vec<Value> = log.lines().map(json).filter(|l| l["event"] == "round").collect();
    assert_eq!(rounds[0]["payouts"].as_u64(), Some(84), "everyone due paid in that round: {log}");
    assert_eq!(assert_books_exact(&mut chain, &full, &[]), 0);
}

/// The governance script, rehearsed on a validator: deploy through the upgradeable loader and hand
/// the upgrade authority to a vault at once; write the next build into a buffer the vault holds;
/// print the upgrade for a proposal and execute exactly the printed instruction as the vault (a
/// Squads vault executes a proposal's instructions the same way: Squads itself cannot run here);
/// the deployed bytes are then the new build's. The deployer can no longer upgrade.
#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn governance_rehearsal_hands_the_upgrade_to_a_vault_and_upgrades_by_proposal() {
    let v = TestValidator::start("governance", 10);
    let mut chain = v.chain();
    let d = dir("governance");
    let (deployer, vault, program) = (keypair(0xA1, 0), keypair(0xA1, 1), keypair(0xA1, 2));
    setup::airdrop(&mut chain, &deployer.pubkey(), 40_000_000_000);
    setup::airdrop(&mut chain, &vault.pubkey(), 1_000_000_000);
    let (deployer_key, program_key) = (key_file(&d, "deployer", &deployer), key_file(&d, "program", &program));
    let first = validator::program_so();
    let next = first.with_file_name("tributary_anchor_route.so");
    let (first_arg, next_arg) = (first.to_string_lossy().to_string(), next.to_string_lossy().to_string());
    let (program_id, vault_id) = (program.pubkey().to_string(), vault.pubkey().to_string());

    let deployed = json(&run_ok(&mut tributary(
        &v.url,
        &deployer_key,
        &["program", "deploy", "--program-keypair", &program_key.to_string_lossy(), "--so", &first_arg]
            .into_iter()
            .chain(["--upgrade-authority", &vault_id, "--output", "json"])
            .collect::<Vec<_>>(),
    )));
    assert_eq!(deployed["upgrade_authority"].as_str(), Some(vault_id.as_str()));
    let verify = |so: &str| {
        let args = ["program", "verify", "--program-id", &program_id, "--so", so, "--output", "json"];
        let out = tributary(&v.url, &deployer_key, &args).output().expect("run tributary");
        assert!(matches!(out.status.code(), Some(0 | 2)), "{}", String::from_utf8_lossy(&out.stderr));
        json(&String::from_utf8_lossy(&out.stdout))
    };
    let first_verified = verify(&first_arg);
    assert_eq!(first_verified["matches"].as_bool(), Some(true), "{first_verified}");
    assert_eq!(first_verified["upgrade_authority"].as_str(), Some(vault_id.as_str()));

    // the next build, in a buffer the vault holds
    let buffer = json(&run_ok(&mut tributary(
        &v.url,
        &deployer_key,
        &["program", "write-buffer", "--so", &next_arg, "--buffer-authority", &vault_id, "--output", "json"],
    )));
    let buffer_id = buffer["buffer"].as_str().expect("buffer").to_string();
    // the deployer no longer holds the upgrade authority
    let refused = run_err(&mut tributary(
        &v.url,
        &deployer_key,
        &["program", "upgrade", "--program-id", &program_id, "--buffer", &buffer_id],
    ));
    assert!(!refused.is_empty());
    // printed for the proposal, nothing sent; then executed as the vault, byte for byte as printed
    let printed = json(&run_ok(&mut tributary(
        &v.url,
        &deployer_key,
        &["program", "upgrade", "--program-id", &program_id, "--buffer", &buffer_id]
            .into_iter()
            .chain(["--print-instruction", &vault_id, "--output", "json"])
            .collect::<Vec<_>>(),
    )));
    assert_eq!(verify(&first_arg)["matches"].as_bool(), Some(true), "printing sends nothing");
    let instruction = |printed: &Value| {
        let ix = &printed["instructions"][0];
        anchor_lang::solana_program::instruction::Instruction {
            program_id: ix["program_id"].as_str().and_then(|k| k.parse().ok()).expect("program id"),
            accounts: ix["accounts"]
                .as_array()
                .expect("accounts")
                .iter()
                .map(|a| anchor_lang::prelude::AccountMeta {
                    pubkey: a["pubkey"].as_str().and_then(|k| k.parse().ok()).expect("key"),
                    is_signer: a["is_signer"].as_bool().expect("signer"),
                    is_writable: a["is_writable"].as_bool().expect("writable"),
                })
                .collect(),
            data: bs58::decode(ix["data"].as_str().expect("data")).into_vec().expect("base58"),
        }
    };
    tx::submit(&mut chain, &vault, &[], &[instruction(&printed)], &[], SendOptions::default())
        .expect("the vault executes the upgrade");
    let upgraded = verify(&next_arg);
    assert_eq!(upgraded["matches"].as_bool(), Some(true), "the deployed bytes are the new build's: {upgraded}");
    assert_eq!(verify(&first_arg)["matches"].as_bool(), Some(false));

    // the vault hands the authority on, again by a printed instruction
    let heir = keypair(0xA1, 3).pubkey().to_string();
    let printed = json(&run_ok(&mut tributary(
        &v.url,
        &deployer_key,
        &["program", "set-authority", "--program-id", &program_id, "--new-authority", &heir]
            .into_iter()
            .chain(["--print-instruction", &vault_id, "--output", "json"])
            .collect::<Vec<_>>(),
    )));
    tx::submit(&mut chain, &vault, &[], &[instruction(&printed)], &[], SendOptions::default())
        .expect("the vault hands the authority on");
    assert_eq!(verify(&next_arg)["upgrade_authority"].as_str(), Some(heir.as_str()));
}
