//! `pause` / `unpause`. Pause stops deposits, usage fees, cranks, weight updates and new
//! registrations; claims, destination changes, retiring and closing stay open so contributors
//! can always take out what they are owed.
use super::pool_admin::PoolAdmin;
use crate::events::PoolPauseChanged;
use anchor_lang::prelude::*;

impl PoolAdmin<'_> {
    pub fn set_paused(ctx: &mut Context<Self>, paused: bool) -> Result<()> {
        ctx.accounts.pool.load_mut()?.paused = u8::from(paused);
        emit!(PoolPauseChanged { pool: ctx.accounts.pool.key(), paused });
        Ok(())
    }
}
