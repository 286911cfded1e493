//! A randomized sequence of a few hundred operations against the .so, checking after every one
//! that real token balances and the on-chain accounting agree to the base unit (and, inside the
//! pool, to 2⁻⁶⁴ of one).
use anchor_lang::prelude::Pubkey;
use solana_signer::Signer;
use tributary::UsageShare;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, so a failure replays exactly
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn check(env: &Env, f: &PoolFixture, reward: &Pubkey, total_in: u64, step: usize) {
    let pool = env.pool(&f.keys.pool);
    let vault = env.balance(&f.keys.vault);
    let paid_out: u64 = f.members.iter().map(|m| env.balance(&m.destination)).sum();
    assert_eq!(vault + paid_out + env.balance(reward), total_in, "step {step}: tokens in = vault + paid out");
    assert_eq!(u128::from(env.balance(reward)), pool.total_cranker_rewards(), "step {step}: rewards");
    assert!(pool.invariant().is_ok(), "step {step}: Pool::invariant");
    let one = 1u128 << 64;
    let mut obligations = u128::from(pool.carry) + u128::from(pool.held) * one;
    for (i, m) in f.members.iter().enumerate() {
        let e = f.entry(env, i);
        assert_eq!(env.balance(&m.destination), e.paid, "step {step}: member {i} paid");
        let pending = tributary_math::accrue(e.weight, pool.acc_per_weight(), e.snapshot(), e.frac).expect("accrue");
        obligations += u128::from(e.owed + pending.amount) * one + u128::from(pending.frac);
    }
    assert_eq!(u128::from(vault) * one, obligations, "step {step}: vault = owed + pending + carry + held, exactly");
}

fn run(token_program: Pubkey, seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &token_program, 50, 10);
    f.register_many(&mut env, 10);
    let cranker = env.new_funded_keypair();
    let reward = env.create_token_account(&f.keys.mint, &cranker.pubkey());
    let depositor = f.depositor.insecure_clone();
    let (attestor, mut epoch) = (f.attestor.insecure_clone(), 0u64);
    let mut total_in = 0u64;
    for step in 0..steps {
        let n = f.members.len() as u64;
        let pick = |rng: &mut Rng| rng.below(n) as usize;
        match rng.below(100) {
            0..=24 => {
                let amount = [1, 7, 1_000, 999_983, 1 << 40][rng.below(5) as usize];
                f.deposit(&mut env, amount);
                total_in += amount;
            }
            25..=39 => {
                let (a, b) = (pick(&mut rng), pick(&mut rng));
                let active = |i: usize| f.entry(&env, i).is_active();
                if a != b && active(a) && active(b) {
                    let fee = 1 + rng.below(1_000_000);
                    let share = 1 + rng.below(9_999) as u16;
                    let shares = vec![
                        UsageShare { entry: a as u32, share_bps: share },
                        UsageShare { entry: b as u32, share_bps: 10_000 - share },
                    ];
                    env.ok(
                        &[ix::attribute_usage(&depositor.pubkey(), &f.keys, 0, &f.depositor_token, fee, shares)],
                        &[&depositor],
                    );
                    total_in += fee;
                }
            }
            40..=59 => {
                let mut updates = Vec::new();
                for _ in 0..1 + rng.below(4) {
                    let i = pick(&mut rng);
                    let weight = [0, 1, 3, 1_000, 1 << 33][rng.below(5) as usize];
                    if f.entry(&env, i).is_active() {
                        updates.push(tributary::WeightUpdate { entry: i as u32, weight });
                    }
                }
                epoch += 1;
                env.ok(
                    &[ix::set_weights(&attestor.pubkey(), &f.keys, 0, epoch, [epoch as u8; 32], updates)],
                    &[&attestor],
                );
            }
            60..=84 => {
                let members: Vec<usize> = (0..1 + rng.below(8)).map(|_| pick(&mut rng)).collect();
                let mode = if token_program == TOKEN_PROGRAM && rng.below(2) == 0 {
                    CrankMode::Batch
                } else {
                    CrankMode::PerTransfer
                };
                f.crank(&mut env, &members, mode, Some(reward), &cranker).expect("crank");
            }
            85..=94 => {
                let i = pick(&mut rng);
                let m = &f.members[i];
                let wallet = m.wallet.insecure_clone();
                let _ = env.send(&[ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &m.destination)], &[&wallet]);
            }
            95..=97 => {
                f.register(&mut env);
            }
            _ => {
                let i = pick(&mut rng);
                let m = &f.members[i];
                let wallet = m.wallet.insecure_clone();
                let _ = env.send(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]);
            }
        }
        check(&env, &f, &reward, total_in, step);
    }
    let paid: u64 = f.members.iter().map(|m| env.balance(&m.destination)).sum();
    let pool = env.pool(&f.keys.pool);
    println!(
        "seed {seed:#x} on {token_program}: {steps} operations checked; in {total_in}, paid {paid}, rewards {}, epoch {}, {} members",
        env.balance(&reward),
        pool.epoch,
        f.members.len()
    );
    assert!(paid > 0 && pool.epoch > 0 && env.balance(&reward) > 0, "the run exercised payouts, weights and rewards");
}

#[test]
fn random_operations_keep_tokens_and_accounting_in_step_classic() {
    run(TOKEN_PROGRAM, 0x7215_0A2B_5EED_0001, 300);
}

#[test]
fn random_operations_keep_tokens_and_accounting_in_step_token_2022() {
    run(TOKEN_2022_PROGRAM, 0x7215_0A2B_5EED_0002, 200);
}
