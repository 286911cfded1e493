use crate::errors::TributaryError;
use crate::events::Claimed;
use crate::state::{Contribution, LedgerPage, Pool};
use crate::utils::token::VaultSigner;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

#[derive(Accounts)]
pub struct Claim<'info> {
    pub contributor: Signer<'info>,
    #[account(
        has_one = contributor @ TributaryError::NotContributor,
        has_one = pool @ TributaryError::PoolMismatch
    )]
    pub contribution: Account<'info, Contribution>,
    #[account(
        mut,
        has_one = vault @ TributaryError::VaultMismatch,
        has_one = mint @ TributaryError::MintMismatch,
        has_one = token_program @ TributaryError::TokenProgramMismatch
    )]
    pub pool: AccountLoader<'info, Pool>,
    #[account(
        mut,
        constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch,
        constraint = ledger_page.load()?.slot(contribution.entry).is_ok() @ TributaryError::LedgerPageMismatch
    )]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    /// Any token account of the pool's mint that the contributor owns.
    #[account(
        mut,
        token::mint = mint,
        token::authority = contributor,
        token::token_program = token_program
    )]
    pub destination: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl Claim<'_> {
    /// Pull everything owed, with no minimum and no cranker reward. Works while the pool is paused.
    pub fn claim(ctx: &mut Context<Self>) -> Result<()> {
        let accounts = &mut ctx.accounts;
        let entry_index = accounts.contribution.entry;
        let amount = {
            let mut page = accounts.ledger_page.load_mut()?;
            let entry = page.entry_mut(entry_index)?;
            let owed = entry.settle(accounts.pool.load()?.acc_per_weight())?;
            require!(owed > 0, TributaryError::NothingToClaim);
            entry.owed = 0;
            entry.paid = entry.paid.saturating_add(owed); // informational: never blocks a claim
            owed
        };
        // what the transfer needs is copied out: no borrow of the pool's data lives across the CPI
        let (seeds, decimals) = {
            let mut pool = accounts.pool.load_mut()?;
            pool.record_paid(amount, 0);
            (pool.signer_seeds(), pool.decimals)
        };
        VaultSigner {
            token_program: &accounts.token_program.to_account_info(),
            vault: &accounts.vault.to_account_info(),
            mint: &accounts.mint.to_account_info(),
            pool: &accounts.pool.to_account_info(),
            seeds: &seeds.as_slices(),
            decimals,
        }
        .pay(&accounts.destination.to_account_info(), amount)?;
        emit!(Claimed {
            pool: accounts.pool.key(),
            entry: entry_index,
            destination: accounts.destination.key(),
            amount
        });
        Ok(())
    }
}
