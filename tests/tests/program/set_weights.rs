use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::WeightUpdate;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn settles_at_the_old_weight_before_changing_it() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 2);
    f.set_weights(&mut env, &[(0, 1), (1, 1)]);
    f.deposit(&mut env, 100); // 50 / 50
    f.set_weights(&mut env, &[(0, 3)]);
    f.deposit(&mut env, 100); // 75 / 25
    let pool = env.pool(&f.keys.pool);
    assert_eq!(pool.total_weight, 4);
    assert_eq!(f.entry(&env, 0).owed, 50, "settled at weight 1 when reweighed");
    let owed: Vec<u64> = (0..2).map(|m| tributary_sdk::accounts::owed_now(&f.entry(&env, m), &pool).unwrap()).collect();
    assert_eq!(owed, vec![125, 75]);
    assert_eq!((pool.epoch, pool.report_hash), (2, [2; 32]));
}

#[test]
fn refuses_wrong_signer_stale_epoch_and_mismatched_report() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 1);
    f.set_weights(&mut env, &[(0, 1)]); // epoch 1, hash [1; 32]
    let attestor = f.attestor.insecure_clone();
    let watch = [f.keys.pool, f.page_key(0)];
    let upd = || vec![WeightUpdate { entry: 0, weight: 9 }];
    let impostor = env.new_funded_keypair();
    env.expect_error(
        &[ix::set_weights(&impostor.pubkey(), &f.keys, 0, 2, [2; 32], upd())],
        &[&impostor],
        TributaryError::NotAttestor,
        &watch,
    );
    env.expect_error(
        &[ix::set_weights(&attestor.pubkey(), &f.keys, 0, 0, [0; 32], upd())],
        &[&attestor],
        TributaryError::StaleEpoch,
        &watch,
    );
    env.expect_error(
        &[ix::set_weights(&attestor.pubkey(), &f.keys, 0, 1, [9; 32], upd())],
        &[&attestor],
        TributaryError::ReportHashMismatch,
        &watch,
    );
    env.expect_error(
        &[ix::set_weights(&attestor.pubkey(), &f.keys, 0, 2, [2; 32], vec![WeightUpdate { entry: 1, weight: 1 }])],
        &[&attestor],
        TributaryError::EntryNotActive,
        &watch,
    );
    // same epoch and hash continues the report
    env.ok(&[ix::set_weights(&attestor.pubkey(), &f.keys, 0, 1, [1; 32], upd())], &[&attestor]);
    assert_eq!(env.pool(&f.keys.pool).total_weight, 9);
}

/// A contributor who retires (or closes) just before a weight batch lands cannot make the
/// attestor's batch fail: its update is skipped with an event (weight 0) and the rest apply.
#[test]
fn skips_entries_retired_or_closed_before_the_batch_lands() {
    use tributary::events::{InactiveEntrySkipped, WeightsSet};
    use tributary::state::entry_status;
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 3);
    f.set_weights(&mut env, &[(0, 1), (1, 1), (2, 1)]);
    for m in [1, 2] {
        let wallet = f.members[m].wallet.insecure_clone();
        env.ok(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &f.members[m].contribution)], &[&wallet]);
    }
    let wallet = f.members[2].wallet.insecure_clone();
    env.ok(&[ix::close_contribution(&wallet.pubkey(), &f.keys, &f.members[2].contribution)], &[&wallet]);
    let attestor = f.attestor.insecure_clone();
    let updates = vec![
        WeightUpdate { entry: 0, weight: 5 },
        WeightUpdate { entry: 1, weight: 7 },
        WeightUpdate { entry: 2, weight: 9 },
    ];
    let sent = env.ok(&[ix::set_weights(&attestor.pubkey(), &f.keys, 0, 2, [2; 32], updates)], &[&attestor]);
    let skipped: Vec<(u32, u8)> =
        tributary_tests::events::<InactiveEntrySkipped>(&sent.logs).iter().map(|s| (s.entry, s.status)).collect();
    assert_eq!(skipped, vec![(1, entry_status::RETIRED), (2, entry_status::CLOSED)]);
    let set = &tributary_tests::events::<WeightsSet>(&sent.logs)[0];
    assert_eq!((set.updated, set.total_weight), (1, 5));
    let weights: Vec<u64> = (0..3).map(|m| f.entry(&env, m).weight).collect();
    assert_eq!(weights, vec![5, 0, 0], "skipped entries keep weight 0");
    assert_eq!(env.pool(&f.keys.pool).epoch, 2);
}
