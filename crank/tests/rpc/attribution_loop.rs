//! The whole attribution loop an AI team runs, on the validator: contributors register files, the
//! Python service trains on them and serves requests, writing receipts through the Python library;
//! `attest build` → `weights set --report` for training, `attribute --receipts` for inference fees;
//! revenue → crank → every contributor paid exactly what the recomputed scores say; `verify
//! --recompute` passes, and names the receipt whose score was altered.
use super::{dir, json, run_err, run_ok, tributary};
use crate::setup::{airdrop, balance, key_file, keypair, Pool};
use crate::validator::TestValidator;
use serde_json::Value;
use solana_signer::Signer;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use tributary_attest::{plan_usage_fee, scores_of, Receipt, Report};

/// The Python that has the `tributary` package (scripts/python-env makes it; scripts/test-rpc
/// passes it in).
fn python() -> PathBuf {
    PathBuf::from(std::env::var("TRIBUTARY_PYTHON").expect("TRIBUTARY_PYTHON: run through scripts/test-rpc"))
}

fn py(args: &[&str]) -> Command {
    let mut cmd = Command::new(python());
    cmd.arg("-m").arg("tributary").args(args);
    cmd
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn receipts_of(log: &Path) -> Vec<Receipt> {
    let text = std::fs::read_to_string(log).expect("receipts");
    text.lines().enumerate().map(|(i, l)| Receipt::parse(l, i as u64 + 1).expect("receipt")).collect()
}

#[test]
#[ignore = "needs solana-test-validator in a private network namespace: scripts/test-rpc"]
fn the_ai_service_loop_pays_every_contributor_by_its_recomputed_scores() {
    let v = TestValidator::start("loop", 11);
    let mut chain = v.chain();
    let tag = 0x71;
    let mut pool = Pool::create(&mut chain, tag, 0, 1, 0);
    let p = pool.keys.pool.to_string();
    let d = dir("loop");
    let data = d.join("data");
    let made =
        json(&run_ok(py(&["--json", "make-data", "--out", path(&data), "--texts", "4", "--tables", "3"]).args([
            "--tokens",
            "2500",
            "--points",
            "150",
            "--validation",
            "80",
            "--prompts",
            "16",
        ])));
    let files: Vec<String> =
        made["files"].as_array().expect("files").iter().map(|f| f.as_str().expect("path").to_string()).collect();
    assert_eq!(files.len(), 7);

    // each contributor registers their file: only its SHA-256 goes on chain
    let mut entry_of: BTreeMap<String, u32> = BTreeMap::new();
    let mut destination_of: BTreeMap<u32, String> = BTreeMap::new();
    for (i, file) in files.iter().enumerate() {
        let contributor = keypair(tag.wrapping_add(100), i as u64);
        airdrop(&mut chain, &contributor.pubkey(), 1_000_000_000);
        let key = key_file(&d, &format!("contributor-{i}"), &contributor);
        let kind = if file.ends_with(".csv") { "dataset" } else { "other" };
        let registered = json(&run_ok(
            tributary(
                &v.url,
                &key,
                &["contribute", "--pool", &p, "--file", file, "--uri", &format!("file://{file}"), "--kind", kind],
            )
            .args(["--output", "json"]),
        ));
        let entry = registered["entry"].as_u64().expect("entry") as u32;
        entry_of.insert(file.clone(), entry);
        destination_of.insert(entry, registered["destination"].as_str().expect("destination").to_string());
    }
    let (texts, tables): (Vec<&String>, Vec<&String>) = files.iter().partition(|f| f.ends_with(".txt"));

    // the service: an n-gram model trained on the registered texts answers 16 prompts, each output
    // attributed by maximal spans; k-NN Shapley values the registered tables on a validation set
    let inputs = d.join("inputs");
    let inference = d.join("inference.jsonl");
    let training = d.join("training.jsonl");
    let common = ["--url", v.url.as_str(), "--pool", &p, "--inputs", path(&inputs)];
    let served = json(&run_ok(
        py(&["--json", "serve"])
            .args(common)
            .args(["--receipts", path(&inference), "--prompts", made["prompts"].as_str().expect("prompts")])
            .args(["--min-tokens", "6", "--files"])
            .args(&texts),
    ));
    assert!(served["receipts"].as_u64().expect("receipts") >= 8, "most outputs reproduce the corpus: {served}");
    let valued = json(&run_ok(
        py(&["--json", "value"])
            .args(common)
            .args(["--receipts", path(&training), "--validation", made["validation"].as_str().expect("validation")])
            .args(["--k", "5", "--files"])
            .args(&tables),
    ));
    // the classifier the values are for is a good one, and the mostly mislabelled table (the last) is
    // worth nothing to it; the others are worth something
    assert!(valued["accuracy"].as_f64().expect("accuracy") > 0.9, "{valued}");
    let noisy = entry_of[tables[2].as_str()].to_string();
    assert_eq!(valued["scores"][&noisy], Value::from("0"), "{valued}");
    for t in &tables[..2] {
        assert_ne!(valued["scores"][entry_of[t.as_str()].to_string()], Value::from("0"), "{valued}");
    }
    // a file nobody registered is refused before it is used
    let stray = d.join("stray.txt");
    std::fs::write(&stray, "not registered").expect("stray");
    let out = py(&["serve"])
        .args(common)
        .args(["--receipts", path(&d.join("stray.jsonl")), "--prompts", made["prompts"].as_str().expect("prompts")])
        .args(["--files", path(&stray)])
        .output()
        .expect("python");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a contribution registered in this pool"));

    // training: the report of the training receipts becomes the pool's weights
    let attestor = key_file(&d, "attestor", &pool.attestor);
    let report = d.join("report.json");
    let view = tributary_crank::crank::load_view(&mut chain, &pool.keys.pool).expect("view");
    let epoch = (view.pool.epoch + 1).to_string();
    let (r, rep) = (path(&training), path(&report));
    run_ok(&mut tributary(
        &v.url,
        &attestor,
        &["attest", "build", "--receipts", r, "--pool", &p, "--epoch", &epoch, "--out", rep],
    ));
    run_ok(&mut tributary(&v.url, &attestor, &["weights", "set", "--pool", &p, "--report", rep]));
    let built = Report::parse(&std::fs::read(&report).expect("report")).expect("report");

    // everyone can check it: the Python library reads the pool over JSON-RPC, compares epoch, hash
    // and weights, rebuilds the report from the receipts and recomputes every score from its inputs
    for log in [&training, &inference] {
        let mut verify = py(&["--json", "verify", "--recompute", "--inputs", path(&inputs)]);
        verify.args(["--url", v.url.as_str(), "--pool", &p, "--receipts", path(log)]);
        if log == &training {
            verify.args(["--report", rep]);
        }
        let verified = json(&run_ok(&mut verify));
        assert_eq!(verified["verified"], Value::Bool(true), "{verified}");
    }

    // a receipt's proof made by one implementation checks in the other, both ways
    let run_id = receipts_of(&training)[0].id.clone();
    let proof_py = d.join("proof-py.json");
    let out = py(&["prove", "--receipts", r, "--id", &run_id]).output().expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(&proof_py, &out.stdout).expect("proof");
    run_ok(&mut tributary(
        &v.url,
        &attestor,
        &["attest", "check-receipt", "--report", rep, "--proof", path(&proof_py)],
    ));
    let proof_rs = d.join("proof-rs.json");
    std::fs::write(
        &proof_rs,
        run_ok(&mut tributary(&v.url, &attestor, &["attest", "prove", "--receipts", r, "--id", &run_id])),
    )
    .expect("proof");
    run_ok(&mut py(&["check-receipt", "--report", rep, "--proof", path(&proof_rs)]));

    // revenue: a deposit paid by weight, and the inference requests' fee split by their scores
    let deposit = 7_000_000_001u64;
    pool.deposit(&mut chain, deposit);
    let operator = key_file(&d, "operator", &pool.operator);
    let from = pool.operator_token.to_string();
    let fee_tokens = "123.456789";
    let fee = 123_456_789u64;
    let attributed = json(&run_ok(
        tributary(
            &v.url,
            &operator,
            &["attribute", "--pool", &p, "--fee", fee_tokens, "--receipts", path(&inference), "--from", &from],
        )
        .args(["--output", "json"]),
    ));
    assert_eq!(attributed["fee"].as_u64(), Some(fee), "{attributed}");
    pool.total_in += fee;
    run_ok(&mut tributary(&v.url, &operator, &["crank", "--pool", &p, "--once"]));

    // what each entry is owed, from the recomputed scores alone: the usage fee's exact basis-point
    // credits, then deposit + rounding remainders by the report's weights (which sum to 2⁴⁰, so a
    // whole unit divides exactly)
    let scores = scores_of(&receipts_of(&inference)).expect("scores");
    let plan = plan_usage_fee(&scores, fee, tributary::constants::ENTRIES_PER_PAGE, 16).expect("plan");
    let mut expected: BTreeMap<u32, u128> = BTreeMap::new();
    let mut by_weight = u128::from(deposit);
    for payment in &plan {
        let mut credited = 0;
        for (entry, bps) in &payment.shares {
            let share = tributary_math::usage_share(payment.fee, *bps).expect("share");
            *expected.entry(*entry).or_default() += u128::from(share);
            credited += share;
        }
        by_weight += u128::from(payment.fee - credited);
    }
    assert_eq!(built.total_weight, 1 << 40);
    for w in &built.weights {
        *expected.entry(w.entry).or_default() += (u128::from(w.weight) * by_weight) >> 40;
    }
    let reward_bps = view.pool.cranker_reward_bps;
    let mut paid_total = 0u64;
    for (entry, destination) in &destination_of {
        let owed = u64::try_from(expected.get(entry).copied().unwrap_or(0)).expect("u64");
        let split = tributary_math::split_payout(owed, reward_bps).expect("split");
        let received = balance(&mut chain, &destination.parse().expect("pubkey"));
        assert_eq!(received, split.to_contributor, "entry {entry}: paid exactly what its recomputed scores earn");
        paid_total += owed;
    }
    let text_entries: Vec<u32> = texts.iter().map(|t| entry_of[t.as_str()]).collect();
    assert!(text_entries.iter().all(|e| expected.get(e).is_some_and(|o| *o > 0)), "every text earned usage fees");
    assert_eq!(expected.get(&entry_of[tables[2].as_str()]).copied().unwrap_or(0), 0, "the mislabelled table earns 0");
    // what no entry could take (fractions of a base unit) stays in the vault, less than one unit an entry
    let vault = balance(&mut chain, &pool.keys.vault);
    assert!(vault < destination_of.len() as u64 && paid_total + vault == deposit + fee, "{paid_total} + {vault}");

    eprintln!(
        "loop: {} inference receipts, training scores {}, k-NN accuracy {}, owed {expected:?}",
        served["receipts"], valued["scores"], valued["accuracy"]
    );

    // a score altered after the fact: recompute names the receipt, and the report no longer verifies
    let text = std::fs::read_to_string(&inference).expect("log");
    let lines: Vec<&str> = text.lines().collect();
    let victim = Receipt::parse(lines[2], 3).expect("receipt");
    let score = victim.uses[0].score.to_string();
    let altered = lines[2].replacen(&format!("\"score\":\"{score}\""), &format!("\"score\":\"1{score}\""), 1);
    assert_ne!(altered, lines[2]);
    let tampered = d.join("tampered.jsonl");
    let mut changed: Vec<&str> = lines.clone();
    changed[2] = &altered;
    std::fs::write(&tampered, changed.join("\n") + "\n").expect("tampered");
    let out = py(&["--json", "verify", "--recompute", "--inputs", path(&inputs), "--receipts", path(&tampered)])
        .args(["--url", v.url.as_str(), "--pool", &p])
        .output()
        .expect("python");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let refused = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(refused["differ"].as_array().map(Vec::len), Some(1), "{refused}");
    assert_eq!(refused["differ"][0]["id"], Value::from(victim.id.clone()));
    assert_eq!(refused["differ"][0]["line"], Value::from(3));
    // a weight moved on chain under the report's epoch and hash: both checkers name the entry
    let view = tributary_crank::crank::load_view(&mut chain, &pool.keys.pool).expect("view");
    let moved = tributary::WeightUpdate { entry: built.weights[0].entry, weight: built.weights[0].weight + 1 };
    tributary_cli::ops::post_weights(&mut chain, &pool.attestor, &view, vec![moved], built.epoch, built.hash())
        .expect("post");
    let out = py(&["verify", "--receipts", r, "--report", rep, "--url", v.url.as_str(), "--pool", &p])
        .output()
        .expect("python");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("entry {}: weight", built.weights[0].entry)));
    let refused = run_err(&mut tributary(&v.url, &attestor, &["attest", "verify", "--pool", &p, "--report", rep]));
    assert!(refused.contains("on chain"), "{refused}");
}
