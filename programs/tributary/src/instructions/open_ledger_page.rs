use crate::constants::LEDGER_SEED;
use crate::errors::TributaryError;
use crate::events::LedgerPageOpened;
use crate::state::{LedgerPage, Pool};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct OpenLedgerPage<'info> {
    /// Anyone may open the next page (usually the operator); they pay its rent and are paid back
    /// from the pool's page fund, up to the whole rent.
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
        let pool_info = ctx.accounts.pool.to_account_info();
        let rent_paid = ctx.accounts.ledger_page.to_account_info().lamports();
        let mut pool = ctx.accounts.pool.load_mut()?;
        // slots burnt by closed contributions paid into the fund: it pays this page back first
        let pool_funded = pool.page_fund_share(rent_paid);
        if pool_funded > 0 {
            // the fund's lamports sit above the pool's own rent, so this never dips into it
            let keep = Rent::get()?.minimum_balance(Pool::SPACE);
            require!(pool_info.lamports().saturating_sub(pool_funded) >= keep, TributaryError::PoolInvariantViolated);
            pool.draw_page_fund(pool_funded)?;
            pool_info.sub_lamports(pool_funded)?;
            ctx.accounts.payer.add_lamports(pool_funded)?;
        }
        let index = pool.ledger_pages;
        let mut page = ctx.accounts.ledger_page.load_init()?;
        page.pool = pool_key;
        page.payer = ctx.accounts.payer.key();
        page.page = index;
        page.pool_funded = pool_funded;
        pool.ledger_pages = index.checked_add(1).ok_or(TributaryError::MathOverflow)?;
        emit!(LedgerPageOpened {
            pool: pool_key,
            page: index,
            ledger_page: ctx.accounts.ledger_page.key(),
            pool_funded
        });
        Ok(())
    }
}
