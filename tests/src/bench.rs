//! Measurements at the real limits: payouts per v0 transaction (recipients in an address lookup
//! table) and per v1 transaction (every account named, no table), compute and fee lamports per payout, the one-transaction-per-payout baseline, deposit
//! compute against the number of contributions, and rent per contribution. Used by the
//! `benchmark` binary (which writes BENCHMARKS.md) and by the CU budget test.
use crate::fixtures::{content_hash, PoolFixture};
use crate::{consumed, program_cu, Env, TOKEN_PROGRAM};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_address_lookup_table_interface::instruction::{create_lookup_table, extend_lookup_table};
use solana_keypair::Keypair;
use solana_message::{v1, AddressLookupTableAccount};
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::state::ContributionKind;
use tributary::WeightUpdate;
use tributary_sdk::instructions::{self as ix, CrankMode};

/// Priority fee price used for the fee figures: 10,000 micro-lamports per CU.
pub const PRIORITY_MICRO_LAMPORTS_PER_CU: u64 = 10_000;
/// Base fee per signature.
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;
/// Largest serialized transaction.
pub const PACKET_BYTES: usize = 1_232;
/// Compute-unit limit the crank bot requests: the simulated need plus the bot's own margin.
pub fn cu_limit_for(need: u64) -> u64 {
    u64::from(tributary_crank::tx::cu_limit_for(need, tributary_crank::tx::DEFAULT_CU_MARGIN_PERCENT))
}

/// The transaction format a crank is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Compute-budget instructions, recipients in an address lookup table, 1,232 bytes.
    V0,
    /// Compute-unit limit, loaded-accounts-data limit and priority fee in the header, no lookup
    /// table, 4,096 bytes (SIMD-0385, SIMD-0296).
    V1,
}

#[derive(Debug, Clone)]
pub struct CrankFit {
    pub path: &'static str,
    pub format: Format,
    pub payouts: usize,
    pub tx_bytes: usize,
    pub accounts: usize,
    /// Whole transaction (compute budget instructions included).
    pub cu_tx: u64,
    pub cu_program: u64,
    /// The token program's share of `cu_program` (its CPIs).
    pub cu_token: u64,
    pub cu_limit: u64,
    pub base_fee: u64,
    pub priority_fee: u64,
    /// The next size up and why it does not fit.
    pub next_refused: String,
}

impl CrankFit {
    pub fn cu_per_payout(&self) -> u64 {
        self.cu_tx / self.payouts as u64
    }
    /// Tributary's own compute: the program's minus what the token program spent in its CPIs.
    pub fn cu_own(&self) -> u64 {
        self.cu_program - self.cu_token
    }
    pub fn fee_per_payout(&self) -> f64 {
        (self.base_fee + self.priority_fee) as f64 / self.payouts as f64
    }
}

fn priority_fee(cu_limit: u64) -> u64 {
    (cu_limit * PRIORITY_MICRO_LAMPORTS_PER_CU).div_ceil(1_000_000)
}

struct Crank {
    env: Env,
    f: PoolFixture,
    cranker: Keypair,
    reward: Pubkey,
    table: AddressLookupTableAccount,
}

fn setup(token_program: &Pubkey, contributors: usize) -> Crank {
    setup_in(Env::new(), token_program, contributors)
}

fn setup_in(mut env: Env, token_program: &Pubkey, contributors: usize) -> Crank {
    let mut f = PoolFixture::create(&mut env, token_program, 50, 1);
    f.register_many(&mut env, contributors);
    let weights: Vec<(u32, u64)> = (0..contributors as u32).map(|e| (e, 1 + u64::from(e % 7))).collect();
    f.set_weights(&mut env, &weights);
    f.deposit(&mut env, 1_000_000_000_007);
    let cranker = env.new_funded_keypair();
    let reward = env.create_token_account(&f.keys.mint, &cranker.pubkey());
    // the lookup table holds everything but the signer and the invoked programs
    let slot = env.svm.get_sysvar::<solana_clock::Clock>().slot;
    let (create, table) = create_lookup_table(cranker.pubkey(), cranker.pubkey(), slot);
    env.ok(&[create], &[&cranker]);
    let mut addresses = vec![f.keys.pool, f.keys.page(0), f.keys.vault, f.keys.token_program, f.keys.mint, reward];
    addresses.extend(f.members.iter().map(|m| m.destination));
    for chunk in addresses.chunks(20) {
        env.ok(&[extend_lookup_table(table, cranker.pubkey(), Some(cranker.pubkey()), chunk.to_vec())], &[&cranker]);
    }
    env.svm.warp_to_slot(slot + 2);
    Crank { env, f, cranker, reward, table: AddressLookupTableAccount { key: table, addresses } }
}

impl Crank {
    fn crank_ix(&self, n: usize, mode: CrankMode) -> Instruction {
        let payouts: Vec<(u32, Pubkey)> =
            self.f.members[..n].iter().map(|m| (m.contribution.entry, m.destination)).collect();
        ix::crank(&self.cranker.pubkey(), &self.f.keys, 0, &payouts, Some(self.reward), mode)
    }

    /// A transaction paid and signed by the cranker alone, built as the crank builds it: v0 with
    /// the compute-budget instructions and the lookup table, or v1 with its limits and priority fee
    /// in the header and every account named.
    fn tx(
        &self,
        ixs: &[Instruction],
        cu_limit: u64,
        micro_lamports: u64,
        format: Format,
    ) -> Result<(VersionedTransaction, usize, usize), String> {
        use tributary_crank::tx;
        let (tables, format) = match format {
            Format::V0 => (std::slice::from_ref(&self.table), tx::Format::V0),
            Format::V1 => (&[][..], tx::Format::V1),
        };
        let blockhash = self.env.svm.latest_blockhash();
        let built =
            tx::build(&self.cranker, &[], ixs, tables, blockhash, Some(cu_limit as u32), micro_lamports, format)?;
        Ok((built.tx, built.bytes, built.accounts))
    }

    /// The crank of `n` payouts as a signed transaction in `format` under `cu_limit`.
    fn crank_tx(
        &self,
        n: usize,
        mode: CrankMode,
        cu_limit: u64,
        format: Format,
    ) -> Result<(VersionedTransaction, usize, usize), String> {
        self.tx(&[self.crank_ix(n, mode)], cu_limit, PRIORITY_MICRO_LAMPORTS_PER_CU, format)
    }

    /// Simulate `n` payouts; `Ok((cu_tx, cu_program, cu_token, bytes, accounts))` if the transaction is valid.
    fn try_size(
        &self,
        n: usize,
        mode: CrankMode,
        cu_limit: u64,
        format: Format,
    ) -> Result<(u64, u64, u64, usize, usize), String> {
        let (tx, bytes, accounts) = self.crank_tx(n, mode, cu_limit, format)?;
        let max_bytes = match format {
            Format::V0 => PACKET_BYTES,
            Format::V1 => v1::MAX_TRANSACTION_SIZE,
        };
        if bytes > max_bytes {
            return Err(format!("{bytes} bytes > {max_bytes}"));
        }
        match self.env.svm.simulate_transaction(tx) {
            Ok(sim) => Ok((
                sim.meta.compute_units_consumed,
                program_cu(&sim.meta.logs),
                consumed(&sim.meta.logs, &self.f.keys.token_program).sum(),
                bytes,
                accounts,
            )),
            Err(failed) => Err(format!("{:?} ({accounts} accounts)", failed.err)),
        }
    }
}

/// The most payouts one crank transaction carries on `path`, measured by growing the batch until
/// the runtime or the packet size refuses it; then sent for real with the simulated CU limit.
pub fn crank_at_limit(token_program: &Pubkey, mode: CrankMode, path: &'static str, format: Format) -> CrankFit {
    let mut c = setup(token_program, ENTRIES_PER_PAGE as usize - 4);
    let mut best = None;
    let mut refused = String::new();
    for n in 1..c.f.members.len() {
        match c.try_size(n, mode, 1_400_000, format) {
            Ok(r) => best = Some((n, r)),
            Err(e) => {
                refused = format!("{n} payouts: {e}");
                break;
            }
        }
    }
    let (n, (need, ..)) = best.expect("at least one payout fits");
    let cu_limit = cu_limit_for(need);
    let (cu_tx, cu_program, cu_token, tx_bytes, accounts) =
        c.try_size(n, mode, cu_limit, format).expect("fits with its own limit");
    // send it for real and check every payout landed
    let before: Vec<u64> = c.f.members[..n].iter().map(|m| c.env.balance(&m.destination)).collect();
    let (tx, _, _) = c.crank_tx(n, mode, cu_limit, format).expect("tx");
    let payer_before = c.env.account(&c.cranker.pubkey()).expect("cranker").lamports;
    c.env.svm.send_transaction(tx).expect("crank at the limit lands");
    let fee = payer_before - c.env.account(&c.cranker.pubkey()).expect("cranker").lamports;
    for (m, b) in c.f.members[..n].iter().zip(before) {
        assert!(c.env.balance(&m.destination) > b, "every payout in the batch landed");
    }
    let base_fee = LAMPORTS_PER_SIGNATURE;
    let priority = priority_fee(cu_limit);
    assert_eq!(fee, base_fee + priority, "charged fee = base + priority at the requested limit");
    CrankFit {
        path,
        format,
        payouts: n,
        tx_bytes,
        accounts,
        cu_tx,
        cu_program,
        cu_token,
        cu_limit,
        base_fee,
        priority_fee: priority,
        next_refused: refused,
    }
}

/// A crank of `n` payouts sent as at the limit (v0, lookup table, compute-budget instructions), in
/// a LiteSVM that cuts logs as a validator does; the members in `frozen` have frozen destinations.
pub struct LoggedCrank {
    pub logs: Vec<String>,
    /// (entry, token balance change of its destination) for each entry named, in order.
    pub received: Vec<(u32, u64)>,
    /// The cranker's reward account's balance change.
    pub reward_received: u64,
}

pub fn crank_with_runtime_logs(token_program: &Pubkey, mode: CrankMode, n: usize, frozen: &[usize]) -> LoggedCrank {
    let mut c = setup_in(Env::with_runtime_log_limit(), token_program, ENTRIES_PER_PAGE as usize - 4);
    let freezer = c.env.payer.insecure_clone(); // the fixture's mints have the env payer as freeze authority
    for &m in frozen {
        let freeze = anchor_spl::token_2022::spl_token_2022::instruction::freeze_account(
            token_program,
            &c.f.members[m].destination,
            &c.f.keys.mint,
            &freezer.pubkey(),
            &[],
        )
        .expect("freeze");
        c.env.ok(&[freeze], &[]);
    }
    let balances = |env: &Env, f: &PoolFixture| -> Vec<u64> {
        f.members[..n].iter().map(|m| env.balance(&m.destination)).collect()
    };
    let (before, reward_before) = (balances(&c.env, &c.f), c.env.balance(&c.reward));
    let (tx, _, accounts) = c.tx(&[c.crank_ix(n, mode)], 1_400_000, 0, Format::V0).expect("tx");
    assert!(accounts <= 64, "{accounts} accounts");
    let meta = c.env.svm.send_transaction(tx).unwrap_or_else(|f| panic!("crank failed: {:?}", f.err));
    let after = balances(&c.env, &c.f);
    let received = c.f.members[..n]
        .iter()
        .zip(before.iter().zip(after))
        .map(|(m, (b, a))| (m.contribution.entry, a - b))
        .collect();
    LoggedCrank { logs: meta.logs, received, reward_received: c.env.balance(&c.reward) - reward_before }
}

/// One transaction per payout: the same crank with a single entry.
pub fn one_payout_per_tx(token_program: &Pubkey, mode: CrankMode, path: &'static str, format: Format) -> CrankFit {
    let c = setup(token_program, 2);
    let (need, ..) = c.try_size(1, mode, 1_400_000, format).expect("one payout");
    let cu_limit = cu_limit_for(need);
    let (cu_tx, cu_program, cu_token, tx_bytes, accounts) = c.try_size(1, mode, cu_limit, format).expect("one payout");
    CrankFit {
        path,
        format,
        payouts: 1,
        tx_bytes,
        accounts,
        cu_tx,
        cu_program,
        cu_token,
        cu_limit,
        base_fee: LAMPORTS_PER_SIGNATURE,
        priority_fee: priority_fee(cu_limit),
        next_refused: String::new(),
    }
}

/// Program CU of a deposit into a pool of `contributions` contributions (weights on every page).
pub fn deposit_cu_at(contributions: u32) -> u64 {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let wallet = env.new_funded_keypair();
    // rent of up to 100,000 contributions (~0.0018 SOL each) and their ledger pages
    env.svm.airdrop(&wallet.pubkey(), 1_000_000_000_000).expect("airdrop");
    env.svm.airdrop(&env.payer.pubkey(), 1_000_000_000_000).expect("airdrop");
    let destination = env.create_token_account(&f.keys.mint, &wallet.pubkey());
    let pages = contributions.div_ceil(ENTRIES_PER_PAGE);
    for page in 0..pages {
        env.ok(&[ix::open_ledger_page(&env.payer.pubkey(), &f.keys, page)], &[]);
    }
    // one contributor, many contributions: 8 registrations per transaction
    let entries: Vec<u32> = (0..contributions).collect();
    for chunk in entries.chunks(8) {
        let ixs: Vec<Instruction> = chunk
            .iter()
            .map(|&e| {
                ix::register_contribution(
                    &wallet.pubkey(),
                    &f.keys,
                    e,
                    &destination,
                    content_hash(u64::from(e) + 1),
                    ContributionKind::Dataset,
                    "ipfs://x".into(),
                )
            })
            .collect();
        env.ok(&ixs, &[&wallet]);
    }
    assert_eq!(env.pool(&f.keys.pool).entry_count, contributions);
    // the same weights whatever the size (the deposit's one division depends on its operands, not
    // on how many contributions there are): 1,000 on the first entry of the first and last page
    let attestor = f.attestor.insecure_clone();
    let last = pages - 1;
    let updates = |entry: u32, weight: u64| vec![WeightUpdate { entry, weight }];
    env.ok(&[ix::set_weights(&attestor.pubkey(), &f.keys, 0, 1, [1; 32], updates(0, 1_000))], &[&attestor]);
    env.ok(
        &[ix::set_weights(&attestor.pubkey(), &f.keys, last, 1, [1; 32], updates(last * ENTRIES_PER_PAGE + 1, 1_000))],
        &[&attestor],
    );
    program_cu(&f.deposit(&mut env, 1_000_000).logs)
}

/// Rent lamports of one contribution at one rent: its account (with a 59-byte IPFS URI) plus its
/// share of a ledger page, read from the cluster's `Rent` sysvar set to `lamports_per_byte`.
pub struct Rent {
    pub lamports_per_byte: u64,
    /// A whole ledger page.
    pub page: u64,
    /// A contribution account with a 59-byte IPFS URI.
    pub contribution: u64,
    /// The same with an empty URI: what the other fields alone cost.
    pub contribution_without_uri: u64,
    /// A ledger page's rent divided by its entries, rounded up (`LedgerPage::slot_share`: what a
    /// closed contribution leaves in the pool's page fund).
    pub ledger_share: u64,
}

/// SIMD-0437's steps, from the rent before it (6,960 lamports per byte) to its end (696).
pub const RENT_STEPS: [u64; 6] = [6_960, 6_333, 5_080, 2_575, 1_322, 696];

pub fn rent_per_contribution(lamports_per_byte: u64) -> Rent {
    let mut env = Env::new();
    env.set_rent_per_byte(lamports_per_byte);
    let uri_len = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi".len();
    let rent = |space| env.svm.minimum_balance_for_rent_exemption(space);
    let page = rent(tributary::state::LedgerPage::SPACE);
    Rent {
        lamports_per_byte,
        page,
        contribution: rent(tributary::state::Contribution::space(uri_len)),
        contribution_without_uri: rent(tributary::state::Contribution::space(0)),
        ledger_share: tributary::state::LedgerPage::slot_share(page),
    }
}

/// Where a crank's compute units go, from the probes build (`tributary_cu_probes.so`): each
/// section's units with the probes' own cost taken out, per payout for the sections of the payout
/// loop, per crank for the rest.
pub struct CuSplit {
    pub payouts: usize,
    /// (section, units per payout)
    pub per_payout: Vec<(String, f64)>,
    /// (section, units per crank)
    pub per_crank: Vec<(String, u64)>,
    /// Units the probes build spent in all, less its probes.
    pub total_without_probes: u64,
}

/// The labels of the probes in the payout loop, in order (programs/tributary/src/instructions/crank.rs).
const LOOP_PROBES: [&str; 6] = [
    "payout",
    "entry found, destination compared",
    "settled",
    "destination account checked",
    "split and booked",
    "queued",
];

/// A `batch` crank of `payouts` payouts (a reward account given) on `program`, sent.
fn batch_crank_on(program: &std::path::Path, token_program: &Pubkey, payouts: usize) -> crate::Sent {
    let mut env = Env::with_program(program);
    let weights = vec![1u64; payouts];
    let f = PoolFixture::funded(&mut env, token_program, 10, 0, &weights, 1_000_000_000);
    let cranker = env.new_funded_keypair();
    let reward = env.create_token_account(&f.keys.mint, &cranker.pubkey());
    let pay: Vec<(u32, Pubkey)> = f.members.iter().enumerate().map(|(i, m)| (i as u32, m.destination)).collect();
    let crank = ix::crank(&cranker.pubkey(), &f.keys, 0, &pay, Some(reward), CrankMode::Batch);
    env.ok(&[crank], &[&cranker])
}

pub fn cu_split(token_program: &Pubkey, payouts: usize) -> CuSplit {
    let sent = batch_crank_on(&crate::cu_probes_program_path(), token_program, payouts);
    // (label, units left), in order, from the top-level program's probes
    let mut probes: Vec<(String, u64)> = Vec::new();
    let mut label: Option<String> = None;
    for line in &sent.logs {
        if let Some(l) = line.strip_prefix("Program log: cu-probe ") {
            label = Some(l.to_string());
        } else if let (Some(l), Some(rest)) = (label.take(), line.strip_prefix("Program consumption: ")) {
            let left = rest.split_whitespace().next().and_then(|n| n.parse().ok()).expect("units left");
            probes.push((l, left));
        }
    }
    assert!(probes.len() > 2 && probes[0].0 == "calibrate", "no probes in the logs: {:?}", sent.logs);
    // a probe's own cost: two back to back
    let overhead = probes[0].1 - probes[1].1;
    let mut sections: Vec<(String, bool, u64)> = Vec::new();
    for pair in probes[1..].windows(2) {
        let ((from, a), (to, b)) = (&pair[0], &pair[1]);
        // a section of the payout loop starts at one of its probes and ends at the next one
        let in_loop = LOOP_PROBES.contains(&from.as_str()) && LOOP_PROBES.contains(&to.as_str());
        let name = match (from.as_str(), to.as_str()) {
            ("queued", "payout") => "next payout (the loop itself)".to_string(),
            (_, to) if in_loop => format!("→ {to}"),
            ("process", "payout") => "account checks and setup, to the first payout".to_string(),
            ("entrypoint", "accounts parsed") => "reading the input: every account's record (per crank)".to_string(),
            ("queued", "decided") => "after the last payout".to_string(),
            ("decided", "booked") => {
                "the reward's transfer queued, the `CrankBatch` event, the pool's books and invariant".to_string()
            }
            ("booked", "sent") => "the `batch` CPI: the runtime's CPI charges and p-token's transfers".to_string(),
            (from, to) => format!("{from} → {to}"),
        };
        sections.push((name, in_loop, (a - b).saturating_sub(overhead)));
    }
    let probe_count = probes.len() as u64 - 1;
    let total_without_probes = sent.cu.saturating_sub(probe_count * overhead);
    let mut per_payout: Vec<(String, f64)> = Vec::new();
    let mut per_crank: Vec<(String, u64)> = Vec::new();
    for (name, in_loop, units) in sections {
        if in_loop {
            match per_payout.iter_mut().find(|(n, _)| *n == name) {
                Some((_, total)) => *total += units as f64,
                None => per_payout.push((name, units as f64)),
            }
        } else {
            per_crank.push((name, units));
        }
    }
    for (_, total) in per_payout.iter_mut() {
        *total /= payouts as f64;
    }
    CuSplit { payouts, per_payout, per_crank, total_without_probes }
}

/// Units of the same crank as [`cu_split`] on the default build (no probes).
pub fn crank_cu_at(token_program: &Pubkey, payouts: usize) -> u64 {
    batch_crank_on(&crate::program_path(), token_program, payouts).cu
}
