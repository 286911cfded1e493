//! Missing signer: the authority, the attestor and the contributor must sign, or nothing happens.
use crate::unsigned;
use solana_signer::Signer;
use tributary::WeightUpdate;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn authority_attestor_and_contributor_must_sign() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 0, &[1], 100);
    let (auth, attestor) = (f.authority.pubkey(), f.attestor.pubkey());
    let m = &f.members[0];
    let watch = [f.keys.pool, f.keys.vault, f.page_key(0), m.destination, m.contribution.address];
    let cases = vec![
        ("pause", unsigned(ix::pause(&auth, &f.keys.pool), &auth)),
        ("update_pool_config", unsigned(ix::update_pool_config(&auth, &f.keys.pool, 100, 0), &auth)),
        ("propose_authority", unsigned(ix::propose_authority(&auth, &f.keys.pool, Some(attestor)), &auth)),
        ("set_attestor", unsigned(ix::set_attestor(&auth, &f.keys.pool, auth), &auth)),
        (
            "set_weights",
            unsigned(
                ix::set_weights(&attestor, &f.keys, 0, 9, [9; 32], vec![WeightUpdate { entry: 0, weight: 7 }]),
                &attestor,
            ),
        ),
        (
            "claim",
            unsigned(ix::claim(&m.wallet.pubkey(), &f.keys, &m.contribution, &m.destination), &m.wallet.pubkey()),
        ),
        ("retire", unsigned(ix::retire_contribution(&m.wallet.pubkey(), &f.keys, &m.contribution), &m.wallet.pubkey())),
        (
            "set_destination",
            unsigned(
                ix::set_destination(&m.wallet.pubkey(), &f.keys, &m.contribution, &m.destination),
                &m.wallet.pubkey(),
            ),
        ),
    ];
    for (name, instruction) in cases {
        env.expect_failure(&[instruction], &[], &watch, |fail| {
            assert!(fail.logs.iter().any(|l| l.contains("Error Code: AccountNotSigner.")), "{name}: {:?}", fail.logs);
        });
    }
}
