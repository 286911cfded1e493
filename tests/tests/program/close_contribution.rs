use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::events::ContributionClosed;
use tributary::state::{entry_status, ContributionKind, LedgerPage};
use tributary_sdk::instructions as ix;
use tributary_tests::{events, fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn closes_only_retired_and_fully_paid_contributions() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 0, &[1, 1, 1], 100);
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    let watch = [f.keys.pool, f.page_key(0), m.contribution.address];
    env.expect_error(
        &[ix::close_contribution(&wallet.pubkey(), &f.keys, &m.contribution)],
        &[&wallet],
        TributaryError::ContributionNotRetired,
        &watch,
    );
    env.ok(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]);
    env.expect_error(
        &[ix::close_contribution(&wallet.pubkey(), &f.keys, &m.contribution)],
        &[&wallet],
        TributaryError::OwedNotClaimed,
        &watch,
    );
    env.ok(&[ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &m.destination)], &[&wallet]);
    let carry_before = env.pool(&f.keys.pool).carry;
    let frac = f.entry(&env, 0).frac;
    let rent = env.account(&m.contribution.address).unwrap().lamports;
    let before = env.account(&wallet.pubkey()).unwrap().lamports;
    let pool_lamports = env.lamports(&f.keys.pool);
    let sent = env.ok(&[ix::close_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]);
    assert!(!env.exists(&m.contribution.address));
    // the slot is never used again: its share of a page stays in the pool's page fund
    let slot_share = LedgerPage::slot_share(env.rent(LedgerPage::SPACE));
    assert_eq!(slot_share, 853_098, "⌈71,660,160 / 84⌉ at 6,960 lamports per byte");
    assert_eq!(
        env.account(&wallet.pubkey()).unwrap().lamports,
        before + rent - slot_share,
        "rent back to the contributor, less the slot's share of its page"
    );
    assert_eq!(events::<ContributionClosed>(&sent.logs)[0].slot_share, slot_share);
    assert_eq!(env.lamports(&f.keys.pool), pool_lamports + slot_share);
    let pool = env.pool(&f.keys.pool);
    assert_eq!(pool.page_fund, slot_share);
    assert_eq!(pool.active_contributions, 2);
    assert_eq!(
        u128::from(pool.carry) + u128::from(pool.held) * (1 << 64),
        u128::from(carry_before) + u128::from(frac),
        "the sub-unit remainder stays in the pool"
    );
    assert_eq!(f.entry(&env, 0).status, entry_status::CLOSED);
    // the content hash can be registered again, as a new entry
    let dest = m.destination;
    let again = ix::register_contribution(
        &wallet.pubkey(),
        &f.keys,
        3,
        &dest,
        m.content_hash,
        ContributionKind::Model,
        "ipfs://v2".into(),
    );
    env.ok(&[again], &[&wallet]);
    assert_eq!(env.contribution(&m.contribution.address).entry, 3);
}
