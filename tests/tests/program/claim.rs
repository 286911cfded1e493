use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::events::Claimed;
use tributary_sdk::instructions as ix;
use tributary_tests::{events, fixtures::PoolFixture, program_cu, Env, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

#[test]
fn pays_everything_owed_with_a_pool_signed_transfer_checked() {
    for token_program in [TOKEN_PROGRAM, TOKEN_2022_PROGRAM] {
        let mut env = Env::new();
        let f = PoolFixture::funded(&mut env, &token_program, 100, 1_000_000, &[1, 3], 1_000);
        let m = &f.members[1];
        let wallet = m.wallet.insecure_clone();
        let elsewhere = env.create_token_account(&f.keys.mint, &wallet.pubkey());
        let sent = env.ok(&[ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &elsewhere)], &[&wallet]);
        println!("claim on {token_program}: {} CU", program_cu(&sent.logs));
        assert_eq!(env.balance(&elsewhere), 750, "3/4 of 1,000, no minimum, no cranker reward");
        assert_eq!(env.balance(&f.keys.vault), 250);
        let entry = f.entry(&env, 1);
        assert_eq!((entry.owed, entry.paid), (0, 750));
        assert_eq!(env.pool(&f.keys.pool).total_paid(), 750);
        let claimed: Vec<Claimed> = events(&sent.logs);
        assert_eq!((claimed[0].entry, claimed[0].amount, claimed[0].destination), (1, 750, elsewhere));

        // nothing left: a named refusal, nothing moves
        let again = [ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &elsewhere)];
        env.expect_error(
            &again,
            &[&wallet],
            TributaryError::NothingToClaim,
            &[elsewhere, f.keys.vault, f.page_key(1), f.keys.pool],
        );
    }
}

#[test]
fn only_the_contributor_can_claim() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 0, &[1, 1], 100);
    let thief = f.members[1].wallet.insecure_clone();
    let thief_account = f.members[1].destination;
    let victim = &f.members[0];
    // the thief signs for the victim's contribution, to the thief's account
    let ixs = [ix::claim(&thief.pubkey(), &f.keys, &victim.contribution, &thief_account)];
    env.expect_error(&ixs, &[&thief], TributaryError::NotContributor, &[thief_account, f.keys.vault, f.page_key(0)]);
}
