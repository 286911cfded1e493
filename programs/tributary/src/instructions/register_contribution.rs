use crate::constants::{CONTRIBUTION_SEED, ENTRIES_PER_PAGE};
use crate::errors::TributaryError;
use crate::events::ContributionRegistered;
use crate::state::{entry_status, Contribution, ContributionKind, ContributionStatus, LedgerEntry, LedgerPage, Pool};
use crate::utils::{accounts::create_pda_account, validations};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{TokenAccount, TokenInterface};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterContributionArgs {
    /// SHA-256 of the contributed file.
    pub content_hash: [u8; 32],
    pub kind: ContributionKind,
    pub uri: String,
}

#[derive(Accounts)]
#[instruction(args: RegisterContributionArgs)]
pub struct RegisterContribution<'info> {
    #[account(mut)]
    pub contributor: Signer<'info>,
    #[account(mut, has_one = token_program @ TributaryError::TokenProgramMismatch)]
    pub pool: AccountLoader<'info, Pool>,
    /// The page holding entry `pool.entry_count`.
    #[account(mut, constraint = ledger_page.load()?.pool == pool.key() @ TributaryError::LedgerPageMismatch)]
    pub ledger_page: AccountLoader<'info, LedgerPage>,
    /// CHECK: the contribution PDA, created by the handler (so that a duplicate gets its own error).
    #[account(mut, seeds = [CONTRIBUTION_SEED, pool.key().as_ref(), args.content_hash.as_ref()], bump)]
    pub contribution: UncheckedAccount<'info>,
    /// Where the crank pays: a token account of the pool's mint owned by the contributor.
    #[account(
        token::mint = pool.load()?.mint,
        token::authority = contributor,
        token::token_program = token_program
    )]
    pub destination: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl RegisterContribution<'_> {
    pub fn register_contribution(ctx: &mut Context<Self>, args: RegisterContributionArgs) -> Result<()> {
        let accounts = &mut ctx.accounts;
        validations::require_not_paused(accounts.pool.load()?.is_paused())?;
        validations::require_valid_uri(&args.uri)?;
        require!(
            accounts.contribution.data_is_empty() && *accounts.contribution.owner == System::id(),
            TributaryError::DuplicateContribution
        );

        let entry_index = {
            let mut pool = accounts.pool.load_mut()?;
            let entry_index = pool.entry_count;
            require!(entry_index / ENTRIES_PER_PAGE < pool.ledger_pages, TributaryError::LedgerFull);
            let mut page = accounts.ledger_page.load_mut()?;
            let slot = page.slot(entry_index).map_err(|_| error!(TributaryError::LedgerPageMismatch))?;
            page.entries[slot] = LedgerEntry {
                destination: accounts.destination.key(),
                contributor: accounts.contributor.key(),
                status: entry_status::ACTIVE,
                ..LedgerEntry::default()
            };
            page.entries[slot].settle(pool.acc_per_weight())?; // snapshot now; weight 0 accrues nothing
            page.live_entries = page.live_entries.saturating_add(1);
            pool.entry_count = entry_index.checked_add(1).ok_or(TributaryError::MathOverflow)?;
            pool.active_contributions = pool.active_contributions.checked_add(1).ok_or(TributaryError::MathOverflow)?;
            entry_index
        };

        let pool_key = accounts.pool.key();
        let bump = ctx.bumps.contribution;
        create_pda_account(
            &accounts.contributor.to_account_info(),
            &accounts.contribution.to_account_info(),
            &accounts.system_program.to_account_info(),
            &crate::ID,
            Contribution::space(args.uri.len()),
            &[CONTRIBUTION_SEED, pool_key.as_ref(), args.content_hash.as_ref(), &[bump]],
        )?;
        let clock = Clock::get()?;
        let contribution = Contribution {
            pool: pool_key,
            contributor: accounts.contributor.key(),
            content_hash: args.content_hash,
            entry: entry_index,
            kind: args.kind,
            status: ContributionStatus::Active,
            bump,
            created_slot: clock.slot,
            created_at: clock.unix_timestamp,
            uri: args.uri,
        };
        {
            let info = accounts.contribution.to_account_info();
            let mut data = info.try_borrow_mut_data()?;
            contribution.try_serialize(&mut &mut data[..])?;
        }
        emit!(ContributionRegistered {
            pool: pool_key,
            contribution: accounts.contribution.key(),
            contributor: contribution.contributor,
            entry: entry_index,
            kind: contribution.kind,
            content_hash: contribution.content_hash,
            uri: contribution.uri,
            destination: accounts.destination.key(),
            slot: clock.slot,
            created_at: clock.unix_timestamp,
        });
        Ok(())
    }
}
