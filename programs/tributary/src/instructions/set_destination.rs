use crate::errors::TributaryError;
use crate::events::DestinationChanged;
use crate::state::{Contribution, LedgerPage, Pool};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{TokenAccount, TokenInterface};

#[derive(Accounts)]
pub struct SetDestination<'info> {
    pub contributor: Signer<'info>,
    #[account(
        has_one = contributor @ TributaryError::NotContributor,
        has_one = pool @ TributaryError::PoolMismatch
    )]
    pub contribution: Account<'info, Contribution>,
    #[account(has_one = token_program @ TributaryError::TokenProgramMismatch)]
    pub pool: AccountLoader<'info, Pool>,
    #[account(
        mut,
        constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch,
        constraint = ledger_page.load()?.slot(contribution.entry).is_ok() @ TributaryError::LedgerPageMismatch
    )]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
    #[account(
        token::mint = pool.load()?.mint,
        token::authority = contributor,
        token::token_program = token_program
    )]
    pub destination: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl SetDestination<'_> {
    /// Point the crank at another token account of the pool's mint that the contributor owns.
    pub fn set_destination(ctx: Context<Self>) -> Result<()> {
        let entry_index = ctx.accounts.contribution.entry;
        let mut page = ctx.accounts.ledger_page.load_mut()?;
        let entry = page.entry_mut(entry_index)?;
        entry.destination = ctx.accounts.destination.key();
        emit!(DestinationChanged { pool: ctx.accounts.pool.key(), entry: entry_index, destination: entry.destination });
        Ok(())
    }
}
