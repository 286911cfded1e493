//! One read model of a pool, used by the crank, every operator command and the demo (and mirrored
//! by `PoolView` in `@tributary/client`): the pool, its ledger pages, every registered entry and
//! what each is owed by the program's own math.
//!
//! A page's entries are found by their status, never by `LedgerPage::live_entries`: it counts the
//! entries registered on the page and not yet closed, so after a close it is no longer the number
//! of slots in use, and reading `entries[..live_entries]` would hide the page's highest entries.
use crate::accounts::{self as decode, DecodeError};
use crate::instructions::PoolKeys;
use anchor_lang::prelude::Pubkey;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::errors::TributaryError;
use tributary::state::{entry_status, LedgerEntry, LedgerPage, Pool};

/// A pool and all its ledger pages as read in one go.
pub struct PoolView {
    pub address: Pubkey,
    pub pool: Pool,
    pub keys: PoolKeys,
    /// Page `i` at index `i` (`None` if it is not there: closed, or not read).
    pub pages: Vec<Option<Box<LedgerPage>>>,
}

impl PoolView {
    /// The addresses of every ledger page of `pool`, in page order: what to read for
    /// [`PoolView::from_accounts`].
    pub fn page_addresses(address: &Pubkey, pool: &Pool) -> Vec<Pubkey> {
        (0..pool.ledger_pages).map(|page| crate::pda::ledger_page(address, page).0).collect()
    }

    /// Decode a pool account's data and its pages' data (in the order of [`Self::page_addresses`];
    /// `None` where there is no account). A page that does not decode is treated as absent.
    pub fn from_accounts<'a>(
        address: Pubkey,
        pool_data: &[u8],
        pages: impl IntoIterator<Item = Option<&'a [u8]>>,
    ) -> Result<Self, DecodeError> {
        let pool = decode::pool(pool_data)?;
        let keys = PoolKeys::from_account(address, &pool);
        let pages = pages.into_iter().map(|data| data.and_then(|d| decode::ledger_page(d).ok())).collect();
        Ok(Self { address, pool, keys, pages })
    }

    /// Every registered entry (any status but `EMPTY`) with its global index, in index order.
    pub fn entries(&self) -> impl Iterator<Item = (u32, &LedgerEntry)> + '_ {
        self.pages.iter().enumerate().flat_map(|(p, page)| {
            page.iter().flat_map(move |page| {
                page.entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.status != entry_status::EMPTY)
                    .map(move |(slot, e)| (p as u32 * ENTRIES_PER_PAGE + slot as u32, e))
            })
        })
    }

    /// The registered entries with `status` (`entry_status::ACTIVE`, `RETIRED` or `CLOSED`).
    pub fn entries_with(&self, status: u8) -> impl Iterator<Item = (u32, &LedgerEntry)> + '_ {
        self.entries().filter(move |(_, e)| e.status == status)
    }

    /// The entry at global index `index`, if it is registered and its page was read.
    pub fn entry(&self, index: u32) -> Option<&LedgerEntry> {
        let page = self.pages.get((index / ENTRIES_PER_PAGE) as usize)?.as_ref()?;
        Some(&page.entries[(index % ENTRIES_PER_PAGE) as usize]).filter(|e| e.status != entry_status::EMPTY)
    }

    /// What `entry` would be owed if settled now (what a crank or claim would pay, before the
    /// cranker reward).
    pub fn owed(&self, entry: &LedgerEntry) -> Result<u64, TributaryError> {
        decode::owed_now(entry, &self.pool)
    }

    /// What every entry would be owed if settled now, summed.
    pub fn total_owed(&self) -> Result<u128, TributaryError> {
        self.entries().try_fold(0u128, |total, (_, e)| Ok(total + u128::from(self.owed(e)?)))
    }

    /// Everything the vault owes in 2⁻⁶⁴ base units (see [`decode::obligations_x64`]).
    pub fn obligations_x64(&self) -> Result<u128, TributaryError> {
        decode::obligations_x64(&self.pool, self.entries().map(|(_, e)| e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_with(statuses: &[u8]) -> Box<LedgerPage> {
        let mut page: Box<LedgerPage> = Box::new(bytemuck::Zeroable::zeroed());
        for (slot, status) in statuses.iter().enumerate() {
            page.entries[slot].status = *status;
            page.entries[slot].owed = slot as u64 + 1;
        }
        // as the program keeps it: registered and not closed
        page.live_entries =
            statuses.iter().filter(|s| **s == entry_status::ACTIVE || **s == entry_status::RETIRED).count() as u32;
        page
    }

    fn view(pages: Vec<Option<Box<LedgerPage>>>) -> PoolView {
        let pool: Pool = bytemuck::Zeroable::zeroed();
        PoolView { address: Pubkey::default(), keys: PoolKeys::from_account(Pubkey::default(), &pool), pool, pages }
    }

    #[test]
    fn a_closed_entry_hides_no_other_entry_of_its_page() {
        use entry_status::{ACTIVE, CLOSED, RETIRED};
        // entry 1 closed: `live_entries` is 2, yet entry 2 is still there
        let v = view(vec![Some(page_with(&[ACTIVE, CLOSED, ACTIVE])), None, Some(page_with(&[RETIRED]))]);
        let indices: Vec<u32> = v.entries().map(|(i, _)| i).collect();
        assert_eq!(indices, vec![0, 1, 2, 2 * ENTRIES_PER_PAGE]);
        assert_eq!(v.entries_with(ACTIVE).map(|(i, _)| i).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(v.entry(2).map(|e| e.owed), Some(3));
        assert!(v.entry(3).is_none() && v.entry(ENTRIES_PER_PAGE).is_none(), "empty slot, absent page");
        assert_eq!(v.total_owed().expect("owed"), 1 + 2 + 3 + 1);
    }
}
