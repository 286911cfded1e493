use crate::constants::ENTRIES_PER_PAGE;
use crate::errors::TributaryError;
use crate::events::LedgerPageClosed;
use crate::state::{LedgerPage, Pool};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CloseLedgerPage<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        has_one = authority @ TributaryError::NotAuthority,
        constraint = pool.load()?.active_contributions == 0 @ TributaryError::PoolNotEmpty
    )]
    pub pool: AccountLoader<'info, Pool>,
    #[account(
        mut,
        close = payer,
        constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch,
        constraint = ledger_page.load()?.page.checked_add(1) == Some(pool.load()?.ledger_pages) @ TributaryError::NotLastLedgerPage
    )]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
    /// CHECK: whoever paid the page's rent (recorded in the page); it goes back to them.
    #[account(mut, address = ledger_page.load()?.payer @ TributaryError::LedgerPageMismatch)]
    pub payer: UncheckedAccount<'info>,
}

impl CloseLedgerPage<'_> {
    /// Close the last page of a pool with no active contributions; its rent goes back to whoever
    /// paid it.
    pub fn close_ledger_page(ctx: &mut Context<Self>) -> Result<()> {
        let mut pool = ctx.accounts.pool.load_mut()?;
        pool.ledger_pages = pool.ledger_pages.checked_sub(1).ok_or(TributaryError::MathOverflow)?;
        // every entry beyond the open pages is closed (no active contributions), so indices restart there
        pool.entry_count = pool.entry_count.min(pool.ledger_pages.saturating_mul(ENTRIES_PER_PAGE));
        emit!(LedgerPageClosed { pool: ctx.accounts.pool.key(), page: pool.ledger_pages });
        Ok(())
    }
}
