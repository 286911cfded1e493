//! Token-account helpers shared by the operator commands and the demo: associated token accounts
//! (derived and created idempotently), mint and balance reads, and amounts in UI units.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use solana_account::Account;

pub const ASSOCIATED_TOKEN_PROGRAM: Pubkey = anchor_lang::pubkey!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
pub const TOKEN_PROGRAM: Pubkey = anchor_spl::token::ID;
pub const TOKEN_2022_PROGRAM: Pubkey = anchor_spl::token_2022::ID;
/// Offsets in the SPL token account and mint layouts (the same in Token-2022's base state).
const ACCOUNT_AMOUNT: std::ops::Range<usize> = 64..72;
const MINT_DECIMALS: usize = 44;
const MINT_INITIALIZED: usize = 45;

pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[owner.as_ref(), token_program.as_ref(), mint.as_ref()], &ASSOCIATED_TOKEN_PROGRAM).0
}

/// The associated token program's `CreateIdempotent`: a no-op if the account exists.
pub fn create_associated_token_account(
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    Instruction {
        program_id: ASSOCIATED_TOKEN_PROGRAM,
        accounts: vec![
            AccountMeta::new(*payer, true),
            AccountMeta::new(associated_token_address(owner, mint, token_program), false),
            AccountMeta::new_readonly(*owner, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new_readonly(anchor_lang::system_program::ID, false),
            AccountMeta::new_readonly(*token_program, false),
        ],
        data: vec![1],
    }
}

/// Decimals of a mint account of either token program.
pub fn mint_decimals(account: &Account) -> Option<u8> {
    let is_token = account.owner == TOKEN_PROGRAM || account.owner == TOKEN_2022_PROGRAM;
    (is_token && account.data.len() >= 82 && account.data[MINT_INITIALIZED] == 1).then(|| account.data[MINT_DECIMALS])
}

/// The freeze authority of a mint account of either token program (`Some(None)`: a mint without
/// one; `None`: not a mint). Whoever holds it can freeze the pool's vault, stopping every claim and
/// crank: a trust assumption of classic mints such as USDC (SECURITY.md).
pub fn mint_freeze_authority(account: &Account) -> Option<Option<Pubkey>> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Mint};
    let is_token = account.owner == TOKEN_PROGRAM || account.owner == TOKEN_2022_PROGRAM;
    let mint = StateWithExtensions::<Mint>::unpack(&account.data).ok().filter(|_| is_token)?;
    Some(Option::from(mint.base.freeze_authority))
}

pub fn token_balance(account: &Account) -> Option<u64> {
    let is_token = account.owner == TOKEN_PROGRAM || account.owner == TOKEN_2022_PROGRAM;
    (is_token && account.data.len() >= 165)
        .then(|| u64::from_le_bytes(account.data[ACCOUNT_AMOUNT].try_into().unwrap_or([0; 8])))
}

/// "12.5" with 6 decimals -> 12_500_000. Exact: more decimals than the mint has is an error.
pub fn parse_amount(text: &str, decimals: u8) -> Result<u64, String> {
    let bad = || format!("'{text}' is not an amount with at most {decimals} decimals");
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > usize::from(decimals) {
        return Err(bad());
    }
    let scale = 10u128.pow(u32::from(decimals));
    let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac_value: u128 = if frac.is_empty() {
        0
    } else {
        frac.parse::<u128>().map_err(|_| bad())? * 10u128.pow((usize::from(decimals) - frac.len()) as u32)
    };
    let total = whole.checked_mul(scale).and_then(|w| w.checked_add(frac_value)).ok_or_else(bad)?;
    u64::try_from(total).map_err(|_| format!("'{text}' is more than a token account can hold"))
}

/// 12_500_000 with 6 decimals -> "12.5".
pub fn format_amount(amount: u128, decimals: u8) -> String {
    if decimals == 0 {
        return amount.to_string();
    }
    let scale = 10u128.pow(u32::from(decimals));
    let frac = format!("{:0width$}", amount % scale, width = usize::from(decimals));
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        (amount / scale).to_string()
    } else {
        format!("{}.{frac}", amount / scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_exactly() {
        assert_eq!(parse_amount("12.5", 6), Ok(12_500_000));
        assert_eq!(parse_amount("0.000001", 6), Ok(1));
        assert_eq!(parse_amount("7", 0), Ok(7));
        assert!(parse_amount("0.0000001", 6).is_err());
        assert!(parse_amount("1e3", 6).is_err());
        assert!(parse_amount("-1", 6).is_err());
        assert!(parse_amount(".", 6).is_err());
        assert!(parse_amount("18446744073709.551616", 6).is_err());
        assert_eq!(format_amount(12_500_000, 6), "12.5");
        assert_eq!(format_amount(1, 6), "0.000001");
        assert_eq!(format_amount(3_000_000, 6), "3");
    }

    #[test]
    fn the_freeze_authority_of_a_mint_is_read_and_anything_else_is_not_a_mint() {
        use anchor_spl::token_2022::spl_token_2022::state::Mint;
        use solana_program_pack::Pack;
        let freezer = Pubkey::new_from_array([9; 32]);
        for (freeze, owner) in [(Some(freezer), TOKEN_PROGRAM), (None, TOKEN_2022_PROGRAM)] {
            let mint = Mint { decimals: 6, is_initialized: true, freeze_authority: freeze.into(), ..Mint::default() };
            let mut data = vec![0u8; Mint::LEN];
            mint.pack_into_slice(&mut data);
            let account = Account { lamports: 1, data, owner, executable: false, rent_epoch: 0 };
            assert_eq!(mint_freeze_authority(&account), Some(freeze));
            let elsewhere = Account { owner: Pubkey::new_from_array([1; 32]), ..account.clone() };
            assert_eq!(mint_freeze_authority(&elsewhere), None, "not owned by a token program");
        }
    }
}
