-- The indexer's tables: one schema for SQLite and PostgreSQL (portable types only: BIGINT, TEXT).
-- Token amounts are BIGINT (i64): a row whose amount is above 2^63 - 1 base units is left out and
-- its transaction counted in `oversized` (only a mint made to break indexers has such supplies).
-- `day` is unix days (block_time / 86400, UTC), kept so per-day queries need no dialect's date functions.

-- every transaction of the program seen, failed ones too (so none is fetched twice)
CREATE TABLE chain_transactions (
    signature TEXT PRIMARY KEY,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    failed BIGINT NOT NULL,
    logs_truncated BIGINT NOT NULL,
    unbalanced BIGINT NOT NULL,
    finalized BIGINT NOT NULL,
    -- the cluster's confirmed slot when this transaction was committed here: lag = seen_slot - slot
    seen_slot BIGINT NOT NULL,
    -- rows left out for an amount above 2^63 - 1
    oversized BIGINT NOT NULL,
    -- a transaction the decoder could not read: stored so the index goes on, named in the status
    undecodable BIGINT NOT NULL
);
CREATE INDEX chain_transactions_unfinalized ON chain_transactions (finalized, slot);

CREATE TABLE events (
    signature TEXT NOT NULL,
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    pool TEXT NOT NULL,
    slot BIGINT NOT NULL,
    PRIMARY KEY (signature, seq)
);
CREATE INDEX events_pool ON events (pool, name, slot);

CREATE TABLE pools (
    pool TEXT PRIMARY KEY,
    mint TEXT NOT NULL,
    token_program TEXT NOT NULL,
    creator TEXT NOT NULL,
    signature TEXT NOT NULL
);

CREATE TABLE contributions (
    pool TEXT NOT NULL,
    entry BIGINT NOT NULL,
    contribution TEXT NOT NULL,
    contributor TEXT NOT NULL,
    destination TEXT NOT NULL,
    kind TEXT NOT NULL,
    uri TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (pool, entry)
);
CREATE INDEX contributions_contributor ON contributions (contributor);
CREATE INDEX contributions_contribution ON contributions (contribution);

-- revenue in: deposits (kind 'revenue') and usage fees (kind 'usage')
CREATE TABLE deposits (
    signature TEXT NOT NULL,
    seq BIGINT NOT NULL,
    pool TEXT NOT NULL,
    payer TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    day BIGINT,
    PRIMARY KEY (signature, seq)
);
CREATE INDEX deposits_pool_day ON deposits (pool, day);

CREATE TABLE crank_batches (
    signature TEXT NOT NULL,
    seq BIGINT NOT NULL,
    pool TEXT NOT NULL,
    page BIGINT NOT NULL,
    cranker TEXT NOT NULL,
    entries BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    reward BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    day BIGINT,
    PRIMARY KEY (signature, seq)
);
CREATE INDEX crank_batches_pool ON crank_batches (pool, slot);
CREATE INDEX crank_batches_pool_day ON crank_batches (pool, day);

-- what one destination received in one transaction. `entry` is set when the payout was one
-- entry's; a destination shared by several entries of one instruction lists them in `entries`.
CREATE TABLE payouts (
    signature TEXT NOT NULL,
    destination TEXT NOT NULL,
    pool TEXT NOT NULL,
    entry BIGINT,
    entries TEXT NOT NULL,
    contributor TEXT,
    owner TEXT,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    day BIGINT,
    PRIMARY KEY (signature, destination)
);
CREATE INDEX payouts_contributor ON payouts (contributor, slot, signature);
CREATE INDEX payouts_owner ON payouts (owner, slot, signature);
CREATE INDEX payouts_pool_day ON payouts (pool, day);
CREATE INDEX payouts_pool_entry ON payouts (pool, entry);

-- where following resumes: the newest signature committed, and whether the backfill finished
CREATE TABLE cursor (
    id BIGINT PRIMARY KEY,
    program TEXT NOT NULL,
    newest_signature TEXT,
    newest_slot BIGINT NOT NULL,
    backfill_done BIGINT NOT NULL
);
