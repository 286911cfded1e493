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

/// A usage fee paid by attribution scores (`attribute_usage_by_scores`, ATTESTATION.md §6): scores
/// on two ledger pages and more entries than one instruction takes become three instructions
/// whose fees add up to the whole fee, each entry credited its part at its basis points.
#[test]
fn a_fee_paid_by_scores_spans_pages_and_the_entry_limit_exactly() {
    use tributary_attest::{scores_of, Receipt, UsageKind, Use};
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 86); // pages 0 and 1
    f.set_weights(&mut env, &[(0, 1)]);
    let payer = f.depositor.insecure_clone();
    // two requests' receipts: 20 entries on page 0 and 2 on page 1, one of them named twice
    let receipt = |id: &str, uses: Vec<(u32, &str)>| Receipt {
        v: 1,
        id: id.into(),
        time: 1_764_520_000,
        pool: f.keys.pool.to_string(),
        consumer: "app".into(),
        kind: UsageKind::Inference,
        method: None,
        input: None,
        uses: uses
            .into_iter()
            .map(|(entry, s)| Use { entry, content_hash: None, score: s.parse().expect("s") })
            .collect(),
    };
    let first: Vec<(u32, &str)> = (0..20).map(|e| (e, if e % 3 == 0 { "0.9" } else { "0.1" })).collect();
    let receipts = [receipt("a", first), receipt("b", vec![(84, "2.5"), (85, "0.25"), (3, "0.4")])];
    let scores = scores_of(&receipts).expect("scores");
    let fee = 1_000_003;
    let ixs = ix::attribute_usage_by_scores(&payer.pubkey(), &f.keys, &f.depositor_token, fee, &scores).expect("plan");
    assert_eq!(ixs.len(), 3, "page 0 in two parts (16 + 4 entries), page 1 in one");
    let vault_before = env.balance(&f.keys.vault);
    env.ok(&ixs, &[&payer]);
    assert_eq!(env.balance(&f.keys.vault) - vault_before, fee, "the whole fee, exactly");

    let plan = tributary_attest::plan_usage_fee(&scores, fee, 84, 16).expect("plan");
    assert_eq!(plan.iter().map(|p| p.fee).sum::<u64>(), fee);
    for part in &plan {
        assert_eq!(part.shares.iter().map(|(_, b)| u32::from(*b)).sum::<u32>(), 10_000);
        for &(entry, bps) in &part.shares {
            let expected = part.fee * u64::from(bps) / 10_000;
            assert_eq!(f.entry(&env, entry as usize).owed, expected, "entry {entry}");
        }
    }
    // the highest scores got the most
    assert!(f.entry(&env, 84).owed > f.entry(&env, 85).owed);
    assert!(f.entry(&env, 3).owed > f.entry(&env, 0).owed && f.entry(&env, 0).owed > f.entry(&env, 1).owed);
}
