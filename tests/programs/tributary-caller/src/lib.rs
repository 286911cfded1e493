//! A test program: what an app that pays for a model from its own program does. It calls Tributary's
//! `deposit`, `attribute_usage` and `crank` through Tributary's `cpi` feature, forwarding the
//! accounts it is given (the user's signature carries through the CPI), and pays a usage fee from
//! a treasury it owns (a PDA that signs). `tests/tests/program/composability.rs` holds every
//! forwarded call equal to the direct one: the same accounts afterwards, the same events, the same
//! errors.
use anchor_lang::prelude::*;
use tributary::cpi::accounts as tributary_accounts;
use tributary::program::Tributary;
use tributary::UsageShare;

declare_id!("9xBHmjfioiGmg2mCcFHEUnezgsiBsQu18ETTgTDTi24h");

/// Seed of the app's treasury PDA, which owns the token account usage fees are paid from.
pub const TREASURY_SEED: &[u8] = b"treasury";

#[program]
pub mod tributary_caller {
    use super::*;

    /// Forward a deposit to Tributary.
    pub fn deposit<'info>(ctx: Context<'info, Forward<'info>>, amount: u64) -> Result<()> {
        let a = &ctx.accounts;
        let accounts = tributary_accounts::Deposit {
            depositor: a.signer.to_account_info(),
            pool: account(ctx.remaining_accounts, 0)?,
            mint: account(ctx.remaining_accounts, 1)?,
            vault: account(ctx.remaining_accounts, 2)?,
            depositor_token: account(ctx.remaining_accounts, 3)?,
            token_program: account(ctx.remaining_accounts, 4)?,
        };
        tributary::cpi::deposit(CpiContext::new(a.tributary_program.key(), accounts), amount)
    }

    /// Forward a usage fee to Tributary, paid by the signer.
    pub fn attribute_usage<'info>(
        ctx: Context<'info, Forward<'info>>,
        fee: u64,
        shares: Vec<UsageShare>,
    ) -> Result<()> {
        let accounts = usage_accounts(ctx.accounts.signer.to_account_info(), ctx.remaining_accounts)?;
        tributary::cpi::attribute_usage(CpiContext::new(ctx.accounts.tributary_program.key(), accounts), fee, shares)
    }

    /// Pay a usage fee from the app's treasury: the treasury PDA signs as Tributary's payer.
    pub fn attribute_usage_from_treasury<'info>(
        ctx: Context<'info, FromTreasury<'info>>,
        fee: u64,
        shares: Vec<UsageShare>,
    ) -> Result<()> {
        let accounts = usage_accounts(ctx.accounts.treasury.to_account_info(), ctx.remaining_accounts)?;
        let seeds: &[&[u8]] = &[TREASURY_SEED, &[ctx.bumps.treasury]];
        tributary::cpi::attribute_usage(
            CpiContext::new_with_signer(ctx.accounts.tributary_program.key(), accounts, &[seeds]),
            fee,
            shares,
        )
    }

    /// Forward a crank: the fixed accounts in Tributary's order, then the destinations.
    pub fn crank<'info>(ctx: Context<'info, Forward<'info>>, entries: Vec<u32>, batch: bool) -> Result<()> {
        let rest = ctx.remaining_accounts;
        let program = ctx.accounts.tributary_program.key();
        // Anchor's encoding of an absent optional account: Tributary's program id in its place
        let optional = |index: usize| account(rest, index).map(|info| (*info.key != program).then_some(info));
        let accounts = tributary_accounts::Crank {
            cranker: ctx.accounts.signer.to_account_info(),
            pool: account(rest, 0)?,
            ledger_page: account(rest, 1)?,
            vault: account(rest, 2)?,
            token_program: account(rest, 3)?,
            mint: optional(4)?,
            reward_account: optional(5)?,
        };
        let destinations = rest.get(6..).unwrap_or_default().to_vec();
        tributary::cpi::crank(CpiContext::new(program, accounts).with_remaining_accounts(destinations), entries, batch)
    }
}

/// The calls that forward: the user who signs, Tributary, and Tributary's accounts (after its
/// signer) as remaining accounts in Tributary's order.
#[derive(Accounts)]
pub struct Forward<'info> {
    pub signer: Signer<'info>,
    pub tributary_program: Program<'info, Tributary>,
}

#[derive(Accounts)]
pub struct FromTreasury<'info> {
    /// CHECK: the app's treasury PDA; it owns the token account the fee is paid from.
    #[account(seeds = [TREASURY_SEED], bump)]
    pub treasury: UncheckedAccount<'info>,
    pub tributary_program: Program<'info, Tributary>,
}

fn account<'info>(accounts: &[AccountInfo<'info>], index: usize) -> Result<AccountInfo<'info>> {
    accounts.get(index).cloned().ok_or_else(|| error!(ErrorCode::AccountNotEnoughKeys))
}

fn usage_accounts<'info>(
    payer: AccountInfo<'info>,
    rest: &[AccountInfo<'info>],
) -> Result<tributary_accounts::AttributeUsage<'info>> {
    Ok(tributary_accounts::AttributeUsage {
        payer,
        pool: account(rest, 0)?,
        ledger_page: account(rest, 1)?,
        mint: account(rest, 2)?,
        vault: account(rest, 3)?,
        payer_token: account(rest, 4)?,
        token_program: account(rest, 5)?,
    })
}
