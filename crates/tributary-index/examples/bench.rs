//! The indexer's query figures in BENCHMARKS.md (`scripts/bench-index`): a wallet's statement over
//! HTTP at 10,000 and at 1,000,000 indexed payouts, on SQLite and on PostgreSQL, in one run. Every
//! wallet holds 100 payouts at both sizes, so a statement that costs more at 1M than at 10k is
//! scanning, not using an index. Writes bench/index-queries.json; fails if p95 at 1M exceeds 2× p95
//! at 10k.
//!
//!   cargo run --example bench -p tributary-index -- OUT.json [POSTGRES_URL]
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use sqlx::Row;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tributary_index::api::{router, AppState};
use tributary_index::store::Store;

const PER_WALLET: u64 = 100;
const PAYOUTS_PER_TX: u64 = 50;
const SMALL: u64 = 10_000;
const LARGE: u64 = 1_000_000;
const SAMPLES: usize = 400;
/// Statements start on 2026-01-01 and a transaction lands every 6 seconds.
const START: i64 = 1_767_225_600;

fn address(tag: u8, i: u64) -> String {
    let mut b = [tag; 32];
    b[..8].copy_from_slice(&i.to_le_bytes());
    bs58::encode(b).into_string()
}

fn signature(i: u64) -> String {
    let mut b = [0x5a; 64];
    b[..8].copy_from_slice(&i.to_le_bytes());
    bs58::encode(b).into_string()
}

/// Payouts `from..to` (rows), their wallets `wallet_base + row % wallets`, as the indexer stores them.
async fn fill(store: &Store, pool: &str, from: u64, to: u64, wallet_base: u64, wallets: u64) -> Result<f64> {
    let started = Instant::now();
    let mut row = from;
    while row < to {
        let mut db = store.pool.begin().await?;
        // one statement per 25 transactions (1,250 payouts): bulk, within both engines' parameter limits
        let tx_first = row / PAYOUTS_PER_TX;
        let tx_last = ((row + 25 * PAYOUTS_PER_TX).min(to) - 1) / PAYOUTS_PER_TX;
        let mut sql = String::from(
            "INSERT INTO chain_transactions (signature, slot, block_time, failed, logs_truncated, unbalanced, finalized, seen_slot, oversized, undecodable) VALUES ",
        );
        for k in 0..=(tx_last - tx_first) as usize {
            if k > 0 {
                sql.push(',');
            }
            let b = k * 4;
            sql += &format!("(${}, ${}, ${}, 0, 0, 0, 1, ${}, 0, 0)", b + 1, b + 2, b + 3, b + 4);
        }
        let mut q = sqlx::query(&sql);
        for tx in tx_first..=tx_last {
            let slot = 1_000 + tx as i64 * 15;
            q = q.bind(signature(tx)).bind(slot).bind(START + tx as i64 * 6).bind(slot + 1);
        }
        q.execute(&mut *db).await?;
        let end = ((tx_last + 1) * PAYOUTS_PER_TX).min(to);
        let mut sql = String::from(
            "INSERT INTO payouts (signature, destination, pool, entry, entries, contributor, owner, kind, amount, slot, block_time, day) VALUES ",
        );
        for (k, _) in (row..end).enumerate() {
            if k > 0 {
                sql.push(',');
            }
            let b = k * 11;
            sql += &format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, 'crank', ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11
            );
        }
        let mut q = sqlx::query(&sql);
        for r in row..end {
            let tx = r / PAYOUTS_PER_TX;
            let wallet = wallet_base + r % wallets;
            let time = START + tx as i64 * 6;
            q = q
                .bind(signature(tx))
                .bind(address(3, wallet))
                .bind(pool.to_string())
                .bind(wallet as i64)
                .bind(wallet.to_string())
                .bind(address(1, wallet))
                .bind(address(2, wallet))
                .bind(1_000 + (r % 997) as i64)
                .bind(1_000 + tx as i64 * 15)
                .bind(time)
                .bind(time.div_euclid(86_400));
        }
        q.execute(&mut *db).await?;
        db.commit().await?;
        row = end;
    }
    Ok((to - from) as f64 / started.elapsed().as_secs_f64().max(1e-9))
}

async fn get(addr: std::net::SocketAddr, path: &str) -> Result<Value> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8(response)?;
    let (head, body) = text.split_once("\r\n\r\n").context("an HTTP answer")?;
    if !head.starts_with("HTTP/1.1 200") {
        bail!("{path}: {head}");
    }
    Ok(serde_json::from_str(body)?)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// p50 and p95 (ms) of a statement (one page of 100) for wallets drawn from `0..wallets`.
async fn statements(addr: std::net::SocketAddr, wallets: u64) -> Result<(f64, f64)> {
    let mut times = Vec::with_capacity(SAMPLES);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..SAMPLES {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let wallet = address(1, x % wallets);
        let started = Instant::now();
        let page = get(addr, &format!("/v1/wallets/{wallet}/payouts?from=2026-01-01&to=2026-12-31")).await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        let n = page["items"].as_array().map_or(0, Vec::len) as u64;
        if n != PER_WALLET {
            bail!("wallet {wallet}: {n} payouts, not {PER_WALLET}");
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((quantile(&times, 0.5), quantile(&times, 0.95)))
}

async fn measure(name: &str, spec: &str) -> Result<Value> {
    let store = Arc::new(Store::open(spec).await?);
    let engine: String = if store.postgres {
        sqlx::query("SELECT version()").fetch_one(&store.pool).await?.try_get(0)?
    } else {
        format!(
            "SQLite {}",
            sqlx::query("SELECT sqlite_version()").fetch_one(&store.pool).await?.try_get::<String, _>(0)?
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = AppState { store: store.clone(), counters: None, program_id: tributary::ID.to_string() };
    store.cursor(&state.program_id).await?;
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    let pool = address(9, 0);
    let small_wallets = SMALL / PER_WALLET;
    let fill_small = fill(&store, &pool, 0, SMALL, 0, small_wallets).await?;
    let (p50_small, p95_small) = statements(addr, small_wallets).await?;
    eprintln!("{name}: 10k payouts: p50 {p50_small:.2} ms, p95 {p95_small:.2} ms");
    let large_wallets = (LARGE - SMALL) / PER_WALLET;
    let fill_large = fill(&store, &pool, SMALL, LARGE, small_wallets, large_wallets).await?;
    eprintln!("{name}: filled to 1M at {fill_large:.0} rows/s");
    if !store.postgres {
        sqlx::query("PRAGMA optimize").execute(&store.pool).await?;
    } else {
        sqlx::query("ANALYZE").execute(&store.pool).await?;
    }
    let (p50_large, p95_large) = statements(addr, small_wallets + large_wallets).await?;
    eprintln!("{name}: 1M payouts: p50 {p50_large:.2} ms, p95 {p95_large:.2} ms");
    // a pool's days aggregate the pool's rows: reported, not a target
    let started = Instant::now();
    let days = get(addr, &format!("/v1/pools/{pool}/daily")).await?;
    let daily_ms = started.elapsed().as_secs_f64() * 1e3;
    let paid: u64 = days["items"].as_array().map_or(0, |d| d.iter().filter_map(|x| x["payouts"].as_u64()).sum());
    if paid != LARGE {
        bail!("daily counted {paid} payouts, not {LARGE}");
    }
    Ok(json!({
        "engine": engine,
        "statement_p50_ms_at_10k": (p50_small * 100.0).round() / 100.0,
        "statement_p95_ms_at_10k": (p95_small * 100.0).round() / 100.0,
        "statement_p50_ms_at_1m": (p50_large * 100.0).round() / 100.0,
        "statement_p95_ms_at_1m": (p95_large * 100.0).round() / 100.0,
        "p95_ratio": (p95_large / p95_small * 100.0).round() / 100.0,
        "insert_rows_per_second": fill_small.min(fill_large).round(),
        "pool_daily_ms_at_1m": daily_ms.round(),
    }))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().context("usage: bench OUT.json [POSTGRES_URL]")?;
    let postgres = args.next();
    let dir = std::env::temp_dir().join(format!("tributary-index-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut report = serde_json::Map::new();
    report.insert("payouts_per_wallet".into(), json!(PER_WALLET));
    report.insert("samples".into(), json!(SAMPLES));
    report.insert("sqlite".into(), measure("sqlite", &dir.join("bench.sqlite").display().to_string()).await?);
    if let Some(url) = postgres {
        report.insert("postgres".into(), measure("postgres", &url).await?);
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::write(&out, serde_json::to_string_pretty(&Value::Object(report.clone()))? + "\n")?;
    eprintln!("wrote {out}");
    for (name, r) in &report {
        if let Some(ratio) = r.get("p95_ratio").and_then(Value::as_f64) {
            if ratio > 2.0 {
                bail!("{name}: statement p95 at 1M is {ratio}× p95 at 10k (> 2×): a scan, not an index");
            }
        }
    }
    Ok(())
}
