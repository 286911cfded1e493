//! Close then reuse in the same transaction: a closed contribution or pool cannot be used by a
//! later instruction of the transaction that closed it.
use solana_signer::Signer;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn a_closed_contribution_cannot_claim_or_retire_in_the_same_transaction() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 2);
    f.set_weights(&mut env, &[(0, 1), (1, 1)]);
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    env.ok(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]);
    f.deposit(&mut env, 1_000); // all to member 1: member 0 is retired with nothing owed
    let watch = [f.keys.pool, f.keys.vault, f.page_key(0), m.contribution.address, m.destination];
    for reuse in [
        ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &m.destination),
        ix::retire_contribution(&wallet.pubkey(), &f.keys, &m.contribution),
        ix::close_contribution(&wallet.pubkey(), &f.keys, &m.contribution),
    ] {
        let close = ix::close_contribution(&wallet.pubkey(), &f.keys, &m.contribution);
        env.expect_failure(&[close, reuse], &[&wallet], &watch, |fail| {
            assert!(
                fail.logs.iter().any(|l| l.contains("Error Code: AccountOwnedByWrongProgram.")
                    || l.contains("Error Code: AccountNotInitialized.")),
                "{:?}",
                fail.logs
            );
        });
    }
}

#[test]
fn a_closed_pool_cannot_take_deposits_in_the_same_transaction() {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let auth = f.authority.insecure_clone();
    let sink = env.create_token_account(&f.keys.mint, &auth.pubkey());
    let depositor = f.depositor.insecure_clone();
    let close = ix::close_pool(&auth.pubkey(), &f.keys, &sink);
    let deposit = ix::deposit(&depositor.pubkey(), &f.keys, &f.depositor_token, 10);
    env.expect_failure(
        &[close, deposit],
        &[&auth, &depositor],
        &[f.keys.pool, f.keys.vault, f.depositor_token],
        |fail| {
            assert!(
                fail.logs.iter().any(|l| l.contains("Error Code: AccountOwnedByWrongProgram.")
                    || l.contains("Error Code: AccountNotInitialized.")),
                "{:?}",
                fail.logs
            );
        },
    );
}
