use crate::constants::LEDGER_SEED;
use crate::errors::TributaryError;
use crate::events::LedgerPageOpened;
use crate::state::{LedgerPage, Pool};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct OpenLedgerPage<'info> {
    /// Anyone may open the next page (usually the operator); they pay its rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut)]
    pub pool: AccountLoader<'info, Pool>,
    #[account(
        init,
        payer = payer,
        space = LedgerPage::SPACE,
        seeds = [LEDGER_SEED, pool.key().as_ref(), &pool.load()?.ledger_pages.to_le_bytes()],
        bump
    )]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
    pub system_program: Program<'info, System>,
}

impl OpenLedgerPage<'_> {
    pub fn open_ledger_page(ctx: &mut Context<Self>) -> Result<()> {
        let pool_key = ctx.accounts.pool.key();
        let mut pool = ctx.accounts.pool.load_mut()?;
        let index = pool.ledger_pages;
        let mut page = ctx.accounts.ledger_page.load_init()?;
        page.pool = pool_key;
        page.payer = ctx.accounts.payer.key();
        page.page = index;
        pool.ledger_pages = index.checked_add(1).ok_or(TributaryError::MathOverflow)?;
        emit!(LedgerPageOpened { pool: pool_key, page: index, ledger_page: ctx.accounts.ledger_page.key() });
        Ok(())
    }
}
