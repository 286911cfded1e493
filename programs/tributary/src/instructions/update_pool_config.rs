use super::pool_admin::PoolAdmin;
use crate::constants::MAX_CRANKER_REWARD_BPS;
use crate::errors::TributaryError;
use crate::events::PoolConfigUpdated;
use anchor_lang::prelude::*;

impl PoolAdmin<'_> {
    pub fn update_pool_config(ctx: &mut Context<Self>, cranker_reward_bps: u16, min_payout: u64) -> Result<()> {
        require!(cranker_reward_bps <= MAX_CRANKER_REWARD_BPS, TributaryError::CrankerRewardTooHigh);
        let mut pool = ctx.accounts.pool.load_mut()?;
        pool.cranker_reward_bps = cranker_reward_bps;
        pool.min_payout = min_payout;
        emit!(PoolConfigUpdated { pool: ctx.accounts.pool.key(), cranker_reward_bps, min_payout });
        Ok(())
    }
}
