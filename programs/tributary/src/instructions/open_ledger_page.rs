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
        let rent = Rent::get()?;
        // the page's rent, not lamports someone sent to its address before it was opened
        let page_rent =
            ctx.accounts.ledger_page.to_account_info().lamports().min(rent.minimum_balance(LedgerPage::SPACE));
        let mut pool = ctx.accounts.pool.load_mut()?;
        // slots burnt by closed contributions paid into the fund: it pays this page back first,
        // never taking the pool below its own rent (were rent to rise, opening still works, paid
        // back less)
        let above_rent = pool_info.lamports().saturating_sub(rent.minimum_balance(Pool::SPACE));
        let pool_funded = pool.page_fund_share(page_rent).min(above_rent);
        if pool_funded > 0 {
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
