use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::UsageShare;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn credits_named_entries_and_spreads_the_remainder() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 3);
    f.set_weights(&mut env, &[(2, 1)]);
    let payer = f.depositor.insecure_clone();
    let shares = vec![UsageShare { entry: 0, share_bps: 3_333 }, UsageShare { entry: 1, share_bps: 6_667 }];
    env.ok(&[ix::attribute_usage(&payer.pubkey(), &f.keys, 0, &f.depositor_token, 100, shares)], &[&payer]);
    assert_eq!(f.entry(&env, 0).owed, 33);
    assert_eq!(f.entry(&env, 1).owed, 66);
    let pool = env.pool(&f.keys.pool);
    assert_eq!(
        tributary_sdk::accounts::owed_now(&f.entry(&env, 2), &pool).unwrap(),
        1,
        "the rounding remainder went to the pool by weight"
    );
    assert_eq!(env.balance(&f.keys.vault), 100);
}

#[test]
fn refuses_bad_shares() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 2);
    let payer = f.depositor.insecure_clone();
    let watch = [f.keys.pool, f.keys.vault, f.page_key(0), f.depositor_token];
    let over = vec![UsageShare { entry: 0, share_bps: 6_000 }, UsageShare { entry: 1, share_bps: 6_000 }];
    env.expect_error(
        &[ix::attribute_usage(&payer.pubkey(), &f.keys, 0, &f.depositor_token, 100, over)],
        &[&payer],
        TributaryError::InvalidShares,
        &watch,
    );
    let twice = vec![UsageShare { entry: 0, share_bps: 5_000 }, UsageShare { entry: 0, share_bps: 5_000 }];
    env.expect_error(
        &[ix::attribute_usage(&payer.pubkey(), &f.keys, 0, &f.depositor_token, 100, twice)],
        &[&payer],
        TributaryError::DuplicateEntry,
        &watch,
    );
}

/// An entry retired before the fee lands is skipped with an event: the fee still lands, the active
/// entries get their shares, and the skipped share is spread over the pool by weight.
#[test]
fn skips_a_retired_entry_and_spreads_its_share() {
    use tributary::events::{InactiveEntrySkipped, UsageAttributed};
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 3);
    f.set_weights(&mut env, &[(2, 1)]);
    let wallet = f.members[1].wallet.insecure_clone();
    env.ok(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &f.members[1].contribution)], &[&wallet]);
    let payer = f.depositor.insecure_clone();
    let shares = vec![UsageShare { entry: 0, share_bps: 5_000 }, UsageShare { entry: 1, share_bps: 5_000 }];
    let sent = env.ok(&[ix::attribute_usage(&payer.pubkey(), &f.keys, 0, &f.depositor_token, 100, shares)], &[&payer]);
    let skipped = tributary_tests::events::<InactiveEntrySkipped>(&sent.logs);
    assert_eq!((skipped.len(), skipped[0].entry), (1, 1));
    let usage = &tributary_tests::events::<UsageAttributed>(&sent.logs)[0];
    assert_eq!((usage.entries, usage.remainder), (1, 50));
    assert_eq!(f.entry(&env, 0).owed, 50);
    assert_eq!(f.entry(&env, 1).owed, 0, "the retired entry was not credited");
    let pool = env.pool(&f.keys.pool);
    assert_eq!(tributary_sdk::accounts::owed_now(&f.entry(&env, 2), &pool).unwrap(), 50, "its share went by weight");
    assert_eq!(env.balance(&f.keys.vault), 100);
}
