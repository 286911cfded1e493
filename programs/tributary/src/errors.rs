//! Every refusal has a name.
use anchor_lang::prelude::*;

#[error_code]
pub enum TributaryError {
    #[msg("the pool is paused")]
    PoolPaused,
    #[msg("cranker reward above the 1% cap")]
    CrankerRewardTooHigh,
    #[msg("the mint is not supported: Token-2022 extension not on the allowlist")]
    UnsupportedMintExtension,
    #[msg("signer is not the pool authority")]
    NotAuthority,
    #[msg("signer is not the pending authority")]
    NotPendingAuthority,
    #[msg("no authority transfer is pending")]
    NoPendingAuthority,
    #[msg("signer is not the pool attestor")]
    NotAttestor,
    #[msg("signer is not the contributor")]
    NotContributor,
    #[msg("account does not belong to this pool")]
    PoolMismatch,
    #[msg("vault does not match the pool")]
    VaultMismatch,
    #[msg("mint does not match the pool")]
    MintMismatch,
    #[msg("token program does not match the pool")]
    TokenProgramMismatch,
    #[msg("ledger page does not match the pool or the entry")]
    LedgerPageMismatch,
    #[msg("ledger pages must be opened in order")]
    LedgerPageOutOfOrder,
    #[msg("the ledger is full: open a new ledger page")]
    LedgerFull,
    #[msg("only the last ledger page can be closed")]
    NotLastLedgerPage,
    #[msg("a contribution with this content hash already exists in this pool")]
    DuplicateContribution,
    #[msg("URI empty or longer than 200 bytes")]
    InvalidUri,
    #[msg("entry index is outside the ledger page")]
    EntryNotInPage,
    #[msg("entry is not active")]
    EntryNotActive,
    #[msg("entry named twice")]
    DuplicateEntry,
    #[msg("contribution must be retired first")]
    ContributionNotRetired,
    #[msg("contribution still has an amount owed: claim it first")]
    OwedNotClaimed,
    #[msg("attribution epoch older than the current one")]
    StaleEpoch,
    #[msg("same epoch with a different report hash")]
    ReportHashMismatch,
    #[msg("too many entries in one instruction")]
    TooManyEntries,
    #[msg("usage shares must be positive and sum to exactly 10,000 bps")]
    InvalidShares,
    #[msg("amount must be greater than zero")]
    ZeroAmount,
    #[msg("nothing owed to claim")]
    NothingToClaim,
    #[msg("remaining accounts do not match the entries named")]
    AccountCountMismatch,
    #[msg("destination account does not match the ledger entry")]
    DestinationMismatch,
    #[msg("the cranker reward account is not a token account of the pool's mint")]
    InvalidRewardAccount,
    #[msg("the mint account is required for Token-2022 pools")]
    MintRequired,
    /// No longer returned: Token-2022 pays through its own `batch` (v11). Kept so that every
    /// later error keeps its code.
    #[msg("p-token batch transfers need a classic SPL Token mint")]
    BatchNeedsClassicToken,
    #[msg("the pool still has active contributions")]
    PoolNotEmpty,
    #[msg("close the ledger pages first")]
    LedgerPagesOpen,
    #[msg("total weight would overflow")]
    WeightOverflow,
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("the mint has a close authority: it could be re-created with other extensions")]
    MintCloseAuthoritySet,
    #[msg("revenue per unit of weight would overflow: post larger weights (scale them up) before this deposit")]
    RevenuePerWeightOverflow,
    #[msg("the pool's books would become inconsistent (Pool::invariant)")]
    PoolInvariantViolated,
    #[msg("the all-zero key cannot be proposed as authority (it means none is pending): pass none to cancel")]
    InvalidPendingAuthority,
}

impl From<tributary_math::MathError> for TributaryError {
    fn from(e: tributary_math::MathError) -> Self {
        match e {
            tributary_math::MathError::InvalidShares => TributaryError::InvalidShares,
            tributary_math::MathError::InvalidBps => TributaryError::CrankerRewardTooHigh,
            tributary_math::MathError::Overflow | tributary_math::MathError::ZeroTotalWeight => {
                TributaryError::MathOverflow
            }
        }
    }
}

/// `?` on math results inside handlers.
pub fn math<T>(r: core::result::Result<T, tributary_math::MathError>) -> Result<T> {
    r.map_err(|e| error!(TributaryError::from(e)))
}
