//! Arbitrary CPI: a look-alike token program (the real p-token code at another address) and the
//! wrong token program for the mint are refused; so is a token account of another mint.
use crate::swap;
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary_sdk::instructions::{self as ix, CrankMode, PoolKeys};
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

#[test]
fn a_look_alike_token_program_is_refused() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 0, &[1], 100);
    // the same executable code, deployed at an address the attacker controls
    let fake = env.keypair().pubkey();
    let code = env.svm.get_account(&TOKEN_PROGRAM).expect("token program");
    env.svm.set_account(fake, code).unwrap();
    let watch = [f.keys.pool, f.keys.vault, f.page_key(0), f.members[0].destination];
    let cranker = env.new_funded_keypair();
    let crank = ix::crank(&cranker.pubkey(), &f.keys, 0, &[(0, f.members[0].destination)], None, CrankMode::Batch);
    env.expect_anchor_error(&[swap(crank, 4, fake)], &[&cranker], "InvalidProgramId", &watch);
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    let claim = ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &m.destination);
    env.expect_anchor_error(&[swap(claim, 7, fake)], &[&wallet], "InvalidProgramId", &watch);
}

#[test]
fn the_other_token_program_and_other_mints_are_refused() {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let depositor = f.depositor.insecure_clone();
    let watch = [f.keys.pool, f.keys.vault, f.depositor_token];
    // Token-2022 named for a classic pool
    let deposit = ix::deposit(&depositor.pubkey(), &f.keys, &f.depositor_token, 10);
    env.expect_error(
        &[swap(deposit, 5, TOKEN_2022_PROGRAM)],
        &[&depositor],
        TributaryError::TokenProgramMismatch,
        &watch,
    );
    // another mint's token account
    let other_mint = env.create_mint(&TOKEN_PROGRAM, 6);
    let other = env.create_token_account(&other_mint, &depositor.pubkey());
    env.mint_to(&other_mint, &other, 1_000);
    let deposit = ix::deposit(&depositor.pubkey(), &f.keys, &other, 10);
    env.expect_anchor_error(&[deposit], &[&depositor], "ConstraintTokenMint", &[f.keys.pool, f.keys.vault, other]);
    // another mint named as the pool's
    let mut keys = f.keys;
    keys.mint = other_mint;
    env.expect_error(
        &[ix::deposit(&depositor.pubkey(), &keys, &other, 10)],
        &[&depositor],
        TributaryError::MintMismatch,
        &[f.keys.pool, f.keys.vault, other],
    );
    // a pool for a Token-2022 mint declared under the classic program
    let t22_mint = env.create_mint(&TOKEN_2022_PROGRAM, 6);
    let creator = env.new_funded_keypair();
    let keys = PoolKeys::new(&creator.pubkey(), 3, t22_mint, TOKEN_PROGRAM);
    let create = ix::create_pool(&creator.pubkey(), &keys, PoolFixture::args(3, creator.pubkey(), 0, 0));
    env.expect_anchor_error(&[create], &[&creator], "ConstraintMintTokenProgram", &[keys.pool, keys.vault]);
}
