//! The read-only `owed` view returns what the program's own math says an entry is owed now, the
//! same figure a claim then pays, and changes nothing.
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn returns_the_owed_amount_a_claim_then_pays_and_writes_nothing() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 0, &[1, 2], 1_001);
    let watch = [f.keys.pool, f.page_key(0)];
    let before: Vec<_> = watch.iter().map(|k| env.account(k)).collect();
    let mut owed = Vec::new();
    for m in 0..2 {
        let sent = env.ok(&[ix::owed(&f.keys, f.members[m].contribution.entry)], &[]);
        let data = sent.return_data.expect("return data");
        owed.push(u64::from_le_bytes(data.try_into().expect("a u64")));
    }
    assert_eq!(owed, vec![333, 667]);
    let after: Vec<_> = watch.iter().map(|k| env.account(k)).collect();
    assert_eq!(before, after, "a view writes nothing");
    let wallet = f.members[1].wallet.insecure_clone();
    let m = &f.members[1];
    env.ok(&[ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &m.destination)], &[&wallet]);
    assert_eq!(env.balance(&m.destination), owed[1]);
    // an entry outside the page is refused by name
    let mut outside = ix::owed(&f.keys, 84);
    outside.accounts[1].pubkey = f.page_key(0);
    env.expect_error(&[outside], &[], TributaryError::EntryNotInPage, &watch);
}
