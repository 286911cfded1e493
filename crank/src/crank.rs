//! The crank: read a pool and its ledger pages, find every entry owed at least the minimum payout
//! whose destination can receive, and pay them in transactions filled to the account and packet
//! limits. Nothing is remembered between rounds: what is owed is read from chain each time, and the
//! program pays an entry only what it is owed then, so a crash, a restart, an expired transaction
//! or a second crank running at once can never pay anything twice.
use crate::chain::{Chain, ChainError, Result, Status};
use crate::lookup::AddressBook;
use crate::tx::{self, Built, SendOptions, LAMPORTS_PER_SIGNATURE, SIMULATION_CU_LIMIT};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use std::collections::HashMap;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::state::{LedgerPage, Pool};
use tributary::utils::token::token_account_problem;
use tributary_sdk::instructions::{self as ix, CrankMode, PoolKeys};
use tributary_sdk::{accounts as decode, pda};

/// A pool and all its ledger pages as read in one go.
pub struct PoolView {
    pub address: Pubkey,
    pub pool: Pool,
    pub keys: PoolKeys,
    /// Page `i` at index `i` (`None` if closed).
    pub pages: Vec<Option<Box<LedgerPage>>>,
}

impl PoolView {
    pub fn load(chain: &mut dyn Chain, address: &Pubkey) -> Result<Self> {
        let account = chain.get_account(address)?.ok_or_else(|| ChainError::Rpc(format!("no pool at {address}")))?;
        if account.owner != tributary::ID {
            return Err(ChainError::Rpc(format!("{address} is not a Tributary account")));
        }
        let pool = decode::pool(&account.data).map_err(|e| ChainError::Rpc(format!("{address}: {e}")))?;
        let keys = PoolKeys::from_account(*address, &pool);
        let page_keys: Vec<Pubkey> = (0..pool.ledger_pages).map(|p| keys.page(p)).collect();
        let pages = chain
            .get_accounts(&page_keys)?
            .into_iter()
            .map(|a| a.and_then(|a| decode::ledger_page(&a.data).ok()))
            .collect();
        Ok(Self { address: *address, pool, keys, pages })
    }

    /// Every registered entry with its page and index.
    pub fn entries(&self) -> impl Iterator<Item = (u32, &tributary::state::LedgerEntry)> + '_ {
        self.pages.iter().enumerate().flat_map(move |(p, page)| {
            page.iter().flat_map(move |page| {
                let used = page.used.min(ENTRIES_PER_PAGE);
                page.entries[..used as usize]
                    .iter()
                    .enumerate()
                    .map(move |(i, e)| (p as u32 * ENTRIES_PER_PAGE + i as u32, e))
            })
        })
    }

    /// What every entry would be owed if settled now, summed (the program's own math).
    pub fn total_owed(&self) -> Result<u128> {
        let mut total = 0u128;
        for (_, e) in self.entries() {
            total += u128::from(decode::owed_now(e, &self.pool).map_err(|e| ChainError::Rpc(e.to_string()))?);
        }
        Ok(total)
    }
}

/// An entry the crank should pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub entry: u32,
    pub destination: Pubkey,
    pub owed: u64,
}

/// Entries owed at least the minimum payout; `(payable, unpayable)`, where unpayable ones have a
/// destination the program would skip (the contributor must fix it or claim).
pub fn due_payouts(chain: &mut dyn Chain, view: &PoolView) -> Result<(Vec<Due>, Vec<Due>)> {
    let min = view.pool.min_payout.max(1);
    let mut due = Vec::new();
    let mut contributors = Vec::new();
    for (entry, e) in view.entries() {
        let owed = decode::owed_now(e, &view.pool).map_err(|e| ChainError::Rpc(e.to_string()))?;
        if owed >= min && e.status != tributary::state::entry_status::CLOSED {
            due.push(Due { entry, destination: e.destination, owed });
            contributors.push(e.contributor);
        }
    }
    let destinations: Vec<Pubkey> = due.iter().map(|d| d.destination).collect();
    let accounts = chain.get_accounts(&destinations)?;
    let (mut payable, mut unpayable) = (Vec::new(), Vec::new());
    for ((d, contributor), account) in due.into_iter().zip(contributors).zip(accounts) {
        let ok = account.is_some_and(|a| {
            token_account_problem(&a.owner, &a.data, &view.pool.token_program, &view.pool.mint, &contributor).is_none()
        });
        if ok {
            payable.push(d);
        } else {
            unpayable.push(d);
        }
    }
    Ok((payable, unpayable))
}

#[derive(Debug, Clone, Copy)]
pub struct CrankOptions {
    /// Highest priority fee bid, micro-lamports per CU (0: never bid).
    pub max_priority_fee: u64,
    /// Compute-unit limit = simulated units + this percent.
    pub margin_percent: u64,
    /// The cranker's token account for the pool's reward, if it wants it.
    pub reward_account: Option<Pubkey>,
    /// Keep destinations in address lookup tables (v0). Off: legacy-sized transactions.
    pub lookup_tables: bool,
}

impl Default for CrankOptions {
    fn default() -> Self {
        Self { max_priority_fee: 0, margin_percent: 10, reward_account: None, lookup_tables: true }
    }
}

/// What one round over one pool did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RoundReport {
    pub pool: String,
    /// Entries owed at least the minimum with a valid destination.
    pub due: usize,
    /// Entries owed at least the minimum whose destination cannot receive (left owed).
    pub unpayable: usize,
    pub transactions: usize,
    pub confirmed: usize,
    /// Expired unconfirmed (their entries are simply due again next round).
    pub expired: usize,
    pub failed: usize,
    /// Payouts in confirmed transactions.
    pub payouts: usize,
    /// Owed amounts those payouts covered.
    pub amount: u64,
    /// Compute units of the confirmed transactions.
    pub units: u64,
    pub fee_lamports: u64,
    pub priority_micro_lamports: u64,
    pub lookup_addresses_added: usize,
    pub mode: String,
}

impl RoundReport {
    pub fn payouts_per_tx(&self) -> f64 {
        if self.confirmed == 0 {
            0.0
        } else {
            self.payouts as f64 / self.confirmed as f64
        }
    }
}

struct Pending {
    signature: Signature,
    last_valid: u64,
    payouts: usize,
    amount: u64,
    units: u64,
    fee: u64,
}

pub struct Cranker {
    pub payer: Keypair,
    pub opts: CrankOptions,
    book: Option<AddressBook>,
    modes: HashMap<Pubkey, CrankMode>,
    /// Progress callback: payouts sent so far in the round.
    pub on_progress: Option<Box<dyn FnMut(usize, usize)>>,
}

impl Cranker {
    pub fn new(payer: Keypair, opts: CrankOptions) -> Self {
        Self { payer, opts, book: None, modes: HashMap::new(), on_progress: None }
    }

    fn mode_for(&self, view: &PoolView) -> CrankMode {
        match self.modes.get(&view.address) {
            Some(mode) => *mode,
            None if view.pool.is_token_2022() => CrankMode::PerTransfer,
            None => CrankMode::Batch,
        }
    }

    fn reward(&self, view: &PoolView) -> Option<Pubkey> {
        self.opts.reward_account.filter(|_| view.pool.cranker_reward_bps > 0)
    }

    fn instructions(&self, view: &PoolView, batch: &[Due], mode: CrankMode) -> Vec<Instruction> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < batch.len() {
            let page = pda::page_of(batch[start].entry);
            let end = start + batch[start..].iter().take_while(|d| pda::page_of(d.entry) == page).count();
            let payouts: Vec<(u32, Pubkey)> = batch[start..end].iter().map(|d| (d.entry, d.destination)).collect();
            out.push(ix::crank(&self.payer.pubkey(), &view.keys, page, &payouts, self.reward(view), mode));
            start = end;
        }
        out
    }

    fn build(
        &self,
        view: &PoolView,
        batch: &[Due],
        mode: CrankMode,
        blockhash: solana_hash::Hash,
        cu_limit: u32,
        price: u64,
    ) -> Result<Built> {
        let ixs = self.instructions(view, batch, mode);
        let tables = match &self.book {
            Some(book) => {
                let mut addresses: Vec<Pubkey> = batch.iter().map(|d| d.destination).collect();
                addresses.extend([view.address, view.keys.vault, view.keys.token_program, view.keys.mint]);
                book.tables_for(&addresses)
            }
            None => Vec::new(),
        };
        tx::build(&self.payer, &[], &ixs, &tables, blockhash, Some(cu_limit), price).map_err(ChainError::Rpc)
    }

    /// The most of `due` (from the front) one transaction carries, at least one.
    fn pack(
        &self,
        view: &PoolView,
        due: &[Due],
        mode: CrankMode,
        hint: usize,
        blockhash: solana_hash::Hash,
        price: u64,
    ) -> Result<(usize, Built)> {
        let mut n = hint.clamp(1, due.len());
        let mut built = self.build(view, &due[..n], mode, blockhash, SIMULATION_CU_LIMIT, price)?;
        while !built.fits() && n > 1 {
            n -= 1;
            built = self.build(view, &due[..n], mode, blockhash, SIMULATION_CU_LIMIT, price)?;
        }
        while n < due.len() {
            let bigger = self.build(view, &due[..n + 1], mode, blockhash, SIMULATION_CU_LIMIT, price)?;
            if !bigger.fits() {
                break;
            }
            n += 1;
            built = bigger;
        }
        Ok((n, built))
    }

    /// Keep every address a payout of this pool needs in the lookup tables.
    fn prepare_tables(&mut self, chain: &mut dyn Chain, view: &PoolView, due: &[Due]) -> Result<usize> {
        if !self.opts.lookup_tables {
            return Ok(0);
        }
        if self.book.is_none() {
            self.book = Some(AddressBook::load(chain, &self.payer.pubkey())?);
        }
        let mut addresses = vec![view.address, view.keys.vault, view.keys.token_program, view.keys.mint];
        addresses.extend(self.reward(view));
        let pages: std::collections::BTreeSet<u32> = due.iter().map(|d| pda::page_of(d.entry)).collect();
        addresses.extend(pages.into_iter().map(|p| view.keys.page(p)));
        addresses.extend(due.iter().map(|d| d.destination));
        let payer = self.payer.insecure_clone();
        match &mut self.book {
            Some(book) => book.ensure(chain, &payer, &addresses),
            None => Ok(0),
        }
    }

    /// One pass over a pool: pay everything due, wait for the confirmations, report.
    pub fn round(&mut self, chain: &mut dyn Chain, pool: &Pubkey) -> Result<RoundReport> {
        let view = PoolView::load(chain, pool)?;
        let mut report = RoundReport { pool: pool.to_string(), ..Default::default() };
        if view.pool.paused {
            report.mode = "paused".into();
            return Ok(report);
        }
        let (due, unpayable) = due_payouts(chain, &view)?;
        report.due = due.len();
        report.unpayable = unpayable.len();
        if due.is_empty() {
            report.mode = format!("{:?}", self.mode_for(&view));
            return Ok(report);
        }
        report.lookup_addresses_added = self.prepare_tables(chain, &view, &due)?;
        let price = tx::priority_fee(chain, &[view.address, view.keys.vault], self.opts.max_priority_fee)?;
        report.priority_micro_lamports = price;

        let mut pending: Vec<Pending> = Vec::new();
        let (mut start, mut hint) = (0usize, 64usize);
        let (mut blockhash, mut last_valid) = chain.latest_blockhash()?;
        while start < due.len() {
            let mode = self.mode_for(&view);
            let (n, probe) = self.pack(&view, &due[start..], mode, hint, blockhash, price)?;
            let sim = chain.simulate(&probe.tx)?;
            if let Some(err) = sim.err {
                if mode == CrankMode::Batch && batch_unsupported(&sim.logs, &view.keys.token_program) {
                    // this cluster's SPL Token is not p-token: pay with one transfer_checked each
                    self.modes.insert(view.address, CrankMode::PerTransfer);
                    continue;
                }
                if err.contains("BlockhashNotFound") {
                    (blockhash, last_valid) = chain.latest_blockhash()?;
                    continue;
                }
                report.failed += 1;
                start += n; // left owed; the next round reads the chain again
                continue;
            }
            let cu_limit = tx::cu_limit_for(sim.units, self.opts.margin_percent);
            let built = self.build(&view, &due[start..start + n], mode, blockhash, cu_limit, price)?;
            match chain.send(&built.tx) {
                Ok(signature) => {
                    let amount = due[start..start + n].iter().map(|d| d.owed).sum();
                    let fee = LAMPORTS_PER_SIGNATURE + tx::priority_fee_lamports(cu_limit, price);
                    pending.push(Pending { signature, last_valid, payouts: n, amount, units: sim.units, fee });
                    report.transactions += 1;
                    start += n;
                    hint = n;
                    if let Some(progress) = &mut self.on_progress {
                        progress(start, due.len());
                    }
                }
                Err(ChainError::BlockhashExpired) => (blockhash, last_valid) = chain.latest_blockhash()?,
                Err(ChainError::Failed { .. }) => {
                    report.failed += 1;
                    start += n;
                }
                Err(e) => return Err(e),
            }
            report.mode = format!("{mode:?}");
        }

        let sent: Vec<(Signature, u64)> = pending.iter().map(|p| (p.signature, p.last_valid)).collect();
        let statuses = tx::confirm(chain, &sent, SendOptions::default())?;
        for (p, status) in pending.iter().zip(statuses) {
            match status {
                Status::Confirmed => {
                    report.confirmed += 1;
                    report.payouts += p.payouts;
                    report.amount += p.amount;
                    report.units += p.units;
                    report.fee_lamports += p.fee;
                }
                Status::Failed(_) => report.failed += 1,
                Status::Pending => report.expired += 1,
            }
        }
        Ok(report)
    }

    /// Rounds until nothing payable is left (or `max_rounds`); the reports of each.
    pub fn drain(&mut self, chain: &mut dyn Chain, pool: &Pubkey, max_rounds: usize) -> Result<Vec<RoundReport>> {
        let mut reports = Vec::new();
        for _ in 0..max_rounds {
            let report = self.round(chain, pool)?;
            let done = report.due == 0 || report.confirmed == 0 && report.expired == 0;
            reports.push(report);
            if done {
                break;
            }
        }
        Ok(reports)
    }
}

/// p-token's `batch` refused by a token program that does not have it.
fn batch_unsupported(logs: &[String], token_program: &Pubkey) -> bool {
    let failed = format!("Program {token_program} failed");
    logs.iter().any(|l| l.starts_with(&failed) && (l.contains("invalid instruction data") || l.contains("Invalid")))
}
