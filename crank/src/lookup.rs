//! The crank's address lookup tables: every account a payout needs (destinations above all) is kept
//! in tables the bot owns, so a transaction names each with one byte instead of 32. Tables are
//! found again on chain by their authority after a restart; nothing is kept locally.
use crate::chain::{Chain, ChainError, Memcmp, Result};
use crate::tx::{self, SendOptions};
use anchor_lang::prelude::Pubkey;
use solana_address_lookup_table_interface::instruction::{
    close_lookup_table, create_lookup_table, deactivate_lookup_table, extend_lookup_table,
};
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;
use std::collections::HashMap;

pub const LOOKUP_TABLE_PROGRAM: Pubkey = solana_address_lookup_table_interface::program::ID;
/// Offset of the authority's option tag in a table's header: what `getProgramAccounts` filters on.
const AUTHORITY_TAG: usize = 21;
pub const MAX_ADDRESSES: usize = 256;
/// Addresses per extend transaction (32 bytes each within the packet).
const EXTEND_CHUNK: usize = 24;

/// A lookup table an authority owns.
pub struct OwnedTable {
    pub key: Pubkey,
    /// `None` while the table is active.
    pub deactivation_slot: Option<u64>,
    pub addresses: Vec<Pubkey>,
}

/// The lookup tables `authority` owns, active or deactivated (one `getProgramAccounts`; none on a
/// chain that cannot list them).
pub fn owned_tables(chain: &mut dyn Chain, authority: &Pubkey) -> Result<Vec<OwnedTable>> {
    let mut tag_and_key = vec![1u8];
    tag_and_key.extend_from_slice(authority.as_ref());
    let found = chain.get_program_accounts(
        &LOOKUP_TABLE_PROGRAM,
        None,
        &[Memcmp { offset: AUTHORITY_TAG, bytes: tag_and_key }],
    )?;
    Ok(found
        .into_iter()
        .filter_map(|(key, account)| {
            let table = AddressLookupTable::deserialize(&account.data).ok()?;
            let slot = table.meta.deactivation_slot;
            Some(OwnedTable {
                key,
                deactivation_slot: (slot != u64::MAX).then_some(slot),
                addresses: table.addresses.to_vec(),
            })
        })
        .collect())
}

/// What `reclaim` did with each of the payer's tables.
#[derive(Debug, Default, serde::Serialize)]
pub struct Reclaimed {
    pub deactivated: Vec<String>,
    pub closed: Vec<String>,
    /// Deactivated, but still within the cool-down (about 512 slots) before a table can close.
    pub cooling_down: Vec<String>,
    pub lamports_returned: u64,
}

/// Reclaim the rent of the crank's lookup tables: deactivate the active ones, close the deactivated
/// ones whose cool-down is over (rent to the payer). Run it again after the cool-down to finish.
pub fn reclaim(chain: &mut dyn Chain, payer: &Keypair) -> Result<Reclaimed> {
    let mut done = Reclaimed::default();
    for OwnedTable { key: table, deactivation_slot, .. } in owned_tables(chain, &payer.pubkey())? {
        let authority = payer.pubkey();
        match deactivation_slot {
            None => {
                let ix = deactivate_lookup_table(table, authority);
                tx::submit(chain, payer, &[], &[ix], &[], SendOptions::default())?;
                done.deactivated.push(table.to_string());
            }
            Some(_) => {
                let lamports = chain.get_account(&table)?.map(|a| a.lamports).unwrap_or(0);
                let ix = close_lookup_table(table, authority, authority);
                match tx::submit(chain, payer, &[], &[ix], &[], SendOptions::default()) {
                    Ok(_) => {
                        done.closed.push(table.to_string());
                        done.lamports_returned += lamports;
                    }
                    // the program refuses to close a table still in its cool-down
                    Err(ChainError::Failed { .. }) => done.cooling_down.push(table.to_string()),
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(done)
}

#[derive(Default)]
pub struct AddressBook {
    pub tables: Vec<AddressLookupTableAccount>,
    /// Address -> index of the table holding it.
    known: HashMap<Pubkey, usize>,
    /// Slot of the last extension: its addresses are usable from the next slot on.
    last_extended_slot: u64,
}

impl AddressBook {
    /// The active tables `authority` owns (none on a chain that cannot list them).
    pub fn load(chain: &mut dyn Chain, authority: &Pubkey) -> Result<Self> {
        let mut book = Self::default();
        for table in owned_tables(chain, authority)?.into_iter().filter(|t| t.deactivation_slot.is_none()) {
            book.tables.push(AddressLookupTableAccount { key: table.key, addresses: table.addresses });
        }
        // the fullest first, so the one with room (if any) is last
        book.tables.sort_by_key(|t| std::cmp::Reverse(t.addresses.len()));
        for (i, table) in book.tables.iter().enumerate() {
            for a in &table.addresses {
                book.known.entry(*a).or_insert(i);
            }
        }
        Ok(book)
    }

    pub fn contains(&self, address: &Pubkey) -> bool {
        self.known.contains_key(address)
    }

    /// Add the missing `addresses` (payer = authority), creating tables as they fill up, then wait
    /// for the slot in which they become usable.
    pub fn ensure(&mut self, chain: &mut dyn Chain, payer: &Keypair, addresses: &[Pubkey]) -> Result<usize> {
        let mut seen = std::collections::HashSet::new();
        let mut missing: Vec<Pubkey> =
            addresses.iter().filter(|a| !self.known.contains_key(a) && seen.insert(**a)).copied().collect();
        let added = missing.len();
        let opts = SendOptions::default();
        while !missing.is_empty() {
            let room = self.tables.last().map(|t| MAX_ADDRESSES - t.addresses.len()).unwrap_or(0);
            if room == 0 {
                let slot = chain.recent_slot()?;
                let (create, key) = create_lookup_table(payer.pubkey(), payer.pubkey(), slot);
                tx::submit(chain, payer, &[], &[create], &[], opts)?;
                self.tables.push(AddressLookupTableAccount { key, addresses: Vec::new() });
                continue;
            }
            let take = room.min(EXTEND_CHUNK).min(missing.len());
            let chunk: Vec<Pubkey> = missing.drain(..take).collect();
            let index = self.tables.len() - 1;
            let table = self.tables.last_mut().ok_or_else(|| ChainError::Rpc("no lookup table".into()))?;
            let extend = extend_lookup_table(table.key, payer.pubkey(), Some(payer.pubkey()), chunk.clone());
            tx::submit(chain, payer, &[], &[extend], &[], opts)?;
            table.addresses.extend_from_slice(&chunk);
            self.known.extend(chunk.into_iter().map(|a| (a, index)));
            self.last_extended_slot = chain.slot()?;
        }
        if added > 0 {
            chain.wait_past_slot(self.last_extended_slot)?;
        }
        Ok(added)
    }

    /// The tables holding any of `addresses` (what a transaction naming them should reference).
    pub fn tables_for(&self, addresses: &[Pubkey]) -> Vec<AddressLookupTableAccount> {
        let mut indexes: Vec<usize> = addresses.iter().filter_map(|a| self.known.get(a).copied()).collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes.into_iter().map(|i| self.tables[i].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_address_lookup_table_interface::state::LookupTableMeta;

    #[test]
    fn the_authority_filter_sits_where_the_interface_writes_the_authority() {
        let authority = Pubkey::new_from_array([7; 32]);
        let addresses = [Pubkey::new_from_array([1; 32]), Pubkey::new_from_array([2; 32])];
        let table = |deactivation_slot| {
            let meta = LookupTableMeta { deactivation_slot, ..LookupTableMeta::new(authority) };
            AddressLookupTable { meta, addresses: std::borrow::Cow::Borrowed(&addresses) }
                .serialize_for_tests()
                .expect("serialize")
        };
        let decoded = table(42);
        let decoded = AddressLookupTable::deserialize(&decoded).expect("decode");
        assert_eq!((decoded.meta.deactivation_slot, decoded.addresses.to_vec()), (42, addresses.to_vec()));
        // the authority's option tag sits where `owned_tables` filters
        assert_eq!(table(u64::MAX)[AUTHORITY_TAG..AUTHORITY_TAG + 33], [&[1u8][..], authority.as_ref()].concat()[..]);
    }
}
