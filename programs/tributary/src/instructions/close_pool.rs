use crate::errors::TributaryError;
use crate::events::PoolClosed;
use crate::state::Pool;
use crate::utils::token::VaultSigner;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{close_account, CloseAccount, Mint, TokenAccount, TokenInterface};

#[derive(Accounts)]
pub struct ClosePool<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        mut,
        close = authority,
        has_one = authority @ TributaryError::NotAuthority,
        has_one = vault @ TributaryError::VaultMismatch,
        has_one = mint @ TributaryError::MintMismatch,
        has_one = token_program @ TributaryError::TokenProgramMismatch,
        constraint = pool.load()?.active_contributions == 0 @ TributaryError::PoolNotEmpty,
        constraint = pool.load()?.ledger_pages == 0 @ TributaryError::LedgerPagesOpen
    )]
    pub pool: AccountLoader<'info, Pool>,
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    /// Receives the dust and any held revenue left in the vault.
    #[account(mut, token::mint = mint, token::token_program = token_program)]
    pub authority_token: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl ClosePool<'_> {
    /// Close an empty pool: sweep the vault's dust to the authority, close the vault and the pool,
    /// rent back to the authority.
    pub fn close_pool(ctx: Context<Self>) -> Result<()> {
        let accounts = &ctx.accounts;
        let (seeds, decimals) = {
            let pool = accounts.pool.load()?;
            (pool.signer_seeds(), pool.decimals)
        };
        let seeds = seeds.as_slices();
        let pool_info = accounts.pool.to_account_info();
        let swept = accounts.vault.amount;
        let token_program = accounts.token_program.to_account_info();
        let vault = accounts.vault.to_account_info();
        if swept > 0 {
            let signer = VaultSigner {
                token_program: &token_program,
                vault: &vault,
                mint: &accounts.mint.to_account_info(),
                pool: &pool_info,
                seeds: &seeds,
                decimals,
            };
            signer.pay(&accounts.authority_token.to_account_info(), swept)?;
        }
        close_account(CpiContext::new_with_signer(
            accounts.token_program.key(),
            CloseAccount { account: vault, destination: accounts.authority.to_account_info(), authority: pool_info },
            &[&seeds],
        ))?;
        emit!(PoolClosed { pool: accounts.pool.key(), swept });
        Ok(())
    }
}
