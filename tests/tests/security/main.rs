//! One test per attack class, against target/deploy/tributary.so: each asserts the named error and
//! that no account changed. Plus races between cranks, weight updates and claims.
mod arithmetic;
mod close_and_reuse;
mod cosplay;
mod crank_entrypoint;
mod crank_route_parity;
mod duplicates;
mod fake_programs;
mod ledger_spam;
mod missing_signer;
mod multisig_destination;
mod races;
mod reinit_and_bumps;
mod substitution;
mod wrong_owner;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;

/// The instruction with `key` no longer marked as a signer (and so not signing).
pub fn unsigned(mut ix: Instruction, key: &Pubkey) -> Instruction {
    for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == *key) {
        meta.is_signer = false;
    }
    ix
}

/// The instruction with account `index` replaced by `key`.
pub fn swap(mut ix: Instruction, index: usize, key: Pubkey) -> Instruction {
    ix.accounts[index].pubkey = key;
    ix
}
