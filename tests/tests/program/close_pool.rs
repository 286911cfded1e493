use solana_signer::Signer;
use tributary::errors::TributaryError;
use tributary_sdk::instructions as ix;
use tributary_tests::{fixtures::PoolFixture, Env, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

#[test]
fn closes_an_empty_pool_sweeping_dust_and_returning_rent() {
    for token_program in [TOKEN_PROGRAM, TOKEN_2022_PROGRAM] {
        let mut env = Env::new();
        let mut f = PoolFixture::create(&mut env, &token_program, 0, 0);
        f.register_many(&mut env, 3);
        f.set_weights(&mut env, &[(0, 1), (1, 1), (2, 1)]);
        f.deposit(&mut env, 100); // 33 each, 1 unit of dust in carry/frac
        let auth = f.authority.insecure_clone();
        let payer = env.payer.pubkey();
        let sink = env.create_token_account(&f.keys.mint, &auth.pubkey());
        let watch = [f.keys.pool, f.keys.vault, sink];
        env.expect_error(
            &[ix::close_pool(&auth.pubkey(), &f.keys, &sink)],
            &[&auth],
            TributaryError::PoolNotEmpty,
            &watch,
        );
        for m in &f.members {
            let w = m.wallet.insecure_clone();
            env.ok(&[ix::claim(&w.pubkey(), &f.keys, &m.contribution, &m.destination)], &[&w]);
            env.ok(&[ix::retire_contribution(&w.pubkey(), &f.keys, &m.contribution)], &[&w]);
            env.ok(&[ix::close_contribution(&w.pubkey(), &f.keys, &m.contribution)], &[&w]);
            assert_eq!(env.balance(&m.destination), 33);
        }
        env.expect_error(
            &[ix::close_pool(&auth.pubkey(), &f.keys, &sink)],
            &[&auth],
            TributaryError::LedgerPagesOpen,
            &watch,
        );
        env.ok(&[ix::close_ledger_page(&auth.pubkey(), &f.keys, 0, &payer)], &[&auth]);
        let stranger = env.new_funded_keypair();
        env.expect_error(
            &[ix::close_pool(&stranger.pubkey(), &f.keys, &sink)],
            &[&stranger],
            TributaryError::NotAuthority,
            &watch,
        );
        let lamports = env.account(&f.keys.pool).unwrap().lamports + env.account(&f.keys.vault).unwrap().lamports;
        let before = env.account(&auth.pubkey()).unwrap().lamports;
        env.ok(&[ix::close_pool(&auth.pubkey(), &f.keys, &sink)], &[&auth]);
        assert_eq!(env.balance(&sink), 1, "the one unit of dust swept");
        assert!(!env.exists(&f.keys.pool) && !env.exists(&f.keys.vault));
        assert_eq!(
            env.account(&auth.pubkey()).unwrap().lamports,
            before + lamports,
            "rent back (fees are paid by the env payer)"
        );
    }
}
