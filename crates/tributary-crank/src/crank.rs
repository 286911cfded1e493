//! The crank: read a pool and its ledger pages, find every entry owed at least the minimum payout
//! whose destination can receive, and pay them in transactions filled to the account and packet
//! limits. Nothing is remembered between rounds: what is owed is read from chain each time, and the
//! program pays an entry only what it is owed then, so a crash, a restart, an expired transaction
//! or a second crank running at once can never pay anything twice.
use crate::chain::{Chain, ChainError, Result};
use crate::lookup::AddressBook;
use crate::tx::{self, Built, Outcome, SendOptions, LAMPORTS_PER_SIGNATURE, SIMULATION_CU_LIMIT};
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

/// Where the cranker takes the pool's reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RewardAccount {
    /// Take none.
    #[default]
    None,
    /// This token account.
    Fixed(Pubkey),
    /// The cranker's associated token account of each pool's mint, where it exists (looked up in
    /// the round; an RPC error fails the round rather than silently dropping the reward).
    Associated,
}

#[derive(Debug, Clone, Copy)]
pub struct CrankOptions {
    /// Highest priority fee bid, micro-lamports per CU (0: never bid).
    pub max_priority_fee: u64,
    /// Compute-unit limit = simulated units + this percent.
    pub margin_percent: u64,
    /// The cranker's token account for the pool's reward, if it wants it.
    pub reward_account: RewardAccount,
    /// On a cluster without v1 transactions: keep destinations in address lookup tables (v0).
    /// Off: legacy-sized transactions.
    pub lookup_tables: bool,
    /// The transaction format (`None`: the newest the cluster takes, falling back to v0 where a
    /// v1 transaction is refused).
    pub format: Option<tx::Format>,
    /// Most account addresses a transaction may name (`None`: the format's, 64 today; 96 under
    /// SIMD-0596).
    pub max_accounts: Option<usize>,
    /// Pay only the ledger pages of this shard, so several cranks split a pool without racing.
    pub shard: Option<Shard>,
    /// Open the pool's next ledger page (the cranker pays its rent less what the pool's page fund
    /// pays back, and gets that back only when the emptied pool's authority closes the page) when
    /// every slot of the newest page holds a live contribution, so a contributor registering does
    /// not pay a page's rent. Slots burnt by closed contributions are not demand: a page is never
    /// opened while the newest one has room or a slot freed by a close.
    pub keep_spare_page: bool,
    /// The most lamports of page rent `keep_spare_page` spends on one pool in any 24 hours (net of
    /// what the page fund pays back).
    pub spare_page_budget: u64,
    /// At most this many payouts in one transaction (`None`: as many as fit). 1 gives the
    /// one-transaction-per-payout baseline the benchmarks compare against.
    pub max_payouts_per_tx: Option<usize>,
}

/// Default `spare_page_budget`: 0.15 SOL per pool per day (two pages at 2026's mainnet rent).
pub const DEFAULT_SPARE_PAGE_BUDGET: u64 = 150_000_000;
/// Lamports a cranker keeps for fees: a spare page is not opened if it would leave less.
pub const FEE_RESERVE_LAMPORTS: u64 = 10_000_000;

impl Default for CrankOptions {
    fn default() -> Self {
        Self {
            max_priority_fee: 0,
            margin_percent: tx::DEFAULT_CU_MARGIN_PERCENT,
            reward_account: RewardAccount::None,
            lookup_tables: true,
            format: None,
            max_accounts: None,
            shard: None,
            keep_spare_page: false,
            spare_page_budget: DEFAULT_SPARE_PAGE_BUDGET,
            max_payouts_per_tx: None,
        }
    }
}

/// What a pool's payouts must be worth before the bot pays fees for a pool it was not told to
/// crank (one it discovered): the reward it earns, valued at the lamports one base unit of the
/// pool's mint is worth, must cover the estimated fees (and any lookup-table rent) of the round.
/// A pool whose mint has no value here is not cranked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueRule {
    pub lamports_per_unit: HashMap<Pubkey, f64>,
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

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
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
    /// What those entries are owed.
    pub owed_due: u64,
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
    /// Why a spare page was wanted and not opened (budget spent, too little SOL, the transaction
    /// failed). Payouts go on regardless.
    pub page_not_opened: Option<String>,
    /// Transactions sent and still able to land when the round ended (counted once they land).
    pub unconfirmed: usize,
    /// Transactions that failed on chain after passing simulation (a race with the chain); their
    /// entries were read again and sent again in the same round, halved until one stood alone.
    pub failed_on_chain: usize,
    /// Why the round sent nothing for a pool the bot discovered (`ValueRule`), if so.
    pub skipped: Option<String>,
    /// The transaction format the round built in.
    pub format: Option<tx::Format>,
    /// The cranker's reward account this round, if it takes the reward.
    pub reward_account: Option<String>,
}

/// A round that stopped on an error, with what it had done by then: every transaction it sent
/// was waited for (confirmed, failed, expired or still in flight) before it returned.
#[derive(Debug)]
pub struct RoundError {
    pub report: Box<RoundReport>,
    pub error: ChainError,
}

impl std::fmt::Display for RoundError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (after {} payouts confirmed in this round)", self.error, self.report.payouts)
    }
}
impl std::error::Error for RoundError {}

impl From<RoundError> for ChainError {
    fn from(e: RoundError) -> Self {
        e.error
    }
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
    /// The entries it pays.
    entries: Vec<u32>,
    amount: u64,
    units: u64,
    fee: u64,
    /// The signed transaction, sent again while unconfirmed.
    tx: VersionedTransaction,
}

/// Most payouts one crank instruction carries in `Batch` mode: its `batch` CPI names three accounts
/// per transfer (and per the cranker's reward), within the runtime's 255 per instruction.
pub const MAX_PAYOUTS_PER_BATCH_CPI: usize = 255 / 3 - 1;
/// The same for Token-2022's `batch`, whose `TransferChecked`s name four accounts each.
pub const MAX_PAYOUTS_PER_TOKEN_2022_BATCH_CPI: usize = 255 / 4 - 1;

/// Most passes of one round over entries whose transaction failed on chain (each halves the
/// transactions: 64 payouts reach one in 7).
const MAX_ON_CHAIN_PASSES: usize = 8;
/// Rent a spare page spent on a pool within the last day.
const SPARE_PAGE_WINDOW: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

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
    /// Page rent spent by `keep_spare_page`, by pool: when and how much.
    page_spend: HashMap<Pubkey, Vec<(std::time::Instant, u64)>>,
    /// The reward account of the pool being cranked (resolved at the start of its round).
    reward_now: Option<Pubkey>,
    /// The format transactions are built in: resolved at the first round, v0 after a refusal of v1.
    format: Option<tx::Format>,
    /// Progress callback: payouts sent so far in the round.
    pub on_progress: Option<Box<dyn FnMut(usize, usize)>>,
}

impl Cranker {
    pub fn new(payer: impl Signer + 'static, opts: CrankOptions) -> Self {
        Self::new_boxed(Box::new(payer), opts)
    }

    /// [`Self::new`] for a signer chosen at run time (a keypair file, a Ledger …).
    pub fn new_boxed(payer: Box<dyn Signer>, opts: CrankOptions) -> Self {
        Self {
            payer,
            opts,
            book: None,
            modes: HashMap::new(),
            quarantine: HashMap::new(),
            rounds: 0,
            page_spend: HashMap::new(),
            reward_now: None,
            format: None,
            on_progress: None,
        }
    }

    /// `Batch` (p-token's, or Token-2022's `batch`) until the cluster's token program refuses it.
    fn mode_for(&self, view: &PoolView) -> CrankMode {
        self.modes.get(&view.address).copied().unwrap_or(CrankMode::Batch)
    }

    /// The reward account for this pool's round: none when the pool pays no reward.
    fn resolve_reward(&self, chain: &mut dyn Chain, view: &PoolView) -> Result<Option<Pubkey>> {
        if view.pool.cranker_reward_bps == 0 {
            return Ok(None);
        }
        Ok(match self.opts.reward_account {
            RewardAccount::None => None,
            RewardAccount::Fixed(account) => Some(account),
            RewardAccount::Associated => {
                let ata = crate::token::associated_token_address(
                    &self.payer.pubkey(),
                    &view.pool.mint,
                    &view.pool.token_program,
                );
                chain.get_account(&ata)?.map(|_| ata)
            }
        })
    }

    /// One crank instruction per ledger page, and per at most `MAX_PAYOUTS_PER_BATCH_CPI` payouts
    /// in `Batch` mode (each instruction makes one `batch` CPI, whose account references must stay
    /// within the runtime's 255).
    fn instructions(&self, view: &PoolView, batch: &[Due], mode: CrankMode) -> Vec<Instruction> {
        let most = match mode {
            CrankMode::Batch if view.pool.is_token_2022() => MAX_PAYOUTS_PER_TOKEN_2022_BATCH_CPI,
            CrankMode::Batch => MAX_PAYOUTS_PER_BATCH_CPI,
            CrankMode::PerTransfer => usize::MAX,
        };
        let mut out = Vec::new();
        let mut start = 0;
        while start < batch.len() {
            let page = pda::page_of(batch[start].entry);
            let same_page = batch[start..].iter().take_while(|d| pda::page_of(d.entry) == page).count();
            let end = start + same_page.min(most);
            let payouts: Vec<(u32, Pubkey)> = batch[start..end].iter().map(|d| (d.entry, d.destination)).collect();
            out.push(ix::crank(&self.payer.pubkey(), &view.keys, page, &payouts, self.reward_now, mode));
            start = end;
        }
        out
    }

    /// The format this cranker builds in: its option, else the cluster's, with the account budget.
    fn format(&mut self, chain: &mut dyn Chain) -> Result<tx::Format> {
        let format = match (self.format, self.opts.format) {
            (Some(format), _) | (None, Some(format)) => format,
            (None, None) => chain.format()?,
        };
        let format = match self.opts.max_accounts {
            Some(max) => format.with_max_accounts(max),
            None => format,
        };
        self.format = Some(format);
        Ok(format)
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
        let format = self.format.unwrap_or(tx::Format::V0);
        let tables = match &self.book {
            Some(book) if format.version == tx::Version::V0 => {
                let mut addresses: Vec<Pubkey> = batch.iter().map(|d| d.destination).collect();
                addresses.extend([view.address, view.keys.vault, view.keys.token_program, view.keys.mint]);
                book.tables_for(&addresses)
            }
            _ => Vec::new(),
        };
        tx::build(&self.payer, &[], &ixs, &tables, blockhash, Some(cu_limit), price, format).map_err(ChainError::Rpc)
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

    /// The largest first transaction this cranker would send for `due` (in `Batch` mode, no
    /// priority fee), in the format it resolves for `chain`: how packing meets the account budget,
    /// the format's size and the 255 account references of each `batch` CPI.
    pub fn largest_transaction(
        &mut self,
        chain: &mut dyn Chain,
        view: &PoolView,
        due: &[Due],
    ) -> Result<(usize, Built)> {
        self.format(chain)?;
        let (blockhash, _) = chain.latest_blockhash()?;
        self.pack(view, due, CrankMode::Batch, due.len(), due.len(), blockhash, 0)
    }

    /// Keep every address a payout of this pool needs in the lookup tables.
    fn prepare_tables(&mut self, chain: &mut dyn Chain, view: &PoolView, due: &[Due]) -> Result<usize> {
        if !self.opts.lookup_tables || self.format.is_some_and(|f| f.version == tx::Version::V1) {
            return Ok(0); // v1 needs no tables
        }
        if self.book.is_none() {
            self.book = Some(AddressBook::load(chain, &self.payer.pubkey())?);
        }
        let mut addresses = vec![view.address, view.keys.vault, view.keys.token_program, view.keys.mint];
        addresses.extend(self.reward_now);
        let pages: std::collections::BTreeSet<u32> = due.iter().map(|d| pda::page_of(d.entry)).collect();
        addresses.extend(pages.into_iter().map(|p| view.keys.page(p)));
        addresses.extend(due.iter().map(|d| d.destination));
        match &mut self.book {
            Some(book) => book.ensure(chain, self.payer.as_ref(), &addresses),
            None => Ok(0),
        }
    }

    /// Open the next ledger page when every slot of the newest one holds a live contribution
    /// (shard 0 only, so several cranks never race to open the same page), within the pool's
    /// daily budget and the cranker's SOL. `Ok(page)` when opened, `Err(why not)` when one was
    /// wanted and not opened, `Ok(None)` when none is wanted. Never fails the round.
    fn spare_page(&mut self, chain: &mut dyn Chain, view: &PoolView) -> std::result::Result<Option<u32>, String> {
        let pages = view.pool.ledger_pages;
        if !self.opts.keep_spare_page || self.opts.shard.is_some_and(|s| s.index != 0) || pages == 0 {
            return Ok(None); // an empty pool has no demand: its first registrant opens page 0
        }
        let newest_full_of_live = view.pages[pages as usize - 1]
            .as_ref()
            .is_some_and(|page| page.live_entries >= tributary::constants::ENTRIES_PER_PAGE);
        if !newest_full_of_live {
            return Ok(None);
        }
        let rent =
            chain.minimum_balance(tributary::state::LedgerPage::SPACE).map_err(|e| format!("rent not read: {e}"))?;
        // the pool's page fund (left by closed contributions) pays the opener back in the same
        // instruction: only the rest is spent, but the whole rent must be there first
        let cost = rent - view.pool.page_fund_share(rent);
        let day_ago = std::time::Instant::now().checked_sub(SPARE_PAGE_WINDOW);
        let spent = self.page_spend.entry(view.address).or_default();
        spent.retain(|(at, _)| day_ago.is_none_or(|d| *at > d));
        let spent_today: u64 = spent.iter().map(|(_, l)| l).sum();
        if spent_today.saturating_add(cost) > self.opts.spare_page_budget {
            return Err(format!(
                "budget: {spent_today} of {} lamports spent on this pool's pages in the last 24 h, a page costs {cost}",
                self.opts.spare_page_budget
            ));
        }
        let balance = chain
            .get_account(&self.payer.pubkey())
            .map_err(|e| format!("balance not read: {e}"))?
            .map_or(0, |a| a.lamports);
        if balance < rent.saturating_add(FEE_RESERVE_LAMPORTS) {
            return Err(format!(
                "balance: the cranker holds {balance} lamports, a page costs {rent} and {FEE_RESERVE_LAMPORTS} stay for fees"
            ));
        }
        let open = ix::open_ledger_page(&self.payer.pubkey(), &view.keys, pages);
        let result = tx::submit(chain, &self.payer, &[], &[open], &[], SendOptions::default());
        if matches!(result, Ok(_) | Err(ChainError::Unconfirmed { .. })) {
            // counted against the budget even while unconfirmed: it may land
            spent.push((std::time::Instant::now(), cost));
        }
        result.map(|_| Some(pages)).map_err(|e| format!("open_ledger_page failed: {e}"))
    }

    /// Entries set aside now, over every pool.
    pub fn quarantined_now(&self) -> usize {
        self.quarantine.len()
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
    /// dropped, and leaves the quarantine once paid or no longer due. A transaction that fails on
    /// chain after passing simulation (a contributor changed its payout account in between) has
    /// its entries read again and sent again in the same round, in halves, so one racing entry
    /// never fails the same batch round after round.
    ///
    /// Every transaction sent is waited for before the round returns, with an error or without.
    pub fn round(&mut self, chain: &mut dyn Chain, pool: &Pubkey) -> std::result::Result<RoundReport, RoundError> {
        self.round_with(chain, pool, None)
    }

    /// [`Self::round`] for a pool the bot discovered: nothing is sent unless the reward it earns,
    /// valued by `rule`, covers the round's estimated fees and table rent.
    pub fn round_with(
        &mut self,
        chain: &mut dyn Chain,
        pool: &Pubkey,
        rule: Option<&ValueRule>,
    ) -> std::result::Result<RoundReport, RoundError> {
        self.rounds += 1;
        let mut report = RoundReport { pool: pool.to_string(), ..Default::default() };
        let mut pending = Vec::new();
        let result = self.round_inner(chain, pool, rule, &mut report, &mut pending);
        // whatever happened, what was sent is waited for and counted
        let settled = self.settle(chain, &mut pending, &mut report);
        match result.and(settled.map(|_| ())) {
            Ok(()) => Ok(report),
            Err(error) => Err(RoundError { report: Box::new(report), error }),
        }
    }

    fn round_inner(
        &mut self,
        chain: &mut dyn Chain,
        pool: &Pubkey,
        rule: Option<&ValueRule>,
        report: &mut RoundReport,
        pending: &mut Vec<Pending>,
    ) -> Result<()> {
        let mut view = load_view(chain, pool)?;
        if view.pool.is_paused() {
            report.mode = "paused".into();
            return Ok(());
        }
        match self.spare_page(chain, &view) {
            Ok(opened) => report.page_opened = opened,
            Err(why) => report.page_not_opened = Some(why),
        }
        let (mut due, mut unpayable) = due_payouts(chain, &view)?;
        if let Some(shard) = self.opts.shard {
            due.retain(|d| shard.holds(d.entry));
            unpayable.retain(|u| shard.holds(u.due.entry));
        }
        report.due = due.len();
        report.owed_due = due.iter().map(|d| d.owed).fold(0u64, u64::saturating_add);
        report.unpayable = unpayable.len();
        for u in &unpayable {
            *report.unpayable_by_reason.entry(format!("{:?}", u.reason)).or_default() += 1;
        }
        report.mode = format!("{:?}", self.mode_for(&view));
        if due.is_empty() {
            self.quarantine.retain(|(p, _), _| p != pool);
            return Ok(());
        }
        self.reward_now = self.resolve_reward(chain, &view)?;
        report.reward_account = self.reward_now.map(|r| r.to_string());
        report.format = Some(self.format(chain)?);
        let price = tx::priority_fee(chain, &[view.address, view.keys.vault], self.opts.max_priority_fee)?;
        report.priority_micro_lamports = price;
        if let Some(rule) = rule {
            if let Some(why) = self.not_worth_it(chain, &view, &due, price, rule)? {
                report.skipped = Some(why);
                return Ok(());
            }
        }
        report.lookup_addresses_added = self.prepare_tables(chain, &view, &due)?;
        let (packed, alone, waiting) = self.triage(pool, due);
        report.quarantine_waiting = waiting;
        // the retried entries go first, each in a transaction of its own
        let alone_count = alone.len();
        let mut due: Vec<Due> = alone.into_iter().chain(packed).collect();
        let mut limit = usize::MAX;
        for pass in 0..MAX_ON_CHAIN_PASSES {
            let alone_here = if pass == 0 { alone_count } else { 0 };
            self.send_pass(chain, &view, &due, alone_here, limit, price, report, pending)?;
            let failed = self.settle(chain, pending, report)?;
            if failed.is_empty() {
                break;
            }
            // failed on chain after a clean simulation: read the entries again (a destination may
            // have changed), quarantine one that failed alone, send the rest again in halves
            report.failed_on_chain += failed.len();
            limit = failed.iter().map(Vec::len).max().unwrap_or(1).div_ceil(2).max(1);
            view = load_view(chain, pool)?;
            let (fresh, _) = due_payouts(chain, &view)?;
            let mut again = Vec::new();
            for group in failed {
                if let [entry] = group[..] {
                    if let Some(d) = fresh.iter().find(|d| d.entry == entry) {
                        // alone and still failing on chain: set aside like a simulation failure
                        let note = self.quarantine(pool, d, "failed on chain alone".into());
                        report.quarantined.push(note);
                    }
                    continue;
                }
                again.extend(fresh.iter().filter(|d| group.contains(&d.entry)).copied());
            }
            if again.is_empty() {
                break;
            }
            due = again;
        }
        Ok(())
    }

    /// Whether a discovered pool's round is not worth its fees under `rule`, and why.
    fn not_worth_it(
        &self,
        chain: &mut dyn Chain,
        view: &PoolView,
        due: &[Due],
        price: u64,
        rule: &ValueRule,
    ) -> Result<Option<String>> {
        let Some(lamports_per_unit) = rule.lamports_per_unit.get(&view.pool.mint).copied() else {
            return Ok(Some(format!("its mint {} has no value (--value MINT=LAMPORTS)", view.pool.mint)));
        };
        let owed: u128 = due.iter().map(|d| u128::from(d.owed)).sum();
        let reward_units = match self.reward_now {
            Some(_) => owed * u128::from(view.pool.cranker_reward_bps) / 10_000,
            None => 0,
        };
        let reward_lamports = reward_units as f64 * lamports_per_unit;
        // an estimate that errs high: 40 payouts a transaction at 1,500 CU each
        let transactions = due.len().div_ceil(40) as u64;
        let units = u32::try_from(due.len().saturating_mul(1_500)).unwrap_or(u32::MAX);
        let mut fees = transactions * LAMPORTS_PER_SIGNATURE + tx::priority_fee_lamports(units, price);
        let v0 = self.format.is_none_or(|f| f.version == tx::Version::V0);
        if self.opts.lookup_tables && v0 {
            let new = due.iter().filter(|d| !self.book.as_ref().is_some_and(|b| b.contains(&d.destination))).count();
            if new > 0 {
                fees += chain.minimum_balance(56 + 32 * new)?.saturating_sub(chain.minimum_balance(56)?);
            }
        }
        Ok((reward_lamports < fees as f64).then(|| {
            format!("not worth its fees: reward {reward_units} units ≈ {reward_lamports:.0} lamports < {fees} lamports of fees and table rent")
        }))
    }

    /// Send `due` in packed transactions (the first `alone_count` one each, the rest at most
    /// `limit` a transaction), bisecting failures found in simulation or preflight.
    #[allow(clippy::too_many_arguments)]
    fn send_pass(
        &mut self,
        chain: &mut dyn Chain,
        view: &PoolView,
        due: &[Due],
        alone_count: usize,
        first_limit: usize,
        price: u64,
        report: &mut RoundReport,
        pending: &mut Vec<Pending>,
    ) -> Result<()> {
        let pool = view.address;
        let (mut start, mut hint) = (0usize, 64usize);
        // while a failed group is bisected: the most payouts a transaction may carry, and where
        // the failed group ends
        let (mut limit, mut bisect_end) = (first_limit, if first_limit == usize::MAX { 0 } else { due.len() });
        let (mut blockhash, mut last_valid) = chain.latest_blockhash()?;
        while start < due.len() {
            let mode = self.mode_for(view);
            let limit_here =
                if start < alone_count { 1 } else { limit.min(self.opts.max_payouts_per_tx.unwrap_or(limit)) };
            let (n, probe) = self.pack(view, &due[start..], mode, hint, limit_here, blockhash, price)?;
            let sim = chain.simulate(&probe.tx);
            if probe.format.version == tx::Version::V1 && tx::format_refused(&sim) {
                // the node does not take v1: v0 from now on, with lookup tables if enabled
                let fallback = tx::Format::V0.with_max_accounts(probe.format.max_accounts);
                self.format = Some(fallback);
                report.format = Some(fallback);
                self.prepare_tables(chain, view, &due[start..])?;
                continue;
            }
            let sim = sim?;
            if sim.blockhash_expired() {
                (blockhash, last_valid) = chain.latest_blockhash()?;
                continue;
            }
            let failure = match &sim.err {
                Some(err) if mode == CrankMode::Batch && err.is_unknown_token_instruction() => {
                    // this cluster's token program has no `batch` (SPL Token before p-token,
                    // Token-2022 before v11, as the 10.0.0 that Agave 4.2.2's test validator
                    // ships): pay with one transfer_checked each
                    self.modes.insert(view.address, CrankMode::PerTransfer);
                    report.mode = format!("{:?}", CrankMode::PerTransfer);
                    continue;
                }
                Some(err) => Some(failure_reason(err, &sim.logs)),
                None => None,
            };
            let failure = match failure {
                Some(reason) => Some(reason),
                None => {
                    let cu_limit = tx::cu_limit_for(sim.units, self.opts.margin_percent);
                    let built = self.build(view, &due[start..start + n], mode, blockhash, cu_limit, price)?;
                    let sent = match chain.send(&built.tx) {
                        Ok(_) => Ok(()),
                        // the request may have reached the node: wait for it like any other
                        Err(ChainError::Transient(_)) => Ok(()),
                        Err(ChainError::BlockhashExpired) => {
                            (blockhash, last_valid) = chain.latest_blockhash()?;
                            continue;
                        }
                        Err(ChainError::Failed { err, logs }) => Err(failure_reason(&err, &logs)),
                        Err(e) => return Err(e),
                    };
                    match sent {
                        Ok(()) => {
                            let batch = &due[start..start + n];
                            let fee = LAMPORTS_PER_SIGNATURE + tx::priority_fee_lamports(cu_limit, price);
                            pending.push(Pending {
                                signature: built.tx.signatures[0],
                                last_valid,
                                entries: batch.iter().map(|d| d.entry).collect(),
                                amount: batch.iter().map(|d| d.owed).sum(),
                                units: sim.units,
                                fee,
                                tx: built.tx,
                            });
                            report.transactions += 1;
                            if n == 1 {
                                // accepted alone: out of quarantine (should it fail on chain, the
                                // round reads it again and quarantines it)
                                self.quarantine.remove(&(pool, due[start].entry));
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
                        Err(reason) => Some(reason),
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
                let note = self.quarantine(&pool, &due[start], reason);
                report.quarantined.push(note);
                start += 1;
            }
            if start >= bisect_end {
                limit = usize::MAX;
            }
        }
        Ok(())
    }

    /// Wait for every pending transaction and count it; the entries of those that failed on
    /// chain, one group per transaction. What is still in flight when the wait ends is counted
    /// as `unconfirmed`.
    fn settle(
        &mut self,
        chain: &mut dyn Chain,
        pending: &mut Vec<Pending>,
        report: &mut RoundReport,
    ) -> Result<Vec<Vec<u32>>> {
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let sent: Vec<(Signature, u64)> = pending.iter().map(|p| (p.signature, p.last_valid)).collect();
        let txs: Vec<&VersionedTransaction> = pending.iter().map(|p| &p.tx).collect();
        let outcomes = match tx::confirm_resending(chain, &sent, &txs, SendOptions::default()) {
            Ok(outcomes) => outcomes,
            Err(e) => {
                report.unconfirmed += pending.len();
                pending.clear();
                return Err(e);
            }
        };
        let mut failed = Vec::new();
        for (p, outcome) in pending.drain(..).zip(outcomes) {
            match outcome {
                Outcome::Confirmed => {
                    report.confirmed += 1;
                    report.payouts += p.entries.len();
                    report.amount += p.amount;
                    report.units += p.units;
                    report.fee_lamports += p.fee;
                }
                Outcome::Failed(_) => {
                    report.failed += 1;
                    // a transaction that fails on chain still pays its fees
                    report.fee_lamports += p.fee;
                    failed.push(p.entries);
                }
                Outcome::Expired => report.expired += 1,
                Outcome::InFlight => report.unconfirmed += 1,
            }
        }
        Ok(failed)
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
