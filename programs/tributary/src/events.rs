//! One event per state change. The crank emits one summary per batch (plus one per skipped
//! destination), so events never cost instruction slots (no `emit_cpi!`).
use crate::state::{ContributionKind, SkipReason};
use anchor_lang::prelude::*;

#[event]
pub struct PoolCreated {
    pub pool: Pubkey,
    pub creator: Pubkey,
    pub pool_id: u64,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    pub attestor: Pubkey,
    pub cranker_reward_bps: u16,
    pub min_payout: u64,
}

#[event]
pub struct PoolPauseChanged {
    pub pool: Pubkey,
    pub paused: bool,
}

#[event]
pub struct PoolConfigUpdated {
    pub pool: Pubkey,
    pub cranker_reward_bps: u16,
    pub min_payout: u64,
}

#[event]
pub struct AuthorityProposed {
    pub pool: Pubkey,
    pub authority: Pubkey,
    pub pending_authority: Option<Pubkey>,
}

#[event]
pub struct AuthorityAccepted {
    pub pool: Pubkey,
    pub previous_authority: Pubkey,
    pub authority: Pubkey,
}

#[event]
pub struct AttestorChanged {
    pub pool: Pubkey,
    pub previous_attestor: Pubkey,
    pub attestor: Pubkey,
}

#[event]
pub struct PoolClosed {
    pub pool: Pubkey,
    /// Dust and held revenue swept to the authority when the pool closed.
    pub swept: u64,
}

#[event]
pub struct LedgerPageOpened {
    pub pool: Pubkey,
    pub page: u32,
    pub ledger_page: Pubkey,
    /// Lamports of its rent paid from the pool's page fund back to the opener.
    pub pool_funded: u64,
}

#[event]
pub struct LedgerPageClosed {
    pub pool: Pubkey,
    pub page: u32,
    /// Lamports of its rent that went back to the pool's page fund (the rest went to its payer).
    pub to_page_fund: u64,
}

#[event]
pub struct ContributionRegistered {
    pub pool: Pubkey,
    pub contribution: Pubkey,
    pub contributor: Pubkey,
    pub entry: u32,
    pub kind: ContributionKind,
    pub content_hash: [u8; 32],
    pub uri: String,
    pub destination: Pubkey,
    /// Slot and unix time of the registration (as recorded in the contribution).
    pub slot: u64,
    pub created_at: i64,
}

#[event]
pub struct DestinationChanged {
    pub pool: Pubkey,
    pub entry: u32,
    pub destination: Pubkey,
}

#[event]
pub struct ContributionRetired {
    pub pool: Pubkey,
    pub entry: u32,
    pub owed: u64,
}

#[event]
pub struct ContributionClosed {
    pub pool: Pubkey,
    pub entry: u32,
    pub contribution: Pubkey,
    /// Lamports of its rent left in the pool's page fund (its slot's share of a page).
    pub slot_share: u64,
}

#[event]
pub struct WeightsSet {
    pub pool: Pubkey,
    pub epoch: u64,
    pub report_hash: [u8; 32],
    /// Entries whose weight was set (inactive ones are skipped with `InactiveEntrySkipped`).
    pub updated: u32,
    pub total_weight: u64,
}

#[event]
pub struct RevenueDeposited {
    pub pool: Pubkey,
    pub depositor: Pubkey,
    pub amount: u64,
    /// Revenue held because the pool had no weight (includes earlier held revenue).
    pub held: u64,
    pub acc_per_weight: u128,
}

#[event]
pub struct UsageAttributed {
    pub pool: Pubkey,
    pub payer: Pubkey,
    pub fee: u64,
    /// Entries credited (inactive ones are skipped with `InactiveEntrySkipped`).
    pub entries: u32,
    /// Rounding remainder of the shares plus the shares of skipped entries, spread over the pool by
    /// weight.
    pub remainder: u64,
}

/// An attestor's weight or a usage share named an entry that was retired or closed before the
/// instruction landed: it was left out (weight 0, no share) and the rest of the instruction applied,
/// so one contributor cannot block everyone else's weights or a usage fee.
#[event]
pub struct InactiveEntrySkipped {
    pub pool: Pubkey,
    pub entry: u32,
    /// The entry's status (`entry_status`: 2 retired, 3 closed).
    pub status: u8,
}

#[event]
pub struct PayoutSkipped {
    pub pool: Pubkey,
    pub entry: u32,
    pub destination: Pubkey,
    pub reason: SkipReason,
    /// Stays owed and claimable.
    pub owed: u64,
}

#[event]
pub struct CrankBatch {
    pub pool: Pubkey,
    pub page: u32,
    pub cranker: Pubkey,
    pub entries: u32,
    pub paid: u32,
    pub skipped: u32,
    pub amount: u64,
    pub reward: u64,
}

#[event]
pub struct Claimed {
    pub pool: Pubkey,
    pub entry: u32,
    pub destination: Pubkey,
    pub amount: u64,
}
