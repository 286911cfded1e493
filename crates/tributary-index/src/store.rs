//! The database: SQLite (a file, the default) or PostgreSQL (by URL), through sqlx's `Any` driver
//! with one set of migrations and one text per query (`$n` placeholders, which both accept).
//! Each chain transaction is committed in one database transaction, keyed by its signature: a
//! transaction already here is skipped whole, so a retry, a restart or two overlapping reads never
//! count it twice.
use crate::decode::Indexed;
use anyhow::{bail, Context, Result};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

pub struct Store {
    pub pool: AnyPool,
    pub postgres: bool,
}

/// `sqlite:` path or URL, or `postgres://…`. A bare path is a SQLite file, created if missing.
pub fn database_url(spec: &str) -> String {
    if spec.starts_with("sqlite:") || spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        spec.to_string()
    } else {
        format!("sqlite://{spec}?mode=rwc")
    }
}

/// An amount as the database keeps it; above 2^63 - 1 (only a mint made to break indexers has
/// such supplies) the row is left out and the transaction counted as `oversized`, so one hostile
/// pool cannot stop the index of every other.
fn amount(v: u64) -> Option<i64> {
    i64::try_from(v).ok()
}

fn oversized(tx: &Indexed) -> i64 {
    let big = |v: u64| amount(v).is_none();
    let n = tx.deposits.iter().filter(|d| big(d.amount)).count()
        + tx.batches.iter().filter(|b| big(b.amount) || big(b.reward)).count()
        + tx.payouts.iter().filter(|p| big(p.amount)).count();
    n as i64
}

/// Rows per multi-row INSERT: within SQLite's and PostgreSQL's parameter limits.
const ROWS_PER_STATEMENT: usize = 500;

/// A column built per row: its position, and its SQL from the row's parameter base.
type ComputedColumn = (usize, fn(usize) -> String);

/// `n` rows of `width` placeholders each: `($1, $2, …), ($k, …)`. `computed`, when given, is one
/// more column at its 0-based position, built from the number of the parameter before the row's
/// first (so it can name the row's own parameters: `$base + 3` is its third).
fn values(n: usize, width: usize, computed: Option<ComputedColumn>) -> String {
    let rows: Vec<String> = (0..n)
        .map(|row| {
            let base = row * width;
            let mut cols: Vec<String> = (1..=width).map(|c| format!("${}", base + c)).collect();
            if let Some((at, column)) = computed {
                cols.insert(at, column(base));
            }
            format!("({})", cols.join(", "))
        })
        .collect();
    rows.join(", ")
}

fn day_of(block_time: Option<i64>) -> Option<i64> {
    block_time.map(|t| t.div_euclid(86_400))
}

impl Store {
    pub async fn open(spec: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let url = database_url(spec);
        let postgres = url.starts_with("postgres");
        // SQLite: one writer at a time; WAL lets the API read while the indexer writes
        let max = if postgres { 8 } else { 4 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if !postgres {
                        use sqlx::Executor;
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .with_context(|| format!("opening the database {}", redact(&url)))?;
        sqlx::migrate!("./migrations").run(&pool).await.context("applying the migrations")?;
        Ok(Self { pool, postgres })
    }

    /// The cursor of `program`; a database indexed for another program is refused.
    pub async fn cursor(&self, program: &str) -> Result<Cursor> {
        let row = sqlx::query("SELECT program, newest_signature, newest_slot, backfill_done FROM cursor WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => {
                sqlx::query("INSERT INTO cursor (id, program, newest_signature, newest_slot, backfill_done) VALUES (1, $1, NULL, 0, 0)")
                    .bind(program)
                    .execute(&self.pool)
                    .await?;
                Ok(Cursor::default())
            }
            Some(r) => {
                let indexed: String = r.try_get(0)?;
                if indexed != program {
                    bail!("this database indexes program {indexed}, not {program}");
                }
                Ok(Cursor {
                    newest_signature: r.try_get(1)?,
                    newest_slot: r.try_get::<i64, _>(2)? as u64,
                    backfill_done: r.try_get::<i64, _>(3)? != 0,
                })
            }
        }
    }

    /// The backfill reached the program's first transaction (or found none).
    pub async fn mark_backfill_done(&self) -> Result<()> {
        sqlx::query("UPDATE cursor SET backfill_done = 1 WHERE id = 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn set_cursor(&self, signature: Option<&str>, slot: u64, backfill_done: bool) -> Result<()> {
        sqlx::query("UPDATE cursor SET newest_signature = $1, newest_slot = $2, backfill_done = $3 WHERE id = 1")
            .bind(signature)
            .bind(slot as i64)
            .bind(i64::from(backfill_done))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The newest stored transaction the cluster has finalized: listing restarts after it.
    pub async fn newest_settled(&self) -> Result<Option<String>> {
        let row =
            sqlx::query("SELECT signature FROM chain_transactions WHERE finalized = 1 ORDER BY slot DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Signatures stored at or after `slot`.
    pub async fn known_since(&self, slot: u64) -> Result<std::collections::HashSet<String>> {
        let rows = sqlx::query("SELECT signature FROM chain_transactions WHERE slot >= $1")
            .bind(slot as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Commit one chain transaction and everything it yields, once: false when it was already here.
    pub async fn insert(&self, tx: &Indexed, finalized: bool, seen_slot: u64) -> Result<bool> {
        let mut db = self.pool.begin().await?;
        let slot = tx.slot as i64;
        let day = day_of(tx.block_time);
        let fresh = sqlx::query(
            "INSERT INTO chain_transactions (signature, slot, block_time, failed, logs_truncated, unbalanced, finalized, seen_slot, oversized, undecodable) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (signature) DO NOTHING",
        )
        .bind(&tx.signature)
        .bind(slot)
        .bind(tx.block_time)
        .bind(i64::from(tx.failed))
        .bind(i64::from(tx.logs_truncated))
        .bind(i64::from(tx.unbalanced))
        .bind(i64::from(finalized))
        .bind(seen_slot as i64)
        .bind(oversized(tx))
        .bind(i64::from(tx.undecodable))
        .execute(&mut *db)
        .await?
        .rows_affected()
            == 1;
        if !fresh {
            db.rollback().await?;
            return Ok(false);
        }
        // one statement per table and transaction (a crank transaction carries ~58 payouts): few
        // round trips keep PostgreSQL's lag near SQLite's
        for chunk in tx.events.iter().enumerate().collect::<Vec<_>>().chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO events (signature, seq, name, pool, slot) VALUES {}",
                values(chunk.len(), 5, None)
            );
            let mut q = sqlx::query(&sql);
            for (seq, e) in chunk {
                q = q.bind(&tx.signature).bind(*seq as i64).bind(e.name).bind(&e.pool).bind(slot);
            }
            q.execute(&mut *db).await?;
        }
        for p in &tx.pools {
            sqlx::query(
                "INSERT INTO pools (pool, mint, token_program, creator, signature) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (pool) DO UPDATE SET mint = $2, token_program = $3, creator = $4, signature = $5",
            )
            .bind(&p.pool)
            .bind(&p.mint)
            .bind(&p.token_program)
            .bind(&p.creator)
            .bind(&tx.signature)
            .execute(&mut *db)
            .await?;
        }
        for r in &tx.registrations {
            // an entry index is reused only after its pool was closed and made again: the newest wins
            sqlx::query(
                "INSERT INTO contributions (pool, entry, contribution, contributor, destination, kind, uri, content_hash, signature) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (pool, entry) DO UPDATE SET \
                 contribution = $3, contributor = $4, destination = $5, kind = $6, uri = $7, content_hash = $8, signature = $9",
            )
            .bind(&r.pool)
            .bind(i64::from(r.entry))
            .bind(&r.contribution)
            .bind(&r.contributor)
            .bind(&r.destination)
            .bind(r.kind)
            .bind(&r.uri)
            .bind(&r.content_hash)
            .bind(&tx.signature)
            .execute(&mut *db)
            .await?;
        }
        for (pool, entry, destination) in &tx.destination_changes {
            sqlx::query("UPDATE contributions SET destination = $1 WHERE pool = $2 AND entry = $3")
                .bind(destination)
                .bind(pool)
                .bind(i64::from(*entry))
                .execute(&mut *db)
                .await?;
        }
        for (seq, d) in tx.deposits.iter().enumerate() {
            let Some(value) = amount(d.amount) else { continue };
            sqlx::query(
                "INSERT INTO deposits (signature, seq, pool, payer, kind, amount, slot, block_time, day) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&tx.signature)
            .bind(seq as i64)
            .bind(&d.pool)
            .bind(&d.payer)
            .bind(d.kind)
            .bind(value)
            .bind(slot)
            .bind(tx.block_time)
            .bind(day)
            .execute(&mut *db)
            .await?;
        }
        for (seq, b) in tx.batches.iter().enumerate() {
            let (Some(value), Some(reward)) = (amount(b.amount), amount(b.reward)) else { continue };
            sqlx::query(
                "INSERT INTO crank_batches (signature, seq, pool, page, cranker, entries, paid, skipped, amount, reward, slot, block_time, day) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&tx.signature)
            .bind(seq as i64)
            .bind(&b.pool)
            .bind(i64::from(b.page))
            .bind(&b.cranker)
            .bind(i64::from(b.entries))
            .bind(i64::from(b.paid))
            .bind(i64::from(b.skipped))
            .bind(value)
            .bind(reward)
            .bind(slot)
            .bind(tx.block_time)
            .bind(day)
            .execute(&mut *db)
            .await?;
        }
        let mut rows: Vec<(&crate::decode::PayoutRow, i64, Option<i64>, String)> = Vec::new();
        for p in &tx.payouts {
            let Some(value) = amount(p.amount) else { continue };
            let mut entries: Vec<i64> = p.entries.iter().map(|&e| i64::from(e)).collect();
            // a claim names its contribution account; its entry is the one it registered as
            for c in &p.contributions {
                let row = sqlx::query("SELECT entry FROM contributions WHERE contribution = $1 AND pool = $2")
                    .bind(c)
                    .bind(&p.pool)
                    .fetch_optional(&mut *db)
                    .await?;
                if let Some(r) = row {
                    let e: i64 = r.try_get(0)?;
                    if !entries.contains(&e) {
                        entries.push(e);
                    }
                }
            }
            entries.sort_unstable();
            let single = (entries.len() == 1).then(|| entries[0]);
            let listed = entries.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
            rows.push((p, value, single, listed));
        }
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            // the contributor of a one-entry payout: the wallet that registered the entry
            let sql = format!(
                "INSERT INTO payouts (signature, destination, pool, entry, entries, contributor, owner, kind, amount, slot, block_time, day) VALUES {}",
                values(chunk.len(), 11, Some((5, |base| format!(
                    "(SELECT contributor FROM contributions WHERE pool = ${} AND entry = ${})",
                    base + 3,
                    base + 4
                ))))
            );
            let mut q = sqlx::query(&sql);
            for (p, value, single, listed) in chunk {
                q = q
                    .bind(&tx.signature)
                    .bind(&p.destination)
                    .bind(&p.pool)
                    .bind(*single)
                    .bind(listed.clone())
                    .bind(&p.owner)
                    .bind(p.kind)
                    .bind(*value)
                    .bind(slot)
                    .bind(tx.block_time)
                    .bind(day);
            }
            q.execute(&mut *db).await?;
        }
        db.commit().await?;
        Ok(true)
    }

    /// Confirmed transactions at or below `slot` not yet marked finalized, oldest first.
    pub async fn unfinalized(&self, slot: u64, limit: i64) -> Result<Vec<(String, u64)>> {
        let rows = sqlx::query(
            "SELECT signature, slot FROM chain_transactions WHERE finalized = 0 AND slot <= $1 ORDER BY slot LIMIT $2",
        )
        .bind(slot as i64)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get::<i64, _>(1)? as u64))).collect()
    }

    pub async fn mark_finalized(&self, signatures: &[String]) -> Result<()> {
        let mut db = self.pool.begin().await?;
        for s in signatures {
            sqlx::query("UPDATE chain_transactions SET finalized = 1 WHERE signature = $1")
                .bind(s)
                .execute(&mut *db)
                .await?;
        }
        db.commit().await?;
        Ok(())
    }

    /// A confirmed transaction its cluster dropped (its fork was abandoned): every row it yielded
    /// goes. (Registrations it made stay in `contributions` until the entry is registered again.)
    pub async fn forget(&self, signature: &str) -> Result<()> {
        let mut db = self.pool.begin().await?;
        for table in ["events", "deposits", "crank_batches", "payouts", "chain_transactions"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE signature = $1")).bind(signature).execute(&mut *db).await?;
        }
        db.commit().await?;
        Ok(())
    }

    pub async fn stats(&self) -> Result<Stats> {
        let r = sqlx::query(
            "SELECT COUNT(*), COALESCE(MAX(slot), 0), CAST(COALESCE(SUM(logs_truncated), 0) AS BIGINT), \
             CAST(COALESCE(SUM(unbalanced), 0) AS BIGINT), CAST(COALESCE(SUM(1 - finalized), 0) AS BIGINT), CAST(COALESCE(SUM(oversized), 0) AS BIGINT), \
             CAST(COALESCE(SUM(undecodable), 0) AS BIGINT) FROM chain_transactions",
        )
        .fetch_one(&self.pool)
        .await?;
        let int = |r: &AnyRow, i: usize| -> Result<i64> { Ok(r.try_get::<i64, _>(i)?) };
        Ok(Stats {
            transactions: int(&r, 0)?,
            newest_slot: int(&r, 1)?,
            logs_truncated: int(&r, 2)?,
            unbalanced: int(&r, 3)?,
            unfinalized: int(&r, 4)?,
            oversized: int(&r, 5)?,
            undecodable: int(&r, 6)?,
        })
    }
}

/// Slots from a transaction's slot to the cluster's confirmed slot when it was committed here,
/// over the newest `n` transactions: p50, p95, max.
pub async fn lag_slots(store: &Store, n: i64) -> Result<Option<(u64, u64, u64)>> {
    let rows = sqlx::query("SELECT seen_slot - slot FROM chain_transactions ORDER BY slot DESC LIMIT $1")
        .bind(n)
        .fetch_all(&store.pool)
        .await?;
    let mut lags: Vec<u64> =
        rows.iter().map(|r| r.try_get::<i64, _>(0).map(|l| l.max(0) as u64)).collect::<Result<_, _>>()?;
    if lags.is_empty() {
        return Ok(None);
    }
    lags.sort_unstable();
    let at = |q: f64| lags[((lags.len() as f64 * q).ceil() as usize).clamp(1, lags.len()) - 1];
    Ok(Some((at(0.5), at(0.95), lags[lags.len() - 1])))
}

#[derive(Debug, Default, Clone)]
pub struct Cursor {
    pub newest_signature: Option<String>,
    pub newest_slot: u64,
    pub backfill_done: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    pub transactions: i64,
    pub newest_slot: i64,
    pub logs_truncated: i64,
    pub unbalanced: i64,
    pub unfinalized: i64,
    pub oversized: i64,
    pub undecodable: i64,
}

/// A database URL without its password, for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_string(),
    }
}
