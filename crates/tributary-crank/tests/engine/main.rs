//! The crank engine (`tributary_crank::crank`) on the embedded chain with the real sBPF build: the
//! read model after a contribution closes, and a bot that pays everything payable when one entry
//! makes its transaction fail.
mod formats;
mod landing;
mod liveness;
mod lookup_tables;
mod on_chain_failures;
mod service;
mod spare_pages;
mod world;

use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use tributary_crank::chain::{Chain, ChainError, Memcmp, Result, Simulation, Status};
use tributary_crank::crank::{load_view, CrankOptions, Cranker};
use tributary_crank::svm::SvmChain;
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
    assert_eq!(page.live_entries, 2, "two live entries on the page");
    let seen: Vec<u32> = view.entries().map(|(i, _)| i).collect();
    assert_eq!(seen, vec![0, 1, 2], "the highest entry is still seen");

    let mut bot = cranker(&mut world);
    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!((report.due, report.payouts), (2, 2));
    let destinations: Vec<Pubkey> = world.members.iter().map(|m| m.destination).collect();
    let paid: Vec<u64> = destinations.iter().map(|d| world.balance(d)).collect();
    assert_eq!(paid, vec![2_000, 1_000, 2_000]);
}

/// What a racer does to the chain when a transaction `tx` of the bot reaches its hook.
pub(crate) type Racer = dyn FnMut(&mut SvmChain, &VersionedTransaction);

/// The embedded chain as a node under stress would behave, each behaviour off by default:
/// another party acting between the bot's read and its simulation (`before_simulate`) or its send
/// (`before_send`) while `race` is on; a node that skips preflight, so a transaction failing at
/// execution is accepted and fails "on chain" (`skip_preflight`); signature statuses that answer
/// "not seen" for the first `lagging_statuses` reads; every call failing once `fail_after_sends`
/// transactions were sent.
pub(crate) struct Hooked<'a> {
    pub inner: &'a mut SvmChain,
    pub race: Rc<Cell<bool>>,
    pub before_simulate: Option<Box<Racer>>,
    pub before_send: Option<Box<Racer>>,
    pub skip_preflight: bool,
    pub lagging_statuses: usize,
    pub fail_after_sends: Option<usize>,
    pub sends: usize,
    /// Transactions that failed at execution and were accepted (`skip_preflight`).
    pub failed_on_chain: HashMap<Signature, Status>,
}

impl<'a> Hooked<'a> {
    pub fn new(inner: &'a mut SvmChain) -> Self {
        Self {
            inner,
            race: Rc::new(Cell::new(true)),
            before_simulate: None,
            before_send: None,
            skip_preflight: false,
            lagging_statuses: 0,
            fail_after_sends: None,
            sends: 0,
            failed_on_chain: HashMap::new(),
        }
    }

    fn faulted(&self) -> Result<()> {
        match self.fail_after_sends {
            Some(n) if self.sends >= n => Err(ChainError::Transient("injected: node unreachable".into())),
            _ => Ok(()),
        }
    }
}

/// Let `racer` act on the chain before `tx` reaches it, while the race is on.
fn race(on: &Cell<bool>, racer: &mut Option<Box<Racer>>, chain: &mut SvmChain, tx: &VersionedTransaction) {
    if let (true, Some(racer)) = (on.get(), racer) {
        racer(chain, tx);
    }
}

impl Chain for Hooked<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn format(&mut self) -> Result<tributary_crank::tx::Format> {
        self.inner.format()
    }
    fn get_accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        self.faulted()?;
        self.inner.get_accounts(keys)
    }
    fn get_program_accounts(
        &mut self,
        p: &Pubkey,
        size: Option<usize>,
        f: &[Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>> {
        self.faulted()?;
        self.inner.get_program_accounts(p, size, f)
    }
    fn latest_blockhash(&mut self) -> Result<(Hash, u64)> {
        self.faulted()?;
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
        self.faulted()?;
        race(&self.race, &mut self.before_simulate, self.inner, tx);
        self.inner.simulate(tx)
    }
    fn send(&mut self, tx: &VersionedTransaction) -> Result<Signature> {
        self.faulted()?;
        race(&self.race, &mut self.before_send, self.inner, tx);
        self.sends += 1;
        match self.inner.send(tx) {
            Err(ChainError::Failed { err, .. }) if self.skip_preflight => {
                let signature = tx.signatures[0];
                self.failed_on_chain.insert(signature, Status::Failed(err));
                Ok(signature)
            }
            other => other,
        }
    }
    fn statuses(&mut self, signatures: &[Signature]) -> Result<Vec<Status>> {
        if self.lagging_statuses > 0 {
            self.lagging_statuses -= 1;
            return Ok(vec![Status::Pending; signatures.len()]);
        }
        let known = self.inner.statuses(signatures)?;
        Ok(signatures
            .iter()
            .zip(known)
            .map(|(s, status)| self.failed_on_chain.get(s).cloned().unwrap_or(status))
            .collect())
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

/// A racer: member `m` moves its payout account to the next of `accounts` (its current one
/// first) whenever a transaction naming its entry reaches the hook, at most `times` times. Sent
/// straight to LiteSVM so the bot's blockhash stays valid, as it would on a cluster. The hook and
/// the count of moves so far.
pub(crate) fn destination_mover(
    world: &World,
    m: usize,
    accounts: Vec<Pubkey>,
    times: usize,
) -> (Box<Racer>, Rc<Cell<usize>>) {
    let moves = Rc::new(Cell::new(0usize));
    let counter = moves.clone();
    let wallet = world.members[m].wallet.insecure_clone();
    let (keys, contribution, operator) = (world.keys, world.members[m].contribution, world.operator.insecure_clone());
    let hook = move |chain: &mut SvmChain, tx: &VersionedTransaction| {
        if counter.get() >= times || !names_entry(tx, m as u32) {
            return;
        }
        let next = accounts[counter.get() + 1];
        let ix = tributary_sdk::instructions::set_destination(&wallet.pubkey(), &keys, &contribution, &next);
        let tx = solana_transaction::Transaction::new_signed_with_payer(
            &[ix],
            Some(&operator.pubkey()),
            &[&operator, &wallet],
            chain.svm.latest_blockhash(),
        );
        chain.svm.send_transaction(tx).expect("switch payout account");
        counter.set(counter.get() + 1);
    };
    (Box::new(hook), moves)
}

/// A world of `n` entries owed 1,000 each, and `spares` more token accounts of member `m`'s
/// wallet (its current payout account first).
pub(crate) fn world_with_spare_accounts(n: usize, m: usize, spares: usize) -> (World, Vec<Pubkey>) {
    let mut world = World::new(1);
    world.register(n);
    world.set_weights(&(0..n as u32).map(|e| (e, 1)).collect::<Vec<_>>());
    world.deposit(1_000 * n as u64);
    let owner = world.members[m].wallet.pubkey();
    let mut accounts = vec![world.members[m].destination];
    accounts.extend((0..spares).map(|i| world.token_account(keypair(0xD0, i as u64), &owner)));
    (world, accounts)
}

/// The racer moves to a new payout account of its own whenever a crank naming it is simulated.
#[test]
fn a_failing_entry_is_bisected_out_quarantined_and_retried_while_everyone_else_is_paid() {
    const N: usize = 40;
    const RACER: usize = 17;
    const SPARE_ACCOUNTS: usize = 16;
    let (mut world, accounts) = world_with_spare_accounts(N, RACER, SPARE_ACCOUNTS);
    let (racer, flips) = destination_mover(&world, RACER, accounts.clone(), SPARE_ACCOUNTS);
    let race = Rc::new(Cell::new(true));
    let mut bot = cranker(&mut world);
    let World { mut chain, keys, members, .. } = world;
    let mut chain = Hooked::new(&mut chain);
    chain.race = race.clone();
    chain.before_simulate = Some(racer);
    let balance = |chain: &mut Hooked, account: &Pubkey| {
        chain.get_account(account).expect("read").and_then(|a| tributary_crank::token::token_balance(&a)).unwrap_or(0)
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
    use tributary_crank::crank::Shard;
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
