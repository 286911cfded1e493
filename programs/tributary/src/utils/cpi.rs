//! Raw C-ABI cross-program invocation for the crank's hot path.
//!
//! `invoke_signed` clones every `AccountInfo` into a `Vec`, builds 34-byte `AccountMeta`s and scans
//! accounts × infos to check borrows. The crank instead builds 16-byte `SolAccountMeta`s that point
//! at keys already in the input buffer, passes its `AccountView`s (a repeated destination may
//! appear twice) and calls `sol_invoke_signed_c` once. Sound because the crank validated every
//! account itself and holds no reference into any account's data across the call.
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

/// An account as the runtime serialized it into the program's input, in the C-ABI layout that
/// `sol_invoke_signed_c` takes as an account info: the crank reads accounts through it and passes
/// it on unchanged. Plain pointers, no `RefCell`: whoever reads or writes through it must hold no
/// other borrow of the same account.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct AccountView {
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

impl AccountView {
    /// The account behind an `AccountInfo` built by the standard deserializer (no borrow is taken).
    pub fn from_info(info: &AccountInfo) -> Self {
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

    /// The account whose serialized record starts at `header` (see `utils::input`).
    ///
    /// # Safety
    /// `header` points at a non-duplicate account record of the runtime's input buffer.
    #[inline(always)]
    pub unsafe fn from_record(header: *mut u8) -> Self {
        use crate::utils::input::record;
        Self {
            key: header.add(record::KEY) as *const Pubkey,
            lamports: header.add(record::LAMPORTS) as *mut u64,
            data_len: *(header.add(record::DATA_LEN) as *const u64),
            data: header.add(record::DATA),
            owner: header.add(record::OWNER) as *const Pubkey,
            rent_epoch: 0,
            is_signer: *header.add(record::IS_SIGNER) != 0,
            is_writable: *header.add(record::IS_WRITABLE) != 0,
            executable: *header.add(record::EXECUTABLE) != 0,
        }
    }

    #[inline(always)]
    pub fn key(&self) -> &Pubkey {
        // SAFETY: points into the input buffer (or an AccountInfo's key), alive for the instruction
        unsafe { &*self.key }
    }

    #[inline(always)]
    pub fn owner(&self) -> &Pubkey {
        // SAFETY: as `key`
        unsafe { &*self.owner }
    }

    pub fn is_signer(&self) -> bool {
        self.is_signer
    }

    pub fn is_writable(&self) -> bool {
        self.is_writable
    }

    pub fn executable(&self) -> bool {
        self.executable
    }

    /// The account's data.
    ///
    /// # Safety
    /// Nothing may write the account's data while the slice lives.
    #[inline(always)]
    pub unsafe fn data(&self) -> &[u8] {
        core::slice::from_raw_parts(self.data, self.data_len as usize)
    }

    /// The account's data, writable.
    ///
    /// # Safety
    /// No other reference to the account's data may live while the slice does.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn data_mut(&self) -> &mut [u8] {
        core::slice::from_raw_parts_mut(self.data, self.data_len as usize)
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
