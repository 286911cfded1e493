//! PDA substitution: another pool's ledger page, vault or contribution, in place of this pool's.
use crate::swap;
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::WeightUpdate;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

fn two_pools(env: &mut Env) -> (PoolFixture, PoolFixture) {
    let mut a = PoolFixture::create(env, &TOKEN_PROGRAM, 0, 0);
    let mut b = PoolFixture::create_on_mint(env, a.keys.mint, 0, 0);
    for f in [&mut a, &mut b] {
        f.register_many(env, 2);
        f.set_weights(env, &[(0, 1), (1, 1)]);
        f.deposit(env, 1_000);
    }
    (a, b)
}

#[test]
fn another_pools_ledger_page_is_refused() {
    let mut env = Env::new();
    let (a, b) = two_pools(&mut env);
    let watch = [a.keys.pool, a.page_key(0), b.keys.pool, b.page_key(0), a.keys.vault, b.keys.vault];
    let cranker = env.new_funded_keypair();
    let crank = ix::crank(&cranker.pubkey(), &a.keys, 0, &[(0, b.members[0].destination)], None, CrankMode::Batch);
    env.expect_error(&[swap(crank, 2, b.page_key(0))], &[&cranker], TributaryError::LedgerPageMismatch, &watch);
    let attestor = a.attestor.insecure_clone();
    let weights =
        ix::set_weights(&attestor.pubkey(), &a.keys, 0, 5, [5; 32], vec![WeightUpdate { entry: 0, weight: 100 }]);
    env.expect_error(&[swap(weights, 2, b.page_key(0))], &[&attestor], TributaryError::LedgerPageMismatch, &watch);
}

#[test]
fn another_pools_vault_is_refused() {
    let mut env = Env::new();
    let (a, b) = two_pools(&mut env);
    let watch = [a.keys.pool, a.keys.vault, b.keys.pool, b.keys.vault, a.depositor_token];
    let depositor = a.depositor.insecure_clone();
    // deposit credited to pool A while the tokens go to pool B's vault
    let deposit = ix::deposit(&depositor.pubkey(), &a.keys, &a.depositor_token, 10);
    env.expect_error(&[swap(deposit, 3, b.keys.vault)], &[&depositor], TributaryError::VaultMismatch, &watch);
    // a crank of pool A paid out of pool B's vault
    let cranker = env.new_funded_keypair();
    let crank = ix::crank(&cranker.pubkey(), &a.keys, 0, &[(0, a.members[0].destination)], None, CrankMode::Batch);
    env.expect_error(&[swap(crank, 3, b.keys.vault)], &[&cranker], TributaryError::VaultMismatch, &watch);
}

#[test]
fn another_pools_contribution_is_refused() {
    let mut env = Env::new();
    let (a, b) = two_pools(&mut env);
    // the same wallet contributes to pool B; it tries to claim pool A's vault with that contribution
    let m = &b.members[0];
    let wallet = m.wallet.insecure_clone();
    let claim = ix::claim(&wallet.pubkey(), &a.keys, &m.contribution, &m.destination);
    let watch = [a.keys.pool, a.keys.vault, b.keys.vault, m.destination, a.page_key(0), b.page_key(0)];
    env.expect_error(&[claim], &[&wallet], TributaryError::PoolMismatch, &watch);
}
