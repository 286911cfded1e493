use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn sets_reward_and_minimum_within_the_cap() {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let auth = f.authority.insecure_clone();
    env.ok(&[ix::update_pool_config(&auth.pubkey(), &f.keys.pool, 100, 5_000)], &[&auth]);
    let p = env.pool(&f.keys.pool);
    assert_eq!((p.cranker_reward_bps, p.min_payout), (100, 5_000));
    env.expect_error(
        &[ix::update_pool_config(&auth.pubkey(), &f.keys.pool, 101, 0)],
        &[&auth],
        TributaryError::CrankerRewardTooHigh,
        &[f.keys.pool],
    );
    let other = env.new_funded_keypair();
    env.expect_error(
        &[ix::update_pool_config(&other.pubkey(), &f.keys.pool, 0, 0)],
        &[&other],
        TributaryError::NotAuthority,
        &[f.keys.pool],
    );
}
