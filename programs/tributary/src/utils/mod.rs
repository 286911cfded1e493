//! Helpers shared by the instructions.
pub mod accounts;
pub mod cpi;
pub mod cu_probe;
pub mod input;
pub mod token;
pub mod validations;
