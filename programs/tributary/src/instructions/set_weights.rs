use crate::constants::MAX_WEIGHT_UPDATES;
use crate::errors::TributaryError;
use crate::events::{InactiveEntrySkipped, WeightsSet};
use crate::state::{LedgerPage, Pool};
use crate::utils::validations;
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct WeightUpdate {
    pub entry: u32,
    pub weight: u64,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetWeightsArgs {
    /// A new report needs a higher epoch; further batches of the same report repeat its epoch and hash.
    pub epoch: u64,
    /// Hash of the off-chain attribution report these weights come from.
    pub report_hash: [u8; 32],
    pub updates: Vec<WeightUpdate>,
}

#[derive(Accounts)]
pub struct SetWeights<'info> {
    pub attestor: Signer<'info>,
    #[account(mut, has_one = attestor @ TributaryError::NotAttestor)]
    pub pool: AccountLoader<'info, Pool>,
    #[account(mut, constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch)]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
}

impl SetWeights<'_> {
    /// Post attribution weights for entries of one page. Each changed entry first settles what it
    /// earned at its old weight, so a weight change never moves past revenue.
    pub fn set_weights(ctx: &mut Context<Self>, args: SetWeightsArgs) -> Result<()> {
        let pool_key = ctx.accounts.pool.key();
        let mut pool = ctx.accounts.pool.load_mut()?;
        validations::require_not_paused(pool.is_paused())?;
        require!(args.updates.len() <= MAX_WEIGHT_UPDATES as usize, TributaryError::TooManyEntries);
        require!(args.epoch >= pool.epoch, TributaryError::StaleEpoch);
        if args.epoch == pool.epoch && pool.epoch != 0 {
            require!(args.report_hash == pool.report_hash, TributaryError::ReportHashMismatch);
        } else {
            require!(args.epoch > pool.epoch, TributaryError::StaleEpoch);
        }
        let acc = pool.acc_per_weight();
        let mut page = ctx.accounts.ledger_page.load_mut()?;
        let mut updated = 0u32;
        for update in &args.updates {
            let entry = page.entry_mut(update.entry)?;
            if entry.is_withdrawn() {
                emit!(InactiveEntrySkipped { pool: pool_key, entry: update.entry, status: entry.status });
                continue;
            }
            require!(entry.is_active(), TributaryError::EntryNotActive); // never registered
            updated += 1; // ≤ MAX_WEIGHT_UPDATES
            entry.settle(acc)?;
            pool.reweigh(entry.weight, update.weight)?;
            entry.weight = update.weight;
        }
        pool.epoch = args.epoch;
        pool.report_hash = args.report_hash;
        emit!(WeightsSet {
            pool: pool_key,
            epoch: args.epoch,
            report_hash: args.report_hash,
            updated,
            total_weight: pool.total_weight,
        });
        Ok(())
    }
}
