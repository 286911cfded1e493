use crate::constants::ENTRIES_PER_PAGE;
use crate::errors::TributaryError;
use anchor_lang::prelude::*;

/// Hot payout state of up to 84 contributions. Keeping it here, not in each contribution, is
/// what lets a crank payout need only its destination token account in the transaction.
#[account(zero_copy)]
pub struct LedgerPage {
    pub pool: Pubkey,
    /// Opened the page. When the page is closed (the pool's last page, the pool empty) its rent
    /// goes back to them, less `pool_funded`.
    pub payer: Pubkey,
    pub page: u32,
    /// Entries of this page registered and not yet closed: a count, not a bound. Readers find an
    /// entry by its `status` (`EMPTY` never registered), never by `slot < live_entries`.
    pub live_entries: u32,
    /// Lamports of the page's rent paid from the pool's page fund (paid back to `payer` when the
    /// page was opened); they go back to the fund when the page is closed.
    pub pool_funded: u64,
    pub entries: [LedgerEntry; ENTRIES_PER_PAGE as usize],
}

/// Entry status values (in the IDL as the `ENTRY_STATUS_*` constants).
pub mod entry_status {
    use crate::constants as c;
    pub const EMPTY: u8 = c::ENTRY_STATUS_EMPTY;
    pub const ACTIVE: u8 = c::ENTRY_STATUS_ACTIVE;
    pub const RETIRED: u8 = c::ENTRY_STATUS_RETIRED;
    pub const CLOSED: u8 = c::ENTRY_STATUS_CLOSED;
}

/// One contribution's payout state. 120 bytes, no implicit padding; 128-bit values are stored as
/// two u64 halves so the layout is the same on every toolchain.
#[zero_copy]
#[derive(Debug, Default)]
pub struct LedgerEntry {
    /// Token account the crank pays (owned by `contributor`, of the pool's mint).
    pub destination: Pubkey,
    pub contributor: Pubkey,
    /// `acc_per_weight` at the last settlement, little-endian halves.
    pub snapshot: [u64; 2],
    pub weight: u64,
    /// Earned but below one base unit, in 2⁻⁶⁴ base units.
    pub frac: u64,
    /// Settled and not yet paid.
    pub owed: u64,
    /// Sent to the contributor so far.
    pub paid: u64,
    pub status: u8,
    pub _reserved: [u8; 7],
}

const _: () = assert!(core::mem::size_of::<LedgerEntry>() == 120);
const _: () = assert!(8 + core::mem::size_of::<LedgerPage>() <= 10_240);
/// Rent is charged on an account's bytes plus this much (the runtime's `ACCOUNT_STORAGE_OVERHEAD`).
const ACCOUNT_OVERHEAD: usize = 128;
// a slot's share of a page is less than a contribution's own rent, so closing one can always pay it
const _: () = assert!(
    (LedgerPage::SPACE + ACCOUNT_OVERHEAD).div_ceil(ENTRIES_PER_PAGE as usize)
        < crate::state::Contribution::space(0) + ACCOUNT_OVERHEAD
);

impl LedgerPage {
    pub const SPACE: usize = 8 + core::mem::size_of::<LedgerPage>();

    /// One slot's share of a page whose rent is `page_rent`, rounded up: what closing a
    /// contribution leaves in the pool's page fund. A closed entry's slot is never used again, so
    /// whoever burns a slot, not the next page's opener, pays for it. Always less than a
    /// contribution's own rent (123 of its ≥ 259 bytes' worth), at any rent per byte.
    pub fn slot_share(page_rent: u64) -> u64 {
        page_rent.div_ceil(u64::from(ENTRIES_PER_PAGE))
    }

    /// The global index of this page's first entry.
    pub fn first_entry(&self) -> Result<u32> {
        Ok(self.page.checked_mul(ENTRIES_PER_PAGE).ok_or(TributaryError::EntryNotInPage)?)
    }

    /// The slot of global entry `entry` on a page whose first entry is `first` (see
    /// [`Self::first_entry`]); the crank computes `first` once per batch.
    #[inline(always)]
    pub fn slot_from(first: u32, entry: u32) -> Option<usize> {
        // an entry below `first` wraps to a large value and is refused with the ones past the page
        let slot = entry.wrapping_sub(first);
        (slot < ENTRIES_PER_PAGE).then_some(slot as usize)
    }

    /// The slot of global entry `entry` on this page.
    pub fn slot(&self, entry: u32) -> Result<usize> {
        Ok(Self::slot_from(self.first_entry()?, entry).ok_or(TributaryError::EntryNotInPage)?)
    }

    pub fn entry_mut(&mut self, entry: u32) -> Result<&mut LedgerEntry> {
        let slot = self.slot(entry)?;
        Ok(&mut self.entries[slot])
    }
}

impl LedgerEntry {
    pub fn snapshot(&self) -> u128 {
        u128::from(self.snapshot[0]) | (u128::from(self.snapshot[1]) << 64)
    }

    /// Move what the entry earned up to `acc` into `owed`. Returns the new `owed`.
    pub fn settle(&mut self, acc: u128) -> core::result::Result<u64, TributaryError> {
        self.settle_limbs(tributary_math::split(acc))
    }

    /// [`Self::settle`] with the accumulator already split into halves (the crank's hot path).
    #[inline(always)]
    pub fn settle_limbs(&mut self, acc: [u64; 2]) -> core::result::Result<u64, TributaryError> {
        let accrual = tributary_math::accrue_limbs(self.weight, acc, self.snapshot, self.frac)?;
        self.owed = self.owed.checked_add(accrual.amount).ok_or(TributaryError::MathOverflow)?;
        self.frac = accrual.frac;
        self.snapshot = acc;
        Ok(self.owed)
    }

    /// What `settle(acc)` would make owed, without changing the entry (read side).
    pub fn owed_at(&self, acc: u128) -> core::result::Result<u64, TributaryError> {
        let mut copy = *self;
        copy.settle(acc)
    }

    pub fn is_active(&self) -> bool {
        self.status == entry_status::ACTIVE
    }

    /// Registered once and since retired or closed: an attestor's weight or a usage share naming it
    /// is skipped, not refused (the contributor chose when to retire, not the attestor).
    pub fn is_withdrawn(&self) -> bool {
        self.status == entry_status::RETIRED || self.status == entry_status::CLOSED
    }
}

/// Why the crank left an entry owed instead of paying it.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub enum SkipReason {
    /// Not a token account of the pool's token program (closed, or never one).
    NotTokenAccount,
    WrongMint,
    /// No longer owned by the contributor.
    WrongOwner,
    Frozen,
    /// A delegate could move the payout: the contributor should claim instead.
    Delegated,
    /// A Token-2022 account extension that could make the transfer fail (e.g. required memos).
    UnsupportedExtension,
}
