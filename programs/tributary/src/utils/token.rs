//! Token checks and transfers (SPL Token / p-token and Token-2022).
use crate::constants::TOKEN_ACCOUNT_LEN;
use crate::errors::TributaryError;
use crate::state::SkipReason;
use crate::utils::cpi::{invoke_signed_c, PdaSigner, PreparedInvoke, SolAccountMeta};
use crate::utils::input::AccountView;
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::{
    default_account_state::DefaultAccountState, mint_close_authority::MintCloseAuthority, BaseStateWithExtensions,
    ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{AccountState, Mint};
use anchor_spl::token_interface::{transfer_checked, TransferChecked};

/// Refuse Token-2022 mints whose extensions could take, block, hide or tax what the pool holds:
/// transfer hooks, confidential transfers, non-transferable, permanent delegate, transfer fees,
/// pausable, and default-frozen accounts. Anything not on the allowlist is refused. A mint with a
/// close authority is refused too: while its supply is zero it could be closed and re-created at
/// the same address with any of those extensions, after the pool was created (the allowlist is
/// checked only here). A `MintCloseAuthority` extension with no authority set is harmless.
pub fn require_supported_mint(mint: &AccountInfo) -> Result<()> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(()); // classic SPL Token mints have no extensions
    }
    let data = mint.try_borrow_data()?;
    let state =
        StateWithExtensions::<Mint>::unpack(&data).map_err(|_| error!(TributaryError::UnsupportedMintExtension))?;
    let types = state.get_extension_types().map_err(|_| error!(TributaryError::UnsupportedMintExtension))?;
    for ext in types {
        let allowed = match ext {
            ExtensionType::MintCloseAuthority => {
                let closable = state
                    .get_extension::<MintCloseAuthority>()
                    .map(|c| Option::<Pubkey>::from(c.close_authority).is_some())
                    .unwrap_or(true);
                require!(!closable, TributaryError::MintCloseAuthoritySet);
                true
            }
            ExtensionType::InterestBearingConfig
            | ExtensionType::ScaledUiAmount
            | ExtensionType::MetadataPointer
            | ExtensionType::TokenMetadata
            | ExtensionType::GroupPointer
            | ExtensionType::TokenGroup
            | ExtensionType::GroupMemberPointer
            | ExtensionType::TokenGroupMember => true,
            ExtensionType::DefaultAccountState => state
                .get_extension::<DefaultAccountState>()
                .map(|d| d.state == AccountState::Initialized as u8)
                .unwrap_or(false),
            _ => false,
        };
        require!(allowed, TributaryError::UnsupportedMintExtension);
    }
    Ok(())
}

// SPL token account layout (identical in Token-2022 for the first 165 bytes)
const DELEGATE_TAG: core::ops::Range<usize> = 72..76;
const STATE: usize = 108;
const STATE_INITIALIZED: u8 = 1;
const STATE_FROZEN: u8 = 2;
const ACCOUNT_TYPE_ACCOUNT: u8 = 2;
/// An SPL Token / Token-2022 `Multisig`: the one other account those programs own that is longer
/// than an account. Token-2022 never sizes an account with extensions to this length.
const MULTISIG_LEN: usize = 355;
// Token-2022 account extensions that cannot make an incoming transfer fail
const EXT_IMMUTABLE_OWNER: u16 = 7;
const EXT_MEMO_TRANSFER: u16 = 8;
const EXT_CPI_GUARD: u16 = 11;

/// Why `account` cannot safely receive a payout for `contributor`, if it cannot. Reads raw bytes:
/// this runs once per payout in the crank. `token_2022`: `token_program` is Token-2022 (computed
/// once per crank, not per payout).
#[inline(always)]
pub fn destination_problem(
    account: &AccountView,
    token_program: &Pubkey,
    token_2022: bool,
    mint: &Pubkey,
    contributor: &Pubkey,
) -> Option<SkipReason> {
    // the owner first: the data of an account of another program is never read
    if !keys_equal(account.owner(), token_program) {
        return Some(SkipReason::NotTokenAccount);
    }
    // SAFETY: owned by the token program, so never the pool or a ledger page (the only accounts
    // the crank writes), even when the same account is passed twice
    token_data_problem(unsafe { account.data() }, token_2022, mint, contributor)
}

/// `destination_problem` on an account's owner and bytes: the crank bot filters with it off chain.
pub fn token_account_problem(
    owner: &Pubkey,
    data: &[u8],
    token_program: &Pubkey,
    mint: &Pubkey,
    contributor: &Pubkey,
) -> Option<SkipReason> {
    if owner != token_program {
        return Some(SkipReason::NotTokenAccount);
    }
    token_data_problem(data, *token_program == anchor_spl::token_2022::ID, mint, contributor)
}

/// 32-byte equality as four 64-bit words: cheaper on sBPF than the `memcmp` call `==` becomes,
/// and this runs several times per payout.
#[inline(always)]
pub fn bytes32_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    // SAFETY: four in-bounds 8-byte reads; `read_unaligned` needs no alignment
    let word = |x: &[u8; 32], i: usize| unsafe { core::ptr::read_unaligned(x.as_ptr().add(8 * i) as *const u64) };
    ((word(a, 0) ^ word(b, 0)) | (word(a, 1) ^ word(b, 1)) | (word(a, 2) ^ word(b, 2)) | (word(a, 3) ^ word(b, 3))) == 0
}

/// [`bytes32_equal`] for keys.
#[inline(always)]
pub fn keys_equal(a: &Pubkey, b: &Pubkey) -> bool {
    bytes32_equal(a.as_array(), b.as_array())
}

/// The shapes a token account of the pool's program can have: exactly 165 bytes, or, on
/// Token-2022 only, longer with the account-type byte of an account and never a `Multisig`'s length
/// (whose signer keys could otherwise be chosen to pass every byte check below).
#[inline(always)]
fn is_account_shape(data: &[u8], token_2022: bool) -> bool {
    let len = data.len();
    len == TOKEN_ACCOUNT_LEN
        || (token_2022
            && len > TOKEN_ACCOUNT_LEN
            && len != MULTISIG_LEN
            && data[TOKEN_ACCOUNT_LEN] == ACCOUNT_TYPE_ACCOUNT)
}

/// The checks on a token account's bytes, once its owner is known to be the pool's token program.
#[inline(always)]
fn token_data_problem(data: &[u8], token_2022: bool, mint: &Pubkey, contributor: &Pubkey) -> Option<SkipReason> {
    if !is_account_shape(data, token_2022) {
        return Some(SkipReason::NotTokenAccount);
    }
    let Some((account_mint, rest)) = data.split_first_chunk::<32>() else {
        return Some(SkipReason::NotTokenAccount);
    };
    let Some(account_owner) = rest.first_chunk::<32>() else {
        return Some(SkipReason::NotTokenAccount);
    };
    if !bytes32_equal(account_mint, mint.as_array()) {
        return Some(SkipReason::WrongMint);
    }
    if !bytes32_equal(account_owner, contributor.as_array()) {
        return Some(SkipReason::WrongOwner);
    }
    match data[STATE] {
        STATE_INITIALIZED => {}
        STATE_FROZEN => return Some(SkipReason::Frozen),
        _ => return Some(SkipReason::NotTokenAccount),
    }
    if data[DELEGATE_TAG] != [0, 0, 0, 0] {
        return Some(SkipReason::Delegated);
    }
    if data.len() > TOKEN_ACCOUNT_LEN && !extensions_accept_transfers(&data[TOKEN_ACCOUNT_LEN + 1..]) {
        return Some(SkipReason::UnsupportedExtension);
    }
    None
}

/// Walk a Token-2022 account's TLV extensions; accept only those that never refuse a transfer in.
fn extensions_accept_transfers(mut tlv: &[u8]) -> bool {
    while tlv.len() >= 4 {
        let ext = u16::from_le_bytes([tlv[0], tlv[1]]);
        let len = usize::from(u16::from_le_bytes([tlv[2], tlv[3]]));
        if ext == 0 {
            return true; // uninitialized padding ends the list
        }
        let Some(value) = tlv.get(4..4 + len) else {
            return false;
        };
        let ok = match ext {
            EXT_IMMUTABLE_OWNER | EXT_CPI_GUARD => true,
            EXT_MEMO_TRANSFER => value.first() == Some(&0), // memos not required
            _ => false,
        };
        if !ok {
            return false;
        }
        tlv = &tlv[4 + len..];
    }
    true
}

/// Token accounts the pool pays out of, and how it signs.
pub struct VaultSigner<'a, 'info> {
    pub token_program: &'a AccountInfo<'info>,
    pub vault: &'a AccountInfo<'info>,
    pub mint: &'a AccountInfo<'info>,
    pub pool: &'a AccountInfo<'info>,
    pub seeds: &'a [&'a [u8]; 4],
    pub decimals: u8,
}

impl<'info> VaultSigner<'_, 'info> {
    /// `transfer_checked` from the vault, signed by the pool PDA.
    pub fn pay(&self, to: &AccountInfo<'info>, amount: u64) -> Result<()> {
        transfer_checked(
            CpiContext::new_with_signer(
                self.token_program.key(),
                TransferChecked {
                    from: self.vault.clone(),
                    mint: self.mint.clone(),
                    to: to.clone(),
                    authority: self.pool.clone(),
                },
                &[self.seeds],
            ),
            amount,
            self.decimals,
        )
    }
}

/// `transfer_checked` from the vault to one destination after another: one raw CPI per payout,
/// nothing allocated per payout (see `utils::cpi`).
pub struct VaultTransfers<'a> {
    token_program: &'a Pubkey,
    metas: [SolAccountMeta; 4],
    infos: [AccountView; 4],
    data: [u8; 10],
}

impl<'a> VaultTransfers<'a> {
    pub fn new(
        token_program: &'a AccountView,
        vault: &'a AccountView,
        mint: &'a AccountView,
        pool: &'a AccountView,
        decimals: u8,
    ) -> Self {
        let mut data = [0u8; 10];
        data[0] = TRANSFER_CHECKED;
        data[9] = decimals;
        Self {
            token_program: token_program.key(),
            // the destination (third) is set per transfer
            metas: [
                SolAccountMeta::new(vault.key(), true, false),
                SolAccountMeta::new(mint.key(), false, false),
                SolAccountMeta::new(vault.key(), true, false),
                SolAccountMeta::new(pool.key(), false, true),
            ],
            infos: [*vault, *mint, *vault, *pool],
            data,
        }
    }

    pub fn set_decimals(&mut self, decimals: u8) {
        self.data[9] = decimals;
    }

    pub fn decimals(&self) -> u8 {
        self.data[9]
    }

    /// One `transfer_checked` per `(destination, amount)`, in order. The instruction is built once
    /// and only its destination and amount change between calls (measured: ~10 CU per payout).
    pub fn pay_all(mut self, payouts: &[(&AccountView, u64)], signer: &PdaSigner) -> Result<()> {
        let (data, metas, infos) = (self.data.as_mut_ptr(), self.metas.as_mut_ptr(), self.infos.as_mut_ptr());
        // SAFETY: `data`, `metas` and `infos` are this struct's arrays, which stay in place (`self`
        // is owned here) and are written below only through these pointers, between calls
        let cpi = unsafe { PreparedInvoke::new(self.token_program, metas, 4, data, 10, signer) };
        for &(to, amount) in payouts {
            // SAFETY: in bounds of the 10-byte data, 4 metas and 4 infos; unaligned write allowed
            unsafe {
                (data.add(1) as *mut [u8; 8]).write_unaligned(amount.to_le_bytes());
                (*metas.add(2)).pubkey = to.key(); // writable, not a signer: as set in `new`
                infos.add(2).write(*to);
            }
            cpi.invoke(infos, 4)?;
        }
        Ok(())
    }
}

/// `transfer_checked` signed by a user.
pub fn pay_in<'info>(
    token_program: &AccountInfo<'info>,
    from: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    vault: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
    decimals: u8,
) -> Result<()> {
    transfer_checked(
        CpiContext::new(
            token_program.key(),
            TransferChecked { from: from.clone(), mint: mint.clone(), to: vault.clone(), authority: authority.clone() },
        ),
        amount,
        decimals,
    )
}

const TRANSFER: u8 = 3;
const TRANSFER_CHECKED: u8 = 12;

/// The `batch` instruction of p-token and of Token-2022 (v11 and later): `[255]`, then per inner
/// instruction `[accounts, data_len, data…]`, where an inner instruction is any of the token
/// program's own but `batch`.
const BATCH: u8 = 255;

/// Many vault transfers in one CPI to the token program's `batch`, which pays the CPI base cost
/// once. `CHECKED = false` (p-token): inner `Transfer`s, 11 bytes and three 16-byte metas each.
/// `CHECKED = true` (Token-2022): inner `TransferChecked`s naming the mint, 12 bytes and four
/// metas each. The metas point at keys in the input buffer; the account infos are the
/// instruction's own accounts, passed as they are (see `utils::cpi`). Two instantiations, so
/// neither path pays a branch per transfer.
pub struct TokenBatch<'a, const CHECKED: bool> {
    data: Vec<u8>,
    metas: Vec<SolAccountMeta>,
    infos: &'a [AccountView],
    token_program: &'a Pubkey,
    vault: &'a Pubkey,
    pool: &'a Pubkey,
    /// `CHECKED` only: the mint each transfer names, and its decimals.
    mint: &'a Pubkey,
    decimals: u8,
}

/// p-token's batch of `Transfer`s.
pub type PTokenBatch<'a> = TokenBatch<'a, false>;
/// Token-2022's batch of `TransferChecked`s.
pub type Token2022Batch<'a> = TokenBatch<'a, true>;

impl<'a, const CHECKED: bool> TokenBatch<'a, CHECKED> {
    /// Accounts of one inner transfer.
    const ACCOUNTS: usize = if CHECKED { 4 } else { 3 };
    /// Bytes of one inner transfer: account count, data length, opcode, amount (u64), decimals.
    const LEN: usize = if CHECKED { 12 } else { 11 };

    /// `infos` must hold the vault, the pool, the mint (`CHECKED`) and every account later pushed.
    /// `mint` is named by `CHECKED` transfers only.
    pub fn new(
        token_program: &'a Pubkey,
        vault: &'a Pubkey,
        pool: &'a Pubkey,
        mint: &'a Pubkey,
        infos: &'a [AccountView],
        capacity: usize,
    ) -> Self {
        let mut data = Vec::with_capacity(1 + capacity * Self::LEN);
        data.push(BATCH);
        Self {
            data,
            metas: Vec::with_capacity(Self::ACCOUNTS * capacity),
            infos,
            token_program,
            vault,
            pool,
            mint,
            decimals: 0,
        }
    }

    pub fn set_decimals(&mut self, decimals: u8) {
        self.decimals = decimals;
    }

    /// Queue a transfer of `amount` from the vault to `to` (`Transfer`: the mint is fixed by the
    /// vault, so unchecked is exact on p-token; `TransferChecked` on Token-2022).
    /// Written in place rather than through `Vec::push`/`extend_from_slice`, whose capacity checks
    /// and `memcpy` call cost more than the payout's own bookkeeping.
    #[inline(always)]
    pub fn push(&mut self, to: &AccountView, amount: u64) -> Result<()> {
        let (data_len, metas_len) = (self.data.len(), self.metas.len());
        if self.data.capacity() - data_len < Self::LEN || self.metas.capacity() - metas_len < Self::ACCOUNTS {
            return err!(TributaryError::TooManyEntries); // the capacity was sized for every entry
        }
        // SAFETY: both buffers have room for what is written (checked above), and the lengths are
        // set only after every new byte and meta is written
        unsafe {
            let data = self.data.as_mut_ptr().add(data_len);
            data.write(Self::ACCOUNTS as u8); // accounts of the inner instruction
            data.add(1).write(Self::LEN as u8 - 2); // its data length
            data.add(2).write(if CHECKED { TRANSFER_CHECKED } else { TRANSFER });
            (data.add(3) as *mut [u8; 8]).write_unaligned(amount.to_le_bytes());
            if CHECKED {
                data.add(11).write(self.decimals);
            }
            self.data.set_len(data_len + Self::LEN);
            let metas = self.metas.as_mut_ptr().add(metas_len);
            metas.write(SolAccountMeta::new(self.vault, true, false));
            let metas = if CHECKED {
                metas.add(1).write(SolAccountMeta::new(self.mint, false, false));
                metas.add(1)
            } else {
                metas
            };
            metas.add(1).write(SolAccountMeta::new(to.key(), true, false));
            metas.add(2).write(SolAccountMeta::new(self.pool, false, true));
            self.metas.set_len(metas_len + Self::ACCOUNTS);
        }
        Ok(())
    }

    pub fn invoke(self, signer: &PdaSigner) -> Result<()> {
        if self.metas.is_empty() {
            return Ok(());
        }
        invoke_signed_c(self.token_program, &self.metas, &self.data, self.infos, signer)
    }
}
