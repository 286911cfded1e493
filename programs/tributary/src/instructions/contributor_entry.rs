//! Accounts shared by the instructions a contributor signs for one of their contributions.
use crate::errors::TributaryError;
use crate::state::{Contribution, LedgerPage, Pool};
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
