//! Accounts shared by the authority's configuration instructions.
use crate::errors::TributaryError;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct PoolAdmin<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ TributaryError::NotAuthority)]
    pub pool: AccountLoader<'info, Pool>,
}
