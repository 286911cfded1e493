//! A batch that passes simulation and fails on chain (a contributor changed its payout account
//! between the bot's simulation and the transaction's execution): before, the bot counted it
//! failed and sent the same batch again next round; now it reads the entries again and sends them
//! again in the same round, halving, and quarantines an entry that fails on chain alone.
use super::{cranker, destination_mover, world_with_spare_accounts, Hooked};
use crate::world::World;
use anchor_lang::prelude::Pubkey;
use tributary_crank::crank::{load_view, RoundReport};

const N: usize = 40;
const RACER: usize = 17;

/// One round on a node that skips preflight while the racer moves its payout account before
/// sends naming it, at most `moves` times: the world after it, the racer's accounts, the round's
/// report and the moves made.
fn round_racing_on_chain(moves: usize) -> (World, Vec<Pubkey>, RoundReport, usize) {
    let (mut world, accounts) = world_with_spare_accounts(N, RACER, moves);
    let (hook, made) = destination_mover(&world, RACER, accounts.clone(), moves);
    let mut bot = cranker(&mut world);
    let pool = world.keys.pool;
    let mut node = Hooked::new(&mut world.chain);
    node.skip_preflight = true;
    node.before_send = Some(hook);
    let report = bot.round(&mut node, &pool).expect("round");
    drop(node);
    let made = made.get();
    (world, accounts, report, made)
}

#[test]
fn a_batch_failing_on_chain_after_a_destination_change_is_read_again_and_paid_in_the_same_round() {
    let (mut world, accounts, report, moves) = round_racing_on_chain(1);
    let pool = world.keys.pool;
    assert_eq!(moves, 1);
    assert!(report.failed_on_chain >= 1, "the batch failed on chain: {report:?}");
    assert_eq!((report.due, report.payouts, report.quarantined.len()), (N, N, 0), "{report:?}");
    assert_eq!(world.balance(&accounts[1]), 1_000, "the racer is paid at its new account, in the same round");
    assert_eq!(world.balance(&accounts[0]), 0);
    let view = load_view(&mut world.chain, &pool).expect("view");
    assert_eq!(view.total_owed().expect("owed"), 0, "nothing left owed");
}

#[test]
fn an_entry_failing_on_chain_every_time_is_halved_out_and_quarantined_while_the_rest_are_paid() {
    const MOVES: usize = 16;
    let (mut world, accounts, report, moves) = round_racing_on_chain(MOVES);
    let pool = world.keys.pool;
    assert!((2..MOVES).contains(&moves), "{moves} moves");
    assert_eq!(report.payouts, N - 1, "{report:?}");
    assert_eq!(report.quarantined.len(), 1, "{report:?}");
    assert_eq!(report.quarantined[0].entry, RACER as u32);
    assert!(report.quarantined[0].reason.contains("on chain"), "{}", report.quarantined[0].reason);
    let others: Vec<Pubkey> =
        world.members.iter().enumerate().filter(|(m, _)| *m != RACER).map(|(_, m)| m.destination).collect();
    assert!(others.iter().all(|d| world.balance(d) == 1_000), "everyone else paid once");
    let racer_paid: u64 = accounts.iter().map(|a| world.balance(a)).sum();
    assert_eq!(racer_paid, 0, "the racer, never still long enough, is owed still, not lost");
    let view = load_view(&mut world.chain, &pool).expect("view");
    assert_eq!(view.total_owed().expect("owed"), 1_000);
}
