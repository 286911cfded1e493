use crate::constants::POOL_SEED;
use crate::errors::{math, TributaryError};
use anchor_lang::prelude::*;

/// A revenue pool for one model or data network, paid in one mint.
#[account]
#[derive(InitSpace, Debug)]
pub struct Pool {
    /// Signer of `create_pool`; with `pool_id` it seeds the PDA, so it never changes.
    pub creator: Pubkey,
    pub pool_id: u64,
    pub bump: u8,
    pub vault_bump: u8,
    /// Pauses, configures, rotates the attestor, closes. Transferred in two steps.
    pub authority: Pubkey,
    pub pending_authority: Option<Pubkey>,
    /// Posts attribution weights.
    pub attestor: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    pub decimals: u8,
    /// Revenue per unit of weight, in 2⁻⁶⁴ base units (see `tributary_math`).
    pub acc_per_weight: u128,
    /// Division remainder of deposits, in 2⁻⁶⁴ base units: never lost, joins the next deposit.
    pub carry: u64,
    /// Revenue that arrived while the total weight was zero; spread at the next deposit.
    pub held: u64,
    pub total_weight: u64,
    /// Entries ever registered: the next entry's index.
    pub entry_count: u32,
    pub ledger_pages: u32,
    /// Contributions not yet closed.
    pub active_contributions: u32,
    /// Share of each crank payout that goes to the cranker (≤ 100 bps).
    pub cranker_reward_bps: u16,
    /// The crank leaves smaller amounts owed (claims have no minimum).
    pub min_payout: u64,
    pub paused: bool,
    /// Epoch and hash of the latest attribution report.
    pub epoch: u64,
    pub report_hash: [u8; 32],
    pub total_deposited: u128,
    pub total_usage_fees: u128,
    /// Sent to contributors by cranks and claims.
    pub total_paid: u128,
    pub total_cranker_rewards: u128,
}

impl Pool {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn signer_seeds(&self) -> [&[u8]; 4] {
        [POOL_SEED, self.creator.as_ref(), bytemuck::bytes_of(&self.pool_id), core::slice::from_ref(&self.bump)]
    }

    pub fn is_token_2022(&self) -> bool {
        self.token_program == anchor_spl::token_2022::ID
    }

    /// Take in revenue: spread it (with anything held) over the weight, or hold it while there is none.
    pub fn add_revenue(&mut self, amount: u64) -> Result<()> {
        let amount = self.held.checked_add(amount).ok_or(TributaryError::MathOverflow)?;
        if self.total_weight == 0 {
            self.held = amount;
            return Ok(());
        }
        let d = math(tributary_math::distribute(self.acc_per_weight, self.carry, amount, self.total_weight))?;
        self.acc_per_weight = d.acc;
        self.carry = d.carry;
        self.held = 0;
        Ok(())
    }

    /// Keep the sub-unit earnings of a closed entry: they join the carry, whole units the held revenue.
    pub fn absorb_frac(&mut self, frac: u64) -> Result<()> {
        let sum = u128::from(self.carry) + u128::from(frac);
        self.carry = sum as u64;
        self.held = self.held.checked_add((sum >> 64) as u64).ok_or(TributaryError::MathOverflow)?;
        Ok(())
    }

    /// Replace an entry's weight in the total.
    pub fn reweigh(&mut self, old: u64, new: u64) -> Result<()> {
        self.total_weight = self
            .total_weight
            .checked_sub(old)
            .and_then(|w| w.checked_add(new))
            .ok_or(TributaryError::WeightOverflow)?;
        Ok(())
    }

    pub fn record_paid(&mut self, to_contributors: u64, rewards: u64) {
        // u128 totals of u64 amounts cannot overflow in any realistic lifetime (2⁶⁴ transfers)
        self.total_paid = self.total_paid.saturating_add(u128::from(to_contributors));
        self.total_cranker_rewards = self.total_cranker_rewards.saturating_add(u128::from(rewards));
    }
}
