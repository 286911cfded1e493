//! A destination re-created as a token program's `Multisig` (355 bytes) whose signer keys are
//! chosen so every byte the crank reads looks like a good token account: the mint's first bytes
//! are the multisig's `m`, `n` and `is_initialized` (a mint address starting `[m, n ≥ 6, 1]` can be
//! ground by whoever creates the mint), and the keys after that are the attacker's to pick. The
//! token program would refuse the transfer and fail the batch; the crank must skip it instead.
use solana_account::Account;
use tributary::events::{CrankBatch, PayoutSkipped};
use tributary::state::SkipReason;
use tributary_sdk::instructions::CrankMode;
use tributary_tests::{events, fixtures::PoolFixture, Env, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

const MULTISIG_LEN: usize = 355;

/// Bytes of a `Multisig` that read, at every offset the crank checks, as an initialized,
/// undelegated token account of `mint` owned by `owner` (Token-2022's account-type byte included).
fn multisig_posing_as_account(mint: &[u8; 32], owner: &[u8; 32]) -> Vec<u8> {
    let mut data = vec![0u8; MULTISIG_LEN];
    data[..32].copy_from_slice(mint); // m, n, is_initialized, then signer 0 from byte 3
    data[32..64].copy_from_slice(owner);
    data[108] = 1; // account state: initialized
    data[165] = 2; // Token-2022 account type: account
    data
}

#[test]
fn a_multisig_shaped_destination_is_skipped_and_the_batch_pays_the_rest() {
    for (token_program, mode) in [
        (TOKEN_PROGRAM, CrankMode::Batch),
        (TOKEN_PROGRAM, CrankMode::PerTransfer),
        (TOKEN_2022_PROGRAM, CrankMode::PerTransfer),
    ] {
        let mut env = Env::new();
        let f = PoolFixture::funded(&mut env, &token_program, 0, 1, &[1, 1, 1], 3_000);
        let victim = f.members[1].destination;
        let owner = f.members[1].wallet.insecure_clone();
        let data =
            multisig_posing_as_account(f.keys.mint.as_array(), &solana_signer::Signer::pubkey(&owner).to_bytes());
        let lamports = env.svm.minimum_balance_for_rent_exemption(MULTISIG_LEN);
        env.svm
            .set_account(victim, Account { lamports, data, owner: token_program, executable: false, rent_epoch: 0 })
            .expect("re-create the destination as a multisig");
        let cranker = env.new_funded_keypair();
        let sent =
            f.crank(&mut env, &[0, 1, 2], mode, None, &cranker).expect("the batch never fails for a destination");
        let skipped: Vec<PayoutSkipped> = events(&sent.logs);
        assert_eq!(skipped.len(), 1);
        assert_eq!((skipped[0].entry, skipped[0].reason, skipped[0].owed), (1, SkipReason::NotTokenAccount, 1_000));
        assert_eq!(events::<CrankBatch>(&sent.logs)[0].paid, 2);
        for m in [0, 2] {
            assert_eq!(env.balance(&f.members[m].destination), 1_000, "{token_program}: member {m} paid");
        }
        assert_eq!(f.entry(&env, 1).owed, 1_000, "the skipped entry keeps what it is owed");
    }
}
