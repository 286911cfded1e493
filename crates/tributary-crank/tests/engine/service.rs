//! The service loop (`tributary_crank::service::run`) on the embedded chain: one pass pays every
//! named pool and sets the backlog gauges; a pool nobody named is cranked only opted in, priced,
//! and when its reward covers the fees; a stop request ends the loop before another pass.
use crate::world::{keypair, World};
use anchor_lang::prelude::Pubkey;
use solana_signer::Signer;
use std::sync::atomic::AtomicBool;
use tributary_crank::crank::{load_view, CrankOptions, Cranker, RewardAccount};
use tributary_crank::service::{self, Exit, Settings};
use tributary_crank::telemetry::Metrics;
use tributary_crank::token::{associated_token_address, create_associated_token_account};
use tributary_sdk::instructions as ix;

const N: usize = 100;

/// `N` entries owed 1,000 each, a pool paying the cranker `reward_bps`, and a cranker holding
/// an associated token account of the pool's mint.
fn world(reward_bps: u16) -> (World, Cranker) {
    let mut world = World::new(1);
    world.register(N);
    world.set_weights(&(0..N as u32).map(|e| (e, 1)).collect::<Vec<_>>());
    world.deposit(1_000 * N as u64);
    let operator = world.operator.insecure_clone();
    let config = ix::update_pool_config(&operator.pubkey(), &world.keys.pool, reward_bps, 1);
    world.send(&[], &[config]).expect("pool config");
    let cranker = keypair(0xE0, u64::from(reward_bps));
    world.chain.airdrop(&cranker.pubkey(), 100_000_000_000).expect("airdrop");
    let (c, keys) = (cranker.pubkey(), world.keys);
    let ata = create_associated_token_account(&operator.pubkey(), &c, &keys.mint, &keys.token_program);
    world.send(&[], &[ata]).expect("cranker's token account");
    let opts = CrankOptions { reward_account: RewardAccount::Associated, ..CrankOptions::default() };
    (world, Cranker::new(cranker, opts))
}

/// Settings as `Settings::load` makes them from a config file holding `text` (and no flags).
fn settings(text: &str) -> Settings {
    let digest = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let path = std::env::temp_dir().join(format!("tributary-service-{}-{digest:x}.toml", std::process::id()));
    std::fs::write(&path, text).expect("write");
    let loaded = Settings::load(Some(&path), serde_json::json!({})).expect("settings");
    let _ = std::fs::remove_file(&path);
    loaded
}

#[test]
fn one_pass_pays_a_named_pool_and_sets_the_backlog_gauges() {
    let (mut world, mut bot) = world(100);
    let pool = world.keys.pool;
    let s = settings(&format!("pool = \"{pool}\"\nonce = true\n"));
    let metrics = Metrics::new();
    let exit = service::run(&mut world.chain, &mut bot, &s, &metrics, &AtomicBool::new(false)).expect("run");
    assert_eq!(exit, Exit::Done);
    let view = load_view(&mut world.chain, &pool).expect("view");
    assert_eq!(view.total_owed().expect("owed"), 0, "everything paid");
    assert_eq!(metrics.payouts.get(), N as u64);
    assert_eq!((metrics.entries_due.get(), metrics.owed_backlog.get()), (N as i64, 0));
    assert_eq!(metrics.quarantined_now.get(), 0);
    assert!(metrics.last_successful_round.get() > 1_700_000_000, "a unix time");
    // the reward went to the cranker's associated account, found from the round's own view
    let ata = associated_token_address(&bot.payer.pubkey(), &world.keys.mint, &world.keys.token_program);
    assert_eq!(world.balance(&ata), 1_000, "1 % of 100 × 1,000");
}

#[test]
fn a_discovered_pool_is_cranked_only_priced_and_worth_its_fees() {
    let (mut world, mut bot) = world(100);
    let (pool, mint) = (world.keys.pool, world.keys.mint);
    let stop = AtomicBool::new(false);
    let other_mint = Pubkey::new_unique();
    // unpriced mint: discovered, never cranked
    let unpriced = settings(&format!("all-pools = true\nvalue = [\"{other_mint}=1000\"]\nonce = true\n"));
    let metrics = Metrics::new();
    let exit = service::run(&mut world.chain, &mut bot, &unpriced, &metrics, &stop).expect("run");
    // (left by the rule, it is not outstanding work: `once` ends after one pass)
    assert_eq!((exit, metrics.payouts.get(), metrics.transactions.get()), (Exit::Done, 0, 0));
    assert_eq!(metrics.rounds.get(), 1);
    // priced, but the reward (1 % of 100,000 units at 0.01 lamports each: 10 lamports) is below
    // the fees: not cranked
    let cheap = settings(&format!("all-pools = true\nvalue = [\"{mint}=0.01\"]\nonce = true\n"));
    let metrics = Metrics::new();
    service::run(&mut world.chain, &mut bot, &cheap, &metrics, &stop).expect("run");
    assert_eq!((metrics.payouts.get(), metrics.transactions.get()), (0, 0), "nothing spent on it");
    // worth it (1,000 units at 100 lamports: 100,000 lamports against a few transactions' fees)
    let worth = settings(&format!("all-pools = true\nvalue = [\"{mint}=100\"]\nonce = true\n"));
    let metrics = Metrics::new();
    let exit = service::run(&mut world.chain, &mut bot, &worth, &metrics, &stop).expect("run");
    assert_eq!((exit, metrics.payouts.get()), (Exit::Done, N as u64));
    assert_eq!(load_view(&mut world.chain, &pool).expect("view").total_owed().expect("owed"), 0);
}

#[test]
fn a_stop_request_ends_the_service_before_another_pass() {
    let (mut world, mut bot) = world(0);
    let pool = world.keys.pool;
    let s = settings(&format!("pool = \"{pool}\"\n"));
    let metrics = Metrics::new();
    let exit = service::run(&mut world.chain, &mut bot, &s, &metrics, &AtomicBool::new(true)).expect("run");
    assert_eq!((exit, metrics.rounds.get()), (Exit::Done, 0));
}
