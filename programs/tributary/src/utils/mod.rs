//! Helpers shared by the instructions.
pub mod accounts;
pub mod token;
pub mod validations;
