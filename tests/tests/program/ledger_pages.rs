//! open_ledger_page / close_ledger_page.
use anchor_lang::prelude::Pubkey;
use solana_signer::Signer;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::errors::TributaryError;
use tributary::events::{LedgerPageClosed, LedgerPageOpened};
use tributary::state::{ContributionKind, LedgerPage, Pool};
use tributary_sdk::instructions as ix;
use tributary_tests::{events, fixtures::PoolFixture, Env, TOKEN_PROGRAM};

#[test]
fn pages_open_in_order_and_fill_up() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    let payer = env.payer.pubkey();
    // page 1 before page 0: its PDA is not the next one
    env.expect_anchor_error(
        &[ix::open_ledger_page(&payer, &f.keys, 1)],
        &[],
        "ConstraintSeeds",
        &[f.keys.pool, f.keys.page(1)],
    );
    f.open_page(&mut env);
    let page = env.page(&f.keys.page(0));
    assert_eq!((page.pool, page.page, page.live_entries), (f.keys.pool, 0, 0));
    let account = env.account(&f.keys.page(0)).unwrap();
    assert_eq!(account.data.len(), LedgerPage::SPACE);
    assert_eq!(account.owner, tributary::ID);
    // the same page twice
    env.expect_anchor_error(
        &[ix::open_ledger_page(&payer, &f.keys, 0)],
        &[],
        "ConstraintSeeds",
        &[f.keys.pool, f.keys.page(0)],
    );

    f.register_many(&mut env, ENTRIES_PER_PAGE as usize);
    assert_eq!(env.page(&f.keys.page(0)).live_entries, ENTRIES_PER_PAGE);
    // page 0 is full and page 1 is not open
    let wallet = env.new_funded_keypair();
    let dest = env.create_token_account(&f.keys.mint, &wallet.pubkey());
    let next = ENTRIES_PER_PAGE;
    let reg = ix::register_contribution(
        &wallet.pubkey(),
        &f.keys,
        next,
        &dest,
        [0xEE; 32],
        ContributionKind::Other,
        "ipfs://x".into(),
    );
    let mut reg_page0 = reg.clone();
    reg_page0.accounts[2].pubkey = f.keys.page(0);
    env.expect_error(&[reg_page0], &[&wallet], TributaryError::LedgerFull, &[f.keys.pool, f.keys.page(0)]);
    f.register(&mut env); // opens page 1
    assert_eq!(env.pool(&f.keys.pool).ledger_pages, 2);
    assert_eq!(f.members.last().unwrap().contribution.entry, ENTRIES_PER_PAGE);
}

#[test]
fn closing_needs_an_empty_pool_and_the_last_page_and_refunds_its_payer() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.open_page(&mut env);
    // page 1 is opened (and paid for) by a third party
    let opener = env.new_funded_keypair();
    env.ok(&[ix::open_ledger_page(&opener.pubkey(), &f.keys, 1)], &[&opener]);
    assert_eq!(env.page(&f.keys.page(1)).payer, opener.pubkey());
    f.register(&mut env);
    let auth = f.authority.insecure_clone();
    let payer = env.payer.pubkey();
    let watch = [f.keys.pool, f.keys.page(0), f.keys.page(1), opener.pubkey()];
    let close = |page: u32, who: &Pubkey, refund: &Pubkey| ix::close_ledger_page(who, &f.keys, page, refund);
    env.expect_error(&[close(1, &auth.pubkey(), &opener.pubkey())], &[&auth], TributaryError::PoolNotEmpty, &watch);
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    env.ok(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]);
    env.ok(&[ix::close_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]);
    env.expect_error(&[close(0, &auth.pubkey(), &payer)], &[&auth], TributaryError::NotLastLedgerPage, &watch);
    let stranger = env.new_funded_keypair();
    env.expect_error(
        &[close(1, &stranger.pubkey(), &opener.pubkey())],
        &[&stranger],
        TributaryError::NotAuthority,
        &watch,
    );
    // the rent cannot be redirected
    env.expect_error(&[close(1, &auth.pubkey(), &auth.pubkey())], &[&auth], TributaryError::LedgerPageMismatch, &watch);

    let rent = env.account(&f.keys.page(1)).unwrap().lamports;
    let before = env.account(&opener.pubkey()).unwrap().lamports;
    env.ok(&[close(1, &auth.pubkey(), &opener.pubkey())], &[&auth]);
    assert_eq!(env.account(&opener.pubkey()).unwrap().lamports, before + rent, "rent back to whoever paid it");
    env.ok(&[close(0, &auth.pubkey(), &payer)], &[&auth]);
    assert!(!env.exists(&f.keys.page(1)) && !env.exists(&f.keys.page(0)));
    let p = env.pool(&f.keys.pool);
    assert_eq!((p.ledger_pages, p.entry_count), (0, 0));
}

/// Closed contributions fill the pool's page fund; an opener is paid back from it up to the page's
/// rent; a closed page gives the fund back what it paid and its opener the rest; a closed pool's
/// fund goes to its authority with the pool's own rent.
#[test]
fn the_page_fund_pays_openers_back_and_gets_back_what_it_paid() {
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.open_page(&mut env);
    f.register(&mut env);
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    env.ok(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]);
    env.ok(&[ix::close_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]);
    let page_rent = env.rent(LedgerPage::SPACE);
    let share = LedgerPage::slot_share(page_rent);
    assert_eq!(env.pool(&f.keys.pool).page_fund, share);

    // a fund smaller than a page pays back what it holds
    let opener = env.new_funded_keypair();
    let before = env.lamports(&opener.pubkey());
    let sent = env.ok(&[ix::open_ledger_page(&opener.pubkey(), &f.keys, 1)], &[&opener]);
    assert_eq!(before - env.lamports(&opener.pubkey()), page_rent - share, "the opener paid the rent less the fund");
    assert_eq!(events::<LedgerPageOpened>(&sent.logs)[0].pool_funded, share);
    assert_eq!(env.page(&f.keys.page(1)).pool_funded, share);
    assert_eq!(env.pool(&f.keys.pool).page_fund, 0);
    assert_eq!(env.lamports(&f.keys.pool), env.rent(Pool::SPACE), "the pool keeps its own rent");

    // the fund is empty: the next opener pays the whole page
    let second = env.new_funded_keypair();
    let before = env.lamports(&second.pubkey());
    env.ok(&[ix::open_ledger_page(&second.pubkey(), &f.keys, 2)], &[&second]);
    assert_eq!(before - env.lamports(&second.pubkey()), page_rent);
    assert_eq!(env.page(&f.keys.page(2)).pool_funded, 0);

    let auth = f.authority.insecure_clone();
    let close = |page: u32, refund: &Pubkey| ix::close_ledger_page(&auth.pubkey(), &f.keys, page, refund);
    let before = env.lamports(&second.pubkey());
    env.ok(&[close(2, &second.pubkey())], &[&auth]);
    assert_eq!(env.lamports(&second.pubkey()) - before, page_rent);
    let before = env.lamports(&opener.pubkey());
    let sent = env.ok(&[close(1, &opener.pubkey())], &[&auth]);
    assert_eq!(env.lamports(&opener.pubkey()) - before, page_rent - share, "the opener gets back what they paid");
    assert_eq!(events::<LedgerPageClosed>(&sent.logs)[0].to_page_fund, share);
    assert_eq!(env.pool(&f.keys.pool).page_fund, share, "the fund gets back what it paid");
    assert_eq!(env.lamports(&f.keys.pool), env.rent(Pool::SPACE) + share);
    env.ok(&[close(0, &env.payer.pubkey())], &[&auth]);

    let sink = env.create_token_account(&f.keys.mint, &auth.pubkey());
    let pool_lamports = env.lamports(&f.keys.pool);
    let vault_lamports = env.lamports(&f.keys.vault);
    let before = env.lamports(&auth.pubkey());
    env.ok(&[ix::close_pool(&auth.pubkey(), &f.keys, &sink)], &[&auth]);
    assert_eq!(env.lamports(&auth.pubkey()) - before, pool_lamports + vault_lamports, "fund and rent to the authority");
}

/// Opening a page never fails for the fund's sake and never pays back more than a page's rent:
/// were rent to rise (SIMD-0438 can reset it), the fund pays back only what the pool holds above
/// its own new rent; lamports someone sent to the page's address before it was opened are not
/// rent the fund owes anyone.
#[test]
fn the_page_fund_pays_back_at_most_a_page_and_never_blocks_an_opening() {
    let mut env = Env::new();
    env.set_rent_per_byte(5_080);
    let mut f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
    f.open_page(&mut env);
    f.register_many(&mut env, 2);
    for m in 0..2 {
        let (wallet, c) = (f.members[m].wallet.insecure_clone(), f.members[m].contribution);
        env.ok(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &c)], &[&wallet]);
        env.ok(&[ix::close_contribution(&wallet.pubkey(), &f.keys, &c)], &[&wallet]);
    }
    let fund = env.pool(&f.keys.pool).page_fund;
    assert_eq!(fund, 2 * LedgerPage::slot_share(env.rent(LedgerPage::SPACE)));

    // rent back at 6,960: the pool's own rent grew by more than the fund holds above it
    env.set_rent_per_byte(6_960);
    let above_rent = env.lamports(&f.keys.pool).saturating_sub(env.rent(Pool::SPACE));
    assert!(above_rent < fund, "the test needs the pool short of its fund above its new rent");
    // and someone sent lamports to page 1's address before it was opened
    let donor = env.new_funded_keypair();
    let gift = 5_000_000;
    env.ok(&[solana_system_interface::instruction::transfer(&donor.pubkey(), &f.keys.page(1), gift)], &[&donor]);
    let opener = env.new_funded_keypair();
    let before = env.lamports(&opener.pubkey());
    let sent = env.ok(&[ix::open_ledger_page(&opener.pubkey(), &f.keys, 1)], &[&opener]);
    let paid_back = events::<LedgerPageOpened>(&sent.logs)[0].pool_funded;
    assert_eq!(paid_back, above_rent, "the fund paid what the pool holds above its rent");
    assert_eq!(before - env.lamports(&opener.pubkey()), env.rent(LedgerPage::SPACE) - gift - paid_back);
    assert_eq!(env.pool(&f.keys.pool).page_fund, fund - paid_back);
    assert_eq!(env.lamports(&f.keys.pool), env.rent(Pool::SPACE), "the pool keeps its own rent");
}
