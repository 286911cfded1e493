//! Token-account helpers shared by the operator commands and the demo: associated token accounts
//! (derived and created idempotently), mint and balance reads, and amounts in UI units.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::associated_token;
use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenAccount, Mint};
use solana_account::Account;

pub const ASSOCIATED_TOKEN_PROGRAM: Pubkey = associated_token::ID;
pub const TOKEN_PROGRAM: Pubkey = anchor_spl::token::ID;
pub const TOKEN_2022_PROGRAM: Pubkey = anchor_spl::token_2022::ID;

pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    associated_token::get_associated_token_address_with_program_id(owner, mint, token_program)
}

/// The associated token program's `CreateIdempotent`: a no-op if the account exists.
pub fn create_associated_token_account(
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
        payer,
        owner,
        mint,
        token_program,
    )
}

/// Decimals of a mint account of either token program.
pub fn mint_decimals(account: &Account) -> Option<u8> {
    let is_token = account.owner == TOKEN_PROGRAM || account.owner == TOKEN_2022_PROGRAM;
    let mint = StateWithExtensions::<Mint>::unpack(&account.data).ok().filter(|_| is_token)?;
    Some(mint.base.decimals)
}

/// The freeze authority of a mint account of either token program (`Some(None)`: a mint without
/// one; `None`: not a mint). Whoever holds it can freeze the pool's vault, stopping every claim and
/// crank: a trust assumption of classic mints such as USDC (SECURITY.md).
pub fn mint_freeze_authority(account: &Account) -> Option<Option<Pubkey>> {
    let is_token = account.owner == TOKEN_PROGRAM || account.owner == TOKEN_2022_PROGRAM;
    let mint = StateWithExtensions::<Mint>::unpack(&account.data).ok().filter(|_| is_token)?;
    Some(Option::from(mint.base.freeze_authority))
}

/// The balance of a token account of either token program (`None`: not a token account).
pub fn token_balance(account: &Account) -> Option<u64> {
    let is_token = account.owner == TOKEN_PROGRAM || account.owner == TOKEN_2022_PROGRAM;
    let state = StateWithExtensions::<TokenAccount>::unpack(&account.data).ok().filter(|_| is_token)?;
    Some(state.base.amount)
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
