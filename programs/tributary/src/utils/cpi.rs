//! Raw C-ABI cross-program invocation for the crank's hot path.
//!
//! `invoke_signed` clones every `AccountInfo` into a `Vec`, builds 34-byte `AccountMeta`s and scans
//! accounts × infos to check borrows. The crank instead builds 16-byte `SolAccountMeta`s that point
//! at keys already in the input buffer, passes its `AccountView`s (a repeated destination may
//! appear twice) and calls `sol_invoke_signed_c` once. Sound because the crank validated every
//! account itself and holds no reference into any account's data across the call.
#![allow(clippy::not_unsafe_ptr_arg_deref)]
use crate::utils::input::AccountView;
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
#[derive(Clone, Copy)]
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

/// A PDA's signer seeds in the C-ABI form, built once and reused for every CPI of a crank.
pub struct PdaSigner<'a> {
    seeds: [SolSignerSeed; 4],
    _borrow: core::marker::PhantomData<&'a [u8]>,
}

impl<'a> PdaSigner<'a> {
    pub fn new(seeds: &[&'a [u8]; 4]) -> Self {
        Self {
            seeds: seeds.map(|seed| SolSignerSeed { addr: seed.as_ptr(), len: seed.len() as u64 }),
            _borrow: core::marker::PhantomData,
        }
    }
}

/// Invoke `program_id` with `metas`, `data` and `infos`, signed by `signer`.
pub fn invoke_signed_c(
    program_id: &Pubkey,
    metas: &[SolAccountMeta],
    data: &[u8],
    infos: &[AccountView],
    signer: &PdaSigner,
) -> Result<()> {
    // SAFETY: the slices outlive the call and nothing writes them meanwhile
    unsafe { PreparedInvoke::new(program_id, metas.as_ptr(), metas.len(), data.as_ptr(), data.len(), signer) }
        .invoke(infos.as_ptr(), infos.len())
}

/// One instruction invoked again and again, its metas, data and infos changed in place between
/// calls (the crank's per-transfer path): the instruction and signer records are built once.
#[cfg_attr(not(target_os = "solana"), allow(dead_code))] // host builds never invoke
pub struct PreparedInvoke<'a> {
    instruction: SolInstruction,
    signer: SolSignerSeeds,
    _borrow: core::marker::PhantomData<&'a PdaSigner<'a>>,
}

impl<'a> PreparedInvoke<'a> {
    /// # Safety
    /// `metas` (`metas_len` of them) and `data` (`data_len` bytes) stay valid while this lives and
    /// hold the instruction's final contents at each `invoke`.
    pub unsafe fn new(
        program_id: &'a Pubkey,
        metas: *const SolAccountMeta,
        metas_len: usize,
        data: *const u8,
        data_len: usize,
        signer: &'a PdaSigner<'a>,
    ) -> Self {
        Self {
            instruction: SolInstruction {
                program_id,
                accounts: metas,
                accounts_len: metas_len as u64,
                data,
                data_len: data_len as u64,
            },
            signer: SolSignerSeeds { addr: signer.seeds.as_ptr(), len: signer.seeds.len() as u64 },
            _borrow: core::marker::PhantomData,
        }
    }

    /// Invoke with the `len` account views at `infos`.
    #[inline(always)]
    pub fn invoke(&self, infos: *const AccountView, len: usize) -> Result<()> {
        #[cfg(target_os = "solana")]
        {
            // SAFETY: the records point at live metas, data and seeds (see `new`); `infos` holds
            // `len` views of the instruction's accounts
            let code = unsafe {
                anchor_lang::compat::solana_define_syscall::definitions::sol_invoke_signed_c(
                    &self.instruction as *const SolInstruction as *const u8,
                    infos as *const u8,
                    len as u64,
                    &self.signer as *const SolSignerSeeds as *const u8,
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
            let _ = (infos, len);
            Err(ProgramError::InvalidArgument.into())
        }
    }
}
