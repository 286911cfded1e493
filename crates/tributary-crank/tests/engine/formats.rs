//! v1 transactions: the crank needs no lookup tables and no ComputeBudget program account, so
//! more payouts fit; the account budget is a parameter (64 today, 96 under SIMD-0596), and a
//! transaction's payouts are split over crank instructions so each `batch` CPI stays within 255
//! account references.
use super::cranker;
use crate::world::{keypair, World};
use anchor_lang::prelude::Pubkey;
use std::cell::RefCell;
use std::rc::Rc;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary_crank::crank::{due_payouts, load_view, CrankOptions, Cranker, RoundReport, MAX_PAYOUTS_PER_BATCH_CPI};
use tributary_crank::token::{TOKEN_2022_PROGRAM, TOKEN_PROGRAM};
use tributary_crank::tx::{Format, Version};

/// A page of entries due on `token_program`, cranked in `format`: the report and each
/// transaction's payouts.
fn crank_a_page(token_program: Pubkey, format: Option<Format>) -> (RoundReport, Vec<usize>) {
    let n = ENTRIES_PER_PAGE as usize;
    let mut world = World::with_token_program(1, token_program);
    world.register(n);
    world.set_weights(&(0..n as u32).map(|e| (e, 1)).collect::<Vec<_>>());
    world.deposit(1_000 * n as u64);
    let mut bot = cranker(&mut world);
    bot.opts = CrankOptions { format, ..CrankOptions::default() };
    let sent = Rc::new(RefCell::new(Vec::new()));
    let progress = sent.clone();
    bot.on_progress = Some(Box::new(move |done, _| progress.borrow_mut().push(done)));
    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    let view = load_view(&mut world.chain, &world.keys.pool).expect("view");
    assert_eq!(view.total_owed().expect("owed"), 0, "everyone paid");
    let marks = sent.borrow().clone();
    let per_tx = marks.iter().scan(0, |before, done| Some(done - std::mem::replace(before, *done))).collect();
    (report, per_tx)
}

#[test]
fn a_v1_crank_fits_more_payouts_than_v0_and_needs_no_lookup_table() {
    let (v1, per_v1) = crank_a_page(TOKEN_PROGRAM, None); // the cluster's newest: v1, from its feature account
    assert_eq!(v1.format.map(|f| f.version), Some(Version::V1), "{v1:?}");
    assert_eq!(v1.lookup_addresses_added, 0, "no lookup table on v1");
    let (v0, per_v0) = crank_a_page(TOKEN_PROGRAM, Some(Format::V0));
    assert!(v0.lookup_addresses_added > 0, "v0 keeps destinations in lookup tables");
    eprintln!("payouts per transaction: v1 {per_v1:?}, v0 {per_v0:?}");
    assert!(per_v1[0] >= 57, "v1: {per_v1:?}");
    assert!(per_v1[0] > per_v0[0], "v1 {per_v1:?} against v0 {per_v0:?}");
    assert_eq!(v1.payouts, ENTRIES_PER_PAGE as usize);
}

/// Token-2022 (v11, as LiteSVM 0.16 ships it) pays through its own `batch`: one CPI of
/// `TransferChecked`s instead of one CPI per payout.
#[test]
fn token_2022_pays_through_its_batch_on_v1() {
    let (report, per_tx) = crank_a_page(TOKEN_2022_PROGRAM, None);
    let cu_per_payout = report.units / report.payouts as u64;
    eprintln!("Token-2022 batch on v1: {per_tx:?} payouts per transaction, {cu_per_payout} CU per payout");
    assert_eq!(report.mode, "Batch", "{report:?}");
    assert!(per_tx[0] >= 56, "{per_tx:?}");
    assert!(cu_per_payout <= 2_500, "{cu_per_payout} CU per payout");
}

/// The account budget is a parameter: at SIMD-0596's 96 addresses one v1 transaction packs 89
/// payouts, over two crank instructions (84 + 5: the first page's batch CPI names 3 × 84 = 252
/// accounts, within 255). Packed only: LiteSVM, like today's clusters, locks at most 64 accounts.
#[test]
fn at_a_96_address_limit_one_v1_transaction_packs_89_payouts_in_two_batch_cpis() {
    let n = 2 * ENTRIES_PER_PAGE as usize;
    let mut world = World::new(1);
    world.register(n);
    world.set_weights(&(0..n as u32).map(|e| (e, 1)).collect::<Vec<_>>());
    world.deposit(1_000 * n as u64);
    let view = load_view(&mut world.chain, &world.keys.pool).expect("view");
    let (due, _) = due_payouts(&mut world.chain, &view).expect("due");
    for (limit, expected) in [(96usize, 89), (64, 57)] {
        let opts = CrankOptions { format: Some(Format::V1), max_accounts: Some(limit), ..CrankOptions::default() };
        let mut bot = Cranker::new(keypair(0xA5, limit as u64), opts); // packs only: pays nothing
        let (packed, built) = bot.largest_transaction(&mut world.chain, &view, &due).expect("packed");
        assert!(packed >= expected, "{limit} addresses: {packed} payouts");
        assert!(built.accounts <= limit && built.bytes <= Format::V1.max_bytes(), "{} accounts", built.accounts);
        let keys = built.tx.message.static_account_keys();
        let cranks: Vec<usize> = built
            .tx
            .message
            .instructions()
            .iter()
            .filter(|ix| keys[usize::from(ix.program_id_index)] == tributary::ID)
            .map(|ix| ix.accounts.len())
            .collect();
        // each crank instruction's batch CPI: three references per payout and one more transfer for
        // a reward, never above 255
        // (the crank's seven named accounts, an absent optional one as the program's id, then one
        // destination per payout)
        let per_instruction: Vec<usize> = cranks.iter().map(|accounts| accounts - 7).collect();
        assert!(per_instruction.iter().all(|p| (p + 1) * 3 <= 255 && *p <= MAX_PAYOUTS_PER_BATCH_CPI));
        assert_eq!(per_instruction.iter().sum::<usize>(), packed, "{per_instruction:?}");
        eprintln!("{limit} addresses: {packed} payouts in one v1 transaction, {per_instruction:?} per crank");
    }
}
