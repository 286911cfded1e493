//! The HTTP API (documented in `openapi.json`, served at `/openapi.json`): JSON by default, CSV
//! (RFC 4180) with `format=csv` honouring every filter. Amounts are strings of base units (a u64
//! does not fit a JavaScript number). Lists page by `limit` and `after` (the `next` of the page
//! before: keyset pagination, so a page costs the same deep in a long history).
use crate::follow::Counters;
use crate::store::Store;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub const OPENAPI: &str = include_str!("../openapi.json");
const JSON_LIMIT_DEFAULT: i64 = 100;
const JSON_LIMIT_MAX: i64 = 1000;
/// A CSV export holds at most this many rows (a year of daily payouts for 270 contributions);
/// past it the `X-Next-Cursor` header continues. A bound, so one request cannot make a public
/// indexer build an answer of any size in memory.
const CSV_LIMIT_MAX: i64 = 100_000;
/// `/v1/status` reports the lag over this many newest transactions.
const LAG_WINDOW: i64 = 1000;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub counters: Option<Arc<Counters>>,
    pub program_id: String,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }))
        .route("/v1/status", get(status))
        .route("/metrics", get(metrics))
        .route("/v1/wallets/{wallet}/payouts", get(wallet_payouts))
        .route("/v1/wallets/{wallet}/earnings", get(wallet_earnings))
        .route("/v1/pools/{pool}/totals", get(pool_totals))
        .route("/v1/pools/{pool}/daily", get(pool_daily))
        .route("/v1/pools/{pool}/crank-batches", get(pool_batches))
        .route("/v1/pools/{pool}/entries", get(pool_entries))
        .route("/v1/pools/{pool}/top-contributors", get(pool_top))
        .with_state(state)
        .layer(axum::middleware::map_response(allow_any_origin))
}

/// A public, read-only API: any web page may read it (GETs without credentials need no preflight),
/// and see the next-page cursor of a CSV.
async fn allow_any_origin(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        header::HeaderValue::from_static("x-next-cursor, content-disposition"),
    );
    response
}

#[derive(Deserialize, Default)]
pub struct Filters {
    /// `YYYY-MM-DD` (UTC, inclusive) or unix seconds.
    pub from: Option<String>,
    /// `YYYY-MM-DD` (UTC, inclusive: the whole day) or unix seconds (exclusive).
    pub to: Option<String>,
    pub pool: Option<String>,
    pub limit: Option<i64>,
    pub after: Option<String>,
    pub format: Option<String>,
    /// `asc` (oldest first, the default) or `desc` (crank batches only).
    pub order: Option<String>,
}

pub struct ApiError(StatusCode, String);
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}
impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "query failed");
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, "the database failed to answer".into())
    }
}
impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        tracing::error!(error = format!("{e:#}"), "request failed");
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, "the index failed to answer".into())
    }
}
fn bad_request(what: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, what.into())
}

/// A base58 address of 32 bytes, or a named error.
fn address(value: &str, what: &str) -> Result<String, ApiError> {
    match bs58::decode(value).into_vec() {
        Ok(bytes) if bytes.len() == 32 => Ok(value.to_string()),
        _ => Err(bad_request(format!("{what} is not a base58 address: {value:?}"))),
    }
}

/// Unix seconds of a `YYYY-MM-DD` day's start (proleptic Gregorian, UTC).
pub fn day_start(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (value[..4].parse().ok()?, value[5..7].parse().ok()?, value[8..].parse().ok()?);
    let days_in = [
        31,
        if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    // days from the civil date (Howard Hinnant's algorithm)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

/// `YYYY-MM-DD` of a unix time (UTC).
pub fn date_of(unix: i64) -> String {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// ISO 8601 of a unix time (UTC), to the second.
pub fn iso_of(unix: i64) -> String {
    let s = unix.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}Z", date_of(unix), s / 3600, s % 3600 / 60, s % 60)
}

/// [from, to) in unix seconds from the filters.
fn range(f: &Filters) -> Result<(i64, i64), ApiError> {
    let bound = |v: &Option<String>, end: bool, what: &str| -> Result<Option<i64>, ApiError> {
        let Some(v) = v.as_deref().filter(|v| !v.is_empty()) else { return Ok(None) };
        if let Some(day) = day_start(v) {
            return Ok(Some(if end { day + 86_400 } else { day }));
        }
        v.parse::<i64>()
            .map(Some)
            .map_err(|_| bad_request(format!("{what} is neither YYYY-MM-DD nor unix seconds: {v:?}")))
    };
    let from = bound(&f.from, false, "from")?.unwrap_or(i64::MIN);
    let to = bound(&f.to, true, "to")?.unwrap_or(i64::MAX);
    if from > to {
        return Err(bad_request("from is after to"));
    }
    Ok((from, to))
}

fn csv_wanted(f: &Filters) -> Result<bool, ApiError> {
    match f.format.as_deref() {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(bad_request(format!("format is json or csv, not {other:?}"))),
    }
}

fn limit(f: &Filters, csv: bool) -> Result<i64, ApiError> {
    let (default, max) = if csv { (CSV_LIMIT_MAX, CSV_LIMIT_MAX) } else { (JSON_LIMIT_DEFAULT, JSON_LIMIT_MAX) };
    match f.limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(bad_request(format!("limit is 1 to {max}, not {n}"))),
    }
}

/// The keyset position `after` names: `slot:signature[:third]`.
fn position(after: &Option<String>) -> Result<(i64, String, String), ApiError> {
    let Some(a) = after.as_deref().filter(|a| !a.is_empty()) else { return Ok((-1, String::new(), String::new())) };
    let mut parts = a.splitn(3, ':');
    let slot = parts.next().and_then(|s| s.parse::<i64>().ok());
    let signature = parts.next();
    match (slot, signature) {
        (Some(slot), Some(sig)) => Ok((slot, sig.to_string(), parts.next().unwrap_or("").to_string())),
        _ => Err(bad_request(format!("after is not a cursor this API gave: {a:?}"))),
    }
}

/// One CSV field: quoted when it holds a comma, quote or line break; a leading =, +, - or @ gets a
/// ' so that a spreadsheet never runs it as a formula (the app's statement does the same).
pub fn csv_field(value: &str) -> String {
    let safe =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() };
    if safe.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

/// A list as JSON (`{items, next}`) or CSV (`columns` in order; `X-Next-Cursor` when cut).
fn respond(csv: bool, name: &str, columns: &[&str], items: Vec<Value>, next: Option<String>) -> Response {
    if !csv {
        return Json(json!({ "items": items, "next": next })).into_response();
    }
    let mut out = columns.join(",") + "\r\n";
    for item in &items {
        let line: Vec<String> = columns
            .iter()
            .map(|c| match &item[*c] {
                Value::Null => String::new(),
                Value::String(s) => csv_field(s),
                Value::Array(a) => csv_field(&a.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" ")),
                other => csv_field(&other.to_string()),
            })
            .collect();
        out += &line.join(",");
        out += "\r\n";
    }
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
        ],
        out,
    )
        .into_response();
    if let Some(next) = next.and_then(|n| n.parse().ok()) {
        response.headers_mut().insert("x-next-cursor", next);
    }
    response
}

/// One page of the `limit + 1` rows asked for: the first `limit`, and the cursor after the last
/// of them when there is more.
fn cut(
    rows: &[AnyRow],
    limit: i64,
    cursor: impl Fn(&AnyRow) -> Result<String, sqlx::Error>,
) -> Result<(&[AnyRow], Option<String>), sqlx::Error> {
    let n = rows.len().min(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if rows.len() > n && n > 0 { Some(cursor(&rows[n - 1])?) } else { None };
    Ok((&rows[..n], next))
}

fn text(r: &AnyRow, i: usize) -> Result<Option<String>, sqlx::Error> {
    r.try_get::<Option<String>, _>(i)
}
fn int(r: &AnyRow, i: usize) -> Result<Option<i64>, sqlx::Error> {
    r.try_get::<Option<i64>, _>(i)
}
fn time_fields(t: Option<i64>) -> (Value, Value) {
    (json!(t), t.map_or(Value::Null, |t| json!(iso_of(t))))
}

async fn status(State(s): State<AppState>) -> Result<Response, ApiError> {
    let stats = s.store.stats().await?;
    let cursor = s.store.cursor(&s.program_id).await?;
    let counters = s.counters.as_ref().map(|c| {
        json!({
            "indexed": c.indexed.load(Ordering::Relaxed),
            "skipped_known": c.skipped_known.load(Ordering::Relaxed),
            "rpc_retries": c.rpc_retries.load(Ordering::Relaxed),
            "failed_polls": c.failed_polls.load(Ordering::Relaxed),
            "finalized": c.finalized.load(Ordering::Relaxed),
            "dropped": c.dropped.load(Ordering::Relaxed),
            "last_lag_slots": c.last_lag_slots.load(Ordering::Relaxed),
        })
    });
    let lag = crate::store::lag_slots(&s.store, LAG_WINDOW)
        .await?
        .map(|(p50, p95, max)| json!({ "transactions": LAG_WINDOW, "p50": p50, "p95": p95, "max": max }));
    Ok(Json(json!({
        "program": s.program_id,
        "lag_slots": lag,
        "database": if s.store.postgres { "postgres" } else { "sqlite" },
        "backfill_done": cursor.backfill_done,
        "newest_signature": cursor.newest_signature,
        "newest_slot": stats.newest_slot,
        "transactions": stats.transactions,
        "unfinalized": stats.unfinalized,
        "logs_truncated": stats.logs_truncated,
        "unbalanced": stats.unbalanced,
        "oversized": stats.oversized,
        "undecodable": stats.undecodable,
        "follower": counters,
    }))
    .into_response())
}

/// The status as Prometheus text (what the crank's `/metrics` is to the crank).
async fn metrics(State(s): State<AppState>) -> Result<Response, ApiError> {
    let stats = s.store.stats().await?;
    let lag = crate::store::lag_slots(&s.store, LAG_WINDOW).await?;
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: f64| {
        out += &format!("# HELP tributary_index_{name} {help}\n# TYPE tributary_index_{name} {kind}\ntributary_index_{name} {value}\n");
    };
    metric("transactions", "gauge", "Chain transactions stored.", stats.transactions as f64);
    metric("newest_slot", "gauge", "Slot of the newest transaction stored.", stats.newest_slot as f64);
    metric("unfinalized", "gauge", "Transactions stored at confirmed, not yet finalized.", stats.unfinalized as f64);
    metric("logs_truncated", "gauge", "Transactions whose log the runtime cut.", stats.logs_truncated as f64);
    metric("unbalanced", "gauge", "Transactions whose balances and events disagree.", stats.unbalanced as f64);
    metric("oversized", "gauge", "Rows left out for an amount above 2^63 - 1.", stats.oversized as f64);
    metric("undecodable", "gauge", "Transactions the decoder could not read.", stats.undecodable as f64);
    if let Some((p50, p95, max)) = lag {
        metric(
            "lag_slots_p50",
            "gauge",
            "Median slots from a transaction to its commit here (newest 1000).",
            p50 as f64,
        );
        metric("lag_slots_p95", "gauge", "95th percentile of the same.", p95 as f64);
        metric("lag_slots_max", "gauge", "Largest of the same.", max as f64);
    }
    if let Some(c) = &s.counters {
        for (name, help, counter) in [
            ("indexed_total", "Transactions this process indexed.", &c.indexed),
            ("rpc_retries_total", "RPC calls retried after a fault.", &c.rpc_retries),
            ("failed_polls_total", "Polls that failed and started over.", &c.failed_polls),
            ("dropped_total", "Confirmed transactions their cluster dropped.", &c.dropped),
        ] {
            metric(name, "counter", help, counter.load(Ordering::Relaxed) as f64);
        }
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response())
}

const PAYOUT_COLUMNS: &[&str] = &[
    "date_utc",
    "block_time",
    "pool",
    "mint",
    "payout_account",
    "owner",
    "contributor",
    "entries",
    "kind",
    "amount",
    "slot",
    "signature",
    "finalized",
];

/// A wallet's statement: every payout into an account it owns or for a contribution it registered.
async fn wallet_payouts(
    State(s): State<AppState>,
    Path(wallet): Path<String>,
    Query(f): Query<Filters>,
) -> Result<Response, ApiError> {
    let wallet = address(&wallet, "wallet")?;
    let csv = csv_wanted(&f)?;
    let (from, to) = range(&f)?;
    let limit = limit(&f, csv)?;
    let (slot, signature, destination) = position(&f.after)?;
    let pool = f.pool.as_deref().map(|p| address(p, "pool")).transpose()?;
    // two index range scans (contributor, owner) united: an index, not a scan of every payout
    let branch = |column: &str| {
        format!(
            "SELECT signature, destination, pool, entries, contributor, owner, kind, amount, slot, block_time FROM payouts \
             WHERE {column} = $1 AND COALESCE(block_time, 0) >= $2 AND COALESCE(block_time, 0) < $3 AND ($4 = '' OR pool = $4) \
             AND (slot > $5 OR (slot = $5 AND (signature > $6 OR (signature = $6 AND destination > $7))))"
        )
    };
    let sql = format!(
        "SELECT u.signature, u.destination, u.pool, m.mint, u.entries, u.contributor, u.owner, u.kind, u.amount, u.slot, u.block_time, t.finalized \
         FROM ({} UNION {}) u LEFT JOIN pools m ON m.pool = u.pool JOIN chain_transactions t ON t.signature = u.signature \
         ORDER BY u.slot, u.signature, u.destination LIMIT $8",
        branch("contributor"),
        branch("owner")
    );
    let rows = sqlx::query(&sql)
        .bind(&wallet)
        .bind(from)
        .bind(to)
        .bind(pool.unwrap_or_default())
        .bind(slot)
        .bind(signature)
        .bind(destination)
        .bind(limit + 1)
        .fetch_all(&s.store.pool)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    let (rows, next) = cut(&rows, limit, |r| {
        Ok(format!(
            "{}:{}:{}",
            int(r, 9)?.unwrap_or(0),
            text(r, 0)?.unwrap_or_default(),
            text(r, 1)?.unwrap_or_default()
        ))
    })?;
    for r in rows {
        let (slot, signature, destination) =
            (int(r, 9)?.unwrap_or(0), text(r, 0)?.unwrap_or_default(), text(r, 1)?.unwrap_or_default());
        let (t, iso) = time_fields(int(r, 10)?);
        let entries: Vec<i64> =
            text(r, 4)?.unwrap_or_default().split_whitespace().filter_map(|e| e.parse().ok()).collect();
        items.push(json!({
            "date_utc": iso, "block_time": t, "pool": text(r, 2)?, "mint": text(r, 3)?,
            "payout_account": destination, "entries": entries, "contributor": text(r, 5)?, "owner": text(r, 6)?,
            "kind": text(r, 7)?, "amount": int(r, 8)?.unwrap_or(0).to_string(), "slot": slot, "signature": signature,
            "finalized": int(r, 11)? == Some(1),
        }));
    }
    Ok(respond(csv, &format!("statement-{wallet}"), PAYOUT_COLUMNS, items, next))
}

/// A wallet's earnings per pool and contribution over the range.
async fn wallet_earnings(
    State(s): State<AppState>,
    Path(wallet): Path<String>,
    Query(f): Query<Filters>,
) -> Result<Response, ApiError> {
    let wallet = address(&wallet, "wallet")?;
    let csv = csv_wanted(&f)?;
    let (from, to) = range(&f)?;
    let pool = f.pool.as_deref().map(|p| address(p, "pool")).transpose()?;
    let branch = |column: &str| {
        format!(
            "SELECT signature, destination, pool, entries, amount, block_time FROM payouts \
             WHERE {column} = $1 AND COALESCE(block_time, 0) >= $2 AND COALESCE(block_time, 0) < $3 AND ($4 = '' OR pool = $4)"
        )
    };
    let sql = format!(
        "SELECT u.pool, m.mint, u.entries, CAST(SUM(u.amount) AS BIGINT), COUNT(*), MIN(u.block_time), MAX(u.block_time) \
         FROM ({} UNION {}) u LEFT JOIN pools m ON m.pool = u.pool GROUP BY u.pool, m.mint, u.entries ORDER BY u.pool, u.entries",
        branch("contributor"),
        branch("owner")
    );
    let rows = sqlx::query(&sql)
        .bind(&wallet)
        .bind(from)
        .bind(to)
        .bind(pool.unwrap_or_default())
        .fetch_all(&s.store.pool)
        .await?;
    let mut items = Vec::new();
    for r in &rows {
        let entries: Vec<i64> =
            text(r, 2)?.unwrap_or_default().split_whitespace().filter_map(|e| e.parse().ok()).collect();
        items.push(json!({
            "pool": text(r, 0)?, "mint": text(r, 1)?, "entries": entries, "amount": int(r, 3)?.unwrap_or(0).to_string(),
            "payouts": int(r, 4)?, "first_payout": int(r, 5)?.map(iso_of), "last_payout": int(r, 6)?.map(iso_of),
        }));
    }
    let columns = ["pool", "mint", "entries", "amount", "payouts", "first_payout", "last_payout"];
    Ok(respond(csv, &format!("earnings-{wallet}"), &columns, items, None))
}

/// A pool's books as indexed: what the program's own totals must equal.
async fn pool_totals(State(s): State<AppState>, Path(pool): Path<String>) -> Result<Response, ApiError> {
    let pool = address(&pool, "pool")?;
    let sum = |sql: &str| {
        let sql = sql.to_string();
        let pool = pool.clone();
        let db = s.store.pool.clone();
        async move {
            let r = sqlx::query(&sql).bind(pool).fetch_one(&db).await?;
            r.try_get::<i64, _>(0)
        }
    };
    let deposited =
        sum("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM deposits WHERE pool = $1 AND kind = 'revenue'")
            .await?;
    let usage =
        sum("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM deposits WHERE pool = $1 AND kind = 'usage'").await?;
    let paid = sum("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payouts WHERE pool = $1").await?;
    let rewards = sum("SELECT CAST(COALESCE(SUM(reward), 0) AS BIGINT) FROM crank_batches WHERE pool = $1").await?;
    let batches = sum("SELECT COUNT(*) FROM crank_batches WHERE pool = $1").await?;
    let payouts = sum("SELECT COUNT(*) FROM payouts WHERE pool = $1").await?;
    Ok(Json(json!({
        "pool": pool, "deposited": deposited.to_string(), "usage_fees": usage.to_string(), "paid": paid.to_string(),
        "cranker_rewards": rewards.to_string(), "crank_batches": batches, "payouts": payouts,
    }))
    .into_response())
}

/// Per day (UTC): revenue deposited, usage fees, paid out, cranker rewards, counts.
async fn pool_daily(
    State(s): State<AppState>,
    Path(pool): Path<String>,
    Query(f): Query<Filters>,
) -> Result<Response, ApiError> {
    let pool = address(&pool, "pool")?;
    let csv = csv_wanted(&f)?;
    let (from, to) = range(&f)?;
    let (from_day, to_day) = (from.div_euclid(86_400), to.saturating_sub(1).div_euclid(86_400));
    let sql = "SELECT day, kind, CAST(SUM(amount) AS BIGINT), COUNT(*) FROM deposits WHERE pool = $1 AND day >= $2 AND day <= $3 GROUP BY day, kind \
               UNION ALL SELECT day, 'paid', CAST(SUM(amount) AS BIGINT), COUNT(*) FROM payouts WHERE pool = $1 AND day >= $2 AND day <= $3 GROUP BY day \
               UNION ALL SELECT day, 'reward', CAST(SUM(reward) AS BIGINT), COUNT(*) FROM crank_batches WHERE pool = $1 AND day >= $2 AND day <= $3 GROUP BY day";
    let rows = sqlx::query(sql).bind(&pool).bind(from_day).bind(to_day).fetch_all(&s.store.pool).await?;
    let mut days: std::collections::BTreeMap<i64, [i64; 8]> = std::collections::BTreeMap::new();
    for r in &rows {
        let (day, kind, amount, count) = (
            int(r, 0)?.unwrap_or(0),
            text(r, 1)?.unwrap_or_default(),
            int(r, 2)?.unwrap_or(0),
            int(r, 3)?.unwrap_or(0),
        );
        let d = days.entry(day).or_default();
        let at = match kind.as_str() {
            "revenue" => 0,
            "usage" => 2,
            "paid" => 4,
            _ => 6,
        };
        d[at] += amount;
        d[at + 1] += count;
    }
    let items: Vec<Value> = days
        .iter()
        .map(|(day, d)| {
            json!({
                "day": date_of(day * 86_400), "deposited": d[0].to_string(), "deposits": d[1], "usage_fees": d[2].to_string(),
                "usage_payments": d[3], "paid": d[4].to_string(), "payouts": d[5], "cranker_rewards": d[6].to_string(), "crank_batches": d[7],
            })
        })
        .collect();
    let columns = [
        "day",
        "deposited",
        "deposits",
        "usage_fees",
        "usage_payments",
        "paid",
        "payouts",
        "cranker_rewards",
        "crank_batches",
    ];
    Ok(respond(csv, &format!("daily-{pool}"), &columns, items, None))
}

async fn pool_batches(
    State(s): State<AppState>,
    Path(pool): Path<String>,
    Query(f): Query<Filters>,
) -> Result<Response, ApiError> {
    let pool = address(&pool, "pool")?;
    let csv = csv_wanted(&f)?;
    let (from, to) = range(&f)?;
    let limit = limit(&f, csv)?;
    let newest_first = match f.order.as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => return Err(bad_request(format!("order is asc or desc, not {other:?}"))),
    };
    let (slot, signature, seq) = position(&f.after)?;
    let seq: i64 = if seq.is_empty() { -1 } else { seq.parse().map_err(|_| bad_request("after: malformed cursor"))? };
    // keyset in either direction: past the last row of the page before
    let (slot, signature, seq) = match (newest_first, f.after.as_deref().is_some_and(|a| !a.is_empty())) {
        (true, false) => (i64::MAX, String::new(), -1),
        _ => (slot, signature, seq),
    };
    let (cmp, dir) = if newest_first { ("<", "DESC") } else { (">", "ASC") };
    let first_page_desc = newest_first && slot == i64::MAX;
    let sql = format!(
        "SELECT signature, seq, page, cranker, entries, paid, skipped, amount, reward, slot, block_time FROM crank_batches \
         WHERE pool = $1 AND COALESCE(block_time, 0) >= $2 AND COALESCE(block_time, 0) < $3 \
         AND ($8 = 1 OR slot {cmp} $4 OR (slot = $4 AND (signature {cmp} $5 OR (signature = $5 AND seq {cmp} $6)))) \
         ORDER BY slot {dir}, signature {dir}, seq {dir} LIMIT $7"
    );
    let rows = sqlx::query(&sql)
        .bind(&pool)
        .bind(from)
        .bind(to)
        .bind(slot)
        .bind(signature)
        .bind(seq)
        .bind(limit + 1)
        .bind(i64::from(first_page_desc))
        .fetch_all(&s.store.pool)
        .await?;
    let mut items = Vec::new();
    let (rows, next) = cut(&rows, limit, |r| {
        Ok(format!("{}:{}:{}", int(r, 9)?.unwrap_or(0), text(r, 0)?.unwrap_or_default(), int(r, 1)?.unwrap_or(0)))
    })?;
    for r in rows {
        let (signature, slot) = (text(r, 0)?.unwrap_or_default(), int(r, 9)?.unwrap_or(0));
        let (t, iso) = time_fields(int(r, 10)?);
        items.push(json!({
            "date_utc": iso, "block_time": t, "page": int(r, 2)?, "cranker": text(r, 3)?, "entries": int(r, 4)?,
            "paid": int(r, 5)?, "skipped": int(r, 6)?, "amount": int(r, 7)?.unwrap_or(0).to_string(),
            "reward": int(r, 8)?.unwrap_or(0).to_string(), "slot": slot, "signature": signature,
        }));
    }
    let columns = [
        "date_utc",
        "block_time",
        "page",
        "cranker",
        "entries",
        "paid",
        "skipped",
        "amount",
        "reward",
        "slot",
        "signature",
    ];
    Ok(respond(csv, &format!("crank-batches-{pool}"), &columns, items, next))
}

/// Every entry's indexed payouts (all time), in entry order: reconciles against the ledger.
async fn pool_entries(
    State(s): State<AppState>,
    Path(pool): Path<String>,
    Query(f): Query<Filters>,
) -> Result<Response, ApiError> {
    let pool = address(&pool, "pool")?;
    let csv = csv_wanted(&f)?;
    let limit = limit(&f, csv)?;
    let after: i64 = match f.after.as_deref().filter(|a| !a.is_empty()) {
        None => -1,
        Some(a) => a.parse().map_err(|_| bad_request(format!("after is an entry number, not {a:?}")))?,
    };
    let rows = sqlx::query(
        "SELECT c.entry, c.contributor, c.destination, c.kind, c.uri, \
         (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM payouts p WHERE p.pool = c.pool AND p.entry = c.entry), \
         (SELECT COUNT(*) FROM payouts p WHERE p.pool = c.pool AND p.entry = c.entry) \
         FROM contributions c WHERE c.pool = $1 AND c.entry > $2 ORDER BY c.entry LIMIT $3",
    )
    .bind(&pool)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(&s.store.pool)
    .await?;
    let mut items = Vec::new();
    let (rows, next) = cut(&rows, limit, |r| Ok(int(r, 0)?.unwrap_or(0).to_string()))?;
    for r in rows {
        let entry = int(r, 0)?.unwrap_or(0);
        items.push(json!({
            "entry": entry, "contributor": text(r, 1)?, "payout_account": text(r, 2)?, "kind": text(r, 3)?, "uri": text(r, 4)?,
            "paid": int(r, 5)?.unwrap_or(0).to_string(), "payouts": int(r, 6)?,
        }));
    }
    let columns = ["entry", "contributor", "payout_account", "kind", "uri", "paid", "payouts"];
    Ok(respond(csv, &format!("entries-{pool}"), &columns, items, next))
}

/// The contributors paid most over the range.
async fn pool_top(
    State(s): State<AppState>,
    Path(pool): Path<String>,
    Query(f): Query<Filters>,
) -> Result<Response, ApiError> {
    let pool = address(&pool, "pool")?;
    let csv = csv_wanted(&f)?;
    let (from, to) = range(&f)?;
    let limit = f.limit.unwrap_or(10);
    if !(1..=JSON_LIMIT_MAX).contains(&limit) {
        return Err(bad_request(format!("limit is 1 to {JSON_LIMIT_MAX}, not {limit}")));
    }
    let rows = sqlx::query(
        "SELECT contributor, CAST(SUM(amount) AS BIGINT) AS total, COUNT(*) FROM payouts \
         WHERE pool = $1 AND contributor IS NOT NULL AND block_time >= $2 AND block_time < $3 \
         GROUP BY contributor ORDER BY total DESC, contributor LIMIT $4",
    )
    .bind(&pool)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(&s.store.pool)
    .await?;
    let mut items = Vec::new();
    for (rank, r) in rows.iter().enumerate() {
        items.push(json!({
            "rank": rank + 1, "contributor": text(r, 0)?, "amount": int(r, 1)?.unwrap_or(0).to_string(), "payouts": int(r, 2)?,
        }));
    }
    Ok(respond(csv, &format!("top-contributors-{pool}"), &["rank", "contributor", "amount", "payouts"], items, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_refuse_impossible_dates() {
        assert_eq!(day_start("1970-01-01"), Some(0));
        assert_eq!(day_start("2026-12-03"), Some(1_796_256_000));
        assert_eq!(date_of(1_796_256_000 + 86_399), "2026-12-03");
        assert_eq!(iso_of(1_796_256_000 + 3_723), "2026-12-03T01:02:03Z");
        for day in ["2024-02-29", "2000-02-29", "1999-12-31"] {
            assert_eq!(date_of(day_start(day).unwrap_or(0)), day);
        }
        for bad in ["2023-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "yesterday"] {
            assert_eq!(day_start(bad), None, "{bad}");
        }
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }
}
