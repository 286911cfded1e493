use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn the_crank_pays_the_new_destination() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 2);
    f.set_weights(&mut env, &[(0, 1)]);
    f.deposit(&mut env, 100);
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    let new_destination = env.create_token_account(&f.keys.mint, &wallet.pubkey());
    env.ok(&[ix::set_destination(&wallet.pubkey(), &f.keys, &m.contribution, &new_destination)], &[&wallet]);
    assert_eq!(f.entry(&env, 0).destination, new_destination);
    f.members[0].destination = new_destination;
    let cranker = env.new_funded_keypair();
    f.crank(&mut env, &[0], CrankMode::Batch, None, &cranker).expect("crank");
    assert_eq!(env.balance(&new_destination), 100);
}

#[test]
fn refuses_other_signers_and_accounts_the_contributor_does_not_own() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 2);
    let (victim, attacker) = (&f.members[0], f.members[1].wallet.insecure_clone());
    let attacker_account = f.members[1].destination;
    let watch = [f.page_key(0), victim.contribution.address];
    env.expect_error(
        &[ix::set_destination(&attacker.pubkey(), &f.keys, &victim.contribution, &attacker_account)],
        &[&attacker],
        TributaryError::NotContributor,
        &watch,
    );
    let wallet = victim.wallet.insecure_clone();
    env.expect_anchor_error(
        &[ix::set_destination(&wallet.pubkey(), &f.keys, &victim.contribution, &attacker_account)],
        &[&wallet],
        "ConstraintTokenOwner",
        &watch,
    );
    let other_mint = env.create_mint(&TOKEN_PROGRAM, 6);
    let wrong_mint = env.create_token_account(&other_mint, &wallet.pubkey());
    env.expect_anchor_error(
        &[ix::set_destination(&wallet.pubkey(), &f.keys, &victim.contribution, &wrong_mint)],
        &[&wallet],
        "ConstraintTokenMint",
        &watch,
    );
}
