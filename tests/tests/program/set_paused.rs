use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::events::PoolPauseChanged;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{events, fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn pause_stops_money_in_and_cranks_but_not_claims() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 0, &[1], 100);
    let auth = f.authority.insecure_clone();
    let sent = env.ok(&[ix::pause(&auth.pubkey(), &f.keys.pool)], &[&auth]);
    assert!(events::<PoolPauseChanged>(&sent.logs)[0].paused);
    let cranker = env.new_funded_keypair();
    let err = f.crank(&mut env, &[0], CrankMode::Batch, None, &cranker).unwrap_err();
    assert_eq!(err.custom_code(), Some(6000 + TributaryError::PoolPaused as u32));
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    env.ok(&[ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &m.destination)], &[&wallet]);
    assert_eq!(env.balance(&m.destination), 100);
    env.ok(&[ix::unpause(&auth.pubkey(), &f.keys.pool)], &[&auth]);
    assert!(!env.pool(&f.keys.pool).is_paused());
}

#[test]
fn only_the_authority_pauses() {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let intruder = env.new_funded_keypair();
    env.expect_error(
        &[ix::pause(&intruder.pubkey(), &f.keys.pool)],
        &[&intruder],
        TributaryError::NotAuthority,
        &[f.keys.pool],
    );
}
