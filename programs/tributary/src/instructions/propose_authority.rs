use super::pool_admin::PoolAdmin;
use crate::errors::TributaryError;
use crate::events::AuthorityProposed;
use anchor_lang::prelude::*;

impl PoolAdmin<'_> {
    /// Step one of an authority transfer; `None` cancels a pending one.
    pub fn propose_authority(ctx: &mut Context<Self>, new_authority: Option<Pubkey>) -> Result<()> {
        require!(new_authority != Some(Pubkey::default()), TributaryError::InvalidPendingAuthority);
        let mut pool = ctx.accounts.pool.load_mut()?;
        pool.pending_authority = new_authority.unwrap_or_default();
        let pool_key = ctx.accounts.pool.key();
        emit!(AuthorityProposed { pool: pool_key, authority: pool.authority, pending_authority: new_authority });
        Ok(())
    }
}
