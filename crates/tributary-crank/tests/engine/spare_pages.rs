//! `--keep-spare-page` costs the operator only for real demand, within a budget, and never stops
//! payouts: burnt slots are not demand, an empty pool is not full, a spent budget or an empty
//! wallet leaves the page to the next registrant and pays everyone due all the same.
use crate::world::{keypair, World};
use anchor_lang::prelude::Pubkey;
use solana_keypair::Keypair;
use solana_signer::Signer;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::state::{ContributionKind, LedgerPage};
use tributary_crank::chain::Chain;
use tributary_crank::crank::{load_view, CrankOptions, Cranker};
use tributary_crank::token::{associated_token_address, create_associated_token_account, TOKEN_PROGRAM};
use tributary_crank::tx::{self, SendOptions};
use tributary_sdk::instructions::{self as ix, ContributionRef};
use tributary_sdk::pda;

/// A cranker's key holding `lamports`.
fn funded(world: &mut World, tag: u8, lamports: u64) -> Keypair {
    let payer = keypair(tag, 0);
    world.chain.airdrop(&payer.pubkey(), lamports).expect("airdrop");
    payer
}

fn lamports(world: &mut World, key: &Pubkey) -> u64 {
    world.chain.get_account(key).expect("read").map_or(0, |a| a.lamports)
}

fn page_rent(world: &mut World) -> u64 {
    world.chain.minimum_balance(LedgerPage::SPACE).expect("rent")
}

/// Once the newest page holds a live contribution in every slot, the crank opens the next one,
/// paying its rent, so the next contributor registers without opening (and paying for) a page.
#[test]
fn the_crank_keeps_a_spare_page_open_for_the_next_contributor() {
    let mut world = World::new(1);
    world.register(ENTRIES_PER_PAGE as usize); // page 0 full of live entries
    let opts = CrankOptions { keep_spare_page: true, ..CrankOptions::default() };
    let payer = funded(&mut world, 0xB2, 100_000_000_000);
    let mut bot = Cranker::new(payer.insecure_clone(), opts);
    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!((report.page_opened, report.page_not_opened.as_deref()), (Some(1), None));
    let view = load_view(&mut world.chain, &world.keys.pool).expect("view");
    assert_eq!(view.pool.ledger_pages, 2);
    assert_eq!(view.pages[1].as_ref().expect("page 1").payer, payer.pubkey(), "the cranker paid the page's rent");
    assert_eq!(bot.round(&mut world.chain, &world.keys.pool).expect("round").page_opened, None, "one spare is enough");
    world.register(1); // entry 84 registers on the spare page
    assert_eq!(load_view(&mut world.chain, &world.keys.pool).expect("view").pool.ledger_pages, 2);
}

/// The attack: register, retire and close in one transaction, six slots a transaction, until
/// the page's slots are all used. Before, the bot paid a page's rent for it every round (about
/// 1,190 : 1); now burnt slots are not demand, and an empty pool is not full.
#[test]
fn slots_burnt_for_fees_only_cost_the_operator_nothing() {
    let mut world = World::new(1);
    let opts = CrankOptions { keep_spare_page: true, lookup_tables: false, ..CrankOptions::default() };
    let payer = funded(&mut world, 0xB3, 100_000_000_000);
    let mut bot = Cranker::new(payer.insecure_clone(), opts);
    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!((report.page_opened, report.page_not_opened.as_deref()), (None, None), "an empty pool is not full");

    world.register(10); // ten honest contributors on page 0
    let attacker = keypair(0xBA, 0);
    world.chain.airdrop(&attacker.pubkey(), 10_000_000_000).expect("airdrop");
    let (a, keys) = (attacker.pubkey(), world.keys);
    let destination = associated_token_address(&a, &keys.mint, &TOKEN_PROGRAM);
    tx::submit(
        &mut world.chain,
        &attacker,
        &[],
        &[create_associated_token_account(&a, &a, &keys.mint, &TOKEN_PROGRAM)],
        &[],
        SendOptions::default(),
    )
    .expect("attacker's token account");
    let before = lamports(&mut world, &a);
    let (mut fees, mut entry) = (0, 10u32);
    while entry < ENTRIES_PER_PAGE {
        let mut ixs = Vec::new();
        for _ in 0..6.min(ENTRIES_PER_PAGE - entry) {
            let mut hash = [0xBA; 32];
            hash[..4].copy_from_slice(&entry.to_le_bytes());
            let c = ContributionRef { address: pda::contribution(&keys.pool, &hash).0, entry };
            let uri = format!("ipfs://spam/{entry}");
            ixs.push(ix::register_contribution(&a, &keys, entry, &destination, hash, ContributionKind::Dataset, uri));
            ixs.extend([ix::retire_contribution(&a, &keys, &c), ix::close_contribution(&a, &keys, &c)]);
            entry += 1;
        }
        fees +=
            tx::submit(&mut world.chain, &attacker, &[], &ixs, &[], SendOptions::default()).expect("burn").fee_lamports;
    }
    let attack_cost = before - lamports(&mut world, &a);
    let burnt = u64::from(ENTRIES_PER_PAGE - 10);
    let share = LedgerPage::slot_share(world.chain.minimum_balance(LedgerPage::SPACE).expect("rent"));
    assert_eq!(attack_cost, fees + burnt * share, "the attacker pays fees and each burnt slot's share of a page");
    let view = load_view(&mut world.chain, &keys.pool).expect("view");
    assert_eq!(view.pool.page_fund, burnt * share, "the shares wait in the pool's page fund");
    assert_eq!(view.pool.entry_count, ENTRIES_PER_PAGE, "every slot of page 0 used");
    assert_eq!(view.pages[0].as_ref().expect("page 0").live_entries, 10, "ten live");

    let spent_before = lamports(&mut world, &payer.pubkey());
    let report = bot.round(&mut world.chain, &keys.pool).expect("round");
    assert_eq!((report.page_opened, report.page_not_opened.as_deref()), (None, None), "burnt slots are not demand");
    assert_eq!(lamports(&mut world, &payer.pubkey()), spent_before, "the operator paid nothing for the attack");
    eprintln!("spam: {burnt} slots burnt for {attack_cost} lamports (fees and slot shares); operator paid 0");
}

/// A budget of one page a day: the second full page in the same day is left to its registrant.
#[test]
fn spare_pages_stop_at_the_daily_budget() {
    let mut world = World::new(1);
    let rent = page_rent(&mut world);
    let opts = CrankOptions { keep_spare_page: true, spare_page_budget: rent, ..CrankOptions::default() };
    let payer = funded(&mut world, 0xB4, 100_000_000_000);
    let mut bot = Cranker::new(payer, opts);
    world.register(ENTRIES_PER_PAGE as usize);
    assert_eq!(bot.round(&mut world.chain, &world.keys.pool).expect("round").page_opened, Some(1));
    world.register(ENTRIES_PER_PAGE as usize); // page 1, the spare, fills with live entries
    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!(report.page_opened, None);
    let why = report.page_not_opened.expect("wanted, not opened");
    assert!(why.starts_with("budget"), "{why}");
    assert!(!world.page_exists(2));
}

/// The pool's page fund (left by closed contributions) pays the opener back in the same
/// instruction: the bot spends, and counts against its budget, only the rest of the rent.
#[test]
fn the_budget_counts_only_what_the_page_fund_does_not_pay_back() {
    let mut world = World::new(1);
    let rent = page_rent(&mut world);
    let share = LedgerPage::slot_share(rent);
    // room for one whole page and one page less ten slots' shares
    let budget = 2 * rent - 10 * share;
    let opts = CrankOptions { keep_spare_page: true, spare_page_budget: budget, ..CrankOptions::default() };
    let payer = funded(&mut world, 0xB6, 100_000_000_000);
    let mut bot = Cranker::new(payer.insecure_clone(), opts);
    world.register(ENTRIES_PER_PAGE as usize);
    assert_eq!(bot.round(&mut world.chain, &world.keys.pool).expect("round").page_opened, Some(1));
    for m in 0..10 {
        world.retire(m);
        world.close(m); // ten slots of page 0 burnt: ten shares in the fund
    }
    assert_eq!(load_view(&mut world.chain, &world.keys.pool).expect("view").pool.page_fund, 10 * share);
    world.register(ENTRIES_PER_PAGE as usize); // page 1 fills with live entries
    let before = lamports(&mut world, &payer.pubkey());
    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!(report.page_opened, Some(2), "{:?}", report.page_not_opened);
    // (a whole page would have passed the budget: opened, so only the rest was counted)
    let spent = before - lamports(&mut world, &payer.pubkey()) - report.fee_lamports;
    let net = rent - 10 * share;
    assert!(spent >= net && spent - net <= 10_000, "the page's rent less the fund's share, and its fee: {spent}");
    assert_eq!(load_view(&mut world.chain, &world.keys.pool).expect("view").pool.page_fund, 0);
}

/// Too little SOL for a page: the round says why and still pays everyone due (before, the failed
/// `open_ledger_page` ended the round before any payout, every round).
#[test]
fn a_cranker_without_sol_for_a_page_still_pays_everyone_due() {
    let mut world = World::new(1);
    world.register(ENTRIES_PER_PAGE as usize);
    world.set_weights(&(0..ENTRIES_PER_PAGE).map(|e| (e, 1)).collect::<Vec<_>>());
    world.deposit(84_000);
    let rent = page_rent(&mut world);
    let opts = CrankOptions { keep_spare_page: true, lookup_tables: false, ..CrankOptions::default() };
    let payer = funded(&mut world, 0xB5, rent / 2);
    let mut bot = Cranker::new(payer, opts);
    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!(report.page_opened, None);
    let why = report.page_not_opened.clone().expect("wanted, not opened");
    assert!(why.starts_with("balance"), "{why}");
    assert_eq!((report.due, report.payouts), (84, 84), "{report:?}");
    let view = load_view(&mut world.chain, &world.keys.pool).expect("view");
    assert_eq!(view.total_owed().expect("owed"), 0);
}
