//! Every event of a crank survives the runtime's 10,000-byte log limit at the transaction limit,
//! on all three payout paths: the program settles and checks every entry and emits the skips and
//! the batch summary before its first transfer, so the transfers' own log lines can only be cut
//! after them. Each event is checked against the balance changes it reports.
use tributary::events::{CrankBatch, PayoutSkipped};
use tributary::state::SkipReason;
use tributary_sdk::instructions::CrankMode;
use tributary_tests::{bench, events, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

#[test]
fn every_event_survives_the_log_limit_on_every_path() {
    for (token_program, mode, payouts, path) in [
        (TOKEN_PROGRAM, CrankMode::Batch, 56, "batch"),
        (TOKEN_PROGRAM, CrankMode::PerTransfer, 55, "per transfer"),
        (TOKEN_2022_PROGRAM, CrankMode::PerTransfer, 55, "token-2022"),
        (TOKEN_2022_PROGRAM, CrankMode::Batch, 55, "token-2022 batch"),
    ] {
        // skips at the start, the middle and the very end of the batch
        let frozen = [0, payouts / 2, payouts - 2, payouts - 1];
        let crank = bench::crank_with_runtime_logs(&token_program, mode, payouts, &frozen);
        if mode == CrankMode::PerTransfer {
            // the test is at the limit: the transfers' own lines were cut
            assert!(crank.logs.iter().any(|l| l == "Log truncated"), "{path}: logs were not cut");
        }
        let batches: Vec<CrankBatch> = events(&crank.logs);
        assert_eq!(batches.len(), 1, "{path}: the CrankBatch event is in the logs");
        let batch = &batches[0];
        let paid: Vec<&(u32, u64)> = crank.received.iter().filter(|(_, amount)| *amount > 0).collect();
        assert_eq!(batch.entries as usize, payouts, "{path}");
        assert_eq!(batch.paid as usize, paid.len(), "{path}: paid = destinations whose balance rose");
        assert_eq!(batch.paid as usize, payouts - frozen.len(), "{path}");
        assert_eq!(batch.amount, paid.iter().map(|(_, a)| a).sum::<u64>(), "{path}: amount = what arrived");
        assert_eq!(batch.reward, crank.reward_received, "{path}: reward = what the cranker received");
        let skipped: Vec<PayoutSkipped> = events(&crank.logs);
        let skipped_entries: Vec<u32> = skipped.iter().map(|s| s.entry).collect();
        let unpaid: Vec<u32> = crank.received.iter().filter(|(_, a)| *a == 0).map(|(e, _)| *e).collect();
        assert_eq!(skipped_entries, unpaid, "{path}: one PayoutSkipped per destination that received nothing");
        assert!(skipped.iter().all(|s| s.reason == SkipReason::Frozen && s.owed > 0), "{path}");
    }
}
