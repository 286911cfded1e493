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
    /// CHECK: whoever opened the page (recorded in the page); its rent goes back to them, less
    /// what the pool's page fund paid, which goes back to the fund.
    #[account(mut, address = ledger_page.load()?.payer @ TributaryError::LedgerPageMismatch)]
    pub payer: UncheckedAccount<'info>,
}

impl CloseLedgerPage<'_> {
    /// Close the last page of a pool with no active contributions; its rent goes back to the fund
    /// as far as the fund paid it, the rest to whoever opened it (Anchor's `close` at exit).
    pub fn close_ledger_page(ctx: &mut Context<Self>) -> Result<()> {
        let page_info = ctx.accounts.ledger_page.to_account_info();
        let to_page_fund = ctx.accounts.ledger_page.load()?.pool_funded.min(page_info.lamports());
        let mut pool = ctx.accounts.pool.load_mut()?;
        page_info.sub_lamports(to_page_fund)?;
        ctx.accounts.pool.to_account_info().add_lamports(to_page_fund)?;
        pool.add_page_fund(to_page_fund)?;
        pool.ledger_pages = pool.ledger_pages.checked_sub(1).ok_or(TributaryError::MathOverflow)?;
        // every entry beyond the open pages is closed (no active contributions), so indices restart there
        pool.entry_count = pool.entry_count.min(pool.ledger_pages.saturating_mul(ENTRIES_PER_PAGE));
        emit!(LedgerPageClosed { pool: ctx.accounts.pool.key(), page: pool.ledger_pages, to_page_fund });
        Ok(())
    }
}
