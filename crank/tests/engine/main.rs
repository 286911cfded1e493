//! The crank engine (`tributary_cli::crank`) on the embedded chain with the real sBPF build: the
//! read model after a contribution closes, and a bot that pays everything payable when one entry
//! makes its transaction fail.
mod liveness;
mod world;

use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use std::cell::Cell;
use std::rc::Rc;
use tributary_cli::chain::{Chain, Memcmp, Result, Simulation, Status};
use tributary_cli::crank::{load_view, CrankOptions, Cranker};
use tributary_cli::svm::SvmChain;
use world::{keypair, World};

pub(crate) fn cranker(world: &mut World) -> Cranker {
    let payer = keypair(0xA3, 0);
    world.chain.airdrop(&payer.pubkey(), 100_000_000_000).expect("airdrop");
    Cranker::new(payer, CrankOptions::default())
}

/// `LedgerPage::used` counts live entries; a reader that took it for the number of slots in use
/// lost the page's highest entry after a close, and the crank stopped paying it.
#[test]
fn after_a_close_every_other_entry_of_the_page_is_still_paid() {
    let mut world = World::new(1);
    world.register(3);
    world.set_weights(&[(0, 1), (1, 1), (2, 1)]);
    world.deposit(3_000);
    world.retire(1);
    world.claim(1);
    world.close(1);
    world.deposit(2_000); // 1,000 more each to entries 0 and 2
    let view = load_view(&mut world.chain, &world.keys.pool).expect("view");
    let page = view.pages[0].as_ref().expect("page 0");
    assert_eq!(page.used, 2, "two live entries on the page");
    let seen: Vec<u32> = view.entries().map(|(i, _)| i).collect();
    assert_eq!(seen, vec![0, 1, 2], "the highest entry is still seen");

    let mut bot = cranker(&mut world);
    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!((report.due, report.payouts), (2, 2));
    let destinations: Vec<Pubkey> = world.members.iter().map(|m| m.destination).collect();
    let paid: Vec<u64> = destinations.iter().map(|d| world.balance(d)).collect();
    assert_eq!(paid, vec![2_000, 1_000, 2_000]);
}

/// A chain on which a contributor changes its payout account every time the crank simulates: any
/// transaction naming its entry fails with `DestinationMismatch`, as in a race with the bot.
/// What a racer does before the crank's simulation of `tx` reaches the chain.
pub(crate) type Racer = dyn FnMut(&mut SvmChain, &VersionedTransaction);

pub(crate) struct Racing<'a> {
    pub inner: &'a mut SvmChain,
    pub race: Rc<Cell<bool>>,
    pub racer: Box<Racer>,
}

impl Chain for Racing<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn get_accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        self.inner.get_accounts(keys)
    }
    fn get_program_accounts(
        &mut self,
        p: &Pubkey,
        size: Option<usize>,
        f: &[Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>> {
        self.inner.get_program_accounts(p, size, f)
    }
    fn latest_blockhash(&mut self) -> Result<(Hash, u64)> {
        self.inner.latest_blockhash()
    }
    fn block_height(&mut self) -> Result<u64> {
        self.inner.block_height()
    }
    fn slot(&mut self) -> Result<u64> {
        self.inner.slot()
    }
    fn recent_slot(&mut self) -> Result<u64> {
        self.inner.recent_slot()
    }
    fn wait_past_slot(&mut self, slot: u64) -> Result<()> {
        self.inner.wait_past_slot(slot)
    }
    fn simulate(&mut self, tx: &VersionedTransaction) -> Result<Simulation> {
        if self.race.get() {
            (self.racer)(self.inner, tx);
        }
        self.inner.simulate(tx)
    }
    fn send(&mut self, tx: &VersionedTransaction) -> Result<Signature> {
        self.inner.send(tx)
    }
    fn statuses(&mut self, signatures: &[Signature]) -> Result<Vec<Status>> {
        self.inner.statuses(signatures)
    }
    fn recent_priority_fees(&mut self, accounts: &[Pubkey]) -> Result<Vec<u64>> {
        self.inner.recent_priority_fees(accounts)
    }
    fn minimum_balance(&mut self, data_len: usize) -> Result<u64> {
        self.inner.minimum_balance(data_len)
    }
    fn transaction_units(&mut self, signature: &Signature) -> Result<Option<u64>> {
        self.inner.transaction_units(signature)
    }
}

/// Whether `tx` holds a crank naming `entry`.
fn names_entry(tx: &VersionedTransaction, entry: u32) -> bool {
    use anchor_lang::{AnchorDeserialize, Discriminator};
    let keys = tx.message.static_account_keys();
    tx.message.instructions().iter().any(|ix| {
        keys.get(usize::from(ix.program_id_index)) == Some(&tributary::ID)
            && ix.data.strip_prefix(tributary::instruction::Crank::DISCRIMINATOR).is_some_and(|args| {
                tributary::instruction::Crank::deserialize(&mut &args[..]).is_ok_and(|c| c.entries.contains(&entry))
            })
    })
}

#[test]
fn a_failing_entry_is_bisected_out_quarantined_and_retried_while_everyone_else_is_paid() {
    const N: usize = 40;
    const RACER: usize = 17;
    const SPARE_ACCOUNTS: usize = 16;
    let mut world = World::new(1);
    world.register(N);
    let weights: Vec<(u32, u64)> = (0..N as u32).map(|e| (e, 1)).collect();
    world.set_weights(&weights);
    world.deposit(40_000);
    // the racer moves to a new payout account of its own whenever a crank naming it is simulated
    let racer = world.members[RACER].wallet.insecure_clone();
    let tp = tributary_cli::token::TOKEN_PROGRAM;
    let rent = world.chain.minimum_balance(165).expect("rent");
    let mut accounts = vec![world.members[RACER].destination];
    for i in 0..SPARE_ACCOUNTS {
        let account = keypair(0xD0, i as u64);
        let ixs = [
            solana_system_interface::instruction::create_account(
                &world.operator.pubkey(),
                &account.pubkey(),
                rent,
                165,
                &tp,
            ),
            anchor_spl::token_2022::spl_token_2022::instruction::initialize_account3(
                &tp,
                &account.pubkey(),
                &world.keys.mint,
                &racer.pubkey(),
            )
            .expect("ix"),
        ];
        world.send(&[&account], &ixs).expect("spare account");
        accounts.push(account.pubkey());
    }
    let (keys, contribution, operator) =
        (world.keys, world.members[RACER].contribution, world.operator.insecure_clone());
    let flips = Rc::new(Cell::new(0usize));
    let racer_flips = flips.clone();
    let race = Rc::new(Cell::new(true));
    let next_accounts = accounts.clone();
    // the switch lands between the bot's read and its simulation; sent straight to LiteSVM so the
    // bot's blockhash stays valid, as it would on a cluster
    let racer_fn = move |chain: &mut SvmChain, tx: &VersionedTransaction| {
        if !names_entry(tx, RACER as u32) {
            return;
        }
        let next = next_accounts[racer_flips.get() + 1];
        let ix = tributary_sdk::instructions::set_destination(&racer.pubkey(), &keys, &contribution, &next);
        let tx = solana_transaction::Transaction::new_signed_with_payer(
            &[ix],
            Some(&operator.pubkey()),
            &[&operator, &racer],
            chain.svm.latest_blockhash(),
        );
        chain.svm.send_transaction(tx).expect("switch payout account");
        racer_flips.set(racer_flips.get() + 1);
    };
    let mut bot = cranker(&mut world);
    let World { mut chain, keys, members, .. } = world;
    let mut chain = Racing { inner: &mut chain, race: race.clone(), racer: Box::new(racer_fn) };
    let balance = |chain: &mut Racing, account: &Pubkey| {
        chain.get_account(account).expect("read").and_then(|a| tributary_cli::token::token_balance(&a)).unwrap_or(0)
    };

    // round 1: everyone but the racer is paid; the racer is found by bisection and set aside
    let r1 = bot.round(&mut chain, &keys.pool).expect("round 1");
    assert_eq!(r1.due, N);
    assert_eq!(r1.payouts, N - 1, "{r1:?}");
    assert!(r1.bisected >= 1);
    assert_eq!(r1.quarantined.len(), 1, "{r1:?}");
    assert_eq!((r1.quarantined[0].entry, r1.quarantined[0].strikes), (RACER as u32, 1));
    assert!(r1.quarantined[0].reason.contains("DestinationMismatch"), "{}", r1.quarantined[0].reason);
    for (m, member) in members.iter().enumerate().filter(|(m, _)| *m != RACER) {
        assert_eq!(balance(&mut chain, &member.destination), 1_000, "member {m} paid in round 1");
    }
    // round 2: retried alone, fails again (second strike: next try in two rounds)
    let r2 = bot.round(&mut chain, &keys.pool).expect("round 2");
    assert_eq!((r2.due, r2.transactions, r2.quarantined.len()), (1, 0, 1), "{r2:?}");
    assert_eq!(r2.quarantined[0].strikes, 2);
    // the racer stops; round 3 waits, round 4 pays it
    race.set(false);
    let r3 = bot.round(&mut chain, &keys.pool).expect("round 3");
    assert_eq!((r3.quarantine_waiting, r3.transactions), (1, 0), "{r3:?}");
    let r4 = bot.round(&mut chain, &keys.pool).expect("round 4");
    assert_eq!((r4.payouts, r4.quarantined.len(), r4.quarantine_waiting), (1, 0, 0), "{r4:?}");
    let got: u64 = accounts.iter().map(|a| balance(&mut chain, a)).sum();
    assert_eq!(got, 1_000, "the racer is paid once, to its current account");
    assert!((2..SPARE_ACCOUNTS).contains(&flips.get()), "{} switches", flips.get());
    let view = load_view(&mut chain, &keys.pool).expect("view");
    assert_eq!(view.total_owed().expect("owed"), 0, "nothing left owed");
}

/// Two cranks splitting a pool by page (`--shard 0/2`, `1/2`) pay every entry once between them,
/// each only its own pages, and neither sends a transaction that fails.
#[test]
fn sharded_cranks_split_a_pool_by_page_without_overlap() {
    use tributary_cli::crank::Shard;
    const N: usize = 200; // three pages
    let mut world = World::new(1);
    world.register(N);
    world.set_weights(&(0..N as u32).map(|e| (e, 1)).collect::<Vec<_>>());
    world.deposit(200_000);
    assert!("2/2".parse::<Shard>().is_err() && "x".parse::<Shard>().is_err());
    let mut payouts = 0;
    for (i, tag) in [(0u32, 0xB0u8), (1, 0xB1)] {
        let payer = keypair(tag, 0);
        world.chain.airdrop(&payer.pubkey(), 100_000_000_000).expect("airdrop");
        let shard: Shard = format!("{i}/2").parse().expect("shard");
        let mut bot = Cranker::new(payer, CrankOptions { shard: Some(shard), ..CrankOptions::default() });
        let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
        let expected = (0..N as u32).filter(|e| shard.holds(*e)).count();
        assert_eq!((report.due, report.payouts, report.failed), (expected, expected, 0), "shard {i}: {report:?}");
        payouts += report.payouts;
    }
    assert_eq!(payouts, N);
    let view = load_view(&mut world.chain, &world.keys.pool).expect("view");
    assert!(view.entries().all(|(_, e)| e.paid == 1_000 && e.owed == 0), "everyone paid exactly once");
}

/// `--keep-spare-page`: once the open pages are full the crank opens the next one, paying its rent,
/// so the next contributor registers without opening (and paying for) a page.
#[test]
fn the_crank_keeps_a_spare_page_open_for_the_next_contributor() {
    let mut world = World::new(1);
    world.register(84); // page 0 full
    let payer = keypair(0xB2, 0);
    world.chain.airdrop(&payer.pubkey(), 100_000_000_000).expect("airdrop");
    let mut bot =
        Cranker::new(payer.insecure_clone(), CrankOptions { keep_spare_page: true, ..CrankOptions::default() });
    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!(report.page_opened, Some(1));
    let view = load_view(&mut world.chain, &world.keys.pool).expect("view");
    assert_eq!(view.pool.ledger_pages, 2);
    assert_eq!(view.pages[1].as_ref().expect("page 1").payer, payer.pubkey(), "the cranker paid the page's rent");
    assert_eq!(bot.round(&mut world.chain, &world.keys.pool).expect("round").page_opened, None, "one spare is enough");
    world.register(1); // entry 84 registers on the spare page
    assert_eq!(load_view(&mut world.chain, &world.keys.pool).expect("view").pool.ledger_pages, 2);
}
