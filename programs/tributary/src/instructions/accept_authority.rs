use crate::errors::TributaryError;
use crate::events::AuthorityAccepted;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct AcceptAuthority<'info> {
    pub new_authority: Signer<'info>,
    #[account(mut)]
    pub pool: Account<'info, Pool>,
}

impl AcceptAuthority<'_> {
    /// Step two: the proposed key signs and becomes the authority.
    pub fn accept_authority(ctx: &mut Context<Self>) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        let pending = pool.pending_authority.ok_or(TributaryError::NoPendingAuthority)?;
        require_keys_eq!(pending, ctx.accounts.new_authority.key(), TributaryError::NotPendingAuthority);
        let previous = pool.authority;
        pool.authority = pending;
        pool.pending_authority = None;
        emit!(AuthorityAccepted { pool: pool.key(), previous_authority: previous, authority: pending });
        Ok(())
    }
}
