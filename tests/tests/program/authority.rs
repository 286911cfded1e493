//! propose_authority / accept_authority: the two-step authority transfer.
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::events::{AuthorityAccepted, AuthorityProposed};
use tributary_sdk::instructions as ix;
use tributary_tests::{events, fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn transfers_in_two_steps_and_can_be_cancelled() {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let (pool, old) = (f.keys.pool, f.authority.insecure_clone());
    let new = env.new_funded_keypair();
    let stranger = env.new_funded_keypair();

    env.expect_error(
        &[ix::accept_authority(&new.pubkey(), &pool)],
        &[&new],
        TributaryError::NoPendingAuthority,
        &[pool],
    );
    env.expect_error(
        &[ix::propose_authority(&new.pubkey(), &pool, Some(new.pubkey()))],
        &[&new],
        TributaryError::NotAuthority,
        &[pool],
    );

    // the all-zero key stands for "none pending" in the zero-copy pool: it cannot be proposed
    env.expect_error(
        &[ix::propose_authority(&old.pubkey(), &pool, Some(anchor_lang::prelude::Pubkey::default()))],
        &[&old],
        TributaryError::InvalidPendingAuthority,
        &[pool],
    );

    let sent = env.ok(&[ix::propose_authority(&old.pubkey(), &pool, Some(new.pubkey()))], &[&old]);
    assert_eq!(events::<AuthorityProposed>(&sent.logs)[0].pending_authority, Some(new.pubkey()));
    assert_eq!(env.pool(&pool).pending_authority(), Some(new.pubkey()));
    assert_eq!(env.pool(&pool).authority, old.pubkey(), "nothing changes until accepted");
    env.expect_error(
        &[ix::accept_authority(&stranger.pubkey(), &pool)],
        &[&stranger],
        TributaryError::NotPendingAuthority,
        &[pool],
    );

    // cancelled, then proposed again and accepted
    env.ok(&[ix::propose_authority(&old.pubkey(), &pool, None)], &[&old]);
    env.expect_error(
        &[ix::accept_authority(&new.pubkey(), &pool)],
        &[&new],
        TributaryError::NoPendingAuthority,
        &[pool],
    );
    env.ok(&[ix::propose_authority(&old.pubkey(), &pool, Some(new.pubkey()))], &[&old]);
    let sent = env.ok(&[ix::accept_authority(&new.pubkey(), &pool)], &[&new]);
    let accepted = &events::<AuthorityAccepted>(&sent.logs)[0];
    assert_eq!((accepted.previous_authority, accepted.authority), (old.pubkey(), new.pubkey()));
    let p = env.pool(&pool);
    assert_eq!((p.authority, p.pending_authority()), (new.pubkey(), None));
    // the old authority has no power left
    env.expect_error(&[ix::pause(&old.pubkey(), &pool)], &[&old], TributaryError::NotAuthority, &[pool]);
    env.ok(&[ix::pause(&new.pubkey(), &pool)], &[&new]);
}
