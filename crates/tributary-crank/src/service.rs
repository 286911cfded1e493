//! The crank as a long-running service: its settings, layered defaults < file < environment <
//! flags by `figment`; passes over the pools it was told to crank (and, opted in, the pools it
//! discovers that are worth their fees); doubling backoff after a failed pass; SIGTERM / SIGINT
//! finishing the round in progress; a log line, counters and gauges for every round.
use crate::chain::Chain;
use crate::crank::{Cranker, RewardAccount, RoundReport, Shard, ValueRule};
use crate::telemetry::Metrics;
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail, Result};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Deserializer};
use solana_signer::Signer;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Prefix of the environment variables that set the crank's settings (`TRIBUTARY_CRANK_INTERVAL`).
pub const ENV_PREFIX: &str = "TRIBUTARY_CRANK_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

/// Which transaction format the crank sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TxVersion {
    /// v1 where the cluster has it (its feature account), else v0; v0 after a refusal of v1.
    #[default]
    Auto,
    V0,
    V1,
}

/// Every setting of `tributary crank`, by its key in the config file (the flag's name; the
/// environment variable is `TRIBUTARY_CRANK_` and the key in capitals with `_`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// The pools to crank (in the file a string or a list; in the environment comma-separated).
    #[serde(deserialize_with = "pubkeys")]
    pub pool: Vec<Pubkey>,
    /// Also crank every other pool of the program, when its reward is worth the fees (`value`).
    pub all_pools: bool,
    /// `MINT=LAMPORTS`: what one base unit of a mint is worth in lamports, for the value rule of
    /// discovered pools (a pool whose mint has no value here is never cranked unnamed).
    #[serde(deserialize_with = "strings")]
    pub value: Vec<String>,
    pub once: bool,
    pub max_priority_fee: u64,
    pub cu_margin: u64,
    pub interval: u64,
    #[serde(deserialize_with = "parsed")]
    pub reward_account: Option<Pubkey>,
    pub no_lookup_tables: bool,
    pub tx_version: TxVersion,
    /// Most account addresses per transaction [default: the cluster's, 64 today].
    pub account_limit: Option<usize>,
    #[serde(deserialize_with = "parsed")]
    pub shard: Option<Shard>,
    pub keep_spare_page: bool,
    pub spare_page_budget: u64,
    pub max_payouts_per_tx: Option<u32>,
    pub log_format: LogFormat,
    pub metrics_addr: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            pool: Vec::new(),
            all_pools: false,
            value: Vec::new(),
            once: false,
            max_priority_fee: 10_000,
            cu_margin: crate::tx::DEFAULT_CU_MARGIN_PERCENT,
            interval: 10,
            reward_account: None,
            no_lookup_tables: false,
            tx_version: TxVersion::Auto,
            account_limit: None,
            shard: None,
            keep_spare_page: false,
            spare_page_budget: crate::crank::DEFAULT_SPARE_PAGE_BUDGET,
            max_payouts_per_tx: None,
            log_format: LogFormat::Human,
            metrics_addr: None,
        }
    }
}

/// One public key or several: a TOML string, a list of strings, or comma-separated text.
fn pubkeys<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Vec<Pubkey>, D::Error> {
    strings(deserializer)?.iter().map(|s| s.parse().map_err(serde::de::Error::custom)).collect()
}

fn strings<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let items = match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(text) => text.split(',').map(str::to_string).collect(),
        OneOrMany::Many(items) => items,
    };
    Ok(items.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
}

/// A `FromStr` value written as a string.
fn parsed<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = Deserialize::deserialize(deserializer)?;
    text.map(|t| t.parse().map_err(serde::de::Error::custom)).transpose()
}

impl Settings {
    /// Defaults, then the TOML file (if any), then `TRIBUTARY_CRANK_*` variables, then `flags`
    /// (a serializable value holding only the flags given), each beating the one before; checked.
    pub fn load(file: Option<&Path>, flags: impl serde::Serialize) -> Result<Self> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.is_file() {
                bail!("crank config {}: no such file", path.display());
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let env = Env::prefixed(ENV_PREFIX).ignore(&["config"]).map(|key| key.as_str().replace('_', "-").into());
        let settings: Settings = figment
            .merge(env)
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(|e| anyhow!("crank settings: {e}"))?;
        settings.check()?;
        Ok(settings)
    }

    /// What no layer may leave: spare pages for pools nobody named, unpriced discovery.
    pub fn check(&self) -> Result<()> {
        if self.pool.is_empty() && !self.all_pools {
            bail!(
                "name the pools to crank with --pool (repeatable), or opt in to cranking every pool of the \
                 program worth its fees with --all-pools and --value MINT=LAMPORTS"
            );
        }
        if self.keep_spare_page && self.pool.is_empty() {
            bail!("--keep-spare-page opens pages, at your expense, only for pools you name: add --pool");
        }
        if self.account_limit.is_some_and(|n| !(8..=256).contains(&n)) {
            bail!("--account-limit: between 8 and 256 account addresses per transaction");
        }
        if self.all_pools && self.value.is_empty() {
            bail!("--all-pools cranks a discovered pool only when its reward covers the fees: price its mint with --value MINT=LAMPORTS (what one base unit is worth)");
        }
        self.value_rule()?;
        Ok(())
    }

    /// The `value` entries as a rule.
    pub fn value_rule(&self) -> Result<ValueRule> {
        let mut lamports_per_unit = HashMap::new();
        for entry in &self.value {
            let parsed = entry.split_once('=').and_then(|(mint, lamports)| {
                let lamports: f64 = lamports.trim().parse().ok()?;
                Some((mint.trim().parse::<Pubkey>().ok()?, lamports))
            });
            match parsed {
                Some((mint, lamports)) if lamports.is_finite() && lamports >= 0.0 => {
                    lamports_per_unit.insert(mint, lamports);
                }
                _ => bail!("--value '{entry}': write MINT=LAMPORTS, the lamports one base unit of MINT is worth"),
            }
        }
        Ok(ValueRule { lamports_per_unit })
    }

    pub fn crank_options(&self) -> crate::crank::CrankOptions {
        crate::crank::CrankOptions {
            max_priority_fee: self.max_priority_fee,
            margin_percent: self.cu_margin,
            reward_account: match self.reward_account {
                Some(account) => RewardAccount::Fixed(account),
                None => RewardAccount::Associated,
            },
            lookup_tables: !self.no_lookup_tables,
            format: match self.tx_version {
                TxVersion::Auto => None,
                TxVersion::V0 => Some(crate::tx::Format::V0),
                TxVersion::V1 => Some(crate::tx::Format::V1),
            },
            max_accounts: self.account_limit,
            shard: self.shard,
            keep_spare_page: self.keep_spare_page,
            spare_page_budget: self.spare_page_budget,
            max_payouts_per_tx: self.max_payouts_per_tx.map(|n| n as usize),
        }
    }
}

/// How a service run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Stopped on a signal, or `once` and nothing left to pay.
    Done,
    /// `once`, and something payable was left or a pass failed.
    Outstanding,
}

/// What one pass over the pools found.
#[derive(Debug, Default)]
struct Pass {
    failed: bool,
    outstanding: usize,
}

/// Passes until `stop` is set (or, with `once`, until nothing payable is left, five passes at
/// most). A pool's failure never stops the other pools; a failed pass backs off 2, 4 … 32 s.
pub fn run(
    chain: &mut dyn Chain,
    cranker: &mut Cranker,
    settings: &Settings,
    metrics: &Metrics,
    stop: &AtomicBool,
) -> Result<Exit> {
    let rule = settings.value_rule()?;
    let named: BTreeSet<Pubkey> = settings.pool.iter().copied().collect();
    let (mut failures, mut passes) = (0u32, 0u32);
    let stopping = || stop.load(Ordering::Relaxed);
    tracing::info!(event = "start", cranker = %cranker.payer.pubkey(), url = %chain.describe(), pools = named.len(), all_pools = settings.all_pools, "crank started");
    loop {
        if stopping() {
            tracing::info!(event = "stop", passes, "stopped on signal");
            return Ok(Exit::Done);
        }
        passes += 1;
        let pass = one_pass(chain, cranker, settings, &named, &rule, metrics);
        failures = if pass.failed { failures + 1 } else { 0 };
        if settings.once {
            // one pass, plus follow-up passes while payable entries remain (expired, failed)
            if !pass.failed && pass.outstanding == 0 {
                return Ok(Exit::Done);
            }
            if failures >= 5 || passes >= 5 {
                return Ok(Exit::Outstanding);
            }
        }
        let pause = match (pass.failed, settings.once) {
            (true, _) => Duration::from_secs(1 << failures.min(5)),
            (false, true) => Duration::from_millis(500),
            (false, false) => Duration::from_secs(settings.interval),
        };
        let until = Instant::now() + pause;
        while Instant::now() < until && !stopping() {
            std::thread::sleep(Duration::from_millis(100).min(pause));
        }
    }
}

/// One round over every pool: the named ones, then (opted in) the discovered ones under the rule.
fn one_pass(
    chain: &mut dyn Chain,
    cranker: &mut Cranker,
    settings: &Settings,
    named: &BTreeSet<Pubkey>,
    rule: &ValueRule,
    metrics: &Metrics,
) -> Pass {
    let mut pass = Pass::default();
    let mut pools: Vec<(Pubkey, bool)> = named.iter().map(|p| (*p, true)).collect();
    if settings.all_pools {
        match crate::crank::list_pools(chain) {
            Ok(found) => pools.extend(found.into_iter().filter(|p| !named.contains(p)).map(|p| (p, false))),
            Err(e) => {
                pass.failed = true;
                metrics.rpc_errors.inc();
                tracing::error!(event = "error", error = %e, "cannot list pools");
            }
        }
    }
    let (mut due, mut backlog) = (0u64, 0u64);
    for (pool, is_named) in pools {
        let requests_before = chain.requests();
        let result = cranker.round_with(chain, &pool, (!is_named).then_some(rule));
        let report = match result {
            Ok(report) => report,
            Err(e) => {
                pass.failed = true;
                metrics.rpc_errors.inc();
                tracing::error!(event = "error", pool = %pool, error = %e.error, "round failed");
                *e.report
            }
        };
        if report.skipped.is_none() {
            // a discovered pool left by the value rule is not outstanding work
            pass.outstanding += report.due.saturating_sub(report.payouts);
        }
        due += report.due as u64;
        backlog = backlog.saturating_add(report.owed_due.saturating_sub(report.amount));
        log_round(&report, metrics, chain.requests().saturating_sub(requests_before));
    }
    metrics.rpc_requests.inc_by(chain.requests().saturating_sub(metrics.rpc_requests.get()));
    metrics.rpc_retries.inc_by(chain.retries().saturating_sub(metrics.rpc_retries.get()));
    metrics.entries_due.set(due as i64);
    metrics.owed_backlog.set(i64::try_from(backlog).unwrap_or(i64::MAX));
    metrics.quarantined_now.set(cranker.quarantined_now() as i64);
    if !pass.failed {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        metrics.last_successful_round.set(now as i64);
    }
    pass
}

/// The round's log line (and a warning per quarantined entry), and its counters.
pub fn log_round(r: &RoundReport, metrics: &Metrics, rpc_requests: u64) {
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
    if let Some(why) = &r.page_not_opened {
        tracing::warn!(event = "spare_page_not_opened", pool = %r.pool, reason = %why, "spare page not opened");
    }
    tracing::info!(
        event = "round",
        pool = %r.pool,
        due = r.due,
        transactions = r.transactions,
        confirmed = r.confirmed,
        expired = r.expired,
        unconfirmed = r.unconfirmed,
        failed = r.failed,
        failed_on_chain = r.failed_on_chain,
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
        skipped = ?r.skipped,
        lookup_addresses_added = r.lookup_addresses_added,
        rpc_requests,
        mode = %r.mode,
        "round"
    );
}
