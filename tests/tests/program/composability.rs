//! Tributary called by another program (`tests/programs/tributary-caller`, through Tributary's `cpi`
//! feature): `deposit`, `attribute_usage` and `crank` by CPI leave every account exactly as the direct
//! call does, emit the same events, fail with the same errors, and the crank by CPI is served by the
//! crank entrypoint at the same cost as a direct one.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::Discriminator;
use solana_keypair::Keypair;
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::events::UsageAttributed;
use tributary::UsageShare;
use tributary_caller::instruction as caller;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{
    consumed, events, fixtures::PoolFixture, via_caller, Env, Failed, Sent, TOKEN_2022_PROGRAM, TOKEN_PROGRAM,
};

/// Two copies of one pool: `direct` gets Tributary's instructions, `by_cpi` the same ones through
/// the caller program. Same keys on both sides, so every account and event can be compared as bytes.
struct Twins {
    direct: Env,
    by_cpi: Env,
    f: PoolFixture,
    cranker: Keypair,
    reward_account: Pubkey,
}

impl Twins {
    fn new(token_program: &Pubkey) -> Self {
        let mut env = Env::new();
        env.add_caller_program();
        // the most cranker reward allowed (1 %), so the reward split and transfer are compared too
        let f = PoolFixture::funded(&mut env, token_program, 100, 0, &[1, 2, 3, 5, 8, 13], 1_000_003);
        let cranker = env.new_funded_keypair();
        let reward_account = env.create_token_account(&f.keys.mint, &cranker.pubkey());
        Self { by_cpi: env.fork(), direct: env, f, cranker, reward_account }
    }

    /// Every account a call here can change.
    fn watched(&self) -> Vec<Pubkey> {
        let mut keys = vec![self.f.keys.pool, self.f.keys.page(0), self.f.keys.vault, self.f.depositor_token];
        keys.extend(self.f.members.iter().map(|m| m.destination));
        keys.push(self.reward_account);
        keys
    }

    /// Send `ix` (signed by `signer`) directly and by CPI; both must end the same way, with the same
    /// events and every watched account byte for byte the same. Returns both outcomes.
    fn both(&mut self, ix: Instruction, discriminator: &[u8], signer: &Keypair) -> [Result<Sent, Failed>; 2] {
        let direct = self.direct.send(std::slice::from_ref(&ix), &[signer]);
        let by_cpi = self.by_cpi.send(&[via_caller(&ix, discriminator)], &[signer]);
        match (&direct, &by_cpi) {
            (Ok(a), Ok(b)) => assert_eq!(program_data(&a.logs), program_data(&b.logs), "the same events"),
            (Err(a), Err(b)) => {
                assert_eq!(
                    a.custom_code(),
                    b.custom_code(),
                    "the same error\n  {}\n  {}",
                    a.logs.join("\n  "),
                    b.logs.join("\n  ")
                );
                assert!(a.custom_code().is_some(), "a named error: {:?}", a.err);
            }
            (a, b) => panic!("one landed and one failed:\n  direct {a:?}\n  by CPI {b:?}"),
        }
        for key in self.watched() {
            assert_eq!(self.direct.svm.get_account(&key), self.by_cpi.svm.get_account(&key), "account {key}");
        }
        [direct, by_cpi]
    }

    fn deposit(&mut self, amount: u64) -> [Result<Sent, Failed>; 2] {
        let ix = ix::deposit(&self.f.depositor.pubkey(), &self.f.keys, &self.f.depositor_token, amount);
        let depositor = self.f.depositor.insecure_clone();
        self.both(ix, caller::Deposit::DISCRIMINATOR, &depositor)
    }

    fn attribute_usage(&mut self, fee: u64, shares: Vec<UsageShare>) -> [Result<Sent, Failed>; 2] {
        let ix = ix::attribute_usage(&self.f.depositor.pubkey(), &self.f.keys, 0, &self.f.depositor_token, fee, shares);
        let depositor = self.f.depositor.insecure_clone();
        self.both(ix, caller::AttributeUsage::DISCRIMINATOR, &depositor)
    }

    fn crank(&mut self, payouts: &[(u32, Pubkey)], mode: CrankMode) -> [Result<Sent, Failed>; 2] {
        let ix = ix::crank(&self.cranker.pubkey(), &self.f.keys, 0, payouts, Some(self.reward_account), mode);
        let cranker = self.cranker.insecure_clone();
        self.both(ix, caller::Crank::DISCRIMINATOR, &cranker)
    }

    fn all_payouts(&self) -> Vec<(u32, Pubkey)> {
        self.f.members.iter().map(|m| (m.contribution.entry, m.destination)).collect()
    }
}

fn program_data(logs: &[String]) -> Vec<&String> {
    logs.iter().filter(|l| l.starts_with("Program data: ")).collect()
}

fn landed(outcome: &Result<Sent, Failed>) -> &Sent {
    outcome.as_ref().unwrap_or_else(|f| panic!("failed: {:?}\n  {}", f.err, f.logs.join("\n  ")))
}

fn shares() -> Vec<UsageShare> {
    vec![
        UsageShare { entry: 0, share_bps: 5_000 },
        UsageShare { entry: 2, share_bps: 3_000 },
        UsageShare { entry: 5, share_bps: 2_000 },
    ]
}

#[test]
fn deposit_usage_and_crank_by_cpi_do_exactly_what_direct_calls_do() {
    for (token_program, modes) in [
        (TOKEN_PROGRAM, &[CrankMode::Batch, CrankMode::PerTransfer][..]),
        (TOKEN_2022_PROGRAM, &[CrankMode::PerTransfer][..]),
    ] {
        let mut t = Twins::new(&token_program);
        for mode in modes {
            t.deposit(2_000_017).iter().for_each(|o| _ = landed(o));
            t.attribute_usage(10_007, shares()).iter().for_each(|o| _ = landed(o));
            let payouts = t.all_payouts();
            let [direct, by_cpi] = t.crank(&payouts, *mode);
            let (direct, by_cpi) = (landed(&direct), landed(&by_cpi));
            // the crank by CPI took the same route at the same cost: Tributary's own invocation
            // consumed exactly the compute units of the direct one, which the crank entrypoint serves
            let tributary_cu = |sent: &Sent| consumed(&sent.logs, &tributary::ID).next();
            assert_eq!(tributary_cu(direct), tributary_cu(by_cpi), "{mode:?}: Tributary's compute units");
            // and it paid: every destination received something, the cranker its reward
            let paid: u64 = t.f.members.iter().map(|m| t.by_cpi.balance(&m.destination)).sum();
            assert!(paid > 0 && t.by_cpi.balance(&t.reward_account) > 0, "{mode:?}: payouts made");
        }
    }
}

#[test]
fn errors_by_cpi_are_the_direct_errors_and_change_nothing() {
    let mut t = Twins::new(&TOKEN_PROGRAM);
    // shares that do not sum to 10,000
    let bad = vec![UsageShare { entry: 0, share_bps: 5_000 }];
    let [direct, _] = t.attribute_usage(1_000, bad);
    assert_eq!(direct.err().and_then(|f| f.custom_code()), Some(6000 + TributaryError::InvalidShares as u32));
    // a destination that is not the entry's
    let mut payouts = t.all_payouts();
    payouts[1].1 = t.reward_account;
    let [direct, _] = t.crank(&payouts, CrankMode::Batch);
    assert_eq!(direct.err().and_then(|f| f.custom_code()), Some(6000 + TributaryError::DestinationMismatch as u32));
    // a paused pool refuses money in and cranks, whoever calls
    let pause = ix::pause(&t.f.authority.pubkey(), &t.f.keys.pool);
    let authority = t.f.authority.insecure_clone();
    t.direct.ok(std::slice::from_ref(&pause), &[&authority]);
    t.by_cpi.ok(&[pause], &[&authority]);
    let paused = Some(6000 + TributaryError::PoolPaused as u32);
    assert_eq!(t.deposit(5).into_iter().next().and_then(|o| o.err()).and_then(|f| f.custom_code()), paused);
    let payouts = t.all_payouts();
    assert_eq!(t.crank(&payouts, CrankMode::Batch)[0].as_ref().err().and_then(|f| f.custom_code()), paused);
}

#[test]
fn an_app_pays_usage_from_its_treasury_pda() {
    let mut t = Twins::new(&TOKEN_PROGRAM);
    let (treasury, _) = Pubkey::find_program_address(&[tributary_caller::TREASURY_SEED], &tributary_caller::ID);
    let treasury_token = t.by_cpi.create_token_account(&t.f.keys.mint, &treasury);
    t.by_cpi.mint_to(&t.f.keys.mint, &treasury_token, 1_000_000);

    let fee = 10_007;
    let direct = t.direct.ok(
        &[ix::attribute_usage(&t.f.depositor.pubkey(), &t.f.keys, 0, &t.f.depositor_token, fee, shares())],
        &[&t.f.depositor],
    );
    let mut from_treasury = via_caller(
        &ix::attribute_usage(&treasury, &t.f.keys, 0, &treasury_token, fee, shares()),
        caller::AttributeUsageFromTreasury::DISCRIMINATOR,
    );
    from_treasury.accounts[0].is_signer = false; // the caller program signs for its PDA
    let by_cpi = t.by_cpi.ok(&[from_treasury], &[]);

    assert_eq!(t.by_cpi.balance(&treasury_token), 1_000_000 - fee, "the fee left the app's treasury");
    let (pool, page, vault) = (t.f.keys.pool, t.f.keys.page(0), t.f.keys.vault);
    assert_eq!(t.direct.svm.get_account(&pool), t.by_cpi.svm.get_account(&pool), "the pool's books");
    assert_eq!(t.direct.svm.get_account(&page), t.by_cpi.svm.get_account(&page), "every entry credited the same");
    assert_eq!(t.direct.balance(&vault), t.by_cpi.balance(&vault));
    let (a, b) = (&events::<UsageAttributed>(&direct.logs)[0], &events::<UsageAttributed>(&by_cpi.logs)[0]);
    assert_eq!((b.payer, b.fee, b.entries, b.remainder), (treasury, a.fee, a.entries, a.remainder));
}
