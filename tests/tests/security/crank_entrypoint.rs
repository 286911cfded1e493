//! The crank is served by the program's own entrypoint, not by Anchor's account checks: every check
//! Anchor would make of `Crank`'s accounts is made there too, with Anchor's error, and nothing
//! changes. Cranks the fast route does not take (malformed data, too few accounts, more account
//! entries than it reads) reach Anchor's dispatcher and behave as before.
use crate::{swap, unsigned};
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

fn readonly(mut ix: Instruction, index: usize) -> Instruction {
    let meta = &ix.accounts[index];
    ix.accounts[index] = AccountMeta::new_readonly(meta.pubkey, meta.is_signer);
    ix
}

#[test]
fn every_account_check_of_the_crank_holds_on_its_own_entrypoint() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 100, 0, &[1, 1], 2_000);
    let cranker = env.new_funded_keypair();
    let reward = env.create_token_account(&f.keys.mint, &cranker.pubkey());
    let (page, destination) = (f.page_key(0), f.members[0].destination);
    let watch = [f.keys.pool, page, f.keys.vault, destination, reward];
    let crank = |mode| ix::crank(&cranker.pubkey(), &f.keys, 0, &[(0, destination)], Some(reward), mode);
    let batch = crank(CrankMode::Batch);

    env.expect_anchor_error(&[unsigned(batch.clone(), &cranker.pubkey())], &[], "AccountNotSigner", &watch);
    // pool, ledger page, vault and reward account passed read-only
    for index in [1, 2, 3, 6] {
        env.expect_anchor_error(&[readonly(batch.clone(), index)], &[&cranker], "ConstraintMut", &watch);
    }
    // a pool's bytes under another owner; other account types as the pool and as the page
    let mut forged = env.account(&f.keys.pool).expect("pool");
    forged.owner = anchor_lang::system_program::ID;
    let fake_pool = env.keypair().pubkey();
    env.svm.set_account(fake_pool, forged).expect("forged pool");
    env.expect_anchor_error(&[swap(batch.clone(), 1, fake_pool)], &[&cranker], "AccountOwnedByWrongProgram", &watch);
    let contribution = f.members[0].contribution.address;
    env.expect_anchor_error(
        &[swap(batch.clone(), 1, contribution)],
        &[&cranker],
        "AccountDiscriminatorMismatch",
        &watch,
    );
    env.expect_anchor_error(
        &[swap(batch.clone(), 2, f.keys.pool)],
        &[&cranker],
        "AccountDiscriminatorMismatch",
        &watch,
    );
    // another mint named as the pool's (the per-transfer path passes the mint)
    let other_mint = env.create_mint(&TOKEN_PROGRAM, 6);
    let per_transfer = crank(CrankMode::PerTransfer);
    env.expect_error(&[swap(per_transfer, 5, other_mint)], &[&cranker], TributaryError::MintMismatch, &watch);
    // an entry of another page, and more entries than destinations
    let mut other_page = batch.clone();
    other_page.data[12..16].copy_from_slice(&84u32.to_le_bytes());
    env.expect_error(&[other_page], &[&cranker], TributaryError::EntryNotInPage, &watch);
    let mut short = batch.clone();
    short.accounts.pop();
    env.expect_error(&[short], &[&cranker], TributaryError::AccountCountMismatch, &watch);
    // the same crank, untouched, pays
    env.ok(&[batch], &[&cranker]);
    assert_eq!(env.balance(&destination), 990);
}

#[test]
fn cranks_the_fast_route_does_not_take_reach_anchor() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 0, &[1, 2, 3], 6_000);
    let cranker = env.new_funded_keypair();
    let payouts: Vec<(u32, Pubkey)> = (0..3).map(|m| (m as u32, f.members[m].destination)).collect();
    let watch = [f.keys.pool, f.page_key(0), f.keys.vault];
    let batch = ix::crank(&cranker.pubkey(), &f.keys, 0, &payouts, None, CrankMode::Batch);
    // `batch` is neither 0 nor 1: borsh refuses it
    let mut bad_bool = batch.clone();
    *bad_bool.data.last_mut().expect("data") = 2;
    env.expect_anchor_error(&[bad_bool], &[&cranker], "InstructionDidNotDeserialize", &watch);
    // fewer accounts than the crank's fixed ones
    let mut few = batch.clone();
    few.accounts.truncate(4);
    env.expect_anchor_error(&[few], &[&cranker], "AccountNotEnoughKeys", &watch);
    // 7 + 66 account entries (the three destinations named 22 times each): more than the 64 the
    // fast route reads, so Anchor's handler serves it — each entry is still paid exactly once
    let many: Vec<(u32, Pubkey)> = payouts.iter().copied().cycle().take(66).collect();
    let crank = ix::crank(&cranker.pubkey(), &f.keys, 0, &many, None, CrankMode::Batch);
    assert!(crank.accounts.len() > 64);
    env.ok(&[crank], &[&cranker]);
    for (m, expected) in [(0, 1_000), (1, 2_000), (2, 3_000)] {
        assert_eq!(env.balance(&f.members[m].destination), expected);
        assert_eq!((f.entry(&env, m).owed, f.entry(&env, m).paid), (0, expected));
    }
    let pool = env.pool(&f.keys.pool);
    assert_eq!(pool.total_paid(), 6_000, "Anchor's route records the totals too");
    assert_eq!(env.balance(&f.keys.vault), 0);
}

/// The entrypoint reads the crank's fixed accounts by position: those positions are the order of
/// Anchor's `Crank` accounts (what every builder emits) and of the checked-in IDL.
#[test]
fn the_entrypoints_account_positions_are_the_crank_structs_and_the_idls() {
    use anchor_lang::ToAccountMetas;
    use tributary::instructions::crank::CrankAccounts;
    let key = |i: u8| Pubkey::new_from_array([i + 1; 32]);
    let metas = tributary::accounts::Crank {
        cranker: key(0),
        pool: key(1),
        ledger_page: key(2),
        vault: key(3),
        token_program: key(4),
        mint: Some(key(5)),
        reward_account: Some(key(6)),
    }
    .to_account_metas(None);
    let order: Vec<u8> = metas.iter().map(|m| m.pubkey.to_bytes()[0] - 1).collect();
    assert_eq!(order, (0..CrankAccounts::LEN as u8).collect::<Vec<_>>(), "fields in NAMES order");
    assert_eq!(CrankAccounts::NAMES[CrankAccounts::MINT], "mint");
    assert_eq!(CrankAccounts::NAMES[CrankAccounts::REWARD_ACCOUNT], "reward_account");
    let idl: serde_json::Value = serde_json::from_str(include_str!("../../../idl/tributary.json")).expect("idl");
    let crank =
        idl["instructions"].as_array().expect("instructions").iter().find(|i| i["name"] == "crank").expect("crank");
    let names: Vec<&str> =
        crank["accounts"].as_array().expect("accounts").iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(names, CrankAccounts::NAMES, "the IDL's order");
}
