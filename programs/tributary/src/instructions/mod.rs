//! One file per accounts struct, with the handlers of every instruction that takes it (most
//! structs serve one instruction; `PoolAdmin` serves the authority's configuration instructions,
//! `ContributorEntry` retiring and closing a contribution).
pub mod accept_authority;
pub mod attribute_usage;
pub mod claim;
pub mod close_ledger_page;
pub mod close_pool;
pub mod contributor_entry;
pub mod crank;
pub mod create_pool;
pub mod deposit;
pub mod open_ledger_page;
pub mod owed;
pub mod pool_admin;
pub mod register_contribution;
pub mod set_destination;
pub mod set_weights;

pub use accept_authority::*;
pub use attribute_usage::*;
pub use claim::*;
pub use close_ledger_page::*;
pub use close_pool::*;
pub use contributor_entry::*;
pub use crank::*;
pub use create_pool::*;
pub use deposit::*;
pub use open_ledger_page::*;
pub use owed::*;
pub use pool_admin::*;
pub use register_contribution::*;
pub use set_destination::*;
pub use set_weights::*;
