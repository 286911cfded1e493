use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::state::{entry_status, ContributionStatus};
use tributary::WeightUpdate;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn settles_drops_the_weight_and_keeps_the_owed_amount_payable() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 0, &[1, 1], 100);
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    env.ok(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]);
    let entry = f.entry(&env, 0);
    assert_eq!((entry.weight, entry.owed, entry.status), (0, 50, entry_status::RETIRED));
    assert_eq!(env.contribution(&m.contribution.address).status, ContributionStatus::Retired);
    assert_eq!(env.pool(&f.keys.pool).total_weight, 1);
    f.deposit(&mut env, 100); // all to member 1 now
    assert_eq!(tributary_sdk::accounts::owed_now(&f.entry(&env, 1), &env.pool(&f.keys.pool)).unwrap(), 150);
    let cranker = env.new_funded_keypair();
    f.crank(&mut env, &[0], CrankMode::Batch, None, &cranker).expect("crank pays a retired entry");
    assert_eq!(env.balance(&f.members[0].destination), 50);

    let attestor = f.attestor.insecure_clone();
    let reweigh =
        [ix::set_weights(&attestor.pubkey(), &f.keys, 0, 9, [9; 32], vec![WeightUpdate { entry: 0, weight: 1 }])];
    env.ok(&reweigh, &[&attestor]); // a retired entry's weight is skipped (set_weights.rs), not set
    assert_eq!((f.entry(&env, 0).weight, env.pool(&f.keys.pool).total_weight), (0, 1));
    let again = [ix::retire_contribution(&wallet.pubkey(), &f.keys, &f.members[0].contribution)];
    env.expect_error(&again, &[&wallet], TributaryError::EntryNotActive, &[f.keys.pool, f.page_key(0)]);
    let other = f.members[1].wallet.insecure_clone();
    let not_theirs = [ix::retire_contribution(&other.pubkey(), &f.keys, &f.members[1].contribution)];
    let mut wrong = not_theirs[0].clone();
    wrong.accounts[1].pubkey = f.members[0].contribution.address;
    env.expect_error(&[wrong], &[&other], TributaryError::NotContributor, &[f.keys.pool, f.page_key(0)]);
}
