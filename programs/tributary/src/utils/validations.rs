//! Checks several instructions share.
use crate::constants::MAX_URI_LEN;
use crate::errors::TributaryError;
use anchor_lang::prelude::*;

pub fn require_not_paused(paused: bool) -> Result<()> {
    require!(!paused, TributaryError::PoolPaused);
    Ok(())
}

pub fn require_valid_uri(uri: &str) -> Result<()> {
    require!(!uri.is_empty() && uri.len() <= MAX_URI_LEN as usize, TributaryError::InvalidUri);
    Ok(())
}

/// Refuse an entry index named twice (k is small: O(k²) beats a set on sBPF).
pub fn require_distinct(entries: impl Iterator<Item = u32> + Clone) -> Result<()> {
    for (i, a) in entries.clone().enumerate() {
        require!(entries.clone().skip(i + 1).all(|b| b != a), TributaryError::DuplicateEntry);
    }
    Ok(())
}
