//! `tributary`: the crank bot, the operator commands and the embedded demo.
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use tributary_cli::attest;
use tributary_cli::ops::{self, Outcome};
use tributary_cli::{admin, keys};
use tributary_crank::crank::Cranker;
use tributary_crank::rpc::RpcChain;
use tributary_crank::service::{self, Settings};
use tributary_crank::telemetry::{self, Metrics};

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

/// The crank's flags. Each setting comes from its flag, else its TRIBUTARY_CRANK_* variable, else
/// the --crank-config file, else its default (`tributary_crank::service::Settings`, layered there).
/// Only the flags given are passed on, so an absent flag never hides the file or the variable.
#[derive(Args, serde::Serialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
struct CrankFlags {
    /// A pool to crank (repeat for several; TRIBUTARY_CRANK_POOL takes a comma-separated list)
    #[arg(long = "pool", value_name = "POOL")]
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "as_strings")]
    pool: Vec<Pubkey>,
    /// Also crank every other pool of the program whose reward covers the fees (needs --value)
    #[arg(long)]
    #[serde(skip_serializing_if = "is_false")]
    all_pools: bool,
    /// MINT=LAMPORTS: what one base unit of MINT is worth in lamports, for --all-pools' value rule
    /// (repeatable)
    #[arg(long, value_name = "MINT=LAMPORTS")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    value: Vec<String>,
    /// Pay what is due now, then exit
    #[arg(long)]
    #[serde(skip_serializing_if = "is_false")]
    once: bool,
    /// Highest priority fee to bid, micro-lamports per compute unit [default: 10000]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    max_priority_fee: Option<u64>,
    /// Compute-unit limit margin over the simulated need, percent [default: 10]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    cu_margin: Option<u64>,
    /// Seconds between rounds [default: 10]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<u64>,
    /// Token account for the cranker reward [default: the keypair's associated token account of
    /// each pool's mint, if it exists]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_string")]
    reward_account: Option<Pubkey>,
    /// Send legacy-sized transactions without address lookup tables
    #[arg(long)]
    #[serde(skip_serializing_if = "is_false")]
    no_lookup_tables: bool,
    /// Transaction format: v1 where the cluster has it (no lookup tables), else v0 [default: auto]
    #[arg(long, value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    tx_version: Option<TxVersionFlag>,
    /// Most account addresses per transaction [default: the cluster's limit, 64 today; 96 under
    /// SIMD-0596]
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    account_limit: Option<usize>,
    /// Pay only the ledger pages i, i+n, i+2n…: run n cranks with 0/n … (n-1)/n to split the work
    #[arg(long, value_name = "i/n")]
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_string")]
    shard: Option<tributary_crank::crank::Shard>,
    /// For the pools named with --pool: open the next ledger page when every slot of the newest page
    /// holds a live contribution (slots burnt by closed contributions are not demand), within
    /// --spare-page-budget. You pay its rent less what the pool's page fund pays back (closed
    /// contributions leave a slot's share there), and get that back only when every contribution in
    /// the pool has closed and its authority closes the page.
    #[arg(long)]
    #[serde(skip_serializing_if = "is_false")]
    keep_spare_page: bool,
    /// Most lamports of page rent --keep-spare-page spends on one pool in any 24 hours (net of the
    /// page fund's share)
    /// [default: 150000000]
    #[arg(long, value_name = "LAMPORTS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    spare_page_budget: Option<u64>,
    /// At most this many payouts per transaction [default: as many as fit]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    #[serde(skip_serializing_if = "Option::is_none")]
    max_payouts_per_tx: Option<u32>,
    /// Log lines for people or one JSON object per line (filter with RUST_LOG, default info) [default: human]
    #[arg(long, value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    log_format: Option<LogFormat>,
    /// Serve Prometheus metrics (rounds, payouts, lamports spent, unpayable by reason, quarantined,
    /// RPC requests, retries and errors; gauges of the backlog) at this address, e.g. 127.0.0.1:9100
    #[arg(long, value_name = "ADDR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics_addr: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum TxVersionFlag {
    Auto,
    V0,
    V1,
}

#[derive(ValueEnum, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum LogFormat {
    Human,
    Json,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn as_string<S: serde::Serializer, T: std::fmt::Display>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.serialize_str(&v.to_string()),
        None => s.serialize_none(),
    }
}

fn as_strings<S: serde::Serializer>(values: &[Pubkey], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(values.iter().map(|v| v.to_string()))
}

#[derive(Subcommand)]
enum Command {
    /// The whole life cycle on an embedded cluster (LiteSVM + the real program build): no network
    #[cfg(feature = "demo")]
    Demo(tributary_demo::DemoArgs),
    /// Stream payouts: pay every entry owed at least the pool's minimum, round after round, for
    /// the pools you name (--pool) and, opted in, every pool worth its fees (--all-pools).
    /// Each setting comes from its flag, else its TRIBUTARY_CRANK_* variable, else the --crank-config
    /// file (TOML, the flags' names: `interval = 5`, `shard = "0/2"`, `pool = ["…", "…"]`), else
    /// its default.
    Crank {
        /// TOML file of crank settings (see crank.example.toml)
        #[arg(long = "crank-config", value_name = "FILE", env = "TRIBUTARY_CRANK_CONFIG")]
        config_file: Option<PathBuf>,
        #[command(flatten)]
        flags: CrankFlags,
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
    /// The deployed program: compare its bytes with a local build
    Program {
        #[command(subcommand)]
        command: ProgramCommand,
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
enum ProgramCommand {
    /// Deploy a build through the upgradeable loader (the keypair pays and is the first upgrade
    /// authority) and, with --upgrade-authority, hand that authority to a multisig vault at once
    Deploy {
        /// The program's keypair file (its address is the program id)
        #[arg(long)]
        program_keypair: PathBuf,
        /// The build to deploy
        #[arg(long, default_value = "target/deploy/tributary.so")]
        so: PathBuf,
        /// Hand the upgrade authority to this key (a Squads vault) after deploying
        #[arg(long)]
        upgrade_authority: Option<Pubkey>,
    },
    /// Write a build into a buffer for an upgrade, its authority the key that will sign the
    /// upgrade (a Squads vault)
    WriteBuffer {
        #[arg(long, default_value = "target/deploy/tributary.so")]
        so: PathBuf,
        /// The buffer's authority [default: the keypair]
        #[arg(long)]
        buffer_authority: Option<Pubkey>,
    },
    /// Upgrade the program from a buffer (print it for a multisig proposal with --print-instruction)
    Upgrade {
        #[arg(long, default_value_t = tributary::ID)]
        program_id: Pubkey,
        #[arg(long)]
        buffer: Pubkey,
        /// Receives the buffer's rent [default: the authority]
        #[arg(long)]
        spill: Option<Pubkey>,
        #[command(flatten)]
        multisig: Multisig,
    },
    /// Hand the program's upgrade authority to another key, e.g. a multisig vault (print it for a
    /// proposal with --print-instruction when a multisig holds it now)
    SetAuthority {
        #[arg(long, default_value_t = tributary::ID)]
        program_id: Pubkey,
        #[arg(long)]
        new_authority: Pubkey,
        #[command(flatten)]
        multisig: Multisig,
    },
    /// Fetch the deployed program's bytes (upgradeable loader, loader-v4 or loader-v2) and compare
    /// them with a local build: MATCH or MISMATCH with both sha256 (exit 0 / 2), and what its
    /// security.txt says (placeholders named)
    Verify {
        /// The program's address [default: Tributary's]
        #[arg(long, default_value_t = tributary::ID)]
        program_id: Pubkey,
        /// The local build to compare with
        #[arg(long, default_value = "target/deploy/tributary.so")]
        so: PathBuf,
    },
}

#[derive(Subcommand)]
enum PagesCommand {
    /// Open the pool's next ledger page now, so contributors who register next never pay a page's
    /// rent: you pay it less what the pool's page fund pays back, and get that back when the emptied
    /// pool's authority closes the page
    Open { pool: Pubkey },
    /// Close the pool's last ledger page (authority; no active contributions); its rent goes back to
    /// the page fund as far as the fund paid it, the rest to whoever opened it
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
    /// Close a retired contribution with nothing owed; its rent comes back to you, less its slot's
    /// share of a ledger page (left in the pool's page fund: the slot is never used again)
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
        chain.commitment = tributary_crank::rpc::commitment(&name).ok_or_else(|| {
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
        Command::Demo(args) => Ok(if tributary_demo::run_args(args)? { 0 } else { 2 }),
        Command::Crank { config_file, flags } => {
            let settings = Settings::load(config_file.as_deref(), &flags)?;
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
        Command::Program { command } => {
            use tributary_cli::program;
            match command {
                ProgramCommand::Verify { program_id, so } => {
                    let (outcome, matches) = program::verify(&mut connect(&cluster)?, &program_id, &so)?;
                    print(&cluster, outcome)?;
                    return Ok(if matches { 0 } else { 2 });
                }
                ProgramCommand::Deploy { program_keypair, so, upgrade_authority } => {
                    let payer = signer(&cluster)?;
                    let program_key = keys::read_keypair(&program_keypair)?;
                    let outcome =
                        program::deploy(&mut connect(&cluster)?, &payer, &program_key, &so, upgrade_authority)?;
                    print(&cluster, outcome)?;
                }
                ProgramCommand::WriteBuffer { so, buffer_authority } => {
                    let payer = signer(&cluster)?;
                    print(
                        &cluster,
                        program::write_buffer_for(&mut connect(&cluster)?, &payer, &so, buffer_authority)?,
                    )?;
                }
                ProgramCommand::Upgrade { program_id, buffer, spill, multisig } => {
                    authority(&cluster, &multisig, |c, act| {
                        program::upgrade(c, act, &program_id, &buffer, &spill.unwrap_or(act.authority()))
                    })?
                }
                ProgramCommand::SetAuthority { program_id, new_authority, multisig } => {
                    authority(&cluster, &multisig, |c, act| {
                        program::set_upgrade_authority(c, act, &program_id, &new_authority)
                    })?
                }
            }
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
            let done = tributary_crank::lookup::reclaim(&mut connect(&cluster)?, &payer).map_err(|e| anyhow!("{e}"))?;
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

/// The crank service: logging, metrics, signals, then `service::run` until stopped.
fn crank(chain: &mut RpcChain, payer: Box<dyn solana_signer::Signer>, settings: &Settings) -> Result<i32> {
    telemetry::init_logging(settings.log_format == service::LogFormat::Json);
    let metrics = std::sync::Arc::new(Metrics::new());
    if let Some(addr) = &settings.metrics_addr {
        let bound = metrics.serve(addr)?;
        tracing::info!(event = "metrics", addr = %bound, "Prometheus metrics at http://{bound}/metrics");
    }
    let mut cranker = Cranker::new_boxed(payer, settings.crank_options());
    // SIGTERM / SIGINT: finish the round in progress (its transactions are confirmed), then exit 0
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, stop.clone())?;
    }
    Ok(match service::run(chain, &mut cranker, settings, &metrics, &stop)? {
        service::Exit::Done => 0,
        service::Exit::Outstanding => 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(args: &[&str]) -> (CrankFlags, Option<PathBuf>) {
        let cli = Cli::try_parse_from([&["tributary", "crank"], args].concat()).expect("parses");
        match cli.command {
            Command::Crank { config_file, flags } => (flags, config_file),
            _ => unreachable!("a crank command"),
        }
    }

    fn load(args: &[&str]) -> Result<Settings> {
        let (flags, file) = flags(args);
        Settings::load(file.as_deref(), &flags)
    }

    /// The only test that sets TRIBUTARY_CRANK_* variables (tests run in parallel threads).
    #[test]
    fn crank_settings_come_from_flags_then_the_environment_then_the_config_file_then_defaults() {
        let dir = std::env::temp_dir().join(format!("tributary-crank-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("crank.toml");
        let (pool, other) = (Pubkey::new_unique(), Pubkey::new_unique());
        std::fs::write(
            &file,
            format!("pool = \"{pool}\"\ninterval = 7\nshard = \"1/4\"\nkeep-spare-page = true\nlog-format = \"json\"\ncu-margin = 20\nspare-page-budget = 5\n"),
        )
        .expect("write");
        let path = file.display().to_string();
        std::env::set_var("TRIBUTARY_CRANK_CU_MARGIN", "30");
        std::env::set_var("TRIBUTARY_CRANK_SPARE_PAGE_BUDGET", "9");
        let merged = load(&["--crank-config", &path, "--interval", "3", "--cu-margin", "40"]).expect("merged");
        assert_eq!(merged.interval, 3, "a flag beats the file");
        assert_eq!(merged.cu_margin, 40, "a flag beats the environment");
        assert_eq!(merged.spare_page_budget, 9, "the environment beats the file");
        assert_eq!(merged.pool, vec![pool], "the file fills what flags and environment leave");
        assert!(merged.keep_spare_page && merged.log_format == service::LogFormat::Json);
        let opts = merged.crank_options();
        assert_eq!(opts.shard, Some(tributary_crank::crank::Shard { index: 1, count: 4 }));
        assert_eq!((opts.max_priority_fee, opts.lookup_tables), (10_000, true), "defaults");
        // several pools: repeated flags, a comma-separated variable
        std::env::set_var("TRIBUTARY_CRANK_POOL", format!("{pool},{other}"));
        assert_eq!(load(&[]).expect("from the environment").pool, vec![pool, other]);
        assert_eq!(load(&["--pool", &other.to_string()]).expect("flag").pool, vec![other], "the flag wins");
        for name in ["TRIBUTARY_CRANK_CU_MARGIN", "TRIBUTARY_CRANK_SPARE_PAGE_BUDGET", "TRIBUTARY_CRANK_POOL"] {
            std::env::remove_var(name);
        }

        std::fs::write(&file, "intervall = 3\npool = \"11111111111111111111111111111111\"\n").expect("write");
        let error = load(&["--crank-config", &path]).expect_err("an unknown key is refused");
        assert!(error.to_string().contains("intervall"), "{error}");
        std::fs::write(&file, "shard = \"4/4\"\n").expect("write");
        assert!(load(&["--crank-config", &path, "--pool", &pool.to_string()]).is_err(), "a bad shard is refused");
        assert!(load(&["--crank-config", "/nonexistent/crank.toml"]).is_err(), "a missing file is an error");
        let _ = std::fs::remove_dir_all(&dir);

        // nothing cranks a pool nobody named unless opted in, priced; spare pages only for named pools
        let error = load(&[]).expect_err("no pool named");
        assert!(error.to_string().contains("--all-pools"), "{error}");
        let error = load(&["--all-pools", "--keep-spare-page"]).expect_err("spare pages need named pools");
        assert!(error.to_string().contains("--keep-spare-page"), "{error}");
        let error = load(&["--all-pools"]).expect_err("discovery needs a value");
        assert!(error.to_string().contains("--value"), "{error}");
        assert!(load(&["--all-pools", "--value", "nope"]).is_err());
        let priced = load(&["--all-pools", "--value", &format!("{pool}=0.25")]).expect("opted in");
        assert_eq!(priced.value_rule().expect("rule").lamports_per_unit.get(&pool), Some(&0.25));

        let example: Settings = toml::from_str(include_str!("../crank.example.toml")).expect("the example parses");
        assert_eq!(example.metrics_addr.as_deref(), Some("127.0.0.1:9100"));
    }
}
