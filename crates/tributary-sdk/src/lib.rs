//! Off-chain side of Tributary, written once for the crank, the CLI and the tests: PDA derivation,
//! typed instruction builders and account decoding, with owed amounts computed by the program's own
//! code (`LedgerEntry::owed_at`, which calls the `tributary-math` crate).
pub mod accounts;
pub mod instructions;
pub mod pda;

pub use tributary::{constants, state, ID as PROGRAM_ID};
