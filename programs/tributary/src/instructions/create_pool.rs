use crate::constants::MAX_CRANKER_REWARD_BPS;
use crate::constants::{POOL_SEED, TOKEN_ACCOUNT_LEN, VAULT_SEED};
use crate::errors::TributaryError;
use crate::events::PoolCreated;
use crate::state::Pool;
use crate::utils::{accounts::create_pda_account, token::require_supported_mint};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{initialize_account3, InitializeAccount3, Mint, TokenInterface};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreatePoolArgs {
    /// Distinguishes the creator's pools; seeds the pool PDA.
    pub pool_id: u64,
    pub attestor: Pubkey,
    pub cranker_reward_bps: u16,
    pub min_payout: u64,
}

#[derive(Accounts)]
#[instruction(args: CreatePoolArgs)]
pub struct CreatePool<'info> {
    #[account(mut)]
    pub creator: Signer<'info>,
    #[account(
        init,
        payer = creator,
        space = Pool::SPACE,
        seeds = [POOL_SEED, creator.key().as_ref(), &args.pool_id.to_le_bytes()],
        bump
    )]
    pub pool: AccountLoader<'info, Pool>,
    #[account(mint::token_program = token_program)]
    pub mint: InterfaceAccount<'info, Mint>,
    /// CHECK: the vault PDA; the handler creates it once the mint has passed the allowlist.
    #[account(mut, seeds = [VAULT_SEED, pool.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl CreatePool<'_> {
    pub fn create_pool(ctx: &mut Context<Self>, args: CreatePoolArgs) -> Result<()> {
        require!(args.cranker_reward_bps <= MAX_CRANKER_REWARD_BPS, TributaryError::CrankerRewardTooHigh);
        let accounts = &mut ctx.accounts;
        require_supported_mint(&accounts.mint.to_account_info())?;

        let pool_key = accounts.pool.key();
        let vault_bump = ctx.bumps.vault;
        create_pda_account(
            &accounts.creator.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.system_program.to_account_info(),
            &accounts.token_program.key(),
            TOKEN_ACCOUNT_LEN,
            &[VAULT_SEED, pool_key.as_ref(), &[vault_bump]],
        )?;
        initialize_account3(CpiContext::new(
            accounts.token_program.key(),
            InitializeAccount3 {
                account: accounts.vault.to_account_info(),
                mint: accounts.mint.to_account_info(),
                authority: accounts.pool.to_account_info(),
            },
        ))?;

        let mut pool = accounts.pool.load_init()?;
        *pool = Pool {
            creator: accounts.creator.key(),
            authority: accounts.creator.key(),
            pending_authority: Pubkey::default(),
            attestor: args.attestor,
            mint: accounts.mint.key(),
            token_program: accounts.token_program.key(),
            vault: accounts.vault.key(),
            report_hash: [0; 32],
            acc_per_weight: [0; 2],
            total_deposited: [0; 2],
            total_usage_fees: [0; 2],
            total_paid: [0; 2],
            total_cranker_rewards: [0; 2],
            pool_id: args.pool_id,
            carry: 0,
            held: 0,
            total_weight: 0,
            min_payout: args.min_payout,
            epoch: 0,
            page_fund: 0,
            entry_count: 0,
            ledger_pages: 0,
            active_contributions: 0,
            cranker_reward_bps: args.cranker_reward_bps,
            bump: ctx.bumps.pool,
            vault_bump,
            decimals: accounts.mint.decimals,
            paused: 0,
            version: crate::constants::POOL_VERSION,
            _reserved_small: [0; 5],
            _reserved: [0; 8],
        };
        pool.invariant()?;
        emit!(PoolCreated {
            pool: pool_key,
            creator: pool.creator,
            pool_id: pool.pool_id,
            mint: pool.mint,
            token_program: pool.token_program,
            vault: pool.vault,
            attestor: pool.attestor,
            cranker_reward_bps: pool.cranker_reward_bps,
            min_payout: pool.min_payout,
        });
        Ok(())
    }
}
