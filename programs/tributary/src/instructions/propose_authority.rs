use super::pool_admin::PoolAdmin;
use crate::events::AuthorityProposed;
use anchor_lang::prelude::*;

impl PoolAdmin<'_> {
    /// Step one of an authority transfer; `None` cancels a pending one.
    pub fn propose_authority(ctx: &mut Context<Self>, new_authority: Option<Pubkey>) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.pending_authority = new_authority;
        emit!(AuthorityProposed { pool: pool.key(), authority: pool.authority, pending_authority: new_authority });
        Ok(())
    }
}
