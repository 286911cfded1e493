//! Liveness as a property: a long randomized life cycle of a pool through the real crank engine on
//! the embedded chain (real sBPF build, p-token). Registrations, retires, closes, destination
//! changes, hostile destinations of every kind (closed, frozen, delegated, handed to another owner,
//! re-created as a Multisig-shaped account) and their repair, pauses, weight reports, deposits,
//! usage fees, and claims racing the crank. After every round:
//! - every entry owed at least the minimum whose destination can be paid was paid within two rounds
//!   (an entry whose own contributor raced the crank in those rounds is excepted: it delayed itself);
//! - conservation is exact: vault × 2⁶⁴ = every obligation, tokens in = vault + everything paid;
//! - nothing is paid twice: the tokens in contributors' accounts equal what the ledger says it paid.
//!
//! Scale and seed: `TRIBUTARY_LIVENESS_CONTRIBUTORS` (default 10,000), `TRIBUTARY_LIVENESS_ROUNDS`
//! (default 12), `TRIBUTARY_LIVENESS_SEED`.
use super::world::{keypair, World};
use super::{cranker, Hooked};
use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
use solana_account::Account;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::state::entry_status;
use tributary::utils::token::token_account_problem;
use tributary::UsageShare;
use tributary_crank::chain::Chain;
use tributary_crank::crank::load_view;
use tributary_crank::svm::SvmChain;
use tributary_crank::token::{self, TOKEN_PROGRAM};
use tributary_sdk::instructions as ix;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The demo's deterministic generator, with the two draws the life cycle needs.
struct Rng(tributary_crank::svm::Rng);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

const MIN_PAYOUT: u64 = 1_000;

/// Every token account a contributor of the pool owns or owned: what the crank and claims may
/// have paid into. `Σ balances = Σ ledger paid` is "nothing paid twice, nothing lost".
struct Accounts(Vec<Pubkey>);

struct Life {
    world: World,
    rng: Rng,
    accounts: Accounts,
    spares: u64,
    total_in: u64,
    /// Entries whose contributor raced the crank, by round.
    raced: HashMap<u32, u64>,
}

impl Life {
    fn active(&mut self) -> Vec<u32> {
        let view = load_view(&mut self.world.chain, &self.world.keys.pool).expect("view");
        view.entries_with(entry_status::ACTIVE).map(|(i, _)| i).collect()
    }

    /// A fresh token account of the pool's mint owned by member `m`'s wallet.
    fn spare(&mut self, m: usize) -> Pubkey {
        let account = keypair(0xE0, self.spares);
        self.spares += 1;
        let rent = self.world.chain.minimum_balance(165).expect("rent");
        let owner = self.world.members[m].wallet.pubkey();
        let ixs = [
            solana_system_interface::instruction::create_account(
                &self.world.operator.pubkey(),
                &account.pubkey(),
                rent,
                165,
                &TOKEN_PROGRAM,
            ),
            token_ix::initialize_account3(&TOKEN_PROGRAM, &account.pubkey(), &self.world.keys.mint, &owner)
                .expect("ix"),
        ];
        self.world.send(&[&account], &ixs).expect("spare account");
        self.accounts.0.push(account.pubkey());
        account.pubkey()
    }

    fn set_destination(&mut self, m: usize, destination: Pubkey) {
        self.world.as_member(m, |w, k, member| ix::set_destination(w, k, &member.contribution, &destination));
        self.world.members[m].destination = destination;
    }

    /// Point member `m` at a fresh account, then make that account unable to receive.
    fn make_hostile(&mut self, m: usize, kind: usize) {
        let spare = self.spare(m);
        self.set_destination(m, spare);
        let wallet = self.world.members[m].wallet.insecure_clone();
        let w = wallet.pubkey();
        let o = self.world.operator.pubkey();
        let stranger = keypair(0xEE, 0).pubkey();
        let ix = match kind {
            0 => token_ix::close_account(&TOKEN_PROGRAM, &spare, &w, &w, &[]),
            1 => token_ix::freeze_account(&TOKEN_PROGRAM, &spare, &self.world.keys.mint, &o, &[]),
            2 => token_ix::approve(&TOKEN_PROGRAM, &spare, &stranger, &w, &[], 1),
            3 => token_ix::set_authority(
                &TOKEN_PROGRAM,
                &spare,
                Some(&stranger),
                token_ix::AuthorityType::AccountOwner,
                &w,
                &[],
            ),
            _ => {
                // re-created as a Multisig whose bytes pass every check the crank reads
                let mut data = vec![0u8; 355];
                data[..32].copy_from_slice(self.world.keys.mint.as_array());
                data[32..64].copy_from_slice(w.as_array());
                data[108] = 1;
                data[165] = 2;
                let lamports = self.world.chain.minimum_balance(355).expect("rent");
                self.world
                    .chain
                    .svm
                    .set_account(
                        spare,
                        Account { lamports, data, owner: TOKEN_PROGRAM, executable: false, rent_epoch: 0 },
                    )
                    .expect("multisig");
                return;
            }
        }
        .expect("ix");
        let signers: &[&solana_keypair::Keypair] = if kind == 1 { &[] } else { &[&wallet] }; // freezing: the mint's authority
        self.world.send(signers, &[ix]).expect("hostile");
    }

    /// The member's associated token account again (never made hostile).
    fn repair(&mut self, m: usize) {
        let ata = token::associated_token_address(
            &self.world.members[m].wallet.pubkey(),
            &self.world.keys.mint,
            &TOKEN_PROGRAM,
        );
        self.set_destination(m, ata);
    }

    fn claim_to_ata(&mut self, m: usize) {
        let ata = token::associated_token_address(
            &self.world.members[m].wallet.pubkey(),
            &self.world.keys.mint,
            &TOKEN_PROGRAM,
        );
        self.world.as_member(m, |w, k, member| ix::claim(w, k, &member.contribution, &ata));
    }

    fn register(&mut self, n: usize) {
        let first = self.world.members.len();
        self.world.register(n);
        for m in first..self.world.members.len() {
            self.accounts.0.push(self.world.members[m].destination);
        }
    }

    /// One round's operations before the crank runs.
    fn operate(&mut self, round: u64) -> bool {
        let keys = self.world.keys;
        let operator = self.world.operator.insecure_clone();
        if load_view(&mut self.world.chain, &keys.pool).expect("view").pool.is_paused() {
            self.world.send(&[], &[ix::unpause(&operator.pubkey(), &keys.pool)]).expect("unpause");
        }
        let n = self.world.members.len();
        self.register(n / 500 + 1);
        let active = self.active();
        // a weight report for a random tenth of the active entries (some retire before it lands)
        let weights: Vec<(u32, u64)> = (0..active.len() / 10)
            .map(|_| (active[self.rng.below(active.len())], 1 + self.rng.next() % 1_000))
            .collect();
        let retiring: BTreeSet<u32> =
            (0..active.len() / 200 + 1).map(|_| active[self.rng.below(active.len())]).collect();
        for &e in &retiring {
            self.world.retire(e as usize);
        }
        let unique: HashMap<u32, u64> = weights.into_iter().collect();
        self.world.set_weights(&unique.into_iter().collect::<Vec<_>>());
        // revenue and usage fees
        for _ in 0..2 {
            let amount = 1_000_000 + self.rng.next() % 1_000_000_000;
            self.world.deposit(amount);
            self.total_in += amount;
        }
        for _ in 0..3 {
            let page = self.rng.below(n.div_ceil(ENTRIES_PER_PAGE as usize)) as u32;
            let first = page * ENTRIES_PER_PAGE;
            let named: BTreeSet<u32> =
                (0..4).map(|_| first + self.rng.below(ENTRIES_PER_PAGE as usize) as u32).collect();
            let named: Vec<u32> = named.into_iter().filter(|e| (*e as usize) < self.world.members.len()).collect();
            if named.is_empty() {
                continue;
            }
            let mut shares: Vec<UsageShare> =
                named.iter().map(|&entry| UsageShare { entry, share_bps: (10_000 / named.len()) as u16 }).collect();
            shares[0].share_bps += (10_000 % named.len()) as u16;
            // retired and closed entries among them are skipped by the program, their share spread
            let fee = 10_000 + self.rng.next() % 10_000_000;
            self.world.attribute(page, fee, shares);
            self.total_in += fee;
        }
        // retired entries claim what they are owed and close
        let view = load_view(&mut self.world.chain, &self.world.keys.pool).expect("view");
        let retired: Vec<(u32, u64)> =
            view.entries_with(entry_status::RETIRED).map(|(i, e)| (i, view.owed(e).expect("owed"))).collect();
        for &(e, owed) in retired.iter().take(3) {
            if owed > 0 {
                self.claim_to_ata(e as usize);
            }
            self.world.close(e as usize);
        }
        // destinations: hostile ones of every kind, repairs, plain changes
        let active = self.active();
        for _ in 0..4 {
            let m = active[self.rng.below(active.len())] as usize;
            match self.rng.below(3) {
                0 => {
                    let kind = self.rng.below(5);
                    self.make_hostile(m, kind);
                }
                1 => self.repair(m),
                _ => {
                    let spare = self.spare(m);
                    self.set_destination(m, spare);
                }
            }
        }
        // a pause now and then: the crank pays nothing that round
        let pause = round % 5 == 3;
        if pause {
            self.world.send(&[], &[ix::pause(&operator.pubkey(), &keys.pool)]).expect("pause");
        }
        pause
    }
}

/// Entries the crank must have paid: owed at least the minimum, destination payable, pool open.
fn payable_and_unpaid(chain: &mut SvmChain, pool: &Pubkey) -> BTreeSet<u32> {
    let view = load_view(chain, pool).expect("view");
    if view.pool.is_paused() {
        return BTreeSet::new();
    }
    let owed: Vec<(u32, Pubkey, Pubkey)> = view
        .entries()
        .filter(|(_, e)| e.status != entry_status::CLOSED && view.owed(e).expect("owed") >= MIN_PAYOUT)
        .map(|(i, e)| (i, e.destination, e.contributor))
        .collect();
    let destinations: Vec<Pubkey> = owed.iter().map(|o| o.1).collect();
    let accounts = chain.get_accounts(&destinations).expect("destinations");
    owed.into_iter()
        .zip(accounts)
        .filter(|((_, _, contributor), account)| {
            account.as_ref().is_some_and(|a| {
                token_account_problem(&a.owner, &a.data, &view.pool.token_program, &view.pool.mint, contributor)
                    .is_none()
            })
        })
        .map(|((i, ..), _)| i)
        .collect()
}

#[test]
fn every_payable_entry_is_paid_within_two_rounds_through_a_randomized_life_cycle() {
    let contributors = env_or("TRIBUTARY_LIVENESS_CONTRIBUTORS", 10_000) as usize;
    let rounds = env_or("TRIBUTARY_LIVENESS_ROUNDS", 12);
    let seed = env_or("TRIBUTARY_LIVENESS_SEED", 0x5EED_1234);
    let mut world = World::new(MIN_PAYOUT);
    let mut bot = cranker(&mut world);
    let mut life = Life {
        world,
        rng: Rng(tributary_crank::svm::Rng(seed)),
        accounts: Accounts(Vec::new()),
        spares: 0,
        total_in: 0,
        raced: HashMap::new(),
    };
    life.register(contributors);
    let all: Vec<(u32, u64)> = (0..contributors as u32).map(|e| (e, 1 + life.rng.next() % 1_000_000)).collect();
    life.world.set_weights(&all);

    let mut previous: BTreeSet<u32> = BTreeSet::new();
    let (mut payouts, mut quarantined, mut left_after_one) = (0usize, 0usize, 0usize);
    for round in 1..=rounds {
        life.operate(round);
        // claims racing the crank: while it simulates, a few contributors claim (to their own
        // associated accounts) or switch payout accounts
        let view = load_view(&mut life.world.chain, &life.world.keys.pool).expect("view");
        let racers: Vec<u32> =
            view.entries_with(entry_status::ACTIVE).map(|(i, _)| i).filter(|_| life.rng.chance(2_000)).collect();
        for r in &racers {
            life.raced.insert(*r, round);
        }
        let pending = Rc::new(RefCell::new(racers));
        let race = Rc::new(Cell::new(true));
        let (keys, members): (_, Vec<_>) =
            (life.world.keys, life.world.members.iter().map(|m| (m.wallet.insecure_clone(), m.contribution)).collect());
        let operator = life.world.operator.insecure_clone();
        let queue = pending.clone();
        let racer = move |chain: &mut SvmChain, _: &VersionedTransaction| {
            let Some(entry) = queue.borrow_mut().pop() else { return };
            let (wallet, contribution) = &members[entry as usize];
            let ata = token::associated_token_address(&wallet.pubkey(), &keys.mint, &TOKEN_PROGRAM);
            let claim = ix::claim(&wallet.pubkey(), &keys, contribution, &ata);
            let tx = solana_transaction::Transaction::new_signed_with_payer(
                &[claim],
                Some(&operator.pubkey()),
                &[&operator, wallet],
                chain.svm.latest_blockhash(),
            );
            let _ = chain.svm.send_transaction(tx); // nothing owed: refused, and that is fine
        };
        let mut racing = Hooked::new(&mut life.world.chain);
        racing.race = race;
        racing.before_simulate = Some(Box::new(racer));
        let report = bot.round(&mut racing, &keys.pool).expect("round");
        payouts += report.payouts;
        quarantined += report.quarantined.len();

        // liveness: payable and unpaid after two consecutive rounds, not of its own doing
        let now = payable_and_unpaid(&mut life.world.chain, &keys.pool);
        left_after_one += now.len();
        let stuck: Vec<u32> = now
            .intersection(&previous)
            .copied()
            .filter(|e| life.raced.get(e).is_none_or(|r| *r + 2 <= round))
            .collect();
        assert!(stuck.is_empty(), "round {round}: payable entries unpaid for two rounds: {stuck:?}\n{report:?}");
        previous = now;

        // conservation and nothing paid twice
        let view = load_view(&mut life.world.chain, &keys.pool).expect("view");
        let vault = life.world.balance(&keys.vault);
        let paid: u128 = view.entries().map(|(_, e)| u128::from(e.paid)).sum();
        assert_eq!(
            u128::from(vault) << 64,
            view.obligations_x64().expect("obligations"),
            "round {round}: vault = obligations"
        );
        assert_eq!(u128::from(vault) + paid, u128::from(life.total_in), "round {round}: tokens in = vault + paid");
        assert_eq!(view.pool.total_paid(), paid, "round {round}: the pool's total = the entries' paid");
        assert!(view.pool.invariant().is_ok(), "round {round}: Pool::invariant");
        let held: u128 = life.accounts.0.clone().iter().map(|a| u128::from(life.world.balance(a))).sum();
        assert_eq!(held, paid, "round {round}: contributors hold exactly what the ledger paid (never twice)");
    }
    println!(
        "liveness: {contributors} contributions, {rounds} rounds, {payouts} payouts, {quarantined} quarantined, \
         {left_after_one} payable entries left after a round (all paid the next)"
    );
    assert!(payouts >= contributors, "the crank paid ({payouts})");
}
