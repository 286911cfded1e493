//! Arithmetic at the edges: u64::MAX amounts, weights and totals; zero total weight; shares over 100%.
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::{UsageShare, WeightUpdate};
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn weights_that_would_overflow_the_total_are_refused() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 2);
    let attestor = f.attestor.insecure_clone();
    env.ok(
        &[ix::set_weights(
            &attestor.pubkey(),
            &f.keys,
            0,
            1,
            [1; 32],
            vec![WeightUpdate { entry: 0, weight: u64::MAX }],
        )],
        &[&attestor],
    );
    let over = ix::set_weights(&attestor.pubkey(), &f.keys, 0, 2, [2; 32], vec![WeightUpdate { entry: 1, weight: 1 }]);
    env.expect_error(&[over], &[&attestor], TributaryError::WeightOverflow, &[f.keys.pool, f.page_key(0)]);
}

#[test]
fn a_u64_max_deposit_is_exact_and_fully_paid() {
    let mut env = Env::new();
    let mint = env.create_mint(&TOKEN_PROGRAM, 0);
    let mut f = PoolFixture::create_on_mint(&mut env, mint, 0, 0);
    f.register_many(&mut env, 3);
    f.set_weights(&mut env, &[(0, u64::MAX / 3), (1, u64::MAX / 3), (2, 1)]);
    let depositor = f.depositor.insecure_clone();
    let rich = env.create_token_account(&mint, &depositor.pubkey());
    // the fixture minted 10¹⁵ already; top the supply up to exactly u64::MAX
    env.mint_to(&mint, &rich, u64::MAX - 1_000_000_000_000_000);
    env.ok(&[ix::deposit(&depositor.pubkey(), &f.keys, &rich, u64::MAX - 1_000_000_000_000_000)], &[&depositor]);
    let pool = env.pool(&f.keys.pool);
    let owed: Vec<u64> = (0..3).map(|m| tributary_sdk::accounts::owed_now(&f.entry(&env, m), &pool).unwrap()).collect();
    let total: u128 = owed.iter().map(|&o| u128::from(o)).sum();
    assert!(
        total <= u128::from(env.balance(&f.keys.vault)) && u128::from(env.balance(&f.keys.vault)) - total < 3,
        "{owed:?}"
    );
    for (m, member) in f.members.iter().enumerate() {
        let wallet = member.wallet.insecure_clone();
        env.ok(&[ix::claim(&wallet.pubkey(), &f.keys, &member.contribution, &member.destination)], &[&wallet]);
        assert_eq!(env.balance(&member.destination), owed[m]);
    }
}

#[test]
fn revenue_with_zero_weight_is_held_and_shares_over_100_percent_refused() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 2);
    f.deposit(&mut env, 777);
    assert_eq!(env.pool(&f.keys.pool).held, 777);
    let payer = f.depositor.insecure_clone();
    let over = vec![UsageShare { entry: 0, share_bps: u16::MAX }, UsageShare { entry: 1, share_bps: 10_000 }];
    env.expect_error(
        &[ix::attribute_usage(&payer.pubkey(), &f.keys, 0, &f.depositor_token, u64::MAX, over)],
        &[&payer],
        TributaryError::InvalidShares,
        &[f.keys.pool, f.keys.vault, f.page_key(0), f.depositor_token],
    );
}

/// `acc_per_weight` never shrinks, so a pool with a tiny total weight can run out of room: a
/// deposit past it is refused by name with nothing changed (not a bare overflow), and scaling the
/// weights up makes room for the next deposits.
#[test]
fn revenue_past_what_the_weights_can_hold_is_refused_by_name_and_larger_weights_make_room() {
    let mut env = Env::new();
    let mint = env.create_mint(&TOKEN_PROGRAM, 0);
    let mut f = PoolFixture::create_on_mint(&mut env, mint, 0, 0);
    f.register_many(&mut env, 1);
    f.set_weights(&mut env, &[(0, 1)]);
    let depositor = f.depositor.insecure_clone();
    let rich = env.create_token_account(&mint, &depositor.pubkey());
    let topped_up = u64::MAX - 1_000_000_000_000_000; // with the fixture's 10¹⁵: the whole u64 supply
    env.mint_to(&mint, &rich, topped_up);
    env.ok(&[ix::deposit(&depositor.pubkey(), &f.keys, &rich, topped_up)], &[&depositor]);
    f.deposit(&mut env, 1_000_000_000_000_000); // every token of the mint has gone in: no room is left
                                                // the contributor claims it all and pays one base unit back in
    let member = &f.members[0];
    let wallet = member.wallet.insecure_clone();
    env.ok(&[ix::claim(&wallet.pubkey(), &f.keys, &member.contribution, &member.destination)], &[&wallet]);
    assert_eq!(env.balance(&member.destination), u64::MAX);
    let one_more = ix::deposit(&wallet.pubkey(), &f.keys, &member.destination, 1);
    env.expect_error(
        std::slice::from_ref(&one_more),
        &[&wallet],
        TributaryError::RevenuePerWeightOverflow,
        &[f.keys.pool, f.keys.vault, member.destination],
    );
    f.set_weights(&mut env, &[(0, 1 << 20)]);
    env.ok(&[one_more], &[&wallet]);
    assert_eq!(env.balance(&f.keys.vault), 1);
}
