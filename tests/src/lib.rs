//! LiteSVM harness: the real `target/deploy/tributary.so`, the real SPL Token (p-token) and
//! Token-2022 programs, and helpers that assert outcomes by error name with state unchanged.
pub mod attest_bench;
pub mod client_fixtures;
pub mod fixtures;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::token_2022::spl_token_2022::{self, extension::ExtensionType, instruction as token_ix};
use litesvm::LiteSVM;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use std::path::PathBuf;
use tributary::errors::TributaryError;

pub use anchor_spl::token::ID as TOKEN_PROGRAM;
pub use anchor_spl::token_2022::ID as TOKEN_2022_PROGRAM;

/// Bytes of logs a validator keeps per transaction before it writes "Log truncated".
pub const RUNTIME_LOG_BYTES_LIMIT: usize = 10_000;

/// `target/deploy/NAME.so`, where `scripts/build-sbf` writes its builds.
fn deployed_so(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../target/deploy/{name}.so"))
}

/// Path of the sBPF build (override with TRIBUTARY_SO).
pub fn program_path() -> PathBuf {
    std::env::var_os("TRIBUTARY_SO").map(PathBuf::from).unwrap_or_else(|| deployed_so("tributary"))
}

/// Path of Tributary built without its crank entrypoint: every instruction, the crank included,
/// through Anchor's dispatcher and account checks (`scripts/build-sbf --test-programs`).
pub fn anchor_route_program_path() -> PathBuf {
    deployed_so("tributary_anchor_route")
}

/// Path of Tributary with compute-unit probes (feature `cu-probes`; `scripts/build-sbf
/// --test-programs`): the benchmark's split of a crank's cost.
pub fn cu_probes_program_path() -> PathBuf {
    deployed_so("tributary_cu_probes")
}

/// Path of the test program that calls Tributary by CPI (`scripts/build-sbf --test-programs`).
pub fn caller_program_path() -> PathBuf {
    deployed_so("tributary_caller")
}

/// `ix` (a Tributary instruction whose first account is its signer) sent through the test program
/// `tributary_caller` instead: the same arguments after the caller's `discriminator`, the signer,
/// Tributary's program, then Tributary's other accounts in order. (The caller forwards them.)
pub fn via_caller(ix: &Instruction, discriminator: &[u8]) -> Instruction {
    use anchor_lang::solana_program::instruction::AccountMeta;
    let mut accounts = vec![ix.accounts[0].clone(), AccountMeta::new_readonly(tributary::ID, false)];
    accounts.extend(ix.accounts[1..].iter().cloned());
    Instruction { program_id: tributary_caller::ID, accounts, data: [discriminator, &ix.data[8..]].concat() }
}

/// A transaction that landed.
#[derive(Debug)]
pub struct Sent {
    /// Compute units of the whole transaction.
    pub cu: u64,
    pub logs: Vec<String>,
    /// What the last instruction that set return data returned (`None` if none did).
    pub return_data: Option<Vec<u8>>,
}

/// A transaction that failed.
#[derive(Debug)]
pub struct Failed {
    pub err: TransactionError,
    pub logs: Vec<String>,
}

impl Failed {
    /// The custom program error code, if the failure was one.
    pub fn custom_code(&self) -> Option<u32> {
        match &self.err {
            TransactionError::InstructionError(_, solana_instruction_error::InstructionError::Custom(code)) => {
                Some(*code)
            }
            _ => None,
        }
    }
}

pub struct Env {
    pub svm: LiteSVM,
    pub payer: Keypair,
    /// Keys come from a counter, not randomness: PDA bump searches (and so compute units) are
    /// then the same on every run.
    next_key: u64,
    /// Keypairs of the token accounts created here, to close and re-create them in tests.
    token_account_keys: std::collections::HashMap<Pubkey, Keypair>,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    /// LiteSVM with the mainnet feature set, p-token as Tokenkeg, Token-2022, and the program; logs
    /// kept whole, so a failing test shows everything.
    pub fn new() -> Self {
        Self::with_log_limit(None)
    }

    /// [`Env::new`] with the runtime's own cut of a transaction's logs (Agave's default:
    /// [`RUNTIME_LOG_BYTES_LIMIT`]), for tests of what survives it.
    pub fn with_runtime_log_limit() -> Self {
        Self::with_log_limit(Some(RUNTIME_LOG_BYTES_LIMIT))
    }

    /// [`Env::new`] with another build of Tributary at its address (see [`anchor_route_program_path`]).
    pub fn with_program(path: &std::path::Path) -> Self {
        Self::with(path, None)
    }

    fn with_log_limit(limit: Option<usize>) -> Self {
        Self::with(&program_path(), limit)
    }

    fn with(path: &std::path::Path, limit: Option<usize>) -> Self {
        let so = std::fs::read(path).unwrap_or_else(|e| {
            panic!("cannot read {}: {e}\n  build it first: scripts/build-sbf --test-programs", path.display())
        });
        // the mainnet feature set and v1 transactions, live on mainnet since 2026-09-15 (LiteSVM
        // 0.16's list of mainnet features predates them)
        let mut features = LiteSVM::mainnet_feature_set();
        features.activate(&tributary_crank::tx::ENABLE_TX_V1, 0);
        let mut svm = LiteSVM::new().with_feature_set(features).with_feature_accounts().with_log_bytes_limit(limit);
        svm.add_program(tributary::ID, &so).expect("load tributary.so");
        let payer = Keypair::new_from_array([0xA5; 32]);
        svm.airdrop(&payer.pubkey(), 1_000_000_000_000).expect("airdrop");
        Self { svm, payer, next_key: 1, token_account_keys: Default::default() }
    }

    /// Set the cluster's rent (SIMD-0437 steps it from 6,960 lamports per byte down to 696).
    pub fn set_rent_per_byte(&mut self, lamports_per_byte: u64) {
        self.svm.set_sysvar(&solana_rent::Rent::with_lamports_per_byte(lamports_per_byte));
    }

    /// Rent-exempt minimum of an account of `space` bytes at the cluster's current rent.
    pub fn rent(&self, space: usize) -> u64 {
        self.svm.minimum_balance_for_rent_exemption(space)
    }

    /// Send `ixs` paid by `payer` (who signs), for tests that count what a key spends.
    pub fn send_paid_by(&mut self, payer: &Keypair, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Sent, Failed> {
        let mut all: Vec<&Keypair> = vec![payer];
        all.extend(signers.iter().copied().filter(|k| k.pubkey() != payer.pubkey()));
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, self.svm.latest_blockhash());
        let result = self.svm.send_transaction(tx);
        self.svm.expire_blockhash();
        match result {
            Ok(meta) => Ok(Sent {
                cu: meta.compute_units_consumed,
                logs: meta.logs,
                return_data: Some(meta.return_data.data).filter(|d| !d.is_empty()),
            }),
            Err(failed) => Err(Failed { err: failed.err, logs: failed.meta.logs }),
        }
    }

    /// Lamports held by `key` (0 when it does not exist).
    pub fn lamports(&self, key: &Pubkey) -> u64 {
        self.account(key).map_or(0, |a| a.lamports)
    }

    /// Load the test program that calls Tributary by CPI (`tributary_caller`).
    pub fn add_caller_program(&mut self) {
        let path = caller_program_path();
        let so = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("cannot read {}: {e}\n  build it first: scripts/build-sbf --test-programs", path.display())
        });
        self.svm.add_program(tributary_caller::ID, &so).expect("load tributary_caller.so");
    }

    /// A copy of this environment to try something on (same keys continue from here).
    pub fn fork(&self) -> Self {
        Self {
            svm: self.svm.clone(),
            payer: self.payer.insecure_clone(),
            next_key: self.next_key,
            token_account_keys: self.token_account_keys.iter().map(|(k, v)| (*k, v.insecure_clone())).collect(),
        }
    }

    /// The next deterministic keypair.
    pub fn keypair(&mut self) -> Keypair {
        let mut secret = [0u8; 32];
        secret[..8].copy_from_slice(&self.next_key.to_le_bytes());
        secret[31] = 0x7B;
        self.next_key += 1;
        Keypair::new_from_array(secret)
    }

    pub fn new_funded_keypair(&mut self) -> Keypair {
        let k = self.keypair();
        self.svm.airdrop(&k.pubkey(), 100_000_000_000).expect("airdrop");
        k
    }

    /// Send `ixs` paid by the env payer, signed by `signers` too.
    pub fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Sent, Failed> {
        let payer = self.payer.insecure_clone();
        self.send_paid_by(&payer, ixs, signers)
    }

    /// Send and require success; returns the program's compute units (top-level instructions).
    pub fn ok(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Sent {
        match self.send(ixs, signers) {
            Ok(sent) => sent,
            Err(f) => panic!("transaction failed: {:?}\n  {}", f.err, f.logs.join("\n  ")),
        }
    }

    /// Send and require the named Tributary error, with every account in `watch` unchanged.
    pub fn expect_error(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        expected: TributaryError,
        watch: &[Pubkey],
    ) {
        let code = 6000 + expected as u32;
        self.expect_failure(ixs, signers, watch, |f| {
            assert_eq!(
                f.custom_code(),
                Some(code),
                "expected {expected:?} ({code}), got {:?}\n  {}",
                f.err,
                f.logs.join("\n  ")
            );
            let name = format!("Error Code: {expected:?}.");
            assert!(f.logs.iter().any(|l| l.contains(&name)), "no log names {expected:?}:\n  {}", f.logs.join("\n  "));
        });
    }

    /// Send and require an Anchor framework error by name (e.g. "ConstraintSeeds"), state unchanged.
    pub fn expect_anchor_error(&mut self, ixs: &[Instruction], signers: &[&Keypair], name: &str, watch: &[Pubkey]) {
        self.expect_failure(ixs, signers, watch, |f| {
            let needle = format!("Error Code: {name}.");
            assert!(
                f.logs.iter().any(|l| l.contains(&needle)),
                "expected {name}, got {:?}\n  {}",
                f.err,
                f.logs.join("\n  ")
            );
        });
    }

    /// Send, require failure, run `check` on it, and assert the watched accounts did not change.
    pub fn expect_failure(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        watch: &[Pubkey],
        check: impl FnOnce(&Failed),
    ) {
        let before: Vec<Option<Account>> = watch.iter().map(|k| self.svm.get_account(k)).collect();
        match self.send(ixs, signers) {
            Ok(sent) => panic!("expected failure, transaction landed:\n  {}", sent.logs.join("\n  ")),
            Err(f) => check(&f),
        }
        let after: Vec<Option<Account>> = watch.iter().map(|k| self.svm.get_account(k)).collect();
        for ((key, b), a) in watch.iter().zip(before).zip(after) {
            assert_eq!(b, a, "account {key} changed although the transaction failed");
        }
    }

    pub fn account(&self, key: &Pubkey) -> Option<Account> {
        self.svm.get_account(key).filter(|a| a.lamports > 0)
    }

    pub fn exists(&self, key: &Pubkey) -> bool {
        self.account(key).is_some()
    }

    pub fn pool(&self, key: &Pubkey) -> tributary::state::Pool {
        tributary_sdk::accounts::pool(&self.account(key).expect("pool account").data).expect("decode pool")
    }

    pub fn page(&self, key: &Pubkey) -> Box<tributary::state::LedgerPage> {
        tributary_sdk::accounts::ledger_page(&self.account(key).expect("ledger page").data).expect("decode page")
    }

    pub fn contribution(&self, key: &Pubkey) -> tributary::state::Contribution {
        tributary_sdk::accounts::contribution(&self.account(key).expect("contribution").data)
            .expect("decode contribution")
    }

    /// Token balance of a token account (SPL Token or Token-2022).
    pub fn balance(&self, key: &Pubkey) -> u64 {
        let data = self.account(key).expect("token account").data;
        spl_token_2022::state::Account::unpack_from_slice(&data[..spl_token_2022::state::Account::LEN])
            .expect("token account")
            .amount
    }

    /// A mint of `token_program` with the given Token-2022 extensions initialised by `init_extensions`.
    pub fn create_mint_with(
        &mut self,
        token_program: &Pubkey,
        decimals: u8,
        extensions: &[ExtensionType],
        init_extensions: impl FnOnce(&Pubkey) -> Vec<Instruction>,
    ) -> Pubkey {
        let mint = self.keypair();
        let len = if extensions.is_empty() {
            spl_token_2022::state::Mint::LEN
        } else {
            ExtensionType::try_calculate_account_len::<spl_token_2022::state::Mint>(extensions).expect("mint len")
        };
        let mut ixs = vec![self.create_account_ix(&mint.pubkey(), len, token_program)];
        ixs.extend(init_extensions(&mint.pubkey()));
        ixs.push(
            token_ix::initialize_mint2(
                token_program,
                &mint.pubkey(),
                &self.payer.pubkey(),
                Some(&self.payer.pubkey()),
                decimals,
            )
            .expect("ix"),
        );
        self.ok(&ixs, &[&mint]);
        mint.pubkey()
    }

    /// System `create_account` of `len` rent-exempt bytes owned by `owner`, paid by the env payer.
    fn create_account_ix(&self, account: &Pubkey, len: usize, owner: &Pubkey) -> Instruction {
        let rent = self.svm.minimum_balance_for_rent_exemption(len);
        solana_system_interface::instruction::create_account(&self.payer.pubkey(), account, rent, len as u64, owner)
    }

    pub fn create_mint(&mut self, token_program: &Pubkey, decimals: u8) -> Pubkey {
        self.create_mint_with(token_program, decimals, &[], |_| vec![])
    }

    /// A token account for `owner` (a fresh keypair address, as wallets' secondary accounts are).
    pub fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        let account = self.keypair();
        self.create_token_account_at(account, mint, owner)
    }

    /// Create (or re-create, after it was closed) the token account at a keypair created here.
    pub fn recreate_token_account(&mut self, address: &Pubkey, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        let account =
            self.token_account_keys.get(address).expect("a token account created by this Env").insecure_clone();
        self.create_token_account_at(account, mint, owner)
    }

    fn create_token_account_at(&mut self, account: Keypair, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        let token_program = self.account(mint).expect("mint").owner;
        let len = if token_program == TOKEN_2022_PROGRAM {
            ExtensionType::try_calculate_account_len::<spl_token_2022::state::Account>(&[ExtensionType::ImmutableOwner])
                .expect("len")
        } else {
            spl_token_2022::state::Account::LEN
        };
        let mut ixs = vec![self.create_account_ix(&account.pubkey(), len, &token_program)];
        if token_program == TOKEN_2022_PROGRAM {
            ixs.push(token_ix::initialize_immutable_owner(&token_program, &account.pubkey()).expect("ix"));
        }
        ixs.push(token_ix::initialize_account3(&token_program, &account.pubkey(), mint, owner).expect("ix"));
        self.ok(&ixs, &[&account]);
        self.token_account_keys.insert(account.pubkey(), account.insecure_clone());
        account.pubkey()
    }

    pub fn mint_to(&mut self, mint: &Pubkey, to: &Pubkey, amount: u64) {
        let token_program = self.account(mint).expect("mint").owner;
        let ix = token_ix::mint_to(&token_program, mint, to, &self.payer.pubkey(), &[], amount).expect("ix");
        self.ok(&[ix], &[]);
    }
}

/// Compute units the program itself used in a transaction (first top-level invocation).
pub fn program_cu(logs: &[String]) -> u64 {
    consumed(logs, &tributary::ID).last().unwrap_or(0)
}

/// The compute units of each invocation of `program`, in log order (`Program … consumed N of M`).
pub fn consumed<'a>(logs: &'a [String], program: &Pubkey) -> impl Iterator<Item = u64> + 'a {
    let prefix = format!("Program {program} consumed ");
    logs.iter().filter_map(move |l| l.strip_prefix(&prefix)?.split(' ').next()?.parse().ok())
}

/// Events of type `E` that the program emitted in a transaction's logs.
pub fn events<E: anchor_lang::Event + anchor_lang::AnchorDeserialize>(logs: &[String]) -> Vec<E> {
    use base64::Engine;
    logs.iter()
        .filter_map(|l| l.strip_prefix("Program data: "))
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .filter(|bytes| bytes.starts_with(E::DISCRIMINATOR))
        .filter_map(|bytes| E::try_from_slice(&bytes[E::DISCRIMINATOR.len()..]).ok())
        .collect()
}

pub mod bench;
pub mod cu;
