//! Inclusion proofs: that one receipt is among those a report was built from.
use crate::error::{AttestError, Result};
use crate::merkle::{leaf_hash, root_from, Hash, MerkleBuilder, Step};
use crate::receipt::Receipt;
use crate::report::{for_each_receipt, Report};
use serde::{Deserialize, Serialize};
use std::io::BufRead;

/// A receipt, its position in the log, and the path from its leaf to the receipts' root.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct ReceiptProof {
    pub receipt: Receipt,
    /// Position in the log, from 0.
    pub index: u64,
    #[serde(with = "crate::hex32")]
    pub leaf: Hash,
    pub path: Vec<Step>,
    #[serde(with = "crate::hex32")]
    pub root: Hash,
}

impl ReceiptProof {
    /// The proof for the first receipt with id `id`: two passes over the log (`open` gives a
    /// reader from its start each time), memory independent of its length.
    pub fn build<R: BufRead>(mut open: impl FnMut() -> std::io::Result<R>, id: &str) -> Result<Self> {
        let mut reader = || open().map_err(|e| AttestError::Io(e.to_string()));
        // the first pass finds the receipt, the second builds the tree with its path
        let mut found: Option<(u64, Receipt)> = None;
        for_each_receipt(reader()?, |line, receipt| {
            if found.is_none() && receipt.id == id {
                found = Some((line - 1, receipt));
            }
            Ok(())
        })?;
        let (index, receipt) = found.ok_or_else(|| AttestError::Invalid(format!("no receipt with id '{id}'")))?;
        let mut tree = MerkleBuilder::proving(index);
        for_each_receipt(reader()?, |_, r| {
            tree.push(leaf_hash(&r.canonical()));
            Ok(())
        })?;
        let (root, path) = tree.finish().ok_or_else(|| AttestError::Invalid("no receipts".into()))?;
        let path = path.ok_or_else(|| AttestError::Invalid("the log changed while it was read".into()))?;
        Ok(Self { leaf: leaf_hash(&receipt.canonical()), receipt, index, path, root })
    }

    /// Check that the proof's receipt is in `report`: its leaf is the receipt's, the path leads
    /// to the proof's root, the root is the report's, and the receipt is for the report's pool.
    pub fn check(&self, report: &Report) -> Result<()> {
        self.receipt.check().map_err(|reason| AttestError::Proof(format!("the receipt itself: {reason}")))?;
        if leaf_hash(&self.receipt.canonical()) != self.leaf {
            return Err(AttestError::Proof("the leaf is not the receipt's hash: the receipt was changed".into()));
        }
        if root_from(self.leaf, &self.path) != self.root {
            return Err(AttestError::Proof("the path does not lead from the leaf to the root".into()));
        }
        if self.root != report.receipts_root {
            return Err(AttestError::Proof(format!(
                "the proof's root {} is not the report's receipts root {}",
                crate::hex32::encode(&self.root),
                crate::hex32::encode(&report.receipts_root)
            )));
        }
        if self.index >= report.receipts {
            return Err(AttestError::Proof(format!(
                "index {} but the report has {} receipts",
                self.index, report.receipts
            )));
        }
        if self.receipt.pool != report.pool {
            return Err(AttestError::Proof(format!(
                "the receipt is for pool {}, the report for {}",
                self.receipt.pool, report.pool
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::{UsageKind, Use};

    const POOL: &str = "Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7";

    fn log(n: u32) -> String {
        (0..n)
            .map(|i| {
                let r = Receipt {
                    v: 1,
                    id: format!("req-{i}"),
                    time: 1_764_520_000 + i64::from(i),
                    pool: POOL.into(),
                    consumer: "c".into(),
                    kind: UsageKind::Inference,
                    method: None,
                    input: None,
                    uses: vec![Use { entry: i % 5, content_hash: None, score: "0.5".parse().expect("score") }],
                };
                String::from_utf8(r.canonical()).expect("utf8") + "\n"
            })
            .collect()
    }

    #[test]
    fn every_receipt_proves_against_the_report_and_a_changed_one_does_not() {
        let text = log(11);
        let report = Report::build(text.as_bytes(), POOL, 1).expect("report");
        for i in 0..11 {
            let proof = ReceiptProof::build(|| Ok(text.as_bytes()), &format!("req-{i}")).expect("proof");
            assert_eq!(proof.index, i as u64);
            proof.check(&report).expect("checks");
            // the proof as JSON, as `attest prove` prints it, reads back the same
            let json = serde_json::to_string(&proof).expect("json");
            assert_eq!(serde_json::from_str::<ReceiptProof>(&json).expect("reads"), proof);
        }
        let proof = ReceiptProof::build(|| Ok(text.as_bytes()), "req-4").expect("proof");
        let mut inflated = proof.clone();
        inflated.receipt.uses[0].score = "5".parse().expect("score");
        assert!(inflated.check(&report).expect_err("changed").to_string().contains("receipt was changed"));
        let mut rehashed = inflated.clone();
        rehashed.leaf = leaf_hash(&rehashed.receipt.canonical());
        assert!(rehashed.check(&report).expect_err("rehashed").to_string().contains("does not lead"));
        let other = Report::build(log(12).as_bytes(), POOL, 1).expect("another report");
        assert!(proof.check(&other).expect_err("other report").to_string().contains("not the report's"));
        assert!(ReceiptProof::build(|| Ok(text.as_bytes()), "nope")
            .expect_err("missing")
            .to_string()
            .contains("no receipt"));
    }
}
