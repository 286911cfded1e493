//! Paying a usage fee through `attribute_usage` with shares derived from attribution scores.
//!
//! The program credits each named entry `floor(fee · share_bps / 10,000)` and takes shares in whole
//! basis points summing to exactly 10,000, at most `max_entries` entries of one ledger page per
//! instruction. So: the scores are summed per entry; the fee is split over the pages (and over
//! chunks of at most `max_entries` entries within a page) in proportion to their scores; within
//! each part the 10,000 bps are split in proportion to the scores; both splits by largest
//! remainder (ties to the lower entry), so every fee unit and every basis point is assigned. A part
//! whose fee rounds to 0 is left out (its entries' scores were too small for one base unit), and an
//! entry whose share rounds to 0 bps is left out of its part (the program refuses a zero share).
use crate::error::{AttestError, Result};
use crate::receipt::Receipt;
use crate::score::Score;
use crate::split::apportion;
use std::collections::BTreeMap;

pub const TOTAL_BPS: u16 = 10_000;

/// One `attribute_usage` instruction to send.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UsagePayment {
    pub page: u32,
    pub fee: u64,
    /// (entry, share in basis points), by entry; the shares sum to 10,000.
    pub shares: Vec<(u32, u16)>,
}

/// Each entry's summed score over `receipts` (one request, or a batch of them).
pub fn scores_of<'a>(receipts: impl IntoIterator<Item = &'a Receipt>) -> Result<BTreeMap<u32, Score>> {
    let mut scores = BTreeMap::new();
    for receipt in receipts {
        add_scores(&mut scores, receipt)
            .map_err(|entry| AttestError::Invalid(format!("entry {entry}: the sum of its scores overflows")))?;
    }
    Ok(scores)
}

/// Adds `receipt`'s scores to the per-entry `sums`: the one summing rule of reports, usage fees and
/// the CLI. `Err(entry)` when that entry's sum would overflow (nothing after it is added).
pub fn add_scores(sums: &mut BTreeMap<u32, Score>, receipt: &Receipt) -> std::result::Result<(), u32> {
    for u in &receipt.uses {
        let sum = sums.entry(u.entry).or_default();
        *sum = sum.checked_add(u.score).ok_or(u.entry)?;
    }
    Ok(())
}

/// The instructions that pay `fee` to the entries of `scores` in proportion to them.
pub fn plan(
    scores: &BTreeMap<u32, Score>,
    fee: u64,
    entries_per_page: u32,
    max_entries: usize,
) -> Result<Vec<UsagePayment>> {
    if fee == 0 || entries_per_page == 0 || max_entries == 0 {
        return Err(AttestError::Invalid("a usage fee, page size and entry limit must be positive".into()));
    }
    // parts: the entries of one page, at most `max_entries` at a time, in entry order
    let mut parts: Vec<(u32, Vec<(u32, Score)>)> = Vec::new();
    for (&entry, &score) in scores.iter().filter(|(_, s)| **s > Score::ZERO) {
        let page = entry / entries_per_page;
        match parts.last_mut() {
            Some((p, members)) if *p == page && members.len() < max_entries => members.push((entry, score)),
            _ => parts.push((page, vec![(entry, score)])),
        }
    }
    let part_scores: Vec<u128> = parts.iter().map(|(_, members)| members.iter().map(|(_, s)| s.nano()).sum()).collect();
    let fees = apportion(&part_scores, u128::from(fee))
        .ok_or_else(|| AttestError::Invalid("every score is zero: nothing to attribute".into()))?;
    let mut payments = Vec::new();
    for ((page, members), part_fee) in parts.into_iter().zip(fees) {
        if part_fee == 0 {
            continue;
        }
        let values: Vec<u128> = members.iter().map(|(_, s)| s.nano()).collect();
        let bps = apportion(&values, u128::from(TOTAL_BPS)).unwrap_or_default();
        let shares: Vec<(u32, u16)> =
            members.iter().zip(bps).filter(|(_, b)| *b > 0).map(|((entry, _), b)| (*entry, b as u16)).collect();
        payments.push(UsagePayment { page, fee: part_fee as u64, shares });
    }
    Ok(payments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(pairs: &[(u32, &str)]) -> BTreeMap<u32, Score> {
        pairs.iter().map(|(e, s)| (*e, s.parse().expect("score"))).collect()
    }

    #[test]
    fn one_page_one_instruction_with_exact_basis_points() {
        let plan = plan(&scores(&[(0, "1"), (1, "1"), (2, "1")]), 1_000, 84, 16).expect("plan");
        assert_eq!(plan, vec![UsagePayment { page: 0, fee: 1_000, shares: vec![(0, 3_334), (1, 3_333), (2, 3_333)] }]);
    }

    #[test]
    fn pages_and_the_entry_limit_split_the_fee_exactly() {
        let mut pairs: Vec<(u32, String)> = (0..20).map(|e| (e, "1".to_string())).collect();
        pairs.push((84, "4".into())); // page 1
        pairs.push((85, "0".into())); // no score, no share
        let s: BTreeMap<u32, Score> = pairs.iter().map(|(e, v)| (*e, v.parse().expect("score"))).collect();
        let plan = plan(&s, 2_400, 84, 16).expect("plan");
        assert_eq!(
            plan.iter().map(|p| (p.page, p.fee, p.shares.len())).collect::<Vec<_>>(),
            vec![(0, 1_600, 16), (0, 400, 4), (1, 400, 1)]
        );
        assert_eq!(plan.iter().map(|p| p.fee).sum::<u64>(), 2_400);
        for p in &plan {
            assert_eq!(p.shares.iter().map(|(_, b)| u32::from(*b)).sum::<u32>(), 10_000);
        }
    }

    #[test]
    fn a_part_too_small_for_one_base_unit_is_left_out() {
        let plan = plan(&scores(&[(0, "1000"), (84, "0.000000001")]), 10, 84, 16).expect("plan");
        assert_eq!(plan, vec![UsagePayment { page: 0, fee: 10, shares: vec![(0, 10_000)] }]);
    }
}
