//! The crank's address lookup tables: every account a payout needs (destinations above all) is kept
//! in tables the bot owns, so a transaction names each with one byte instead of 32. Tables are
//! found again on chain by their authority after a restart; nothing is kept locally.
use crate::chain::{Chain, ChainError, Memcmp, Result};
use crate::tx::{self, SendOptions};
use anchor_lang::prelude::Pubkey;
use solana_address_lookup_table_interface::instruction::{create_lookup_table, extend_lookup_table};
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;
use std::collections::HashMap;

pub const LOOKUP_TABLE_PROGRAM: Pubkey = solana_address_lookup_table_interface::program::ID;
/// Size of a table's header before its addresses.
const META_SIZE: usize = 56;
const AUTHORITY_TAG: usize = 21;
const DEACTIVATION_SLOT: std::ops::Range<usize> = 4..12;
pub const MAX_ADDRESSES: usize = 256;
/// Addresses per extend transaction (32 bytes each within the packet).
const EXTEND_CHUNK: usize = 24;

/// Addresses of a lookup table account, if it is an active table.
pub fn parse_table(data: &[u8]) -> Option<(Option<Pubkey>, Vec<Pubkey>)> {
    if data.len() < META_SIZE || data[..4] != [1, 0, 0, 0] {
        return None;
    }
    let deactivation = u64::from_le_bytes(data[DEACTIVATION_SLOT].try_into().ok()?);
    if deactivation != u64::MAX {
        return None;
    }
    let authority = (data[AUTHORITY_TAG] == 1)
        .then(|| Pubkey::try_from(&data[AUTHORITY_TAG + 1..AUTHORITY_TAG + 33]).ok())
        .flatten();
    let addresses = data[META_SIZE..].chunks_exact(32).filter_map(|c| Pubkey::try_from(c).ok()).collect();
    Some((authority, addresses))
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
        let mut tag_and_key = vec![1u8];
        tag_and_key.extend_from_slice(authority.as_ref());
        let found = chain.get_program_accounts(
            &LOOKUP_TABLE_PROGRAM,
            None,
            &[Memcmp { offset: AUTHORITY_TAG, bytes: tag_and_key }],
        )?;
        let mut book = Self::default();
        for (key, account) in found {
            if let Some((_, addresses)) = parse_table(&account.data) {
                book.tables.push(AddressLookupTableAccount { key, addresses });
            }
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
