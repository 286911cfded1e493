//! The crank's address lookup tables: every account a payout needs (destinations above all) is kept
//! in tables the bot owns, so a transaction names each with one byte instead of 32. Tables are
//! found again on chain by their authority after a restart; nothing is kept locally.
use crate::chain::{Chain, ChainError, Memcmp, Result};
use crate::tx::{self, Outcome, SendOptions};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_address_lookup_table_interface::instruction::{
    close_lookup_table, create_lookup_table, deactivate_lookup_table, extend_lookup_table,
};
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_message::AddressLookupTableAccount;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_slot_hashes::SlotHashes;
use solana_transaction::versioned::VersionedTransaction;
use std::collections::HashMap;

pub const LOOKUP_TABLE_PROGRAM: Pubkey = solana_address_lookup_table_interface::program::ID;
/// Offset of the authority's option tag in a table's header: what `getProgramAccounts` filters on.
const AUTHORITY_TAG: usize = 21;
pub const MAX_ADDRESSES: usize = 256;
/// Addresses per extend transaction (32 bytes each within the packet).
const EXTEND_CHUNK: usize = 24;

/// Waves of creations and extensions before `ensure` gives up on an address.
const ENSURE_ATTEMPTS: usize = 4;

/// Slots a new table can be derived from, newest first: finalized ones (in every later bank's
/// SlotHashes) read from the SlotHashes sysvar; at least the recent slot.
fn recent_slots(chain: &mut dyn Chain) -> Result<Vec<u64>> {
    let finalized = chain.recent_slot()?;
    let mut slots: Vec<u64> = chain
        .get_account(&solana_slot_hashes::sysvar::ID)?
        .and_then(|a| bincode::deserialize::<SlotHashes>(&a.data).ok())
        .map(|hashes| hashes.iter().map(|(slot, _)| *slot).filter(|s| *s <= finalized).collect())
        .unwrap_or_default();
    if slots.is_empty() {
        slots.push(finalized);
    }
    Ok(slots)
}

/// Send one transaction per group of instructions, all signed with one blockhash, then wait for them all.
/// A refused one is `Failed` in the answer; one whose blockhash expired before it was sent is
/// re-signed; one whose send failed in transport is waited for like the others (it may have
/// reached the node).
fn send_all(chain: &mut dyn Chain, payer: &dyn Signer, groups: &[Vec<Instruction>]) -> Result<Vec<Outcome>> {
    let (mut blockhash, mut last_valid) = chain.latest_blockhash()?;
    let mut sent: Vec<Option<(Signature, u64)>> = Vec::with_capacity(groups.len());
    let mut txs = Vec::with_capacity(groups.len());
    for ixs in groups {
        let mut resigns = 0;
        loop {
            let built = tx::build(payer, &[], ixs, &[], blockhash, None, 0, tx::Format::V0).map_err(ChainError::Rpc)?;
            match chain.send(&built.tx) {
                Ok(_) | Err(ChainError::Transient(_) | ChainError::Unconfirmed { .. }) => {
                    sent.push(Some((built.tx.signatures[0], last_valid)));
                    txs.push(built.tx);
                }
                Err(ChainError::BlockhashExpired) if resigns < 3 => {
                    resigns += 1;
                    (blockhash, last_valid) = chain.latest_blockhash()?;
                    continue;
                }
                Err(ChainError::Failed { .. } | ChainError::BlockhashExpired | ChainError::Rpc(_)) => sent.push(None),
            }
            break;
        }
    }
    let landed: Vec<(Signature, u64)> = sent.iter().flatten().copied().collect();
    let txs: Vec<&VersionedTransaction> = txs.iter().collect();
    let mut outcomes = tx::confirm_resending(chain, &landed, &txs, SendOptions::default())?.into_iter();
    Ok(sent
        .iter()
        .map(|s| match s {
            Some(_) => outcomes.next().unwrap_or(Outcome::InFlight),
            None => Outcome::Failed(crate::chain::TxError::Unrecognized("refused in preflight".into())),
        })
        .collect())
}

/// The address every table this bot creates holds first, written in the transaction that creates
/// the table: SHA-256 of a fixed tag and the authority. Another application's table owned by the
/// same key never starts with it, so the bot extends, reuses and reclaims only its own tables.
pub fn marker(authority: &Pubkey) -> Pubkey {
    use sha2::{Digest, Sha256};
    let digest: [u8; 32] = Sha256::new()
        .chain_update(b"tributary-crank lookup table v1")
        .chain_update(authority.as_ref())
        .finalize()
        .into();
    Pubkey::new_from_array(digest)
}

/// A lookup table an authority owns.
pub struct OwnedTable {
    pub key: Pubkey,
    /// `None` while the table is active.
    pub deactivation_slot: Option<u64>,
    pub addresses: Vec<Pubkey>,
}

impl OwnedTable {
    /// Created by this bot for `authority`: its first address is the bot's marker.
    pub fn is_the_crank_s(&self, authority: &Pubkey) -> bool {
        self.addresses.first() == Some(&marker(authority))
    }
}

/// The lookup tables this bot created for `authority` (the authority's other tables are left out),
/// active or deactivated: one `getProgramAccounts`; none on a chain that cannot list them.
pub fn crank_tables(chain: &mut dyn Chain, authority: &Pubkey) -> Result<Vec<OwnedTable>> {
    Ok(owned_tables(chain, authority)?.into_iter().filter(|t| t.is_the_crank_s(authority)).collect())
}

/// The lookup tables `authority` owns, whoever created them, active or deactivated.
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
/// Only tables this bot created (`marker`): other tables the same key owns are never touched.
pub fn reclaim(chain: &mut dyn Chain, payer: &dyn Signer) -> Result<Reclaimed> {
    let mut done = Reclaimed::default();
    for OwnedTable { key: table, deactivation_slot, .. } in crank_tables(chain, &payer.pubkey())? {
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
    /// The active tables this bot created for `authority` (none on a chain that cannot list them).
    pub fn load(chain: &mut dyn Chain, authority: &Pubkey) -> Result<Self> {
        let mut book = Self::default();
        for table in crank_tables(chain, authority)?.into_iter().filter(|t| t.deactivation_slot.is_none()) {
            book.tables.push(AddressLookupTableAccount { key: table.key, addresses: table.addresses });
        }
        // the fullest first, so the one with room (if any) is last
        book.tables.sort_by_key(|t| std::cmp::Reverse(t.addresses.len()));
        book.reindex();
        Ok(book)
    }

    pub fn contains(&self, address: &Pubkey) -> bool {
        self.known.contains_key(address)
    }

    /// Add the missing `addresses` (payer = authority), creating tables as they fill up, then wait
    /// for the slot in which they become usable. Pipelined: every table creation goes out at once,
    /// then every extension, each wave confirmed together — thousands of addresses take seconds,
    /// not one confirmation per 24 addresses. What did not land is tried again.
    pub fn ensure(&mut self, chain: &mut dyn Chain, payer: &dyn Signer, addresses: &[Pubkey]) -> Result<usize> {
        let mut seen = std::collections::HashSet::new();
        let wanted: Vec<Pubkey> =
            addresses.iter().filter(|a| !self.known.contains_key(a) && seen.insert(**a)).copied().collect();
        if wanted.is_empty() {
            return Ok(0);
        }
        // table addresses already tried: one that failed to create (taken by another table of the
        // same authority, derived from the same slot) is not tried again
        let mut tried = std::collections::HashSet::new();
        for _ in 0..ENSURE_ATTEMPTS {
            let missing: Vec<Pubkey> = wanted.iter().filter(|a| !self.known.contains_key(a)).copied().collect();
            if missing.is_empty() {
                break;
            }
            let free: usize = self.tables.iter().map(|t| MAX_ADDRESSES - t.addresses.len().min(MAX_ADDRESSES)).sum();
            let new_tables = missing.len().saturating_sub(free).div_ceil(MAX_ADDRESSES);
            if new_tables > 0 {
                // each table's address derives from (authority, slot): one distinct recent slot each,
                // skipping slots a table of ours already came from (rounds close together)
                // created with the marker as its first address in one transaction: a table of ours
                // is never seen on chain without it
                let mark = marker(&payer.pubkey());
                let creates: Vec<(Vec<Instruction>, Pubkey)> = recent_slots(chain)?
                    .into_iter()
                    .map(|slot| create_lookup_table(payer.pubkey(), payer.pubkey(), slot))
                    .filter(|(_, key)| self.tables.iter().all(|t| t.key != *key) && tried.insert(*key))
                    .take(new_tables)
                    .map(|(create, key)| {
                        (vec![create, extend_lookup_table(key, payer.pubkey(), Some(payer.pubkey()), vec![mark])], key)
                    })
                    .collect();
                let groups: Vec<Vec<Instruction>> = creates.iter().map(|(ixs, _)| ixs.clone()).collect();
                for ((_, key), status) in creates.into_iter().zip(send_all(chain, payer, &groups)?) {
                    if status == Outcome::Confirmed {
                        self.tables.push(AddressLookupTableAccount { key, addresses: vec![mark] });
                    }
                }
            }
            let mut rest = missing.as_slice();
            let (mut extends, mut touched) = (Vec::new(), Vec::new());
            for table in &self.tables {
                let take = (MAX_ADDRESSES - table.addresses.len().min(MAX_ADDRESSES)).min(rest.len());
                if take == 0 {
                    continue;
                }
                for chunk in rest[..take].chunks(EXTEND_CHUNK) {
                    extends.push(vec![extend_lookup_table(
                        table.key,
                        payer.pubkey(),
                        Some(payer.pubkey()),
                        chunk.to_vec(),
                    )]);
                }
                touched.push(table.key);
                rest = &rest[take..];
            }
            send_all(chain, payer, &extends)?;
            // extensions of one table may land in any order, and an address's index in the table is
            // its position: read the tables back rather than assume
            self.refresh(chain, &touched)?;
            self.last_extended_slot = chain.slot()?;
        }
        let added = wanted.iter().filter(|a| self.known.contains_key(a)).count();
        if added > 0 {
            chain.wait_past_slot(self.last_extended_slot)?;
        }
        if added < wanted.len() {
            return Err(ChainError::Transient(format!(
                "{} of {} addresses could not be added to lookup tables",
                wanted.len() - added,
                wanted.len()
            )));
        }
        Ok(added)
    }

    /// Re-read `keys` from the chain and rebuild the address index.
    fn refresh(&mut self, chain: &mut dyn Chain, keys: &[Pubkey]) -> Result<()> {
        for (key, account) in keys.iter().zip(chain.get_accounts(keys)?) {
            let Some(account) = account else { continue };
            let table = AddressLookupTable::deserialize(&account.data)
                .map_err(|e| ChainError::Rpc(format!("lookup table {key}: {e}")))?;
            if let Some(mine) = self.tables.iter_mut().find(|t| t.key == *key) {
                mine.addresses = table.addresses.to_vec();
            }
        }
        self.reindex();
        Ok(())
    }

    /// Rebuild the address → table index from the tables (the first table holding an address wins).
    fn reindex(&mut self) {
        self.known.clear();
        for (i, table) in self.tables.iter().enumerate() {
            for a in &table.addresses {
                self.known.entry(*a).or_insert(i);
            }
        }
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
