//! Compute units are deterministic: every instruction, and the crank at the transaction limit, is
//! held to a budget so that a regression fails CI. (BENCHMARKS.md has the full figures.)
use tributary_sdk::instructions::CrankMode;
use tributary_tests::{bench, cu, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

fn budget(name: &str, token_2022: bool) -> u64 {
    let t22 = if token_2022 { 4_000 } else { 0 };
    match name {
        // these derive PDAs by bump search (~1,500 CU per try): budgets allow a few tries
        "create_pool" => 24_000,
        "open_ledger_page" => 14_000,
        "register_contribution" => 20_000 + t22,
        "set_weights (20 entries)" => 10_000,
        "deposit" | "attribute_usage (2 entries)" => 12_000 + t22,
        "claim" => 12_000 + t22,
        "close_pool" => 10_000,
        "close_ledger_page" => 6_000,
        "set_destination" | "retire_contribution" | "close_contribution" => 7_000,
        _ => 4_000, // the authority's configuration instructions
    }
}

#[test]
fn every_instruction_within_budget() {
    let mut rows = cu::measure(&TOKEN_PROGRAM);
    rows.extend(cu::measure(&TOKEN_2022_PROGRAM));
    println!("{}", cu::table(&rows));
    for (name, tp, _, cu) in rows.into_iter().filter(|(name, ..)| !name.starts_with("crank")) {
        let t22 = tp == "Token-2022";
        assert!(cu > 0, "{name} reported no compute units");
        assert!(cu <= budget(name, t22), "{name} on {tp}: {cu} CU over budget {}", budget(name, t22));
    }
}

/// The crank at the 64-account limit: payouts per transaction, CU per payout all-in (transaction
/// CU ÷ payouts), and base fee per payout.
#[test]
fn crank_at_the_transaction_limit() {
    for (token_program, mode, path, min_payouts, max_cu_per_payout) in [
        // measured with the zero-copy pool and its invariant checked on the fast route (580, 1,475,
        // 3,340); the per-payout figures rose to 582, 1,476 and 3,342 with Token-2022's `batch` beside them (a
        // fixed ~120 CU a crank, not per payout: the entrypoint's inlined body grew)
        (TOKEN_PROGRAM, CrankMode::Batch, "batch", 56, 582),
        (TOKEN_PROGRAM, CrankMode::PerTransfer, "per transfer", 55, 1_476),
        (TOKEN_2022_PROGRAM, CrankMode::PerTransfer, "token-2022", 55, 3_342),
        // 55 at v0's 64 accounts (the mint is one of them); 56 on v1 (crank engine test)
        (TOKEN_2022_PROGRAM, CrankMode::Batch, "token-2022 batch", 55, 2_500),
    ] {
        let fit = bench::crank_at_limit(&token_program, mode, path, bench::Format::V0);
        println!(
            "{path}: {} payouts, {} CU/tx, {} CU/payout, {} bytes, {} accounts",
            fit.payouts,
            fit.cu_tx,
            fit.cu_per_payout(),
            fit.tx_bytes,
            fit.accounts
        );
        assert!(fit.payouts >= min_payouts, "{path}: only {} payouts fit", fit.payouts);
        assert!(fit.cu_per_payout() <= max_cu_per_payout, "{path}: {} CU per payout", fit.cu_per_payout());
        assert!(fit.base_fee <= 100 * fit.payouts as u64, "{path}: base fee per payout above 100 lamports");
        assert_eq!(fit.accounts, 64);
    }
}

/// v1 transactions name every account (no lookup table) and carry no compute-budget
/// instructions: more payouts per transaction, and no table rent.
#[test]
fn crank_at_the_v1_transaction_limit() {
    for (token_program, path, min_payouts, max_cu_per_payout) in
        [(TOKEN_PROGRAM, "batch, v1", 57, 582), (TOKEN_2022_PROGRAM, "token-2022 batch, v1", 56, 2_500)]
    {
        let fit = bench::crank_at_limit(&token_program, CrankMode::Batch, path, bench::Format::V1);
        println!(
            "{path}: {} payouts, {} CU/payout, {} bytes, {} accounts",
            fit.payouts,
            fit.cu_per_payout(),
            fit.tx_bytes,
            fit.accounts
        );
        assert!(fit.payouts >= min_payouts, "{path}: only {} payouts fit", fit.payouts);
        assert!(fit.cu_per_payout() <= max_cu_per_payout, "{path}: {} CU per payout", fit.cu_per_payout());
        assert_eq!(fit.accounts, 64);
    }
}

/// Deposits cost the same whatever the number of contributions.
#[test]
fn deposit_is_constant_in_contributions() {
    let small = bench::deposit_cu_at(10);
    let large = bench::deposit_cu_at(1_000);
    assert_eq!(small, large, "deposit CU at 10 vs 1,000 contributions");
    assert!(small <= 15_000);
}
