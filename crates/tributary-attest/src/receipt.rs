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
    /// The attributor that computed the scores, `name/vN` with optional `;key=value` parameters
    /// (`span-match/v1;min_tokens=8`): what `--recompute` re-runs (ATTRIBUTION.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// SHA-256 (lowercase hex) of the input manifest the scores were computed from: it names the
    /// model output or validation set and the contributions read (ATTRIBUTION.md §1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
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
        if let Some(method) = &self.method {
            if !is_method(method) {
                return Err(format!(
                    "method '{method}' must be name/vN with optional ;key=value parameters, 1 to {MAX_METHOD_LEN} printable ASCII bytes"
                ));
            }
        }
        if self.input.as_deref().is_some_and(|hash| !is_hex64(hash)) {
            return Err("input must be 64 lowercase hex digits".into());
        }
        for u in &self.uses {
            if u.content_hash.as_deref().is_some_and(|hash| !is_hex64(hash)) {
                return Err(format!("entry {}: content_hash must be 64 lowercase hex digits", u.entry));
            }
        }
        Ok(())
    }
}

/// Longest `method`, in bytes.
pub const MAX_METHOD_LEN: usize = 128;

fn is_hex64(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `name/vN[;key=value…]`: a name of lowercase letters, digits and `-`, a version number, then
/// parameters of printable ASCII without `;` or `=` inside a key or value.
fn is_method(text: &str) -> bool {
    if text.is_empty() || text.len() > MAX_METHOD_LEN || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return false;
    }
    let mut parts = text.split(';');
    let head = parts.next().unwrap_or_default();
    let Some((name, version)) = head.split_once("/v") else { return false };
    let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let version_ok = !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit());
    name_ok
        && version_ok
        && parts.all(|p| p.split_once('=').is_some_and(|(k, v)| !k.is_empty() && !v.is_empty() && !v.contains('=')))
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
            method: None,
            input: None,
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
    fn method_and_input_sit_between_kind_and_uses() {
        let mut r = sample("r-2");
        r.method = Some("span-match/v1;min_tokens=8".into());
        r.input = Some("cd".repeat(32));
        let line = String::from_utf8(r.canonical()).expect("utf8");
        assert!(line.contains(&format!(
            r#""kind":"inference","method":"span-match/v1;min_tokens=8","input":"{}","uses":"#,
            "cd".repeat(32)
        )));
        assert_eq!(Receipt::parse(&line, 1).expect("parses"), r);
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
            (good.replace("\"uses\"", "\"method\":\"Span/v1\",\"uses\""), "method 'Span/v1'"),
            (good.replace("\"uses\"", "\"method\":\"span/v1;n\",\"uses\""), "method 'span/v1;n'"),
            (good.replace("\"uses\"", "\"input\":\"AB\",\"uses\""), "input must be"),
        ] {
            let err = Receipt::parse(&bad, 9).expect_err(&bad).to_string();
            assert!(err.contains("line 9") && err.contains(reason), "{err}");
        }
    }
}
