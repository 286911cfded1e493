//! The runtime's serialized program input (loader v2/v3 ABI), read in place.
//!
//! ```text
//! u64 account count
//! per account: a duplicate (u8 index of the earlier account, 7 bytes padding) or a record:
//!   u8 0xff, u8 is_signer, u8 is_writable, u8 executable, u32 original data length,
//!   key (32), owner (32), u64 lamports, u64 data length, data, 10 KiB realloc space,
//!   padding to 8, u64 rent epoch
//! u64 instruction data length, instruction data, program id (32)
//! ```
//!
//! The standard deserializer turns every record into an `AccountInfo` with two `Rc` allocations;
//! the crank's entrypoint reads them in place instead, as [`AccountView`]s (see `crate::entrypoint`),
//! which the raw CPI (`utils::cpi`) passes on as they are.
use anchor_lang::prelude::*;

/// Offsets inside an account record.
pub mod record {
    pub const DUPLICATE: usize = 0;
    pub const IS_SIGNER: usize = 1;
    pub const IS_WRITABLE: usize = 2;
    pub const EXECUTABLE: usize = 3;
    pub const KEY: usize = 8;
    pub const OWNER: usize = 40;
    pub const LAMPORTS: usize = 72;
    pub const DATA_LEN: usize = 80;
    pub const DATA: usize = 88;
    /// `DUPLICATE` holds this for a record, an account index for a duplicate.
    pub const NOT_DUPLICATE: u8 = u8::MAX;
    /// Bytes a duplicate takes.
    pub const DUPLICATE_LEN: usize = 8;
    /// Space the runtime leaves after the data for reallocation.
    pub const REALLOC_SPACE: usize = 10 * 1024;
}

/// The instruction as the runtime passed it.
pub struct Input<'a> {
    input: *mut u8,
    count: usize,
    pub data: &'a [u8],
    pub program_id: &'a Pubkey,
}

/// Bytes of the record at `header` (a duplicate or a full record).
///
/// # Safety
/// `header` is the start of an account entry of the input buffer.
#[inline(always)]
unsafe fn entry_len(header: *const u8) -> usize {
    if *header.add(record::DUPLICATE) != record::NOT_DUPLICATE {
        return record::DUPLICATE_LEN;
    }
    let data_len = *(header.add(record::DATA_LEN) as *const u64) as usize;
    // data, realloc space, padding to 8, then the u64 rent epoch. Wrapping: the runtime caps data
    // at 10 MiB, so none of these sums can overflow (and checked ones cost the crank per account).
    (record::DATA.wrapping_add(data_len).wrapping_add(record::REALLOC_SPACE + 7) & !7).wrapping_add(8)
}

impl<'a> Input<'a> {
    /// Find the instruction data and program id (one pass over the accounts, nothing stored).
    ///
    /// # Safety
    /// `input` is the pointer the runtime passed to the entrypoint.
    #[inline(always)]
    pub unsafe fn parse(input: *mut u8) -> Self {
        let count = *(input as *const u64) as usize;
        let mut offset = 8usize;
        for _ in 0..count {
            offset = offset.wrapping_add(entry_len(input.add(offset)));
        }
        let data_len = *(input.add(offset) as *const u64) as usize;
        let data = core::slice::from_raw_parts(input.add(offset + 8), data_len);
        let program_id = &*(input.add(offset + 8 + data_len) as *const Pubkey);
        Self { input, count, data, program_id }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// A view of every account in order, a duplicate as a copy of the view it repeats. `None` if a
    /// duplicate does not point back at an earlier account (the runtime never writes one).
    pub fn views(&self) -> Option<Vec<AccountView>> {
        let mut views: Vec<AccountView> = Vec::with_capacity(self.count);
        let out = views.as_mut_ptr();
        let mut offset = 8usize;
        for i in 0..self.count {
            // SAFETY: `offset` walks the entries `parse` walked; `i` < capacity, and every slot
            // below `i` is written before it is read
            unsafe {
                let header = self.input.add(offset);
                let duplicate_of = usize::from(*header.add(record::DUPLICATE));
                if duplicate_of == usize::from(record::NOT_DUPLICATE) {
                    out.add(i).write(AccountView::from_record(header));
                } else if duplicate_of < i {
                    out.add(i).write(*out.add(duplicate_of));
                } else {
                    return None; // the runtime only ever points back at an earlier account
                }
                offset = offset.wrapping_add(entry_len(header));
            }
        }
        // SAFETY: the loop wrote all `count` slots
        unsafe { views.set_len(self.count) };
        Some(views)
    }
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
