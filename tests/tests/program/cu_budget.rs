//! Compute units are deterministic: every instruction is held to a budget so a regression fails CI.
use tributary_tests::{cu, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

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
        "set_destination" | "retire_contribution" | "close_contribution" => 7_000,
        _ => 4_000, // the authority's configuration instructions
    }
}

/// Per-payout budgets of the crank at 20 payouts (issue #4 tightens them).
fn crank_budget_per_payout(name: &str, token_2022: bool) -> u64 {
    match (name, token_2022) {
        ("crank (p-token batch)", _) => 1_400,
        ("crank (transfer_checked)", false) => 2_600,
        _ => 4_600,
    }
}

#[test]
fn every_instruction_within_budget() {
    let mut rows = cu::measure(&TOKEN_PROGRAM);
    rows.extend(cu::measure(&TOKEN_2022_PROGRAM));
    println!("{}", cu::table(&rows));
    for (name, tp, n, cu) in rows {
        let t22 = tp == "Token-2022";
        assert!(cu > 0, "{name} reported no compute units");
        if name.starts_with("crank") {
            if n == 20 {
                assert!(cu / 20 <= crank_budget_per_payout(name, t22), "{name} on {tp}: {} CU per payout", cu / 20);
            }
        } else {
            assert!(cu <= budget(name, t22), "{name} on {tp}: {cu} CU over budget {}", budget(name, t22));
        }
    }
}
