use super::contributor_entry::ContributorEntry;
use crate::errors::TributaryError;
use crate::events::ContributionClosed;
use crate::state::{entry_status, ContributionStatus};
use anchor_lang::prelude::*;

impl ContributorEntry<'_> {
    /// Close a retired contribution whose owed amount has been paid; its rent goes back to the
    /// contributor. The sub-unit remainder it earned stays in the pool.
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
            page.used = page.used.saturating_sub(1);
            pool.active_contributions = pool.active_contributions.checked_sub(1).ok_or(TributaryError::MathOverflow)?;
        }
        emit!(ContributionClosed {
            pool: accounts.pool.key(),
            entry: accounts.contribution.entry,
            contribution: accounts.contribution.key(),
        });
        accounts.contribution.close(accounts.contributor.to_account_info())
    }
}
