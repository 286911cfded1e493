//! Tributary: contributions to AI systems recorded as PDAs, weighted by measured attribution, and
//! paid in SPL tokens as revenue arrives, by a permissionless crank in compute-budgeted batches.
//!
//! Layout: `instructions/` one file per accounts struct with the handlers of every instruction that
//! takes it, `state/` one file per account, `constants.rs` every seed and limit, `tributary_math`
//! (crates/) all accounting math. Every instruction that changes a pool checks `Pool::invariant`
//! after its handler (the crank's fast route, reading the same zero-copy `Pool`, in `crank::process`).
#![deny(arithmetic_overflow)]
#![allow(unexpected_cfgs)] // anchor's macros test cfgs this crate does not declare

pub mod constants;
#[cfg(feature = "crank-entrypoint")]
pub mod entrypoint;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod state;
pub mod utils;

use anchor_lang::prelude::*;
pub use instructions::*;
pub use state::*;

#[cfg(feature = "sbpf-registry")]
use solana_compiler_builtins as _;

declare_id!("Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7");

#[cfg(any(
    not(feature = "no-entrypoint"),
    all(feature = "crank-entrypoint", not(feature = "cpi"), target_os = "solana")
))]
// from the release's `security-txt.toml` (build.rs), never typed here
solana_security_txt::security_txt! {
    name: env!("TRIBUTARY_SECURITY_TXT_NAME"),
    project_url: env!("TRIBUTARY_SECURITY_TXT_PROJECT_URL"),
    contacts: env!("TRIBUTARY_SECURITY_TXT_CONTACTS"),
    policy: env!("TRIBUTARY_SECURITY_TXT_POLICY"),
    source_code: env!("TRIBUTARY_SECURITY_TXT_SOURCE_CODE")
}

#[program]
pub mod tributary {
    use super::*;

    /// Create a pool for a mint (SPL Token or allowlisted Token-2022) with its vault PDA.
    pub fn create_pool(mut ctx: Context<CreatePool>, args: CreatePoolArgs) -> Result<()> {
        // checks `Pool::invariant` itself: Anchor writes a new zero-copy account's discriminator
        // only on exit, so `load()` cannot read the pool before then
        CreatePool::create_pool(&mut ctx, args)
    }

    /// Stop deposits, usage fees, cranks, weight updates and registrations (authority).
    pub fn pause(mut ctx: Context<PoolAdmin>) -> Result<()> {
        PoolAdmin::set_paused(&mut ctx, true)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Resume a paused pool (authority).
    pub fn unpause(mut ctx: Context<PoolAdmin>) -> Result<()> {
        PoolAdmin::set_paused(&mut ctx, false)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Set the cranker reward (≤ 1%) and the minimum crank payout (authority).
    pub fn update_pool_config(mut ctx: Context<PoolAdmin>, cranker_reward_bps: u16, min_payout: u64) -> Result<()> {
        PoolAdmin::update_pool_config(&mut ctx, cranker_reward_bps, min_payout)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Propose a new authority, or cancel a proposal with `None` (authority).
    pub fn propose_authority(mut ctx: Context<PoolAdmin>, new_authority: Option<Pubkey>) -> Result<()> {
        PoolAdmin::propose_authority(&mut ctx, new_authority)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Become the authority (the proposed key signs).
    pub fn accept_authority(mut ctx: Context<AcceptAuthority>) -> Result<()> {
        AcceptAuthority::accept_authority(&mut ctx)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Rotate the attestor key that posts weights (authority).
    pub fn set_attestor(mut ctx: Context<PoolAdmin>, attestor: Pubkey) -> Result<()> {
        PoolAdmin::set_attestor(&mut ctx, attestor)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Open the pool's next ledger page of 84 entries (anyone; pays its rent, less the page fund's share).
    pub fn open_ledger_page(mut ctx: Context<OpenLedgerPage>) -> Result<()> {
        OpenLedgerPage::open_ledger_page(&mut ctx)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Close the last page of a pool with no active contributions (authority); rent to its opener and page fund.
    pub fn close_ledger_page(mut ctx: Context<CloseLedgerPage>) -> Result<()> {
        CloseLedgerPage::close_ledger_page(&mut ctx)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Close an empty pool and its vault; dust, rent and the page fund to the authority.
    pub fn close_pool(ctx: Context<ClosePool>) -> Result<()> {
        ClosePool::close_pool(ctx)
    }

    /// Register a contribution (contributor signs): content hash, kind, URI, payout account.
    pub fn register_contribution(mut ctx: Context<RegisterContribution>, args: RegisterContributionArgs) -> Result<()> {
        RegisterContribution::register_contribution(&mut ctx, args)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Change where the crank pays a contribution (contributor).
    pub fn set_destination(ctx: Context<SetDestination>) -> Result<()> {
        SetDestination::set_destination(ctx)
    }

    /// Retire a contribution: settle, drop its weight, keep what is owed claimable (contributor).
    pub fn retire_contribution(mut ctx: Context<ContributorEntry>) -> Result<()> {
        ContributorEntry::retire_contribution(&mut ctx)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Close a retired, fully paid contribution; rent back, less its slot's share of a page (page fund).
    pub fn close_contribution(mut ctx: Context<ContributorEntry>) -> Result<()> {
        ContributorEntry::close_contribution(&mut ctx)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Post attribution weights for entries of one ledger page (attestor); retired or closed entries
    /// are skipped with `InactiveEntrySkipped`.
    pub fn set_weights(mut ctx: Context<SetWeights>, args: SetWeightsArgs) -> Result<()> {
        SetWeights::set_weights(&mut ctx, args)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Deposit revenue, spread over all weight in O(1) (anyone).
    pub fn deposit(mut ctx: Context<Deposit>, amount: u64) -> Result<()> {
        Deposit::deposit(&mut ctx, amount)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Pay a usage fee credited to named entries by shares (anyone); a retired or closed entry's share
    /// is skipped with `InactiveEntrySkipped` and spread over the pool by weight.
    pub fn attribute_usage(mut ctx: Context<AttributeUsage>, fee: u64, shares: Vec<UsageShare>) -> Result<()> {
        AttributeUsage::attribute_usage(&mut ctx, fee, shares)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Stream owed payouts to the named entries' destinations (permissionless crank).
    ///
    /// `entries`: global entry indices, all on `ledger_page`. Remaining accounts: one destination
    /// token account per entry, in the same order, writable (each must be the entry's recorded
    /// destination). `batch`: pay everything in one CPI to the token program's `batch` (p-token's,
    /// where `mint` may be omitted; Token-2022's from v11, which needs `mint`); otherwise one
    /// `transfer_checked` per payout, which needs `mint`. `reward_account`: the cranker's token
    /// account of the mint, for its reward (omit it to take none). Entries owed less than the
    /// minimum payout stay owed; a destination that cannot receive is skipped with `PayoutSkipped`;
    /// one `CrankBatch` event.
    pub fn crank<'info>(ctx: Context<'info, Crank<'info>>, entries: Vec<u32>, batch: bool) -> Result<()> {
        Crank::crank(ctx, entries, batch)
    }

    /// Pull everything owed to a token account the contributor owns.
    pub fn claim(mut ctx: Context<Claim>) -> Result<()> {
        Claim::claim(&mut ctx)?;
        ctx.accounts.pool.load()?.invariant()
    }

    /// Read-only: what entry `entry` would be owed if settled now (before any cranker reward), as
    /// return data. Simulate it instead of re-implementing the 2⁻⁶⁴ accounting; changes nothing.
    pub fn owed(ctx: Context<OwedView>, entry: u32) -> Result<u64> {
        OwedView::owed(ctx, entry)
    }
}
