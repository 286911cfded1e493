use crate::errors::TributaryError;
use crate::state::{LedgerPage, Pool};
use anchor_lang::prelude::*;

/// The accounts of the read-only `owed` view: the pool and the page holding the entry.
#[derive(Accounts)]
pub struct OwedView<'info> {
    pub pool: AccountLoader<'info, Pool>,
    #[account(constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch)]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
}

impl OwedView<'_> {
    /// What `entry` would be owed if settled now: the program's own math, returned, nothing written.
    pub fn owed(ctx: Context<Self>, entry: u32) -> Result<u64> {
        let page = ctx.accounts.ledger_page.load()?;
        let slot = page.slot(entry)?;
        let owed = page.entries[slot].owed_at(ctx.accounts.pool.load()?.acc_per_weight())?;
        Ok(owed)
    }
}
