use anchor_spl::token_2022::spl_token_2022::extension::{
    transfer_fee::instruction::initialize_transfer_fee_config, ExtensionType,
};
use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary::events::PoolCreated;
use tributary_sdk::instructions::{self as ix, PoolKeys};
use tributary_sdk::pda;
use tributary_tests::{events, fixtures::PoolFixture, program_cu, Env, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

#[test]
fn creates_pool_pda_and_vault_owned_by_it() {
    for token_program in [TOKEN_PROGRAM, TOKEN_2022_PROGRAM] {
        let mut env = Env::new();
        let mint = env.create_mint(&token_program, 9);
        let creator = env.new_funded_keypair();
        let keys = PoolKeys::new(&creator.pubkey(), 42, mint, token_program);
        let sent = env.ok(
            &[ix::create_pool(&creator.pubkey(), &keys, PoolFixture::args(42, creator.pubkey(), 100, 5))],
            &[&creator],
        );
        println!("create_pool on {token_program}: {} CU", program_cu(&sent.logs));

        let pool = env.pool(&keys.pool);
        let (address, bump) = pda::pool(&creator.pubkey(), 42);
        assert_eq!(address, keys.pool);
        assert_eq!(pool.bump, bump, "canonical bump stored");
        assert_eq!(
            (pool.authority, pool.attestor, pool.mint, pool.token_program),
            (creator.pubkey(), creator.pubkey(), mint, token_program)
        );
        assert_eq!((pool.cranker_reward_bps, pool.min_payout, pool.decimals, pool.is_paused()), (100, 5, 9, false));
        assert_eq!(pool.vault, pda::vault(&keys.pool).0);

        let vault = env.account(&keys.vault).expect("vault");
        assert_eq!(vault.owner, token_program);
        assert_eq!(&vault.data[0..32], mint.as_ref(), "vault mint");
        assert_eq!(&vault.data[32..64], keys.pool.as_ref(), "vault owned by the pool PDA");
        assert_eq!(env.balance(&keys.vault), 0);

        let created: Vec<PoolCreated> = events(&sent.logs);
        assert_eq!(created.len(), 1);
        assert_eq!((created[0].pool, created[0].vault, created[0].pool_id), (keys.pool, keys.vault, 42));
    }
}

#[test]
fn refuses_cranker_reward_above_one_percent() {
    let mut env = Env::new();
    let mint = env.create_mint(&TOKEN_PROGRAM, 6);
    let creator = env.new_funded_keypair();
    let keys = PoolKeys::new(&creator.pubkey(), 1, mint, TOKEN_PROGRAM);
    let ixs = [ix::create_pool(&creator.pubkey(), &keys, PoolFixture::args(1, creator.pubkey(), 101, 0))];
    env.expect_error(
        &ixs,
        &[&creator],
        TributaryError::CrankerRewardTooHigh,
        &[keys.pool, keys.vault, creator.pubkey()],
    );
    assert!(!env.exists(&keys.pool) && !env.exists(&keys.vault));
}

#[test]
fn refuses_token_2022_mint_with_transfer_fee() {
    let mut env = Env::new();
    let payer = env.payer.insecure_clone();
    let mint = env.create_mint_with(&TOKEN_2022_PROGRAM, 6, &[ExtensionType::TransferFeeConfig], |mint| {
        vec![initialize_transfer_fee_config(
            &TOKEN_2022_PROGRAM,
            mint,
            Some(&payer.pubkey()),
            Some(&payer.pubkey()),
            50,
            1_000,
        )
        .expect("ix")]
    });
    let creator = env.new_funded_keypair();
    let keys = PoolKeys::new(&creator.pubkey(), 1, mint, TOKEN_2022_PROGRAM);
    let ixs = [ix::create_pool(&creator.pubkey(), &keys, PoolFixture::args(1, creator.pubkey(), 0, 0))];
    env.expect_error(&ixs, &[&creator], TributaryError::UnsupportedMintExtension, &[keys.pool, keys.vault]);
}

#[test]
fn refuses_a_second_pool_with_the_same_id() {
    let mut env = Env::new();
    let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let ixs =
        [ix::create_pool(&f.authority.pubkey(), &f.keys, PoolFixture::args(f.pool_id, f.authority.pubkey(), 0, 0))];
    let before = env.pool(&f.keys.pool);
    env.expect_failure(&ixs, &[&f.authority], &[f.keys.pool, f.keys.vault], |fail| {
        assert!(fail.logs.iter().any(|l| l.contains("already in use")), "{:?}", fail.logs);
    });
    assert_eq!(env.pool(&f.keys.pool).pool_id, before.pool_id);
}
