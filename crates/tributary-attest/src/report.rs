//! Attribution reports: receipts aggregated into per-entry weights, with the receipts' Merkle root,
//! written in one canonical form whose SHA-256 goes on chain with the epoch.
use crate::error::{AttestError, Result};
use crate::merkle::{leaf_hash, Hash, MerkleBuilder};
use crate::receipt::{is_address, Receipt};
use crate::score::Score;
use crate::split::apportion;
use crate::usage::add_scores;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::BufRead;

pub const REPORT_VERSION: u32 = 1;
/// Each entry's weight is its share of the sum of all scores, of [`WEIGHT_TOTAL`], by largest
/// remainder: the weights sum to exactly `WEIGHT_TOTAL`, so the pool's total weight never overflows.
pub const METHOD: &str = "sum-of-scores/largest-remainder/v1";
/// What a report's weights sum to: 2⁴⁰ (about 1.1 × 10¹²), fine-grained and far from the u64 limit
/// of the pool's total, and a power of two, so a deposit divides over it exactly (the accumulator
/// grows by amount × 2²⁴, no carry; with 10¹² the browser suite saw a 100-token deposit to the only
/// entry owe 99.999999, its last base unit waiting as fractions).
pub const WEIGHT_TOTAL: u64 = 1 << 40;
/// JSON numbers in a report stay below 2⁵³, so JavaScript reads them exactly.
pub const MAX_JSON_INTEGER: u64 = (1 << 53) - 1;

/// One entry's line in a report.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct EntryWeight {
    pub entry: u32,
    /// The sum of the entry's scores over all receipts.
    pub score: Score,
    pub weight: u64,
}

/// A report. Field order is the canonical order.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub version: u32,
    pub pool: String,
    pub epoch: u64,
    pub method: String,
    /// How many receipts it was built from.
    pub receipts: u64,
    /// Merkle root of the receipts, in file order (lowercase hex).
    #[serde(with = "crate::hex32")]
    pub receipts_root: Hash,
    pub total_weight: u64,
    /// Every entry named by a receipt, by entry index.
    pub weights: Vec<EntryWeight>,
}

impl Report {
    /// Build the report of a receipt log read line by line: memory grows with the number of
    /// entries named, not of receipts.
    pub fn build(receipts: impl BufRead, pool: &str, epoch: u64) -> Result<Self> {
        if !is_address(pool) {
            return Err(AttestError::Invalid(format!("pool '{pool}' is not a base58 address")));
        }
        if epoch == 0 || epoch > MAX_JSON_INTEGER {
            return Err(AttestError::Invalid(format!("epoch must be 1 to {MAX_JSON_INTEGER}")));
        }
        let mut tree = MerkleBuilder::new();
        let mut scores: BTreeMap<u32, Score> = BTreeMap::new();
        for_each_receipt(receipts, |line, receipt| {
            if receipt.pool != pool {
                return Err(AttestError::Receipt { line, reason: format!("for pool {}, not {pool}", receipt.pool) });
            }
            tree.push(leaf_hash(&receipt.canonical()));
            add_scores(&mut scores, &receipt).map_err(|entry| AttestError::Receipt {
                line,
                reason: format!("entry {entry}: the sum of its scores overflows"),
            })
        })?;
        let count = tree.count();
        let (root, _) = tree.finish().ok_or_else(|| AttestError::Invalid("no receipts".into()))?;
        let values: Vec<u128> = scores.values().map(|s| s.nano()).collect();
        let weights = apportion(&values, u128::from(WEIGHT_TOTAL))
            .ok_or_else(|| AttestError::Invalid("every score is zero: nothing to attribute".into()))?;
        Ok(Report {
            version: REPORT_VERSION,
            pool: pool.into(),
            epoch,
            method: METHOD.into(),
            receipts: count,
            receipts_root: root,
            total_weight: WEIGHT_TOTAL,
            weights: scores
                .into_iter()
                .zip(weights)
                .map(|((entry, score), weight)| EntryWeight { entry, score, weight: weight as u64 })
                .collect(),
        })
    }

    /// The canonical bytes: the JSON with fields in order and no whitespace. The report file is
    /// these bytes and a newline.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// SHA-256 of the canonical bytes: what `set_weights` records as the epoch's report hash.
    pub fn hash(&self) -> Hash {
        Sha256::digest(self.canonical()).into()
    }

    /// Read a report file: it must parse, be in canonical form, and be consistent.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let report: Report = serde_json::from_slice(bytes).map_err(|e| AttestError::Report(e.to_string()))?;
        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        if body != report.canonical().as_slice() {
            return Err(AttestError::Report(
                "not in canonical form (fields reordered, whitespace or non-canonical numbers): its hash would not be the report's".into(),
            ));
        }
        report.check()?;
        Ok(report)
    }

    fn check(&self) -> Result<()> {
        let fail = |reason: String| Err(AttestError::Report(reason));
        if self.version != REPORT_VERSION {
            return fail(format!("version {} (this tool reads version {REPORT_VERSION})", self.version));
        }
        if self.method != METHOD {
            return fail(format!("method '{}' (this tool knows '{METHOD}')", self.method));
        }
        if !is_address(&self.pool) {
            return fail(format!("pool '{}' is not a base58 address", self.pool));
        }
        if !self.weights.windows(2).all(|pair| pair[0].entry < pair[1].entry) {
            return fail("weights are not in increasing entry order".into());
        }
        let sum = self.weights.iter().try_fold(0u64, |acc, w| acc.checked_add(w.weight));
        if sum != Some(self.total_weight) {
            return fail(format!("weights sum to {sum:?}, not total_weight {}", self.total_weight));
        }
        let values: Vec<u128> = self.weights.iter().map(|w| w.score.nano()).collect();
        let expected = apportion(&values, u128::from(self.total_weight));
        if expected.as_ref().is_none_or(|e| !e.iter().zip(&self.weights).all(|(e, w)| *e == u128::from(w.weight))) {
            return fail("the weights are not the method's apportionment of the scores".into());
        }
        Ok(())
    }

    /// The weight the report gives `entry` (0 for an entry it does not name).
    pub fn weight_of(&self, entry: u32) -> u64 {
        self.weights.binary_search_by_key(&entry, |w| w.entry).map_or(0, |i| self.weights[i].weight)
    }
}

/// Call `f` with each receipt of a log and its line number (from 1). Blank lines are refused:
/// every line is one receipt.
pub fn for_each_receipt(receipts: impl BufRead, mut f: impl FnMut(u64, Receipt) -> Result<()>) -> Result<()> {
    for (index, line) in receipts.lines().enumerate() {
        let number = index as u64 + 1;
        let line = line.map_err(|e| AttestError::Io(format!("line {number}: {e}")))?;
        f(number, Receipt::parse(&line, number)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::{UsageKind, Use};

    const POOL: &str = "Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7";

    fn log(receipts: &[(&str, &[(u32, &str)])]) -> String {
        receipts
            .iter()
            .map(|(id, uses)| {
                let r = Receipt {
                    v: 1,
                    id: (*id).into(),
                    time: 1_764_520_000,
                    pool: POOL.into(),
                    consumer: "c".into(),
                    kind: UsageKind::Training,
                    method: None,
                    input: None,
                    uses: uses
                        .iter()
                        .map(|(entry, score)| Use {
                            entry: *entry,
                            content_hash: None,
                            score: score.parse().expect("score"),
                        })
                        .collect(),
                };
                String::from_utf8(r.canonical()).expect("utf8") + "\n"
            })
            .collect()
    }

    #[test]
    fn scores_become_weights_summing_to_the_total() {
        let text = log(&[("a", &[(0, "1"), (2, "0.5")]), ("b", &[(2, "1.5"), (5, "0")]), ("c", &[(0, "1")])]);
        let report = Report::build(text.as_bytes(), POOL, 3).expect("builds");
        let weights: Vec<(u32, String, u64)> =
            report.weights.iter().map(|w| (w.entry, w.score.to_string(), w.weight)).collect();
        assert_eq!(weights, vec![(0, "2".into(), 1 << 39), (2, "2".into(), 1 << 39), (5, "0".into(), 0)]);
        assert_eq!((report.receipts, report.epoch, report.weight_of(2), report.weight_of(9)), (3, 3, 1 << 39, 0));
    }

    #[test]
    fn a_report_round_trips_byte_for_byte_and_any_edit_is_caught() {
        let text = log(&[("a", &[(0, "0.3"), (1, "0.7")]), ("b", &[(1, "0.1")])]);
        let report = Report::build(text.as_bytes(), POOL, 1).expect("builds");
        let mut file = report.canonical();
        file.push(b'\n');
        let read = Report::parse(&file).expect("reads");
        assert_eq!((read.hash(), read.canonical()), (report.hash(), report.canonical()));

        let body = String::from_utf8(report.canonical()).expect("utf8");
        let first = report.weights[0].weight.to_string();
        let edits = [
            (
                body.replace(&format!("\"weight\":{first}"), &format!("\"weight\":{}", report.weights[0].weight + 1)),
                "sum to",
            ),
            (body.replace("{\"version\"", "{ \"version\""), "canonical"),
            (body.replace("\"epoch\":1", "\"epoch\":1.0"), "expected u64"),
            (body.replace("\"receipts\":2", "\"receipts\":2,\"note\":\"trust me\""), "unknown field"),
            (body.replace("sum-of-scores", "vibes"), "method"),
        ];
        for (edited, reason) in edits {
            let err = Report::parse(edited.as_bytes()).expect_err(&edited).to_string();
            assert!(err.contains(reason), "{err}");
        }
        // weights moved between entries (the sum kept): not the method's result
        let moved = body
            .replacen(&format!("\"weight\":{first}"), &format!("\"weight\":{}", report.weights[0].weight - 1), 1)
            .replacen(
                &format!("\"weight\":{}", report.weights[1].weight),
                &format!("\"weight\":{}", report.weights[1].weight + 1),
                1,
            );
        assert!(Report::parse(moved.as_bytes()).expect_err("moved").to_string().contains("apportionment"));
    }

    #[test]
    fn a_changed_receipt_changes_the_root() {
        let a = Report::build(log(&[("a", &[(0, "1")]), ("b", &[(1, "1")])]).as_bytes(), POOL, 1).expect("a");
        let b = Report::build(log(&[("a", &[(0, "1")]), ("b", &[(1, "1.000000001")])]).as_bytes(), POOL, 1).expect("b");
        assert_ne!(a.receipts_root, b.receipts_root);
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn bad_logs_are_refused_by_line() {
        let other_pool = log(&[("a", &[(0, "1")])]).replace(POOL, "11111111111111111111111111111111");
        let err = Report::build(other_pool.as_bytes(), POOL, 1).expect_err("other pool").to_string();
        assert!(err.contains("line 1") && err.contains("not Dds5"), "{err}");
        let blank = log(&[("a", &[(0, "1")])]) + "\n";
        assert!(Report::build(blank.as_bytes(), POOL, 1).expect_err("blank").to_string().contains("line 2"));
        assert!(Report::build(&b""[..], POOL, 1).expect_err("empty").to_string().contains("no receipts"));
        let zeros = log(&[("a", &[(0, "0")])]);
        assert!(Report::build(zeros.as_bytes(), POOL, 1).expect_err("zero").to_string().contains("zero"));
    }
}
