//! The store on SQLite, and on PostgreSQL when TRIBUTARY_TEST_POSTGRES names one (scripts/test-rpc
//! starts a private server and runs this suite again inside its namespace): a transaction counts
//! once however often it is offered, a claim finds its entry, a hostile amount leaves the rest of
//! the index working, a dropped transaction is forgotten, and a database is one program's.
use tributary_index::decode::{BatchRow, DepositRow, EventRow, Indexed, PayoutRow, Registration};
use tributary_index::store::Store;

fn databases(name: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("tributary-index-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let mut out = vec![dir.join("index.sqlite").display().to_string()];
    if let Ok(url) = std::env::var("TRIBUTARY_TEST_POSTGRES") {
        out.push(url);
    }
    out
}

/// PostgreSQL is shared by the tests of one run: each starts from empty tables.
async fn open(spec: &str) -> Store {
    let store = Store::open(spec).await.expect("open");
    for table in
        ["events", "pools", "contributions", "deposits", "crank_batches", "payouts", "chain_transactions", "cursor"]
    {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&store.pool).await.expect("empty");
    }
    store
}

const POOL: &str = "Pool1111111111111111111111111111111111111111";
const WALLET: &str = "Wa11et11111111111111111111111111111111111111";

fn registration(entry: u32) -> Indexed {
    Indexed {
        signature: format!("reg{entry}"),
        slot: 10 + u64::from(entry),
        block_time: Some(1_767_225_600),
        events: vec![EventRow { name: "ContributionRegistered", pool: POOL.into() }],
        registrations: vec![Registration {
            pool: POOL.into(),
            entry,
            contribution: format!("contribution{entry}"),
            contributor: WALLET.into(),
            destination: format!("destination{entry}"),
            kind: "dataset",
            uri: "ipfs://x".into(),
            content_hash: "00".repeat(32),
        }],
        ..Indexed::default()
    }
}

fn crank(signature: &str, slot: u64, amount: u64) -> Indexed {
    Indexed {
        signature: signature.into(),
        slot,
        block_time: Some(1_767_225_600 + 86_400),
        batches: vec![BatchRow {
            pool: POOL.into(),
            page: 0,
            cranker: "cranker".into(),
            entries: 1,
            paid: 1,
            skipped: 0,
            amount,
            reward: 0,
        }],
        payouts: vec![PayoutRow {
            pool: POOL.into(),
            destination: "destination0".into(),
            owner: Some(WALLET.into()),
            entries: vec![0],
            contributions: vec![],
            amount,
            kind: "crank",
        }],
        ..Indexed::default()
    }
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(&store.pool).await.expect(sql)
}

async fn a_transaction_counts_once_and_a_claim_finds_its_entry() {
    for spec in databases("once") {
        let store = open(&spec).await;
        store.cursor("program").await.expect("cursor");
        assert!(store.insert(&registration(0), true, 10).await.expect("insert"));
        assert!(store.insert(&registration(1), true, 11).await.expect("insert"));
        let paid = crank("crank1", 20, 700);
        assert!(store.insert(&paid, false, 21).await.expect("insert"));
        assert!(!store.insert(&paid, false, 22).await.expect("again"), "{spec}: the same transaction again is skipped");
        let claim = Indexed {
            signature: "claim1".into(),
            slot: 30,
            block_time: Some(1_767_225_600 + 2 * 86_400),
            payouts: vec![PayoutRow {
                pool: POOL.into(),
                destination: "destination1".into(),
                owner: Some(WALLET.into()),
                entries: vec![],
                contributions: vec!["contribution1".into()],
                amount: 55,
                kind: "claim",
            }],
            ..Indexed::default()
        };
        assert!(store.insert(&claim, false, 30).await.expect("claim"));
        assert_eq!(count(&store, "SELECT COUNT(*) FROM payouts").await, 2, "{spec}");
        assert_eq!(count(&store, "SELECT CAST(SUM(amount) AS BIGINT) FROM payouts").await, 755, "{spec}");
        assert_eq!(
            count(&store, "SELECT entry FROM payouts WHERE kind = 'claim'").await,
            1,
            "{spec}: the claim's entry"
        );
        let contributor: String = sqlx::query_scalar("SELECT contributor FROM payouts WHERE kind = 'claim'")
            .fetch_one(&store.pool)
            .await
            .expect("row");
        assert_eq!(contributor, WALLET);
        // finalized and dropped
        assert_eq!(store.unfinalized(100, 10).await.expect("pending").len(), 2, "{spec}");
        store.mark_finalized(&["crank1".into()]).await.expect("finalize");
        assert_eq!(store.newest_settled().await.expect("settled").as_deref(), Some("crank1"));
        store.forget("claim1").await.expect("forget");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM payouts").await, 1, "{spec}: the dropped claim's payout went");
        assert!(store.insert(&claim, false, 40).await.expect("offered again"), "{spec}: and can come back");
    }
}

async fn an_amount_above_i64_is_left_out_and_named_and_the_index_goes_on() {
    for spec in databases("oversized") {
        let store = open(&spec).await;
        store.cursor("program").await.expect("cursor");
        store.insert(&registration(0), true, 10).await.expect("insert");
        let mut hostile = crank("hostile", 20, u64::MAX);
        hostile.deposits.push(DepositRow { pool: POOL.into(), payer: "x".into(), kind: "revenue", amount: u64::MAX });
        assert!(store.insert(&hostile, true, 20).await.expect("a hostile transaction is stored, not fatal"));
        assert!(store.insert(&crank("honest", 21, 5), true, 21).await.expect("the next one"));
        let stats = store.stats().await.expect("stats");
        assert_eq!(stats.oversized, 3, "{spec}: deposit, batch and payout left out");
        assert_eq!(count(&store, "SELECT CAST(SUM(amount) AS BIGINT) FROM payouts").await, 5, "{spec}");
    }
}

async fn a_database_indexes_one_program() {
    for spec in databases("program") {
        let store = open(&spec).await;
        store.cursor("program-a").await.expect("first use claims it");
        let err = store.cursor("program-b").await.expect_err("another program is refused");
        assert!(err.to_string().contains("program-a"), "{err}");
    }
}

/// One test: the cases share a PostgreSQL database, so they run one after another.
#[tokio::test]
async fn the_store_on_every_database() {
    a_transaction_counts_once_and_a_claim_finds_its_entry().await;
    an_amount_above_i64_is_left_out_and_named_and_the_index_goes_on().await;
    a_database_indexes_one_program().await;
}

/// The API's queries name a parameter more than once (`$4 = '' OR pool = $4`): both engines must
/// bind every use, and the parameters after it, to the right values.
#[tokio::test]
async fn a_repeated_parameter_binds_every_use() {
    for spec in databases("params") {
        let store = Store::open(&spec).await.expect("open");
        let row = sqlx::query("SELECT CASE WHEN ($1 = '' OR 'x' = $1) AND $2 > 4 AND $2 < 6 THEN $3 ELSE 'wrong' END")
            .bind("x")
            .bind(5i64)
            .bind("right")
            .fetch_one(&store.pool)
            .await
            .expect("query");
        let got: String = sqlx::Row::try_get(&row, 0).expect("text");
        assert_eq!(got, "right", "{spec}");
        let sub = sqlx::query("SELECT $1, (SELECT $2 WHERE $1 = 'a'), $3")
            .bind("a")
            .bind("b")
            .bind("c")
            .fetch_one(&store.pool)
            .await
            .expect("query");
        let (a, b, c): (String, Option<String>, String) = (
            sqlx::Row::try_get(&sub, 0).expect("a"),
            sqlx::Row::try_get(&sub, 1).expect("b"),
            sqlx::Row::try_get(&sub, 2).expect("c"),
        );
        assert_eq!((a.as_str(), b.as_deref(), c.as_str()), ("a", Some("b"), "c"), "{spec}");
    }
}
