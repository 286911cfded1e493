use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::WeightUpdate;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn rotation_moves_the_power_to_post_weights() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 1);
    let (auth, old) = (f.authority.insecure_clone(), f.attestor.insecure_clone());
    let new = env.new_funded_keypair();
    env.expect_error(
        &[ix::set_attestor(&old.pubkey(), &f.keys.pool, new.pubkey())],
        &[&old],
        TributaryError::NotAuthority,
        &[f.keys.pool],
    );
    env.ok(&[ix::set_attestor(&auth.pubkey(), &f.keys.pool, new.pubkey())], &[&auth]);
    assert_eq!(env.pool(&f.keys.pool).attestor, new.pubkey());
    let update = || vec![WeightUpdate { entry: 0, weight: 5 }];
    env.expect_error(
        &[ix::set_weights(&old.pubkey(), &f.keys, 0, 1, [1; 32], update())],
        &[&old],
        TributaryError::NotAttestor,
        &[f.keys.pool, f.keys.page(0)],
    );
    env.ok(&[ix::set_weights(&new.pubkey(), &f.keys, 0, 1, [1; 32], update())], &[&new]);
    assert_eq!(env.pool(&f.keys.pool).total_weight, 5);
}
