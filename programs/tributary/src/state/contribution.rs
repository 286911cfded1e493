use anchor_lang::prelude::*;

/// What was contributed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum ContributionKind {
    Dataset,
    Model,
    Compute,
    Other,
}

/// Lifecycle of a contribution (mirrored in its ledger entry).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum ContributionStatus {
    Active,
    Retired,
}

/// One contribution to a pool, unique per content hash. Its payout state lives in the ledger
/// entry `entry`, so the crank never needs this account.
#[account]
#[derive(Debug)]
pub struct Contribution {
    pub pool: Pubkey,
    pub contributor: Pubkey,
    /// SHA-256 of the contributed file (hashed client-side; the file never goes on chain).
    pub content_hash: [u8; 32],
    /// Index of the ledger entry (page = entry / ENTRIES_PER_PAGE).
    pub entry: u32,
    pub kind: ContributionKind,
    pub status: ContributionStatus,
    pub bump: u8,
    /// Slot of the registration.
    pub created_slot: u64,
    /// Unix time of the registration (the cluster's `Clock`): kept here because not every RPC
    /// node keeps block times, so it cannot be derived from the slot later.
    pub created_at: i64,
    /// Where the contribution can be found (≤ 200 bytes).
    pub uri: String,
}

impl Contribution {
    /// Account size for a URI of `uri_len` bytes: rent is paid only for the bytes used.
    pub const fn space(uri_len: usize) -> usize {
        8 + 32 + 32 + 32 + 4 + 1 + 1 + 1 + 8 + 8 + 4 + uri_len
    }
}
