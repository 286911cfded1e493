use crate::errors::{math, TributaryError};
use crate::events::{CrankBatch, PayoutSkipped};
use crate::state::{LedgerPage, Pool};
use crate::utils::cpi::PdaSigner;
use crate::utils::input::AccountView;
use crate::utils::token::{destination_problem, keys_equal, PTokenBatch, Token2022Batch, VaultTransfers};
use crate::utils::validations;
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use anchor_spl::token_interface::TokenInterface;
use tributary_math::{split_payout, PayoutSplit};

/// The crank's accounts. The program's entrypoint serves `crank` straight from the input buffer
/// (`crate::entrypoint`) and [`process`] checks everything below itself; Anchor's checks of this
/// struct run too when the program is built without the `crank-entrypoint` feature. Destinations
/// follow as remaining accounts, one per entry, in order.
#[derive(Accounts)]
pub struct Crank<'info> {
    /// Anyone. Earns the pool's cranker reward if `reward_account` is given.
    pub cranker: Signer<'info>,
    #[account(
        mut,
        has_one = vault @ TributaryError::VaultMismatch,
        has_one = token_program @ TributaryError::TokenProgramMismatch
    )]
    pub pool: AccountLoader<'info, Pool>,
    #[account(mut, constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch)]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
    /// CHECK: the pool's vault (has_one).
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    /// CHECK: the pool's mint (address); needed by `transfer_checked` (Token-2022; p-token unless `batch`).
    #[account(address = pool.load()?.mint @ TributaryError::MintMismatch)]
    pub mint: Option<UncheckedAccount<'info>>,
    /// CHECK: a token account of the pool's mint owned by the cranker; checked in the handler.
    #[account(mut)]
    pub reward_account: Option<UncheckedAccount<'info>>,
}

impl<'info> Crank<'info> {
    /// Anchor's route to [`process`] (builds without the crank entrypoint).
    pub fn crank(ctx: Context<'info, Self>, entries: Vec<u32>, batch: bool) -> Result<()> {
        let a = &ctx.accounts;
        let page = AccountView::from_info(&a.ledger_page.to_account_info());
        let mut views = vec![
            AccountView::from_info(&a.cranker),
            AccountView::from_info(&a.pool.to_account_info()),
            page,
            AccountView::from_info(&a.vault),
            AccountView::from_info(&a.token_program),
            a.mint.as_ref().map_or(page, |mint| AccountView::from_info(mint)),
            a.reward_account.as_ref().map_or(page, |reward| AccountView::from_info(reward)),
        ];
        views.extend(ctx.remaining_accounts.iter().map(AccountView::from_info));
        let accounts = CrankAccounts::new(&views, a.mint.is_some(), a.reward_account.is_some())?;
        process(ctx.program_id, &accounts, &views, entries.iter().copied(), batch)
    }
}

/// The fixed accounts of a crank, as views of the input (see [`Crank`] for each one's role), and
/// the destinations after them.
pub struct CrankAccounts<'a> {
    pub cranker: &'a AccountView,
    pub pool: &'a AccountView,
    pub ledger_page: &'a AccountView,
    pub vault: &'a AccountView,
    pub token_program: &'a AccountView,
    pub mint: Option<&'a AccountView>,
    pub reward_account: Option<&'a AccountView>,
    pub destinations: &'a [AccountView],
}

impl<'a> CrankAccounts<'a> {
    /// The fixed accounts' names in the order of [`Crank`] (and so of the IDL and of every client's
    /// instruction): the positions below index into it. A test holds all three equal.
    pub const NAMES: [&'static str; 7] =
        ["cranker", "pool", "ledger_page", "vault", "token_program", "mint", "reward_account"];
    /// Position of the optional `mint` (Anchor passes an absent optional account as the program id).
    pub const MINT: usize = 5;
    /// Position of the optional `reward_account`.
    pub const REWARD_ACCOUNT: usize = 6;
    /// Number of fixed accounts; the destinations follow.
    pub const LEN: usize = Self::NAMES.len();

    /// `views`: the instruction's accounts in order.
    pub fn new(views: &'a [AccountView], has_mint: bool, has_reward_account: bool) -> Result<Self> {
        let [cranker, pool, ledger_page, vault, token_program, mint, reward_account, destinations @ ..] = views else {
            return err!(ErrorCode::AccountNotEnoughKeys);
        };
        Ok(Self {
            cranker,
            pool,
            ledger_page,
            vault,
            token_program,
            mint: has_mint.then_some(mint),
            reward_account: has_reward_account.then_some(reward_account),
            destinations,
        })
    }
}

/// An account of this program holding `discriminator`, writable: what `mut` + `Account` /
/// `AccountLoader` check, with Anchor's error codes.
fn require_program_account(view: &AccountView, program_id: &Pubkey, discriminator: &[u8], name: &str) -> Result<()> {
    if view.owner() != program_id {
        return Err(Error::from(ErrorCode::AccountOwnedByWrongProgram).with_account_name(name));
    }
    // SAFETY: a shared read; nothing writes account data until the checks are done
    let data = unsafe { view.data() };
    if data.len() < discriminator.len() {
        return Err(Error::from(ErrorCode::AccountDiscriminatorNotFound).with_account_name(name));
    }
    if &data[..discriminator.len()] != discriminator {
        return Err(Error::from(ErrorCode::AccountDiscriminatorMismatch).with_account_name(name));
    }
    require_writable(view, name)
}

fn require_writable(view: &AccountView, name: &str) -> Result<()> {
    if !view.is_writable() {
        return Err(Error::from(ErrorCode::ConstraintMut).with_account_name(name));
    }
    Ok(())
}

/// Stream payouts: for each entry named (its destination at the same position), settle and pay
/// what is owed if it reaches the minimum payout. A destination that cannot receive is skipped
/// with an event and keeps its owed amount; the batch never fails for it. `batch` sends every
/// transfer in one CPI to the token program's `batch` (p-token's `Transfer`s; Token-2022 v11's
/// `TransferChecked`s, naming the mint); otherwise one `transfer_checked` per payout.
///
/// Decide, emit, then pay: every entry is settled and checked and every event written before the
/// first transfer, because each per-transfer CPI adds log lines and the runtime cuts a transaction's
/// logs at 10,000 bytes — an event written after the transfers would be lost at the transaction limit.
/// It also means no reference into the pool's or the page's data is alive during a CPI.
///
/// Duplicate accounts: the pool and the page are told apart by their discriminators; every other
/// account is only read, and only once its owner is the token program, so a repeated account (a
/// destination named twice, or the reward account also a destination) is never read while written.
// inlined into the entrypoint: measured, a call here costs ~20 CU per payout in register spills
#[inline(always)]
pub fn process(
    program_id: &Pubkey,
    accounts: &CrankAccounts,
    views: &[AccountView],
    entries: impl ExactSizeIterator<Item = u32>,
    batch: bool,
) -> Result<()> {
    crate::cu_probe!("process");
    // the checks `#[derive(Accounts)] Crank` declares
    require!(accounts.cranker.is_signer(), ErrorCode::AccountNotSigner);
    require_program_account(accounts.pool, program_id, Pool::DISCRIMINATOR, "pool")?;
    require_program_account(accounts.ledger_page, program_id, LedgerPage::DISCRIMINATOR, "ledger_page")?;
    let capacity = entries.len() + 1; // every entry and the cranker's reward
    let (token_program, vault, pool) = (accounts.token_program, accounts.vault, accounts.pool);
    let mut transfers = match &accounts.mint {
        Some(mint) if !batch || *token_program.key() == anchor_spl::token_2022::ID => Payouts::Queued(TransferQueue {
            transfers: VaultTransfers::new(token_program, vault, mint, pool, 0),
            queue: Vec::with_capacity(capacity),
            // Token-2022 with `batch`: queued like one-at-a-time transfers, sent as one `batch` CPI
            batch_2022: batch.then_some(Token2022Accounts { token_program, vault, pool, mint, views }),
        }),
        // p-token's transfers name no mint
        _ => {
            Payouts::Batch(PTokenBatch::new(token_program.key(), vault.key(), pool.key(), vault.key(), views, capacity))
        }
    };
    let seeds = {
        // SAFETY: pool and page are distinct (their discriminators differ) and owned by this
        // program, so no other view below reads them (see above). Both references end with this
        // block, before any CPI.
        let (pool_data, page_data) = unsafe { (accounts.pool.data_mut(), accounts.ledger_page.data_mut()) };
        let pool: &mut Pool = zero_copy_mut(pool_data, Pool::SPACE)?;
        let page: &mut LedgerPage = zero_copy_mut(page_data, LedgerPage::SPACE)?;
        let (to_contributors, rewards) = decide(accounts, pool, page, entries, batch, &mut transfers)?;
        pool.record_paid(to_contributors, rewards);
        pool.invariant()?;
        pool.signer_seeds()
    };
    crate::cu_probe!("booked");
    transfers.send(&seeds.signer())?;
    crate::cu_probe!("sent");
    Ok(())
}

/// Check the accounts, settle every entry, queue the transfers and emit every event of the crank.
/// Writes the page; transfers nothing. Returns what goes to contributors and to the cranker.
fn decide<'a>(
    accounts: &CrankAccounts<'a>,
    pool: &Pool,
    page: &mut LedgerPage,
    entries: impl ExactSizeIterator<Item = u32>,
    batch: bool,
    transfers: &mut Payouts<'a>,
) -> Result<(u64, u64)> {
    let pool_key = *accounts.pool.key();
    let (token_program, mint) = (pool.token_program, pool.mint);
    require_keys_eq!(*accounts.vault.key(), pool.vault, TributaryError::VaultMismatch);
    require_writable(accounts.vault, "vault")?;
    let token_program_key = accounts.token_program.key();
    let token_2022 = *token_program_key == anchor_spl::token_2022::ID;
    require!(token_2022 || *token_program_key == anchor_spl::token::ID, ErrorCode::InvalidProgramId);
    require!(accounts.token_program.executable(), ErrorCode::InvalidProgramExecutable);
    require_keys_eq!(*token_program_key, token_program, TributaryError::TokenProgramMismatch);
    require_keys_eq!(page.pool, pool_key, TributaryError::LedgerPageMismatch);
    if let Some(view) = accounts.mint {
        require_keys_eq!(*view.key(), mint, TributaryError::MintMismatch);
    }
    if let Some(view) = accounts.reward_account {
        require_writable(view, "reward_account")?;
    }

    validations::require_not_paused(pool.is_paused())?;
    let count = entries.len();
    require!(count == accounts.destinations.len(), TributaryError::AccountCountMismatch);
    // `transfer_checked` names the mint: every Token-2022 payout (one each or in its `batch`), and
    // every payout made one at a time
    require!((batch && !token_2022) || accounts.mint.is_some(), TributaryError::MintRequired);
    let reward_bps = pool.cranker_reward_bps;
    let reward_account = match accounts.reward_account {
        Some(account) if reward_bps > 0 => {
            require!(
                destination_problem(account, &token_program, token_2022, &mint, accounts.cranker.key()).is_none(),
                TributaryError::InvalidRewardAccount
            );
            Some(account)
        }
        _ => None,
    };
    transfers.set_decimals(pool.decimals);

    let (acc, min_payout) = core::hint::black_box((pool.acc_per_weight, pool.min_payout.max(1)));
    let (mut paid, mut skipped, mut to_contributors, mut rewards) = (0u32, 0u32, 0u64, 0u64);
    let first_entry = page.first_entry()?;
    for (entry_index, destination) in entries.zip(accounts.destinations) {
        crate::cu_probe!("payout");
        let Some(entry) = LedgerPage::slot_from(first_entry, entry_index).map(|slot| &mut page.entries[slot]) else {
            return err!(TributaryError::EntryNotInPage);
        };
        if !keys_equal(destination.key(), &entry.destination) {
            return err!(TributaryError::DestinationMismatch);
        }
        crate::cu_probe!("entry found, destination compared");
        let owed = entry.settle_limbs(acc)?;
        crate::cu_probe!("settled");
        if owed < min_payout {
            continue; // stays owed; a repeated entry lands here the second time
        }
        let problem = destination_problem(destination, &token_program, token_2022, &mint, &entry.contributor);
        crate::cu_probe!("destination account checked");
        if let Some(reason) = problem {
            skipped = skipped.wrapping_add(1); // ≤ the entry count, itself a u32
            emit!(PayoutSkipped { pool: pool_key, entry: entry_index, destination: entry.destination, reason, owed });
            continue;
        }
        let split = match reward_account {
            Some(_) => math(split_payout(owed, reward_bps))?,
            None => PayoutSplit { to_contributor: owed, reward: 0 },
        };
        entry.owed = 0;
        // informational: a counter that could ever overflow must not block a payout
        entry.paid = entry.paid.saturating_add(split.to_contributor);
        to_contributors = to_contributors.checked_add(split.to_contributor).ok_or(TributaryError::MathOverflow)?;
        rewards = rewards.checked_add(split.reward).ok_or(TributaryError::MathOverflow)?;
        paid = paid.wrapping_add(1); // ≤ the entry count, itself a u32
        crate::cu_probe!("split and booked");
        transfers.queue(destination, split.to_contributor)?;
        crate::cu_probe!("queued");
    }
    crate::cu_probe!("decided");
    if let (Some(reward_account), true) = (reward_account, rewards > 0) {
        transfers.queue(reward_account, rewards)?;
    }
    emit!(CrankBatch {
        pool: pool_key,
        page: page.page,
        cranker: *accounts.cranker.key(),
        entries: count as u32,
        paid,
        skipped,
        amount: to_contributors,
        reward: rewards,
    });
    Ok((to_contributors, rewards))
}

/// The zero-copy account in `data` (its owner and discriminator already checked), as Anchor's
/// `AccountLoader` would view it: the struct after the 8-byte discriminator.
fn zero_copy_mut<T: bytemuck::Pod>(data: &mut [u8], space: usize) -> Result<&mut T> {
    data.get_mut(8..space)
        .and_then(|bytes| bytemuck::try_from_bytes_mut(bytes).ok())
        .ok_or_else(|| ErrorCode::AccountDidNotDeserialize.into())
}

/// How the vault pays: written into one p-token `batch` CPI as the entries are decided, or queued
/// and paid once every event is written (one `transfer_checked` CPI each, or Token-2022's `batch`).
/// (An enum of two, not a generic: measured, monomorphising `decide` per path cost 10–60 CU per
/// payout, and a third variant cost the p-token loop 12 CU per payout.)
#[allow(clippy::large_enum_variant)] // one per crank, on the stack: a box would only add an allocation
enum Payouts<'a> {
    Batch(PTokenBatch<'a>),
    Queued(TransferQueue<'a>),
}

impl<'a> Payouts<'a> {
    fn set_decimals(&mut self, decimals: u8) {
        if let Payouts::Queued(queue) = self {
            queue.transfers.set_decimals(decimals);
        }
    }

    /// Queue `amount` from the vault to `to`.
    #[inline(always)]
    fn queue(&mut self, to: &'a AccountView, amount: u64) -> Result<()> {
        match self {
            Payouts::Batch(cpi) => cpi.push(to, amount),
            Payouts::Queued(queue) => {
                queue.queue.push((to, amount));
                Ok(())
            }
        }
    }

    /// Make every queued transfer, signed by the pool.
    fn send(self, signer: &PdaSigner) -> Result<()> {
        match self {
            Payouts::Batch(cpi) => cpi.invoke(signer),
            Payouts::Queued(TransferQueue { transfers, queue, batch_2022: None }) => transfers.pay_all(&queue, signer),
            Payouts::Queued(TransferQueue { queue, batch_2022: Some(a), transfers }) => {
                a.pay_all(&queue, transfers.decimals(), signer)
            }
        }
    }
}

/// Payouts made once every event is written: one `transfer_checked` at a time, or (Token-2022
/// v11) all in one `batch` CPI.
struct TransferQueue<'a> {
    transfers: VaultTransfers<'a>,
    queue: Vec<(&'a AccountView, u64)>,
    batch_2022: Option<Token2022Accounts<'a>>,
}

/// What a Token-2022 `batch` CPI is built from once the queue is complete.
struct Token2022Accounts<'a> {
    token_program: &'a AccountView,
    vault: &'a AccountView,
    pool: &'a AccountView,
    mint: &'a AccountView,
    views: &'a [AccountView],
}

impl Token2022Accounts<'_> {
    /// Every queued transfer in one `batch` CPI of `TransferChecked`s. Out of line: inlined, it
    /// made the p-token path's crank dearer (measured).
    #[inline(never)]
    fn pay_all(&self, queue: &[(&AccountView, u64)], decimals: u8, signer: &PdaSigner) -> Result<()> {
        let (program, vault, pool, mint) =
            (self.token_program.key(), self.vault.key(), self.pool.key(), self.mint.key());
        let mut cpi = Token2022Batch::new(program, vault, pool, mint, self.views, queue.len());
        cpi.set_decimals(decimals);
        for &(to, amount) in queue {
            cpi.push(to, amount)?;
        }
        cpi.invoke(signer)
    }
}
