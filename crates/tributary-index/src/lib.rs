//! The indexer behind `tributary-index`: decode (one transaction → rows), store (SQLite or
//! PostgreSQL), follow (backfill, live, finalization) and api (JSON, CSV, OpenAPI).
pub mod api;
pub mod decode;
pub mod follow;
pub mod store;
