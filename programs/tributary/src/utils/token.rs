//! Token checks and transfers (SPL Token / p-token and Token-2022).
use crate::constants::TOKEN_ACCOUNT_LEN;
use crate::errors::TributaryError;
use crate::state::SkipReason;
use crate::utils::cpi::{invoke_signed_c, SolAccountInfo, SolAccountMeta};
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::{
    default_account_state::DefaultAccountState, BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{AccountState, Mint};
use anchor_spl::token_interface::{transfer_checked, TransferChecked};

/// Refuse Token-2022 mints whose extensions could take, block, hide or tax what the pool holds:
/// transfer hooks, confidential transfers, non-transferable, permanent delegate, transfer fees,
/// pausable, and default-frozen accounts. Anything not on the allowlist is refused.
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
            ExtensionType::MintCloseAuthority
            | ExtensionType::InterestBearingConfig
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
const MINT: core::ops::Range<usize> = 0..32;
const OWNER: core::ops::Range<usize> = 32..64;
const DELEGATE_TAG: core::ops::Range<usize> = 72..76;
const STATE: usize = 108;
const STATE_INITIALIZED: u8 = 1;
const STATE_FROZEN: u8 = 2;
const ACCOUNT_TYPE_ACCOUNT: u8 = 2;
// Token-2022 account extensions that cannot make an incoming transfer fail
const EXT_IMMUTABLE_OWNER: u16 = 7;
const EXT_MEMO_TRANSFER: u16 = 8;
const EXT_CPI_GUARD: u16 = 11;

/// Why `account` cannot safely receive a payout for `contributor`, if it cannot. Reads raw bytes:
/// this runs once per payout in the crank.
pub fn destination_problem(
    account: &AccountInfo,
    token_program: &Pubkey,
    mint: &Pubkey,
    contributor: &Pubkey,
) -> Option<SkipReason> {
    // the owner first: a foreign account is refused without borrowing its data
    if account.owner != token_program {
        return Some(SkipReason::NotTokenAccount);
    }
    let Ok(data) = account.try_borrow_data() else {
        return Some(SkipReason::NotTokenAccount);
    };
    token_data_problem(&data, mint, contributor)
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
    token_data_problem(data, mint, contributor)
}

/// The checks on a token account's bytes, once its owner is known to be the pool's token program.
#[inline(always)]
fn token_data_problem(data: &[u8], mint: &Pubkey, contributor: &Pubkey) -> Option<SkipReason> {
    if data.len() < TOKEN_ACCOUNT_LEN
        || (data.len() > TOKEN_ACCOUNT_LEN && data[TOKEN_ACCOUNT_LEN] != ACCOUNT_TYPE_ACCOUNT)
    {
        return Some(SkipReason::NotTokenAccount);
    }
    if data[MINT] != mint.as_ref()[..] {
        return Some(SkipReason::WrongMint);
    }
    if data[OWNER] != contributor.as_ref()[..] {
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
    token_program: Pubkey,
    vault: Pubkey,
    mint: Pubkey,
    pool: Pubkey,
    infos: [SolAccountInfo; 4],
    data: [u8; 10],
    seeds: &'a [&'a [u8]; 4],
}

impl<'a> VaultTransfers<'a> {
    pub fn new(signer: &VaultSigner<'a, '_>) -> Self {
        let mut data = [0u8; 10];
        data[0] = TRANSFER_CHECKED;
        data[9] = signer.decimals;
        Self {
            token_program: *signer.token_program.key,
            vault: *signer.vault.key,
            mint: *signer.mint.key,
            pool: *signer.pool.key,
            infos: [
                SolAccountInfo::new(signer.vault),
                SolAccountInfo::new(signer.mint),
                SolAccountInfo::new(signer.vault), // destination, set per transfer
                SolAccountInfo::new(signer.pool),
            ],
            data,
            seeds: signer.seeds,
        }
    }

    pub fn pay(&mut self, to: &AccountInfo, amount: u64) -> Result<()> {
        self.data[1..9].copy_from_slice(&amount.to_le_bytes());
        self.infos[2] = SolAccountInfo::new(to);
        let metas = [
            SolAccountMeta::new(&self.vault, true, false),
            SolAccountMeta::new(&self.mint, false, false),
            SolAccountMeta::new(to.key, true, false),
            SolAccountMeta::new(&self.pool, false, true),
        ];
        invoke_signed_c(&self.token_program, &metas, &self.data, &self.infos, self.seeds)
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
/// p-token's `batch` instruction: `[255]`, then per inner instruction `[accounts, data_len, data…]`.
const BATCH: u8 = 255;

/// Many vault transfers in one CPI to p-token's `batch`, which pays the CPI base cost once.
/// Per transfer: 11 bytes of data, three 16-byte metas pointing at keys in the input buffer and one
/// account info (see `utils::cpi`).
pub struct PTokenBatch<'a> {
    data: Vec<u8>,
    metas: Vec<SolAccountMeta>,
    infos: Vec<SolAccountInfo>,
    vault: &'a Pubkey,
    pool: &'a Pubkey,
}

impl<'a> PTokenBatch<'a> {
    pub fn new(vault: &'a AccountInfo, pool: &'a AccountInfo, capacity: usize) -> Self {
        let mut data = Vec::with_capacity(1 + capacity * 11);
        data.push(BATCH);
        let mut infos = Vec::with_capacity(2 + capacity);
        infos.push(SolAccountInfo::new(vault));
        infos.push(SolAccountInfo::new(pool));
        Self { data, metas: Vec::with_capacity(3 * capacity), infos, vault: vault.key, pool: pool.key }
    }

    /// Queue `Transfer { vault → to, amount }` (the mint is fixed by the vault, so unchecked is exact).
    pub fn push(&mut self, to: &'a AccountInfo, amount: u64) {
        let a = amount.to_le_bytes();
        self.data.extend_from_slice(&[3, 9, TRANSFER, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]]);
        self.metas.push(SolAccountMeta::new(self.vault, true, false));
        self.metas.push(SolAccountMeta::new(to.key, true, false));
        self.metas.push(SolAccountMeta::new(self.pool, false, true));
        self.infos.push(SolAccountInfo::new(to));
    }

    pub fn invoke(self, token_program: &Pubkey, seeds: &[&[u8]; 4]) -> Result<()> {
        if self.metas.is_empty() {
            return Ok(());
        }
        invoke_signed_c(token_program, &self.metas, &self.data, &self.infos, seeds)
    }
}
