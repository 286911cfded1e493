//! Every program-derived address, from the seeds in `tributary::constants`.
use anchor_lang::prelude::Pubkey;
use tributary::constants::{CONTRIBUTION_SEED, ENTRIES_PER_PAGE, LEDGER_SEED, POOL_SEED, VAULT_SEED};
use tributary::ID;

pub fn pool(creator: &Pubkey, pool_id: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[POOL_SEED, creator.as_ref(), &pool_id.to_le_bytes()], &ID)
}

pub fn vault(pool: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[VAULT_SEED, pool.as_ref()], &ID)
}

pub fn ledger_page(pool: &Pubkey, page: u32) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[LEDGER_SEED, pool.as_ref(), &page.to_le_bytes()], &ID)
}

/// The page holding global entry `entry`.
pub fn page_of(entry: u32) -> u32 {
    entry / ENTRIES_PER_PAGE
}

pub fn ledger_page_of_entry(pool: &Pubkey, entry: u32) -> Pubkey {
    ledger_page(pool, page_of(entry)).0
}

pub fn contribution(pool: &Pubkey, content_hash: &[u8; 32]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[CONTRIBUTION_SEED, pool.as_ref(), content_hash], &ID)
}
