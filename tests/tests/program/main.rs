//! Integration tests against target/deploy/tributary.so in LiteSVM, one file per instruction.
mod attribute_usage;
mod claim;
mod crank;
mod create_pool;
mod cu_budget;
mod deposit;
mod register_contribution;
mod set_paused;
mod set_weights;
mod smoke;
