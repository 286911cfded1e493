//! Duplicate mutable accounts: the same destination or entry twice in one crank; the vault passed
//! as the reward account.
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::state::ContributionKind;
use tributary_sdk::instructions::{self as ix, ContributionRef, CrankMode};
use tributary_sdk::pda;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn two_entries_sharing_a_destination_are_each_paid_once() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.register_many(&mut env, 1);
    // the same contributor registers a second contribution paid to the same token account
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    let destination = m.destination;
    env.ok(
        &[ix::register_contribution(
            &wallet.pubkey(),
            &f.keys,
            1,
            &destination,
            [0x42; 32],
            ContributionKind::Model,
            "ipfs://m".into(),
        )],
        &[&wallet],
    );
    f.set_weights(&mut env, &[(0, 1), (1, 3)]);
    f.deposit(&mut env, 4_000);
    let cranker = env.new_funded_keypair();
    for mode in [CrankMode::Batch, CrankMode::PerTransfer] {
        let mut trial = env.fork();
        let payouts = [(0, destination), (1, destination), (0, destination), (1, destination)];
        trial.ok(&[ix::crank(&cranker.pubkey(), &f.keys, 0, &payouts, None, mode)], &[&cranker]);
        assert_eq!(trial.balance(&destination), 4_000, "1,000 + 3,000, each once");
        assert_eq!(trial.balance(&f.keys.vault), 0);
        // a second crank of the same entries in the same slot moves nothing
        trial.ok(&[ix::crank(&cranker.pubkey(), &f.keys, 0, &payouts, None, mode)], &[&cranker]);
        assert_eq!(trial.balance(&destination), 4_000);
    }
    let _ = ContributionRef { address: pda::contribution(&f.keys.pool, &[0x42; 32]).0, entry: 1 };
}

#[test]
fn the_vault_cannot_be_the_reward_account() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 100, 0, &[1], 1_000);
    let cranker = env.new_funded_keypair();
    let crank = ix::crank(
        &cranker.pubkey(),
        &f.keys,
        0,
        &[(0, f.members[0].destination)],
        Some(f.keys.vault),
        CrankMode::Batch,
    );
    env.expect_error(
        &[crank],
        &[&cranker],
        TributaryError::InvalidRewardAccount,
        &[f.keys.vault, f.keys.pool, f.page_key(0)],
    );
}
