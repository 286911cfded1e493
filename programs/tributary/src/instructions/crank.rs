use crate::errors::{math, TributaryError};
use crate::events::{CrankBatch, PayoutSkipped};
use crate::state::{LedgerPage, Pool};
use crate::utils::token::{destination_problem, PTokenBatch, VaultSigner, VaultTransfers};
use crate::utils::validations;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;
use tributary_math::{split_payout, PayoutSplit};

#[derive(Accounts)]
pub struct Crank<'info> {
    /// Anyone. Earns the pool's cranker reward if `reward_account` is given.
    pub cranker: Signer<'info>,
    #[account(
        mut,
        has_one = vault @ TributaryError::VaultMismatch,
        has_one = token_program @ TributaryError::TokenProgramMismatch
    )]
    pub pool: Account<'info, Pool>,
    #[account(mut, constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch)]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
    /// CHECK: the pool's vault (has_one).
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    /// CHECK: the pool's mint (address); needed by `transfer_checked`, i.e. unless `batch`.
    #[account(address = pool.mint @ TributaryError::MintMismatch)]
    pub mint: Option<UncheckedAccount<'info>>,
    /// CHECK: a token account of the pool's mint owned by the cranker; checked in the handler.
    #[account(mut)]
    pub reward_account: Option<UncheckedAccount<'info>>,
}

impl<'info> Crank<'info> {
    /// Stream payouts: for each entry named (its destination at the same position in the remaining
    /// accounts), settle and pay what is owed if it reaches the minimum payout. A destination that
    /// cannot receive is skipped with an event and keeps its owed amount; the batch never fails for
    /// it. `batch` sends every transfer in one CPI to p-token's `batch` (classic SPL Token only);
    /// otherwise one `transfer_checked` per payout (Token-2022).
    pub fn crank(ctx: Context<'info, Self>, entries: Vec<u32>, batch: bool) -> Result<()> {
        let accounts = &ctx.accounts;
        let pool = &accounts.pool;
        validations::require_not_paused(pool.paused)?;
        require!(entries.len() == ctx.remaining_accounts.len(), TributaryError::AccountCountMismatch);
        require!(!batch || !pool.is_token_2022(), TributaryError::BatchNeedsClassicToken);
        let mint_info = match (&accounts.mint, batch) {
            (Some(mint), _) => Some(mint.to_account_info()),
            (None, true) => None,
            (None, false) => return err!(TributaryError::MintRequired),
        };
        let reward_info = match &accounts.reward_account {
            Some(account) if pool.cranker_reward_bps > 0 => {
                require!(
                    destination_problem(account, &pool.token_program, &pool.mint, accounts.cranker.key).is_none(),
                    TributaryError::InvalidRewardAccount
                );
                Some(account.to_account_info())
            }
            _ => None,
        };

        let pool_key = pool.key();
        let seeds = pool.signer_seeds();
        let pool_info = pool.to_account_info();
        let vault_info = accounts.vault.to_account_info();
        let token_program_info = accounts.token_program.to_account_info();
        let mut batch_cpi = batch.then(|| PTokenBatch::new(&vault_info, &pool_info, entries.len() + 1));
        let signer = mint_info.as_ref().map(|mint| VaultSigner {
            token_program: &token_program_info,
            vault: &vault_info,
            mint,
            pool: &pool_info,
            seeds: &seeds,
            decimals: pool.decimals,
        });
        let mut transfers = match (&batch_cpi, &signer) {
            (None, Some(signer)) => Some(VaultTransfers::new(signer)),
            _ => None,
        };

        let (acc, min_payout, reward_bps) =
            (tributary_math::split(pool.acc_per_weight), pool.min_payout.max(1), pool.cranker_reward_bps);
        let (mut paid, mut skipped, mut to_contributors, mut rewards) = (0u32, 0u32, 0u64, 0u64);
        {
            let mut page = accounts.ledger_page.load_mut()?;
            for (&entry_index, destination) in entries.iter().zip(ctx.remaining_accounts) {
                let entry = page.entry_mut(entry_index)?;
                require_keys_eq!(*destination.key, entry.destination, TributaryError::DestinationMismatch);
                let owed = entry.settle_limbs(acc)?;
                if owed < min_payout {
                    continue; // stays owed; a repeated entry lands here the second time
                }
                if let Some(reason) =
                    destination_problem(destination, &pool.token_program, &pool.mint, &entry.contributor)
                {
                    skipped += 1;
                    emit!(PayoutSkipped {
                        pool: pool_key,
                        entry: entry_index,
                        destination: entry.destination,
                        reason,
                        owed
                    });
                    continue;
                }
                let split = match reward_info {
                    Some(_) => math(split_payout(owed, reward_bps))?,
                    None => PayoutSplit { to_contributor: owed, reward: 0 },
                };
                entry.owed = 0;
                entry.paid = entry.paid.checked_add(split.to_contributor).ok_or(TributaryError::MathOverflow)?;
                to_contributors =
                    to_contributors.checked_add(split.to_contributor).ok_or(TributaryError::MathOverflow)?;
                rewards = rewards.checked_add(split.reward).ok_or(TributaryError::MathOverflow)?;
                paid += 1;
                match (&mut batch_cpi, &mut transfers) {
                    (Some(cpi), _) => cpi.push(destination, split.to_contributor),
                    (None, Some(transfers)) => transfers.pay(destination, split.to_contributor)?,
                    (None, None) => return err!(TributaryError::MintRequired),
                }
            }
        }
        if let (Some(reward_account), true) = (&reward_info, rewards > 0) {
            match (&mut batch_cpi, &mut transfers) {
                (Some(cpi), _) => cpi.push(reward_account, rewards),
                (None, Some(transfers)) => transfers.pay(reward_account, rewards)?,
                (None, None) => return err!(TributaryError::MintRequired),
            }
        }
        if let Some(cpi) = batch_cpi {
            cpi.invoke(&pool.token_program, &seeds)?;
        }
        let cranker = accounts.cranker.key();
        let page_index = accounts.ledger_page.load()?.page;
        let pool = &mut ctx.accounts.pool;
        pool.record_paid(to_contributors, rewards);
        emit!(CrankBatch {
            pool: pool_key,
            page: page_index,
            cranker,
            entries: entries.len() as u32,
            paid,
            skipped,
            amount: to_contributors,
            reward: rewards,
        });
        Ok(())
    }
}
