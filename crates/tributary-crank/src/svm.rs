//! The embedded cluster of `tributary demo`: LiteSVM running the real sBPF build of the program with
//! the real token programs. Each landed transaction advances the slot, as a cluster would, so
//! address lookup tables activate and blockhashes move on.
use crate::chain::{Chain, ChainError, Memcmp, Result, Simulation, Status, TxError};
use anchor_lang::prelude::Pubkey;
use litesvm::LiteSVM;
use solana_account::Account;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_slot_hashes::SlotHashes;
use solana_transaction::versioned::VersionedTransaction;
use std::collections::HashMap;
use std::path::Path;

pub struct SvmChain {
    pub svm: LiteSVM,
    statuses: HashMap<Signature, Status>,
    units: HashMap<Signature, u64>,
    /// Accounts created here, for the `getProgramAccounts` the operator commands use.
    known: Vec<Pubkey>,
    watched: std::collections::HashSet<Pubkey>,
}

impl SvmChain {
    /// LiteSVM with the mainnet feature set, p-token as SPL Token, Token-2022, and `program` (an .so).
    /// v1 transactions are on, as on mainnet since 2026-09-15 (LiteSVM 0.16's list of mainnet
    /// features predates it), with their feature account, so the format is detected as on a node.
    pub fn new(program: &Path) -> std::result::Result<Self, String> {
        let so = std::fs::read(program).map_err(|e| {
            format!("cannot read the program build {}: {e} (build it: scripts/build-sbf)", program.display())
        })?;
        let mut features = LiteSVM::mainnet_feature_set();
        features.activate(&crate::tx::ENABLE_TX_V1, 0);
        let mut svm =
            LiteSVM::new().with_feature_set(features).with_feature_accounts().with_log_bytes_limit(Some(64 * 1024));
        svm.add_program(tributary::ID, &so).map_err(|e| format!("cannot load {}: {e:?}", program.display()))?;
        Ok(Self {
            svm,
            statuses: HashMap::new(),
            units: HashMap::new(),
            known: Vec::new(),
            watched: Default::default(),
        })
    }

    pub fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> std::result::Result<(), String> {
        self.svm.airdrop(to, lamports).map(|_| ()).map_err(|e| format!("airdrop: {:?}", e.err))
    }

    /// Remember an address for `get_program_accounts`.
    pub fn watch(&mut self, key: Pubkey) {
        if self.watched.insert(key) {
            self.known.push(key);
        }
    }

    /// Move to the next slot, recording the finished one in SlotHashes (lookup tables are created
    /// against a recent slot found there).
    fn advance(&mut self) {
        let slot = self.svm.get_sysvar::<solana_clock::Clock>().slot;
        let mut hashes: Vec<(u64, Hash)> = self.svm.get_sysvar::<SlotHashes>().slot_hashes().to_vec();
        hashes.insert(0, (slot, self.svm.latest_blockhash()));
        hashes.truncate(solana_slot_hashes::MAX_ENTRIES);
        self.svm.set_sysvar(&SlotHashes::new(&hashes));
        self.svm.warp_to_slot(slot + 1);
        self.svm.expire_blockhash();
    }
}

impl Chain for SvmChain {
    fn describe(&self) -> String {
        "embedded LiteSVM".into()
    }

    fn get_accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        Ok(keys.iter().map(|k| self.svm.get_account(k).filter(|a| a.lamports > 0)).collect())
    }

    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        data_size: Option<usize>,
        filters: &[Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>> {
        let mut out = Vec::new();
        for key in &self.known {
            let Some(account) = self.svm.get_account(key) else { continue };
            let matches = account.owner == *program
                && data_size.is_none_or(|s| account.data.len() == s)
                && filters.iter().all(|m| account.data.get(m.offset..m.offset + m.bytes.len()) == Some(&m.bytes[..]));
            if matches {
                out.push((*key, account));
            }
        }
        Ok(out)
    }

    fn latest_blockhash(&mut self) -> Result<(Hash, u64)> {
        let height = self.svm.get_sysvar::<solana_clock::Clock>().slot;
        Ok((self.svm.latest_blockhash(), height + 150))
    }

    fn block_height(&mut self) -> Result<u64> {
        Ok(self.svm.get_sysvar::<solana_clock::Clock>().slot)
    }

    fn slot(&mut self) -> Result<u64> {
        Ok(self.svm.get_sysvar::<solana_clock::Clock>().slot)
    }

    fn recent_slot(&mut self) -> Result<u64> {
        let clock = self.svm.get_sysvar::<solana_clock::Clock>().slot;
        Ok(self.svm.get_sysvar::<SlotHashes>().first().map(|(s, _)| *s).unwrap_or(clock))
    }

    /// Time passes: the embedded cluster moves on when asked to wait.
    fn wait_past_slot(&mut self, slot: u64) -> Result<()> {
        while self.svm.get_sysvar::<solana_clock::Clock>().slot <= slot {
            self.advance();
        }
        Ok(())
    }

    fn simulate(&mut self, tx: &VersionedTransaction) -> Result<Simulation> {
        Ok(match self.svm.simulate_transaction(tx.clone()) {
            Ok(sim) => Simulation { units: sim.meta.compute_units_consumed, err: None, logs: sim.meta.logs },
            Err(failed) => Simulation {
                units: failed.meta.compute_units_consumed,
                err: Some(TxError::Runtime(failed.err)),
                logs: failed.meta.logs,
            },
        })
    }

    fn send(&mut self, tx: &VersionedTransaction) -> Result<Signature> {
        let signature = tx.signatures[0];
        match self.svm.send_transaction(tx.clone()) {
            Ok(meta) => {
                // accounts a transaction names may be new (a lookup table, a pool): list them too
                for key in tx.message.static_account_keys() {
                    if self.watched.insert(*key) {
                        self.known.push(*key);
                    }
                }
                self.statuses.insert(signature, Status::Confirmed);
                self.units.insert(signature, meta.compute_units_consumed);
                self.advance();
                Ok(signature)
            }
            Err(failed) => match failed.err {
                solana_transaction_error::TransactionError::BlockhashNotFound => Err(ChainError::BlockhashExpired),
                err => Err(ChainError::Failed { err: TxError::Runtime(err), logs: failed.meta.logs }),
            },
        }
    }

    fn statuses(&mut self, signatures: &[Signature]) -> Result<Vec<Status>> {
        Ok(signatures.iter().map(|s| self.statuses.get(s).cloned().unwrap_or(Status::Pending)).collect())
    }

    fn recent_priority_fees(&mut self, _accounts: &[Pubkey]) -> Result<Vec<u64>> {
        Ok(Vec::new()) // an empty cluster: nobody is bidding
    }

    fn minimum_balance(&mut self, data_len: usize) -> Result<u64> {
        Ok(self.svm.minimum_balance_for_rent_exemption(data_len))
    }

    fn transaction_units(&mut self, signature: &Signature) -> Result<Option<u64>> {
        Ok(self.units.get(signature).copied())
    }
}

/// xorshift64*: deterministic choices without a dependency (the demo and the engine's tests).
pub struct Rng(pub u64);
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform-ish in `0..n` (`n` ≥ 1).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}
