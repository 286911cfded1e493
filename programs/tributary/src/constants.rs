//! Seeds and limits, in one place. The SDK derives every PDA from these. Those a client needs
//! are `#[constant]`s, so they are in the IDL.
use anchor_lang::prelude::constant;

/// `[POOL_SEED, creator, pool_id (u64 le)]`
pub const POOL_SEED: &[u8] = b"pool";
/// `[VAULT_SEED, pool]`: the pool's token account, owned by the pool PDA.
pub const VAULT_SEED: &[u8] = b"vault";
/// `[LEDGER_SEED, pool, page (u32 le)]`: one page of hot payout state.
pub const LEDGER_SEED: &[u8] = b"ledger";
/// `[CONTRIBUTION_SEED, pool, content_hash]`: one per pool and content hash.
pub const CONTRIBUTION_SEED: &[u8] = b"contribution";

/// Entries per ledger page. A page is created by CPI, which caps new accounts at 10 KiB:
/// 8 (discriminator) + 80 (header) + 84 × 120 = 10,168 bytes.
#[constant]
pub const ENTRIES_PER_PAGE: u32 = 84;
/// `Pool::version` of pools this program creates.
#[constant]
pub const POOL_VERSION: u8 = 1;
/// Longest URI stored with a contribution, in bytes.
#[constant]
pub const MAX_URI_LEN: u32 = 200;
/// Most entries one usage fee can be attributed to.
#[constant]
pub const MAX_USAGE_ENTRIES: u32 = 16;
/// Most weight updates in one `set_weights` instruction (bounded by the transaction size anyway).
#[constant]
pub const MAX_WEIGHT_UPDATES: u32 = 84;
/// Size of an SPL Token account without extensions.
pub const TOKEN_ACCOUNT_LEN: usize = 165;
/// Highest cranker reward, in basis points of each payout (1 %).
#[constant]
pub const MAX_CRANKER_REWARD_BPS: u16 = 100;
const _: () = assert!(MAX_CRANKER_REWARD_BPS == tributary_math::MAX_CRANKER_REWARD_BPS);

// A ledger entry's `status` (`state::ledger::entry_status`), named in the IDL.
/// Slot never registered.
#[constant]
pub const ENTRY_STATUS_EMPTY: u8 = 0;
/// Registered and earning by its weight.
#[constant]
pub const ENTRY_STATUS_ACTIVE: u8 = 1;
/// Retired: weight 0, what it is owed still paid by the crank and claimable.
#[constant]
pub const ENTRY_STATUS_RETIRED: u8 = 2;
/// Closed: its contribution account is gone and nothing is owed.
#[constant]
pub const ENTRY_STATUS_CLOSED: u8 = 3;
