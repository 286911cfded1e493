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
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use std::collections::HashMap;
use tributary::utils::token::token_account_problem;
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_sdk::{accounts as decode, pda};

pub use tributary_sdk::view::PoolView;

/// Read a pool and all its ledger pages (two requests) into the shared read model.
pub fn load_view(chain: &mut dyn Chain, address: &Pubkey) -> Result<PoolView> {
    let account = chain.get_account(address)?.ok_or_else(|| ChainError::Rpc(format!("no pool at {address}")))?;
    if account.owner != tributary::ID {
        return Err(ChainError::Rpc(format!("{address} is not a Tributary account")));
    }
    let pool = decode::pool(&account.data).map_err(|e| ChainError::Rpc(format!("{address}: {e}")))?;
    let pages = chain.get_accounts(&PoolView::page_addresses(address, &pool))?;
    PoolView::from_accounts(*address, &account.data, pages.iter().map(|a| a.as_ref().map(|a| a.data.as_slice())))
        .map_err(|e| ChainError::Rpc(format!("{address}: {e}")))
}

/// Every pool of the program on this cluster, in one `getProgramAccounts` (pool size and
/// discriminator; no account data is fetched beyond the keys' accounts).
pub fn list_pools(chain: &mut dyn Chain) -> Result<Vec<Pubkey>> {
    use anchor_lang::Discriminator;
    let filter = crate::chain::Memcmp { offset: 0, bytes: tributary::state::Pool::DISCRIMINATOR.to_vec() };
    let pools = chain.get_program_accounts(&tributary::ID, Some(tributary::state::Pool::SPACE), &[filter])?;
    Ok(pools.into_iter().map(|(key, _)| key).collect())
}

/// An entry the crank should pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub entry: u32,
    pub destination: Pubkey,
    pub owed: u64,
}

/// An entry owed at least the minimum whose destination the program would skip, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unpayable {
    pub due: Due,
    pub reason: tributary::state::SkipReason,
}

/// Entries owed at least the minimum payout; `(payable, unpayable)`, where unpayable ones have a
/// destination the program would skip (the contributor must fix it or claim).
pub fn due_payouts(chain: &mut dyn Chain, view: &PoolView) -> Result<(Vec<Due>, Vec<Unpayable>)> {
    let min = view.pool.min_payout.max(1);
    let mut due = Vec::new();
    let mut contributors = Vec::new();
    for (entry, e) in view.entries() {
        let owed = view.owed(e).map_err(|e| ChainError::Rpc(e.to_string()))?;
        if owed >= min && e.status != tributary::state::entry_status::CLOSED {
            due.push(Due { entry, destination: e.destination, owed });
            contributors.push(e.contributor);
        }
    }
    let destinations: Vec<Pubkey> = due.iter().map(|d| d.destination).collect();
    let accounts = chain.get_accounts(&destinations)?;
    let (mut payable, mut unpayable) = (Vec::new(), Vec::new());
    for ((d, contributor), account) in due.into_iter().zip(contributors).zip(accounts) {
        let problem = match account {
            Some(a) => {
                token_account_problem(&a.owner, &a.data, &view.pool.token_program, &view.pool.mint, &contributor)
            }
            None => Some(tributary::state::SkipReason::NotTokenAccount),
        };
        match problem {
            None => payable.push(d),
            Some(reason) => unpayable.push(Unpayable { due: d, reason }),
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
    /// Pay only the ledger pages of this shard, so several cranks split a pool without racing.
    pub shard: Option<Shard>,
    /// Open the pool's next ledger page (the cranker pays its rent, refunded when it closes) as soon
    /// as the open pages are full, so a contributor registering never pays a page's rent.
    pub keep_spare_page: bool,
    /// At most this many payouts in one transaction (`None`: as many as fit). 1 gives the
    /// one-transaction-per-payout baseline the benchmarks compare against.
    pub max_payouts_per_tx: Option<usize>,
}

impl Default for CrankOptions {
    fn default() -> Self {
        Self {
            max_priority_fee: 0,
            margin_percent: 10,
            reward_account: None,
            lookup_tables: true,
            shard: None,
            keep_spare_page: false,
            max_payouts_per_tx: None,
        }
    }
}

/// Shard `index` of `count`: the ledger pages whose number is `index` modulo `count`. A crank
/// transaction names one page, so shards never put the same entry in two transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub fn holds(&self, entry: u32) -> bool {
        pda::page_of(entry) % self.count == self.index
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    /// `i/n` with i < n.
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let parsed = text.split_once('/').and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if index < count => Ok(Shard { index, count }),
            _ => Err(format!("'{text}' is not a shard: write i/n with 0 <= i < n (e.g. 0/2)")),
        }
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
    /// Those entries by the reason the program would skip them (`SkipReason`).
    pub unpayable_by_reason: std::collections::BTreeMap<String, usize>,
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
    /// Entries set aside this round: a transaction holding one of them alone failed in
    /// simulation or preflight (the reason is the node's). Each is retried alone in a later round.
    pub quarantined: Vec<QuarantineNote>,
    /// Entries still in quarantine and waiting for their retry round (not sent this round).
    pub quarantine_waiting: usize,
    /// Transactions simulated or sent whose failure was bisected to find the entry behind it.
    pub bisected: usize,
    /// The ledger page opened ahead of registrations this round (`keep_spare_page`), if any.
    pub page_opened: Option<u32>,
}

/// An entry the crank set aside, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QuarantineNote {
    pub entry: u32,
    pub destination: String,
    pub reason: String,
    /// Failures in a row; the entry is retried after 2^(strikes − 1) rounds (at most 32).
    pub strikes: u32,
}

/// An entry whose transaction, holding it alone, failed: it is kept out of the packed
/// transactions (so it cannot fail anyone else's payout) and retried alone, with backoff.
#[derive(Debug, Clone)]
struct Quarantine {
    strikes: u32,
    /// The first round in which it is tried again.
    retry_round: u64,
}

/// Most rounds between two retries of a quarantined entry.
const MAX_QUARANTINE_ROUNDS: u64 = 32;

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
    /// The signed transaction, sent again while unconfirmed.
    tx: VersionedTransaction,
}

pub struct Cranker {
    /// Signs and pays every crank transaction (any signer: a keypair file, a Ledger …).
    pub payer: Box<dyn Signer>,
    pub opts: CrankOptions,
    book: Option<AddressBook>,
    modes: HashMap<Pubkey, CrankMode>,
    /// Entries set aside, by (pool, entry).
    quarantine: HashMap<(Pubkey, u32), Quarantine>,
    /// Rounds run so far (the clock of the quarantine).
    rounds: u64,
    /// Progress callback: payouts sent so far in the round.
    pub on_progress: Option<Box<dyn FnMut(usize, usize)>>,
}

impl Cranker {
    pub fn new(payer: impl Signer + 'static, opts: CrankOptions) -> Self {
        Self {
            payer: Box::new(payer),
            opts,
            book: None,
            modes: HashMap::new(),
            quarantine: HashMap::new(),
            rounds: 0,
            on_progress: None,
        }
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

    /// The most of `due` (from the front) one transaction carries, at least one and at most `limit`.
    #[allow(clippy::too_many_arguments)]
    fn pack(
        &self,
        view: &PoolView,
        due: &[Due],
        mode: CrankMode,
        hint: usize,
        limit: usize,
        blockhash: solana_hash::Hash,
        price: u64,
    ) -> Result<(usize, Built)> {
        let due = &due[..limit.clamp(1, due.len())];
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
        match &mut self.book {
            Some(book) => book.ensure(chain, self.payer.as_ref(), &addresses),
            None => Ok(0),
        }
    }

    /// Open the next ledger page when every slot of the open ones is taken (shard 0 only, so
    /// several cranks never race to open the same page).
    fn open_spare_page(&self, chain: &mut dyn Chain, view: &PoolView) -> Result<Option<u32>> {
        let pages = view.pool.ledger_pages;
        let full =
            u64::from(view.pool.entry_count) >= u64::from(pages) * u64::from(tributary::constants::ENTRIES_PER_PAGE);
        if !full || self.opts.shard.is_some_and(|s| s.index != 0) {
            return Ok(None);
        }
        let open = ix::open_ledger_page(&self.payer.pubkey(), &view.keys, pages);
        tx::submit(chain, &self.payer, &[], &[open], &[], SendOptions::default())?;
        Ok(Some(pages))
    }

    /// Split `due` into what this round sends, the quarantined entries retried alone this round,
    /// and the number still waiting. Entries no longer due leave the quarantine.
    fn triage(&mut self, pool: &Pubkey, due: Vec<Due>) -> (Vec<Due>, Vec<Due>, usize) {
        let due_now: std::collections::HashSet<u32> = due.iter().map(|d| d.entry).collect();
        self.quarantine.retain(|(p, entry), _| p != pool || due_now.contains(entry));
        let (mut packed, mut alone, mut waiting) = (Vec::new(), Vec::new(), 0);
        for d in due {
            match self.quarantine.get(&(*pool, d.entry)) {
                None => packed.push(d),
                Some(q) if q.retry_round <= self.rounds => alone.push(d),
                Some(_) => waiting += 1,
            }
        }
        (packed, alone, waiting)
    }

    /// Set `d` aside after a transaction holding it alone failed with `reason`.
    fn quarantine(&mut self, pool: &Pubkey, d: &Due, reason: String) -> QuarantineNote {
        let q = self.quarantine.entry((*pool, d.entry)).or_insert(Quarantine { strikes: 0, retry_round: 0 });
        q.strikes += 1;
        q.retry_round = self.rounds + (1u64 << (q.strikes - 1).min(5)).min(MAX_QUARANTINE_ROUNDS);
        QuarantineNote { entry: d.entry, destination: d.destination.to_string(), reason, strikes: q.strikes }
    }

    /// One pass over a pool: pay everything due, wait for the confirmations, report.
    ///
    /// A transaction that fails in simulation or preflight is bisected: its first half is tried
    /// alone, then the rest, until the entry behind the failure is alone in a failing transaction;
    /// that entry is quarantined (reported with the node's reason) and every other entry is paid.
    /// A quarantined entry is retried alone in a later round (after 1, 2, 4 … 32 rounds), never
    /// dropped, and leaves the quarantine once paid or no longer due.
    pub fn round(&mut self, chain: &mut dyn Chain, pool: &Pubkey) -> Result<RoundReport> {
        self.rounds += 1;
        let view = load_view(chain, pool)?;
        let mut report = RoundReport { pool: pool.to_string(), ..Default::default() };
        if self.opts.keep_spare_page && !view.pool.is_paused() {
            report.page_opened = self.open_spare_page(chain, &view)?;
        }
        if view.pool.is_paused() {
            report.mode = "paused".into();
            return Ok(report);
        }
        let (mut due, mut unpayable) = due_payouts(chain, &view)?;
        if let Some(shard) = self.opts.shard {
            due.retain(|d| shard.holds(d.entry));
            unpayable.retain(|u| shard.holds(u.due.entry));
        }
        report.due = due.len();
        report.unpayable = unpayable.len();
        for u in &unpayable {
            *report.unpayable_by_reason.entry(format!("{:?}", u.reason)).or_default() += 1;
        }
        if due.is_empty() {
            self.quarantine.retain(|(p, _), _| p != pool);
            report.mode = format!("{:?}", self.mode_for(&view));
            return Ok(report);
        }
        report.lookup_addresses_added = self.prepare_tables(chain, &view, &due)?;
        let price = tx::priority_fee(chain, &[view.address, view.keys.vault], self.opts.max_priority_fee)?;
        report.priority_micro_lamports = price;
        let (packed, alone, waiting) = self.triage(pool, due);
        report.quarantine_waiting = waiting;
        // the retried entries go first, each in a transaction of its own
        let alone_count = alone.len();
        let due: Vec<Due> = alone.into_iter().chain(packed).collect();

        let mut pending: Vec<Pending> = Vec::new();
        let (mut start, mut hint) = (0usize, 64usize);
        // while a failed group is bisected: the most payouts a transaction may carry, and where
        // the failed group ends
        let (mut limit, mut bisect_end) = (usize::MAX, 0usize);
        let (mut blockhash, mut last_valid) = chain.latest_blockhash()?;
        while start < due.len() {
            let mode = self.mode_for(&view);
            let limit_here =
                if start < alone_count { 1 } else { limit.min(self.opts.max_payouts_per_tx.unwrap_or(limit)) };
            let (n, probe) = self.pack(&view, &due[start..], mode, hint, limit_here, blockhash, price)?;
            let sim = chain.simulate(&probe.tx)?;
            if sim.blockhash_expired() {
                (blockhash, last_valid) = chain.latest_blockhash()?;
                continue;
            }
            let failure = match &sim.err {
                Some(err) if mode == CrankMode::Batch && err.is_invalid_instruction_data() => {
                    // this cluster's SPL Token is not p-token and refuses `batch` (our program never
                    // returns InvalidInstructionData): pay with one transfer_checked each
                    self.modes.insert(view.address, CrankMode::PerTransfer);
                    continue;
                }
                Some(err) => Some(failure_reason(err, &sim.logs)),
                None => None,
            };
            let failure = match failure {
                Some(reason) => Some(reason),
                None => {
                    let cu_limit = tx::cu_limit_for(sim.units, self.opts.margin_percent);
                    let built = self.build(&view, &due[start..start + n], mode, blockhash, cu_limit, price)?;
                    match chain.send(&built.tx) {
                        Ok(signature) => {
                            let amount = due[start..start + n].iter().map(|d| d.owed).sum();
                            let fee = LAMPORTS_PER_SIGNATURE + tx::priority_fee_lamports(cu_limit, price);
                            pending.push(Pending {
                                signature,
                                last_valid,
                                payouts: n,
                                amount,
                                units: sim.units,
                                fee,
                                tx: built.tx,
                            });
                            report.transactions += 1;
                            if n == 1 {
                                // accepted alone: out of quarantine (should it fail on chain, the
                                // next round reads it as due again and bisection finds it again)
                                self.quarantine.remove(&(*pool, due[start].entry));
                            }
                            start += n;
                            if start >= alone_count {
                                hint = n;
                            }
                            if let Some(progress) = &mut self.on_progress {
                                progress(start, due.len());
                            }
                            None
                        }
                        Err(ChainError::BlockhashExpired) => {
                            (blockhash, last_valid) = chain.latest_blockhash()?;
                            continue;
                        }
                        Err(ChainError::Failed { err, logs }) => Some(failure_reason(&err, &logs)),
                        Err(e) => return Err(e),
                    }
                }
            };
            if let Some(reason) = failure {
                report.failed += 1;
                if n > 1 {
                    // bisect: the first half alone, then the rest, until the culprit is alone
                    report.bisected += 1;
                    limit = n / 2;
                    bisect_end = bisect_end.max(start + n);
                    hint = limit;
                    continue;
                }
                let note = self.quarantine(pool, &due[start], reason);
                report.quarantined.push(note);
                start += 1;
            }
            if start >= bisect_end {
                limit = usize::MAX;
            }
            report.mode = format!("{mode:?}");
        }

        let sent: Vec<(Signature, u64)> = pending.iter().map(|p| (p.signature, p.last_valid)).collect();
        let txs: Vec<&VersionedTransaction> = pending.iter().map(|p| &p.tx).collect();
        let statuses = tx::confirm_resending(chain, &sent, &txs, SendOptions::default())?;
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

/// Why a transaction failed, for the quarantine log: the error and the program's own words.
fn failure_reason(err: &crate::chain::TxError, logs: &[String]) -> String {
    match crate::chain::program_error_line(logs) {
        Some(line) => format!("{err}: {line}"),
        None => err.to_string(),
    }
}
