//! `ContributorEntry`: the accounts of the instructions a contributor signs for one of their
//! contributions, and their handlers: `retire_contribution`, `close_contribution`.
use crate::errors::TributaryError;
use crate::events::{ContributionClosed, ContributionRetired};
use crate::state::{entry_status, Contribution, ContributionStatus, LedgerPage, Pool};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ContributorEntry<'info> {
    #[account(mut)]
    pub contributor: Signer<'info>,
    #[account(
        mut,
        has_one = contributor @ TributaryError::NotContributor,
        has_one = pool @ TributaryError::PoolMismatch
    )]
    pub contribution: Account<'info, Contribution>,
    #[account(mut)]
    pub pool: AccountLoader<'info, Pool>,
    #[account(
        mut,
        constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch,
        constraint = ledger_page.load()?.slot(contribution.entry).is_ok() @ TributaryError::LedgerPageMismatch
    )]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
}

impl ContributorEntry<'_> {
    /// Withdraw a contribution from future revenue: settle what it earned, drop its weight. What is
    /// owed stays claimable (and the crank still pays it).
    pub fn retire_contribution(ctx: &mut Context<Self>) -> Result<()> {
        let accounts = &mut ctx.accounts;
        require!(accounts.contribution.status == ContributionStatus::Active, TributaryError::EntryNotActive);
        let mut pool = accounts.pool.load_mut()?;
        let mut page = accounts.ledger_page.load_mut()?;
        let entry = page.entry_mut(accounts.contribution.entry)?;
        let owed = entry.settle(pool.acc_per_weight())?;
        pool.reweigh(entry.weight, 0)?;
        entry.weight = 0;
        entry.status = entry_status::RETIRED;
        accounts.contribution.status = ContributionStatus::Retired;
        emit!(ContributionRetired { pool: accounts.pool.key(), entry: accounts.contribution.entry, owed });
        Ok(())
    }

    /// Close a retired contribution whose owed amount has been paid; its rent goes back to the
    /// contributor, less its slot's share of a ledger page, which stays in the pool's page fund
    /// (the slot is never used again; the fund pays back whoever opens the next page). The sub-unit
    /// remainder it earned stays in the pool.
    pub fn close_contribution(ctx: &mut Context<Self>) -> Result<()> {
        let accounts = &mut ctx.accounts;
        require!(accounts.contribution.status == ContributionStatus::Retired, TributaryError::ContributionNotRetired);
        {
            let mut pool = accounts.pool.load_mut()?;
            let mut page = accounts.ledger_page.load_mut()?;
            let entry = page.entry_mut(accounts.contribution.entry)?;
            require!(entry.settle(pool.acc_per_weight())? == 0, TributaryError::OwedNotClaimed);
            pool.absorb_frac(entry.frac)?;
            entry.frac = 0;
            entry.status = entry_status::CLOSED;
            page.live_entries = page.live_entries.saturating_sub(1);
            pool.active_contributions = pool.active_contributions.checked_sub(1).ok_or(TributaryError::MathOverflow)?;
        }
        // rent read from the cluster at close time; the contribution's own rent always covers it
        let contribution_info = accounts.contribution.to_account_info();
        let slot_share =
            LedgerPage::slot_share(Rent::get()?.minimum_balance(LedgerPage::SPACE)).min(contribution_info.lamports());
        contribution_info.sub_lamports(slot_share)?;
        accounts.pool.to_account_info().add_lamports(slot_share)?;
        accounts.pool.load_mut()?.add_page_fund(slot_share)?;
        emit!(ContributionClosed {
            pool: accounts.pool.key(),
            entry: accounts.contribution.entry,
            contribution: accounts.contribution.key(),
            slot_share,
        });
        accounts.contribution.close(accounts.contributor.to_account_info())
    }
}
