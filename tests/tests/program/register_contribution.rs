use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::state::{entry_status, ContributionKind, ContributionStatus};
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn records_the_contribution_and_its_ledger_entry() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let mut clock = env.svm.get_sysvar::<solana_clock::Clock>();
    clock.unix_timestamp = 1_764_500_000; // the registration's time is the cluster's clock
    env.svm.set_sysvar(&clock);
    let sent = f.register(&mut env);
    let m = &f.members[0];
    let c = env.contribution(&m.contribution.address);
    assert_eq!((c.created_slot, c.created_at), (clock.slot, 1_764_500_000));
    let event = &tributary_tests::events::<tributary::events::ContributionRegistered>(&sent.logs)[0];
    assert_eq!((event.slot, event.created_at, event.entry), (clock.slot, 1_764_500_000, 0));
    assert_eq!((c.pool, c.contributor, c.content_hash, c.entry), (f.keys.pool, m.wallet.pubkey(), m.content_hash, 0));
    assert_eq!(
        (c.kind, c.status, c.uri.as_str()),
        (ContributionKind::Dataset, ContributionStatus::Active, "ipfs://contribution/0")
    );
    let entry = f.entry(&env, 0);
    assert_eq!(
        (entry.destination, entry.contributor, entry.status, entry.weight),
        (m.destination, m.wallet.pubkey(), entry_status::ACTIVE, 0)
    );
    let pool = env.pool(&f.keys.pool);
    assert_eq!((pool.entry_count, pool.active_contributions), (1, 1));
}

#[test]
fn refuses_a_duplicate_content_hash() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register(&mut env);
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    let ixs = [ix::register_contribution(
        &wallet.pubkey(),
        &f.keys,
        1,
        &m.destination,
        m.content_hash,
        ContributionKind::Model,
        "ipfs://again".into(),
    )];
    env.expect_error(
        &ixs,
        &[&wallet],
        TributaryError::DuplicateContribution,
        &[f.keys.pool, f.page_key(0), m.contribution.address],
    );
}

#[test]
fn refuses_bad_uris_and_a_full_ledger() {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let wallet = env.new_funded_keypair();
    let dest = env.create_token_account(&f.keys.mint, &wallet.pubkey());
    // no ledger page opened yet
    let ixs = [ix::register_contribution(
        &wallet.pubkey(),
        &f.keys,
        0,
        &dest,
        [1; 32],
        ContributionKind::Compute,
        "ipfs://x".into(),
    )];
    env.expect_failure(&ixs, &[&wallet], &[f.keys.pool], |_| {});
    f.open_page(&mut env);
    for uri in [String::new(), "u".repeat(201)] {
        let ixs =
            [ix::register_contribution(&wallet.pubkey(), &f.keys, 0, &dest, [1; 32], ContributionKind::Compute, uri)];
        env.expect_error(&ixs, &[&wallet], TributaryError::InvalidUri, &[f.keys.pool, f.keys.page(0)]);
    }
    // a destination the contributor does not own
    let other = env.create_token_account(&f.keys.mint, &env.payer.pubkey());
    let ixs = [ix::register_contribution(
        &wallet.pubkey(),
        &f.keys,
        0,
        &other,
        [1; 32],
        ContributionKind::Compute,
        "ipfs://x".into(),
    )];
    env.expect_anchor_error(&ixs, &[&wallet], "ConstraintTokenOwner", &[f.keys.pool, f.keys.page(0)]);
}
