//! `tributary demo` / `tributary-demo`: the whole life cycle on an embedded cluster (LiteSVM
//! running the real sBPF build and the real token programs), through the same crank and
//! transaction code the bot uses against a node. Deterministic: the same arguments give the same
//! figures. This crate links the engine without its RPC client (no HTTP, TLS or hardware-wallet
//! crates), so `scripts/demo` builds little beyond LiteSVM.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
use anyhow::{anyhow, bail, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::PathBuf;
use std::time::Instant;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::state::ContributionKind;
use tributary::{CreatePoolArgs, UsageShare, WeightUpdate};
use tributary_crank::chain::Chain;
use tributary_crank::crank::{CrankOptions, Cranker, RewardAccount, RoundReport};
use tributary_crank::svm::{Rng, SvmChain};
use tributary_crank::token::{self, format_amount};
use tributary_crank::tx::{self, SendOptions};
use tributary_sdk::instructions::{self as ix, PoolKeys};
use tributary_sdk::{accounts as decode, pda};

/// The demo's options on the command line (`tributary demo …`, `tributary-demo …`).
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Contributions registered
    #[arg(long, default_value_t = 10_000)]
    pub contributors: u32,
    /// Revenue deposited, in whole tokens
    #[arg(long, default_value_t = 1_000_000)]
    pub revenue: u64,
    /// Usage fees attributed after the deposit
    #[arg(long, default_value_t = 200)]
    pub usage_events: u32,
    /// Exponent of the Zipf-like weight distribution
    #[arg(long, default_value_t = 1.1)]
    pub zipf: f64,
    /// The program build to run [default: target/deploy/tributary.so]
    #[arg(long, env = "TRIBUTARY_SO")]
    pub program: Option<PathBuf>,
    /// Print the final table as JSON (no progress bars)
    #[arg(long)]
    pub json: bool,
}

/// Run the demo as the command line asked; `Ok(false)` when conservation failed.
pub fn run_args(args: DemoArgs) -> Result<bool> {
    let program = args
        .program
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/deploy/tributary.so"));
    let progress = !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    run(DemoOptions {
        program,
        contributors: args.contributors,
        revenue: args.revenue,
        usage_events: args.usage_events,
        zipf: args.zipf,
        progress,
        json: args.json,
    })
}

pub struct DemoOptions {
    pub program: PathBuf,
    pub contributors: u32,
    /// Revenue deposited, in whole tokens (6 decimals).
    pub revenue: u64,
    pub usage_events: u32,
    /// Zipf exponent of the attribution weights.
    pub zipf: f64,
    pub progress: bool,
    pub json: bool,
}

const DECIMALS: u8 = 6;
const ONE_TOKEN: u64 = 1_000_000;
/// Registrations per transaction (each contributor signs its own).
const REGISTRATIONS_PER_TX: usize = 3;

fn keypair(tag: u8, index: u64) -> Keypair {
    let mut secret = [tag; 32];
    secret[..8].copy_from_slice(&index.to_le_bytes());
    Keypair::new_from_array(secret)
}

fn content_hash(index: u64) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(format!("tributary demo contribution {index}")).into()
}

/// Zipf-like weights: the contributor of rank r gets ⌊10⁹ / r^s⌋ (at least 1), ranks shuffled.
pub fn zipf_weights(n: u32, s: f64, rng_seed: u64) -> Vec<u64> {
    let mut ranks: Vec<u64> = (1..=u64::from(n)).collect();
    let mut rng = Rng(rng_seed);
    for i in (1..ranks.len()).rev() {
        ranks.swap(i, rng.below(i as u64 + 1) as usize);
    }
    ranks.into_iter().map(|r| ((1e9 / (r as f64).powf(s)) as u64).max(1)).collect()
}

struct Bar(Option<ProgressBar>);
impl Bar {
    fn new(show: bool, len: u64, what: &str) -> Self {
        Self(show.then(|| {
            let bar = ProgressBar::new(len);
            bar.set_style(
                ProgressStyle::with_template("{msg:>22} [{bar:40.cyan/blue}] {pos:>6}/{len:6} {elapsed_precise}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(what.to_string());
            bar
        }))
    }
    fn set(&self, pos: u64) {
        if let Some(b) = &self.0 {
            b.set_position(pos);
        }
    }
    fn done(&self) {
        if let Some(b) = &self.0 {
            b.finish();
        }
    }
}

fn send(chain: &mut SvmChain, payer: &Keypair, signers: &[&Keypair], ixs: &[Instruction]) -> Result<tx::Landed> {
    tx::submit(chain, payer, signers, ixs, &[], SendOptions::default()).map_err(|e| anyhow!("{e}"))
}

/// Counters of the setup transactions.
#[derive(Default)]
struct Totals {
    transactions: u64,
    fee_lamports: u64,
}

pub fn run(o: DemoOptions) -> Result<bool> {
    if o.contributors == 0 {
        bail!("--contributors must be at least 1");
    }
    let started = Instant::now();
    let mut chain = SvmChain::new(&o.program).map_err(|e| anyhow!(e))?;
    let operator = keypair(0xA1, 0);
    let attestor = keypair(0xA2, 0);
    let cranker = keypair(0xA3, 0);
    for k in [&operator, &attestor, &cranker] {
        chain.airdrop(&k.pubkey(), 10_000 * 1_000_000_000).map_err(|e| anyhow!(e))?;
    }
    let mut setup = Totals::default();
    let mut count = |landed: tx::Landed| {
        setup.transactions += 1;
        setup.fee_lamports += landed.fee_lamports;
    };

    // a classic SPL Token mint (p-token in this cluster), 6 decimals, minted to the operator
    let mint = keypair(0xA4, 0);
    let token_program = token::TOKEN_PROGRAM;
    let mint_len = 82;
    let rent = chain.minimum_balance(mint_len)?;
    let operator_ata = token::associated_token_address(&operator.pubkey(), &mint.pubkey(), &token_program);
    let revenue = o.revenue.checked_mul(ONE_TOKEN).ok_or_else(|| anyhow!("--revenue too large"))?;
    let usage_total = u64::from(o.usage_events) * 50 * ONE_TOKEN;
    let minted = revenue + usage_total;
    count(send(
        &mut chain,
        &operator,
        &[&mint],
        &[
            solana_system_interface::instruction::create_account(
                &operator.pubkey(),
                &mint.pubkey(),
                rent,
                mint_len as u64,
                &token_program,
            ),
            token_ix::initialize_mint2(&token_program, &mint.pubkey(), &operator.pubkey(), None, DECIMALS)?,
            token::create_associated_token_account(
                &operator.pubkey(),
                &operator.pubkey(),
                &mint.pubkey(),
                &token_program,
            ),
            token_ix::mint_to(&token_program, &mint.pubkey(), &operator_ata, &operator.pubkey(), &[], minted)?,
            token::create_associated_token_account(
                &operator.pubkey(),
                &cranker.pubkey(),
                &mint.pubkey(),
                &token_program,
            ),
        ],
    )?);
    let reward_account = token::associated_token_address(&cranker.pubkey(), &mint.pubkey(), &token_program);

    // the pool: 0.10 % cranker reward, 0.01 token minimum payout
    let pool_id = 1;
    let keys = PoolKeys::new(&operator.pubkey(), pool_id, mint.pubkey(), token_program);
    let args =
        CreatePoolArgs { pool_id, attestor: attestor.pubkey(), cranker_reward_bps: 10, min_payout: ONE_TOKEN / 100 };
    count(send(&mut chain, &operator, &[], &[ix::create_pool(&operator.pubkey(), &keys, args)])?);
    chain.watch(keys.pool);
    if !o.json {
        println!("pool {} on mint {} ({})", keys.pool, mint.pubkey(), chain.describe());
    }

    // contributors: each registers one contribution, paid out to its associated token account
    let n = o.contributors;
    let bar = Bar::new(o.progress, u64::from(n), "registering");
    let contributors: Vec<Keypair> = (0..u64::from(n)).map(|i| keypair(0xC0, i)).collect();
    let kinds = [ContributionKind::Dataset, ContributionKind::Model, ContributionKind::Compute];
    let mut entry = 0u32;
    for chunk in contributors.chunks(REGISTRATIONS_PER_TX) {
        let mut ixs = Vec::new();
        for wallet in chunk {
            chain.airdrop(&wallet.pubkey(), 10_000_000).map_err(|e| anyhow!(e))?;
            ixs.push(token::create_associated_token_account(
                &operator.pubkey(),
                &wallet.pubkey(),
                &mint.pubkey(),
                &token_program,
            ));
            if entry.is_multiple_of(ENTRIES_PER_PAGE) {
                ixs.push(ix::open_ledger_page(&operator.pubkey(), &keys, pda::page_of(entry)));
            }
            let destination = token::associated_token_address(&wallet.pubkey(), &mint.pubkey(), &token_program);
            ixs.push(ix::register_contribution(
                &wallet.pubkey(),
                &keys,
                entry,
                &destination,
                content_hash(u64::from(entry)),
                kinds[entry as usize % kinds.len()],
                format!("ipfs://demo/{entry}"),
            ));
            entry += 1;
        }
        let signers: Vec<&Keypair> = chunk.iter().collect();
        count(send(&mut chain, &operator, &signers, &ixs)?);
        bar.set(u64::from(entry));
    }
    bar.done();

    // attribution weights, Zipf-distributed, posted by the attestor in batches per page
    let weights = zipf_weights(n, o.zipf, 0x5EED);
    let bar = Bar::new(o.progress, u64::from(n), "posting weights");
    let mut posted = 0u64;
    for page in 0..n.div_ceil(ENTRIES_PER_PAGE) {
        let first = page * ENTRIES_PER_PAGE;
        let last = (first + ENTRIES_PER_PAGE).min(n);
        let updates: Vec<WeightUpdate> =
            (first..last).map(|e| WeightUpdate { entry: e, weight: weights[e as usize] }).collect();
        for batch in updates.chunks(tributary_sdk::instructions::WEIGHTS_PER_TX) {
            count(send(
                &mut chain,
                &attestor,
                &[],
                &[ix::set_weights(&attestor.pubkey(), &keys, page, 1, [7; 32], batch.to_vec())],
            )?);
            posted += batch.len() as u64;
            bar.set(posted);
        }
    }
    bar.done();

    // revenue: one deposit, then a stream of usage fees attributed to a few entries each
    count(send(&mut chain, &operator, &[], &[ix::deposit(&operator.pubkey(), &keys, &operator_ata, revenue)])?);
    let bar = Bar::new(o.progress, u64::from(o.usage_events), "usage fees");
    let mut rng = Rng(0xFEED);
    let mut usage_paid = 0u64;
    for event in 0..o.usage_events {
        let page = rng.below(u64::from(n.div_ceil(ENTRIES_PER_PAGE))) as u32;
        let first = page * ENTRIES_PER_PAGE;
        let on_page = (n - first).min(ENTRIES_PER_PAGE);
        let k = 1 + rng.below(u64::from(on_page.min(4))) as u32;
        let start = first + rng.below(u64::from(on_page - k + 1)) as u32;
        let mut shares: Vec<UsageShare> =
            (start..start + k).map(|e| UsageShare { entry: e, share_bps: (10_000 / k) as u16 }).collect();
        shares[0].share_bps += (10_000 - 10_000 / k * k) as u16;
        let fee = ONE_TOKEN + rng.below(49 * ONE_TOKEN);
        count(send(
            &mut chain,
            &operator,
            &[],
            &[ix::attribute_usage(&operator.pubkey(), &keys, page, &operator_ata, fee, shares)],
        )?);
        usage_paid += fee;
        bar.set(u64::from(event) + 1);
    }
    bar.done();
    let setup_done = started.elapsed();

    // the crank: the bot's own code, until nothing owed above the minimum is left
    let crank_started = Instant::now();
    let mut cranker_bot = Cranker::new(
        cranker.insecure_clone(),
        CrankOptions { reward_account: RewardAccount::Fixed(reward_account), ..CrankOptions::default() },
    );
    let view = tributary_crank::crank::load_view(&mut chain, &keys.pool)?;
    let (due, _) = tributary_crank::crank::due_payouts(&mut chain, &view)?;
    let bar = std::rc::Rc::new(Bar::new(o.progress, due.len() as u64, "cranking"));
    let progress_bar = bar.clone();
    cranker_bot.on_progress = Some(Box::new(move |done, _| progress_bar.set(done as u64)));
    let rounds = cranker_bot.drain(&mut chain, &keys.pool, 10)?;
    bar.done();
    let crank_time = crank_started.elapsed();

    let report =
        Report::gather(&mut chain, &keys, &contributors, &reward_account, revenue + usage_paid, &rounds, &weights)?;
    let elapsed = started.elapsed();
    if o.json {
        println!("{}", serde_json::to_string_pretty(&report.json(&rounds, setup.transactions, elapsed.as_secs_f64()))?);
    } else {
        report.print(
            &rounds,
            setup.transactions,
            setup.fee_lamports,
            setup_done.as_secs_f64(),
            crank_time.as_secs_f64(),
            elapsed.as_secs_f64(),
        );
    }
    Ok(report.conserved)
}

struct Report {
    contributors: usize,
    total_in: u64,
    vault: u64,
    paid_out: u64,
    rewards: u64,
    owed: u128,
    obligations_x64: u128,
    below_min: usize,
    still_due: usize,
    conserved: bool,
    problems: Vec<String>,
    top: Vec<(u32, u64, u64)>,
    crank: RoundReport,
}

impl Report {
    fn gather(
        chain: &mut SvmChain,
        keys: &PoolKeys,
        contributors: &[Keypair],
        reward_account: &Pubkey,
        total_in: u64,
        rounds: &[RoundReport],
        weights: &[u64],
    ) -> Result<Self> {
        let view = tributary_crank::crank::load_view(chain, &keys.pool)?;
        let balance = |chain: &mut SvmChain, k: &Pubkey| -> Result<u64> {
            Ok(chain.get_account(k)?.and_then(|a| token::token_balance(&a)).unwrap_or(0))
        };
        let vault = balance(chain, &keys.vault)?;
        let rewards = balance(chain, reward_account)?;
        let mut problems = Vec::new();
        let mut paid_out = 0u64;
        let mut top = Vec::new();
        let destinations: Vec<Pubkey> = contributors
            .iter()
            .map(|w| token::associated_token_address(&w.pubkey(), &keys.mint, &keys.token_program))
            .collect();
        let accounts = chain.get_accounts(&destinations)?;
        for ((entry, e), account) in view.entries().zip(accounts) {
            let received = account.as_ref().and_then(token::token_balance).unwrap_or(0);
            if received != e.paid {
                problems.push(format!("entry {entry}: received {received}, ledger says paid {}", e.paid));
            }
            paid_out += received;
            top.push((entry, weights.get(entry as usize).copied().unwrap_or(0), e.paid));
        }
        top.sort_by_key(|t| std::cmp::Reverse(t.2));
        top.truncate(5);
        let owed = view.total_owed().map_err(|e| anyhow!("{e}"))?;
        let obligations_x64 =
            decode::obligations_x64(&view.pool, view.entries().map(|(_, e)| e)).map_err(|e| anyhow!("{e}"))?;
        if vault + paid_out + rewards != total_in {
            problems.push(format!("tokens in {total_in} != vault {vault} + paid out {paid_out} + rewards {rewards}"));
        }
        if u128::from(vault) << 64 != obligations_x64 {
            problems.push(format!("vault × 2⁶⁴ = {} but obligations = {obligations_x64}", u128::from(vault) << 64));
        }
        if u128::from(rewards) != view.pool.total_cranker_rewards() || u128::from(paid_out) != view.pool.total_paid() {
            problems.push("pool totals disagree with token balances".into());
        }
        let min = view.pool.min_payout.max(1);
        let mut below_min = 0;
        let mut still_due = 0;
        for (_, e) in view.entries() {
            let o = decode::owed_now(e, &view.pool).map_err(|e| anyhow!("{e}"))?;
            if o >= min {
                still_due += 1;
            } else if o > 0 {
                below_min += 1;
            }
        }
        if still_due > 0 {
            problems.push(format!("{still_due} entries still owed at least the minimum payout"));
        }
        let mut crank = RoundReport::default();
        for r in rounds {
            crank.transactions += r.transactions;
            crank.confirmed += r.confirmed;
            crank.payouts += r.payouts;
            crank.units += r.units;
            crank.fee_lamports += r.fee_lamports;
            crank.amount += r.amount;
            crank.failed += r.failed;
            crank.expired += r.expired;
            crank.lookup_addresses_added += r.lookup_addresses_added;
            crank.mode = r.mode.clone();
        }
        Ok(Self {
            contributors: contributors.len(),
            total_in,
            vault,
            paid_out,
            rewards,
            owed,
            obligations_x64,
            below_min,
            still_due,
            conserved: problems.is_empty(),
            problems,
            top,
            crank,
        })
    }

    fn per_payout(&self, v: u64) -> f64 {
        if self.crank.payouts == 0 {
            0.0
        } else {
            v as f64 / self.crank.payouts as f64
        }
    }

    fn print(&self, rounds: &[RoundReport], setup_txs: u64, setup_fees: u64, setup_s: f64, crank_s: f64, total_s: f64) {
        let t = |v: u128| format_amount(v, DECIMALS);
        let c = &self.crank;
        println!();
        println!("Tributary demo — {} contributors, embedded LiteSVM, real sBPF build", self.contributors);
        println!("──────────────────────────────────────────────────────────────");
        println!("setup transactions              {setup_txs:>12}   ({setup_fees} lamports in fees, {setup_s:.1} s)");
        println!("crank rounds                    {:>12}", rounds.len());
        println!(
            "crank transactions sent         {:>12}   ({} confirmed, {} failed, {} expired)",
            c.transactions, c.confirmed, c.failed, c.expired
        );
        println!("payouts                         {:>12}   ({} path, {crank_s:.1} s)", c.payouts, c.mode);
        println!("payouts per transaction         {:>12.1}", c.payouts_per_tx());
        println!("CU per payout                   {:>12.0}", self.per_payout(c.units));
        println!("fee lamports per payout         {:>12.0}", self.per_payout(c.fee_lamports));
        println!("lookup-table addresses          {:>12}", c.lookup_addresses_added);
        println!("──────────────────────────────────────────────────────────────");
        println!("deposited (revenue + usage)     {:>20}", t(self.total_in.into()));
        println!("paid to contributors            {:>20}", t(self.paid_out.into()));
        println!("cranker rewards                 {:>20}", t(self.rewards.into()));
        println!("owed (below minimum, {:>5})     {:>20}", self.below_min, t(self.owed));
        println!("vault                           {:>20}", t(self.vault.into()));
        println!("conservation                    {:>20}", if self.conserved { "exact ✓" } else { "BROKEN ✗" });
        println!(
            "  in = paid + rewards + vault; vault × 2⁶⁴ = owed + pending + carry + held = {}",
            self.obligations_x64
        );
        for p in &self.problems {
            println!("  ✗ {p}");
        }
        println!("──────────────────────────────────────────────────────────────");
        println!("top contributors   entry        weight              paid");
        for (entry, weight, paid) in &self.top {
            println!("                  {entry:>6}  {weight:>12}  {:>16}", t((*paid).into()));
        }
        println!("──────────────────────────────────────────────────────────────");
        println!("wall time {total_s:.1} s");
    }

    fn json(&self, rounds: &[RoundReport], setup_txs: u64, seconds: f64) -> serde_json::Value {
        let c = &self.crank;
        json!({
            "contributors": self.contributors,
            "setup_transactions": setup_txs,
            "crank_rounds": rounds.len(),
            "crank_transactions": c.transactions,
            "confirmed": c.confirmed,
            "payouts": c.payouts,
            "payouts_per_transaction": c.payouts_per_tx(),
            "cu_per_payout": self.per_payout(c.units),
            "fee_lamports_per_payout": self.per_payout(c.fee_lamports),
            "deposited": self.total_in,
            "paid": self.paid_out,
            "cranker_rewards": self.rewards,
            "owed": self.owed.to_string(),
            "vault": self.vault,
            "still_due": self.still_due,
            "conserved": self.conserved,
            "problems": self.problems,
            "top": self.top.iter().map(|(e, w, p)| json!({"entry": e, "weight": w, "paid": p})).collect::<Vec<_>>(),
            "seconds": seconds,
            "rounds": rounds,
        })
    }
}
