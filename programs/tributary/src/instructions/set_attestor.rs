use super::pool_admin::PoolAdmin;
use crate::events::AttestorChanged;
use anchor_lang::prelude::*;

impl PoolAdmin<'_> {
    /// Rotate the key that posts attribution weights.
    pub fn set_attestor(ctx: &mut Context<Self>, attestor: Pubkey) -> Result<()> {
        let previous = core::mem::replace(&mut ctx.accounts.pool.load_mut()?.attestor, attestor);
        emit!(AttestorChanged { pool: ctx.accounts.pool.key(), previous_attestor: previous, attestor });
        Ok(())
    }
}
