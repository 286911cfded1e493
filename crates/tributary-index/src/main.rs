//! `tributary-index`: the program's history in a database, served over HTTP.
//!
//!   tributary-index run       # backfill, then follow live, and serve the API
//!   tributary-index backfill  # index everything up to now, then exit
//!   tributary-index serve     # only the API, over a database another process fills
//!
//! Settings: defaults, then `--config FILE` (TOML), then `TRIBUTARY_INDEX_*` variables, then flags.
//! Its own binary, not a subcommand of `tributary`: a crank operator needs no database stack.
use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use solana_commitment_config::CommitmentConfig;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tributary_index::api::{router, AppState};
use tributary_index::follow::{FollowSettings, Follower};
use tributary_index::store::{redact, Store};

#[derive(Parser)]
#[command(
    name = "tributary-index",
    version,
    about = "Tributary's history in SQLite or PostgreSQL, as JSON and CSV over HTTP"
)]
struct Cli {
    /// A TOML file of settings (the flags' long names).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(flatten)]
    flags: Flags,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Backfill, follow live, promote to finalized, and serve the API.
    Run,
    /// Index everything the cluster has now, then exit (progress and rate on stderr).
    Backfill,
    /// Serve the API over a database another process fills.
    Serve,
}

/// Flags given on the command line (absent ones leave the layer below).
#[derive(clap::Args, Serialize, Default)]
struct Flags {
    /// JSON-RPC URL of the cluster.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    rpc_url: Option<String>,
    /// A SQLite file, `sqlite:…` or `postgres://…`.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<String>,
    /// The program to index.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    program_id: Option<String>,
    /// Address the API listens on.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    /// `confirmed` (indexed at once, promoted to finalized) or `finalized`.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    commitment: Option<String>,
    /// Milliseconds between polls when following.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    poll_ms: Option<u64>,
    /// Transactions fetched at once.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<usize>,
}

#[derive(Deserialize, Serialize, Debug)]
#[serde(deny_unknown_fields)]
struct Settings {
    rpc_url: String,
    database: String,
    program_id: String,
    listen: String,
    commitment: String,
    poll_ms: u64,
    concurrency: usize,
    attempts: u32,
    backoff_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            rpc_url: "http://127.0.0.1:8899".into(),
            database: "tributary-index.sqlite".into(),
            program_id: tributary::ID.to_string(),
            listen: "127.0.0.1:8787".into(),
            commitment: "confirmed".into(),
            poll_ms: 400,
            concurrency: 8,
            attempts: 6,
            backoff_ms: 250,
        }
    }
}

fn settings(cli: &Cli) -> Result<Settings> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    if let Some(path) = &cli.config {
        if !path.is_file() {
            bail!("index config {}: no such file", path.display());
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    let s: Settings = figment
        .merge(Env::prefixed("TRIBUTARY_INDEX_"))
        .merge(Serialized::defaults(&cli.flags))
        .extract()
        .map_err(|e| anyhow!("index settings: {e}"))?;
    if s.concurrency == 0 || s.attempts == 0 {
        bail!("concurrency and attempts are at least 1");
    }
    Ok(s)
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let s = settings(&cli)?;
    let commitment = match s.commitment.as_str() {
        "confirmed" => CommitmentConfig::confirmed(),
        "finalized" => CommitmentConfig::finalized(),
        other => bail!("commitment is confirmed or finalized, not {other:?}"),
    };
    let store = Arc::new(Store::open(&s.database).await?);
    tracing::info!(database = redact(&s.database), program = s.program_id, "opened");
    let follow = FollowSettings {
        program_id: s.program_id.clone(),
        commitment,
        concurrency: s.concurrency,
        attempts: s.attempts,
        backoff: Duration::from_millis(s.backoff_ms),
    };
    match cli.command {
        Command::Backfill => {
            let follower = Follower::new(&s.rpc_url, store.clone(), follow)?;
            let started = std::time::Instant::now();
            let n = follower.sync().await?;
            follower.promote().await?;
            let seconds = started.elapsed().as_secs_f64();
            eprintln!("indexed {n} transactions in {seconds:.1} s ({:.0} tx/s)", n as f64 / seconds.max(1e-3));
            Ok(())
        }
        Command::Serve => serve(&s, AppState { store, counters: None, program_id: s.program_id.clone() }, None).await,
        Command::Run => {
            let follower = Arc::new(Follower::new(&s.rpc_url, store.clone(), follow)?);
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let state = AppState { store, counters: Some(follower.counters.clone()), program_id: s.program_id.clone() };
            let poll = Duration::from_millis(s.poll_ms);
            let task = {
                let follower = follower.clone();
                tokio::spawn(async move { follower.run(poll, stop_rx).await })
            };
            let result = serve(&s, state, Some(stop_tx)).await;
            task.await.context("follower")?;
            result
        }
    }
}

/// Serve until SIGINT or SIGTERM; then tell the follower to stop after its current poll.
async fn serve(s: &Settings, state: AppState, stop: Option<tokio::sync::watch::Sender<bool>>) -> Result<()> {
    let listener =
        tokio::net::TcpListener::bind(&s.listen).await.with_context(|| format!("listening on {}", s.listen))?;
    tracing::info!(listen = %listener.local_addr()?, "serving the API");
    // the validator suite and the app's test read this line to learn the port (`--listen 127.0.0.1:0`)
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
            }
            tracing::info!("stopping");
            if let Some(stop) = stop {
                let _ = stop.send(true);
            }
        })
        .await?;
    Ok(())
}
