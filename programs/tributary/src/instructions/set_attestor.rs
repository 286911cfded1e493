use super::pool_admin::PoolAdmin;
use crate::events::AttestorChanged;
use anchor_lang::prelude::*;

impl PoolAdmin<'_> {
    /// Rotate the key that posts attribution weights.
    pub fn set_attestor(ctx: &mut Context<Self>, attestor: Pubkey) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        let previous = pool.attestor;
        pool.attestor = attestor;
        emit!(AttestorChanged { pool: pool.key(), previous_attestor: previous, attestor });
        Ok(())
    }
}
