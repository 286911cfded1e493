//! Decoding Tributary accounts and computing what an entry is owed right now.
use anchor_lang::{AccountDeserialize, Discriminator};
use tributary::state::{Contribution, LedgerEntry, LedgerPage, Pool};

#[derive(Debug)]
pub enum DecodeError {
    WrongDiscriminator,
    TooShort,
    Borsh(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::WrongDiscriminator => write!(f, "account discriminator does not match"),
            DecodeError::TooShort => write!(f, "account data too short"),
            DecodeError::Borsh(e) => write!(f, "cannot decode account: {e}"),
        }
    }
}
impl std::error::Error for DecodeError {}

/// A pool, copied out of the account data (which has no alignment guarantee).
pub fn pool(data: &[u8]) -> Result<Pool, DecodeError> {
    zero_copy(data, Pool::DISCRIMINATOR, Pool::SPACE)
}

pub fn contribution(data: &[u8]) -> Result<Contribution, DecodeError> {
    Contribution::try_deserialize(&mut &data[..]).map_err(|e| DecodeError::Borsh(e.to_string()))
}

/// A ledger page, copied out of the account data (which has no alignment guarantee).
pub fn ledger_page(data: &[u8]) -> Result<Box<LedgerPage>, DecodeError> {
    zero_copy(data, LedgerPage::DISCRIMINATOR, LedgerPage::SPACE).map(Box::new)
}

/// A zero-copy account of `space` bytes (discriminator included), copied out of `data`.
fn zero_copy<T: bytemuck::Pod>(data: &[u8], discriminator: &[u8], space: usize) -> Result<T, DecodeError> {
    if data.len() < space {
        return Err(DecodeError::TooShort);
    }
    if data[..discriminator.len()] != *discriminator {
        return Err(DecodeError::WrongDiscriminator);
    }
    Ok(bytemuck::pod_read_unaligned(&data[8..space]))
}

/// What the entry would be owed if settled now (what a crank or claim would pay, before the
/// cranker reward). Fails only where the program would fail too (overflow).
pub fn owed_now(entry: &LedgerEntry, pool: &Pool) -> Result<u64, tributary::errors::TributaryError> {
    entry.owed_at(pool.acc_per_weight())
}

/// Everything the vault owes, in 2⁻⁶⁴ base units: each entry's owed and accrued amounts with its
/// sub-unit fraction, plus the pool's carry and held revenue. The books balance exactly when this
/// equals the vault balance × 2⁶⁴.
pub fn obligations_x64<'a>(
    pool: &Pool,
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
) -> Result<u128, tributary::errors::TributaryError> {
    use tributary::errors::TributaryError::MathOverflow;
    let one = 1u128 << 64;
    let mut total = u128::from(pool.carry) + u128::from(pool.held) * one;
    for e in entries {
        let pending =
            tributary_math::accrue(e.weight, pool.acc_per_weight(), e.snapshot(), e.frac).map_err(|_| MathOverflow)?;
        let whole = u128::from(e.owed).checked_add(u128::from(pending.amount)).ok_or(MathOverflow)?;
        total = total
            .checked_add(whole.checked_mul(one).ok_or(MathOverflow)?)
            .and_then(|t| t.checked_add(u128::from(pending.frac)))
            .ok_or(MathOverflow)?;
    }
    Ok(total)
}
