//! Token-2022 mints: every hostile extension is refused at pool creation with a named error and
//! nothing created; harmless ones are accepted. A mint that can be closed is refused: it could be
//! re-created at the same address with any hostile extension after the pool exists.
use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022::{
    extension::{
        confidential_transfer, default_account_state, metadata_pointer, pausable, transfer_hook, ExtensionType,
    },
    instruction as token_ix,
    state::AccountState,
};
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary_sdk::instructions::{self as ix, PoolKeys};
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_2022_PROGRAM};

type Init = fn(&Pubkey, &Pubkey) -> Vec<anchor_lang::solana_program::instruction::Instruction>;

fn cases() -> Vec<(&'static str, ExtensionType, Init, bool)> {
    const T: &Pubkey = &TOKEN_2022_PROGRAM;
    vec![
        (
            "permanent delegate",
            ExtensionType::PermanentDelegate,
            |m, a| vec![token_ix::initialize_permanent_delegate(T, m, a).unwrap()],
            false,
        ),
        (
            "non-transferable",
            ExtensionType::NonTransferable,
            |m, _| vec![token_ix::initialize_non_transferable_mint(T, m).unwrap()],
            false,
        ),
        (
            "transfer hook",
            ExtensionType::TransferHook,
            |m, a| vec![transfer_hook::instruction::initialize(T, m, Some(*a), None).unwrap()],
            false,
        ),
        (
            "default frozen",
            ExtensionType::DefaultAccountState,
            |m, _| {
                vec![default_account_state::instruction::initialize_default_account_state(T, m, &AccountState::Frozen)
                    .unwrap()]
            },
            false,
        ),
        (
            "confidential transfers",
            ExtensionType::ConfidentialTransferMint,
            |m, a| vec![confidential_transfer::instruction::initialize_mint(T, m, Some(*a), true, None).unwrap()],
            false,
        ),
        ("pausable", ExtensionType::Pausable, |m, a| vec![pausable::instruction::initialize(T, m, a).unwrap()], false),
        (
            "default initialized",
            ExtensionType::DefaultAccountState,
            |m, _| {
                vec![default_account_state::instruction::initialize_default_account_state(
                    T,
                    m,
                    &AccountState::Initialized,
                )
                .unwrap()]
            },
            true,
        ),
        (
            "mint close authority with no authority",
            ExtensionType::MintCloseAuthority,
            |m, _| vec![token_ix::initialize_mint_close_authority(T, m, None).unwrap()],
            true,
        ),
        (
            "metadata pointer",
            ExtensionType::MetadataPointer,
            |m, a| vec![metadata_pointer::instruction::initialize(T, m, Some(*a), Some(*m)).unwrap()],
            true,
        ),
    ]
}

#[test]
fn hostile_extensions_are_refused_and_harmless_ones_accepted() {
    for (name, extension, init, accepted) in cases() {
        let mut env = Env::new();
        let authority = env.payer.pubkey();
        let mint = env.create_mint_with(&TOKEN_2022_PROGRAM, 6, &[extension], |m| init(m, &authority));
        let creator = env.new_funded_keypair();
        let keys = PoolKeys::new(&creator.pubkey(), 1, mint, TOKEN_2022_PROGRAM);
        let create = [ix::create_pool(&creator.pubkey(), &keys, PoolFixture::args(1, creator.pubkey(), 0, 0))];
        if accepted {
            env.ok(&create, &[&creator]);
            assert!(env.exists(&keys.vault), "{name}: vault created");
        } else {
            env.expect_error(&create, &[&creator], TributaryError::UnsupportedMintExtension, &[keys.pool, keys.vault]);
            assert!(!env.exists(&keys.pool), "{name}: no pool");
        }
    }
}

/// A close authority lets the issuer close the mint while its supply is zero and re-create it at
/// the same address with a permanent delegate (which could empty the vault), pausing, a transfer
/// hook, fees or other decimals — after the allowlist was checked. Such a mint is refused.
#[test]
fn a_mint_with_a_close_authority_is_refused() {
    let mut env = Env::new();
    let authority = env.payer.pubkey();
    let mint = env.create_mint_with(&TOKEN_2022_PROGRAM, 6, &[ExtensionType::MintCloseAuthority], |m| {
        vec![token_ix::initialize_mint_close_authority(&TOKEN_2022_PROGRAM, m, Some(&authority)).unwrap()]
    });
    let creator = env.new_funded_keypair();
    let keys = PoolKeys::new(&creator.pubkey(), 1, mint, TOKEN_2022_PROGRAM);
    let create = [ix::create_pool(&creator.pubkey(), &keys, PoolFixture::args(1, creator.pubkey(), 0, 0))];
    env.expect_error(&create, &[&creator], TributaryError::MintCloseAuthoritySet, &[keys.pool, keys.vault]);
    assert!(!env.exists(&keys.pool) && !env.exists(&keys.vault), "nothing created");
}
