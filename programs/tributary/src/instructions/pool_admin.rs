//! `PoolAdmin`: the accounts of every instruction the pool's authority signs to configure a pool,
//! and their handlers: `pause` / `unpause`, `update_pool_config`, `propose_authority`,
//! `set_attestor`.
use crate::constants::MAX_CRANKER_REWARD_BPS;
use crate::errors::TributaryError;
use crate::events::{AttestorChanged, AuthorityProposed, PoolConfigUpdated, PoolPauseChanged};
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct PoolAdmin<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ TributaryError::NotAuthority)]
    pub pool: AccountLoader<'info, Pool>,
}

impl PoolAdmin<'_> {
    /// Pause stops deposits, usage fees, cranks, weight updates and new registrations; claims,
    /// destination changes, retiring and closing stay open so contributors can always take out
    /// what they are owed.
    pub fn set_paused(ctx: &mut Context<Self>, paused: bool) -> Result<()> {
        ctx.accounts.pool.load_mut()?.paused = u8::from(paused);
        emit!(PoolPauseChanged { pool: ctx.accounts.pool.key(), paused });
        Ok(())
    }

    pub fn update_pool_config(ctx: &mut Context<Self>, cranker_reward_bps: u16, min_payout: u64) -> Result<()> {
        require!(cranker_reward_bps <= MAX_CRANKER_REWARD_BPS, TributaryError::CrankerRewardTooHigh);
        let mut pool = ctx.accounts.pool.load_mut()?;
        pool.cranker_reward_bps = cranker_reward_bps;
        pool.min_payout = min_payout;
        emit!(PoolConfigUpdated { pool: ctx.accounts.pool.key(), cranker_reward_bps, min_payout });
        Ok(())
    }

    /// Step one of an authority transfer; `None` cancels a pending one.
    pub fn propose_authority(ctx: &mut Context<Self>, new_authority: Option<Pubkey>) -> Result<()> {
        require!(new_authority != Some(Pubkey::default()), TributaryError::InvalidPendingAuthority);
        let mut pool = ctx.accounts.pool.load_mut()?;
        pool.pending_authority = new_authority.unwrap_or_default();
        let pool_key = ctx.accounts.pool.key();
        emit!(AuthorityProposed { pool: pool_key, authority: pool.authority, pending_authority: new_authority });
        Ok(())
    }

    /// Rotate the key that posts attribution weights.
    pub fn set_attestor(ctx: &mut Context<Self>, attestor: Pubkey) -> Result<()> {
        let previous = core::mem::replace(&mut ctx.accounts.pool.load_mut()?.attestor, attestor);
        emit!(AttestorChanged { pool: ctx.accounts.pool.key(), previous_attestor: previous, attestor });
        Ok(())
    }
}
