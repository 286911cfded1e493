use solana_signer::Signer;
use tributary_sdk::instructions::CrankMode;
use tributary_tests::{fixtures::PoolFixture, program_cu, Env, TOKEN_PROGRAM};

#[test]
fn life_cycle() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 50, 1);
    f.register_many(&mut env, 3);
    f.set_weights(&mut env, &[(0, 1), (1, 2), (2, 3)]);
    let sent = f.deposit(&mut env, 600);
    println!("deposit CU {}", program_cu(&sent.logs));
    let cranker = env.new_funded_keypair();
    let r = f.crank(&mut env, &[0, 1, 2], CrankMode::Batch, None, &cranker).unwrap();
    println!("crank CU {}\n{}", program_cu(&r.logs), r.logs.join("\n"));
    assert_eq!(env.balance(&f.members[0].destination), 100);
    assert_eq!(env.balance(&f.members[2].destination), 300);
    let _ = cranker.pubkey();
}
