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
//! the crank's entrypoint reads them in place instead (see `crate::entrypoint`).
use crate::utils::cpi::AccountView;
use anchor_lang::prelude::Pubkey;

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
