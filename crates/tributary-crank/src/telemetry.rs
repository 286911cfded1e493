//! What the long-running crank tells its operator: `tracing` events (filtered by `RUST_LOG`,
//! default `info`; printed for people or as one JSON object per line) and, optionally, Prometheus
//! metrics over HTTP.
use crate::crank::RoundReport;
use prometheus::{Encoder, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder};
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

/// Install the global subscriber: `json` for one flat JSON object per event (its fields at the top
/// level), else human-readable lines; both on stderr.
pub fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    // a second call (tests) keeps the first subscriber
    let _ = if json { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
}

/// The crank's counters, for `--metrics-addr`.
pub struct Metrics {
    registry: Registry,
    pub rounds: IntCounter,
    pub payouts: IntCounter,
    pub transactions: IntCounter,
    pub failed_transactions: IntCounter,
    pub lamports_spent: IntCounter,
    pub quarantined: IntCounter,
    pub unpayable: IntCounterVec,
    pub rpc_errors: IntCounter,
    pub rpc_requests: IntCounter,
    pub rpc_retries: IntCounter,
    /// Gauges of the backlog, set after every pass.
    pub entries_due: IntGauge,
    pub owed_backlog: IntGauge,
    pub quarantined_now: IntGauge,
    pub last_successful_round: IntGauge,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(format!("tributary_crank_{name}"), help).expect("valid metric");
            registry.register(Box::new(c.clone())).expect("registered once");
            c
        };
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::new(format!("tributary_crank_{name}"), help).expect("valid metric");
            registry.register(Box::new(g.clone())).expect("registered once");
            g
        };
        let unpayable = IntCounterVec::new(
            Opts::new("tributary_crank_unpayable_total", "Due entries left unpaid because the program would skip them"),
            &["reason"],
        )
        .expect("valid metric");
        registry.register(Box::new(unpayable.clone())).expect("registered once");
        Self {
            rounds: counter("rounds_total", "Rounds run over a pool"),
            payouts: counter("payouts_total", "Payouts in confirmed transactions"),
            transactions: counter("transactions_total", "Crank transactions sent"),
            failed_transactions: counter("failed_transactions_total", "Crank transactions that failed"),
            lamports_spent: counter("lamports_spent_total", "Fees of confirmed crank transactions, lamports"),
            quarantined: counter("quarantined_total", "Entries set aside after their transaction failed alone"),
            rpc_errors: counter("rpc_errors_total", "Rounds or pool listings that ended in an RPC error"),
            rpc_requests: counter("rpc_requests_total", "JSON-RPC requests sent (every attempt)"),
            rpc_retries: counter("rpc_retries_total", "JSON-RPC calls tried again after a transient failure"),
            entries_due: gauge("entries_due", "Entries owed at least the minimum at the last pass, over every pool"),
            owed_backlog: gauge("owed_backlog", "Base units owed to due entries and not paid in the last pass"),
            quarantined_now: gauge("quarantined_now", "Entries set aside now"),
            last_successful_round: gauge(
                "last_successful_round_timestamp_seconds",
                "Unix time of the last pass in which no round failed",
            ),
            unpayable,
            registry,
        }
    }

    pub fn record(&self, r: &RoundReport) {
        self.rounds.inc();
        self.payouts.inc_by(r.payouts as u64);
        self.transactions.inc_by(r.transactions as u64);
        self.failed_transactions.inc_by(r.failed as u64);
        self.lamports_spent.inc_by(r.fee_lamports);
        self.quarantined.inc_by(r.quarantined.len() as u64);
        for (reason, count) in &r.unpayable_by_reason {
            self.unpayable.with_label_values(&[reason.as_str()]).inc_by(*count as u64);
        }
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // encoding our own counters into a Vec cannot fail
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Serve `GET /metrics` (any path) on `addr` from a background thread.
    pub fn serve(self: &Arc<Self>, addr: &str) -> anyhow::Result<std::net::SocketAddr> {
        let server = tiny_http::Server::http(addr).map_err(|e| anyhow::anyhow!("--metrics-addr {addr}: {e}"))?;
        let bound =
            server.server_addr().to_ip().ok_or_else(|| anyhow::anyhow!("--metrics-addr {addr}: not an IP address"))?;
        let metrics = Arc::clone(self);
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let header =
                    tiny_http::Header::from_bytes("Content-Type", "text/plain; version=0.0.4").expect("a valid header");
                let _ = request.respond(tiny_http::Response::from_string(metrics.render()).with_header(header));
            }
        });
        Ok(bound)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
