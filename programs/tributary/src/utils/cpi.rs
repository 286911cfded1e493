//! Raw C-ABI cross-program invocation for the crank's hot path.
//!
//! `invoke_signed` clones every `AccountInfo` into a `Vec`, builds 34-byte `AccountMeta`s and scans
//! accounts × infos to check borrows. The crank instead builds 16-byte `SolAccountMeta`s that point
//! at keys already in the input buffer, one `SolAccountInfo` per account passed (a repeated
//! destination may appear twice), and calls `sol_invoke_signed_c` once. Sound because the crank validated every account itself and holds no
//! `RefCell` borrow of any account it passes across the call.
#![allow(clippy::not_unsafe_ptr_arg_deref)]
use anchor_lang::prelude::*;

#[repr(C)]
pub struct SolAccountMeta {
    pub pubkey: *const Pubkey,
    pub is_writable: bool,
    pub is_signer: bool,
}

#[repr(C)]
struct SolInstruction {
    program_id: *const Pubkey,
    accounts: *const SolAccountMeta,
    accounts_len: u64,
    data: *const u8,
    data_len: u64,
}

#[repr(C)]
pub struct SolAccountInfo {
    key: *const Pubkey,
    lamports: *mut u64,
    data_len: u64,
    data: *mut u8,
    owner: *const Pubkey,
    rent_epoch: u64,
    is_signer: bool,
    is_writable: bool,
    executable: bool,
}

#[repr(C)]
struct SolSignerSeed {
    addr: *const u8,
    len: u64,
}

#[repr(C)]
struct SolSignerSeeds {
    addr: *const SolSignerSeed,
    len: u64,
}

impl SolAccountMeta {
    pub fn new(key: &Pubkey, is_writable: bool, is_signer: bool) -> Self {
        Self { pubkey: key, is_writable, is_signer }
    }
}

impl SolAccountInfo {
    /// Pointers to the account as the runtime serialized it (no borrow is taken or held).
    pub fn new(info: &AccountInfo) -> Self {
        // SAFETY: `as_ptr` reads the RefCell contents without borrowing; the references inside
        // point into the program's input buffer, which outlives the instruction.
        let (lamports, data) = unsafe { (&mut **info.lamports.as_ptr() as *mut u64, &mut **info.data.as_ptr()) };
        Self {
            key: info.key,
            lamports,
            data_len: data.len() as u64,
            data: data.as_mut_ptr(),
            owner: info.owner,
            rent_epoch: 0,
            is_signer: info.is_signer,
            is_writable: info.is_writable,
            executable: info.executable,
        }
    }
}

/// Invoke `program_id` with `metas`, `data` and `infos`, signed by the pool PDA's seeds.
pub fn invoke_signed_c(
    program_id: &Pubkey,
    metas: &[SolAccountMeta],
    data: &[u8],
    infos: &[SolAccountInfo],
    seeds: &[&[u8]; 4],
) -> Result<()> {
    let seed_list = seeds.map(|seed| SolSignerSeed { addr: seed.as_ptr(), len: seed.len() as u64 });
    let signer = SolSignerSeeds { addr: seed_list.as_ptr(), len: seed_list.len() as u64 };
    let instruction = SolInstruction {
        program_id,
        accounts: metas.as_ptr(),
        accounts_len: metas.len() as u64,
        data: data.as_ptr(),
        data_len: data.len() as u64,
    };
    #[cfg(target_os = "solana")]
    {
        // SAFETY: every pointer above is valid for the duration of the call
        let code = unsafe {
            anchor_lang::compat::solana_define_syscall::definitions::sol_invoke_signed_c(
                &instruction as *const SolInstruction as *const u8,
                infos.as_ptr() as *const u8,
                infos.len() as u64,
                &signer as *const SolSignerSeeds as *const u8,
                1,
            )
        };
        if code != 0 {
            return Err(ProgramError::from(code).into());
        }
        Ok(())
    }
    #[cfg(not(target_os = "solana"))]
    {
        // host builds (IDL, SDK) never execute instructions
        let _ = (instruction, signer, infos);
        Err(ProgramError::InvalidArgument.into())
    }
}
