//! `tributary`: the crank bot, the operator commands and the embedded demo.
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;
use tributary_cli::attest;
use tributary_cli::chain::Chain;
use tributary_cli::crank::{CrankOptions, Cranker, RoundReport};
#[cfg(feature = "demo")]
use tributary_cli::demo;
use tributary_cli::ops::{self, Outcome};
use tributary_cli::rpc::RpcChain;
use tributary_cli::telemetry::{self, Metrics};
use tributary_cli::{admin, keys};

#[derive(Parser)]
#[command(name = "tributary", version, about = "Tributary: pay AI contributors in streamed micro-payments")]
struct Cli {
    #[command(flatten)]
    cluster: Cluster,
    #[command(subcommand)]
    command: Command,
}

/// Where to connect and who signs: the flags (before or after the subcommand), else the Solana CLI's
/// config file, else localhost and `~/.config/solana/id.json`.
#[derive(Args, Clone)]
struct Cluster {
    /// JSON-RPC URL or moniker (localhost, devnet, testnet, mainnet-beta) [default: the Solana CLI
    /// config's json_rpc_url, else http://127.0.0.1:8899]
    #[arg(long, short = 'u', global = true, env = "TRIBUTARY_URL")]
    url: Option<String>,
    /// Who signs and pays: a keypair file or a signer URI (prompt://, stdin://, usb://ledger)
    /// [default: the Solana CLI config's keypair_path, else ~/.config/solana/id.json]
    #[arg(long, short = 'k', global = true, env = "TRIBUTARY_KEYPAIR", value_name = "PATH|URI")]
    keypair: Option<String>,
    /// Solana CLI config file to take defaults from
    #[arg(long, short = 'C', global = true, env = "SOLANA_CONFIG")]
    config: Option<PathBuf>,
    /// Print results as human-readable text or JSON
    #[arg(long, global = true, value_enum, default_value = "display")]
    output: Output,
}

#[derive(ValueEnum, Clone, Copy, PartialEq, Eq)]
enum Output {
    Display,
    Json,
}

#[derive(ValueEnum, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum LogFormat {
    Human,
    Json,
}

/// The crank's settings, as flags, environment variables or keys of a `--crank-config` file.
#[derive(Args, serde::Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CrankSettings {
    /// Only this pool [default: every pool of the program]
    #[arg(long, env = "TRIBUTARY_CRANK_POOL")]
    #[serde(default, deserialize_with = "parsed")]
    pool: Option<Pubkey>,
    /// Pay what is due now, then exit
    #[arg(long, env = "TRIBUTARY_CRANK_ONCE")]
    #[serde(default)]
    once: bool,
    /// Highest priority fee to bid, micro-lamports per compute unit [default: 10000]
    #[arg(long, env = "TRIBUTARY_CRANK_MAX_PRIORITY_FEE")]
    max_priority_fee: Option<u64>,
    /// Compute-unit limit margin over the simulated need, percent [default: 10]
    #[arg(long, env = "TRIBUTARY_CRANK_CU_MARGIN")]
    cu_margin: Option<u64>,
    /// Seconds between rounds [default: 10]
    #[arg(long, env = "TRIBUTARY_CRANK_INTERVAL")]
    interval: Option<u64>,
    /// Token account for the cranker reward [default: the keypair's associated token account, if it exists]
    #[arg(long, env = "TRIBUTARY_CRANK_REWARD_ACCOUNT")]
    #[serde(default, deserialize_with = "parsed")]
    reward_account: Option<Pubkey>,
    /// Send legacy-sized transactions without address lookup tables
    #[arg(long, env = "TRIBUTARY_CRANK_NO_LOOKUP_TABLES")]
    #[serde(default)]
    no_lookup_tables: bool,
    /// Pay only the ledger pages i, i+n, i+2n…: run n cranks with 0/n … (n-1)/n to split the work
    #[arg(long, value_name = "i/n", env = "TRIBUTARY_CRANK_SHARD")]
    #[serde(default, deserialize_with = "parsed")]
    shard: Option<tributary_cli::crank::Shard>,
    /// Open the next ledger page as soon as the open ones are full (you pay its rent, refunded
    /// when it closes), so contributors registering never pay a page's rent
    #[arg(long, env = "TRIBUTARY_CRANK_KEEP_SPARE_PAGE")]
    #[serde(default)]
    keep_spare_page: bool,
    /// At most this many payouts per transaction [default: as many as fit]
    #[arg(long, value_name = "N", env = "TRIBUTARY_CRANK_MAX_PAYOUTS_PER_TX", value_parser = clap::value_parser!(u32).range(1..))]
    max_payouts_per_tx: Option<u32>,
    /// Log lines for people or one JSON object per line (filter with RUST_LOG, default info) [default: human]
    #[arg(long, value_enum, env = "TRIBUTARY_CRANK_LOG_FORMAT")]
    log_format: Option<LogFormat>,
    /// Serve Prometheus metrics (rounds, payouts, lamports spent, unpayable by reason,
    /// quarantined, RPC requests, retries and errors) at this address, e.g. 127.0.0.1:9100
    #[arg(long, value_name = "ADDR", env = "TRIBUTARY_CRANK_METRICS_ADDR")]
    metrics_addr: Option<String>,
}

/// A `FromStr` value written as a string in the config file.
fn parsed<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    text.map(|t| t.parse().map_err(serde::de::Error::custom)).transpose()
}

impl CrankSettings {
    /// What the flags and environment did not set, from the config file.
    fn or_file(self, path: Option<&std::path::Path>) -> Result<Self> {
        let Some(path) = path else { return Ok(self) };
        let text = std::fs::read_to_string(path).map_err(|e| anyhow!("crank config {}: {e}", path.display()))?;
        let file: CrankSettings = toml::from_str(&text).map_err(|e| anyhow!("crank config {}: {e}", path.display()))?;
        Ok(Self {
            pool: self.pool.or(file.pool),
            once: self.once || file.once,
            max_priority_fee: self.max_priority_fee.or(file.max_priority_fee),
            cu_margin: self.cu_margin.or(file.cu_margin),
            interval: self.interval.or(file.interval),
            reward_account: self.reward_account.or(file.reward_account),
            no_lookup_tables: self.no_lookup_tables || file.no_lookup_tables,
            shard: self.shard.or(file.shard),
            keep_spare_page: self.keep_spare_page || file.keep_spare_page,
            max_payouts_per_tx: self.max_payouts_per_tx.or(file.max_payouts_per_tx),
            log_format: self.log_format.or(file.log_format),
            metrics_addr: self.metrics_addr.or(file.metrics_addr),
        })
    }

    fn options(&self) -> CrankOptions {
        CrankOptions {
            max_priority_fee: self.max_priority_fee.unwrap_or(10_000),
            margin_percent: self.cu_margin.unwrap_or(10),
            reward_account: self.reward_account,
            lookup_tables: !self.no_lookup_tables,
            shard: self.shard,
            keep_spare_page: self.keep_spare_page,
            max_payouts_per_tx: self.max_payouts_per_tx.map(|n| n as usize),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// The whole life cycle on an embedded cluster (LiteSVM + the real program build): no network
    #[cfg(feature = "demo")]
    Demo {
        /// Contributions registered
        #[arg(long, default_value_t = 10_000)]
        contributors: u32,
        /// Revenue deposited, in whole tokens
        #[arg(long, default_value_t = 1_000_000)]
        revenue: u64,
        /// Usage fees attributed after the deposit
        #[arg(long, default_value_t = 200)]
        usage_events: u32,
        /// Exponent of the Zipf-like weight distribution
        #[arg(long, default_value_t = 1.1)]
        zipf: f64,
        /// The program build to run [default: target/deploy/tributary.so]
        #[arg(long, env = "TRIBUTARY_SO")]
        program: Option<PathBuf>,
        /// Print the final table as JSON (no progress bars)
        #[arg(long)]
        json: bool,
    },
    /// Stream payouts: pay every entry owed at least the pool's minimum, round after round.
    /// Each setting comes from its flag, else its TRIBUTARY_CRANK_* variable, else the --crank-config
    /// file (TOML, the flags' names: `interval = 5`, `shard = "0/2"`), else its default.
    Crank {
        /// TOML file of crank settings (see crank.example.toml)
        #[arg(long = "crank-config", value_name = "FILE", env = "TRIBUTARY_CRANK_CONFIG")]
        config_file: Option<PathBuf>,
        #[command(flatten)]
        settings: CrankSettings,
    },
    /// Create, inspect, pause and unpause pools
    Pool {
        #[command(subcommand)]
        command: PoolCommand,
    },
    /// Register a contribution (the file is hashed locally; only its SHA-256 goes on chain)
    Contribute {
        /// The pool
        #[arg(long)]
        pool: Pubkey,
        /// File to hash with SHA-256
        #[arg(long, conflicts_with = "hash", required_unless_present = "hash")]
        file: Option<PathBuf>,
        /// The content's SHA-256, 64 hex digits
        #[arg(long)]
        hash: Option<String>,
        /// Where the contribution can be found (at most 200 bytes)
        #[arg(long)]
        uri: String,
        /// dataset, model, compute or other
        #[arg(long, default_value = "dataset")]
        kind: String,
        /// Token account for payouts [default: the keypair's associated token account, created if missing]
        #[arg(long)]
        destination: Option<Pubkey>,
    },
    /// Attribution weights (the attestor's)
    Weights {
        #[command(subcommand)]
        command: WeightsCommand,
    },
    /// Attribution reports from usage receipts: build, verify against the chain, prove a receipt
    Attest {
        #[command(subcommand)]
        command: AttestCommand,
    },
    /// Deposit revenue into a pool
    Deposit {
        /// The pool
        #[arg(long)]
        pool: Pubkey,
        /// Amount in tokens, e.g. 12.5
        #[arg(long)]
        amount: String,
        /// Token account to pay from [default: the keypair's associated token account]
        #[arg(long)]
        from: Option<Pubkey>,
    },
    /// Pay a usage fee attributed to entries of one ledger page
    Attribute {
        /// The pool
        #[arg(long)]
        pool: Pubkey,
        /// Fee in tokens
        #[arg(long)]
        fee: String,
        /// entry:bps pairs summing to 10000, e.g. 0:5000,3:5000
        #[arg(long, required_unless_present = "receipts", conflicts_with = "receipts")]
        shares: Option<String>,
        /// Or: usage receipts (JSON Lines, ATTESTATION.md) of the requests this fee pays for; each
        /// entry's share follows its summed scores (exact basis points, one call per ledger page)
        #[arg(long)]
        receipts: Option<PathBuf>,
        /// Token account to pay from [default: the keypair's associated token account]
        #[arg(long)]
        from: Option<Pubkey>,
    },
    /// Claim what a contribution is owed now (no minimum)
    Claim {
        /// The contribution's address
        #[arg(long)]
        contribution: Pubkey,
        /// Token account to receive [default: the keypair's associated token account, created if missing]
        #[arg(long)]
        destination: Option<Pubkey>,
    },
    /// Ledger pages of a pool: open one ahead of registrations, close the last one
    Pages {
        #[command(subcommand)]
        command: PagesCommand,
    },
    /// Your contribution: retire, close, change its payout account
    Contribution {
        #[command(subcommand)]
        command: ContributionCommand,
    },
    /// The crank's address lookup tables (it creates them and pays their rent)
    LookupTables {
        #[command(subcommand)]
        command: LookupCommand,
    },
    /// A table of pools with what they owe
    Status {
        /// Only this pool [default: every pool of the program]
        #[arg(long)]
        pool: Option<Pubkey>,
    },
}

#[derive(Subcommand)]
enum PoolCommand {
    /// Create a pool paying in MINT; the keypair becomes its creator and authority
    Create {
        /// The revenue token's mint (SPL Token, or Token-2022 without extensions that could refuse a payout)
        #[arg(long)]
        mint: Pubkey,
        /// Distinguishes your pools (seeds the pool address)
        #[arg(long, default_value_t = 0)]
        pool_id: u64,
        /// Who posts weights [default: the keypair]
        #[arg(long)]
        attestor: Option<Pubkey>,
        /// Share of each crank payout paid to the cranker, basis points (at most 100)
        #[arg(long, default_value_t = 10)]
        cranker_reward_bps: u16,
        /// Smallest payout the crank sends, in tokens
        #[arg(long, default_value = "0")]
        min_payout: String,
    },
    /// Show a pool
    Show { pool: Pubkey },
    /// Stop deposits, usage fees, cranks, weight updates and registrations (authority only; claims stay open)
    Pause {
        pool: Pubkey,
        #[command(flatten)]
        multisig: Multisig,
    },
    /// Resume a paused pool (authority only)
    Unpause {
        pool: Pubkey,
        #[command(flatten)]
        multisig: Multisig,
    },
    /// Change the cranker reward and/or the minimum payout (authority only)
    Config {
        pool: Pubkey,
        /// Share of each crank payout paid to the cranker, basis points (at most 100)
        #[arg(long)]
        cranker_reward_bps: Option<u16>,
        /// Smallest payout the crank sends, in tokens
        #[arg(long)]
        min_payout: Option<String>,
        #[command(flatten)]
        multisig: Multisig,
    },
    /// Hand the power to post weights to another key (authority only)
    Attestor {
        pool: Pubkey,
        #[arg(long)]
        attestor: Pubkey,
        #[command(flatten)]
        multisig: Multisig,
    },
    /// Propose a new authority, which takes over when it accepts (authority only)
    ProposeAuthority {
        pool: Pubkey,
        /// The proposed authority
        #[arg(long, conflicts_with = "cancel", required_unless_present = "cancel")]
        new_authority: Option<Pubkey>,
        /// Withdraw a pending proposal
        #[arg(long)]
        cancel: bool,
        #[command(flatten)]
        multisig: Multisig,
    },
    /// Accept a proposed authority transfer (the proposed authority)
    AcceptAuthority {
        pool: Pubkey,
        #[command(flatten)]
        multisig: Multisig,
    },
    /// Close an empty pool: remaining dust to a token account, rent to the authority (authority only)
    Close {
        pool: Pubkey,
        /// Token account for the dust [default: the authority's associated token account]
        #[arg(long)]
        to: Option<Pubkey>,
        #[command(flatten)]
        multisig: Multisig,
    },
}

/// For a pool whose authority is a multisig: print the instruction instead of sending it.
#[derive(Args, Clone)]
struct Multisig {
    /// Print the instruction (and a base58 message with this fee payer) for AUTHORITY to sign in a
    /// multisig UI such as Squads, instead of sending it
    #[arg(long, value_name = "AUTHORITY")]
    print_instruction: Option<Pubkey>,
}

#[derive(Subcommand)]
enum PagesCommand {
    /// Open the pool's next ledger page now (you pay its rent and get it back when it closes), so
    /// contributors who register next never pay a page's rent
    Open { pool: Pubkey },
    /// Close the pool's last ledger page (authority; no active contributions); rent back to its payer
    Close {
        pool: Pubkey,
        #[command(flatten)]
        multisig: Multisig,
    },
}

#[derive(Subcommand)]
enum LookupCommand {
    /// Reclaim their rent: deactivate the keypair's tables, close those past the ~512-slot cool-down
    /// (run again later to close the rest); stop the crank first, it would re-create them
    Reclaim,
}

#[derive(Subcommand)]
enum ContributionCommand {
    /// Stop earning: weight 0; what is owed stays payable
    Retire { contribution: Pubkey },
    /// Close a retired contribution with nothing owed; its rent comes back to you
    Close { contribution: Pubkey },
    /// Send its payouts to another token account of the pool's mint that you own
    SetDestination {
        contribution: Pubkey,
        #[arg(long)]
        destination: Pubkey,
    },
}

#[derive(Subcommand)]
enum WeightsCommand {
    /// Post weights from an attribution report (`attest build`), or from a CSV of `entry,weight` lines
    Set {
        /// The pool (you must be its attestor)
        #[arg(long)]
        pool: Pubkey,
        /// CSV of `entry,weight` lines (entry or contribution address); an optional header line,
        /// blank lines and `#` comments are skipped; its SHA-256 is recorded as the report hash
        #[arg(long, required_unless_present = "report", conflicts_with = "report")]
        file: Option<PathBuf>,
        /// An attribution report: its weights (0 for active entries it does not name), its epoch and
        /// its hash; re-run after an interruption to finish the same epoch
        #[arg(long)]
        report: Option<PathBuf>,
        /// Report epoch, for --file [default: the pool's epoch + 1]
        #[arg(long, conflicts_with = "report")]
        epoch: Option<u64>,
    },
}

#[derive(Subcommand)]
enum AttestCommand {
    /// Build an attribution report from a usage-receipt log (JSON Lines; ATTESTATION.md); offline
    Build {
        #[arg(long)]
        receipts: PathBuf,
        #[arg(long)]
        pool: Pubkey,
        /// The report's epoch (higher than the pool's current one)
        #[arg(long)]
        epoch: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a report against the pool: its hash and epoch are the pool's current ones, every weight
    /// on chain is the report's, and (with --receipts) the report is rebuilt from them byte for byte
    Verify {
        #[arg(long)]
        pool: Pubkey,
        #[arg(long)]
        report: PathBuf,
        #[arg(long)]
        receipts: Option<PathBuf>,
    },
    /// Print the inclusion proof of one receipt (JSON), for `check-receipt`
    Prove {
        #[arg(long)]
        receipts: PathBuf,
        /// The receipt's id
        #[arg(long)]
        id: String,
    },
    /// Check that a receipt (its proof from `prove`) is among those a report was built from; offline
    CheckReceipt {
        #[arg(long)]
        report: PathBuf,
        #[arg(long)]
        proof: PathBuf,
    },
}

fn connect(cluster: &Cluster) -> Result<RpcChain> {
    let config = keys::SolanaConfig::load(cluster.config.as_deref())?;
    let url = cluster.url.clone().or(config.json_rpc_url).unwrap_or_else(|| "http://127.0.0.1:8899".into());
    let mut chain = RpcChain::new(&url);
    if let Some(name) = config.commitment {
        chain.commitment = tributary_cli::rpc::commitment(&name).ok_or_else(|| {
            anyhow!("commitment '{name}' in the Solana CLI config: use processed, confirmed or finalized")
        })?;
    }
    Ok(chain)
}

fn signer(cluster: &Cluster) -> Result<Box<dyn solana_signer::Signer>> {
    let config = keys::SolanaConfig::load(cluster.config.as_deref())?;
    let uri = cluster.keypair.clone().or(config.keypair_path).unwrap_or_else(keys::default_keypair_path);
    keys::signer_from_uri(&uri)
}

/// Run an authority command: signed and sent by the keypair, or printed for a multisig to sign.
fn authority(
    cluster: &Cluster,
    multisig: &Multisig,
    command: impl FnOnce(&mut RpcChain, &admin::Act) -> Result<Outcome>,
) -> Result<()> {
    let mut chain = connect(cluster)?;
    let outcome = match multisig.print_instruction {
        Some(authority) => command(&mut chain, &admin::Act::Print { authority })?,
        None => {
            let payer = signer(cluster)?;
            command(&mut chain, &admin::Act::Send(&payer))?
        }
    };
    print(cluster, outcome)
}

fn print(cluster: &Cluster, outcome: Outcome) -> Result<()> {
    match cluster.output {
        Output::Display => println!("{}", outcome.human),
        Output::Json => println!("{}", serde_json::to_string_pretty(&outcome.json)?),
    }
    Ok(())
}

fn main() {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}

fn run(cli: Cli) -> Result<i32> {
    let cluster = cli.cluster;
    match cli.command {
        #[cfg(feature = "demo")]
        Command::Demo { contributors, revenue, usage_events, zipf, program, json } => {
            let program = program
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/deploy/tributary.so"));
            let show_progress = !json && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let conserved = demo::run(demo::DemoOptions {
                program,
                contributors,
                revenue,
                usage_events,
                zipf,
                progress: show_progress,
                json,
            })?;
            Ok(if conserved { 0 } else { 2 })
        }
        Command::Crank { config_file, settings } => {
            let settings = settings.or_file(config_file.as_deref())?;
            let payer = signer(&cluster)?;
            let mut chain = connect(&cluster)?;
            crank(&mut chain, payer, &settings)
        }
        Command::Pool { command } => {
            match command {
                PoolCommand::Create { mint, pool_id, attestor, cranker_reward_bps, min_payout } => {
                    let payer = signer(&cluster)?;
                    let args = ops::CreatePool { mint, pool_id, attestor, cranker_reward_bps, min_payout };
                    let outcome = ops::pool_create(&mut connect(&cluster)?, &payer, args)?;
                    print(&cluster, outcome)?;
                }
                PoolCommand::Show { pool } => print(&cluster, ops::pool_show(&mut connect(&cluster)?, &pool)?)?,
                PoolCommand::Pause { pool, multisig } => {
                    authority(&cluster, &multisig, |c, act| admin::set_paused(c, act, &pool, true))?
                }
                PoolCommand::Unpause { pool, multisig } => {
                    authority(&cluster, &multisig, |c, act| admin::set_paused(c, act, &pool, false))?
                }
                PoolCommand::Config { pool, cranker_reward_bps, min_payout, multisig } => {
                    authority(&cluster, &multisig, |c, act| {
                        admin::pool_config(c, act, &pool, cranker_reward_bps, min_payout.as_deref())
                    })?
                }
                PoolCommand::Attestor { pool, attestor, multisig } => {
                    authority(&cluster, &multisig, |c, act| admin::set_attestor(c, act, &pool, attestor))?
                }
                PoolCommand::ProposeAuthority { pool, new_authority, cancel: _, multisig } => {
                    authority(&cluster, &multisig, |c, act| admin::propose_authority(c, act, &pool, new_authority))?
                }
                PoolCommand::AcceptAuthority { pool, multisig } => {
                    authority(&cluster, &multisig, |c, act| admin::accept_authority(c, act, &pool))?
                }
                PoolCommand::Close { pool, to, multisig } => {
                    authority(&cluster, &multisig, |c, act| admin::close_pool(c, act, &pool, to))?
                }
            }
            Ok(0)
        }
        Command::Contribute { pool, file, hash, uri, kind, destination } => {
            let content_hash = match (&file, &hash) {
                (Some(path), _) => ops::sha256_file(path)?,
                (None, Some(hex)) => ops::parse_hash(hex)?,
                (None, None) => return Err(anyhow!("give --file or --hash")),
            };
            let kind = ops::parse_kind(&kind)?;
            let payer = signer(&cluster)?;
            let args = ops::Contribute { pool, content_hash, uri, kind, destination };
            print(&cluster, ops::contribute(&mut connect(&cluster)?, &payer, args)?)?;
            Ok(0)
        }
        Command::Weights { command: WeightsCommand::Set { pool, file, report, epoch } } => {
            let payer = signer(&cluster)?;
            let outcome = match (file, report) {
                (_, Some(report)) => attest::post_report(&mut connect(&cluster)?, &payer, &pool, &report)?,
                (Some(file), None) => ops::weights_set(&mut connect(&cluster)?, &payer, &pool, &file, epoch)?,
                (None, None) => anyhow::bail!("--file or --report is required"),
            };
            print(&cluster, outcome)?;
            Ok(0)
        }
        Command::Attest { command } => {
            let outcome = match command {
                AttestCommand::Build { receipts, pool, epoch, out } => attest::build(&receipts, &pool, epoch, &out)?,
                AttestCommand::Verify { pool, report, receipts } => {
                    attest::verify(&mut connect(&cluster)?, &pool, &report, receipts.as_deref())?
                }
                AttestCommand::Prove { receipts, id } => attest::prove(&receipts, &id)?,
                AttestCommand::CheckReceipt { report, proof } => attest::check_receipt(&report, &proof)?,
            };
            print(&cluster, outcome)?;
            Ok(0)
        }
        Command::Deposit { pool, amount, from } => {
            let payer = signer(&cluster)?;
            print(&cluster, ops::deposit(&mut connect(&cluster)?, &payer, &pool, &amount, from)?)?;
            Ok(0)
        }
        Command::Attribute { pool, fee, shares, receipts, from } => {
            let payer = signer(&cluster)?;
            let chain = &mut connect(&cluster)?;
            let outcome = match (shares, receipts) {
                (_, Some(receipts)) => attest::attribute_by_receipts(chain, &payer, &pool, &fee, &receipts, from)?,
                (Some(shares), None) => ops::attribute(chain, &payer, &pool, &fee, &shares, from)?,
                (None, None) => anyhow::bail!("--shares or --receipts is required"),
            };
            print(&cluster, outcome)?;
            Ok(0)
        }
        Command::Claim { contribution, destination } => {
            let payer = signer(&cluster)?;
            print(&cluster, ops::claim(&mut connect(&cluster)?, &payer, &contribution, destination)?)?;
            Ok(0)
        }
        Command::Pages { command } => match command {
            PagesCommand::Open { pool } => {
                let payer = signer(&cluster)?;
                print(&cluster, admin::open_page(&mut connect(&cluster)?, &payer, &pool)?)?;
                Ok(0)
            }
            PagesCommand::Close { pool, multisig } => {
                authority(&cluster, &multisig, |c, act| admin::close_page(c, act, &pool))?;
                Ok(0)
            }
        },
        Command::Contribution { command } => {
            let payer = signer(&cluster)?;
            let mut chain = connect(&cluster)?;
            let outcome = match command {
                ContributionCommand::Retire { contribution } => admin::retire(&mut chain, &payer, &contribution)?,
                ContributionCommand::Close { contribution } => admin::close(&mut chain, &payer, &contribution)?,
                ContributionCommand::SetDestination { contribution, destination } => {
                    admin::set_destination(&mut chain, &payer, &contribution, destination)?
                }
            };
            print(&cluster, outcome)?;
            Ok(0)
        }
        Command::LookupTables { command: LookupCommand::Reclaim } => {
            let payer = signer(&cluster)?;
            let done = tributary_cli::lookup::reclaim(&mut connect(&cluster)?, &payer).map_err(|e| anyhow!("{e}"))?;
            let human = format!(
                "deactivated {}, closed {} ({} lamports back), cooling down {}",
                done.deactivated.len(),
                done.closed.len(),
                done.lamports_returned,
                done.cooling_down.len()
            );
            print(&cluster, Outcome { human, json: serde_json::to_value(&done)? })?;
            Ok(0)
        }
        Command::Status { pool } => {
            print(&cluster, ops::status(&mut connect(&cluster)?, pool)?)?;
            Ok(0)
        }
    }
}

fn log_round(r: &RoundReport, metrics: &Metrics, rpc_requests: u64) {
    metrics.record(r);
    for q in &r.quarantined {
        tracing::warn!(
            event = "quarantined",
            pool = %r.pool,
            entry = q.entry,
            destination = %q.destination,
            strikes = q.strikes,
            reason = %q.reason,
            "entry quarantined: its transaction failed alone; retried later"
        );
    }
    tracing::info!(
        event = "round",
        pool = %r.pool,
        due = r.due,
        transactions = r.transactions,
        confirmed = r.confirmed,
        expired = r.expired,
        failed = r.failed,
        payouts = r.payouts,
        per_tx = r.payouts_per_tx(),
        cu = r.units,
        fee_lamports = r.fee_lamports,
        priority_micro_lamports = r.priority_micro_lamports,
        unpayable = r.unpayable,
        unpayable_by_reason = %serde_json::to_string(&r.unpayable_by_reason).unwrap_or_default(),
        quarantined = r.quarantined.len(),
        quarantine_waiting = r.quarantine_waiting,
        bisected = r.bisected,
        page_opened = ?r.page_opened,
        lookup_addresses_added = r.lookup_addresses_added,
        rpc_requests,
        mode = %r.mode,
        "round"
    );
}

fn crank(chain: &mut RpcChain, payer: Box<dyn solana_signer::Signer>, settings: &CrankSettings) -> Result<i32> {
    let (pool, once, interval) = (settings.pool, settings.once, settings.interval.unwrap_or(10));
    let format = settings.log_format.unwrap_or(LogFormat::Human);
    let (metrics_addr, mut opts) = (settings.metrics_addr.clone(), settings.options());
    use solana_signer::Signer;
    telemetry::init_logging(format == LogFormat::Json);
    let metrics = std::sync::Arc::new(Metrics::new());
    if let Some(addr) = metrics_addr {
        let bound = metrics.serve(&addr)?;
        tracing::info!(event = "metrics", addr = %bound, "Prometheus metrics at http://{bound}/metrics");
    }
    tracing::info!(event = "start", cranker = %payer.pubkey(), url = %chain.describe(), "crank started");
    let explicit_reward = opts.reward_account.is_some();
    let mut cranker = Cranker::new(payer, opts);
    let mut failures = 0u32;
    let mut passes = 0u32;
    // SIGTERM / SIGINT: finish the round in progress (its transactions are confirmed), then exit 0
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, stop.clone())?;
    }
    let stopping = || stop.load(std::sync::atomic::Ordering::Relaxed);
    loop {
        if stopping() {
            tracing::info!(event = "stop", passes, "stopped on signal");
            return Ok(0);
        }
        passes += 1;
        let pools = match pool {
            Some(p) => Ok(vec![p]),
            None => tributary_cli::crank::list_pools(chain),
        };
        let mut outstanding = 0;
        let mut round_failed = false;
        match pools {
            Ok(pools) => {
                for p in pools {
                    if !explicit_reward {
                        // the cranker's own associated account of this pool's mint, where it exists
                        opts.reward_account = reward_account_for(chain, &cranker.payer.pubkey(), &p);
                        cranker.opts = opts;
                    }
                    let requests_before = chain.requests();
                    match cranker.round(chain, &p) {
                        Ok(report) => {
                            outstanding += report.due.saturating_sub(report.payouts);
                            log_round(&report, &metrics, chain.requests() - requests_before);
                        }
                        Err(e) => {
                            round_failed = true;
                            metrics.rpc_errors.inc();
                            tracing::error!(event = "error", pool = %p, error = %e, "round failed");
                        }
                    }
                }
            }
            Err(e) => {
                round_failed = true;
                metrics.rpc_errors.inc();
                tracing::error!(event = "error", error = %e, "cannot list pools");
            }
        }
        metrics.rpc_requests.inc_by(chain.requests().saturating_sub(metrics.rpc_requests.get()));
        metrics.rpc_retries.inc_by(chain.retries.saturating_sub(metrics.rpc_retries.get()));
        failures = if round_failed { failures + 1 } else { 0 };
        if once {
            // one pass, plus follow-up passes while payable entries remain (expired, failed)
            if !round_failed && outstanding == 0 {
                return Ok(0);
            }
            if failures >= 5 || passes >= 5 {
                return Ok(i32::from(outstanding > 0 || round_failed));
            }
        }
        let backoff =
            if round_failed { Duration::from_secs(1 << failures.min(5)) } else { Duration::from_secs(interval) };
        let pause = if once && !round_failed { Duration::from_millis(500) } else { backoff };
        let until = std::time::Instant::now() + pause;
        while std::time::Instant::now() < until && !stopping() {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn reward_account_for(chain: &mut RpcChain, cranker: &Pubkey, pool: &Pubkey) -> Option<Pubkey> {
    let view = ops::load_pool(chain, pool).ok()?;
    let ata = tributary_cli::token::associated_token_address(cranker, &view.pool.mint, &view.pool.token_program);
    chain.get_account(&ata).ok().flatten().map(|_| ata)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(args: &[&str]) -> (CrankSettings, Option<PathBuf>) {
        let cli = Cli::try_parse_from([&["tributary", "crank"], args].concat()).expect("parses");
        match cli.command {
            Command::Crank { config_file, settings } => (settings, config_file),
            _ => unreachable!("a crank command"),
        }
    }

    #[test]
    fn crank_settings_come_from_flags_then_the_config_file_then_defaults() {
        let dir = std::env::temp_dir().join(format!("tributary-crank-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("crank.toml");
        let pool = Pubkey::new_unique();
        std::fs::write(
            &file,
            format!("pool = \"{pool}\"\ninterval = 7\nshard = \"1/4\"\nkeep-spare-page = true\nlog-format = \"json\"\ncu-margin = 20\n"),
        )
        .expect("write");
        let path = file.display().to_string();
        let (flags, config) = settings(&["--crank-config", &path, "--interval", "3"]);
        let merged = flags.or_file(config.as_deref()).expect("merged");
        assert_eq!(merged.interval, Some(3), "a flag beats the file");
        assert_eq!((merged.pool, merged.cu_margin), (Some(pool), Some(20)), "the file fills what flags leave");
        assert!(merged.keep_spare_page && merged.log_format == Some(LogFormat::Json));
        let opts = merged.options();
        assert_eq!(opts.shard, Some(tributary_cli::crank::Shard { index: 1, count: 4 }));
        assert_eq!((opts.max_priority_fee, opts.margin_percent, opts.lookup_tables), (10_000, 20, true), "defaults");

        std::fs::write(&file, "intervall = 3\n").expect("write");
        let Err(error) = settings(&[]).0.or_file(Some(&file)) else { panic!("an unknown key is refused") };
        assert!(error.to_string().contains("intervall"), "{error}");
        std::fs::write(&file, "shard = \"4/4\"\n").expect("write");
        assert!(settings(&[]).0.or_file(Some(&file)).is_err(), "a bad shard is refused");
        let _ = std::fs::remove_dir_all(&dir);
        let example: CrankSettings = toml::from_str(include_str!("../crank.example.toml")).expect("the example parses");
        assert_eq!(example.metrics_addr.as_deref(), Some("127.0.0.1:9100"));
    }
}
