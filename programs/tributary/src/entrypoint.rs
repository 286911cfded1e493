//! The program's entrypoint. `crank`, the one instruction whose cost grows with the accounts it is
//! given, is served straight from the runtime's input buffer: one C-ABI `AccountView` per account
//! (pointers into the buffer, which the token CPI takes as they are) instead of an `AccountInfo`
//! with two `Rc` allocations, entry indices read in place instead of a borsh `Vec`. Every other
//! instruction — and a crank this route does not take (more than 64 account entries, data Anchor
//! would refuse, another program id) — goes through the standard deserializer to Anchor's
//! dispatcher, which answers with Anchor's errors.
//!
//! Compiled with the `crank-entrypoint` feature (on by default), which turns Anchor's generated
//! entrypoint off through `no-entrypoint`. With `cpi` (a program that calls Tributary links this
//! crate) nothing here is exported: no `entrypoint` symbol, allocator or panic handler of ours.
use crate::instructions::crank::{process, CrankAccounts};
use crate::utils::input::AccountView;
use crate::utils::input::Input;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::entrypoint as runtime;
use anchor_lang::Discriminator;

/// The most accounts the crank route takes (a transaction locks at most 64); more go to Anchor.
const MAX_ACCOUNTS: usize = 64;

/// # Safety
/// Called by the runtime with its serialized input.
#[cfg_attr(all(target_os = "solana", not(feature = "cpi")), no_mangle)]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    crate::cu_probe!("calibrate");
    crate::cu_probe!("entrypoint");
    let parsed = Input::parse(input);
    let takes = *parsed.program_id == crate::ID && (CrankAccounts::LEN..=MAX_ACCOUNTS).contains(&parsed.len());
    if let Some((entries, batch)) = crank_args(parsed.data).filter(|_| takes) {
        if let Some(views) = parsed.views() {
            crate::cu_probe!("accounts parsed");
            #[cfg(not(feature = "no-log-ix-name"))]
            msg!("Instruction: Crank");
            return match crank(&parsed, &views, entries, batch) {
                Ok(()) => runtime::SUCCESS,
                Err(error) => {
                    error.log();
                    ProgramError::from(error).into()
                }
            };
        }
    }
    let (program_id, accounts, data) = runtime::deserialize(input);
    match crate::entry(program_id, &accounts, data) {
        Ok(()) => runtime::SUCCESS,
        Err(error) => error.into(),
    }
}

#[cfg(not(feature = "cpi"))]
runtime::custom_heap_default!();
#[cfg(not(feature = "cpi"))]
runtime::custom_panic_default!();

/// A crank's arguments, decoded exactly as Anchor decodes `(entries: Vec<u32>, batch: bool)` after
/// the discriminator (trailing bytes ignored), with the entries left as little-endian bytes. `None`
/// for any other instruction or data Anchor would refuse.
pub fn crank_args(data: &[u8]) -> Option<(&[u8], bool)> {
    let args = data.strip_prefix(crate::instruction::Crank::DISCRIMINATOR)?;
    let count = u32::from_le_bytes(*args.first_chunk::<4>()?) as usize;
    let end = count.checked_mul(4)?.checked_add(4)?;
    let batch = match args.get(end)? {
        0 => false,
        1 => true,
        _ => return None,
    };
    Some((&args[4..end], batch))
}

fn crank(input: &Input<'_>, views: &[AccountView], entries: &[u8], batch: bool) -> Result<()> {
    // Anchor's encoding of an absent optional account: the program id in its place
    let present = |index: usize| views.get(index).is_some_and(|account| *account.key() != crate::ID);
    let accounts = CrankAccounts::new(views, present(CrankAccounts::MINT), present(CrankAccounts::REWARD_ACCOUNT))?;
    process(input.program_id, &accounts, views, entry_indices(entries), batch)
}

/// The entry indices `crank_args` left as little-endian bytes.
pub fn entry_indices(bytes: &[u8]) -> impl ExactSizeIterator<Item = u32> + '_ {
    bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::InstructionData;

    fn anchor_decodes(data: &[u8]) -> Option<(Vec<u32>, bool)> {
        let body = data.strip_prefix(crate::instruction::Crank::DISCRIMINATOR)?;
        let args = crate::instruction::Crank::deserialize(&mut &body[..]).ok()?;
        Some((args.entries, args.batch))
    }

    fn ours(data: &[u8]) -> Option<(Vec<u32>, bool)> {
        let (entries, batch) = crank_args(data)?;
        Some((entry_indices(entries).collect(), batch))
    }

    #[test]
    fn crank_args_decode_what_anchor_decodes_and_refuse_what_it_refuses() {
        let valid = crate::instruction::Crank { entries: vec![0, 7, u32::MAX], batch: true }.data();
        let mut cases = vec![valid.clone(), [valid.clone(), vec![9, 9]].concat()];
        for cut in 0..valid.len() {
            cases.push(valid[..cut].to_vec()); // every truncation
        }
        for (i, byte) in [(valid.len() - 1, 2u8), (8, 0xff), (0, 0)] {
            let mut bad = valid.clone();
            bad[i] = byte; // a bool of 2, a huge count, another discriminator
            cases.push(bad);
        }
        cases.push(crate::instruction::Deposit { amount: 5 }.data());
        for data in cases {
            assert_eq!(ours(&data), anchor_decodes(&data), "{data:?}");
        }
        assert_eq!(ours(&valid), Some((vec![0, 7, u32::MAX], true)));
    }
}
