//! Spam paid by others: `register_contribution` + `retire_contribution` + `close_contribution` in
//! one transaction uses a ledger slot for good (entry indices only grow), and used to cost only
//! fees while the next honest registrant paid the next page (about 1,190 : 1). A closed
//! contribution now leaves its slot's share of a page in the pool's page fund, and whoever opens
//! the next page is paid back from it: burning a page's slots pays for the next page.
use solana_signer::Signer;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::events::{ContributionClosed, LedgerPageOpened};
use tributary::state::{Contribution, ContributionKind, LedgerPage, Pool};
use tributary_sdk::instructions::{self as ix, ContributionRef};
use tributary_sdk::pda;
use tributary_tests::{events, fixtures::content_hash, fixtures::PoolFixture, Env, TOKEN_PROGRAM};

const FEE_PER_SIGNATURE: u64 = 5_000;
/// SIMD-0437's steps, from the rent before it to its end.
const RENT_STEPS: [u64; 6] = [6_960, 6_333, 5_080, 2_575, 1_322, 696];
const URI: &str = "ipfs://x";

/// Burn a whole page of slots at each rent step; then an honest registrant opens the next page and
/// registers. What the spam makes the honest registrant pay beyond their own contribution's rent
/// and fee is zero, and never more than the spammer paid.
#[test]
fn burning_a_page_of_slots_pays_for_the_next_page_at_every_rent_step() {
    for lamports_per_byte in RENT_STEPS {
        let mut env = Env::new();
        env.set_rent_per_byte(lamports_per_byte);
        let f = PoolFixture::create(&mut env, &TOKEN_PROGRAM, 0, 0);
        f.open_page(&mut env); // the operator's page 0
        let page_rent = env.rent(LedgerPage::SPACE);
        let contribution_rent = env.rent(Contribution::space(URI.len()));

        let spammer = env.new_funded_keypair();
        let destination = env.create_token_account(&f.keys.mint, &spammer.pubkey());
        let spammer_before = env.lamports(&spammer.pubkey());
        for entry in 0..ENTRIES_PER_PAGE {
            let hash = content_hash(1_000 + u64::from(entry));
            let contribution = ContributionRef { address: pda::contribution(&f.keys.pool, &hash).0, entry };
            let sent = env
                .send_paid_by(
                    &spammer,
                    &[
                        ix::register_contribution(
                            &spammer.pubkey(),
                            &f.keys,
                            entry,
                            &destination,
                            hash,
                            ContributionKind::Other,
                            URI.into(),
                        ),
                        ix::retire_contribution(&spammer.pubkey(), &f.keys, &contribution),
                        ix::close_contribution(&spammer.pubkey(), &f.keys, &contribution),
                    ],
                    &[],
                )
                .expect("register, retire and close in one transaction");
            let closed = events::<ContributionClosed>(&sent.logs);
            assert_eq!(closed.len(), 1);
            assert_eq!(closed[0].slot_share, LedgerPage::slot_share(page_rent), "rent {lamports_per_byte}");
        }
        let spammer_paid = spammer_before - env.lamports(&spammer.pubkey());
        let fees = u64::from(ENTRIES_PER_PAGE) * FEE_PER_SIGNATURE;
        assert_eq!(spammer_paid, fees + u64::from(ENTRIES_PER_PAGE) * LedgerPage::slot_share(page_rent));
        let pool = env.pool(&f.keys.pool);
        assert_eq!(pool.page_fund, u64::from(ENTRIES_PER_PAGE) * LedgerPage::slot_share(page_rent));
        assert!(pool.page_fund >= page_rent, "a page of burnt slots pays a whole page");
        assert_eq!(env.lamports(&f.keys.pool), env.rent(Pool::SPACE) + pool.page_fund, "the fund is in the pool");
        assert_eq!(env.page(&f.keys.page(0)).live_entries, 0);

        // the next honest registrant finds page 0 full of burnt slots, opens page 1 and registers
        let honest = env.new_funded_keypair();
        let honest_destination = env.create_token_account(&f.keys.mint, &honest.pubkey());
        let honest_before = env.lamports(&honest.pubkey());
        let sent = env
            .send_paid_by(
                &honest,
                &[
                    ix::open_ledger_page(&honest.pubkey(), &f.keys, 1),
                    ix::register_contribution(
                        &honest.pubkey(),
                        &f.keys,
                        ENTRIES_PER_PAGE,
                        &honest_destination,
                        content_hash(1),
                        ContributionKind::Dataset,
                        URI.into(),
                    ),
                ],
                &[],
            )
            .expect("open page 1 and register");
        let honest_paid = honest_before - env.lamports(&honest.pubkey());
        let imposed = honest_paid - contribution_rent - FEE_PER_SIGNATURE;
        assert_eq!(imposed, 0, "rent {lamports_per_byte}: the spam cost the honest registrant nothing");
        assert!(imposed <= spammer_paid);
        assert_eq!(events::<LedgerPageOpened>(&sent.logs)[0].pool_funded, page_rent);
        let page = env.page(&f.keys.page(1));
        assert_eq!((page.payer, page.pool_funded, page.live_entries), (honest.pubkey(), page_rent, 1));
        let pool = env.pool(&f.keys.pool);
        assert_eq!(pool.page_fund, u64::from(ENTRIES_PER_PAGE) * LedgerPage::slot_share(page_rent) - page_rent);
        assert_eq!(env.lamports(&f.keys.pool), env.rent(Pool::SPACE) + pool.page_fund);
        println!(
            "rent {lamports_per_byte} lamports/byte: page {page_rent}, spammer paid {spammer_paid} for 84 slots, \
             imposed on the next registrant {imposed}"
        );
    }
}
