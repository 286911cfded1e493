//! The bot's lookup tables are provably its own (their first address is its marker, written in the
//! transaction that creates them): another application's table owned by the same key is never
//! extended, adopted after a restart, deactivated or closed.
use super::cranker;
use crate::world::{keypair, World};
use anchor_lang::prelude::Pubkey;
use solana_address_lookup_table_interface::instruction::{create_lookup_table, extend_lookup_table};
use solana_signer::Signer;
use tributary_crank::chain::Chain;
use tributary_crank::crank::{CrankOptions, Cranker};
use tributary_crank::lookup::{self, marker, OwnedTable};
use tributary_crank::tx::{self, Format, SendOptions};

fn table(world: &mut World, authority: &Pubkey, key: &Pubkey) -> OwnedTable {
    lookup::owned_tables(&mut world.chain, authority)
        .expect("tables")
        .into_iter()
        .find(|t| t.key == *key)
        .expect("the table is there")
}

#[test]
fn a_foreign_table_owned_by_the_same_key_is_never_extended_adopted_or_reclaimed() {
    let mut world = World::new(1);
    world.register(30);
    world.set_weights(&(0..30).map(|e| (e, 1)).collect::<Vec<_>>());
    world.deposit(30_000);
    // tables are v0's: a cluster without v1 transactions
    let v0 = CrankOptions { format: Some(Format::V0), ..CrankOptions::default() };
    let mut bot = cranker(&mut world);
    bot.opts = v0;
    let key = bot.payer.pubkey();
    // another application's table under the same key, with room to spare
    let theirs: Vec<Pubkey> = (0..3).map(|i| Pubkey::new_from_array([0xF0 + i; 32])).collect();
    let slot = world.chain.recent_slot().expect("slot");
    let (create, foreign) = create_lookup_table(key, key, slot);
    let extend = extend_lookup_table(foreign, key, Some(key), theirs.clone());
    tx::submit(&mut world.chain, bot.payer.as_ref(), &[], &[create, extend], &[], SendOptions::default())
        .expect("a foreign table");

    let report = bot.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!(report.payouts, 30, "{report:?}");
    assert!(report.lookup_addresses_added >= 30, "{report:?}");
    let untouched = table(&mut world, &key, &foreign);
    assert_eq!((untouched.addresses, untouched.deactivation_slot), (theirs.clone(), None), "not extended");
    let ours = lookup::crank_tables(&mut world.chain, &key).expect("tables");
    assert!(!ours.is_empty() && ours.iter().all(|t| t.addresses[0] == marker(&key) && t.key != foreign));

    // a restarted bot finds its own tables again (nothing to add) and still not the foreign one
    world.deposit(30_000);
    let mut restarted = Cranker::new(keypair(0xA3, 0), v0); // `cranker`'s key
    let again = restarted.round(&mut world.chain, &world.keys.pool).expect("round");
    assert_eq!((again.payouts, again.lookup_addresses_added), (30, 0), "{again:?}");
    assert_eq!(table(&mut world, &key, &foreign).addresses, theirs, "not adopted");

    let reclaimed = lookup::reclaim(&mut world.chain, bot.payer.as_ref()).expect("reclaim");
    assert_eq!(reclaimed.deactivated.len(), ours.len(), "{reclaimed:?}");
    assert!(!reclaimed.deactivated.contains(&foreign.to_string()));
    assert_eq!(table(&mut world, &key, &foreign).deactivation_slot, None, "the foreign table is still active");
}
