//! Account type cosplay: a ledger page or a contribution passed where a pool is expected (and the
//! reverse) fails its discriminator check.
use crate::swap;
use solana_signer::Signer;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn accounts_of_another_type_are_refused() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 1);
    let auth = f.authority.insecure_clone();
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    let page = f.page_key(0);
    let watch = [f.keys.pool, page, m.contribution.address];
    // a ledger page as the pool
    env.expect_anchor_error(&[ix::pause(&auth.pubkey(), &page)], &[&auth], "AccountDiscriminatorMismatch", &watch);
    // a contribution as the pool
    env.expect_anchor_error(
        &[ix::pause(&auth.pubkey(), &m.contribution.address)],
        &[&auth],
        "AccountDiscriminatorMismatch",
        &watch,
    );
    // the pool as the ledger page, and as the contribution
    let claim = ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &m.destination);
    env.expect_anchor_error(&[swap(claim.clone(), 3, f.keys.pool)], &[&wallet], "AccountDiscriminatorMismatch", &watch);
    env.expect_anchor_error(&[swap(claim, 1, f.keys.pool)], &[&wallet], "AccountDiscriminatorMismatch", &watch);
}
