use crate::constants::MAX_USAGE_ENTRIES;
use crate::errors::{math, TributaryError};
use crate::events::{InactiveEntrySkipped, UsageAttributed};
use crate::state::{LedgerPage, Pool};
use crate::utils::{token::pay_in, validations};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct UsageShare {
    pub entry: u32,
    /// Share of the fee in basis points; the shares of one call sum to exactly 10,000.
    pub share_bps: u16,
}

#[derive(Accounts)]
pub struct AttributeUsage<'info> {
    pub payer: Signer<'info>,
    #[account(
        mut,
        has_one = vault @ TributaryError::VaultMismatch,
        has_one = mint @ TributaryError::MintMismatch,
        has_one = token_program @ TributaryError::TokenProgramMismatch
    )]
    pub pool: AccountLoader<'info, Pool>,
    #[account(mut, constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch)]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
    pub mint: InterfaceAccount<'info, Mint>,
    /// CHECK: the pool's vault (has_one); the token program checks the transfer.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    #[account(mut, token::mint = mint, token::token_program = token_program)]
    pub payer_token: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl AttributeUsage<'_> {
    /// Pay a usage fee for one model output and credit it to the entries that influenced it, by
    /// the given shares, straight into what they are owed. The rounding remainder goes to the pool.
    pub fn attribute_usage(ctx: &mut Context<Self>, fee: u64, shares: Vec<UsageShare>) -> Result<()> {
        let accounts = &mut ctx.accounts;
        let (paused, decimals) = {
            let pool = accounts.pool.load()?;
            (pool.is_paused(), pool.decimals)
        };
        validations::require_not_paused(paused)?;
        require!(fee > 0, TributaryError::ZeroAmount);
        require!(shares.len() <= MAX_USAGE_ENTRIES as usize, TributaryError::TooManyEntries);
        math(tributary_math::check_shares(shares.iter().map(|s| s.share_bps)))?;
        validations::require_distinct(shares.iter().map(|s| s.entry))?;

        let mut credited: u64 = 0;
        let mut entries = 0u32;
        {
            let pool_key = accounts.pool.key();
            let mut page = accounts.ledger_page.load_mut()?;
            for share in &shares {
                let entry = page.entry_mut(share.entry)?;
                if entry.is_withdrawn() {
                    // its share joins the remainder, spread over the pool by weight
                    emit!(InactiveEntrySkipped { pool: pool_key, entry: share.entry, status: entry.status });
                    continue;
                }
                require!(entry.is_active(), TributaryError::EntryNotActive); // never registered
                entries += 1; // ≤ MAX_USAGE_ENTRIES
                let amount = math(tributary_math::usage_share(fee, share.share_bps))?;
                entry.owed = entry.owed.checked_add(amount).ok_or(TributaryError::MathOverflow)?;
                credited = credited.checked_add(amount).ok_or(TributaryError::MathOverflow)?;
            }
        }
        pay_in(
            &accounts.token_program.to_account_info(),
            &accounts.payer_token.to_account_info(),
            &accounts.mint.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.payer.to_account_info(),
            fee,
            decimals,
        )?;
        let remainder = fee.checked_sub(credited).ok_or(TributaryError::MathOverflow)?; // Σ floor(fee·share/10⁴) ≤ fee
        let mut pool = accounts.pool.load_mut()?;
        pool.add_revenue(remainder)?;
        pool.record_usage_fee(fee);
        emit!(UsageAttributed { pool: accounts.pool.key(), payer: accounts.payer.key(), fee, entries, remainder });
        Ok(())
    }
}
