//! Seeds and limits, in one place. The SDK derives every PDA from these.

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
pub const ENTRIES_PER_PAGE: u32 = 84;
/// Longest URI stored with a contribution, in bytes.
pub const MAX_URI_LEN: usize = 200;
/// Most entries one usage fee can be attributed to.
pub const MAX_USAGE_ENTRIES: usize = 16;
/// Most weight updates in one `set_weights` instruction (bounded by the transaction size anyway).
pub const MAX_WEIGHT_UPDATES: usize = 84;
/// Size of an SPL Token account without extensions.
pub const TOKEN_ACCOUNT_LEN: usize = 165;
