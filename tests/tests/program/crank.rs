use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::events::{CrankBatch, PayoutSkipped};
use tributary::state::SkipReason;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{events, fixtures::PoolFixture, Env, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

#[test]
fn pays_owed_entries_skips_hostile_destinations_and_rewards_the_cranker() {
    for (token_program, mode) in [
        (TOKEN_PROGRAM, CrankMode::Batch),
        (TOKEN_PROGRAM, CrankMode::PerTransfer),
        (TOKEN_2022_PROGRAM, CrankMode::Batch),
        (TOKEN_2022_PROGRAM, CrankMode::PerTransfer),
    ] {
        let mut env = Env::new();
        let f = PoolFixture::funded(&mut env, &token_program, 100, 1, &[1, 1, 1, 1], 40_000);
        // member 1's destination is frozen
        let payer = env.payer.insecure_clone();
        let freeze =
            token_ix::freeze_account(&token_program, &f.members[1].destination, &f.keys.mint, &payer.pubkey(), &[])
                .unwrap();
        env.ok(&[freeze], &[]);
        let cranker = env.new_funded_keypair();
        let reward = env.create_token_account(&f.keys.mint, &cranker.pubkey());
        // member 3 named twice: paid once
        let sent = f.crank(&mut env, &[0, 1, 2, 3, 3], mode, Some(reward), &cranker).expect("crank");
        for m in [0, 2, 3] {
            assert_eq!(env.balance(&f.members[m].destination), 9_900, "10,000 less the 1% reward");
            assert_eq!((f.entry(&env, m).owed, f.entry(&env, m).paid), (0, 9_900));
        }
        assert_eq!(env.balance(&f.members[1].destination), 0);
        assert_eq!(f.entry(&env, 1).owed, 10_000, "a skipped payout stays owed");
        assert_eq!(env.balance(&reward), 300);
        assert_eq!(env.balance(&f.keys.vault), 10_000);
        let skipped: Vec<PayoutSkipped> = events(&sent.logs);
        assert_eq!((skipped.len(), skipped[0].entry, skipped[0].reason), (1, 1, SkipReason::Frozen));
        let batch: Vec<CrankBatch> = events(&sent.logs);
        assert_eq!((batch[0].paid, batch[0].skipped, batch[0].amount, batch[0].reward), (3, 1, 29_700, 300));
        let pool = env.pool(&f.keys.pool);
        assert_eq!((pool.total_paid(), pool.total_cranker_rewards()), (29_700, 300));
    }
}

#[test]
fn leaves_amounts_below_the_minimum_owed() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 1_000, &[1, 1], 1_998);
    let cranker = env.new_funded_keypair();
    f.crank(&mut env, &[0, 1], CrankMode::Batch, None, &cranker).expect("crank");
    assert_eq!(env.balance(&f.members[0].destination), 0);
    assert_eq!(f.entry(&env, 0).owed, 999);
}

#[test]
fn refuses_a_destination_that_is_not_the_entrys() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 0, &[1, 1], 100);
    let cranker = env.new_funded_keypair();
    let wrong = [ix::crank(&cranker.pubkey(), &f.keys, 0, &[(0, f.members[1].destination)], None, CrankMode::Batch)];
    env.expect_error(
        &wrong,
        &[&cranker],
        TributaryError::DestinationMismatch,
        &[f.keys.pool, f.keys.vault, f.page_key(0), f.members[1].destination],
    );
    let t22_batch =
        [ix::crank(&cranker.pubkey(), &f.keys, 0, &[(0, f.members[0].destination)], None, CrankMode::PerTransfer)];
    // per-transfer without issues works; batch on the classic mint too
    env.ok(&t22_batch, &[&cranker]);
}

/// Every destination the crank cannot pay is skipped with its reason; every other entry is paid;
/// skipped amounts stay owed and the contributor can still claim them elsewhere.
#[test]
fn skips_closed_reowned_delegated_and_wrong_mint_destinations() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 1, &[1, 1, 1, 1, 1], 5_000);
    let tp = TOKEN_PROGRAM;
    let w = |i: usize| f.members[i].wallet.insecure_clone();
    let d = |i: usize| f.members[i].destination;
    // 0: closed by its owner
    env.ok(&[token_ix::close_account(&tp, &d(0), &w(0).pubkey(), &w(0).pubkey(), &[]).unwrap()], &[&w(0)]);
    // 1: ownership handed to someone else
    let stranger = env.new_funded_keypair();
    let set_owner = token_ix::set_authority(
        &tp,
        &d(1),
        Some(&stranger.pubkey()),
        token_ix::AuthorityType::AccountOwner,
        &w(1).pubkey(),
        &[],
    )
    .unwrap();
    env.ok(&[set_owner], &[&w(1)]);
    // 2: a delegate could move the payout
    env.ok(&[token_ix::approve(&tp, &d(2), &stranger.pubkey(), &w(2).pubkey(), &[], 1).unwrap()], &[&w(2)]);
    // 3: closed and re-created at the same address for another mint
    env.ok(&[token_ix::close_account(&tp, &d(3), &w(3).pubkey(), &w(3).pubkey(), &[]).unwrap()], &[&w(3)]);
    let other_mint = env.create_mint(&tp, 6);
    env.recreate_token_account(&d(3), &other_mint, &w(3).pubkey());
    let cranker = env.new_funded_keypair();
    for mode in [CrankMode::Batch, CrankMode::PerTransfer] {
        let mut trial = env.fork();
        let sent = f
            .crank(&mut trial, &[0, 1, 2, 3, 4], mode, None, &cranker)
            .expect("the batch never fails for a destination");
        let reasons: Vec<(u32, SkipReason)> =
            events::<PayoutSkipped>(&sent.logs).iter().map(|s| (s.entry, s.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                (0, SkipReason::NotTokenAccount),
                (1, SkipReason::WrongOwner),
                (2, SkipReason::Delegated),
                (3, SkipReason::WrongMint)
            ]
        );
        assert_eq!(trial.balance(&d(4)), 1_000);
        for i in 0..4 {
            assert_eq!(f.entry(&trial, i).owed, 1_000, "entry {i} keeps what it is owed");
        }
        // and can claim it to an account it owns
        let fresh = trial.create_token_account(&f.keys.mint, &w(1).pubkey());
        trial.ok(&[ix::claim(&w(1).pubkey(), &f.keys, &f.members[1].contribution, &fresh)], &[&w(1)]);
        assert_eq!(trial.balance(&fresh), 1_000);
    }
}
