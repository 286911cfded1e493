use crate::errors::TributaryError;
use crate::events::AuthorityAccepted;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct AcceptAuthority<'info> {
    pub new_authority: Signer<'info>,
    #[account(mut)]
    pub pool: AccountLoader<'info, Pool>,
}

impl AcceptAuthority<'_> {
    /// Step two: the proposed key signs and becomes the authority.
    pub fn accept_authority(ctx: &mut Context<Self>) -> Result<()> {
        let mut pool = ctx.accounts.pool.load_mut()?;
        let pending = pool.pending_authority().ok_or(TributaryError::NoPendingAuthority)?;
        require_keys_eq!(pending, ctx.accounts.new_authority.key(), TributaryError::NotPendingAuthority);
        let previous = pool.authority;
        pool.authority = pending;
        pool.pending_authority = Pubkey::default();
        emit!(AuthorityAccepted { pool: ctx.accounts.pool.key(), previous_authority: previous, authority: pending });
        Ok(())
    }
}
