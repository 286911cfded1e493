//! Wrong owner: a byte-perfect copy of a pool owned by another program is refused.
use solana_signer::Signer;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn a_copied_pool_owned_by_another_program_is_refused() {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let mut forged = env.account(&f.keys.pool).unwrap();
    forged.owner = anchor_lang::system_program::ID; // same bytes, not ours
    let fake = env.keypair().pubkey();
    env.svm.set_account(fake, forged).unwrap();
    let auth = f.authority.insecure_clone();
    env.expect_anchor_error(
        &[ix::pause(&auth.pubkey(), &fake)],
        &[&auth],
        "AccountOwnedByWrongProgram",
        &[fake, f.keys.pool],
    );
    let mut keys = f.keys;
    keys.pool = fake;
    let depositor = f.depositor.insecure_clone();
    env.expect_anchor_error(
        &[ix::deposit(&depositor.pubkey(), &keys, &f.depositor_token, 5)],
        &[&depositor],
        "AccountOwnedByWrongProgram",
        &[fake, f.keys.vault, f.depositor_token],
    );
}
