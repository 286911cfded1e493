//! Accounts, one file each.
pub mod contribution;
pub mod ledger;
pub mod pool;

pub use contribution::*;
pub use ledger::*;
pub use pool::*;
