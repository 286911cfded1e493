//! Races: cranks on overlapping entries in the same slot, interleaved with a weight update and a
//! claim, pay every base unit exactly once. (Idempotence comes from the program: a payout zeroes
//! `owed` in the same instruction that transfers it.)
use solana_signer::Signer;
use tributary::WeightUpdate;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn overlapping_cranks_in_one_slot_pay_once() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 100, 1);
    f.register_many(&mut env, 6);
    f.set_weights(&mut env, &(0..6).map(|e| (e, 1)).collect::<Vec<_>>());
    f.deposit(&mut env, 600_000);
    let (a, b) = (env.new_funded_keypair(), env.new_funded_keypair());
    let (ra, rb) =
        (env.create_token_account(&f.keys.mint, &a.pubkey()), env.create_token_account(&f.keys.mint, &b.pubkey()));
    let slot = env.svm.get_sysvar::<solana_clock::Clock>().slot;
    let payouts = |ms: &[usize]| {
        ms.iter().map(|&m| (f.members[m].contribution.entry, f.members[m].destination)).collect::<Vec<_>>()
    };
    let crank_a = ix::crank(&a.pubkey(), &f.keys, 0, &payouts(&[0, 1, 2, 3]), Some(ra), CrankMode::Batch);
    let crank_b = ix::crank(&b.pubkey(), &f.keys, 0, &payouts(&[2, 3, 4, 5]), Some(rb), CrankMode::PerTransfer);
    env.ok(&[crank_a], &[&a]);
    env.ok(&[crank_b], &[&b]);
    assert_eq!(env.svm.get_sysvar::<solana_clock::Clock>().slot, slot, "both in one slot");
    for m in &f.members {
        assert_eq!(env.balance(&m.destination), 99_000, "100,000 less the 1% reward, once");
    }
    assert_eq!(env.balance(&ra) + env.balance(&rb), 6_000);
    assert_eq!(env.balance(&f.keys.vault), 0);
}

#[test]
fn cranks_interleaved_with_a_weight_update_and_a_claim_pay_once() {
    let mut env = Env::new();
    let f = PoolFixture::funded(&mut env, &TOKEN_PROGRAM, 0, 1, &[1, 1, 1, 1], 4_000);
    let cranker = env.new_funded_keypair();
    let attestor = f.attestor.insecure_clone();
    let m1 = &f.members[1];
    let w1 = m1.wallet.insecure_clone();
    let all: Vec<(u32, _)> = f.members.iter().map(|m| (m.contribution.entry, m.destination)).collect();
    // crank, reweigh (settles entry 2 first), deposit, claim, crank again — in one slot
    env.ok(&[ix::crank(&cranker.pubkey(), &f.keys, 0, &all[..2], None, CrankMode::Batch)], &[&cranker]);
    env.ok(
        &[ix::set_weights(&attestor.pubkey(), &f.keys, 0, 7, [7; 32], vec![WeightUpdate { entry: 2, weight: 3 }])],
        &[&attestor],
    );
    f.deposit(&mut env, 6_000); // weights 1,1,3,1
    env.ok(&[ix::claim(&w1.pubkey(), &f.keys, &m1.contribution, &m1.destination)], &[&w1]);
    env.ok(&[ix::crank(&cranker.pubkey(), &f.keys, 0, &all, None, CrankMode::Batch)], &[&cranker]);
    env.ok(&[ix::crank(&cranker.pubkey(), &f.keys, 0, &all, None, CrankMode::PerTransfer)], &[&cranker]);
    let got: Vec<u64> = f.members.iter().map(|m| env.balance(&m.destination)).collect();
    assert_eq!(got, vec![2_000, 2_000, 4_000, 2_000]);
    assert_eq!(got.iter().sum::<u64>() + env.balance(&f.keys.vault), 10_000);
    assert_eq!(env.balance(&f.keys.vault), 0);
}
