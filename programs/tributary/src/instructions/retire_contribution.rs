use super::contributor_entry::ContributorEntry;
use crate::errors::TributaryError;
use crate::events::ContributionRetired;
use crate::state::{entry_status, ContributionStatus};
use anchor_lang::prelude::*;

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
}
