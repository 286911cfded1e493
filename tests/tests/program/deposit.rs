use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn spreads_revenue_by_weight_and_holds_it_while_there_is_none() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 3);
    f.deposit(&mut env, 500); // no weight yet: held, not lost
    let pool = env.pool(&f.keys.pool);
    assert_eq!((pool.held, pool.acc_per_weight()), (500, 0));
    f.set_weights(&mut env, &[(0, 1), (1, 1), (2, 3)]);
    f.deposit(&mut env, 500);
    let pool = env.pool(&f.keys.pool);
    assert_eq!(pool.held, 0);
    assert_eq!(env.balance(&f.keys.vault), 1_000);
    let owed: Vec<u64> = (0..3).map(|m| tributary_sdk::accounts::owed_now(&f.entry(&env, m), &pool).unwrap()).collect();
    assert_eq!(owed, vec![200, 200, 600]);
    assert_eq!(pool.total_deposited(), 1_000);
}

#[test]
fn refuses_zero_and_paused() {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let depositor = f.depositor.insecure_clone();
    let zero = [ix::deposit(&depositor.pubkey(), &f.keys, &f.depositor_token, 0)];
    env.expect_error(&zero, &[&depositor], TributaryError::ZeroAmount, &[f.keys.pool, f.keys.vault, f.depositor_token]);
    let auth = f.authority.insecure_clone();
    env.ok(&[ix::pause(&auth.pubkey(), &f.keys.pool)], &[&auth]);
    let paused = [ix::deposit(&depositor.pubkey(), &f.keys, &f.depositor_token, 10)];
    env.expect_error(
        &paused,
        &[&depositor],
        TributaryError::PoolPaused,
        &[f.keys.pool, f.keys.vault, f.depositor_token],
    );
}
