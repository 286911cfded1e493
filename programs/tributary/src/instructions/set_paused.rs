//! `pause` / `unpause`. Pause stops deposits, usage fees, cranks, weight updates and new
//! registrations; claims, destination changes, retiring and closing stay open so contributors
//! can always take out what they are owed.
use super::pool_admin::PoolAdmin;
use crate::events::PoolPauseChanged;
use anchor_lang::prelude::*;

impl PoolAdmin<'_> {
    pub fn set_paused(ctx: &mut Context<Self>, paused: bool) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.paused = paused;
        emit!(PoolPauseChanged { pool: pool.key(), paused });
        Ok(())
    }
}
