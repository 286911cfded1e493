//! Usage receipts: one JSON object per line, what an AI service records each time contributions
//! are used. See ATTESTATION.md for the format.
use crate::error::{AttestError, Result};
use crate::score::Score;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

pub const RECEIPT_VERSION: u32 = 1;
/// Longest receipt id, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// How the contributions were used.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum UsageKind {
    Training,
    FineTuning,
    Inference,
}

/// One contribution used, with its attribution score.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct Use {
    /// The contribution's entry in the pool.
    pub entry: u32,
    /// SHA-256 of the contributed file (lowercase hex), when the service knows it: `attest verify`
    /// checks it against the contribution registered at `entry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    pub score: Score,
}

/// One use of a pool's contributions. Field order is the canonical order.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Format version: 1.
    pub v: u32,
    /// Unique within the log; how a contributor names the receipt they want proven.
    pub id: String,
    /// Unix seconds.
    pub time: i64,
    /// The pool's address (base58).
    pub pool: String,
    /// Who used the model (an account, an API key's id: the service's choice).
    pub consumer: String,
    pub kind: UsageKind,
    /// The contributions used, each entry once.
    pub uses: Vec<Use>,
}

impl Receipt {
    /// The receipt's canonical bytes: its JSON with the fields in order, no whitespace, scores
    /// in canonical form. Leaves of the Merkle tree hash these.
    pub fn canonical(&self) -> Vec<u8> {
        // serializing a struct of strings and integers cannot fail
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parse one line and check it (`line` numbers errors, from 1).
    pub fn parse(text: &str, line: u64) -> Result<Self> {
        let receipt: Receipt =
            serde_json::from_str(text).map_err(|e| AttestError::Receipt { line, reason: e.to_string() })?;
        receipt.check().map_err(|reason| AttestError::Receipt { line, reason })?;
        Ok(receipt)
    }

    /// Everything the format requires beyond its JSON shape.
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.v != RECEIPT_VERSION {
            return Err(format!("version {} (this tool reads version {RECEIPT_VERSION})", self.v));
        }
        if self.id.is_empty() || self.id.len() > MAX_ID_LEN {
            return Err(format!("id must be 1 to {MAX_ID_LEN} bytes"));
        }
        if self.time < 0 {
            return Err("time must be unix seconds, not negative".into());
        }
        if !is_address(&self.pool) {
            return Err(format!("pool '{}' is not a base58 address", self.pool));
        }
        if self.consumer.is_empty() {
            return Err("consumer is empty".into());
        }
        if self.uses.is_empty() {
            return Err("uses is empty".into());
        }
        let mut entries: Vec<u32> = self.uses.iter().map(|u| u.entry).collect();
        entries.sort_unstable();
        if let Some(pair) = entries.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(format!("entry {} is named twice", pair[0]));
        }
        for u in &self.uses {
            if let Some(hash) = &u.content_hash {
                if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                    return Err(format!("entry {}: content_hash must be 64 lowercase hex digits", u.entry));
                }
            }
        }
        Ok(())
    }
}

pub fn is_address(text: &str) -> bool {
    bs58::decode(text).into_vec().is_ok_and(|bytes| bytes.len() == 32)
}

/// An append-only receipt log, as an inference service keeps one: each receipt checked and written
/// as one canonical line, flushed before `append` returns.
pub struct ReceiptLog {
    file: std::fs::File,
}

impl ReceiptLog {
    pub fn open(path: &Path) -> Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| AttestError::Io(format!("{}: {e}", path.display())))?;
        Ok(Self { file })
    }

    /// Append `receipt`; returns its Merkle leaf.
    pub fn append(&mut self, receipt: &Receipt) -> Result<crate::merkle::Hash> {
        receipt.check().map_err(|reason| AttestError::Receipt { line: 0, reason })?;
        let mut line = receipt.canonical();
        let leaf = crate::merkle::leaf_hash(&line);
        line.push(b'\n');
        // one write of the whole line: appends from several processes do not interleave within it
        self.file.write_all(&line).and_then(|_| self.file.flush()).map_err(|e| AttestError::Io(e.to_string()))?;
        Ok(leaf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(id: &str) -> Receipt {
        Receipt {
            v: 1,
            id: id.into(),
            time: 1_764_520_000,
            pool: "Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7".into(),
            consumer: "api-key-7".into(),
            kind: UsageKind::Inference,
            uses: vec![
                Use { entry: 3, content_hash: None, score: "0.25".parse().expect("score") },
                Use { entry: 0, content_hash: Some("ab".repeat(32)), score: "1.5".parse().expect("score") },
            ],
        }
    }

    #[test]
    fn the_canonical_line_is_fixed_and_reads_back() {
        let r = sample("r-1");
        let line = String::from_utf8(r.canonical()).expect("utf8");
        assert_eq!(
            line,
            r#"{"v":1,"id":"r-1","time":1764520000,"pool":"Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7","consumer":"api-key-7","kind":"inference","uses":[{"entry":3,"score":"0.25"},{"entry":0,"content_hash":"abababababababababababababababababababababababababababababababab","score":"1.5"}]}"#
        );
        assert_eq!(Receipt::parse(&line, 1).expect("parses"), r);
        // the same receipt written loosely has the same canonical bytes
        let loose = line.replace("\"0.25\"", "\"0.250\"").replace(",\"", ", \"");
        assert_eq!(Receipt::parse(&loose, 1).expect("parses").canonical(), r.canonical());
    }

    #[test]
    fn malformed_receipts_are_refused_with_their_line_and_reason() {
        let good = String::from_utf8(sample("r").canonical()).expect("utf8");
        for (bad, reason) in [
            (good.replace("\"v\":1", "\"v\":2"), "version 2"),
            (good.replace("\"id\":\"r\"", "\"id\":\"\""), "id must be"),
            (good.replace("\"entry\":3", "\"entry\":0"), "named twice"),
            (good.replace("\"0.25\"", "0.25"), "expected a string"),
            (good.replace("\"0.25\"", "\"-0.25\""), "not a non-negative decimal"),
            (good.replace("inference", "vibes"), "unknown variant"),
            (good.replace("Dds5", "0OIl"), "not a base58 address"),
            (good.replace("\"consumer\"", "\"extra\":1,\"consumer\""), "unknown field"),
        ] {
            let err = Receipt::parse(&bad, 9).expect_err(&bad).to_string();
            assert!(err.contains("line 9") && err.contains(reason), "{err}");
        }
    }
}
