use crate::errors::TributaryError;
use crate::events::RevenueDeposited;
use crate::state::Pool;
use crate::utils::{token::pay_in, validations};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

#[derive(Accounts)]
pub struct Deposit<'info> {
    pub depositor: Signer<'info>,
    #[account(
        mut,
        has_one = vault @ TributaryError::VaultMismatch,
        has_one = mint @ TributaryError::MintMismatch,
        has_one = token_program @ TributaryError::TokenProgramMismatch
    )]
    pub pool: AccountLoader<'info, Pool>,
    pub mint: InterfaceAccount<'info, Mint>,
    /// CHECK: the pool's vault (has_one); the token program checks the transfer.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    #[account(mut, token::mint = mint, token::token_program = token_program)]
    pub depositor_token: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl Deposit<'_> {
    /// Add revenue to the pool, spread over all weight in O(1) whatever the number of contributions.
    pub fn deposit(ctx: &mut Context<Self>, amount: u64) -> Result<()> {
        let accounts = &mut ctx.accounts;
        let (paused, decimals) = {
            let pool = accounts.pool.load()?;
            (pool.is_paused(), pool.decimals)
        };
        validations::require_not_paused(paused)?;
        require!(amount > 0, TributaryError::ZeroAmount);
        pay_in(
            &accounts.token_program.to_account_info(),
            &accounts.depositor_token.to_account_info(),
            &accounts.mint.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.depositor.to_account_info(),
            amount,
            decimals,
        )?;
        let mut pool = accounts.pool.load_mut()?;
        pool.add_revenue(amount)?;
        pool.record_deposit(amount);
        emit!(RevenueDeposited {
            pool: accounts.pool.key(),
            depositor: accounts.depositor.key(),
            amount,
            held: pool.held,
            acc_per_weight: pool.acc_per_weight(),
        });
        Ok(())
    }
}
