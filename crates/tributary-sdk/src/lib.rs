//! Off-chain side of Tributary, written once for the crank, the CLI and the tests: PDA derivation,
//! typed instruction builders and account decoding, with owed amounts computed by the program's own
//! code (`LedgerEntry::owed_at`, which calls the `tributary-math` crate), and one read model of a
//! pool (`view::PoolView`).
pub mod accounts;
pub mod instructions;
pub mod pda;
pub mod view;

pub use tributary::{constants, state, ID as PROGRAM_ID};
