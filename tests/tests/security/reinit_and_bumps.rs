//! Re-initialisation and non-canonical bumps.
use anchor_lang::prelude::Pubkey;
use solana_signer::Signer;
use tributary::constants::{LEDGER_SEED, POOL_SEED};
use tributary::errors::TributaryError;
use tributary::state::ContributionKind;
use tributary_sdk::instructions::{self as ix, PoolKeys};
use tributary_sdk::pda;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn nothing_can_be_initialised_twice() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 1);
    let pool_before = env.account(&f.keys.pool).unwrap();
    // the pool
    let again =
        ix::create_pool(&f.authority.pubkey(), &f.keys, PoolFixture::args(f.pool_id, f.authority.pubkey(), 100, 9));
    let auth = f.authority.insecure_clone();
    env.expect_failure(&[again], &[&auth], &[f.keys.pool, f.keys.vault], |_| {});
    assert_eq!(env.account(&f.keys.pool).unwrap(), pool_before);
    // the ledger page: its address is derived from the page count, so the old one is never "next"
    env.expect_anchor_error(
        &[ix::open_ledger_page(&env.payer.pubkey(), &f.keys, 0)],
        &[],
        "ConstraintSeeds",
        &[f.keys.pool, f.page_key(0)],
    );
    // the contribution
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    let dup = ix::register_contribution(
        &wallet.pubkey(),
        &f.keys,
        1,
        &m.destination,
        m.content_hash,
        ContributionKind::Other,
        "ipfs://y".into(),
    );
    env.expect_error(
        &[dup],
        &[&wallet],
        TributaryError::DuplicateContribution,
        &[f.keys.pool, f.page_key(0), m.contribution.address],
    );
}

/// A PDA with a bump other than the canonical one, for the same seeds.
fn non_canonical(seeds: &[&[u8]]) -> Option<Pubkey> {
    let (_, canonical) = Pubkey::find_program_address(seeds, &tributary::ID);
    (0..canonical).rev().find_map(|bump| {
        let mut s = seeds.to_vec();
        let b = [bump];
        s.push(&b);
        Pubkey::create_program_address(&s, &tributary::ID).ok()
    })
}

#[test]
fn non_canonical_bumps_are_refused() {
    let mut env = Env::new();
    let mint = env.create_mint(&TOKEN_PROGRAM, 6);
    let creator = env.new_funded_keypair();
    let id = 11u64.to_le_bytes();
    let fake_pool = non_canonical(&[POOL_SEED, creator.pubkey().as_ref(), &id]).expect("a second bump exists");
    let mut keys = PoolKeys::new(&creator.pubkey(), 11, mint, TOKEN_PROGRAM);
    keys.pool = fake_pool;
    keys.vault = pda::vault(&fake_pool).0;
    let create = ix::create_pool(&creator.pubkey(), &keys, PoolFixture::args(11, creator.pubkey(), 0, 0));
    env.expect_anchor_error(&[create], &[&creator], "ConstraintSeeds", &[fake_pool, keys.vault]);

    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let page = 0u32.to_le_bytes();
    let fake_page = non_canonical(&[LEDGER_SEED, f.keys.pool.as_ref(), &page]).expect("a second bump exists");
    let mut open = ix::open_ledger_page(&env.payer.pubkey(), &f.keys, 0);
    open.accounts[2].pubkey = fake_page;
    env.expect_anchor_error(&[open], &[], "ConstraintSeeds", &[f.keys.pool, fake_page]);
}
