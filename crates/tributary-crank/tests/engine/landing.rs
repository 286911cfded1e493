//! Nothing lands twice: a transaction whose status is late is never followed by a second copy
//! while the first can still land, and a round that stops on an error has waited for, and counted,
//! everything it sent.
use super::{cranker, Hooked};
use crate::world::World;
use std::time::Duration;
use tributary_crank::chain::{Chain, ChainError, Status};
use tributary_crank::tx::{self, SendOptions};
use tributary_sdk::instructions as ix;

fn quick(confirm_timeout: Duration) -> SendOptions {
    SendOptions { poll: Duration::from_millis(1), confirm_timeout, ..SendOptions::default() }
}

/// Before: `submit` gave up on a transaction after the confirmation timeout and signed a new one
/// while the first could still land; a deposit from the CLI was paid twice on a slow node.
#[test]
fn a_deposit_whose_status_lags_past_the_timeout_lands_once_and_the_error_names_it() {
    let mut world = World::new(1);
    world.register(1);
    world.set_weights(&[(0, 1)]);
    let (operator, keys, from) = (world.operator.insecure_clone(), world.keys, world.operator_token);
    let vault_before = world.balance(&keys.vault);
    let deposit = ix::deposit(&solana_signer::Signer::pubkey(&operator), &keys, &from, 1_000);

    // the node answers "not seen" for longer than the wait; the deposit executed all the same
    let mut node = Hooked::new(&mut world.chain);
    node.lagging_statuses = usize::MAX;
    let error =
        tx::submit(&mut node, &operator, &[], std::slice::from_ref(&deposit), &[], quick(Duration::from_millis(30)))
            .expect_err("unconfirmed in time");
    let ChainError::Unconfirmed { signature, last_valid } = error.clone() else {
        panic!("a timeout names the transaction in flight: {error}")
    };
    assert!(error.to_string().contains(&signature.to_string()), "{error}");
    assert!(last_valid >= node.block_height().expect("height"), "it could still land");
    assert_eq!(node.inner.statuses(&[signature]).expect("status"), vec![Status::Confirmed], "it did land");
    assert_eq!(node.sends, 1, "nothing was signed and sent a second time");
    drop(node);
    assert_eq!(world.balance(&keys.vault), vault_before + 1_000, "paid in once");

    // statuses late, but within the wait: confirmed, once
    let mut node = Hooked::new(&mut world.chain);
    node.lagging_statuses = 5;
    let landed =
        tx::submit(&mut node, &operator, &[], &[deposit], &[], quick(Duration::from_secs(60))).expect("landed");
    assert_eq!(node.sends, 1);
    assert_eq!(node.inner.statuses(&[landed.signature]).expect("status"), vec![Status::Confirmed]);
    drop(node);
    assert_eq!(world.balance(&keys.vault), vault_before + 2_000, "the second deposit, once");
}

/// Before: an error after the first sends (the node went away mid-round) returned at once; the
/// transactions already sent were neither waited for nor counted in the report or the metrics.
#[test]
fn a_round_that_fails_midway_reports_every_payout_that_landed() {
    let mut world = World::new(1);
    world.register(100);
    world.set_weights(&(0..100).map(|e| (e, 1)).collect::<Vec<_>>());
    world.deposit(100_000);
    // without lookup tables, so the first transaction sent is a crank (about 20 payouts)
    let mut bot = cranker(&mut world);
    bot.opts.lookup_tables = false;
    let pool = world.keys.pool;
    let mut node = Hooked::new(&mut world.chain);
    node.fail_after_sends = Some(1); // the first transaction goes out, then every read fails
    let failed = bot.round(&mut node, &pool).expect_err("the node went away");
    assert!(matches!(failed.error, ChainError::Transient(_)), "{}", failed.error);
    let report = failed.report;
    assert_eq!((report.transactions, report.confirmed), (1, 1), "{report:?}");
    assert!(report.payouts > 1, "{report:?}");
    drop(node);
    let destinations: Vec<_> = world.members.iter().map(|m| m.destination).collect();
    let paid: u64 = destinations.iter().map(|d| world.balance(d)).sum();
    assert_eq!(paid, report.amount, "the report counts exactly what arrived");
    assert_eq!(paid, report.payouts as u64 * 1_000);
}
